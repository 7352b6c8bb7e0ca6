-- ratio.core.cache through Lua: group commit, waits, reopen.
local ratio = require "ratio"
local t = require "testlib"
local core = require "ratio.core.cache"

local function tmpdir()
  local p = os.tmpname()
  os.remove(p)
  return p
end

local function key(i) return ratio.sha256("k" .. i) end

t.test("put waits for its commit, and concurrent puts share transactions", function()
  local dir = tmpdir()
  local c = assert(core.open(dir .. "/c.sqlite"))
  local out = ratio.map((function() local l = {} for i = 1, 500 do l[i] = i end return l end)(), function(i)
    ratio.sleep(i % 7)
    local ok, err = c:put(key(i), '{"v":' .. i .. '}', {model = "m", input_tokens = i, output_tokens = 1})
    assert(ok, err)
    -- Once put has returned, the row is on disk: another connection sees it.
    return true
  end, {concurrency = 100})
  t.eq(#out, 500)
  local st = c:stats()
  t.eq(st.puts, 500)
  t.eq(st.pending, 0)
  t.eq(st.calls_on_disk, 500)
  t.ok(st.flushes < 100, "expected batched commits, got " .. st.flushes .. " transactions for 500 puts")
  local other = assert(core.open(dir .. "/c.sqlite", true))
  local v, meta = other:get(key(123))
  t.eq(v, '{"v":123}')
  t.eq(meta.model, "m")
  t.eq(meta.input_tokens, 123)
  other:close()
  c:close()
  os.execute("rm -rf " .. dir)
end)

t.test("get sees a put before it is committed", function()
  local dir = tmpdir()
  local c = assert(core.open(dir .. "/c.sqlite"))
  local done = false
  local writer = ratio.spawn(function() c:put(key(1), "x") done = true end)
  ratio.yield() -- the writer runs up to its put, which waits for the commit
  t.eq(done, false)
  t.eq((c:get(key(1))), "x")
  writer:wait()
  t.eq(done, true)
  c:close()
  os.execute("rm -rf " .. dir)
end)

t.test("a key that is not a SHA-256 hex is refused", function()
  local dir = tmpdir()
  local c = assert(core.open(dir .. "/c.sqlite"))
  local ok, err = c:put("Bearer sk-secret", "x")
  t.eq(ok, nil)
  t.ok(err and #err > 0)
  c:close()
  os.execute("rm -rf " .. dir)
end)

t.test("a file that is not a database gives a clear error", function()
  local p = os.tmpname()
  local f = assert(io.open(p, "w"))
  f:write(("not a database\n"):rep(100))
  f:close()
  local c, err = core.open(p)
  t.eq(c, nil)
  t.ok(err:find(p, 1, true), err)
  os.remove(p)
end)
