-- ratio.metrics: the checklist metrics of one item, and their accumulation (C kernels in
-- core/metrics; definitions in docs/metrics.md).
--
--   local m = ratio.metrics.checklist(reply_text, n_human, n_model, {mode = "paper", top_k = 5})
--   -- m.status, m.precision, m.recall, m.f1, m.ap, m.match (paper mode)
--   local acc = ratio.metrics.summary()  acc:add(m)  acc:totals()
local core = require "ratio.core.metrics"

return {
  checklist = core.score,
  parse = core.parse,
  summary = core.summary,
}
