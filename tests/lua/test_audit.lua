-- ratio.audit: the reply parser (strict, loose and garbage replies), the heuristic's rules, the
-- item-resampling CI, summaries, and the auditor's re-ask / partial / unscored / failed paths with
-- a scripted client.
local ratio = require "ratio"
local t = require "testlib"
local a = ratio.audit

t.test("parse: the strict layout", function()
  local r = assert(a.parse([[<AUDIT_START>
- S1: EVIDENCE | none
- S2: GENERIC | style-only, one-sided-praise
- S3: CRITERION | generic-correctness
<AUDIT_END>]], 3))
  t.eq(r.labels[1], {type = "evidence-grounded", flags = {}, unknown_flags = {}})
  t.eq(r.labels[2], {type = "generic/style", flags = {"style-only", "one-sided-praise"}, unknown_flags = {}})
  t.eq(r.labels[3], {type = "criterion-grounded", flags = {"generic-correctness"}, unknown_flags = {}})
  t.eq(next(r.issues), nil)
end)

t.test("parse: loose spellings a model writes", function()
  local r = assert(a.parse(table.concat({
    "Let me look at each one.",
    "<audit start>",
    "**S1**: evidence-grounded; flags: none",
    "2. generic/style | style_only, Unfalsifiable.",
    "* [S3] - Criterion grounded | generic relevance; non sequitur",
    "S4) GENERIC | one sided praise, contradiction, vibes",
    "- S5: generic-correctness, criterion",
    "• S6 EVIDENCE | none",
    "<AUDIT_END>",
  }, "\n"), 6))
  t.eq(r.labels[1].type, "evidence-grounded")
  t.eq(r.labels[6].type, "evidence-grounded")
  t.eq(r.labels[2], {type = "generic/style", flags = {"style-only", "unfalsifiable"}, unknown_flags = {}})
  t.eq(r.labels[3].type, "criterion-grounded")
  t.eq(r.labels[3].flags, {"generic-relevance", "non-sequitur"})
  t.eq(r.labels[4].flags, {"one-sided-praise", "contradiction"})
  t.eq(r.labels[4].unknown_flags, {"vibes"})
  -- A flag name holding a type word does not decide the type.
  t.eq(r.labels[5], {type = "criterion-grounded", flags = {"generic-correctness"}, unknown_flags = {}})
end)

t.test("parse: missing, duplicate, out-of-range and unreadable lines are counted", function()
  local r = assert(a.parse("<AUDIT_START>\n- S1: EVIDENCE | none\n- S1: GENERIC | none\n- S9: GENERIC | none\n- S3: ??? | none\nnoise\n<AUDIT_END>", 3))
  t.eq(r.labels[1].type, "evidence-grounded") -- the first line for S1 counts
  t.eq(r.labels[2], nil)
  t.eq(r.issues.duplicate, 1)
  t.eq(r.issues.out_of_range, 1)
  t.eq(r.issues.unread_lines, 2)
  t.eq(r.issues.missing, 2)
end)

t.test("parse: replies that cannot be read", function()
  for _, bad in ipairs({"", "S1: EVIDENCE | none", "<AUDIT_START>\nnothing useful\n<AUDIT_END>",
                        "<AUDIT_START>\n<AUDIT_END>"}) do
    local r, why = a.parse(bad, 2)
    t.eq(r, nil, bad)
    t.ok(type(why) == "string", "a reason")
  end
  t.eq((a.parse(nil, 2)), nil)
  t.eq((a.parse({}, 2)), nil)
  -- A cut-off reply still gives the lines it has.
  local r = assert(a.parse("<AUDIT_START>\n- S1: GENERIC | style-only\n- S2: EVI", 2))
  t.eq(r.issues.unterminated, true)
  t.eq(r.issues.missing, 1)
end)

t.test("parse: garbage never raises", function()
  local pieces = {"<AUDIT_START>", "<AUDIT_END>", "- S", "1", "99999999999999999999", ": ", "|", ",",
                  "EVIDENCE", "generic", "criterion", "style-only", "none", "\n", "**", "\0", "\255", "é",
                  "[", "]", ";", "flags:", "one sided", "<", ">"}
  local seed = 11
  local function rand(n) seed = (seed * 1103515245 + 12345) % 2147483648 return seed % n + 1 end
  for _ = 1, 3000 do
    local parts = {}
    for k = 1, rand(40) do parts[k] = pieces[rand(#pieces)] end
    local text = table.concat(parts)
    local ok, r = pcall(a.parse, text, rand(6) - 1)
    t.ok(ok, "parse raised on " .. ("%q"):format(text) .. ": " .. tostring(r))
  end
  local bytes = {}
  for i = 1, 4096 do bytes[i] = string.char(rand(256) - 1) end
  t.ok(pcall(a.parse, table.concat(bytes), 5))
  t.ok(pcall(a.parse, "<AUDIT_START>\n" .. ("- S1: GENERIC | none\n"):rep(5000), 3))
end)

local function h1(text, label, others)
  local list = {text}
  for _, o in ipairs(others or {}) do list[#list + 1] = o end
  return a.heuristic(list, label)[1]
end

local function has(list, x)
  for _, v in ipairs(list) do if v == x then return true end end
  return false
end

t.test("heuristic: evidence", function()
  t.eq(h1("Response B's 'always a verb' rule is false.").type, "evidence-grounded")
  t.eq(h1('Response A says "bonjour" twice.').type, "evidence-grounded")
  t.eq(h1("Response B runs to about 150 words.").type, "evidence-grounded")
  t.eq(h1("Response A calls list(set(items)), losing order.").type, "evidence-grounded")
  t.eq(h1("Response B never calls clearTimeout before rescheduling.").type, "evidence-grounded")
  t.eq(h1("Response A invents a trip to Leeds.").type, "evidence-grounded")
  t.eq(h1("Response B leaves out 请假 entirely.").type, "evidence-grounded")
  local r = h1("Response B runs to about 150 words.")
  t.eq(r.rules[1], "evidence: a number (150)")
end)

t.test("heuristic: 'Response 1', apostrophes and sentence starts are no evidence", function()
  t.eq(h1("Response 1 is more detailed than Response 2.").type, "generic/style")
  t.eq(h1("Response B's answer doesn't feel polished.").type, "generic/style")
  t.eq(h1("Both are fine. Overall Response A reads better.").type, "generic/style")
end)

t.test("heuristic: criterion and generic", function()
  local r = h1("Response A is more accurate.")
  t.eq(r.type, "criterion-grounded")
  t.ok(has(r.flags, "generic-correctness"), "generic-correctness")
  r = h1("Response B ignores the user's instruction.")
  t.eq(r.type, "criterion-grounded")
  r = h1("Response A is more detailed and well-structured.")
  t.eq(r.type, "generic/style")
  t.ok(has(r.flags, "style-only"), "style-only")
  t.ok(has(r.flags, "one-sided-praise"), "one-sided-praise")
end)

t.test("heuristic: relevance, impressions, praise with a comparison", function()
  t.ok(has(h1("Response A is concise and to the point.").flags, "generic-relevance"))
  t.ok(has(h1("Response B is more helpful.").flags, "generic-relevance"))
  t.ok(has(h1("Response B feels more engaging.").flags, "unfalsifiable"))
  local r = h1("Response A is clearer than Response B.")
  t.ok(not has(r.flags, "one-sided-praise"), "names both responses")
end)

t.test("heuristic: non-sequitur against the verdict", function()
  local r = h1("Response B is clearer and more polished.", "A>B")
  t.ok(has(r.flags, "non-sequitur"), "praises B, verdict A")
  t.ok(r.rules[#r.rules]:find("favours Response B", 1, true), r.rules[#r.rules])
  t.ok(not has(h1("Response B is clearer and more polished.", "B>A").flags, "non-sequitur"))
  t.ok(not has(h1("Response A is too short.", "B>>A").flags, "non-sequitur"), "criticises A, verdict B")
  t.ok(has(h1("Response A is too short.", "A>B").flags, "non-sequitur"))
  t.ok(not has(h1("Response B is clearer.", "A=B").flags, "non-sequitur"), "no side on a tie")
  -- Evidence-grounded reasons carry content words, not verdicts: never read for polarity.
  t.ok(not has(h1("Response B's '97% confident' claim is an error.", "A>B").flags, "non-sequitur"))
end)

t.test("heuristic: contradiction between two reasons about one response", function()
  local out = a.heuristic({"Response A is concise.", "Response A is more detailed.", "Response B is short."}, "A>B")
  t.ok(has(out[1].flags, "contradiction"))
  t.ok(has(out[2].flags, "contradiction"))
  t.ok(not has(out[3].flags, "contradiction"), "another response")
end)

t.test("share_ci: pooled share, items resampled, seeded", function()
  local ci = a.share_ci({1, 0, 2, 3}, {2, 2, 2, 3})
  t.near(ci.estimate, 6 / 9)
  t.ok(ci.lo <= ci.estimate and ci.estimate <= ci.hi, "inside")
  t.eq(a.share_ci({1, 0, 2, 3}, {2, 2, 2, 3}), ci) -- same seed, same interval
  local all = a.share_ci({3, 2}, {3, 2})
  t.eq({all.lo, all.hi}, {1.0, 1.0})
  t.eq(a.share_ci({0}, {0}), nil) -- no classified reason
  local one = a.share_ci({1, 1, 0}, {1, 1, 0}) -- an item with none is left out
  t.eq(one.estimate, 1.0)
end)

t.test("one home for the statistics: quantile, distribution, share_ci from the C kernel", function()
  local stats = require "ratio.stats"
  t.eq(stats.quantile({3, 1, 2, 4}, 0.5), 2.5) -- type 7, unsorted input
  t.eq(stats.quantile({3, 1, 2, 4}, 0.25), 1.75)
  t.eq(stats.quantile({}, 0.5), nil)
  t.ok(not pcall(stats.quantile, {1}, 1.5), "q outside [0, 1] is refused")
  local d = stats.distribution({0.5, 0, 1, 0.25})
  t.eq({d.n, d.min, d.max, d.median, #d.histogram}, {4, 0, 1, 0.375, 10})
  t.eq({d.histogram[1].n, d.histogram[3].n, d.histogram[6].n, d.histogram[10].n}, {1, 1, 1, 1})
  t.eq(stats.distribution({}), {n = 0})
  -- The audit's interval is the kernel's: resampling hits/totals pairs of the items.
  t.eq(a.share_ci({1, 0, 2, 3}, {2, 2, 2, 3}, {seed = 7}), stats.share_ci({1, 0, 2, 3}, {2, 2, 2, 3}, {seed = 7}))
  local ci = stats.share_ci({1, 0}, {1, 1}, {resamples = 4000})
  -- Two items: a resample is {1,1}, {0,0} or mixed, so the 95 % interval is [0, 1].
  t.eq({ci.lo, ci.hi}, {0.0, 1.0})
end)

t.test("summarize: counts, shares over classified reasons", function()
  local results = {
    {status = "valid", reasons = {{status = "valid", type = "evidence-grounded", flags = {}},
                                  {status = "valid", type = "generic/style", flags = {"style-only", "unfalsifiable"}}}},
    {status = "partial", reasons = {{status = "valid", type = "generic/style", flags = {"style-only"}},
                                    {status = "unscored"}}},
    {status = "failed", reasons = {{status = "failed"}}},
    {status = "skipped", reasons = {}},
  }
  local s = a.summarize(results)
  t.eq(s.items, {total = 4, valid = 1, partial = 1, unscored = 0, failed = 1, skipped = 1})
  t.eq(s.rationales, {total = 5, classified = 3, unscored = 1, failed = 1})
  t.eq(s.types["generic/style"].count, 2)
  t.near(s.types["generic/style"].share, 2 / 3)
  t.eq(s.flags["style-only"].count, 2)
  t.eq(s.any_flag.count, 2)
  t.eq(s.types["criterion-grounded"].share, 0.0)
end)

local function client(script)
  local c = {calls = 0, seen = {}}
  function c:chat(messages)
    self.calls = self.calls + 1
    self.seen[#self.seen + 1] = messages
    local text, err, code = script(self.calls, messages)
    if not text then return nil, err, code end
    return {text = text}
  end
  return c
end

local ITEM = {id = "i", response1 = "A text", response2 = "B text",
  ["j-checklist"] = {"Response A cites 3 sources.", "Response B is nicer.", "Response A is clear."},
  ["j-label"] = "A>B"}

t.test("run: heuristic needs no client", function()
  local r = a.new{classifier = "heuristic"}:run(ITEM, "j")
  t.eq(r.status, "valid")
  t.eq(r.label, "A>B")
  t.eq(r.reasons[1].type, "evidence-grounded")
  t.eq(#r.reasons, 3)
  t.eq(a.new{top_k = 2}:run(ITEM, "j").reasons[3], nil)
  t.eq(a.new{}:run({["j-checklist"] = {}}, "j").status, "skipped")
end)

t.test("run: llm — the prompt, a re-ask, then labels", function()
  local reply = "<AUDIT_START>\n- S1: EVIDENCE | none\n- S2: GENERIC | unfalsifiable\n- S3: GENERIC | style-only\n<AUDIT_END>"
  local c = client(function(n) return n == 1 and "hmm" or reply end)
  local r = a.new{client = c}:run(ITEM, "j")
  t.eq(r.status, "valid")
  t.eq(r.reasks, 1)
  t.eq(r.reasons[2].flags, {"unfalsifiable"})
  local prompt = c.seen[1][1].content
  t.ok(prompt:find("S2. Response B is nicer.", 1, true), "numbered reasons")
  t.ok(prompt:find("THE JUDGE'S VERDICT: A>B (Response A is better)", 1, true), "verdict")
  t.ok(prompt:find(a.DEFINITIONS["non-sequitur"], 1, true), "definitions in the prompt")
  t.eq(c.seen[2][3].content, a.REASK)
end)

t.test("run: llm — a missing line makes the item partial", function()
  local c = client(function() return "<AUDIT_START>\n- S1: EVIDENCE | none\n- S3: GENERIC | none\n<AUDIT_END>" end)
  local r = a.new{client = c}:run(ITEM, "j")
  t.eq(r.status, "partial")
  t.eq(r.reasons[2].status, "unscored")
  t.eq(r.reasons[3].status, "valid")
  t.eq(r.issues.missing, 1)
end)

t.test("run: llm — unscored keeps the replies; failed keeps the reason", function()
  local c = client(function(n) return "no block " .. n end)
  local r = a.new{client = c}:run(ITEM, "j")
  t.eq(r.status, "unscored")
  t.eq(r.raw, {"no block 1", "no block 2"})
  for _, x in ipairs(r.reasons) do t.eq(x.status, "unscored") end
  c = client(function() return nil, "gave up after 6 tries: HTTP 429", "HTTP429" end)
  r = a.new{client = c}:run(ITEM, "j")
  t.eq(r.status, "failed")
  t.eq(r.code, "HTTP429")
  t.eq(r.reasons[1].status, "failed")
end)

t.test("new and check: misuse raises, bad data is named", function()
  t.raises(function() a.new{classifier = "llm"} end, "needs client")
  t.raises(function() a.new{classifier = "magic"} end, "heuristic or llm")
  t.raises(function() a.new{client = client(function() end), template = "no reasons here"} end, "reasons")
  t.eq(a.check({["j-checklist"] = "x"}, {"j"}), "j-checklist: expected a list of strings")
  t.eq(a.check({}, {"j"}), "j-checklist: missing")
  t.eq(a.check({["J-Checklist"] = {"a"}, ["j-label"] = 3}, {"j"}), "j-label: expected a string")
  t.eq(a.check(ITEM, {"j"}), nil)
end)
