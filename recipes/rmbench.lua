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
  judge_model = {nil, "the judge model", required = true},
  judge_base_url = {"", "OpenAI-compatible base URL of the judge (default $OPENAI_BASE_URL)"},
  judge_provider = {"openai", "provider plugin of the judge", choices = {"openai", "anthropic"}},
  order = {"alternate", "which response the judge reads first: alternate (chosen first in half the cells, " ..
           "balanced over the grid and from item to item), chosen_first, or both (each cell judged in both " ..
           "orders; it counts only when both are right)", choices = {"alternate", "chosen_first", "both"}},
  limit = {0, "judge only the first N items (0 = all)", min = 0},
  reasks = {1, "times a reply with no readable verdict is asked again before it counts as unscored", min = 0},
  concurrency = {32, "judge calls in flight", min = 1},
  rpm = {0, "requests per minute to the judge's API (0 = no limit)", min = 0},
}

local rmb = ratio.rmbench
local items = rmb.load(p.input, {domain = p.domain})
if p.limit > 0 then
  for k = #items, p.limit + 1, -1 do items[k] = nil end
end
if #items == 0 then ratio.exit(1, p.input .. ": no items") end

local client = ratio.llm.from_params(p, "judge_")
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
local rows, results = {}, {}
for n, item in ipairs(items) do
  rows[n] = {id = item.id, domain = item.domain, group = rmb.group(item.domain), line = item._line,
             judgements = {}}
  results[n] = {domain = item.domain, grid = {{}, {}, {}}}
end
for k, c in ipairs(jobs) do
  local r = judged[k]
  local outcome = rmb.outcome(r, c.chosen_side)
  local grid = results[c.n].grid
  if p.order == "both" then
    grid[c.i][c.j] = grid[c.i][c.j] or {}
    table.insert(grid[c.i][c.j], outcome)
  else
    grid[c.i][c.j] = outcome
  end
  table.insert(rows[c.n].judgements, {chosen_style = rmb.STYLES[c.i], rejected_style = rmb.STYLES[c.j],
    chosen_side = c.chosen_side, outcome = outcome, label = r.label, status = r.status,
    reasons = r.reasons, issues = r.issues, reasks = r.reasks, error = r.error, text = r.text})
end
local s = rmb.score(results)
for n, res in ipairs(results) do
  local right = 0
  for i = 1, 3 do
    for j = 1, 3 do
      local cell = res.grid[i][j]
      local ok = true
      for _, o in ipairs(type(cell) == "table" and cell or {cell}) do ok = ok and o == "right" end
      if ok then right = right + 1 end
    end
  end
  rows[n].cells_right = right
end

local summary = {input = p.input, judge_model = p.judge_model, order = p.order, items = s.items,
  hard = s.hard, normal = s.normal, easy = s.easy, average = s.average, pooled = s.pooled,
  matrix = s.matrix, domains = s.domains, domain_order = s.domain_order, judgements = s.judgements,
  usage = ratio.llm.usage()}

local num = ratio.report.num
local header = {"domain", "items", "hard", "normal", "easy", "average"}
local table_rows = {}
for _, g in ipairs(s.domain_order) do
  local d = s.domains[g]
  table_rows[#table_rows + 1] = {g, tostring(d.items), num(d.hard), num(d.normal), num(d.easy), num(d.average)}
end
table_rows[#table_rows + 1] = {"overall", tostring(s.items), num(s.hard), num(s.normal), num(s.easy), num(s.average)}
local jc = s.judgements
local notes = {
  ("%d items from %s, judged by %s; order %s."):format(s.items, p.input, p.judge_model, p.order),
  "hard: the correct response is the plainer one (chosen style before rejected style: concise < " ..
    "detailed < detailed markdown); normal: same style; easy: the correct response is the fancier one. " ..
    "Overall is the unweighted mean over domains, as RM-Bench publishes it.",
  ("%d judgements: %d right, %d wrong, %d ties, %d unscored, %d failed (all but right count as wrong)."):format(
    jc.total, jc.right, jc.wrong, jc.tie, jc.unscored, jc.failed),
}
print(ratio.report.table(header, table_rows))
for _, n in ipairs(notes) do print(n) end

-- The 3x3 grid (rows: chosen style, columns: rejected style) as a heat map.
local function grid_svg(m)
  local names = {"concise", "detailed", "markdown"}
  local C, L, T = 70, 110, 48 -- cell size, left and top margins
  local out = {('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="accuracy per chosen and rejected style">')
    :format(L + 3 * C + 10, T + 3 * C + 10)}
  out[#out + 1] = ('<text x="%d" y="14" font-size="12" text-anchor="middle">rejected style</text>'):format(L + 3 * C // 2)
  out[#out + 1] = ('<text x="14" y="%d" font-size="12" text-anchor="middle" transform="rotate(-90 14 %d)">chosen style</text>')
    :format(T + 3 * C // 2, T + 3 * C // 2)
  for k = 1, 3 do
    out[#out + 1] = ('<text x="%.0f" y="%d" font-size="11" text-anchor="middle">%s</text>'):format(L + (k - 0.5) * C, T - 8, names[k])
    out[#out + 1] = ('<text x="%d" y="%.0f" font-size="11" text-anchor="end">%s</text>'):format(L - 8, T + (k - 0.5) * C + 4, names[k])
  end
  for i = 1, 3 do
    for j = 1, 3 do
      local v = m and m[i][j] or 0
      local shade = math.floor(255 - v * 160)
      out[#out + 1] = ('<rect x="%d" y="%d" width="%d" height="%d" fill="rgb(%d,%d,255)" stroke="#bbb"/>')
        :format(L + (j - 1) * C, T + (i - 1) * C, C, C, shade, shade)
      out[#out + 1] = ('<text x="%.0f" y="%.0f" font-size="13" text-anchor="middle">%s</text>')
        :format(L + (j - 0.5) * C, T + (i - 0.5) * C + 5, num(v, 2))
    end
  end
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n")
end

local bars = {}
for _, g in ipairs(s.domain_order) do
  for _, k in ipairs{"hard", "normal", "easy"} do
    bars[#bars + 1] = {group = g, series = k, value = s.domains[g][k]}
  end
end
local dir = ratio.run_dir()
ratio.report.write_run(dir, {items = rows, summary = summary, page = {
  title = "RM-Bench: " .. p.judge_model, header = header, rows = table_rows, notes = notes,
  sections = {
    {title = "Accuracy by style", svg = grid_svg(s.matrix),
     text = "Share of items where the judge preferred the correct response, for each chosen style (rows) " ..
            "against each rejected style (columns), over all items. Above the diagonal is hard, below it easy."},
    {title = "Hard, normal and easy by domain", svg = ratio.report.bars_svg{cells = bars, label = "accuracy"}},
  }}})
ratio.log("run folder: %s", dir)
return summary
