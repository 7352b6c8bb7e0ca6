-- A fake decomposing LLM for the tests (tests/fake_llm.lua --responder this file). It reads the
-- annotators' explanations out of the prompt (the lines ratio.decompose.explanations writes:
-- "  Reasoning: ...", "  On Response 2: ..."), splits them into sentences, leaves out vague ones
-- and near-duplicates with a reason each, and answers in ratio.decompose's layout. Deterministic:
-- the same prompt always gets the same reply. It obeys two instructions a test prompt may carry:
--   "at most N rationales"        keeps the first N, drops the rest ("over the limit of N")
--   "Leave out points about style" drops sentences about tone, emoji or formatting ("style only")
--   "A strength is not a rationale" (the built-in prompt's default rule 3) drops sentences that
--                                 name no problem ("a strength, not a problem")
-- and three marker words in an explanation:
--   GARBLE      the first reply has no block (the decomposer must ask again)
--   NEVERPARSE  no reply ever has a block (the item ends `unscored`)
--   LAYOUTONLY  the reply repeats the layout's placeholders (unparsable too)
local VAGUE = {"is better", "is slightly better", "is much better", "more helpful", "is worse",
               "follows the instruction", "reads naturally", "maybe a little"}
-- Words that mark a sentence as naming a problem; a sentence with none of them is praise.
local PROBLEM = {"not ", "n't", "never", "too ", "fail", "ignor", "makes up", "invent", "just ", "only ",
                 "wrong", "crumbly", "clich", "long", "unprofessional", "miss", "lack", "without", "error",
                 "bug", "incorrect", "over ", "repeat", "far", "generic", "any job", " no ", "instead", "but "}
local STYLE = {"emoji", "tone", "format", "heading", "bold", "polite", "friendly", "plain", "professional"}

local function words(s)
  local set, n = {}, 0
  for w in s:lower():gmatch("%a+") do
    if #w >= 4 and w ~= "response" and not set[w] then set[w], n = true, n + 1 end
  end
  return set, n
end

local function jaccard(a, na, b, nb)
  if na == 0 or nb == 0 then return 0 end
  local inter = 0
  for w in pairs(a) do if b[w] then inter = inter + 1 end end
  return inter / (na + nb - inter)
end

local function sentences(text)
  local out = {}
  text = text:gsub("([%.!?])%s+(%u)", "%1\n%2")
  for s in text:gmatch("[^\n]+") do
    s = s:gsub("^%s+", ""):gsub("%s+$", "")
    if s ~= "" then out[#out + 1] = s end
  end
  return out
end

local function has(s, list)
  local l = s:lower()
  for _, w in ipairs(list) do if l:find(w, 1, true) then return true end end
  return false
end

return function(messages)
  local prompt = messages[1].content
  if prompt:find("NEVERPARSE", 1, true) then return "Response 1 is better, I think." end
  if prompt:find("GARBLE", 1, true) and #messages == 1 then
    return "Both responses have merits; on balance I prefer one of them."
  end
  if prompt:find("LAYOUTONLY", 1, true) then
    return "<RATIONALES_START>\n1. <first rationale>\n2. <second rationale>\n<RATIONALES_END>"
  end
  local limit = tonumber(prompt:match("at most (%d+) rationales"))
  local no_style = prompt:find("Leave out points about style", 1, true) ~= nil
  local problems_only = prompt:find("A strength is not a rationale", 1, true) ~= nil

  local points = {}
  for line in prompt:gmatch("[^\n]+") do
    local text = line:match("^  Reasoning: (.*)$")
    local side, fb = line:match("^  On Response (%d): (.*)$")
    for _, s in ipairs(sentences(text or fb or "")) do
      if fb and not s:find("Response %d") then s = ("Response %s: %s"):format(side, s) end
      points[#points + 1] = s
    end
  end

  local kept, kept_words, dropped = {}, {}, {}
  for _, s in ipairs(points) do
    local w, n = words(s)
    local why
    if n < 3 or (has(s, VAGUE) and not s:find("%d")) then
      why = "vague: says which is better, not what makes it so"
    elseif no_style and has(s, STYLE) then
      why = "about style only"
    elseif problems_only and not has(" " .. s, PROBLEM) then
      why = "a strength, not a problem"
    else
      for k, kw in ipairs(kept_words) do
        if jaccard(w, n, kw[1], kw[2]) >= 0.4 then why = ("duplicate of rationale %d"):format(k) break end
      end
    end
    if not why and limit and #kept >= limit then why = ("over the limit of %d"):format(limit) end
    if why then
      dropped[#dropped + 1] = ("- %s || %s"):format(s, why)
    else
      kept[#kept + 1] = ("%d. %s"):format(#kept + 1, s)
      kept_words[#kept_words + 1] = {w, n}
    end
  end
  return "Here is the decomposition.\n<RATIONALES_START>\n" .. table.concat(kept, "\n")
    .. "\n<RATIONALES_END>\n<DROPPED_START>\n" .. table.concat(dropped, "\n") .. "\n<DROPPED_END>"
end
