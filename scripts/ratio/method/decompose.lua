-- ratio.decompose: free-text human explanations -> atomic rationales, with an LLM.
--
--   local d = ratio.decompose.new{client = ratio.llm{model = "qwen3-235b-a22b"}}
--   local r = d:run(item)   -- r.status, r.rationales, r.dropped = {{point, reason}...}, r.raw
--   local lo, hi = ratio.decompose.range("3-7")
--   local o = ratio.decompose.overlap(r_a.rationales, r_b.rationales)  -- side-by-side comparison
--
-- The input is a HelpSteer3-style item: `individual_preference` is a list of annotators, each with
-- `reasoning` and optionally `feedback1` / `feedback2`. The prompt (ours; edit TEMPLATE or pass
-- template = ...) asks for the decomposition rules of arXiv 2602.04649 — 3 to 7 atomic rationales
-- (range = {lo, hi}), one point each, specific and evidence-grounded, about a problem (decisive
-- strengths too with strengths = true), nothing vague, duplicates merged — and for every point
-- left out, why. The reply layout is two marked blocks: a numbered
-- list of rationales, then the dropped points with their reasons. parse() reads it tolerantly and
-- never raises; a reply with no rationale block is asked again once, then the item is `unscored`
-- with its raw text kept.
local prompts = require "ratio.prompts"
local json = require "ratio.core.json"

local M = {}

M.TEMPLATE = [[Several annotators compared two AI responses to the same conversation and explained, in their own words, which one they preferred and why. Turn their explanations into a short list of ATOMIC RATIONALES: the separate, checkable reasons that decide which response is better.

CONVERSATION:
{{conversation}}

RESPONSE 1:
{{response1}}

RESPONSE 2:
{{response2}}

ANNOTATOR EXPLANATIONS:
{{explanations}}

Rules for the rationales:
1. One point each. A sentence that makes two points becomes two rationales.
2. Specific and grounded in evidence: say what the response actually does or says - the quoted phrase, the wrong number, the missing step, the broken line of code, the instruction it ignores. Check each point against the responses and leave out what they do not bear out.
3. {{about}}
4. Nothing vague. "More helpful", "better written", "more detailed" or "clearer" on their own are not rationales; keep such a point only when the explanation says what makes it so, and write that instead.
5. Merge duplicates: a point several annotators make is written once.
6. Add nothing the annotators did not say.
7. Call the responses "Response 1" and "Response 2", and write each rationale as one plain sentence that can be read on its own.

Write at least {{min_rationales}} and at most {{max_rationales}} rationales: fewer only when the explanations hold fewer distinct, specific points (never pad with vague ones), and when they hold more, keep those that weigh most in the preference and leave out the rest.

Every point you leave out goes in the second list, with the reason it was left out (vague, a duplicate of rationale N, not borne out by the responses, not a reason for the preference, ...).

Answer in exactly this layout, with nothing else between the markers:
<RATIONALES_START>
1. <first rationale>
2. <second rationale>
<RATIONALES_END>
<DROPPED_START>
- <a point left out, as the annotator put it> || <why it was left out>
<DROPPED_END>
When nothing was left out, write the two DROPPED markers with nothing between them.]]

-- Rule 3 of the template, {{about}}: the paper's atomic rationales are about problems; decisive
-- strengths are an option (strengths = true), off by default.
M.ABOUT = {
  problems = [[About a problem: something a response gets wrong, leaves out, or does against the user's instructions. A strength is not a rationale: when an annotator praises one response, write instead the problem in the other response that the praise points to, if the explanation names it, and otherwise leave the point out.]],
  strengths = [[About a problem in one of the responses, or a strength that decides the comparison. Praise that would fit either response is not a rationale.]],
}

-- The paper's count of atomic rationales per item (HelpSteer3-Atomic keeps items with 3 to 7).
M.RANGE = {3, 7}

M.REASK = [[Your answer had no readable list of rationales. Reply again with only the two blocks: the numbered rationales between <RATIONALES_START> and <RATIONALES_END>, then the points you left out, one per line as `- <point> || <why>`, between <DROPPED_START> and <DROPPED_END>.]]

---------------------------------------------------------------------------------------------------
-- Reading marked blocks, tolerantly. Shared with ratio.audit.

-- A marker's letters only, upper-cased: "<Rationales\_Start>" -> "RATIONALESSTART".
local function letters(s) return (s:upper():gsub("[^%u]", "")) end

-- Every marker in text, in order: {at, stop, name, kind = "open"|"close"}. A marker is a tag
-- (<NAME_START>, <NAME>, </NAME>, <NAME_END>, any case, with _, \_, - or spaces) or the same words
-- alone on a line without the angle brackets (some models drop them).
local function markers(text, names)
  local known = {}
  for _, n in ipairs(names) do
    known[n .. "START"], known[n .. "BEGIN"], known[n] = {n, "open"}, {n, "open"}, {n, "open"}
    known[n .. "END"], known[n .. "STOP"] = {n, "close"}, {n, "close"}
  end
  local out = {}
  for at, inner, stop in text:gmatch("()<([^<>\n]*)>()") do
    local closing = inner:match("^%s*/") ~= nil
    local k = known[letters(inner)]
    if k and #inner <= 64 then
      out[#out + 1] = {at = at, stop = stop, name = k[1], kind = closing and "close" or k[2]}
    end
  end
  local pos = 1
  while pos <= #text do
    local e = text:find("\n", pos, true) or (#text + 1)
    local line = text:sub(pos, e - 1)
    if #line <= 64 and not line:find("<", 1, true) and line:match("^[%s%*#%[%]`]*[%a][%a_\\ %-]*[%s%*%]`:]*$") then
      local k = known[letters(line)]
      -- A bare word equal to the section name alone ("Rationales") is a heading, not a marker.
      if k and letters(line) ~= k[1] then
        out[#out + 1] = {at = pos, stop = e, name = k[1], kind = k[2]}
      end
    end
    pos = e + 1
  end
  table.sort(out, function(a, b) return a.at < b.at end)
  return out
end

-- block(text, name [, others]) -> body | nil, issues
-- The body of the last NAME block (so a format example echoed before the answer is skipped). A
-- block never closed — a reply cut off — runs to the next opening marker of a section in
-- `others`, or to the end, and is flagged `unterminated`; issues.multiple_blocks when there were
-- several. Never raises.
function M.block(text, name, others)
  local issues = json.object()
  if type(text) ~= "string" then return nil, issues end
  local names = {name}
  for _, o in ipairs(others or {}) do names[#names + 1] = o end
  local ms = markers(text, names)
  local best, best_complete, count = nil, false, 0
  local i = 1
  while i <= #ms do
    local m = ms[i]
    if m.name == name and m.kind == "open" then
      count = count + 1
      local j, ended = i + 1, nil
      while j <= #ms do
        local n = ms[j]
        if n.name == name and n.kind == "close" then ended = {"complete", n.at, j} break end
        if n.name == name and n.kind == "open" then ended = {"reopened", n.at, j - 1} break end
        if n.name ~= name and n.kind == "open" then ended = {"other", n.at, j - 1} break end
        j = j + 1
      end
      -- The last block wins, complete or not: an echoed example must not hide a cut-off reply.
      best_complete = ended ~= nil and ended[1] == "complete"
      best = text:sub(m.stop, ended and ended[2] - 1 or #text)
      i = ended and ended[3] + 1 or #ms + 1
    else
      i = i + 1
    end
  end
  if count > 1 then issues.multiple_blocks = true end
  if best and not best_complete then issues.unterminated = true end
  return best, issues
end

-- Bullets and numbering a list line may start with: "1.", "1)", "(1)", "R1:", "-", "*", "•".
local function strip_marker(line)
  local rest = line:match("^%s*%(?%d+[%.%):]%s+(.*)$") or line:match("^%s*%(%d+%)%s*(.*)$")
    or line:match("^%s*[Rr]%d+[%.:%)]%s*(.*)$") or line:match("^%s*[%-%*+]%s+(.*)$")
    or line:match("^%s*\226\128\162%s*(.*)$") or line:match("^%s*%d+[%.%)]$") and ""
  return rest
end
M.strip_marker = strip_marker

-- A whole item wrapped in quotes or backticks: drop the wrapping, keep inner quotes.
local function unwrap(s)
  local inner = s:match('^"(.*)"$') or s:match("^`(.*)`$") or s:match("^\226\128\156(.*)\226\128\157$")
  if inner and not inner:find('"', 1, true) then return inner end
  return s
end

local function clean(s)
  s = s:gsub("%*%*", ""):gsub("^%s+", ""):gsub("%s+$", "")
  s = unwrap(s):gsub("@[Rr]esponse", "Response")
  return s
end

-- Lines that only echo the prompt's layout, or say "nothing".
local function filler(s)
  local l = s:lower()
  return s == "" or s:match("^%.%.%.?$") or s:match("^<.*>$") or l == "none" or l == "(none)"
    or l == "n/a" or l == "nothing" or l == "nothing was left out." or l == "nothing was left out"
end

-- items(body) -> list of strings: one per numbered or bulleted line; an unmarked line continues
-- the item before it. A body with no marked line at all gives one item per non-empty line.
local function items(body)
  local out, any_marked = {}, false
  for line in (body .. "\n"):gmatch("([^\n]*)\n") do
    line = line:gsub("\r$", "")
    if strip_marker(line) then any_marked = true break end
  end
  for line in (body .. "\n"):gmatch("([^\n]*)\n") do
    line = line:gsub("\r$", "")
    local rest = strip_marker(line)
    if rest then
      out[#out + 1] = rest
    elseif line:match("%S") then
      if any_marked and #out > 0 then
        out[#out] = out[#out] .. " " .. line:gsub("^%s+", "")
      elseif not any_marked then
        out[#out + 1] = line
      end
    end
  end
  local kept = {}
  for _, s in ipairs(out) do
    s = clean(s)
    if not filler(s) then kept[#kept + 1] = s end
  end
  return kept, any_marked
end

-- The separators a dropped line may use between the point and the reason, most specific first.
local SEPARATORS = {"%s*||%s*", "%s+|%s+", "%s*[%-=]>%s*", "%s+\226\128\148%s+", "%s+%-%-%s+",
                    "%s*[%(%[]?[Rr]eason:%s*", "%s*[%(%[]?[Ww]hy:%s*"}

local function split_dropped(s)
  for _, sep in ipairs(SEPARATORS) do
    local a, b = s:find(sep)
    if a and a > 1 then
      local point = s:sub(1, a - 1):gsub("%s+$", "")
      local reason = s:sub(b + 1):gsub("^%s+", "")
      -- "(reason: ...)" closes its bracket at the end of the line.
      if s:sub(a, b):find("[%(%[]") then reason = reason:gsub("[%)%]]%s*$", "") end
      if point ~= "" then return point, reason end
    end
  end
  return s, ""
end

local function norm_key(s) return (s:lower():gsub("[%p%s]+", " "):gsub("^ ", ""):gsub(" $", "")) end

-- parse(text) -> {rationales = {...}, dropped = {{point=, reason=}...}, issues = {...}}
--              | nil, why, issues
-- Never raises. No rationale block (or an empty reply) is a failure to parse; an empty block is a
-- valid answer with no rationales. Exact duplicates (ignoring case and punctuation) are merged
-- and counted in issues.duplicates_merged; dropped lines with no reason are counted in
-- issues.dropped_without_reason.
function M.parse(text)
  if type(text) ~= "string" or not text:find("%S") then return nil, "empty reply", json.object() end
  local body, issues = M.block(text, "RATIONALES", {"DROPPED"})
  if not body then return nil, "no <RATIONALES_START> ... <RATIONALES_END> block", issues end
  local list, marked = items(body)
  if #list == 0 and body:find("<[^<>\n]+>") then
    -- Only placeholders like "1. <first rationale>": the layout was repeated, not filled in.
    return nil, "the rationale block only repeats the layout", issues
  end
  if #list > 0 and not marked then issues.unnumbered = true end
  local rationales, seen = {}, {}
  for _, s in ipairs(list) do
    local k = norm_key(s)
    if seen[k] then
      issues.duplicates_merged = (issues.duplicates_merged or 0) + 1
    else
      seen[k] = true
      rationales[#rationales + 1] = s
    end
  end
  local dropped = {}
  local dbody, dissues = M.block(text, "DROPPED", {"RATIONALES"})
  if not dbody then
    issues.no_dropped_block = true
  else
    if dissues.unterminated then issues.dropped_unterminated = true end
    for _, s in ipairs((items(dbody))) do
      local point, reason = split_dropped(s)
      point = unwrap(point)
      if reason == "" then issues.dropped_without_reason = (issues.dropped_without_reason or 0) + 1 end
      dropped[#dropped + 1] = {point = point, reason = reason}
    end
  end
  return {rationales = rationales, dropped = dropped, issues = issues}
end

-- reason_kind(reason) -> "vague" | "duplicate" | "unsupported" | "style" | "strength" | "not_a_reason"
--   | "other"
-- A coarse bucket for the summary, from the reason's wording; the reason itself is always kept.
function M.reason_kind(reason)
  local r = (reason or ""):lower()
  if r:find("duplic") or r:find("same point") or r:find("repeat") or r:find("merged") then return "duplicate" end
  if r:find("vague") or r:find("generic") or r:find("unspecific") or r:find("not specific") then return "vague" end
  if r:find("not borne") or r:find("unsupported") or r:find("not supported") or r:find("no evidence")
    or r:find("contradict") or r:find("not in the response") or r:find("inaccurate") then return "unsupported" end
  if r:find("style") or r:find("tone") or r:find("format") then return "style" end
  if r:find("strength") or r:find("praise") or r:find("not a problem") then return "strength" end
  if r:find("not a reason") or r:find("verdict") or r:find("overall") or r:find("preference only") then return "not_a_reason" end
  return "other"
end

---------------------------------------------------------------------------------------------------
-- What the decomposer reads.

local function is_list(v)
  if type(v) ~= "table" then return false end
  local n = 0
  for k in pairs(v) do
    if math.type(k) ~= "integer" then return false end
    n = n + 1
  end
  return n == #v
end

local function opt_string(a, field, i)
  local v = a[field]
  if v == nil or v == json.null then return nil end
  if type(v) ~= "string" then
    return false, ("individual_preference[%d].%s: expected a string"):format(i, field)
  end
  return v
end

local SIDE = {[-3] = "Response 1 is much better", [-2] = "Response 1 is better",
              [-1] = "Response 1 is slightly better", [0] = "about the same",
              [1] = "Response 2 is slightly better", [2] = "Response 2 is better",
              [3] = "Response 2 is much better"}

-- explanations(item) -> text | nil, "field: what is wrong"
-- The annotators' words, one block per annotator:
--   Annotator 1 (score -2: Response 1 is better)
--     Reasoning: ...
--     On Response 1: ...      (feedback1)
--     On Response 2: ...      (feedback2)
-- HelpSteer3's "@Response 1" is written "Response 1".
function M.explanations(item)
  local ip = item.individual_preference
  if ip == nil or ip == json.null then return nil, "individual_preference: missing" end
  if not is_list(ip) then return nil, "individual_preference: expected a list of annotators" end
  if #ip == 0 then return nil, "individual_preference: no annotators" end
  local out = {}
  for i, a in ipairs(ip) do
    if type(a) ~= "table" or is_list(a) and #a > 0 then
      return nil, ("individual_preference[%d]: expected an object"):format(i)
    end
    local parts = {}
    for _, f in ipairs{{"reasoning", "Reasoning"}, {"feedback1", "On Response 1"}, {"feedback2", "On Response 2"}} do
      local v, err = opt_string(a, f[1], i)
      if v == false then return nil, err end
      if v and v:find("%S") then
        v = v:gsub("@[Rr]esponse", "Response"):gsub("%s*\n%s*", " "):gsub("^%s+", ""):gsub("%s+$", "")
        parts[#parts + 1] = ("  %s: %s"):format(f[2], v)
      end
    end
    if #parts == 0 then
      return nil, ("individual_preference[%d]: no reasoning or feedback text"):format(i)
    end
    local score = type(a.score) == "number" and math.tointeger(a.score) or nil
    local head = ("Annotator %d"):format(i)
    if score and SIDE[score] then head = ("%s (score %d: %s)"):format(head, score, SIDE[score]) end
    out[#out + 1] = head .. "\n" .. table.concat(parts, "\n")
  end
  return table.concat(out, "\n")
end

-- conversation(item) -> "USER: ...\n\nASSISTANT: ..." from item.context (a string is used as is).
function M.conversation(item)
  local c = item.context
  if type(c) == "string" then return c end
  if type(c) ~= "table" then return "" end
  local out = {}
  for _, turn in ipairs(c) do
    if type(turn) == "table" and type(turn.content) == "string" then
      out[#out + 1] = ("%s: %s"):format(tostring(turn.role or "user"):upper(), turn.content)
    end
  end
  return table.concat(out, "\n\n")
end

-- check(item) -> nil | "field: what is wrong": what decomposing needs from a dataset line.
function M.check(item)
  if type(item) ~= "table" or json.is_array(item) then return "the line is not a JSON object" end
  for _, f in ipairs{"response1", "response2"} do
    if type(item[f]) ~= "string" then return f .. ": expected a string" end
  end
  local _, err = M.explanations(item)
  return err
end

-- read(path, check, {on_error = "stop"|"skip"}) -> items, lines, {bad_lines, bad_items, errors}
-- Reads a JSONL dataset and checks each item with check(item) -> nil | "field: what is wrong".
-- A bad line or item is `path:line: what` — the end of the run with on_error "stop" (default),
-- counted, kept in errors (the first 20) and warned about (the first 5) with "skip".
function M.read(path, check, opts)
  local errors = require "ratio.errors"
  local jsonl = require "ratio.jsonl"
  local on_error = opts and opts.on_error or "stop"
  local r, err = jsonl.open(path, {on_error = on_error})
  if not r then errors.data(err) end
  local items, lines, info = {}, {}, {bad_lines = 0, bad_items = 0, errors = {}}
  for item, line in r:lines() do
    local problem = check(item)
    if problem then
      local msg = ("%s:%d: %s"):format(path, line, problem)
      if on_error == "stop" then errors.data(msg) end
      info.bad_items = info.bad_items + 1
      if #info.errors < 20 then info.errors[#info.errors + 1] = msg end
      if info.bad_items <= 5 then io.stderr:write("ratio: warning: ", msg, " (item skipped)\n") end
    else
      items[#items + 1], lines[#lines + 1] = item, line
    end
  end
  r:close()
  info.bad_lines = r.skipped
  if r.count == 0 and r.skipped == 0 then -- as ratio.dataset.read_all: zero items is the wrong file
    errors.data(path .. ": no items (the file is empty or has only blank lines)")
  end
  for _, e in ipairs(r.errors) do if #info.errors < 20 then info.errors[#info.errors + 1] = e end end
  require("ratio.dataset").require_usable(path, #items, info.bad_lines + info.bad_items, info.errors[1])
  return items, lines, info
end

-- vars(item) -> the values a template can use: conversation, response1, response2, explanations.
function M.vars(item)
  return {conversation = M.conversation(item), response1 = item.response1 or "",
          response2 = item.response2 or "", explanations = assert(M.explanations(item))}
end

-- check_template(template) -> true | nil, message: renders it on a dummy item, so a typo in a
-- placeholder is found before any call is paid for; it must use {{explanations}} and may use
-- {{conversation}}, {{response1}}, {{response2}}, {{about}}, {{min_rationales}}, {{max_rationales}}.
function M.check_template(template)
  if type(template) ~= "string" then return nil, "the template is not a string" end
  if not template:find("{{%s*explanations%s*}}") then
    return nil, "the template has no {{explanations}} placeholder"
  end
  local ok, err = pcall(prompts.render, template, {conversation = "", response1 = "", response2 = "",
                                                   explanations = "", about = "", min_rationales = 3,
                                                   max_rationales = 7})
  if not ok then return nil, tostring(err):gsub("^.-prompts%.render: ", "") end
  return true
end

---------------------------------------------------------------------------------------------------
-- The decomposer.

local D = {}
D.__index = D

-- new{client =, template = M.TEMPLATE, name = "decompose", reasks = 1, params = {...},
--     range = M.RANGE (the count the prompt asks for), strengths = false} -> decomposer
-- The template is registered in the manifest under prompts.<name>.
function M.new(opts)
  if type(opts) ~= "table" or not opts.client then error("ratio.decompose.new: needs client = ratio.llm{...}", 2) end
  local template = opts.template or M.TEMPLATE
  local ok, err = M.check_template(template)
  if not ok then error("ratio.decompose.new: " .. err, 2) end
  local reasks = opts.reasks or 1
  if math.type(reasks) ~= "integer" or reasks < 0 or reasks > 1 then
    error("ratio.decompose.new: reasks must be 0 or 1", 2)
  end
  local range = opts.range or M.RANGE
  if type(range) ~= "table" or math.type(range[1]) ~= "integer" or math.type(range[2]) ~= "integer"
     or range[1] < 1 or range[2] < range[1] then
    error("ratio.decompose.new: range must be {lo, hi} with 1 <= lo <= hi", 2)
  end
  local self = setmetatable({client = opts.client, template = template, reasks = reasks,
    name = opts.name or "decompose", params = opts.params or {}, -- settings: the client's
    extra = {about = opts.strengths and M.ABOUT.strengths or M.ABOUT.problems,
             min_rationales = range[1], max_rationales = range[2]}}, D)
  prompts.register(self.name, template)
  return self
end

-- d:run(item) -> {status, rationales, dropped, issues, raw = {reply texts}, reasoning (the model's,
-- per reply, when it gave any), reasks, error, code}
-- status: "valid" (parsed; possibly no rationales), "unscored" (no readable block after the
-- re-ask; raw kept), "failed" (the call failed for good; error and code say why), "skipped" (the
-- item has no usable explanations; error says which field).
function D:run(item)
  local text, why = M.explanations(item)
  if not text then return {status = "skipped", error = why, rationales = {}, dropped = {}, raw = {}, reasks = 0} end
  local vars = M.vars(item)
  for k, v in pairs(self.extra) do vars[k] = v end
  local messages = {{role = "user", content = prompts.render(self.template, vars)}}
  local result = {raw = {}, reasks = 0, rationales = {}, dropped = {}}
  for attempt = 0, self.reasks do
    local reply, err, code = self.client:chat(messages, self.params)
    if not reply then
      result.status, result.error, result.code = "failed", err, code
      return result
    end
    prompts.keep_reply(result, reply)
    local parsed, perr, issues = M.parse(reply.text)
    if parsed then
      result.status, result.rationales, result.dropped, result.issues = "valid", parsed.rationales, parsed.dropped, parsed.issues
      return result
    end
    result.error, result.issues = perr, issues
    if attempt == self.reasks then break end
    result.reasks = result.reasks + 1
    messages[#messages + 1] = {role = "assistant", content = reply.text}
    messages[#messages + 1] = {role = "user", content = M.REASK}
  end
  result.status = "unscored"
  return result
end

---------------------------------------------------------------------------------------------------
-- Ranges and side-by-side comparison.

-- range("3-7") -> 3, 7 | nil, message. "5" is 5-5; "3-" is 3 or more.
function M.range(s)
  if type(s) ~= "string" then return nil, "expected a range like 3-7" end
  local a, b = s:match("^%s*(%d+)%s*%-%s*(%d*)%s*$")
  if not a then a = s:match("^%s*(%d+)%s*$") b = a end
  if not a then return nil, ("expected a range like 3-7, got '%s'"):format(s) end
  local lo, hi = math.tointeger(tonumber(a)), b ~= "" and math.tointeger(tonumber(b)) or math.maxinteger
  if not lo or not hi or hi < lo then return nil, ("'%s' is an empty range"):format(s) end
  return lo, hi
end

-- distribution(counts [, lo, hi]) -> {n, mean, histogram = {{count, items}...} ascending,
--   share_in_range (of the items, those with lo..hi rationales)}
-- The number of rationales per item, as the summary reports it beside the paper's.
function M.distribution(counts, lo, hi)
  local by, n, inside = {}, 0, 0
  for _, c in ipairs(counts) do
    by[c] = (by[c] or 0) + 1
    n = n + 1
    if lo and c >= lo and c <= hi then inside = inside + 1 end
  end
  local hist = {}
  for c, k in pairs(by) do hist[#hist + 1] = {c, k} end
  table.sort(hist, function(a, b) return a[1] < b[1] end)
  return {n = n, mean = n > 0 and require("ratio.stats").mean(counts) or nil, histogram = hist,
          share_in_range = lo and n > 0 and inside / n or nil}
end

-- overlap(a, b [, {min_score = 0.5, matcher = lexical}]) -> {n_a, n_b, shared, overlap, pairs,
--   only_a, only_b}
-- A one-to-one matching of the two lists (the lexical matcher: content-word Jaccard on the
-- MetaJudge scale, Hungarian assignment); a pair is shared when its score is >= min_score.
-- overlap = 2 * shared / (n_a + n_b) (1 when both lists are empty); pairs = {{i, j, score}...};
-- only_a / only_b: the rationales of each list left without a partner.
function M.overlap(a, b, opts)
  opts = opts or {}
  local min_score = opts.min_score or 0.5
  local matcher = opts.matcher or require("ratio.metajudge").matcher("lexical")
  local pairs_, used_a, used_b = {}, {}, {}
  if #a > 0 and #b > 0 then
    local record = assert(matcher:match(a, b)) -- the matcher's pairs, one-to-one by the kernel
    local m = require("ratio.core.metrics").score(record, #a, #b, {mode = "paper", top_k = 0})
    for _, pr in ipairs(m.pairs) do
      local i, j, score = pr.r, pr.s, pr.score
      if score >= min_score and not used_a[i] and not used_b[j] then
        used_a[i], used_b[j] = true, true
        pairs_[#pairs_ + 1] = {i, j, score}
      end
    end
  end
  local only_a, only_b = {}, {}
  for i, s in ipairs(a) do if not used_a[i] then only_a[#only_a + 1] = s end end
  for j, s in ipairs(b) do if not used_b[j] then only_b[#only_b + 1] = s end end
  local n = #a + #b
  return {n_a = #a, n_b = #b, shared = #pairs_, overlap = n > 0 and 2 * #pairs_ / n or 1.0,
          pairs = pairs_, only_a = only_a, only_b = only_b}
end

return M
