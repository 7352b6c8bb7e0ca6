-- ratio.failures: what failed in this run, so the end of every run can say it once, grouped, and
-- exit non-zero (boot.lua calls report()). Recipes do not call this module: ratio.llm records each
-- call that failed for good, ratio.map each item whose function raised (on_error = "record"), and
-- ratio.fail_item(id, cause) whatever else a recipe or library judges a failed item.
--
-- Units: a failure inside a ratio.map item counts that item once, however many of its calls
-- failed; a failure outside any map item counts once on its own. A reply that could not be
-- parsed (`unscored`) is a measurement of the judge, not a failure of the run, and is not here.
local state = require "ratio.state"

local M = {}

local units, failed_units = 0, 0 -- work done (map items + lone calls) and how much of it failed
local seen = setmetatable({}, {__mode = "k"}) -- map item context -> true once counted as failed
local seen_ids = {}
local causes, order = {}, {} -- cause -> {n, example}

-- unit_done(): one more unit of work (a ratio.map item, or a call made outside any map).
function M.unit_done() units = units + 1 end

local function example_of(ctx, id)
  if id ~= nil then return tostring(id) end
  if ctx then
    local item = ctx.item
    if type(item) == "table" then
      if type(item.id) == "string" or math.type(item.id) == "integer" then return tostring(item.id) end
      if math.type(item._line) == "integer" then return "line " .. item._line end
    end
    return "#" .. tostring(ctx.index)
  end
  return nil
end

-- record(cause, ctx [, id]): a failure with its cause (one line, already redacted), in map item
-- context ctx (or nil), for item id (or nil).
function M.record(cause, ctx, id)
  cause = tostring(cause):gsub("[\r\n]+", " ")
  if #cause > 300 then cause = cause:sub(1, 297) .. "..." end
  local c = causes[cause]
  if not c then
    c = {n = 0, example = nil}
    causes[cause] = c
    order[#order + 1] = cause
  end
  c.n = c.n + 1
  c.example = c.example or example_of(ctx, id)
  if ctx then
    if not seen[ctx] then
      seen[ctx] = true
      failed_units = failed_units + 1
    end
  elseif id ~= nil then
    if not seen_ids[id] then
      seen_ids[id] = true
      failed_units = failed_units + 1
    end
  else
    failed_units = failed_units + 1
  end
end

-- counts() -> failed units, all units, causes {{cause, n, example}...} (most frequent first)
function M.counts()
  local list = {}
  for _, cause in ipairs(order) do
    local c = causes[cause]
    list[#list + 1] = {cause = cause, n = c.n, example = c.example}
  end
  table.sort(list, function(a, b) return a.n > b.n end)
  return failed_units, math.max(units, failed_units), list
end

-- parse_tolerance(s) -> {count = n} | {share = f} | nil, message. "3" tolerates 3 failed units,
-- "5%" up to 5% of them.
function M.parse_tolerance(s)
  if s == nil then return {count = 0} end
  local pct = s:match("^%s*([%d.]+)%%%s*$")
  if pct then
    local v = tonumber(pct)
    if v and v >= 0 and v <= 100 then return {share = v / 100} end
  elseif s:match("^%s*%d+%s*$") then
    return {count = tonumber(s)}
  end
  return nil, ("--max-failures: expected a count (3) or a share (5%%), got '%s'"):format(s)
end

-- report(write) -> true when the failures are over the tolerance (the run must exit non-zero).
-- write(line) prints one line on stderr. Prints nothing when nothing failed.
function M.report(write)
  local failed, total, list = M.counts()
  if failed == 0 then return false end
  local tol = M.parse_tolerance(state.options.max_failures) or {count = 0}
  local over
  if tol.share then over = failed > tol.share * total else over = failed > tol.count end
  local tol_text = state.options.max_failures and (" (--max-failures " .. state.options.max_failures .. ")") or ""
  write(("%d of %d failed%s:"):format(failed, total, tol_text))
  for i, c in ipairs(list) do
    if i > 8 then
      write(("  ... and %d more causes"):format(#list - 8))
      break
    end
    write(("  %d x %s%s"):format(c.n, c.cause, c.example and (" (e.g. item " .. c.example .. ")") or ""))
  end
  local outputs = state.run_dir and ("the run folder is " .. state.run_dir .. "; ") or ""
  if state.options.no_cache then
    write(outputs .. "under --no-cache a rerun makes every call again; without it, rerunning the same command retries only the failed ones")
  elseif state.options.offline then
    write(outputs .. "run the same command without --offline to make the calls the cache lacks")
  else
    write(outputs .. "rerunning the same command retries only the failed ones (what succeeded comes from the call cache)")
  end
  return over
end

-- Forget everything (tests).
function M.reset()
  units, failed_units, seen_ids, causes, order = 0, 0, {}, {}, {}
end

return M
