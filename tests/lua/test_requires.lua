-- The require graph of the Lua half: scripts/ratio (the library), plugins and recipes. No cycle,
-- and no module requires one in a tier above its own.
--
-- The library's tiers are its folders, lowest first: scripts/ratio/<tier>/<name>.lua is the module
-- ratio.<name> (boot.lua's searcher finds it there). Files outside the tier folders take the tier
-- OTHER gives them by path.
local TIERS = {"runtime", "method", "adapters", "study", "server", "entry", "recipes"}
local OTHER = {
  {"^scripts/ratio/cli/", "entry"},          -- ratio list, runs, view
  {"^scripts/ratio/[^/]+%.lua$", "entry"},   -- init.lua (the ratio facade), boot.lua, recipes.lua
  {"^plugins/providers/", "runtime"},        -- API request/reply mapping, used by ratio.llm
  {"^plugins/matchers/", "method"},
  {"^recipes/", "recipes"},
}
local TIER_INDEX = {}
for i, name in ipairs(TIERS) do TIER_INDEX[name] = i end

local ratio = require "ratio"
local t = require "testlib"

local ROOT = ratio.root()

-- Files of the Lua half, each with its module name and tier (nil: in no tier).
local function lua_files()
  local out = {}
  local cmd = ("cd %q && find scripts/ratio plugins recipes -name '*.lua' | sort"):format(ROOT)
  local ls = assert(io.popen(cmd))
  for path in ls:lines() do
    local name, tier
    local folder, base = path:match("^scripts/ratio/([%w_]+)/([%w_]+)%.lua$")
    if folder and TIER_INDEX[folder] then
      name, tier = "ratio." .. base, folder
    elseif path:match("^scripts/") then
      name = path:gsub("^scripts/", ""):gsub("%.lua$", ""):gsub("/init$", ""):gsub("/", ".")
    elseif path:match("^plugins/") then
      name = path:gsub("^plugins/", ""):gsub("%.lua$", ""):gsub("/", ".")
    else
      name = "recipe:" .. path:gsub("^recipes/", ""):gsub("%.lua$", "")
    end
    if not tier then
      for _, o in ipairs(OTHER) do
        if path:match(o[1]) then tier = o[2] break end
      end
    end
    out[#out + 1] = {path = path, name = name, tier = tier}
  end
  ls:close()
  return out
end

-- requires_of(text, known) -> sorted module names the text requires among `known` (a set):
-- static require "x" / require("x") / pcall(require, "x"), a dynamic require of "prefix." .. name
-- (an edge to every known module under the prefix), and ratio's lazy table (LAZY = {k = "x"}).
local function requires_of(text, known)
  local set = {}
  local function add(m) if known[m] then set[m] = true end end
  for m in text:gmatch("require%s*%(?%s*[\"']([%w_%.]+)[\"']") do add(m) end
  for m in text:gmatch("require%s*,%s*[\"']([%w_%.]+)[\"']") do add(m) end
  for prefix in text:gmatch("require%s*[,(]%s*[\"']([%w_%.]+%.)[\"']%s*%.%.") do
    for k in pairs(known) do if k:sub(1, #prefix) == prefix then set[k] = true end end
  end
  for m in text:gmatch("LAZY%.?[%w_]*%s*=%s*[\"']([%w_%.]+)[\"']") do add(m) end
  local lazy = text:match("local LAZY = (%b{})")
  if lazy then for m in lazy:gmatch("[\"']([%w_%.]+)[\"']") do add(m) end end
  local out = {}
  for m in pairs(set) do out[#out + 1] = m end
  table.sort(out)
  return out
end

-- cycle(graph) -> a list of module names forming a cycle (first = last), or nil. graph[m] = {deps}.
local function cycle(graph)
  local state, stack = {}, {}
  local names = {}
  for m in pairs(graph) do names[#names + 1] = m end
  table.sort(names)
  local found
  local function visit(m)
    state[m] = "open"
    stack[#stack + 1] = m
    for _, d in ipairs(graph[m] or {}) do
      if d ~= m then
        if state[d] == "open" then
          local path, from = {}, nil
          for i, s in ipairs(stack) do if s == d then from = i end end
          for i = from, #stack do path[#path + 1] = stack[i] end
          path[#path + 1] = d
          found = path
          return true
        elseif state[d] == nil and visit(d) then
          return true
        end
      end
    end
    stack[#stack] = nil
    state[m] = "done"
    return false
  end
  for _, m in ipairs(names) do
    if state[m] == nil and visit(m) then return found end
  end
  return nil
end

local function build()
  local files = lua_files()
  local known = {}
  for _, f in ipairs(files) do known[f.name] = true end
  local graph = {}
  for _, f in ipairs(files) do
    local h = assert(io.open(ROOT .. "/" .. f.path, "rb"))
    local text = h:read("a")
    h:close()
    graph[f.name] = requires_of(text, known)
  end
  return graph, files
end

-- tiers(files) -> {module name = tier name}
local function tiers(files)
  local out = {}
  for _, f in ipairs(files) do out[f.name] = f.tier end
  return out
end

t.test("the graph finder sees static, pcall, dynamic and lazy requires, and finds a cycle", function()
  local known = {["ratio.a"] = true, ["ratio.b"] = true, ["matchers.x"] = true, ["matchers.y"] = true}
  t.eq(requires_of([[local a = require "ratio.a"
local ok, p = pcall(require, "matchers." .. name)
local b = require("ratio.b") local c = require "ratio.core.json"]], known),
       {"matchers.x", "matchers.y", "ratio.a", "ratio.b"})
  t.eq(requires_of('local LAZY = {a = "ratio.a"}\nLAZY.b = "ratio.b"', known), {"ratio.a", "ratio.b"})
  t.eq(cycle({a = {"b"}, b = {"c"}, c = {"a"}, d = {}}), {"a", "b", "c", "a"})
  t.eq(cycle({a = {"b"}, b = {"c"}, c = {}}), nil)
end)

t.test("the library, plugins and recipes have no require cycle", function()
  local graph, files = build()
  t.ok(#files > 30, "found " .. #files .. " files")
  t.ok(graph["ratio.metajudge"] and #graph["matchers.lexical"] >= 0, "the matchers are in the graph")
  local c = cycle(graph)
  t.eq(c, nil, c and ("require cycle: " .. table.concat(c, " -> ")) or nil)
end)

t.test("every module has a tier and requires none above it", function()
  local graph, files = build()
  local tier = tiers(files)
  local problems = {}
  local names = {}
  for m in pairs(graph) do names[#names + 1] = m end
  table.sort(names)
  for _, m in ipairs(names) do
    local tname = tier[m]
    if not tname then
      problems[#problems + 1] = m .. ": in no tier (move it into a tier folder of scripts/ratio/)"
    else
      for _, d in ipairs(graph[m]) do
        local dname = tier[d]
        if dname and TIER_INDEX[dname] > TIER_INDEX[tname] then
          problems[#problems + 1] = ("%s (%s) requires %s (%s, above it)"):format(m, tname, d, dname)
        end
      end
    end
  end
  t.eq(problems, {})
end)
