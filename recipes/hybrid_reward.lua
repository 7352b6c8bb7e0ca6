-- What reward would RL training give these judge rollouts? Scores each rollout with the hybrid
-- reward of arXiv 2602.04649 — its reasons matched against the human checklist (paper-mode AP),
-- gated by a verdict that agrees with the human preference — or a weighted sum, or your own Lua
-- formula, and writes every reward with its parts. Input: JSONL, one pair per line with
-- `human-checklist`, `overall_preference` (-3..3, negative = response 1 better) and the rollout
-- text in `rollout` (a string, or a list of strings for a group of rollouts; also read from
-- `rollouts`); `prompt` or `context`, `response1`, `response2`, `id` and `domain` are optional
-- and shown in the report. A rollout with no readable verdict is unscored and gets --fallback.
local ratio = require "ratio"
local p = ratio.params{
  input = {"tests/fixtures/rollouts.jsonl", "JSONL of judge rollouts", type = "file"},
  field = {"rollout", "field holding the rollout text (a string or a list; FIELD..'s' is read too)"},
  formula = {"paper", "paper: R_rationale x outcome; weighted: w_rationale*R_rationale + w_outcome*outcome; lua: --formula-file",
             choices = {"paper", "weighted", "lua"}},
  w_rationale = {0.5, "weighted formula: weight of the rationale part"},
  w_outcome = {0.5, "weighted formula: weight of the outcome part (1 correct, 0 wrong)"},
  formula_file = {"", "lua formula: a Lua file returning function(parts) -> reward (parts: ap, rc, precision, f1, outcome, verdict, n_reasons, n_human, preference)"},
  rationale = {"ap", "the rationale part R_rationale (the paper: ap)", choices = {"ap", "rc", "precision", "f1"}},
  tie = {"exact", "a verdict on a human tie is correct only if A=B (exact), unless it is a strong preference (lenient), or always (any)",
         choices = {"exact", "lenient", "any"}},
  fallback = {"0", "reward of an unscored or failed rollout: a number, or 'outcome' (the outcome part alone)"},
  top_k = {5, "reasons matched, most important first (0 = all)", min = 0},
  concurrency = {32, "rollouts matched at once", min = 1},
  rpm = {0, "requests per minute to the MetaJudge (0 = no limit)", min = 0},
  max_rollouts = {1024, "rollouts one line may hold (an RL group is 8-64); a line with more is a bad line (--on-bad-item)", min = 1},
  on_bad_item = {"stop", "a malformed line: stop, or skip and count", choices = {"stop", "skip"}},
  ratio.flags.matcher{choices = {"lexical", "llm"}, help = "how reasons are matched to the human checklist", legacy = "judge"},
}

-- ---- the reward's settings -----------------------------------------------------------------------

local formula = p.formula
if p.formula == "lua" then
  if p.formula_file == "" then ratio.exit(2, "--formula-file: is required with --formula lua") end
  local fn, err = ratio.reward.load_formula(p.formula_file)
  if not fn then ratio.exit(2, "--formula-file: " .. err) end
  formula = fn
elseif p.formula_file ~= "" then
  ratio.exit(2, "--formula-file: needs --formula lua")
end

local fallback = p.fallback == "outcome" and "outcome" or tonumber(p.fallback)
if fallback == nil or (type(fallback) == "number" and (fallback ~= fallback or math.abs(fallback) == math.huge)) then
  ratio.exit(2, ("--fallback: expected a number or 'outcome', got '%s'"):format(p.fallback))
end
for _, k in ipairs{"w_rationale", "w_outcome"} do
  if p[k] ~= p[k] or math.abs(p[k]) == math.huge then ratio.exit(2, ("--%s: expected a finite number"):format(k:gsub("_", "-"))) end
end

local matcher = ratio.metajudge.from_params(p)

local scorer = ratio.reward.scorer{formula = formula, rationale = p.rationale, tie = p.tie,
  weights = {rationale = p.w_rationale, outcome = p.w_outcome}, fallback = fallback,
  top_k = p.top_k, matcher = matcher}

-- ---- the rollouts --------------------------------------------------------------------------------

local items, reader = ratio.dataset.read_all(p.input, {on_error = p.on_bad_item})
local units, lines, skipped = ratio.study.rollouts(items, p.field, {input = p.input, on_bad_item = p.on_bad_item,
  reader = reader, max_per_line = p.max_rollouts})

-- ---- scoring -------------------------------------------------------------------------------------

local results = ratio.map(units, function(u)
  return scorer:score(u.text, u.item["human-checklist"], u.item.overall_preference)
end, {concurrency = p.concurrency, progress = "rewarding"})

-- ---- what was found ------------------------------------------------------------------------------

local found = ratio.study.rewards(units, results, {top_k = p.top_k})
local counts, mean_parts = found.counts, found.mean_parts

local formula_name = p.formula == "lua" and ("lua (" .. p.formula_file .. ")") or p.formula
local summary = {input = p.input, formula = formula_name, rationale = p.rationale, tie = p.tie,
  fallback = fallback, top_k = p.top_k, matcher = p.matcher, lines = lines, rollouts = #results,
  ok = counts.ok, unscored = counts.unscored, failed = counts.failed, skipped = skipped,
  reasons = ratio.json.object(found.reasons), human_ties = found.ties, verdict_without_reasons = found.no_reasons,
  reward = found.reward, reward_ok = found.reward_ok, parts = ratio.json.object(mean_parts)}
if p.formula == "weighted" then summary.weights = {rationale = p.w_rationale, outcome = p.w_outcome} end
if p.matcher == "llm" then summary.judge_model = p.judge_model end
summary.usage = ratio.json.object(ratio.llm.usage())

-- ---- the report ----------------------------------------------------------------------------------

local rname = ({ap = "AP", rc = "RC", precision = "precision", f1 = "F1"})[p.rationale]
local describe = {paper = ("R = %s x outcome (%s)"):format(rname, p.rationale == "ap" and "the paper" or "the paper's form"),
  weighted = ("R = %g x %s + %g x outcome"):format(p.w_rationale, rname, p.w_outcome),
  lua = ("R = the function in %s"):format(p.formula_file)}
local notes = {
  ("%d rollouts on %d lines of %s: %d ok, %d unscored, %d failed; %d lines skipped."):format(
    #results, lines, p.input, counts.ok, counts.unscored, counts.failed, skipped),
  ("%s; %s matcher, paper-mode metrics over the top %s reasons; unscored and failed rollouts get %s."):format(
    describe[p.formula], p.matcher, p.top_k == 0 and "all" or tostring(p.top_k), tostring(p.fallback)),
  ("%d rollouts are on human ties (tie rule: %s); %d gave a verdict with no reasons (scored, rationale part 0)."):format(
    found.ties, p.tie, found.no_reasons),
}

local page = ratio.study.reward_page(found, #results)

local dir = ratio.run_dir()
summary.run_dir = dir
return ratio.study.write(dir, {items = found.items, summary = summary,
  csv = {header = {"rollouts", "ok", "unscored", "failed", "skipped", "reward_mean", "reward_ok_mean",
                   "ap", "rc", "precision", "outcome"},
         rows = {{#results, counts.ok, counts.unscored, counts.failed, skipped, summary.reward.mean,
                  summary.reward_ok.mean, mean_parts.ap, mean_parts.rc, mean_parts.precision, mean_parts.outcome}}},
  title = "Hybrid reward: " .. formula_name, header = page.header, rows = page.rows, notes = notes,
  print_tables = {page.parts_table},
  intro = "The reward an RL trainer would give each judge rollout: its reasons matched against the human rationales, gated by its verdict.",
  sections = page.sections, alignments = found.alignments})
