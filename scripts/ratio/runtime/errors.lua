-- ratio.errors: how errors travel between tasks without losing where they began.
--
-- An error raised in a task is wrapped once, at its origin, into a Traced value that keeps the
-- message (with file:line) and the traceback of the coroutine where it happened. Re-raising it
-- elsewhere (task:wait, semaphore:with, ratio.map) keeps that first traceback. ratio.exit raises an
-- Exit value, which every handler passes through untouched.
local M = {}

local Traced = {}
Traced.__index = Traced
Traced.__tostring = function(e)
  return e.traceback and (e.message .. "\n" .. e.traceback) or e.message
end
M.Traced = Traced

local Exit = {}
Exit.__index = Exit
Exit.__tostring = function(e) return e.message or ("exit " .. e.code) end
M.Exit = Exit

function M.is_traced(e) return getmetatable(e) == Traced end
function M.is_exit(e) return getmetatable(e) == Exit end

-- Message handler for xpcall: wraps a raw error with the traceback of the place it was raised.
function M.handler(e)
  local mt = getmetatable(e)
  if mt == Traced or mt == Exit then return e end
  local msg = type(e) == "string" and e or tostring(e)
  -- Below the first xpcall is the library's own task plumbing: noise in a recipe's traceback.
  local tb = debug.traceback("", 2):gsub("^\n", ""):gsub("\n\t%[C%]: in function 'xpcall'.*$", "")
  return setmetatable({message = msg, traceback = tb}, Traced)
end

-- The exit signal: ends the run with `code`; `message` (optional) is printed as one line.
function M.exit(code, message)
  error(setmetatable({code = code, message = message}, Exit), 0)
end

-- An error in the data a recipe reads (a bad JSONL line, a missing field): the message names the
-- file, line and field, so a traceback into the library would only be noise.
function M.data(message)
  error(setmetatable({message = message}, Traced), 0)
end

-- A usage error (bad flag, bad parameter): one line, exit status 2, no traceback.
function M.usage(message) M.exit(2, message) end

-- The text printed for an error that ends the run.
function M.describe(e)
  if getmetatable(e) == Traced then return tostring(e) end
  if getmetatable(e) == Exit then return e.message end
  return tostring(e)
end

-- edit_distance(a, b) -> the Levenshtein distance of two strings, for "did you mean" suggestions.
function M.edit_distance(a, b)
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = {[0] = i}
    for j = 1, #b do
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a:byte(i) == b:byte(j) and 0 or 1))
    end
    prev = cur
  end
  return prev[#b]
end

return M
