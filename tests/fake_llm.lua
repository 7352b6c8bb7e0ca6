-- A fake OpenAI-compatible LLM server for the tests: chat completions, embeddings and models on
-- 127.0.0.1, with deterministic replies, configurable latency, and injected faults (429 with
-- Retry-After, 500, connections dropped mid-body, truncated JSON, HTTP 200 with an error body,
-- replies with no choices). GET /stats reports what it saw, so a test can check that every request
-- succeeded exactly once.
--
-- --api chooses which API the fake answers as:
--   compatible        (default) an OpenAI-compatible server such as vLLM: takes any field.
--   openai-reasoning  OpenAI's reasoning models (o-series, gpt-5): a 400 `unsupported_parameter`
--                     (param max_tokens) when max_tokens is sent, a 400 `unsupported_value` when
--                     temperature or top_p is anything but 1; usage with reasoning_tokens.
--   anthropic         current Anthropic models on the Messages API (POST /v1/messages, no
--                     /chat/completions): anthropic-version and max_tokens required, a 400 when
--                     temperature is anything but 1; replies with a thinking block, text and
--                     usage.output_tokens_details.thinking_tokens.
-- --reasoning (compatible and openai-reasoning) adds reasoning to each reply as vLLM/SGLang do:
-- think (a <think>...</think> block at the start of content), reasoning_content, or reasoning.
-- GET /stats counts the 400s in `rejected` (by field). A prompt containing REFUSEME is refused as
-- each API refuses: OpenAI `content: null` with `refusal`, Anthropic `stop_reason: "refusal"`.
--
--   bin/ratio run tests/fake_llm.lua --port 0 --port-file /tmp/port --latency-ms 50 --p429 0.1
local ratio = require "ratio"
local p = ratio.params{
  host = {"127.0.0.1", "address to bind"},
  port = {0, "port (0 = any free port)"},
  port_file = {"", "write the port here once listening"},
  latency_ms = {0, "delay before each reply (ms)"},
  jitter_ms = {0, "extra random delay up to this (ms)"},
  p429 = {0.0, "share of requests answered 429"},
  retry_after = {"1", "Retry-After sent with a 429 (seconds; empty = none)"},
  p500 = {0.0, "share answered 500"},
  pdrop = {0.0, "share whose connection is dropped mid-body"},
  ptruncated = {0.0, "share answered 200 with truncated JSON"},
  perror200 = {0.0, "share answered 200 with an error body"},
  pnochoices = {0.0, "share answered 200 with no choices"},
  hang_ms = {0, "delay for requests whose prompt contains HANG (ms)"},
  seed = {1, "seed of the fault injection"},
  responder = {"", "Lua file returning function(messages, body) -> reply text"},
  model_prefix = {"", "only accept models starting with this (else 404)"},
  api = {"compatible", "the API answered as", choices = {"compatible", "openai-reasoning", "anthropic"}},
  reasoning = {"", "reasoning added to each reply", choices = {"", "think", "reasoning_content", "reasoning"}},
  status = {0, "answer every chat request with this HTTP status and an error body (0 = off)"},
  fail_match = {"", "answer 400 (not retryable) to a request whose body contains this text"},
  echo_auth = {false, "error bodies and headers quote the request's key, as OpenAI's 401 does"},
}
math.randomseed(p.seed)

local responder
if p.responder ~= "" then responder = assert(dofile(p.responder)) end

local stats = {requests = 0, ok = 0, injected = {["429"] = 0, ["500"] = 0, drop = 0,
               truncated = 0, error200 = 0, nochoices = 0}, by_key = {}, keys = 0, duplicates = 0,
               embeddings = 0, max_inflight = 0, authorized = 0, rejected = {}}
local inflight = 0

local function words(s)
  local out = {}
  for w in s:lower():gmatch("[%w\128-\255]+") do out[#out + 1] = w end
  return out
end

-- A reply that depends only on the request: the same request always gets the same text.
local function default_reply(messages)
  local last = messages[#messages] and messages[#messages].content or ""
  if type(last) ~= "string" then last = ratio.json.encode(last) end
  return ("reply %s: %d words"):format(ratio.sha256(last):sub(1, 12), #words(last))
end

local function count_success(key)
  stats.ok = stats.ok + 1
  local n = (stats.by_key[key] or 0) + 1
  stats.by_key[key] = n
  if n == 1 then stats.keys = stats.keys + 1 elseif n == 2 then stats.duplicates = stats.duplicates + 1 end
end

local current_auth -- the key of the request being answered, for --echo-auth

local function err(status, message, extra)
  if p.echo_auth and current_auth then
    -- What a careless provider or proxy does: the key in the message, the header echoed.
    message = ("%s; Incorrect API key provided: %s; request headers: {\"Authorization\": \"Bearer %s\", \"x-api-key\": \"%s\"}"):format(
      message, current_auth, current_auth, current_auth)
  end
  local r = {status = status, json = {error = {message = message, type = "fake_error", code = status}}}
  if extra then for k, v in pairs(extra) do r[k] = v end end
  if p.echo_auth and current_auth then
    r.headers = r.headers or {}
    r.headers["x-echo-authorization"] = "Bearer " .. current_auth
  end
  return r
end

-- Draws the fault for this request, in a fixed order, from one uniform number.
local function fault()
  local u, acc = math.random(), 0
  for _, f in ipairs{{"429", p.p429}, {"500", p.p500}, {"drop", p.pdrop}, {"truncated", p.ptruncated},
                     {"error200", p.perror200}, {"nochoices", p.pnochoices}} do
    acc = acc + f[2]
    if u < acc then return f[1] end
  end
end

local function delay(body_text)
  local ms = p.latency_ms + (p.jitter_ms > 0 and math.random() * p.jitter_ms or 0)
  if p.hang_ms > 0 and body_text:find("HANG", 1, true) then ms = p.hang_ms end
  if ms > 0 then ratio.sleep(ms) end
end

local REASONING = "Fake reasoning: weighing both answers before the verdict."

-- The 400s of OpenAI's reasoning models, in the API's own shape; nil when the body is accepted.
local function reasoning_model_rejects(body)
  local function reject(param, code, message)
    stats.rejected[param] = (stats.rejected[param] or 0) + 1
    return {status = 400, json = {error = {message = message, type = "invalid_request_error",
                                           param = param, code = code}}}
  end
  if body.max_tokens ~= nil then
    return reject("max_tokens", "unsupported_parameter",
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.")
  end
  for _, k in ipairs{"temperature", "top_p"} do
    if body[k] ~= nil and body[k] ~= 1 then
      return reject(k, "unsupported_value", ("Unsupported value: '%s' does not support %s with this model. Only the default (1) value is supported.")
        :format(k, tostring(body[k])))
    end
  end
end

local function chat(req)
  stats.requests = stats.requests + 1
  if (req.headers.authorization or ""):match("^Bearer %S") then stats.authorized = stats.authorized + 1 end
  inflight = inflight + 1
  stats.max_inflight = math.max(stats.max_inflight, inflight)
  current_auth = (req.headers.authorization or ""):match("^Bearer (%S+)") or req.headers["x-api-key"]
  local body = ratio.json.decode(req.body)
  local function done(r) inflight = inflight - 1 return r end
  if type(body) ~= "table" or type(body.messages) ~= "table" then
    return done(err(400, "body must be a JSON object with messages"))
  end
  if p.model_prefix ~= "" and not tostring(body.model):find(p.model_prefix, 1, true) then
    return done(err(404, "model '" .. tostring(body.model) .. "' not found"))
  end
  if p.status ~= 0 then
    local why = {[401] = "invalid API key", [403] = "access to this model is forbidden",
                 [404] = "the model '" .. tostring(body.model) .. "' does not exist"}
    return done(err(p.status, why[p.status] or "injected error"))
  end
  if p.fail_match ~= "" and req.body:find(p.fail_match, 1, true) then
    stats.injected.matched = (stats.injected.matched or 0) + 1
    return done(err(400, "invalid request (injected for this item)"))
  end
  if p.api == "openai-reasoning" then
    local rejected = reasoning_model_rejects(body)
    if rejected then return done(rejected) end
  end
  delay(req.body)
  current_auth = (req.headers.authorization or ""):match("^Bearer (%S+)") or req.headers["x-api-key"]
  local f = fault()
  if f then stats.injected[f] = stats.injected[f] + 1 end
  if f == "429" then
    local headers = p.retry_after ~= "" and {["retry-after"] = p.retry_after} or nil
    return done(err(429, "rate limit exceeded (injected)", {headers = headers}))
  elseif f == "500" then
    return done(err(500, "internal error (injected)"))
  elseif f == "drop" then
    return done({drop = true, partial = '{"id": "chatcmpl-fake", "choices": [{"mess'})
  elseif f == "truncated" then
    return done({status = 200, headers = {["content-type"] = "application/json"}, body = '{"id": "x", "choices": [{"message": {"content": "abc'})
  elseif f == "error200" then
    return done({status = 200, json = {error = {message = "upstream overloaded (injected)"}}})
  elseif f == "nochoices" then
    return done({status = 200, json = {id = "chatcmpl-fake", object = "chat.completion", choices = {}}})
  end
  if req.body:find("REFUSEME", 1, true) then
    stats.refused = (stats.refused or 0) + 1
    return done({status = 200, json = {id = "chatcmpl-refused", object = "chat.completion", model = body.model,
      choices = {{index = 0, finish_reason = "stop", message = {role = "assistant", content = ratio.json.null,
        refusal = "I'm sorry, but I can't help with that."}}},
      usage = {prompt_tokens = 10, completion_tokens = 9, total_tokens = 19}}})
  end
  local text = responder and responder(body.messages, body) or default_reply(body.messages)
  local prompt_chars = 0
  for _, m in ipairs(body.messages) do prompt_chars = prompt_chars + #tostring(m.content) end
  count_success(ratio.sha256(req.body))
  local message = {role = "assistant", content = text}
  local reasoning_tokens = 0
  if p.api == "openai-reasoning" then
    message.refusal = ratio.json.null
    reasoning_tokens = 64 -- hidden reasoning, billed as completion tokens
  end
  if p.reasoning == "think" then
    message.content = "<think>\n" .. REASONING .. "\n</think>\n\n" .. text
  elseif p.reasoning ~= "" then
    message[p.reasoning] = REASONING
  end
  local completion = #text // 4 + 1 + reasoning_tokens + (p.reasoning ~= "" and #REASONING // 4 or 0)
  return done({status = 200, json = {
    id = "chatcmpl-" .. ratio.sha256(req.body):sub(1, 16), object = "chat.completion",
    model = body.model,
    choices = {{index = 0, message = message, finish_reason = "stop"}},
    usage = {prompt_tokens = prompt_chars // 4 + 1, completion_tokens = completion,
             total_tokens = prompt_chars // 4 + 1 + completion,
             completion_tokens_details = {reasoning_tokens = reasoning_tokens}},
  }})
end

-- Deterministic embeddings: hashed bag of words in 64 dimensions, L2-normalised, so texts that
-- share words have a higher cosine.
local function embed_one(text)
  local v = {}
  for i = 1, 64 do v[i] = 0.0 end
  for _, w in ipairs(words(text)) do
    local h = tonumber(ratio.sha256(w):sub(1, 8), 16)
    local i = h % 64 + 1
    v[i] = v[i] + ((h // 64) % 2 == 0 and 1.0 or -1.0)
  end
  local norm = 0.0
  for i = 1, 64 do norm = norm + v[i] * v[i] end
  norm = math.sqrt(norm)
  if norm > 0 then for i = 1, 64 do v[i] = v[i] / norm end end
  return v
end

local function embeddings(req)
  stats.requests = stats.requests + 1
  local body = ratio.json.decode(req.body)
  if type(body) ~= "table" or body.input == nil then return err(400, "body needs input") end
  delay(req.body)
  local f = fault()
  if f == "429" or f == "500" then
    stats.injected[f] = stats.injected[f] + 1
    return err(tonumber(f), "injected")
  end
  local inputs = type(body.input) == "table" and body.input or {body.input}
  local data = {}
  for i, text in ipairs(inputs) do
    data[i] = {object = "embedding", index = i - 1, embedding = embed_one(tostring(text))}
  end
  stats.embeddings = stats.embeddings + #inputs
  count_success(ratio.sha256(req.body))
  return {status = 200, json = {object = "list", data = data, model = body.model,
                                usage = {prompt_tokens = #req.body // 4, total_tokens = #req.body // 4}}}
end

-- The Anthropic Messages API as current models answer it.
local function anthropic_error(status, kind, message, param)
  if param then stats.rejected[param] = (stats.rejected[param] or 0) + 1 end
  return {status = status, json = {type = "error", error = {type = kind, message = message},
                                   request_id = "req_fake"}}
end

local function messages_api(req)
  stats.requests = stats.requests + 1
  if (req.headers["x-api-key"] or "") ~= "" then stats.authorized = stats.authorized + 1 end
  if not req.headers["anthropic-version"] then
    return anthropic_error(400, "invalid_request_error", "anthropic-version: header is required", "anthropic-version")
  end
  local body = ratio.json.decode(req.body)
  if type(body) ~= "table" or type(body.messages) ~= "table" then
    return anthropic_error(400, "invalid_request_error", "messages: Field required")
  end
  if math.type(body.max_tokens) ~= "integer" then
    return anthropic_error(400, "invalid_request_error", "max_tokens: Field required", "max_tokens")
  end
  if body.temperature ~= nil and body.temperature ~= 1 then
    return anthropic_error(400, "invalid_request_error",
      "temperature: this model supports only the default temperature of 1.0", "temperature")
  end
  if p.model_prefix ~= "" and not tostring(body.model):find(p.model_prefix, 1, true) then
    return anthropic_error(404, "not_found_error", "model: " .. tostring(body.model))
  end
  delay(req.body)
  local f = fault()
  if f == "429" then
    stats.injected["429"] = stats.injected["429"] + 1
    local headers = p.retry_after ~= "" and {["retry-after"] = p.retry_after} or nil
    local r = anthropic_error(429, "rate_limit_error", "rate limited (injected)")
    r.headers = headers
    return r
  elseif f == "500" then
    stats.injected["500"] = stats.injected["500"] + 1
    return anthropic_error(529, "overloaded_error", "Overloaded (injected)")
  end
  if req.body:find("REFUSEME", 1, true) then
    stats.refused = (stats.refused or 0) + 1
    return {status = 200, json = {id = "msg_refused", type = "message", role = "assistant", model = body.model,
      content = {}, stop_reason = "refusal", stop_sequence = ratio.json.null,
      stop_details = {type = "refusal", category = ratio.json.null, explanation = "Declined by the fake's policy."},
      usage = {input_tokens = 10, output_tokens = 0}}}
  end
  -- The responders read the prompt as chat messages: give them the system prompt back in front.
  local messages = {}
  if type(body.system) == "string" then messages[1] = {role = "system", content = body.system} end
  for _, m in ipairs(body.messages) do messages[#messages + 1] = m end
  local text = responder and responder(messages, body) or default_reply(messages)
  local prompt_chars = #(body.system or "")
  for _, m in ipairs(body.messages) do prompt_chars = prompt_chars + #tostring(m.content) end
  count_success(ratio.sha256(req.body))
  local thinking_tokens = #REASONING // 4 + 1
  return {status = 200, json = {
    id = "msg_" .. ratio.sha256(req.body):sub(1, 16), type = "message", role = "assistant", model = body.model,
    content = {{type = "thinking", thinking = REASONING, signature = "fake-signature"},
               {type = "text", text = text}},
    stop_reason = "end_turn", stop_sequence = ratio.json.null, stop_details = ratio.json.null,
    usage = {input_tokens = prompt_chars // 4 + 1, output_tokens = #text // 4 + 1 + thinking_tokens,
             output_tokens_details = {thinking_tokens = thinking_tokens}},
  }}
end

local routes = {}
if p.api == "anthropic" then
  routes["POST /v1/messages"] = messages_api
else
  routes["POST /v1/chat/completions"] = chat
  routes["POST /chat/completions"] = chat
end

routes["POST /v1/embeddings"] = embeddings
routes["GET /v1/models"] = function() return {status = 200, json = {object = "list", data = {{id = "fake", object = "model"}}}} end
routes["GET /stats"] = function()
  return {status = 200, json = {requests = stats.requests, ok = stats.ok, keys = stats.keys,
    duplicates = stats.duplicates, injected = stats.injected, embeddings = stats.embeddings,
    max_inflight = stats.max_inflight, authorized = stats.authorized, rejected = stats.rejected,
    refused = stats.refused or 0}}
end
routes["GET /health"] = function() return {status = 200, body = "ok\n"} end

ratio.serve{
  host = p.host,
  port = p.port,
  routes = routes,
  on_listen = function(port)
    if p.port_file ~= "" then
      local tmp = p.port_file .. ".tmp"
      local f = assert(io.open(tmp, "w"))
      f:write(port, "\n")
      f:close()
      assert(os.rename(tmp, p.port_file))
    end
    ratio.log("fake LLM listening on http://%s:%d", p.host, port)
  end,
}
