-- OpenAI-compatible chat completions and embeddings: OpenAI, vLLM, SGLang, llama.cpp server,
-- Ollama (/v1), DashScope/Qwen compatible mode, DeepSeek, OpenRouter — anything with a base URL.
-- A provider maps ratio's request to the API's and the API's reply back; it never touches HTTP,
-- and it reads a call's `params` without writing them (they may be the caller's own table).
--
-- Generation settings are sent only when the caller set them: no temperature, max_tokens or
-- anything else is added here. Reasoning models (o-series, gpt-5*) take `max_completion_tokens`
-- instead of `max_tokens`, and some accept only the default temperature/top_p: the request is
-- built for them by name, and for any other model the 400 the API answers is understood once
-- (adapt below) and remembered by the client, so later calls do not pay it again.
--
-- Replies: the answer is `message.content` with the reasoning taken out — vLLM/SGLang put it in
-- `reasoning_content` (or `reasoning` in newer versions), or leave it inside content as a leading
-- <think>...</think> block (or only the closing tag, when the server's template already sent
-- the opening one). A message with `refusal` and no content is a refusal (EREFUSED), not a
-- malformed reply.
--
-- A reply is read from its text by chat_reply_text, which json.pick's few fields serve for the
-- common reply (no tables are made for the rest of it), and by chat_reply, from the decoded
-- reply, for any other: both give the same result for the same text.
local json = require "ratio.core.json"
local json_null, pick = json.null, json.pick

local M = {
  name = "openai",
  default_base_url = "https://api.openai.com/v1",
  key_env = "OPENAI_API_KEY",
  base_url_env = "OPENAI_BASE_URL",
}

-- Settings passed through to the API when a recipe sets them (and only then).
local PASS = {"temperature", "top_p", "max_tokens", "seed", "stop", "presence_penalty",
              "frequency_penalty", "response_format", "n", "logprobs", "top_logprobs",
              "max_completion_tokens", "reasoning_effort"}
M.sampling_params = PASS
local PASSED = {}
for _, k in ipairs(PASS) do PASSED[k] = true end

-- The generation settings of ratio's flags (--judge-temperature, ...) this provider can send.
M.settings = {temperature = true, max_tokens = true, top_p = true, seed = true,
              reasoning_effort = true, stop = true}

function M.headers(key)
  local h = {["content-type"] = "application/json"}
  if key and key ~= "" then h["authorization"] = "Bearer " .. key end
  return h
end

-- Models that reject `max_tokens` (OpenAI's reasoning models), known by name, with or without a
-- router prefix such as "openai/". Remembered per name: every request asks.
local reasoning_model = {}
function M.is_reasoning_model(model)
  local yes = reasoning_model[model]
  if yes == nil then
    local m = tostring(model):lower():match("([^/]+)$") or ""
    yes = m:match("^o%d") ~= nil or m:match("^gpt%-5") ~= nil
    reasoning_model[model] = yes
  end
  return yes
end

-- chat_request(model, messages, params [, adapt]) -> path, body table
-- adapt: what the client learnt about this model (see M.adapt): {max_completion_tokens = true,
-- drop = {temperature = true, ...}}.
function M.chat_request(model, messages, params, adapt)
  adapt = adapt or {}
  local body, drop = {model = model, messages = messages}, adapt.drop
  for k, v in pairs(params) do -- (the few set, not every name PASS holds)
    if PASSED[k] and not (drop and drop[k]) then body[k] = v end
  end
  if body.max_tokens ~= nil and (adapt.max_completion_tokens or M.is_reasoning_model(model)) then
    if body.max_completion_tokens == nil then body.max_completion_tokens = body.max_tokens end
    body.max_tokens = nil
  end
  return "/chat/completions", body
end

-- adapt(status, decoded error body, adapt) -> description | nil. Understands the two 400s OpenAI
-- answers reasoning models with:
--   {"error": {"param": "max_tokens", "code": "unsupported_parameter", ...}} -> max_completion_tokens
--   {"error": {"param": "temperature", "code": "unsupported_value", ...}}    -> leave it out
-- and records the change in `adapt` (the client's table). Returns nil when there is nothing (new)
-- to change, so the same 400 is never answered twice.
function M.adapt(status, body, adapt)
  if status ~= 400 or type(body) ~= "table" or type(body.error) ~= "table" then return nil end
  local e = body.error
  local param, code = e.param, e.code
  local msg = type(e.message) == "string" and e.message or ""
  if param == "max_tokens" and (code == "unsupported_parameter" or msg:find("max_completion_tokens", 1, true)) then
    if adapt.max_completion_tokens then return nil end
    adapt.max_completion_tokens = true
    return "sends max_completion_tokens instead of max_tokens"
  end
  if (param == "temperature" or param == "top_p")
     and (code == "unsupported_value" or code == "unsupported_parameter") then
    adapt.drop = adapt.drop or {}
    if adapt.drop[param] then return nil end
    adapt.drop[param] = true
    return ("leaves %s out (the model accepts only its default)"):format(param)
  end
  return nil
end

-- The terminal error codes of an HTTP error: quota exhaustion is a 429 that waiting never cures.
function M.error_code(status, body)
  if status == 429 and type(body) == "table" and type(body.error) == "table"
     and (body.error.code == "insufficient_quota" or body.error.type == "insufficient_quota") then
    return "EQUOTA"
  end
  return nil
end

-- split_reasoning(text) -> answer, reasoning | nil. A leading <think>...</think> block, or text
-- up to a lone </think> (the server's chat template sent the opening tag), is reasoning. An
-- unclosed leading <think> is all reasoning: the model ran out of tokens while thinking.
function M.split_reasoning(text)
  local lead = text:match("^%s*()<think>")
  if lead then
    local open_end = lead + #"<think>"
    local close = text:find("</think>", open_end, true)
    if not close then return "", text:sub(open_end) end
    return text:sub(close + #"</think>"):gsub("^%s+", ""), text:sub(open_end, close - 1)
  end
  local close = text:find("</think>", 1, true)
  if close and not text:sub(1, close - 1):find("<think>", 1, true) then
    return text:sub(close + #"</think>"):gsub("^%s+", ""), text:sub(1, close - 1)
  end
  return text, nil
end

local function join(a, b)
  if a and b then return a .. "\n" .. b end
  return a or b
end

local NONE = {} -- an absent usage or usage detail (only ever read)
local type, tointeger, find = type, math.tointeger, string.find

-- The reasoning a message carries beside its content: `reasoning_content`, else `reasoning`
-- (where servers put it, in this order); nil when neither is a non-empty string.
local function reasoning_of(reasoning_content, reasoning)
  if type(reasoning_content) == "string" and reasoning_content ~= "" then return reasoning_content end
  if type(reasoning) == "string" and reasoning ~= "" then return reasoning end
  return nil
end

-- The result from the fields of a reply that has a message (text: its content, a string when
-- the content was parts; nil or null when it has none).
local function result_of(text, refusal, reasoning_content, reasoning, finish, model,
                         prompt_tokens, completion_tokens, reasoning_tokens)
  if type(refusal) == "string" and refusal ~= "" and (type(text) ~= "string" or text == "") then
    return nil, "refused: " .. refusal, "EREFUSED"
  end
  reasoning = reasoning_of(reasoning_content, reasoning)
  -- vLLM's reasoning parser leaves content null when the model never left its thinking (out of
  -- tokens): an empty answer with its reasoning, not a malformed reply to retry.
  if text == nil or text == json_null then
    if reasoning or finish == "length" then text = "" end
  end
  if type(text) ~= "string" then return nil, "reply message has no text content" end
  if find(text, "think>", 1, true) then -- (<think> and </think> both hold it)
    local answer, inline = M.split_reasoning(text)
    text, reasoning = answer, join(reasoning, inline)
  end
  return {
    text = text,
    reasoning = reasoning,
    finish_reason = type(finish) == "string" and finish or nil,
    model = type(model) == "string" and model or nil,
    usage = {
      input_tokens = tointeger(prompt_tokens) or 0,
      output_tokens = tointeger(completion_tokens) or 0,
      reasoning_tokens = tointeger(reasoning_tokens) or 0,
    },
  }
end

-- chat_reply(decoded body) -> {text, reasoning, usage = {input_tokens, output_tokens,
-- reasoning_tokens}, finish_reason, model} | nil, message [, code]. A reply without a message is
-- not a reply, whatever the HTTP status said; a refusal gives code EREFUSED with its text.
function M.chat_reply(body)
  if type(body) ~= "table" then return nil, "reply is not a JSON object" end
  local err = body.error
  if err ~= nil and (type(err) == "table" or type(err) == "string") then
    return nil, "API error in a 200 reply: " .. M.error_text(body)
  end
  local choices = body.choices
  local choice = type(choices) == "table" and choices[1]
  if type(choice) ~= "table" then return nil, "reply has no choices" end
  local msg = choice.message
  if type(msg) ~= "table" then return nil, "reply choice has no message" end
  local text = msg.content
  if type(text) == "table" then -- content parts
    local parts = {}
    for _, p in ipairs(text) do
      if type(p) == "table" and type(p.text) == "string" then parts[#parts + 1] = p.text end
    end
    text = table.concat(parts)
  end
  local usage = body.usage
  if type(usage) ~= "table" then usage = NONE end
  local details = usage.completion_tokens_details
  if type(details) ~= "table" then details = NONE end
  return result_of(text, msg.refusal, msg.reasoning_content, msg.reasoning, choice.finish_reason,
                   body.model, usage.prompt_tokens, usage.completion_tokens, details.reasoning_tokens)
end

-- What chat_reply reads of a reply, where it reads it (json.pick gives nil where a step is
-- missing or of another kind, as chat_reply's checks of each level do).
local REPLY = json.fields{
  {"choices", 1, "message", "content"}, {"choices", 1, "message", "refusal"},
  {"choices", 1, "message", "reasoning_content"}, {"choices", 1, "message", "reasoning"},
  {"choices", 1, "finish_reason"}, {"model"}, {"usage", "prompt_tokens"},
  {"usage", "completion_tokens"}, {"usage", "completion_tokens_details", "reasoning_tokens"},
  {"error"},
}

-- chat_reply_text(the reply's JSON text) -> as chat_reply | false. The common reply, a message
-- whose content is a string and no `error`, is read from the fields json.pick gives, without a
-- table for the rest of the reply (7% of the client's instructions per call at 1,024 in flight:
-- docs/performance.md); for any other (invalid JSON included) the answer is false, and the
-- client decodes the text for chat_reply.
function M.chat_reply_text(text)
  local ok, content, refusal, reasoning_content, reasoning, finish, model, prompt_tokens,
        completion_tokens, reasoning_tokens, err = pick(text, REPLY)
  if not ok or type(content) ~= "string" or err ~= nil then return false end
  return result_of(content, refusal, reasoning_content, reasoning, finish, model, prompt_tokens,
                   completion_tokens, reasoning_tokens)
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
