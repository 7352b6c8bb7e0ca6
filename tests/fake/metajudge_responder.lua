-- A fake LLM MetaJudge for the tests (tests/fake_llm.lua --responder this file): reads the human
-- rationales and model reasons out of the llm matcher's prompt and answers with the lexical
-- matcher's score block, so its replies are deterministic and meaningful. An item whose first
-- human rationale contains NOBLOCK is first answered without a block (to exercise the re-ask);
-- one containing NEVERBLOCK never gets a block (to exercise `unscored`).
local lexical = require("matchers.lexical").new({})

local function list_after(text, heading, prefix)
  local body = text:match(heading .. ":\n(.-)\n\n") or ""
  local out = {}
  for line in body:gmatch("[^\n]+") do
    local item = line:match("^" .. prefix .. "%d+%. (.*)$")
    if item then out[#out + 1] = item end
  end
  return out
end

return function(messages)
  local prompt = messages[1].content
  local human = list_after(prompt, "HUMAN RATIONALES", "R")
  local model = list_after(prompt, "MODEL REASONS", "S")
  if (human[1] or ""):find("NEVERBLOCK", 1, true) then
    return "I cannot decide."
  end
  if (human[1] or ""):find("NOBLOCK", 1, true) and #messages == 1 then
    return "Let me think about these rationales carefully. They are interesting."
  end
  return "Matching each rationale:\n" .. require("ratio.metrics").render(lexical:match(human, model))
end
