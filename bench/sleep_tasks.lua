-- Benchmark: does waiting block? Spawns N tasks that each sleep `ms` milliseconds, waits for all,
-- and prints the wall time. If sleeps ran one after another this would take N * ms; concurrent
-- waiting takes about ms plus the scheduler's overhead.
local ratio = require "ratio"
local p = ratio.params{
  tasks = {10000, "how many tasks"},
  ms = {10, "how long each task sleeps (ms)"},
}
local t0 = ratio.now()
local tasks = {}
for i = 1, p.tasks do
  tasks[i] = ratio.spawn(function() ratio.sleep(p.ms) return i end)
end
local results = ratio.gather(tasks)
assert(#results == p.tasks and results[p.tasks] == p.tasks)
local wall = (ratio.now() - t0) / 1000
local serial = p.tasks * p.ms / 1000
print(("%d tasks x sleep(%d ms): %.3f s wall (serial would be %.0f s; overhead %.1f us/task)")
  :format(p.tasks, p.ms, wall, serial, (wall - p.ms / 1000) / p.tasks * 1e6))
return {tasks = p.tasks, sleep_ms = p.ms, wall_seconds = wall}
