-- RM-Bench and JudgeBench: loaders (with file:line:field errors), the comparisons each item
-- becomes, and the published scoring, checked against numbers worked out by hand.
local ratio = require "ratio"
local t = require "testlib"

local rmb, jb = ratio.rmbench, ratio.judgebench
local FIX = ratio.root() .. "/tests/fixtures/"

local function lit(s) return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")) end

-- write(text, name) -> a fresh temporary file ending in name; cleanup() removes them all.
local made = {}
local function write(text, name)
  local base = os.tmpname()
  os.remove(base)
  local path = base .. "-" .. (name or "data.json")
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
  made[#made + 1] = path
  return path
end
local function cleanup()
  for _, p in ipairs(made) do os.remove(p) end
  made = {}
end

local function fails_with(fn, want) t.raises(fn, "^" .. lit(want) .. "$") end

-- RM-Bench ------------------------------------------------------------------------------------

t.test("rmbench: the fixture loads with lines and domains", function()
  local items = rmb.load(FIX .. "rmbench_sample.json")
  t.eq(#items, 6)
  local got = {}
  for i, it in ipairs(items) do got[i] = {it.id, it.domain, it._line, rmb.group(it.domain)} end
  t.eq(got, {{101, "chat", 2, "chat"}, {102, "chat", 17, "chat"}, {201, "math", 32, "math"},
             {202, "math", 47, "math"}, {301, "safety-refuse", 62, "safety"},
             {302, "safety-response", 77, "safety"}})
end)

t.test("rmbench: a missing or malformed field names file:line:field", function()
  local good = '{"id": 1, "prompt": "p", "chosen": ["a", "b", "c"], "rejected": ["d", "e", "f"], "domain": "chat"}'
  local p = write("[\n  " .. good .. ",\n  {\"id\": 2, \"prompt\": \"p\",\n   \"chosen\": [\"a\", \"b\", \"c\"], \"domain\": \"math\"}\n]\n")
  fails_with(function() rmb.load(p) end, p .. ":3: rejected: missing")
  p = write('[' .. good .. ', {"prompt": "p", "chosen": ["a", "b"], "rejected": ["d", "e", "f"], "domain": "chat"}]')
  fails_with(function() rmb.load(p) end,
             p .. ":1: chosen: expected 3 responses (concise, detailed plain, detailed markdown), got 2")
  p = write('[\n' .. good .. ',\n\n{"prompt": "p", "chosen": ["a", 7, "c"], "rejected": ["d", "e", "f"], "domain": "chat"}]')
  fails_with(function() rmb.load(p) end, p .. ":4: chosen[2] (detailed_plain): expected a string, got number")
  p = write('[{"chosen": ["a", "b", "c"], "rejected": ["d", "e", "f"]}]')
  fails_with(function() rmb.load(p) end, p .. ":1: prompt: missing")
  -- A brace inside a string must not confuse the element lines.
  p = write('[\n{"prompt": "}, {", "chosen": ["a", "b", "c"], "rejected": ["d", "e", "f"], "domain": "x"},\n' ..
            '{"prompt": "q", "chosen": {"a": 1}, "rejected": ["d", "e", "f"]}\n]')
  fails_with(function() rmb.load(p) end,
             p .. ":3: chosen: expected a list of 3 strings (concise, detailed plain, detailed markdown)")
  p = write('[\n{"prompt": "p",\n "chosen": ["a", "b", "c"], "rejected": ["d", "e", "f"],}\n]')
  t.raises(function() rmb.load(p) end, "^" .. lit(p) .. ":3: column %d+: ")
  cleanup()
end)

t.test("rmbench: the domain comes from the item, the option or the file name", function()
  local item = '{"id": 1, "prompt": "p", "chosen": ["a", "b", "c"], "rejected": ["d", "e", "f"]}'
  local p = write("[" .. item .. "]", "rm.json")
  fails_with(function() rmb.load(p) end,
             p .. ":1: domain: missing (and the file name does not say which domain it holds)")
  t.eq(rmb.load(p, {domain = "code"})[1].domain, "code")
  local dir = p .. ".d" -- a folder, so that the file's own name can start with the domain
  assert(require("ratio.core.sys").mkdir_p(dir))
  local named = dir .. "/safety-refuse_filtered.json"
  os.rename(p, named)
  made[#made + 1] = named
  made[#made + 1] = dir
  t.eq(rmb.load(named)[1].domain, "safety-refuse")
  -- JSON Lines works too, with its own line numbers.
  p = write(item:gsub("}$", ', "domain": "math"}') .. "\n\n" .. item .. "\n", "rm.jsonl")
  fails_with(function() rmb.load(p) end,
             p .. ":3: domain: missing (and the file name does not say which domain it holds)")
  cleanup()
end)

t.test("rmbench: nine comparisons per item, positions balanced or both", function()
  local item = rmb.load(FIX .. "rmbench_sample.json")[1]
  local cs = rmb.comparisons(item, {index = 1})
  t.eq(#cs, 9)
  local sides = {}
  for k, c in ipairs(cs) do
    sides[k] = ("%d%d%s"):format(c.i, c.j, c.chosen_side)
    local chosen = c.chosen_side == "A" and c.item.response1 or c.item.response2
    local rejected = c.chosen_side == "A" and c.item.response2 or c.item.response1
    t.eq(chosen, item.chosen[c.i])
    t.eq(rejected, item.rejected[c.j])
    t.eq(c.item.context, {{role = "user", content = item.prompt}})
  end
  t.eq(table.concat(sides, " "), "11B 12A 13B 21A 22B 23A 31B 32A 33B")
  t.eq(rmb.comparisons(item, {index = 2})[1].chosen_side, "A") -- the next item starts the other way
  t.eq(#rmb.comparisons(item, {order = "both"}), 18)
  for _, c in ipairs(rmb.comparisons(item, {order = "chosen_first"})) do t.eq(c.chosen_side, "A") end
  t.raises(function() rmb.comparisons(item, {order = "random"}) end, "order must be")
end)

t.test("rmbench: one judgement's outcome", function()
  t.eq(rmb.outcome({status = "ok", label = "A>>B"}, "A"), "right")
  t.eq(rmb.outcome({status = "ok", label = "A>B"}, "B"), "wrong")
  t.eq(rmb.outcome({status = "ok", label = "B>>A"}, "B"), "right")
  t.eq(rmb.outcome({status = "ok", label = "A=B"}, "A"), "tie")
  t.eq(rmb.outcome({status = "unscored"}, "A"), "unscored")
  t.eq(rmb.outcome({status = "failed", error = "HTTP 500"}, "A"), "failed")
  t.eq(rmb.outcome(nil, "A"), "failed")
end)

t.test("rmbench: grid, hard/normal/easy and domains by hand", function()
  local R, W, T, U, F = "right", "wrong", "tie", "unscored", "failed"
  local results = {
    {domain = "chat", grid = {{R, R, W}, {R, T, R}, {R, R, R}}},
    {domain = "chat", grid = {{R, W, W}, {W, R, W}, {W, W, R}}},
    -- judged in both orders: the cell counts only when both are right
    {domain = "safety-refuse", grid = {{R, R, R}, {R, R, R}, {{R, U}, R, R}}},
    {domain = "safety-response", grid = {{F, F, F}, {F, F, F}, {F, F, F}}},
  }
  local s = rmb.score(results)
  t.eq(s.items, 4)
  t.eq(s.domain_order, {"chat", "safety"})
  t.eq(s.judgements, {total = 37, right = 19, wrong = 7, tie = 1, unscored = 1, failed = 9})
  local chat = s.domains.chat
  t.eq(chat.items, 2)
  t.eq(chat.matrix, {{1, 0.5, 0}, {0.5, 0.5, 0.5}, {0.5, 0.5, 1}})
  t.near(chat.hard, 1 / 3)     -- (0.5 + 0 + 0.5) / 3: chosen plainer than rejected
  t.near(chat.normal, 5 / 6)   -- (1 + 0.5 + 1) / 3
  t.near(chat.easy, 1 / 2)     -- (0.5 + 0.5 + 0.5) / 3: chosen fancier than rejected
  t.near(chat.average, 5 / 9)
  local safety = s.domains.safety
  t.eq(safety.matrix, {{0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}, {0, 0.5, 0.5}})
  t.near(safety.hard, 1 / 2)
  t.near(safety.normal, 1 / 2)
  t.near(safety.easy, 1 / 3)
  t.near(safety.average, 4 / 9)
  -- Overall: unweighted means over the domain groups, as published.
  t.near(s.hard, 5 / 12)
  t.near(s.normal, 2 / 3)
  t.near(s.easy, 5 / 12)
  t.near(s.average, 1 / 2)
  -- Pooled over items regardless of domain.
  t.eq(s.matrix, {{0.75, 0.5, 0.25}, {0.5, 0.5, 0.5}, {0.25, 0.5, 0.75}})
  t.near(s.pooled.hard, 5 / 12)
  t.near(s.pooled.normal, 2 / 3)
  t.near(s.pooled.easy, 5 / 12)
  t.raises(function() rmb.score({{domain = "chat", grid = {{"yes"}}}}) end, "unknown outcome")
  t.eq(rmb.score({}).items, 0)
end)

t.test("rmbench: reward-model scores, strictly greater wins", function()
  t.eq(rmb.grid_from_scores({1, 2, 3}, {2, 2, 0}),
       {{"wrong", "wrong", "right"}, {"tie", "tie", "right"}, {"right", "right", "right"}})
  local s = rmb.score({{domain = "code", grid = rmb.grid_from_scores({1, 2, 3}, {2, 2, 0})}})
  t.near(s.hard, 2 / 3)   -- (1,2) wrong, (1,3) right, (2,3) right
  t.near(s.normal, 1 / 3) -- (1,1) wrong, (2,2) tie, (3,3) right
  t.near(s.easy, 2 / 3)   -- (2,1) tie, (3,1) right, (3,2) right
end)

-- JudgeBench ----------------------------------------------------------------------------------

t.test("judgebench: the fixture loads with categories", function()
  local ps = jb.load(FIX .. "judgebench_sample.jsonl")
  t.eq(#ps, 8)
  local got = {}
  for i, p in ipairs(ps) do got[i] = jb.category(p) .. ":" .. p.label .. ":" .. p._line end
  t.eq(got, {"knowledge:A>B:1", "knowledge:A>B:2", "knowledge:B>A:3", "math:A>B:4", "math:B>A:5",
             "math:A>B:6", "coding:A>B:7", "coding:B>A:8"})
  t.eq(jb.category({source = "livebench-reasoning"}), "reasoning")
  t.eq(jb.category({source = "my-own-set"}), "my-own-set")
  t.eq(jb.category({source = "mmlu-pro-law", category = "law"}), "law")
end)

t.test("judgebench: a missing or malformed field names file:line:field", function()
  local good = '{"pair_id": "x", "source": "livecodebench", "question": "q", "response_A": "a", "response_B": "b", "label": "A>B"}'
  local p = write(good .. '\n{"pair_id": "y", "source": "livecodebench", "question": "q", "response_A": "a", "response_B": "b"}\n', "jb.jsonl")
  fails_with(function() jb.load(p) end, p .. ":2: label: missing")
  p = write(good .. "\n\n" .. good:gsub('"A>B"', '"A=B"') .. "\n", "jb.jsonl")
  fails_with(function() jb.load(p) end, p .. ":3: label: expected A>B or B>A, got \"A=B\"")
  p = write(good:gsub(', "response_B": "b"', "") .. "\n", "jb.jsonl")
  fails_with(function() jb.load(p) end, p .. ":1: response_B: missing")
  p = write(good:gsub('"question": "q"', '"question": 3') .. "\n", "jb.jsonl")
  fails_with(function() jb.load(p) end, p .. ":1: question: expected a string")
  p = write(good:gsub('"source": "livecodebench", ', "") .. "\n", "jb.jsonl")
  fails_with(function() jb.load(p) end, p .. ":1: source: missing")
  -- The Hugging Face export as one JSON array reads too.
  p = write("[\n" .. good .. ",\n" .. good .. "\n]\n", "jb.json")
  local ps = jb.load(p)
  t.eq({#ps, ps[2]._line}, {2, 3})
  cleanup()
end)

t.test("judgebench: both orders, and verdicts swapped back", function()
  local pair = jb.load(FIX .. "judgebench_sample.jsonl")[1]
  local cs = jb.comparisons(pair)
  t.eq(#cs, 2)
  t.eq({cs[1].order, cs[1].item.response1, cs[1].item.response2}, {"AB", pair.response_A, pair.response_B})
  t.eq({cs[2].order, cs[2].item.response1, cs[2].item.response2}, {"BA", pair.response_B, pair.response_A})
  t.eq(cs[1].item.context, {{role = "user", content = pair.question}})
  t.eq(#jb.comparisons(pair, {orders = 1}), 1)
  t.eq(jb.verdict({status = "ok", label = "A>>B"}, "AB"), "A>B")
  t.eq(jb.verdict({status = "ok", label = "A>>B"}, "BA"), "B>A")
  t.eq(jb.verdict({status = "ok", label = "B>A"}, "BA"), "A>B")
  t.eq(jb.verdict({status = "ok", label = "A=B"}, "BA"), "A=B")
  t.eq(jb.verdict({status = "unscored"}, "AB"), "unscored")
  t.eq(jb.verdict({status = "failed"}, "BA"), "failed")
  t.eq(jb.verdict(nil, "AB"), "failed")
end)

t.test("judgebench: consistency rules by hand", function()
  local po = jb.pair_outcome
  t.eq(po("A>B", {"A>B", "A>B"}), {kind = "both_right", strict = true, published = true, consistent = true})
  -- One verdict right and the other wrong: inconsistent, wrong under both rules.
  t.eq(po("A>B", {"A>B", "B>A"}), {kind = "inconsistent", strict = false, published = false, consistent = false})
  t.eq(po("B>A", {"A>B", "B>A"}).kind, "inconsistent")
  -- Right once and a tie (or no verdict) once: the published rule counts it, the strict one not.
  t.eq(po("B>A", {"B>A", "A=B"}), {kind = "right_and_none", strict = false, published = true, consistent = false})
  t.eq(po("A>B", {"unscored", "A>B"}).published, true)
  t.eq(po("A>B", {"A=B", "A=B"}), {kind = "none", strict = false, published = false, consistent = true})
  t.eq(po("A>B", {"B>A", "B>A"}), {kind = "both_wrong", strict = false, published = false, consistent = true})
  t.eq(po("A>B", {"failed", "B>A"}), {kind = "wrong_and_none", strict = false, published = false, consistent = false})
  t.eq(po("A>B", {"failed", "failed"}).consistent, false)
  t.raises(function() po("A>B", {"A>>B", "A>B"}) end, "verdict 1 is A>>B")
end)

t.test("judgebench: per-category and pair-weighted overall by hand", function()
  local results = {
    {category = "knowledge", label = "A>B", verdicts = {"A>B", "A>B"}},      -- both right
    {category = "knowledge", label = "A>B", verdicts = {"A>B", "B>A"}},      -- inconsistent
    {category = "knowledge", label = "B>A", verdicts = {"B>A", "A=B"}},      -- right + tie
    {category = "math", label = "B>A", verdicts = {"A=B", "A=B"}},           -- two ties
    {category = "math", label = "A>B", verdicts = {"B>A", "B>A"}},           -- both wrong
    {category = "coding", label = "A>B", verdicts = {"A>B", "unscored"}},    -- right + unscored
    {category = "coding", label = "B>A", verdicts = {"failed", "A>B"}},      -- failed + wrong
  }
  local s = jb.score(results)
  t.eq({s.rule, s.orders, s.pairs, s.correct, s.consistent}, {"strict", 2, 7, 1, 3})
  t.near(s.accuracy, 1 / 7)
  t.near(s.accuracy_strict, 1 / 7)
  t.near(s.accuracy_published, 3 / 7)
  t.near(s.consistency, 3 / 7)
  t.eq(s.category_order, {"knowledge", "math", "coding"})
  t.eq({s.categories.knowledge.pairs, s.categories.knowledge.correct}, {3, 1})
  t.near(s.categories.knowledge.accuracy, 1 / 3)
  t.near(s.categories.knowledge.accuracy_published, 2 / 3)
  t.near(s.categories.knowledge.consistency, 1 / 3)
  t.near(s.categories.math.accuracy, 0)
  t.near(s.categories.math.consistency, 1)
  t.near(s.categories.coding.accuracy_strict, 0)
  t.near(s.categories.coding.accuracy_published, 1 / 2)
  t.eq(s.verdicts, {total = 14, right = 5, wrong = 4, tie = 3, unscored = 1, failed = 1})
  t.eq(s.outcomes, {both_right = 1, inconsistent = 1, right_and_none = 2, none = 1, both_wrong = 1,
                    wrong_and_none = 1})
  local p = jb.score(results, {rule = "published"})
  t.eq({p.rule, p.correct}, {"published", 3})
  t.near(p.accuracy, 3 / 7)
  t.near(p.categories.coding.accuracy, 1 / 2)
  -- The overall is pair-weighted, not the mean of the categories (which would be (2/3 + 0 + 1/2) / 3).
  t.ok(math.abs(p.accuracy - (2 / 3 + 0 + 1 / 2) / 3) > 0.01)
end)

t.test("judgebench: one order only", function()
  local s = jb.score({{category = "math", label = "A>B", verdicts = {"A>B"}},
                      {category = "math", label = "B>A", verdicts = {"A=B"}}})
  t.eq({s.orders, s.pairs, s.correct, s.consistency}, {1, 2, 1, nil})
  t.near(s.accuracy, 0.5)
  t.eq(s.verdicts.tie, 1)
  t.raises(function() jb.score({{label = "A>B", verdicts = {"A>B"}}, {label = "A>B", verdicts = {"A>B", "A>B"}}}) end,
           "same number of verdicts")
end)
