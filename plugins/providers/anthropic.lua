-- Anthropic Messages API (POST /v1/messages), API version 2026-10-21. System messages move to the
-- top-level `system` field. No sampling field is sent unless the caller set it: current models
-- accept no temperature other than 1 and the 2026-10-21 version has deprecated temperature,
-- top_p and top_k, so setting one (--judge-temperature, ...) is passed on for the API to judge.
-- max_tokens is required by the API: it defaults to M.default_max_tokens (16384) when the caller
-- does not set it. reasoning_effort maps to output_config.effort; stop to stop_sequences. The
-- API has no seed: setting one is an error before the first call.
--
-- Replies: text blocks are the answer; thinking blocks are the reasoning (redacted_thinking
-- blocks have no readable text and are counted only); stop_reason "refusal" is a refusal
-- (EREFUSED) with stop_details.explanation, or whatever text came before it, as its text.
local M = {
  name = "anthropic",
  default_base_url = "https://api.anthropic.com/v1",
  key_env = "ANTHROPIC_API_KEY",
  base_url_env = "ANTHROPIC_BASE_URL",
  api_version = "2026-10-21",
  default_max_tokens = 16384,
}

local PASS = {"temperature", "top_p", "top_k", "max_tokens", "stop_sequences", "thinking", "output_config"}
M.sampling_params = {"temperature", "top_p", "top_k", "max_tokens", "stop_sequences", "thinking",
                     "output_config", "stop", "reasoning_effort"}

M.settings = {temperature = true, max_tokens = true, top_p = true, reasoning_effort = true, stop = true,
              seed = "the Anthropic Messages API has no seed"}

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
  local body = {model = model, messages = msgs}
  if #system > 0 then body.system = table.concat(system, "\n\n") end
  for _, k in ipairs(PASS) do
    if params[k] ~= nil then body[k] = params[k] end
  end
  body.max_tokens = body.max_tokens or M.default_max_tokens
  if params.stop and not params.stop_sequences then
    body.stop_sequences = type(params.stop) == "table" and params.stop or {params.stop}
  end
  if params.reasoning_effort then
    body.output_config = body.output_config or {}
    body.output_config.effort = params.reasoning_effort
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
  if body.stop_reason == "refusal" then
    local d = type(body.stop_details) == "table" and body.stop_details or {}
    local why = type(d.explanation) == "string" and d.explanation or table.concat(parts)
    if why == "" then why = "no explanation given" end
    if type(d.category) == "string" then why = ("%s (category %s)"):format(why, d.category) end
    return nil, "refused: " .. why, "EREFUSED"
  end
  -- Out of tokens while thinking: an empty answer (the caller sees finish_reason max_tokens),
  -- not a malformed reply to retry.
  if #parts == 0 and body.stop_reason ~= "max_tokens" then return nil, "reply has no text block" end
  local usage = type(body.usage) == "table" and body.usage or {}
  local details = type(usage.output_tokens_details) == "table" and usage.output_tokens_details or {}
  return {
    text = table.concat(parts),
    reasoning = #thinking > 0 and table.concat(thinking, "\n") or nil,
    finish_reason = type(body.stop_reason) == "string" and body.stop_reason or nil,
    model = type(body.model) == "string" and body.model or nil,
    usage = {input_tokens = math.tointeger(usage.input_tokens) or 0,
             output_tokens = math.tointeger(usage.output_tokens) or 0,
             reasoning_tokens = math.tointeger(details.thinking_tokens) or 0},
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
