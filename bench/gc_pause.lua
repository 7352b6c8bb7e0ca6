-- Benchmark: how long does the garbage collector stall a task? Keeps a live heap shaped like the
-- reward server's under load (--live-mib of small tables and strings), then runs --steps "rollouts"
-- that each allocate ~20 KB of short-lived tables and strings, as scoring one does. Prints the CPU
-- time and the slowest steps (each step is what one task does between two waits, so its time is
-- how long it holds the loop) at Lua's default collector pace and at the reward server's
-- (collectgarbage("incremental", 200, 1); see scripts/ratio/server/reward_server.lua). Run it with two builds to
-- compare allocators: the Lua state's allocator is core/util/lua_alloc.c (mimalloc).
local ratio = require "ratio"
local p = ratio.params{
  live_mib = {8, "live heap kept across the run (MiB, roughly)", min = 0},
  steps = {60000, "rollout-sized steps", min = 1},
}

local function churn(i)
  local t = {}
  for j = 1, 60 do
    t[j] = {id = j, text = ("reason %d of rollout %d: the response cites the source"):format(j, i)}
  end
  return #table.concat({t[1].text, t[60].text}, "\n")
end

local function run(label, pace)
  collectgarbage("incremental", table.unpack(pace))
  collectgarbage("collect")
  local live = {}
  for i = 1, p.live_mib * 1024 * 1024 // 160 do live[i] = {i, "live " .. i} end
  collectgarbage("collect")
  local times = {}
  local cpu0 = os.clock()
  for i = 1, p.steps do
    local t0 = ratio.now()
    churn(i)
    times[i] = ratio.now() - t0
  end
  local cpu = os.clock() - cpu0
  table.sort(times)
  local function at(q) return ratio.stats.rank_quantile(times, q) end
  print(("%-28s cpu %6.2f s   step p50 %.3f  p99.9 %.3f  max %6.2f ms   heap %5.1f MiB")
    :format(label, cpu, at(0.5), at(0.999), times[#times], collectgarbage("count") / 1024))
  live = nil
  return {cpu_seconds = cpu, max_ms = times[#times], p999_ms = at(0.999)}
end

return {default = run("default pace (200, 100, 13)", {200, 100, 13}),
        server = run("reward server pace (200, 1)", {200, 1, 13})}
