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

local metrics = require "ratio.metrics"
local stats = require "ratio.stats"
local dataset = require "ratio.dataset"

local reader, open_err = ratio.jsonl.open(p.input, {on_error = "skip"})
if not reader then require("ratio.errors").data(open_err) end
local acc = metrics.summary()
local cols = {precision = {}, recall = {}, f1 = {}, ap = {}}
local opts = {mode = p.mode, top_k = p.top_k, max_checklist_len = p.max_checklist_len}
local reasons, shape_errors = {}, 0

for line_obj, line in reader:lines() do
  local reply
  local samples = type(line_obj) == "table" and line_obj.samples
  if type(samples) == "table" and type(samples[1]) == "table" then
    reply = samples[1].generated_text
    if type(reply) ~= "string" then
      reply = nil
      shape_errors = shape_errors + 1
      if shape_errors <= 5 then
        ratio.log("ratio: warning: %s:%d: samples[0].generated_text is not a string (counted as an error)", p.input, line)
      end
    end
  end
  local meta = type(line_obj) == "table" and line_obj.metadata or nil
  local n_human, n_model = -1, -1
  if type(meta) == "table" then
    local hc = meta["human-checklist"]
    if type(hc) == "table" then n_human = #hc end
    local key = dataset.key_of(meta, p.model, "checklist")
    if key and type(meta[key]) == "table" then n_model = #meta[key] end
  end
  local item = metrics.checklist(reply, n_human, n_model, opts)
  acc:add(item)
  reasons[item.reason] = (reasons[item.reason] or 0) + 1
  if item.status == "valid" or item.status == "partial" then
    for k, list in pairs(cols) do list[#list + 1] = item[k] end
  end
end
reader:close()
-- Unparsable lines are left out and counted, as the published script does; but a file with no
-- JSON line at all (empty, binary, a JSON array) is the wrong file, not a result of zero samples.
if reader.count == 0 then
  require("ratio.errors").data(reader.skipped > 0
    and ("%s: no line is JSON (%d unparsable lines, first: %s)"):format(p.input, reader.skipped, reader.errors[1])
    or (p.input .. ": no items (the file is empty or has only blank lines)"))
end

local t = acc:totals()
local ci = {}
for k, list in pairs(cols) do
  if #list > 0 then
    local c = stats.bootstrap_ci(list, {resamples = p.resamples, seed = p.seed})
    ci[k == "ap" and "average_precision" or k] = {lo = c.lo, hi = c.hi}
  end
end
reasons.ok = nil
reasons = ratio.json.object(reasons)
local summary = {
  model = p.model, mode = p.mode,
  total_samples = t.n_total, valid_samples = t.n_valid, error_samples = t.n_error,
  skipped_samples = t.n_skipped, unscored_samples = t.n_unscored, partial_samples = t.n_partial,
  unparsable_lines = reader.skipped,
  precision = t.precision, recall = t.recall, f1 = t.f1, average_precision = t.ap,
  precision_std = t.precision_std, recall_std = t.recall_std,
  ci = ci, reasons = reasons,
}
if not ratio.options.json then
  print(ratio.report.table({"model", "mode", "valid", "error", "skipped", "precision", "recall", "F1", "AP"}, {{
    p.model, p.mode, tostring(t.n_valid), tostring(t.n_error + t.n_unscored), tostring(t.n_skipped),
    ratio.report.with_ci(t.precision, ci.precision), ratio.report.with_ci(t.recall, ci.recall),
    ratio.report.with_ci(t.f1, ci.f1), ratio.report.with_ci(t.ap, ci.average_precision)}}))
  if reader.skipped > 0 then print(("%d unparsable lines were left out (as the published script does)"):format(reader.skipped)) end
end
return summary
