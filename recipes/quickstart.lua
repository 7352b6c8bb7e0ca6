-- Are two judges right for the right reasons? On the bundled sample data (48 items, 4 domains),
-- two judges pick the human-preferred response about equally often — one reasoning like the human
-- annotators, the other leaning on length, formatting and tone. This study shows their outcome
-- accuracy side by side with their Rationale Consistency, offline: the lexical matcher stands in
-- for the LLM MetaJudge, so no API key or network is needed.
local ratio = require "ratio"
local p = ratio.params{
  input = {"data/sample.jsonl", "a RationaleRM-format dataset", type = "file"},
  top_k = {5, "model reasons kept (0 = all)", min = 0},
  seed = {1, "bootstrap seed"},
  ratio.flags.judges{default = {"careful", "skimmer"}, help = "judges whose <name>-checklist and <name>-label to score"},
  ratio.flags.mode,
  ratio.flags.similarity,
}

local items = ratio.dataset.read_all(p.input, {models = p.judges})
local corpus
if p.similarity == "bm25" then
  local docs = {}
  for _, item in ipairs(items) do
    for _, h in ipairs(item["human-checklist"]) do docs[#docs + 1] = h end
  end
  corpus = require("ratio.core.match").corpus(docs)
end
local matcher = ratio.metajudge.matcher("lexical", {similarity = p.similarity, corpus = corpus})

local per_item, summaries, domains, alignments = {}, {}, {}, {}
for _, judge in ipairs(p.judges) do
  local results = ratio.map(items, function(item)
    return ratio.metajudge.evaluate(item, judge, matcher, {mode = p.mode, top_k = p.top_k})
  end)
  for i, r in ipairs(results) do
    per_item[i] = per_item[i] or {id = items[i].id, domain = items[i].domain}
    per_item[i][judge] = {status = r.status, outcome = r.outcome, label = r.label,
                          recall = r.recall, precision = r.precision, ap = r.ap, reply = r.reply}
    alignments[#alignments + 1] = ratio.report.alignment(items[i], judge, r, {top_k = p.top_k, index = i})
  end
  local s = ratio.metajudge.summarize(results, {model = judge, mode = p.mode, seed = p.seed})
  summaries[#summaries + 1] = s
  for _, d in ipairs(ratio.report.by_domain(results, items, {judge = judge, mode = p.mode, seed = p.seed})) do
    domains[#domains + 1] = d
  end
end

-- Are the two judges' RC different on the same items? (paired, items valid for both)
local paired, n_both
if #summaries == 2 then
  local a, b = {}, {}
  for _, row in ipairs(per_item) do
    local x, y = row[p.judges[1]], row[p.judges[2]]
    if x.status == "valid" and y.status == "valid" then
      a[#a + 1], b[#b + 1] = x.recall, y.recall
    end
  end
  paired = ratio.stats.permutation(a, b, {resamples = 10000, seed = p.seed})
  n_both = #a
end

local header = {"judge", "OA", "RC (recall)", "precision", "F1", "AP", "valid", "unscored", "failed", "skipped"}
local rows = {}
for _, s in ipairs(summaries) do
  rows[#rows + 1] = {s.model, ratio.report.with_ci(s.outcome_accuracy, s.ci.outcome_accuracy),
    ratio.report.with_ci(s.recall, s.ci.recall), ratio.report.with_ci(s.precision, s.ci.precision),
    ratio.report.with_ci(s.f1, s.ci.f1), ratio.report.with_ci(s.ap, s.ci.ap),
    tostring(s.valid), tostring(s.unscored), tostring(s.failed), tostring(s.skipped + s.error)}
end
local notes = {
  ("%d items from %s; %s mode, top-%d model reasons; lexical matcher (%s); 95%% bootstrap CIs, 1,000 resamples."):format(
    #items, p.input, p.mode, p.top_k, p.similarity),
  ("Outcome accuracy excludes %d human ties."):format(summaries[1].ties_excluded),
}
if paired then
  notes[#notes + 1] = ("RC difference %s - %s = %s, paired permutation p = %s (%d items valid for both)."):format(
    p.judges[1], p.judges[2], ratio.report.num(paired.diff), ratio.report.num(paired.p_value, 4), n_both)
end

print(ratio.report.table(header, rows))
for _, n in ipairs(notes) do print(n) end

local dir = ratio.run_dir()
local summary = {input = p.input, mode = p.mode, top_k = p.top_k, matcher = "lexical/" .. p.similarity,
                 judges = {}, rc_difference = paired, run_dir = dir}
for _, s in ipairs(summaries) do
  s.per_item_recall = nil
  summary.judges[s.model] = s
end
ratio.report.write_run(dir, {
  items = per_item,
  summary = summary,
  page = {title = "ratio quickstart: right for the right reasons?",
          intro = "Outcome accuracy (does the judge pick the human-preferred response?) against Rationale Consistency (does it give the humans' reasons?).",
          header = header, rows = rows, notes = notes,
          judges = summaries, domains = domains, alignments = alignments},
})
ratio.log("run folder: %s", dir)
return summary
