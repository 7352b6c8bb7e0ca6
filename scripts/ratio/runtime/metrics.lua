-- ratio.metrics: the one home of the checklist metrics (C kernels in core/metrics; definitions in
-- docs/metrics.md) and of the MetaJudge reply format.
--
--   local m = ratio.metrics.checklist(record_or_reply, n_human, n_model, {mode = "paper", top_k = 5})
--   -- m.status, m.precision, m.recall, m.f1, m.ap, m.match (paper mode), m.pairs (matched pairs)
--   local p = ratio.metrics.parse(reply_text [, "tolerant"|"reference"])  -- the score lines
--   local text = ratio.metrics.render(record)  -- the published block, for files
--   local acc = ratio.metrics.summary()  acc:add(m)  acc:totals()
local core = require "ratio.core.metrics"

local M = {checklist = core.score, parse = core.parse, summary = core.summary}

-- block(pairs) -> reply text, one line per pair in order: pairs[k] = {r = i, s = j, score = x}
-- (r defaults to k; s = 0: no match).
function M.block(pairs)
  local lines = {"<RESULT_START>"}
  for k, sc in ipairs(pairs) do
    local v = sc.score
    local text = (v == 0 or v == 1) and ("%d"):format(v) or ("%g"):format(v)
    lines[#lines + 1] = ("- R%d@S%d: %s"):format(sc.r or k, sc.s, text)
  end
  lines[#lines + 1] = "<RESULT_END>"
  return table.concat(lines, "\n")
end

-- render(record) -> the MetaJudge reply a file carries for a matcher's record: an LLM's own reply
-- as it came, a computed matcher's pairs as the block an LLM MetaJudge would have written.
function M.render(record)
  if type(record) ~= "table" then return record end
  if record.reply ~= nil then return record.reply end
  return M.block(record.pairs)
end

return M
