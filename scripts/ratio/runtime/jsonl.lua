-- ratio.jsonl: JSON Lines files, streamed (files larger than memory are fine).
--
--   for item, line in ratio.jsonl.lines("data/sample.jsonl") do ... end
--   local r = ratio.jsonl.open(path, {on_error = "skip"})  -- r.skipped, r.errors after reading
--   local w = ratio.jsonl.writer(path)  w:write(tbl)  w:close()
--
-- A bad line (invalid JSON or UTF-8, longer than max_line bytes, default 64 MiB) is reported as
-- "PATH:LINE: what is wrong". on_error = "stop" (default) ends the run with that message;
-- "skip" counts it (r.skipped), keeps the first 20 messages (r.errors), warns on stderr for the
-- first 5, and goes on. CRLF, a UTF-8 BOM, blank lines and a missing final newline are all fine.
local core = require "ratio.core.jsonl"
local errors = require "ratio.errors"

local M = {}

local Reader = {}
Reader.__index = Reader

local MAX_KEPT, MAX_WARNED = 20, 5

-- open(path, opts) -> reader | nil, message (opts: on_error, max_line, max_depth)
function M.open(path, opts)
  opts = opts or {}
  local on_error = opts.on_error or "stop"
  if on_error ~= "stop" and on_error ~= "skip" then
    error("ratio.jsonl: on_error must be \"stop\" or \"skip\"", 2)
  end
  local r, err = core.open(path, {max_line = opts.max_line, max_depth = opts.max_depth})
  if not r then return nil, err end
  return setmetatable({raw = r, path = path, on_error = on_error, skipped = 0, errors = {},
                       count = 0}, Reader)
end

-- hint(path) -> a sentence for a file that is one JSON document rather than JSON Lines (a JSON
-- array, or an object spread over several lines), or "" when the file does not start like one.
function M.hint(path)
  local f = io.open(path, "rb")
  if not f then return "" end
  local head = f:read(4096) or ""
  f:close()
  head = head:gsub("^\239\187\191", "")
  local first = head:match("^%s*(.)")
  local q = path:find("[^%w%-%._/]") and ("'" .. path:gsub("'", "'\\''") .. "'") or path
  local out = (q:gsub("%.json$", "") .. ".jsonl")
  if out == q then out = q .. ".jsonl" end
  if first == "[" then
    return (" (the file looks like one JSON array; ratio reads JSON Lines, one object per line: "
      .. "convert it with jq -c '.[]' %s > %s)"):format(q, out)
  elseif first == "{" and head:match("^%s*{%s*\n") then
    return (" (the file looks like pretty-printed JSON; ratio reads JSON Lines, one object per "
      .. "line: convert it with jq -c . %s > %s)"):format(q, out)
  end
  return ""
end

-- reader:read() -> value, lineno | nil at the end (bad lines handled as the policy says)
function Reader:read()
  while true do
    local v, line_or_err, lineno = self.raw:read()
    if v ~= nil then
      self.count = self.count + 1
      return v, line_or_err
    end
    if line_or_err == nil then return nil end -- end of file
    if self.count == 0 and self.skipped == 0 then line_or_err = line_or_err .. M.hint(self.path) end
    if self.on_error == "stop" then errors.data(line_or_err) end
    self.skipped = self.skipped + 1
    if #self.errors < MAX_KEPT then self.errors[#self.errors + 1] = line_or_err end
    if self.skipped <= MAX_WARNED then
      io.stderr:write("ratio: warning: ", line_or_err, " (line skipped)\n")
    end
    if lineno == nil then return nil end -- a read error is final
  end
end

-- reader:lines() -> iterator of value, lineno
function Reader:lines()
  return function() return self:read() end
end

function Reader:close() self.raw:close() end
Reader.__close = Reader.close

-- lines(path, opts) -> iterator of value, lineno, and the reader (for .skipped afterwards).
-- A file that cannot be opened ends the run with a message naming it.
function M.lines(path, opts)
  local r, err = M.open(path, opts)
  if not r then errors.data(err) end
  return r:lines(), r
end

-- read_all(path, opts) -> list of values, reader
function M.read_all(path, opts)
  local r, err = M.open(path, opts)
  if not r then errors.data(err) end
  local out = {}
  for v in r:lines() do out[#out + 1] = v end
  r:close()
  return out, r
end

-- writer(path, {append=}) -> writer | nil, message. writer:write(value) adds one line; lines go
-- to the file whole, so a killed run never leaves half a line.
M.writer = core.writer

return M
