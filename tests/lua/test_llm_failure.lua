-- ratio.llm's failure path and what every run owes: configuration checked before the first call,
-- single flight for identical calls in flight, usage with what the cache saved, redaction of what
-- providers echo, and ratio.failures' grouping and tolerance.
local ratio = require "ratio"
local t = require "testlib"
local errors = require "ratio.errors"
local failures = require "ratio.failures"
local redact = require "ratio.redact"
local state = require "ratio.state"

-- A server whose chat handler holds every request until gate:set(), counting what it got.
local function gated_server(reply)
  local gate, n = ratio.event(), 0
  local srv = ratio.serve{port = 0, wait = false, routes = {
    ["POST /v1/chat/completions"] = function(req)
      n = n + 1
      gate:wait()
      if reply then return reply(req) end
      local body = req:json()
      return {status = 200, json = {choices = {{message = {role = "assistant",
        content = "ok: " .. body.messages[#body.messages].content}}},
        usage = {prompt_tokens = 10, completion_tokens = 5}}}
    end,
  }}
  return {url = ("http://127.0.0.1:%d/v1"):format(srv.port), gate = gate,
          count = function() return n end, close = function() srv.raw:close() end}
end

local function unique(name) return name .. "-" .. ratio.sha256(tostring(os.clock()) .. math.random()):sub(1, 8) end

-- calls(n, fn): runs fn(i) in n tasks and returns once every one of them is inside fn and
-- suspended (a task runs until it waits, so `started` counts the ones that reached their wait).
local function calls(n, fn)
  local started, tasks = 0, {}
  for i = 1, n do
    tasks[i] = ratio.spawn(function()
      started = started + 1
      return table.pack(fn(i))
    end)
  end
  while started < n do ratio.yield() end
  return tasks
end

t.test("single flight: identical calls in flight are sent once, every caller gets the reply", function()
  for _, cached in ipairs{true, false} do -- with the call cache, and with it off for the client
    local s = gated_server()
    local c = ratio.llm{base_url = s.url, model = unique("flight"), cache = cached, backoff_ms = 5}
    local tasks = calls(20, function() return c:chat("same question") end)
    while s.count() < 1 do ratio.yield() end
    s.gate:set()
    local shared = 0
    for _, task in ipairs(tasks) do
      local r = task:wait()[1]
      t.eq(r.text, "ok: same question")
      if r.shared then shared = shared + 1 end
    end
    t.eq(s.count(), 1, "requests sent (cache " .. tostring(cached) .. ")")
    t.eq(shared, 19)
    local u = ratio.llm.usage()[c.name]
    t.eq({u.calls, u.shared, u.input_tokens}, {20, 19, 10})
    s.close()
  end
end)

t.test("single flight: every waiter gets the one failure; cache = false per call shares nothing", function()
  local s = gated_server(function() return {status = 400, json = {error = {message = "bad request"}}} end)
  local c = ratio.llm{base_url = s.url, model = unique("flight-fail"), cache = false}
  local tasks = calls(5, function() return c:chat("q") end)
  s.gate:set()
  for _, task in ipairs(tasks) do
    local r = task:wait()
    t.eq({r[1], r[2], r[3]}, {nil, "HTTP 400 from openai: bad request", "HTTP400"})
  end
  t.eq(s.count(), 1)
  t.eq(ratio.llm.usage()[c.name].failed, 5)
  s.close()
  local s2 = gated_server()
  local c2 = ratio.llm{base_url = s2.url, model = unique("fresh"), cache = false}
  tasks = calls(3, function() return c2:chat("q", {cache = false}) end)
  while s2.count() < 3 do ratio.yield() end -- all three reached the server
  s2.gate:set()
  for _, task in ipairs(tasks) do t.ok(task:wait()[1]) end
  s2.close()
end)

t.test("single flight without a cache: a call joins another under its hash only if the requests match", function()
  -- Without a cache the key is XXH3's 128-bit hash, which a crafted pair of prompts could make
  -- collide: here every call gets the same hash, and only identical requests may share a reply.
  local sys = require "ratio.core.sys"
  local real = sys.xxh128
  sys.xxh128 = function() return ("\0"):rep(16) end
  local ok, err = pcall(function()
    local s = gated_server()
    local c = ratio.llm{base_url = s.url, model = unique("collide"), cache = false}
    local asks = {"alpha", "beta", "alpha", "beta", "alpha"}
    local tasks = calls(#asks, function(i) return c:chat(asks[i]) end)
    while s.count() < 3 do ratio.yield() end
    s.gate:set()
    local shared = 0
    for i, task in ipairs(tasks) do
      local r = task:wait()[1]
      t.eq(r.text, "ok: " .. asks[i])
      if r.shared then shared = shared + 1 end
    end
    -- the first alpha holds the key: the alphas after it share its reply, each beta goes on its own
    t.eq(s.count(), 3)
    t.eq(shared, 2)
    s.close()
  end)
  sys.xxh128 = real
  assert(ok, err)
end)

t.test("single flight: a call in flight is still shared after hundreds of others came and went", function()
  -- Finished calls stay in the client's table of calls in flight until it is rebuilt with the live
  -- ones (see single_flight in llm.lua): a call held across several rebuilds must still be found.
  local gate, held, others = ratio.event(), 0, 0
  local srv = ratio.serve{port = 0, wait = false, routes = {
    ["POST /v1/chat/completions"] = function(req)
      local q = req:json().messages[1].content
      if q == "held" then held = held + 1 gate:wait() else others = others + 1 end
      return {status = 200, json = {choices = {{message = {role = "assistant", content = "re: " .. q}}},
                                    usage = {prompt_tokens = 1, completion_tokens = 1}}}
    end,
  }}
  local c = ratio.llm{base_url = ("http://127.0.0.1:%d/v1"):format(srv.port), model = unique("rebuild"),
                      cache = false}
  local first = calls(1, function() return c:chat("held") end)[1]
  while held < 1 do ratio.yield() end
  local list = {}
  for i = 1, 300 do list[i] = i end
  ratio.map(list, function(i) assert(c:chat("other " .. i)) end, {concurrency = 4})
  t.eq(others, 300)
  t.ok(c.flight_keys <= 2 * c.flights_live + 64, "the table holds at most twice the live calls + 64")
  local second = calls(1, function() return c:chat("held") end)[1]
  gate:set()
  t.eq(first:wait()[1].text, "re: held")
  local r = second:wait()[1]
  t.eq({r.text, r.shared}, {"re: held", true})
  t.eq(held, 1)
  t.eq(c.flights_live, 0)
  for _, f in pairs(c.flights) do t.eq(f, false) end
  srv.raw:close()
end)

t.test("a cached call counts its original tokens and cost as saved", function()
  local s = gated_server()
  s.gate:set()
  local model = unique("saved")
  local c = ratio.llm{base_url = s.url, model = model, prices = {input = 2.0, output = 10.0}}
  assert(c:chat("priced"))
  -- Prices change; the row keeps what the call cost when it was made.
  local c2 = ratio.llm{base_url = s.url, model = model, name = model .. "-later", prices = {input = 100.0, output = 100.0}}
  local r = assert(c2:chat("priced"))
  t.eq(r.cached, true)
  t.eq(r.cost_usd, nil)
  local u = ratio.llm.usage()[model .. "-later"]
  t.eq({u.calls, u.cached, u.input_tokens, u.saved.input_tokens, u.saved.output_tokens},
       {1, 1, 0, 10, 5})
  t.near(u.saved.cost_usd, (10 * 2.0 + 5 * 10.0) / 1e6, 1e-12)
  t.eq(ratio.llm.usage()[model].cost_usd > 0, true)
  local total = ratio.llm.usage_total()
  t.ok(total.calls >= 2 and total.saved.input_tokens >= 10)
  t.ok(ratio.llm.usage_line():find("the cache saved", 1, true))
  s.close()
end)

t.test("configuration errors end the run before any call, naming the flag or option", function()
  local function usage_error(fn, pattern)
    local ok, e = pcall(fn)
    t.ok(not ok and errors.is_exit(e), "expected a usage error, got " .. tostring(e))
    t.eq(e.code, 2)
    t.ok(e.message:find(pattern, 1, true), e.message)
  end
  usage_error(function() ratio.llm{model = "", base_url = "http://127.0.0.1:9/v1"} end, "ratio.llm: model: is required")
  usage_error(function() ratio.llm{model = "m", base_url = "127.0.0.1:8000/v1"} end,
    "ratio.llm: base_url: '127.0.0.1:8000/v1' has no scheme; write http://127.0.0.1:8000/v1")
  usage_error(function() ratio.llm{model = "m", base_url = "https://api.example.com/v1", api_key_env = "RATIO_TEST_UNSET_KEY"} end,
    "ratio.llm: base_url: https://api.example.com/v1 needs an API key and RATIO_TEST_UNSET_KEY is not set")
  -- A local server needs no key, on any loopback spelling.
  for _, u in ipairs{"http://localhost:1/v1", "http://127.0.0.2:1/v1", "http://[::1]:1/v1"} do
    ratio.llm{model = "m", base_url = u, api_key_env = "RATIO_TEST_UNSET_KEY"}
  end
  -- From a recipe's flags, the message names the flag.
  local p = {judge_model = "", judge_base_url = "http://127.0.0.1:1/v1"}
  usage_error(function() ratio.llm.from_params(p, "judge_") end, "--judge-model: is required")
  p = {judge_model = "m", judge_base_url = "localhost:8000/v1"}
  usage_error(function() ratio.llm.from_params(p, "judge_") end, "--judge-base-url: 'localhost:8000/v1' has no scheme")
  p = {judge_model = "m", judge_base_url = "https://api.example.com/v1"}
  usage_error(function() ratio.llm.from_params(p, "judge_", {api_key_env = "RATIO_TEST_UNSET_KEY"}) end,
    "--judge-base-url: https://api.example.com/v1 needs an API key and RATIO_TEST_UNSET_KEY is not set (set it, or point --judge-base-url at a local server; a remote server that takes no key accepts any value, e.g. RATIO_TEST_UNSET_KEY=none)")
end)

t.test("a provider's echo of the key or the URL password is redacted in the failure", function()
  local s = gated_server(function(req)
    return {status = 401, json = {error = {message = "Incorrect API key provided: " ..
      (req.headers.authorization or "") .. " for http://u:hunter2-secret@127.0.0.1/v1"}}}
  end)
  s.gate:set()
  local url = s.url:gsub("^http://", "http://u:hunter2-secret@")
  local c = ratio.llm{base_url = url, model = unique("echo"), cache = false, api_key_env = "RATIO_TEST_ECHO_KEY"}
  -- The environment cannot be set from Lua: a key given as the provider would send it.
  c.key_env = "PATH" -- any variable that is set: its value is the key in use
  local _, msg = c:chat("q")
  t.ok(not msg:find(os.getenv("PATH"), 1, true), msg)
  t.ok(not msg:find("hunter2", 1, true), msg)
  t.ok(msg:find("Incorrect API key provided: Bearer ***", 1, true), msg)
  s.close()
end)

t.test("redact: keys in use, bearer tokens, header values, URL passwords, key shapes", function()
  redact.secret("my-own-key-1234")
  local cases = {
    {"key my-own-key-1234 echoed", "key *** echoed"},
    {"Authorization: Bearer abc.def-ghi", "Authorization: Bearer ***"},
    {'{"authorization": "Basic dXNlcjpwYXNz"}', '{"authorization": "Basic ***"}'},
    {"x-api-key: zzz-secret-zzz\r\n", "x-api-key: ***\r\n"},
    {"api_key=abcdef123", "api_key=***"},
    {"see http://bob:pw@host:8/v1 and https://tok@h/", "see http://bob:***@host:8/v1 and https://***@h/"},
    {"Incorrect API key provided: sk-proj-AbCdEfGhIjKlMnOpQrSt.", "Incorrect API key provided: sk-***."},
    {"sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAA", "sk-***"},
    {"scikit: sk-learn is fine", "scikit: sk-learn is fine"},
    {"no secret here", "no secret here"},
  }
  for _, c in ipairs(cases) do t.eq(redact.text(c[1]), c[2], c[1]) end
  t.eq(redact.url("http://127.0.0.1:8/v1"), "http://127.0.0.1:8/v1")
  t.eq(redact.value({a = {"http://u:p@h"}, n = 1}), {a = {"http://u:***@h"}, n = 1})
end)

t.test("failures: grouped by cause with an example item; tolerance by count or share", function()
  failures.reset()
  local saved = state.options.max_failures
  for i = 1, 10 do failures.unit_done() end
  failures.record("HTTP 400: bad", {item = {id = "a-1"}, index = 1})
  failures.record("HTTP 400: bad", {item = {_line = 7}, index = 2})
  failures.record("timeout", {item = {}, index = 3})
  local failed, total, list = failures.counts()
  t.eq({failed, total}, {3, 10})
  t.eq(list[1], {cause = "HTTP 400: bad", n = 2, example = "a-1"})
  t.eq(list[2], {cause = "timeout", n = 1, example = "#3"})
  local lines = {}
  local function write(l) lines[#lines + 1] = l end
  state.options.max_failures = nil
  t.eq(failures.report(write), true)
  t.eq(lines[1], "3 of 10 failed:")
  t.eq(lines[2], "  2 x HTTP 400: bad (e.g. item a-1)")
  state.options.max_failures = "3"
  t.eq(failures.report(write), false)
  state.options.max_failures = "20%"
  t.eq(failures.report(write), true)
  state.options.max_failures = "30%"
  t.eq(failures.report(write), false)
  t.eq(select(2, failures.parse_tolerance("x")), "--max-failures: expected a count (3) or a share (5%), got 'x'")
  state.options.max_failures = saved
  failures.reset()
end)
