-- ratio.reward: the hybrid reward's formulas computed by hand, the outcome rules (ties included),
-- unscored and failed rollouts, and agreement with ratio.metajudge on the sample data.
local ratio = require "ratio"
local t = require "testlib"
local reward = ratio.reward

-- 3 human rationales, 2 model reasons; the matching is R1-S2 (1) and R2-S1 (0.5), so
-- m = (0.5, 1): P@1 = 0.5, P@2 = 1.5/2 = 0.75, AP = (0.5 + 0.75)/3 = 1.25/3,
-- RC = 1.5/3 = 0.5, precision = 1.5/2 = 0.75.
local BLOCK = "<RESULT_START>\n- R1@S2: 1\n- R2@S1: 0.5\n- R3@S0: 0\n<RESULT_END>"
local AP = 1.25 / 3
local HUMAN = {"h1", "h2", "h3"}

local function rollout(reasons, label)
  local lines = {"Some thinking first.", "<RESULT_START>", "List of reasons:"}
  for _, r in ipairs(reasons) do lines[#lines + 1] = "- " .. r end
  if label then lines[#lines + 1] = ("Final assessment result: \\boxed{%s}"):format(label) end
  lines[#lines + 1] = "<RESULT_END>"
  return table.concat(lines, "\n")
end

-- A matcher that answers with a fixed reply and remembers what it was asked.
local function scripted(reply, err, code)
  local m = {calls = 0}
  function m:match(human, reasons)
    self.calls = self.calls + 1
    self.human, self.reasons = human, reasons
    if reply == nil then return nil, err, code end
    return reply
  end
  return m
end

t.test("parts of a reply, by hand", function()
  local parts, m = reward.parts(BLOCK, 3, 2, "A>B", -2)
  t.eq(m.status, "valid")
  t.near(parts.ap, AP)
  t.near(parts.rc, 0.5)
  t.near(parts.precision, 0.75)
  t.near(parts.f1, 2 * 0.75 * 0.5 / 1.25)
  t.eq(parts.outcome, 1.0)
  t.eq(parts.verdict, "A>B")
  t.eq(parts.n_reasons, 2)
  t.eq(reward.parts(BLOCK, 3, 2, "A>B", 2).outcome, 0.0)
  t.eq(reward.parts("no block", 3, 2, "A>B", 2).ap, nil) -- unreadable: no numbers invented
end)

t.test("the paper formula is AP x outcome", function()
  local f = reward.formula("paper")
  t.near(f(reward.parts(BLOCK, 3, 2, "A>B", -2)), AP)
  t.eq(f(reward.parts(BLOCK, 3, 2, "B>A", -2)), 0.0)    -- wrong verdict: nothing, whatever the reasons
  t.eq(f(reward.parts(BLOCK, 3, 2, "A=B", -2)), 0.0)    -- a tie on a non-tie is wrong
  t.near(reward.formula("paper", {rationale = "rc"})(reward.parts(BLOCK, 3, 2, "A>>B", -1)), 0.5)
end)

t.test("the weighted formula", function()
  local f = reward.formula("weighted", {weights = {rationale = 0.7, outcome = 0.3}})
  t.near(f(reward.parts(BLOCK, 3, 2, "A>B", -2)), 0.7 * AP + 0.3)
  t.near(f(reward.parts(BLOCK, 3, 2, "B>A", -2)), 0.7 * AP)
  t.near(reward.formula("weighted")(reward.parts(BLOCK, 3, 2, "A>B", -2)), 0.5 * AP + 0.5) -- default 0.5/0.5
  local g = reward.formula("weighted", {rationale = "precision", weights = {rationale = 1, outcome = -1}})
  t.near(g(reward.parts(BLOCK, 3, 2, "A>B", -2)), 0.75 - 1)
  t.raises(function() reward.formula("weighted", {weights = {rationale = 0 / 0}}) end, "finite number")
end)

t.test("a Lua function as the formula", function()
  local f = reward.formula(function(p) return p.rc + (p.outcome == 1 and 0.1 or 0) - 0.01 * p.n_reasons end)
  t.near(f(reward.parts(BLOCK, 3, 2, "A>B", -2)), 0.5 + 0.1 - 0.02)
  t.near(f(reward.parts(BLOCK, 3, 2, "B>A", -2)), 0.5 - 0.02)
  t.raises(function() reward.formula(function() return 0 / 0 end)({}) end, "not a finite number")
  t.raises(function() reward.formula(function() return "1" end)({}) end, "not a finite number")
  t.raises(function() reward.formula("bogus") end, "formula must be")
  t.raises(function() reward.formula("paper", {rationale = "oa"}) end, "rationale must be")
end)

t.test("outcome rules, human ties included", function()
  local o = reward.outcome
  t.eq(o("A>B", -1), 1.0)
  t.eq(o("A>>B", -3), 1.0)
  t.eq(o("B > A", 2), 1.0)
  t.eq(o("A>B", 2), 0.0)
  t.eq(o("A=B", 1), 0.0)            -- a predicted tie on a non-tie is wrong
  t.eq(o(nil, 1), nil)              -- no verdict: no outcome
  t.eq(o("C>D", 1), nil)
  -- human tie: exact (default) — only A=B is right
  t.eq(o("A=B", 0), 1.0)
  t.eq(o("A>B", 0), 0.0)
  t.eq(o("B>>A", 0, "exact"), 0.0)
  -- lenient — only a strong preference contradicts a tie
  t.eq(o("A>B", 0, "lenient"), 1.0)
  t.eq(o("B>A", 0, "lenient"), 1.0)
  t.eq(o("A=B", 0, "lenient"), 1.0)
  t.eq(o("A>>B", 0, "lenient"), 0.0)
  -- any — the gate is open on ties
  t.eq(o("B>>A", 0, "any"), 1.0)
  t.eq(o("B>>A", 2, "any"), 1.0)    -- the tie rule never touches non-ties
  t.eq(o("A>B", 2, "any"), 0.0)
  t.raises(function() o("A>B", 0, "maybe") end, "tie must be")
end)

t.test("score: a rollout parsed, top-k reasons matched, rewarded", function()
  local m = scripted(BLOCK)
  local text = rollout({"r1", "r2", "r3", "r4", "r5", "r6", "r7"}, "A>B")
  local r = reward.score(text, HUMAN, -1, {matcher = m})
  t.eq(r.status, "ok")
  t.near(r.reward, AP)
  t.eq(m.reasons, {"r1", "r2", "r3", "r4", "r5"}) -- the paper's top 5
  t.eq(m.human, HUMAN)
  t.eq(r.parts.n_reasons, 7)
  t.eq(r.parts.verdict, "A>B")
  t.eq(r.reply, BLOCK)
  t.eq(r.match, {2, 1, 0})
  t.eq(r.fallback, nil)
  local all = scripted(BLOCK)
  reward.score(text, HUMAN, -1, {matcher = all, top_k = 0})
  t.eq(#all.reasons, 7)
  -- the same rollout under the weighted formula and a wrong verdict
  local w = reward.score(rollout({"r1", "r2"}, "B>>A"), HUMAN, -1,
                         {matcher = scripted(BLOCK), formula = "weighted", weights = {rationale = 0.8, outcome = 0.2}})
  t.near(w.reward, 0.8 * AP)
  t.eq(w.parts.outcome, 0.0)
end)

t.test("score: no verdict is unscored, flagged, and costs no MetaJudge call", function()
  local m = scripted(BLOCK)
  local r = reward.score(rollout({"r1", "r2"}, nil), HUMAN, -1, {matcher = m})
  t.eq(r.status, "unscored")
  t.eq(r.reason, "no_verdict")
  t.eq(r.reward, 0.0)
  t.eq(r.fallback, true)
  t.eq(m.calls, 0)
  t.eq(r.parts.outcome, nil)
  t.eq(r.parts.n_reasons, 2)
  t.ok(r.issues.no_verdict)
  t.eq(reward.score("complete garbage", HUMAN, -1, {matcher = m, fallback = 0.25}).reward, 0.25)
  t.eq(reward.score("complete garbage", HUMAN, -1, {matcher = m, fallback = "outcome"}).reward, 0.0)
  -- conflicting verdicts are no verdict either
  local two = rollout({"r1"}, "A>B"):gsub("{A>B}", "{A>B} or maybe \\boxed{B>A}")
  t.eq(reward.score(two, HUMAN, -1, {matcher = m}).reason, "no_verdict")
  t.eq(m.calls, 0)
end)

t.test("score: a verdict with no reasons earns no rationale credit", function()
  local m = scripted(BLOCK)
  local text = rollout({}, "A>B")
  local r = reward.score(text, HUMAN, -1, {matcher = m})
  t.eq(r.status, "ok")
  t.eq(r.reason, "no_reasons")
  t.eq(r.reward, 0.0)
  t.eq(r.parts.ap, 0.0)
  t.eq(m.calls, 0)
  local w = reward.score(text, HUMAN, -1, {matcher = m, formula = "weighted", weights = {rationale = 0.5, outcome = 0.5}})
  t.near(w.reward, 0.5) -- the outcome half only
end)

t.test("score: failed matcher and unreadable MetaJudge reply get the fallback", function()
  local text = rollout({"r1", "r2"}, "A>B")
  local f = reward.score(text, HUMAN, -1, {matcher = scripted(nil, "gave up after 3 tries: HTTP 500", "HTTP500"), fallback = 0.1})
  t.eq(f.status, "failed")
  t.eq(f.reason, "matcher_failed")
  t.eq(f.error, "gave up after 3 tries: HTTP 500")
  t.eq(f.code, "HTTP500")
  t.near(f.reward, 0.1)
  t.eq(f.parts.outcome, 1.0) -- the verdict was read: an outcome fallback can use it
  t.eq(reward.score(text, HUMAN, -1, {matcher = scripted(nil, "x"), fallback = "outcome"}).reward, 1.0)
  local u = reward.score(text, HUMAN, -1, {matcher = scripted("I cannot decide.")})
  t.eq(u.status, "unscored")
  t.eq(u.reason, "unscored_reply")
  t.eq(u.reply, "I cannot decide.") -- kept
  t.eq(u.parts.ap, nil)
  t.eq(u.reward, 0.0)
  local e = reward.score(text, {}, -1, {matcher = scripted(BLOCK)})
  t.eq(e.reason, "empty_checklist")
end)

t.test("score: human ties follow the tie rule", function()
  local text = rollout({"r1", "r2"}, "A>B")
  t.eq(reward.score(text, HUMAN, 0, {matcher = scripted(BLOCK)}).reward, 0.0)
  t.near(reward.score(text, HUMAN, 0, {matcher = scripted(BLOCK), tie = "lenient"}).reward, AP)
  t.near(reward.score(rollout({"r1", "r2"}, "A=B"), HUMAN, 0, {matcher = scripted(BLOCK)}).reward, AP)
  t.eq(reward.score(rollout({"r1", "r2"}, "A>>B"), HUMAN, 0, {matcher = scripted(BLOCK), tie = "lenient"}).reward, 0.0)
  t.near(reward.score(rollout({"r1", "r2"}, "A>>B"), HUMAN, 0, {matcher = scripted(BLOCK), tie = "any"}).reward, AP)
end)

t.test("misuse raises", function()
  local m = scripted(BLOCK)
  t.raises(function() reward.score(42, HUMAN, 1, {matcher = m}) end, "rollout must be a string")
  t.raises(function() reward.score("x", {1, 2}, 1, {matcher = m}) end, "list of strings")
  t.raises(function() reward.score("x", HUMAN, 4, {matcher = m}) end, "from %-3 to 3")
  t.raises(function() reward.score("x", HUMAN, nil, {matcher = m}) end, "from %-3 to 3")
  t.raises(function() reward.scorer{tie = "sometimes"} end, "tie must be")
  t.raises(function() reward.scorer{fallback = "half"} end, "fallback must be")
  t.raises(function() reward.scorer{matcher = "lexical"} end, "matcher must be")
  t.raises(function() reward.scorer{top_k = -1} end, "top_k")
end)

t.test("load_formula reads a Lua file returning a function", function()
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write("return function(p) return 2 * p.ap * p.outcome end\n")
  f:close()
  local fn = assert(reward.load_formula(path))
  local r = reward.score(rollout({"r1", "r2"}, "A>B"), HUMAN, -1, {matcher = scripted(BLOCK), formula = fn})
  t.near(r.reward, 2 * AP)
  f = assert(io.open(path, "w"))
  f:write("return 3\n")
  f:close()
  local none, err = reward.load_formula(path)
  t.eq(none, nil)
  t.ok(err:find("must return a function", 1, true), err)
  f = assert(io.open(path, "w"))
  f:write("return function(\n")
  f:close()
  t.eq(reward.load_formula(path), nil)
  os.remove(path)
end)

t.test("the lexical default agrees with ratio.metajudge on the sample data", function()
  local items = ratio.dataset.read_all(ratio.root() .. "/data/sample.jsonl", {models = {"careful", "skimmer"}})
  local lexical = ratio.metajudge.matcher("lexical")
  local opts = {} -- one table: resolved once, reused for every rollout
  local careful, skimmer = 0, 0
  for _, item in ipairs(items) do
    for _, judge in ipairs{"careful", "skimmer"} do
      local r = reward.score(item[judge .. "-generated_text"], item["human-checklist"], item.overall_preference, opts)
      local e = ratio.metajudge.evaluate(item, judge, lexical, {mode = "paper", top_k = 5})
      t.eq(r.status, "ok", item.id)
      t.eq(r.parts.verdict, item[judge .. "-label"], item.id)
      t.near(r.parts.ap, e.ap, 1e-12, item.id)
      t.near(r.parts.rc, e.recall, 1e-12, item.id)
      local o = reward.outcome(item[judge .. "-label"], item.overall_preference)
      t.near(r.reward, e.ap * o, 1e-12, item.id)
      if judge == "careful" then careful = careful + r.reward else skimmer = skimmer + r.reward end
    end
  end
  t.ok(careful > 10 * skimmer, ("careful %g, skimmer %g"):format(careful, skimmer))
end)
