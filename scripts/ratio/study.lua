-- ratio.study: from per-item records to the standard run folder, so that a recipe is its question,
-- its parameters and its method.
--
--   local run = ratio.study.evaluate(items, {"careful", "skimmer"}, matcher, {mode = "paper", seed = 1})
--   -- run.results[judge][i]: ratio.metajudge.evaluate's record for item i; run.summaries[judge]:
--   -- its summary with CIs; run.domains: the same per domain; run.alignments: the viewer's entries
--   local diff = run:rc_difference("careful", "skimmer")  -- paired permutation on shared items
--   return run:write(ratio.run_dir(), {title = "...", notes = {...}, summary = {input = p.input}})
--
-- write() prints the table and the notes (stderr), and writes items.jsonl, summary.json (the
-- recipe's fields plus one summary per judge), summary.csv, domains.csv and report.html
-- (ratio.report renders them); the manifest is written when the run ends. ratio.study.write(dir,
-- spec) does the same for records of any other shape (a benchmark's, a reward's).
local metajudge = require "ratio.metajudge"
local report = require "ratio.report"
local dataset = require "ratio.dataset"
local sched = require "ratio.sched"
local stats = require "ratio.stats"
local jsonl = require "ratio.jsonl"
local json = require "ratio.core.json"
local state = require "ratio.state"

local M = {}

local function log(fmt, ...)
  if state.options.quiet then return end
  io.stderr:write(fmt:format(...), "\n")
end

-- by_domain(results, items, {judge=, mode=, seed=, domain_field="domain"}) -> one summary per
-- domain (ratio.metajudge.summarize over that domain's results, tagged judge and domain), in order
-- of first appearance. results[i] belongs to items[i]; a result's own .domain when items is nil.
function M.by_domain(results, items, opts)
  opts = opts or {}
  local field = opts.domain_field or "domain"
  local order, groups = {}, {}
  for i, r in ipairs(results) do
    local d = items and items[i] and items[i][field]
    if d == nil and type(r) == "table" then d = r[field] end
    if d == nil or d == json.null then d = "(none)" elseif type(d) ~= "string" then d = json.encode(d) or tostring(d) end
    if not groups[d] then groups[d] = {} order[#order + 1] = d end
    groups[d][#groups[d] + 1] = r
  end
  local out = {}
  for _, d in ipairs(order) do
    local s = metajudge.summarize(groups[d], {model = opts.judge, mode = opts.mode, seed = opts.seed})
    s.per_item_recall = nil
    s.judge, s.domain = opts.judge, d
    out[#out + 1] = s
  end
  return out
end

-- The published MetaJudge output line for one record (what metajudge_analysis.py reads), with
-- ratio's own fields under `ratio`.
local function metajudge_line(item, judge, r, prompt)
  local meta = {id = item.id, domain = item.domain, ["human-checklist"] = item["human-checklist"]}
  local ck = dataset.key_of(item, judge, "checklist")
  meta[ck] = item[ck]
  return {
    prompt = prompt,
    samples = r.reply and {{generated_text = r.reply}} or json.array(),
    status = r.status == "failed" and "failed" or "success",
    metadata = meta,
    ratio = {status = r.status, reason = r.reason, error = r.error, precision = r.precision,
             recall = r.recall, f1 = r.f1, ap = r.ap, match = r.match,
             reasks = r.matcher_info and r.matcher_info.reasks or nil},
  }
end

local function failed_record(judge, item, err)
  local lk = dataset.key_of(item, judge, "label")
  local label = lk and item[lk] or nil
  return {model = judge, status = "failed", reason = "matcher_error", error = err,
          label = type(label) == "string" and label or nil,
          outcome = dataset.outcome(label, item.overall_preference), n_human = #item["human-checklist"]}
end

-- corpus(items) -> a BM25 corpus of every human rationale of the items (the lexical matcher's
-- similarity = "bm25" reads its document frequencies).
function M.corpus(items)
  local docs = {}
  for _, item in ipairs(items) do
    for _, h in ipairs(item["human-checklist"]) do docs[#docs + 1] = h end
  end
  return require("ratio.core.match").corpus(docs)
end

local Run = {}
Run.__index = Run

-- evaluate(items, judges, matcher, opts) -> run
-- Matches every judge's reasons on every item (ratio.metajudge.evaluate), one judge after the
-- other, opts.concurrency (32) items at once, with a progress line "<progress> <judge>". A matcher
-- error is a failed record with its message, never dropped. opts: mode ("paper"), top_k (5),
-- seed (1: the bootstrap CIs), progress ("matching"), files = {dir =, prompt =} to also write the
-- published MetaJudge file metajudge-<judge>.jsonl of each judge as its records arrive.
function M.evaluate(items, judges, matcher, opts)
  opts = opts or {}
  local run = setmetatable({items = items, judges = judges, mode = opts.mode or "paper", top_k = opts.top_k or 5,
                            seed = opts.seed, results = {}, summaries = {}, heads = {}, domains = {},
                            domain_names = {}, alignments = {}}, Run)
  local seen = {}
  for _, judge in ipairs(judges) do
    local list = {}
    local out = opts.files and assert(jsonl.writer(("%s/metajudge-%s.jsonl"):format(opts.files.dir, judge)))
    sched.map(items, function(item)
      return metajudge.evaluate(item, judge, matcher, {mode = run.mode, top_k = run.top_k})
    end, {concurrency = opts.concurrency or 32, progress = (opts.progress or "matching") .. " " .. judge,
          on_error = "record", each = function(r, item, i)
            if sched.failed(r) then r = failed_record(judge, item, r.error) end
            list[i] = r
            if out then assert(out:write(metajudge_line(item, judge, r, opts.files.prompt))) end
          end})
    if out then assert(out:close()) end
    run.results[judge] = list
    local s = metajudge.summarize(list, {model = judge, mode = run.mode, seed = run.seed})
    s.per_item_recall = nil
    run.summaries[judge], run.heads[#run.heads + 1] = s, s
    for _, d in ipairs(M.by_domain(list, items, {judge = judge, mode = run.mode, seed = run.seed})) do
      run.domains[#run.domains + 1] = d
      if not seen[d.domain] then seen[d.domain], run.domain_names[#run.domain_names + 1] = true, d.domain end
    end
    for i, r in ipairs(list) do
      run.alignments[#run.alignments + 1] = report.alignment(items[i], judge, r, {top_k = run.top_k, index = i})
    end
  end
  return run
end

-- run:domain(judge, name) -> the judge's summary on one domain
function Run:domain(judge, name)
  for _, d in ipairs(self.domains) do
    if d.judge == judge and d.domain == name then return d end
  end
end

-- run:rc_difference(a, b [, {resamples = 10000, seed}]) -> the paired permutation test of judge a's
-- RC against b's on the items valid for both ({diff, p_value, ...}), and that item count.
function Run:rc_difference(a, b, opts)
  opts = opts or {}
  local xa, xb = {}, {}
  local ra, rb = self.results[a], self.results[b]
  for i = 1, #self.items do
    if ra[i].status == "valid" and rb[i].status == "valid" then xa[#xa + 1], xb[#xb + 1] = ra[i].recall, rb[i].recall end
  end
  return stats.permutation(xa, xb, {resamples = opts.resamples or 10000, seed = opts.seed or self.seed}), #xa
end

-- The columns a results table can show, by name.
local COLUMNS = {
  oa = {"OA", function(s) return report.with_ci(s.outcome_accuracy, s.ci.outcome_accuracy) end},
  rc = {"RC (recall)", function(s) return report.with_ci(s.recall, s.ci.recall) end},
  precision = {"precision", function(s) return report.with_ci(s.precision, s.ci.precision) end},
  f1 = {"F1", function(s) return report.with_ci(s.f1, s.ci.f1) end},
  ap = {"AP", function(s) return report.with_ci(s.ap, s.ci.ap) end},
  valid = {"valid", function(s) return tostring(s.valid) end},
  unscored = {"unscored", function(s) return tostring(s.unscored) end},
  failed = {"failed", function(s) return tostring(s.failed) end},
  skipped = {"skipped", function(s) return tostring(s.skipped + s.error) end},
}
M.DEFAULT_COLUMNS = {"oa", "rc", "precision", "f1", "ap", "valid", "unscored", "failed", "skipped"}

-- run:table([columns]) -> header, rows: one row per judge ("judge" then the named columns).
function Run:table(columns)
  columns = columns or M.DEFAULT_COLUMNS
  local header, rows = {"judge"}, {}
  for _, c in ipairs(columns) do header[#header + 1] = assert(COLUMNS[c], c)[1] end
  for _, s in ipairs(self.heads) do
    local row = {s.model}
    for _, c in ipairs(columns) do row[#row + 1] = COLUMNS[c][2](s) end
    rows[#rows + 1] = row
  end
  return header, rows
end

-- run:domain_table([columns]) -> header, rows: per judge its overall row ("all") then one per domain.
function Run:domain_table(columns)
  columns = columns or M.DEFAULT_COLUMNS
  local header, rows = {"judge", "domain"}, {}
  for _, c in ipairs(columns) do header[#header + 1] = assert(COLUMNS[c], c)[1] end
  local function row(judge, domain, s)
    local r = {judge, domain}
    for _, c in ipairs(columns) do r[#r + 1] = COLUMNS[c][2](s) end
    rows[#rows + 1] = r
  end
  for _, judge in ipairs(self.judges) do
    row(judge, "all", self.summaries[judge])
    for _, d in ipairs(self.domain_names) do row(judge, d, self:domain(judge, d)) end
  end
  return header, rows
end

-- run:per_item([fields]) -> one row per item: {id, domain, [judge] = the named fields of its record}
-- (default status, outcome, label, recall, precision, ap, reply).
function Run:per_item(fields)
  fields = fields or {"status", "outcome", "label", "recall", "precision", "ap", "reply"}
  local out = {}
  for i, item in ipairs(self.items) do
    local row = {id = item.id, domain = item.domain}
    for _, judge in ipairs(self.judges) do
      local r, e = self.results[judge][i], {}
      for _, f in ipairs(fields) do e[f] = r[f] end
      row[judge] = e
    end
    out[i] = row
  end
  return out
end

-- write(dir, spec) -> spec.summary. Prints spec.table (or header/rows) and spec.notes, then writes
-- the run folder through ratio.report.write_run: items (items.jsonl), summary (summary.json),
-- csv, and the page built from title, intro, header, rows, notes, sections, judges, domains,
-- domain_metrics, alignments. spec.print = false prints nothing, spec.print_notes = false only the
-- table; spec.print_lines are printed after the notes.
function M.write(dir, spec)
  local header, rows = spec.header, spec.rows
  if spec.print ~= false then
    local th, tr = header, rows
    if spec.table then th, tr = spec.table.header, spec.table.rows end
    if th then print(report.table(th, tr or {})) end
    if spec.print_notes ~= false then for _, n in ipairs(spec.notes or {}) do print(n) end end
    for _, l in ipairs(spec.print_lines or {}) do print(l) end
  end
  local page = spec.page or {title = spec.title, intro = spec.intro, header = header, rows = rows, notes = spec.notes,
    sections = spec.sections, judges = spec.judges, domains = spec.domains, domain_metrics = spec.domain_metrics,
    alignments = spec.alignments}
  report.write_run(dir, {items = spec.items, summary = spec.summary, csv = spec.csv, page = page})
  log("run folder: %s", dir)
  return spec.summary
end

-- run:write(dir, spec) -> summary. As ratio.study.write, with the run's own parts filled in:
-- spec.summary[spec.judges_key or "judges"] = {judge = summary}, the page's judges, domains and
-- alignments, items = run:per_item() unless spec.items is given (false: no items.jsonl), and the
-- table run:table(spec.columns) unless spec.header/rows are given.
function Run:write(dir, spec)
  spec = spec or {}
  local summary = spec.summary or {}
  local by = {}
  for _, s in ipairs(self.heads) do by[s.model] = s end
  summary[spec.judges_key or "judges"] = by
  local out = {}
  for k, v in pairs(spec) do out[k] = v end
  out.summary = summary
  if out.items == nil then out.items = self:per_item() elseif out.items == false then out.items = nil end
  if not out.header then out.header, out.rows = self:table(spec.columns) end
  out.judges = out.judges or self.heads
  out.domains = out.domains or self.domains
  out.alignments = out.alignments or self.alignments
  return M.write(dir, out)
end

return M
