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
  ratio.flags.llm{what = "the endpoint (several base URLs, comma-separated, share the load)", default_model = "fake",
                  base_url_required = true, legacy = ""},
}

local client = ratio.llm.from_params(p, "llm", {cache = false})
-- ~2 KB of prompt, distinct per request.
local filler = ("The quick brown fox jumps over the lazy dog while the judge weighs each reason. "):rep(25)
-- Requests are numbered as they are sent and results are not kept (each), so a run of a million
-- holds only what is in flight plus one latency per reply.
local sent = 0
local function next_request()
  if sent < p.requests then sent = sent + 1 return sent end
end

local latencies, ok, failed, first_error = {}, 0, 0, nil
local t0 = ratio.now()
ratio.map(next_request, function(i)
  local s = ratio.now()
  local reply, err = client:chat({{role = "user", content = ("Request %d. %s"):format(i, filler)}},
                                 {max_tokens = 16})
  if reply then
    ok = ok + 1
    latencies[#latencies + 1] = ratio.now() - s
  else
    failed = failed + 1
    first_error = first_error or err
  end
end, {concurrency = p.concurrency, progress = "loadtest", total = p.requests, each = function() end})
local seconds = (ratio.now() - t0) / 1000
table.sort(latencies)
local function pct(q)
  if #latencies == 0 then return ratio.json.null end
  return latencies[math.max(1, math.ceil(q * #latencies))]
end
if first_error then ratio.log("first failure: %s", first_error) end
local summary = {requests = p.requests, ok = ok, failed = failed, seconds = seconds,
                 rps = ok / seconds, p50_ms = pct(0.50), p99_ms = pct(0.99),
                 endpoints = client:endpoint_stats()}
if not ratio.options.json then
  print(("%d requests, %d ok, %d failed in %.2f s: %.0f req/s, p50 %.1f ms, p99 %.1f ms"):format(
    p.requests, ok, failed, seconds, summary.rps, latencies[1] and summary.p50_ms or 0,
    latencies[1] and summary.p99_ms or 0))
end
return summary
