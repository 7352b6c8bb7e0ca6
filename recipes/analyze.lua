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

local metrics = require "ratio.core.metrics"
local stats = require "ratio.core.stats"
local dataset = require "ratio.dataset"

-- analyze(path, model) -> summary: one file's metrics (raises a data error for a file that holds
-- no JSON line at all).
local function analyze(path, model)
  local reader, open_err = ratio.jsonl.open(path, {on_error = "skip"})
  if not reader then require("ratio.errors").data(open_err) end
  local acc = metrics.summary()
  local cols = {precision = {}, recall = {}, f1 = {}, ap = {}}
  local opts = {mode = p.mode, top_k = p.top_k, max_checklist_len = p.max_checklist_len}
  local reasons, shape_errors = {}, 0
  local lines_with_model, models_seen = 0, {} -- is the model in the file at all?

  for line_obj, line in reader:lines() do
    local reply
    local samples = type(line_obj) == "table" and line_obj.samples
    if type(samples) == "table" and type(samples[1]) == "table" then
      reply = samples[1].generated_text
      if type(reply) ~= "string" then
        reply = nil
        shape_errors = shape_errors + 1
        if shape_errors <= 5 then
          ratio.log("ratio: warning: %s:%d: samples[0].generated_text is not a string (counted as an error)", path, line)
        end
      end
    end
    local meta = type(line_obj) == "table" and line_obj.metadata or nil
    local n_human, n_model = -1, -1
    if type(meta) == "table" then
      local hc = meta["human-checklist"]
      if type(hc) == "table" then n_human = #hc end
      local key = dataset.key_of(meta, model, "checklist")
      if key and type(meta[key]) == "table" then n_model = #meta[key] end
      if key then lines_with_model = lines_with_model + 1 end
      for k in pairs(meta) do
        local m = type(k) == "string" and k:match("^(.+)%-checklist$")
        if m and m ~= "human" then models_seen[m] = true end
      end
    end
    local item = metrics.score(reply, n_human, n_model, opts)
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
      and ("%s: no line is JSON (%d unparsable lines, first: %s)"):format(path, reader.skipped, reader.errors[1])
      or (path .. ": no items (the file is empty or has only blank lines)"))
  end
  -- A model the file never names would score every line as an error: say which models it has.
  if lines_with_model == 0 then
    local have = {}
    for m in pairs(models_seen) do have[#have + 1] = m end
    table.sort(have)
    require("ratio.errors").data(("%s: no line has metadata.%s-checklist, so there is nothing to score for '%s'; %s"):format(
      path, model, model, #have > 0 and ("the models it has: " .. table.concat(have, ", "))
      or "it names no model (no metadata.<model>-checklist key)"))
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
    model = model, mode = p.mode,
    total_samples = t.n_total, valid_samples = t.n_valid, error_samples = t.n_error,
    skipped_samples = t.n_skipped, unscored_samples = t.n_unscored, partial_samples = t.n_partial,
    unparsable_lines = reader.skipped,
    precision = t.precision, recall = t.recall, f1 = t.f1, average_precision = t.ap,
    precision_std = t.precision_std, recall_std = t.recall_std,
    ci = ci, reasons = reasons,
  }
  return summary, t, ci, reader
end

local function row(s)
  local ci = s.ci
  return {s.model, s.mode, tostring(s.valid_samples), tostring(s.error_samples + s.unscored_samples), tostring(s.skipped_samples),
    ratio.report.with_ci(s.precision, ci.precision), ratio.report.with_ci(s.recall, ci.recall),
    ratio.report.with_ci(s.f1, ci.f1), ratio.report.with_ci(s.average_precision, ci.average_precision)}
end
local HEADER = {"model", "mode", "valid", "error", "skipped", "precision", "recall", "F1", "AP"}

if p.input then
  if not p.judge then ratio.exit(2, "--judge: is required with --input") end
  local summary, _, _, reader = analyze(p.input, p.judge)
  if not ratio.options.json then
    print(ratio.report.table(HEADER, {row(summary)}))
    if reader.skipped > 0 then print(("%d unparsable lines were left out (as the published script does)"):format(reader.skipped)) end
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
