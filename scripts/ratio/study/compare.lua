-- ratio.compare: judges against judges, and matchers against matchers, on the same items.
--
--   local by_judge = ratio.compare.evaluate(items, {"careful", "skimmer"}, matcher, {mode = "paper"})
--   local s = {}
--   for j, results in pairs(by_judge) do s[j] = ratio.metajudge.summarize(results, {model = j}) end
--   local pairs = ratio.compare.pairs({"careful", "skimmer"}, by_judge, s, {alpha = 0.05})
--   -- pairs[1].deceptive_alignment: OA CIs overlap, RC differs on the same items (paired test)
--   local odd = ratio.compare.inconsistent(items, by_judge.skimmer, 0.25)
--   local a = ratio.compare.agreement(reference_by_judge, by_judge)  -- weighted kappa, Spearman
--
-- The paper's Figure 1 argument in code: two judges whose outcome accuracies cannot be told apart
-- can still differ in whether they give the humans' reasons, and that difference is only visible
-- when both are scored on the same items. Matcher agreement (a lexical matcher against the LLM
-- MetaJudge, two MetaJudge prompts, ...) is measured on the five-level score each human rationale
-- receives, so it sees the disagreements that per-item means average away.
local sched = require "ratio.sched"
local stats = require "ratio.stats"
local json = require "ratio.core.json"
local dataset = require "ratio.dataset"
local errors = require "ratio.errors"
local metajudge = require "ratio.metajudge"
local report = require "ratio.report"

local M = {}

-- scored(result) -> true when a metajudge.evaluate result carries metrics (valid or partial).
function M.scored(r)
  return r ~= nil and (r.status == "valid" or r.status == "partial")
end

-- judges_in(item) -> sorted names of every `<name>-checklist` field of an item except the human one.
function M.judges_in(item)
  local out = {}
  for k in pairs(item) do
    local name = type(k) == "string" and k:match("^(.+)%-checklist$")
    if name and name:lower() ~= "human" then out[#out + 1] = name end
  end
  table.sort(out)
  return out
end

-- judges_in_file(path) -> the judges of the first item of a dataset; a usage error when none.
function M.judges_in_file(path)
  local next_item, r = require("ratio.jsonl").lines(path, {on_error = "skip"})
  local first = next_item()
  r:close()
  local judges = type(first) == "table" and M.judges_in(first) or {}
  if #judges == 0 then
    require("ratio.errors").usage("--judges: no <name>-checklist field in the first item of " .. path)
  end
  return judges
end

-- evaluate(items, judges, matcher, opts) -> {judge = {result for item 1, ...}}
-- Matches every judge on every item (one bounded map over all judge-item pairs; opts.concurrency,
-- default 16; opts.progress, a label) with ratio.metajudge.evaluate (opts.mode, opts.top_k). A
-- matcher error is kept as a `failed` result with its message, never dropped.
function M.evaluate(items, judges, matcher, opts)
  opts = opts or {}
  local work = {}
  for _, judge in ipairs(judges) do
    for i, item in ipairs(items) do work[#work + 1] = {judge = judge, i = i, item = item} end
  end
  local by_judge = {}
  for _, judge in ipairs(judges) do by_judge[judge] = {} end
  sched.map(work, function(w)
    return metajudge.evaluate(w.item, w.judge, matcher, {mode = opts.mode, top_k = opts.top_k})
  end, {concurrency = opts.concurrency or 16, progress = opts.progress, on_error = "record",
        each = function(r, w)
          if sched.failed(r) then
            local label = dataset.key_of(w.item, w.judge, "label")
            label = label and w.item[label] or nil
            r = {model = w.judge, status = "failed", reason = "matcher_error", error = r.error,
                 label = type(label) == "string" and label or nil,
                 outcome = dataset.outcome(label, w.item.overall_preference),
                 n_human = #w.item["human-checklist"]}
          end
          by_judge[w.judge][w.i] = r
        end})
  return by_judge
end

-- holm(p) -> Holm-Bonferroni adjusted p-values, in the order given (nil entries stay nil).
function M.holm(p)
  local idx = {}
  for i = 1, #p do if p[i] ~= nil then idx[#idx + 1] = i end end
  table.sort(idx, function(a, b) if p[a] ~= p[b] then return p[a] < p[b] end return a < b end)
  local m, out, running = #idx, {}, 0
  for rank, i in ipairs(idx) do
    running = math.max(running, math.min(1, (m - rank + 1) * p[i]))
    out[i] = running
  end
  return out
end

local function overlap(a, b)
  if not a or not b then return nil end
  return a.lo <= b.hi and b.lo <= a.hi
end

-- pairs(judges, by_judge, summaries, opts) -> list of pair records, one per pair of judges in the
-- order given (summaries: {judge = ratio.metajudge.summarize output}, for OA and its CI): {a, b, oa_a, oa_b, oa_ci_a, oa_ci_b, oa_ci_overlap, rc_a, rc_b, rc_diff (a - b on
-- the shared items), n_items, p_value, p_adjusted, exact, significant, deceptive_alignment,
-- shallower, deeper, why}. RC is compared with a paired permutation test (opts.resamples, 10,000;
-- opts.seed, 1) on the items both judges have scored; p-values are Holm-adjusted over all pairs
-- unless opts.correction = "none". A pair shows deceptive alignment when its OA CIs overlap and
-- the adjusted p is below opts.alpha (0.05): the judge with the lower RC is right for shallower
-- reasons.
function M.pairs(judges, by_judge, summaries, opts)
  opts = opts or {}
  local alpha = opts.alpha or 0.05
  local correction = opts.correction or "holm"
  if correction ~= "holm" and correction ~= "none" then
    error("ratio.compare.pairs: correction must be holm or none", 2)
  end
  local out, raw = {}, {}
  for x = 1, #judges do
    for y = x + 1, #judges do
      local a, b = judges[x], judges[y]
      local sa, sb = summaries[a], summaries[b]
      local ra, rb = by_judge[a], by_judge[b]
      local va, vb = {}, {}
      for i = 1, math.max(#ra, #rb) do
        if M.scored(ra[i]) and M.scored(rb[i]) then va[#va + 1], vb[#vb + 1] = ra[i].recall, rb[i].recall end
      end
      local pr = {a = a, b = b, oa_a = sa.outcome_accuracy, oa_b = sb.outcome_accuracy,
                  oa_ci_a = sa.ci.outcome_accuracy, oa_ci_b = sb.ci.outcome_accuracy,
                  oa_ci_overlap = overlap(sa.ci.outcome_accuracy, sb.ci.outcome_accuracy),
                  n_items = #va}
      if #va > 0 then
        local t = stats.permutation(va, vb, {resamples = opts.resamples or 10000, seed = opts.seed or 1})
        pr.rc_a, pr.rc_b = stats.mean(va), stats.mean(vb)
        pr.rc_diff, pr.p_value, pr.exact = t.diff, t.p_value, t.exact
      end
      out[#out + 1] = pr
      raw[#out] = pr.p_value
    end
  end
  local adjusted = correction == "holm" and M.holm(raw) or raw
  for i, pr in ipairs(out) do
    pr.p_adjusted = adjusted[i]
    pr.significant = pr.p_adjusted ~= nil and pr.p_adjusted < alpha
    pr.deceptive_alignment = pr.significant and pr.oa_ci_overlap == true
    if pr.rc_diff and pr.rc_diff ~= 0 then
      pr.shallower = pr.rc_diff < 0 and pr.a or pr.b
      pr.deeper = pr.rc_diff < 0 and pr.b or pr.a
    end
    if pr.deceptive_alignment then
      pr.why = ("outcome accuracy CIs overlap, but %s's RC is lower on the same items: right for shallower reasons"):format(pr.shallower)
    else
      local why = {}
      if pr.oa_ci_overlap == nil then why[#why + 1] = "no outcome accuracy for one of the judges"
      elseif not pr.oa_ci_overlap then why[#why + 1] = "outcome accuracy CIs do not overlap" end
      if pr.p_value == nil then why[#why + 1] = "no item scored for both judges"
      elseif not pr.significant then why[#why + 1] = "RC difference not significant" end
      pr.why = table.concat(why, "; ")
    end
  end
  return out
end

-- inconsistent(items, results, threshold) -> list of {id, domain, line, label, recall} for the
-- items a judge got right (outcome true) with a scored RC below threshold, in input order.
function M.inconsistent(items, results, threshold)
  local out = {}
  for i, item in ipairs(items) do
    local r = results[i]
    if r and r.outcome == true and M.scored(r) and r.recall < threshold then
      out[#out + 1] = {id = item.id, domain = item.domain, line = item._line, label = r.label, recall = r.recall}
    end
  end
  return out
end

-- rationale_scores(result) -> {score of R1, ...} on the 0..1 scale, or nil when the result is not
-- scored: each rationale's matched pair as the metric kernel returned it (result.pairs), 0 for a
-- rationale without a counted pair. paper: its one-to-one partner's score, so the scores sum to
-- recall × |R_h|; reference: its best score among the counted top_k reasons.
function M.rationale_scores(r)
  if not M.scored(r) then return nil end
  local out = {}
  for i = 1, r.n_human do out[i] = 0 end
  for _, pr in ipairs(r.pairs or {}) do
    if pr.counted and out[pr.r] then out[pr.r] = math.max(0, math.min(1, pr.score)) end
  end
  return out
end

local function nan_to_null(x)
  if type(x) ~= "number" or x ~= x then return json.null end
  return x
end

-- agreement(reference, other, opts) -> {kappa, spearman, rationales, items, judges = {judge =
-- {kappa, spearman, rationales, items}}} between two {judge = results} tables of the same items:
-- linearly weighted Cohen's kappa over the five-level score of every human rationale (pooled over
-- judges), Spearman over the per-item RC; only items both sides scored count (each side scored
-- with its own mode and top_k: rationale_scores). Undefined values are json.null.
function M.agreement(reference, other, opts)
  opts = opts or {}
  local weights = opts.weights or "linear"
  local all = {ka = {}, kb = {}, ra = {}, rb = {}}
  local per = {}
  local names = {}
  for judge in pairs(reference) do if other[judge] then names[#names + 1] = judge end end
  table.sort(names)
  for _, judge in ipairs(names) do
    local ref, oth = reference[judge], other[judge]
    local j = {ka = {}, kb = {}, ra = {}, rb = {}}
    for i = 1, math.max(#ref, #oth) do
      local x, y = ref[i], oth[i]
      if M.scored(x) and M.scored(y) then
        local sx, sy = M.rationale_scores(x), M.rationale_scores(y)
        for k = 1, math.min(#sx, #sy) do
          local cx, cy = stats.category(sx[k]), stats.category(sy[k])
          j.ka[#j.ka + 1], j.kb[#j.kb + 1] = cx, cy
          all.ka[#all.ka + 1], all.kb[#all.kb + 1] = cx, cy
        end
        j.ra[#j.ra + 1], j.rb[#j.rb + 1] = x.recall, y.recall
        all.ra[#all.ra + 1], all.rb[#all.rb + 1] = x.recall, y.recall
      end
    end
    per[judge] = j
  end
  local function finish(t)
    return {kappa = nan_to_null(#t.ka > 0 and stats.kappa(t.ka, t.kb, 5, weights) or 0 / 0),
            spearman = nan_to_null(stats.spearman(t.ra, t.rb)),
            rationales = #t.ka, items = #t.ra}
  end
  local out = finish(all)
  out.weights = weights
  out.judges = {}
  for judge, t in pairs(per) do out.judges[judge] = finish(t) end
  return out
end

-- usage_delta(before, after) -> {calls, cached, failed, retries, input_tokens, output_tokens,
-- cost_usd} summed over models between two ratio.llm.usage() snapshots; cost_usd is json.null
-- when a model that was called has no price.
function M.usage_delta(before, after)
  local d = {calls = 0, cached = 0, failed = 0, retries = 0, input_tokens = 0, output_tokens = 0, cost_usd = 0.0}
  for model, u in pairs(after) do
    local b = before[model] or {}
    local calls = u.calls - (b.calls or 0)
    for _, k in ipairs({"calls", "cached", "failed", "retries", "input_tokens", "output_tokens"}) do
      d[k] = d[k] + (u[k] - (b[k] or 0))
    end
    if d.cost_usd ~= json.null then
      if u.cost_usd == json.null then
        if calls > 0 then d.cost_usd = json.null end
      else
        local bc = (b.cost_usd ~= nil and b.cost_usd ~= json.null) and b.cost_usd or 0
        d.cost_usd = d.cost_usd + (u.cost_usd - bc)
      end
    end
  end
  return d
end

M.nan_to_null = nan_to_null

-- ---- the frontier's findings, as notes, sections and items --------------------------------------

local num, with_ci = report.num, report.with_ci

-- deception_report(pairs, {alpha, correction, permutations}) -> {flagged, notes, section}: M.pairs'
-- records as the flagged pairs (for summary.json), one note per pair and the report's section.
function M.deception_report(prs, opts)
  local adjusted = opts.correction == "holm" and "Holm-adjusted" or "unadjusted"
  local flagged, notes, rows = {}, {}, {}
  for _, pr in ipairs(prs) do
    local line = ("%s vs %s: OA %s vs %s; RC %s vs %s on %d shared items, difference %s, paired permutation p = %s (%s %s)"):format(
      pr.a, pr.b, with_ci(pr.oa_a, pr.oa_ci_a), with_ci(pr.oa_b, pr.oa_ci_b), num(pr.rc_a), num(pr.rc_b),
      pr.n_items, num(pr.rc_diff), num(pr.p_value, 4), adjusted, num(pr.p_adjusted, 4))
    if pr.deceptive_alignment then
      flagged[#flagged + 1] = {a = pr.a, b = pr.b, shallower = pr.shallower, deeper = pr.deeper,
                               rc_diff = pr.rc_diff, p_value = pr.p_value, p_adjusted = pr.p_adjusted,
                               n_items = pr.n_items}
      notes[#notes + 1] = ("DECEPTIVE ALIGNMENT: %s. %s is right for shallower reasons."):format(line, pr.shallower)
    else
      notes[#notes + 1] = ("Not flagged: %s: %s."):format(line, pr.why)
    end
    rows[#rows + 1] = {pr.a, pr.b, with_ci(pr.oa_a, pr.oa_ci_a), with_ci(pr.oa_b, pr.oa_ci_b),
      pr.oa_ci_overlap == nil and "-" or (pr.oa_ci_overlap and "yes" or "no"), num(pr.rc_a), num(pr.rc_b),
      num(pr.rc_diff), tostring(pr.n_items), num(pr.p_value, 4), num(pr.p_adjusted, 4),
      pr.deceptive_alignment and ("deceptive alignment: " .. pr.shallower .. " shallower") or pr.why}
  end
  if #prs > 0 and #flagged == 0 then
    notes[#notes + 1] = ("No pair of judges shows deceptive alignment at alpha = %s."):format(opts.alpha)
  end
  local section = {title = "Deceptive alignment",
    text = {("Every pair of judges: do their outcome accuracy CIs overlap, and does their RC differ on the items both were scored on (paired permutation test, %d resamples, %s p-values, alpha = %s)? A pair with overlapping OA and significantly different RC is flagged: the judge with the lower RC reaches the humans' verdicts for shallower reasons."):format(
      opts.permutations, adjusted, opts.alpha)},
    header = {"judge A", "judge B", "OA A", "OA B", "OA CIs overlap", "RC A", "RC B", "RC A - B", "items", "p", "p (" .. adjusted .. ")", "verdict"},
    rows = rows}
  for _, f in ipairs(flagged) do
    section.text[#section.text + 1] = ("DECEPTIVE ALIGNMENT: %s and %s (p = %s): %s is right for shallower reasons."):format(
      f.a, f.b, num(f.p_adjusted, 4), f.shallower)
  end
  if #flagged == 0 then section.text[#section.text + 1] = "No pair is flagged." end
  return {flagged = flagged, notes = notes, section = section}
end

-- inconsistency_report(items, judges, by_judge, threshold) -> {inconsistent = {judge = {count,
-- outcome_correct, items}}, notes, id_lines, section}: each judge's outcome-correct items with RC
-- below threshold (M.inconsistent), as summary fields, notes, terminal lines and a section.
function M.inconsistency_report(items, judges, by_judge, threshold)
  local out = {inconsistent = {}, notes = {}, id_lines = {}}
  local rows = {}
  for _, judge in ipairs(judges) do
    local list = M.inconsistent(items, by_judge[judge], threshold)
    local correct = 0
    for _, r in ipairs(by_judge[judge]) do if r.outcome == true then correct = correct + 1 end end
    out.inconsistent[judge] = {count = #list, outcome_correct = correct, items = list}
    local ids = {}
    for _, it in ipairs(list) do
      local id = tostring(it.id or ("line " .. it.line))
      ids[#ids + 1] = ("%s (%s)"):format(id, num(it.recall, 2))
      rows[#rows + 1] = {judge, id, tostring(it.domain or ""), tostring(it.label or ""), num(it.recall)}
    end
    out.notes[#out.notes + 1] = ("%s: %d of %d outcome-correct items are rationale-inconsistent (RC < %s)."):format(
      judge, #list, correct, threshold)
    if #ids > 0 then out.id_lines[#out.id_lines + 1] = ("  %s: %s"):format(judge, table.concat(ids, ", ")) end
  end
  out.section = {title = "Right for the wrong reasons",
    text = ("Items each judge got right (its verdict agrees with the humans') while giving the humans' reasons poorly (RC below %s). In the alignment viewer, ?outcome=correct&rc_max=%s shows them."):format(threshold, threshold),
    header = {"judge", "item", "domain", "verdict", "RC"}, rows = rows}
  return out
end

-- per_item(items, judges, by_judge, threshold) -> items.jsonl rows: per item its id, domain, line,
-- preference and human rationales, and per judge the record's numbers, matched pairs' scores
-- (rationale_scores), reasons, reply and whether it is right for the wrong reasons.
function M.per_item(items, judges, by_judge, threshold)
  local out = {}
  for i, item in ipairs(items) do
    local entry = {id = item.id, domain = item.domain, line = item._line,
                   overall_preference = item.overall_preference, human = item["human-checklist"], judges = {}}
    for _, judge in ipairs(judges) do
      local r = by_judge[judge][i]
      local ck = dataset.key_of(item, judge, "checklist")
      entry.judges[judge] = {status = r.status, reason = r.reason, error = r.error, label = r.label,
        outcome = r.outcome, recall = r.recall, precision = r.precision, f1 = r.f1, ap = r.ap,
        match = r.match, scores = M.rationale_scores(r), reasons = ck and item[ck] or nil, reply = r.reply,
        inconsistent = r.outcome == true and M.scored(r) and r.recall < threshold}
    end
    out[i] = entry
  end
  return out
end

-- ---- the matcher sweep: its grid and its findings (recipes/sweep.lua) ----------------------------

-- threshold_sets("a,b,c,d;a,b,c,d") -> list of four-number lists; a bad set is a usage error.
function M.threshold_sets(spec)
  local sets = {}
  for set in spec:gmatch("[^;]+") do
    if set:match("%S") then
      local t = {}
      for x in set:gmatch("[^,]+") do
        local v = tonumber(x)
        if not v then errors.usage(("--thresholds: '%s' is not a number (set %d)"):format(x:match("^%s*(.-)%s*$"), #sets + 1)) end
        t[#t + 1] = v
      end
      local ok = #t == 4 and pcall(require("ratio.core.match").to_scale, 0, t)
      if not ok then errors.usage(("--thresholds: set %d ('%s') must be four ascending numbers"):format(#sets + 1, set)) end
      sets[#sets + 1] = t
    end
  end
  return sets
end

-- prompt_axis(paths) -> {{name, path, spec, template, sha256}, ...}: "ratio" (the llm matcher's
-- built-in template), a template file with {{human}} and {{model}}, a Lua file returning one, or
-- the published metajudge_infer.py (plugins/matchers/llm.lua reads each); none given = "ratio".
-- Errors are usage errors.
function M.prompt_axis(paths)
  local llm_matcher = require "matchers.llm"
  local sha256 = require("ratio.core.sys").sha256
  local axis = {}
  for _, path in ipairs(#paths > 0 and paths or {"ratio"}) do
    local spec, err
    if path == "ratio" then
      spec = {template = llm_matcher.TEMPLATE, kind = "ratio", lists = "ratio", source = "built-in"}
    else
      spec, err = llm_matcher.load_template(path)
      if not spec then errors.usage("--prompts: " .. err) end
    end
    local name = path == "ratio" and "ratio" or path:match("([^/]+)$"):gsub("%.[%w]+$", "")
    for _, q in ipairs(axis) do if q.name == name then name = name .. "#" .. (#axis + 1) end end
    axis[#axis + 1] = {name = name, path = path ~= "ratio" and path or nil, spec = spec,
                       template = spec.template, sha256 = sha256(spec.template)}
  end
  return axis
end

-- grid{matchers, thresholds, prompts, similarity, embed_models, matcher_models} -> cells
-- {name, matcher, thresholds, model, prompt, settings}: lexical x threshold sets, embedding x
-- models x threshold sets, llm x models x prompts; a cell named twice is kept once.
function M.grid(g)
  local axis = #g.thresholds > 0 and g.thresholds or {false}
  local function tname(k, t) return t and ("T" .. k) or "default" end
  local function tlist(t) return t and table.concat(t, ",") or "default" end
  local cells, names, seen = {}, {}, {}
  local function add(c) if not names[c.name] then names[c.name], cells[#cells + 1] = true, c end end
  for _, m in ipairs(g.matchers) do
    if not seen[m] then
      seen[m] = true
      if m == "lexical" then
        for k, t in ipairs(axis) do
          add{name = "lexical/" .. tname(k, t), matcher = m, thresholds = t or nil,
              settings = ("%s, thresholds %s"):format(g.similarity, tlist(t))}
        end
      elseif m == "embedding" then
        for _, model in ipairs(g.embed_models) do
          for k, t in ipairs(axis) do
            add{name = ("embedding/%s/%s"):format(model, tname(k, t)), matcher = m, model = model,
                thresholds = t or nil, settings = ("%s, thresholds %s"):format(model, tlist(t))}
          end
        end
      else
        for _, model in ipairs(g.matcher_models) do
          for _, q in ipairs(g.prompts) do
            add{name = ("llm/%s/%s"):format(model, q.name), matcher = m, model = model, prompt = q,
                settings = ("%s, prompt %s"):format(model, q.path or "built-in")}
          end
        end
      end
    end
  end
  return cells
end

-- reference_cell(cells, spec) -> the cell others are compared with: spec "" = the first llm cell
-- (else the first cell), a number, a cell name or a matcher name; none = a usage error.
function M.reference_cell(cells, spec)
  local ref
  if spec == "" then
    for _, c in ipairs(cells) do if c.matcher == "llm" then ref = c break end end
    return ref or cells[1]
  end
  local n = math.tointeger(tonumber(spec))
  if n then ref = cells[n] end
  for _, c in ipairs(cells) do if not ref and c.name == spec then ref = c end end
  for _, c in ipairs(cells) do if not ref and c.matcher == spec then ref = c end end
  if not ref then
    local names = {}
    for i, c in ipairs(cells) do names[i] = ("%d %s"):format(i, c.name) end
    errors.usage(("--reference: no cell '%s' (cells: %s)"):format(spec, table.concat(names, ", ")))
  end
  return ref
end

-- sweep_items(cells, judges, items) -> items.jsonl rows: one per cell, judge and item.
function M.sweep_items(cells, judges, items)
  local lines = {}
  for _, c in ipairs(cells) do
    for _, judge in ipairs(judges) do
      for i, item in ipairs(items) do
        local r = c.by_judge[judge][i]
        lines[#lines + 1] = {cell = c.name, judge = judge, id = item.id, domain = item.domain, line = item._line,
          status = r.status, reason = r.reason, error = r.error, outcome = r.outcome, recall = r.recall,
          precision = r.precision, ap = r.ap, scores = M.rationale_scores(r), reply = r.reply}
      end
    end
  end
  return lines
end

-- sweep_report(cells, judges, ref, {kappa_weights, similarity}) -> {table = {header, rows} (the
-- terminal's), header, rows (the page's, without settings), csv = {header, rows}, notes, cells
-- (summary.json's), sections}. Each cell carries judges, counts, agreement and cost.
function M.sweep_report(cells, judges, ref, opts)
  local function cost_text(c)
    local usd = c.cost.cost_usd
    return usd == json.null and "-" or ("%.4f"):format(usd)
  end
  local function v(x) return x ~= json.null and x or nil end
  local header = {"#", "cell", "settings"}
  local csv_header = {"cell", "matcher", "settings", "reference"}
  for _, judge in ipairs(judges) do
    header[#header + 1], header[#header + 2] = "RC " .. judge, "AP " .. judge
    csv_header[#csv_header + 1], csv_header[#csv_header + 2] = "rc_" .. judge, "ap_" .. judge
  end
  for _, h in ipairs({"kappa", "spearman", "calls", "tokens", "USD", "valid", "unscored", "failed"}) do header[#header + 1] = h end
  for _, h in ipairs({"kappa", "spearman", "rationales_compared", "items_compared", "calls", "cached",
                      "input_tokens", "output_tokens", "cost_usd", "valid", "unscored", "failed", "skipped"}) do
    csv_header[#csv_header + 1] = h
  end
  local rows, csv_rows, page_rows, cell_rows, summary_cells, rc_bars, agree_bars = {}, {}, {}, {}, {}, {}, {}
  for i, c in ipairs(cells) do
    local r = {tostring(i), c.name .. (c == ref and " *" or ""), c.settings}
    local cr = {c.name, c.matcher, c.settings, c == ref}
    for _, judge in ipairs(judges) do
      local j = c.judges[judge]
      r[#r + 1], r[#r + 2] = num(j.recall), num(j.ap)
      cr[#cr + 1], cr[#cr + 2] = j.recall, j.ap
      rc_bars[#rc_bars + 1] = {group = "#" .. i, series = judge, value = j.recall, ci = j.ci.recall}
    end
    local a, k = c.agreement, c.cost
    for _, x in ipairs({num(v(a.kappa)), num(v(a.spearman)), tostring(k.calls), tostring(k.input_tokens + k.output_tokens),
                        cost_text(c), tostring(c.counts.valid), tostring(c.counts.unscored), tostring(c.counts.failed)}) do
      r[#r + 1] = x
    end
    local tail = table.pack(v(a.kappa), v(a.spearman), a.rationales, a.items, k.calls, k.cached, k.input_tokens,
                            k.output_tokens, v(k.cost_usd), c.counts.valid, c.counts.unscored, c.counts.failed, c.counts.skipped)
    local at = 4 + 2 * #judges
    for t = 1, tail.n do cr[at + t] = tail[t] end -- nil (undefined) stays a hole: an empty CSV cell
    rows[i], csv_rows[i] = r, cr
    page_rows[i] = {r[1], r[2], table.unpack(r, 4)} -- the page leaves the settings to a table of their own
    cell_rows[i] = {r[1], c.name, c.matcher, c.settings}
    summary_cells[i] = {index = i, name = c.name, matcher = c.matcher, reference = c == ref, settings = {
        description = c.settings, similarity = c.matcher == "lexical" and opts.similarity or nil,
        thresholds = c.thresholds, model = c.model, prompt = c.prompt and (c.prompt.path or "built-in") or nil,
        prompt_sha256 = c.prompt and c.prompt.sha256 or nil},
      judges = c.judges, agreement = c.agreement, cost = c.cost, valid = c.counts.valid,
      unscored = c.counts.unscored, failed = c.counts.failed, skipped = c.counts.skipped}
    for _, m in ipairs({"kappa", "spearman"}) do
      agree_bars[#agree_bars + 1] = {group = "#" .. i, series = m, value = v(c.agreement[m])}
    end
  end
  return {
    table = {header = header, rows = rows}, header = {header[1], header[2], table.unpack(header, 4)}, rows = page_rows,
    csv = {header = csv_header, rows = csv_rows}, cells = summary_cells,
    notes = {
      ("* reference cell: %s. kappa: Cohen's kappa (%s weights) between each cell's and the reference's five-level score (0, .25, .5, .75, 1) of every human rationale; spearman: Spearman's rho of per-item RC; both over the items the two cells scored, all judges pooled (per judge in summary.json)."):format(
        ref.name, opts.kappa_weights),
      "calls, tokens and USD are each cell's own (usage before and after it); calls answered from the cache cost nothing and show as cached in summary.json; USD is - for a model without a price.",
    },
    sections = {
      {title = "The cells", header = {"#", "cell", "matcher", "settings"}, rows = cell_rows},
      {title = "RC per cell", text = "Each judge's RC in every cell (numbered as in the table), with 95% bootstrap CIs: how far the matcher moves the numbers.",
       svg = report.bars_svg{cells = rc_bars, label = "rationale consistency"}},
      {title = "Agreement with the reference", text = ("Kappa and Spearman of each cell against the reference (%s); values below 0 are drawn at 0."):format(ref.name),
       svg = report.bars_svg{cells = agree_bars, label = "agreement"}},
    },
  }
end

return M
