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
  top_k = {5, "model reasons counted (0 = all)", min = 0},
  concurrency = {32, "matches in flight at once", min = 1},
  rpm = {0, "requests per minute to the matcher's API (0 = no limit)", min = 0},
  on_bad_item = {"stop", "a malformed dataset line: stop, or skip and count", choices = {"stop", "skip"}},
  alpha = {0.05, "significance level of the paired RC test", min = 0, max = 1},
  correction = {"holm", "multiple-comparison correction over the pairs", choices = {"holm", "none"}},
  permutations = {10000, "resamples of the paired permutation test (exact when 2^n is fewer)", min = 1,
                  max = 100000000},
  rc_threshold = {0.25, "an outcome-correct item with RC below this is rationale-inconsistent", min = 0, max = 1},
  seed = {1, "seed of the bootstrap and the permutation test"},
  ratio.flags.judges{help = "judges to compare (<name>-checklist, <name>-label); empty = every <name>-checklist in the first item"},
  ratio.flags.mode,
  ratio.flags.matcher{legacy = "judge"},
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

-- ---- what was found ------------------------------------------------------------------------------
local columns = {"oa", "rc", "precision", "ap", "valid", "unscored", "failed", "skipped"}
local header, rows = run:domain_table(columns)
local page_header, overall_rows = run:table(columns)

local found = ratio.compare.deception_report(pairs_, {alpha = p.alpha, correction = p.correction,
  permutations = p.permutations})
local inc = ratio.compare.inconsistency_report(items, judges, run.results, p.rc_threshold)
local notes = {
  ("%d items from %s (%d lines skipped); %s matcher; %s mode, top-%d model reasons; 95%% bootstrap CIs, 1,000 resamples; OA excludes %d human ties."):format(
    #items, p.input, reader.skipped, p.matcher, p.mode, p.top_k, summaries[judges[1]].ties_excluded),
}
table.move(found.notes, 1, #found.notes, #notes + 1, notes)
table.move(inc.notes, 1, #inc.notes, #notes + 1, notes)

local dir = ratio.run_dir()
return run:write(dir, {
  title = "Frontier: " .. table.concat(judges, ", "),
  intro = "Outcome accuracy (does the judge pick the human-preferred response?) against Rationale Consistency (does it give the humans' reasons?), per judge and per domain.",
  items = ratio.compare.per_item(items, judges, run.results, p.rc_threshold),
  table = {header = header, rows = rows}, header = page_header, rows = overall_rows,
  notes = notes, print_lines = inc.id_lines, domain_metrics = {"oa", "rc", "precision", "ap"},
  sections = {found.section, inc.section},
  summary = {input = p.input, matcher = p.matcher, mode = p.mode, top_k = p.top_k, items = #items,
             skipped_lines = reader.skipped, judge_order = judges, domains = run.domain_names,
             alpha = p.alpha, correction = p.correction, rc_threshold = p.rc_threshold,
             pairs = pairs_, deceptive_alignment = found.flagged, inconsistent = inc.inconsistent,
             usage = ratio.llm.usage(), run_dir = dir},
})
