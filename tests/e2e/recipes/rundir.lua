-- Writes items into a run folder.
local ratio = require "ratio"
local p = ratio.params{ n = {5, "items"} }
local dir = ratio.run_dir()
local w = assert(ratio.jsonl.writer(dir .. "/items.jsonl"))
ratio.map((function() local t = {} for i = 1, p.n do t[i] = i end return t end)(), function(i)
  ratio.sleep(i % 3)
  return {i = i, sq = i * i}
end, {each = function(r) assert(w:write(r)) end, concurrency = 4})
assert(w:close())
ratio.manifest("models", {"none"})
return {items = p.n, dir = dir}
