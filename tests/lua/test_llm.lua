-- ratio.llm against an in-process server: retries, Retry-After, several endpoints, rate limits,
-- the cache, embeddings, the Anthropic mapping, usage accounting.
local ratio = require "ratio"
local t = require "testlib"
local json = ratio.json
local llm = require "ratio.llm"

-- A tiny OpenAI-compatible server whose behaviour each test scripts with `script(req, n)`.
local function server(script)
  local n = 0
  local seen = {}
  local srv = ratio.serve{port = 0, wait = false, routes = {
    ["POST /v1/chat/completions"] = function(req)
      n = n + 1
      local body = req:json()
      seen[#seen + 1] = {body = body, headers = req.headers, at = ratio.now()}
      local r = script and script(req, n, body)
      if r then return r end
      local text = "ok: " .. body.messages[#body.messages].content
      return {status = 200, json = {choices = {{message = {role = "assistant", content = text}}},
                                    usage = {prompt_tokens = 10, completion_tokens = 5}}}
    end,
    ["POST /v1/embeddings"] = function(req)
      n = n + 1
      local body = req:json()
      local data = {}
      for i, s in ipairs(body.input) do data[i] = {index = i - 1, embedding = {#s, 1.0}} end
      return {status = 200, json = {data = data, usage = {prompt_tokens = 3}}}
    end,
    ["POST /v1/messages"] = function(req)
      n = n + 1
      local body = req:json()
      seen[#seen + 1] = {body = body, headers = req.headers}
      return {status = 200, json = {type = "message", model = body.model, stop_reason = "end_turn",
        content = {{type = "text", text = "anthropic says hi"}},
        usage = {input_tokens = 7, output_tokens = 3}}}
    end,
  }}
  return {url = ("http://127.0.0.1:%d/v1"):format(srv.port), count = function() return n end,
          seen = seen, close = function() srv.raw:close() end}
end

local function client(url, extra)
  local opts = {base_url = url, model = "fake-judge", cache = false, backoff_ms = 5, max_tries = 4}
  for k, v in pairs(extra or {}) do opts[k] = v end
  return ratio.llm(opts)
end

t.test("chat returns text, usage and latency", function()
  local s = server()
  local r = assert(client(s.url):chat("hello"))
  t.eq(r.text, "ok: hello")
  t.eq(r.usage, {input_tokens = 10, output_tokens = 5, reasoning_tokens = 0})
  t.eq(r.cached, false)
  t.ok(r.latency_ms >= 0)
  t.eq(s.seen[1].body.model, "fake-judge")
  s.close()
end)

t.test("a 500 then a 200 is retried; a 400 is not", function()
  local s = server(function(_, n) if n == 1 then return {status = 500, json = {error = {message = "busy"}}} end end)
  assert(client(s.url):chat("x"))
  t.eq(s.count(), 2)
  s.close()
  local s2 = server(function() return {status = 400, json = {error = {message = "bad model name"}}} end)
  local r, err, code = client(s2.url):chat("x")
  t.eq(r, nil)
  t.eq(code, "HTTP400")
  t.ok(err:find("bad model name", 1, true), err)
  t.eq(s2.count(), 1)
  s2.close()
end)

t.test("Retry-After is honoured", function()
  local s = server(function(_, n)
    if n == 1 then return {status = 429, headers = {["retry-after"] = "1"}, json = {error = {message = "slow down"}}} end
  end)
  local t0 = ratio.now()
  assert(client(s.url, {backoff_ms = 1}):chat("x"))
  t.ok(s.seen[2].at - s.seen[1].at >= 990, "retried after " .. (s.seen[2].at - s.seen[1].at) .. " ms")
  t.ok(ratio.now() - t0 >= 990)
  s.close()
end)

t.test("a malformed 200 is retried, then fails with its reason", function()
  local s = server(function() return {status = 200, json = {choices = {}}} end)
  local r, err, code = client(s.url, {max_tries = 3}):chat("x")
  t.eq(r, nil)
  t.eq(code, "EMALFORMED")
  t.ok(err:find("gave up after 3 tries: reply has no choices", 1, true), err)
  t.eq(s.count(), 3)
  s.close()
end)

t.test("raise = true turns a final failure into an error", function()
  local s = server(function() return {status = 401, json = {error = {message = "no key"}}} end)
  t.raises(function() client(s.url, {raise = true}):chat("x") end, "HTTP 401 from openai: no key")
  s.close()
end)

t.test("several endpoints share the load, and a failing one is rested", function()
  local good = server()
  local bad = server(function() return {status = 503, json = {error = {message = "down"}}} end)
  local c = client({bad.url, good.url}, {concurrency = 4, rest_after = 2, max_tries = 6})
  local items = {}
  for i = 1, 60 do items[i] = i end
  local out = ratio.map(items, function(i) return (assert(c:chat("q" .. i))).text end, {concurrency = 8})
  t.eq(out[60], "ok: q60")
  t.eq(good.count(), 60)
  t.ok(bad.count() < 20, "the failing endpoint got " .. bad.count() .. " requests")
  good.close()
  bad.close()
end)

t.test("fewer calls in flight than endpoints still spread over all of them", function()
  -- least busy first used to break ties by taking the first endpoint, so one call at a time
  -- always went to the first of four
  local s = {server(), server(), server(), server()}
  local urls = {}
  for i, x in ipairs(s) do urls[i] = x.url end
  local c = client(urls, {concurrency = 4})
  local items = {}
  for i = 1, 40 do items[i] = i end
  ratio.map(items, function(i) assert(c:chat("t" .. i)) end, {concurrency = 1})
  for i, x in ipairs(s) do
    t.eq(x.count(), 10, "endpoint " .. i)
    t.eq(c:endpoint_stats()[i], {calls = 10, failures = 0, rests = 0, inflight = 0})
    x.close()
  end
end)

t.test("an endpoint that answers slowly gets fewer of the calls", function()
  local slow = server(function() ratio.sleep(40) end)
  local fast = server()
  local c = client({slow.url, fast.url}, {concurrency = 64})
  local items = {}
  for i = 1, 300 do items[i] = i end
  ratio.map(items, function(i) assert(c:chat("s" .. i)) end, {concurrency = 32})
  t.eq(slow.count() + fast.count(), 300)
  t.ok(slow.count() < 100, ("the slow endpoint got %d of 300 calls"):format(slow.count()))
  slow.close()
  fast.close()
end)

t.test("tasks waiting for room are served first come, first served", function()
  local s = server(function() ratio.sleep(2) end)
  local c = client(s.url, {concurrency = 1})
  local order = {}
  local items = {}
  for i = 1, 20 do items[i] = i end
  ratio.map(items, function(i) assert(c:chat("w" .. i)); order[#order + 1] = i end, {concurrency = 20})
  t.eq(#order, 20)
  for i = 1, 20 do t.eq(order[i], i) end
  s.close()
end)

t.test("the per-endpoint concurrency cap holds", function()
  local inflight, peak = 0, 0
  local s = server(function()
    inflight = inflight + 1
    peak = math.max(peak, inflight)
    ratio.sleep(5)
    inflight = inflight - 1
  end)
  local c = client(s.url, {concurrency = 3})
  local items = {}
  for i = 1, 30 do items[i] = i end
  ratio.map(items, function(i) assert(c:chat("c" .. i)) end, {concurrency = 30})
  t.eq(peak, 3)
  s.close()
end)

t.test("adaptive concurrency halves on 429", function()
  local s = server(function(_, n) if n <= 3 then return {status = 429, json = {error = {message = "x"}}} end end)
  local c = client(s.url, {concurrency = 16, adaptive = true})
  assert(c:chat("a"))
  t.ok(c.endpoints[1].limit <= 4, "limit is " .. c.endpoints[1].limit)
  s.close()
end)

t.test("the request bucket spaces requests out", function()
  local s = server()
  -- 1200/min = 20/s with one second of burst: 40 requests need at least (40 - 20) / 20 = 1 s.
  local c = client(s.url, {rpm = 1200, burst_seconds = 1, concurrency = 64})
  local items = {}
  for i = 1, 40 do items[i] = i end
  local t0 = ratio.now()
  ratio.map(items, function(i) assert(c:chat("r" .. i)) end, {concurrency = 40})
  t.ok(ratio.now() - t0 >= 950, "40 requests took only " .. (ratio.now() - t0) .. " ms")
  s.close()
end)

t.test("the cache answers a repeated call without a request", function()
  local s = server()
  local c = ratio.llm{base_url = s.url, model = "fake-cached-" .. ratio.sha256(tostring(os.time()) .. os.clock()):sub(1, 8)}
  local a = assert(c:chat("same", {temperature = 0}))
  local b = assert(c:chat("same", {temperature = 0}))
  t.eq(a.text, b.text)
  t.eq(b.cached, true)
  t.eq(s.count(), 1)
  local d = assert(c:chat("same", {temperature = 0, sample = 1})) -- a distinct sample is a new call
  t.eq(d.cached, false)
  assert(c:chat("same", {temperature = 0.7}))                    -- so is other sampling
  t.eq(s.count(), 3)
  local u = ratio.llm.usage()[c.name]
  t.eq(u.calls, 4)
  t.eq(u.cached, 1)
  t.eq(u.input_tokens, 30)
  s.close()
end)

t.test("the cache key is the SHA-256 of the canonical request, as it always was", function()
  -- The key is written with the messages as json.encoded (their JSON, written once for the key
  -- and the body); a cache filled by an earlier version must still answer, so the key must be
  -- the digest of the same bytes.
  local s = server()
  local model = "fake-key-" .. ratio.sha256(tostring(os.time()) .. os.clock()):sub(1, 8)
  local c = ratio.llm{base_url = s.url, model = model}
  local messages = {{role = "system", content = "be \"strict\"\n"}, {role = "user", content = "é ✓"}}
  assert(c:chat(messages, {temperature = 0.5, max_tokens = 7, sample = 2,
                           extra_body = {chat_template_kwargs = {enable_thinking = false}}}))
  local old = ratio.sha256(assert(ratio.json.encode({
    v = 1, kind = "chat", provider = "openai", model = model, payload = messages, sample = 2,
    params = {temperature = 0.5, max_tokens = 7, extra_body = {chat_template_kwargs = {enable_thinking = false}}},
  })))
  t.ok(require("ratio.cache").get(old), "no cache row under the canonical key")
  s.close()
end)

t.test("the key hashed from its pieces is the digest of the whole canonical request", function()
  -- call_key hashes the pieces of {"kind":..,"v":1} without writing the text out; every shape of
  -- request must give the digest of json.encode's text of the same table.
  local s = server()
  local cases = {
    {provider = "openai", model = 'm "quoted" \\ é', kind = "chat", params = {temperature = 0.5, max_tokens = 7}},
    {provider = "openai", model = "m", kind = "chat", params = {}, sample = 3},
    {provider = "openai", model = "m", kind = "chat", params = {seed = 1}, sample = 0.0},
    {provider = "openai", model = "m", kind = "chat", params = {extra_body = {a = {1, 2}}}, sample = 0},
    {provider = "anthropic", model = "claude-x", kind = "chat", params = {max_tokens = 9}},
    {provider = "openai", model = "e", kind = "embed", params = {dimensions = 8}, texts = {"a", "b\n"}},
    -- a setting that is not part of the key, and settings tables json.encode would read otherwise
    {provider = "openai", model = "m", kind = "chat", params = {temperature = 0.5, not_a_setting = 1}},
    {provider = "openai", model = "m", kind = "chat", params = ratio.json.object()},
    {provider = "openai", model = "m", kind = "chat", params = setmetatable({max_tokens = 3, seed = 2}, {})},
  }
  for i, case in ipairs(cases) do
    local c = ratio.llm{provider = case.provider, base_url = s.url, model = case.model, cache = false,
                        api_key_env = "RATIO_TEST_ANTHROPIC_KEY"}
    local payload = case.texts or {{role = "user", content = "hi " .. i}}
    local sampling = case.kind == "embed" and case.params or {} -- an embedding's size is its setting
    if case.kind == "chat" then
      for _, k in ipairs(c.provider.sampling_params) do sampling[k] = case.params[k] end
      sampling.extra_body = case.params.extra_body
    end
    local want = ratio.sha256(assert(ratio.json.encode({
      v = 1, kind = case.kind, provider = case.provider, model = case.model, payload = payload,
      params = sampling, sample = case.sample or 0})))
    local given = case.kind == "chat" and assert(ratio.json.encoded(payload)) or payload
    t.eq(llm._call_key(c, case.kind, given, case.params, case.sample), want, "case " .. i)
  end
  s.close()
end)

t.test("a call's options are read, never written, and sample and cache are not sent", function()
  -- A call with no client settings uses its options table as its settings: it must come back as
  -- it went in, and the call's own options (sample, cache) must not reach the API.
  local s = server()
  local settings = {temperature = 0.25}
  local bare = ratio.llm{base_url = s.url, model = "opts-" .. ratio.sha256(tostring(os.clock())):sub(1, 8)}
  local set = ratio.llm{base_url = s.url, model = bare.model, params = settings}
  local opts = {max_tokens = 5}
  assert(bare:chat("one", opts))
  assert(bare:chat("two", {max_tokens = 5, sample = 2, cache = false}))
  assert(set:chat("three"))
  assert(set:chat("four", {sample = 1}))
  t.eq(opts, {max_tokens = 5})
  t.eq(settings, {temperature = 0.25})
  for i, want in ipairs{{max_tokens = 5}, {max_tokens = 5}, {temperature = 0.25}, {temperature = 0.25}} do
    local body = s.seen[i].body
    t.eq({body.max_tokens, body.temperature, body.sample, body.cache}, {want.max_tokens, want.temperature}, i)
  end
  s.close()
end)

t.test("embeddings", function()
  local s = server()
  local v = assert(client(s.url):embed({"abc", "de"}))
  t.eq(v, {{3, 1.0}, {2, 1.0}})
  s.close()
end)

t.test("anthropic provider maps system messages and headers", function()
  local s = server()
  local c = ratio.llm{provider = "anthropic", base_url = s.url, model = "claude-test", cache = false,
                      api_key_env = "RATIO_TEST_ANTHROPIC_KEY"}
  local r = assert(c:chat({{role = "system", content = "be strict"}, {role = "user", content = "hi"}}))
  t.eq(r.text, "anthropic says hi")
  t.eq(r.usage, {input_tokens = 7, output_tokens = 3, reasoning_tokens = 0})
  local body = s.seen[1].body
  t.eq(body.system, "be strict")
  t.eq(#body.messages, 1)
  t.eq(body.max_tokens, 16384) -- required by the API: the documented default
  t.eq(s.seen[1].headers["anthropic-version"], "2026-10-21")
  for _, k in ipairs{"temperature", "top_p", "top_k", "stop_sequences"} do t.eq(body[k], nil, k) end
  s.close()
end)

t.test("bad options are refused", function()
  t.raises(function() ratio.llm{model = "x", concurency = 3} end, "unknown option 'concurency'")
  t.raises(function() ratio.llm{base_url = "http://x"} end, "model is required")
  t.raises(function() ratio.llm{model = "x", base_url = "ftp://x"} end, "not an http")
  t.raises(function() ratio.llm{model = "x", provider = "nope"} end, "unknown provider 'nope'")
end)
