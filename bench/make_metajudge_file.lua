-- Writes a synthetic MetaJudge output file in the published inference format, sized like the
-- published test set (1,000 items, ~17 MB: a ~16 KB prompt per line), for bench/analyze.sh.
-- Replies mix clean blocks with the quirks the metrics must handle; seeded, so reproducible.
local ratio = require "ratio"
local p = ratio.params{
  output = {nil, "file to write", required = true},
  items = {1000, "how many lines", min = 1},
  prompt_bytes = {17000, "size of each line's prompt text", min = 0},
  seed = {7, "random seed"},
}
math.randomseed(p.seed)
local words = {"the", "response", "correctly", "explains", "fails", "to", "mention", "code", "error",
               "handles", "edge", "case", "format", "answer", "step", "unit", "value", "claims"}
local function sentence(n)
  local t = {}
  for i = 1, n do t[i] = words[math.random(#words)] end
  return table.concat(t, " ")
end
local filler = {}
while #table.concat(filler, " ") < p.prompt_bytes do filler[#filler + 1] = sentence(12) .. "." end
local prompt = table.concat(filler, " "):sub(1, p.prompt_bytes)
local scores = {"0", "0.25", "0.5", "0.75", "1", "1.0", ".75"}
local w = assert(ratio.jsonl.writer(p.output))
for i = 1, p.items do
  local nh, nm = math.random(3, 7), math.random(0, 11)
  local human, model = {}, {}
  for j = 1, nh do human[j] = sentence(10) end
  for j = 1, nm do model[j] = sentence(8) end
  local lines = {"Some analysis first.", "<RESULT_START>"}
  for r = 1, nh do
    local s = math.random(0, math.max(nm, 1))
    lines[#lines + 1] = ("- R%d@S%d: %s"):format(r, s, s == 0 and "0" or scores[math.random(#scores)])
  end
  if math.random() < 0.05 then lines[#lines] = nil end -- a line missing: a count mismatch
  lines[#lines + 1] = "<RESULT_END>"
  local text = table.concat(lines, "\n")
  if math.random() < 0.03 then text = "no block at all" end
  assert(w:write({prompt = prompt, samples = {{generated_text = text}}, status = "success",
                  metadata = {["human-checklist"] = human, ["m-checklist"] = model, id = i}}))
end
assert(w:close())
return {items = p.items}
