-- How well do a judge's reasons match the human rationales? Scores each judge's checklist against
-- the human atomic rationales with a chosen matcher — an LLM MetaJudge (the paper's method), an
-- embedding model, or word overlap — and writes the published MetaJudge output format
-- (prompt, samples[0].generated_text, status, metadata) plus ratio's own fields, so
-- recipes/analyze.lua (or the published analysis script) can recompute the metrics from it.
local ratio = require "ratio"
local p = ratio.params{
  input = {"data/sample.jsonl", "a RationaleRM-format dataset", type = "file"},
  top_k = {5, "model reasons counted (0 = all)", min = 0},
  concurrency = {32, "items matched at once", min = 1},
  rpm = {0, "requests per minute to the matcher's API (0 = no limit)", min = 0},
  on_bad_item = {"stop", "a malformed dataset line: stop, or skip and count", choices = {"stop", "skip"}},
  ratio.flags.judges{default = {"careful", "skimmer"}, help = "judges whose <name>-checklist to score", aliases = {models = "judges"}},
  ratio.flags.mode,
  ratio.flags.matcher{legacy = "judge"},
}

local matcher = ratio.metajudge.from_params(p)
if matcher.spec then
  ratio.manifest("metajudge_template", {source = matcher.spec.source, kind = matcher.spec.kind, sha256 = matcher.spec.sha256,
                                      preset = matcher.preset, params = matcher.params})
end

local items, reader = ratio.dataset.read_all(p.input, {models = p.models, on_error = p.on_bad_item})
local dir = ratio.run_dir()
local summary = {input = p.input, matcher = p.matcher, mode = p.mode, top_k = p.top_k,
                 skipped_lines = reader.skipped, models = {}}
local header = {"judge", "RC (recall)", "precision", "F1", "AP", "valid", "unscored", "failed"}
local rows = {}
local judges, domains, alignments = {}, {}, {} -- for the report: headline, per domain, per item

for _, model in ipairs(p.models) do
  local out = assert(ratio.jsonl.writer(("%s/metajudge-%s.jsonl"):format(dir, model)))
  local list = {}
  ratio.map(items, function(item)
    return ratio.metajudge.evaluate(item, model, matcher, {mode = p.mode, top_k = p.top_k})
  end, {concurrency = p.concurrency, progress = "matching " .. model, on_error = "record",
        each = function(r, item, i)
          if ratio.failed(r) then -- an error in matching: kept as a failed item, never dropped
            r = {status = "failed", error = r.error, reply = nil, model = model}
          end
          list[i] = {status = r.status, precision = r.precision, recall = r.recall, f1 = r.f1,
                     ap = r.ap, outcome = r.outcome, label = r.label}
          alignments[#alignments + 1] = ratio.report.alignment(item, model, r, {top_k = p.top_k, index = i})
          local meta = {id = item.id, domain = item.domain, ["human-checklist"] = item["human-checklist"]}
          local ck = ratio.dataset.key_of(item, model, "checklist")
          meta[ck] = item[ck]
          local info = r.matcher_info or {}
          assert(out:write({
            prompt = info.prompt or p.matcher, -- the MetaJudge's prompt, as the published file keeps it
            samples = r.reply and {{generated_text = r.reply}} or ratio.json.array(),
            status = r.status == "failed" and "failed" or "success",
            metadata = meta,
            ratio = {status = r.status, reason = r.reason, error = r.error, precision = r.precision,
                     recall = r.recall, f1 = r.f1, ap = r.ap, match = r.match,
                     reasks = info.reasks, samples = info.samples, reasoning = info.reasoning},
          }))
        end})
  assert(out:close())
  local s = ratio.metajudge.summarize(list, {model = model, mode = p.mode})
  s.per_item_recall = nil
  summary.models[model] = s
  judges[#judges + 1] = s
  for _, d in ipairs(ratio.report.by_domain(list, items, {judge = model, mode = p.mode})) do domains[#domains + 1] = d end
  rows[#rows + 1] = {model, ratio.report.with_ci(s.recall, s.ci.recall),
    ratio.report.with_ci(s.precision, s.ci.precision), ratio.report.with_ci(s.f1, s.ci.f1),
    ratio.report.with_ci(s.ap, s.ci.ap), tostring(s.valid), tostring(s.unscored), tostring(s.failed)}
end

print(ratio.report.table(header, rows))
summary.usage = ratio.llm.usage()
ratio.report.write_run(dir, {summary = summary, page = {
  title = "MetaJudge: " .. table.concat(p.models, ", "), header = header, rows = rows,
  notes = {("%d items from %s, %s matcher, %s mode."):format(#items, p.input, p.matcher, p.mode)},
  judges = judges, domains = domains, alignments = alignments}})
ratio.log("run folder: %s", dir)
return summary
