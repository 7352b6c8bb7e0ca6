-- Needs --input.
local ratio = require "ratio"
local p = ratio.params{ input = {nil, "a JSONL file", type = "file", required = true} }
local n = 0
for _ in ratio.jsonl.lines(p.input) do n = n + 1 end
print(n .. " items")
