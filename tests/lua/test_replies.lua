-- The reply corpus (tests/fixtures/replies/index.json): replies as OpenAI, vLLM/SGLang and
-- Anthropic send them, each served by an in-process server to a real ratio.llm client, and the
-- outcome checked against the index: text and reasoning separated, usage with reasoning tokens,
-- refusals and quota errors terminal, retry-after-ms honoured, the documented 400s adapted to.
local ratio = require "ratio"
local t = require "testlib"
local state = require "ratio.state"

local dir = state.root .. "/tests/fixtures/replies/"

local function read(name)
  local f = assert(io.open(dir .. name, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local index = assert(ratio.json.decode(read("index.json")))

-- Serves `first` (status, headers, body) to the first request and `follow_up` to the others.
local function server(case)
  local seen = {}
  local function answer(req)
    seen[#seen + 1] = {body = req:json(), at = ratio.now()}
    if #seen == 1 then
      local h = {["content-type"] = "application/json"}
      for k, v in pairs(case.headers or {}) do h[k] = v end
      return {status = case.status, headers = h, body = read(case.file)}
    end
    assert(case.follow_up, case.file .. ": a second request was not expected")
    return {status = 200, headers = {["content-type"] = "application/json"}, body = read(case.follow_up)}
  end
  local srv = ratio.serve{port = 0, wait = false, routes = {
    ["POST /v1/chat/completions"] = answer, ["POST /v1/messages"] = answer}}
  return {url = ("http://127.0.0.1:%d/v1"):format(srv.port), seen = seen,
          close = function() srv.raw:close() end}
end

local function null(v) if v == ratio.json.null then return nil end return v end

for _, case in ipairs(index.cases) do
  local e = case.expect
  t.test(("reply corpus: %s -> %s"):format(case.file, e.status), function()
    local s = server(case)
    local c = ratio.llm{provider = case.provider, base_url = s.url, model = case.model or "corpus-model",
                        cache = false, backoff_ms = 1, max_tries = 4, params = case.params}
    local r, msg, code = c:chat("Which response is better?")
    t.eq(#s.seen, e.requests, "requests made")
    if e.status == "refused" or e.status == "quota" then
      t.eq(r, nil)
      t.eq(code, e.code)
      t.ok(msg:find(e.message, 1, true), msg)
    else
      t.ok(r, msg)
      t.eq(r.text, e.text)
      if e.reasoning ~= nil then t.eq(r.reasoning, null(e.reasoning)) end
      if e.usage then t.eq(r.usage, e.usage) end
      if e.finish_reason then t.eq(r.finish_reason, e.finish_reason) end
    end
    if e.waited_ms_at_least then
      local gap = s.seen[2].at - s.seen[1].at
      t.ok(gap >= e.waited_ms_at_least - 5, ("retried after %.1f ms"):format(gap))
    end
    if e.waited_ms_below then -- retry-after-ms read, not the longer retry-after beside it
      local gap = s.seen[2].at - s.seen[1].at
      t.ok(gap < e.waited_ms_below, ("retried after %.1f ms"):format(gap))
    end
    for k, v in pairs(e.second_request_has or {}) do t.eq(s.seen[2].body[k], v, k) end
    for _, k in ipairs(e.second_request_lacks or {}) do t.eq(s.seen[2].body[k], nil, k) end
    s.close()
  end)
end

t.test("retry-after-ms is preferred to retry-after, and both are bounded", function()
  local wait = ratio.llm._retry_wait_ms
  t.eq(wait{headers = {["retry-after-ms"] = "150"}, retry_after = 30}, 150)
  t.eq(wait{headers = {["retry-after-ms"] = "2.5"}}, 2.5)
  t.eq(wait{headers = {}, retry_after = 2}, 2000)
  t.eq(wait{headers = {["retry-after-ms"] = "soon"}, retry_after = 2}, 2000)
  t.eq(wait{headers = {["retry-after-ms"] = "-5"}}, nil)
  t.eq(wait{headers = {["retry-after-ms"] = "1e12"}}, 600000)
  t.eq(wait{headers = {}}, nil)
end)

t.test("an adaptation is remembered: the next call sends the adapted request at once", function()
  local case = {file = "openai_unsupported_max_tokens.json", status = 400, follow_up = "openai_plain.json"}
  local s = server(case)
  local c = ratio.llm{base_url = s.url, model = "my-reasoner", cache = false, backoff_ms = 1,
                      params = {max_tokens = 64}}
  assert(c:chat("one"))
  assert(c:chat("two"))
  t.eq(#s.seen, 3) -- the 400, its resend, and the second call straight away
  t.eq(s.seen[3].body.max_completion_tokens, 64)
  t.eq(s.seen[3].body.max_tokens, nil)
  s.close()
end)

t.test("the same 400 twice is not adapted to twice: the call fails with the API's words", function()
  local n = 0
  local srv = ratio.serve{port = 0, wait = false, routes = {["POST /v1/chat/completions"] = function()
    n = n + 1
    return {status = 400, headers = {["content-type"] = "application/json"}, body = read("openai_unsupported_temperature.json")}
  end}}
  local c = ratio.llm{base_url = ("http://127.0.0.1:%d/v1"):format(srv.port), model = "m", cache = false,
                      backoff_ms = 1, params = {temperature = 0.5}}
  local r, msg, code = c:chat("x")
  t.eq(r, nil)
  t.eq(code, "HTTP400")
  t.ok(msg:find("Unsupported value", 1, true), msg)
  t.eq(n, 2)
  srv.raw:close()
end)

-- Captures the bodies a client sends; answers each with the corpus' plain reply of the provider.
local function capture()
  local bodies = {}
  local function answer(file)
    return function(req)
      bodies[#bodies + 1] = req:json()
      return {status = 200, headers = {["content-type"] = "application/json"}, body = read(file)}
    end
  end
  local srv = ratio.serve{port = 0, wait = false, routes = {
    ["POST /v1/chat/completions"] = answer("openai_plain.json"),
    ["POST /v1/messages"] = answer("anthropic_text.json")}}
  return ("http://127.0.0.1:%d/v1"):format(srv.port), bodies, function() srv.raw:close() end
end

t.test("no hidden settings: a request carries only what the caller set", function()
  local url, bodies, close = capture()
  assert(ratio.llm{base_url = url, model = "gpt-4.1", cache = false}:chat("x"))
  local keys = {}
  for k in pairs(bodies[1]) do keys[#keys + 1] = k end
  table.sort(keys)
  t.eq(keys, {"messages", "model"})
  assert(ratio.llm{provider = "anthropic", base_url = url, model = "claude-x", cache = false}:chat("x"))
  keys = {}
  for k in pairs(bodies[2]) do keys[#keys + 1] = k end
  table.sort(keys)
  t.eq(keys, {"max_tokens", "messages", "model"}) -- max_tokens: the API requires it
  close()
end)

t.test("every setting reaches the request under the API's own name", function()
  local url, bodies, close = capture()
  local settings = {temperature = 0.3, max_tokens = 700, top_p = 0.9, seed = 11, reasoning_effort = "low",
                    stop = {"END"}, extra_body = {chat_template_kwargs = {enable_thinking = false}, top_k = 20}}
  assert(ratio.llm{base_url = url, model = "Qwen/Qwen3-8B", cache = false, params = settings}:chat("x"))
  local b = bodies[1]
  t.eq({b.temperature, b.max_tokens, b.top_p, b.seed, b.reasoning_effort, b.stop, b.top_k},
       {0.3, 700, 0.9, 11, "low", {"END"}, 20})
  t.eq(b.chat_template_kwargs, {enable_thinking = false})
  t.eq(b.extra_body, nil)
  -- OpenAI reasoning models, known by name: max_completion_tokens from the first call.
  for _, model in ipairs{"o3-mini", "o1", "gpt-5", "gpt-5-mini-2025-08-07", "openai/gpt-5.1"} do
    assert(ratio.llm{base_url = url, model = model, cache = false, params = {max_tokens = 99}}:chat("x"))
    t.eq({bodies[#bodies].max_completion_tokens, bodies[#bodies].max_tokens}, {99, nil}, model)
  end
  assert(ratio.llm{base_url = url, model = "gpt-4o", cache = false, params = {max_tokens = 99}}:chat("x"))
  t.eq(bodies[#bodies].max_tokens, 99)
  -- Anthropic: stop -> stop_sequences, reasoning_effort -> output_config.effort.
  local no_seed = {}
  for k, v in pairs(settings) do if k ~= "seed" and k ~= "extra_body" then no_seed[k] = v end end
  assert(ratio.llm{provider = "anthropic", base_url = url, model = "claude-x", cache = false, params = no_seed}:chat("x"))
  b = bodies[#bodies]
  t.eq({b.temperature, b.max_tokens, b.top_p, b.stop_sequences, b.output_config, b.stop, b.reasoning_effort},
       {0.3, 700, 0.9, {"END"}, {effort = "low"}, nil, nil})
  t.raises(function() ratio.llm{provider = "anthropic", model = "c", params = {seed = 1}} end, "has no seed")
  close()
end)

t.test("the cache key is the request as asked: an adapted client finds its earlier replies", function()
  local n = 0
  local srv = ratio.serve{port = 0, wait = false, routes = {["POST /v1/chat/completions"] = function(req)
    n = n + 1
    if req:json().max_tokens then
      return {status = 400, headers = {["content-type"] = "application/json"}, body = read("openai_unsupported_max_tokens.json")}
    end
    return {status = 200, headers = {["content-type"] = "application/json"}, body = read("openai_plain.json")}
  end}}
  local url = ("http://127.0.0.1:%d/v1"):format(srv.port)
  local prompt = "cache me " .. ratio.sha256(tostring(ratio.now()) .. tostring(math.random()))
  local c = ratio.llm{base_url = url, model = "reasoner-cache-test", backoff_ms = 1, params = {max_tokens = 50}}
  assert(c:chat(prompt))
  t.eq(n, 2) -- the 400, then the adapted request
  -- A new client has learnt nothing yet, but asks the same: the cache answers, nothing is sent.
  local fresh = ratio.llm{base_url = url, model = "reasoner-cache-test", backoff_ms = 1, params = {max_tokens = 50}}
  local r = assert(fresh:chat(prompt))
  t.eq(r.cached, true)
  t.eq(n, 2)
  srv.raw:close()
end)

-- The openai provider reads the common reply from its text (chat_reply_text: json.pick's few
-- fields) and any other from the decoded reply (chat_reply). Wherever the first answers, the two
-- must agree: on the corpus, and on replies made to tell them apart (names given twice, values
-- of the wrong kind, nulls).
t.test("openai: a reply read from its text is the reply read from its decoded JSON", function()
  local openai = require "providers.openai"
  local function chat(message, extra)
    return ('{"choices": [{"index": 0, "message": %s, "finish_reason": "stop"}]%s}'):format(message, extra or "")
  end
  local quick_ones = { -- chat_reply_text answers these itself
    chat('{"content": "a"}') .. "",
    '{"choices": [{"message": {"content": "a"}}], "choices": [{"message": {"content": "b"}}]}',
    '{"choices": [{"message": {"content": "a"}}, {"message": {"content": "b"}}]}',
    chat('{"content": "x", "refusal": "no"}'),
    chat('{"content": "", "refusal": "I cannot help with that."}'),
    chat('{"content": "", "refusal": null}'),
    chat('{"content": "x", "reasoning_content": {"a": 1}, "reasoning": "r"}'),
    chat('{"content": "x", "reasoning_content": "", "reasoning": "r"}'),
    chat('{"content": "x", "reasoning_content": "rc", "reasoning": "r"}'),
    chat('{"content": "<think>plan</think>\\n\\n answer \\u00e9"}'),
    chat('{"content": "plan</think>answer"}'),
    chat('{"content": "x"}', ', "usage": [1, 2]'),
    chat('{"content": "x"}', ', "usage": {"prompt_tokens": 3}, "usage": {"completion_tokens": 4}'),
    chat('{"content": "x"}', ', "usage": {"prompt_tokens": 3.0, "completion_tokens": "4", ' ..
         '"completion_tokens_details": "none"}'),
    chat('{"content": "x"}', ', "usage": {"prompt_tokens": 1e300, "completion_tokens": -2, ' ..
         '"completion_tokens_details": {"reasoning_tokens": 7}, "completion_tokens_details": {}}'),
    chat('{"content": "x"}', ', "model": 5'),
    '{"choices": [{"message": {"content": "x"}, "finish_reason": 1}], "model": "m", "model": "n"}',
    '{"choices": [{"message": {"content": "x", "content": "y"}, "message": {"content": "z"}}]}',
  }
  local declined = { -- and leave these to chat_reply (false)
    "[1, 2", "[]", '"text"', "{}", '{"choices": []}', '{"choices": [null]}', '{"choices": {"1": {}}}',
    '{"choices": [{"message": {"content": "a"}}], "choices": 5}',
    chat('"a string"'),
    chat('{"content": null, "reasoning_content": "ran out of tokens"}'),
    chat('{"content": null}'),
    chat('{"content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}'),
    chat('{"content": "x"}', ', "error": {"message": "boom"}'),
    chat('{"content": "x"}', ', "error": "boom"'),
    chat('{"content": "x"}', ', "error": null'),
    chat('{"content": "a", "content": null, "reasoning_content": "r"}'),
  }
  local from_corpus = 0 -- the corpus's replies with text content (a refusal's content is null)
  for _, case in ipairs(index.cases) do
    if case.provider == "openai" and case.status == 200 then
      local text = read(case.file)
      local quick = table.pack(openai.chat_reply_text(text))
      if quick[1] ~= false then
        from_corpus = from_corpus + 1
        t.eq(quick, table.pack(openai.chat_reply(assert(ratio.json.decode(text)))), case.file)
      end
    end
  end
  t.ok(from_corpus >= 6, from_corpus .. " of the corpus's replies read from their text")
  for _, text in ipairs(quick_ones) do
    local quick = table.pack(openai.chat_reply_text(text))
    t.ok(quick[1] ~= false, "not read from its text: " .. text)
    t.eq(quick, table.pack(openai.chat_reply(assert(ratio.json.decode(text)))), text)
  end
  for _, text in ipairs(declined) do t.eq(openai.chat_reply_text(text), false, text) end
end)
