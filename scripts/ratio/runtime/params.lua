-- ratio.params: a recipe's parameters, declared once with defaults, types and help text, and filled
-- from the command line (`--name value`, `--name=value`, `--flag` / `--no-flag` for booleans).
--
--   local p = ratio.params{
--     input   = {"data/sample.jsonl", "the dataset (RationaleRM JSONL)", type = "file"},
--     matcher = {"lexical", "how rationales are matched", choices = {"lexical", "embedding", "llm"}},
--     top_k   = {5, "model reasons kept (0 = all)"},
--     model   = {nil, "the judge model", required = true},
--   }
--
-- Types: string, number, integer, boolean, list (comma-separated strings), file (a path that must
-- exist and be a regular file), json (a JSON object, given as text). The type defaults to the
-- default value's own type. A name with underscores is written with dashes on the command line
-- (top_k -> --top-k).
--
-- Flag families shared by recipes (ratio.flags: the judge, MetaJudge and LLM families, --judges,
-- --matcher, --mode) are listed after the recipe's own parameters, as array items:
--   ratio.params{input = {...}, ratio.flags.judges{default = {"careful"}}, ratio.flags.matcher}
-- A family may carry old names of its flags (aliases): they still work, print a one-line
-- deprecation warning on stderr, and p.<old name> reads the new one's value.
local errors = require "ratio.errors"
local state = require "ratio.state"
local sys = require "ratio.core.sys"

local M = {}

local TYPES = {string = true, number = true, integer = true, boolean = true, list = true, file = true,
               json = true}
local META = {"type", "choices", "required", "min", "max", "group", "alias"}

local function flag_of(name) return "--" .. name:gsub("_", "-") end

local function infer_type(default)
  local t = type(default)
  if t == "number" then return math.type(default) == "integer" and "integer" or "number" end
  if t == "boolean" then return "boolean" end
  if t == "table" then return "list" end
  return "string"
end

-- Validates one declaration; errors here are the recipe author's, so they raise normally.
-- Flags every recipe accepts (boot.lua handles them): a parameter may not take their names.
local GLOBAL = {json = true, quiet = true, offline = true, cache = true, no_cache = true, out = true,
                help = true}

local function declare(name, d)
  if type(name) ~= "string" or not name:match("^[%a_][%w_]*$") then
    error("ratio.params: parameter names must be identifiers, got " .. tostring(name), 4)
  end
  if GLOBAL[name] then
    error(("ratio.params: '%s' is a flag every recipe accepts (--%s); choose another name")
      :format(name, name:gsub("_", "-")), 4)
  end
  if type(d) ~= "table" then
    error(("ratio.params: %s must be {default, help, ...}"):format(name), 4)
  end
  for k in pairs(d) do
    local ok = k == 1 or k == 2
    for _, m in ipairs(META) do ok = ok or k == m end
    if not ok then error(("ratio.params: %s: unknown field '%s'"):format(name, tostring(k)), 4) end
  end
  local p = {name = name, flag = flag_of(name), default = d[1], help = d[2] or "",
             type = d.type or infer_type(d[1]), choices = d.choices, required = d.required,
             min = d.min, max = d.max, group = d.group}
  if not TYPES[p.type] then
    error(("ratio.params: %s: unknown type '%s'"):format(name, tostring(p.type)), 4)
  end
  if p.choices and type(p.choices) ~= "table" then
    error(("ratio.params: %s: choices must be a list"):format(name), 4)
  end
  return p
end

local function usage(p, msg) errors.usage(("%s: %s"):format(p.flag, msg)) end

local function convert(p, raw)
  local v
  if p.type == "string" then
    v = raw
  elseif p.type == "file" then
    local kind, err = sys.stat(raw)
    if not kind then usage(p, ("cannot open '%s': %s"):format(raw, err:match(": (.*)$") or err)) end
    if kind == "directory" then usage(p, ("'%s' is a directory, not a file"):format(raw)) end
    if kind ~= "file" then usage(p, ("'%s' is not a regular file (%s)"):format(raw, kind)) end
    v = raw
  elseif p.type == "integer" then
    v = math.tointeger(tonumber(raw))
    if not v then usage(p, ("expected an integer, got '%s'"):format(raw)) end
  elseif p.type == "number" then
    v = tonumber(raw)
    if not v or v ~= v or v == math.huge or v == -math.huge then
      usage(p, ("expected a number, got '%s'"):format(raw))
    end
  elseif p.type == "boolean" then
    local b = ({["true"] = true, yes = true, ["1"] = true, on = true,
                ["false"] = false, no = false, ["0"] = false, off = false})[raw:lower()]
    if b == nil then usage(p, ("expected true or false, got '%s'"):format(raw)) end
    v = b
  elseif p.type == "list" then
    v = {}
    for item in (raw .. ","):gmatch("([^,]*),") do
      item = item:match("^%s*(.-)%s*$")
      if item == "" then
        usage(p, ("expected a comma-separated list without empty items, got '%s' (to use the "
          .. "default, leave the flag out)"):format(raw))
      end
      v[#v + 1] = item
    end
  elseif p.type == "json" then
    local json = require "ratio.core.json"
    local ok, decoded, err = pcall(json.decode, raw)
    if not ok or decoded == nil then
      usage(p, ("not valid JSON (%s): %s"):format(tostring(ok and err or decoded), raw))
    end
    if type(decoded) ~= "table" or json.is_array(decoded) then
      usage(p, "expected a JSON object such as '{\"chat_template_kwargs\": {\"enable_thinking\": false}}', got " .. raw)
    end
    v = decoded
  end
  if p.choices then
    local items = p.type == "list" and v or {v}
    for _, x in ipairs(items) do
      local found = false
      for _, c in ipairs(p.choices) do found = found or c == x end
      if not found then
        usage(p, ("expected one of %s, got '%s'"):format(table.concat(p.choices, ", "), tostring(x)))
      end
    end
  end
  if (p.min and type(v) == "number" and v < p.min) then usage(p, ("must be >= %s"):format(p.min)) end
  if (p.max and type(v) == "number" and v > p.max) then usage(p, ("must be <= %s"):format(p.max)) end
  return v
end

-- The closest declared flag, for "did you mean".
local function suggest(list, flag)
  local best, best_d
  for _, p in ipairs(list) do
    local d = errors.edit_distance(flag, p.flag)
    if d <= 3 and (not best_d or d < best_d) then best, best_d = p.flag, d end
  end
  return best
end

local function show(v)
  if type(v) == "table" then return table.concat(v, ",") end
  return tostring(v)
end

local PLACEHOLDER = {string = "TEXT", number = "X", integer = "N", list = "A,B,...", file = "FILE",
                     json = "JSON"}

-- The text of `ratio run RECIPE --help`.
function M.help_text(list)
  local out = {}
  if state.header and state.header ~= "" then out[#out + 1] = state.header .. "\n" end
  -- ratio list/runs/view are scripts in scripts/ratio/cli/: their usage is the command itself
  local cli = state.recipe:match("/scripts/ratio/cli/([%w_]+)%.lua$")
  out[#out + 1] = cli and ("usage: ratio %s [flags]"):format(cli) or ("usage: ratio run %s [flags]"):format(state.recipe)
  if list and #list > 0 then
    -- Required parameters first, then the recipe's own, then each shared family under its title.
    local sections, order = {}, {}
    local function add(title, p)
      if not sections[title] then sections[title] = {}; order[#order + 1] = title end
      table.insert(sections[title], p)
    end
    for _, p in ipairs(list) do if p.required then add("Required:", p) end end
    for _, p in ipairs(list) do if not p.required and not p.group then add("Parameters:", p) end end
    for _, p in ipairs(list) do if not p.required and p.group then add(p.group .. ":", p) end end
    for _, title in ipairs(order) do
      out[#out + 1] = "\n" .. title
      for _, p in ipairs(sections[title]) do
        local placeholder = p.type == "list" and p.choices and "CHOICE,..." or p.choices and "CHOICE"
          or PLACEHOLDER[p.type]
        local lhs = p.flag .. (p.type == "boolean" and "" or " " .. placeholder)
        local notes = {}
        if p.choices then
          notes[#notes + 1] = (p.type == "list" and "any of " or "one of ") .. table.concat(p.choices, "|")
        end
        if p.required then notes[#notes + 1] = "required"
        elseif p.default ~= nil and show(p.default) ~= "" then notes[#notes + 1] = "default: " .. show(p.default) end
        if p.aliases then notes[#notes + 1] = "old name: " .. table.concat(p.aliases, ", ") end
        local help = p.help
        if #notes > 0 then help = help .. (help ~= "" and " " or "") .. "(" .. table.concat(notes, "; ") .. ")" end
        out[#out + 1] = ("  %-28s %s"):format(lhs, help)
      end
    end
  else
    out[#out + 1] = "\nThis recipe declares no parameters."
  end
  out[#out + 1] = "\nFlags every recipe accepts: --json --quiet --offline --cache PATH --no-cache --out DIR --overwrite --max-failures N|P%"
  return table.concat(out, "\n") .. "\n"
end

-- ratio.params(spec) -> values: see the top of this file.
function M.params(spec)
  if state.params then error("ratio.params: call it once, at the top of the recipe", 2) end
  if type(spec) ~= "table" then error("ratio.params: expected a table of parameters", 2) end
  local list, by_flag, family_list, aliases = {}, {}, {}, {}
  local flags = require "ratio.flags"
  for name, d in pairs(spec) do
    if math.type(name) == "integer" then
      if not flags.is_family(d) then
        error(("ratio.params: item %d is not a flag family (ratio.flags.*)"):format(name), 2)
      end
    else
      local p = declare(name, d)
      list[#list + 1] = p
      by_flag[p.flag] = p
      if d.alias then aliases[d.alias] = name end -- an old name of the recipe's own parameter
    end
  end
  table.sort(list, function(a, b) return a.name < b.name end)
  for _, fam in ipairs(spec) do -- families in the order given, their members in theirs
    local entries, fam_aliases = fam:entries()
    for _, e in ipairs(entries) do
      local p = declare(e[1], e[2])
      if by_flag[p.flag] then
        error(("ratio.params: %s is declared twice (by the recipe and by ratio.flags.%s)"):format(p.flag, fam.name), 2)
      end
      family_list[#family_list + 1] = p
      by_flag[p.flag] = p
    end
    for old, new in pairs(fam_aliases) do aliases[old] = new end
  end
  for _, p in ipairs(family_list) do list[#list + 1] = p end
  local old_names = {}
  for old, new in pairs(aliases) do old_names[#old_names + 1] = old end
  table.sort(old_names)
  for _, old in ipairs(old_names) do
    local target = by_flag[flag_of(aliases[old])]
    if not target then error(("ratio.params: alias %s names no declared parameter %s"):format(old, aliases[old]), 2) end
    if by_flag[flag_of(old)] then
      error(("ratio.params: the old name %s is also a parameter of this recipe"):format(flag_of(old)), 2)
    end
    by_flag[flag_of(old)] = setmetatable({alias_of = target, old_flag = flag_of(old)}, {__index = target})
    target.aliases = target.aliases or {}
    table.insert(target.aliases, flag_of(old))
  end
  state.param_list = list

  if state.options.help then
    io.stdout:write(M.help_text(list))
    errors.exit(0)
  end

  local values, seen = {}, {}
  local args, i = state.args, 1
  while i <= #args do
    local a = args[i]
    local flag, raw = a:match("^(%-%-[^=]+)=(.*)$")
    flag = flag or a
    if flag:sub(1, 2) ~= "--" then
      errors.usage(("unexpected argument '%s' (parameters are given as --name value)"):format(a))
    end
    local p, negated = by_flag[flag], false
    if not p and flag:sub(1, 5) == "--no-" then
      local q = by_flag["--" .. flag:sub(6)]
      if q and q.type == "boolean" and not raw then p, negated = q, true end
    end
    if p and p.alias_of then
      io.stderr:write(("ratio: %s is an old name of %s; it still works, but use %s\n"):format(
        p.old_flag, p.alias_of.flag, p.alias_of.flag))
      p = p.alias_of
    end
    if not p then
      local near = suggest(list, flag)
      errors.usage(("unknown flag %s%s (see 'ratio run %s --help')"):format(flag,
        near and (", did you mean " .. near .. "?") or "", state.recipe))
    end
    if seen[p.name] then usage(p, "given more than once") end
    seen[p.name] = true
    if p.type == "boolean" and raw == nil then
      values[p.name] = not negated
    else
      if raw == nil then
        i = i + 1
        raw = args[i]
        if raw == nil then usage(p, "needs a value") end
      end
      values[p.name] = convert(p, raw)
    end
    i = i + 1
  end
  state.args = {}

  for _, p in ipairs(list) do
    if values[p.name] == nil then
      if p.required then usage(p, "is required") end
      local d = p.default
      if d ~= nil and p.type == "file" then
        -- A default names a file shipped with ratio (data/sample.jsonl): found from any folder.
        if not sys.stat(d) and d:sub(1, 1) ~= "/" and sys.stat(state.root .. "/" .. d) then
          d = state.root .. "/" .. d
        end
        d = convert(p, d)
      end
      values[p.name] = d
    end
  end
  state.params = values
  if state.after_params then state.after_params() end -- e.g. the --out check (ratio.run_dir)
  -- Reading a parameter that was never declared is a typo: say so instead of returning nil.
  return setmetatable(values, {
    __index = function(t, k)
      local q = by_flag[flag_of(tostring(k))]
      if q and q.alias_of then return rawget(t, q.alias_of.name) end -- p.<old name>
      if q then return nil end
      error(("no parameter named '%s' was declared in ratio.params"):format(tostring(k)), 2)
    end,
  })
end

return M
