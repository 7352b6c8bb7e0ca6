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

local M = {}

---------------------------------------------------------------------------------------------------
-- Usage and cost, per model, for the summary and the progress line.

local usage = {} -- model -> {calls, cached, failed, retries, input_tokens, output_tokens, cost}
local usage_order = {}

local function usage_of(model)
  local u = usage[model]
  if not u then
    u = {calls = 0, cached = 0, failed = 0, retries = 0, input_tokens = 0, output_tokens = 0,
         cost = 0.0, priced = true}
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

-- ratio.llm.usage() -> {model = {calls, cached, failed, retries, input_tokens, output_tokens, cost}}
function M.usage()
  local out = {}
  for _, model in ipairs(usage_order) do
    local u = usage[model]
    out[model] = {calls = u.calls, cached = u.cached, failed = u.failed, retries = u.retries,
                  input_tokens = u.input_tokens, output_tokens = u.output_tokens,
                  cost_usd = u.priced and u.cost or json.null}
  end
  return out
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
  return setmetatable({url = url:gsub("/+$", ""), inflight = 0, cap = cap, limit = cap,
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
  max_backoff_ms = true, rest_after = true, http_version = true, name = true,
}

local function load_provider(name)
  local ok, p = pcall(require, "providers." .. name)
  if not ok then
    error(("ratio.llm: unknown provider '%s' (plugins/providers/%s.lua): %s"):format(name, name, tostring(p)), 3)
  end
  return p
end

-- ratio.llm{...} -> client. See the top of this file and docs/api.md for the options.
function M.new(opts)
  if type(opts) ~= "table" then error("ratio.llm: expected a table of options", 2) end
  for k in pairs(opts) do
    if not OPTIONS[k] then error("ratio.llm: unknown option '" .. tostring(k) .. "'", 2) end
  end
  if type(opts.model) ~= "string" or opts.model == "" then error("ratio.llm: model is required", 2) end
  local provider = load_provider(opts.provider or "openai")
  local key_env = opts.api_key_env or provider.key_env
  local urls = opts.base_url
  if urls == nil then
    local env = opts.base_url_env or provider.base_url_env
    urls = env and os.getenv(env) or nil
    if urls == nil or urls == "" then urls = provider.default_base_url end
  end
  if type(urls) == "string" then urls = {urls} end
  if type(urls) ~= "table" or #urls == 0 then error("ratio.llm: base_url must be a URL or a list", 2) end
  local cap = opts.concurrency or 16
  if math.type(cap) ~= "integer" or cap < 1 then error("ratio.llm: concurrency must be an integer >= 1", 2) end
  local endpoints = {}
  for i, u in ipairs(urls) do
    if type(u) ~= "string" or not u:match("^https?://") then
      error(("ratio.llm: base_url %d is not an http(s) URL: %s"):format(i, tostring(u)), 2)
    end
    endpoints[i] = new_endpoint(u, cap)
  end
  local self = setmetatable({
    provider = provider,
    model = opts.model,
    name = opts.name or opts.model,
    key_env = key_env,
    endpoints = endpoints,
    turn = 0, -- where acquire starts looking: ties between endpoints go round
    waiters = {}, wait_head = 1, wait_tail = 0, -- FIFO of tasks waiting for room
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
  }, Client)
  usage_of(self.name)
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
  return k ~= "" and k or nil
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
      elseif ep.inflight < (ep.probation and 1 or math.floor(ep.limit))
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
    if soonest < math.huge and self.wait_head > self.wait_tail then
      sched.sleep(math.max(1, soonest - now))
    else
      self.wait_tail = self.wait_tail + 1
      self.waiters[self.wait_tail] = sched.current()
      sched.suspend()
    end
  end
end

function Client:release(ep)
  ep.inflight = ep.inflight - 1
  local h = self.wait_head
  if h <= self.wait_tail then
    local co = self.waiters[h]
    self.waiters[h] = nil
    self.wait_head = h + 1
    sched.wake(co)
  end
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
  ep.fails, ep.rest_ms, ep.probation = 0, 0, false
  if self.adaptive and ep.limit < ep.cap then ep.limit = math.min(ep.cap, ep.limit + 1 / ep.limit) end
end

local function note_failure(self, ep, rate_limited)
  if rate_limited then
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

local function estimate_tokens(body_text, params)
  return #body_text // 4 + (math.tointeger(params.max_tokens) or 0)
end

-- One logical call: tries until success, a permanent failure or max_tries.
-- `kind` is "chat" or "embed"; map(decoded) turns a reply body into the result or nil, message.
function Client:call(kind, path, body, map, params)
  local body_text = assert(json.encode(body))
  local headers = self.provider.headers(key(self))
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
    local estimate = estimate_tokens(body_text, params)
    if self.tpm then self.tpm:take(estimate) end
    local ep = self:acquire()
    local t0 = sched.now()
    queue_ms = queue_ms + (t0 - tq)
    local resp, err, code = http.request{
      method = "POST", url = ep.url .. path, headers = headers, body = body_text,
      timeout_ms = self.timeout_ms, connect_timeout_ms = self.connect_timeout_ms,
      max_bytes = self.max_reply_bytes, http_version = self.http_version,
    }
    self:release(ep)
    endpoint_ms = endpoint_ms + (resp and resp.ms or sched.now() - t0)
    local wait_ms
    if resp and resp.status == 200 then
      local decoded, jerr = json.decode(resp.body)
      local result, merr
      if decoded == nil then
        merr = "reply is not valid JSON (" .. jerr .. ")"
      else
        result, merr = map(decoded)
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
      last_msg, last_code = merr, "EMALFORMED"
      note_failure(self, ep, false)
    elseif resp then
      local decoded = json.decode(resp.body)
      local text = self.provider.error_text(decoded) or resp.body:sub(1, 300)
      last_msg = ("HTTP %d from %s: %s"):format(resp.status, self.provider.name, text)
      last_code = "HTTP" .. resp.status
      if self.tpm then self.tpm:charge(-estimate) end -- nothing was generated
      if not RETRY_STATUS[resp.status] then
        return nil, last_msg, last_code
      end
      note_failure(self, ep, resp.status == 429)
      if resp.retry_after then wait_ms = math.min(resp.retry_after * 1000, 600000) end
    else
      last_msg, last_code = ("%s: %s"):format(ep.url, err), code
      if self.tpm then self.tpm:charge(-estimate) end
      if not RETRY_CODE[code] then return nil, last_msg, last_code end
      note_failure(self, ep, false)
    end
    if try < self.max_tries then
      if not wait_ms then
        -- Full jitter: a random wait up to the exponential bound, so retries do not align.
        local bound = math.min(self.max_backoff_ms, self.backoff_ms * 2 ^ (try - 1))
        wait_ms = bound / 2 + math.random() * bound / 2
      end
      local ts = sched.now()
      sched.sleep(wait_ms)
      endpoint_ms = endpoint_ms + (sched.now() - ts)
    end
  end
  return nil, ("gave up after %d tries: %s"):format(self.max_tries, last_msg), last_code
end

local function merged_params(self, opts)
  local params = {}
  for k, v in pairs(self.params) do params[k] = v end
  for k, v in pairs(opts or {}) do params[k] = v end
  return params
end

local function account(self, reply, cached)
  local u = usage_of(self.name)
  u.calls = u.calls + 1
  if cached then
    u.cached = u.cached + 1
    return
  end
  u.input_tokens = u.input_tokens + reply.usage.input_tokens
  u.output_tokens = u.output_tokens + reply.usage.output_tokens
  if self.prices then
    u.cost = u.cost + (reply.usage.input_tokens * self.prices.input
      + reply.usage.output_tokens * self.prices.output) / 1e6
  else
    u.priced = false
  end
end

local function fail(self, msg, code)
  local u = usage_of(self.name)
  u.failed = u.failed + 1
  if self.raise then error(("%s: %s"):format(self.name, msg), 3) end
  return nil, msg, code
end

-- Canonical request for the cache key: what determines the reply, never the key or the URL.
local function cache_key(self, kind, payload, params, sample)
  local sampling = {}
  for _, k in ipairs(self.provider.sampling_params or {}) do
    if params[k] ~= nil then sampling[k] = params[k] end
  end
  return sys.sha256(assert(json.encode({
    v = 1, kind = kind, provider = self.provider.name, model = self.model,
    payload = payload, params = sampling, sample = sample or 0,
  })))
end

-- client:chat(messages, opts) -> reply | nil, message, code
-- opts: sampling parameters (temperature, max_tokens, ...), sample = i (a distinct cached sample
-- of the same request), cache = false (skip the cache for this call).
function Client:chat(messages, opts)
  if type(messages) == "string" then messages = {{role = "user", content = messages}} end
  if type(messages) ~= "table" or #messages == 0 then error("chat: expected a list of messages", 2) end
  opts = opts or {}
  local params = merged_params(self, opts)
  local sample = params.sample
  params.sample, params.cache = nil, nil
  -- Under --no-cache there is no key to compute and no row to encode.
  local use_cache = self.use_cache and opts.cache ~= false and cache.enabled()
  local k = use_cache and cache_key(self, "chat", messages, params, sample)
  if k then
    local hit = cache.get(k)
    if hit then
      local reply = json.decode(hit.value)
      if reply then
        reply.cached = true
        account(self, reply, true)
        return reply
      end
    end
    if state.options.offline then
      return fail(self, "offline: no cached reply for this request (run without --offline to call the API)", "EOFFLINE")
    end
  elseif state.options.offline and self.use_cache then
    return fail(self, "offline: this call bypasses the cache, so it would need the network", "EOFFLINE")
  end
  local path, body = self.provider.chat_request(self.model, messages, params)
  local reply, msg, code = self:call("chat", path, body, self.provider.chat_reply, params)
  if not reply then return fail(self, msg, code) end
  account(self, reply, false)
  if k then
    -- Wait for the batched commit, so a result the recipe sees is always one the cache keeps
    -- (unless the client was made with cache_wait = false).
    cache.put(k, assert(json.encode({text = reply.text, reasoning = reply.reasoning,
      finish_reason = reply.finish_reason, model = reply.model, usage = reply.usage})),
      {model = self.model, provider = self.provider.name, input_tokens = reply.usage.input_tokens,
       output_tokens = reply.usage.output_tokens, latency_ms = reply.latency_ms},
      {wait = self.cache_wait})
  end
  reply.cached = false
  return reply
end

-- client:embed(texts, opts) -> list of vectors (list of numbers) | nil, message, code
function Client:embed(texts, opts)
  if type(texts) == "string" then texts = {texts} end
  if type(texts) ~= "table" or #texts == 0 then error("embed: expected a list of strings", 2) end
  opts = opts or {}
  local params = merged_params(self, opts)
  params.cache = nil
  local use_cache = self.use_cache and opts.cache ~= false and cache.enabled()
  local k = use_cache and cache_key(self, "embed", texts, {dimensions = params.dimensions})
  if k then
    local hit = cache.get(k)
    if hit then
      local r = json.decode(hit.value)
      if r then
        account(self, r, true)
        return r.vectors
      end
    end
    if state.options.offline then
      return fail(self, "offline: no cached embeddings for this request", "EOFFLINE")
    end
  end
  local path, body = self.provider.embed_request(self.model, texts, params)
  if not path then return fail(self, body, "EUNSUPPORTED") end
  local n = #texts
  local r, msg, code = self:call("embed", path, body, function(b) return self.provider.embed_reply(b, n) end, {})
  if not r then return fail(self, msg, code) end
  account(self, r, false)
  if k then
    cache.put(k, assert(json.encode({vectors = r.vectors, usage = r.usage})),
      {model = self.model, provider = self.provider.name, input_tokens = r.usage.input_tokens,
       output_tokens = 0, latency_ms = r.latency_ms}, {wait = self.cache_wait})
  end
  return r.vectors
end

-- from_params(p [, prefix [, extra]]) -> client from a recipe's flags: --<prefix>provider,
-- --<prefix>model, --<prefix>base-url (empty = the provider's default), and the shared
-- --concurrency and --rpm (0 = no limit) when the recipe declares them. extra: more options
-- (e.g. params). prefix is "" (--model), "judge_" (--judge-model) or "embed_" (--embed-model).
function M.from_params(p, prefix, extra)
  prefix = prefix or ""
  local function opt(k) return rawget(p, k) end -- a flag the recipe did not declare is nil
  local url, rpm = opt(prefix .. "base_url"), opt("rpm")
  local opts = {provider = opt(prefix .. "provider"), model = opt(prefix .. "model"),
                base_url = url ~= "" and url or nil, concurrency = opt("concurrency"),
                rpm = rpm and rpm > 0 and rpm or nil}
  for k, v in pairs(extra or {}) do opts[k] = v end
  return M.new(opts)
end

return setmetatable(M, {__call = function(_, opts) return M.new(opts) end})
