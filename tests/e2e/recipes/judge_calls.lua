-- Sends one chat request per item through ratio.llm and writes the replies, in input order, to a
-- JSONL file (the e2e tests of the judge client: faults, kill and resume, offline, timeouts).
local ratio = require "ratio"
local p = ratio.params{
  base_url = {nil, "the fake LLM's base URL", required = true},
  n = {200, "how many requests"},
  concurrency = {8, "in flight at most"},
  output = {"items.jsonl", "where the replies go"},
  timeout_ms = {30000, "per-try timeout"},
  max_tries = {6, "tries per call"},
  backoff_ms = {20, "first retry backoff"},
  prompt = {"Judge item", "prompt prefix (put HANG in it to make the fake LLM hang)"},
}
local llm = ratio.llm{base_url = p.base_url, model = "fake", concurrency = p.concurrency,
                      timeout_ms = p.timeout_ms, max_tries = p.max_tries, backoff_ms = p.backoff_ms}
local items = {}
for i = 1, p.n do items[i] = i end
local w = assert(ratio.jsonl.writer(p.output))
local ok, failed, cached, codes = 0, 0, 0, {}
ratio.map(items, function(i)
  local reply, err, code = llm:chat({{role = "system", content = "You are a careful judge."},
                                     {role = "user", content = ("%s %d"):format(p.prompt, i)}},
                                    {temperature = 0, max_tokens = 64})
  if reply then
    ok = ok + 1
    if reply.cached then cached = cached + 1 end
    return {i = i, text = reply.text, input_tokens = reply.usage.input_tokens}
  end
  failed = failed + 1
  codes[code] = (codes[code] or 0) + 1
  return {i = i, error = err, code = code}
end, {concurrency = p.concurrency, each = function(r) assert(w:write(r)) end, progress = "calls"})
assert(w:close())
return {n = p.n, ok = ok, failed = failed, cached = cached, codes = codes, usage = ratio.llm.usage()}
