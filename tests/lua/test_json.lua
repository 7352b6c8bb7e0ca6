-- ratio.json: decode/encode through the C parser and encoder.
local ratio = require "ratio"
local t = require "testlib"
local json = ratio.json

t.test("integers and floats stay apart", function()
  local v = json.decode('{"i": 1, "f": 1.0, "e": 1e2, "big": 9223372036854775807, "neg": -0}')
  t.eq(math.type(v.i), "integer")
  t.eq(math.type(v.f), "float")
  t.eq(math.type(v.e), "float")
  t.eq(v.big, math.maxinteger)
  t.eq(json.encode({i = 1, f = 1.0, x = 0.1, h = 1e300}), '{"f":1.0,"h":1e+300,"i":1,"x":0.1}')
end)

t.test("keys are written in byte order", function()
  t.eq(json.encode({b = 1, a = 2, A = 3, aa = 4}), '{"A":3,"a":2,"aa":4,"b":1}')
end)

-- Byte order written out in Lua (string comparison follows the locale), shorter first on a
-- common prefix.
local function byte_less(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = a:byte(i), b:byte(i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

t.test("objects of every size: keys in byte order, each value under its own key", function()
  local state = 17
  local function rand(n) -- a small LCG: the same keys and orders every run
    state = (state * 1103515245 + 12345) % 2147483648
    return state % n + 1
  end
  local pool = {"", "a", "ab", "a\0", "a\0b", "b", "B", "\u{e9}", "z", "aa", "a b", "_"}
  for n = 0, 80 do
    for _, size in ipairs({n, n == 80 and 1000 or nil}) do
      local keys, seen = {}, {}
      while #keys < size do
        local k = (#keys < #pool and pool[#keys + 1]) or ("k" .. rand(1e9))
        if not seen[k] then seen[k] = true keys[#keys + 1] = k end
      end
      for i = #keys, 2, -1 do -- insertion order shuffled: the table's order is not the output's
        local j = rand(i)
        keys[i], keys[j] = keys[j], keys[i]
      end
      local obj = json.object()
      for i, k in ipairs(keys) do obj[k] = i end
      table.sort(keys, byte_less)
      local parts = {}
      for i, k in ipairs(keys) do parts[i] = json.encode(k) .. ":" .. obj[k] end
      t.eq(json.encode(obj), "{" .. table.concat(parts, ",") .. "}", ("%d keys"):format(size))
    end
  end
end)

t.test("a bad key or value deep in a big object is named", function()
  local obj = {}
  for i = 1, 50 do obj[("k%02d"):format(i)] = i end
  obj.k45 = {1, nil, 3}
  local _, e1 = json.encode(obj)
  t.ok(e1 and e1:find("sparse") and e1:find("%$%.k45"), tostring(e1))
  obj.k45 = 45
  obj["k46\xff"] = 1
  local _, e2 = json.encode(obj)
  t.ok(e2 and e2:find("key that is not valid UTF%-8"), tostring(e2))
  obj["k46\xff"] = nil
  obj[7] = true
  local _, e3 = json.encode(obj)
  t.ok(e3 and e3:find("both string and integer"), tostring(e3))
  local marked = json.object()
  marked[1] = "x"
  local _, e4 = json.encode(marked)
  t.ok(e4 and e4:find("object with a non%-string key"), tostring(e4))
  local _, e5 = json.encode({[0] = 1})
  t.ok(e5 and e5:find("neither a string nor a positive integer"), tostring(e5))
  t.eq(json.encode({[2] = "b", [1] = "a", [3] = "c"}), '["a","b","c"]')
end)

t.test("null survives a round trip", function()
  local v = json.decode('{"a": null, "b": [1, null, 3]}')
  t.eq(v.a, json.null)
  t.eq(#v.b, 3)
  t.eq(json.encode(v), '{"a":null,"b":[1,null,3]}')
end)

t.test("empty arrays and objects round-trip", function()
  t.eq(json.encode(json.decode('{"a": [], "o": {}}')), '{"a":[],"o":{}}')
  t.eq(json.encode({}), "[]")
  t.eq(json.encode(json.object()), "{}")
end)

t.test("decode errors give line and column", function()
  local v, err = json.decode('{"a": 1,\n  "b": }')
  t.eq(v, nil)
  t.ok(err:find("^line 2, column 8: "), err)
  t.ok(select(2, json.decode("[1, 2")):find("end of input"))
  t.ok(select(2, json.decode('"\xff"')):find("UTF%-8"))
  t.ok(select(2, json.decode("NaN")), "NaN is not JSON")
end)

t.test("depth limit", function()
  local deep = ("["):rep(600) .. ("]"):rep(600)
  local v, err = json.decode(deep)
  t.eq(v, nil)
  t.ok(err:find("deeper"), err)
  t.ok(json.decode(deep, {max_depth = 1000}))
end)

t.test("encode refuses what JSON cannot hold, naming where", function()
  local _, e1 = json.encode({a = {b = 0 / 0}})
  t.ok(e1:find("NaN") and e1:find("%$%.a%.b"), e1)
  local _, e2 = json.encode({f = print})
  t.ok(e2:find("function") and e2:find("%$%.f"), e2)
  local _, e3 = json.encode({1, 2, nil, 4})
  t.ok(e3 and (e3:find("sparse") or e3:find("holes")), tostring(e3))
  local _, e4 = json.encode({1, x = 2})
  t.ok(e4:find("both string and integer"), e4)
  local cyc = {}
  cyc.self = cyc
  local _, e5 = json.encode(cyc)
  t.ok(e5:find("too deep"), e5)
  local _, e6 = json.encode("\xff")
  t.ok(e6:find("UTF%-8"), e6)
end)

t.test("strings: escapes and unicode", function()
  t.eq(json.decode('"a\\u00e9\\ud83d\\ude00\\n"'), "aé😀\n")
  t.eq(json.encode("tab\there \"q\" é"), '"tab\\there \\"q\\" é"')
end)

t.test("indent", function()
  t.eq(json.encode({a = {1, 2}}, {indent = 2}), '{\n  "a": [\n    1,\n    2\n  ]\n}')
end)

t.test("keys: a decoded top-level object's keys in the order of the text", function()
  local v = json.decode('{"b": 1, "A": 2, "a": {"z": 1, "y": 2}, "b": 3, "n": null}')
  t.eq(json.keys(v), {"b", "A", "a", "n"}) -- a duplicate keeps its first place
  t.eq(v.b, 3)                              -- and its last value
  t.eq(json.keys(v.a), nil)                 -- nested objects: no list
  t.eq(json.keys({x = 1}), nil)             -- tables built in Lua: none
  t.eq(json.keys(json.decode("[1, 2]")), nil)
  t.eq(json.keys(json.decode("{}")), {})
  -- keys = false: a reply read for its fields keeps no list (and the same values)
  local quiet = json.decode('{"b": 1, "a": {"z": 1}}', {keys = false})
  t.eq(json.keys(quiet), nil)
  t.eq(quiet.b, 1)
  t.eq(quiet.a.z, 1)
  t.eq(select(2, pcall(json.decode, "{}", {keys = "no"})):match("boolean expected") ~= nil, true)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write('{"M-X": 1, "m-x": 2}\n{"m-x": 1, "M-X": 2}\n')
  f:close()
  local got = {}
  for item in ratio.jsonl.lines(path) do got[#got + 1] = table.concat(json.keys(item), " ") end
  t.eq(got, {"M-X m-x", "m-x M-X"})
  os.remove(path)
end)

t.test("encoded: a value's JSON written once, copied where the value stands", function()
  local messages = {{role = "user", content = "é \"q\"\n"}, {role = "system", content = json.null}}
  local e = assert(json.encoded(messages))
  t.eq(tostring(e), json.encode(messages))
  local doc = {model = "m", messages = messages, n = {1, 2.0}}
  local with = {model = "m", messages = e, n = {1, 2.0}}
  t.eq(json.encode(with), json.encode(doc))
  t.eq(json.encode({a = {b = e}}), json.encode({a = {b = messages}}))
  t.eq(json.encode(e), json.encode(messages))
  t.eq(json.encode(json.encoded(json.object())), "{}")
  local bad, err = json.encoded({1, nil, 3})
  t.eq(bad, nil)
  t.ok(err:find("sparse", 1, true), err)
  local path = os.tmpname()
  local w = assert(ratio.jsonl.writer(path))
  assert(w:write({x = json.encoded({1, 2})}))
  assert(w:close())
  local f = assert(io.open(path))
  t.eq(f:read("a"), '{"x":[1,2]}\n')
  f:close()
  os.remove(path)
end)

t.test("ratio.sha256 of pieces is the digest of their concatenation", function()
  local e = json.encoded({1, "two"})
  t.eq(ratio.sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  t.eq(ratio.sha256("a", "", "bc"), ratio.sha256("abc"))
  t.eq(ratio.sha256("x", e, 12), ratio.sha256('x[1,"two"]12'))
  t.raises(function() ratio.sha256("a", nil) end, "string expected")
  -- a table counts as its compact JSON, as json.encode writes it
  local msgs = {{role = "user", content = "h\"i"}, {role = "assistant", content = "ok"}}
  t.eq(ratio.sha256("<", msgs, ">"), ratio.sha256("<" .. json.encode(msgs) .. ">"))
  t.eq(ratio.sha256({b = 1, a = {2.5, true}}), ratio.sha256('{"a":[2.5,true],"b":1}'))
  t.raises(function() ratio.sha256("a", {f = print}) end, "piece 2: cannot write a function")
  t.raises(function() ratio.sha256("a", print) end, "string expected, got function")
  t.raises(function() ratio.sha256() end, "string expected")
  -- the raw digest (the LLM client's single-flight key) is the same digest, as 32 bytes
  local sys = require "ratio.core.sys"
  local raw = sys.sha256_raw("x", e, 12)
  t.eq(#raw, 32)
  t.eq(sys.hex(raw), ratio.sha256('x[1,"two"]12'))
  t.eq(sys.hex("\0\255"), "00ff")
  t.raises(function() sys.sha256_raw("a", true) end, "string expected, got boolean")
  -- XXH3-128 (xxhsum -H2 of "abc"), pieces and tables as sha256 takes them
  t.eq(sys.hex(sys.xxh128("abc")), "06b05ab6733a618578af5f94892f3950")
  t.eq(sys.xxh128("a", "", "bc"), sys.xxh128("abc"))
  t.eq(sys.xxh128("x", {1, "two"}, 12), sys.xxh128('x[1,"two"]12'))
  t.raises(function() sys.xxh128("a", {f = print}) end, "xxh128: piece 2: cannot write a function")
end)
