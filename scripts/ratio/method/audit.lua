-- ratio.audit: what kind of reasons does a judge give? Each model rationale (`<model>-checklist`)
-- gets one TYPE and any number of FLAGS (arXiv 2602.04649's rationale analysis):
--
--   types  evidence-grounded   points to something specific a response does or says (a quote, a
--                              number, a code identifier, a named fact) that can be checked
--          criterion-grounded  names what is judged (correctness, an instruction, safety,
--                              relevance) but gives no specific evidence
--          generic/style       form or impression only (length, formatting, tone, "detailed",
--                              "well-structured", "more helpful"), or true of almost any response
--   flags  style-only          about presentation alone, nothing about content
--          generic-correctness calls a response right or wrong without saying what is right or wrong
--          generic-relevance   calls a response relevant or helpful without saying how
--          one-sided-praise    praises one response with no point of comparison with the other
--          unfalsifiable       an impression that cannot be checked against the text
--          non-sequitur        even if true, it does not support the judge's own verdict
--          contradiction       conflicts with another of the judge's reasons
--
--   local a = ratio.audit.new{classifier = "heuristic"}             -- offline, transparent rules
--   local a = ratio.audit.new{client = ratio.llm{model = "..."}}    -- an LLM classifier
--   local r = a:run(item, "careful")  -- r.status, r.reasons = {{text, type, flags, rules}...}
--   local s = ratio.audit.summarize(results)  -- counts and shares with bootstrap CIs
--
-- The LLM's reply layout is one line per reason, `- S<j>: <TYPE> | <flags or none>`, between
-- <AUDIT_START> and <AUDIT_END>; parse() reads it tolerantly and never raises. A reply with no
-- block is asked again once, then the item is `unscored` with its raw text kept; a reason the
-- reply leaves out is `unscored` on its own (the item is then `partial`).
local prompts = require "ratio.prompts"
local json = require "ratio.core.json"
local dataset = require "ratio.dataset"
local decompose = require "ratio.decompose"
local stats = require "ratio.stats"

local M = {}

M.TYPES = {"evidence-grounded", "criterion-grounded", "generic/style"}
M.FLAGS = {"style-only", "generic-correctness", "generic-relevance", "one-sided-praise",
           "unfalsifiable", "non-sequitur", "contradiction"}

-- One line each, for --help, the docs and the prompt.
M.DEFINITIONS = {
  ["evidence-grounded"] = "points to something specific a response does or says (a quoted phrase, a number, a line of code, a named fact, step or omission) that can be checked in the text",
  ["criterion-grounded"] = "names what is being judged (correctness, following an instruction, safety, relevance, a required part) but gives no specific evidence for it",
  ["generic/style"] = "about form or impression only (length, formatting, tone, fluency, \"detailed\", \"well-structured\", \"more helpful\"), or so general it fits almost any response",
  ["style-only"] = "about presentation alone (formatting, length, tone, structure), nothing about content",
  ["generic-correctness"] = "calls a response correct, accurate or wrong without saying what is right or wrong",
  ["generic-relevance"] = "calls a response relevant, helpful or on-topic without saying how it serves the request",
  ["one-sided-praise"] = "praises one response in general terms with no point of comparison with the other",
  ["unfalsifiable"] = "a matter of impression that cannot be checked against the text (\"feels polished\", \"more engaging\")",
  ["non-sequitur"] = "even if true, it does not support the judge's own verdict (it favours the other response, or has no bearing on the request)",
  ["contradiction"] = "conflicts with another of the judge's reasons, or with what the responses actually say",
}

M.TEMPLATE = [[You are auditing the reasons an AI judge gave for preferring one of two responses. For each numbered reason, decide what kind of reason it is and tag its flaws. Judge each reason as written; read the responses to check what a reason points to.

CONVERSATION:
{{conversation}}

RESPONSE A:
{{response1}}

RESPONSE B:
{{response2}}

THE JUDGE'S VERDICT: {{verdict}}

THE JUDGE'S REASONS:
{{reasons}}

TYPE, exactly one per reason:
- EVIDENCE (evidence-grounded): {{def_evidence}}.
- CRITERION (criterion-grounded): {{def_criterion}}.
- GENERIC (generic/style): {{def_generic}}.

FLAGS, any number of them, or none:
- style-only: {{def_style_only}}.
- generic-correctness: {{def_generic_correctness}}.
- generic-relevance: {{def_generic_relevance}}.
- one-sided-praise: {{def_one_sided_praise}}.
- unfalsifiable: {{def_unfalsifiable}}.
- non-sequitur: {{def_non_sequitur}}.
- contradiction: {{def_contradiction}}.

Answer with exactly one line per reason, in order, and nothing else between the markers:
<AUDIT_START>
- S1: <EVIDENCE, CRITERION or GENERIC> | <flags separated by commas, or none>
- S2: ...
<AUDIT_END>]]

M.REASK = [[Your answer had no readable audit block. Reply again with only the block: one line per reason, `- S<j>: <EVIDENCE, CRITERION or GENERIC> | <flags separated by commas, or none>`, between <AUDIT_START> and <AUDIT_END>.]]

---------------------------------------------------------------------------------------------------
-- Reading the classifier's reply.

-- Lower case, every mark but the comma (the list separator) turned into a space.
local function spaced(s)
  return " " .. s:lower():gsub("[%p]", function(c) return c == "," and " , " or " " end):gsub("%s+", " ") .. " "
end

-- Flag spellings (on text lower-cased, marks turned into spaces), longest first.
local FLAG_FORMS = {
  {"style-only", {" style only ", " styleonly "}},
  {"generic-correctness", {" generic correctness "}},
  {"generic-relevance", {" generic relevance "}},
  {"one-sided-praise", {" one sided praise ", " onesided praise "}},
  {"unfalsifiable", {" unfalsifiable "}},
  {"non-sequitur", {" non sequitur ", " nonsequitur ", " non sequiturs "}},
  {"contradiction", {" contradiction ", " contradictory ", " self contradiction ", " contradicts "}},
}

local function read_flags(part)
  local s = spaced(part:gsub("[,;]", " , "))
  local flags, seen = {}, {}
  for _, f in ipairs(FLAG_FORMS) do
    for _, form in ipairs(f[2]) do
      local a, b = s:find(form, 1, true)
      if a then
        if not seen[f[1]] then flags[#flags + 1], seen[f[1]] = f[1], true end
        s = s:sub(1, a) .. (" "):rep(b - a - 1) .. s:sub(b) -- blank it, keep positions
      end
    end
  end
  return flags, s
end

local function read_type(part)
  local s = part:lower()
  if s:find("evidence", 1, true) then return "evidence-grounded" end
  if s:find("criteri", 1, true) then return "criterion-grounded" end
  if s:find("generic", 1, true) or s:find("style", 1, true) then return "generic/style" end
  return nil
end

local NOT_FLAGS = {none = true, ["n a"] = true, no = true, ["no flags"] = true, flags = true,
                   ["-"] = true, [""] = true, evidence = true, criterion = true, generic = true,
                   ["evidence grounded"] = true, ["criterion grounded"] = true, ["generic style"] = true}

-- line(rest) -> {type, flags, unknown_flags} | nil: one reason's verdict, after its "S<j>:" label.
local function read_line(rest)
  rest = rest:gsub("%*%*", ""):gsub("`", "")
  local cut = rest:find("|", 1, true) or rest:find(";", 1, true)
  local lower = rest:lower()
  local fpos = lower:find("flags?%s*[:=]")
  if not cut and fpos then cut = fpos end
  local type_part = cut and rest:sub(1, cut - 1) or rest
  local flag_part = cut and rest:sub(cut + 1) or rest
  flag_part = flag_part:gsub("^%s*[Ff]lags?%s*[:=]%s*", "")
  local flags, leftover = read_flags(flag_part)
  -- The type is read with the flag names blanked out ("generic-correctness" is not "generic").
  local _, type_left = read_flags(type_part)
  local t = read_type(type_left)
  if not t then return nil end
  local unknown = {}
  if cut then
    for piece in leftover:gmatch("[^,]+") do
      local w = piece:gsub("^%s+", ""):gsub("%s+$", "")
      if not NOT_FLAGS[w] and w:find("%a") then unknown[#unknown + 1] = w end
    end
  end
  return {type = t, flags = flags, unknown_flags = unknown}
end

-- parse(text, n) -> {labels = {[j] = {type, flags, unknown_flags}}, issues} | nil, why, issues
-- Never raises. Lines name their reason `S<j>` (or just `<j>`), with any bullet, bold or case.
-- issues: missing (reasons with no line), duplicate (a reason given twice: the first line
-- counts), out_of_range (a number above n), unread_lines (lines in the block that could not be
-- read), and the block's own issues (unterminated, multiple_blocks). No block, or a block in
-- which no line can be read, is a failure to parse.
function M.parse(text, n)
  n = math.tointeger(n) or 0
  if type(text) ~= "string" or not text:find("%S") then return nil, "empty reply", json.object() end
  local body, issues = decompose.block(text, "AUDIT")
  if not body then return nil, "no <AUDIT_START> ... <AUDIT_END> block", issues end
  local labels, read = {}, 0
  for line in (body .. "\n"):gmatch("([^\n]*)\n") do
    local plain = line:gsub("%*%*", ""):gsub("\r$", "")
    plain = plain:gsub("^%s*\226\128\162", "-") -- a "•" bullet
    local j, rest = plain:match("^[%s%-%*+#>]*%[?[Ss]?(%d+)%]?%s*[:%.%)%-]%s*(.*)$")
    if not j then j, rest = plain:match("^[%s%-%*+#>]*%[?[Ss](%d+)%]?%s+(.*)$") end -- "S1 EVIDENCE | none"
    j = j and #j <= 6 and math.tointeger(tonumber(j)) or nil
    local v = j and read_line(rest)
    if not v then
      if plain:find("%S") then issues.unread_lines = (issues.unread_lines or 0) + 1 end
    elseif j < 1 or j > n then
      issues.out_of_range = (issues.out_of_range or 0) + 1
    elseif labels[j] then
      issues.duplicate = (issues.duplicate or 0) + 1
    else
      labels[j] = v
      read = read + 1
    end
  end
  if read == 0 then return nil, "no readable line in the audit block", issues end
  local missing = 0
  for j = 1, n do if not labels[j] then missing = missing + 1 end end
  if missing > 0 then issues.missing = missing end
  return {labels = labels, issues = issues}
end

---------------------------------------------------------------------------------------------------
-- The heuristic classifier: transparent keyword and pattern rules, no API. Each decision lists the
-- rules that fired (`rules`), so a surprising label can be traced to its cause.

local function set(words)
  local t = {}
  for w in words:gmatch("%S+") do t[w] = true end
  return t
end

-- Named criteria: what a reason can say is being judged, without evidence for it.
local CRITERION = set[[instruction instructions instructed asked asks request requested requests
  requirement requirements required requires constraint constraints limit limits correct correctly
  correctness incorrect inaccurate accurate accuracy error errors erroneous wrong mistake mistakes
  false untrue bug bugs buggy fails fail failure safety safe unsafe harmful harm dangerous
  hallucinates hallucination hallucinated invents invented fabricates fabricated factual factually
  facts relevant relevance irrelevant addresses question user user's prompt task misses missing
  omits omitted ignores ignored misunderstands misreads compile compiles edge valid invalid solves
  verifies verified]]

local STYLE = set[[format formatted formatting bold bullet bullets bulleted heading headings header
  headers list lists table tables emoji emojis structure structured organised organized
  organisation organization layout length long longer lengthy short shorter concise brief terse
  verbose wordy detailed thorough comprehensive tone friendly professional polished engaging
  readable readability flows flow smoothly smooth clean cleaner tidy neat neatly nicely confident
  warm polite casual formal style presentation presented visually scan skim checkmarks varied
  depth informative complete fuller fully minimal bare enthusiastic upbeat encouraging reassuring
  caring heartfelt persuasive expert educational pedagogical clear clearer clearly easy easier
  descriptive elaborate succinct compact]]

local IMPRESSION = set[[feels feel sounds seems seem engaging polished impressive persuasive
  confident reassuring caring heartfelt warm enthusiastic upbeat encouraging friendly fun smooth
  smoothly flows nicer nicely appealing elegant expert natural pleasant professional impressive
  dismissive]]

local CORRECTNESS = set[[correct correctly correctness accurate accuracy inaccurate incorrect wrong
  error errors mistake mistakes valid invalid works working]]

local RELEVANCE = set[[relevant relevance irrelevant on-topic off-topic addresses helpful useful
  unhelpful actionable practical focused]]
local RELEVANCE_PHRASES = {"to the point", "answers the question", "what the user asked", "user's needs",
                           "the user's question"}

-- Evaluative words only: "gives", "explains" describe, they do not praise.
local POSITIVE = set[[better best clear clearer concise correct correctly accurate detailed thorough
  comprehensive complete helpful useful polished professional engaging friendly warm easy easier
  smooth smoothly clean tidy neat nicely well good great effective effectively confident
  reassuring honest idiomatic valid fuller educational informative organised organized structured
  readable balanced direct caring heartfelt persuasive practical plenty strong richer stronger
  impressive natural elegant appropriate]]

-- No bare negations ("not", "don't"): in "blue and not violet" they describe, they do not judge.
local NEGATIVE = set[[worse worst wrong incorrect false error errors bug buggy fails failed missing
  lacks lack omits ignores ignoring invents too overly bare minimal terse dismissive less hard
  verbose unprofessional confusing unclear backwards stuck hangs breaks risks dangerous toxic
  inaccurate poor weak unhelpful irrelevant padded repetitive awkward odd]]

-- Antonym poles: one response described as both is a contradiction.
local POLES = {
  {set"detailed thorough comprehensive long longer lengthy verbose wordy fuller extensive elaborate",
   set"concise brief short shorter terse minimal bare succinct compact"},
  {set"formal", set"casual informal chatty"},
  {set"correct accurate", set"wrong incorrect inaccurate"},
}

local function words_of(s)
  local out = {}
  for w in s:lower():gmatch("[%a][%a'%-]*") do
    w = w:gsub("'s$", ""):gsub("[%-']+$", "")
    out[#out + 1] = w
    if w:find("-", 1, true) then -- "well-organised" is also "well" and "organised"
      for part in w:gmatch("[^%-]+") do out[#out + 1] = part end
    end
  end
  return out
end

-- The text with the responses' names and S<j>/R<i> labels taken out, so "Response 1" is no number.
local function unlabelled(s)
  return (s:gsub("@?[Rr]esponses?%s*[12ABab]%f[%W]", " "):gsub("%f[%w][RrSs]%d+%f[%W]", " "))
end

local function find_quote(s)
  for _, pair in ipairs{{'"', '"'}, {"`", "`"}, {"\226\128\156", "\226\128\157"}, {"\226\128\152", "\226\128\153"},
                        {"\194\171", "\194\187"}, {"\227\128\140", "\227\128\141"}} do
    local a = 1
    while true do
      local i, j = s:find(pair[1], a, true)
      if not i then break end
      local k, l = s:find(pair[2], j + 1, true)
      if not k then break end
      local inner = s:sub(j + 1, k - 1)
      if inner:find("%S") and #inner <= 200 then return inner end
      a = l + 1
    end
  end
  -- Single quotes: an opening ' after a space or bracket, a closing ' before a space or mark, so
  -- the apostrophes in "B's" and "doesn't" are not quotes.
  for i in s:gmatch("()'") do
    local before = i == 1 and " " or s:sub(i - 1, i - 1)
    if before:match("[%s%(%[/]") and s:sub(i + 1, i + 1):match("[^%s']") then
      local k = i + 1
      while true do
        k = s:find("'", k + 1, true)
        if not k then break end
        local after = s:sub(k + 1, k + 1)
        if s:sub(k - 1, k - 1):match("%S") and (after == "" or after:match("[%s%p]")) then
          return s:sub(i + 1, k - 1)
        end
      end
    end
  end
  return nil
end

local CODE_PATTERNS = {
  {"[%a_][%w_%.]*%(", "a call"},                  -- fn( list(set(
  {"%w_%w", "a snake_case name"},
  {"%l%u%l", "a camelCase name"},
  {"%a%.%a[%w_]*%(", "a method call"},
  {"[%w%)%]]%s*[%+%-%*/%%]?==?%s*[%w%(%[]", "an assignment or comparison"},
  {"[=%-]>", "an arrow"},
  {"::", "a scope operator"},
  {"%$[%w{(]", "a shell variable"},
  {"\\[%a%d]", "an escape"},
  {"[%w%]%)][%[{][^%s]", "an index or brace"},
  {"%a/%a", "a slash-joined term"},
}

local NOT_NAMES = set[[response responses both the a b i it its this that these those each neither
  either one also so but and overall however while whereas only just if when in on with without]]

-- A capitalised word that does not start a sentence (Leeds, SQL, Python), or a word in a
-- non-Latin script or with accented letters (Évora, 请假申请).
local function find_name(s)
  local pos, prev_end = 1, nil
  while true do
    local a, b = s:find("[%a\128-\255][%w\128-\255'%-]*", pos)
    if not a then break end
    local w = s:sub(a, b)
    local before = s:sub(1, a - 1)
    local starts = prev_end == nil or before:match("[%.!?:;]%s*[\"'(%[]?%s*$") ~= nil
    if w:find("[\195-\223\227-\237]") then return w end
    -- Single capitals other than A, B and I are names too (the C, H and O of a formula).
    if not starts and w:match("^%u") and not NOT_NAMES[w:lower():gsub("'s$", "")] then
      if w:match("^%u%u") or w:match("^%u[%l']") or w:match("^%u$") then return w end
    end
    prev_end = b
    pos = b + 1
  end
  return nil
end

local function without_quotes(s)
  local q = find_quote(s)
  local guard = 0
  while q and guard < 20 do
    local i, j = s:find(q, 1, true)
    s = s:sub(1, i - 1) .. " " .. s:sub(j + 1)
    q, guard = find_quote(s), guard + 1
  end
  return s
end

-- subject(s) -> "A" | "B" | nil: the response a reason is about (the first one it names).
local function subject(s)
  local best, who = math.huge, nil
  for pat, side in pairs{["[Rr]esponse%s*[Aa1]%f[%W]"] = "A", ["[Rr]esponse%s*[Bb2]%f[%W]"] = "B"} do
    local i = s:find(pat)
    if i and i < best then best, who = i, side end
  end
  if s:lower():match("^%s*both") or s:lower():match("^%s*neither") then return nil end
  return who
end

local function names_both(s)
  return s:find("[Rr]esponse%s*[Aa1]%f[%W]") and s:find("[Rr]esponse%s*[Bb2]%f[%W]") and true or false
end

local function count(ws, dict)
  local n, hit = 0, nil
  for _, w in ipairs(ws) do if dict[w] then n, hit = n + 1, hit or w end end
  return n, hit
end

local function winner(label)
  local v = type(label) == "string" and dataset.LABELS[label:gsub("%s", "")] or nil
  if not v or v == 0 then return nil end
  return v < 0 and "A" or "B"
end

local function pole_of(ws)
  local out = {}
  for g, pair in ipairs(POLES) do
    for side = 1, 2 do
      for _, w in ipairs(ws) do if pair[side][w] then out[g] = out[g] or side end end
    end
  end
  return out
end

-- heuristic(reasons, label) -> list of {type, flags, rules}: one per reason. `rules` names what
-- fired, e.g. {"evidence: a quote ('always a verb')", "flag non-sequitur: favours B, verdict A>B"}.
function M.heuristic(reasons, label)
  local out, facts = {}, {}
  local win = winner(label)
  for j, text in ipairs(reasons) do
    local bare = unlabelled(text)
    local ws = words_of(bare)
    local rules, flags = {}, {}
    local ev
    local q = find_quote(text)
    if q then ev = ("a quote (%s)"):format(q) end
    if not ev then
      local num = bare:match("%d[%d%.,]*")
      if num then ev = ("a number (%s)"):format(num:gsub("[%.,]$", "")) end
    end
    if not ev then
      for _, cp in ipairs(CODE_PATTERNS) do
        local hit = bare:match(cp[1])
        if hit then ev = ("%s (%s)"):format(cp[2], hit) break end
      end
    end
    if not ev then
      local name = find_name(bare)
      if name then ev = ("a named specific (%s)"):format(name) end
    end
    local n_crit, crit = count(ws, CRITERION)
    local n_style, sty = count(ws, STYLE)
    local t
    if ev then
      t = "evidence-grounded"
      rules[#rules + 1] = "evidence: " .. ev
    elseif n_crit > 0 then
      t = "criterion-grounded"
      rules[#rules + 1] = ("criterion: names '%s', no specifics"):format(crit)
    else
      t = "generic/style"
      rules[#rules + 1] = n_style > 0 and ("generic: style word '%s', no criterion or specifics"):format(sty)
        or "generic: no criterion or specifics"
    end
    local function flag(name, why)
      flags[#flags + 1] = name
      rules[#rules + 1] = ("flag %s: %s"):format(name, why)
    end
    local who = subject(text)
    -- Polarity is read only from reasons without evidence, and never from quoted words: in an
    -- evidence-grounded reason "not", "no" and "error" describe the content, not the verdict.
    local pos, neg = 0, 0
    if t ~= "evidence-grounded" then
      local evaluative = words_of(unlabelled(without_quotes(text)))
      pos, neg = count(evaluative, POSITIVE), count(evaluative, NEGATIVE)
    end
    if t ~= "evidence-grounded" then
      if n_style > 0 and n_crit == 0 then flag("style-only", ("only style words ('%s')"):format(sty)) end
      local n_cor, cor = count(ws, CORRECTNESS)
      if n_cor > 0 then flag("generic-correctness", ("'%s' without saying what"):format(cor)) end
      local n_rel, rel = count(ws, RELEVANCE)
      if n_rel == 0 then
        local l = text:lower()
        for _, ph in ipairs(RELEVANCE_PHRASES) do if l:find(ph, 1, true) then n_rel, rel = 1, ph break end end
      end
      if n_rel > 0 then flag("generic-relevance", ("'%s' without saying how"):format(rel)) end
      if pos > neg and not names_both(text) then flag("one-sided-praise", "praise naming only one response") end
      local n_imp, imp = count(ws, IMPRESSION)
      if n_imp > 0 then flag("unfalsifiable", ("impression word '%s'"):format(imp)) end
    end
    if win and who and pos ~= neg then
      local favours = pos > neg and who or (who == "A" and "B" or "A")
      if favours ~= win then
        flag("non-sequitur", ("favours Response %s, the verdict %s favours %s"):format(favours, label, win))
      end
    end
    facts[j] = {who = who, poles = t ~= "evidence-grounded" and pole_of(ws) or {}}
    out[j] = {type = t, flags = flags, rules = rules}
  end
  -- Contradictions: the same response called, say, both concise and detailed.
  for j = 1, #reasons do
    for k = 1, #reasons do
      local a, b = facts[j], facts[k]
      if j ~= k and a.who and a.who == b.who then
        for g, side in pairs(a.poles) do
          if b.poles[g] and b.poles[g] ~= side then
            local has = false
            for _, f in ipairs(out[j].flags) do has = has or f == "contradiction" end
            if not has then
              out[j].flags[#out[j].flags + 1] = "contradiction"
              out[j].rules[#out[j].rules + 1] = ("flag contradiction: reason %d says the opposite of Response %s"):format(k, a.who)
            end
          end
        end
      end
    end
  end
  return out
end

---------------------------------------------------------------------------------------------------
-- Running the audit.

-- check(item, judges) -> nil | "field: what is wrong": what auditing needs from a dataset line
-- (no human-checklist: an audit reads only the judges' reasons).
function M.check(item, judges)
  if type(item) ~= "table" or json.is_array(item) then return "the line is not a JSON object" end
  for _, m in ipairs(judges or {}) do
    local ck = dataset.key_of(item, m, "checklist")
    if not ck then return m .. "-checklist: missing" end
    if not dataset.is_list_of_strings(item[ck]) then return ck .. ": expected a list of strings" end
    local lk = dataset.key_of(item, m, "label")
    if lk and item[lk] ~= json.null and type(item[lk]) ~= "string" then
      return lk .. ": expected a string"
    end
  end
  return nil
end

local VERDICTS = {["A>>B"] = "A>>B (Response A is much better)", ["A>B"] = "A>B (Response A is better)",
                  ["A=B"] = "A=B (about the same)", ["B>A"] = "B>A (Response B is better)",
                  ["B>>A"] = "B>>A (Response B is much better)"}

local function def_vars()
  local v = {}
  v.def_evidence = M.DEFINITIONS["evidence-grounded"]
  v.def_criterion = M.DEFINITIONS["criterion-grounded"]
  v.def_generic = M.DEFINITIONS["generic/style"]
  for _, f in ipairs(M.FLAGS) do v["def_" .. f:gsub("%-", "_")] = M.DEFINITIONS[f] end
  return v
end

-- vars(item, reasons, label) -> the values a template can use: conversation, response1, response2,
-- verdict, reasons (numbered S1., S2., ...) and def_<type or flag> (the one-line definitions).
function M.vars(item, reasons, label)
  local v = def_vars()
  v.conversation = decompose.conversation(item)
  v.response1 = type(item.response1) == "string" and item.response1 or ""
  v.response2 = type(item.response2) == "string" and item.response2 or ""
  local l = type(label) == "string" and label:gsub("%s", "") or nil
  v.verdict = l and (VERDICTS[l] or l) or "not given"
  v.reasons = prompts.numbered(reasons, "S")
  return v
end

-- check_template(template) -> true | nil, message (renders it on a dummy item; needs {{reasons}})
function M.check_template(template)
  if type(template) ~= "string" then return nil, "the template is not a string" end
  if not template:find("{{%s*reasons%s*}}") then return nil, "the template has no {{reasons}} placeholder" end
  local ok, err = pcall(prompts.render, template, M.vars({}, {}, nil))
  if not ok then return nil, tostring(err):gsub("^.-prompts%.render: ", "") end
  return true
end

local A = {}
A.__index = A

-- new{classifier = "heuristic"} or new{client =, template = M.TEMPLATE, reasks = 1, params =,
-- top_k = 0} -> auditor. top_k > 0 audits only a judge's first top_k reasons.
function M.new(opts)
  if type(opts) ~= "table" then error("ratio.audit.new: expected a table of options", 2) end
  local self = setmetatable({top_k = opts.top_k or 0}, A)
  if opts.classifier == "heuristic" or (opts.classifier == nil and not opts.client) then
    self.classifier = "heuristic"
    return self
  end
  if opts.classifier ~= nil and opts.classifier ~= "llm" then
    error("ratio.audit.new: classifier must be heuristic or llm", 2)
  end
  if not opts.client then error("ratio.audit.new: the llm classifier needs client = ratio.llm{...}", 2) end
  local template = opts.template or M.TEMPLATE
  local ok, err = M.check_template(template)
  if not ok then error("ratio.audit.new: " .. err, 2) end
  local reasks = opts.reasks or 1
  if math.type(reasks) ~= "integer" or reasks < 0 or reasks > 1 then error("ratio.audit.new: reasks must be 0 or 1", 2) end
  self.classifier, self.client, self.template, self.reasks = "llm", opts.client, template, reasks
  self.params = opts.params or {} -- settings: the client's (no hidden defaults)
  prompts.register(opts.name or "audit", template)
  return self
end

-- a:run(item, judge) -> {judge, label, status, reasons = {{text, status, type, flags, rules,
--   unknown_flags}...}, raw, reasks, issues, error, code}
-- status: "valid" (every reason classified), "partial" (some reasons `unscored`), "unscored" (no
-- readable reply after the re-ask; raw kept), "failed" (the call failed; error, code), "skipped"
-- (no reasons to audit).
function A:run(item, judge)
  local ck = dataset.key_of(item, judge, "checklist")
  local list = ck and item[ck] or {}
  local lk = dataset.key_of(item, judge, "label")
  local label = lk and type(item[lk]) == "string" and item[lk] or nil
  local reasons = {}
  for j, s in ipairs(list) do
    if self.top_k > 0 and j > self.top_k then break end
    reasons[j] = s
  end
  local r = {judge = judge, label = label, reasons = {}, raw = {}, reasks = 0}
  for j, s in ipairs(reasons) do r.reasons[j] = {text = s, status = "unscored"} end
  if #reasons == 0 then
    r.status = "skipped"
    return r
  end
  if self.classifier == "heuristic" then
    for j, h in ipairs(M.heuristic(reasons, label)) do
      local x = r.reasons[j]
      x.status, x.type, x.flags, x.rules = "valid", h.type, h.flags, h.rules
    end
    r.status = "valid"
    return r
  end
  local messages = {{role = "user", content = prompts.render(self.template, M.vars(item, reasons, label))}}
  local parsed
  for attempt = 0, self.reasks do
    local reply, err, code = self.client:chat(messages, self.params)
    if not reply then
      r.status, r.error, r.code = "failed", err, code
      for _, x in ipairs(r.reasons) do x.status = "failed" end
      return r
    end
    prompts.keep_reply(r, reply)
    local perr, issues
    parsed, perr, issues = M.parse(reply.text, #reasons)
    if parsed then
      r.issues = parsed.issues
      break
    end
    r.error, r.issues = perr, issues
    if attempt == self.reasks then break end
    r.reasks = r.reasks + 1
    messages[#messages + 1] = {role = "assistant", content = reply.text}
    messages[#messages + 1] = {role = "user", content = M.REASK}
  end
  if not parsed then
    r.status = "unscored"
    return r
  end
  r.error = nil
  local missing = 0
  for j, x in ipairs(r.reasons) do
    local l = parsed.labels[j]
    if l then
      x.status, x.type, x.flags = "valid", l.type, l.flags
      if #l.unknown_flags > 0 then x.unknown_flags = l.unknown_flags end
    else
      missing = missing + 1
    end
  end
  r.status = missing == 0 and "valid" or "partial"
  return r
end

---------------------------------------------------------------------------------------------------
-- Distributions.

-- share_ci(hits, totals, {resamples = 1000, level = 0.95, seed = 1}) -> {estimate, lo, hi, se} | nil
-- The pooled share sum(hits) / sum(totals), with a percentile bootstrap that resamples items
-- (clusters), not single rationales: a judge's reasons on one item are not independent. Items
-- with total 0 are left out. The statistics kernel's (ratio.stats.share_ci), seeded.
M.share_ci = stats.share_ci

-- summarize(results, {resamples, level, seed}) -> {items = {total, valid, partial, unscored,
--   failed, skipped}, rationales = {total, classified, unscored, failed}, types = {[t] = {count,
--   share, ci}}, flags = {[f] = {count, share, ci}}, any_flag = {count, share, ci}, unknown_flags}
-- Shares are of the classified rationales (unscored and failed ones are counted, not guessed).
function M.summarize(results, opts)
  local items = {total = 0, valid = 0, partial = 0, unscored = 0, failed = 0, skipped = 0}
  local rats = {total = 0, classified = 0, unscored = 0, failed = 0}
  local totals, per = {}, {}
  local keys = {}
  for _, t in ipairs(M.TYPES) do keys[#keys + 1] = t end
  for _, f in ipairs(M.FLAGS) do keys[#keys + 1] = f end
  keys[#keys + 1] = "any"
  for _, k in ipairs(keys) do per[k] = {} end
  local unknown = 0
  for i, r in ipairs(results) do
    items.total = items.total + 1
    items[r.status] = (items[r.status] or 0) + 1
    totals[i] = 0
    for _, k in ipairs(keys) do per[k][i] = 0 end
    for _, x in ipairs(r.reasons or {}) do
      rats.total = rats.total + 1
      if x.status == "valid" then
        rats.classified = rats.classified + 1
        totals[i] = totals[i] + 1
        per[x.type][i] = per[x.type][i] + 1
        for _, f in ipairs(x.flags) do per[f][i] = per[f][i] + 1 end
        if #x.flags > 0 then per.any[i] = per.any[i] + 1 end
        if x.unknown_flags then unknown = unknown + #x.unknown_flags end
      elseif x.status == "failed" then
        rats.failed = rats.failed + 1
      else
        rats.unscored = rats.unscored + 1
      end
    end
  end
  local function dist(k)
    local c = 0
    for _, v in ipairs(per[k]) do c = c + v end
    local ci = M.share_ci(per[k], totals, opts)
    return {count = c, share = rats.classified > 0 and c / rats.classified or nil, ci = ci and {lo = ci.lo, hi = ci.hi} or nil}
  end
  local s = {items = items, rationales = rats, types = {}, flags = {}, unknown_flags = unknown}
  for _, t in ipairs(M.TYPES) do s.types[t] = dist(t) end
  for _, f in ipairs(M.FLAGS) do s.flags[f] = dist(f) end
  s.any_flag = dist("any")
  return s
end

return M
