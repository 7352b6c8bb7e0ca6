-- Writes one line holding --n copies of the first rollout of --from (tests/e2e/test_reward.sh).
local ratio = require "ratio"
local p = ratio.params{
  from = {nil, "a rollouts JSONL file", type = "file", required = true},
  n = {5000, "rollouts in the line", min = 1},
  write = {"big.jsonl", "where to write"},
}
local item = ratio.jsonl.read_all(p.from)[1]
local text = item.rollout or item.rollouts[1]
local list = {}
for i = 1, p.n do list[i] = text end
item.rollout, item.rollouts = nil, list
local w = assert(ratio.jsonl.writer(p.write))
assert(w:write(item))
assert(w:close())
