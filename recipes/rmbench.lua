-- Does the judge still pick the correct response when style pulls the other way? Runs a pairwise
-- LLM judge on RM-Bench (THU-KEG/RM-Bench): each item's three chosen responses (concise, detailed,
-- detailed markdown) meet its three subtly wrong rejected ones, nine judgements per item, and the
-- published scoring gives hard accuracy (the correct response is the plainer one), normal (same
-- style) and easy (the correct response is the fancier one), per domain and overall. A tie, an
-- unscored reply or a failed call counts as wrong, and each is counted.
local ratio = require "ratio"
local p = ratio.params{
  input = {"tests/fixtures/rmbench_sample.json",
           "RM-Bench items: total_dataset.json, a <domain>_filtered.json, or the same as JSON Lines", type = "file"},
  domain = {"", "domain of items that have no domain field; empty: read it from the file name (chat_filtered.json: chat)"},
  order = {"alternate", "which response the judge reads first: alternate (chosen first in half the cells, " ..
           "balanced over the grid and from item to item), chosen_first, or both (each cell judged in both " ..
           "orders; it counts only when both are right)", choices = {"alternate", "chosen_first", "both"}},
  limit = {0, "judge only the first N items (0 = all)", min = 0},
  reasks = {1, "times a reply with no readable verdict is asked again before it counts as unscored", min = 0},
  concurrency = {32, "judge calls in flight", min = 1},
  rpm = {0, "requests per minute to the judge's API (0 = no limit)", min = 0},
  ratio.flags.judge{required = true},
}

local rmb = ratio.rmbench
local items = rmb.load(p.input, {domain = p.domain})
if p.limit > 0 then
  for k = #items, p.limit + 1, -1 do items[k] = nil end
end
if #items == 0 then ratio.exit(1, p.input .. ": no items") end

local client = ratio.llm.from_params(p, "judge")
ratio.manifest("judge_model", p.judge_model)

-- Every item becomes 9 comparisons (18 with --order both), judged as one flat list so the
-- concurrency limit applies across items.
local jobs = {}
for n, item in ipairs(items) do
  for _, c in ipairs(rmb.comparisons(item, {index = n, order = p.order})) do
    c.n = n
    jobs[#jobs + 1] = c
  end
end
local judged = ratio.bench.judge_all(client, jobs, {reasks = p.reasks, concurrency = p.concurrency})

-- Back into one grid per item; every judgement is kept, with its raw reply.
local rows, results = rmb.collect(items, jobs, judged, p.order)
local s = rmb.score(results)

local summary = {input = p.input, judge_model = p.judge_model, order = p.order, items = s.items,
  hard = s.hard, normal = s.normal, easy = s.easy, average = s.average, pooled = s.pooled,
  matrix = s.matrix, domains = s.domains, domain_order = s.domain_order, judgements = s.judgements,
  usage = ratio.llm.usage()}

local page = ratio.study.rmbench_page(s, {input = p.input, judge_model = p.judge_model, order = p.order})
return ratio.study.write(ratio.run_dir(), {items = rows, summary = summary, title = "RM-Bench: " .. p.judge_model,
  header = page.header, rows = page.rows, notes = page.notes, sections = page.sections})
