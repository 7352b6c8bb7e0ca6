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

-- true when a file can be made in the folder dir (made and removed again): /proc and read-only
-- mounts say no here, before the run spends anything, instead of when the first file is written.
local function writable(dir)
  local probe = ("%s/.ratio-out-check-%d"):format(dir, sys.getpid())
  local f = io.open(probe, "w")
  if not f then return false end
  f:close()
  os.remove(probe)
  return true
end

-- A folder --out may write into: absent or empty; one holding an unfinished (failed or
-- interrupted) run of the same recipe, which this run resumes (its calls come from the cache); one
-- holding a finished run of the same recipe with the same parameters (rewritten the same); or
-- anything with --overwrite. Checked when the run starts (ratio.check_out, from boot) so a
-- refused run spends nothing, and again, with the parameters known, when the folder is made.
local resumed_note = false

local function check_out(dir, final)
  if dir == "" then errors.usage("--out: expected a folder, got an empty path") end
  local kind = sys.stat(dir)
  if not kind then
    -- to be made: the nearest folder above it that exists must take new entries
    local up, up_kind = dir, nil
    repeat
      up = up:match("^(.*[^/])/+[^/]*/*$") or (up:sub(1, 1) == "/" and "/" or ".")
      up_kind = sys.stat(up)
    until up_kind or up == "/" or up == "."
    if up_kind ~= "directory" then
      errors.usage(("--out %s: %s is not a folder"):format(dir, up))
    elseif not writable(up) then
      errors.usage(("--out %s: cannot make a folder in %s"):format(dir, up))
    end
    return
  end
  if kind ~= "directory" then
    errors.usage(("--out %s: it exists and is not a folder"):format(dir))
  end
  if not writable(dir) then errors.usage(("--out %s: cannot write files into it"):format(dir)) end
  local names = sys.listdir(dir) or {}
  if #names == 0 or state.options.overwrite then return end
  local runs = require "ratio.runs"
  local m = runs.read_json(dir .. "/manifest.json")
  if m and m.recipe == state.recipe then
    local status = runs.status(m)
    if status == "running" then
      errors.usage(("--out %s: another run (process %s) is writing into it now"):format(dir, tostring(m.pid)))
    end
    if status ~= "ok" then
      if not resumed_note then
        resumed_note = true
        io.stderr:write(("ratio: resuming the %s run in %s (calls it made come from the cache)\n"):format(status, dir))
      end
      return
    end
    if not final then return end -- a finished run: decided once the parameters are known
    local json = require "ratio.core.json"
    if json.encode(m.parameters or {}) == json.encode(state.params or {}) then return end
    errors.usage(("--out %s: it holds a finished %s run with other parameters; give another --out, "
      .. "or --overwrite to write over it"):format(dir, recipe_stem()))
  end
  errors.usage(("--out %s: the folder exists and is not empty (%d entries); give another --out, "
    .. "or --overwrite to write over it (the call cache makes a rerun cheap)"):format(dir, #names))
end

function ratio.check_out()
  if state.options.out then check_out(state.options.out) end
end

-- Once the parameters are known (ratio.params calls this), the --out check that needs them: a
-- refused run spends nothing.
state.after_params = function()
  if state.options.out then check_out(state.options.out, true) end
end

-- runs/latest and runs/latest-<recipe>: symlinks to the newest run, kept in the folder that
-- holds the run when that folder is named runs (the default, or --out runs/NAME).
local function link_latest(dir)
  local parent, base = dir:match("^(.*)/([^/]+)/*$")
  if not parent then parent, base = ".", dir end
  if (parent:match("([^/]+)/*$") or parent) ~= "runs" then return end
  for _, name in ipairs({"latest", "latest-" .. recipe_stem()}) do
    local ok, err = sys.symlink(base, parent .. "/" .. name)
    if not ok then io.stderr:write("ratio: warning: cannot point ", parent, "/", name, " at the run: ", err, "\n") end
  end
end

local function write_manifest(m)
  local json = require "ratio.core.json"
  m = require("ratio.redact").value(m) -- a base URL's password, a key passed as a flag
  local text = assert(json.encode(m, {indent = 2}))
  -- Written beside and renamed over, so a kill never leaves half a manifest.
  local path = state.run_dir .. "/manifest.json"
  local f = assert(io.open(path .. ".tmp", "w"))
  assert(f:write(text, "\n"))
  assert(f:close())
  assert(os.rename(path .. ".tmp", path))
end

local function manifest_base()
  return {
    recipe = state.recipe,
    recipe_sha256 = ratio.sha256_file(state.recipe),
    parameters = state.params or {},
    options = {offline = state.options.offline or false, cache = state.options.cache,
               no_cache = state.options.no_cache or false},
    ratio_version = ratio.version,
    lua_version = _VERSION,
    -- with milliseconds, so that runs started within one second still sort by start
    started_at = os.date("!%Y-%m-%dT%H:%M:%S", state.started_ms // 1000) .. (".%03dZ"):format(state.started_ms % 1000),
  }
end

-- ratio.run_dir() -> the run folder (created on first call): --out, else runs/<recipe>-<UTC time>.
-- --out must name a new or empty folder unless --overwrite is given. The folder gets a manifest
-- saying the run is under way (status running, with the process id), and runs/latest points at it.
function ratio.run_dir()
  if state.run_dir then return state.run_dir end
  local dir = state.options.out
  if dir then
    check_out(dir, true)
  else
    local base = ("runs/%s-%s"):format(recipe_stem(), os.date("!%Y%m%dT%H%M%SZ", state.started_at))
    dir = base
    local n = 1
    while sys.stat(dir) do
      n = n + 1
      dir = base .. "-" .. n
    end
  end
  local ok, err = sys.mkdir_p(dir)
  if not ok then errors.usage(("--out %s: cannot create the run folder: %s"):format(dir, err)) end
  state.run_dir = dir
  local m = manifest_base()
  m.status, m.pid = "running", sys.getpid()
  for k, v in pairs(state.manifest) do m[k] = v end
  write_manifest(m)
  link_latest(dir)
  return dir
end

-- ratio.sha256(s) -> hex digest; ratio.sha256_file(path) -> hex digest of the file | nil, message
ratio.sha256 = sys.sha256
function ratio.sha256_file(path)
  local data, err = sys.read_file(path)
  if not data then return nil, err end
  return sys.sha256(data)
end

-- Called once by boot when the run ends: writes manifest.json into the run folder, if one was
-- made: what ran, when, how it ended (status ok/failed, exit code, the first line of the error),
-- its counts and headline metrics (ratio.runs.headlines of the summary) and the LLM usage.
function ratio.finish_run(code, message)
  if not state.run_dir then return end
  local runs = require "ratio.runs"
  local m = manifest_base()
  m.finished_at = os.date("!%Y-%m-%dT%H:%M:%SZ")
  m.seconds = os.time() - state.started_at
  m.exit_code = code
  m.status = code == 0 and "ok" or "failed"
  if code ~= 0 and type(message) == "string" then
    m.error = message:match("^[^\n]*"):sub(1, 300)
  end
  m.headlines = runs.headlines(state.summary)
  m.counts = runs.counts(state.summary, m.headlines)
  local llm = package.loaded["ratio.llm"]
  if type(llm) == "table" and llm.usage then
    local u = llm.usage()
    if next(u) ~= nil then m.llm_usage = u end
  end
  for k, v in pairs(state.manifest) do m[k] = v end
  write_manifest(m)
end

-- Library modules that load on first use: ratio.json, ratio.jsonl, ...
local LAZY = {json = "ratio.core.json", jsonl = "ratio.jsonl", progress = "ratio.progress",
              llm = "ratio.llm", cache = "ratio.cache", http = "ratio.http", serve = "ratio.serve",
              dataset = "ratio.dataset", metajudge = "ratio.metajudge", stats = "ratio.stats",
              prompts = "ratio.prompts", report = "ratio.report", metrics = "ratio.metrics",
              judge = "ratio.judge", reward = "ratio.reward", decompose = "ratio.decompose",
              audit = "ratio.audit", rmbench = "ratio.rmbench", judgebench = "ratio.judgebench"}

LAZY.compare = "ratio.compare" -- judges against judges, matchers against matchers
LAZY.flags = "ratio.flags" -- the flag families recipes share (--judge-*, --metajudge-*, ...)
LAZY.bench = "ratio.bench" -- what the benchmark adapters share
LAZY.study = "ratio.study" -- records to a run folder
LAZY.decomposition = "ratio.decomposition" -- a decomposition study's records to its run folder
LAZY.reproduction = "ratio.reproduction" -- the paper's protocol on the released data, beside its figures
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
