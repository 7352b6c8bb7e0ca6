-- ratio.llm: LLM clients for judges, decomposers and MetaJudges.
--
--   local judge = ratio.llm{provider = "openai", model = "qwen3-235b-a22b", concurrency = 64,
--                           rpm = 3000, tpm = 2e6}
--   local reply, err, code = judge:chat({{role = "user", content = "..."}}, {temperature = 0})
--   -- reply.text, reply.usage.input_tokens, reply.cached, reply.latency_ms, reply.endpoint_ms
--
-- Every call goes through the call cache first (a hit returns at once, without waiting), then
-- through the politeness machinery: a per-endpoint concurrency cap (optionally adaptive), token
-- buckets for requests and tokens per minute charged with the usage each reply reports, retries
-- with jittered exponential backoff on 429 / 5xx / resets / timeouts / malformed replies, with
-- Retry-After honoured, and several base URLs used least-busy first with failing ones rested. A
-- call that fails for good returns nil, message, code — the provider's own words — and raises
-- only when the client was made with raise = true. Keys come from the environment and appear in
-- no cache, log, manifest, report or message.
local http = require "ratio.core.http"
local sched = require "ratio.core.sched"
local json = require "ratio.core.json"
local cache = require "ratio.cache"
local errors = require "ratio.errors"
local progress = require "ratio.progress"
local prices = require "ratio.prices"
local state = require "ratio.state"
local sys = require "ratio.core.sys"
local redact = require "ratio.redact"
local failures = require "ratio.failures"
local rsched = require "ratio.sched"

local M = {}

---------------------------------------------------------------------------------------------------
-- Usage and cost, per model, for the summary and the progress line.

local usage = {} -- model -> {calls, cached, failed, retries, input_tokens, output_tokens,
                 --           reasoning_tokens, cost}
local usage_order = {}

local function usage_of(model)
  local u = usage[model]
  if not u then
    u = {calls = 0, cached = 0, failed = 0, retries = 0, input_tokens = 0, output_tokens = 0,
         reasoning_tokens = 0, cost = 0.0, priced = true, rate_limited = 0, shared = 0,
         saved_input_tokens = 0, saved_output_tokens = 0, saved_cost = 0.0}
    usage[model] = u
    usage_order[#usage_order + 1] = model
  end
  return u
end

local function human(n)
  if n >= 1e6 then return ("%.1fM"):format(n / 1e6) end
  if n >= 1e3 then return ("%.1fk"):format(n / 1e3) end
  return tostring(math.floor(n))
end

progress.add_status(function()
  local tokens, cost, any = 0, 0, false
  for _, u in pairs(usage) do
    tokens = tokens + u.input_tokens + u.output_tokens
    cost = cost + u.cost
    any = true
  end
  if not any then return nil end
  return ("%s tok $%.2f"):format(human(tokens), cost)
end)

-- ratio.llm.usage() -> {model = {calls, cached, shared, failed, retries, rate_limited,
-- input_tokens, output_tokens, cost_usd, saved = {input_tokens, output_tokens, cost_usd}}}
-- calls are logical calls; cached were answered by the call cache and shared by an identical
-- call in flight (neither paid); retries and rate_limited (429s) are extra HTTP attempts; tokens
-- and cost are what this run paid, saved what the cached calls cost when they were made.
-- cost_usd is null for a model with no known price.
function M.usage()
  local out = {}
  for _, model in ipairs(usage_order) do
    local u = usage[model]
    out[model] = {calls = u.calls, cached = u.cached, shared = u.shared, failed = u.failed,
                  retries = u.retries, rate_limited = u.rate_limited,
                  input_tokens = u.input_tokens, output_tokens = u.output_tokens,
                  reasoning_tokens = u.reasoning_tokens, cost_usd = u.priced and u.cost or json.null,
                  saved = {input_tokens = u.saved_input_tokens, output_tokens = u.saved_output_tokens,
                           cost_usd = u.priced and u.saved_cost or json.null}}
  end
  return out
end

-- ratio.llm.usage_total() -> the same fields summed over every model, plus models = {names},
-- or nil when no client was made. What the run's last line, summary.json and the report show.
function M.usage_total()
  if #usage_order == 0 then return nil end
  local t = {models = {}, calls = 0, cached = 0, shared = 0, failed = 0, retries = 0, rate_limited = 0,
             input_tokens = 0, output_tokens = 0, cost_usd = 0.0,
             saved = {input_tokens = 0, output_tokens = 0, cost_usd = 0.0}}
  local priced = true
  for _, model in ipairs(usage_order) do
    local u = usage[model]
    t.models[#t.models + 1] = model
    for _, k in ipairs{"calls", "cached", "shared", "failed", "retries", "rate_limited",
                       "input_tokens", "output_tokens"} do
      t[k] = t[k] + u[k]
    end
    t.cost_usd = t.cost_usd + u.cost
    t.saved.input_tokens = t.saved.input_tokens + u.saved_input_tokens
    t.saved.output_tokens = t.saved.output_tokens + u.saved_output_tokens
    t.saved.cost_usd = t.saved.cost_usd + u.saved_cost
    priced = priced and u.priced
  end
  if not priced then t.cost_usd, t.saved.cost_usd = json.null, json.null end
  return t
end

-- ratio.llm.usage_line() -> one line for the end of a run, or nil when no client was made:
--   usage: qwen3: 300 calls (106 from cache, 98 shared in flight), 2 retries, 1 429s, 0 failed;
--   52.3k tokens (49.8k in, 2.5k out), $0.0412; the cache saved 57.9k tokens, $0.0450
function M.usage_line()
  local t = M.usage_total()
  if not t then return nil end
  local function cost(c) return c == json.null and "cost unknown (no price for the model)" or ("$%.4f"):format(c) end
  local line = ("usage: %s: %d calls (%d from cache, %d shared in flight), %d retries, %d 429s, %d failed; %s tokens (%s in, %s out), %s"):format(
    table.concat(t.models, ", "), t.calls, t.cached, t.shared, t.retries, t.rate_limited, t.failed,
    human(t.input_tokens + t.output_tokens), human(t.input_tokens), human(t.output_tokens), cost(t.cost_usd))
  if t.cached > 0 then
    line = line .. ("; the cache saved %s tokens%s"):format(human(t.saved.input_tokens + t.saved.output_tokens),
      t.saved.cost_usd == json.null and "" or (", " .. cost(t.saved.cost_usd)))
  end
  return line
end

---------------------------------------------------------------------------------------------------
-- Token buckets: `rate` units per minute, holding at most `burst` seconds' worth. take(n) waits
-- until n units are there; charge(n) adds a correction (negative = give back) once the real usage
-- is known, and may leave the bucket in debt, which later takers wait out.

local Bucket = {}
Bucket.__index = Bucket

local function new_bucket(per_minute, burst_seconds)
  if not per_minute then return nil end
  local per_ms = per_minute / 60000
  local cap = math.max(1, per_ms * 1000 * (burst_seconds or 5))
  return setmetatable({per_ms = per_ms, cap = cap, level = cap, t = sched.now()}, Bucket)
end

function Bucket:refill()
  local now = sched.now()
  self.level = math.min(self.cap, self.level + (now - self.t) * self.per_ms)
  self.t = now
end

function Bucket:take(n)
  n = math.min(n, self.cap) -- a request bigger than the bucket still goes, once it is full
  while true do
    self:refill()
    if self.level >= n then
      self.level = self.level - n
      return
    end
    sched.sleep(math.max(1, (n - self.level) / self.per_ms))
  end
end

function Bucket:charge(n)
  self:refill()
  self.level = math.min(self.cap, self.level - n)
end

---------------------------------------------------------------------------------------------------
-- Endpoints: one per base URL, each with its own in-flight cap.

local Endpoint = {}
Endpoint.__index = Endpoint

local function new_endpoint(url, cap)
  return setmetatable({url = url:gsub("/+$", ""), urls = {}, inflight = 0, cap = cap, limit = cap,
                       fails = 0, rested_until = 0, rest_ms = 0, probation = false,
                       calls = 0, failures = 0, rests = 0}, Endpoint)
end

---------------------------------------------------------------------------------------------------
-- The client

local Client = {}
Client.__index = Client
Client.__name = "ratio.llm"

local OPTIONS = {
  provider = true, model = true, base_url = true, api_key_env = true, base_url_env = true,
  concurrency = true, rpm = true, tpm = true, burst_seconds = true, max_tries = true,
  timeout_ms = true, connect_timeout_ms = true, max_reply_bytes = true, adaptive = true,
  cache = true, cache_wait = true, raise = true, params = true, prices = true, backoff_ms = true,
  max_backoff_ms = true, rest_after = true, http_version = true, name = true, flags = true,
}

-- unsupported_setting(provider, params) -> name, why | nil: a setting the provider cannot send
-- (provider.settings[name] is then the reason, e.g. Anthropic's API has no seed).
function M.unsupported_setting(provider, params)
  for k in pairs(params or {}) do
    local why = provider.settings and provider.settings[k]
    if type(why) == "string" then return k, why end
  end
end

local function load_provider(name)
  local ok, p = pcall(require, "providers." .. name)
  if not ok then
    error(("ratio.llm: unknown provider '%s' (plugins/providers/%s.lua): %s"):format(name, name, tostring(p)), 3)
  end
  return p
end

-- Loopback hosts: a server there is the user's own and may need no key.
local function is_local(url)
  local host = url:match("^%a[%w+.-]*://([^/?#]*)") or ""
  host = host:gsub("^.*@", "")
  host = host:match("^%[([^%]]*)%]") or host:gsub(":%d*$", "")
  host = host:lower()
  return host == "localhost" or host == "::1" or host:match("^127%.%d+%.%d+%.%d+$") ~= nil
end

-- Checks what would make every call fail before any is made: an empty model, a base URL that is
-- not an http(s) URL, no key for a remote endpoint. Each ends the run with a usage error (exit 2)
-- naming the flag it came from (opts.flags, set by from_params) or the ratio.llm option.
local function check_config(opts, provider, urls, url_from, key_env)
  local flags = opts.flags or {}
  if opts.model == "" then errors.usage((flags.model or "ratio.llm: model") .. ": is required (an empty model name)") end
  for i, u in ipairs(urls) do
    local where = url_from or (#urls > 1 and ("ratio.llm: base_url[%d]"):format(i) or "ratio.llm: base_url")
    if type(u) ~= "string" then errors.usage(where .. ": expected a URL, got " .. type(u)) end
    local scheme = u:match("^(%a[%w+.-]*)://")
    if not scheme then
      errors.usage(("%s: '%s' has no scheme; write http://%s or https://%s"):format(where, redact.url(u), redact.url(u), redact.url(u)))
    elseif scheme:lower() ~= "http" and scheme:lower() ~= "https" then
      errors.usage(("%s: '%s' is not an http(s) URL"):format(where, redact.url(u)))
    end
  end
  local k = key_env and os.getenv(key_env)
  if key_env and (k == nil or k == "") then
    for _, u in ipairs(urls) do
      if not is_local(u) then
        errors.usage(("%s: %s needs an API key and %s is not set (set it, or point %s at a local server; "
          .. "a remote server that takes no key accepts any value, e.g. %s=none)"):format(
          url_from or "ratio.llm: base_url", redact.url(u), key_env, flags.base_url or "base_url", key_env))
      end
    end
  end
end

-- The fixed parts of a client's cache keys (see call_key): the end of the canonical request for
-- a sample, the start for each kind up to its settings, and the settings each kind's key holds
-- (the provider's sampling settings and extra_body for a chat; the size asked for an embedding,
-- once left out, so that a cached vector of another size came back).
local function key_tail(provider_name, sample)
  return (',"provider":%s,"sample":%s,"v":1}'):format(assert(json.encode(provider_name)), assert(json.encode(sample)))
end

local function key_parts(provider, model)
  local function head(kind)
    return ('{"kind":%s,"model":%s,"params":'):format(assert(json.encode(kind)), assert(json.encode(model)))
  end
  local parts = {heads = {chat = head("chat"), embed = head("embed")}, tail = key_tail(provider.name, 0),
                 settings = {chat = {extra_body = true}, embed = {dimensions = true}}}
  for _, k in ipairs(provider.sampling_params or {}) do parts.settings.chat[k] = true end
  return parts
end

-- ratio.llm{...} -> client. See the top of this file and docs/api.md for the options.
function M.new(opts)
  if type(opts) ~= "table" then error("ratio.llm: expected a table of options", 2) end
  for k in pairs(opts) do
    if not OPTIONS[k] then error("ratio.llm: unknown option '" .. tostring(k) .. "'", 2) end
  end
  if opts.model == nil then error("ratio.llm: model is required", 2) end
  if type(opts.model) ~= "string" then error("ratio.llm: model must be a string", 2) end
  local provider = load_provider(opts.provider or "openai")
  local key_env = opts.api_key_env or provider.key_env
  local urls = opts.base_url
  local flags = opts.flags or {}
  local url_from = flags.base_url -- where the URL came from, for the messages below
  if urls == nil then
    local env = opts.base_url_env or provider.base_url_env
    urls = env and os.getenv(env) or nil
    if urls == nil or urls == "" then
      urls = provider.default_base_url
      url_from = url_from and (url_from .. " (empty, so the " .. provider.name .. " default)")
    else
      url_from = "$" .. env .. (flags.base_url and (" (" .. flags.base_url .. " is empty)") or "")
    end
  end
  if type(urls) == "string" then urls = {urls} end
  if type(urls) ~= "table" or #urls == 0 then error("ratio.llm: base_url must be a URL or a list", 2) end
  local bad, why = M.unsupported_setting(provider, opts.params)
  if bad then error(("ratio.llm: %s: %s"):format(bad, why), 2) end
  local cap = opts.concurrency or 16
  if math.type(cap) ~= "integer" or cap < 1 then error("ratio.llm: concurrency must be an integer >= 1", 2) end
  local endpoints = {}
  check_config(opts, provider, urls, url_from, key_env)
  if key_env then redact.secret(os.getenv(key_env)) end
  for i, u in ipairs(urls) do
    endpoints[i] = new_endpoint(u, cap)
    redact.secret(u:match("^%a[%w+.-]*://[^/?#@:]*:([^/?#@]*)@")) -- a URL password, wherever echoed
  end
  local self = setmetatable({
    provider = provider,
    model = opts.model,
    name = opts.name or opts.model,
    key_env = key_env,
    endpoints = endpoints,
    turn = 0, -- where acquire starts looking: ties between endpoints go round
    waiters = rsched.fifo(), -- tasks waiting for room
    rpm = new_bucket(opts.rpm, opts.burst_seconds),
    tpm = new_bucket(opts.tpm, opts.burst_seconds),
    max_tries = opts.max_tries or 6,
    timeout_ms = opts.timeout_ms or 300000,
    connect_timeout_ms = opts.connect_timeout_ms or 10000,
    max_reply_bytes = opts.max_reply_bytes or 64 * 1024 * 1024,
    backoff_ms = opts.backoff_ms or 500,
    max_backoff_ms = opts.max_backoff_ms or 30000,
    rest_after = opts.rest_after or 3,
    adaptive = opts.adaptive or false,
    use_cache = opts.cache ~= false,
    cache_wait = opts.cache_wait ~= false,
    raise = opts.raise or false,
    params = opts.params or {},
    prices = opts.prices or prices.lookup(opts.model),
    http_version = opts.http_version,
    adapt = {gen = 0}, -- what the provider learnt about this model from its 400s (provider.adapt)
    flags = flags,
    flights = {}, flight_keys = 0, flights_live = 0, -- single flight (see single_flight)
    key_parts = key_parts(provider, opts.model), -- (see call_key)
  }, Client)
  if not self.prices then usage_of(self.name).priced = false end
  local models = state.manifest.models or {}
  local seen = false
  for _, m in ipairs(models) do seen = seen or (m.name == self.name) end
  if not seen then
    models[#models + 1] = {name = self.name, model = self.model, provider = provider.name}
    state.manifest.models = models
  end
  return self
end

local function key(self)
  local k = self.key_env and os.getenv(self.key_env)
  if k == "" then return nil end
  redact.secret(k) -- a key in use never leaves, even through a provider's echo of it
  return k
end

-- The fields of every HTTP request this client sends (the environment, and so the key, does not
-- change during a run), in one table: http.request reads it before it yields, so each try only
-- sets url and body. And the URL of each path on each endpoint, made once.
local function request_of(self)
  local req = self.req
  if not req then
    req = {method = "POST", headers = self.provider.headers(key(self)), timeout_ms = self.timeout_ms,
           connect_timeout_ms = self.connect_timeout_ms, max_bytes = self.max_reply_bytes,
           http_version = self.http_version, reply_headers = false} -- (retry_after_ms is read)
    self.req = req
  end
  return req
end

local function url_of(ep, path)
  local url = ep.urls[path]
  if not url then
    url = ep.url .. path
    ep.urls[path] = url
  end
  return url
end

-- Waits for an endpoint with room: least outstanding requests first, ties taken in turn (so
-- calls spread evenly also when fewer are in flight than there are endpoints), rested ones
-- skipped, and one back from a rest on probation: one call at a time until one succeeds.
function Client:acquire()
  local eps = self.endpoints
  local n = #eps
  while true do
    local now, best, soonest = sched.now(), nil, math.huge
    local turn = self.turn
    for k = 1, n do
      local ep = eps[(turn + k - 1) % n + 1]
      if ep.rested_until > now then
        soonest = math.min(soonest, ep.rested_until)
      elseif ep.inflight + 1 <= (ep.probation and 1 or ep.limit) -- (an adaptive limit is fractional)
          and (not best or ep.inflight < best.inflight) then
        best = ep
      end
    end
    if best then
      self.turn = (turn + 1) % n
      best.inflight = best.inflight + 1
      best.calls = best.calls + 1
      return best
    end
    if soonest < math.huge and self.waiters.n == 0 then
      sched.sleep(math.max(1, soonest - now))
    else
      self.waiters:push(sched.current())
      sched.suspend()
    end
  end
end

function Client:release(ep)
  ep.inflight = ep.inflight - 1
  local co = self.waiters:pop()
  if co then sched.wake(co) end
end

-- client:endpoint_stats() -> one {calls, failures, rests, inflight} per base URL, in order (no
-- URL: it may hold a password).
function Client:endpoint_stats()
  local out = {}
  for i, ep in ipairs(self.endpoints) do
    out[i] = {calls = ep.calls, failures = ep.failures, rests = ep.rests, inflight = ep.inflight}
  end
  return out
end

local function note_success(self, ep)
  self.ever_ok = true
  ep.fails, ep.rest_ms, ep.probation = 0, 0, false
  if self.adaptive and ep.limit < ep.cap then ep.limit = math.min(ep.cap, ep.limit + 1 / ep.limit) end
end

local function note_failure(self, ep, rate_limited)
  if rate_limited then
    local u = usage_of(self.name)
    u.rate_limited = u.rate_limited + 1
    if self.adaptive then ep.limit = math.max(1, ep.limit / 2) end
    return
  end
  ep.failures = ep.failures + 1
  if ep.rested_until > sched.now() then return end -- calls sent before the rest do not prolong it
  ep.fails = ep.fails + 1
  -- rest after rest_after failures in a row, or at once when the one call of a probation fails
  if (ep.fails >= self.rest_after or ep.probation) and #self.endpoints > 1 then
    ep.rest_ms = math.min(math.max(ep.rest_ms * 2, 2000), 60000)
    ep.rested_until = sched.now() + ep.rest_ms
    ep.fails, ep.probation, ep.rests = 0, true, ep.rests + 1
  end
end

local RETRY_STATUS = {[408] = true, [409] = true, [425] = true, [429] = true, [500] = true,
                      [502] = true, [503] = true, [504] = true, [520] = true, [522] = true,
                      [524] = true, [529] = true}
local RETRY_CODE = {ETIMEDOUT = true, ECONNRESET = true, ECONNREFUSED = true, EOTHER = true,
                    EMALFORMED = true}

-- Replies are read field by field: no key-order list (json.keys) for them.
local NO_KEYS = {keys = false}

-- What a request will cost in tokens, for the tokens-per-minute bucket (only made when there is
-- one): its JSON's length over four, plus the tokens it may generate.
local function estimate_tokens(body, params)
  return #assert(json.encode(body)) // 4 + (math.tointeger(params.max_tokens) or 0)
end

-- Codes of failures no retry can cure: a refusal (the model's answer), quota exhaustion.
local TERMINAL = {EREFUSED = true, EQUOTA = true}

-- The wait a 429/5xx asks for, in ms: `retry-after-ms` (OpenAI's and Anthropic's SDKs read it
-- first) before `retry-after` (seconds or an HTTP date); nil when neither is usable.
local function retry_wait_ms(resp)
  local ms = resp.retry_after_ms or tonumber(resp.headers and resp.headers["retry-after-ms"] or nil)
  if ms and ms > 0 and ms == ms then return math.min(ms, 600000) end
  if resp.retry_after then return math.min(resp.retry_after * 1000, 600000) end
  return nil
end
M._retry_wait_ms = retry_wait_ms -- for the tests

-- One logical call: tries until success, a permanent failure or max_tries.
-- `kind` is "chat" or "embed"; map(decoded) turns a reply body into the result or nil, message
-- [, code] (a TERMINAL code ends the call at once). A chat reply goes first to the provider's
-- chat_reply_text(text), when it has one: a reading of the reply's text that answers as map
-- would, or false to leave the reply to the decoder and map. rebuild(self, rstate), when given,
-- makes the request again after the provider adapted to a 400 (see provider.adapt): that resend
-- counts as a try and waits for no backoff.
function Client:call(kind, path, body, map, params, rebuild, rstate)
  local estimate = self.tpm and estimate_tokens(body, params) or 0
  local quick = kind == "chat" and self.provider.chat_reply_text
  local built_gen = self.adapt.gen
  local req = request_of(self)
  local u = usage_of(self.name)
  local last_msg, last_code = "no attempt made", "EOTHER"
  -- The time this call spent on the endpoint's account: waiting for its rate limits and
  -- concurrency cap (queue_ms), in HTTP exchanges as curl timed them, and backing off after its
  -- errors. What is left of the caller's wait is ratio's own work.
  local queue_ms, endpoint_ms = 0, 0
  for try = 1, self.max_tries do
    if try > 1 then u.retries = u.retries + 1 end
    local tq = sched.now()
    if self.rpm then self.rpm:take(1) end
    if self.tpm then self.tpm:take(estimate) end
    local ep = self:acquire()
    local t0 = sched.now()
    queue_ms = queue_ms + (t0 - tq)
    req.url, req.json = url_of(ep, path), body -- encoded by http.request, into libcurl's buffer
    local resp, err, code = http.request(req)
    self:release(ep)
    endpoint_ms = endpoint_ms + (resp and resp.ms or sched.now() - t0)
    local wait_ms
    if resp and resp.status == 200 then
      local result, merr, mcode = false, nil, nil
      if quick then result, merr, mcode = quick(resp.body) end
      if result == false then
        local decoded, jerr = json.decode(resp.body, NO_KEYS)
        if decoded == nil then
          result, merr = nil, "reply is not valid JSON (" .. jerr .. ")"
        else
          result, merr, mcode = map(decoded)
        end
      end
      if result then
        note_success(self, ep)
        result.latency_ms = sched.now() - t0
        result.queue_ms, result.endpoint_ms = queue_ms, queue_ms + endpoint_ms
        if self.tpm then
          self.tpm:charge(result.usage.input_tokens + result.usage.output_tokens - estimate)
        end
        return result
      end
      last_msg, last_code = merr, mcode or "EMALFORMED"
      if TERMINAL[last_code] then
        return nil, last_msg, last_code
      end
      note_failure(self, ep, false)
    elseif resp then
      local decoded = json.decode(resp.body, NO_KEYS)
      local text = self.provider.error_text(decoded) or resp.body:sub(1, 300)
      last_msg = ("HTTP %d from %s: %s"):format(resp.status, self.provider.name, text)
      last_code = (self.provider.error_code and self.provider.error_code(resp.status, decoded))
        or "HTTP" .. resp.status
      if self.tpm then self.tpm:charge(-estimate) end -- nothing was generated
      local adapted = rebuild and self.provider.adapt and self.provider.adapt(resp.status, decoded, self.adapt)
      if adapted then
        self.adapt.gen = self.adapt.gen + 1
        io.stderr:write(("ratio: %s answered HTTP %d (%s); from now on this client %s\n"):format(
          self.name == self.model and self.model or ("%s (%s)"):format(self.name, self.model),
          resp.status, redact.text(text), adapted))
      end
      if rebuild and resp.status == 400 and self.adapt.gen ~= built_gen then
        -- Adapted now, or by another call while this one was in flight: send it as it now goes.
        path, body = rebuild(self, rstate)
        estimate = self.tpm and estimate_tokens(body, params) or 0
        built_gen = self.adapt.gen
        wait_ms = 0
      elseif TERMINAL[last_code] or not RETRY_STATUS[resp.status] then
        return nil, last_msg, last_code
      else
        note_failure(self, ep, resp.status == 429)
        wait_ms = retry_wait_ms(resp)
      end
    else
      last_msg, last_code = ("%s: %s"):format(ep.url, err), code
      if self.tpm then self.tpm:charge(-estimate) end
      if not RETRY_CODE[code] then return nil, last_msg, last_code end
      -- Refused before this client ever got an answer: a wrong port or a server not started, which
      -- waiting will not mend; three quick tries, not six slow ones, before the run hears of it.
      if code == "ECONNREFUSED" and not self.ever_ok and try >= 3 then
        return nil, ("gave up after %d tries: %s"):format(try, last_msg), last_code
      end
      note_failure(self, ep, false)
    end
    if try < self.max_tries then
      if not wait_ms then
        -- Full jitter: a random wait up to the exponential bound, so retries do not align.
        local bound = math.min(self.max_backoff_ms, self.backoff_ms * 2 ^ (try - 1))
        wait_ms = bound / 2 + math.random() * bound / 2
      end
      local ts = sched.now()
      if wait_ms > 0 then sched.sleep(wait_ms) end
      endpoint_ms = endpoint_ms + (sched.now() - ts)
    end
  end
  return nil, ("gave up after %d tries: %s"):format(self.max_tries, last_msg), last_code
end

-- The settings of one call: the client's, overridden by the call's own, without `sample` and
-- `cache` (options of the call, not settings a provider sends). When only one side has any, that
-- table serves as it is: the call reads its settings and never writes them.
local NO_OPTS = setmetatable({}, {__newindex = function()
  error("ratio.llm: a call's settings are read-only (a provider wrote into params)", 2)
end})
local function merged_params(self, opts)
  local mine = self.params
  if next(mine) == nil and opts.sample == nil and opts.cache == nil then return opts end
  if next(opts) == nil and mine.sample == nil and mine.cache == nil then return mine end
  local params = {}
  for k, v in pairs(mine) do params[k] = v end
  for k, v in pairs(opts) do params[k] = v end
  params.sample, params.cache = nil, nil
  return params
end

local function cost_of(self, usage_)
  if not self.prices or type(usage_) ~= "table" then return nil end
  return ((usage_.input_tokens or 0) * self.prices.input + (usage_.output_tokens or 0) * self.prices.output) / 1e6
end

-- how: "paid" (a reply this call paid for), "cached" (from the call cache: its original tokens and
-- cost count as saved) or "shared" (the reply of an identical call in flight: not paid twice).
local function account(self, reply, how)
  local u = usage_of(self.name)
  u.calls = u.calls + 1
  if not self.prices then u.priced = false end
  if how == "shared" then
    u.shared = u.shared + 1
    return
  end
  local ru = type(reply.usage) == "table" and reply.usage or {}
  if how == "cached" then
    u.cached = u.cached + 1
    u.saved_input_tokens = u.saved_input_tokens + (ru.input_tokens or 0)
    u.saved_output_tokens = u.saved_output_tokens + (ru.output_tokens or 0)
    -- The cost kept in the row at the time (prices change); else today's price.
    u.saved_cost = u.saved_cost + (tonumber(reply.cost_usd) or cost_of(self, ru) or 0)
    return
  end
  u.input_tokens = u.input_tokens + reply.usage.input_tokens
  u.output_tokens = u.output_tokens + reply.usage.output_tokens
  u.reasoning_tokens = u.reasoning_tokens + (reply.usage.reasoning_tokens or 0)
  u.cost = u.cost + (cost_of(self, reply.usage) or 0)
end

-- Causes that no retry and no other item will mend: a bad key, a forbidden model, an unknown
-- model or path, nobody listening, quota gone, an --offline cache miss. When the first calls of a
-- client all fail with one of them, the run stops instead of failing every item the same way.
local FATAL = {HTTP401 = "the API key (%s)", HTTP403 = "the API key's access to this model (%s)",
               HTTP404 = "the model name (%s) and the base URL (%s)",
               ECONNREFUSED = "the base URL (%s): is the server running?",
               ERESOLVE = "the base URL's host name (%s)", ETLS = "the base URL (%s): TLS failed",
               EQUOTA = "the account's quota or billing (%s)",
               EOFFLINE = "the cache: it holds none of these calls (--cache, or run without --offline)"}
M.STOP_AFTER = 3

local function stop_early(self, msg, code)
  if M.stopped then return end
  M.stopped = true
  local f = self.flags
  local hint = FATAL[code]
  if code == "HTTP401" or code == "HTTP403" or code == "EQUOTA" then
    hint = hint:format(self.key_env and ("$" .. self.key_env) or "none set")
  elseif code == "HTTP404" then
    hint = hint:format(f.model or "model", f.base_url or "base_url")
  elseif code ~= "EOFFLINE" then
    hint = hint:format(f.base_url or "base_url")
  end
  sched.stop(1, ("stopped early: the first %d calls to %s all failed and none succeeded: %s (check %s)"):format(
    M.STOP_AFTER, self.name, msg, hint))
end

-- Every call that fails for good ends here: redacted, counted, recorded for the run's failure
-- summary (a refusal is the model's answer, not a failure of the run), and watched for a
-- misconfiguration that would fail every call.
local function fail(self, msg, code)
  msg = redact.text(msg)
  local u = usage_of(self.name)
  u.calls = u.calls + 1
  u.failed = u.failed + 1
  if code ~= "EREFUSED" and not state.serving then
    failures.record(("%s: %s"):format(self.name, msg), rsched.context())
    if FATAL[code] and not self.ever_ok then
      local f = self.fatal
      if f and f.code == code then f.n = f.n + 1 else self.fatal = {code = code, n = 1} end
      if self.fatal.n >= M.STOP_AFTER then stop_early(self, msg, code) end
    end
  end
  if self.raise then error(("%s: %s"):format(self.name, msg), 3) end
  return nil, msg, code
end

-- The key of a call, for the cache and the single flight: a digest of the canonical request, what
-- determines the reply, never the key or the URL. The canonical request is the JSON object
--   {"kind":_,"model":_,"params":_,"payload":_,"provider":_,"sample":_,"v":1}
-- (json.encode's text of such a table: keys in order), hashed from its pieces rather than written
-- out. The payload (the messages, or the texts) is most of a call's bytes: sys.sha256 writes a
-- table piece's JSON into a buffer of its own and hashes it there, so no 2 KB Lua string is made
-- for it (fresh memory for every call, kept until the collector frees it: at 1,024 calls in
-- flight, writing it cost more than encoding it again into the request's body). (The digest costs
-- less than the 2 KB text would as a table key: Lua hashes a long key byte by byte.) The digest
-- comes raw, a short string, which Lua interns, so the single flight's table compares keys by
-- identity.
--
-- The cache's key is the SHA-256, in hex (sys.hex). A call that no cache keeps needs its key only
-- for the single flight, and gets XXH3's 128-bit hash instead (`checked`: some twenty times
-- cheaper on a 2 KB request, 3% of the client's CPU at 1,024 calls in flight): it is no defence
-- against collisions made on purpose, so a call that finds another in flight under its key joins
-- it only when their canonical requests have the same SHA-256, the cache's own test of sameness
-- (same_request).
--
-- key_pieces -> the canonical request in pieces, as sys.sha256 and sys.xxh128 take them.
local function key_pieces(self, kind, payload, params, sample)
  -- The settings that make the key: params itself when every one of its keys is such a setting
  -- and nothing (a metatable) could make json.encode read it otherwise (the common call: no new
  -- table for it), else a copy of those keys.
  local names, sampling = self.key_parts.settings[kind], params
  if getmetatable(params) == nil then
    for k in next, params do
      if not names[k] then sampling = nil break end
    end
  else
    sampling = nil
  end
  if not sampling then
    sampling = {}
    for k, v in pairs(params) do
      if names[k] then sampling[k] = v end
    end
  end
  -- The key holds the request as the caller asked for it, not as it was sent after an adaptation
  -- (provider.adapt: max_completion_tokens, a setting left out): the adaptation is the same for
  -- every request to this model, so each request still has one key, and a cache filled before
  -- or after the adaptation answers the same asks.
  local tail = self.key_parts.tail
  if sample ~= nil and not (math.type(sample) == "integer" and sample == 0) then
    tail = key_tail(self.provider.name, sample)
  end
  return self.key_parts.heads[kind], sampling, ',"payload":', payload, tail
end

local function call_key(self, kind, payload, params, sample, checked)
  return (checked and sys.xxh128 or sys.sha256_raw)(key_pieces(self, kind, payload, params, sample))
end
M._call_key = function(...) return sys.hex(call_key(...)) end -- for the tests: the cache's key

-- Are two calls' canonical requests the same? (c: see Client:chat and Client:embed.)
local function same_request(self, a, b)
  local function key(c) return call_key(self, c.kind, c.messages or c.texts, c.params, c.sample) end
  return a.kind == b.kind and key(a) == key(b)
end

-- Single flight: identical calls in flight (same canonical request) are sent once. The first
-- caller makes the call; the others wait for it and get the same reply (a copy) or the same
-- failure. fetch(self, c) -> reply | nil, message, code; c is the call's own table (see
-- Client:chat), which also records the flight: reply, msg, code, and the event its waiters wait on.
--
-- self.flights maps each canonical request to its call in flight, or to false once that call is
-- over: a finished call's key is not removed, because Lua reuses the node of a removed key only
-- for a new key whose main position is that very node. A table whose keys come and go at a steady
-- count (the calls in flight) then has no free node left after a while and rehashes on nearly
-- every insertion: at 1,024 calls in flight that was a third of the client's instructions, and
-- it grows with the calls in flight. Here the table only ever grows, and is rebuilt with the
-- live calls once the finished ones outnumber them (amortised O(1) per call).
local function single_flight(self, key, fetch, c)
  local flight = self.flights[key]
  if flight and c.checked and not same_request(self, flight, c) then
    -- Two requests with one XXH3 hash (made on purpose: it is no defence against that): this one
    -- goes on its own, outside the flight.
    local reply, msg, code = fetch(self, c)
    return reply, msg, code, false
  end
  if flight then
    flight.event = flight.event or rsched.event() -- only a call that has waiters needs one
    flight.event:wait()
    return flight.reply, flight.msg, flight.code, true
  end
  if flight == nil then self.flight_keys = self.flight_keys + 1 end
  self.flights[key] = c
  self.flights_live = self.flights_live + 1
  local ok, reply, msg, code = xpcall(fetch, errors.handler, self, c)
  self.flights[key] = false -- (self.flights may be another table by now: it holds key all the same)
  local live = self.flights_live - 1
  self.flights_live = live
  if self.flight_keys > 2 * live + 64 then
    local fresh = {}
    for k, f in pairs(self.flights) do
      if f then fresh[k] = f end
    end
    self.flights, self.flight_keys = fresh, live
  end
  if ok then
    c.reply, c.msg, c.code = reply, msg, code
  else
    c.msg, c.code = errors.describe(reply), "EOTHER"
  end
  if c.event then c.event:set() end
  if not ok then error(reply, 0) end
  return reply, msg, code, false
end

local function copy(t)
  if type(t) ~= "table" then return t end
  local out = {}
  for k, v in pairs(t) do out[k] = copy(v) end
  return setmetatable(out, getmetatable(t))
end

-- The body of a chat call (c: see Client:chat): the provider's request, with extra_body
-- (--judge-extra-body '{"chat_template_kwargs": ...}') merged over it as the OpenAI SDKs'
-- extra_body does (its top-level fields win over ratio's own). Also what a call sends again after
-- the provider adapted.
local function build_chat(self, c)
  local path, body = self.provider.chat_request(self.model, c.messages, c.params, self.adapt)
  local extra = c.params.extra_body
  if type(extra) == "table" then
    for k, v in pairs(extra) do body[k] = v end
  end
  return path, body
end

local function fetch_chat(self, c)
  local path, body = build_chat(self, c)
  local reply, msg, code = self:call("chat", path, body, self.provider.chat_reply, c.params, build_chat, c)
  if not reply then return nil, msg, code end
  if c.use_cache then
    -- Wait for the batched commit, so a result the recipe sees is always one the cache keeps
    -- (unless the client was made with cache_wait = false). The row keeps what the call cost,
    -- so a rerun can say what the cache saved.
    cache.put(c.key, assert(json.encode({text = reply.text, reasoning = reply.reasoning,
      finish_reason = reply.finish_reason, model = reply.model, usage = reply.usage,
      cost_usd = cost_of(self, reply.usage)})),
      {model = self.model, provider = self.provider.name, input_tokens = reply.usage.input_tokens,
       output_tokens = reply.usage.output_tokens, latency_ms = reply.latency_ms},
      {wait = self.cache_wait})
  end
  return reply
end

-- client:chat(messages, opts) -> reply | nil, message, code
-- opts: sampling parameters (temperature, max_tokens, ...), sample = i (a distinct cached sample
-- of the same request), cache = false (skip the cache for this call).
function Client:chat(messages, opts)
  if type(messages) == "string" then messages = {{role = "user", content = messages}} end
  if type(messages) ~= "table" or #messages == 0 then error("chat: expected a list of messages", 2) end
  opts = opts or NO_OPTS
  local params = merged_params(self, opts)
  local sample = opts.sample
  if sample == nil then sample = self.params.sample end
  local use_cache = self.use_cache and opts.cache ~= false and cache.enabled()
  -- The canonical request keys the cache and, even under --no-cache, the single flight; a call
  -- made with cache = false wants a fresh reply and shares none.
  local k = opts.cache ~= false and call_key(self, "chat", messages, params, sample, not use_cache)
  local cache_key = use_cache and sys.hex(k)
  if use_cache then
    local hit = cache.get(cache_key)
    if hit then
      local reply = json.decode(hit.value)
      if reply then
        reply.cached = true
        self.ever_ok = true
        account(self, reply, "cached")
        reply.cost_usd = nil
        return reply
      end
    end
    if state.options.offline then
      return fail(self, "offline: no cached reply for this request (run without --offline to call the API)", "EOFFLINE")
    end
  elseif state.options.offline and self.use_cache then
    return fail(self, "offline: this call bypasses the cache, so it would need the network", "EOFFLINE")
  end
  -- The call's own state, handed to fetch_chat and build_chat (no closures made per call), and
  -- its record in the single flight.
  local c = {kind = "chat", messages = messages, params = params, sample = sample, key = cache_key,
             use_cache = use_cache, checked = not use_cache}
  local reply, msg, code, shared
  if k then reply, msg, code, shared = single_flight(self, k, fetch_chat, c) else reply, msg, code = fetch_chat(self, c) end
  if not reply then return fail(self, msg, code) end
  if shared then
    reply = copy(reply)
    reply.shared = true
  end
  account(self, reply, shared and "shared" or "paid")
  reply.cached = false
  return reply
end

local function fetch_embed(self, c)
  local path, body = self.provider.embed_request(self.model, c.texts, c.params)
  if not path then return nil, body, "EUNSUPPORTED" end
  local n = #c.texts
  local r, msg, code = self:call("embed", path, body, function(b) return self.provider.embed_reply(b, n) end, {})
  if not r then return nil, msg, code end
  if c.use_cache then
    cache.put(c.key, assert(json.encode({vectors = r.vectors, usage = r.usage, cost_usd = cost_of(self, r.usage)})),
      {model = self.model, provider = self.provider.name, input_tokens = r.usage.input_tokens,
       output_tokens = 0, latency_ms = r.latency_ms}, {wait = self.cache_wait})
  end
  return r
end

-- client:embed(texts, opts) -> list of vectors (list of numbers) | nil, message, code
function Client:embed(texts, opts)
  if type(texts) == "string" then texts = {texts} end
  if type(texts) ~= "table" or #texts == 0 then error("embed: expected a list of strings", 2) end
  opts = opts or NO_OPTS
  local params = merged_params(self, opts)
  local use_cache = self.use_cache and opts.cache ~= false and cache.enabled()
  local k = opts.cache ~= false and call_key(self, "embed", texts, params, nil, not use_cache)
  local cache_key = use_cache and sys.hex(k)
  if use_cache then
    local hit = cache.get(cache_key)
    if hit then
      local r = json.decode(hit.value)
      if r then
        self.ever_ok = true
        account(self, r, "cached")
        return r.vectors
      end
    end
    if state.options.offline then
      return fail(self, "offline: no cached embeddings for this request", "EOFFLINE")
    end
  end
  local c = {kind = "embed", texts = texts, params = params, key = cache_key, use_cache = use_cache,
             checked = not use_cache}
  local r, msg, code, shared
  if k then r, msg, code, shared = single_flight(self, k, fetch_embed, c) else r, msg, code = fetch_embed(self, c) end
  if not r then return fail(self, msg, code) end
  account(self, r, shared and "shared" or "paid")
  return shared and copy(r.vectors) or r.vectors
end

-- The generation settings a flag family carries (ratio.flags: --judge-temperature, ...), sent
-- only when set.
M.SETTINGS = {"temperature", "max_tokens", "top_p", "seed", "reasoning_effort", "stop", "extra_body"}

-- from_params(p, family [, extra]) -> client from a recipe's flags of one family (ratio.flags):
-- family "judge" reads --judge-provider, --judge-model, --judge-base-url (empty = $OPENAI_BASE_URL,
-- else the provider's default) and the settings --judge-temperature, --judge-max-tokens,
-- --judge-top-p, --judge-seed, --judge-reasoning-effort, --judge-stop, --judge-extra-body; the
-- same for "metajudge", "llm" and "embed". Also the shared --concurrency and --rpm (0 = no limit)
-- when the recipe declares them. extra: more client options (extra.params are merged over the
-- settings). An empty model or a base URL without http(s):// ends the run with a usage error
-- naming the flag. (A prefix with a trailing "_", e.g. "judge_", is read as its family.)
function M.from_params(p, family, extra)
  family = (family or ""):gsub("_$", "")
  local prefix = family == "" and "" or family .. "_"
  local function opt(k) return rawget(p, k) end -- a flag the recipe did not declare is nil
  local function flag(k) return "--" .. (prefix .. k):gsub("_", "-") end
  local model = extra and extra.model or opt(prefix .. "model")
  if model == nil or model == "" then errors.usage(flag("model") .. ": is required") end
  local rpm = opt("rpm")
  local urls -- several base URLs, comma-separated, are used least-busy first
  for u in (opt(prefix .. "base_url") or ""):gmatch("[^,%s]+") do -- M.new checks each, naming the flag
    urls = urls or {}
    urls[#urls + 1] = u
  end
  local params = {}
  if family ~= "" then -- unprefixed settings flags (--seed, ...) belong to the recipe, not the LLM
    for _, k in ipairs(M.SETTINGS) do params[k] = opt(prefix .. k) end
  end
  if type(params.stop) == "table" and #params.stop == 0 then params.stop = nil end
  local opts = {provider = opt(prefix .. "provider"), model = model, base_url = urls, max_tries = opt(prefix .. "max_tries"),
                concurrency = opt("concurrency"), rpm = rpm and rpm > 0 and rpm or nil, params = params,
                flags = {model = flag("model"), base_url = flag("base_url"), provider = flag("provider")}}
  for k, v in pairs(extra or {}) do
    if k == "params" then
      for pk, pv in pairs(v) do params[pk] = pv end
    else
      opts[k] = v
    end
  end
  local bad, why = M.unsupported_setting(load_provider(opts.provider or "openai"), params)
  if bad then errors.usage(("%s: %s"):format(flag(bad), why)) end
  return M.new(opts)
end

return setmetatable(M, {__call = function(_, opts) return M.new(opts) end})
