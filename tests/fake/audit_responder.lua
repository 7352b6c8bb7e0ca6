-- A fake LLM rationale auditor for the tests (tests/fake_llm.lua --responder this file). It reads
-- the judge's verdict and numbered reasons out of ratio.audit's prompt ("THE JUDGE'S VERDICT:",
-- "THE JUDGE'S REASONS:" then "S1. ...") and labels them with ratio.audit.heuristic, so its
-- replies are deterministic and a test can compare the two classifiers. The lines alternate
-- between the layout asked for and looser spellings a real model writes, to exercise the parser.
-- Marker words in a reason:
--   GARBLE      the first reply has no block (the auditor must ask again)
--   NEVERPARSE  no reply ever has a block (the item ends `unscored`)
--   DROPLINE    that reason's line is left out (the reason is `unscored`, the item `partial`)
--   ODDFLAG     that reason also gets a flag outside the list ("made-up-flag")
local audit = require "ratio.audit"

local SHORT = {["evidence-grounded"] = "EVIDENCE", ["criterion-grounded"] = "CRITERION", ["generic/style"] = "GENERIC"}

return function(messages)
  local prompt = messages[1].content
  local verdict = prompt:match("THE JUDGE'S VERDICT: (%S+)")
  local section = prompt:match("THE JUDGE'S REASONS:\n(.-)\n\n") or ""
  local reasons = {}
  for line in section:gmatch("[^\n]+") do
    local j, text = line:match("^S(%d+)%. (.*)$")
    if j then reasons[tonumber(j)] = text end
  end
  if section:find("NEVERPARSE", 1, true) then return "These reasons are a mixed bag." end
  if section:find("GARBLE", 1, true) and #messages == 1 then
    return "Reason one is good, reason two less so."
  end
  local out = {"Auditing each reason.", "<AUDIT_START>"}
  for j, h in ipairs(audit.heuristic(reasons, verdict ~= "not" and verdict or nil)) do
    local flags = h.flags
    if reasons[j]:find("ODDFLAG", 1, true) then
      flags = {table.unpack(flags)}
      flags[#flags + 1] = "made-up-flag"
    end
    local f = #flags > 0 and table.concat(flags, ", ") or "none"
    if not reasons[j]:find("DROPLINE", 1, true) then
      if j % 3 == 1 then
        out[#out + 1] = ("- S%d: %s | %s"):format(j, SHORT[h.type], f)
      elseif j % 3 == 2 then
        out[#out + 1] = ("**S%d**: %s; flags: %s"):format(j, h.type, f:gsub("%-", " "))
      else
        out[#out + 1] = ("%d. %s | %s"):format(j, SHORT[h.type]:lower(), f:gsub("%-", "_"))
      end
    end
  end
  out[#out + 1] = "<AUDIT_END>"
  return table.concat(out, "\n")
end
