-- ratio.runs: run folders you can find. Each run's manifest.json says what ran (recipe,
-- parameters), when (started_at, finished_at), how it ended (status: running, ok, failed, or
-- interrupted when the process is gone without finishing), its counts and headline metrics; this
-- module derives those headlines from any recipe's summary and lists the runs in a folder
-- (`ratio runs`, `ratio view`).
local json = require "ratio.core.json"
local sys = require "ratio.core.sys"

local M = {}

-- The metrics a headline carries, and the names a summary may give them.
M.METRICS = {
  {key = "oa", label = "OA", names = {"oa", "outcome_accuracy", "accuracy"}},
  {key = "rc", label = "RC", names = {"rc", "recall", "rationale_consistency"}},
  {key = "precision", label = "P", names = {"precision"}},
  {key = "f1", label = "F1", names = {"f1"}},
  {key = "ap", label = "AP", names = {"ap", "average_precision"}},
}
local COUNTS = {"total", "valid", "partial", "unscored", "failed", "skipped", "error"}
local MAX_HEADLINES = 32

local function isnum(v) return type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do if type(k) == "string" or math.type(k) == "integer" then keys[#keys + 1] = k end end
  table.sort(keys, function(a, b)
    if type(a) == type(b) then return a < b end
    return type(a) == "number"
  end)
  return keys
end

-- entry(t) -> {oa=, oa_ci={lo,hi}, rc=, ..., valid=, failed=, ...} | nil when t has no metric.
local function entry(t)
  local h, any = {}, false
  for _, m in ipairs(M.METRICS) do
    for _, n in ipairs(m.names) do
      if isnum(t[n]) then
        h[m.key], any = t[n], true
        local ci = type(t.ci) == "table" and t.ci[n] or t[n .. "_ci"]
        if type(ci) == "table" and isnum(ci.lo) and isnum(ci.hi) then h[m.key .. "_ci"] = {lo = ci.lo, hi = ci.hi} end
        break
      end
    end
  end
  if not any then return nil end
  for _, c in ipairs(COUNTS) do
    if math.type(t[c]) == "integer" then h[c] = t[c] end
  end
  return h
end

-- headlines(summary) -> list of {name=, oa=, rc=, ap=, ..., valid=, failed=, ...}: every table
-- in the summary (three levels deep at most) that carries a metric, named by its own
-- model/judge/name field or else by its path in the summary (judges.careful -> "careful").
function M.headlines(summary)
  local out = {}
  local function walk(t, path, depth)
    if #out >= MAX_HEADLINES or type(t) ~= "table" or depth > 3 then return end
    local h = entry(t)
    if h then
      local own = t.model or t.judge or t.name
      h.name = type(own) == "string" and own or (path ~= "" and path or "summary")
      out[#out + 1] = h
      return
    end
    for _, k in ipairs(sorted_keys(t)) do
      if k ~= "ci" and k ~= "domains" and k ~= "by_domain" then
        local leaf = tostring(k)
        -- a map of judges reads best by the judge's own name
        local name = (path == "" or path == "judges" or path == "models" or path == "cells") and leaf or (path .. "." .. leaf)
        walk(t[k], name, depth + 1)
      end
    end
  end
  if type(summary) == "table" then walk(summary, "", 0) end
  return out
end

-- counts(summary) -> the summary's top-level counts ({items=, valid=, failed=, ...}), else the sum
-- over its headlines' counts.
function M.counts(summary, heads)
  local c = {}
  if type(summary) ~= "table" then return c end
  for _, k in ipairs({"items", "total", "n", "valid", "partial", "unscored", "failed", "skipped", "error", "requests", "rollouts"}) do
    if math.type(summary[k]) == "integer" then c[k] = summary[k] end
  end
  if next(c) == nil then
    -- items: the largest judge's total (judges share the items); problems summed over judges
    for _, h in ipairs(heads or {}) do
      if h.total then c.items = math.max(c.items or 0, h.total) end
      for _, k in ipairs({"valid", "partial", "unscored", "failed", "skipped", "error"}) do
        if h[k] then c[k] = (c[k] or 0) + h[k] end
      end
    end
  end
  return c
end

local function read_json(path)
  local text = sys.read_file(path)
  if not text then return nil end
  local ok, v = pcall(json.decode, text)
  if ok and type(v) == "table" then return v end
  return nil
end
M.read_json = read_json

-- status(manifest) -> "ok" | "failed" | "interrupted" | "running"
function M.status(m)
  local s = m.status
  if s == nil then
    if m.exit_code == nil then s = "running" else s = m.exit_code == 0 and "ok" or "failed" end
  end
  if s == "running" and not (math.type(m.pid) == "integer" and sys.pid_alive(m.pid)) then s = "interrupted" end
  return s
end

-- list(dir) -> runs in dir (folders holding manifest.json, symlinks such as latest left out),
-- newest first: {name=, path=, manifest=, status=, recipe=, started_at=, seconds=, headlines=}
function M.list(dir)
  local names, err = sys.listdir(dir)
  if not names then return nil, err end
  local out = {}
  for _, name in ipairs(names) do
    local path = dir .. "/" .. name
    if not sys.readlink(path) and sys.stat(path) == "directory" then
      local m = read_json(path .. "/manifest.json")
      if m then
        local run = {name = name, path = path, manifest = m, status = M.status(m),
                     recipe = type(m.recipe) == "string" and (m.recipe:match("([^/]+)%.lua$") or m.recipe) or "?",
                     started_at = type(m.started_at) == "string" and m.started_at or "",
                     seconds = m.seconds, error = m.error}
        run.headlines = type(m.headlines) == "table" and m.headlines or {}
        run.counts = type(m.counts) == "table" and m.counts or {}
        out[#out + 1] = run
      end
    end
  end
  table.sort(out, function(a, b)
    if a.started_at ~= b.started_at then return a.started_at > b.started_at end
    return a.name > b.name
  end)
  return out
end

local function fmt(x) return isnum(x) and ("%.3f"):format(x) or "-" end

-- headline_text(run) -> "careful RC 0.614 OA 0.864 AP 0.621; skimmer ..." (short, for a table)
function M.headline_text(run, max)
  local parts = {}
  for i, h in ipairs(run.headlines) do
    if i > (max or 4) then parts[#parts + 1] = ("+%d more"):format(#run.headlines - (max or 4)) break end
    local cells = {}
    for _, m in ipairs(M.METRICS) do
      if m.key ~= "f1" and m.key ~= "precision" and isnum(h[m.key]) then cells[#cells + 1] = m.label .. " " .. fmt(h[m.key]) end
    end
    parts[#parts + 1] = tostring(h.name) .. " " .. table.concat(cells, " ")
  end
  return table.concat(parts, "; ")
end

-- counts_text(run) -> "48 items, 0 failed" style summary of the counts and failures.
function M.counts_text(run)
  local c, parts = run.counts, {}
  local n = c.items or c.total or c.n or c.rollouts or c.requests
  if n then parts[#parts + 1] = tostring(n) .. " items" end
  for _, k in ipairs({"unscored", "failed", "skipped", "error"}) do
    if (c[k] or 0) > 0 then parts[#parts + 1] = ("%d %s"):format(c[k], k) end
  end
  return table.concat(parts, ", ")
end

return M
