-- Do the paper's headline results hold for the judges I care about? Runs the protocol of arXiv
-- 2602.04649 end to end on the released test file (RationaleRM data/helpsteer3_test_1000.jsonl, or
-- any file in its shape) and sets each judge's numbers beside the published figure for that model:
--   1. each judge lists its reasons, most important first, and a verdict (ratio.judge); a judge
--      whose <name>-checklist and <name>-label are already in the file (like the released example
--      judges) is scored as it is, without a call;
--   2. a MetaJudge scores the top-5 reasons against the human atomic rationales, with the
--      published prompt and sampling (the user's copy of metajudge_infer.py), or ratio's;
--   3. outcome accuracy, and RC (recall), precision and AP by the published analysis (reference
--      mode) and by the paper's Eq. 1-3 (paper mode), per judge and domain, with 95% bootstrap CIs;
--   4. the published RC (data/published.json), our difference from it, and whether it lies inside
--      our CI.
-- Before the first call it prints a cost estimate and stops, with exit status 3, when the estimate
-- is over --max-cost. Every call goes through the call cache: a run stopped part-way resumes where
-- it stopped, paying nothing twice. The run folder has metajudge-<judge>.jsonl in the published
-- output format, so `recipes/analyze.lua --input-dir` or the published script reads them too.
local ratio = require "ratio"
local p = ratio.params{
  input = {nil, "the released test file, or one in its shape (domain, context, response1, response2, "
                .. "overall_preference, human-checklist)", type = "file", required = true},
  figures = {"helpsteer3-atomic", "which published RC to set beside ours",
             choices = {"helpsteer3-atomic", "cw-atomic"}},
  published_as = {{}, "JUDGE=ENTRY pairs naming a judge's entry in data/published.json (default: found "
                      .. "from the model id)", type = "list"},
  domains = {{}, "only these domains (empty: all)", type = "list"},
  limit = {0, "at most N items of each domain, the first in the file (0 = all): a cheap first pass", min = 0},
  rejudge = {false, "judge a PROVIDER:MODEL judge even where its fields are already in the file"},
  max_cost = {5.0, "stop before the first call when the estimated cost exceeds this many USD (0 = no limit)",
              min = 0},
  estimate_judge_tokens = {800, "cost estimate: tokens per judge reply", min = 1},
  estimate_metajudge_tokens = {0, "cost estimate: tokens per MetaJudge reply (0: 1500 for published, 300 for "
                                  .. "ratio)", min = 0},
  top_k = {5, "model reasons counted (0 = all)", min = 0},
  concurrency = {16, "calls in flight per model", min = 1},
  rpm = {0, "requests per minute per model (0 = no limit)", min = 0},
  seed = {1, "bootstrap seed"},
  ratio.flags.judges{help = "judges, comma-separated: NAME (its NAME-checklist and NAME-label are in the "
    .. "file) or [NAME=]PROVIDER:MODEL[@BASE_URL] (judged now; PROVIDER openai or anthropic); empty: every "
    .. "judge in the first item"},
  ratio.flags.metajudge{required = true},
  ratio.flags.metajudge_prompt{preset_default = "published", preset_choices = {"published", "ratio"},
    prompt_help = "MetaJudge: the prompt: your copy of metajudge_infer.py or a ratio template (default: "
      .. "published: metajudge_infer.py beside the input's data/ folder; ratio: the built-in)"},
}

local R = ratio.reproduction
local pub = assert(ratio.study.published(), "data/published.json")

-- The items: the released file as it is, cut to --domains and --limit per domain.
local all, reader = ratio.dataset.read_all(p.input, {on_error = "skip"})
local items, per_domain = ratio.dataset.select(all, {domains = p.domains, limit = p.limit})
if #items == 0 then
  ratio.exit(1, ("%s: no items%s"):format(p.input,
    #p.domains > 0 and (" in domains " .. table.concat(p.domains, ", ")) or ""))
end

-- The judges: in the file already (scored as they are), or judged now through an API.
local judges = {}
for _, spec in ipairs(#p.judges > 0 and p.judges or ratio.compare.judges_in(items[1])) do
  local j, err = R.judge_spec(spec)
  if not j then ratio.exit(2, "--judges: " .. err) end
  local have = R.have(items, j.name)
  j.judge_now = j.provider ~= nil and (p.rejudge or have < #items)
  if not j.provider and have == 0 then
    ratio.exit(2, ("--judges: no item of %s has %s-checklist; give PROVIDER:MODEL to judge it"):format(
      p.input, j.name))
  end
  judges[#judges + 1] = j
end

-- The published figure for a judge: named by --published-as, else found from the model id.
local as, as_err = R.published_as(pub, p.published_as)
if not as then ratio.exit(2, "--published-as: " .. as_err) end
for _, j in ipairs(judges) do j.entry = as[j.name] or R.entry_for(pub, j.model or j.name) end

-- The MetaJudge: the published prompt is read out of the user's copy of metajudge_infer.py.
local prompt_path = p.metajudge_prompt
if prompt_path == "" and p.metajudge_preset == "published" then
  prompt_path = R.infer_script(p.input) or ratio.exit(2, "--metajudge-prompt: the published setup needs the "
    .. "published prompt: pass your copy of RationaleRM's metajudge_infer.py, or --metajudge-preset ratio")
end
local spec
if prompt_path ~= "" then
  local err
  spec, err = require("matchers.llm").load_template(prompt_path)
  if not spec then ratio.exit(2, "--metajudge-prompt: " .. err) end
end
local matcher = ratio.metajudge.matcher("llm", {client = ratio.llm.from_params(p, "metajudge"),
                                                template = spec, preset = p.metajudge_preset})

-- Cost, before any call (ratio.reproduction.estimate: an upper bound, at the prices of
-- scripts/ratio/runtime/prices.lua); over --max-cost, or unpriced under a limit, nothing is called.
local est = R.estimate(judges, items, matcher, {top_k = p.top_k, judge_tokens = p.estimate_judge_tokens,
  metajudge_tokens = p.estimate_metajudge_tokens, metajudge_model = p.metajudge_model})
io.stderr:write("Cost estimate (an upper bound: cached calls are free; the published preset may sample a ",
  "reply up to 5 times):\n", ratio.report.table(R.ESTIMATE_HEADER, est.rows), "\n")
if p.max_cost > 0 and #est.unpriced > 0 then
  ratio.exit(3, ("no price for %s in scripts/ratio/runtime/prices.lua, so the run cannot be held under "
    .. "--max-cost %.2f: add the price, or pass --max-cost 0"):format(table.concat(est.unpriced, ", "),
    p.max_cost))
end
if p.max_cost > 0 and est.usd > p.max_cost then
  ratio.exit(3, ("estimated cost $%.2f exceeds --max-cost %.2f; nothing was called. Rerun with --max-cost "
    .. "%.2f (or --limit N for a first pass)"):format(est.usd, p.max_cost,
    math.ceil(est.usd * 1.2 * 100) / 100))
end

-- 1. Judge: reasons and a verdict, written into the items as the released files hold them.
local dir = ratio.run_dir()
for _, j in ipairs(judges) do
  if j.judge_now then
    local client = ratio.llm{provider = j.provider, model = j.model, name = j.name, base_url = j.base_url,
                             concurrency = p.concurrency, rpm = p.rpm > 0 and p.rpm or nil}
    ratio.map(items, function(item) return ratio.judge.run(client, item, {top_k = p.top_k}) end,
      {concurrency = p.concurrency, progress = "judging " .. j.name, on_error = "record",
       each = function(r, item) R.store(j, item, r) end})
  end
end
ratio.dataset.write(dir .. "/judged.jsonl", items)

-- 2. MetaJudge, once per judge and item, in reference mode; 3. the paper mode's metrics from the
-- same reply; 4. each judge's numbers per domain with 95% bootstrap CIs, beside the published RC.
local study = R.new{items = items, dir = dir, pub = pub, figures = p.figures, top_k = p.top_k, seed = p.seed}
for _, j in ipairs(judges) do
  ratio.map(study:items_of(j), function(item)
    return ratio.metajudge.evaluate(item, j.name, matcher, {mode = "reference", top_k = p.top_k})
  end, {concurrency = p.concurrency, progress = "MetaJudge " .. j.name, on_error = "record",
        each = function(r, item, i) study:record(j, r, item, i) end})
  study:summarize(j)
end
local summary = study:write{input = p.input, per_domain = per_domain, skipped_lines = reader.skipped,
  estimate = est, metajudge = {model = p.metajudge_model, preset = matcher.preset,
    prompt = spec and spec.source or "built-in", prompt_sha256 = spec and spec.sha256 or nil,
    params = matcher.settings}}

-- Calls that failed for good fail the run (the outputs above are written; a rerun retries only them).
local failures = study:failures()
if #failures > 0 then
  ratio.exit(1, table.concat(failures, "; ")
    .. "; rerun the same command to retry them (the cache keeps the rest)")
end
return summary
