-- A fake OpenAI-compatible LLM server for the tests: chat completions, embeddings and models on
-- 127.0.0.1, with deterministic replies, configurable latency, and injected faults (429 with
-- Retry-After, 500, connections dropped mid-body, truncated JSON, HTTP 200 with an error body,
-- replies with no choices). GET /stats reports what it saw, so a test can check that every request
-- succeeded exactly once.
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
  status = {0, "answer every chat request with this HTTP status and an error body (0 = off)"},
  fail_match = {"", "answer 400 (not retryable) to a request whose body contains this text"},
  echo_auth = {false, "error bodies and headers quote the request's key, as OpenAI's 401 does"},
}
math.randomseed(p.seed)

local responder
if p.responder ~= "" then responder = assert(dofile(p.responder)) end

local stats = {requests = 0, ok = 0, injected = {["429"] = 0, ["500"] = 0, drop = 0,
               truncated = 0, error200 = 0, nochoices = 0}, by_key = {}, keys = 0, duplicates = 0,
               embeddings = 0, max_inflight = 0, authorized = 0}
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
  local text = responder and responder(body.messages, body) or default_reply(body.messages)
  local prompt_chars = 0
  for _, m in ipairs(body.messages) do prompt_chars = prompt_chars + #tostring(m.content) end
  count_success(ratio.sha256(req.body))
  return done({status = 200, json = {
    id = "chatcmpl-" .. ratio.sha256(req.body):sub(1, 16), object = "chat.completion",
    model = body.model,
    choices = {{index = 0, message = {role = "assistant", content = text}, finish_reason = "stop"}},
    usage = {prompt_tokens = prompt_chars // 4 + 1, completion_tokens = #text // 4 + 1,
             total_tokens = prompt_chars // 4 + #text // 4 + 2},
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

ratio.serve{
  host = p.host,
  port = p.port,
  routes = {
    ["POST /v1/chat/completions"] = chat,
    ["POST /chat/completions"] = chat,
    ["POST /v1/embeddings"] = embeddings,
    ["GET /v1/models"] = function() return {status = 200, json = {object = "list", data = {{id = "fake", object = "model"}}}} end,
    ["GET /stats"] = function()
      return {status = 200, json = {requests = stats.requests, ok = stats.ok, keys = stats.keys,
        duplicates = stats.duplicates, injected = stats.injected, embeddings = stats.embeddings,
        max_inflight = stats.max_inflight, authorized = stats.authorized}}
    end,
    ["GET /health"] = function() return {status = 200, body = "ok\n"} end,
  },
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
