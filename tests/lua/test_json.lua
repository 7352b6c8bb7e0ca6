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

-- json.pick gives what decoding and indexing give: decoded[step1][step2]..., nil where a step is
-- missing or lands on a value of another kind.
local function walk(v, path)
  for _, step in ipairs(path) do
    if type(v) ~= "table" then return nil end
    v = v[step]
  end
  return v
end

local function same_kind(a, b) -- a captured container keeps decode's marker
  if type(a) ~= "table" then return true end
  if json.is_array(a) ~= json.is_array(b) then return false end
  for k, v in pairs(a) do
    if not same_kind(v, b[k]) then return false end
  end
  return true
end

t.test("pick: the values at the paths, as decode and indexing give them", function()
  local F = json.fields{{"choices", 1, "message", "content"}, {"usage", "prompt_tokens"},
                        {"error"}, {"model"}, {"choices", 2}, {"n"}, {"f"}, {"b"}, {"z"}}
  local text = '{"model": "m", "n": null, "f": 1.0, "b": false, "choices": [{"message": ' ..
               '{"content": "hi", "x": [1, {"content": "no"}]}}, {"k": [1, {}]}, 3], ' ..
               '"usage": {"prompt_tokens": 5}, "z": [], "deep": [[[{"model": "no"}]]]}'
  local got = table.pack(json.pick(text, F))
  t.eq(got.n, 10)
  t.eq(got[1], true)
  t.eq({table.unpack(got, 2, 5)}, {"hi", 5, nil, "m"})
  t.eq(got[6], {k = {1, {}}})
  t.ok(same_kind(got[6], {k = json.array{1, json.object()}}), "markers kept")
  t.eq(got[7], json.null)
  t.eq(math.type(got[8]), "float")
  t.eq(got[9], false)
  t.ok(json.is_array(got[10]) and #got[10] == 0, "an empty array stays an array")
  -- steps of the wrong kind give nil: a name on an array, a position on an object, a scalar
  local G = json.fields{{"a", "x"}, {"o", 1}, {"s", "x"}, {"s", 1}, {2}}
  t.eq({select(2, json.pick('{"a": [1], "o": {"1": 2}, "s": "str"}', G))}, {})
  t.eq(select("#", json.pick('{"a": [1], "o": {"1": 2}, "s": "str"}', G)), 6)
  -- a top-level array: positions from the root
  local H = json.fields{{2}, {3, "a"}}
  t.eq({json.pick('[1, 2, {"a": [true]}]', H)}, {true, 2, {true}})
end)

t.test("pick: a name given twice keeps its last value, as in a decoded table", function()
  local F = json.fields{{"u", "p"}, {"u", "c"}, {"k"}, {"u", "d", "r"}}
  local function both(text)
    local got = {select(2, json.pick(text, F))}
    local v = json.decode(text)
    t.eq(got, {walk(v, {"u", "p"}), walk(v, {"u", "c"}), walk(v, {"k"}), walk(v, {"u", "d", "r"})}, text)
  end
  both('{"u": {"p": 1, "c": 2, "d": {"r": 3}}, "u": {"c": 4}}')
  both('{"u": {"p": 1, "p": 9}, "k": 1, "k": [2], "k": {"x": 3}}')
  both('{"u": {"p": 1, "d": {"r": 3}}, "u": 5}')
  both('{"u": {"d": {"r": 3}, "d": {"q": 1}}}')
  both('{"k": {"a": 1}, "u": {"p": [1, 2]}, "k": null}')
end)

t.test("pick: random documents give what decode and indexing give", function()
  local state = 7
  local function rand(n)
    state = (state * 1103515245 + 12345) % 2147483648
    return state % n + 1
  end
  local names = {"a", "b", "c", "\u{e9}", "a\\u0000"} -- (as written in the JSON text)
  local decoded_names = {"a", "b", "c", "\u{e9}", "a\0"}
  local function value(depth)
    local r = rand(depth > 3 and 5 or 8)
    if r == 1 then return "null" elseif r == 2 then return tostring(rand(100) - 50)
    elseif r == 3 then return ('"s%d"'):format(rand(9)) elseif r == 4 then return "2.5"
    elseif r == 5 then return rand(2) == 1 and "true" or "false"
    elseif r <= 6 then
      local parts = {}
      for i = 1, rand(4) - 1 do parts[i] = value(depth + 1) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    local parts = {}
    for i = 1, rand(5) - 1 do parts[i] = ('"%s": %s'):format(names[rand(#names)], value(depth + 1)) end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  local function path()
    local p = {}
    for i = 1, rand(4) do p[i] = rand(3) == 1 and rand(3) or decoded_names[rand(#decoded_names)] end
    return p
  end
  local function key(p)
    local parts = {}
    for i, s in ipairs(p) do parts[i] = type(s) .. ":" .. s end
    return table.concat(parts, "\1") .. "\1"
  end
  for round = 1, 400 do
    local paths, keys = {}, {}
    for _ = 1, rand(8) do -- no path that repeats or starts another
      local p = path()
      local k, clash = key(p), false
      for _, other in ipairs(keys) do
        if other:sub(1, #k) == k or k:sub(1, #other) == other then clash = true end
      end
      if not clash then paths[#paths + 1], keys[#keys + 1] = p, k end
    end
    local F = json.fields(paths)
    for _ = 1, 5 do
      local text = value(0)
      if rand(2) == 1 then text = "{" .. ('"%s": %s, '):rep(2):format(names[rand(5)], value(1), names[rand(5)], value(1)) .. '"z": 0}' end
      local v = assert(json.decode(text))
      local got = table.pack(json.pick(text, F))
      t.eq(got.n, #paths + 1, text)
      for i, p in ipairs(paths) do
        local want = walk(v, p)
        t.eq(got[i + 1], want, ("round %d: %s at path %d"):format(round, text, i))
        t.ok(same_kind(got[i + 1], want), text)
      end
    end
  end
end)

t.test("pick: invalid text is refused as decode refuses it; bad fields are named", function()
  local F = json.fields{{"a"}}
  for _, text in ipairs{"[1, 2", '{"a": 1,}', '"\xff"', "", '{"a": 1} x', '{"a": 1e999}'} do
    local ok, msg = json.pick(text, F)
    t.eq(ok, nil, text)
    t.eq(msg, select(2, json.decode(text)), text)
  end
  local deep = '{"a": ' .. ("["):rep(600) .. ("]"):rep(600) .. "}"
  t.ok(select(2, json.pick(deep, F)):find("deeper"))
  t.eq(#select(2, json.pick(deep, F, {max_depth = 1000})), 1)
  t.raises(function() json.fields{} end, "1 to 64 paths")
  t.raises(function() json.fields{{}} end, "path 1 has 0 steps")
  t.raises(function() json.fields{{"a"}, "b"} end, "path 2 is not a list of steps")
  t.raises(function() json.fields{{"a", 0}} end, "path 1, step 2: a name")
  t.raises(function() json.fields{{"a", 1.5}} end, "path 1, step 2: a name")
  t.raises(function() json.fields{{"a"}, {"a", "b"}} end, "path 2 starts with path 1")
  t.raises(function() json.fields{{"a", "b"}, {"a"}} end, "path 2 is the start of an earlier path")
  t.raises(function() json.fields{{"a"}, {"a"}} end, "path 2 repeats path 1")
  -- the lists are read raw: a metatable's answers (different at each reading) are not steps
  local n = 0
  local shifty = setmetatable({}, {__len = function() return 3 end,
                                   __index = function() n = n + 1 return ("k"):rep(n * 1000) end})
  t.raises(function() json.fields{shifty} end, "path 1 has 0 steps")
  t.raises(function() json.pick("{}", {{"a"}}) end, "json.fields expected")
  local many = {}
  for i = 1, 64 do many[i] = {"k" .. i} end
  local M = json.fields(many)
  local got = table.pack(json.pick('{"k64": 64, "k1": 1}', M))
  t.eq({got.n, got[2], got[3], got[65]}, {65, 1, nil, 64})
  many[65] = {"k65"}
  t.raises(function() json.fields(many) end, "1 to 64 paths")
end)
