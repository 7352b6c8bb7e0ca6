-- ratio.sched: tasks on the libuv loop. spawn, sleep, gather, semaphore and map.
--
-- A task is a coroutine the C scheduler resumes when what it waits for is ready. Everything that
-- waits (sleep, task:wait, semaphore:acquire, HTTP calls) suspends only the calling task; the loop
-- keeps running all the others. An error that escapes a task ends the run (exit status 1) with the
-- message and traceback of where it was raised, unless the code that waits for the task catches it.
local core = require "ratio.core.sched"
local errors = require "ratio.errors"
local progress = require "ratio.progress"
local failures = require "ratio.failures"

local M = {}

-- The ratio.map item a task works for (inherited by the tasks it spawns), so a call that fails
-- deep inside can name its item in the run's failure summary. Weak keys: a finished task's entry goes.
local item_ctx = setmetatable({}, {__mode = "k"})

-- context() -> {item, index} of the ratio.map item the current task works for, or nil.
function M.context()
  local co = core.current()
  return co and item_ctx[co] or nil
end

local function need_task(what)
  if not core.current() then
    error(what .. " must be called inside a task (the recipe's main chunk, ratio.spawn or "
      .. "ratio.map), not from a plain coroutine", 3)
  end
  return core.current()
end

-- Ends the run because error e escaped a task.
function M.fail(e)
  if errors.is_exit(e) then core.stop(e.code, e.message) else core.stop(1, errors.describe(e)) end
end

---------------------------------------------------------------------------------------------------
-- Tasks

local Task = {}
Task.__index = Task
Task.__name = "ratio.task"

local function wake_all(list)
  if not list then return end
  for i = 1, #list do core.wake(list[i]) end
end

-- ratio.spawn(fn, ...) -> task: runs fn(...) as a new task; an error in it ends the run unless a
-- task waiting on it with task:wait() / ratio.gather() is there to receive it.
function M.spawn(fn, ...)
  if type(fn) ~= "function" then error("ratio.spawn: expected a function, got " .. type(fn), 2) end
  local task = setmetatable({status = "running"}, Task)
  local args = table.pack(...)
  local ctx = M.context()
  core.start(function()
    if ctx then item_ctx[core.current()] = ctx end
    local r = table.pack(xpcall(fn, errors.handler, table.unpack(args, 1, args.n)))
    if r[1] then
      task.status, task.results = "done", r
    else
      task.status, task.error = "failed", r[2]
      if not task.waiters then M.fail(r[2]) end
    end
    local w = task.waiters
    task.waiters = nil
    wake_all(w)
  end)
  return task
end

-- task:wait() -> the task's return values (raises the task's error if it failed).
function Task:wait()
  if self.status == "running" then
    local co = need_task("task:wait")
    self.waiters = self.waiters or {}
    self.waiters[#self.waiters + 1] = co
    core.suspend()
  end
  if self.status == "failed" then error(self.error, 0) end
  return table.unpack(self.results, 2, self.results.n)
end

function Task:done() return self.status ~= "running" end

-- ratio.gather(tasks) -> list of each task's first result, in the order given. Functions in the
-- list are spawned first, so gather{f, g} runs f and g concurrently.
function M.gather(tasks)
  if type(tasks) ~= "table" then error("ratio.gather: expected a list of tasks", 2) end
  local list = {}
  for i = 1, #tasks do
    local t = tasks[i]
    if type(t) == "function" then t = M.spawn(t) end
    if getmetatable(t) ~= Task then error(("ratio.gather: item %d is not a task"):format(i), 2) end
    list[i] = t
  end
  for _, t in ipairs(list) do t.waiters = t.waiters or (t.status == "running" and {} or nil) end
  local out = {}
  for i, t in ipairs(list) do out[i] = (t:wait()) end
  return out
end

-- ratio.sleep(ms): suspends the calling task for at least ms milliseconds.
M.sleep = core.sleep

-- ratio.yield(): lets every other ready task run once (for long loops of pure computation).
function M.yield() core.sleep(0) end

-- ratio.now() -> monotonic milliseconds (fractional).
M.now = core.now

---------------------------------------------------------------------------------------------------
-- First in, first out

local Fifo = {}
Fifo.__index = Fifo
Fifo.__name = "ratio.fifo"

-- sched.fifo() -> f (library-internal: require("ratio.sched").fifo): f:push(v) (v not nil),
-- f:pop() -> the oldest value or nil when empty, f:peek() -> the oldest value (nil when empty)
-- left in place, f:len().
-- A ring of 2^k slots that doubles when full. A plain table used as a queue (t[tail] = v,
-- t[head] = nil) keeps its keys in the hash part once head has moved on, and Lua reuses a
-- removed key's node only for a new key with that very main position: at a steady length next
-- to a power of two it rehashes on nearly every push (1,025 tasks taking turns at a semaphore
-- of 1 cost 6x as much per acquire as 1,024 did). The ring's keys stay 1..cap, in the array
-- part, and a slot that is emptied holds false, never nil.
function M.fifo()
  return setmetatable({slots = {false, false, false, false, false, false, false, false}, cap = 8,
                       head = 1, n = 0}, Fifo)
end

function Fifo:push(v)
  local cap, slots = self.cap, self.slots
  if self.n == cap then -- full: a ring twice the size, the oldest first
    local grown = {}
    for k = 0, cap - 1 do grown[k + 1] = slots[(self.head - 1 + k) % cap + 1] end
    for k = cap + 1, 2 * cap do grown[k] = false end
    slots, cap = grown, 2 * cap
    self.slots, self.cap, self.head = slots, cap, 1
  end
  slots[(self.head - 1 + self.n) % cap + 1] = v
  self.n = self.n + 1
end

function Fifo:pop()
  if self.n == 0 then return nil end
  local h = self.head
  local v = self.slots[h]
  self.slots[h] = false
  self.head = h % self.cap + 1
  self.n = self.n - 1
  return v
end

function Fifo:peek() if self.n > 0 then return self.slots[self.head] end end

function Fifo:len() return self.n end

---------------------------------------------------------------------------------------------------
-- Semaphores

local Semaphore = {}
Semaphore.__index = Semaphore
Semaphore.__name = "ratio.semaphore"

-- ratio.semaphore(n): at most n holders at once; waiters are served first come, first served.
function M.semaphore(n)
  if math.type(n) ~= "integer" or n < 1 then
    error("ratio.semaphore: expected an integer >= 1, got " .. tostring(n), 2)
  end
  return setmetatable({available = n, size = n, queue = M.fifo()}, Semaphore)
end

function Semaphore:acquire()
  if self.available > 0 and self.queue.n == 0 then
    self.available = self.available - 1
    return
  end
  self.queue:push(need_task("semaphore:acquire"))
  core.suspend() -- release() hands its permit straight to us
end

function Semaphore:release()
  local co = self.queue:pop()
  if co then
    core.wake(co)
  elseif self.available >= self.size then
    error("semaphore:release: released more times than acquired", 2)
  else
    self.available = self.available + 1
  end
end

-- semaphore:with(fn, ...) -> fn(...)'s results, holding a permit while fn runs (released on error).
function Semaphore:with(fn, ...)
  self:acquire()
  local r = table.pack(xpcall(fn, errors.handler, ...))
  self:release()
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

---------------------------------------------------------------------------------------------------
-- Events

local Event = {}
Event.__index = Event
Event.__name = "ratio.event"

-- ratio.event() -> ev: ev:set() wakes every task in ev:wait([timeout_ms]); wait returns true once
-- the event is set (at once if it already is), or false when timeout_ms passed first.
function M.event() return setmetatable({is_set = false, waiters = {}}, Event) end

function Event:set()
  if self.is_set then return end
  self.is_set = true
  local waiters = self.waiters
  self.waiters = {}
  for _, co in ipairs(waiters) do core.wake(co, true) end
end

function Event:wait(timeout_ms)
  if self.is_set then return true end
  local co = need_task("event:wait")
  self.waiters[#self.waiters + 1] = co
  if core.suspend(timeout_ms) == true then return true end
  for i, w in ipairs(self.waiters) do -- timed out: no longer a waiter
    if w == co then table.remove(self.waiters, i) break end
  end
  return false
end

---------------------------------------------------------------------------------------------------
-- Queues

local Queue = {}
Queue.__index = Queue
Queue.__name = "ratio.queue"

-- ratio.queue() -> q: a first-in first-out channel between tasks. q:push(v) never waits (v must
-- not be nil); q:pop([timeout_ms]) returns the oldest value, waiting for one when the queue is
-- empty, or nil when timeout_ms passed first. Waiting poppers are served first come, first served.
-- A queue of work items for a few worker tasks holds many waiting items cheaply: an item is a
-- value, not a suspended task (each of which the garbage collector walks in every cycle).
function M.queue()
  -- gone[co]: how many of co's places among the waiters it gave up (its pop timed out)
  return setmetatable({items = M.fifo(), waiters = M.fifo(), gone = {}}, Queue)
end

function Queue:push(v)
  if v == nil then error("queue:push: expected a value, got nil", 2) end
  local gone = self.gone
  while self.waiters.n > 0 do
    local co = self.waiters:pop()
    local g = gone[co]
    if not g then
      core.wake(co, true, v)
      return
    end
    gone[co] = g > 1 and g - 1 or nil -- a place that popper gave up
  end
  self.items:push(v)
end

function Queue:pop(timeout_ms)
  if self.items.n > 0 then return self.items:pop() end
  local co = need_task("queue:pop")
  self.waiters:push(co)
  local woken, v = core.suspend(timeout_ms)
  if not woken then -- timed out: give up the place in line (push skips it)
    self.gone[co] = (self.gone[co] or 0) + 1
    return nil
  end
  return v
end

-- q:len() -> values waiting to be popped
function Queue:len() return self.items.n end

---------------------------------------------------------------------------------------------------
-- map

local Failed = {}
Failed.__index = Failed
Failed.__name = "ratio.failed"
Failed.__tostring = function(f) return ("item %d failed: %s"):format(f.index, f.error) end

-- ratio.failed(v) -> true when v is the mark map(on_error="record") leaves for a failed item.
function M.failed(v) return getmetatable(v) == Failed end

local NIL = setmetatable({}, {__name = "ratio.nil"}) -- holds a nil result until it is emitted

local function source_of(src, what)
  if type(src) == "table" then
    local n, i = #src, 0
    return function()
      if i >= n then return nil end
      i = i + 1
      return i, src[i]
    end, n
  elseif type(src) == "function" then
    local i, ended = 0, false
    return function()
      if ended then return nil end
      local item = src()
      if item == nil then ended = true return nil end
      i = i + 1
      return i, item
    end, nil
  end
  error(what .. ": expected a list or an iterator function, got " .. type(src), 3)
end

local function check_opts(opts)
  if opts == nil then return {} end
  if type(opts) ~= "table" then error("ratio.map: options must be a table", 3) end
  local known = {concurrency = true, progress = true, on_error = true, each = true, total = true}
  for k in pairs(opts) do
    if not known[k] then error("ratio.map: unknown option '" .. tostring(k) .. "'", 3) end
  end
  local c = opts.concurrency
  if c ~= nil and (math.type(c) ~= "integer" or c < 1) then
    error("ratio.map: concurrency must be an integer >= 1", 3)
  end
  if opts.on_error ~= nil and opts.on_error ~= "stop" and opts.on_error ~= "record" then
    error("ratio.map: on_error must be \"stop\" or \"record\"", 3)
  end
  if opts.each ~= nil and opts.each ~= false and type(opts.each) ~= "function" then
    error("ratio.map: each must be a function(result, item, index), or false", 3)
  end
  return opts
end

-- ratio.map(list_or_iterator, fn, opts) -> results, stats
-- Calls fn(item, index) for every item with at most opts.concurrency (default 16) in flight.
-- Results keep the input order. opts.each(result, item, index), if given, receives results in
-- input order as soon as they and all before them are ready, and map then keeps none in memory
-- (for streaming millions of items); each = false keeps none and passes none on, for an fn whose
-- work is its own output (results is then nil). opts.on_error: "stop" (default) raises the first error,
-- naming the item; "record" puts a mark (see ratio.failed) in that item's place and goes on.
-- opts.progress: a label (or true) for a progress display on stderr. stats = {total, done, failed}.
function M.map(src, fn, opts)
  opts = check_opts(opts)
  if type(fn) ~= "function" then error("ratio.map: expected a function, got " .. type(fn), 2) end
  local caller = need_task("ratio.map")
  local next_item, total = source_of(src, "ratio.map")
  total = total or opts.total
  local record = opts.on_error == "record"
  local each = opts.each or nil
  local discard = opts.each == false
  local results = not each and not discard and {} or nil
  local pending, items, emit_next, emitting = {}, {}, 1, false
  local stats = {total = total, done = 0, failed = 0}
  local bar = opts.progress and progress.new(opts.progress == true and "map" or tostring(opts.progress), total)
  local stop_err, active, caller_waiting = nil, 0, false

  local function emit()
    if emitting then return end -- another worker is inside each(); it will pick ours up
    emitting = true
    while pending[emit_next] ~= nil do
      local r = pending[emit_next]
      pending[emit_next] = nil
      local item = items[emit_next]
      items[emit_next] = nil
      if r == NIL then r = nil end
      local ok, e = xpcall(each, errors.handler, r, item, emit_next)
      if not ok then stop_err = stop_err or e break end
      emit_next = emit_next + 1
    end
    emitting = false
  end

  local function finish_worker()
    active = active - 1
    if caller_waiting and (active == 0 or stop_err) then
      caller_waiting = false
      core.wake(caller)
    end
  end

  local function worker()
    while not stop_err do
      local i, item = next_item()
      if i == nil then break end
      local co, ctx = core.current(), {item = item, index = i}
      local outer = item_ctx[co]
      item_ctx[co] = ctx
      local ok, r = xpcall(fn, errors.handler, item, i)
      item_ctx[co] = outer
      failures.unit_done()
      if not ok then
        if errors.is_exit(r) then stop_err = stop_err or r break end
        if record then failures.record(r.message, ctx) end
        stats.failed = stats.failed + 1
        if not record then
          r.message = ("item %d: %s"):format(i, r.message)
          stop_err = stop_err or r
          break
        end
        r = setmetatable({index = i, error = r.message, traceback = r.traceback}, Failed)
      end
      stats.done = stats.done + 1
      if each then
        pending[i] = r == nil and NIL or r
        items[i] = item
        emit()
      elseif not discard then
        results[i] = r
      end
      if bar then bar:update(stats.done, stats.failed) end
    end
    finish_worker()
  end

  local n = opts.concurrency or 16
  if total and total < n then n = math.max(total, 1) end
  for _ = 1, n do
    active = active + 1
    M.spawn(worker)
  end
  if active > 0 and not stop_err then
    caller_waiting = true
    core.suspend()
  end
  if bar then bar:finish(stats.done, stats.failed) end
  if stop_err then error(stop_err, 0) end
  if each then emit() end
  return results, stats
end

return M
