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
  input = {nil, "the released test file, or one in its shape (domain, context, response1, response2, overall_preference, human-checklist)", type = "file", required = true},
  figures = {"helpsteer3-atomic", "which published RC to set beside ours", choices = {"helpsteer3-atomic", "cw-atomic"}},
  published_as = {{}, "JUDGE=ENTRY pairs naming a judge's entry in data/published.json (default: found from the model id)", type = "list"},
  domains = {{}, "only these domains (empty: all)", type = "list"},
  limit = {0, "at most N items of each domain, the first in the file (0 = all): a cheap first pass", min = 0},
  rejudge = {false, "judge a PROVIDER:MODEL judge even where its fields are already in the file"},
  max_cost = {5.0, "stop before the first call when the estimated cost exceeds this many USD (0 = no limit)", min = 0},
  estimate_judge_tokens = {800, "cost estimate: tokens per judge reply", min = 1},
  estimate_metajudge_tokens = {0, "cost estimate: tokens per MetaJudge reply (0: 1500 for published, 300 for ratio)", min = 0},
  top_k = {5, "model reasons counted (0 = all)", min = 0},
  concurrency = {16, "calls in flight per model", min = 1},
  rpm = {0, "requests per minute per model (0 = no limit)", min = 0},
  seed = {1, "bootstrap seed"},
  ratio.flags.judges{help = "judges, comma-separated: NAME (its NAME-checklist and NAME-label are in the file) or [NAME=]PROVIDER:MODEL[@BASE_URL] (judged now; PROVIDER openai or anthropic); empty: every judge in the first item"},
  ratio.flags.metajudge{required = true},
  ratio.flags.metajudge_prompt{preset_default = "published", preset_choices = {"published", "ratio"},
    prompt_help = "MetaJudge: the prompt: your copy of metajudge_infer.py or a ratio template (default: published: metajudge_infer.py beside the input's data/ folder; ratio: the built-in)"},
}

local json, dataset, report = ratio.json, ratio.dataset, ratio.report
local function read_json(path)
  local f = io.open(path)
  if not f then return nil end
  local v = json.decode(f:read("a"))
  f:close()
  return v
end
local PUB = assert(read_json(require("ratio.state").root .. "/data/published.json"), "data/published.json")

-- The items: the released file as it is, cut to --domains and --limit per domain.
local all, reader = dataset.read_all(p.input, {on_error = "skip"})
local items, per_domain, wanted = {}, {}, {}
for _, d in ipairs(p.domains) do wanted[d] = true end
for _, item in ipairs(all) do
  local d = tostring(item.domain)
  if (#p.domains == 0 or wanted[d]) and (p.limit == 0 or (per_domain[d] or 0) < p.limit) then
    per_domain[d] = (per_domain[d] or 0) + 1
    items[#items + 1] = item
  end
end
if #items == 0 then ratio.exit(1, ("%s: no items%s"):format(p.input, #p.domains > 0 and (" in domains " .. table.concat(p.domains, ", ")) or "")) end

-- The judges: in the file already, or to be judged now.
local judges = {}
for _, spec in ipairs(#p.judges > 0 and p.judges or ratio.compare.judges_in(items[1])) do
  local name, rest = spec:match("^([%w%._%-]+)=(.+)$")
  rest = rest or spec
  local provider, model, url = rest:match("^(%a+):([^@]+)@?(.*)$")
  if provider and provider ~= "openai" and provider ~= "anthropic" then
    ratio.exit(2, ("--judges: '%s': the provider must be openai or anthropic"):format(spec))
  end
  local j = {name = name or (model or rest):gsub("[^%w%._%-]", "_"), model = model, provider = provider,
             base_url = url ~= "" and url or nil}
  local have = 0
  for _, item in ipairs(items) do if dataset.key_of(item, j.name, "checklist") then have = have + 1 end end
  j.judge_now = provider ~= nil and (p.rejudge or have < #items)
  if not provider and have == 0 then
    ratio.exit(2, ("--judges: no item of %s has %s-checklist; give PROVIDER:MODEL to judge it"):format(p.input, j.name))
  end
  judges[#judges + 1] = j
end

-- The published figure for a judge: named by --published-as, else found from the model id.
local as = {}
for _, pair in ipairs(p.published_as) do
  local j, e = pair:match("^(.-)=(.+)$")
  if not j or not PUB.judges[e] then ratio.exit(2, ("--published-as: '%s' is not JUDGE=ENTRY with an entry of data/published.json"):format(pair)) end
  as[j] = e
end
local function published_entry(j)
  if as[j.name] then return as[j.name] end
  local id = (j.model or j.name):lower():gsub("^.*/", "")
  for key, e in pairs(PUB.judges) do
    for _, pat in ipairs(e.match) do if id:find(pat) then return key end end
  end
  return nil
end

-- The MetaJudge: the published prompt is read out of the user's copy of metajudge_infer.py.
local prompt_path = p.metajudge_prompt
if prompt_path == "" and p.metajudge_preset == "published" then
  local dir = p.input:match("^(.*)/[^/]*$") or "."
  for _, c in ipairs{dir .. "/../metajudge_infer.py", dir .. "/metajudge_infer.py"} do
    if not prompt_path:find("%S") and io.open(c) then prompt_path = c end
  end
  if prompt_path == "" then
    ratio.exit(2, "--metajudge-prompt: the published setup needs the published prompt: pass your copy of RationaleRM's metajudge_infer.py, or --metajudge-preset ratio")
  end
end
local llm_matcher = require "matchers.llm"
local spec
if prompt_path ~= "" then
  local err
  spec, err = llm_matcher.load_template(prompt_path)
  if not spec then ratio.exit(2, "--metajudge-prompt: " .. err) end
end
local mj_client = ratio.llm.from_params(p, "metajudge")
local matcher = ratio.metajudge.matcher("llm", {client = mj_client, template = spec, preset = p.metajudge_preset})

-- Cost, before any call: prompt characters / 4 for input tokens, the assumed reply lengths for
-- output, at the prices of scripts/ratio/runtime/prices.lua. Calls already in the cache cost nothing, so
-- this bounds a resumed run from above.
local function tokens(s) return #s // 4 + 1 end
local est, by_model, total, unpriced = {}, {}, 0.0, {}
local function charge(model, calls, input, output)
  local e = by_model[model]
  if not e then
    e = {model = model, calls = 0, input_tokens = 0, output_tokens = 0, price = require("ratio.prices").lookup(model)}
    by_model[model], est[#est + 1] = e, e
  end
  e.calls, e.input_tokens, e.output_tokens = e.calls + calls, e.input_tokens + input, e.output_tokens + output
end
local mj_out = p.estimate_metajudge_tokens > 0 and p.estimate_metajudge_tokens or (matcher.preset == "published" and 1500 or 300)
for _, j in ipairs(judges) do
  for _, item in ipairs(items) do
    local reasons = {}
    if j.judge_now then
      charge(j.model, 1, tokens(ratio.judge.messages(item)[1].content), p.estimate_judge_tokens)
      for k = 1, math.max(p.top_k, 1) do reasons[k] = ("x"):rep(120) end -- a reason is about 30 tokens
    else
      local ck = dataset.key_of(item, j.name, "checklist")
      reasons = ck and item[ck] or {}
    end
    charge(p.metajudge_model, 1, tokens(matcher:prompt(item["human-checklist"], reasons)), mj_out)
  end
end
local est_rows = {}
for _, e in ipairs(est) do
  local model = e.model
  e.cost_usd = e.price and (e.input_tokens * e.price.input + e.output_tokens * e.price.output) / 1e6 or nil
  if e.cost_usd then total = total + e.cost_usd else unpriced[#unpriced + 1] = model end
  est_rows[#est_rows + 1] = {model, tostring(e.calls), tostring(e.input_tokens), tostring(e.output_tokens),
                             e.cost_usd and ("%.2f"):format(e.cost_usd) or "no price"}
end
io.stderr:write("Cost estimate (an upper bound: cached calls are free; the published preset may sample a reply up to 5 times):\n",
  report.table({"model", "calls", "input tokens", "output tokens", "USD"}, est_rows), "\n")
if p.max_cost > 0 and #unpriced > 0 then
  ratio.exit(3, ("no price for %s in scripts/ratio/runtime/prices.lua, so the run cannot be held under --max-cost %.2f: add the price, or pass --max-cost 0"):format(
    table.concat(unpriced, ", "), p.max_cost))
end
if p.max_cost > 0 and total > p.max_cost then
  ratio.exit(3, ("estimated cost $%.2f exceeds --max-cost %.2f; nothing was called. Rerun with --max-cost %.2f (or --limit N for a first pass)"):format(
    total, p.max_cost, math.ceil(total * 1.2 * 100) / 100))
end

-- 1. Judge: reasons and a verdict, written into the items as the released files hold them.
local dir = ratio.run_dir()
for _, j in ipairs(judges) do
  if j.judge_now then
    local client = ratio.llm{provider = j.provider, model = j.model, name = j.name, base_url = j.base_url,
                             concurrency = p.concurrency, rpm = p.rpm > 0 and p.rpm or nil}
    ratio.map(items, function(item) return ratio.judge.run(client, item, {top_k = p.top_k}) end,
      {concurrency = p.concurrency, progress = "judging " .. j.name, on_error = "record",
       each = function(r, item)
         local ok = not ratio.failed(r) and r.status == "ok"
         if ratio.failed(r) or r.status == "failed" then
           j.failed = (j.failed or 0) + 1
           j.error = j.error or tostring(r.error)
         end
         item[j.name .. "-checklist"] = ok and r.reasons or json.array()
         item[j.name .. "-label"] = ok and r.label or json.null
         item[j.name .. "-generated_text"] = not ratio.failed(r) and r.text or json.null
         j.unjudged = (j.unjudged or 0) + (ok and 0 or 1)
       end})
  end
end
local judged = assert(ratio.jsonl.writer(dir .. "/judged.jsonl"))
for _, item in ipairs(items) do
  local line = item._line
  item._line = nil
  assert(judged:write(item))
  item._line = line
end
assert(judged:close())

-- 2. MetaJudge, once per judge and item; 3. both modes' metrics from the same reply.
local rows, judges_page, domains_page, results = {}, {}, {}, {}
for _, j in ipairs(judges) do
  local mine = {}
  for _, item in ipairs(items) do
    if dataset.key_of(item, j.name, "checklist") then mine[#mine + 1] = item end
  end
  j.skipped = #items - #mine
  local out = assert(ratio.jsonl.writer(("%s/metajudge-%s.jsonl"):format(dir, j.name)))
  local ref, paper = {}, {}
  ratio.map(mine, function(item)
    return ratio.metajudge.evaluate(item, j.name, matcher, {mode = "reference", top_k = p.top_k})
  end, {concurrency = p.concurrency, progress = "MetaJudge " .. j.name, on_error = "record",
        each = function(r, item, i)
          if ratio.failed(r) then r = {status = "failed", error = r.error, model = j.name} end
          if r.status == "failed" then j.mj_error = j.mj_error or tostring(r.error) end
          ref[i] = r
          local pm = {}
          for k, v in pairs(r) do pm[k] = v end
          if r.status ~= "failed" then
            for k, v in pairs(ratio.metrics.checklist(r.reply, r.n_human, r.n_model, {mode = "paper", top_k = p.top_k})) do pm[k] = v end
          end
          paper[i] = pm
          local info = r.matcher_info or {}
          local ck = dataset.key_of(item, j.name, "checklist")
          assert(out:write({prompt = info.prompt, samples = r.reply and {{generated_text = r.reply}} or json.array(),
            status = r.status == "failed" and "error" or "success",
            metadata = {id = item.id, domain = item.domain, ["human-checklist"] = item["human-checklist"], [ck] = item[ck]},
            ratio = {status = r.status, error = r.error, samples = info.samples, reasoning = info.reasoning}}))
          results[#results + 1] = {judge = j.name, id = item.id, domain = item.domain, status = r.status,
            outcome = r.outcome, recall_reference = r.recall, recall_paper = pm.recall, ap_reference = r.ap,
            ap_paper = pm.ap, precision_reference = r.precision, reply = r.reply}
        end})
  assert(out:close())
  local sr = ratio.metajudge.summarize(ref, {model = j.name, mode = "reference", seed = p.seed})
  local sp = ratio.metajudge.summarize(paper, {model = j.name, mode = "paper", seed = p.seed})
  sr.per_item_recall, sp.per_item_recall = nil, nil
  j.reference, j.paper = sr, sp
  judges_page[#judges_page + 1] = sr
  -- 4. beside the published figure
  local entry = published_entry(j)
  local fig = entry and PUB.rationale_consistency.datasets[p.figures][entry]
  if fig then
    local ci = sr.ci.recall
    j.published = {entry = entry, label = PUB.judges[entry].label, figures = p.figures, rc = fig,
                   difference = sr.recall and sr.recall - fig or nil,
                   inside_ci = ci and fig >= ci.lo and fig <= ci.hi or false}
  end
  local function row(label, r, q, pub)
    return {j.name, label, report.with_ci(r.outcome_accuracy, r.ci.outcome_accuracy), report.with_ci(r.recall, r.ci.recall),
            report.with_ci(q.recall, q.ci.recall), report.num(r.precision), report.with_ci(r.ap, r.ci.ap),
            report.num(q.ap), pub and report.num(pub.rc) or "-",
            pub and pub.difference and ("%+.3f"):format(pub.difference) or "-",
            pub and (pub.inside_ci and "yes" or "no") or "-", tostring(r.valid)}
  end
  rows[#rows + 1] = row("all", sr, sp, j.published)
  local dr = ratio.study.by_domain(ref, mine, {judge = j.name, mode = "reference", seed = p.seed})
  local dp = ratio.study.by_domain(paper, mine, {judge = j.name, mode = "paper", seed = p.seed})
  j.domains = {}
  for k, d in ipairs(dr) do
    rows[#rows + 1] = row(d.domain, d, dp[k])
    domains_page[#domains_page + 1] = d
    j.domains[d.domain] = {reference = d, paper = dp[k]}
  end
end

local header = {"judge", "domain", "OA", "RC (reference)", "RC (paper)", "precision", "AP (reference)", "AP (paper)",
                "published RC", "difference", "in our CI", "valid"}
local notes = {
  ("%d items of %s (%s), %d judge%s; MetaJudge %s, %s preset, prompt %s; top-%d reasons."):format(#items, p.input,
    (function() local t = {} for d, n in pairs(per_domain) do t[#t + 1] = d .. " " .. n end table.sort(t) return table.concat(t, ", ") end)(),
    #judges, #judges == 1 and "" or "s", p.metajudge_model, matcher.preset, spec and spec.source or "built-in", p.top_k),
  "OA: outcome accuracy over non-tie human labels. RC (recall), precision and AP: reference = the published metajudge_analysis.py, paper = Eq. 1-3 with one-to-one matching (docs/metrics.md). 95% bootstrap CIs, 1,000 resamples.",
  ("published RC: %s, %s (%s); difference = our reference RC minus it."):format(PUB.source, p.figures, PUB.rationale_consistency.where),
}
for _, j in ipairs(judges) do
  if j.skipped > 0 then notes[#notes + 1] = ("%s: %d items have no %s-checklist and were left out."):format(j.name, j.skipped, j.name) end
  if (j.unjudged or 0) > 0 then notes[#notes + 1] = ("%s: %d items got no readable verdict or failed (empty checklist, scored as such)."):format(j.name, j.unjudged) end
end
print(report.table(header, rows))
for _, n in ipairs(notes) do print(n) end

local summary = {input = p.input, items = #items, per_domain = per_domain, skipped_lines = reader.skipped,
  metajudge = {model = p.metajudge_model, preset = matcher.preset, prompt = spec and spec.source or "built-in",
               prompt_sha256 = spec and spec.sha256 or nil, params = matcher.settings},
  figures = p.figures, source = PUB.source, estimate = {usd = total, unpriced = unpriced, models = est},
  judges = {}, usage = ratio.llm.usage(), run_dir = dir}
for _, e in ipairs(est) do e.price = nil end
for _, j in ipairs(judges) do
  summary.judges[j.name] = {model = j.model, provider = j.provider, judged_now = j.judge_now, skipped = j.skipped,
    reference = j.reference, paper = j.paper, domains = j.domains, published = j.published}
end
report.write_run(dir, {items = results, summary = summary, page = {
  title = "Reproducing arXiv 2602.04649: " .. #judges .. " judge" .. (#judges == 1 and "" or "s"),
  intro = "Each judge's outcome accuracy and Rationale Consistency on the released test items, beside the published figure for that model.",
  header = header, rows = rows, notes = notes, judges = judges_page, domains = domains_page,
  sections = {{title = "Cost estimate made before the first call", header = {"model", "calls", "input tokens", "output tokens", "USD"}, rows = est_rows}}}})
ratio.log("run folder: %s", dir)
-- Calls that failed for good fail the run (the outputs above are written; a rerun retries only them).
local failures = {}
for _, j in ipairs(judges) do
  if (j.failed or 0) > 0 then failures[#failures + 1] = ("%s: %d judge calls failed (%s)"):format(j.name, j.failed, j.error) end
  if j.reference.failed > 0 then failures[#failures + 1] = ("%s: %d MetaJudge calls failed (%s)"):format(j.name, j.reference.failed, j.mj_error) end
end
if #failures > 0 then
  ratio.exit(1, table.concat(failures, "; ") .. "; rerun the same command to retry them (the cache keeps the rest)")
end
return summary
