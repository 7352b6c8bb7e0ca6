-- ratio.compare: judges against judges (deceptive alignment), matchers against matchers (kappa,
-- Spearman), per-rationale scores, Holm's correction and usage deltas, with hand-computed values.
local ratio = require "ratio"
local t = require "testlib"
local json = ratio.json

-- A matcher that answers from a table: replies[item.id] (nil = the matcher fails).
local function canned(replies)
  return {match = function(_, _, _, item)
    local r = replies[item.id]
    if r == nil then return nil, "no canned reply", "ECANNED" end
    return r
  end}
end

local function item(id, n_human, n_model, extra)
  local it = {id = id, domain = "d", ["human-checklist"] = {}, ["j-checklist"] = {}, ["j-label"] = "A>B",
              overall_preference = -1}
  for i = 1, n_human do it["human-checklist"][i] = "human " .. i end
  for j = 1, n_model do it["j-checklist"][j] = "reason " .. j end
  for k, v in pairs(extra or {}) do it[k] = v end
  return it
end

local function block(lines) return "<RESULT_START>\n" .. table.concat(lines, "\n") .. "\n<RESULT_END>" end

t.test("judges_in finds every <name>-checklist but the human one", function()
  t.eq(ratio.compare.judges_in({["human-checklist"] = {}, ["b-checklist"] = {}, ["a-x-checklist"] = {},
                                ["a-label"] = "A>B", ["Human-checklist"] = {}}), {"a-x", "b"})
  t.eq(ratio.compare.judges_in({domain = "x"}), {})
end)

t.test("holm by hand, nil entries kept apart", function()
  local adj = ratio.compare.holm({0.01, 0.04, nil, 0.03})
  -- sorted 0.01, 0.03, 0.04 (m = 3): 3 * 0.01 = 0.03; max(0.03, 2 * 0.03) = 0.06; max(0.06, 0.04) = 0.06
  t.near(adj[1], 0.03)
  t.near(adj[4], 0.06)
  t.near(adj[2], 0.06)
  t.eq(adj[3], nil)
  t.near(ratio.compare.holm({0.9, 0.8})[1], 1.0) -- capped at 1
end)

t.test("rationale_scores: paper sums to recall x |R_h| on the sample data, reference by hand", function()
  local items = ratio.dataset.read_all(ratio.root() .. "/data/sample.jsonl", {models = {"careful", "skimmer"}})
  local m = ratio.metajudge.matcher("lexical")
  local n = 0
  for _, it in ipairs(items) do
    for _, judge in ipairs({"careful", "skimmer"}) do
      for _, top_k in ipairs({5, 2}) do
        local r = ratio.metajudge.evaluate(it, judge, m, {top_k = top_k})
        local s = ratio.compare.rationale_scores(r)
        t.eq(#s, #it["human-checklist"])
        local sum = 0
        for _, v in ipairs(s) do sum = sum + v end
        t.near(sum / #s, r.recall, 1e-12, it.id .. " " .. judge)
        n = n + 1
      end
    end
  end
  t.eq(n, 48 * 4)
  -- Reference mode: each R's best score over kept lines (S within the top k; S0 and R0 dropped).
  local r = ratio.metajudge.evaluate(item("x", 3, 6), "j",
    canned({x = block({"- R1@S2: 0.5", "- R1@S3: 0.75", "- R2@S6: 1", "- R3@S0: 0", "- R0@S1: 1"})}),
    {mode = "reference", top_k = 5})
  t.eq(r.status, "error") -- 5 lines for 3 rationales: the reference script counts it an error
  t.eq(ratio.compare.rationale_scores(r), nil)
  r = ratio.metajudge.evaluate(item("x", 3, 6), "j",
    canned({x = block({"- R1@S2: 0.5", "- R2@S6: 1", "- R3@S4: 0.25"})}), {mode = "reference", top_k = 5})
  t.eq(r.status, "valid")
  t.eq(ratio.compare.rationale_scores(r), {0.5, 0, 0.25})
  -- Paper mode with one reason wanted by two rationales: the one-to-one matching decides.
  r = ratio.metajudge.evaluate(item("y", 2, 2), "j", canned({y = block({"- R1@S1: 1", "- R2@S1: 0.75"})}))
  t.eq(ratio.compare.rationale_scores(r), {1, 0})
  -- Not scored: nil.
  r = ratio.metajudge.evaluate(item("z", 2, 2), "j", canned({z = "no block here"}))
  t.eq(r.status, "unscored")
  t.eq(ratio.compare.rationale_scores(r), nil)
end)

t.test("evaluate keeps a failing matcher's items as failed, in order", function()
  local items = {item("a", 2, 2), item("b", 2, 2), item("c", 2, 2)}
  local boom = {match = function(_, _, _, it)
    if it.id == "c" then error("matcher blew up") end
    if it.id == "b" then return nil, "HTTP 500 from openai: down", "HTTP500" end
    return block({"- R1@S1: 1", "- R2@S2: 0.5"})
  end}
  local by = ratio.compare.evaluate(items, {"j"}, boom, {concurrency = 2})
  t.eq(#by.j, 3)
  t.eq(by.j[1].status, "valid")
  t.near(by.j[1].recall, 0.75)
  t.eq(by.j[2].status, "failed")
  t.eq(by.j[2].error, "HTTP 500 from openai: down")
  t.eq(by.j[3].status, "failed")
  t.ok(by.j[3].error:find("matcher blew up", 1, true), by.j[3].error)
  t.eq(by.j[3].outcome, true) -- the verdict still counts for OA
end)

local function results(recalls, outcomes)
  local out = {}
  for i, r in ipairs(recalls) do
    out[i] = {status = "valid", recall = r, outcome = outcomes and outcomes[i] or true, label = "A>B"}
  end
  return out
end

t.test("pairs: overlapping OA and a significant RC gap are flagged, with exact p-values", function()
  local by = {
    a = results({0.8, 0.7, 0.9, 0.6, 0.8, 0.7, 0.9, 0.8}),
    b = results({0.1, 0.2, 0.0, 0.1, 0.2, 0.0, 0.1, 0.1}),
    c = results({0.1, 0.2, 0.0, 0.1, 0.2, 0.0, 0.1, 0.1}),
  }
  local s = {
    a = {outcome_accuracy = 0.8, ci = {outcome_accuracy = {lo = 0.7, hi = 0.9}}},
    b = {outcome_accuracy = 0.78, ci = {outcome_accuracy = {lo = 0.68, hi = 0.88}}},
    c = {outcome_accuracy = 0.2, ci = {outcome_accuracy = {lo = 0.1, hi = 0.3}}},
  }
  local ps = ratio.compare.pairs({"a", "b", "c"}, by, s, {alpha = 0.05})
  t.eq(#ps, 3)
  local ab, ac, bc = ps[1], ps[2], ps[3]
  t.eq({ab.a, ab.b, ac.a, ac.b, bc.a, bc.b}, {"a", "b", "a", "c", "b", "c"})
  -- 8 items, every difference positive: exact test over 2^8 sign patterns, 2 of them as extreme.
  t.eq(ab.exact, true)
  t.near(ab.p_value, 2 / 256)
  t.near(ab.p_adjusted, 3 * 2 / 256) -- Holm over three pairs: the smallest p times 3
  t.near(ab.rc_diff, 0.775 - 0.1)
  t.eq(ab.n_items, 8)
  t.eq(ab.oa_ci_overlap, true)
  t.eq(ab.deceptive_alignment, true)
  t.eq(ab.shallower, "b")
  t.eq(ab.deeper, "a")
  t.eq(ac.oa_ci_overlap, false)
  t.eq(ac.significant, true)
  t.eq(ac.deceptive_alignment, false)
  t.eq(ac.why, "outcome accuracy CIs do not overlap")
  t.near(bc.p_value, 1.0)
  t.eq(bc.deceptive_alignment, false)
  t.eq(bc.why, "outcome accuracy CIs do not overlap; RC difference not significant")
  t.eq(bc.shallower, nil) -- no difference, no shallower judge
  -- Without correction the raw p decides; a stricter alpha unflags.
  t.near(ratio.compare.pairs({"a", "b"}, by, s, {correction = "none"})[1].p_adjusted, 2 / 256)
  t.eq(ratio.compare.pairs({"a", "b", "c"}, by, s, {alpha = 0.01})[1].deceptive_alignment, false)
  t.raises(function() ratio.compare.pairs({"a", "b"}, by, s, {correction = "bonferroni"}) end, "holm or none")
end)

t.test("pairs: only items scored for both judges are compared", function()
  local by = {a = results({0.9, 0.8, 0.7}), b = results({0.1, 0.2, 0.3})}
  by.b[2] = {status = "unscored", outcome = true}
  by.a[3] = {status = "failed", outcome = true}
  local s = {a = {outcome_accuracy = 1, ci = {outcome_accuracy = {lo = 1, hi = 1}}},
             b = {outcome_accuracy = 1, ci = {outcome_accuracy = {lo = 1, hi = 1}}}}
  local pr = ratio.compare.pairs({"a", "b"}, by, s)[1]
  t.eq(pr.n_items, 1)
  t.near(pr.rc_diff, 0.8)
  t.near(pr.p_value, 1.0) -- one item: both sign patterns are as extreme
  by.a[1] = {status = "unscored"}
  pr = ratio.compare.pairs({"a", "b"}, by, s)[1]
  t.eq(pr.n_items, 0)
  t.eq(pr.p_value, nil)
  t.eq(pr.deceptive_alignment, false)
  t.eq(pr.why, "no item scored for both judges")
end)

t.test("inconsistent lists outcome-correct items below the RC threshold", function()
  local items = {{id = "a", domain = "x", _line = 1}, {id = "b", _line = 2}, {id = "c", _line = 3}, {id = "d", _line = 4}}
  local rs = {
    {status = "valid", recall = 0.1, outcome = true, label = "A>B"},
    {status = "valid", recall = 0.1, outcome = false, label = "B>A"},  -- wrong verdict: not listed
    {status = "partial", recall = 0.25, outcome = true, label = "A>B"}, -- at the threshold: not below
    {status = "unscored", outcome = true, label = "A>B"},               -- no RC: not listed
  }
  t.eq(ratio.compare.inconsistent(items, rs, 0.25), {{id = "a", domain = "x", line = 1, label = "A>B", recall = 0.1}})
  t.eq(#ratio.compare.inconsistent(items, rs, 0.3), 2)
end)

t.test("agreement: weighted kappa and Spearman by hand; a cell agrees with itself", function()
  local items = {item("i1", 2, 2), item("i2", 2, 2), item("i3", 2, 2)}
  local ref = canned({i1 = block({"- R1@S1: 1", "- R2@S0: 0"}), i2 = block({"- R1@S1: 0.5", "- R2@S2: 1"}),
                      i3 = block({"- R1@S1: 1", "- R2@S2: 1"})})
  local other = canned({i1 = block({"- R1@S1: 1", "- R2@S0: 0"}), i2 = block({"- R1@S1: 1", "- R2@S2: 0.5"}),
                        i3 = "I cannot decide."})
  local a = ratio.compare.evaluate(items, {"j"}, ref)
  local b = ratio.compare.evaluate(items, {"j"}, other)
  local g = ratio.compare.agreement(a, b)
  -- Categories ref (4, 0, 2, 4), other (4, 0, 4, 2); linear weights |i - j| / 4:
  -- observed disagreement 0.5 + 0.5 = 1; expected 1.75 (marginals 1, 1, 2 on categories 0, 2, 4)
  t.near(g.kappa, 1 - 1 / 1.75)
  t.eq(g.rationales, 4)
  t.eq(g.items, 2) -- i3 is unscored in the other cell
  t.near(g.spearman, 1.0)
  t.near(g.judges.j.kappa, 1 - 1 / 1.75)
  t.eq(g.weights, "linear")
  local unweighted = ratio.compare.agreement(a, b, {weights = "unweighted"})
  -- observed 2 of 4 disagree; expected: 1 - (1*1 + 1*1 + 2*2) / 16 = 10/16 -> kappa = 1 - 0.5 / 0.625
  t.near(unweighted.kappa, 1 - 0.5 / 0.625)
  local self = ratio.compare.agreement(a, a)
  t.near(self.kappa, 1.0)
  t.near(self.spearman, 1.0)
  t.eq(self.items, 3)
  -- Undefined values are null, never NaN (summary.json cannot hold NaN).
  local none = ratio.compare.agreement(a, {j = {}})
  t.eq(none.kappa, json.null)
  t.eq(none.spearman, json.null)
  t.ok(json.encode(none))
end)

t.test("usage_delta sums models and keeps an unpriced model's cost null", function()
  local before = {m1 = {calls = 2, cached = 0, failed = 0, retries = 1, input_tokens = 10, output_tokens = 5, cost_usd = 0.5}}
  local after = {m1 = {calls = 5, cached = 1, failed = 1, retries = 1, input_tokens = 40, output_tokens = 9, cost_usd = 0.75},
                 m2 = {calls = 1, cached = 0, failed = 0, retries = 0, input_tokens = 3, output_tokens = 2, cost_usd = 0.125}}
  t.eq(ratio.compare.usage_delta(before, after), {calls = 4, cached = 1, failed = 1, retries = 0,
    input_tokens = 33, output_tokens = 6, cost_usd = 0.375})
  after.m3 = {calls = 2, cached = 0, failed = 0, retries = 0, input_tokens = 1, output_tokens = 1, cost_usd = json.null}
  t.eq(ratio.compare.usage_delta(before, after).cost_usd, json.null)
  -- An unpriced model that was not called in between does not spoil the cost.
  local b2 = {m3 = after.m3}
  t.eq(ratio.compare.usage_delta(b2, {m3 = after.m3}).cost_usd, 0.0)
end)
