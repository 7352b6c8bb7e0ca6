-- Benchmark: what does a first-in first-out line cost per push and pop at a steady length? For
-- each length it keeps that many values in line and then pushes one and pops one --ops times,
-- with a plain Lua table used as a queue (t[tail] = v, t[head] = nil) and with ratio.sched's
-- fifo (the ring under ratio.semaphore, ratio.queue, the LLM client's waiting line and the reward
-- server's admission). Then tasks taking turns at a semaphore of 1, as many as the length plus
-- one (so the length is the line that waits), and ratio.map streaming --ops items (each: results
-- emitted in order) with the length in flight. Prints CPU microseconds per operation; asserts
-- nothing.
--   bin/ratio run bench/queue_churn.lua [--ops N] [--lengths "511,512,1023,1024,4095"]
local ratio = require "ratio"
local fifo = require("ratio.sched").fifo
local p = ratio.params{
  ops = {200000, "pushes and pops per length", min = 1},
  lengths = {"511,512,1023,1024,4095,4096", "steady lengths, comma-separated"},
}

local function table_queue(len, ops)
  local t, head, tail = {}, 1, 0
  for i = 1, len do tail = tail + 1; t[tail] = i end
  local t0 = os.clock()
  for i = 1, ops do
    tail = tail + 1; t[tail] = i
    t[head] = nil; head = head + 1
  end
  return os.clock() - t0
end

local function ring(len, ops)
  local f = fifo()
  for i = 1, len do f:push(i) end
  local t0 = os.clock()
  for i = 1, ops do f:push(i); f:pop() end
  return os.clock() - t0
end

local function semaphore(len, ops)
  local sem, tasks = ratio.semaphore(1), {}
  local per = math.max(1, ops // (len + 1))
  local t0 = os.clock()
  for k = 1, len + 1 do
    tasks[k] = ratio.spawn(function()
      for _ = 1, per do sem:acquire(); ratio.yield(); sem:release() end
    end)
  end
  ratio.gather(tasks)
  return (os.clock() - t0) * ops / (per * (len + 1))
end

local function map(len, ops)
  local n = 0
  local t0 = os.clock()
  ratio.map(function() n = n + 1; if n <= ops then return n end end,
            function(i) ratio.yield() return i end, {concurrency = len, each = function() end})
  return os.clock() - t0
end

print(("%8s %14s %14s %17s %14s"):format("length", "table us/op", "fifo us/op", "semaphore us/op",
                                          "map us/item"))
for len in p.lengths:gmatch("%d+") do
  len = tonumber(len)
  local us = function(s) return s * 1e6 / p.ops end
  print(("%8d %14.3f %14.3f %17.3f %14.3f"):format(len, us(table_queue(len, p.ops)),
    us(ring(len, p.ops)), us(semaphore(len, p.ops)), us(map(len, p.ops))))
end
