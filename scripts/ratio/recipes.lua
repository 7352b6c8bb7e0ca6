-- ratio.recipes: finding a recipe by name and reading the question it answers.
--
--   ratio run quickstart          -- the same as: ratio run recipes/quickstart.lua
--
-- A name with no '/' that is not a file here is looked up as NAME.lua (or NAME) in, in order:
-- ./recipes/, each folder of $RATIO_RECIPES (colon-separated), then the recipes/ shipped with
-- ratio. `ratio list` shows every recipe in those folders with its question.
local sys = require "ratio.core.sys"

local M = {}

-- folders(root) -> the recipe folders in search order (existing ones only, no duplicates).
function M.folders(root)
  local out, seen = {}, {}
  local function add(dir)
    if not dir or dir == "" then return end
    dir = dir:gsub("/+$", "")
    if dir == "" then dir = "/" end
    local real = sys.realpath(dir)
    if real and not seen[real] and sys.stat(real) == "directory" then
      seen[real] = true
      out[#out + 1] = dir
    end
  end
  add("recipes")
  for dir in (os.getenv("RATIO_RECIPES") or ""):gmatch("[^:]+") do add(dir) end
  add(root .. "/recipes")
  return out
end

-- find(name, root) -> path | nil, message naming the folders searched
function M.find(name, root)
  local kind, err = sys.stat(name)
  if kind then return name end
  -- A path is only a path: say what the file system said.
  if name:find("/", 1, true) then return nil, (err:match(": (.*)$") or err) end
  local folders = M.folders(root)
  for _, dir in ipairs(folders) do
    for _, cand in ipairs({dir .. "/" .. name .. ".lua", dir .. "/" .. name}) do
      if sys.stat(cand) == "file" then return cand end
    end
  end
  -- A file name (x.lua) gets the file system's words; a bare name says where it was looked for.
  if name:find("%.lua$") then return nil, (err:match(": (.*)$") or err) end
  return nil, ("no such file, and no recipe of that name in %s (see 'ratio list')"):format(
    #folders > 0 and table.concat(folders, ", ") or "any recipe folder")
end

-- header(path) -> the leading comment block of a recipe (its question and notes), or "".
function M.header(path)
  local f = io.open(path, "r")
  if not f then return "" end
  local lines = {}
  for line in f:lines() do
    if not (line:match("^#!") and #lines == 0) then
      local text = line:match("^%-%-+%s?(.*)$")
      if not text then break end
      lines[#lines + 1] = text
    end
  end
  f:close()
  return (table.concat(lines, "\n"):gsub("%s+$", ""))
end

-- question(path) -> the header's first paragraph on one line.
function M.question(path)
  local para = M.header(path):match("^%s*(.-)\n%s*\n") or M.header(path)
  return (para:gsub("%s*\n%s*", " "):gsub("^%s+", ""):gsub("%s+$", ""))
end

-- list(root) -> {{name=, path=, folder=, question=, shadowed=bool}...}: every *.lua in the recipe
-- folders, in search order; a name found in an earlier folder shadows the same name later.
function M.list(root)
  local out, first = {}, {}
  for _, dir in ipairs(M.folders(root)) do
    for _, f in ipairs(sys.listdir(dir) or {}) do
      local name = f:match("^(.+)%.lua$")
      if name and sys.stat(dir .. "/" .. f) == "file" then
        local path = dir .. "/" .. f
        out[#out + 1] = {name = name, path = path, folder = dir, question = M.question(path),
                         shadowed = first[name] ~= nil}
        first[name] = first[name] or path
      end
    end
  end
  return out
end

return M
