-- Which judges are right for the right reasons, and which only look as good? The paper's Figure 1
-- for any list of judges: each judge's reasons are matched against the human rationales (lexical,
-- embedding or LLM MetaJudge), and outcome accuracy (OA), Rationale Consistency (RC, recall),
-- precision and AP are reported per judge and per domain with 95% bootstrap CIs. Every pair of
-- judges whose OA CIs overlap but whose RC differs on the same items (paired permutation test) is
-- flagged as deceptive alignment: the one with the lower RC is right for shallower reasons. The
-- items each judge gets right with RC below --rc-threshold are listed.
local ratio = require "ratio"
local p = ratio.params{
  input = {"data/sample.jsonl", "a RationaleRM-format dataset holding the judges' outputs", type = "file"},
  judges = {{}, "judges to compare (<name>-checklist, <name>-label); empty = every <name>-checklist in the first item", type = "list"},
  matcher = {"lexical", "how rationales are matched", choices = {"lexical", "embedding", "llm"}},
  mode = {"paper", "metric definitions (docs/metrics.md)", choices = {"paper", "reference"}},
  top_k = {5, "model reasons counted (0 = all)", min = 0},
  judge_base_url = {"", "llm matcher: OpenAI-compatible base URL (default $OPENAI_BASE_URL)"},
  judge_model = {"", "llm matcher: the MetaJudge model"},
  judge_provider = {"openai", "llm matcher: provider plugin", choices = {"openai", "anthropic"}},
  embed_base_url = {"", "embedding matcher: base URL"},
  embed_model = {"", "embedding matcher: embedding model"},
  concurrency = {32, "matches in flight at once", min = 1},
  rpm = {0, "requests per minute to the matcher's API (0 = no limit)", min = 0},
  on_bad_item = {"stop", "a malformed dataset line: stop, or skip and count", choices = {"stop", "skip"}},
  alpha = {0.05, "significance level of the paired RC test", min = 0, max = 1},
  correction = {"holm", "multiple-comparison correction over the pairs", choices = {"holm", "none"}},
  permutations = {10000, "resamples of the paired permutation test (exact when 2^n is fewer)", min = 1},
  rc_threshold = {0.25, "an outcome-correct item with RC below this is rationale-inconsistent", min = 0, max = 1},
  seed = {1, "seed of the bootstrap and the permutation test"},
}

-- The judges: as given, or every <name>-checklist of the first item.
local judges = #p.judges > 0 and p.judges or ratio.compare.judges_in_file(p.input)
if #judges < 2 then ratio.log("only one judge (%s): no pairs to compare", judges[1]) end

local matcher = ratio.metajudge.from_params(p)
ratio.manifest("judges", judges)

local items, reader = ratio.dataset.read_all(p.input, {models = judges, on_error = p.on_bad_item})
if #items == 0 then ratio.exit(1, p.input .. ": no usable items") end
local run = ratio.study.evaluate(items, judges, matcher, {mode = p.mode, top_k = p.top_k, seed = p.seed,
  concurrency = p.concurrency})
local summaries = run.summaries
for _, judge in ipairs(judges) do
  summaries[judge].domains = {}
  for _, d in ipairs(run.domain_names) do summaries[judge].domains[d] = run:domain(judge, d) end
end

-- Deceptive alignment: OA CIs overlap, RC differs on the same items (paired permutation test).
local pairs_ = ratio.compare.pairs(judges, run.results, summaries, {alpha = p.alpha,
  correction = p.correction, resamples = p.permutations, seed = p.seed})
-- Right for the wrong reasons: outcome-correct items with RC below the threshold.
local inconsistent = {}
for _, judge in ipairs(judges) do
  local list = ratio.compare.inconsistent(items, run.results[judge], p.rc_threshold)
  local correct = 0
  for _, r in ipairs(run.results[judge]) do if r.outcome == true then correct = correct + 1 end end
  inconsistent[judge] = {count = #list, outcome_correct = correct, items = list}
end

-- ---- what was found ------------------------------------------------------------------------------
local num, with_ci = ratio.report.num, ratio.report.with_ci
local columns = {"oa", "rc", "precision", "ap", "valid", "unscored", "failed", "skipped"}
local header, rows = run:domain_table(columns)
local page_header, overall_rows = run:table(columns)

local adjusted = p.correction == "holm" and "Holm-adjusted" or "unadjusted"
local notes = {
  ("%d items from %s (%d lines skipped); %s matcher; %s mode, top-%d model reasons; 95%% bootstrap CIs, 1,000 resamples; OA excludes %d human ties."):format(
    #items, p.input, reader.skipped, p.matcher, p.mode, p.top_k, summaries[judges[1]].ties_excluded),
}
local flagged, pair_rows = {}, {}
for _, pr in ipairs(pairs_) do
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
  pair_rows[#pair_rows + 1] = {pr.a, pr.b, with_ci(pr.oa_a, pr.oa_ci_a), with_ci(pr.oa_b, pr.oa_ci_b),
    pr.oa_ci_overlap == nil and "-" or (pr.oa_ci_overlap and "yes" or "no"), num(pr.rc_a), num(pr.rc_b),
    num(pr.rc_diff), tostring(pr.n_items), num(pr.p_value, 4), num(pr.p_adjusted, 4),
    pr.deceptive_alignment and ("deceptive alignment: " .. pr.shallower .. " shallower") or pr.why}
end
if #pairs_ > 0 and #flagged == 0 then
  notes[#notes + 1] = ("No pair of judges shows deceptive alignment at alpha = %s."):format(p.alpha)
end
local inconsistent_rows, id_lines = {}, {}
for _, judge in ipairs(judges) do
  local inc = inconsistent[judge]
  local ids = {}
  for _, it in ipairs(inc.items) do
    local id = tostring(it.id or ("line " .. it.line))
    ids[#ids + 1] = ("%s (%s)"):format(id, num(it.recall, 2))
    inconsistent_rows[#inconsistent_rows + 1] = {judge, id, tostring(it.domain or ""), tostring(it.label or ""), num(it.recall)}
  end
  notes[#notes + 1] = ("%s: %d of %d outcome-correct items are rationale-inconsistent (RC < %s)."):format(
    judge, inc.count, inc.outcome_correct, p.rc_threshold)
  if #ids > 0 then id_lines[#id_lines + 1] = ("  %s: %s"):format(judge, table.concat(ids, ", ")) end
end

-- items.jsonl: one line per item, in input order, with everything an alignment viewer needs.
local per_item = {}
for i, item in ipairs(items) do
  local entry = {id = item.id, domain = item.domain, line = item._line,
                 overall_preference = item.overall_preference, human = item["human-checklist"], judges = {}}
  for _, judge in ipairs(judges) do
    local r = run.results[judge][i]
    local ck = ratio.dataset.key_of(item, judge, "checklist")
    entry.judges[judge] = {status = r.status, reason = r.reason, error = r.error, label = r.label,
      outcome = r.outcome, recall = r.recall, precision = r.precision, f1 = r.f1, ap = r.ap,
      match = r.match, scores = ratio.compare.rationale_scores(r),
      reasons = ck and item[ck] or nil, reply = r.reply,
      inconsistent = r.outcome == true and ratio.compare.scored(r) and r.recall < p.rc_threshold}
  end
  per_item[i] = entry
end

local dir = ratio.run_dir()
local pair_section = {title = "Deceptive alignment",
  text = {("Every pair of judges: do their outcome accuracy CIs overlap, and does their RC differ on the items both were scored on (paired permutation test, %d resamples, %s p-values, alpha = %s)? A pair with overlapping OA and significantly different RC is flagged: the judge with the lower RC reaches the humans' verdicts for shallower reasons."):format(
    p.permutations, adjusted, p.alpha)},
  header = {"judge A", "judge B", "OA A", "OA B", "OA CIs overlap", "RC A", "RC B", "RC A - B", "items", "p", "p (" .. adjusted .. ")", "verdict"},
  rows = pair_rows}
for _, f in ipairs(flagged) do
  pair_section.text[#pair_section.text + 1] = ("DECEPTIVE ALIGNMENT: %s and %s (p = %s): %s is right for shallower reasons."):format(
    f.a, f.b, num(f.p_adjusted, 4), f.shallower)
end
if #flagged == 0 then pair_section.text[#pair_section.text + 1] = "No pair is flagged." end
return run:write(dir, {
  title = "Frontier: " .. table.concat(judges, ", "),
  intro = "Outcome accuracy (does the judge pick the human-preferred response?) against Rationale Consistency (does it give the humans' reasons?), per judge and per domain.",
  items = per_item, table = {header = header, rows = rows}, header = page_header, rows = overall_rows,
  notes = notes, print_lines = id_lines, domain_metrics = {"oa", "rc", "precision", "ap"},
  sections = {pair_section,
    {title = "Right for the wrong reasons",
     text = ("Items each judge got right (its verdict agrees with the humans') while giving the humans' reasons poorly (RC below %s). In the alignment viewer, ?outcome=correct&rc_max=%s shows them."):format(p.rc_threshold, p.rc_threshold),
     header = {"judge", "item", "domain", "verdict", "RC"}, rows = inconsistent_rows}},
  summary = {input = p.input, matcher = p.matcher, mode = p.mode, top_k = p.top_k, items = #items,
             skipped_lines = reader.skipped, judge_order = judges, domains = run.domain_names,
             alpha = p.alpha, correction = p.correction, rc_threshold = p.rc_threshold,
             pairs = pairs_, deceptive_alignment = flagged, inconsistent = inconsistent,
             usage = ratio.llm.usage(), run_dir = dir},
})
