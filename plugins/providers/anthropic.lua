-- Anthropic Messages API. System messages move to the top-level `system` field; max_tokens is
-- required by the API, so it defaults to 4096 when the recipe does not set it.
local M = {
  name = "anthropic",
  default_base_url = "https://api.anthropic.com/v1",
  key_env = "ANTHROPIC_API_KEY",
  base_url_env = "ANTHROPIC_BASE_URL",
  api_version = "2023-06-01",
}

local PASS = {"temperature", "top_p", "top_k", "max_tokens", "stop_sequences", "thinking"}
M.sampling_params = PASS

function M.headers(key)
  local h = {["content-type"] = "application/json", ["anthropic-version"] = M.api_version}
  if key and key ~= "" then h["x-api-key"] = key end
  return h
end

function M.chat_request(model, messages, params)
  local system, msgs = {}, {}
  for _, m in ipairs(messages) do
    if m.role == "system" then
      system[#system + 1] = m.content
    else
      msgs[#msgs + 1] = {role = m.role, content = m.content}
    end
  end
  local body = {model = model, messages = msgs, max_tokens = 4096}
  if #system > 0 then body.system = table.concat(system, "\n\n") end
  for _, k in ipairs(PASS) do
    if params[k] ~= nil then body[k] = params[k] end
  end
  if params.stop and not params.stop_sequences then
    body.stop_sequences = type(params.stop) == "table" and params.stop or {params.stop}
  end
  return "/messages", body
end

function M.chat_reply(body)
  if type(body) ~= "table" then return nil, "reply is not a JSON object" end
  if body.type == "error" or body.error then return nil, "API error: " .. tostring(M.error_text(body)) end
  if type(body.content) ~= "table" then return nil, "reply has no content" end
  local parts, thinking = {}, {}
  for _, block in ipairs(body.content) do
    if type(block) == "table" and block.type == "text" and type(block.text) == "string" then
      parts[#parts + 1] = block.text
    elseif type(block) == "table" and block.type == "thinking" and type(block.thinking) == "string" then
      thinking[#thinking + 1] = block.thinking
    end
  end
  if #parts == 0 then return nil, "reply has no text block" end
  local usage = type(body.usage) == "table" and body.usage or {}
  return {
    text = table.concat(parts),
    reasoning = #thinking > 0 and table.concat(thinking, "\n") or nil,
    finish_reason = type(body.stop_reason) == "string" and body.stop_reason or nil,
    model = type(body.model) == "string" and body.model or nil,
    usage = {input_tokens = math.tointeger(usage.input_tokens) or 0,
             output_tokens = math.tointeger(usage.output_tokens) or 0},
  }
end

function M.embed_request() return nil, "the Anthropic API has no embeddings endpoint" end

function M.error_text(body)
  if type(body) ~= "table" then return nil end
  local e = body.error
  if type(e) == "table" then return tostring(e.message or e.type) end
  if type(e) == "string" then return e end
  return nil
end

return M
