-- Load for recipes/reward_server.lua under injected MetaJudge faults (tests/e2e/test_faults.sh):
-- --trainers concurrent loops each send --requests /get_reward requests of --rollouts distinct
-- rollouts (every --hang-every'th with HANG in a reason, so the fake LLM hangs on it), waiting out
-- the server's 429s. Every answer must carry one finite reward and a known status per rollout,
-- and every failed rollout a reason; a 503 (the MetaJudge failed for every rollout of the
-- request) must name its cause. Exits 1 naming the first problem, else returns the counts.
local ratio = require "ratio"
local p = ratio.params{
  url = {nil, "reward server base URL", required = true},
  trainers = {8, "concurrent trainer loops", min = 1},
  requests = {4, "requests per trainer", min = 1},
  rollouts = {4, "rollouts per request", min = 1},
  hang_every = {0, "put HANG in every Nth rollout (0 = none)", min = 0},
}
local items = ratio.dataset.read_all(ratio.root() .. "/data/sample.jsonl")
local STATUSES = {ok = true, unscored = true, failed = true, late = true}

local seq = 0
local function body()
  local query, prompts, labels = {}, {}, {}
  for i = 1, p.rollouts do
    seq = seq + 1
    local item = items[seq % #items + 1]
    local prompt = ("<|user|>#%d compare the responses\n<|assistant|>"):format(seq)
    local tag = (p.hang_every > 0 and seq % p.hang_every == 0) and "HANG " or ""
    -- A distinct reason in every rollout, so no two rollouts share a MetaJudge call.
    local rollout = item["careful-generated_text"]:gsub("\n%- ", ("\n- %s(rollout %d) "):format(tag, seq), 1)
    prompts[i], query[i] = prompt, prompt .. rollout
    labels[i] = assert(ratio.json.encode({human_checklist = item["human-checklist"],
                                          overall_preference = item.overall_preference}))
  end
  return assert(ratio.json.encode({query = query, prompts = prompts, labels = labels}))
end

local counts, problem = {ok = 0, unscored = 0, failed = 0, late = 0, rejected = 0, answered = 0, unavailable = 0}, nil
local function note(fmt, ...) problem = problem or fmt:format(...) end

local function one()
  local text = body()
  while true do
    local r, err = ratio.http.request{method = "POST", url = p.url .. "/get_reward", body = text,
                                      headers = {["content-type"] = "application/json"}, timeout_ms = 120000}
    if not r then return note("request failed: %s", tostring(err)) end
    if r.status == 429 then
      counts.rejected = counts.rejected + 1
      ratio.sleep(50)
    elseif r.status == 503 then
      -- The MetaJudge failed for every rollout of the request: the answer names the cause.
      local v = ratio.json.decode(r.body)
      if type(v) ~= "table" or type(v.error) ~= "table" or type(v.error.message) ~= "string"
         or not v.error.message:find("MetaJudge failed", 1, true) or type(v.details) ~= "table" then
        return note("a 503 without its cause: %s", r.body:sub(1, 300))
      end
      counts.answered = counts.answered + 1
      counts.unavailable = counts.unavailable + 1
      for i = 1, p.rollouts do
        local st = v.details[i] and v.details[i].status
        if not STATUSES[st] then note("503, rollout %d: status %s", i, tostring(st)) else counts[st] = counts[st] + 1 end
      end
      return
    elseif r.status ~= 200 then
      return note("HTTP %d: %s", r.status, r.body:sub(1, 200))
    else
      local v = ratio.json.decode(r.body)
      if type(v) ~= "table" or type(v.rewards) ~= "table" or #v.rewards ~= p.rollouts then
        return note("not %d rewards: %s", p.rollouts, r.body:sub(1, 300))
      end
      counts.answered = counts.answered + 1
      local logs, details = v.extra_logs, v.details
      for i, reward in ipairs(v.rewards) do
        local st = details[i].status
        if math.type(reward) == nil or reward ~= reward or reward == math.huge or reward == -math.huge then
          note("rollout %d: reward %s", i, tostring(reward))
        end
        if not STATUSES[st] then note("rollout %d: status %s", i, tostring(st)) else counts[st] = counts[st] + 1 end
        if st == "failed" and not (type(details[i].error) == "string" and details[i].error ~= "") then
          note("rollout %d failed without a reason: %s", i, r.body:sub(1, 300))
        end
        -- Exactly one flag per rollout, and the one its status names.
        local flags = {ok = "scored", unscored = "unscored", failed = "failed", late = "fallback"}
        for s, key in pairs(flags) do
          if logs[key][i] ~= ((s == st) and 1.0 or 0.0) then note("rollout %d (%s): %s = %s", i, st, key, tostring(logs[key][i])) end
        end
      end
      return
    end
  end
end

local loops = {}
for t = 1, p.trainers do
  loops[t] = ratio.spawn(function() for _ = 1, p.requests do one() end end)
end
ratio.gather(loops)
if problem then ratio.exit(1, problem) end
counts.rollouts = counts.ok + counts.unscored + counts.failed + counts.late
if counts.rollouts ~= p.trainers * p.requests * p.rollouts then
  ratio.exit(1, ("%d rollouts answered of %d"):format(counts.rollouts, p.trainers * p.requests * p.rollouts))
end
return counts
