-- ratio.reward_server: the machinery of a reward server for RL trainers — the HTTP routes, request
-- validation, a bounded queue of rollouts served by a fixed pool of MetaJudge workers, admission
-- that waits for capacity, per-request deadlines and their fallback, the MetaJudge's health,
-- bearer-token auth, Prometheus metrics and the collector's pace. A recipe brings the reward
-- formula and the matcher (recipes/reward_server.lua); docs/reward_server.md is the user's page.
--
--   local server = require "ratio.reward_server"
--   server.run{formula = function(parts) return parts.ap * parts.outcome end,
--              matcher = ratio.metajudge.matcher("lexical"), port = 8000}
--
-- Answers are shaped for the trainers that read them (docs/reward_server.md, "Trainer contracts"):
-- `rewards`/`scores` are lists of numbers; every `extra_logs` value is a list of numbers, one per
-- rollout, with the same keys in every answer (OpenRLHF turns each into a tensor and concatenates
-- them across requests); words (statuses, errors) go to `details`, which trainers ignore.
local sched = require "ratio.sched"
local json = require "ratio.core.json"
local errors = require "ratio.errors"
local dataset = require "ratio.dataset"
local reward = require "ratio.reward"
local judge = require "ratio.judge"
local state = require "ratio.state"

local M = {}

-- The per-rollout numbers of every answer, in this order (extra_logs keys; /score's `logs`).
M.LOG_KEYS = {"ap", "rc", "outcome", "scored", "unscored", "failed", "fallback",
              "judge_ms", "queue_ms", "server_ms"}

-- Deadline fallbacks: what a rollout whose judging missed the deadline is paid.
--   batch-mean  its outcome x the mean reward of the same request's judged rollouts (0 if none)
--   outcome     its outcome alone (1 for a right verdict): more than judging pays on average
--   zero        nothing
M.DEADLINE_FALLBACKS = {["batch-mean"] = true, outcome = true, zero = true}

-- MetaJudge failures no retry mends (the client's final error codes): the endpoint is
-- misconfigured or unreachable, so the first one marks the MetaJudge as failing.
M.FATAL = {HTTP401 = true, HTTP402 = true, HTTP403 = true, HTTP404 = true, ECONNREFUSED = true,
           ERESOLVE = true, ETLS = true, EQUOTA = true}

---------------------------------------------------------------------------------------------------
-- Pure parts (tests/lua/test_reward_server.lua)

-- is_loopback(host) -> whether binding host keeps the server off the network: 127.0.0.0/8, ::1,
-- localhost.
function M.is_loopback(host)
  host = tostring(host):lower():gsub("^%[(.*)%]$", "%1")
  if host == "localhost" or host == "::1" or host == "0:0:0:0:0:0:0:1" then return true end
  local a, b, c, d = host:match("^127%.(%d+)%.(%d+)%.(%d+)$")
  if not a then return false end
  for _, x in ipairs{a, b, c, d} do if tonumber(x) > 255 then return false end end
  return true
end

-- url_host(host) -> host as written in a URL: IPv6 addresses in brackets.
function M.url_host(host)
  host = tostring(host)
  if host:find(":", 1, true) and not host:match("^%[") then return "[" .. host .. "]" end
  return host
end

-- Compares two strings in time that depends only on their lengths, not on where they differ.
local function same_secret(a, b)
  if type(a) ~= "string" or #a ~= #b then return false end
  local diff = 0
  for i = 1, #a do diff = diff | (a:byte(i) ~ b:byte(i)) end
  return diff == 0
end

-- authorized(req, token) -> whether req carries the token: `Authorization: Bearer <token>` (the
-- scheme in any case) or a `token` query parameter (`/get_reward?token=...`, for clients such as
-- OpenRLHF's that send no header of their own). No token configured: everything passes.
function M.authorized(req, token)
  if not token then return true end
  local h = req.headers and req.headers.authorization
  if type(h) == "string" then
    local scheme, value = h:match("^%s*(%S+)%s+(.-)%s*$")
    if scheme and scheme:lower() == "bearer" and same_secret(value, token) then return true end
  end
  return same_secret(req.params and req.params.token, token)
end

-- check_label(v) -> nil | field, what is wrong: {"human_checklist": [...], "overall_preference": n}
function M.check_label(v)
  if type(v) ~= "table" then return "", "expected a JSON object" end
  if not dataset.is_list_of_strings(v.human_checklist) then return "human_checklist", "expected a list of strings" end
  if #v.human_checklist > dataset.MAX_CHECKLIST then -- more than a score block can hold
    return "human_checklist", ("%d items, more than the %d allowed"):format(#v.human_checklist, dataset.MAX_CHECKLIST)
  end
  local pref = v.overall_preference
  if type(pref) ~= "number" or pref ~= pref or pref < -3 or pref > 3 then
    return "overall_preference", "expected a number from -3 to 3"
  end
end

-- parse_label(v [, max_depth]) -> label | nil, field suffix, what is wrong. A label is a JSON
-- object, or a string holding one (OpenRLHF passes a dataset's label column as it is).
function M.parse_label(v, max_depth)
  if type(v) == "string" then
    local decoded, err = json.decode(v, {max_depth = max_depth})
    if decoded == nil then return nil, "", "not valid JSON (" .. err .. ")" end
    v = decoded
  elseif type(v) ~= "table" then
    return nil, "", "expected a JSON object or a string holding one"
  end
  local field, what = M.check_label(v)
  if field then return nil, field, what end
  return v
end

-- deadline_reward(kind, outcome, judged) -> the reward of a rollout whose judging missed the
-- deadline; outcome is its verdict's 1/0 (nil without one), judged the rewards of the request's
-- rollouts that were judged. batch-mean pays outcome x mean(judged): never more than the judged
-- rollouts of the same request earned on average, so a policy gains nothing by being slow to judge.
function M.deadline_reward(kind, outcome, judged)
  if kind == "zero" or not outcome then return 0.0 end
  if kind == "outcome" then return outcome + 0.0 end
  if kind ~= "batch-mean" then error("ratio.reward_server: unknown deadline fallback " .. tostring(kind), 2) end
  if #judged == 0 then return 0.0 end
  return outcome * require("ratio.stats").mean(judged)
end

-- logs_of(r, server_ms) -> the per-rollout numbers of a result (M.LOG_KEYS), all floats: a
-- placeholder 0 where a part does not exist; the flags say which of the four cases it is.
function M.logs_of(r, server_ms)
  local parts = r.parts or {}
  local function num(v) return (type(v) == "number" and v == v) and v + 0.0 or 0.0 end
  local function flag(b) return b and 1.0 or 0.0 end
  return {
    ap = num(parts.ap), rc = num(parts.rc), outcome = num(parts.outcome),
    scored = flag(r.status == "ok"), unscored = flag(r.status == "unscored"),
    failed = flag(r.status == "failed"), fallback = flag(r.status == "late"),
    judge_ms = num(r.judge_ms), queue_ms = num(r.queue_ms), server_ms = num(server_ms),
  }
end

-- rollout_of(query, prompt) -> the rollout: the query after its prompt. The prompt starts the
-- query, or (a tokenizer's round trip may add a leading space or a BOS text) first appears in it
-- further on; a query without its prompt has no rollout to tell apart (nil).
function M.rollout_of(query, prompt)
  if query:sub(1, #prompt) == prompt then return query:sub(#prompt + 1) end
  local _, e = query:find(prompt, 1, true)
  return e and query:sub(e + 1) or nil
end

-- detail_of(r) -> what trainers do not read: the status, why, and the verdict.
function M.detail_of(r)
  return {status = r.status, reason = r.reason or json.null, error = r.error or json.null,
          verdict = r.parts and r.parts.verdict or json.null}
end

---------------------------------------------------------------------------------------------------
-- The server

-- The collector's pace. Lua 5.4.4 gives an incremental step a budget of (bytes allocated / 16) x
-- stepmul work units but charges its sweep one unit per object, so at the default multiplier (100)
-- the ~20 KB one rollout allocates pays for sweeping ~130,000 objects: a whole cycle's garbage is
-- freed inside one task, stalling every request for 10-20 ms. At 1 (the smallest: Lua keeps the
-- multiplier in steps of 4 and takes 1-3 as 1) steps are 100 times smaller, and a cycle still
-- ends after allocating about the live heap again plus 16 bytes per object (marking costs a unit
-- per 16 bytes), while the next is due only once the heap has doubled. The manual warns that a
-- multiplier under 100 may keep cycles from finishing; by that arithmetic it does not here, and
-- the RSS bench/reward_server.sh samples stays flat (38.6 MiB against 36 at the default).
local function tune_gc() collectgarbage("incremental", 200, 1) end

local BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

local DEFAULTS = {host = "127.0.0.1", port = 8000, port_file = "", max_inflight = 64,
                  max_queue = 2048, queue_wait_ms = 60000, retry_after = 1, deadline_ms = 0,
                  deadline_fallback = "batch-mean", max_body = 16 * 1024 * 1024, max_depth = 32,
                  max_buffered = 64 * 1024 * 1024, request_timeout_ms = 60000,
                  unhealthy_after = 5, insecure_no_token = false, describe = ""}

-- check_host(host, token, insecure) raises the usage error (exit 2) for a server that would
-- listen beyond this machine with no token, unless insecure says the user means it.
function M.check_host(host, token, insecure)
  if token or insecure or M.is_loopback(host) then return end
  errors.exit(2, ("--host %s: listening beyond this machine needs a token (--token-env or --token), "
                  .. "or --insecure-no-token to serve anyone who can reach it"):format(host))
end

-- resolve_token(token, env) -> the token: `token` itself, else the environment variable `env`;
-- nil when neither is set (or set empty).
function M.resolve_token(token, env)
  local t = (token and token ~= "") and token or (env and env ~= "" and os.getenv(env)) or nil
  if t == "" then t = nil end
  return t
end

-- run(opts) serves until SIGTERM/SIGINT and returns the counts {rollouts, unscored, failed,
-- fallback, rejected}. opts: formula = fn(parts) -> reward (required), matcher (required: its
-- :match(human, reasons) may wait), uses_metajudge (whether the matcher calls an LLM), token,
-- insecure_no_token, and the settings in DEFAULTS (host, port, port_file, max_inflight,
-- max_queue, queue_wait_ms, retry_after, deadline_ms, deadline_fallback, max_body, max_depth,
-- unhealthy_after, describe: words for the startup line).
function M.run(opts)
  local o = {}
  for k, v in pairs(DEFAULTS) do o[k] = v end
  for k, v in pairs(opts) do o[k] = v end
  if type(o.formula) ~= "function" then error("ratio.reward_server.run: formula must be a function(parts)", 2) end
  if not M.DEADLINE_FALLBACKS[o.deadline_fallback] then
    error("ratio.reward_server.run: deadline_fallback must be batch-mean, outcome or zero", 2)
  end
  local token = o.token
  M.check_host(o.host, token, o.insecure_no_token)
  tune_gc()

  local scorer = reward.scorer{matcher = o.matcher, formula = o.formula}
  local stats = {requests = {}, rollouts = 0, unscored = 0, failed = 0, fallback = 0, rejected = 0,
                 queued = 0, waiting = 0, judge_seconds = 0.0, judge_calls = 0, judge_buckets = {}}
  for i = 1, #BUCKETS + 1 do stats.judge_buckets[i] = 0 end
  -- The MetaJudge's health: final outcomes of its calls (after the client's retries) since the
  -- last success, and the last failure's cause.
  local mj = {streak = 0, last_error = nil, last_code = nil}

  -- Failing: its last unhealthy_after calls failed, or the last one failed in a way no retry
  -- mends (a wrong key, URL or model; nothing listening; no quota left).
  local function failing()
    return mj.streak >= o.unhealthy_after or (mj.streak > 0 and M.FATAL[mj.last_code] == true)
  end
  local function mj_state()
    local s = {status = failing() and "failing" or "ok", consecutive_failures = mj.streak}
    if mj.last_error and mj.streak > 0 then s.last_error = mj.last_error end
    return s
  end

  local function count(code) stats.requests[code] = (stats.requests[code] or 0) + 1 end

  local function bad(field, what)
    count(400)
    return {status = 400, json = {error = {message = ("%s: %s"):format(field, what), field = field}}}
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
    local t0 = sched.now()
    local r = scorer:score(rollout, label.human_checklist, label.overall_preference)
    local info = r.matcher_info or {}
    local capacity = o.uses_metajudge and waited or 0
    r.queue_ms = capacity + (info.queue_ms or 0)
    r.judge_ms = capacity + (info.endpoint_ms or 0)
    observe_judge((waited + sched.now() - t0) / 1000)
    if r.reason == "matcher_failed" then
      mj.streak, mj.last_error, mj.last_code = mj.streak + 1, r.error, r.code
    elseif r.reply and r.reason ~= "no_reasons" and o.uses_metajudge then
      mj.streak = 0 -- it answered
    end
    return r
  end

  -- Rollouts wait in one first-in first-out queue for max_inflight workers, each scoring one at
  -- a time, so at most that many MetaJudge calls are in flight. A waiting rollout is a small
  -- table, not a task: a deep queue costs little memory and no GC pauses (the collector walks
  -- every suspended task in each cycle; thousands of them meant pauses of tens of milliseconds).
  local jobs, STOP = sched.queue(), {}
  -- Requests wait, in the order they arrived, for room in that queue: at most max_queue rollouts
  -- are queued or being judged. The request at the head puts in as many rollouts as there is
  -- room for, and the rest as room frees up, so a batch larger than max_queue is judged in
  -- chunks rather than refused.
  local admission = sched.fifo()

  -- Whether the MetaJudge's capacity held a request up from its arrival: the workers waiting on
  -- an empty queue, and the last time one of them was still free after a request's rollouts were
  -- queued. See judge_all.
  local idle_workers, last_free, last_push = 0, -math.huge, -math.huge

  local function admit()
    while admission.n > 0 do
      local b = admission:peek()
      if b.abandoned or b.gave_up or b.pushed == b.n then
        admission:pop()
      else
        local room = o.max_queue - stats.queued
        if room <= 0 then return end
        local k, first = math.min(room, b.n - b.pushed), b.pushed
        if first == 0 then stats.waiting = stats.waiting - 1 end
        stats.queued = stats.queued + k -- before the pushes: a push may hand a job to a worker
        b.pushed = first + k
        for i = first + 1, first + k do jobs:push({batch = b, i = i, pushed = b.since}) end
        b.admitted:set()
      end
    end
  end

  -- A worker takes the next job without waiting while the queue has one, and scoring with the
  -- lexical matcher never waits: one worker would hold the loop through a whole batch (200,000
  -- rollouts froze /health for 13 s). It lets the loop poll after every RUN_OF jobs in a row.
  local RUN_OF = 32
  local function worker()
    local run = 0
    while true do
      if jobs:len() > 0 then
        run = run + 1
        if run >= RUN_OF then
          run = 0
          sched.yield()
        end
      end
      local job
      if jobs:len() > 0 then -- (again: another worker may have taken it meanwhile)
        job = jobs:pop()
      else
        run = 0
        idle_workers = idle_workers + 1
        job = jobs:pop()
        idle_workers = idle_workers - 1
      end
      if job == STOP then return end
      local batch = job.batch
      if not batch.abandoned then -- its request's deadline has not passed: score it
        local ok, r = pcall(score, batch.rollouts[job.i], batch.labels[job.i], sched.now() - job.pushed)
        if not ok then r = {reward = 0.0, status = "failed", reason = "internal", error = tostring(r), parts = {}} end
        batch.results[job.i] = r
        batch.left = batch.left - 1
        if batch.left == 0 then batch.done:set() end
      end
      stats.queued = stats.queued - 1
      admit()
    end
  end

  local workers = {}
  for i = 1, o.max_inflight do workers[i] = sched.spawn(worker) end

  -- Judges one request's rollouts concurrently; returns their results (nil where the deadline,
  -- counted from the request's arrival, passed first; rollouts still waiting then are dropped),
  -- or nil when no room was made for it within queue_wait_ms.
  --
  -- A rollout's wait for a call slot (its queue_ms, on the MetaJudge's account) counts from its
  -- request's arrival, not from when the handler queued it, when every slot was taken all along:
  -- no worker is free now, and none was left free after the rollouts queued since the later of
  -- the arrival and the previous request's queueing. Requests are queued in the order they
  -- arrive, so then handling this one sooner could not have started its judging sooner (in a
  -- burst of 200 requests the last is queued ~20 ms after it arrived, behind 1,600 rollouts).
  -- Otherwise, and with free workers, the time before queueing is the server's. Rollouts that
  -- waited for room count from the arrival: the MetaJudge's capacity held them up.
  local function judge_all(rollouts, labels, arrived)
    local n = #rollouts
    if n == 0 then return {} end
    local now = sched.now()
    local free = idle_workers - jobs:len()
    local since = (free <= 0 and last_free < math.max(arrived, last_push)) and arrived or now
    local batch = {rollouts = rollouts, labels = labels, n = n, pushed = 0, since = since,
                   results = {}, left = n, done = sched.event(), admitted = sched.event()}
    admission:push(batch)
    stats.waiting = stats.waiting + 1
    admit()
    batch.since = arrived
    if batch.pushed > 0 and free - batch.pushed > 0 then last_free = now end
    last_push = now
    local function left_ms()
      return o.deadline_ms > 0 and math.max(0, o.deadline_ms - (sched.now() - arrived)) or nil
    end
    if batch.pushed == 0 then
      local wait = o.queue_wait_ms - (sched.now() - arrived)
      local dl = left_ms()
      if dl and dl < wait then wait = dl end
      batch.admitted:wait(math.max(0, wait))
      if batch.pushed == 0 then
        stats.waiting = stats.waiting - 1
        if not (dl and left_ms() <= 0) then -- no room in time: the caller answers 429
          batch.gave_up = true
          admit()
          return nil
        end
        batch.abandoned = true -- the deadline came first: every rollout gets the fallback
        admit()
        return {}
      end
    end
    batch.done:wait(left_ms())
    batch.abandoned = true
    admit()
    local snapshot = {}
    for i = 1, n do snapshot[i] = batch.results[i] end
    return snapshot
  end

  local function too_busy(n)
    stats.rejected = stats.rejected + 1
    count(429)
    return {status = 429, headers = {["retry-after"] = tostring(o.retry_after)},
            json = {error = {message = ("busy: no room for %d rollouts within %d ms (%d queued, --max-queue %d)")
                                       :format(n, o.queue_wait_ms, stats.queued, o.max_queue)}}}
  end

  local function unauthorized()
    count(401)
    return {status = 401, headers = {["www-authenticate"] = "Bearer"},
            json = {error = {message = "missing or wrong token (Authorization: Bearer <token>, or ?token=<token>)"}}}
  end

  local function decode_body(req)
    local body, err = json.decode(req.body, {max_depth = o.max_depth})
    if body == nil then return nil, bad("body", "not valid JSON (" .. err .. ")") end
    if type(body) ~= "table" or json.is_array(body) then return nil, bad("body", "expected a JSON object") end
    return body
  end

  -- Judges the rollouts and completes every result: late ones get the deadline fallback.
  -- Returns results, or nil and a 429 response.
  local function results_for(rollouts, labels, arrived)
    local results = judge_all(rollouts, labels, arrived)
    if not results then return nil, too_busy(#rollouts) end
    local judged = {}
    for i = 1, #rollouts do
      if results[i] and results[i].status == "ok" then judged[#judged + 1] = results[i].reward end
    end
    for i = 1, #rollouts do
      local r = results[i]
      if r == nil then
        local label = labels[i]
        local verdict = judge.parse(rollouts[i]).label
        local outcome = reward.outcome(verdict, label.overall_preference)
        r = {status = "late", reason = "deadline", parts = {outcome = outcome, verdict = verdict},
             reward = M.deadline_reward(o.deadline_fallback, outcome, judged),
             error = ("not judged within --deadline-ms %d: the %s fallback"):format(o.deadline_ms, o.deadline_fallback)}
        results[i] = r
        stats.fallback = stats.fallback + 1
      end
      if r.status == "unscored" then stats.unscored = stats.unscored + 1 end
      if r.status == "failed" then stats.failed = stats.failed + 1 end
    end
    stats.rollouts = stats.rollouts + #rollouts
    return results
  end

  -- The MetaJudge is failing (see failing()) and judged none of a request's rollouts, failing
  -- at least one: the answer is 503 with the cause, never rewards a trainer would take for
  -- earned zeros. One rollout's call failing while the MetaJudge otherwise answers is that
  -- rollout's `failed` flag in a 200.
  local function metajudge_down(results)
    local failed, cause = 0, nil
    for _, r in ipairs(results) do
      if r.status == "ok" then return nil end
      if r.reason == "matcher_failed" then failed, cause = failed + 1, cause or r.error end
    end
    if failed == 0 or not failing() then return nil end
    count(503)
    local details = {}
    for i, r in ipairs(results) do details[i] = M.detail_of(r) end
    return {status = 503, json = {
      error = {message = ("the MetaJudge failed for every rollout of this request (%d): %s"):format(failed, cause),
               code = 503},
      metajudge = mj_state(), details = details}}
  end

  local function get_reward(req)
    if not M.authorized(req, token) then return unauthorized() end
    local body, err = decode_body(req)
    if not body then return err end
    local query, prompts, labels = body.query, body.prompts, body.labels
    if not dataset.is_list_of_strings(query) then return bad("query", "expected a list of strings") end
    if not dataset.is_list_of_strings(prompts) then return bad("prompts", "expected a list of strings") end
    if type(labels) ~= "table" or (next(labels) ~= nil and not json.is_array(labels)) then
      return bad("labels", "expected a list of labels (JSON objects or strings holding one)")
    end
    if #prompts ~= #query then return bad("prompts", ("has %d entries, query has %d"):format(#prompts, #query)) end
    if #labels ~= #query then return bad("labels", ("has %d entries, query has %d"):format(#labels, #query)) end
    local rollouts, parsed = {}, {}
    for i = 1, #query do
      if i % 4096 == 0 then sched.yield() end -- a huge batch: let the loop poll meanwhile
      local label, field, what = M.parse_label(labels[i], o.max_depth)
      if not label then
        return bad(("labels[%d]%s"):format(i - 1, field ~= "" and ("." .. field) or ""), what)
      end
      parsed[i] = label
      local rollout = M.rollout_of(query[i], prompts[i])
      if not rollout then
        return bad(("query[%d]"):format(i - 1), ("does not contain its prompt (prompts[%d]): the "
          .. "rollout is the query after its prompt, and scoring the whole query would score the "
          .. "prompt's text too"):format(i - 1))
      end
      rollouts[i] = rollout
    end
    local results, busy = results_for(rollouts, parsed, req.received_at)
    if not results then return busy end
    local down = metajudge_down(results)
    if down then return down end
    -- The time this request has spent in the server since it arrived, judging included:
    -- server_ms - max(judge_ms) is the server's own overhead (bench/reward_server.sh reports it).
    local server_ms = sched.now() - req.received_at
    local rewards, logs, details = {}, {}, {}
    for _, k in ipairs(M.LOG_KEYS) do logs[k] = json.array({}) end
    for i, r in ipairs(results) do
      if i % 4096 == 0 then sched.yield() end
      rewards[i] = r.reward + 0.0
      for k, v in pairs(M.logs_of(r, server_ms)) do logs[k][i] = v end
      details[i] = M.detail_of(r)
    end
    count(200)
    return {status = 200, json = {rewards = json.array(rewards), scores = json.array(rewards),
                                  extra_logs = logs, details = json.array(details),
                                  metajudge = mj_state()}}
  end

  local function score_one(req)
    if not M.authorized(req, token) then return unauthorized() end
    local body, err = decode_body(req)
    if not body then return err end
    if type(body.rollout) ~= "string" then return bad("rollout", "expected a string") end
    local field, what = M.check_label(body)
    if field then return bad(field, what) end
    local results, busy = results_for({body.rollout}, {body}, req.received_at)
    if not results then return busy end
    local down = metajudge_down(results)
    if down then return down end
    local r = results[1]
    count(200)
    return {status = 200, json = {reward = r.reward + 0.0, logs = M.logs_of(r, sched.now() - req.received_at),
                                  status = r.status, fallback = r.status == "late",
                                  reason = r.reason, error = r.error, parts = r.parts,
                                  metajudge = mj_state()}}
  end

  local function health()
    local body = {status = "ok", in_flight = stats.queued, waiting = stats.waiting,
                  lua_kib = math.floor(collectgarbage("count")), metajudge = mj_state()}
    if failing() then
      body.status = "unhealthy"
      body.reason = ("the last %d MetaJudge calls failed: %s"):format(mj.streak, tostring(mj.last_error))
      return {status = 503, json = body}
    end
    return {status = 200, json = body}
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
    gauge("ratio_reward_rollouts_total", "Rollouts answered (including fallbacks).", "counter", stats.rollouts)
    gauge("ratio_reward_in_flight", "Rollouts queued or being judged.", "gauge", stats.queued)
    gauge("ratio_reward_waiting_requests", "Requests waiting for room in the queue.", "gauge", stats.waiting)
    gauge("ratio_reward_unscored_total", "Rollouts with no parsable verdict or reasons.", "counter", stats.unscored)
    gauge("ratio_reward_failed_total", "Rollouts whose MetaJudge call failed.", "counter", stats.failed)
    gauge("ratio_reward_fallback_total", "Rollouts given the fallback reward at the deadline.", "counter", stats.fallback)
    gauge("ratio_reward_rejected_total", "Requests refused with 429.", "counter", stats.rejected)
    gauge("ratio_reward_metajudge_consecutive_failures", "MetaJudge calls failed since the last success.", "gauge", mj.streak)
    gauge("ratio_reward_healthy", "1 unless the MetaJudge is failing every call.", "gauge", failing() and 0 or 1)
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

  require("ratio.serve"){
    host = o.host, port = o.port, max_body = o.max_body, max_buffered = o.max_buffered,
    request_timeout_ms = o.request_timeout_ms,
    -- checked by the server from the request head, before a body is read (M.authorized stays as
    -- a second check): /health and /metrics stay open to probes
    token = token, public = {"GET /health", "GET /metrics"},
    routes = {
      ["POST /get_reward"] = get_reward,
      ["POST /score"] = score_one,
      ["GET /health"] = health,
      ["GET /metrics"] = metrics,
    },
    on_listen = function(port)
      if o.port_file ~= "" then
        local f = assert(io.open(o.port_file .. ".tmp", "w"))
        f:write(port, "\n")
        f:close()
        assert(os.rename(o.port_file .. ".tmp", o.port_file))
      end
      local auth = token and ", token required"
                   or not M.is_loopback(o.host) and ", NO TOKEN: anyone who can reach it may use it" or ""
      if not state.options.quiet then
        io.stderr:write(("reward server listening on http://%s:%d (%s%s)\n"):format(
          M.url_host(o.host), port, o.describe, auth))
      end
    end,
  }
  for _ = 1, #workers do jobs:push(STOP) end
  sched.gather(workers)
  return {rollouts = stats.rollouts, unscored = stats.unscored, failed = stats.failed,
          fallback = stats.fallback, rejected = stats.rejected}
end

return M
