-- ratio.decomposition: a decomposition study (recipes/decompose.lua), from each item's results to
-- the run folder. Every item was decomposed by one prompt, or by two side by side
-- (ratio.decompose); this module sets each result beside the kept range of counts, the item's
-- existing human-checklist and, side by side, the other prompt's rationales; sums them up per
-- prompt beside the paper's count; and writes the decomposed datasets, items.jsonl, summary.json,
-- summary.csv and report.html, printing the table and the notes.
--
--   local study = ratio.decomposition.collect(items, lines, results, prompts, {range = {3, 7},
--     min_score = 0.5, matcher = ratio.metajudge.matcher("lexical"), info = info})
--   local summary = study:summarize{input =, model =, keep_range = "3-7", strengths =,
--                                   paper = ratio.decomposition.paper(), show = 5}
--   return study:write(ratio.run_dir(), summary)
--
-- prompts: {{key = "a", source = "built-in" | path, sha256 = the template's}, ...} in the order of
-- the results (results[i][k] is prompt k's result for item i, or a failed record for the item).
local decompose = require "ratio.decompose"
local report = require "ratio.report"
local sched = require "ratio.sched"
local stats = require "ratio.stats"
local jsonl = require "ratio.jsonl"
local json = require "ratio.core.json"
local study = require "ratio.study"

local M = {}

local Study = {}
Study.__index = Study

-- ratio.stats.mean, but nil for an empty list (a summary field left out, as JSON has no NaN); the
-- CIs: 1,000 bootstrap resamples, seed 1.
local function mean(list) return #list > 0 and stats.mean(list) or nil end
local CI = {resamples = 1000, seed = 1}
local function total(list)
  local n = 0
  for _, x in ipairs(list) do n = n + x end
  return n
end

-- paper() -> the paper's count of atomic rationales per item ({mean_rationales, items, range,
-- where, source}, from data/published.json), or nil.
function M.paper()
  local pub = study.published()
  local d = pub and pub.decomposition
  return d and {mean_rationales = d.mean_rationales, items = d.items, range = d.range, where = d.where,
                source = pub.source} or nil
end

-- collect(items, lines, results, prompts, {range = {lo, hi} | nil, min_score, matcher, info})
-- -> study (info: what ratio.decompose.read said about the file's bad lines)
-- One record per item ({id, domain, line, [key] = its result per prompt}): a failed item is kept
-- as failed under every prompt, never dropped; a valid result gets n (its count), range
-- ("kept", "below" or "above" the range) and input_overlap (one-to-one matching with the item's
-- own human-checklist, if it has one); two prompts' valid results get their comparison
-- (ratio.decompose.overlap).
function M.collect(items, lines, results, prompts, o)
  local lo, hi = o.range and o.range[1], o.range and o.range[2]
  local match = {min_score = o.min_score, matcher = o.matcher}
  local per_item = {}
  for i, item in ipairs(items) do
    local r = results[i]
    local row = {id = item.id, domain = item.domain, line = lines[i]}
    for k, v in ipairs(prompts) do
      local x
      if sched.failed(r) then -- an error in the library: kept as failed, never dropped
        x = {status = "failed", error = tostring(r.error), rationales = {}, dropped = {}, raw = {},
             reasks = 0}
      else
        x = r[k]
      end
      x.n = x.status == "valid" and #x.rationales or nil
      if x.n and lo then
        x.range = x.n < lo and "below" or x.n > hi and "above" or "kept"
      end
      local prev = item["human-checklist"]
      if x.status == "valid" and type(prev) == "table" then
        x.input_overlap = decompose.overlap(x.rationales, prev, match).overlap
      end
      row[v.key] = x
    end
    if #prompts > 1 and row.a.status == "valid" and row.b.status == "valid" then
      row.comparison = decompose.overlap(row.a.rationales, row.b.rationales, match)
    end
    per_item[i] = row
  end
  return setmetatable({items = items, per_item = per_item, prompts = prompts, lo = lo, hi = hi,
                       side_by_side = #prompts > 1, min_score = o.min_score, info = o.info}, Study)
end

-- One prompt's numbers: statuses, re-asks, dropped points by kind, rationales per item (mean with
-- its CI, distribution, the kept items apart), the kept range, the overlap with the input.
function Study:prompt_summary(v)
  local lo, hi = self.lo, self.hi
  local s = {prompt = v.source, prompt_sha256 = v.sha256, valid = 0, unscored = 0, failed = 0,
             skipped = 0, reasks = 0, dropped_by_kind = {}}
  local counts, drops, vs_input = {}, {}, {}
  local range = lo and {kept = 0, below = 0, above = 0, below_ids = {}, above_ids = {}} or nil
  for _, row in ipairs(self.per_item) do
    local x = row[v.key]
    s[x.status] = (s[x.status] or 0) + 1
    s.reasks = s.reasks + (x.reasks or 0)
    if x.status == "valid" then
      counts[#counts + 1] = x.n
      drops[#drops + 1] = #x.dropped
      for _, d in ipairs(x.dropped) do
        local k = decompose.reason_kind(d.reason)
        s.dropped_by_kind[k] = (s.dropped_by_kind[k] or 0) + 1
      end
      if x.input_overlap then vs_input[#vs_input + 1] = x.input_overlap end
      if range then
        range[x.range] = range[x.range] + 1
        if x.range ~= "kept" then
          local ids = range[x.range .. "_ids"]
          ids[#ids + 1] = row.id or ("line " .. row.line)
        end
      end
    end
  end
  s.rationales = {total = total(counts), mean = mean(counts), ci = stats.ci(counts, CI)}
  s.dropped = {total = total(drops), mean = mean(drops)}
  s.input_checklist_overlap = mean(vs_input)
  s.range = range
  -- How many rationales per item: every valid item, then the kept ones (what the paper reports).
  s.counts = decompose.distribution(counts, lo, hi)
  local kept_counts = {}
  for _, n in ipairs(counts) do
    if not lo or (n >= lo and n <= hi) then kept_counts[#kept_counts + 1] = n end
  end
  s.kept_counts = {n = #kept_counts, mean = mean(kept_counts), ci = stats.ci(kept_counts, CI)}
  return s
end

-- Two prompts side by side: the items valid under both, their mean counts and the paired
-- permutation test of the difference, the mean overlap with its CI, and the `show` items where the
-- prompts disagree most (least overlap, then the largest difference in counts, then file order).
function Study:comparison(show)
  local overlaps, na, nb, rows = {}, {}, {}, {}
  for _, row in ipairs(self.per_item) do
    if row.comparison then
      overlaps[#overlaps + 1] = row.comparison.overlap
      na[#na + 1], nb[#nb + 1] = row.a.n, row.b.n
      rows[#rows + 1] = row
    end
  end
  table.sort(rows, function(x, y)
    local ox, oy = x.comparison.overlap, y.comparison.overlap
    if ox ~= oy then return ox < oy end
    local dx, dy = math.abs(x.a.n - x.b.n), math.abs(y.a.n - y.b.n)
    if dx ~= dy then return dx > dy end
    return x.line < y.line
  end)
  local worst = {}
  for k = 1, math.min(show, #rows) do
    local row = rows[k]
    worst[k] = {id = row.id, line = row.line, overlap = row.comparison.overlap, n_a = row.a.n, n_b = row.b.n,
                only_a = row.comparison.only_a, only_b = row.comparison.only_b,
                dropped_a = row.a.dropped, dropped_b = row.b.dropped}
  end
  local paired = #na > 0 and stats.permutation(na, nb, {resamples = 10000, seed = 1}) or nil
  return {items = #overlaps, mean_count_a = mean(na), mean_count_b = mean(nb), count_difference = paired,
          mean_overlap = mean(overlaps), overlap_ci = stats.ci(overlaps, CI), min_score = self.min_score,
          disagree_most = worst}
end

-- study:summarize{input, model, keep_range, strengths, paper, show} -> the summary: the run's
-- facts, prompts = {[key] = its numbers}, and side by side the comparison.
function Study:summarize(o)
  local summary = {input = o.input, model = o.model, items = #self.items, bad_lines = self.info.bad_lines,
                   bad_items = self.info.bad_items, keep_range = self.lo and o.keep_range or "all",
                   strengths = o.strengths, paper = o.paper, prompts = {},
                   mode = self.side_by_side and "side-by-side" or "single"}
  for _, v in ipairs(self.prompts) do summary.prompts[v.key] = self:prompt_summary(v) end
  if self.side_by_side then summary.comparison = self:comparison(o.show) end
  return summary
end

-- The decomposed dataset of one prompt: every input field kept, human-checklist replaced (the old
-- one, if any, kept under ratio-decompose.previous_human_checklist), only valid items within the
-- range. -> file name, items written
function Study:write_dataset(dir, v, model)
  local name = self.side_by_side and ("decomposed-%s.jsonl"):format(v.key) or "decomposed.jsonl"
  local w = assert(jsonl.writer(dir .. "/" .. name))
  local n = 0
  for i, item in ipairs(self.items) do
    local x = self.per_item[i][v.key]
    if x.status == "valid" and (x.range == nil or x.range == "kept") then
      local out = {}
      for k, val in pairs(item) do out[k] = val end
      out["human-checklist"] = json.array(x.rationales)
      local dropped = {}
      for j, d in ipairs(x.dropped) do dropped[j] = {point = d.point, reason = d.reason} end
      out["ratio-decompose"] = {model = model, prompt = v.source, prompt_sha256 = v.sha256,
        dropped = json.array(dropped), issues = x.issues, reasks = x.reasks,
        previous_human_checklist = item["human-checklist"]}
      assert(w:write(out))
      n = n + 1
    end
  end
  assert(w:close())
  return name, n
end

-- The table: one row per prompt.
function Study:table(summary)
  local header = {"prompt", "valid", "unscored", "failed", "skipped", "rationales/item", "dropped/item",
                  "re-asked"}
  if self.lo then
    for _, h in ipairs{"kept " .. summary.keep_range, "below", "above"} do header[#header + 1] = h end
  end
  local rows = {}
  for _, v in ipairs(self.prompts) do
    local s = summary.prompts[v.key]
    local row = {self.side_by_side and (v.key .. ": " .. v.source) or v.source, tostring(s.valid),
      tostring(s.unscored), tostring(s.failed), tostring(s.skipped),
      report.with_ci(s.rationales.mean, s.rationales.ci), report.num(s.dropped.mean, 2), tostring(s.reasks)}
    if s.range then
      row[#row + 1], row[#row + 2], row[#row + 3] = tostring(s.range.kept), tostring(s.range.below),
        tostring(s.range.above)
    end
    rows[#rows + 1] = row
  end
  return header, rows
end

-- The notes: the input, its bad lines, and per prompt what the range left out, the overlap with the
-- input, what was written, the counts and the mean beside the paper's.
function Study:notes(summary)
  local info, paper, keep_range = self.info, summary.paper, summary.keep_range
  local notes = {("%d items from %s, decomposed by %s."):format(#self.items, summary.input, summary.model)}
  if info.bad_lines + info.bad_items > 0 then
    notes[#notes + 1] = ("%d bad lines and %d bad items skipped (first: %s)."):format(info.bad_lines,
      info.bad_items, info.errors[1] or "-")
  end
  for _, v in ipairs(self.prompts) do
    local s = summary.prompts[v.key]
    local tag = self.side_by_side and (v.key .. ": ") or ""
    if s.range and s.range.below + s.range.above > 0 then
      local ids = {}
      for _, id in ipairs(s.range.below_ids) do ids[#ids + 1] = id end
      for _, id in ipairs(s.range.above_ids) do ids[#ids + 1] = id end
      notes[#notes + 1] = ("%s%d items outside %s left out of %s (%d with fewer, %d with more): %s."):format(
        tag, s.range.below + s.range.above, keep_range, s.output, s.range.below, s.range.above,
        table.concat(ids, ", "))
    end
    if s.input_checklist_overlap then
      notes[#notes + 1] = ("%soverlap with the input's existing human-checklist %s (lexical, one-to-one).")
        :format(tag, report.num(s.input_checklist_overlap))
    end
    notes[#notes + 1] = ("%s%d items written to %s."):format(tag, s.written, s.output)
    local hist = {}
    for _, h in ipairs(s.counts.histogram) do hist[#hist + 1] = ("%d: %d"):format(h[1], h[2]) end
    if #hist > 0 then
      notes[#notes + 1] = ("%srationales per item (items): %s."):format(tag, table.concat(hist, ", "))
    end
    if paper and s.kept_counts.mean then
      local c = s.kept_counts.ci
      local inside = c and ((paper.mean_rationales >= c.lo and paper.mean_rationales <= c.hi)
        and ", inside our 95% CI" or ", outside our 95% CI") or ""
      notes[#notes + 1] = ("%smean over the %d kept items %s; the paper's: %.2f over %d items (%d-%d)%s.")
        :format(tag, s.kept_counts.n, report.with_ci(s.kept_counts.mean, c), paper.mean_rationales,
          paper.items, paper.range[1], paper.range[2], inside)
    end
  end
  return notes
end

-- One prompt: a row per item (status, count, dropped points, range).
function Study:single_sections(sections)
  local lo = self.lo
  local ih = {"item", "status", "rationales", "dropped", lo and "range" or nil}
  local irows = {}
  for _, row in ipairs(self.per_item) do
    local x = row.a
    irows[#irows + 1] = {tostring(row.id or row.line), x.status, x.n and tostring(x.n) or "-",
      tostring(#x.dropped), lo and (x.range or "-") or nil}
  end
  sections[1] = {title = "Per item", header = ih, rows = irows}
end

-- Two prompts: a row per item (each prompt's count, their overlap, what each dropped), printed with
-- the items where they disagree most; the comparison's notes.
function Study:side_by_side_sections(summary, sections, notes)
  local ih = {"item", "A", "B", "shared", "overlap", "dropped A", "dropped B"}
  local irows, dropped_text = {}, {}
  for _, row in ipairs(self.per_item) do
    local a, b, c = row.a, row.b, row.comparison
    local function n(x) return x.status == "valid" and tostring(x.n) or x.status end
    irows[#irows + 1] = {tostring(row.id or row.line), n(a), n(b), c and tostring(c.shared) or "-",
      c and report.num(c.overlap, 2) or "-", tostring(#a.dropped), tostring(#b.dropped)}
  end
  print()
  print(report.table(ih, irows))
  local c = summary.comparison
  notes[#notes + 1] = ("%d items valid under both prompts: mean rationales A %s, B %s; mean overlap %s "
    .. "(one-to-one lexical matching, score >= %g)."):format(c.items, report.num(c.mean_count_a, 2),
    report.num(c.mean_count_b, 2), report.with_ci(c.mean_overlap, c.overlap_ci), self.min_score)
  sections[1] = {title = "Per item: rationales from each prompt and their overlap", header = ih, rows = irows}
  for _, row in ipairs(self.per_item) do
    local block = {tostring(row.id or ("line " .. row.line))}
    for _, key in ipairs{"a", "b"} do
      for _, d in ipairs(row[key].dropped) do
        block[#block + 1] = ("  %s dropped: %s (%s)"):format(key:upper(), d.point, d.reason)
      end
    end
    if #block > 1 then dropped_text[#dropped_text + 1] = table.concat(block, "\n") end
  end
  local worst = c.disagree_most
  if #worst > 0 then
    local paras = {}
    print("\nWhere the two prompts disagree most:")
    for _, w in ipairs(worst) do
      local block = {("%s  overlap %s, A %d, B %d"):format(w.id or ("line " .. w.line),
        report.num(w.overlap, 2), w.n_a, w.n_b)}
      for _, s in ipairs(w.only_a) do block[#block + 1] = "  only A: " .. s end
      for _, s in ipairs(w.only_b) do block[#block + 1] = "  only B: " .. s end
      for _, side in ipairs{{"A", w.dropped_a}, {"B", w.dropped_b}} do
        for _, d in ipairs(side[2]) do
          block[#block + 1] = ("  %s dropped: %s (%s)"):format(side[1], d.point, d.reason)
        end
      end
      print("\n" .. table.concat(block, "\n"))
      paras[#paras + 1] = table.concat(block, "\n")
    end
    sections[#sections + 1] = {title = "Where the two prompts disagree most",
                               pre = table.concat(paras, "\n\n")}
    local ids = {}
    for _, w in ipairs(worst) do ids[#ids + 1] = tostring(w.id or w.line) end
    notes[#notes + 1] = ("Most disagreement: %s (items.jsonl has every item's lists)."):format(
      table.concat(ids, ", "))
  end
  return dropped_text
end

-- study:write(dir, summary) -> summary. Writes each prompt's decomposed dataset (its name and
-- count into the summary), prints the table, side by side the per-item table and the items that
-- disagree most, then the notes; writes items.jsonl (one prompt's result at the top level of each
-- line, two prompts' under a and b with their comparison), summary.json (with the LLM usage),
-- summary.csv and report.html.
function Study:write(dir, summary)
  local lo, hi, paper = self.lo, self.hi, summary.paper
  summary.run_dir = dir
  for _, v in ipairs(self.prompts) do
    local s = summary.prompts[v.key]
    s.output, s.written = self:write_dataset(dir, v, summary.model)
  end
  local header, rows = self:table(summary)
  print(report.table(header, rows))
  local notes = self:notes(summary)
  local sections, dropped_text = {}, {}
  if self.side_by_side then
    dropped_text = self:side_by_side_sections(summary, sections, notes)
  else
    self:single_sections(sections)
  end
  for _, v in ipairs(self.prompts) do
    local s = summary.prompts[v.key]
    local hrows = {}
    for _, h in ipairs(s.counts.histogram) do
      local kept = not lo or (h[1] >= lo and h[1] <= hi)
      hrows[#hrows + 1] = {tostring(h[1]), tostring(h[2]), kept and "kept" or "left out"}
    end
    if #hrows > 0 then
      sections[#sections + 1] = {
        title = "Rationales per item" .. (self.side_by_side and (" (" .. v.key .. ")") or ""),
        text = paper and ("The paper keeps items with %d to %d atomic rationales: mean %.2f over %d items.")
          :format(paper.range[1], paper.range[2], paper.mean_rationales, paper.items) or nil,
        header = {"rationales", "items", lo and ("range " .. summary.keep_range) or "range"}, rows = hrows}
    end
  end
  for _, n in ipairs(notes) do print(n) end
  if self.side_by_side and #dropped_text > 0 then
    sections[#sections + 1] = {title = "What each prompt dropped, per item",
                               pre = table.concat(dropped_text, "\n\n")}
  end

  local items = self.per_item
  if not self.side_by_side then
    items = {}
    for i, row in ipairs(self.per_item) do
      local flat = {id = row.id, domain = row.domain, line = row.line}
      for k, val in pairs(row.a) do flat[k] = val end
      items[i] = flat
    end
  end
  summary.usage = require("ratio.llm").usage()
  return study.write(dir, {items = items, summary = summary, print = false, page = {
    title = self.side_by_side and "Decomposition: two prompts side by side"
      or "Decomposition into atomic rationales",
    intro = "Free-text human explanations turned into atomic rationales by " .. summary.model .. ".",
    header = header, rows = rows, notes = notes, sections = sections}})
end

return M
