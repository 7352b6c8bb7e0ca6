-- ratio.reproduction: the bookkeeping of recipes/reproduce.lua, which runs the protocol of arXiv
-- 2602.04649 on the released test file and sets each judge's numbers beside the published figure
-- for that model: the judges named on the command line, the published entry of each, the
-- MetaJudge prompt beside the input, the cost estimate before any call, the judges' answers
-- written into the items, and the study itself: each judge's MetaJudge records in both modes, its
-- summaries per domain beside the published RC, and the run folder.
--
--   local study = ratio.reproduction.new{items = items, dir = dir, pub = ratio.study.published(),
--                                        figures = "helpsteer3-atomic", top_k = 5, seed = 1}
--   for _, j in ipairs(judges) do
--     local mine = study:items_of(j)    -- the items with its checklist; opens its MetaJudge file
--     ratio.map(mine, evaluate, {each = function(r, item, i) study:record(j, r, item, i) end})
--     study:summarize(j)               -- its summaries, per domain, beside the published figure
--   end
--   local summary = study:write{...}
local dataset = require "ratio.dataset"
local judge = require "ratio.judge"
local metajudge = require "ratio.metajudge"
local metrics = require "ratio.metrics"
local prices = require "ratio.prices"
local report = require "ratio.report"
local sched = require "ratio.sched"
local jsonl = require "ratio.jsonl"
local json = require "ratio.core.json"
local study = require "ratio.study"

local M = {}

-- judge_spec(spec) -> {name, provider, model, base_url} | nil, why. NAME (a judge whose
-- NAME-checklist and NAME-label are in the file) or [NAME=]PROVIDER:MODEL[@BASE_URL] (a judge to
-- ask: PROVIDER openai or anthropic; NAME defaults to MODEL with its odd characters made _).
function M.judge_spec(spec)
  local name, rest = spec:match("^([%w%._%-]+)=(.+)$")
  rest = rest or spec
  local provider, model, url = rest:match("^(%a+):([^@]+)@?(.*)$")
  if provider and provider ~= "openai" and provider ~= "anthropic" then
    return nil, ("'%s': the provider must be openai or anthropic"):format(spec)
  end
  return {name = name or (model or rest):gsub("[^%w%._%-]", "_"), model = model, provider = provider,
          base_url = url ~= "" and url or nil}
end

-- have(items, name) -> how many items carry the judge's <name>-checklist (any case)
function M.have(items, name)
  local n = 0
  for _, item in ipairs(items) do if dataset.key_of(item, name, "checklist") then n = n + 1 end end
  return n
end

-- published_as(pub, pairs) -> {judge = entry} | nil, why: JUDGE=ENTRY pairs naming a judge's
-- entry in data/published.json.
function M.published_as(pub, pairs_list)
  local as = {}
  for _, pair in ipairs(pairs_list) do
    local j, e = pair:match("^(.-)=(.+)$")
    if not j or not pub.judges[e] then
      return nil, ("'%s' is not JUDGE=ENTRY with an entry of data/published.json"):format(pair)
    end
    as[j] = e
  end
  return as
end

-- entry_for(pub, id) -> the published entry whose patterns match the model id (lower-cased, any
-- provider/ prefix removed), or nil.
function M.entry_for(pub, id)
  id = id:lower():gsub("^.*/", "")
  for key, e in pairs(pub.judges) do
    for _, pat in ipairs(e.match) do if id:find(pat) then return key end end
  end
  return nil
end

-- infer_script(input) -> the published metajudge_infer.py beside the input's folder (../ or ./),
-- or nil: where a checkout of the published repository keeps it next to data/.
function M.infer_script(input)
  local dir = input:match("^(.*)/[^/]*$") or "."
  for _, c in ipairs{dir .. "/../metajudge_infer.py", dir .. "/metajudge_infer.py"} do
    local f = io.open(c)
    if f then f:close() return c end
  end
  return nil
end

-- estimate(judges, items, matcher, {top_k, judge_tokens, metajudge_tokens (0: by preset),
-- metajudge_model}) -> ratio.prices' totals: the calls the run will make, before any is made. Input
-- tokens are the prompts' characters / 4; output tokens the assumed reply lengths (1500 for the
-- published preset, 300 for ratio's, unless told); a judge asked now gives top_k reasons of
-- about 30 tokens. Calls already in the cache cost nothing, so this bounds a resumed run from above.
function M.estimate(judges, items, matcher, o)
  local est = prices.estimate()
  local mj_out = o.metajudge_tokens > 0 and o.metajudge_tokens
    or (matcher.preset == "published" and 1500 or 300)
  for _, j in ipairs(judges) do
    for _, item in ipairs(items) do
      local reasons = {}
      if j.judge_now then
        est:add(j.model, 1, prices.tokens(judge.messages(item)[1].content), o.judge_tokens)
        for k = 1, math.max(o.top_k, 1) do reasons[k] = ("x"):rep(120) end -- a reason is about 30 tokens
      else
        local ck = dataset.key_of(item, j.name, "checklist")
        reasons = ck and item[ck] or {}
      end
      est:add(o.metajudge_model, 1, prices.tokens(matcher:prompt(item["human-checklist"], reasons)), mj_out)
    end
  end
  return est:totals()
end
M.ESTIMATE_HEADER = {"model", "calls", "input tokens", "output tokens", "USD"}

-- store(j, item, r): a judge's answer (ratio.judge.run's record, or a failed task) written into
-- the item as the released files hold it: <name>-checklist, -label and -generated_text (an empty
-- checklist and a null label when it gave no readable verdict); failures and unjudged items counted.
function M.store(j, item, r)
  local ok = not sched.failed(r) and r.status == "ok"
  if sched.failed(r) or r.status == "failed" then
    j.failed = (j.failed or 0) + 1
    j.error = j.error or tostring(r.error)
  end
  item[j.name .. "-checklist"] = ok and r.reasons or json.array()
  item[j.name .. "-label"] = ok and r.label or json.null
  item[j.name .. "-generated_text"] = not sched.failed(r) and r.text or json.null
  j.unjudged = (j.unjudged or 0) + (ok and 0 or 1)
end

local Study = {}
Study.__index = Study

-- new{items, dir, pub, figures, top_k, seed} -> study
function M.new(o)
  return setmetatable({items = o.items, dir = o.dir, pub = o.pub, figures = o.figures, top_k = o.top_k,
                       seed = o.seed, judges = {}, rows = {}, judges_page = {}, domains_page = {},
                       results = {}}, Study)
end

-- study:items_of(j) -> the items that carry the judge's checklist (the others are counted as
-- skipped), and opens metajudge-<judge>.jsonl in the run folder.
function Study:items_of(j)
  local mine = {}
  for _, item in ipairs(self.items) do
    if dataset.key_of(item, j.name, "checklist") then mine[#mine + 1] = item end
  end
  j.skipped = #self.items - #mine
  self.judges[#self.judges + 1] = j
  j.ref, j.paper_records, j.mine = {}, {}, mine
  j.out = assert(jsonl.writer(("%s/metajudge-%s.jsonl"):format(self.dir, j.name)))
  return mine
end

-- study:record(j, r, item, i): one MetaJudge record (reference mode; a failed task becomes a failed
-- record) and the paper mode's metrics from the same reply; its line in the published output
-- format, and its row of items.jsonl.
function Study:record(j, r, item, i)
  if sched.failed(r) then r = {status = "failed", error = r.error, model = j.name} end
  if r.status == "failed" then j.mj_error = j.mj_error or tostring(r.error) end
  j.ref[i] = r
  local pm = {}
  for k, v in pairs(r) do pm[k] = v end
  if r.status ~= "failed" then
    local m = metrics.checklist(r.reply, r.n_human, r.n_model, {mode = "paper", top_k = self.top_k})
    for k, v in pairs(m) do pm[k] = v end
  end
  j.paper_records[i] = pm
  local info = r.matcher_info or {}
  assert(j.out:write(study.metajudge_line(item, j.name, r,
    {status = r.status, error = r.error, samples = info.samples, reasoning = info.reasoning})))
  self.results[#self.results + 1] = {judge = j.name, id = item.id, domain = item.domain, status = r.status,
    outcome = r.outcome, recall_reference = r.recall, recall_paper = pm.recall, ap_reference = r.ap,
    ap_paper = pm.ap, precision_reference = r.precision, reply = r.reply}
end

-- study:summarize(j): the judge's summaries in both modes, overall and per domain, with 95%
-- bootstrap CIs; beside the published RC of its entry (j.entry), our difference from it and whether
-- it lies inside our CI; its rows of the table.
function Study:summarize(j)
  assert(j.out:close())
  local sr = metajudge.summarize(j.ref, {model = j.name, mode = "reference", seed = self.seed})
  local sp = metajudge.summarize(j.paper_records, {model = j.name, mode = "paper", seed = self.seed})
  sr.per_item_recall, sp.per_item_recall = nil, nil
  j.reference, j.paper = sr, sp
  self.judges_page[#self.judges_page + 1] = sr
  local entry, pub = j.entry, self.pub
  local fig = entry and pub.rationale_consistency.datasets[self.figures][entry]
  if fig then
    local ci = sr.ci.recall
    j.published = {entry = entry, label = pub.judges[entry].label, figures = self.figures, rc = fig,
                   difference = sr.recall and sr.recall - fig or nil,
                   inside_ci = ci and fig >= ci.lo and fig <= ci.hi or false}
  end
  local function row(label, r, q, published)
    return {j.name, label, report.with_ci(r.outcome_accuracy, r.ci.outcome_accuracy),
            report.with_ci(r.recall, r.ci.recall), report.with_ci(q.recall, q.ci.recall),
            report.num(r.precision), report.with_ci(r.ap, r.ci.ap), report.num(q.ap),
            published and report.num(published.rc) or "-",
            published and published.difference and ("%+.3f"):format(published.difference) or "-",
            published and (published.inside_ci and "yes" or "no") or "-", tostring(r.valid)}
  end
  self.rows[#self.rows + 1] = row("all", sr, sp, j.published)
  local dr = study.by_domain(j.ref, j.mine, {judge = j.name, mode = "reference", seed = self.seed})
  local dp = study.by_domain(j.paper_records, j.mine, {judge = j.name, mode = "paper", seed = self.seed})
  j.domains = {}
  for k, d in ipairs(dr) do
    self.rows[#self.rows + 1] = row(d.domain, d, dp[k])
    self.domains_page[#self.domains_page + 1] = d
    j.domains[d.domain] = {reference = d, paper = dp[k]}
  end
end

M.HEADER = {"judge", "domain", "OA", "RC (reference)", "RC (paper)", "precision", "AP (reference)",
            "AP (paper)", "published RC", "difference", "in our CI", "valid"}

-- study:write{input, per_domain, skipped_lines, metajudge = {model, preset, prompt, prompt_sha256,
-- params}, estimate (ratio.prices' totals)} -> summary. Prints the table and the notes, writes
-- items.jsonl (one row per judge and item), summary.json, summary.csv, domains.csv and report.html.
function Study:write(o)
  local pub, judges = self.pub, self.judges
  local mj = o.metajudge
  local domains = {}
  for d, n in pairs(o.per_domain) do domains[#domains + 1] = d .. " " .. n end
  table.sort(domains)
  local notes = {
    ("%d items of %s (%s), %d judge%s; MetaJudge %s, %s preset, prompt %s; top-%d reasons."):format(
      #self.items, o.input, table.concat(domains, ", "), #judges, #judges == 1 and "" or "s", mj.model,
      mj.preset, mj.prompt, self.top_k),
    "OA: outcome accuracy over non-tie human labels. RC (recall), precision and AP: reference = the "
      .. "published metajudge_analysis.py, paper = Eq. 1-3 with one-to-one matching (docs/metrics.md). 95% "
      .. "bootstrap CIs, 1,000 resamples.",
    ("published RC: %s, %s (%s); difference = our reference RC minus it."):format(pub.source, self.figures,
      pub.rationale_consistency.where),
  }
  for _, j in ipairs(judges) do
    if j.skipped > 0 then
      notes[#notes + 1] = ("%s: %d items have no %s-checklist and were left out."):format(j.name, j.skipped,
        j.name)
    end
    if (j.unjudged or 0) > 0 then
      notes[#notes + 1] = ("%s: %d items got no readable verdict or failed (empty checklist, scored as "
        .. "such)."):format(j.name, j.unjudged)
    end
  end
  local e = o.estimate
  local summary = {input = o.input, items = #self.items, per_domain = o.per_domain,
    skipped_lines = o.skipped_lines, metajudge = mj, figures = self.figures, source = pub.source,
    estimate = {usd = e.usd, unpriced = e.unpriced, models = e.models},
    judges = {}, usage = require("ratio.llm").usage(), run_dir = self.dir}
  for _, j in ipairs(judges) do
    summary.judges[j.name] = {model = j.model, provider = j.provider, judged_now = j.judge_now,
      skipped = j.skipped, reference = j.reference, paper = j.paper, domains = j.domains,
      published = j.published}
  end
  return study.write(self.dir, {items = self.results, summary = summary, header = M.HEADER, rows = self.rows,
    notes = notes, judges = self.judges_page, domains = self.domains_page,
    title = "Reproducing arXiv 2602.04649: " .. #judges .. " judge" .. (#judges == 1 and "" or "s"),
    intro = "Each judge's outcome accuracy and Rationale Consistency on the released test items, beside the "
      .. "published figure for that model.",
    sections = {{title = "Cost estimate made before the first call", header = M.ESTIMATE_HEADER,
                 rows = e.rows}}})
end

-- study:failures() -> one line per judge whose judge or MetaJudge calls failed for good
function Study:failures()
  local out = {}
  for _, j in ipairs(self.judges) do
    if (j.failed or 0) > 0 then
      out[#out + 1] = ("%s: %d judge calls failed (%s)"):format(j.name, j.failed, j.error)
    end
    if j.reference.failed > 0 then
      out[#out + 1] = ("%s: %d MetaJudge calls failed (%s)"):format(j.name, j.reference.failed, j.mj_error)
    end
  end
  return out
end

return M
