-- ratio.dataset: RationaleRM-format items (DESIGN.md §1), read and checked line by line.
--
--   for item, line in ratio.dataset.lines(path, {models = {"careful"}}) do ... end
--
-- Each item is checked before use: a wrong type or a missing field is an error naming
-- file:line:field and what was expected. on_error = "stop" (default) ends the run there;
-- "skip" counts the item (reader.skipped, reader.errors) and goes on.
local jsonl = require "ratio.jsonl"
local errors = require "ratio.errors"
local json = require "ratio.core.json"

local M = {}

M.LABELS = {["A>>B"] = -2, ["A>B"] = -1, ["A=B"] = 0, ["B>A"] = 1, ["B>>A"] = 2}

-- The longest checklist an item may have: a MetaJudge score block holds at most 1024 lines
-- (core/match/scoreblock.h), so a longer human list could never be scored, only mis-scored.
M.MAX_CHECKLIST = 1024

-- is_list_of_strings(v) -> true when v is a list (keys 1..n, no holes, nothing else) of strings:
-- what every checklist and string list in ratio's data must be.
function M.is_list_of_strings(v)
  if type(v) ~= "table" then return false end
  local n = 0
  for k, s in pairs(v) do
    if math.type(k) ~= "integer" or type(s) ~= "string" then return false end
    n = n + 1
  end
  return n == #v
end

-- shown(v) -> a value from a line as an error message shows it: JSON text for a string, number,
-- boolean or null (a long string cut at 60 bytes), "a list" / "an object" for a table (never a
-- Lua address).
function M.shown(v)
  if type(v) == "table" and v ~= json.null then return json.is_array(v) and "a list" or "an object" end
  if type(v) == "string" and #v > 60 then v = v:sub(1, 60) .. "..." end
  return json.encode(v) or tostring(v)
end

-- key_of(item, model, suffix) -> the field named "<model>-<suffix>" up to case, or nil. Several
-- such fields (`M-Checklist`, `M-CHECKLIST`): the first in the order of the line, as the published
-- loader takes them (json.keys keeps that order). A table built in Lua has no order: an exact
-- match, else the first matching name in byte order, so the answer never depends on pairs().
function M.key_of(item, model, suffix)
  local exact = model .. "-" .. suffix
  local want = exact:lower()
  local order = json.keys(item)
  if order then -- keys as the line had them: the first match up to case, as the published loader
    for _, k in ipairs(order) do
      if k:lower() == want and item[k] ~= nil then return k end
    end
  end
  -- keys a study added to the item after it was read (a judge's fresh checklist), or a table
  -- built in Lua: the exact name, else the first match in byte order
  if item[exact] ~= nil then return exact end
  local best
  for k in pairs(item) do
    if type(k) == "string" and k:lower() == want and (best == nil or k < best) then best = k end
  end
  return best
end

-- check(item, models) -> nil | "field: what is wrong"
function M.check(item, models)
  if type(item) == "table" and json.is_array(item) then
    return "the line is a JSON array, not an object (if the file is one array of items, convert it "
      .. "to JSON Lines: jq -c '.[]' FILE > FILE.jsonl)"
  end
  if type(item) ~= "table" then return "the line is not a JSON object" end
  local hc = item["human-checklist"]
  if hc == nil then return "human-checklist: missing" end
  if not M.is_list_of_strings(hc) then return "human-checklist: expected a list of strings" end
  if #hc > M.MAX_CHECKLIST then
    return ("human-checklist: %d items, more than the %d allowed"):format(#hc, M.MAX_CHECKLIST)
  end
  local pref = item.overall_preference
  if pref ~= nil and pref ~= json.null then
    if type(pref) ~= "number" or pref ~= pref or pref < -3 or pref > 3 then
      return "overall_preference: expected a number from -3 to 3, got " .. M.shown(pref)
    end
  end
  for _, m in ipairs(models or {}) do
    local ck = M.key_of(item, m, "checklist")
    if not ck then return m .. "-checklist: missing" end
    if not M.is_list_of_strings(item[ck]) then return ck .. ": expected a list of strings" end
    if #item[ck] > M.MAX_CHECKLIST then
      return ("%s: %d items, more than the %d allowed"):format(ck, #item[ck], M.MAX_CHECKLIST)
    end
    local lk = M.key_of(item, m, "label")
    if lk and item[lk] ~= json.null and (type(item[lk]) ~= "string" or not M.LABELS[item[lk]:gsub("%s", "")]) then
      return lk .. ": expected one of A>>B, A>B, A=B, B>A, B>>A, got " .. M.shown(item[lk])
    end
  end
  return nil
end

-- outcome(label, overall_preference) -> true (agrees), false (disagrees), or nil when it cannot
-- count: a human tie (excluded from outcome accuracy) or no label. overall_preference < 0 means
-- response 1 (A) is better; a predicted tie on a non-tie is wrong.
function M.outcome(label, pref)
  if type(pref) ~= "number" or pref == 0 then return nil end
  if type(label) ~= "string" then return nil end
  local v = M.LABELS[label:gsub("%s", "")]
  if v == nil then return nil end
  if v == 0 then return false end
  return (v < 0) == (pref < 0)
end

-- models_in(path) -> sorted list of the judges a dataset names: every <m> of a <m>-checklist or
-- <m>-label key in any line (human-checklist aside). Lines that are not JSON are passed over.
function M.models_in(path)
  local seen, out = {}, {}
  local r = jsonl.open(path, {on_error = "skip"})
  if not r then return out end
  while true do
    local item, err, lineno = r.raw:read() -- the raw reader: no second round of warnings
    if item == nil and (err == nil or lineno == nil) then break end
    if type(item) == "table" then
      for k in pairs(item) do
        local m = type(k) == "string" and (k:match("^(.+)%-checklist$") or k:match("^(.+)%-label$"))
        if m and m:lower() ~= "human" and not seen[m:lower()] then
          seen[m:lower()] = true
          out[#out + 1] = m
        end
      end
    end
  end
  r:close()
  table.sort(out)
  return out
end

-- The judge names a study asked for that no line of the file has: a usage error (exit 2) naming
-- the judges the file does have, with the nearest as a suggestion.
local function check_models_exist(path, wanted)
  local have = M.models_in(path)
  -- A file that names no judge at all is not a misspelt name: its lines are malformed, and the
  -- reader's --on-bad-item policy says what happens to them.
  if #have == 0 then return end
  local lower = {}
  for _, m in ipairs(have) do lower[m:lower()] = true end
  local missing
  for _, m in ipairs(wanted) do
    if not lower[m:lower()] then missing = m break end
  end
  if not missing then return end
  local near, best = nil, math.huge
  for _, m in ipairs(have) do
    local d = errors.edit_distance(missing:lower(), m:lower()) -- for "did you mean"
    if d < best then near, best = m, d end
  end
  errors.usage(("unknown judge '%s': no line of %s has %s-checklist; %s%s"):format(missing, path, missing,
    "the judges it has: " .. table.concat(have, ", "),
    near and best <= math.max(2, #missing // 3) and (" (did you mean " .. near .. "?)") or ""))
end

local Reader = {}
Reader.__index = Reader

-- open(path, {models=, on_error="stop"|"skip"}) -> reader with :lines(), .skipped, .errors
function M.open(path, opts)
  opts = opts or {}
  local on_error = opts.on_error or "stop"
  local raw, err = jsonl.open(path, {on_error = on_error, max_line = opts.max_line})
  if not raw then errors.data(err) end
  return setmetatable({raw = raw, path = path, models = opts.models, on_error = on_error,
                       skipped = 0, errors = {}, count = 0}, Reader)
end

function Reader:lines()
  return function()
    while true do
      local item, line = self.raw:read()
      if item == nil then
        self.skipped = self.skipped + self.raw.skipped
        for _, e in ipairs(self.raw.errors) do self.errors[#self.errors + 1] = e end
        self.raw.skipped, self.raw.errors = 0, {}
        return nil
      end
      local problem = M.check(item, self.models)
      if not problem then
        self.count = self.count + 1
        return item, line
      end
      local absent = problem:match("^(.+)%-checklist: missing$")
      if absent and not self.models_checked then
        self.models_checked = true
        check_models_exist(self.path, self.models or {})
      end
      local msg = ("%s:%d: %s"):format(self.path, line, problem)
      if self.on_error == "stop" then errors.data(msg) end
      self.skipped = self.skipped + 1
      if #self.errors < 20 then self.errors[#self.errors + 1] = msg end
      if self.skipped <= 5 then io.stderr:write("ratio: warning: ", msg, " (item skipped)\n") end
    end
  end
end

function Reader:close() self.raw:close() end

-- lines(path, opts) -> iterator of item, line; and the reader
function M.lines(path, opts)
  local r = M.open(path, opts)
  return r:lines(), r
end

-- require_usable(path, kept, skipped, first_error): ends the run (exit 1) when every line was
-- skipped. Skipping bad lines is for a few bad ones among good ones: a run over none would
-- succeed with nothing measured. Every reader that offers --on-bad-item skip calls it.
function M.require_usable(path, kept, skipped, first_error)
  if kept > 0 or skipped == 0 then return end
  errors.data(("%s: no usable item: all %d line%s skipped as malformed (--on-bad-item skip); the first: %s"):format(
    path, skipped, skipped == 1 and " was" or "s were", first_error or "?"))
end

-- read_all(path, opts) -> list of items, reader (items get ._line = their line number). A file
-- with no line at all (empty, or only blank lines) is a data error.
function M.read_all(path, opts)
  local r = M.open(path, opts)
  local out = {}
  for item, line in r:lines() do
    item._line = line
    out[#out + 1] = item
  end
  r:close()
  -- A file with no line at all is almost always the wrong file (or an export that failed): a run
  -- over zero items would report nothing and exit 0.
  if r.raw.count == 0 and r.skipped == 0 then
    errors.data(path .. ": no items (the file is empty or has only blank lines)")
  end
  M.require_usable(path, #out, r.skipped, r.errors[1])
  return out, r
end

-- select(items, {domains = {...} (empty: every domain), limit = N (0: all)}) -> items, per_domain
-- The items of those domains, at most `limit` of each (the first in the list); per_domain counts
-- what was kept, {domain = n}.
function M.select(items, o)
  local out, per_domain, wanted = {}, {}, {}
  for _, d in ipairs(o.domains or {}) do wanted[d] = true end
  local all_domains, limit = next(wanted) == nil, o.limit or 0
  for _, item in ipairs(items) do
    local d = tostring(item.domain)
    if (all_domains or wanted[d]) and (limit == 0 or (per_domain[d] or 0) < limit) then
      per_domain[d] = (per_domain[d] or 0) + 1
      out[#out + 1] = item
    end
  end
  return out, per_domain
end

-- write(path, items): the items as JSON Lines, without the _line read_all gave them.
function M.write(path, items)
  local w = assert(jsonl.writer(path))
  for _, item in ipairs(items) do
    local line = item._line
    item._line = nil
    assert(w:write(item))
    item._line = line
  end
  assert(w:close())
end

return M
