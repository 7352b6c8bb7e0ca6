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
local corpus = p.similarity == "bm25" and ratio.study.corpus(items) or nil -- BM25: the rationales' word statistics
local matcher = ratio.metajudge.matcher("lexical", {similarity = p.similarity, corpus = corpus})
local run = ratio.study.evaluate(items, p.judges, matcher, {mode = p.mode, top_k = p.top_k, seed = p.seed})

-- Are the two judges' RC different on the same items? (paired, items valid for both)
local paired, n_both
if #p.judges == 2 then paired, n_both = run:rc_difference(p.judges[1], p.judges[2]) end

local notes = {
  ("%d items from %s; %s mode, top-%d model reasons; lexical matcher (%s); 95%% bootstrap CIs, 1,000 resamples."):format(
    #items, p.input, p.mode, p.top_k, p.similarity),
  ("Outcome accuracy excludes %d human ties."):format(run.heads[1].ties_excluded),
}
if paired then
  notes[#notes + 1] = ("RC difference %s - %s = %s, paired permutation p = %s (%d items valid for both)."):format(
    p.judges[1], p.judges[2], ratio.report.num(paired.diff), ratio.report.num(paired.p_value, 4), n_both)
end

local dir = ratio.run_dir()
return run:write(dir, {
  title = "ratio quickstart: right for the right reasons?",
  intro = "Outcome accuracy (does the judge pick the human-preferred response?) against Rationale Consistency (does it give the humans' reasons?).",
  notes = notes,
  summary = {input = p.input, mode = p.mode, top_k = p.top_k, matcher = "lexical/" .. p.similarity,
             rc_difference = paired, run_dir = dir},
})
