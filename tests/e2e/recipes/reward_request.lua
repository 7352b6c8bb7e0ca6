-- Builds an OpenRLHF /get_reward request body from items of data/sample.jsonl: each rollout is a
-- judge's generated text (careful's, skimmer's, or one with no verdict), appended to a prompt.
local ratio = require "ratio"
local p = ratio.params{
  n = {3, "rollouts"},
  judge = {"careful", "whose generated text is the rollout"},
  no_verdict = {false, "strip the \\boxed verdict from every rollout"},
  output = {nil, "where to write the JSON body", required = true},
}
local items = ratio.dataset.read_all(ratio.root() .. "/data/sample.jsonl")
local query, prompts, labels = {}, {}, {}
for i = 1, p.n do
  local item = items[i]
  local prompt = "<|user|>Compare the two responses to: " .. item.context[1].content .. "\n<|assistant|>"
  local rollout = item[p.judge .. "-generated_text"]
  if p.no_verdict then rollout = rollout:gsub("\\boxed{[^}]*}", "") end
  query[i] = prompt .. rollout
  prompts[i] = prompt
  labels[i] = assert(ratio.json.encode({human_checklist = item["human-checklist"],
                                        overall_preference = item.overall_preference}))
end
local f = assert(io.open(p.output, "w"))
f:write(assert(ratio.json.encode({query = query, prompts = prompts, labels = labels})))
f:close()
return {n = p.n}
