-- ratio.rmbench: RM-Bench (THU-KEG/RM-Bench, arXiv 2410.16184) items, the comparisons a pairwise
-- judge makes on them, and the published scoring.
--
--   local items = ratio.rmbench.load("total_dataset.json")      -- file:line:field errors
--   for _, c in ipairs(ratio.rmbench.comparisons(items[1], {index = 1})) do ... end
--   local s = ratio.rmbench.score(results)   -- 3x3 grid, hard/normal/easy, per domain
--
-- An item is {id, prompt, chosen = {3 strings}, rejected = {3 strings}, domain}; the three
-- responses are, in order, concise, detailed plain text, and detailed markdown. Every chosen style
-- meets every rejected style: a 3x3 grid, rows = chosen style i, columns = rejected style j.
-- Published reading (scripts/utils.py compute_accuracy): cell accuracy = share of items where the
-- chosen response wins (strictly); hard = mean of the upper-right cells (i < j: the chosen
-- response is LESS elaborate than the rejected one), normal = the diagonal (same style),
-- easy = the lower-left cells (i > j: the chosen response is MORE elaborate). A file with a
-- domain field is scored per domain group (chat, math, code, safety: safety-refuse and
-- safety-response are one group), and the overall hard/normal/easy/average are unweighted means
-- over the groups. docs/api.md lists where ratio departs from the published script.
local json = require "ratio.core.json"
local errors = require "ratio.errors"
local bench = require "ratio.bench"

local M = {}

M.STYLES = {"concise", "detailed_plain", "detailed_markdown"}
-- The published script groups domains by these prefixes, in this order.
M.GROUPS = {"chat", "math", "code", "safety"}
-- Domains the published per-domain files hold (<domain>_filtered.json), for a file without a
-- domain field.
M.FILE_DOMAINS = {"chat", "code", "math", "safety-refuse", "safety-response"}

-- read_records(path) -> list of {value, line}: a JSON array or JSON Lines file (ratio.bench).
M.read_records = bench.read_records

local function check_three(v, field)
  local n = 0
  if type(v) == "table" then
    for k in pairs(v) do
      if math.type(k) ~= "integer" then n = -1 break end
      n = n + 1
    end
  end
  if n < 0 or type(v) ~= "table" or n ~= #v then
    return field .. ": expected a list of 3 strings (concise, detailed plain, detailed markdown)"
  end
  if n ~= 3 then
    return ("%s: expected 3 responses (concise, detailed plain, detailed markdown), got %d"):format(field, n)
  end
  for k = 1, 3 do
    if type(v[k]) ~= "string" then
      return ("%s[%d] (%s): expected a string, got %s"):format(field, k, M.STYLES[k], type(v[k]))
    end
  end
  return nil
end

-- check(item) -> nil | "field: what is wrong"
function M.check(item)
  if type(item) ~= "table" or json.is_array(item) then return "the item is not a JSON object" end
  if type(item.prompt) ~= "string" then
    return item.prompt == nil and "prompt: missing" or "prompt: expected a string"
  end
  if item.chosen == nil then return "chosen: missing" end
  local bad = check_three(item.chosen, "chosen")
  if bad then return bad end
  if item.rejected == nil then return "rejected: missing" end
  bad = check_three(item.rejected, "rejected")
  if bad then return bad end
  if item.domain ~= nil and type(item.domain) ~= "string" then return "domain: expected a string" end
  local idt = type(item.id)
  if item.id ~= nil and idt ~= "string" and idt ~= "number" then return "id: expected a string or a number" end
  return nil
end

-- The domain a per-domain file holds, from its name (chat_filtered.json -> chat), or nil.
local function domain_from_name(path)
  local base = (path:match("([^/]+)$") or path):lower()
  local best
  for _, d in ipairs(M.FILE_DOMAINS) do
    if base:sub(1, #d) == d and (best == nil or #d > #best) then best = d end
  end
  return best
end

-- load(path, {domain=}) -> items. Each item keeps its fields plus _line (where it begins) and a
-- domain: its own, else opts.domain, else the one the file name says (chat_filtered.json). A
-- bad item ends the run with "path:line: field: what is wrong".
function M.load(path, opts)
  opts = opts or {}
  local fallback = (opts.domain ~= nil and opts.domain ~= "") and opts.domain or domain_from_name(path)
  local items = {}
  for i, rec in ipairs(M.read_records(path)) do
    local item = rec.value
    local problem = M.check(item)
    if not problem and item.domain == nil then
      if fallback then item.domain = fallback
      else problem = "domain: missing (and the file name does not say which domain it holds)" end
    end
    if problem then errors.data(("%s:%d: %s"):format(path, rec.line, problem)) end
    if item.id == nil then item.id = i end
    item._line = rec.line
    items[#items + 1] = item
  end
  return items
end

-- group(domain) -> the scoring group: the first of chat, math, code, safety the domain starts
-- with (as the published script splits), else the domain itself (the published script would drop
-- such items; ratio keeps them as their own group).
function M.group(domain)
  for _, g in ipairs(M.GROUPS) do
    if domain:sub(1, #g) == g then return g end
  end
  return domain
end

-- comparisons(item, {index=, order="alternate"|"chosen_first"|"both"}) -> list of
-- {i, j, chosen_side = "A"|"B", item = a RationaleRM-shaped pair for ratio.judge}.
-- i is the chosen style, j the rejected style. "alternate" puts the chosen response first where
-- index + i + j is even (a fixed, seedless balance of positions: over the grid and from one item
-- to the next); "both" judges every cell in both orders.
function M.comparisons(item, opts)
  opts = opts or {}
  local order = opts.order or "alternate"
  if order ~= "alternate" and order ~= "chosen_first" and order ~= "both" then
    error("rmbench.comparisons: order must be alternate, chosen_first or both", 2)
  end
  local index = opts.index or 1
  local context = {{role = "user", content = item.prompt}}
  local out = {}
  local function add(i, j, side)
    local a, b = item.chosen[i], item.rejected[j]
    if side == "B" then a, b = b, a end
    out[#out + 1] = {i = i, j = j, chosen_side = side, item = {
      id = ("%s/%d%d%s"):format(tostring(item.id), i, j, side), domain = item.domain,
      context = context, response1 = a, response2 = b}}
  end
  for i = 1, 3 do
    for j = 1, 3 do
      if order == "both" then
        add(i, j, "A")
        add(i, j, "B")
      elseif order == "chosen_first" then
        add(i, j, "A")
      else
        add(i, j, (index + i + j) % 2 == 0 and "A" or "B")
      end
    end
  end
  return out
end

-- side(label) -> "A" (A>>B, A>B), "B" (B>A, B>>A), "tie" (A=B) or nil (ratio.bench).
M.side = bench.side

-- outcome(result, chosen_side) -> "right" | "wrong" | "tie" | "unscored" | "failed" for one
-- judgement: result is what ratio.judge.run returned ({status = "ok"|"unscored"|"failed", label})
-- or nil for a failed call.
function M.outcome(result, chosen_side)
  if type(result) ~= "table" or result.status == "failed" then return "failed" end
  local s = M.side(result.label)
  if s == nil then return "unscored" end
  if s == "tie" then return "tie" end
  return s == chosen_side and "right" or "wrong"
end

-- collect(items, jobs, judged, order) -> rows, results: the judgements back into one 3x3 grid per
-- item (results, for score) and one items.jsonl row per item with every judgement and its raw
-- reply and the count of cells right. jobs are comparisons() with .n = the item's index; judged[k]
-- is ratio.judge.run's record of jobs[k]; order "both" keeps two outcomes per cell.
function M.collect(items, jobs, judged, order)
  local rows, results = {}, {}
  for n, item in ipairs(items) do
    rows[n] = {id = item.id, domain = item.domain, group = M.group(item.domain), line = item._line,
               judgements = {}}
    results[n] = {domain = item.domain, grid = {{}, {}, {}}}
  end
  for k, c in ipairs(jobs) do
    local r = judged[k]
    local outcome = M.outcome(r, c.chosen_side)
    local grid = results[c.n].grid
    if order == "both" then
      grid[c.i][c.j] = grid[c.i][c.j] or {}
      table.insert(grid[c.i][c.j], outcome)
    else
      grid[c.i][c.j] = outcome
    end
    table.insert(rows[c.n].judgements, {chosen_style = M.STYLES[c.i], rejected_style = M.STYLES[c.j],
      chosen_side = c.chosen_side, outcome = outcome, label = r.label, status = r.status,
      reasons = r.reasons, issues = r.issues, reasks = r.reasks, error = r.error, text = r.text,
      reasoning = r.reasoning})
  end
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
  return rows, results
end

-- grid_from_scores(score_chosen, score_rejected) -> 3x3 outcomes from reward-model scores, as
-- the published script compares them: the chosen response wins only when it scores strictly
-- higher (equal scores are a tie, which counts as wrong).
function M.grid_from_scores(sc, sr)
  local grid = {}
  for i = 1, 3 do
    grid[i] = {}
    for j = 1, 3 do
      grid[i][j] = sc[i] > sr[j] and "right" or (sc[i] == sr[j] and "tie" or "wrong")
    end
  end
  return grid
end

local OUTCOMES = {right = true, wrong = true, tie = true, unscored = true, failed = true}

local function triangles(m)
  local hard = (m[1][2] + m[1][3] + m[2][3]) / 3
  local normal = (m[1][1] + m[2][2] + m[3][3]) / 3
  local easy = (m[2][1] + m[3][1] + m[3][2]) / 3
  return hard, normal, easy, (hard + normal + easy) / 3
end

local function new_acc()
  return {items = 0, right = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}}}
end

local function finish(acc)
  local r = {items = acc.items}
  if acc.items == 0 then return r end
  local m = {}
  for i = 1, 3 do
    m[i] = {}
    for j = 1, 3 do m[i][j] = acc.right[i][j] / acc.items end
  end
  r.matrix = m
  r.hard, r.normal, r.easy, r.average = triangles(m)
  return r
end

-- score(results) -> summary. Each result is {domain = "...", grid = 3x3} where grid[i][j] is an
-- outcome ("right", "wrong", "tie", "unscored", "failed") or a list of them (a cell judged in
-- both orders is right only when every judgement is right). Everything but "right" counts as
-- wrong; the judgements are counted by outcome in `judgements`.
-- summary: {items, judgements = {total, right, wrong, tie, unscored, failed}, hard, normal, easy,
--   average (unweighted means over the domain groups, as published), matrix and pooled = {hard,
--   normal, easy, average} (over all items regardless of domain), domains = {<group> = {items,
--   matrix, hard, normal, easy, average}}, domain_order = {groups in published order, then others}}
function M.score(results)
  local counts = {total = 0, right = 0, wrong = 0, tie = 0, unscored = 0, failed = 0}
  local all, groups, order = new_acc(), {}, {}
  for n, r in ipairs(results) do
    if type(r) ~= "table" or type(r.grid) ~= "table" then error(("rmbench.score: result %d has no grid"):format(n), 2) end
    local g = M.group(type(r.domain) == "string" and r.domain or "unknown")
    if not groups[g] then groups[g] = new_acc() order[#order + 1] = g end
    local acc = groups[g]
    acc.items, all.items = acc.items + 1, all.items + 1
    for i = 1, 3 do
      for j = 1, 3 do
        local cell = r.grid[i] and r.grid[i][j]
        local list = type(cell) == "table" and cell or {cell}
        local ok = #list > 0
        for _, o in ipairs(list) do
          if not OUTCOMES[o] then
            error(("rmbench.score: result %d cell %d,%d: unknown outcome %s"):format(n, i, j, tostring(o)), 2)
          end
          counts.total, counts[o] = counts.total + 1, counts[o] + 1
          if o ~= "right" then ok = false end
        end
        if ok then
          acc.right[i][j] = acc.right[i][j] + 1
          all.right[i][j] = all.right[i][j] + 1
        end
      end
    end
  end
  -- Published groups first, in the published order; then any others in the order met.
  local rank = {}
  for k, g in ipairs(M.GROUPS) do rank[g] = k end
  table.sort(order, function(a, b)
    local ra, rb = rank[a] or math.huge, rank[b] or math.huge
    if ra ~= rb then return ra < rb end
    return a < b
  end)
  local s = {items = all.items, judgements = counts, domains = json.object(), domain_order = order}
  local pooled = finish(all)
  s.matrix = pooled.matrix
  s.pooled = {hard = pooled.hard, normal = pooled.normal, easy = pooled.easy, average = pooled.average}
  -- Overall: the unweighted mean over domains (ratio.stats.mean), as RM-Bench publishes it.
  local per = {hard = {}, normal = {}, easy = {}, average = {}}
  for _, g in ipairs(order) do
    local d = finish(groups[g])
    s.domains[g] = d
    for k, list in pairs(per) do list[#list + 1] = d[k] end
  end
  if #order > 0 then
    for k, list in pairs(per) do s[k] = require("ratio.stats").mean(list) end
  end
  return s
end

return M
