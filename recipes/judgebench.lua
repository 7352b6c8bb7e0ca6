-- Can the judge tell a correct answer from a plausible wrong one on hard questions? Runs a
-- pairwise LLM judge on JudgeBench (ScalerLab/JudgeBench): each pair is judged as given and with
-- the responses swapped, and scored per category (knowledge, reasoning, math, coding) and overall,
-- pair-weighted. --rule strict counts a pair only when both verdicts name the correct response;
-- --rule published is the JudgeBench script's rule (right once and a tie or no verdict once also
-- counts). Both numbers are always reported, with position consistency and every tie, unscored
-- reply and failed call counted.
local ratio = require "ratio"
local p = ratio.params{
  input = {"tests/fixtures/judgebench_sample.jsonl",
           "JudgeBench pairs: the published JSON Lines (or the same as a JSON array)", type = "file"},
  judge_model = {nil, "the judge model", required = true},
  judge_base_url = {"", "OpenAI-compatible base URL of the judge (default $OPENAI_BASE_URL)"},
  judge_provider = {"openai", "provider plugin of the judge", choices = {"openai", "anthropic"}},
  orders = {2, "2: judge each pair as given and swapped (published default); 1: as given only", min = 1, max = 2},
  rule = {"strict", "which rule the headline accuracy uses", choices = {"strict", "published"}},
  limit = {0, "judge only the first N pairs (0 = all)", min = 0},
  reasks = {1, "times a reply with no readable verdict is asked again before it counts as unscored", min = 0},
  concurrency = {32, "judge calls in flight", min = 1},
  rpm = {0, "requests per minute to the judge's API (0 = no limit)", min = 0},
}

local jb = ratio.judgebench
local pairs_ = jb.load(p.input)
if p.limit > 0 then
  for k = #pairs_, p.limit + 1, -1 do pairs_[k] = nil end
end
if #pairs_ == 0 then ratio.exit(1, p.input .. ": no pairs") end

local client = ratio.llm.from_params(p, "judge_")
ratio.manifest("judge_model", p.judge_model)

local jobs = {}
for n, pair in ipairs(pairs_) do
  for _, c in ipairs(jb.comparisons(pair, {orders = p.orders})) do
    c.n = n
    jobs[#jobs + 1] = c
  end
end
local judged = ratio.bench.judge_all(client, jobs, {reasks = p.reasks, concurrency = p.concurrency})

local rows, results = {}, {}
for n, pair in ipairs(pairs_) do
  rows[n] = {pair_id = pair.pair_id, source = pair.source, category = jb.category(pair),
             label = pair.label, line = pair._line, verdicts = {}, judgements = {}}
  results[n] = {category = rows[n].category, label = pair.label, verdicts = {}}
end
for k, c in ipairs(jobs) do
  local r = judged[k]
  local v = jb.verdict(r, c.order)
  table.insert(results[c.n].verdicts, v)
  table.insert(rows[c.n].verdicts, v)
  table.insert(rows[c.n].judgements, {order = c.order, verdict = v, label = r.label, status = r.status,
    reasons = r.reasons, issues = r.issues, reasks = r.reasks, error = r.error, text = r.text})
end
for n, res in ipairs(results) do
  local o = jb.pair_outcome(res.label, res.verdicts)
  rows[n].outcome, rows[n].correct_strict, rows[n].correct_published, rows[n].consistent =
    o.kind, o.strict, o.published, o.consistent
end
local s = jb.score(results, {rule = p.rule})
s.input, s.judge_model, s.usage = p.input, p.judge_model, ratio.llm.usage()

local num = ratio.report.num
local header = {"category", "pairs", "accuracy", "strict", "published"}
if p.orders == 2 then header[#header + 1] = "consistency" end
local function row(name, v)
  local r = {name, tostring(v.pairs), num(v.accuracy), num(v.accuracy_strict), num(v.accuracy_published)}
  if p.orders == 2 then r[#r + 1] = num(v.consistency) end
  return r
end
local table_rows = {}
for _, c in ipairs(s.category_order) do table_rows[#table_rows + 1] = row(c, s.categories[c]) end
table_rows[#table_rows + 1] = row("overall", s)
local vc = s.verdicts
local notes = {
  ("%d pairs from %s, judged by %s in %s; accuracy by the %s rule, pair-weighted."):format(
    s.pairs, p.input, p.judge_model, p.orders == 2 and "both orders" or "the given order only", p.rule),
  ("%d verdicts: %d right, %d wrong, %d ties, %d unscored, %d failed (a tie, unscored or failed verdict is never right)."):format(
    vc.total, vc.right, vc.wrong, vc.tie, vc.unscored, vc.failed),
}
if p.orders == 2 then
  local o = s.outcomes
  notes[#notes + 1] = ("pairs: %d right in both orders, %d inconsistent (right once, wrong once), %d right once " ..
    "with a tie or no verdict, %d wrong in both, %d wrong once with a tie or no verdict, %d with no verdict either way."):format(
    o.both_right or 0, o.inconsistent or 0, o.right_and_none or 0, o.both_wrong or 0, o.wrong_and_none or 0, o.none or 0)
end
print(ratio.report.table(header, table_rows))
for _, n in ipairs(notes) do print(n) end

local bars = {}
for _, c in ipairs(s.category_order) do
  bars[#bars + 1] = {group = c, series = "strict", value = s.categories[c].accuracy_strict}
  bars[#bars + 1] = {group = c, series = "published", value = s.categories[c].accuracy_published}
end
local dir = ratio.run_dir()
ratio.report.write_run(dir, {items = rows, summary = s, page = {
  title = "JudgeBench: " .. p.judge_model, header = header, rows = table_rows, notes = notes,
  sections = {{title = "Accuracy by category", svg = ratio.report.bars_svg{cells = bars, label = "accuracy"},
               text = "strict: both verdicts name the correct response; published: the JudgeBench script's rule."}}}})
ratio.log("run folder: %s", dir)
return s
