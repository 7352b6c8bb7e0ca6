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
  sort_by = {"recall", "--input-dir: rank by", choices = {"recall", "precision", "f1", "ap", "average_precision"}},
  max_checklist_len = {10, "reference: skip items with more model reasons", min = 1},
  top_k = {5, "model reasons counted (0 = all)", min = 0},
  resamples = {1000, "bootstrap resamples for the CIs", min = 1},
  seed = {1, "bootstrap seed"},
  ratio.flags.mode,
}
if (p.input == nil) == (p.input_dir == nil) then
  ratio.exit(2, "give --input FILE (one file) or --input-dir DIR (a folder), not both")
end

-- analyze(path, model) -> summary: one file's metrics, as the published script computes them
-- (a data error for a file with no JSON line, or with no line for the model).
local function analyze(path, model)
  return ratio.study.analyze_file(path, model, {mode = p.mode, top_k = p.top_k,
    max_checklist_len = p.max_checklist_len, resamples = p.resamples, seed = p.seed})
end

local function row(s)
  local ci = s.ci
  return {s.model, s.mode, tostring(s.valid_samples), tostring(s.error_samples + s.unscored_samples), tostring(s.skipped_samples),
    ratio.report.with_ci(s.precision, ci.precision), ratio.report.with_ci(s.recall, ci.recall),
    ratio.report.with_ci(s.f1, ci.f1), ratio.report.with_ci(s.average_precision, ci.average_precision)}
end
local HEADER = {"model", "mode", "valid", "error", "skipped", "precision", "recall", "F1", "AP"}

if p.input then
  if not p.judge then ratio.exit(2, "--judge: is required") end
  local summary = analyze(p.input, p.judge)
  if not ratio.options.json then
    print(ratio.report.table(HEADER, {row(summary)}))
    if summary.unparsable_lines > 0 then print(("%d unparsable lines were left out (as the published script does)"):format(summary.unparsable_lines)) end
  end
  return summary
end

-- --input-dir: every output file in the folder, ranked.
local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end
local kind = require("ratio.core.sys").stat(p.input_dir)
if kind ~= "directory" then ratio.exit(2, ("--input-dir: %s is not a folder"):format(p.input_dir)) end
local files = {}
local ls = assert(io.popen("ls -1A -- " .. shell_quote(p.input_dir)))
for name in ls:lines() do
  local low = name:lower()
  if name:match("%.jsonl$") and name:find(p.eval_model, 1, true)
     and not (low:find("input", 1, true) and not low:find("output", 1, true)) then
    files[#files + 1] = name
  end
end
ls:close()
table.sort(files)

-- The judge a file scored: its one <m>-checklist, else the one its name names (the longest).
local function judge_of(path, name)
  local first = ratio.jsonl.lines(path, {on_error = "skip"})()
  local meta = type(first) == "table" and type(first.metadata) == "table" and first.metadata or {}
  local found = {}
  for k in pairs(meta) do
    if type(k) == "string" and k:lower():match("%-checklist$") and k:lower() ~= "human-checklist" then
      found[#found + 1] = k:sub(1, -#"-checklist" - 1)
    end
  end
  table.sort(found)
  if #found == 1 then return found[1] end
  local best
  for _, m in ipairs(found) do
    if name:lower():find(m:lower(), 1, true) and (not best or #m > #best) then best = m end
  end
  if best then return best end
  return nil, #found == 0 and "no <judge>-checklist in the first line's metadata"
    or ("several judges' checklists (%s) and the file name names none"):format(table.concat(found, ", "))
end

local results, skipped = {}, {}
local errors = require "ratio.errors"
for _, name in ipairs(files) do
  local path = p.input_dir:gsub("/+$", "") .. "/" .. name
  local model, why = judge_of(path, name)
  if not model then
    skipped[#skipped + 1] = {file = name, reason = why}
  else
    local ok, summary = pcall(analyze, path, model)
    if not ok then
      skipped[#skipped + 1] = {file = name, reason = errors.describe(summary)}
    elseif summary.valid_samples == 0 then
      skipped[#skipped + 1] = {file = name, reason = "no valid item"}
    else
      summary.file = name
      results[#results + 1] = summary
    end
  end
end
for _, s in ipairs(skipped) do ratio.log("ratio: warning: %s/%s left out: %s", p.input_dir, s.file, s.reason) end
if #results == 0 then ratio.exit(1, ("--input-dir: no MetaJudge output file with a valid item in %s"):format(p.input_dir)) end

local key = ({ap = "average_precision"})[p.sort_by] or p.sort_by
table.sort(results, function(a, b)
  if (a[key] or -1) ~= (b[key] or -1) then return (a[key] or -1) > (b[key] or -1) end
  return a.file < b.file
end)
if not ratio.options.json then
  local rows = {}
  for i, s in ipairs(results) do
    rows[i] = row(s)
    rows[i][2] = s.file
  end
  local header = {table.unpack(HEADER)}
  header[2] = "file"
  print(("Ranked by %s (%s mode), 95%% bootstrap CIs:"):format(key, p.mode))
  print(ratio.report.table(header, rows))
end
return {input_dir = p.input_dir, mode = p.mode, sort_by = key, models = results, skipped_files = skipped}
