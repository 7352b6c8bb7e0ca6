-- ratio.prompts: prompt templates as plain Lua strings with {{name}} placeholders.
--
--   local text = ratio.prompts.render("Compare {{a}} with {{b}}.", {a = "x", b = "y"})
--   local template, err = ratio.prompts.load("strict.lua", ratio.decompose.check_template)
--
-- A placeholder with no value is an error (a typo in a template must not send a broken prompt to
-- a paid API). Each template a run uses is recorded in manifest.json by its SHA-256 (register).
local state = require "ratio.state"
local sys = require "ratio.core.sys"

local M = {}

function M.render(template, vars)
  if type(template) ~= "string" then error("prompts.render: template must be a string", 2) end
  local missing
  local out = template:gsub("{{%s*([%w_]+)%s*}}", function(name)
    local v = vars[name]
    if v == nil then missing = missing or name return "" end
    return tostring(v)
  end)
  if missing then error(("prompts.render: no value for {{%s}}"):format(missing), 2) end
  return out
end

-- load(path [, check]) -> template | nil, message: a prompt file is a Lua chunk returning the
-- template as a string; check(template) -> true | nil, why (e.g. a module's check_template) vets
-- its placeholders. The message names the file and says what is wrong with it.
function M.load(path, check)
  local chunk, err = loadfile(path, "t")
  if not chunk then return nil, err end
  local ok, v = pcall(chunk)
  if not ok then return nil, tostring(v) end
  if type(v) ~= "string" then
    return nil, ("%s must return the template as a string, not a %s"):format(path, type(v))
  end
  if check then
    local good, why = check(v)
    if not good then return nil, ("%s: %s"):format(path, why) end
  end
  return v
end

-- register(name, template): notes the template's hash in the run's manifest (prompts.<name>).
function M.register(name, template)
  state.manifest.prompts = state.manifest.prompts or {}
  state.manifest.prompts[name] = sys.sha256(template)
end

-- numbered(list, prefix) -> "prefix1. item\nprefix2. item..."
function M.numbered(list, prefix)
  local lines = {}
  for i, s in ipairs(list) do lines[i] = ("%s%d. %s"):format(prefix, i, s) end
  return table.concat(lines, "\n")
end

-- prompts.keep_reply(record, reply): appends a model's reply text to record.raw and its reasoning,
-- when it gave any, to record.reasoning at the same position ("" for an earlier reply that had
-- none), so a record keeps every reply beside the thinking that led to it.
function M.keep_reply(record, reply)
  record.raw[#record.raw + 1] = reply.text
  if reply.reasoning then
    record.reasoning = record.reasoning or {}
    for k = #record.reasoning + 1, #record.raw - 1 do record.reasoning[k] = "" end
    record.reasoning[#record.raw] = reply.reasoning
  end
end

return M
