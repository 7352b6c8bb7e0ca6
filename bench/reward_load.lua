-- Load generator for bench/reward_server.sh: `--trainers` concurrent trainer loops, each sending
-- /get_reward requests of `--rollouts` distinct rollouts back to back for `--seconds`. Reports
-- errors, end-to-end latency, the server's own overhead per request (server_ms minus the slowest
-- rollout's judge_ms, from extra_logs: p50, p90, p99 and max), the same seen from the trainer
-- (its end-to-end time minus that judge_ms: transport and this process's own delays included),
-- how the slowest judge time splits into waiting for a MetaJudge slot (queue_ms) and the call
-- itself, and the server's RSS.
local ratio = require "ratio"
local p = ratio.params{
  url = {nil, "reward server base URL", required = true},
  trainers = {200, "concurrent trainer requests", min = 1},
  rollouts = {8, "rollouts per request", min = 1},
  seconds = {60, "how long to sustain the load", min = 1},
  server_pid = {0, "the server's pid, to sample its RSS (0 = skip)"},
}
local items = ratio.dataset.read_all(ratio.root() .. "/data/sample.jsonl")

local function rss_mib(pid)
  local f = io.open(("/proc/%d/status"):format(pid))
  if not f then return nil end
  local text = f:read("a")
  f:close()
  local kb = text:match("VmRSS:%s*(%d+)")
  return kb and tonumber(kb) / 1024 or nil
end

local seq = 0
local function body()
  local query, prompts, labels = {}, {}, {}
  for i = 1, p.rollouts do
    seq = seq + 1
    local item = items[seq % #items + 1]
    local prompt = ("<|user|>#%d compare the responses\n<|assistant|>"):format(seq)
    prompts[i] = prompt
    -- A distinct reason in every rollout: every rollout is a new MetaJudge call, never a cache hit.
    local rollout = item["careful-generated_text"]:gsub("\n%- ", ("\n- (rollout %d) "):format(seq), 1)
    query[i] = prompt .. rollout
    labels[i] = assert(ratio.json.encode({human_checklist = item["human-checklist"],
                                          overall_preference = item.overall_preference}))
  end
  return assert(ratio.json.encode({query = query, prompts = prompts, labels = labels}))
end

local latencies, overheads, trainer_overheads, queued, calls = {}, {}, {}, {}, {}
local errors, requests, first_error = 0, 0, nil
local rss = {}
local stop_at = ratio.now() + p.seconds * 1000
local sampler
if p.server_pid > 0 then
  sampler = ratio.spawn(function()
    while ratio.now() < stop_at do
      rss[#rss + 1] = rss_mib(p.server_pid)
      ratio.sleep(p.seconds * 1000 / 10)
    end
    rss[#rss + 1] = rss_mib(p.server_pid)
  end)
end
local trainers = {}
for t = 1, p.trainers do
  trainers[t] = ratio.spawn(function()
    while ratio.now() < stop_at do
      local t0 = ratio.now()
      local r, err = ratio.http.request{method = "POST", url = p.url .. "/get_reward", body = body(),
                                        headers = {["content-type"] = "application/json"},
                                        timeout_ms = 120000}
      requests = requests + 1
      local ok = r and r.status == 200
      local v = ok and ratio.json.decode(r.body)
      if not (v and v.rewards and #v.rewards == p.rollouts) then
        errors = errors + 1
        first_error = first_error or (r and ("HTTP " .. r.status .. ": " .. r.body:sub(1, 200)) or err)
      else
        local e2e = ratio.now() - t0
        latencies[#latencies + 1] = e2e
        local slowest, slowest_queue = 0, 0
        for i, ms in ipairs(v.extra_logs.judge_ms) do
          if type(ms) == "number" and ms > slowest then slowest, slowest_queue = ms, v.extra_logs.queue_ms[i] end
        end
        queued[#queued + 1] = slowest_queue
        calls[#calls + 1] = slowest - slowest_queue
        overheads[#overheads + 1] = v.extra_logs.server_ms[1] - slowest
        trainer_overheads[#trainer_overheads + 1] = e2e - slowest
      end
    end
  end)
end
ratio.gather(trainers)
if sampler then sampler:wait() end
local function pct(list, q) -- rounded to 0.1 ms
  if #list == 0 then return ratio.json.null end
  table.sort(list)
  return math.floor(ratio.stats.rank_quantile(list, q) * 10 + 0.5) / 10
end
for i, v in ipairs(rss) do rss[i] = math.floor(v * 10 + 0.5) / 10 end
local summary = {requests = requests, errors = errors, rollouts = (requests - errors) * p.rollouts,
                 seconds = p.seconds, p50_ms = pct(latencies, 0.5), p99_ms = pct(latencies, 0.99),
                 overhead_p50_ms = pct(overheads, 0.5), overhead_p90_ms = pct(overheads, 0.9),
                 overhead_p99_ms = pct(overheads, 0.99), overhead_max_ms = pct(overheads, 1),
                 trainer_overhead_p50_ms = pct(trainer_overheads, 0.5),
                 trainer_overhead_p99_ms = pct(trainer_overheads, 0.99),
                 judge_queue_p50_ms = pct(queued, 0.5), judge_call_p50_ms = pct(calls, 0.5),
                 rss_mib = rss}
if first_error then ratio.log("first error: %s", first_error) end
return summary
