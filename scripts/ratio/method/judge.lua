-- ratio.judge: ask an LLM judge (or a generative reward model) which of two responses is better,
-- with its reasons, most important first, and read the answer.
--
--   local judge = ratio.llm{model = "qwen3-8b", base_url = "http://127.0.0.1:8000/v1"}
--   local r = ratio.judge.run(judge, item, {top_k = 5, reasks = 1, swap = true})
--   -- r.status ("ok" | "unscored" | "failed"), r.label ("A>B"), r.reasons, r.outcome, r.text,
--   -- r.swap.label (the swapped verdict mapped back), r.consistent
--   local p = ratio.judge.parse(reply_text) -- {reasons, label, status = "ok"|"unscored", issues}
--
-- The judge answers in the paper's layout (arXiv 2602.04649):
--   <RESULT_START>
--   List of reasons:
--   - reason one
--   Final assessment result: \boxed{A>B}
--   <RESULT_END>
-- read by the C parser core/match/verdict.c (tolerant; every problem is an issue flag). Response 1
-- of an item is "Response A" and response 2 is "Response B"; with swap = true the judge also sees
-- them the other way round, and its verdict is mapped back to the original order.
local prompts = require "ratio.prompts"
local verdict = require "ratio.core.verdict"
local dataset = require "ratio.dataset"
local sched = require "ratio.sched"

local M = {}

M.LABELS = {"A>>B", "A>B", "A=B", "B>A", "B>>A"}

M.TEMPLATE = [[You are an impartial judge. Below is a conversation between a user and an AI assistant, followed by two candidate responses for the assistant's final turn. Decide which response serves the user better, and say why.

{{context}}

[Response A]
{{response_a}}
[End of Response A]

[Response B]
{{response_b}}
[End of Response B]

How to judge:
- Check what the user actually asked for: every instruction and constraint, factual and technical correctness, completeness, safety, and whether the answer is usable as given.
- Each reason is one specific point about the responses that someone could check against them: name the response and point to the evidence (a claim, a step, a number, a constraint met or missed). Do not give generic reasons such as "more detailed", "better formatted" or "more helpful" unless that is genuinely what decides it.
- Put the reason that matters most for your decision first, then the next, and so on.
- The order in which the responses are shown and their length are not reasons.
- Give exactly one verdict: A>>B (A is much better), A>B (A is better), A=B (equally good), B>A (B is better) or B>>A (B is much better).

You may think before answering. End your answer with this block, filled in, and nothing after it:
<RESULT_START>
List of reasons:
- <the most important reason>
- <the next reason>
...
Final assessment result: \boxed{<one of A>>B, A>B, A=B, B>A, B>>A>}
<RESULT_END>]]

M.REASK = [[I could not read your answer: {{problem}}. Reply again with only the block, filled in: your reasons as "- " lines, most important first, then exactly one verdict out of A>>B, A>B, A=B, B>A, B>>A inside \boxed{}.
<RESULT_START>
List of reasons:
- <the most important reason>
...
Final assessment result: \boxed{<verdict>}
<RESULT_END>]]

local PROBLEMS = {
  {"conflicting_verdicts", "it gives more than one verdict"},
  {"invalid_verdict", "its verdict is not one of A>>B, A>B, A=B, B>A, B>>A"},
  {"no_verdict", "it has no verdict"},
  {"no_reasons", "it lists no reasons"},
}

local ROLE_NAMES = {user = "User", assistant = "Assistant", system = "System", tool = "Tool"}

local function content_text(c)
  if type(c) == "string" then return c end
  if type(c) == "table" then -- a list of content parts: keep the text ones
    local parts = {}
    for _, part in ipairs(c) do
      if type(part) == "string" then parts[#parts + 1] = part
      elseif type(part) == "table" and type(part.text) == "string" then parts[#parts + 1] = part.text end
    end
    return table.concat(parts, "\n")
  end
  return ""
end

-- context_text(context) -> the conversation as text, one labelled turn after another
-- (`[User]`, `[Assistant]`, ...). A string is one user turn.
function M.context_text(context)
  if type(context) == "string" then return "[User]\n" .. context end
  local turns = {}
  for _, turn in ipairs(context or {}) do
    local role = type(turn) == "table" and tostring(turn.role or "user") or "user"
    local name = ROLE_NAMES[role] or (role:sub(1, 1):upper() .. role:sub(2))
    turns[#turns + 1] = ("[%s]\n%s"):format(name, content_text(type(turn) == "table" and turn.content or turn))
  end
  return table.concat(turns, "\n\n")
end

-- check_item(item) -> nil | "field: what is wrong": what a judge needs (context, response1,
-- response2), checked before any call is paid for.
function M.check_item(item)
  if type(item) ~= "table" then return "the item is not an object" end
  local c = item.context
  if type(c) ~= "string" then
    if type(c) ~= "table" or #c == 0 then return "context: expected a non-empty list of {role, content} turns" end
    for i, turn in ipairs(c) do
      if type(turn) ~= "table" or (turn.content ~= nil and type(turn.content) ~= "string" and type(turn.content) ~= "table") then
        return ("context[%d]: expected {role, content}"):format(i)
      end
    end
  end
  for _, k in ipairs{"response1", "response2"} do
    if type(item[k]) ~= "string" then return k .. ": expected a string" end
  end
  return nil
end

-- messages(item [, {swap = false, template = M.TEMPLATE}]) -> the chat messages asking for a
-- verdict on item (response 1 as A, unless swap).
function M.messages(item, opts)
  opts = opts or {}
  local a, b = item.response1, item.response2
  if opts.swap then a, b = b, a end
  return {{role = "user", content = prompts.render(opts.template or M.TEMPLATE, {
    context = M.context_text(item.context), response_a = a, response_b = b})}}
end

-- parse(text) -> {reasons = {...}, label = "A>B" | nil, status = "ok" | "unscored", issues = {name = true}}
-- status is "ok" when the reply has at least one reason and exactly one valid verdict; reasons
-- and label are whatever was found either way (all of them: run() cuts to top_k).
function M.parse(text)
  if type(text) ~= "string" then error("ratio.judge.parse: expected a string, got " .. type(text), 2) end
  local r = verdict.parse(text)
  local ok = r.label ~= nil and #r.reasons > 0
  return {reasons = r.reasons, label = r.label, status = ok and "ok" or "unscored", issues = r.issues}
end

-- swap_label("A>B") -> "B>A": a verdict given on swapped responses, in the original order.
function M.swap_label(label)
  if label == nil then return nil end
  return verdict.swap(label)
end

-- direction("A>>B") -> -1 (A better), 0 (tie), 1 (B better), nil for anything else
function M.direction(label)
  local v = type(label) == "string" and dataset.LABELS[label] or nil
  if v == nil then return nil end
  return v < 0 and -1 or (v > 0 and 1 or 0)
end

local function problem_of(issues)
  local out = {}
  for _, p in ipairs(PROBLEMS) do
    if issues[p[1]] then out[#out + 1] = p[2] end
  end
  return #out > 0 and table.concat(out, "; ") or "it is not in the requested layout"
end

local function cut(list, k)
  if k == 0 or #list <= k then return list end
  local out = {}
  for i = 1, k do out[i] = list[i] end
  return out
end

local registered = {}
local function register(name, template)
  if registered[template] then return end
  registered[template] = true
  prompts.register(name, template)
end

-- One judgement: asks, parses, re-asks at most opts.reasks times while the reply is unscored.
local function judge_once(client, item, opts, swapped)
  local messages = M.messages(item, {swap = swapped, template = opts.template})
  local r = {status = "failed", reasks = 0, calls = 0, usage = {input_tokens = 0, output_tokens = 0}}
  for attempt = 0, opts.reasks do
    local reply, err, code = client:chat(messages, opts.params)
    if not reply then
      r.status, r.error, r.code = "failed", err, code
      return r
    end
    r.calls = r.calls + 1
    if reply.usage then
      r.usage.input_tokens = r.usage.input_tokens + (reply.usage.input_tokens or 0)
      r.usage.output_tokens = r.usage.output_tokens + (reply.usage.output_tokens or 0)
    end
    local p = M.parse(reply.text or "")
    r.text, r.reasoning, r.finish_reason = reply.text or "", reply.reasoning, reply.finish_reason
    r.status, r.issues, r.n_reasons = p.status, p.issues, #p.reasons
    r.reasons = cut(p.reasons, opts.top_k)
    r.label = p.status == "ok" and p.label or nil
    if p.status == "ok" or attempt == opts.reasks then return r end
    r.reasks = r.reasks + 1
    messages[#messages + 1] = {role = "assistant", content = r.text}
    messages[#messages + 1] = {role = "user", content = prompts.render(opts.reask_template or M.REASK,
                                                                      {problem = problem_of(p.issues)})}
  end
end

local RUN_OPTS = {top_k = true, reasks = true, swap = true, template = true, reask_template = true,
                  params = true}

-- run(client, item, opts) -> record
-- opts: top_k (5; 0 = all reasons), reasks (1), swap (false), params (sampling parameters for
-- client:chat), template / reask_template (default M.TEMPLATE / M.REASK).
-- record: {id, domain, status = "ok"|"unscored"|"failed", label (nil unless ok), reasons (cut to
-- top_k), n_reasons (before the cut), issues, text (the last reply, kept whatever its status),
-- reasoning, reasks, calls, usage = {input_tokens, output_tokens}, error, code (failed),
-- outcome (true/false; nil for a human tie, a missing human label or no verdict), human_tie,
-- swap = {the same fields for the swapped order; label mapped back, label_as_given} and
-- consistent / consistent_exact (both orders scored: same preferred side / same label)}.
-- A call that fails for good gives status "failed" with its reason; nothing raises for it.
function M.run(client, item, opts)
  if type(client) ~= "table" or type(client.chat) ~= "function" then
    error("ratio.judge.run: expected a client from ratio.llm{...}", 2)
  end
  if type(item) ~= "table" then error("ratio.judge.run: expected an item", 2) end
  opts = opts or {}
  for k in pairs(opts) do
    if not RUN_OPTS[k] then error("ratio.judge.run: unknown option '" .. tostring(k) .. "'", 2) end
  end
  local problem = M.check_item(item)
  if problem then error(("ratio.judge.run: item %s: %s"):format(tostring(item.id), problem), 2) end
  local o = {top_k = opts.top_k or 5, reasks = opts.reasks or 1, template = opts.template,
             reask_template = opts.reask_template, params = opts.params}
  if math.type(o.top_k) ~= "integer" or o.top_k < 0 then error("ratio.judge.run: top_k must be an integer >= 0", 2) end
  if math.type(o.reasks) ~= "integer" or o.reasks < 0 then error("ratio.judge.run: reasks must be an integer >= 0", 2) end
  register("judge", o.template or M.TEMPLATE)
  register("judge_reask", o.reask_template or M.REASK)

  local r, s
  if opts.swap then -- both orders at once
    local both = sched.gather{function() return judge_once(client, item, o, false) end,
                              function() return judge_once(client, item, o, true) end}
    r, s = both[1], both[2]
  else
    r = judge_once(client, item, o, false)
  end
  local pref = item.overall_preference
  r.id, r.domain = item.id, item.domain
  r.human_tie = pref == 0
  r.outcome = dataset.outcome(r.label, pref)
  if s then
    s.label_as_given = s.label
    s.label = M.swap_label(s.label)
    s.outcome = dataset.outcome(s.label, pref)
    r.swap = s
    r.usage.input_tokens = r.usage.input_tokens + s.usage.input_tokens
    r.usage.output_tokens = r.usage.output_tokens + s.usage.output_tokens
    if r.label and s.label then
      r.consistent = M.direction(r.label) == M.direction(s.label)
      r.consistent_exact = r.label == s.label
    end
  end
  return r
end

local function ci_of(values, seed) return require("ratio.stats").ci(values, {seed = seed}) end

local function new_counts()
  return {total = 0, scored = 0, unscored = 0, failed = 0, outcome_n = 0, correct = 0,
          ties_excluded = 0, no_human_label = 0, values = {}}
end

local function count(c, r, pref)
  c.total = c.total + 1
  local st = r.status == "ok" and "scored" or r.status
  c[st] = (c[st] or 0) + 1
  if r.status ~= "ok" then return end
  if r.outcome ~= nil then
    c.outcome_n = c.outcome_n + 1
    c.values[#c.values + 1] = r.outcome and 1.0 or 0.0
    if r.outcome then c.correct = c.correct + 1 end
  elseif pref == 0 then
    c.ties_excluded = c.ties_excluded + 1
  else
    c.no_human_label = c.no_human_label + 1
  end
end

local function finish(c, seed)
  local ci = ci_of(c.values, seed)
  local out = {total = c.total, scored = c.scored, unscored = c.unscored, failed = c.failed,
               outcome_n = c.outcome_n, correct = c.correct, ties_excluded = c.ties_excluded,
               no_human_label = c.no_human_label,
               outcome_accuracy = c.outcome_n > 0 and c.correct / c.outcome_n or nil,
               ci = ci and {lo = ci.lo, hi = ci.hi} or nil}
  return out
end

-- summarize(records, items [, {seed = 1}]) -> {total, scored, unscored, failed, outcome_accuracy,
--   ci = {lo, hi}, outcome_n, correct, ties_excluded, no_human_label, reasked, reasks,
--   mean_reasons, issues = {name = items}, per_domain = {[domain] = {same counts and OA}},
--   swap = {both_scored, consistent, consistency, exact, exact_share, unscored, failed,
--           outcome_accuracy, ci} (only when the records have swapped judgements)}
-- records[i] judges items[i] (for the human label); a record may be a ratio.failed mark.
-- Outcome accuracy is over scored items whose human label is not a tie (95% bootstrap CI, 1,000
-- resamples); human ties are excluded and counted.
function M.summarize(records, items, opts)
  opts = opts or {}
  local all, domains, issues = new_counts(), {}, {}
  local reasked, reasks, n_reasons, n_with_reasons = 0, 0, 0, 0
  local sw = {both_scored = 0, consistent = 0, exact = 0, unscored = 0, failed = 0, values = {}}
  local any_swap = false
  for i, r in ipairs(records) do
    if sched.failed(r) then r = {status = "failed", error = r.error} end
    local item = items[i] or {}
    local pref = item.overall_preference
    count(all, r, pref)
    local d = type(item.domain) == "string" and item.domain or "(none)"
    domains[d] = domains[d] or new_counts()
    count(domains[d], r, pref)
    for name in pairs(r.issues or {}) do issues[name] = (issues[name] or 0) + 1 end
    if (r.reasks or 0) > 0 then reasked = reasked + 1 end
    reasks = reasks + (r.reasks or 0) + (r.swap and r.swap.reasks or 0)
    if r.status == "ok" then
      n_reasons, n_with_reasons = n_reasons + (r.n_reasons or 0), n_with_reasons + 1
    end
    if r.swap then
      any_swap = true
      local s = r.swap
      if s.status == "unscored" then sw.unscored = sw.unscored + 1 end
      if s.status == "failed" then sw.failed = sw.failed + 1 end
      if s.status == "ok" and s.outcome ~= nil then sw.values[#sw.values + 1] = s.outcome and 1.0 or 0.0 end
      if r.consistent ~= nil then
        sw.both_scored = sw.both_scored + 1
        if r.consistent then sw.consistent = sw.consistent + 1 end
        if r.consistent_exact then sw.exact = sw.exact + 1 end
      end
    end
  end
  local s = finish(all, opts.seed)
  s.reasked, s.reasks = reasked, reasks
  s.mean_reasons = n_with_reasons > 0 and n_reasons / n_with_reasons or nil
  s.issues = next(issues) and issues or require("ratio.core.json").object()
  s.per_domain = require("ratio.core.json").object()
  for d, c in pairs(domains) do s.per_domain[d] = finish(c, opts.seed) end
  if any_swap then
    local ci = ci_of(sw.values, opts.seed)
    local n = #sw.values
    local correct = 0
    for _, v in ipairs(sw.values) do correct = correct + v end
    s.swap = {both_scored = sw.both_scored, consistent = sw.consistent, exact = sw.exact,
              consistency = sw.both_scored > 0 and sw.consistent / sw.both_scored or nil,
              exact_share = sw.both_scored > 0 and sw.exact / sw.both_scored or nil,
              unscored = sw.unscored, failed = sw.failed, outcome_n = n,
              outcome_accuracy = n > 0 and correct / n or nil, ci = ci and {lo = ci.lo, hi = ci.hi} or nil}
  end
  return s
end

return M
