-- How fast does ratio push chat requests through an OpenAI-compatible endpoint? Sends N distinct
-- chat requests (about 2 KB of prompt each) through ratio.llm with its default retry policy, at
-- most C in flight, bypassing the call cache (it measures the network path, so a second run sends
-- every request again), and reports throughput and latency. Several base URLs, comma-separated,
-- spread the requests over several endpoints (least busy first); the summary says how many
-- calls, failures and rests each one had.
local ratio = require "ratio"
local p = ratio.params{
  requests = {1000, "how many requests", min = 1},
  concurrency = {64, "requests in flight at most (and per endpoint)", min = 1},
  ratio.flags.llm{what = "the endpoint (several base URLs, comma-separated, share the load)",
                  default_model = "fake", base_url_required = true, legacy = ""},
}

local client = ratio.llm.from_params(p, "llm", {cache = false})
-- ~2 KB of prompt, distinct per request.
local filler = ("The quick brown fox jumps over the lazy dog while the judge weighs each reason. "):rep(25)
local settings = {max_tokens = 16}
-- Request i, timed from send to reply; only the latencies are kept (ratio.study.load_test).
local summary = ratio.study.load_test(p.requests, function(i)
  return client:chat({{role = "user", content = "Request " .. i .. ". " .. filler}}, settings)
end, {concurrency = p.concurrency, progress = "loadtest"})
summary.endpoints = client:endpoint_stats()
if not ratio.options.json then print(ratio.study.load_text(summary)) end
return summary
