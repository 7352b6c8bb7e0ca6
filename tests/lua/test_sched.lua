-- The scheduler: tasks, sleep, gather, semaphores and map.
local ratio = require "ratio"
local t = require "testlib"

t.test("spawn runs concurrently and gather keeps order", function()
  local order = {}
  local tasks = {}
  for i = 1, 5 do
    tasks[i] = ratio.spawn(function()
      ratio.sleep((6 - i) * 5) -- the last spawned finishes first
      order[#order + 1] = i
      return i * 10
    end)
  end
  t.eq(ratio.gather(tasks), {10, 20, 30, 40, 50})
  t.eq(order, {5, 4, 3, 2, 1})
end)

t.test("gather spawns functions", function()
  t.eq(ratio.gather{function() return "a" end, function() ratio.sleep(1) return "b" end}, {"a", "b"})
end)

t.test("task:wait returns every value and re-raises the task's error", function()
  local a = ratio.spawn(function(x, y) return x + y, "second" end, 2, 3)
  local s, second = a:wait()
  t.eq({s, second}, {5, "second"})
  local b = ratio.spawn(function() ratio.sleep(1) error("boom") end)
  t.raises(function() b:wait() end, "test_sched.lua:%d+: boom")
end)

t.test("sleep waits at least the time asked", function()
  local t0 = ratio.now()
  ratio.sleep(20)
  t.ok(ratio.now() - t0 >= 20, "slept " .. (ratio.now() - t0))
  -- libuv's loop clock is coarse (a kernel tick behind ratio.now() at times): many short sleeps
  -- caught its timers firing up to a millisecond early.
  for i = 1, 100 do
    local s, ms = ratio.now(), 1 + i % 7
    ratio.sleep(ms)
    local slept = ratio.now() - s
    if slept < ms then t.ok(false, ("sleep(%d) took %.3f ms"):format(ms, slept)) end
  end
end)

t.test("sleep outside a task is a clear error", function()
  local co = coroutine.create(function() ratio.sleep(1) end)
  local ok, e = coroutine.resume(co)
  t.eq(ok, false)
  t.ok(tostring(e):find("must be called inside a task"), tostring(e))
end)

t.test("semaphore bounds how many hold it", function()
  local sem = ratio.semaphore(2)
  local inside, peak = 0, 0
  local tasks = {}
  for i = 1, 8 do
    tasks[i] = ratio.spawn(function()
      sem:with(function()
        inside = inside + 1
        peak = math.max(peak, inside)
        ratio.sleep(2)
        inside = inside - 1
      end)
    end)
  end
  ratio.gather(tasks)
  t.eq(peak, 2)
  t.eq(sem.available, 2)
end)

t.test("semaphore serves waiters first come first served", function()
  local sem = ratio.semaphore(1)
  sem:acquire()
  local got = {}
  local tasks = {}
  for i = 1, 4 do
    tasks[i] = ratio.spawn(function() sem:acquire() got[#got + 1] = i sem:release() end)
  end
  ratio.sleep(1)
  sem:release()
  ratio.gather(tasks)
  t.eq(got, {1, 2, 3, 4})
end)

t.test("semaphore rejects bad sizes and over-release", function()
  t.raises(function() ratio.semaphore(0) end, "integer >= 1")
  t.raises(function() ratio.semaphore(1.5) end, "integer >= 1")
  local s = ratio.semaphore(1)
  t.raises(function() s:release() end, "released more times")
end)

t.test("map keeps input order and bounds concurrency", function()
  local inflight, peak = 0, 0
  local items = {}
  for i = 1, 50 do items[i] = i end
  local out, st = ratio.map(items, function(x)
    inflight = inflight + 1
    peak = math.max(peak, inflight)
    ratio.sleep((x * 7) % 5) -- finish out of order
    inflight = inflight - 1
    return x * x
  end, {concurrency = 4})
  for i = 1, 50 do t.eq(out[i], i * i) end
  t.eq(peak, 4)
  t.eq(st, {total = 50, done = 50, failed = 0})
end)

t.test("map over an iterator, with ordered each()", function()
  local i = 0
  local function gen() i = i + 1 if i <= 20 then return {n = i} end end
  local seen = {}
  local out = ratio.map(gen, function(item) ratio.sleep((item.n * 3) % 4) return item.n end, {
    concurrency = 5,
    each = function(r, item, idx) seen[#seen + 1] = {r, item.n, idx} end,
  })
  t.eq(out, nil)
  t.eq(#seen, 20)
  for k = 1, 20 do t.eq(seen[k], {k, k, k}) end
end)

t.test("map with each = false keeps and passes on nothing, and no result waits for another", function()
  local done, order = 0, {}
  local out, st = ratio.map({1, 2, 3, 4, 5, 6}, function(x)
    ratio.sleep(x == 1 and 30 or 1) -- the first item finishes last
    done = done + 1
    order[#order + 1] = x
    return {big = x}
  end, {concurrency = 6, each = false})
  t.eq(out, nil)
  t.eq(st, {total = 6, done = 6, failed = 0})
  t.eq(done, 6)
  t.eq(order[6], 1)
  t.raises(function() ratio.map({1}, function() end, {each = true}) end, "each must be a function")
end)

t.test("map on_error=stop raises the first error naming the item", function()
  t.raises(function()
    ratio.map({1, 2, 3}, function(x) if x == 2 then error("bad item") end return x end)
  end, "^item 2: .*test_sched.lua:%d+: bad item")
end)

t.test("map on_error=record marks the failed item and goes on", function()
  local out, st = ratio.map({1, 2, 3, 4}, function(x)
    if x % 2 == 0 then error("even " .. x) end
    return x
  end, {on_error = "record"})
  t.eq(out[1], 1)
  t.eq(out[3], 3)
  t.ok(ratio.failed(out[2]) and ratio.failed(out[4]))
  t.ok(out[2].error:find("even 2"), out[2].error)
  t.eq(out[4].index, 4)
  t.eq(st.failed, 2)
end)

t.test("map validates its options", function()
  t.raises(function() ratio.map({}, function() end, {concurency = 2}) end, "unknown option 'concurency'")
  t.raises(function() ratio.map({}, function() end, {concurrency = 0}) end, "integer >= 1")
  t.raises(function() ratio.map({}, function() end, {on_error = "ignore"}) end, "on_error")
  t.raises(function() ratio.map(42, function() end) end, "list or an iterator")
end)

t.test("map of an empty list returns an empty list", function()
  local out, st = ratio.map({}, function() error("never") end)
  t.eq(out, {})
  t.eq(st.done, 0)
end)

t.test("a nil result keeps its place", function()
  local out = ratio.map({1, 2, 3}, function(x) if x ~= 2 then return x end end)
  t.eq(out[1], 1)
  t.eq(out[2], nil)
  t.eq(out[3], 3)
end)

t.test("fifo: a ring that keeps its order when it grows wrapped, and its slots at any length", function()
  local f = require("ratio.sched").fifo()
  t.eq({f:pop(), f:peek()}, {})
  for i = 1, 6 do f:push(i) end
  t.eq({f:peek(), f:len()}, {1, 6})
  t.eq({f:pop(), f:pop(), f:pop(), f:pop()}, {1, 2, 3, 4})
  for i = 7, 20 do f:push(i) end -- wraps past slot 8, then doubles with the head at slot 5
  t.eq(f:len(), 16)
  local out, want = {}, {}
  while f:len() > 0 do out[#out + 1] = f:pop() end
  for i = 5, 20 do want[#want + 1] = i end
  t.eq(out, want)
  f:push(false) -- any value but nil
  t.eq({f:len(), f:pop(), f:len()}, {1, false, 0})
  -- At a steady length of 2^k - 1, where a table used as a queue rehashes on nearly every push,
  -- the ring stays the one table of cap slots, every one of them set.
  local g = require("ratio.sched").fifo()
  for i = 1, 1023 do g:push(i) end
  local slots, order_kept = g.slots, true
  for i = 1024, 30000 do
    g:push(i)
    if g:pop() ~= i - 1023 then order_kept = false end
  end
  t.ok(order_kept, "first in, first out")
  t.eq({g.cap, #g.slots, g:len()}, {1024, 1024, 1023})
  t.ok(rawequal(g.slots, slots), "the same slots")
end)

t.test("queue: a popper that timed out and pops again gets the next value, its old place skipped", function()
  -- Each task notes that it is about to wait and then waits (nothing runs in between), so the
  -- line is: waiter's old place, waiter again, other.
  local q, back, other_waits = ratio.queue(), false, false
  local waiter = ratio.spawn(function()
    t.eq(q:pop(1), nil) -- gives up its place
    back = true
    return q:pop() -- and waits again
  end)
  local other = ratio.spawn(function()
    while not back do ratio.sleep(0) end
    other_waits = true
    return q:pop()
  end)
  while not other_waits do ratio.sleep(0) end
  q:push("first")
  q:push("second")
  t.eq({waiter:wait(), other:wait()}, {"first", "second"})
  t.eq(q:len(), 0)
end)

t.test("queue: first in, first out; poppers wait in line; pop times out", function()
  local q = ratio.queue()
  q:push("a")
  q:push(false) -- any value but nil
  q:push({n = 3})
  t.eq(q:len(), 3)
  t.eq({q:pop(), q:pop(), q:pop().n}, {"a", false, 3})
  t.eq(q:len(), 0)
  -- Two poppers wait; a third gives up after 5 ms and loses its place; pushes go to the first two
  -- in the order they started waiting.
  local got = {}
  local function popper(name) return function() local v = q:pop() got[#got + 1] = name .. v end end
  local a, b = ratio.spawn(popper("a:")), ratio.spawn(popper("b:"))
  local gone = ratio.spawn(function() return q:pop(5) end)
  ratio.sleep(1)
  t.eq(gone:wait(), nil)
  q:push(1)
  q:push(2)
  q:push(3) -- nobody waits any more: kept
  ratio.gather{a, b}
  t.eq(got, {"a:1", "b:2"})
  t.eq(q:pop(0), 3)
  t.eq(q:pop(1), nil)
  t.raises(function() q:push(nil) end, "queue:push: expected a value, got nil")
  -- Workers draining a queue: every item once, in order of taking.
  local work, seen = ratio.queue(), {}
  local workers = {}
  for w = 1, 3 do
    workers[w] = ratio.spawn(function()
      while true do
        local item = work:pop()
        if item == "stop" then return end
        ratio.sleep(item % 3)
        seen[#seen + 1] = item
      end
    end)
  end
  for i = 1, 30 do work:push(i) end
  for _ = 1, 3 do work:push("stop") end
  ratio.gather(workers)
  table.sort(seen)
  local want = {}
  for i = 1, 30 do want[i] = i end
  t.eq(seen, want)
end)

t.test("event: set wakes every waiter; wait times out", function()
  local ev = ratio.event()
  local woke = {}
  local tasks = {}
  for i = 1, 3 do tasks[i] = ratio.spawn(function() woke[i] = ev:wait() end) end
  local late = ratio.spawn(function() return ev:wait(5) end)
  t.eq(late:wait(), false) -- nobody set it within 5 ms
  ev:set()
  ratio.gather(tasks)
  t.eq(woke, {true, true, true})
  t.eq(ev:wait(1), true) -- already set: returns at once
  local ev2 = ratio.event()
  ratio.spawn(function() ratio.sleep(2) ev2:set() end)
  t.eq(ev2:wait(10000), true) -- set before the deadline; the deadline timer is cancelled
end)
