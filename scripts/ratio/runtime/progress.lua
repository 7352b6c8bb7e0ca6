-- ratio.progress: how far a long step has got, on stderr.
-- On a terminal: one line redrawn at most 10 times a second (done/total, rate, ETA). Otherwise
-- (a log file, CI): a plain line every 10 seconds and one at the end. --quiet turns both off.
-- Library modules can add a short status (tokens, cost) with progress.add_status(fn).
local sys = require "ratio.core.sys"
local sched = require "ratio.core.sched"
local state = require "ratio.state"

local M = {}
local status_fns = {}

-- add_status(fn): fn() -> string or nil, appended to every progress line (e.g. "12.3k tok $0.04").
function M.add_status(fn) status_fns[#status_fns + 1] = fn end

local function status_text()
  local parts = {}
  for _, fn in ipairs(status_fns) do
    local ok, s = pcall(fn)
    if ok and s and s ~= "" then parts[#parts + 1] = s end
  end
  return #parts > 0 and ("  " .. table.concat(parts, "  ")) or ""
end

local function clock(seconds)
  seconds = math.floor(seconds + 0.5)
  if seconds >= 3600 then
    return ("%dh%02dm"):format(seconds // 3600, seconds % 3600 // 60)
  elseif seconds >= 60 then
    return ("%dm%02ds"):format(seconds // 60, seconds % 60)
  end
  return ("%ds"):format(seconds)
end
M.clock = clock

local Bar = {}
Bar.__index = Bar

function M.new(label, total)
  local tty = sys.isatty(2)
  return setmetatable({
    label = label, total = total, tty = tty, quiet = state.options.quiet,
    start = sched.now(), last = -math.huge, interval = tty and 100 or 10000, drawn = false,
  }, Bar)
end

function Bar:line(done, failed)
  local elapsed = (sched.now() - self.start) / 1000
  local rate = elapsed > 0 and done / elapsed or 0
  local parts = {}
  if self.total and self.total > 0 then
    local frac = math.min(done / self.total, 1)
    if self.tty then
      local width = 24
      local fill = math.floor(frac * width + 0.5)
      parts[#parts + 1] = "[" .. ("#"):rep(fill) .. ("."):rep(width - fill) .. "]"
    end
    parts[#parts + 1] = ("%d/%d (%d%%)"):format(done, self.total, math.floor(frac * 100))
  else
    parts[#parts + 1] = tostring(done)
  end
  parts[#parts + 1] = ("%.1f/s"):format(rate)
  if failed and failed > 0 then parts[#parts + 1] = failed .. " failed" end
  if self.total and rate > 0 and done < self.total then
    parts[#parts + 1] = "ETA " .. clock((self.total - done) / rate)
  else
    parts[#parts + 1] = clock(elapsed)
  end
  return self.label .. " " .. table.concat(parts, " ") .. status_text()
end

function Bar:update(done, failed)
  if self.quiet then return end
  local now = sched.now()
  if now - self.last < self.interval then return end
  self.last = now
  if self.tty then
    io.stderr:write("\r\27[K", self:line(done, failed))
    self.drawn = true
  elseif now - self.start >= self.interval then -- no line for steps that finish quickly
    io.stderr:write(self:line(done, failed), "\n")
  end
end

function Bar:finish(done, failed)
  if self.quiet then return end
  if self.tty then
    io.stderr:write("\r\27[K", self:line(done, failed), "\n")
  else
    io.stderr:write(self:line(done, failed), "\n")
  end
end

return M
