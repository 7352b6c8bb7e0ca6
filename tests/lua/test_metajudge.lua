-- The MetaJudge from Lua: parsing, both metric modes, the lexical matcher, summaries, statistics.
local ratio = require "ratio"
local t = require "testlib"

local BLOCK = "<RESULT_START>\n- R1@S2: 1\n- R2@S1: 0.5\n- R3@S0: 0\n<RESULT_END>"

t.test("parse returns triples and issues", function()
  local r = ratio.metrics.parse(BLOCK)
  t.eq(r.triples, {{1, 2, 1.0}, {2, 1, 0.5}, {3, 0, 0.0}})
  t.eq(r.n_lines, 3)
  t.eq(ratio.metrics.parse("no block").issues, {no_block = true})
  t.eq(ratio.metrics.parse("<RESULT_START>\n-  R1@S2:0.5\n<RESULT_END>", "reference").issues.no_lines, true)
  t.eq(#ratio.metrics.parse("<RESULT_START>\n-  R1@S2:0.5\n<RESULT_END>", "tolerant").triples, 1)
end)

t.test("paper mode by hand", function()
  -- 3 human rationales, 2 model reasons. Matching: R1-S2 (1), R2-S1 (0.5).
  local m = ratio.metrics.checklist(BLOCK, 3, 2, {mode = "paper"})
  t.eq(m.status, "valid")
  t.near(m.recall, 1.5 / 3)
  t.near(m.precision, 1.5 / 2)
  -- AP: m_1 = 0.5 (S1), m_2 = 1 (S2): P@1 = 0.5, P@2 = 0.75; AP = (0.5 + 0.75) / 3
  t.near(m.ap, 1.25 / 3)
  t.eq(m.match, {2, 1, 0})
end)

t.test("reference mode by hand", function()
  local m = ratio.metrics.checklist(BLOCK, 3, 2, {mode = "reference"})
  t.eq(m.status, "valid")
  t.near(m.recall, 1.5 / 3)
  t.near(m.precision, 1.5 / 2)
  -- AP: distinct matched S ascending: S1 (0.5), S2 (1): P_1 = 0.5, P_2 = 0.75; / |R_h|
  t.near(m.ap, 1.25 / 3)
  t.eq(ratio.metrics.checklist(BLOCK, 4, 2, {mode = "reference"}).status, "error") -- 3 lines, 4 R
  t.eq(ratio.metrics.checklist(BLOCK, 3, 11, {mode = "reference"}).status, "skipped")
  t.eq(ratio.metrics.checklist(nil, 3, 2, {mode = "reference"}).status, "error")
  t.eq(ratio.metrics.checklist("nothing", 3, 2, {mode = "paper"}).status, "unscored")
end)

t.test("the lexical matcher returns a record; rendered, both modes read it", function()
  local m = ratio.metajudge.matcher("lexical")
  local record = m:match({"Response 1 ignores the 100-word limit.", "The code has an off-by-one bug in the loop."},
                         {"The loop in the code has an off-by-one bug.", "Response A exceeds the 100-word limit."})
  -- The record holds numbers: the scaled matrix and one pair per rationale.
  t.eq(#record.scores, 2)
  t.eq({record.pairs[1].r, record.pairs[1].s, record.pairs[2].r, record.pairs[2].s}, {1, 2, 2, 1})
  t.eq(record.pairs[1].score, record.scores[1][2])
  -- Rendered at the edge, it is a block the published script's reading accepts, with the same lines.
  local reply = ratio.metrics.render(record)
  t.eq(ratio.metrics.checklist(reply, 2, 2, {mode = "reference"}).recall,
       ratio.metrics.checklist(record, 2, 2, {mode = "reference"}).recall)
  local r = ratio.metrics.parse(reply, "reference")
  t.eq(#r.triples, 2)
  t.eq(r.triples[1][2], 2) -- R1 matches S2 (Response 1 = Response A)
  t.eq(r.triples[2][2], 1)
  t.ok(r.triples[1][3] > 0 and r.triples[2][3] > 0)
end)

t.test("evaluate and summarize an item set", function()
  local items = ratio.dataset.read_all(ratio.root() .. "/data/sample.jsonl", {models = {"careful"}})
  t.eq(#items, 48)
  local m = ratio.metajudge.matcher("lexical")
  local results = {}
  for i, item in ipairs(items) do results[i] = ratio.metajudge.evaluate(item, "careful", m) end
  local s = ratio.metajudge.summarize(results, {model = "careful"})
  t.eq(s.total, 48)
  t.eq(s.valid, 48)
  t.eq(s.outcome_n + s.ties_excluded, 48)
  t.ok(s.ci.recall.lo <= s.recall and s.recall <= s.ci.recall.hi)
end)

t.test("outcome accuracy rules", function()
  local o = ratio.dataset.outcome
  t.eq(o("A>B", -2), true)
  t.eq(o("A>>B", 1), false)
  t.eq(o("B>A", 3), true)
  t.eq(o("A=B", 2), false)   -- a predicted tie on a non-tie is wrong
  t.eq(o("A>B", 0), nil)     -- human ties are excluded
  t.eq(o(nil, 1), nil)
end)

t.test("statistics", function()
  local s = ratio.stats
  t.near(s.mean({1, 2, 3, 4}), 2.5)
  t.near(s.std({1, 2, 3, 4}), math.sqrt(1.25))
  t.near(s.pearson({1, 2, 3}, {2, 4, 6}), 1)
  t.near(s.spearman({1, 2, 3, 4}, {10, 20, 30, 25}), 0.8)
  local ci = s.ci({0, 1, 0, 1, 1, 1, 0, 1}, {resamples = 2000, seed = 3})
  t.ok(ci.lo < 0.625 and ci.hi > 0.625)
  t.eq(s.ci({1, 2}, {seed = 5}).lo, s.ci({1, 2}, {seed = 5}).lo) -- seeded: reproducible
  t.near(s.kappa({0, 1, 2, 3, 4}, {0, 1, 2, 3, 4}, 5), 1)
  t.eq(s.category(0.75), 3)
  t.raises(function() s.pearson({1, 2}, {1}) end, "differ in length")
end)

t.test("similarity and assignment kernels", function()
  local m = require "ratio.core.match"
  t.eq(m.tokens("Héllo, World-42!"), {"héllo", "world", "42"})
  t.near(m.jaccard("a b c", "b c d"), 0.5)
  local total, rows = m.hungarian({{1, 0.5}, {1, 0}})
  t.near(total, 1.5)
  t.eq(rows, {2, 1})
  t.eq(m.to_scale(0.3, {0.1, 0.2, 0.3, 0.4}), 0.75)
  t.near(m.cosine_matrix({{1, 0}}, {{1, 0}, {0, 1}})[1][2], 0)
end)
