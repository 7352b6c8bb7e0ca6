-- inflight_sim: the LLM client's Lua-side work with C calls in flight, without the network. The
-- HTTP binding is replaced by a Lua function that encodes the body (as the binding does), parks
-- the task, and answers the oldest parked one with a fixed 318-byte chat reply once C are
-- waiting, so each call's tables, strings and coroutine stack go cold as in a real run at that
-- concurrency, while curl, the kernel and the fake endpoints (and their noise) stay out of it.
-- Prints CPU µs per call of the whole path (ratio.llm's chat: key, single flight, endpoint
-- choice, provider mapping, decode, accounting), or with --floor of http.request + json.decode
-- alone. For instruction counts, run it under valgrind --tool=callgrind (or cachegrind).
--
--   bin/ratio run bench/inflight_sim.lua --llm-base-url http://127.0.0.1:9/v1 \
--       --requests 100000 --concurrency 1024 [--floor]
local ratio = require "ratio"
local http = require "ratio.core.http"
local json = require "ratio.core.json"
local sched = require "ratio.core.sched"
local p = ratio.params{
  requests = {100000, "calls", min = 1},
  concurrency = {1024, "calls in flight", min = 1},
  floor = {false, "http.request and json.decode only, without ratio.llm"},
  ratio.flags.llm{what = "never contacted (the binding is replaced)", default_model = "fake",
                  base_url_required = true, legacy = ""},
}
local reply = json.encode{id = "chatcmpl-0123456789abcdef", object = "chat.completion", model = "fake",
  choices = {{index = 0, message = {role = "assistant", content = "reply 0123456789ab: 342 words"},
              finish_reason = "stop"}},
  usage = {prompt_tokens = 500, completion_tokens = 8, total_tokens = 508,
           completion_tokens_details = {reasoning_tokens = 0}}}
local C, N = p.concurrency, p.requests
local ring, head, count, issued = {}, 0, 0, 0 -- the parked tasks, oldest first (keys 1..C+1)
for i = 1, C + 1 do ring[i] = false end
local function answer_oldest()
  local co = ring[head + 1]
  ring[head + 1] = false
  head, count = (head + 1) % (C + 1), count - 1
  sched.wake(co)
end
http.request = function(req)
  issued = issued + 1
  assert(json.encode(req.json))
  local resp = {status = 200, body = reply, ms = 1}
  if issued >= N or C == 1 then -- the last call: answer everyone
    while count > 0 do answer_oldest() end
    return resp
  end
  ring[(head + count) % (C + 1) + 1] = sched.current()
  count = count + 1
  if count >= C then answer_oldest() end
  sched.suspend()
  return resp
end
local client = ratio.llm.from_params(p, "llm", {cache = false})
local filler = ("The quick brown fox jumps over the lazy dog while the judge weighs each reason. "):rep(25)
local settings, NO_KEYS = {max_tokens = 16}, {keys = false}
local t0 = os.clock()
local summary = ratio.study.load_test(N, function(i)
  local messages = {{role = "user", content = "Request " .. i .. ". " .. filler}}
  if p.floor then
    local r = http.request{url = "x", json = {model = p.llm_model, max_tokens = 16, messages = messages}}
    return json.decode(r.body, NO_KEYS).choices[1].message.content
  end
  return client:chat(messages, settings)
end, {concurrency = C})
local cpu = os.clock() - t0
print(("%d calls at %d in flight, %d ok: %.3f us CPU per call"):format(N, C, summary.ok, cpu / N * 1e6))
return {}
