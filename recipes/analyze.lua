-- What are a judge's Rationale Consistency metrics, computed from existing MetaJudge outputs?
-- Reads the published inference output format (one JSON object per line: prompt,
-- samples[0].generated_text, status, metadata with human-checklist and <model>-checklist) and
-- computes precision, recall (Rationale Consistency), F1 and average precision per item, then
-- their means, population std and 95% bootstrap CIs. --mode reference reproduces the published
-- metajudge_analysis.py (QwenLM/RationaleRM) to 1e-9; --mode paper applies the paper's Eq. 1-3
-- with one-to-one matching. docs/metrics.md lists every difference.
local ratio = require "ratio"
local p = ratio.params{
  input = {nil, "MetaJudge output file (JSONL)", type = "file", required = true},
  model = {nil, "the judge whose <model>-checklist was matched", required = true},
  mode = {"reference", "metric definitions", choices = {"reference", "paper"}},
  max_checklist_len = {10, "reference: skip items with more model reasons", min = 1},
  top_k = {5, "model reasons counted (0 = all)", min = 0},
  resamples = {1000, "bootstrap resamples for the CIs", min = 1},
  seed = {1, "bootstrap seed"},
}

local summary, t = ratio.study.analyze_file(p.input, p.model, {mode = p.mode, top_k = p.top_k,
  max_checklist_len = p.max_checklist_len, resamples = p.resamples, seed = p.seed})
local ci = summary.ci
if not ratio.options.json then
  print(ratio.report.table({"model", "mode", "valid", "error", "skipped", "precision", "recall", "F1", "AP"}, {{
    p.model, p.mode, tostring(t.n_valid), tostring(t.n_error + t.n_unscored), tostring(t.n_skipped),
    ratio.report.with_ci(t.precision, ci.precision), ratio.report.with_ci(t.recall, ci.recall),
    ratio.report.with_ci(t.f1, ci.f1), ratio.report.with_ci(t.ap, ci.average_precision)}}))
  if summary.unparsable_lines > 0 then print(("%d unparsable lines were left out (as the published script does)"):format(summary.unparsable_lines)) end
end
return summary
