-- The LLM matcher: an LLM MetaJudge scores how well the judge's reasons capture each human
-- rationale, on the paper's five-level scale, strictly, in lines `- R<i>@S<j>: <score>` between
-- <RESULT_START> and <RESULT_END>.
--
-- The prompt is a file. ratio's own is plugins/matchers/templates/ratio.txt (copy it, edit it,
-- pass the copy as template = M.load_template(path)); a template has {{human}} and {{model}}.
-- load_template also reads the published metajudge_infer.py (QwenLM/RationaleRM) as it stands:
-- it finds the template string the script formats, maps its two placeholders to the model and
-- human lists by the script's own .format(...) call, and renders the lists as the script does
-- (`R1: text`), so ratio ships none of that prompt's text and runs it unchanged.
--
-- Two presets (docs/metrics.md, "Reproducing the published numbers"):
--   ratio      no sampling settings of its own (the client's --metajudge-* ones, else the API's
--              defaults); a reply with no readable block is asked again in the
--              same conversation (`reasks`, default 1), then the item is `unscored`.
--   published  what metajudge_infer.py does: temperature 0.6, 8192 tokens; a reply failing the
--              script's format check (no block, no score line, a score above 1, R lines not
--              R1, R2, ... in order) is sampled again from the same prompt, 5 samples at most,
--              and the last is kept.
-- The default, auto, takes the published preset for the published script's template and ratio's
-- for any other. When the template is the user's copy of the script, its argparse defaults
-- (--temperature, --max-tokens, --max-retries) replace the preset's numbers, which are the
-- published file's. Sampling a recipe sets explicitly (params) wins over either. A reasoning section
-- (`<think>...</think>`) is set apart before the reply is read or kept: the kept reply is the
-- answer, as the published output file holds it, and info.reasoning has the rest.
local prompts = require "ratio.prompts"
local metrics = require "ratio.core.metrics"
local sys = require "ratio.core.sys"

local M = {}

M.DIR = (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".") .. "/templates"

local read_file = require("ratio.core.sys").read_file

-- One trailing newline is the editor's, not the prompt's.
local function text_template(s) return (s:gsub("\r?\n$", "")) end

M.TEMPLATE = text_template(assert(read_file(M.DIR .. "/ratio.txt")))

M.REASK = [[Your answer had no readable result block. Reply again with only the block: one line per human rationale, `- R<i>@S<j>: <score>` with a score of 0, 0.25, 0.5, 0.75 or 1, between <RESULT_START> and <RESULT_END>.]]

M.PRESETS = {
  -- No sampling settings: the MetaJudge client's own (--metajudge-temperature, ...) or the API's
  -- defaults, since today's reasoning models reject a temperature other than theirs.
  ratio = {params = {}, retry = "reask", tries = 2, lists = "ratio"},
  published = {params = {temperature = 0.6, max_tokens = 8192}, retry = "resample", tries = 5, lists = "published"},
}

---------------------------------------------------------------------------------------------------
-- Lists as each prompt shows them.

-- lists(list, prefix, style) -> text. "ratio": `R1. text` lines; "published": `R1: text` with each
-- point's surrounding white space removed, as metajudge_infer.py builds them.
function M.lists(list, prefix, style)
  if style ~= "published" then return prompts.numbered(list, prefix) end
  local lines = {}
  for i, s in ipairs(list) do lines[i] = ("%s%d: %s"):format(prefix, i, (s:gsub("^%s+", ""):gsub("%s+$", ""))) end
  return (table.concat(lines, "\n"):gsub("^%s+", ""):gsub("%s+$", ""))
end

---------------------------------------------------------------------------------------------------
-- Reading the published script: Python string literals and str.format placeholders.

local ESCAPES = {n = "\n", t = "\t", r = "\r", a = "\a", b = "\b", f = "\f", v = "\v",
                 ["\\"] = "\\", ["'"] = "'", ['"'] = '"', ["\n"] = ""}

local function utf8_of(cp) return (cp and cp <= 0x10FFFF) and utf8.char(cp) or nil end

-- The value of a Python string literal's body (escapes resolved unless raw).
local function py_unescape(body, raw)
  if raw then return body end
  local out, i = {}, 1
  while i <= #body do
    local c = body:sub(i, i)
    if c ~= "\\" then
      local j = body:find("\\", i, true) or (#body + 1)
      out[#out + 1] = body:sub(i, j - 1)
      i = j
    else
      local e = body:sub(i + 1, i + 1)
      if ESCAPES[e] then
        out[#out + 1], i = ESCAPES[e], i + 2
      elseif e == "x" and body:sub(i + 2, i + 3):match("^%x%x$") then
        out[#out + 1], i = utf8_of(tonumber(body:sub(i + 2, i + 3), 16)), i + 4
      elseif e == "u" and body:sub(i + 2, i + 5):match("^%x%x%x%x$") then
        out[#out + 1], i = utf8_of(tonumber(body:sub(i + 2, i + 5), 16)), i + 6
      elseif e == "U" and body:sub(i + 2, i + 9):match("^%x%x%x%x%x%x%x%x$") then
        out[#out + 1], i = utf8_of(tonumber(body:sub(i + 2, i + 9), 16)) or "", i + 10
      elseif e:match("[0-7]") then
        local oct = body:match("^[0-7][0-7]?[0-7]?", i + 1)
        out[#out + 1], i = utf8_of(tonumber(oct, 8)), i + 1 + #oct
      else -- Python keeps an unknown escape as written
        out[#out + 1], i = "\\" .. e, i + 2
      end
    end
  end
  return table.concat(out)
end

-- Top-level `NAME = <string literal>` assignments: {name, value, line}. Triple-quoted strings and
-- one-line strings, with an r/u prefix; f- and b-strings are not templates.
local function py_assignments(src)
  local out = {}
  local pos = 1
  while true do
    local s, e, name, prefix, q = src:find('\n([%a_][%w_]*)%s*=%s*([rRuU]?)(""")', pos)
    local s2, e2, name2, prefix2, q2 = src:find("\n([%a_][%w_]*)%s*=%s*([rRuU]?)(''')", pos)
    if s2 and (not s or s2 < s) then s, e, name, prefix, q = s2, e2, name2, prefix2, q2 end
    if not s then break end
    local close = src:find(q, e + 1, true)
    -- a closing quote preceded by an odd number of backslashes is escaped
    while close and not prefix:match("[rR]") and #(src:sub(1, close - 1):match("\\*$")) % 2 == 1 do
      close = src:find(q, close + 1, true)
    end
    if not close then break end
    local line = select(2, src:sub(1, s):gsub("\n", "")) -- src starts with the "\n" we added
    out[#out + 1] = {name = name, value = py_unescape(src:sub(e + 1, close - 1), prefix:match("[rR]") ~= nil), line = line}
    pos = close + 3
  end
  return out
end

-- str.format's replacement fields of a template: {"name", ...} in order, or nil, why.
local function py_fields(t)
  local fields, i = {}, 1
  while i <= #t do
    local c = t:sub(i, i)
    if c == "{" and t:sub(i + 1, i + 1) == "{" then i = i + 2
    elseif c == "}" and t:sub(i + 1, i + 1) == "}" then i = i + 2
    elseif c == "{" then
      local close = t:find("}", i, true)
      if not close then return nil, "a '{' that is never closed" end
      local f = t:sub(i + 1, close - 1)
      if not f:match("^[%a_][%w_]*$") then
        return nil, ("the placeholder {%s} is not a plain name (ratio reads {name} only)"):format(f)
      end
      fields[#fields + 1] = f
      i = close + 1
    elseif c == "}" then return nil, "a single '}' (str.format would fail)"
    else i = i + 1 end
  end
  return fields
end

-- The keyword arguments of `NAME.format(...)` in src: {field = "expression"} or nil.
local function py_format_call(src, name)
  local at = src:find(name .. ".format(", 1, true)
  if not at then return nil end
  local i, depth, start = at + #name + 8, 1, at + #name + 8
  local args = {}
  local function arg(s)
    local k, v = s:match("^%s*([%a_][%w_]*)%s*=%s*(.-)%s*$")
    if k then args[k] = v end
  end
  while i <= #src and depth > 0 do
    local c = src:sub(i, i)
    if c == "(" or c == "[" or c == "{" then depth = depth + 1
    elseif c == ")" or c == "]" or c == "}" then depth = depth - 1
    elseif c == "," and depth == 1 then arg(src:sub(start, i - 1)) start = i + 1 end
    i = i + 1
  end
  arg(src:sub(start, i - 2))
  return args
end

local function role_by_words(s)
  s = s:lower()
  local h = s:find("human") or s:find("target") or s:find("reference") or s:find("gold")
  local m = s:find("model") or s:find("source") or s:find("original") or s:find("candidate") or s:find("pred")
  if h and not m then return "human" elseif m and not h then return "model" end
  return nil
end

-- published_template(src, path) -> {template, fields = {human =, model =}, variable, line} | nil, why
-- The template the script formats, turned into a ratio template ({{human}}, {{model}}).
function M.published_template(src, path)
  src = "\n" .. src:gsub("\r\n", "\n")
  local found, bad = {}, nil
  for _, a in ipairs(py_assignments(src)) do
    local fields, why = py_fields(a.value)
    if fields and #fields > 0 then a.fields = fields found[#found + 1] = a end
    if not fields then bad = bad or ("%s:%d: %s: %s"):format(path, a.line, a.name, why) end
  end
  if #found == 0 then
    return nil, bad or ("%s: no template string with {placeholders} assigned at the top level"):format(path)
  end
  -- Prefer the string the script formats; a script with several must say which by formatting one.
  local chosen = {}
  for _, a in ipairs(found) do
    a.call = py_format_call(src, a.name)
    if a.call then chosen[#chosen + 1] = a end
  end
  if #chosen == 0 then chosen = found end
  if #chosen > 1 then
    local names = {}
    for i, a in ipairs(chosen) do names[i] = a.name end
    return nil, ("%s: several template strings (%s); keep one or pass a ratio template"):format(path, table.concat(names, ", "))
  end
  local a = chosen[1]
  local roles, seen = {}, {}
  for _, f in ipairs(a.fields) do
    if not seen[f] then
      seen[f] = true
      local role = a.call and a.call[f] and role_by_words(a.call[f]) or role_by_words(f)
      if not role then
        return nil, ("%s:%d: %s: cannot tell whether {%s} is the human or the model list"):format(path, a.line, a.name, f)
      end
      if roles[role] then
        return nil, ("%s:%d: %s: {%s} and {%s} both look like the %s list"):format(path, a.line, a.name, roles[role], f, role)
      end
      roles[role] = f
    end
  end
  if not roles.human or not roles.model then
    return nil, ("%s:%d: %s: needs one placeholder for the human list and one for the model list"):format(path, a.line, a.name)
  end
  -- str.format -> ratio: {{ and }} are literal braces, {field} a list.
  local role_of = {[roles.human] = "human", [roles.model] = "model"}
  local out = a.value:gsub("{{", "\1"):gsub("}}", "\2"):gsub("{([%a_][%w_]*)}", function(f)
    return "{{" .. role_of[f] .. "}}"
  end):gsub("\1", "{"):gsub("\2", "}")
  local n = 0
  for _ in out:gmatch("{{%s*[%w_]+%s*}}") do n = n + 1 end
  if n ~= #a.fields then
    return nil, ("%s:%d: %s: the literal text has {{name}} in it, which ratio would read as a placeholder"):format(path, a.line, a.name)
  end
  return {template = out, fields = roles, variable = a.name, line = a.line}
end

-- The script's own argparse default of --<flag>, as a number, or nil.
local function py_default(src, flag)
  for call in src:gmatch("add_argument(%b())") do
    if call:match("^%(%s*['\"]%-%-" .. flag:gsub("%-", "%%-") .. "['\"]") then
      return tonumber(call:match("default%s*=%s*([%d%.eE+%-]+)"))
    end
  end
  return nil
end

-- is_python(path, text) -> true for a .py file or a script with a python shebang.
local function is_python(path, text)
  return path:match("%.py$") ~= nil or text:match("^#![^\n]*python") ~= nil
end

-- load_template(path) -> spec | nil, message
-- spec = {template (ratio form), kind = "ratio" | "published-script", lists = "ratio" | "published",
--         source = path, sha256 (of the file); published-script only: variable, fields, and
--         sampling = {temperature, max_tokens} and max_retries, the script's argparse defaults}
-- A .lua file returns the template string; a .py file is read as the published script; any other
-- file is the template text itself.
function M.load_template(path)
  local text, err = read_file(path)
  if not text then return nil, err end
  local spec = {source = path, sha256 = sys.sha256(text)}
  if path:match("%.lua$") then
    local chunk, lerr = load(text, "@" .. path, "t", {})
    if not chunk then return nil, lerr end
    local ok, v = pcall(chunk)
    if not ok then return nil, ("%s: %s"):format(path, tostring(v)) end
    if type(v) ~= "string" then return nil, ("%s must return the template as a string, not a %s"):format(path, type(v)) end
    spec.template, spec.kind, spec.lists = v, "ratio", "ratio"
  elseif is_python(path, text) then
    local t, perr = M.published_template(text, path)
    if not t then return nil, perr end
    spec.template, spec.kind, spec.lists = t.template, "published-script", "published"
    spec.variable, spec.fields = t.variable, t.fields
    -- What the script samples with when run as it stands (the published preset uses these).
    spec.sampling = {temperature = py_default(text, "temperature"), max_tokens = math.tointeger(py_default(text, "max-tokens"))}
    spec.max_retries = math.tointeger(py_default(text, "max-retries"))
  else
    spec.template, spec.kind, spec.lists = text_template(text), "ratio", "ratio"
  end
  local ok, rerr = pcall(prompts.render, spec.template, {human = "", model = ""})
  if not ok then return nil, ("%s: %s"):format(path, tostring(rerr):match("no value for .*") or tostring(rerr)) end
  if not spec.template:find("{{%s*human%s*}}") or not spec.template:find("{{%s*model%s*}}") then
    return nil, ("%s: the template needs both {{human}} and {{model}}"):format(path)
  end
  return spec
end

---------------------------------------------------------------------------------------------------
-- Reading replies.

-- The published script's format check (its extract_result_scores in metajudge_infer.py): the
-- problems for which it samples again.
local PUBLISHED_FATAL = {"no_block", "no_lines", "score_above_one", "number_too_long",
                         "r_not_from_one", "r_not_consecutive"}

-- readable(text, preset) -> true | false, problems: is this reply one the preset accepts?
function M.readable(text, preset)
  if preset == "published" then
    local issues = metrics.parse(text, "reference").issues
    local bad = {}
    for _, k in ipairs(PUBLISHED_FATAL) do if issues[k] then bad[#bad + 1] = k end end
    return #bad == 0, bad
  end
  return #metrics.parse(text, "tolerant").triples > 0, {"no score line"}
end

---------------------------------------------------------------------------------------------------
-- The matcher.

local OPTIONS = {client = true, template = true, reasks = true, params = true, preset = true, lists = true, name = true}

-- new{client = ratio.llm{...}, template = string | spec from load_template, preset = "auto" (the
--     published preset for the published script's template, else ratio's) | "ratio" | "published",
--     params = {...} (sampling; wins over the preset's), reasks = (ratio preset: re-asks, default
--     1; published: extra samples, default 4)} -> matcher
-- matcher:match(human, reasons) -> {reply = the answer} (the metric kernel parses it) | nil, err,
-- code; and info = {reasks,
-- samples, prompt, reasoning, queue_ms, endpoint_ms}
function M.new(opts)
  if not opts.client then error("llm matcher: needs client = ratio.llm{...}", 3) end
  for k in pairs(opts) do
    if not OPTIONS[k] then error("llm matcher: unknown option '" .. tostring(k) .. "'", 3) end
  end
  local spec = opts.template
  if type(spec) ~= "table" then spec = {template = spec or M.TEMPLATE, kind = "ratio", lists = "ratio", source = spec and "template" or "built-in"} end
  local preset_name = opts.preset or "auto"
  if preset_name == "auto" then preset_name = spec.kind == "published-script" and "published" or "ratio" end
  local preset = M.PRESETS[preset_name]
  if not preset then error(("llm matcher: preset must be auto, ratio or published, got '%s'"):format(tostring(preset_name)), 3) end
  local params, tries = {}, preset.tries
  for k, v in pairs(preset.params) do params[k] = v end
  if preset_name == "published" and spec.kind == "published-script" then -- the user's copy decides
    for k, v in pairs(spec.sampling or {}) do params[k] = v end
    tries = spec.max_retries or tries
  end
  for k, v in pairs(opts.params or {}) do params[k] = v end
  -- A setting the client was given (--metajudge-temperature, ...) wins over the preset's.
  local settings = {} -- what each call is sent with, all told: for manifests
  for k, v in pairs(params) do settings[k] = v end
  for k, v in pairs(opts.client.params or {}) do
    params[k], settings[k] = nil, v
  end
  local self = {client = opts.client, template = spec.template, spec = spec, preset = preset_name,
                retry = preset.retry, tries = 1 + (opts.reasks or tries - 1),
                lists = opts.lists or spec.lists, params = params, settings = settings}
  prompts.register(opts.name or "metajudge", self.template)

  function self:prompt(human, reasons)
    return prompts.render(self.template, {human = M.lists(human, "R", self.lists),
                                          model = M.lists(reasons, "S", self.lists)})
  end

  function self:match(human, reasons)
    local prompt = self:prompt(human, reasons)
    local messages = {{role = "user", content = prompt}}
    local info = {reasks = 0, samples = 0, queue_ms = 0, endpoint_ms = 0, prompt = prompt} -- summed over the tries
    for attempt = 1, self.tries do
      local call_params = self.params
      if self.retry == "resample" and attempt > 1 then -- a new sample of the same request, cached apart
        call_params = {sample = attempt - 1}
        for k, v in pairs(self.params) do call_params[k] = v end
      end
      local reply, err, code = self.client:chat(messages, call_params)
      if not reply then return nil, err, code, info end
      info.samples = info.samples + 1
      info.queue_ms = info.queue_ms + (reply.queue_ms or 0)
      info.endpoint_ms = info.endpoint_ms + (reply.endpoint_ms or 0)
      local text, reasoning = metrics.split_think(reply.text or "")
      reasoning = reasoning or reply.reasoning
      info.reasoning = reasoning and reasoning:gsub("^%s+", ""):gsub("%s+$", "") or nil
      local ok = M.readable(text, self.preset)
      if ok or attempt == self.tries then
        info.unreadable = not ok or nil
        return {reply = text}, nil, nil, info
      end
      info.reasks = info.reasks + 1
      if self.retry == "reask" then
        messages[#messages + 1] = {role = "assistant", content = reply.text}
        messages[#messages + 1] = {role = "user", content = M.REASK}
      end
    end
  end
  return self
end

return M
