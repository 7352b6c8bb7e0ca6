-- The Lua test runner: runs every tests/lua/test_*.lua (or those named on the command line with
-- --only) and prints `N passed, N failed`. Each test runs as its own task, so tests may wait.
--
--   bin/ratio run tests/lua/run.lua [--only json]
local ratio = require "ratio"
local p = ratio.params{
  only = {"", "run only test files whose name contains this"},
  dir = {"", "folder of test files (default: this file's folder)"},
}
local t = require "testlib"

-- Tests that touch the call cache use a fresh one, never the user's .ratio/cache.sqlite.
local state = require "ratio.state"
if not state.options.cache then
  state.options.cache = os.tmpname() .. ".sqlite"
end

local dir = p.dir ~= "" and p.dir or (arg[0]:match("^(.*)/[^/]*$") or ".")
local files = {}
local ls = assert(io.popen(("ls %q"):format(dir)))
for name in ls:lines() do
  if name:match("^test_.*%.lua$") and name:find(p.only, 1, true) then files[#files + 1] = name end
end
ls:close()
table.sort(files)

for _, name in ipairs(files) do
  local chunk, err = loadfile(dir .. "/" .. name, "t")
  if not chunk then
    t.record(name, false, err)
  else
    t.file = name
    local ok, e = pcall(chunk)
    if not ok then t.record(name .. " (loading)", false, tostring(e)) end
  end
end
local passed, failed = t.run_all()
print(("%d passed, %d failed"):format(passed, failed))
if failed > 0 then ratio.exit(1) end
