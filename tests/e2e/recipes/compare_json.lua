-- Compares the numbers and strings of two flat JSON objects; exits 1 naming each difference.
local ratio = require "ratio"
local p = ratio.params{
  got = {nil, "JSON file", type = "file", required = true},
  want = {nil, "JSON file", type = "file", required = true},
  tol = {1e-9, "absolute tolerance for numbers"},
}
local function load(path)
  local f = assert(io.open(path))
  local v = assert(ratio.json.decode(f:read("a")))
  f:close()
  return v
end
local got, want = load(p.got), load(p.want)
local bad = 0
for k, w in pairs(want) do
  local g = got[k]
  local ok
  if type(w) == "number" then ok = type(g) == "number" and math.abs(g - w) <= p.tol
  else ok = g == w end
  if not ok then
    bad = bad + 1
    io.stderr:write(("%s: got %s, want %s\n"):format(k, tostring(g), tostring(w)))
  end
end
if bad > 0 then ratio.exit(1) end
return {compared = true}
