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
  orders = {2, "2: judge each pair as given and swapped (published default); 1: as given only", min = 1, max = 2},
  rule = {"strict", "which rule the headline accuracy uses", choices = {"strict", "published"}},
  limit = {0, "judge only the first N pairs (0 = all)", min = 0},
  reasks = {1, "times a reply with no readable verdict is asked again before it counts as unscored", min = 0},
  concurrency = {32, "judge calls in flight", min = 1},
  rpm = {0, "requests per minute to the judge's API (0 = no limit)", min = 0},
  ratio.flags.judge{required = true},
}

local jb = ratio.judgebench
local pairs_ = jb.load(p.input)
if p.limit > 0 then
  for k = #pairs_, p.limit + 1, -1 do pairs_[k] = nil end
end
if #pairs_ == 0 then ratio.exit(1, p.input .. ": no pairs") end

local client = ratio.llm.from_params(p, "judge")
ratio.manifest("judge_model", p.judge_model)

local jobs = {}
for n, pair in ipairs(pairs_) do
  for _, c in ipairs(jb.comparisons(pair, {orders = p.orders})) do
    c.n = n
    jobs[#jobs + 1] = c
  end
end
local judged = ratio.bench.judge_all(client, jobs, {reasks = p.reasks, concurrency = p.concurrency})

local rows, results = jb.collect(pairs_, jobs, judged)
local s = jb.score(results, {rule = p.rule})
s.input, s.judge_model, s.usage = p.input, p.judge_model, ratio.llm.usage()

local page = ratio.study.judgebench_page(s, {input = p.input, judge_model = p.judge_model, rule = p.rule, orders = p.orders})
return ratio.study.write(ratio.run_dir(), {items = rows, summary = s, title = "JudgeBench: " .. p.judge_model,
  header = page.header, rows = page.rows, notes = page.notes, sections = page.sections})
