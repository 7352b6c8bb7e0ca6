-- testlib: the tiny test library the Lua tests use.
--   local t = require "testlib"
--   t.test("name", function() t.eq(1 + 1, 2) end)
-- eq compares deeply; raises(fn, pattern) checks that fn raises an error matching pattern.
local ratio = require "ratio"
local M = {tests = {}, file = "?"}

function M.test(name, fn) M.tests[#M.tests + 1] = {name = M.file .. ": " .. name, fn = fn} end

local function show(v, depth)
  depth = depth or 0
  if type(v) == "string" then return ("%q"):format(v) end
  if type(v) ~= "table" or depth > 3 then return tostring(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. "=" .. show(v[k], depth + 1) end
  return "{" .. table.concat(parts, ", ") .. "}"
end
M.show = show

local function deep_eq(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then
    if type(a) == "number" and type(b) == "number" then return false end
    return false
  end
  for k, v in pairs(a) do if not deep_eq(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

function M.eq(got, want, what)
  if not deep_eq(got, want) then
    error(("%sexpected %s, got %s"):format(what and (what .. ": ") or "", show(want), show(got)), 2)
  end
end

function M.near(got, want, tol, what)
  if type(got) ~= "number" or math.abs(got - want) > (tol or 1e-9) then
    error(("%sexpected %s ± %s, got %s"):format(what and (what .. ": ") or "", want, tol or 1e-9, tostring(got)), 2)
  end
end

function M.ok(v, what)
  if not v then error("expected a true value" .. (what and (": " .. what) or ""), 2) end
end

function M.raises(fn, pattern)
  local ok, e = pcall(fn)
  if ok then error("expected an error matching '" .. pattern .. "', got none", 2) end
  local msg = type(e) == "table" and (e.message or tostring(e)) or tostring(e)
  if not msg:find(pattern) then
    error(("expected an error matching '%s', got '%s'"):format(pattern, msg), 2)
  end
end

local results = {}
function M.record(name, ok, err) results[#results + 1] = {name = name, ok = ok, err = err} end

function M.run_all()
  for _, tc in ipairs(M.tests) do
    local task = ratio.spawn(function()
      local ok, e = pcall(tc.fn)
      return {ok = ok, err = e}
    end)
    local r = task:wait()
    M.record(tc.name, r.ok, r.err)
    -- Tests fail calls and items on purpose: those are not the test run's own failures.
    require("ratio.failures").reset()
    require("ratio.state").serving = nil
  end
  local passed, failed = 0, 0
  for _, r in ipairs(results) do
    if r.ok then
      passed = passed + 1
      print("ok   " .. r.name)
    else
      failed = failed + 1
      print("FAIL " .. r.name .. "\n     " .. tostring(type(r.err) == "table" and (r.err.message or r.err) or r.err))
    end
  end
  return passed, failed
end

return M
