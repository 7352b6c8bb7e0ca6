-- How much do the numbers depend on how reasons are matched? Runs a grid of matchers over the same
-- judges and items — lexical and embedding matchers at each threshold set, LLM MetaJudges for each
-- prompt and model — and reports, per cell, each judge's RC and AP, the agreement with a reference
-- cell (linearly weighted Cohen's kappa over the five-level score of every human rationale, and
-- Spearman's rho of per-item RC), and what the cell cost (calls, tokens, USD). Use it to pick
-- thresholds for a cheap matcher that agrees with the LLM MetaJudge, or to see whether a prompt
-- change moves the MetaJudge.
local ratio = require "ratio"
local p = ratio.params{
  input = {"data/sample.jsonl", "a RationaleRM-format dataset holding the judges' outputs", type = "file"},
  matchers = {{"lexical"}, "matchers in the grid", type = "list", choices = {"lexical", "embedding", "llm"}},
  thresholds = {"", "threshold sets for the lexical and embedding cells, four ascending numbers each, sets separated by ';' (e.g. \"0.08,0.15,0.25,0.4;0.1,0.2,0.3,0.5\"); empty = each matcher's default"},
  prompts = {{}, "llm cells: MetaJudge templates: 'ratio' (the built-in one), template files with {{human}} and {{model}}, Lua files returning one, or the published metajudge_infer.py itself (empty = ratio)", type = "list"},
  matcher_models = {{}, "llm cells: MetaJudge models (required with llm)", type = "list"},
  embed_models = {{}, "embedding cells: embedding models (required with embedding)", type = "list"},
  reference = {"", "the reference cell: its name, its number in the grid, or a matcher name for that matcher's first cell (empty = the first llm cell, else the first cell)"},
  kappa_weights = {"linear", "Cohen's kappa disagreement weights", choices = {"unweighted", "linear", "quadratic"}},
  top_k = {5, "model reasons counted (0 = all)", min = 0},
  concurrency = {32, "matches in flight at once", min = 1},
  rpm = {0, "requests per minute to each matcher API (0 = no limit)", min = 0},
  on_bad_item = {"stop", "a malformed dataset line: stop, or skip and count", choices = {"stop", "skip"}},
  seed = {1, "bootstrap seed of the RC and AP CIs in summary.json"},
  ratio.flags.judges{help = "judges to score (<name>-checklist); empty = every <name>-checklist in the first item"},
  ratio.flags.mode,
  ratio.flags.similarity,
  ratio.flags.metajudge{model = false, what = "llm cells", legacy = "judge"}, -- models: --matcher-models
  ratio.flags.metajudge_prompt{prompt = false},
  ratio.flags.embed{model = false},
}

-- The judges: as given, or every <name>-checklist of the first item.
local judges = #p.judges > 0 and p.judges or ratio.compare.judges_in_file(p.input)

local threshold_sets = ratio.compare.threshold_sets(p.thresholds) -- "a,b,c,d;a,b,c,d"
local prompt_axis = ratio.compare.prompt_axis(p.prompts) -- 'ratio', template files, or the published script

-- The grid: each matcher varies only along the axes that mean something to it.
local function has(m) for _, x in ipairs(p.matchers) do if x == m then return true end end return false end
if has("llm") and #p.matcher_models == 0 then ratio.exit(2, "--matcher-models: is required with --matchers llm") end
if has("embedding") and #p.embed_models == 0 then ratio.exit(2, "--embed-models: is required with --matchers embedding") end
local cells = ratio.compare.grid{matchers = p.matchers, thresholds = threshold_sets, prompts = prompt_axis,
  similarity = p.similarity, embed_models = p.embed_models, matcher_models = p.matcher_models}
local ref = ratio.compare.reference_cell(cells, p.reference)
ratio.manifest("judges", judges)
ratio.manifest("grid", (function()
  local g = {}
  for i, c in ipairs(cells) do g[i] = c.name end
  return g
end)())
for _, q in ipairs(prompt_axis) do ratio.prompts.register("sweep/" .. q.name, q.template) end

local items, reader = ratio.dataset.read_all(p.input, {models = judges, on_error = p.on_bad_item})
if #items == 0 then ratio.exit(1, p.input .. ": no usable items") end

local corpus = p.similarity == "bm25" and has("lexical") and ratio.study.corpus(items) or nil

local clients = {}
local function client(kind, model)
  local key = kind .. "\0" .. model
  if not clients[key] then
    clients[key] = ratio.llm.from_params(p, kind == "llm" and "metajudge" or "embed", {model = model})
  end
  return clients[key]
end

local function matcher_of(c)
  if c.matcher == "lexical" then
    return ratio.metajudge.matcher("lexical", {similarity = p.similarity, thresholds = c.thresholds, corpus = corpus})
  elseif c.matcher == "embedding" then
    return ratio.metajudge.matcher("embedding", {client = client("embedding", c.model), thresholds = c.thresholds})
  end
  return ratio.metajudge.matcher("llm", {client = client("llm", c.model), template = c.prompt.spec,
                                         preset = p.metajudge_preset, name = "sweep/" .. c.prompt.name})
end

-- Run the cells one after another, so the usage between two snapshots is the cell's own cost.
for i, c in ipairs(cells) do
  local before = ratio.llm.usage()
  local m = matcher_of(c)
  if c.matcher ~= "llm" and not c.thresholds then -- show the default the matcher chose
    c.thresholds = m.thresholds
    c.settings = c.settings:gsub("thresholds default", "thresholds " .. table.concat(m.thresholds, ",") .. " (default)")
  end
  c.by_judge = ratio.compare.evaluate(items, judges, m, {mode = p.mode, top_k = p.top_k,
    concurrency = p.concurrency, progress = ("cell %d/%d %s"):format(i, #cells, c.name)})
  c.cost = ratio.compare.usage_delta(before, ratio.llm.usage())
  c.judges, c.counts = {}, {valid = 0, unscored = 0, failed = 0, skipped = 0}
  for _, judge in ipairs(judges) do
    local s = ratio.metajudge.summarize(c.by_judge[judge], {model = judge, mode = p.mode, seed = p.seed})
    c.judges[judge] = {recall = s.recall, ap = s.ap, precision = s.precision, f1 = s.f1, valid = s.valid,
                       partial = s.partial, unscored = s.unscored, failed = s.failed,
                       skipped = s.skipped + s.error, ci = {recall = s.ci.recall, ap = s.ci.ap}}
    c.counts.valid = c.counts.valid + s.valid
    c.counts.unscored = c.counts.unscored + s.unscored
    c.counts.failed = c.counts.failed + s.failed
    c.counts.skipped = c.counts.skipped + s.skipped + s.error
  end
end
for _, c in ipairs(cells) do
  c.agreement = ratio.compare.agreement(ref.by_judge, c.by_judge, {mode = p.mode, top_k = p.top_k, weights = p.kappa_weights})
end

-- ---- what was found ------------------------------------------------------------------------------
local found = ratio.compare.sweep_report(cells, judges, ref, {kappa_weights = p.kappa_weights, similarity = p.similarity})
local notes = {
  ("%d items from %s (%d lines skipped), %d judge%s, %d cell%s; %s mode, top-%d model reasons."):format(
    #items, p.input, reader.skipped, #judges, #judges == 1 and "" or "s", #cells, #cells == 1 and "" or "s", p.mode, p.top_k),
  table.unpack(found.notes),
}
local dir = ratio.run_dir()
return ratio.study.write(dir, {items = ratio.compare.sweep_items(cells, judges, items),
  summary = {input = p.input, items = #items, skipped_lines = reader.skipped, judges = judges, mode = p.mode,
             top_k = p.top_k, reference = ref.name, kappa_weights = p.kappa_weights, cells = found.cells,
             usage = ratio.llm.usage(), run_dir = dir},
  csv = found.csv, table = found.table, header = found.header, rows = found.rows, notes = notes,
  title = ("Sweep: %d matcher cell%s"):format(#cells, #cells == 1 and "" or "s"),
  intro = "Each cell matches the same judges' reasons against the same human rationales with a different matcher, threshold set, prompt or model. Cells whose kappa and Spearman stay near 1 would change no conclusion drawn from the reference.",
  sections = found.sections})
