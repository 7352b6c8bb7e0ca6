-- ratio.boot: turns `ratio run RECIPE ARGS...` into the recipe's main task (start), and the end of
-- the loop into an exit status and whatever is owed on stdout/stderr (finish). Called from C.

-- The library's modules live in tier folders, each depending only on those before it:
-- runtime (scheduler, LLM client, server, flags, statistics), method (dataset, judge, MetaJudge,
-- reward), adapters (external benchmarks), study (run folders, reports, comparisons), server (the
-- reward server, `ratio view`). A module keeps its flat name: require "ratio.llm" finds
-- scripts/ratio/runtime/llm.lua, so recipes need not know the folders (docs/architecture.md).
local TIERS = {"runtime", "method", "adapters", "study", "server"}
local LIB = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
table.insert(package.searchers, 2, function(name)
  local m = name:match("^ratio%.([%w_]+)$")
  if not m then return nil end
  local tried = {}
  for _, tier in ipairs(TIERS) do
    local path = ("%s/%s/%s.lua"):format(LIB, tier, m)
    local f = io.open(path, "r")
    if f then
      f:close()
      local chunk, err = loadfile(path, "t")
      if not chunk then error(("error loading module '%s' from file '%s':\n\t%s"):format(name, path, err), 2) end
      return chunk, path
    end
    tried[#tried + 1] = "\n\tno file '" .. path .. "'"
  end
  return table.concat(tried)
end)

local core = require "ratio.core.sched"
local sys = require "ratio.core.sys"
local errors = require "ratio.errors"
local state = require "ratio.state"

local M = {}

-- Global flags every recipe accepts; value = true when the flag takes a value.
local GLOBAL = {json = false, quiet = false, offline = false, help = false, ["no-cache"] = false,
                cache = true, out = true, overwrite = false, ["max-failures"] = true}

local function split_args(args)
  local options, rest, i = {}, {}, 1
  while i <= #args do
    local a = args[i]
    local name, raw = a:match("^%-%-([%w-]+)=(.*)$")
    name = name or a:match("^%-%-([%w-]+)$")
    if a == "-h" then name = "help" end
    local takes = name and GLOBAL[name]
    if takes == nil then
      rest[#rest + 1] = a
    elseif takes then
      if raw == nil then
        i = i + 1
        raw = args[i]
        if raw == nil then return nil, ("--%s needs a value"):format(name) end
      end
      options[name:gsub("-", "_")] = raw
    else
      if raw ~= nil then return nil, ("--%s takes no value"):format(name) end
      options[name:gsub("-", "_")] = true
    end
    i = i + 1
  end
  return options, rest
end

-- The recipe's leading comment block, shown by --help: the question the recipe answers.
local function read_header(path)
  local f = io.open(path, "r")
  if not f then return "" end
  local lines = {}
  for line in f:lines() do
    if line:match("^#!") and #lines == 0 then goto continue end
    local text = line:match("^%-%-+%s?(.*)$")
    if not text then break end
    lines[#lines + 1] = text
    ::continue::
  end
  f:close()
  return (table.concat(lines, "\n"):gsub("%s+$", ""))
end

-- Globals: reading or assigning an undeclared one is an error naming it (catches typos).
local function make_strict()
  setmetatable(_G, {
    __newindex = function(_, k, _)
      error(("assignment to undeclared global '%s' (use 'local %s', or rawset(_G, '%s', value) "
        .. "to really make a global)"):format(tostring(k), tostring(k), tostring(k)), 2)
    end,
    __index = function(_, k)
      error(("undeclared global '%s'"):format(tostring(k)), 2)
    end,
  })
end

local function stop_usage(msg)
  io.stderr:write("ratio: ", msg, "\n")
  core.stop(2)
end

function M.start(root, recipe, args)
  state.root, state.recipe, state.started_at = root, recipe, os.time()
  state.started_ms = require("ratio.core.sys").wall_ms()
  local options, rest = split_args(args)
  if not options then return stop_usage(rest) end
  state.options, state.args = options, rest
  if options.max_failures then
    local ok, why = require("ratio.failures").parse_tolerance(options.max_failures)
    if not ok then return stop_usage(why) end
  end
  if options.json then assert(sys.redirect_stdout()) end

  -- A bare name (quickstart) is looked up in the recipe folders (ratio.recipes).
  local found, ferr = require("ratio.recipes").find(recipe, root)
  if not found then return stop_usage(("cannot open recipe '%s': %s"):format(recipe, ferr)) end
  recipe = found
  state.recipe = recipe
  local kind, err = sys.stat(recipe)
  if not kind then return stop_usage(("cannot open recipe '%s': %s"):format(recipe, err:match(": (.*)$") or err)) end
  if kind ~= "file" then return stop_usage(("recipe '%s' is a %s, not a file"):format(recipe, kind)) end
  state.header = read_header(recipe)

  local chunk, lerr = loadfile(recipe, "t")
  if not chunk then
    io.stderr:write("ratio: ", lerr, "\n")
    return core.stop(1)
  end
  -- A recipe may keep helper modules beside itself.
  local dir = recipe:match("^(.*)/[^/]*$") or "."
  package.path = dir .. "/?.lua;" .. package.path
  rawset(_G, "arg", table.move(args, 1, #args, 1, {[0] = recipe}))
  require "ratio" -- load the library before the globals turn strict
  make_strict()

  core.start(function()
    -- --out into a non-empty folder is refused before the recipe spends anything
    local r = table.pack(xpcall(function(...)
      if not state.options.help then require("ratio").check_out() end
      return chunk(...)
    end, errors.handler, table.unpack(args)))
    if not r[1] then
      local e = r[2]
      if errors.is_exit(e) then
        if e.message then io.stderr:write("ratio: ", e.message, "\n") end
        state.exit_message = e.message -- for the manifest
        return core.stop(e.code)
      end
      return core.stop(1, errors.describe(e))
    end
    if state.summary == nil and type(r[2]) == "table" then state.summary = r[2] end
    if not state.param_list and #state.args > 0 then
      io.stderr:write(("ratio: unknown flag %s (this recipe declares no parameters)\n"):format(state.args[1]))
      return core.stop(2)
    end
    state.main_done = true
    core.stop(0)
  end)
end

-- The end of every run that made LLM calls or met failures: one usage line (unless --quiet), the
-- failures grouped by cause, and the exit status they call for (see ratio.failures). Both also go
-- into manifest.json.
local function account_run(code)
  local redact = require "ratio.redact"
  local function say(line) io.stderr:write("ratio: ", redact.text(line), "\n") end
  local llm = package.loaded["ratio.llm"]
  if llm then
    local total = llm.usage_total()
    if total then
      state.manifest.usage = {total = total, models = llm.usage()}
      if not state.options.quiet and total.calls > 0 then say(llm.usage_line()) end
    end
  end
  local failures = require "ratio.failures"
  local failed, units, causes = failures.counts()
  if failed > 0 then
    state.manifest.failures = {failed = failed, of = units, causes = causes,
                               tolerated = state.options.max_failures or "0"}
  end
  local over = failures.report(say)
  if over and code == 0 then return 1 end
  return code
end

function M.finish(stopped, code, message)
  if message then io.stderr:write("ratio: ", require("ratio.redact").text(message), "\n") end
  if not stopped then
    -- The loop ran dry while the main task still waited: nothing can ever wake it.
    io.stderr:write(("ratio: deadlock: the recipe waits for something that can never happen "
      .. "(%d task(s) blocked, no timer or request pending)\n"):format(core.alive()))
    return 1
  end
  if code == 0 and state.options.help and not state.param_list then
    io.stdout:write(require("ratio.params").help_text(nil))
  end
  local leftover = core.alive()
  if code == 0 and leftover > 0 then
    io.stderr:write(("ratio: note: %d task(s) still running when the recipe finished were "
      .. "stopped\n"):format(leftover))
  end
  local run_code = code
  if not state.options.help then
    local ok, c = pcall(account_run, code)
    if ok then run_code = c else io.stderr:write("ratio: ", errors.describe(c), "\n") end
  end
  local ratio = require "ratio"
  local ok, err = pcall(ratio.finish_run, run_code, message or state.exit_message)
  if not ok then
    io.stderr:write("ratio: ", errors.describe(err), "\n")
    if code == 0 then code = 1 end
  end
  if code == 0 and state.options.json then
    local json = require "ratio.core.json"
    local text, jerr = json.encode(state.summary or {})
    if not text then
      io.stderr:write("ratio: the summary cannot be written as JSON: ", jerr, "\n")
      return 1
    end
    assert(sys.write_stdout(text .. "\n"))
  end
  return run_code ~= 0 and code == 0 and run_code or code
end

return M
