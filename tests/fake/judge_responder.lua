-- A fake LLM judge for the tests (tests/fake_llm.lua --responder this file): reads the two
-- responses out of ratio.judge's prompt, prefers the longer one (A>>B when it is at least twice as
-- long, A>B when 10% longer, else A=B), and gives 2-6 surface reasons built from words that only
-- the preferred response uses, in the paper's layout after a short <think> section — a shallow
-- judge, deterministic and cheap. Markers anywhere in the prompt:
--   NOVERDICT     the first reply has no verdict (a re-ask then gets a proper one)
--   NEVERVERDICT  no reply ever has a verdict (the item ends up unscored)
--   FIRSTWINS     always prefers Response A, whatever the order (position bias, for swap tests)
local function words(s)
  local out = {}
  for w in s:lower():gmatch("%a+") do out[#out + 1] = w end
  return out
end

local function only_in(a, b)
  local seen_b, seen, out = {}, {}, {}
  for _, w in ipairs(words(b)) do seen_b[w] = true end
  for _, w in ipairs(words(a)) do
    if #w >= 5 and not seen_b[w] and not seen[w] then
      seen[w] = true
      out[#out + 1] = w
    end
  end
  return out
end

local function reasons_for(winner, loser, wtext, ltext, n)
  local out = {("Response %s is longer and more detailed (%d words against %d)."):format(
    winner, #words(wtext), #words(ltext))}
  for _, w in ipairs(only_in(wtext, ltext)) do
    if #out >= n then break end
    out[#out + 1] = ("Response %s mentions \"%s\", which Response %s leaves out."):format(winner, w, loser)
  end
  local filler = {"Response %s is better organised.", "Response %s reads more fluently.",
                  "Response %s looks more thorough.", "Response %s is more helpful overall.",
                  "Response %s has a friendlier tone."}
  local k = 1
  while #out < n do
    out[#out + 1] = filler[k]:format(winner)
    k = k + 1
  end
  return out
end

local function block(reasons, label)
  local lines = {"<RESULT_START>", "List of reasons:"}
  for _, r in ipairs(reasons) do lines[#lines + 1] = "- " .. r end
  if label then lines[#lines + 1] = "Final assessment result: \\boxed{" .. label .. "}" end
  lines[#lines + 1] = "<RESULT_END>"
  return table.concat(lines, "\n")
end

return function(messages)
  local prompt = messages[1].content
  local a = prompt:match("%[Response A%]\n(.-)\n%[End of Response A%]") or ""
  local b = prompt:match("%[Response B%]\n(.-)\n%[End of Response B%]") or ""
  local la, lb = #a, #b
  local label, winner, loser, wtext, ltext
  if prompt:find("FIRSTWINS", 1, true) or la >= lb then
    winner, loser, wtext, ltext = "A", "B", a, b
  else
    winner, loser, wtext, ltext = "B", "A", b, a
  end
  local long, short = math.max(#wtext, 1), math.max(#ltext, 1)
  if long >= 2 * short then
    label = winner == "A" and "A>>B" or "B>>A"
  elseif long * 10 >= short * 11 then
    label = winner == "A" and "A>B" or "B>A"
  else
    label = prompt:find("FIRSTWINS", 1, true) and "A>B" or "A=B"
  end
  local n = 2 + (la + lb) % 5
  local reasons = reasons_for(winner, loser, wtext, ltext, n)
  if prompt:find("NEVERVERDICT", 1, true) or (prompt:find("NOVERDICT", 1, true) and #messages == 1) then
    label = nil
  end
  if #messages > 1 then return block(reasons, label) end -- a re-ask: only the block
  return ("<think>\nComparing the two responses: %d against %d characters.\n</think>\n"
          .. "Both responses address the request; one goes further.\n\n%s"):format(la, lb, block(reasons, label))
end
