-- Checks a file a killed run left behind (tests/e2e/test_crash.sh): a JSONL file must end with a
-- newline and every line must parse (no torn line); with --whole the file is one JSON document.
-- With --same-as the document must equal that one, top-level keys in --ignore aside (a rerun's
-- usage counts its cache hits). Exits 1 naming the first problem; returns the number of lines.
local ratio = require "ratio"
local p = ratio.params{
  path = {nil, "the file", type = "file", required = true},
  whole = {false, "the file is one JSON document, not JSONL"},
  same_as = {"", "--whole: a JSON file it must equal"},
  ignore = {{"usage"}, "--same-as: top-level keys left out of the comparison"},
}
local f = assert(io.open(p.path, "rb"))
local text = f:read("a")
f:close()
if p.whole then
  local v, err = ratio.json.decode(text)
  if type(v) ~= "table" then ratio.exit(1, ("%s: does not parse: %s"):format(p.path, tostring(err))) end
  if p.same_as ~= "" then
    local g = assert(io.open(p.same_as, "rb"))
    local want = assert(ratio.json.decode(g:read("a")))
    g:close()
    for _, k in ipairs(p.ignore) do v[k], want[k] = nil, nil end
    if ratio.json.encode(v) ~= ratio.json.encode(want) then
      ratio.exit(1, ("%s differs from %s"):format(p.path, p.same_as))
    end
  end
  return {lines = 1}
end
if text ~= "" and text:sub(-1) ~= "\n" then ratio.exit(1, p.path .. ": the last line is torn (no newline)") end
local n = 0
for line in text:gmatch("([^\n]*)\n") do
  n = n + 1
  local v, err = ratio.json.decode(line)
  if type(v) ~= "table" then ratio.exit(1, ("%s:%d: does not parse: %s"):format(p.path, n, tostring(err))) end
end
return {lines = n}
