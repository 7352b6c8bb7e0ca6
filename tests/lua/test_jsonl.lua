-- ratio.jsonl: streaming reader and crash-safe writer, through the Lua API.
local ratio = require "ratio"
local t = require "testlib"

local function tmpfile(content)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(content)
  f:close()
  return path
end

t.test("reads CRLF, BOM, blank lines and no final newline", function()
  local path = tmpfile('\xEF\xBB\xBF{"n": 1}\r\n\r\n  \n{"n": 2}\n{"n": 3}')
  local got = {}
  for v, line in ratio.jsonl.lines(path) do got[#got + 1] = {v.n, line} end
  t.eq(got, {{1, 1}, {2, 4}, {3, 5}})
  os.remove(path)
end)

t.test("a bad line stops with file:line", function()
  local path = tmpfile('{"n": 1}\n{"n": \n{"n": 3}\n')
  t.raises(function() for _ in ratio.jsonl.lines(path) do end end, ":2: invalid JSON at column 7")
  os.remove(path)
end)

t.test("skip mode counts bad lines and goes on", function()
  local path = tmpfile('{"n": 1}\nnot json\n{"n": "\xff"}\n{"n": 4}\n')
  local r = assert(ratio.jsonl.open(path, {on_error = "skip"}))
  local got = {}
  for v in r:lines() do got[#got + 1] = v.n end
  t.eq(got, {1, 4})
  t.eq(r.skipped, 2)
  t.ok(r.errors[1]:find(":2: "), r.errors[1])
  t.ok(r.errors[2]:find(":3: .*UTF%-8"), r.errors[2])
  r:close()
  os.remove(path)
end)

t.test("a line over max_line is reported and skippable", function()
  local path = tmpfile('{"n": 1}\n{"s": "' .. ("x"):rep(200) .. '"}\n{"n": 3}\n')
  local r = assert(ratio.jsonl.open(path, {on_error = "skip", max_line = 100}))
  local got = {}
  for v in r:lines() do got[#got + 1] = v.n end
  t.eq(got, {1, 3})
  t.ok(r.errors[1]:find(":2: line longer than 100 bytes"), r.errors[1])
  os.remove(path)
end)

t.test("open errors name the path", function()
  local r, err = ratio.jsonl.open("/nonexistent/x.jsonl")
  t.eq(r, nil)
  t.ok(err:find("/nonexistent/x.jsonl"), err)
  local _, err2 = ratio.jsonl.open("/tmp")
  t.ok(err2:find("directory"), err2)
end)

t.test("writer writes whole lines and reads back", function()
  local path = os.tmpname()
  local w = assert(ratio.jsonl.writer(path))
  for i = 1, 1000 do assert(w:write({i = i, s = ("é"):rep(i % 7)})) end
  assert(w:close())
  local n = 0
  for v, line in ratio.jsonl.lines(path) do
    n = n + 1
    t.eq(v.i, line)
  end
  t.eq(n, 1000)
  os.remove(path)
end)

t.test("writer append cuts a torn last line", function()
  local path = tmpfile('{"i": 1}\n{"i": 2}\n{"i": 3, "tor')
  local w = assert(ratio.jsonl.writer(path, {append = true}))
  t.eq(w:recovered(), 13)
  assert(w:write({i = 4}))
  w:close()
  local got = {}
  for v in ratio.jsonl.lines(path) do got[#got + 1] = v.i end
  t.eq(got, {1, 2, 4})
  os.remove(path)
end)

t.test("writer refuses what JSON cannot hold", function()
  local path = os.tmpname()
  local w = assert(ratio.jsonl.writer(path))
  local ok, err = w:write({x = 0 / 0})
  t.eq(ok, nil)
  t.ok(err:find("NaN"), err)
  w:close()
  os.remove(path)
end)
