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
                                      preset = matcher.preset, params = matcher.settings})
end

local items, reader = ratio.dataset.read_all(p.input, {models = p.models, on_error = p.on_bad_item})
local dir = ratio.run_dir()
local run = ratio.study.evaluate(items, p.models, matcher, {mode = p.mode, top_k = p.top_k, concurrency = p.concurrency,
  files = {dir = dir, prompt = p.matcher == "llm" and "llm MetaJudge (plugins/matchers/llm.lua)" or p.matcher}})

return run:write(dir, {
  title = "MetaJudge: " .. table.concat(p.models, ", "), items = false, judges_key = "models",
  columns = {"rc", "precision", "f1", "ap", "valid", "unscored", "failed"},
  notes = {("%d items from %s, %s matcher, %s mode."):format(#items, p.input, p.matcher, p.mode)}, print_notes = false,
  summary = {input = p.input, matcher = p.matcher, mode = p.mode, top_k = p.top_k, skipped_lines = reader.skipped,
             usage = ratio.llm.usage()},
})
