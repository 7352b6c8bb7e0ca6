-- ratio.judge: parsing replies, the prompt, outcome rules, the swap mapping, and run() against an
-- in-process server (re-asks, top-k, swap, failures), then summarize.
local ratio = require "ratio"
local t = require "testlib"

local PAPER = "<RESULT_START>\nList of reasons:\n- A keeps to the word limit.\n- B invents a detail.\n"
  .. "- B thanks the reader three times.\nFinal assessment result: \\boxed{A>B}\n<RESULT_END>"

t.test("parse: the paper's layout", function()
  local r = ratio.judge.parse("Some analysis.\n" .. PAPER)
  t.eq(r, {reasons = {"A keeps to the word limit.", "B invents a detail.", "B thanks the reader three times."},
           label = "A>B", status = "ok", issues = {}})
end)

t.test("parse: tolerant forms", function()
  local r = ratio.judge.parse("<think>\\boxed{B>A}</think>\n<result_start>\n**List of Reasons**\n"
    .. "1. first point\n   goes on here\n2) second\n\n**Final assessment result:** \\boxed{ A >> B }\n<result_end>")
  t.eq(r.status, "ok")
  t.eq(r.label, "A>>B")
  t.eq(r.reasons, {"first point goes on here", "second"}) -- a continuation line is joined with one space
  t.eq(ratio.judge.parse("List of reasons:\n* x\nFinal assessment result: \\boxed{tie}").label, "A=B")
  t.eq(ratio.judge.parse("List of reasons:\n* x\nFinal assessment result: \\boxed{A≫B}").label, "A>>B")
  t.eq(ratio.judge.parse("List of reasons:\n* x\nFinal assessment result: \\boxed{A = B}").issues, {no_block = true})
end)

t.test("parse: unscored replies keep what was found and say why", function()
  local r = ratio.judge.parse("<RESULT_START>\nList of reasons:\n- a\n<RESULT_END>")
  t.eq(r.status, "unscored")
  t.eq(r.reasons, {"a"})
  t.eq(r.label, nil)
  t.eq(r.issues, {no_verdict = true})
  r = ratio.judge.parse("<RESULT_START>\nList of reasons:\nFinal assessment result: \\boxed{B>A}\n<RESULT_END>")
  t.eq(r.status, "unscored")
  t.eq(r.label, "B>A")
  t.eq(r.issues, {no_reasons = true})
  r = ratio.judge.parse("<RESULT_START>\nList of reasons:\n- a\nFinal assessment result: \\boxed{A>B} \\boxed{B>A}\n<RESULT_END>")
  t.eq(r.status, "unscored")
  t.eq(r.label, nil)
  t.eq(r.issues, {conflicting_verdicts = true})
  t.eq(ratio.judge.parse("<RESULT_START>\nList of reasons:\n- a\nFinal assessment result: \\boxed{A}\n<RESULT_END>").issues,
       {invalid_verdict = true})
  t.eq(ratio.judge.parse("").status, "unscored")
  t.raises(function() ratio.judge.parse(nil) end, "expected a string")
end)

t.test("the binding: labels, swap, max_reasons", function()
  local v = require "ratio.core.verdict"
  t.eq(v.label(" a >> b "), "A>>B")
  t.eq(v.label("A<B"), "B>A") -- the same verdict written the other way round
  t.eq(v.label("A<=B"), nil)
  t.eq(v.swap("A>>B"), "B>>A")
  local r = v.parse(PAPER, {max_reasons = 2})
  t.eq(#r.reasons, 2)
  t.eq(r.issues, {truncated = true})
  t.raises(function() v.parse(PAPER, {max_reasons = 0}) end, "max_reasons")
end)

t.test("swap mapping and direction", function()
  local j = ratio.judge
  t.eq(j.swap_label("A>>B"), "B>>A")
  t.eq(j.swap_label("A>B"), "B>A")
  t.eq(j.swap_label("A=B"), "A=B")
  t.eq(j.swap_label("B>A"), "A>B")
  t.eq(j.swap_label("B>>A"), "A>>B")
  t.eq(j.swap_label(nil), nil)
  t.eq(j.swap_label("C>A"), nil)
  t.eq(j.direction("A>>B"), -1)
  t.eq(j.direction("A>B"), -1)
  t.eq(j.direction("A=B"), 0)
  t.eq(j.direction("B>>A"), 1)
  t.eq(j.direction(nil), nil)
end)

t.test("outcome rules (ratio.dataset.outcome)", function()
  local o = ratio.dataset.outcome
  t.eq(o("A>B", -1), true)    -- negative overall_preference: response 1 (A) is better
  t.eq(o("B>>A", -3), false)
  t.eq(o("B>A", 2), true)
  t.eq(o("A=B", -2), false)   -- a predicted tie on a non-tie is wrong
  t.eq(o("A>B", 0), nil)      -- human ties are excluded
  t.eq(o(nil, 1), nil)
end)

local ITEM = {id = "x1", domain = "code", overall_preference = -2,
  context = {{role = "user", content = "Write a loop."}, {role = "assistant", content = "In which language?"},
             {role = "user", content = "Python."}},
  response1 = "for i in range(3): print(i)", response2 = "while True: pass"}

t.test("the prompt: multi-turn context, responses as A and B, swap", function()
  local m = ratio.judge.messages(ITEM)
  t.eq(#m, 1)
  local text = m[1].content
  t.ok(text:find("[User]\nWrite a loop.\n\n[Assistant]\nIn which language?\n\n[User]\nPython.", 1, true), text)
  t.ok(text:find("[Response A]\nfor i in range(3): print(i)\n[End of Response A]", 1, true))
  t.ok(text:find("[Response B]\nwhile True: pass\n[End of Response B]", 1, true))
  t.ok(text:find("<RESULT_START>", 1, true) and text:find("\\boxed{", 1, true))
  local s = ratio.judge.messages(ITEM, {swap = true})[1].content
  t.ok(s:find("[Response A]\nwhile True: pass\n", 1, true))
  t.eq(ratio.judge.context_text("just a question"), "[User]\njust a question")
  t.eq(ratio.judge.check_item(ITEM), nil)
  t.eq(ratio.judge.check_item({context = {}, response1 = "a", response2 = "b"}),
       "context: expected a non-empty list of {role, content} turns")
  t.eq(ratio.judge.check_item({context = "q", response1 = "a"}), "response2: expected a string")
end)

-- A judge server whose reply to each request is decided by script(body, n).
local function server(script)
  local n, seen = 0, {}
  local srv = ratio.serve{port = 0, wait = false, routes = {
    ["POST /v1/chat/completions"] = function(req)
      n = n + 1
      local body = req:json()
      seen[#seen + 1] = body
      local text, status = script(body, n)
      if status then return {status = status, json = {error = {message = "nope"}}} end
      return {status = 200, json = {choices = {{message = {role = "assistant", content = text}}},
                                    usage = {prompt_tokens = 10, completion_tokens = 5}}}
    end}}
  local client = ratio.llm{base_url = ("http://127.0.0.1:%d/v1"):format(srv.port), model = "judge-under-test",
                           cache = false, max_tries = 1}
  return client, seen, function() srv.raw:close() end
end

local function block(reasons, label)
  local lines = {"<RESULT_START>", "List of reasons:"}
  for _, r in ipairs(reasons) do lines[#lines + 1] = "- " .. r end
  if label then lines[#lines + 1] = "Final assessment result: \\boxed{" .. label .. "}" end
  lines[#lines + 1] = "<RESULT_END>"
  return table.concat(lines, "\n")
end

t.test("run: verdict, outcome, top-k cut, usage", function()
  local client, seen, close = server(function() return block({"r1", "r2", "r3", "r4", "r5", "r6", "r7"}, "A>B") end)
  local r = ratio.judge.run(client, ITEM)
  t.eq(r.status, "ok")
  t.eq(r.label, "A>B")
  t.eq(r.outcome, true)
  t.eq(r.reasons, {"r1", "r2", "r3", "r4", "r5"})
  t.eq(r.n_reasons, 7)
  t.eq(r.reasks, 0)
  t.eq(r.usage, {input_tokens = 10, output_tokens = 5})
  t.eq(r.id, "x1")
  t.eq(#ratio.judge.run(client, ITEM, {top_k = 0}).reasons, 7)
  t.eq(#ratio.judge.run(client, ITEM, {top_k = 2}).reasons, 2)
  local tie = {}
  for k, v in pairs(ITEM) do tie[k] = v end
  tie.overall_preference = 0
  local rt = ratio.judge.run(client, tie)
  t.eq(rt.outcome, nil)
  t.eq(rt.human_tie, true)
  t.eq(#seen, 4)
  t.raises(function() ratio.judge.run(client, ITEM, {topk = 3}) end, "unknown option 'topk'")
  t.raises(function() ratio.judge.run(client, {response1 = "a"}) end, "context")
  close()
end)

t.test("run: an unreadable reply is asked again, at most reasks times", function()
  local client, seen, close = server(function(body)
    local last = body.messages[#body.messages].content
    if #body.messages == 1 then return "I think A is better." end -- no layout at all
    t.ok(last:find("it has no verdict", 1, true), last)
    return block({"because"}, "B>A")
  end)
  local r = ratio.judge.run(client, ITEM)
  t.eq(r.status, "ok")
  t.eq(r.reasks, 1)
  t.eq(r.label, "B>A")
  t.eq(r.outcome, false)
  t.eq(#seen, 2)
  t.eq(seen[2].messages[2], {role = "assistant", content = "I think A is better."})
  close()
  -- never readable: unscored after 1 + reasks calls, the last text kept
  client, seen, close = server(function() return block({"only reasons"}, nil) end)
  r = ratio.judge.run(client, ITEM, {reasks = 2})
  t.eq(r.status, "unscored")
  t.eq(r.reasks, 2)
  t.eq(r.label, nil)
  t.eq(r.outcome, nil)
  t.eq(r.issues, {no_verdict = true})
  t.ok(r.text:find("only reasons", 1, true))
  t.eq(#seen, 3)
  t.eq(ratio.judge.run(client, ITEM, {reasks = 0}).reasks, 0)
  t.eq(#seen, 4)
  close()
end)

t.test("run: swap maps the verdict back and checks consistency", function()
  -- A judge that prefers whichever response is longer is consistent...
  local client, _, close = server(function(body)
    local p = body.messages[1].content
    local a = p:match("%[Response A%]\n(.-)\n%[End") or ""
    local b = p:match("%[Response B%]\n(.-)\n%[End") or ""
    return block({"length"}, #a >= #b and "A>>B" or "B>A")
  end)
  local r = ratio.judge.run(client, ITEM, {swap = true})
  t.eq(r.label, "A>>B")
  t.eq(r.swap.label_as_given, "B>A")
  t.eq(r.swap.label, "A>B")
  t.eq(r.swap.outcome, true)
  t.eq(r.consistent, true)
  t.eq(r.consistent_exact, false)
  t.eq(r.usage.input_tokens, 20)
  close()
  -- ...one that always picks A is not.
  client, _, close = server(function() return block({"first"}, "A>B") end)
  r = ratio.judge.run(client, ITEM, {swap = true})
  t.eq(r.label, "A>B")
  t.eq(r.swap.label, "B>A")
  t.eq(r.consistent, false)
  close()
end)

t.test("run: a failed call is a failed record, not an error", function()
  local client, _, close = server(function() return nil, 400 end)
  local r = ratio.judge.run(client, ITEM, {swap = true})
  t.eq(r.status, "failed")
  t.ok(r.error:find("400", 1, true), r.error)
  t.eq(r.code, "HTTP400")
  t.eq(r.outcome, nil)
  t.eq(r.swap.status, "failed")
  t.eq(r.consistent, nil)
  close()
end)

t.test("summarize: counts, ties, domains, swap", function()
  local items = {{domain = "a", overall_preference = -1}, {domain = "a", overall_preference = 2},
                 {domain = "b", overall_preference = 0}, {domain = "b", overall_preference = 1},
                 {domain = "b", overall_preference = -3}}
  local recs = {
    {status = "ok", label = "A>B", outcome = true, n_reasons = 3, reasks = 0, issues = {},
     swap = {status = "ok", label = "A>B", outcome = true, reasks = 0}, consistent = true, consistent_exact = true},
    {status = "ok", label = "A=B", outcome = false, n_reasons = 1, reasks = 1, issues = {},
     swap = {status = "ok", label = "B>A", outcome = true, reasks = 0}, consistent = false, consistent_exact = false},
    {status = "ok", label = "A>B", outcome = nil, n_reasons = 2, reasks = 0, issues = {}, swap = {status = "unscored", reasks = 1}},
    {status = "unscored", reasks = 1, issues = {no_verdict = true}, swap = {status = "failed", reasks = 0}},
    {status = "failed", error = "boom", reasks = 0},
  }
  local s = ratio.judge.summarize(recs, items)
  t.eq({s.total, s.scored, s.unscored, s.failed}, {5, 3, 1, 1})
  t.eq({s.outcome_n, s.correct, s.ties_excluded}, {2, 1, 1})
  t.near(s.outcome_accuracy, 0.5)
  t.ok(s.ci.lo <= 0.5 and s.ci.hi >= 0.5)
  t.eq(s.reasked, 2)
  t.eq(s.reasks, 3)
  t.near(s.mean_reasons, 2)
  t.eq(s.issues, {no_verdict = 1})
  t.eq({s.per_domain.a.outcome_n, s.per_domain.a.correct}, {2, 1})
  t.eq({s.per_domain.b.scored, s.per_domain.b.ties_excluded, s.per_domain.b.unscored, s.per_domain.b.failed}, {1, 1, 1, 1})
  t.eq({s.swap.both_scored, s.swap.consistent, s.swap.exact, s.swap.unscored, s.swap.failed}, {2, 1, 1, 1, 1})
  t.near(s.swap.consistency, 0.5)
  t.near(s.swap.outcome_accuracy, 1)
  t.eq(ratio.judge.summarize({}, {}).outcome_accuracy, nil)
end)
