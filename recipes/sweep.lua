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
  judges = {{}, "judges to score (<name>-checklist); empty = every <name>-checklist in the first item", type = "list"},
  matchers = {{"lexical"}, "matchers in the grid", type = "list", choices = {"lexical", "embedding", "llm"}},
  thresholds = {"", "threshold sets for the lexical and embedding cells, four ascending numbers each, sets separated by ';' (e.g. \"0.08,0.15,0.25,0.4;0.1,0.2,0.3,0.5\"); empty = each matcher's default"},
  similarity = {"jaccard", "lexical cells: similarity", choices = {"jaccard", "char3", "bm25"}},
  prompts = {{}, "llm cells: Lua files each returning a MetaJudge template with {{human}} and {{model}} (empty = the built-in template)", type = "list"},
  matcher_models = {{}, "llm cells: MetaJudge models (required with llm)", type = "list"},
  judge_base_url = {"", "llm cells: OpenAI-compatible base URL (default $OPENAI_BASE_URL)"},
  judge_provider = {"openai", "llm cells: provider plugin", choices = {"openai", "anthropic"}},
  embed_models = {{}, "embedding cells: embedding models (required with embedding)", type = "list"},
  embed_base_url = {"", "embedding cells: base URL"},
  reference = {"", "the reference cell: its name, its number in the grid, or a matcher name for that matcher's first cell (empty = the first llm cell, else the first cell)"},
  kappa_weights = {"linear", "Cohen's kappa disagreement weights", choices = {"unweighted", "linear", "quadratic"}},
  mode = {"paper", "metric definitions (docs/metrics.md)", choices = {"paper", "reference"}},
  top_k = {5, "model reasons counted (0 = all)", min = 0},
  concurrency = {32, "matches in flight at once", min = 1},
  rpm = {0, "requests per minute to each matcher API (0 = no limit)", min = 0},
  on_bad_item = {"stop", "a malformed dataset line: stop, or skip and count", choices = {"stop", "skip"}},
  seed = {1, "bootstrap seed of the RC and AP CIs in summary.json"},
}

-- The judges: as given, or every <name>-checklist of the first item.
local judges = #p.judges > 0 and p.judges or ratio.compare.judges_in_file(p.input)

-- Threshold sets: "a,b,c,d;a,b,c,d". nil stands for "the matcher's default".
local threshold_sets = {}
for set in p.thresholds:gmatch("[^;]+") do
  if set:match("%S") then
    local t = {}
    for x in set:gmatch("[^,]+") do
      local v = tonumber(x)
      if not v then ratio.exit(2, ("--thresholds: '%s' is not a number (set %d)"):format(x:match("^%s*(.-)%s*$"), #threshold_sets + 1)) end
      t[#t + 1] = v
    end
    local ok = #t == 4 and pcall(require("ratio.core.match").to_scale, 0, t)
    if not ok then ratio.exit(2, ("--thresholds: set %d ('%s') must be four ascending numbers"):format(#threshold_sets + 1, set)) end
    threshold_sets[#threshold_sets + 1] = t
  end
end
local threshold_axis = #threshold_sets > 0 and threshold_sets or {false}

-- Prompt templates: each file returns a string with {{human}} and {{model}}.
local prompt_axis = {}
for _, path in ipairs(p.prompts) do
  local chunk, err = loadfile(path, "t")
  if not chunk then ratio.exit(2, "--prompts: " .. err) end
  local ok, template = pcall(chunk)
  if not ok then ratio.exit(2, ("--prompts: %s: %s"):format(path, tostring(template))) end
  if type(template) ~= "string" then ratio.exit(2, ("--prompts: %s must return the template as a string"):format(path)) end
  local rendered, rerr = pcall(ratio.prompts.render, template, {human = "", model = ""})
  if not rendered then ratio.exit(2, ("--prompts: %s: %s"):format(path, tostring(rerr):match("no value for .*") or tostring(rerr))) end
  if not template:find("{{%s*human%s*}}") or not template:find("{{%s*model%s*}}") then
    ratio.exit(2, ("--prompts: %s: the template needs both {{human}} and {{model}}"):format(path))
  end
  local name = path:match("([^/]+)$"):gsub("%.lua$", "")
  for _, q in ipairs(prompt_axis) do if q.name == name then name = name .. "#" .. (#prompt_axis + 1) end end
  prompt_axis[#prompt_axis + 1] = {name = name, path = path, template = template, sha256 = ratio.sha256(template)}
end
if #prompt_axis == 0 then
  local template = require("matchers.llm").TEMPLATE
  prompt_axis[1] = {name = "default", template = template, sha256 = ratio.sha256(template)}
end

-- The grid. Each matcher varies only along the axes that mean something to it.
local cells = {}
local function has(m) for _, x in ipairs(p.matchers) do if x == m then return true end end return false end
if has("llm") and #p.matcher_models == 0 then ratio.exit(2, "--matcher-models: is required with --matchers llm") end
if has("embedding") and #p.embed_models == 0 then ratio.exit(2, "--embed-models: is required with --matchers embedding") end
local function tname(k, t) return t and ("T" .. k) or "default" end
local function tlist(t) return t and table.concat(t, ",") or "default" end
local seen_matcher = {}
for _, m in ipairs(p.matchers) do
  if not seen_matcher[m] then
    seen_matcher[m] = true
    if m == "lexical" then
      for k, t in ipairs(threshold_axis) do
        cells[#cells + 1] = {name = "lexical/" .. tname(k, t), matcher = m, thresholds = t or nil,
                             settings = ("%s, thresholds %s"):format(p.similarity, tlist(t))}
      end
    elseif m == "embedding" then
      for _, model in ipairs(p.embed_models) do
        for k, t in ipairs(threshold_axis) do
          cells[#cells + 1] = {name = ("embedding/%s/%s"):format(model, tname(k, t)), matcher = m, model = model,
                               thresholds = t or nil, settings = ("%s, thresholds %s"):format(model, tlist(t))}
        end
      end
    else
      for _, model in ipairs(p.matcher_models) do
        for _, q in ipairs(prompt_axis) do
          cells[#cells + 1] = {name = ("llm/%s/%s"):format(model, q.name), matcher = m, model = model, prompt = q,
                               settings = ("%s, prompt %s"):format(model, q.path or "built-in")}
        end
      end
    end
  end
end

-- A model or prompt named twice would only repeat a cell.
do
  local kept, names = {}, {}
  for _, c in ipairs(cells) do
    if not names[c.name] then names[c.name], kept[#kept + 1] = true, c end
  end
  cells = kept
end

-- The reference cell.
local ref
if p.reference == "" then
  for _, c in ipairs(cells) do if c.matcher == "llm" then ref = c break end end
  ref = ref or cells[1]
else
  local n = math.tointeger(tonumber(p.reference))
  if n then ref = cells[n] end
  for _, c in ipairs(cells) do if not ref and c.name == p.reference then ref = c end end
  for _, c in ipairs(cells) do if not ref and c.matcher == p.reference then ref = c end end
  if not ref then
    local names = {}
    for i, c in ipairs(cells) do names[i] = ("%d %s"):format(i, c.name) end
    ratio.exit(2, ("--reference: no cell '%s' (cells: %s)"):format(p.reference, table.concat(names, ", ")))
  end
end
ratio.manifest("judges", judges)
ratio.manifest("grid", (function()
  local g = {}
  for i, c in ipairs(cells) do g[i] = c.name end
  return g
end)())
for _, q in ipairs(prompt_axis) do ratio.prompts.register("sweep/" .. q.name, q.template) end

local items, reader = ratio.dataset.read_all(p.input, {models = judges, on_error = p.on_bad_item})
if #items == 0 then ratio.exit(1, p.input .. ": no usable items") end

local corpus
if p.similarity == "bm25" and has("lexical") then
  local docs = {}
  for _, item in ipairs(items) do
    for _, h in ipairs(item["human-checklist"]) do docs[#docs + 1] = h end
  end
  corpus = require("ratio.core.match").corpus(docs)
end

local clients = {}
local function client(kind, model)
  local key = kind .. "\0" .. model
  if not clients[key] then
    local base = kind == "llm" and p.judge_base_url or p.embed_base_url
    clients[key] = ratio.llm{provider = kind == "llm" and p.judge_provider or nil, model = model,
      base_url = base ~= "" and base or nil, concurrency = p.concurrency, rpm = p.rpm > 0 and p.rpm or nil}
  end
  return clients[key]
end

local function matcher_of(c)
  if c.matcher == "lexical" then
    return ratio.metajudge.matcher("lexical", {similarity = p.similarity, thresholds = c.thresholds, corpus = corpus})
  elseif c.matcher == "embedding" then
    return ratio.metajudge.matcher("embedding", {client = client("embedding", c.model), thresholds = c.thresholds})
  end
  return ratio.metajudge.matcher("llm", {client = client("llm", c.model), template = c.prompt.template})
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

-- The table.
local num = ratio.report.num
local function cost_text(c)
  local usd = c.cost.cost_usd
  return usd == ratio.json.null and "-" or ("%.4f"):format(usd)
end
local header = {"#", "cell", "settings"}
for _, judge in ipairs(judges) do
  header[#header + 1] = "RC " .. judge
  header[#header + 1] = "AP " .. judge
end
for _, h in ipairs({"kappa", "spearman", "calls", "tokens", "USD", "valid", "unscored", "failed"}) do header[#header + 1] = h end
local rows, csv_rows = {}, {}
local csv_header = {"cell", "matcher", "settings", "reference"}
for _, judge in ipairs(judges) do
  csv_header[#csv_header + 1] = "rc_" .. judge
  csv_header[#csv_header + 1] = "ap_" .. judge
end
for _, h in ipairs({"kappa", "spearman", "rationales_compared", "items_compared", "calls", "cached",
                    "input_tokens", "output_tokens", "cost_usd", "valid", "unscored", "failed", "skipped"}) do
  csv_header[#csv_header + 1] = h
end
for i, c in ipairs(cells) do
  local r = {tostring(i), c.name .. (c == ref and " *" or ""), c.settings}
  local cr = {c.name, c.matcher, c.settings, c == ref}
  for _, judge in ipairs(judges) do
    local j = c.judges[judge]
    r[#r + 1] = num(j.recall)
    r[#r + 1] = num(j.ap)
    cr[#cr + 1] = j.recall
    cr[#cr + 1] = j.ap
  end
  local a, k = c.agreement, c.cost
  local function v(x) return x ~= ratio.json.null and x or nil end
  for _, x in ipairs({num(v(a.kappa)), num(v(a.spearman)), tostring(k.calls), tostring(k.input_tokens + k.output_tokens),
                      cost_text(c), tostring(c.counts.valid), tostring(c.counts.unscored), tostring(c.counts.failed)}) do
    r[#r + 1] = x
  end
  local tail = table.pack(v(a.kappa), v(a.spearman), a.rationales, a.items, k.calls, k.cached, k.input_tokens,
                          k.output_tokens, v(k.cost_usd), c.counts.valid, c.counts.unscored, c.counts.failed, c.counts.skipped)
  local at = 4 + 2 * #judges
  for t = 1, tail.n do cr[at + t] = tail[t] end -- nil (undefined) stays a hole: an empty CSV cell
  rows[i], csv_rows[i] = r, cr
end
local notes = {
  ("%d items from %s (%d lines skipped), %d judge%s, %d cell%s; %s mode, top-%d model reasons."):format(
    #items, p.input, reader.skipped, #judges, #judges == 1 and "" or "s", #cells, #cells == 1 and "" or "s", p.mode, p.top_k),
  ("* reference cell: %s. kappa: Cohen's kappa (%s weights) between each cell's and the reference's five-level score (0, .25, .5, .75, 1) of every human rationale; spearman: Spearman's rho of per-item RC; both over the items the two cells scored, all judges pooled (per judge in summary.json)."):format(
    ref.name, p.kappa_weights),
  "calls, tokens and USD are each cell's own (usage before and after it); calls answered from the cache cost nothing and show as cached in summary.json; USD is - for a model without a price.",
}
print(ratio.report.table(header, rows))
for _, n in ipairs(notes) do print(n) end

-- items.jsonl: one line per cell, judge and item.
local lines = {}
for _, c in ipairs(cells) do
  for _, judge in ipairs(judges) do
    for i, item in ipairs(items) do
      local r = c.by_judge[judge][i]
      lines[#lines + 1] = {cell = c.name, judge = judge, id = item.id, domain = item.domain, line = item._line,
        status = r.status, reason = r.reason, error = r.error, outcome = r.outcome, recall = r.recall,
        precision = r.precision, ap = r.ap, scores = ratio.compare.rationale_scores(r),
        reply = r.reply}
    end
  end
end

local dir = ratio.run_dir()
local summary = {input = p.input, items = #items, skipped_lines = reader.skipped, judges = judges, mode = p.mode,
                 top_k = p.top_k, reference = ref.name, kappa_weights = p.kappa_weights, cells = {},
                 usage = ratio.llm.usage(), run_dir = dir}
-- The page's table leaves the settings to a table of their own, to stay narrow.
local page_header, page_rows, cell_rows = {header[1], header[2], table.unpack(header, 4)}, {}, {}
for i, r in ipairs(rows) do
  page_rows[i] = {r[1], r[2], table.unpack(r, 4)}
  cell_rows[i] = {r[1], cells[i].name, cells[i].matcher, cells[i].settings}
end
local rc_bars, agree_bars = {}, {}
for i, c in ipairs(cells) do
  summary.cells[i] = {index = i, name = c.name, matcher = c.matcher, reference = c == ref, settings = {
      description = c.settings, similarity = c.matcher == "lexical" and p.similarity or nil,
      thresholds = c.thresholds, model = c.model, prompt = c.prompt and (c.prompt.path or "built-in") or nil,
      prompt_sha256 = c.prompt and c.prompt.sha256 or nil},
    judges = c.judges, agreement = c.agreement, cost = c.cost, valid = c.counts.valid,
    unscored = c.counts.unscored, failed = c.counts.failed, skipped = c.counts.skipped}
  for _, judge in ipairs(judges) do
    rc_bars[#rc_bars + 1] = {group = "#" .. i, series = judge, value = c.judges[judge].recall, ci = c.judges[judge].ci.recall}
  end
  for _, m in ipairs({"kappa", "spearman"}) do
    local x = c.agreement[m]
    agree_bars[#agree_bars + 1] = {group = "#" .. i, series = m, value = x ~= ratio.json.null and x or nil}
  end
end
ratio.report.write_run(dir, {items = lines, summary = summary, csv = {header = csv_header, rows = csv_rows},
  page = {title = ("Sweep: %d matcher cell%s"):format(#cells, #cells == 1 and "" or "s"), header = page_header, rows = page_rows, notes = notes,
    intro = "Each cell matches the same judges' reasons against the same human rationales with a different matcher, threshold set, prompt or model. Cells whose kappa and Spearman stay near 1 would change no conclusion drawn from the reference.",
    sections = {
      {title = "The cells", header = {"#", "cell", "matcher", "settings"}, rows = cell_rows},
      {title = "RC per cell", text = "Each judge's RC in every cell (numbered as in the table), with 95% bootstrap CIs: how far the matcher moves the numbers.",
       svg = ratio.report.bars_svg{cells = rc_bars, label = "rationale consistency"}},
      {title = "Agreement with the reference", text = ("Kappa and Spearman of each cell against the reference (%s); values below 0 are drawn at 0."):format(ref.name),
       svg = ratio.report.bars_svg{cells = agree_bars, label = "agreement"}},
    }}})
ratio.log("run folder: %s", dir)
return summary
