-- The fake judge of tests/fake/judge_responder.lua (prefers the longer response; markers
-- NOVERDICT, NEVERVERDICT, FIRSTWINS) plus one marker the benchmark tests need: GARBLED in the
-- response shown as Response A gets a reply with no verdict, so a pair judged in both orders has
-- a verdict in one order only.
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local judge = dofile(here .. "/judge_responder.lua")

return function(messages, body)
  local a = messages[1].content:match("%[Response A%]\n(.-)\n%[End of Response A%]") or ""
  if a:find("GARBLED", 1, true) then
    return "<RESULT_START>\nList of reasons:\n- Both responses have merits.\n<RESULT_END>"
  end
  return judge(messages, body)
end
