-- Writes synthetic files in the shape of the released RationaleRM data, for the tests (the real
-- ones are Git LFS files this machine cannot fetch). From data/sample.jsonl, N items per domain:
--   --file F        the test file: domain, language, context, response1, response2,
--                   overall_preference, individual_preference, human-checklist, and the two example
--                   judges' model-low_deceptive_alignment-* / model-high_deceptive_alignment-*
--                   (-checklist, -label, -generated_text; item 7 spells the second judge's keys in
--                   upper case), no id (the released items have none)
--   --outputs D     MetaJudge output files as metajudge_infer.py writes them (prompt, samples,
--                   status, metadata, extraction_result), named as metajudge_infer.sh names them,
--                   one per example judge, scored by the lexical matcher; plus an input file the
--                   published analysis skips by its name
local ratio = require "ratio"
local p = ratio.params{
  file = {"", "the test file to write"},
  outputs = {"", "a folder for MetaJudge output files"},
  n = {10, "items per domain", min = 1},
}
local RENAME = {careful = "model-low_deceptive_alignment", skimmer = "model-high_deceptive_alignment"}
local items, per = {}, {}
for item in ratio.jsonl.lines(require("ratio.state").root .. "/data/sample.jsonl") do
  per[item.domain] = (per[item.domain] or 0) + 1
  if per[item.domain] <= p.n then
    local out = {}
    for k, v in pairs(item) do
      local judge, field = k:match("^(%a+)%-(.+)$")
      if judge and RENAME[judge] then out[RENAME[judge] .. "-" .. field] = v
      elseif k ~= "id" then out[k] = v end
    end
    out.language = item.domain == "multilingual" and "de" or "english"
    items[#items + 1] = out
    if #items == 7 then -- the per-model key rule: a judge's fields are found whatever their case
      for _, f in ipairs{"checklist", "label", "generated_text"} do
        out[("MODEL-HIGH_DECEPTIVE_ALIGNMENT-%s"):format(f)] = out["model-high_deceptive_alignment-" .. f]
        out["model-high_deceptive_alignment-" .. f] = nil
      end
    end
  end
end

if p.file ~= "" then
  local w = assert(ratio.jsonl.writer(p.file))
  for _, item in ipairs(items) do assert(w:write(item)) end
  assert(w:close())
end

if p.outputs ~= "" then
  os.execute(("mkdir -p %q"):format(p.outputs))
  local lexical = ratio.metajudge.matcher("lexical")
  for _, judge in ipairs{"model-low_deceptive_alignment", "model-high_deceptive_alignment"} do
    local w = assert(ratio.jsonl.writer(("%s/%s-gpt-4o-meta_eval.jsonl"):format(p.outputs, judge)))
    for _, item in ipairs(items) do
      local block = ratio.metrics.render(assert(lexical:match(item["human-checklist"], item[ratio.dataset.key_of(item, judge, "checklist")])))
      local text = "Comparing each reference point.\n" .. block:gsub("<RESULT_START>\n", "<RESULT_START>\nScores corresponding to claims:\n")
      local meta = {}
      for k, v in pairs(item) do meta[k] = v end
      assert(w:write({prompt = "(prompt)", samples = {{generated_text = text, finish_reason = "stop",
        usage = {prompt_tokens = 900, completion_tokens = 300, total_tokens = 1200}}},
        status = "success", metadata = meta,
        extraction_result = {scores = ratio.json.array(), is_ordered = true, errors = ratio.json.array()}}))
    end
    assert(w:close())
  end
  local w = assert(ratio.jsonl.writer(p.outputs .. "/infer_input_10samples.jsonl"))
  for k = 1, 2 do assert(w:write(items[k])) end
  assert(w:close())
end
return {items = #items}
