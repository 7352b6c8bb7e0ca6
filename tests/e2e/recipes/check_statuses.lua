-- Checks that a judge.lua or metajudge.lua run folder accounts for every item (the fault-injection
-- tests): every output line parses and has a known status, every failed item a reason, and the
-- summary's counts add up to its total and match the lines, per judge. Exits 1 naming the first
-- problem; returns the counts by status.
local ratio = require "ratio"
local p = ratio.params{
  kind = {nil, "what wrote the folder", choices = {"judge", "metajudge"}, required = true},
  dir = {nil, "the run folder", required = true},
  n = {0, "items in the input (0 = do not check)", min = 0},
}

local function check(cond, fmt, ...)
  if not cond then ratio.exit(1, (fmt):format(...)) end
end

local function read_json(path)
  local f = assert(io.open(path))
  local v = ratio.json.decode(f:read("a"))
  f:close()
  check(type(v) == "table", "%s: not a JSON object", path)
  return v
end

-- Every line of a JSONL file, decoded; a line that does not parse is a failure.
local function lines(path)
  local out, n = {}, 0
  for line in io.lines(path) do
    n = n + 1
    local v, err = ratio.json.decode(line)
    check(type(v) == "table", "%s:%d: does not parse: %s", path, n, tostring(err))
    out[n] = v
  end
  return out
end

local function nonempty(s) return type(s) == "string" and s ~= "" end

local result = {}
local summary = read_json(p.dir .. "/summary.json")
if p.kind == "judge" then
  local items = lines(p.dir .. "/items.jsonl")
  local judged = lines(p.dir .. "/judged.jsonl")
  local counts = {ok = 0, unscored = 0, failed = 0}
  for i, r in ipairs(items) do
    check(counts[r.status] ~= nil, "items.jsonl:%d: status %s", i, tostring(r.status))
    counts[r.status] = counts[r.status] + 1
    if r.status == "failed" then check(nonempty(r.error), "items.jsonl:%d: failed without a reason", i) end
    if r.status == "unscored" then check(nonempty(r.text), "items.jsonl:%d: unscored without the reply", i) end
  end
  check(#judged == #items, "judged.jsonl has %d lines, items.jsonl %d", #judged, #items)
  check(summary.total == #items, "summary total %s, %d items", tostring(summary.total), #items)
  check(summary.scored == counts.ok and summary.unscored == counts.unscored and summary.failed == counts.failed,
        "summary %s/%s/%s, items %d/%d/%d", tostring(summary.scored), tostring(summary.unscored),
        tostring(summary.failed), counts.ok, counts.unscored, counts.failed)
  check(summary.scored + summary.unscored + summary.failed == summary.total, "counts do not add up")
  if p.n > 0 then check(summary.total + summary.skipped_lines == p.n, "%d judged + %d skipped of %d",
                        summary.total, summary.skipped_lines, p.n) end
  result.judge = counts
else
  for model, s in pairs(summary.models) do
    local rows = lines(("%s/metajudge-%s.jsonl"):format(p.dir, model))
    local counts = {valid = 0, partial = 0, unscored = 0, failed = 0, skipped = 0, error = 0}
    for i, r in ipairs(rows) do
      local st = type(r.ratio) == "table" and r.ratio.status
      check(counts[st] ~= nil, "metajudge-%s.jsonl:%d: status %s", model, i, tostring(st))
      counts[st] = counts[st] + 1
      if st == "failed" then
        check(nonempty(r.ratio.error), "metajudge-%s.jsonl:%d: failed without a reason", model, i)
        -- the published script's words for a call that failed: status "error", error_message
        check(r.status == "error", "metajudge-%s.jsonl:%d: failed item marked %s", model, i, tostring(r.status))
        check(nonempty(r.error_message), "metajudge-%s.jsonl:%d: failed without an error_message", model, i)
      end
    end
    check(s.total == #rows, "%s: summary total %s, %d lines", model, tostring(s.total), #rows)
    check(s.valid == counts.valid + counts.partial and s.unscored == counts.unscored
          and s.failed == counts.failed and s.skipped == counts.skipped and s.error == counts.error,
          "%s: the summary's counts differ from the lines", model)
    check(s.valid + s.unscored + s.failed + s.skipped + s.error == s.total, "%s: counts do not add up", model)
    if p.n > 0 then check(s.total == p.n, "%s: %d of %d items", model, s.total, p.n) end
    result[model] = counts
  end
end
return result
