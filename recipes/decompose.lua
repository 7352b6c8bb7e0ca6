-- What do the human annotators' reasons come to, once they are written as atomic rationales? An LLM
-- turns each item's free-text explanations (HelpSteer3 `individual_preference`: reasoning and
-- feedback per annotator) into specific, evidence-grounded rationales about problems (decisive
-- strengths too with --strengths), merging duplicates and saying why each point it drops was dropped. The result is
-- written as `human-checklist` in the RationaleRM schema (decomposed.jsonl in the run folder), so
-- judge and metajudge recipes read it directly. As in the paper (HelpSteer3-Atomic), the prompt
-- asks for 3 to 7 atomic rationales about problems, and only items with 3 to 7 are kept
-- (`--keep-range`, `all` keeps every item); the summary sets the count distribution beside the
-- paper's (mean 4.37 over 1,000 items, data/published.json). With `--prompt-b FILE` two decomposition
-- prompts run side by side: rationales per item from each, their overlap (one-to-one lexical
-- matching), what each dropped, and the items where they disagree most.
local ratio = require "ratio"
local p = ratio.params{
  input = {"data/sample.jsonl", "items with individual_preference (HelpSteer3 layout)", type = "file"},
  prompt_a = {nil, "a Lua file returning the decomposition template (default: the built-in prompt)", type = "file"},
  prompt_b = {nil, "a second template: run both side by side and compare them", type = "file"},
  keep_range = {"3-7", "keep only items with this many rationales (the paper's 3-7), also what the prompt asks for; 'all' keeps every item"},
  strengths = {false, "let a rationale be a strength that decides the comparison (the paper's are about problems only)"},
  min_score = {0.5, "side by side: lexical matcher score from which two rationales are the same point", min = 0, max = 1},
  show = {5, "side by side: how many of the most-disagreeing items to print in full", min = 0},
  limit = {0, "decompose only the first N items (0 = all)", min = 0},
  concurrency = {16, "items decomposed at once", min = 1},
  rpm = {0, "requests per minute (0 = no limit)", min = 0},
  on_bad_item = {"stop", "a malformed dataset line: stop, or skip and count", choices = {"stop", "skip"}},
  ratio.flags.llm{required = true, what = "the decomposing LLM", legacy = "", aliases = {max_tokens = "llm_max_tokens"}},
}

local lo, hi
if p.keep_range ~= "" and p.keep_range ~= "all" then
  local a, b = ratio.decompose.range(p.keep_range)
  if not a then ratio.exit(2, "--keep-range: " .. b) end
  lo, hi = a, b
end

-- A prompt file is a Lua chunk returning the template (a string with {{explanations}} and any of
-- {{conversation}}, {{response1}}, {{response2}}).
local function load_template(flag, path)
  if not path then return ratio.decompose.TEMPLATE, "built-in" end
  local chunk, err = loadfile(path, "t")
  if not chunk then ratio.exit(2, ("%s: %s"):format(flag, err)) end
  local ok, v = pcall(chunk)
  if not ok then ratio.exit(2, ("%s: %s"):format(flag, tostring(v))) end
  if type(v) ~= "string" then
    ratio.exit(2, ("%s: %s must return the template as a string, not a %s"):format(flag, path, type(v)))
  end
  local good, why = ratio.decompose.check_template(v)
  if not good then ratio.exit(2, ("%s: %s: %s"):format(flag, path, why)) end
  return v, path
end

local side_by_side = p.prompt_b ~= nil
local variants = {}
do
  local t, src = load_template("--prompt-a", p.prompt_a)
  variants[1] = {key = "a", template = t, source = src}
  if side_by_side then
    t, src = load_template("--prompt-b", p.prompt_b)
    variants[2] = {key = "b", template = t, source = src}
  end
end

local client = ratio.llm.from_params(p, "llm")
ratio.manifest("decompose_model", p.model)
for _, v in ipairs(variants) do
  v.decomposer = ratio.decompose.new{client = client, template = v.template,
    name = side_by_side and ("decompose_" .. v.key) or "decompose",
    params = {}, strengths = p.strengths, -- the settings are the client's (--llm-*)
    range = lo and hi < math.maxinteger and {lo, hi} or nil}
  v.sha256 = ratio.sha256(v.template)
end

-- The paper's count of rationales per item, to set beside ours.
local paper = (function()
  local f = io.open(require("ratio.state").root .. "/data/published.json")
  local pub = f and ratio.json.decode(f:read("a"))
  if f then f:close() end
  return pub and pub.decomposition and {mean_rationales = pub.decomposition.mean_rationales,
    items = pub.decomposition.items, range = pub.decomposition.range, where = pub.decomposition.where,
    source = pub.source} or nil
end)()

local items, lines, info = ratio.decompose.read(p.input, ratio.decompose.check, {on_error = p.on_bad_item})
if p.limit > 0 then
  for i = #items, p.limit + 1, -1 do items[i], lines[i] = nil, nil end
end

-- One task per item; the variants of one item run at once.
local results = ratio.map(items, function(item)
  local fns = {}
  for k, v in ipairs(variants) do fns[k] = function() return v.decomposer:run(item) end end
  return ratio.gather(fns)
end, {concurrency = p.concurrency, progress = "decomposing", on_error = "record"})

local dir = ratio.run_dir()
local matcher = ratio.metajudge.matcher("lexical")
local per_item = {}
for i, item in ipairs(items) do
  local r = results[i]
  per_item[i] = {id = item.id, domain = item.domain, line = lines[i]}
  for k, v in ipairs(variants) do
    local x
    if ratio.failed(r) then -- an error in the library: kept as failed, never dropped
      x = {status = "failed", error = tostring(r.error), rationales = {}, dropped = {}, raw = {}, reasks = 0}
    else
      x = r[k]
    end
    x.n = x.status == "valid" and #x.rationales or nil
    if x.n and lo then
      x.range = x.n < lo and "below" or x.n > hi and "above" or "kept"
    end
    local prev = item["human-checklist"]
    if x.status == "valid" and type(prev) == "table" then
      local o = ratio.decompose.overlap(x.rationales, prev, {min_score = p.min_score, matcher = matcher})
      x.input_overlap = o.overlap
    end
    per_item[i][v.key] = x
  end
  if side_by_side then
    local a, b = per_item[i].a, per_item[i].b
    if a.status == "valid" and b.status == "valid" then
      per_item[i].comparison = ratio.decompose.overlap(a.rationales, b.rationales,
        {min_score = p.min_score, matcher = matcher})
    end
  end
end

-- The decomposed dataset: every input field kept, human-checklist replaced (the old one, if
-- any, kept under ratio-decompose.previous_human_checklist), only valid items within the range.
local function write_dataset(v)
  local name = side_by_side and ("decomposed-%s.jsonl"):format(v.key) or "decomposed.jsonl"
  local w = assert(ratio.jsonl.writer(dir .. "/" .. name))
  local n = 0
  for i, item in ipairs(items) do
    local x = per_item[i][v.key]
    if x.status == "valid" and (x.range == nil or x.range == "kept") then
      local out = {}
      for k, val in pairs(item) do out[k] = val end
      out["human-checklist"] = ratio.json.array(x.rationales)
      local dropped = {}
      for j, d in ipairs(x.dropped) do dropped[j] = {point = d.point, reason = d.reason} end
      out["ratio-decompose"] = {model = p.model, prompt = v.source, prompt_sha256 = v.sha256,
        dropped = ratio.json.array(dropped), issues = x.issues, reasks = x.reasks,
        previous_human_checklist = item["human-checklist"]}
      assert(w:write(out))
      n = n + 1
    end
  end
  assert(w:close())
  return name, n
end

-- ratio.stats.mean (nil for an empty list) and ratio.stats.ci (nil too), 1,000 resamples, seed 1.
local function mean(list) return #list > 0 and ratio.stats.mean(list) or nil end
local function ci(list) return ratio.stats.ci(list, {resamples = 1000, seed = 1}) end

local summary = {input = p.input, model = p.model, items = #items, bad_lines = info.bad_lines,
                 bad_items = info.bad_items, keep_range = lo and p.keep_range or "all", strengths = p.strengths, paper = paper,
                 mode = side_by_side and "side-by-side" or "single", prompts = {}, run_dir = dir}
local header = {"prompt", "valid", "unscored", "failed", "skipped", "rationales/item", "dropped/item", "re-asked"}
if lo then
  for _, h in ipairs{"kept " .. p.keep_range, "below", "above"} do header[#header + 1] = h end
end
local rows = {}
for _, v in ipairs(variants) do
  local s = {prompt = v.source, prompt_sha256 = v.sha256, valid = 0, unscored = 0, failed = 0,
             skipped = 0, reasks = 0, dropped_by_kind = {}}
  local counts, drops, vs_input = {}, {}, {}
  local range = lo and {kept = 0, below = 0, above = 0, below_ids = {}, above_ids = {}} or nil
  for _, row in ipairs(per_item) do
    local x = row[v.key]
    s[x.status] = (s[x.status] or 0) + 1
    s.reasks = s.reasks + (x.reasks or 0)
    if x.status == "valid" then
      counts[#counts + 1] = x.n
      drops[#drops + 1] = #x.dropped
      for _, d in ipairs(x.dropped) do
        local k = ratio.decompose.reason_kind(d.reason)
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
  s.rationales = {total = 0, mean = mean(counts), ci = ci(counts)}
  for _, n in ipairs(counts) do s.rationales.total = s.rationales.total + n end
  s.dropped = {total = 0, mean = mean(drops)}
  for _, n in ipairs(drops) do s.dropped.total = s.dropped.total + n end
  s.input_checklist_overlap = mean(vs_input)
  s.range = range
  -- How many rationales per item: every valid item, then the kept ones (what the paper reports).
  s.counts = ratio.decompose.distribution(counts, lo, hi)
  local kept_counts = {}
  for _, n in ipairs(counts) do if not lo or (n >= lo and n <= hi) then kept_counts[#kept_counts + 1] = n end end
  s.kept_counts = {n = #kept_counts, mean = mean(kept_counts), ci = ci(kept_counts)}
  s.output, s.written = write_dataset(v)
  summary.prompts[v.key] = s
  local row = {side_by_side and (v.key .. ": " .. v.source) or v.source, tostring(s.valid), tostring(s.unscored), tostring(s.failed),
    tostring(s.skipped), ratio.report.with_ci(s.rationales.mean, s.rationales.ci), ratio.report.num(s.dropped.mean, 2),
    tostring(s.reasks)}
  if range then
    row[#row + 1], row[#row + 2], row[#row + 3] = tostring(range.kept), tostring(range.below), tostring(range.above)
  end
  rows[#rows + 1] = row
end

print(ratio.report.table(header, rows))
local notes = {("%d items from %s, decomposed by %s."):format(#items, p.input, p.model)}
if info.bad_lines + info.bad_items > 0 then
  notes[#notes + 1] = ("%d bad lines and %d bad items skipped (first: %s)."):format(info.bad_lines, info.bad_items,
    info.errors[1] or "-")
end
for _, v in ipairs(variants) do
  local s = summary.prompts[v.key]
  local tag = side_by_side and (v.key .. ": ") or ""
  if s.range and s.range.below + s.range.above > 0 then
    local ids = {}
    for _, id in ipairs(s.range.below_ids) do ids[#ids + 1] = id end
    for _, id in ipairs(s.range.above_ids) do ids[#ids + 1] = id end
    notes[#notes + 1] = ("%s%d items outside %s left out of %s (%d with fewer, %d with more): %s."):format(
      tag, s.range.below + s.range.above, p.keep_range, s.output, s.range.below, s.range.above, table.concat(ids, ", "))
  end
  if s.input_checklist_overlap then
    notes[#notes + 1] = ("%soverlap with the input's existing human-checklist %s (lexical, one-to-one)."):format(
      tag, ratio.report.num(s.input_checklist_overlap))
  end
  notes[#notes + 1] = ("%s%d items written to %s."):format(tag, s.written, s.output)
  local hist = {}
  for _, h in ipairs(s.counts.histogram) do hist[#hist + 1] = ("%d: %d"):format(h[1], h[2]) end
  if #hist > 0 then
    notes[#notes + 1] = ("%srationales per item (items): %s."):format(tag, table.concat(hist, ", "))
  end
  if paper and s.kept_counts.mean then
    local c = s.kept_counts.ci
    notes[#notes + 1] = ("%smean over the %d kept items %s; the paper's: %.2f over %d items (%d-%d)%s."):format(
      tag, s.kept_counts.n, ratio.report.with_ci(s.kept_counts.mean, c), paper.mean_rationales, paper.items,
      paper.range[1], paper.range[2],
      c and ((paper.mean_rationales >= c.lo and paper.mean_rationales <= c.hi) and ", inside our 95% CI" or ", outside our 95% CI") or "")
  end
end

local sections, dropped_text = {}, {}
if not side_by_side then
  local ih = {"item", "status", "rationales", "dropped", lo and "range" or nil}
  local irows = {}
  for _, row in ipairs(per_item) do
    local x = row.a
    irows[#irows + 1] = {tostring(row.id or row.line), x.status, x.n and tostring(x.n) or "-",
      tostring(#x.dropped), lo and (x.range or "-") or nil}
  end
  sections[1] = {title = "Per item", header = ih, rows = irows}
else
  -- Per item: counts from each prompt, their overlap, what each dropped.
  local ih = {"item", "A", "B", "shared", "overlap", "dropped A", "dropped B"}
  local irows, overlaps, cmp_rows = {}, {}, {}
  local na, nb = {}, {}
  for _, row in ipairs(per_item) do
    local a, b, c = row.a, row.b, row.comparison
    local function n(x) return x.status == "valid" and tostring(x.n) or x.status end
    irows[#irows + 1] = {tostring(row.id or row.line), n(a), n(b), c and tostring(c.shared) or "-",
      c and ratio.report.num(c.overlap, 2) or "-", tostring(#a.dropped), tostring(#b.dropped)}
    if c then
      overlaps[#overlaps + 1] = c.overlap
      na[#na + 1], nb[#nb + 1] = a.n, b.n
      cmp_rows[#cmp_rows + 1] = row
    end
  end
  table.sort(cmp_rows, function(x, y)
    if x.comparison.overlap ~= y.comparison.overlap then return x.comparison.overlap < y.comparison.overlap end
    local dx, dy = math.abs(x.a.n - x.b.n), math.abs(y.a.n - y.b.n)
    if dx ~= dy then return dx > dy end
    return x.line < y.line
  end)
  local worst = {}
  for k = 1, math.min(p.show, #cmp_rows) do
    local row = cmp_rows[k]
    worst[k] = {id = row.id, line = row.line, overlap = row.comparison.overlap, n_a = row.a.n, n_b = row.b.n,
                only_a = row.comparison.only_a, only_b = row.comparison.only_b,
                dropped_a = row.a.dropped, dropped_b = row.b.dropped}
  end
  local paired = #na > 0 and ratio.stats.permutation(na, nb, {resamples = 10000, seed = 1}) or nil
  summary.comparison = {items = #overlaps, mean_count_a = mean(na), mean_count_b = mean(nb),
    count_difference = paired, mean_overlap = mean(overlaps), overlap_ci = ci(overlaps),
    min_score = p.min_score, disagree_most = worst}
  print()
  print(ratio.report.table(ih, irows))
  local c = summary.comparison
  local line = ("%d items valid under both prompts: mean rationales A %s, B %s; mean overlap %s (one-to-one lexical matching, score >= %g)."):format(
    c.items, ratio.report.num(c.mean_count_a, 2), ratio.report.num(c.mean_count_b, 2),
    ratio.report.with_ci(c.mean_overlap, c.overlap_ci), p.min_score)
  notes[#notes + 1] = line
  sections[1] = {title = "Per item: rationales from each prompt and their overlap", header = ih, rows = irows}
  for _, row in ipairs(per_item) do
    local block = {tostring(row.id or ("line " .. row.line))}
    for _, key in ipairs{"a", "b"} do
      for _, d in ipairs(row[key].dropped) do
        block[#block + 1] = ("  %s dropped: %s (%s)"):format(key:upper(), d.point, d.reason)
      end
    end
    if #block > 1 then dropped_text[#dropped_text + 1] = table.concat(block, "\n") end
  end
  if #worst > 0 then
    local paras = {}
    print("\nWhere the two prompts disagree most:")
    for _, w in ipairs(worst) do
      local block = {("%s  overlap %s, A %d, B %d"):format(w.id or ("line " .. w.line), ratio.report.num(w.overlap, 2), w.n_a, w.n_b)}
      for _, s in ipairs(w.only_a) do block[#block + 1] = "  only A: " .. s end
      for _, s in ipairs(w.only_b) do block[#block + 1] = "  only B: " .. s end
      for _, d in ipairs(w.dropped_a) do block[#block + 1] = ("  A dropped: %s (%s)"):format(d.point, d.reason) end
      for _, d in ipairs(w.dropped_b) do block[#block + 1] = ("  B dropped: %s (%s)"):format(d.point, d.reason) end
      print("\n" .. table.concat(block, "\n"))
      paras[#paras + 1] = table.concat(block, "\n")
    end
    sections[#sections + 1] = {title = "Where the two prompts disagree most", pre = table.concat(paras, "\n\n")}
    local ids = {}
    for _, w in ipairs(worst) do ids[#ids + 1] = tostring(w.id or w.line) end
    notes[#notes + 1] = "Most disagreement: " .. table.concat(ids, ", ") .. " (items.jsonl has every item's lists)."
  end
end
for _, v in ipairs(variants) do
  local s = summary.prompts[v.key]
  local hrows = {}
  for _, h in ipairs(s.counts.histogram) do
    hrows[#hrows + 1] = {tostring(h[1]), tostring(h[2]), (not lo or (h[1] >= lo and h[1] <= hi)) and "kept" or "left out"}
  end
  if #hrows > 0 then
    sections[#sections + 1] = {title = "Rationales per item" .. (side_by_side and (" (" .. v.key .. ")") or ""),
      text = paper and ("The paper keeps items with %d to %d atomic rationales: mean %.2f over %d items."):format(
        paper.range[1], paper.range[2], paper.mean_rationales, paper.items) or nil,
      header = {"rationales", "items", lo and ("range " .. p.keep_range) or "range"}, rows = hrows}
  end
end
for _, n in ipairs(notes) do print(n) end
if side_by_side and #dropped_text > 0 then
  sections[#sections + 1] = {title = "What each prompt dropped, per item", pre = table.concat(dropped_text, "\n\n")}
end

-- items.jsonl: one line per input item; a single prompt's result sits at the top level, two
-- prompts' results under a and b, with their comparison.
if not side_by_side then
  for i, row in ipairs(per_item) do
    local flat = {id = row.id, domain = row.domain, line = row.line}
    for k, val in pairs(row.a) do flat[k] = val end
    per_item[i] = flat
  end
end

summary.usage = ratio.llm.usage()
ratio.report.write_run(dir, {items = per_item, summary = summary, page = {
  title = side_by_side and "Decomposition: two prompts side by side" or "Decomposition into atomic rationales",
  intro = "Free-text human explanations turned into atomic rationales by " .. p.model .. ".",
  header = header, rows = rows, notes = notes, sections = sections}})
ratio.log("run folder: %s", dir)
return summary
