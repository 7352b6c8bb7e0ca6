-- ratio: the library recipes `require`. docs/api.md is its reference.
--
--   local ratio = require "ratio"
--   local p = ratio.params{ n = {100, "how many"} }
--   local out = ratio.map(items, function(item) ... end, {concurrency = 64, progress = "judging"})
--
-- Submodules (ratio.json, ratio.jsonl, and those later issues add) load on first use.
local sched = require "ratio.sched"
local params = require "ratio.params"
local errors = require "ratio.errors"
local state = require "ratio.state"
local sys = require "ratio.core.sys"

local ratio = {
  version = "0.1.0",
  -- scheduler
  spawn = sched.spawn,
  sleep = sched.sleep,
  yield = sched.yield,
  now = sched.now,
  gather = sched.gather,
  semaphore = sched.semaphore,
  event = sched.event,
  queue = sched.queue,
  map = sched.map,
  failed = sched.failed,
  -- recipe surface
  params = params.params,
  exit = errors.exit,
}

-- ratio.fail_item(id, cause): records an item as failed (a reason it could not be done that is
-- not a failed LLM call, which ratio.llm records itself): it appears in the run's failure summary
-- and makes the run exit non-zero (see --max-failures).
function ratio.fail_item(id, cause)
  require("ratio.failures").record(require("ratio.redact").text(tostring(cause)), sched.context(), id)
end

-- ratio.options: the global flags of this run (json, quiet, offline, cache, no_cache, out), read-only.
ratio.options = setmetatable({}, {
  __index = function(_, k) return state.options[k] end,
  __newindex = function() error("ratio.options is read-only", 2) end,
})

-- ratio.root: the folder ratio's scripts/, plugins/ and data/ live in.
function ratio.root() return state.root end

-- ratio.summary(t): sets what --json prints (otherwise the main chunk's return value is used).
function ratio.summary(t)
  if type(t) ~= "table" then error("ratio.summary: expected a table", 2) end
  state.summary = t
end

-- ratio.log(fmt, ...): a line on stderr, unless --quiet.
function ratio.log(fmt, ...)
  if state.options.quiet then return end
  io.stderr:write(select("#", ...) > 0 and fmt:format(...) or tostring(fmt), "\n")
end

-- ratio.manifest(key, value): records a fact about the run (a model id, a prompt hash) in
-- manifest.json.
function ratio.manifest(key, value)
  if type(key) ~= "string" then error("ratio.manifest: key must be a string", 2) end
  state.manifest[key] = value
end

local function recipe_stem()
  return (state.recipe:match("([^/]+)$") or "run"):gsub("%.lua$", "")
end

-- ratio.run_dir() -> the run folder (created on first call): --out, else runs/<recipe>-<UTC time>.
function ratio.run_dir()
  if state.run_dir then return state.run_dir end
  local dir = state.options.out
  if not dir then
    local base = ("runs/%s-%s"):format(recipe_stem(), os.date("!%Y%m%dT%H%M%SZ", state.started_at))
    dir = base
    local n = 1
    while sys.stat(dir) do
      n = n + 1
      dir = base .. "-" .. n
    end
  end
  local ok, err = sys.mkdir_p(dir)
  if not ok then error("cannot create the run folder: " .. err, 2) end
  state.run_dir = dir
  return dir
end

-- ratio.sha256(s) -> hex digest; ratio.sha256_file(path) -> hex digest of the file | nil, message
ratio.sha256 = sys.sha256
function ratio.sha256_file(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local data = f:read("a")
  f:close()
  return sys.sha256(data)
end

-- Called once by boot when the run ends: writes manifest.json into the run folder, if one was made.
function ratio.finish_run(code)
  if not state.run_dir then return end
  local json = require "ratio.core.json"
  local m = {
    recipe = state.recipe,
    recipe_sha256 = ratio.sha256_file(state.recipe),
    parameters = state.params or {},
    options = {offline = state.options.offline or false, cache = state.options.cache,
               no_cache = state.options.no_cache or false},
    ratio_version = ratio.version,
    lua_version = _VERSION,
    started_at = os.date("!%Y-%m-%dT%H:%M:%SZ", state.started_at),
    finished_at = os.date("!%Y-%m-%dT%H:%M:%SZ"),
    exit_code = code,
  }
  for k, v in pairs(state.manifest) do m[k] = v end
  m = require("ratio.redact").value(m) -- a base URL's password, a key passed as a flag
  local text = assert(json.encode(m, {indent = 2}))
  -- Written beside and renamed over, so a kill never leaves half a manifest.
  local path = state.run_dir .. "/manifest.json"
  local f = assert(io.open(path .. ".tmp", "w"))
  assert(f:write(text, "\n"))
  assert(f:close())
  assert(os.rename(path .. ".tmp", path))
end

-- Library modules that load on first use: ratio.json, ratio.jsonl, ...
local LAZY = {json = "ratio.core.json", jsonl = "ratio.jsonl", progress = "ratio.progress",
              llm = "ratio.llm", cache = "ratio.cache", http = "ratio.http", serve = "ratio.serve",
              dataset = "ratio.dataset", metajudge = "ratio.metajudge", stats = "ratio.stats",
              prompts = "ratio.prompts", report = "ratio.report", metrics = "ratio.metrics",
              judge = "ratio.judge", reward = "ratio.reward", decompose = "ratio.decompose",
              audit = "ratio.audit", rmbench = "ratio.rmbench", judgebench = "ratio.judgebench"}

LAZY.compare = "ratio.compare" -- judges against judges, matchers against matchers
LAZY.redact = "ratio.redact" -- masks keys, tokens and URL passwords in text from outside

function ratio.register_module(name, module) LAZY[name] = module end

return setmetatable(ratio, {
  __index = function(t, k)
    local mod = LAZY[k]
    if not mod then error(("ratio.%s does not exist"):format(tostring(k)), 2) end
    local v = require(mod)
    rawset(t, k, v)
    return v
  end,
})
