-- Reads a RationaleRM file whose lines hold several keys equal to the judge's checklist/label key
-- up to case, and prints, per line, the keys ratio picked and whether the item is valid.
local ratio = require "ratio"
local dataset = require "ratio.dataset"
local p = ratio.params{input = {"", "the JSONL file"}, model = {"careful", "the judge"}}
local r = assert(dataset.open(p.input, {models = {p.model}, on_error = "skip"}))
local n = 0
for item, line in r:lines() do
  n = n + 1
  print(("line %d valid checklist=%s label=%s"):format(line, dataset.key_of(item, p.model, "checklist"),
    tostring(dataset.key_of(item, p.model, "label"))))
end
for _, e in ipairs(r.errors) do print(e) end
