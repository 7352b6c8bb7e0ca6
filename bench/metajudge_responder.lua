-- The fake MetaJudge of bench/reward_server.sh (tests/fake_llm.lua --responder this file): answers
-- each llm-matcher prompt with a well-formed score block, one line per human rationale, without
-- doing any matching. It costs next to no CPU, so on a small machine the fake stands in for a
-- MetaJudge on other hardware instead of competing with the reward server for a core (the
-- lexical tests/fake/metajudge_responder.lua spends ~0.2 ms of Lua per call).
return function(messages)
  local prompt = messages[1].content
  local human, model = 0, 0
  for _ in prompt:gmatch("\nR%d+%. ") do human = human + 1 end
  for _ in prompt:gmatch("\nS%d+%. ") do model = model + 1 end
  local lines = {"<RESULT_START>"}
  for i = 1, human do
    -- Rationale i matched to reason i where there is one; scores cycle through the scale.
    local j = i <= model and i or 0
    lines[#lines + 1] = ("- R%d@S%d: %s"):format(i, j, j == 0 and "0" or ({"1", "0.75", "0.5"})[i % 3 + 1])
  end
  lines[#lines + 1] = "<RESULT_END>"
  return table.concat(lines, "\n")
end
