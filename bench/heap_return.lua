-- Benchmark: does the Lua state's allocator give memory back to the system? Builds a heap of
-- --mib MiB of small tables and strings, drops it, runs a full collection, then keeps working
-- with a small heap for --seconds (as a server between bursts does), printing the process's RSS
-- at the peak, right after the collection and at the end. Asserts nothing. The allocator is
-- core/util/lua_alloc.c (mimalloc).
local ratio = require "ratio"
local p = ratio.params{
  mib = {300, "heap built at the peak (MiB, roughly)", min = 1},
  seconds = {2, "time spent working with a small heap afterwards", min = 0},
}
local function rss()
  for l in io.lines("/proc/self/status") do
    local v = l:match("^VmRSS:%s+(%d+)")
    if v then return tonumber(v) / 1024 end
  end
end
local t = {}
for i = 1, p.mib * 1024 * 1024 // 180 do t[i] = {i, "item " .. i} end
local peak = rss()
t = nil
collectgarbage("collect")
local after_gc = rss()
local t0 = ratio.now()
while ratio.now() - t0 < p.seconds * 1000 do
  local s = {}
  for j = 1, 200 do s[j] = {j, "churn " .. j} end
  ratio.sleep(1)
end
print(("RSS: peak %.0f MiB, after the collection %.0f MiB, after %g s of small work %.0f MiB")
  :format(peak, after_gc, p.seconds, rss()))
