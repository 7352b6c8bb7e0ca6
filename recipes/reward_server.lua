-- How do we give an RL trainer the hybrid reward (rationale AP gated by a correct verdict) without
-- slowing it down or falling over? Serves rewards over HTTP: the OpenRLHF protocol
-- (POST /get_reward), a single-rollout endpoint (POST /score), GET /health and GET /metrics.
-- Rollouts of one request are judged concurrently under a global cap on MetaJudge calls; when too
-- many rollouts are waiting it answers 429 with Retry-After instead of queueing without bound; a
-- per-request deadline gives unscored rollouts a fallback reward, flagged in extra_logs. Binds
-- 127.0.0.1 unless told otherwise; SIGTERM stops accepting, answers what is in flight, exits 0.
local ratio = require "ratio"
local p = ratio.params{
  host = {"127.0.0.1", "address to bind (127.0.0.1 keeps it off the network)"},
  port = {8000, "port (0 = any free port)", min = 0, max = 65535},
  port_file = {"", "write the bound port here once listening (for scripts and tests)"},
  matcher = {"llm", "how rollout reasons are matched to the human checklist", choices = {"llm", "lexical"}},
  judge_base_url = {"", "MetaJudge: OpenAI-compatible base URL (default $OPENAI_BASE_URL)"},
  judge_model = {"", "MetaJudge model (required with --matcher llm)"},
  judge_provider = {"openai", "MetaJudge provider plugin", choices = {"openai", "anthropic"}},
  max_inflight = {64, "MetaJudge calls in flight at most, across all requests", min = 1},
  max_queue = {2048, "rollouts accepted but not yet scored before new requests get 429", min = 1},
  retry_after = {1, "seconds a 429 tells the trainer to wait", min = 0},
  deadline_ms = {0, "per-request deadline (0 = none); late rollouts get the fallback", min = 0},
  fallback = {"outcome", "reward of a rollout not scored in time", choices = {"outcome", "zero"}},
  formula = {"paper", "reward formula: paper (AP x outcome) or weighted", choices = {"paper", "weighted"}},
  w_rationale = {0.5, "weighted formula: weight of AP"},
  w_outcome = {0.5, "weighted formula: weight of the outcome"},
  token_env = {"RATIO_REWARD_TOKEN", "environment variable holding the bearer token clients must send (unset = no auth)"},
  token = {"", "the bearer token itself (visible to anyone who can list processes: prefer --token-env)"},
  cache_calls = {false, "keep MetaJudge replies in the call cache (--cache PATH) so a repeated rollout is not judged twice; off by default: RL rollouts rarely repeat, so the cache would only grow"},
  max_body = {16 * 1024 * 1024, "largest request body in bytes", min = 1024},
  max_depth = {32, "deepest JSON nesting accepted in a request", min = 2},
}

-- The collector's pace. Lua 5.4.4 gives an incremental step a budget of (bytes allocated / 16) x
-- stepmul work units but charges its sweep one unit per object, so at the default multiplier (100)
-- the ~20 KB one rollout allocates pays for sweeping ~130,000 objects: a whole cycle's garbage is
-- freed inside one task, stalling every request for 10-20 ms. At 1 (the smallest: Lua keeps the
-- multiplier in steps of 4 and takes 1-3 as 1) steps are 100 times smaller, and a cycle still
-- ends after allocating about the live heap again plus 16 bytes per object (marking costs a unit
-- per 16 bytes), while the next is due only once the heap has doubled. The manual warns that a
-- multiplier under 100 may keep cycles from finishing; by that arithmetic it does not here, and
-- the RSS bench/reward_server.sh samples stays flat (38.6 MiB against 36 at the default).
collectgarbage("incremental", 200, 1)

local stats = {requests = {}, rollouts = 0, unscored = 0, fallback = 0, rejected = 0,
               queued = 0, judge_seconds = 0.0, judge_calls = 0, judge_buckets = {}}
local BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}
for i = 1, #BUCKETS + 1 do stats.judge_buckets[i] = 0 end

local matcher
if p.matcher == "llm" then
  if p.judge_model == "" then ratio.exit(2, "--judge-model: is required with --matcher llm") end
  local client = ratio.llm{provider = p.judge_provider, model = p.judge_model,
    base_url = p.judge_base_url ~= "" and p.judge_base_url or nil, concurrency = p.max_inflight,
    cache = p.cache_calls, cache_wait = false} -- a reward never waits for a cache row to reach the disk
  matcher = ratio.metajudge.matcher("llm", {client = client})
else
  matcher = ratio.metajudge.matcher("lexical")
end
local token = p.token ~= "" and p.token or os.getenv(p.token_env)
if token == "" then token = nil end

local reward_opts = {matcher = matcher, formula = p.formula,
                     weights = {rationale = p.w_rationale, outcome = p.w_outcome}}

local function count(code)
  stats.requests[code] = (stats.requests[code] or 0) + 1
end

local function bad(field, what)
  count(400)
  return {status = 400, json = {error = {message = ("%s: %s"):format(field, what), field = field}}}
end

-- check_label(v) -> nil | field, what is wrong: {"human_checklist": [...], "overall_preference": n}
local function check_label(v)
  if type(v) ~= "table" then return "", "expected a JSON object" end
  if not ratio.dataset.is_list_of_strings(v.human_checklist) then return "human_checklist", "expected a list of strings" end
  if #v.human_checklist > ratio.dataset.MAX_CHECKLIST then -- more than a score block can hold
    return "human_checklist", ("%d items, more than the %d allowed"):format(#v.human_checklist, ratio.dataset.MAX_CHECKLIST)
  end
  local pref = v.overall_preference
  if type(pref) ~= "number" or pref ~= pref or pref < -3 or pref > 3 then
    return "overall_preference", "expected a number from -3 to 3"
  end
end

-- parse_label(text) -> label | nil, field suffix, what is wrong (a label is a JSON string)
local function parse_label(text)
  if type(text) ~= "string" then return nil, "", "expected a JSON string" end
  local v, err = ratio.json.decode(text, {max_depth = p.max_depth})
  if v == nil then return nil, "", "not valid JSON (" .. err .. ")" end
  local field, what = check_label(v)
  if field then return nil, field, what end
  return v
end

local function observe_judge(seconds)
  stats.judge_calls = stats.judge_calls + 1
  stats.judge_seconds = stats.judge_seconds + seconds
  for i, b in ipairs(BUCKETS) do
    if seconds <= b then stats.judge_buckets[i] = stats.judge_buckets[i] + 1 end
  end
  stats.judge_buckets[#BUCKETS + 1] = stats.judge_buckets[#BUCKETS + 1] + 1
end

-- Scores one rollout that waited `waited` ms for a worker. r.judge_ms is the time on the
-- MetaJudge's account: the HTTP exchanges and waiting for its capacity (r.queue_ms: a free
-- worker, then the client's own limits). What else the server spends is its own work, the
-- overhead bench/reward_server.sh measures; with the lexical matcher that is all of it.
local function score(rollout, label, waited)
  local t0 = ratio.now()
  local r = ratio.reward.score(rollout, label.human_checklist, label.overall_preference, reward_opts)
  local info = r.matcher_info or {}
  local capacity = p.matcher == "llm" and waited or 0
  r.queue_ms = capacity + (info.queue_ms or 0)
  r.judge_ms = capacity + (info.endpoint_ms or 0)
  observe_judge((waited + ratio.now() - t0) / 1000)
  return r
end

-- The reward a rollout gets when its judging missed the deadline: the outcome alone (its verdict
-- parses without an LLM), or 0.
local function fallback(rollout, label)
  if p.fallback == "zero" then return 0.0 end
  local parsed = ratio.judge.parse(rollout)
  return ratio.reward.outcome(parsed.label, label.overall_preference) or 0.0
end

-- Rollouts wait in one first-in first-out queue for --max-inflight workers, each scoring one at a
-- time, so at most that many MetaJudge calls are in flight. A waiting rollout is a small table,
-- not a task: a deep queue costs little memory and no GC pauses (the collector walks every
-- suspended task in each cycle; thousands of them meant pauses of tens of milliseconds).
local jobs, STOP = ratio.queue(), {}

-- Whether the MetaJudge's capacity held a request up from its arrival: the workers waiting on an
-- empty queue, and the last time one of them was still free after a request's rollouts were
-- queued. See judge_all.
local idle_workers, last_free, last_push = 0, -math.huge, -math.huge

local function worker()
  while true do
    local job
    if jobs:len() > 0 then
      job = jobs:pop()
    else
      idle_workers = idle_workers + 1
      job = jobs:pop()
      idle_workers = idle_workers - 1
    end
    if job == STOP then return end
    local batch = job.batch
    if not batch.abandoned then -- its request's deadline has not passed: score it
      local ok, r = pcall(score, job.rollout, job.label, ratio.now() - job.pushed)
      if not ok then r = {reward = 0.0, status = "failed", error = tostring(r), parts = {}} end
      batch.results[job.i] = r
      batch.left = batch.left - 1
      if batch.left == 0 then batch.done:set() end
    end
    stats.queued = stats.queued - 1
  end
end

local workers = {}
for i = 1, p.max_inflight do workers[i] = ratio.spawn(worker) end

-- Judges one request's rollouts concurrently; returns their results (nil where the deadline,
-- counted from the request's arrival, passed first). Rollouts still waiting then are dropped.
--
-- A rollout's wait for a call slot (its queue_ms, on the MetaJudge's account) counts from its
-- request's arrival, not from when the handler queued it, when every slot was taken all along:
-- no worker is free now, and none was left free after the rollouts queued since the later of the
-- arrival and the previous request's queueing. Requests are queued in the order they arrive, so
-- then handling this one sooner could not have started its judging sooner (in a burst of 200
-- requests the last is queued ~20 ms after it arrived, behind 1,600 rollouts). Otherwise, and with
-- free workers, the time before queueing is the server's.
local function judge_all(rollouts, labels, arrived)
  local n = #rollouts
  local batch = {results = {}, left = n, done = ratio.event()}
  stats.queued = stats.queued + n
  local now = ratio.now()
  local free = idle_workers - jobs:len()
  local since = (free <= 0 and last_free < math.max(arrived, last_push)) and arrived or now
  for i = 1, n do
    jobs:push({batch = batch, i = i, rollout = rollouts[i], label = labels[i], pushed = since})
  end
  if free - n > 0 then last_free = now end
  last_push = now
  if n > 0 then
    batch.done:wait(p.deadline_ms > 0 and math.max(0, p.deadline_ms - (ratio.now() - arrived)) or nil)
  end
  batch.abandoned = true
  local snapshot = {}
  for i = 1, n do snapshot[i] = batch.results[i] end
  return snapshot
end

local function authorized(req)
  if not token then return true end
  local scheme, given = (req.headers.authorization or ""):match("^(%a+)[ \t]+(.-)[ \t]*$")
  return (scheme ~= nil and scheme:lower() == "bearer" and given == token) or req.params.token == token
end

local function unauthorized()
  count(401)
  return {status = 401, headers = {["www-authenticate"] = "Bearer"},
          json = {error = {message = "missing or wrong bearer token"}}}
end

local function too_busy(n)
  stats.rejected = stats.rejected + 1
  count(429)
  return {status = 429, headers = {["retry-after"] = tostring(p.retry_after)},
          json = {error = {message = ("busy: %d rollouts waiting, %d more would pass the limit of %d")
                                     :format(stats.queued, n, p.max_queue)}}}
end

local function decode_body(req)
  local body, err = ratio.json.decode(req.body, {max_depth = p.max_depth})
  if body == nil then return nil, bad("body", "not valid JSON (" .. err .. ")") end
  if type(body) ~= "table" or ratio.json.is_array(body) then return nil, bad("body", "expected a JSON object") end
  return body
end

local function get_reward(req)
  if not authorized(req) then return unauthorized() end
  local body, err = decode_body(req)
  if not body then return err end
  local query, prompts, labels = body.query, body.prompts, body.labels
  if not ratio.dataset.is_list_of_strings(query) then return bad("query", "expected a list of strings") end
  if not ratio.dataset.is_list_of_strings(prompts) then return bad("prompts", "expected a list of strings") end
  if type(labels) ~= "table" then return bad("labels", "expected a list of JSON strings") end
  if #prompts ~= #query then return bad("prompts", ("has %d entries, query has %d"):format(#prompts, #query)) end
  if #labels ~= #query then return bad("labels", ("has %d entries, query has %d"):format(#labels, #query)) end
  local rollouts, parsed = {}, {}
  for i = 1, #query do
    local label, field, what = parse_label(labels[i])
    if not label then
      return bad(("labels[%d]%s"):format(i - 1, field ~= "" and ("." .. field) or ""), what)
    end
    parsed[i] = label
    local q, pr = query[i], prompts[i]
    rollouts[i] = q:sub(1, #pr) == pr and q:sub(#pr + 1) or q
  end
  if stats.queued + #query > p.max_queue then return too_busy(#query) end
  local results = judge_all(rollouts, parsed, req.received_at)
  local rewards, logs = {}, {outcome = {}, ap = {}, rc = {}, unscored = {}, fallback = {}, status = {},
                             judge_ms = {}, queue_ms = {}, error = {}}
  for i = 1, #query do
    local r = results[i]
    local late = r == nil
    if late then
      r = {reward = fallback(rollouts[i], parsed[i]), status = "late", parts = {}}
      stats.fallback = stats.fallback + 1
    end
    if r.status == "unscored" then stats.unscored = stats.unscored + 1 end
    rewards[i] = r.reward
    logs.outcome[i] = r.parts.outcome == nil and ratio.json.null or r.parts.outcome
    logs.ap[i] = r.parts.ap or ratio.json.null
    logs.rc[i] = r.parts.rc or ratio.json.null
    logs.unscored[i] = r.status == "unscored"
    logs.fallback[i] = late
    logs.status[i] = r.status
    logs.error[i] = r.error or ratio.json.null -- why a failed rollout failed: never lost silently
    logs.judge_ms[i] = r.judge_ms or ratio.json.null
    logs.queue_ms[i] = r.queue_ms or ratio.json.null
  end
  -- The time this request has spent in the server since it arrived, judging included:
  -- server_ms - max(judge_ms) is the server's own overhead (bench/reward_server.sh reports it).
  logs.server_ms = ratio.now() - req.received_at
  stats.rollouts = stats.rollouts + #query
  count(200)
  return {status = 200, json = {rewards = ratio.json.array(rewards), scores = ratio.json.array(rewards),
                                extra_logs = logs}}
end

local function score_one(req)
  if not authorized(req) then return unauthorized() end
  local body, err = decode_body(req)
  if not body then return err end
  if type(body.rollout) ~= "string" then return bad("rollout", "expected a string") end
  local field, what = check_label(body)
  if field then return bad(field, what) end
  local label = body
  if stats.queued + 1 > p.max_queue then return too_busy(1) end
  local r = judge_all({body.rollout}, {label}, req.received_at)[1]
  local late = r == nil
  if late then
    r = {reward = fallback(body.rollout, label), status = "late", parts = {}}
    stats.fallback = stats.fallback + 1
  end
  stats.rollouts = stats.rollouts + 1
  count(200)
  return {status = 200, json = {reward = r.reward, parts = r.parts, status = r.status,
                                fallback = late, error = r.error}}
end

local function metrics()
  local lines = {
    "# HELP ratio_reward_requests_total HTTP requests answered, by status code.",
    "# TYPE ratio_reward_requests_total counter"}
  local codes = {}
  for code in pairs(stats.requests) do codes[#codes + 1] = code end
  table.sort(codes)
  for _, code in ipairs(codes) do
    lines[#lines + 1] = ('ratio_reward_requests_total{code="%d"} %d'):format(code, stats.requests[code])
  end
  local function gauge(name, help, kind, v)
    lines[#lines + 1] = ("# HELP %s %s"):format(name, help)
    lines[#lines + 1] = ("# TYPE %s %s"):format(name, kind)
    lines[#lines + 1] = ("%s %s"):format(name, v)
  end
  gauge("ratio_reward_rollouts_total", "Rollouts scored (including fallbacks).", "counter", stats.rollouts)
  gauge("ratio_reward_in_flight", "Rollouts accepted and not yet scored.", "gauge", stats.queued)
  gauge("ratio_reward_unscored_total", "Rollouts with no parsable verdict or reasons.", "counter", stats.unscored)
  gauge("ratio_reward_fallback_total", "Rollouts given the fallback reward at the deadline.", "counter", stats.fallback)
  gauge("ratio_reward_rejected_total", "Requests refused with 429.", "counter", stats.rejected)
  lines[#lines + 1] = "# HELP ratio_reward_judge_seconds Time from a rollout's arrival to its score (queueing and MetaJudge calls included)."
  lines[#lines + 1] = "# TYPE ratio_reward_judge_seconds histogram"
  for i, b in ipairs(BUCKETS) do
    lines[#lines + 1] = ('ratio_reward_judge_seconds_bucket{le="%g"} %d'):format(b, stats.judge_buckets[i])
  end
  lines[#lines + 1] = ('ratio_reward_judge_seconds_bucket{le="+Inf"} %d'):format(stats.judge_buckets[#BUCKETS + 1])
  lines[#lines + 1] = ("ratio_reward_judge_seconds_sum %.6f"):format(stats.judge_seconds)
  lines[#lines + 1] = ("ratio_reward_judge_seconds_count %d"):format(stats.judge_calls)
  return {status = 200, headers = {["content-type"] = "text/plain; version=0.0.4"},
          body = table.concat(lines, "\n") .. "\n"}
end

ratio.serve{
  host = p.host, port = p.port, max_body = p.max_body,
  -- checked by the server from the headers, before a body is read; authorized() stays as a second check
  token = token, public = {"GET /health", "GET /metrics"},
  routes = {
    ["POST /get_reward"] = get_reward,
    ["POST /score"] = score_one,
    ["GET /health"] = function()
      return {status = 200, json = {status = "ok", in_flight = stats.queued,
                                    lua_kib = math.floor(collectgarbage("count"))}}
    end,
    ["GET /metrics"] = metrics,
  },
  on_listen = function(port)
    if p.port_file ~= "" then
      local f = assert(io.open(p.port_file .. ".tmp", "w"))
      f:write(port, "\n")
      f:close()
      assert(os.rename(p.port_file .. ".tmp", p.port_file))
    end
    ratio.log("reward server listening on http://%s:%d (%s matcher, %s formula%s)", p.host, port,
              p.matcher, p.formula, token and ", bearer token required" or "")
  end,
}
for _ = 1, #workers do jobs:push(STOP) end
ratio.gather(workers)
ratio.log("reward server stopped: %d rollouts scored", stats.rollouts)
return {rollouts = stats.rollouts, unscored = stats.unscored, fallback = stats.fallback, rejected = stats.rejected}
