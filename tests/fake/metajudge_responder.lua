-- A fake LLM MetaJudge for the tests (tests/fake_llm.lua --responder this file): reads the human
-- rationales and model reasons out of the prompt — ratio's layout (`R1. text`) or the published
-- script's (`R1: text`) — and answers with the lexical matcher's scores, so its replies are
-- deterministic and meaningful. A prompt asking for the published output shape (it contains
-- "Scores corresponding to claims:") gets that shape back: some thinking, then the block with the
-- header and two-decimal scores. Marker words in the first human rationale:
--   NOBLOCK     the first reply to this prompt has no block (a re-ask, or in the published setup a
--               new sample of the same prompt, gets one)
--   NEVERBLOCK  no reply ever has a block (the item ends `unscored`)
--   THINKDRAFT  the reply opens with a <think> section holding a wrong draft block
-- A call whose model reasons contain FAILJUDGE is answered 500 every time (the responder raises;
-- the fake turns that into a 500), so that rollout's MetaJudge call fails for good (`failed`).
local lexical = require("matchers.lexical").new({})

local seen = {} -- prompt -> replies given, for NOBLOCK under re-sampling

local function lists(prompt)
  local human, model = {}, {}
  for line in prompt:gmatch("[^\n]+") do
    local kind, n, text = line:match("^([RS])(%d+)[%.:] (.*)$")
    if kind == "R" and tonumber(n) == #human + 1 then human[#human + 1] = text end
    if kind == "S" and tonumber(n) == #model + 1 then model[#model + 1] = text end
  end
  return human, model
end

local function published_shape(block)
  local lines = {"I compare each reference point with the judge's points in turn.", "<RESULT_START>",
                 "Scores corresponding to claims:"}
  for r, s, v in block:gmatch("%- R(%d+)@S(%d+): ([%d%.]+)") do
    lines[#lines + 1] = ("- R%s@S%s: %.2f"):format(r, s, tonumber(v))
  end
  lines[#lines + 1] = "<RESULT_END>"
  return table.concat(lines, "\n")
end

return function(messages)
  local prompt = messages[1].content
  local human, model = lists(prompt)
  for _, reason in ipairs(model) do
    if reason:find("FAILJUDGE", 1, true) then error("injected MetaJudge failure (FAILJUDGE)", 0) end
  end
  local first = human[1] or ""
  seen[prompt] = (seen[prompt] or 0) + 1
  if first:find("NEVERBLOCK", 1, true) then
    return "I cannot decide."
  end
  if first:find("NOBLOCK", 1, true) and #messages == 1 and seen[prompt] == 1 then
    return "Let me think about these rationales carefully. They are interesting."
  end
  local block = require("ratio.metrics").render(lexical:match(human, model))
  local published = prompt:find("Scores corresponding to claims:", 1, true) ~= nil
  local reply = published and published_shape(block) or ("Matching each rationale:\n" .. block)
  if first:find("THINKDRAFT", 1, true) then
    local draft = {"<RESULT_START>"}
    for i = 1, #human do draft[#draft + 1] = ("- R%d@S1: 1"):format(i) end
    draft[#draft + 1] = "<RESULT_END>"
    reply = "<think>\nA first draft:\n" .. table.concat(draft, "\n") .. "\nNo, stricter.\n</think>\n" .. reply
  end
  return reply
end
