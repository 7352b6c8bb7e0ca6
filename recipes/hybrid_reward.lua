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
  matcher = {"lexical", "how reasons are matched to the human checklist", choices = {"lexical", "llm"}},
  judge_base_url = {"", "llm matcher: OpenAI-compatible base URL of the MetaJudge (default $OPENAI_BASE_URL)"},
  judge_model = {"", "llm matcher: the MetaJudge model"},
  judge_provider = {"openai", "llm matcher: provider plugin", choices = {"openai", "anthropic"}},
  concurrency = {32, "rollouts matched at once", min = 1},
  rpm = {0, "requests per minute to the MetaJudge (0 = no limit)", min = 0},
  on_bad_item = {"stop", "a malformed line: stop, or skip and count", choices = {"stop", "skip"}},
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
local skipped = reader.skipped

-- rollouts_of(item) -> list of texts, or nil and "field: what is wrong"
local function rollouts_of(item)
  local name = p.field
  local v = item[name]
  if v == nil then name = p.field .. "s" v = item[name] end
  if v == nil then return nil, ("%s: missing (the rollout text, or a list of them in %s)"):format(p.field, name) end
  if type(v) == "string" then return {v} end
  if type(v) ~= "table" or not ratio.json.is_array(v) or #v == 0 then
    return nil, name .. ": expected a string or a non-empty list of strings"
  end
  for i, s in ipairs(v) do
    if type(s) ~= "string" then return nil, ("%s[%d]: expected a string"):format(name, i - 1) end
  end
  return v
end

local units = {} -- one per rollout: {item, k (place in its line's list, nil for a single one), text}
local lines = 0
for _, item in ipairs(items) do
  local texts, problem = rollouts_of(item)
  if texts and type(item.overall_preference) ~= "number" then
    texts, problem = nil, "overall_preference: expected a number from -3 to 3, got null"
  end
  if texts then
    lines = lines + 1
    for k, text in ipairs(texts) do units[#units + 1] = {item = item, k = #texts > 1 and k or nil, text = text} end
  else
    local msg = ("%s:%d: %s"):format(p.input, item._line, problem)
    if p.on_bad_item == "stop" then require("ratio.errors").data(msg) end
    skipped = skipped + 1
    if skipped <= 5 then io.stderr:write("ratio: warning: ", msg, " (line skipped)\n") end
  end
end

-- ---- scoring -------------------------------------------------------------------------------------

local results = ratio.map(units, function(u)
  return scorer:score(u.text, u.item["human-checklist"], u.item.overall_preference)
end, {concurrency = p.concurrency, progress = "rewarding"})

-- ---- what was found ------------------------------------------------------------------------------

local distribution = ratio.stats.distribution

local counts = {ok = 0, unscored = 0, failed = 0}
local reasons = {}
local all, earned = {}, {}
local sums, PARTS = {}, {"ap", "rc", "precision", "f1", "outcome"}
for _, k in ipairs(PARTS) do sums[k] = 0.0 end
local ties, no_reasons = 0, 0
local out, alignments = {}, {}
for i, r in ipairs(results) do
  local u = units[i]
  counts[r.status] = counts[r.status] + 1
  if r.reason then reasons[r.reason] = (reasons[r.reason] or 0) + 1 end
  all[#all + 1] = r.reward
  if r.status == "ok" then
    earned[#earned + 1] = r.reward
    for _, k in ipairs(PARTS) do sums[k] = sums[k] + r.parts[k] end
    if r.parts.n_reasons == 0 then no_reasons = no_reasons + 1 end
  end
  if u.item.overall_preference == 0 then ties = ties + 1 end
  local item = u.item
  out[i] = {id = item.id, line = item._line, rollout_index = u.k, reward = r.reward, status = r.status,
            reason = r.reason, error = r.error, code = r.code, fallback = r.fallback or false,
            parts = r.parts, reasons = r.reasons, reply = r.reply, match = r.match,
            issues = ratio.json.object(r.issues or {}), rollout = u.text}
  local where = ("%s (line %d)"):format(type(item.id) == "string" and item.id or "item", item._line)
  local view = {id = where, domain = item.domain, context = item.context or item.prompt,
                response1 = item.response1, response2 = item.response2,
                ["human-checklist"] = item["human-checklist"], overall_preference = item.overall_preference,
                ["rollout-checklist"] = r.reasons or {}, ["rollout-generated_text"] = u.text}
  local o = r.parts.outcome
  local a = ratio.report.alignment(view, "rollout", {status = r.status, reply = r.reply, pairs = r.pairs,
    recall = r.parts.rc, precision = r.parts.precision, f1 = r.parts.f1, ap = r.parts.ap,
    label = r.parts.verdict, outcome = o ~= nil and o == 1.0 or nil, error = r.error}, {top_k = p.top_k, index = i})
  a.judge = u.k and ("rollout " .. u.k) or "rollout"
  a.reason = ("reward %s%s"):format(ratio.report.num(r.reward), r.reason and (", " .. r.reason) or "")
  alignments[#alignments + 1] = a
end

local mean_parts = {}
for _, k in ipairs(PARTS) do mean_parts[k] = counts.ok > 0 and sums[k] / counts.ok or nil end

local formula_name = p.formula == "lua" and ("lua (" .. p.formula_file .. ")") or p.formula
local summary = {input = p.input, formula = formula_name, rationale = p.rationale, tie = p.tie,
  fallback = fallback, top_k = p.top_k, matcher = p.matcher, lines = lines, rollouts = #results,
  ok = counts.ok, unscored = counts.unscored, failed = counts.failed, skipped = skipped,
  reasons = ratio.json.object(reasons), human_ties = ties, verdict_without_reasons = no_reasons,
  reward = distribution(all), reward_ok = distribution(earned), parts = ratio.json.object(mean_parts)}
if p.formula == "weighted" then summary.weights = {rationale = p.w_rationale, outcome = p.w_outcome} end
if p.matcher == "llm" then summary.judge_model = p.judge_model end
summary.usage = ratio.json.object(ratio.llm.usage())

-- ---- the report ----------------------------------------------------------------------------------

local num = ratio.report.num
local function dist_row(name, d)
  return {name, tostring(d.n), num(d.mean), num(d.std), num(d.min), num(d.median), num(d.max)}
end
local header = {"rewards", "n", "mean", "std", "min", "median", "max"}
local rows = {dist_row("all rollouts", summary.reward), dist_row("ok rollouts", summary.reward_ok)}
local part_names = {ap = "AP", rc = "RC (recall)", precision = "precision", f1 = "F1", outcome = "outcome (1 = correct verdict)"}
local part_rows = {}
for _, k in ipairs(PARTS) do part_rows[#part_rows + 1] = {part_names[k], num(mean_parts[k])} end
local reason_rows = {}
for _, k in ipairs{"no_verdict", "empty_checklist", "unscored_reply", "matcher_failed"} do
  if reasons[k] then reason_rows[#reason_rows + 1] = {k, tostring(reasons[k])} end
end

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
    ties, p.tie, no_reasons),
}

print(ratio.report.table(header, rows))
print(ratio.report.table({"mean part (ok rollouts)", "value"}, part_rows))
for _, n in ipairs(notes) do print(n) end

local cells = {}
for _, b in ipairs(summary.reward.histogram or {}) do
  cells[#cells + 1] = {group = ("%.2f"):format(b.lo), series = "share of rollouts", value = b.n / #results}
end
local sections = {
  {title = "Mean parts of the ok rollouts", header = {"part", "value"}, rows = part_rows},
  {title = "Reward distribution", text = "Share of all rollouts per reward bin (each bin labelled by its lower edge).",
   svg = #cells > 0 and ratio.report.bars_svg{cells = cells, label = "share of rollouts"} or nil},
}
if #reason_rows > 0 then
  sections[#sections + 1] = {title = "Why rollouts were not scored", header = {"reason", "rollouts"}, rows = reason_rows}
end

local dir = ratio.run_dir()
summary.run_dir = dir
ratio.report.write_run(dir, {items = out, summary = summary,
  csv = {header = {"rollouts", "ok", "unscored", "failed", "skipped", "reward_mean", "reward_ok_mean",
                   "ap", "rc", "precision", "outcome"},
         rows = {{#results, counts.ok, counts.unscored, counts.failed, skipped, summary.reward.mean,
                  summary.reward_ok.mean, mean_parts.ap, mean_parts.rc, mean_parts.precision, mean_parts.outcome}}},
  page = {title = "Hybrid reward: " .. formula_name, header = header, rows = rows, notes = notes,
          intro = "The reward an RL trainer would give each judge rollout: its reasons matched against the human rationales, gated by its verdict.",
          sections = sections, alignments = alignments}})
ratio.log("run folder: %s", dir)
return summary
