-- ratio.metajudge: match a judge's reasons against the human rationales and score the match.
--
--   local m = ratio.metajudge.matcher("lexical")            -- plugins/matchers/<name>.lua
--   local r = ratio.metajudge.evaluate(item, "careful", m, {mode = "paper", top_k = 5})
--   -- r.status, r.precision, r.recall (the item's RC), r.f1, r.ap, r.pairs (the matched pairs
--   -- with their scores), r.reply (the MetaJudge reply, as written to files)
--   local s = ratio.metajudge.summarize(results, {mode = "paper"})
--
-- A matcher returns a record, numbers not text: {pairs = {{r =, s =, score =}, ...}} (one entry
-- per human rationale, s = 0 for none; a computed matcher adds scores = its 0..1 matrix), or, for
-- an LLM MetaJudge, {reply = text}, parsed once by the metric kernel. The kernel scores the record
-- and returns the matched pairs, so nothing downstream reads text back. Files still carry the
-- published MetaJudge format (`- R<i>@S<j>: <score>` between <RESULT_START> and <RESULT_END>),
-- rendered from the record by ratio.metrics.render, so the published analysis script reads any matcher's
-- output. docs/metrics.md defines the two modes, `paper` (one-to-one matching, Eq. 1-3) and
-- `reference` (the published metajudge_analysis.py, to 1e-9).
local metrics = require "ratio.metrics"
local stats = require "ratio.stats"
local dataset = require "ratio.dataset"
local errors = require "ratio.errors"

local M = {}

M.SCALE = {0, 0.25, 0.5, 0.75, 1}

-- matcher(name, opts) -> a matcher object with :match(human, model, item) -> reply | nil, msg, code
function M.matcher(name, opts)
  local ok, plugin = pcall(require, "matchers." .. name)
  if not ok then
    error(("ratio.metajudge: no matcher '%s' (plugins/matchers/%s.lua): %s"):format(name, name, tostring(plugin)), 2)
  end
  local m = plugin.new(opts or {})
  m.name = m.name or name
  return m
end

-- prompt_from_params(p) -> the template spec --metajudge-prompt names (a ratio template file, a
-- Lua file returning one, or the published metajudge_infer.py; plugins/matchers/llm.lua reads
-- them), or nil for the built-in one. A file that cannot be read ends the run with a usage error.
function M.prompt_from_params(p)
  local path = rawget(p, "metajudge_prompt")
  if path == nil or path == "" then return nil end
  local spec, err = require("matchers.llm").load_template(path)
  if not spec then errors.usage("--metajudge-prompt: " .. err) end
  return spec
end

-- from_params(p) -> matcher: the matcher a recipe's flags (ratio.flags.matcher) ask for. Reads
-- p.matcher ("lexical", "embedding" or "llm") and, as the recipe declares them, the MetaJudge
-- LLM's --metajudge-* flags with --metajudge-prompt and --metajudge-preset (llm; sampling
-- settings left unset take the preset's), --embed-base-url, --embed-model (embedding),
-- --concurrency and --rpm. A missing model flag ends the run with a usage error naming it.
function M.from_params(p)
  local llm = require "ratio.llm"
  local function opt(k) return rawget(p, k) or "" end
  if p.matcher == "llm" then
    if opt("metajudge_model") == "" then errors.usage("--metajudge-model: is required with --matcher llm") end
    local spec = M.prompt_from_params(p)
    local client = llm.from_params(p, "metajudge")
    require("ratio.state").manifest.metajudge_model = client.model -- named in report.html's header
    return M.matcher("llm", {client = client, template = spec, preset = rawget(p, "metajudge_preset")})
  elseif p.matcher == "embedding" then
    if opt("embed_model") == "" then errors.usage("--embed-model: is required with --matcher embedding") end
    return M.matcher("embedding", {client = llm.from_params(p, "embed")})
  end
  return M.matcher("lexical")
end

local MODES = {paper = true, reference = true}

-- evaluate(item, model, matcher, opts) -> result
-- opts: mode ("paper"), top_k (5), max_checklist_len (10), policy (the mode's own).
-- result: {model, status, reason, precision, recall, f1, ap, match, pairs (the matched pairs:
--          {r, s, score, counted}), reply (rendered for files), error, outcome (true/false/nil),
--          label}
-- A matcher that fails for good gives status "failed" with its reason; nothing is dropped.
function M.evaluate(item, model, matcher, opts)
  opts = opts or {}
  local mode = opts.mode or "paper"
  if not MODES[mode] then error("ratio.metajudge: mode must be paper or reference", 2) end
  local human = item["human-checklist"]
  local ck = dataset.key_of(item, model, "checklist")
  if not ck then errors.data(("item %s: no %s-checklist"):format(tostring(item.id), model)) end
  local reasons = item[ck]
  local lk = dataset.key_of(item, model, "label")
  local label = lk and item[lk] or nil
  local result = {model = model, label = type(label) == "string" and label or nil,
                  outcome = dataset.outcome(label, item.overall_preference),
                  n_human = #human, n_model = #reasons}
  local record, err, code, info = nil, nil, nil, nil
  if #human > 0 then record, err, code, info = matcher:match(human, reasons, item) end
  if type(record) == "string" then record = {reply = record} end -- a matcher of one's own may answer text
  result.reply = metrics.render(record)
  result.matcher_info = info
  result.matcher = matcher.name -- "llm" replies; "lexical"/"embedding" blocks are computed
  local m = metrics.checklist(record, #human, #reasons, {mode = mode, top_k = opts.top_k,
    max_checklist_len = opts.max_checklist_len, policy = opts.policy})
  for k, v in pairs(m) do result[k] = v end
  if #human > 0 and record == nil then
    result.status, result.reason, result.error, result.code = "failed", "matcher_failed", err, code
  end
  return result
end

local function ci_of(values, seed) return stats.ci(values, {seed = seed}) end

-- summarize(results, opts) -> {model, mode, total, valid, partial, unscored, failed, skipped,
--   error, precision, recall, f1, ap, precision_std, recall_std, outcome_accuracy, outcome_n,
--   ties_excluded, ci = {precision, recall, f1, ap, outcome_accuracy}}
-- Means are over valid items (partial ones included, as counted items); CIs are bootstrap
-- percentile intervals (1,000 resamples, seeded).
function M.summarize(results, opts)
  opts = opts or {}
  local acc = metrics.summary()
  local counts = {total = 0, valid = 0, partial = 0, unscored = 0, failed = 0, skipped = 0, error = 0}
  local cols = {precision = {}, recall = {}, f1 = {}, ap = {}}
  local oa, ties, unlabeled = {}, 0, 0
  for _, r in ipairs(results) do
    counts.total = counts.total + 1
    counts[r.status] = (counts[r.status] or 0) + 1
    if r.status ~= "failed" then acc:add(r) end
    if r.status == "valid" or r.status == "partial" then
      for k, list in pairs(cols) do list[#list + 1] = r[k] end
    end
    if r.outcome == nil then
      if r.label then ties = ties + 1 else unlabeled = unlabeled + 1 end
    else
      oa[#oa + 1] = r.outcome and 1.0 or 0.0
    end
  end
  local t = acc:totals()
  local s = {model = opts.model, mode = opts.mode or "paper"}
  for k, v in pairs(counts) do s[k] = v end
  s.valid = counts.valid + counts.partial -- partial items are scored items
  -- With no valid item there is no mean: leave the metrics out rather than report zeros (a
  -- judge whose every match failed must not look like one that matched nothing).
  if s.valid > 0 then
    s.precision, s.recall, s.f1, s.ap = t.precision, t.recall, t.f1, t.ap
    s.precision_std, s.recall_std = t.precision_std, t.recall_std
  end
  s.outcome_n = #oa
  s.outcome_accuracy = #oa > 0 and stats.mean(oa) or nil
  s.ties_excluded = ties
  s.unlabeled = unlabeled
  s.ci = {}
  for k, list in pairs(cols) do s.ci[k] = ci_of(list, opts.seed) end
  s.ci.outcome_accuracy = ci_of(oa, opts.seed)
  s.per_item_recall = cols.recall
  return s
end

return M
