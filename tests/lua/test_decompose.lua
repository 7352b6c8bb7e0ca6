-- ratio.decompose: the reply parser (well-formed, loose and garbage replies), the explanation
-- text, ranges, the side-by-side overlap, and the decomposer's re-ask / unscored / failed paths
-- with a scripted client.
local ratio = require "ratio"
local t = require "testlib"
local d = ratio.decompose

local GOOD = [[Here is my decomposition.
<RATIONALES_START>
1. Response 2 is well over the 100-word limit the user set.
2. Response 2 invents a detail: that the Leeds visit
   was arranged weeks ago.
3. Response 1 covers the reason and the offer to send notes.
<RATIONALES_END>
<DROPPED_START>
- "Response 1 is better" || vague: names no behaviour of either response
- Response 2 is too long || duplicate of rationale 1
<DROPPED_END>]]

t.test("parse: the layout the prompt asks for", function()
  local r = assert(d.parse(GOOD))
  t.eq(r.rationales, {"Response 2 is well over the 100-word limit the user set.",
    "Response 2 invents a detail: that the Leeds visit was arranged weeks ago.",
    "Response 1 covers the reason and the offer to send notes."})
  t.eq(r.dropped, {{point = "Response 1 is better", reason = "vague: names no behaviour of either response"},
                   {point = "Response 2 is too long", reason = "duplicate of rationale 1"}})
  t.eq(next(r.issues), nil)
end)

t.test("parse: loose markers, numbering, bold, @Response, separators", function()
  local r = assert(d.parse(table.concat({
    "**RATIONALES\\_START**",
    "(1) **@Response 1** ignores the word limit.",
    "R2: Response 2 quotes the wrong year, 1998.",
    "3) `Response 1 never closes the file handle.`",
    "rationales_end",
    "<dropped>",
    "* more helpful -> vague",
    "• nice tone (reason: style only)",
    "- better overall",
    "</dropped>",
  }, "\n")))
  t.eq(r.rationales, {"Response 1 ignores the word limit.", "Response 2 quotes the wrong year, 1998.",
                      "Response 1 never closes the file handle."})
  t.eq(r.dropped[1], {point = "more helpful", reason = "vague"})
  t.eq(r.dropped[2], {point = "nice tone", reason = "style only"})
  t.eq(r.dropped[3], {point = "better overall", reason = ""})
  t.eq(r.issues.dropped_without_reason, 1)
end)

t.test("parse: the last block wins; an echoed layout is skipped; duplicates merged", function()
  local echo = "Format:\n<RATIONALES_START>\n1. <first rationale>\n<RATIONALES_END>\n"
  local r = assert(d.parse(echo .. "<RATIONALES_START>\n1. Response 1 is wrong about X.\n2. response 1 is wrong about x\n<RATIONALES_END>"))
  t.eq(r.rationales, {"Response 1 is wrong about X."})
  t.eq(r.issues.duplicates_merged, 1)
  t.eq(r.issues.multiple_blocks, true)
  t.eq(r.issues.no_dropped_block, true)
end)

t.test("parse: a cut-off reply is read to the end and flagged", function()
  local r = assert(d.parse("<RATIONALES_START>\n1. Response 2 divides by zero.\n2. Response 1 han"))
  t.eq(r.rationales, {"Response 2 divides by zero.", "Response 1 han"})
  t.eq(r.issues.unterminated, true)
  -- The dropped block opening ends an unclosed rationale block.
  r = assert(d.parse("<RATIONALES_START>\n1. a point\n<DROPPED_START>\n- x || y\n<DROPPED_END>"))
  t.eq(r.rationales, {"a point"})
  t.eq(#r.dropped, 1)
end)

t.test("parse: an empty block is a valid answer; unnumbered lines are items", function()
  local r = assert(d.parse("<RATIONALES_START>\n<RATIONALES_END>\n<DROPPED_START>\n- all vague || vague\n<DROPPED_END>"))
  t.eq(#r.rationales, 0)
  t.eq(#r.dropped, 1)
  r = assert(d.parse("<RATIONALES_START>\nResponse 1 is off by one.\nResponse 2 leaks memory.\n<RATIONALES_END>"))
  t.eq(r.rationales, {"Response 1 is off by one.", "Response 2 leaks memory."})
  t.eq(r.issues.unnumbered, true)
end)

t.test("parse: replies that cannot be read", function()
  for _, bad in ipairs({"", "   \n ", "Response 1 is better.", "<RATIONALES_END> only a closing tag",
                        "<RATIONALES_START>\n1. <first rationale>\n2. <second rationale>\n<RATIONALES_END>"}) do
    local r, why = d.parse(bad)
    t.eq(r, nil, bad)
    t.ok(type(why) == "string" and #why > 0, "a reason for " .. bad)
  end
  t.eq((d.parse(nil)), nil)
  t.eq((d.parse(42)), nil)
  t.eq((d.parse({})), nil)
end)

t.test("parse: garbage never raises", function()
  local pieces = {"<RATIONALES_START>", "<RATIONALES_END>", "<DROPPED_START>", "<DROPPED_END>", "<", ">",
                  "1.", "- ", "||", "\n", " ", "**", "(", "R1:", "\0", "\255\254", "é", "<<>>", "</rationales>",
                  "RATIONALES START\n", "reason:", "->", "'", '"', "`", "\r\n"}
  local seed = 7
  local function rand(n) seed = (seed * 1103515245 + 12345) % 2147483648 return seed % n + 1 end
  for _ = 1, 3000 do
    local parts = {}
    for k = 1, rand(30) do parts[k] = pieces[rand(#pieces)] end
    local text = table.concat(parts)
    local ok, r = pcall(d.parse, text)
    t.ok(ok, "parse raised on " .. ("%q"):format(text) .. ": " .. tostring(r))
    if r then
      t.ok(type(r.rationales) == "table" and type(r.dropped) == "table", "shape")
      for _, s in ipairs(r.rationales) do t.ok(type(s) == "string" and s ~= "", "a rationale is text") end
    end
  end
  local bytes = {}
  for i = 1, 4096 do bytes[i] = string.char(rand(256) - 1) end
  t.ok(pcall(d.parse, table.concat(bytes)))
  t.ok(pcall(d.parse, ("<RATIONALES_START>"):rep(2000)))
  t.ok(pcall(d.parse, "<" .. ("a"):rep(100000)))
end)

local ITEM = {id = "x1", context = {{role = "user", content = "Write a haiku."}},
  response1 = "An old pond...", response2 = "Roses are red...",
  individual_preference = {
    {score = -2, reasoning = "@Response 1 is a haiku; @Response 2 is not.", feedback1 = "5-7-5.", feedback2 = "Wrong form."},
    {score = -1, reasoning = "Response 1 follows\nthe form."},
  }}

t.test("explanations: one block per annotator, @ removed, scores spelled out", function()
  local text = assert(d.explanations(ITEM))
  t.eq(text, table.concat({
    "Annotator 1 (score -2: Response 1 is better)",
    "  Reasoning: Response 1 is a haiku; Response 2 is not.",
    "  On Response 1: 5-7-5.",
    "  On Response 2: Wrong form.",
    "Annotator 2 (score -1: Response 1 is slightly better)",
    "  Reasoning: Response 1 follows the form."}, "\n"))
  t.eq(d.conversation(ITEM), "USER: Write a haiku.")
end)

t.test("explanations and check: bad fields are named", function()
  local function with(ip) return {response1 = "a", response2 = "b", individual_preference = ip} end
  t.eq(select(2, d.explanations({})), "individual_preference: missing")
  t.eq(select(2, d.explanations(with("text"))), "individual_preference: expected a list of annotators")
  t.eq(select(2, d.explanations(with({}))), "individual_preference: no annotators")
  t.eq(select(2, d.explanations(with({{score = 1}}))), "individual_preference[1]: no reasoning or feedback text")
  t.eq(select(2, d.explanations(with({{reasoning = 5}}))), "individual_preference[1].reasoning: expected a string")
  t.eq(select(2, d.explanations(with({"just a string"}))), "individual_preference[1]: expected an object")
  t.ok(d.explanations(with({{reasoning = "fine", score = "not a number"}})))
  t.eq(d.check({response1 = "a", individual_preference = {}}), "response2: expected a string")
  t.eq(d.check(ITEM), nil)
end)

t.test("range", function()
  t.eq({d.range("3-7")}, {3, 7})
  t.eq({d.range(" 4 ")}, {4, 4})
  t.eq({d.range("3-")}, {3, math.maxinteger})
  t.eq((d.range("7-3")), nil)
  t.eq((d.range("three")), nil)
  t.eq((d.range("-3")), nil)
end)

t.test("overlap: one-to-one lexical matching", function()
  local a = {"Response 2 is well over the 100-word limit.", "Response 2 invents that the Leeds visit was fixed weeks ago."}
  local b = {"Response 2 invents a Leeds visit fixed weeks ago.", "Response 2 ignores the 100-word limit.", "Response 1 is polite."}
  local o = d.overlap(a, b)
  t.eq(o.shared, 2)
  t.near(o.overlap, 4 / 5)
  t.eq(o.only_b, {"Response 1 is polite."})
  t.eq(#o.only_a, 0)
  -- One-to-one: two copies of a point on one side match only one on the other.
  o = d.overlap({"The loop is off by one.", "The loop is off by one!"}, {"The loop is off by one."})
  t.eq(o.shared, 1)
  t.eq(d.overlap({}, {}).overlap, 1.0)
  t.eq(d.overlap({"x y z"}, {}).overlap, 0.0)
end)

t.test("check_template finds typos before any call", function()
  t.ok(d.check_template(d.TEMPLATE))
  t.eq(select(2, d.check_template("no placeholder")), "the template has no {{explanations}} placeholder")
  local ok, why = d.check_template("{{explanations}} {{respnse1}}")
  t.eq(ok, nil)
  t.ok(why:find("respnse1", 1, true), why)
end)

-- A client whose replies a test scripts: script(n, messages) -> text | nil, err, code
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

t.test("run: a valid reply", function()
  local c = client(function() return GOOD end)
  local r = d.new{client = c}:run(ITEM)
  t.eq(r.status, "valid")
  t.eq(#r.rationales, 3)
  t.eq(r.reasks, 0)
  t.eq(c.calls, 1)
  local prompt = c.seen[1][1].content
  t.ok(prompt:find("Annotator 1 (score -2: Response 1 is better)", 1, true), "explanations in the prompt")
  t.ok(prompt:find("An old pond...", 1, true), "responses in the prompt")
end)

t.test("run: re-asked once, then valid", function()
  local c = client(function(n) return n == 1 and "I prefer response 1." or GOOD end)
  local r = d.new{client = c}:run(ITEM)
  t.eq(r.status, "valid")
  t.eq(r.reasks, 1)
  t.eq(#r.raw, 2)
  t.eq(#c.seen[2], 3) -- the first reply and the re-ask follow the prompt
  t.eq(c.seen[2][3].content, d.REASK)
end)

t.test("run: unreadable twice is unscored, with both replies kept", function()
  local c = client(function(n) return "garbage " .. n end)
  local r = d.new{client = c}:run(ITEM)
  t.eq(r.status, "unscored")
  t.eq(r.raw, {"garbage 1", "garbage 2"})
  t.eq(c.calls, 2)
  t.ok(r.error:find("no <RATIONALES_START>", 1, true), r.error)
  -- reasks = 0: asked once only.
  c = client(function() return "garbage" end)
  t.eq(d.new{client = c, reasks = 0}:run(ITEM).status, "unscored")
  t.eq(c.calls, 1)
end)

t.test("run: a failed call is failed, with the client's words", function()
  local c = client(function() return nil, "gave up after 6 tries: HTTP 500", "HTTP500" end)
  local r = d.new{client = c}:run(ITEM)
  t.eq(r.status, "failed")
  t.eq(r.code, "HTTP500")
  t.eq(r.error, "gave up after 6 tries: HTTP 500")
end)

t.test("new: misuse raises", function()
  t.raises(function() d.new{} end, "needs client")
  t.raises(function() d.new{client = client(function() end), template = "no placeholder"} end, "explanations")
  t.raises(function() d.new{client = client(function() end), reasks = 2} end, "reasks")
end)

t.test("reason_kind buckets", function()
  t.eq(d.reason_kind("vague: names nothing"), "vague")
  t.eq(d.reason_kind("duplicate of rationale 2"), "duplicate")
  t.eq(d.reason_kind("not borne out by the responses"), "unsupported")
  t.eq(d.reason_kind("about tone only"), "style")
  t.eq(d.reason_kind(""), "other")
end)

t.test("the paper's decomposition: 3 to 7 rationales about problems, strengths an option", function()
  local c = client(function() return GOOD end)
  d.new{client = c}:run(ITEM)
  local prompt = c.seen[1][1].content
  t.ok(prompt:find("at least 3 and at most 7 rationales", 1, true), "the paper's count")
  t.ok(prompt:find(d.ABOUT.problems, 1, true), "problems only by default")
  t.ok(not prompt:find(d.ABOUT.strengths, 1, true), "no strengths by default")
  d.new{client = c, strengths = true, range = {2, 5}}:run(ITEM)
  prompt = c.seen[2][1].content
  t.ok(prompt:find("at least 2 and at most 5 rationales", 1, true), "a range of the caller's")
  t.ok(prompt:find(d.ABOUT.strengths, 1, true), "decisive strengths allowed")
  t.raises(function() d.new{client = c, range = {5, 2}} end, "range must be")
  t.raises(function() d.new{client = c, range = {0, 2}} end, "range must be")
  t.eq(d.reason_kind("a strength, not a problem"), "strength")
end)

t.test("distribution: counts per item, mean, share in range", function()
  local s = d.distribution({4, 2, 4, 9, 3}, 3, 7)
  t.eq(s.n, 5)
  t.near(s.mean, 22 / 5, 1e-12)
  t.eq(s.histogram, {{2, 1}, {3, 1}, {4, 2}, {9, 1}})
  t.near(s.share_in_range, 3 / 5, 1e-12)
  local e = d.distribution({})
  t.eq(e.n, 0)
  t.eq(e.mean, nil)
  t.eq(#e.histogram, 0)
end)
