-- ratio.judgebench: JudgeBench (ScalerLab/JudgeBench, arXiv 2410.12784) pairs, the judgements a
-- pairwise judge makes on them, and the published scoring.
--
--   local pairs_ = ratio.judgebench.load("data/dataset=judgebench,response_model=gpt-4o-2024-05-13.jsonl")
--   for _, c in ipairs(ratio.judgebench.comparisons(pairs_[1])) do ... end   -- both orders
--   local s = ratio.judgebench.score(results, {rule = "strict"})
--
-- A pair is {pair_id, original_id, source, question, response_model, response_A, response_B,
-- label = "A>B" | "B>A"}. Each pair is judged twice, as given and with the responses swapped;
-- the second verdict is swapped back before scoring. Two rules decide whether a pair counts:
--   strict    (the rule the study issue asks for): both verdicts name the right response.
--   published (utils/metrics.py compute_final_metrics): +1 for each verdict naming the right
--             response, -1 for each naming the wrong one, 0 for a tie or no verdict; the pair
--             counts when the sum is positive. So right + tie counts; right + wrong does not.
-- Both are always reported; `rule` picks the headline. Accuracy is pair-weighted: correct pairs
-- over all pairs, overall and per category (the published source prefixes).
local json = require "ratio.core.json"
local dataset = require "ratio.dataset"
local errors = require "ratio.errors"
local bench = require "ratio.bench"

local M = {}

-- The published per-category report (run_judge.py) groups pairs by these source prefixes; the
-- names are the ones the paper and leaderboard use.
M.CATEGORIES = {
  {prefix = "mmlu-pro", name = "knowledge"},
  {prefix = "livebench-reasoning", name = "reasoning"},
  {prefix = "livebench-math", name = "math"},
  {prefix = "livecodebench", name = "coding"},
}
M.LABELS = {["A>B"] = true, ["B>A"] = true}

-- category(pair) -> its `category` field if it has one, else the category of its source prefix,
-- else the source itself (a dataset in the same layout with other sources).
function M.category(pair)
  if type(pair.category) == "string" then return pair.category end
  local src = type(pair.source) == "string" and pair.source or "unknown"
  for _, c in ipairs(M.CATEGORIES) do
    if src:sub(1, #c.prefix) == c.prefix then return c.name end
  end
  return src
end

-- check(pair) -> nil | "field: what is wrong"
function M.check(pair)
  if type(pair) ~= "table" or json.is_array(pair) then return "the line is not a JSON object" end
  for _, f in ipairs{"question", "response_A", "response_B"} do
    if pair[f] == nil then return f .. ": missing" end
    if type(pair[f]) ~= "string" then return f .. ": expected a string" end
  end
  if pair.label == nil then return "label: missing" end
  if type(pair.label) ~= "string" or not M.LABELS[pair.label:gsub("%s", "")] then
    return "label: expected A>B or B>A, got " .. dataset.shown(pair.label)
  end
  if pair.source == nil and pair.category == nil then return "source: missing" end
  if pair.source ~= nil and type(pair.source) ~= "string" then return "source: expected a string" end
  if pair.category ~= nil and type(pair.category) ~= "string" then return "category: expected a string" end
  local idt = type(pair.pair_id)
  if pair.pair_id ~= nil and idt ~= "string" and idt ~= "number" then return "pair_id: expected a string or a number" end
  return nil
end

-- load(path) -> pairs: JSON Lines as published (or a JSON array). Each pair keeps its fields plus
-- _line; a pair without a pair_id gets its position. A bad pair ends the run with
-- "path:line: field: what is wrong".
function M.load(path)
  local out = {}
  for i, rec in ipairs(bench.read_records(path)) do
    local pair = rec.value
    local problem = M.check(pair)
    if problem then errors.data(("%s:%d: %s"):format(path, rec.line, problem)) end
    pair.label = pair.label:gsub("%s", "")
    if pair.pair_id == nil then pair.pair_id = i end
    pair._line = rec.line
    out[#out + 1] = pair
  end
  return out
end

-- comparisons(pair, {orders = 2|1}) -> list of {order = "AB"|"BA", item = a RationaleRM-shaped
-- pair for ratio.judge}: as given, then (unless orders = 1) with the responses swapped.
function M.comparisons(pair, opts)
  local orders = (opts and opts.orders) or 2
  if orders ~= 1 and orders ~= 2 then error("judgebench.comparisons: orders must be 1 or 2", 2) end
  local context = {{role = "user", content = pair.question}}
  local out = {{order = "AB", item = {id = tostring(pair.pair_id) .. "/AB", domain = M.category(pair),
    context = context, response1 = pair.response_A, response2 = pair.response_B}}}
  if orders == 2 then
    out[2] = {order = "BA", item = {id = tostring(pair.pair_id) .. "/BA", domain = M.category(pair),
      context = context, response1 = pair.response_B, response2 = pair.response_A}}
  end
  return out
end

-- verdict(result, order) -> "A>B" | "B>A" | "A=B" | "unscored" | "failed", in the pair's own
-- orientation (a verdict on the swapped order is swapped back; strength is dropped, as the
-- published judges do). result is what ratio.judge.run returned, or nil for a failed call.
function M.verdict(result, order)
  if type(result) ~= "table" or result.status == "failed" then return "failed" end
  local side = bench.side(result.label)
  if side == nil then return "unscored" end
  if side == "tie" then return "A=B" end
  if order == "BA" then side = side == "A" and "B" or "A" end
  return side == "A" and "A>B" or "B>A"
end

local FLIP = {["A>B"] = "B>A", ["B>A"] = "A>B"}
local VERDICTS = {["A>B"] = true, ["B>A"] = true, ["A=B"] = true, unscored = true, failed = true}

-- kind of one verdict against the label: "right", "wrong", "tie", "unscored" or "failed"
local function verdict_kind(label, v)
  if v == label then return "right" end
  if v == FLIP[label] then return "wrong" end
  if v == "A=B" then return "tie" end
  return v
end

-- pair_outcome(label, verdicts) -> {kind, strict = bool, published = bool, consistent = bool}.
-- Two verdicts: kind is "both_right", "inconsistent" (one right, one wrong), "both_wrong",
-- "right_and_none" (one right, the other a tie, unscored or failed), "wrong_and_none" or "none".
-- One verdict: kind is its own ("right", "wrong", "tie", "unscored", "failed").
-- consistent: both verdicts are the same label (ties included; unscored or failed never are).
function M.pair_outcome(label, verdicts)
  for k, v in ipairs(verdicts) do
    if not VERDICTS[v] then error(("judgebench.pair_outcome: verdict %d is %s"):format(k, tostring(v)), 2) end
  end
  if #verdicts == 1 then
    local k = verdict_kind(label, verdicts[1])
    return {kind = k, strict = k == "right", published = k == "right", consistent = nil}
  end
  if #verdicts ~= 2 then error("judgebench.pair_outcome: expected 1 or 2 verdicts", 2) end
  local a, b = verdict_kind(label, verdicts[1]), verdict_kind(label, verdicts[2])
  local score = 0
  for _, k in ipairs{a, b} do
    if k == "right" then score = score + 1 elseif k == "wrong" then score = score - 1 end
  end
  local kind
  if a == "right" and b == "right" then kind = "both_right"
  elseif a == "wrong" and b == "wrong" then kind = "both_wrong"
  elseif score == 0 and (a == "right" or b == "right") then kind = "inconsistent"
  elseif score == 1 then kind = "right_and_none"
  elseif score == -1 then kind = "wrong_and_none"
  else kind = "none" end
  local valid = {["A>B"] = true, ["B>A"] = true, ["A=B"] = true}
  return {kind = kind, strict = kind == "both_right", published = score > 0,
          consistent = valid[verdicts[1]] and verdicts[1] == verdicts[2] or false}
end

-- collect(pairs, jobs, judged) -> rows, results: each pair's verdicts (results, for score) and its
-- items.jsonl row with every judgement, its raw reply and the pair's outcome under both rules.
-- jobs are comparisons() with .n = the pair's index; judged[k] is ratio.judge.run's record of jobs[k].
function M.collect(pairs_, jobs, judged)
  local rows, results = {}, {}
  for n, pair in ipairs(pairs_) do
    rows[n] = {pair_id = pair.pair_id, source = pair.source, category = M.category(pair),
               label = pair.label, line = pair._line, verdicts = {}, judgements = {}}
    results[n] = {category = rows[n].category, label = pair.label, verdicts = {}}
  end
  for k, c in ipairs(jobs) do
    local r = judged[k]
    local v = M.verdict(r, c.order)
    table.insert(results[c.n].verdicts, v)
    table.insert(rows[c.n].verdicts, v)
    table.insert(rows[c.n].judgements, {order = c.order, verdict = v, label = r.label, status = r.status,
      reasons = r.reasons, issues = r.issues, reasks = r.reasks, error = r.error, text = r.text,
      reasoning = r.reasoning})
  end
  for n, res in ipairs(results) do
    local o = M.pair_outcome(res.label, res.verdicts)
    rows[n].outcome, rows[n].correct_strict, rows[n].correct_published, rows[n].consistent =
      o.kind, o.strict, o.published, o.consistent
  end
  return rows, results
end

local function ratio_of(k, n) if n > 0 then return k / n end end

-- score(results, {rule = "strict"|"published"}) -> summary. Each result is {category, label,
-- verdicts = {v1[, v2]}} with verdicts as verdict() gives them.
-- summary: {pairs, orders, rule, correct, accuracy (by the rule, pair-weighted), accuracy_strict,
--   accuracy_published, consistent, consistency (share of pairs), outcomes = {<kind> = count},
--   verdicts = {total, right, wrong, tie, unscored, failed}, categories = {<name> = {pairs,
--   correct, accuracy, accuracy_strict, accuracy_published, consistency}}, category_order}
function M.score(results, opts)
  local rule = (opts and opts.rule) or "strict"
  if rule ~= "strict" and rule ~= "published" then error("judgebench.score: rule must be strict or published", 2) end
  local function acc() return {pairs = 0, strict = 0, published = 0, consistent = 0} end
  local all, cats, order = acc(), {}, {}
  local outcomes = json.object()
  local vcount = {total = 0, right = 0, wrong = 0, tie = 0, unscored = 0, failed = 0}
  local orders
  for n, r in ipairs(results) do
    if type(r) ~= "table" or type(r.verdicts) ~= "table" then error(("judgebench.score: result %d has no verdicts"):format(n), 2) end
    if orders and #r.verdicts ~= orders then error("judgebench.score: every result needs the same number of verdicts", 2) end
    orders = #r.verdicts
    if not M.LABELS[r.label] then error(("judgebench.score: result %d: label must be A>B or B>A"):format(n), 2) end
    local o = M.pair_outcome(r.label, r.verdicts)
    local c = type(r.category) == "string" and r.category or "unknown"
    if not cats[c] then cats[c] = acc() order[#order + 1] = c end
    for _, a in ipairs{all, cats[c]} do
      a.pairs = a.pairs + 1
      if o.strict then a.strict = a.strict + 1 end
      if o.published then a.published = a.published + 1 end
      if o.consistent then a.consistent = a.consistent + 1 end
    end
    outcomes[o.kind] = (outcomes[o.kind] or 0) + 1
    for _, v in ipairs(r.verdicts) do
      local k = verdict_kind(r.label, v)
      vcount.total, vcount[k] = vcount.total + 1, vcount[k] + 1
    end
  end
  local rank = {}
  for k, c in ipairs(M.CATEGORIES) do rank[c.name] = k end
  table.sort(order, function(a, b)
    local ra, rb = rank[a] or math.huge, rank[b] or math.huge
    if ra ~= rb then return ra < rb end
    return a < b
  end)
  local two = orders == 2
  local function view(a)
    local v = {pairs = a.pairs, correct = a[rule], accuracy = ratio_of(a[rule], a.pairs),
               accuracy_strict = ratio_of(a.strict, a.pairs), accuracy_published = ratio_of(a.published, a.pairs)}
    if two then v.consistency = ratio_of(a.consistent, a.pairs) end
    return v
  end
  local s = view(all)
  s.orders, s.rule, s.outcomes, s.verdicts, s.category_order = orders or 0, rule, outcomes, vcount, order
  if two then s.consistent = all.consistent end
  s.categories = json.object()
  for _, c in ipairs(order) do s.categories[c] = view(cats[c]) end
  return s
end

return M
