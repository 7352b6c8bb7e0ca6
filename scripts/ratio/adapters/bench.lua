-- ratio.bench: what the external-benchmark adapters (ratio.rmbench, ratio.judgebench) share: their
-- file reader, the reading of a verdict's side, and the judge-and-collect loop that runs every
-- comparison through a judge as one flat list.
--
--   local records = ratio.bench.read_records(path)  -- JSON array or JSON Lines, with line numbers
--   local judged = ratio.bench.judge_all(client, jobs, {reasks = 1, concurrency = 32})
local json = require "ratio.core.json"
local jsonl = require "ratio.jsonl"
local errors = require "ratio.errors"
local sys = require "ratio.core.sys"

local M = {}

-- Byte offsets of the elements of the top-level JSON array that starts at text[start] (the text
-- must already have decoded as JSON, so strings and brackets are well formed).
local function array_element_offsets(text, start)
  local offsets, depth, pos = {}, 0, start
  while true do
    local p, _, c = text:find('([%[%]{},"])', pos)
    if not p then break end
    if c == '"' then
      local q = p + 1
      while true do
        local e, _, ch = text:find('(["\\])', q)
        if not e then return offsets end
        if ch == "\\" then q = e + 2 else q = e + 1 break end
      end
      pos = q
    elseif c == "[" or c == "{" then
      depth = depth + 1
      pos = p + 1
      if depth == 1 then
        local s = text:find("%S", pos)
        if s and text:sub(s, s) ~= "]" then offsets[#offsets + 1] = s end
      end
    elseif c == "]" or c == "}" then
      depth = depth - 1
      pos = p + 1
      if depth == 0 then break end
    else -- a comma
      pos = p + 1
      if depth == 1 then offsets[#offsets + 1] = text:find("%S", pos) end
    end
  end
  return offsets
end

-- Line numbers of ascending byte offsets, counted in one pass.
local function lines_of(text, offsets)
  local out, line, pos = {}, 1, 1
  for i, off in ipairs(offsets) do
    while true do
      local nl = text:find("\n", pos, true)
      if not nl or nl >= off then break end
      line, pos = line + 1, nl + 1
    end
    out[i] = line
  end
  return out
end

-- read_records(path) -> list of {value, line}: a JSON array file (each element's line is where
-- it begins) or JSON Lines, told apart by the first character. Shared by ratio.rmbench and ratio.judgebench.
-- A file that cannot be read or parsed ends the run with a message naming file and line.
function M.read_records(path)
  local text, err = sys.read_file(path)
  if not text then errors.data(err) end
  local first = text:find("[^ \t\r\n]", text:sub(1, 3) == "\239\187\191" and 4 or 1)
  if first and text:sub(first, first) == "[" then
    local v, derr = json.decode(text)
    if v == nil then
      local line, col, what = tostring(derr):match("^line (%d+), column (%d+): (.*)$")
      errors.data(line and ("%s:%s: column %s: %s"):format(path, line, col, what) or (path .. ": " .. tostring(derr)))
    end
    local lines = lines_of(text, array_element_offsets(text, first))
    local out = {}
    for i, value in ipairs(v) do out[i] = {value = value, line = lines[i] or 1} end
    return out
  end
  local out = {}
  local reader, rerr = jsonl.open(path)
  if not reader then errors.data(rerr) end
  for value, line in reader:lines() do out[#out + 1] = {value = value, line = line} end
  reader:close()
  return out
end

-- side(label) -> "A" (A>>B, A>B), "B" (B>A, B>>A), "tie" (A=B) or nil for anything else.
function M.side(label)
  if type(label) ~= "string" then return nil end
  local l = label:gsub("%s", "")
  if l == "A>B" or l == "A>>B" then return "A" end
  if l == "B>A" or l == "B>>A" then return "B" end
  if l == "A=B" then return "tie" end
  return nil
end

-- judge_all(client, jobs, {reasks = 1, concurrency = 32, progress = "judging"}) -> results
-- Judges every job (job.item: the prompt and responses ratio.judge.run reads) as one flat list,
-- so the concurrency limit applies across items; results[k] belongs to jobs[k]. A call that fails
-- or raises is {status = "failed", error, code}: every judgement is kept.
function M.judge_all(client, jobs, opts)
  opts = opts or {}
  local sched = require "ratio.sched"
  local judge = require "ratio.judge"
  local judged = sched.map(jobs, function(c)
    local r, err, code = judge.run(client, c.item, {reasks = opts.reasks})
    if r == nil then r = {status = "failed", error = err, code = code} end
    return r
  end, {concurrency = opts.concurrency or 32, progress = opts.progress or "judging", on_error = "record"})
  for k, r in ipairs(judged) do
    if sched.failed(r) then judged[k] = {status = "failed", error = r.error} end
  end
  return judged
end

return M
