-- OpenAI-compatible chat completions and embeddings: OpenAI, vLLM, SGLang, llama.cpp server,
-- Ollama (/v1), DashScope/Qwen compatible mode, DeepSeek, OpenRouter — anything with a base URL.
-- A provider maps ratio's request to the API's and the API's reply back; it never touches HTTP.
local M = {
  name = "openai",
  default_base_url = "https://api.openai.com/v1",
  key_env = "OPENAI_API_KEY",
  base_url_env = "OPENAI_BASE_URL",
}

-- Sampling parameters passed through to the API when a recipe sets them.
local PASS = {"temperature", "top_p", "max_tokens", "seed", "stop", "presence_penalty",
              "frequency_penalty", "response_format", "n", "logprobs", "top_logprobs",
              "max_completion_tokens", "reasoning_effort"}
M.sampling_params = PASS

function M.headers(key)
  local h = {["content-type"] = "application/json"}
  if key and key ~= "" then h["authorization"] = "Bearer " .. key end
  return h
end

-- chat_request(model, messages, params) -> path, body table
function M.chat_request(model, messages, params)
  local body = {model = model, messages = messages}
  for _, k in ipairs(PASS) do
    if params[k] ~= nil then body[k] = params[k] end
  end
  return "/chat/completions", body
end

-- chat_reply(decoded body) -> {text, usage={input_tokens, output_tokens}, finish_reason, model}
-- | nil, message. A reply without a message is not a reply, whatever the HTTP status said.
function M.chat_reply(body)
  if type(body) ~= "table" then return nil, "reply is not a JSON object" end
  if type(body.error) == "table" or type(body.error) == "string" then
    return nil, "API error in a 200 reply: " .. M.error_text(body)
  end
  local choices = body.choices
  if type(choices) ~= "table" or type(choices[1]) ~= "table" then
    return nil, "reply has no choices"
  end
  local msg = choices[1].message
  if type(msg) ~= "table" then return nil, "reply choice has no message" end
  local text = msg.content
  if type(text) == "table" then -- content parts
    local parts = {}
    for _, p in ipairs(text) do
      if type(p) == "table" and type(p.text) == "string" then parts[#parts + 1] = p.text end
    end
    text = table.concat(parts)
  end
  if type(text) ~= "string" then return nil, "reply message has no text content" end
  local usage = type(body.usage) == "table" and body.usage or {}
  return {
    text = text,
    reasoning = type(msg.reasoning_content) == "string" and msg.reasoning_content or nil,
    finish_reason = type(choices[1].finish_reason) == "string" and choices[1].finish_reason or nil,
    model = type(body.model) == "string" and body.model or nil,
    usage = {
      input_tokens = math.tointeger(usage.prompt_tokens) or 0,
      output_tokens = math.tointeger(usage.completion_tokens) or 0,
    },
  }
end

function M.embed_request(model, texts, params)
  local body = {model = model, input = texts}
  if params.dimensions then body.dimensions = params.dimensions end
  return "/embeddings", body
end

-- embed_reply(body, n) -> {vectors = {{...}, ...}, usage} | nil, message
function M.embed_reply(body, n)
  if type(body) ~= "table" or type(body.data) ~= "table" then return nil, "reply has no data" end
  local vectors = {}
  for _, d in ipairs(body.data) do
    local idx = math.tointeger(d.index)
    if type(d) ~= "table" or type(d.embedding) ~= "table" or not idx then
      return nil, "reply data item without index/embedding"
    end
    vectors[idx + 1] = d.embedding
  end
  for i = 1, n do
    if not vectors[i] then return nil, ("reply lacks the embedding of input %d"):format(i) end
  end
  local usage = type(body.usage) == "table" and body.usage or {}
  return {vectors = vectors,
          usage = {input_tokens = math.tointeger(usage.prompt_tokens) or 0, output_tokens = 0}}
end

-- error_text(decoded body or nil) -> the provider's own words
function M.error_text(body)
  if type(body) ~= "table" then return nil end
  local e = body.error
  if type(e) == "table" then return tostring(e.message or e.code or e.type) end
  if type(e) == "string" then return e end
  if type(body.message) == "string" then return body.message end
  return nil
end

return M
