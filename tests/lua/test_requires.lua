-- The require graph of the Lua half: scripts/ratio (the library), plugins and recipes. No cycle,
-- and no module requires one in a tier above its own.
--
-- TIERS lists the tiers lowest first; a module belongs to the first tier with a pattern matching
-- its module name (Lua patterns, anchored). When the library moves into tier folders
-- (scripts/ratio/<tier>/...), change the patterns here; the graph is built from the files found,
-- so new folders are scanned without changing anything else.
local TIERS = {
  {name = "runtime", modules = {"^ratio%.errors$", "^ratio%.state$", "^ratio%.http$", "^ratio%.jsonl$",
    "^ratio%.prices$", "^ratio%.progress$", "^ratio%.params$", "^ratio%.prompts$", "^ratio%.cache$",
    "^ratio%.sched$", "^ratio%.serve$", "^ratio%.llm$", "^ratio%.stats$", "^ratio%.metrics$",
    "^ratio%.flags$", "^ratio%.redact$", "^ratio%.failures$", "^providers%."}},
  {name = "method", modules = {"^ratio%.dataset$", "^matchers%.", "^ratio%.metajudge$", "^ratio%.judge$",
    "^ratio%.reward$", "^ratio%.decompose$", "^ratio%.audit$"}},
  {name = "adapters", modules = {"^ratio%.bench$", "^ratio%.rmbench$", "^ratio%.judgebench$"}},
  {name = "study", modules = {"^ratio%.compare$", "^ratio%.report$", "^ratio%.study$", "^ratio%.runs$"}},
  {name = "server", modules = {"^ratio%.reward_server$", "^ratio%.view$"}},
  {name = "entry", modules = {"^ratio$", "^ratio%.boot$", "^ratio%.recipes$", "^ratio%.cli%."}},
  {name = "recipes", modules = {"^recipe:"}},
}

local ratio = require "ratio"
local t = require "testlib"

local ROOT = ratio.root()

-- Files of the Lua half, each with its module name.
local function lua_files()
  local out = {}
  local cmd = ("cd %q && find scripts/ratio plugins recipes -name '*.lua' | sort"):format(ROOT)
  local ls = assert(io.popen(cmd))
  for path in ls:lines() do
    local name
    if path:match("^scripts/") then
      name = path:gsub("^scripts/", ""):gsub("%.lua$", ""):gsub("/init$", ""):gsub("/", ".")
    elseif path:match("^plugins/") then
      name = path:gsub("^plugins/", ""):gsub("%.lua$", ""):gsub("/", ".")
    else
      name = "recipe:" .. path:gsub("^recipes/", ""):gsub("%.lua$", "")
    end
    out[#out + 1] = {path = path, name = name}
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

local function tier_of(name)
  for i, tier in ipairs(TIERS) do
    for _, pat in ipairs(tier.modules) do
      if name:match(pat) then return i, tier.name end
    end
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
  local graph = build()
  local problems = {}
  local names = {}
  for m in pairs(graph) do names[#names + 1] = m end
  table.sort(names)
  for _, m in ipairs(names) do
    local ti, tname = tier_of(m)
    if not ti then
      problems[#problems + 1] = m .. ": in no tier (add it to TIERS in tests/lua/test_requires.lua)"
    else
      for _, d in ipairs(graph[m]) do
        local di, dname = tier_of(d)
        if di and di > ti then
          problems[#problems + 1] = ("%s (%s) requires %s (%s, above it)"):format(m, tname, d, dname)
        end
      end
    end
  end
  t.eq(problems, {})
end)
