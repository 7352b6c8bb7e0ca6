-- What are a judge's Rationale Consistency metrics, computed from existing MetaJudge outputs?
-- Reads the published inference output format (one JSON object per line: prompt,
-- samples[0].generated_text, status, metadata with human-checklist and <model>-checklist) and
-- computes precision, recall (Rationale Consistency), F1 and average precision per item, then
-- their means, population std and 95% bootstrap CIs. --mode reference reproduces the published
-- metajudge_analysis.py (QwenLM/RationaleRM) to 1e-9; --mode paper (the default, as in every recipe)
-- applies the paper's Eq. 1-3 with one-to-one matching. docs/metrics.md lists every difference.
--
-- --input-dir D ranks every MetaJudge output file in a folder in one table (--sort-by), as the
-- published script's --input-dir does, with the CIs added; each file's numbers are those --input
-- gives for it. Which judge a file scored: its one <m>-checklist in the first line's metadata,
-- or, when there are several, the one the file name names (metajudge_infer.sh writes
-- <judge>-<metajudge>-meta_eval.jsonl, ratio's metajudge.lua metajudge-<judge>.jsonl); files named
-- *input* (and not *output*) are inputs and skipped, as the published script skips them.
local ratio = require "ratio"
local p = ratio.params{
  input = {nil, "MetaJudge output file (JSONL)", type = "file"},
  input_dir = {nil, "a folder of MetaJudge output files (*.jsonl): one ranked table"},
  judge = {nil, "--input: the judge whose <name>-checklist was matched", alias = "model"},
  eval_model = {"", "--input-dir: only files whose name contains this (the MetaJudge's name)"},
  sort_by = {"recall", "--input-dir: rank by",
             choices = {"recall", "precision", "f1", "ap", "average_precision"}},
  max_checklist_len = {10, "reference: skip items with more model reasons", min = 1},
  top_k = {5, "model reasons counted (0 = all)", min = 0},
  resamples = {1000, "bootstrap resamples for the CIs", min = 1, max = 100000000},
  seed = {1, "bootstrap seed"},
  ratio.flags.mode,
}
if (p.input == nil) == (p.input_dir == nil) then
  ratio.exit(2, "give --input FILE (one file) or --input-dir DIR (a folder), not both")
end

local opts = {mode = p.mode, top_k = p.top_k, max_checklist_len = p.max_checklist_len,
              resamples = p.resamples, seed = p.seed}

-- One file: its metrics as the published script computes them, with bootstrap CIs.
if p.input then
  if not p.judge then ratio.exit(2, "--judge: is required") end
  local summary = ratio.study.analyze_file(p.input, p.judge, opts)
  if not ratio.options.json then
    print(ratio.report.table(ratio.study.analyze_table({summary})))
    local n = summary.unparsable_lines
    if n > 0 then print(("%d unparsable lines were left out (as the published script does)"):format(n)) end
  end
  return summary
end

-- A folder: every output file's numbers, as --input gives them, ranked (the unscorable left out).
opts.name_contains, opts.sort_by = p.eval_model, ({ap = "average_precision"})[p.sort_by] or p.sort_by
local models, skipped = ratio.study.analyze_dir(p.input_dir, opts)
if not models then ratio.exit(2, "--input-dir: " .. skipped) end
if #models == 0 then
  ratio.exit(1, ("--input-dir: no MetaJudge output file with a valid item in %s"):format(p.input_dir))
end
if not ratio.options.json then
  print(("Ranked by %s (%s mode), 95%% bootstrap CIs:"):format(opts.sort_by, p.mode))
  print(ratio.report.table(ratio.study.analyze_table(models, "file")))
end
return {input_dir = p.input_dir, mode = p.mode, sort_by = opts.sort_by, models = models,
        skipped_files = skipped}
