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

local usage = {} -- model -> {calls, cached, failed, retries, input_tokens, output_tokens,
                 --           reasoning_tokens, cost}
local usage_order = {}

local function usage_of(model)
  local u = usage[model]
  if not u then
    u = {calls = 0, cached = 0, failed = 0, retries = 0, input_tokens = 0, output_tokens = 0,
         reasoning_tokens = 0, cost = 0.0, priced = true}
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
                  reasoning_tokens = u.reasoning_tokens, cost_usd = u.priced and u.cost or json.null}
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
                       fails = 0, rested_until = 0, rest_ms = 0}, Endpoint)
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
  local bad, why = M.unsupported_setting(provider, opts.params)
  if bad then error(("ratio.llm: %s: %s"):format(bad, why), 2) end
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
    waiters = {},
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

-- Waits for an endpoint with room: least outstanding requests first, rested ones skipped.
function Client:acquire()
  while true do
    local now, best, soonest = sched.now(), nil, math.huge
    for _, ep in ipairs(self.endpoints) do
      if ep.rested_until > now then
        soonest = math.min(soonest, ep.rested_until)
      elseif ep.inflight < math.floor(ep.limit) and (not best or ep.inflight < best.inflight) then
        best = ep
      end
    end
    if best then
      best.inflight = best.inflight + 1
      return best
    end
    if soonest < math.huge and #self.waiters == 0 then
      sched.sleep(math.max(1, soonest - now))
    else
      local co = sched.current()
      self.waiters[#self.waiters + 1] = co
      sched.suspend()
    end
  end
end

function Client:release(ep)
  ep.inflight = ep.inflight - 1
  local co = table.remove(self.waiters, 1)
  if co then sched.wake(co) end
end

local function note_success(self, ep)
  ep.fails, ep.rest_ms = 0, 0
  if self.adaptive and ep.limit < ep.cap then ep.limit = math.min(ep.cap, ep.limit + 1 / ep.limit) end
end

local function note_failure(self, ep, rate_limited)
  if rate_limited then
    if self.adaptive then ep.limit = math.max(1, ep.limit / 2) end
    return
  end
  ep.fails = ep.fails + 1
  if ep.fails >= self.rest_after and #self.endpoints > 1 then
    ep.rest_ms = math.min(math.max(ep.rest_ms * 2, 2000), 60000)
    ep.rested_until = sched.now() + ep.rest_ms
    ep.fails = 0
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

-- Codes of failures no retry can cure: a refusal (the model's answer), quota exhaustion.
local TERMINAL = {EREFUSED = true, EQUOTA = true}

-- The wait a 429/5xx asks for, in ms: `retry-after-ms` (OpenAI's and Anthropic's SDKs read it
-- first) before `retry-after` (seconds or an HTTP date); nil when neither is usable.
local function retry_wait_ms(resp)
  local ms = tonumber(resp.headers and resp.headers["retry-after-ms"] or nil)
  if ms and ms > 0 and ms == ms then return math.min(ms, 600000) end
  if resp.retry_after then return math.min(resp.retry_after * 1000, 600000) end
  return nil
end
M._retry_wait_ms = retry_wait_ms -- for the tests

-- One logical call: tries until success, a permanent failure or max_tries.
-- `kind` is "chat" or "embed"; map(decoded) turns a reply body into the result or nil, message
-- [, code] (a TERMINAL code ends the call at once). rebuild(), when given, makes the request
-- again after the provider adapted to a 400 (see provider.adapt): that resend counts as a try
-- and waits for no backoff.
function Client:call(kind, path, body, map, params, rebuild)
  local body_text = assert(json.encode(body))
  local built_gen = self.adapt.gen
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
      local result, merr, mcode
      if decoded == nil then
        merr = "reply is not valid JSON (" .. jerr .. ")"
      else
        result, merr, mcode = map(decoded)
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
      local decoded = json.decode(resp.body)
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
          resp.status, text, adapted))
      end
      if rebuild and resp.status == 400 and self.adapt.gen ~= built_gen then
        -- Adapted now, or by another call while this one was in flight: send it as it now goes.
        path, body = rebuild()
        body_text = assert(json.encode(body))
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
  u.reasoning_tokens = u.reasoning_tokens + (reply.usage.reasoning_tokens or 0)
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
  if params.extra_body ~= nil then sampling.extra_body = params.extra_body end
  -- The key holds the request as the caller asked for it, not as it was sent after an adaptation
  -- (provider.adapt: max_completion_tokens, a setting left out): the adaptation is the same for
  -- every request to this model, so each request still has one key, and a cache filled before
  -- or after the adaptation answers the same asks.
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
  local function build()
    local path, body = self.provider.chat_request(self.model, messages, params, self.adapt)
    -- extra_body (--judge-extra-body '{"chat_template_kwargs": ...}'): top-level fields merged
    -- over the request, as the OpenAI SDKs' extra_body does; they win over ratio's own.
    if type(params.extra_body) == "table" then
      for k, v in pairs(params.extra_body) do body[k] = v end
    end
    return path, body
  end
  local path, body = build()
  local reply, msg, code = self:call("chat", path, body, self.provider.chat_reply, params, build)
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
  if model == nil or model == "" then errors.usage(flag("model") .. ": is required (the model id)") end
  local rpm = opt("rpm")
  local urls -- several base URLs, comma-separated, are used least-busy first
  for u in (opt(prefix .. "base_url") or ""):gmatch("[^,%s]+") do
    if not u:match("^https?://") then
      errors.usage(("%s: '%s' is not a URL: give http:// or https:// and the API path, e.g. http://127.0.0.1:8000/v1")
        :format(flag("base_url"), u))
    end
    urls = urls or {}
    urls[#urls + 1] = u
  end
  local params = {}
  if family ~= "" then -- unprefixed settings flags (--seed, ...) belong to the recipe, not the LLM
    for _, k in ipairs(M.SETTINGS) do params[k] = opt(prefix .. k) end
  end
  if type(params.stop) == "table" and #params.stop == 0 then params.stop = nil end
  local opts = {provider = opt(prefix .. "provider"), model = model, base_url = urls, max_tries = opt(prefix .. "max_tries"),
                concurrency = opt("concurrency"), rpm = rpm and rpm > 0 and rpm or nil, params = params}
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
