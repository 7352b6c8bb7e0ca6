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
local sys = require "ratio.core.sys"

local M = {}

local function log(fmt, ...)
  if state.options.quiet then return end
  io.stderr:write(fmt:format(...), "\n")
end

-- earliest(a, b) -> of two "file:line: problem" messages (either may be nil), the one on the
-- earlier line: the reader's first problem and a recipe's first may be in either order.
local function earliest(a, b)
  if not (a and b) then return a or b end
  return tonumber(a:match(":(%d+): ")) <= tonumber(b:match(":(%d+): ")) and a or b
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

-- study.metajudge_line(item, judge, r, own[, prompt]) -> the published MetaJudge output line of
-- one record, as metajudge_infer.py writes it and metajudge_analysis.py reads it: the prompt, its
-- reply as samples[1].generated_text, status "success", or "error" with error_message and no
-- samples when the call failed (the published script's words), and the item's metadata (id,
-- domain, the human checklist, the judge's). ratio's own fields (own) go under `ratio`; prompt
-- stands in for a matcher that has none of its own (lexical, embedding: the file's prompt).
function M.metajudge_line(item, judge, r, own, prompt)
  local meta = {id = item.id, domain = item.domain, ["human-checklist"] = item["human-checklist"]}
  local ck = dataset.key_of(item, judge, "checklist")
  meta[ck] = item[ck]
  local failed = r.status == "failed"
  return {
    prompt = (r.matcher_info or {}).prompt or prompt,
    samples = r.reply and {{generated_text = r.reply}} or json.array(),
    status = failed and "error" or "success",
    error_message = failed and tostring(r.error) or nil,
    metadata = meta,
    ratio = own,
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

-- published() -> data/published.json, decoded: the paper's figures a study sets its own beside
-- (RC per judge and dataset, the decomposition's counts, each with where it is published); nil
-- when the file cannot be read.
function M.published()
  local text = sys.read_file(state.root .. "/data/published.json")
  return text and json.decode(text)
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
            if out then
              local info = r.matcher_info or {}
              local line = M.metajudge_line(item, judge, r, {status = r.status, reason = r.reason,
                error = r.error, precision = r.precision, recall = r.recall, f1 = r.f1, ap = r.ap,
                match = r.match, reasks = info.reasks, samples = info.samples, reasoning = info.reasoning},
                opts.files.prompt)
              assert(out:write(line))
            end
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
-- table; spec.print_tables ({header, rows} each) are printed after the table, spec.print_lines
-- after the notes.
function M.write(dir, spec)
  local header, rows = spec.header, spec.rows
  if spec.print ~= false then
    local th, tr = header, rows
    if spec.table then th, tr = spec.table.header, spec.table.rows end
    if th then print(report.table(th, tr or {})) end
    for _, tb in ipairs(spec.print_tables or {}) do print(report.table(tb.header, tb.rows)) end
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

-- ---- rollouts and their rewards (recipes/hybrid_reward.lua) -------------------------------------

-- rollouts_of(item, field) -> list of texts, or nil and "field: what is wrong"
local function rollouts_of(item, field)
  local name = field
  local v = item[name]
  if v ~= nil and item[field .. "s"] ~= nil then -- which one to score is not for us to guess
    return nil, ("%s: the line has both %s and %s; keep one"):format(field, field, field .. "s")
  end
  if v == nil then name = field .. "s" v = item[name] end
  if v == nil then return nil, ("%s: missing (the rollout text, or a list of them in %s)"):format(field, name) end
  if type(v) == "string" then return {v} end
  if type(v) ~= "table" or not json.is_array(v) or #v == 0 then
    return nil, name .. ": expected a string or a non-empty list of strings"
  end
  for i, x in ipairs(v) do
    if type(x) ~= "string" then return nil, ("%s[%d]: expected a string"):format(name, i - 1) end
  end
  return v
end

-- rollouts(items, field, {input, on_bad_item = "stop"|"skip", reader, max_per_line}) -> units, lines, skipped
-- One unit per rollout, {item, k (its place in the line's list, nil for a single one), text}, from
-- item[field] (a string) or item[field .. "s"] (a list). A line without rollouts or a numeric
-- overall_preference stops the run naming file, line and field, or is skipped and counted (the
-- first five warned; `skipped` includes the reader's). No line left is a data error.
function M.rollouts(items, field, opts)
  local units, lines = {}, 0
  local skipped, first = opts.reader and opts.reader.skipped or 0, nil
  for _, item in ipairs(items) do
    local texts, problem = rollouts_of(item, field)
    if texts and opts.max_per_line and #texts > opts.max_per_line then
      -- bounded work per line: a group this large is a malformed file, not an RL group
      texts, problem = nil, ("%s: %d rollouts, more than the %d a line may hold (--max-rollouts)"):format(
        field, #texts, opts.max_per_line)
    end
    if texts and type(item.overall_preference) ~= "number" then
      texts, problem = nil, "overall_preference: expected a number from -3 to 3, got null"
    end
    if texts then
      lines = lines + 1
      for k, text in ipairs(texts) do units[#units + 1] = {item = item, k = #texts > 1 and k or nil, text = text} end
    else
      local msg = ("%s:%d: %s"):format(opts.input, item._line, problem)
      if opts.on_bad_item == "stop" then require("ratio.errors").data(msg) end
      skipped, first = skipped + 1, first or msg
      if skipped <= 5 then io.stderr:write("ratio: warning: ", msg, " (line skipped)\n") end
    end
  end
  dataset.require_usable(opts.input, lines, skipped, earliest(opts.reader and opts.reader.errors[1], first))
  return units, lines, skipped
end

local PARTS = {"ap", "rc", "precision", "f1", "outcome"}

-- rewards(units, results, {top_k}) -> {counts = {ok, unscored, failed}, reasons, ties, no_reasons,
-- reward, reward_ok (stats.distribution of all / ok rewards), mean_parts, items, alignments}:
-- ratio.reward's records of the rollouts, as the run folder holds them.
function M.rewards(units, results, opts)
  local f = {counts = {ok = 0, unscored = 0, failed = 0}, reasons = {}, ties = 0, no_reasons = 0,
             items = {}, alignments = {}, mean_parts = {}}
  local all, earned, sums = {}, {}, {}
  for _, k in ipairs(PARTS) do sums[k] = 0.0 end
  for i, r in ipairs(results) do
    local u, item = units[i], units[i].item
    f.counts[r.status] = f.counts[r.status] + 1
    if r.reason then f.reasons[r.reason] = (f.reasons[r.reason] or 0) + 1 end
    all[#all + 1] = r.reward
    if r.status == "ok" then
      earned[#earned + 1] = r.reward
      for _, k in ipairs(PARTS) do sums[k] = sums[k] + r.parts[k] end
      if r.parts.n_reasons == 0 then f.no_reasons = f.no_reasons + 1 end
    end
    if item.overall_preference == 0 then f.ties = f.ties + 1 end
    f.items[i] = {id = item.id, line = item._line, rollout_index = u.k, reward = r.reward, status = r.status,
                  reason = r.reason, error = r.error, code = r.code, fallback = r.fallback or false,
                  parts = r.parts, reasons = r.reasons, reply = r.reply, match = r.match,
                  issues = json.object(r.issues or {}), rollout = u.text}
    local where = ("%s (line %d)"):format(type(item.id) == "string" and item.id or "item", item._line)
    local view = {id = where, domain = item.domain, context = item.context or item.prompt,
                  response1 = item.response1, response2 = item.response2,
                  ["human-checklist"] = item["human-checklist"], overall_preference = item.overall_preference,
                  ["rollout-checklist"] = r.reasons or {}, ["rollout-generated_text"] = u.text}
    local o = r.parts.outcome
    local a = report.alignment(view, "rollout", {status = r.status, reply = r.reply, pairs = r.pairs,
      recall = r.parts.rc, precision = r.parts.precision, f1 = r.parts.f1, ap = r.parts.ap,
      label = r.parts.verdict, outcome = o ~= nil and o == 1.0 or nil, error = r.error}, {top_k = opts.top_k, index = i})
    a.judge = u.k and ("rollout " .. u.k) or "rollout"
    a.reason = ("reward %s%s"):format(report.num(r.reward), r.reason and (", " .. r.reason) or "")
    f.alignments[#f.alignments + 1] = a
  end
  for _, k in ipairs(PARTS) do f.mean_parts[k] = f.counts.ok > 0 and sums[k] / f.counts.ok or nil end
  f.reward, f.reward_ok = stats.distribution(all), stats.distribution(earned)
  return f
end

-- reward_page(found, n) -> {header, rows (the reward distributions), parts_table, sections}
function M.reward_page(found, n)
  local num = report.num
  local function dist_row(name, d)
    return {name, tostring(d.n), num(d.mean), num(d.std), num(d.min), num(d.median), num(d.max)}
  end
  local page = {header = {"rewards", "n", "mean", "std", "min", "median", "max"},
                rows = {dist_row("all rollouts", found.reward), dist_row("ok rollouts", found.reward_ok)}}
  local names = {ap = "AP", rc = "RC (recall)", precision = "precision", f1 = "F1", outcome = "outcome (1 = correct verdict)"}
  local part_rows = {}
  for _, k in ipairs(PARTS) do part_rows[#part_rows + 1] = {names[k], num(found.mean_parts[k])} end
  page.parts_table = {header = {"mean part (ok rollouts)", "value"}, rows = part_rows}
  local reason_rows = {}
  for _, k in ipairs{"no_verdict", "empty_checklist", "unscored_reply", "matcher_failed"} do
    if found.reasons[k] then reason_rows[#reason_rows + 1] = {k, tostring(found.reasons[k])} end
  end
  local cells = {}
  for _, b in ipairs(found.reward.histogram or {}) do
    cells[#cells + 1] = {group = ("%.2f"):format(b.lo), series = "share of rollouts", value = b.n / n}
  end
  page.sections = {
    {title = "Mean parts of the ok rollouts", header = {"part", "value"}, rows = part_rows},
    {title = "Reward distribution", text = "Share of all rollouts per reward bin (each bin labelled by its lower edge).",
     svg = #cells > 0 and report.bars_svg{cells = cells, label = "share of rollouts"} or nil},
  }
  if #reason_rows > 0 then
    page.sections[#page.sections + 1] = {title = "Why rollouts were not scored", header = {"reason", "rollouts"}, rows = reason_rows}
  end
  return page
end

-- ---- benchmark pages (recipes/rmbench.lua, recipes/judgebench.lua) -----------------------------

-- rmbench_page(s, {input, judge_model, order}) -> {header, rows, notes, sections}: ratio.rmbench's
-- score as the terminal table (per domain and overall), its notes, the 3x3 style grid as a heat
-- map and hard/normal/easy bars per domain.
function M.rmbench_page(s, o)
  local num = report.num
  local header = {"domain", "items", "hard", "normal", "easy", "average"}
  local table_rows = {}
  for _, g in ipairs(s.domain_order) do
    local d = s.domains[g]
    table_rows[#table_rows + 1] = {g, tostring(d.items), num(d.hard), num(d.normal), num(d.easy), num(d.average)}
  end
  table_rows[#table_rows + 1] = {"overall", tostring(s.items), num(s.hard), num(s.normal), num(s.easy), num(s.average)}
  local jc = s.judgements
  local notes = {
    ("%d items from %s, judged by %s; order %s."):format(s.items, o.input, o.judge_model, o.order),
    "hard: the correct response is the plainer one (chosen style before rejected style: concise < " ..
      "detailed < detailed markdown); normal: same style; easy: the correct response is the fancier one. " ..
      "Overall is the unweighted mean over domains, as RM-Bench publishes it.",
    ("%d judgements: %d right, %d wrong, %d ties, %d unscored, %d failed (all but right count as wrong)."):format(
      jc.total, jc.right, jc.wrong, jc.tie, jc.unscored, jc.failed),
  }

  -- The 3x3 grid (rows: chosen style, columns: rejected style) as a heat map.
  local function grid_svg(m)
    local names = {"concise", "detailed", "markdown"}
    local C, L, T = 70, 110, 48 -- cell size, left and top margins
    local out = {('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="accuracy per chosen and rejected style">')
      :format(L + 3 * C + 10, T + 3 * C + 10)}
    out[#out + 1] = ('<text x="%d" y="14" font-size="12" text-anchor="middle">rejected style</text>'):format(L + 3 * C // 2)
    out[#out + 1] = ('<text x="14" y="%d" font-size="12" text-anchor="middle" transform="rotate(-90 14 %d)">chosen style</text>')
      :format(T + 3 * C // 2, T + 3 * C // 2)
    for k = 1, 3 do
      out[#out + 1] = ('<text x="%.0f" y="%d" font-size="11" text-anchor="middle">%s</text>'):format(L + (k - 0.5) * C, T - 8, names[k])
      out[#out + 1] = ('<text x="%d" y="%.0f" font-size="11" text-anchor="end">%s</text>'):format(L - 8, T + (k - 0.5) * C + 4, names[k])
    end
    for i = 1, 3 do
      for j = 1, 3 do
        local v = m and m[i][j] or 0
        local shade = math.floor(255 - v * 160)
        out[#out + 1] = ('<rect x="%d" y="%d" width="%d" height="%d" fill="rgb(%d,%d,255)" stroke="#bbb"/>')
          :format(L + (j - 1) * C, T + (i - 1) * C, C, C, shade, shade)
        out[#out + 1] = ('<text x="%.0f" y="%.0f" font-size="13" text-anchor="middle">%s</text>')
          :format(L + (j - 0.5) * C, T + (i - 0.5) * C + 5, num(v, 2))
      end
    end
    out[#out + 1] = "</svg>"
    return table.concat(out, "\n")
  end

  local bars = {}
  for _, g in ipairs(s.domain_order) do
    for _, k in ipairs{"hard", "normal", "easy"} do
      bars[#bars + 1] = {group = g, series = k, value = s.domains[g][k]}
    end
  end
  return {header = header, rows = table_rows, notes = notes, sections = {
    {title = "Accuracy by style", svg = grid_svg(s.matrix),
     text = "Share of items where the judge preferred the correct response, for each chosen style (rows) " ..
            "against each rejected style (columns), over all items. Above the diagonal is hard, below it easy."},
    {title = "Hard, normal and easy by domain", svg = report.bars_svg{cells = bars, label = "accuracy"}},
  }}
end

-- judgebench_page(s, {input, judge_model, rule, orders}) -> {header, rows, notes, sections}:
-- ratio.judgebench's score as the terminal table (per category and overall), its notes and the
-- strict/published bars per category.
function M.judgebench_page(s, o)
  local num = report.num
  local header = {"category", "pairs", "accuracy", "strict", "published"}
  if o.orders == 2 then header[#header + 1] = "consistency" end
  local function row(name, v)
    local r = {name, tostring(v.pairs), num(v.accuracy), num(v.accuracy_strict), num(v.accuracy_published)}
    if o.orders == 2 then r[#r + 1] = num(v.consistency) end
    return r
  end
  local table_rows = {}
  for _, c in ipairs(s.category_order) do table_rows[#table_rows + 1] = row(c, s.categories[c]) end
  table_rows[#table_rows + 1] = row("overall", s)
  local vc = s.verdicts
  local notes = {
    ("%d pairs from %s, judged by %s in %s; accuracy by the %s rule, pair-weighted."):format(
      s.pairs, o.input, o.judge_model, o.orders == 2 and "both orders" or "the given order only", o.rule),
    ("%d verdicts: %d right, %d wrong, %d ties, %d unscored, %d failed (a tie, unscored or failed verdict is never right)."):format(
      vc.total, vc.right, vc.wrong, vc.tie, vc.unscored, vc.failed),
  }
  if o.orders == 2 then
    local oc = s.outcomes
    notes[#notes + 1] = ("pairs: %d right in both orders, %d inconsistent (right once, wrong once), %d right once " ..
      "with a tie or no verdict, %d wrong in both, %d wrong once with a tie or no verdict, %d with no verdict either way."):format(
      oc.both_right or 0, oc.inconsistent or 0, oc.right_and_none or 0, oc.both_wrong or 0, oc.wrong_and_none or 0, oc.none or 0)
  end

  local bars = {}
  for _, c in ipairs(s.category_order) do
    bars[#bars + 1] = {group = c, series = "strict", value = s.categories[c].accuracy_strict}
    bars[#bars + 1] = {group = c, series = "published", value = s.categories[c].accuracy_published}
  end
  return {header = header, rows = table_rows, notes = notes, sections = {{title = "Accuracy by category",
    svg = report.bars_svg{cells = bars, label = "accuracy"},
    text = "strict: both verdicts name the correct response; published: the JudgeBench script's rule."}}}
end

-- ---- a judge's run (recipes/judge.lua) ---------------------------------------------------------

-- judge_page(s, records, {input, judge_model, name, top_k, reasks, skipped_lines, usage}) ->
-- {header, rows, notes, domains, sections}: ratio.judge.summarize's numbers per domain and overall,
-- the notes, OA per domain for the bars, and every unscored or failed reply as received. Also
-- makes each record's issues an object for items.jsonl.
function M.judge_page(s, records, o)
  -- On the terminal: one row per domain, then the whole set.
  local header = {"domain", "OA", "OA items", "scored", "unscored", "failed", "ties excluded"}
  local rows, domains = {}, {}
  for d in pairs(s.per_domain) do domains[#domains + 1] = d end
  table.sort(domains)
  local function row(label, c)
    return {label, report.with_ci(c.outcome_accuracy, c.ci), tostring(c.outcome_n),
            tostring(c.scored), tostring(c.unscored), tostring(c.failed), tostring(c.ties_excluded)}
  end
  for _, d in ipairs(domains) do rows[#rows + 1] = row(d, s.per_domain[d]) end
  rows[#rows + 1] = row("all", s)
  local notes = {
    ("%d items from %s judged by %s (%s); top-%s reasons kept; 95%% bootstrap CIs, 1,000 resamples."):format(
      s.total, o.input, o.judge_model, o.name, o.top_k == 0 and "all" or tostring(o.top_k)),
    ("Outcome accuracy is over scored items with a non-tie human label: %d human ties excluded; a predicted tie on a non-tie counts as wrong."):format(s.ties_excluded),
    ("%d items scored, %d unscored (no readable verdict or reasons after %d re-ask%s), %d failed, %d skipped lines; re-asked: %d."):format(
      s.scored, s.unscored, o.reasks, o.reasks == 1 and "" or "s", s.failed, o.skipped_lines, s.reasked),
  }
  if s.swap then
    notes[#notes + 1] = ("Position swap: the verdict keeps its side in %s of %d items judged both ways (same label in %s); OA on the swapped order %s."):format(
      report.num(s.swap.consistency), s.swap.both_scored, report.num(s.swap.exact_share),
      report.with_ci(s.swap.outcome_accuracy, s.swap.ci))
  end
  local u = o.usage
  if u then
    notes[#notes + 1] = ("Usage: %d calls (%d from the cache, %d failed), %d input and %d output tokens."):format(
      u.calls or 0, u.cached or 0, u.failed or 0, u.input_tokens or 0, u.output_tokens or 0)
  end

  -- What a person reads: the table, OA per domain, and every reply that could not be scored.
  local domain_entries = {}
  for _, d in ipairs(domains) do
    local c = s.per_domain[d]
    domain_entries[#domain_entries + 1] = {name = o.name, domain = d, outcome_accuracy = c.outcome_accuracy,
      ci = {outcome_accuracy = c.ci}, total = c.total, valid = c.scored, unscored = c.unscored,
      failed = c.failed, outcome_n = c.outcome_n, ties_excluded = c.ties_excluded}
  end
  local sections = {}
  local problems = {}
  for _, r in ipairs(records) do
    if r.status ~= "ok" then
      local issues = {}
      for k in pairs(r.issues or {}) do issues[#issues + 1] = k end
      table.sort(issues)
      problems[#problems + 1] = ("[%s] %s (line %s)%s\n%s"):format(r.status, tostring(r.id), tostring(r.line),
        #issues > 0 and (": " .. table.concat(issues, ", ")) or "", r.text or r.error or "")
    end
  end
  if #problems > 0 then
    sections[#sections + 1] = {title = "Unscored and failed items", text = "The judge's last reply (or the error), as received.",
                               pre = table.concat(problems, "\n\n")}
  end
  for _, r in ipairs(records) do -- items.jsonl: one compact line per item
    r.issues = next(r.issues or {}) and r.issues or json.object()
    if r.swap then r.swap.issues = next(r.swap.issues or {}) and r.swap.issues or json.object() end
  end
  return {header = header, rows = rows, notes = notes, domains = domain_entries, sections = sections}
end

-- check_items(items, check, {input, on_bad_item = "stop"|"skip", reader}) -> kept items, skipped count.
-- check(item) -> nil or what is wrong; a bad item stops the run naming file and line, or is
-- skipped and counted (the first five warned) before any call is paid for. No item left (counting
-- the lines the reader skipped) is a data error.
function M.check_items(items, check, o)
  local kept, skipped, first = {}, 0, nil
  for _, item in ipairs(items) do
    local problem = check(item)
    if not problem then
      kept[#kept + 1] = item
    else
      local msg = ("%s:%d: %s"):format(o.input, item._line, problem)
      if o.on_bad_item == "stop" then require("ratio.errors").data(msg) end
      skipped, first = skipped + 1, first or msg
      if skipped <= 5 then io.stderr:write("ratio: warning: ", msg, " (item skipped)\n") end
    end
  end
  dataset.require_usable(o.input, #kept, skipped + (o.reader and o.reader.skipped or 0),
    earliest(o.reader and o.reader.errors[1], first))
  return kept, skipped
end

-- ---- reading a MetaJudge file back (recipes/analyze.lua) --------------------------------------

-- analyze_file(path, model, {mode, top_k, max_checklist_len, resamples, seed}) -> summary, totals
-- Scores every line of a file in the published MetaJudge format (samples[0].generated_text and
-- metadata's human-checklist and <model>-checklist) as metajudge_analysis.py does, with bootstrap
-- CIs. Unparsable lines are left out and counted; a file with no JSON line is a data error.
function M.analyze_file(path, model, o)
  local reader, open_err = jsonl.open(path, {on_error = "skip"})
  if not reader then require("ratio.errors").data(open_err) end
  local acc = require("ratio.metrics").summary()
  local cols = {precision = {}, recall = {}, f1 = {}, ap = {}}
  local opts = {mode = o.mode, top_k = o.top_k, max_checklist_len = o.max_checklist_len}
  local reasons, shape_errors = {}, 0
  local lines_with_model, models_seen = 0, {} -- is the model in the file at all?

  for line_obj, line in reader:lines() do
    local reply
    local samples = type(line_obj) == "table" and line_obj.samples
    if type(samples) == "table" and type(samples[1]) == "table" then
      reply = samples[1].generated_text
      if type(reply) ~= "string" then
        reply = nil
        shape_errors = shape_errors + 1
        if shape_errors <= 5 then
          log("ratio: warning: %s:%d: samples[0].generated_text is not a string (counted as an error)", path, line)
        end
      end
    end
    local meta = type(line_obj) == "table" and line_obj.metadata or nil
    local n_human, n_model = -1, -1
    if type(meta) == "table" then
      local hc = meta["human-checklist"]
      if type(hc) == "table" then n_human = #hc end
      local key = dataset.key_of(meta, model, "checklist")
      if key and type(meta[key]) == "table" then n_model = #meta[key] end
      if key then lines_with_model = lines_with_model + 1 end
      for k in pairs(meta) do
        local m = type(k) == "string" and k:match("^(.+)%-checklist$")
        if m and m ~= "human" then models_seen[m] = true end
      end
    end
    local item = require("ratio.metrics").checklist(reply, n_human, n_model, opts)
    acc:add(item)
    reasons[item.reason] = (reasons[item.reason] or 0) + 1
    if item.status == "valid" or item.status == "partial" then
      for k, list in pairs(cols) do list[#list + 1] = item[k] end
    end
  end
  reader:close()
  -- Unparsable lines are left out and counted, as the published script does; but a file with no
  -- JSON line at all (empty, binary, a JSON array) is the wrong file, not a result of zero samples.
  if reader.count == 0 then
    require("ratio.errors").data(reader.skipped > 0
      and ("%s: no line is JSON (%d unparsable lines, first: %s)"):format(path, reader.skipped, reader.errors[1])
      or (path .. ": no items (the file is empty or has only blank lines)"))
  end
  -- A model the file never names would score every line as an error: say which models it has.
  if lines_with_model == 0 then
    local have = {}
    for m in pairs(models_seen) do have[#have + 1] = m end
    table.sort(have)
    require("ratio.errors").data(("%s: no line has metadata.%s-checklist, so there is nothing to score for '%s'; %s"):format(
      path, model, model, #have > 0 and ("the models it has: " .. table.concat(have, ", "))
      or "it names no model (no metadata.<model>-checklist key)"))
  end

  local t = acc:totals()
  local ci = {}
  for k, list in pairs(cols) do
    if #list > 0 then
      local c = stats.bootstrap_ci(list, {resamples = o.resamples, seed = o.seed})
      ci[k == "ap" and "average_precision" or k] = {lo = c.lo, hi = c.hi}
    end
  end
  reasons.ok = nil
  reasons = json.object(reasons)
  local summary = {
    model = model, mode = o.mode,
    total_samples = t.n_total, valid_samples = t.n_valid, error_samples = t.n_error,
    skipped_samples = t.n_skipped, unscored_samples = t.n_unscored, partial_samples = t.n_partial,
    unparsable_lines = reader.skipped,
    precision = t.precision, recall = t.recall, f1 = t.f1, average_precision = t.ap,
    precision_std = t.precision_std, recall_std = t.recall_std,
    ci = ci, reasons = reasons,
  }
  return summary, t
end

-- The judge a MetaJudge output file scored: the one <m>-checklist in its first line's metadata,
-- else the one (the longest) its file name names; nil and why when neither tells.
local function judge_of_file(path, name)
  local first = jsonl.lines(path, {on_error = "skip"})()
  local meta = type(first) == "table" and type(first.metadata) == "table" and first.metadata or {}
  local found = {}
  for k in pairs(meta) do
    if type(k) == "string" and k:lower():match("%-checklist$") and k:lower() ~= "human-checklist" then
      found[#found + 1] = k:sub(1, -#"-checklist" - 1)
    end
  end
  table.sort(found)
  if #found == 1 then return found[1] end
  local best
  for _, m in ipairs(found) do
    if name:lower():find(m:lower(), 1, true) and (not best or #m > #best) then best = m end
  end
  if best then return best end
  return nil, #found == 0 and "no <judge>-checklist in the first line's metadata"
    or ("several judges' checklists (%s) and the file name names none"):format(table.concat(found, ", "))
end

-- analyze_dir(dir, {name_contains = "", sort_by = "recall", mode, top_k, max_checklist_len,
-- resamples, seed}) -> summaries, skipped | nil, "DIR is not a folder"
-- analyze_file for every MetaJudge output file in a folder, as the published script's --input-dir
-- reads one: the *.jsonl files whose name contains name_contains, but those named *input* (and not
-- *output*), in name order; the judge each scored from judge_of_file. Each summary gets its `file`;
-- the list is ranked by sort_by, best first (ties by file name). A file with no judge, that cannot
-- be read or has no valid item is left out, {file, reason} in skipped, with a warning.
function M.analyze_dir(dir, o)
  if sys.stat(dir) ~= "directory" then return nil, dir .. " is not a folder" end
  local results, skipped = {}, {}
  for _, name in ipairs(sys.listdir(dir) or {}) do
    local low = name:lower()
    if name:match("%.jsonl$") and name:find(o.name_contains or "", 1, true)
       and not (low:find("input", 1, true) and not low:find("output", 1, true)) then
      local path = dir:gsub("/+$", "") .. "/" .. name
      local model, why
      local kind = sys.stat(path)
      if kind ~= "file" then -- a FIFO would block the scan for good; a folder is not an output
        why = ("not a regular file (%s)"):format(kind or "cannot stat")
      else
        model, why = judge_of_file(path, name)
      end
      local ok, summary
      if model then ok, summary = pcall(M.analyze_file, path, model, o) end
      if not model then
        skipped[#skipped + 1] = {file = name, reason = why}
      elseif not ok then
        skipped[#skipped + 1] = {file = name, reason = require("ratio.errors").describe(summary)}
      elseif summary.valid_samples == 0 then
        skipped[#skipped + 1] = {file = name, reason = "no valid item"}
      else
        summary.file = name
        results[#results + 1] = summary
      end
    end
  end
  for _, f in ipairs(skipped) do log("ratio: warning: %s/%s left out: %s", dir, f.file, f.reason) end
  local key = o.sort_by or "recall"
  table.sort(results, function(a, b)
    if (a[key] or -1) ~= (b[key] or -1) then return (a[key] or -1) > (b[key] or -1) end
    return a.file < b.file
  end)
  return results, skipped
end

-- analyze_table(summaries [, "file"]) -> header, rows: analyze_file's numbers with their CIs, one
-- row per summary; the second column is the mode, or with "file" the file each came from.
function M.analyze_table(summaries, second)
  local header = {"model", second or "mode", "valid", "error", "skipped", "precision", "recall", "F1", "AP"}
  local rows = {}
  for i, s in ipairs(summaries) do
    local ci = s.ci
    rows[i] = {s.model, second == "file" and s.file or s.mode, tostring(s.valid_samples),
      tostring(s.error_samples + s.unscored_samples), tostring(s.skipped_samples),
      report.with_ci(s.precision, ci.precision), report.with_ci(s.recall, ci.recall),
      report.with_ci(s.f1, ci.f1), report.with_ci(s.average_precision, ci.average_precision)}
  end
  return header, rows
end

-- ---- a rationale audit (recipes/audit.lua) -----------------------------------------------------

-- audit_page(by_judge, per_item, judges, notes) -> {header, rows, sections}: one row per reason type
-- and flaw tag with a column per judge ("share [CI] (count)"), bar charts of types and flags, one
-- example reason per label and judge, and the definitions. Adds a note per judge whose classifier
-- used flag names outside the list.
function M.audit_page(by_judge, per_item, judges, notes)
  local audit = require "ratio.audit"
  -- One table: a row per type and flag, a column per judge ("share [CI] (count)").
  local header = {"reason type / flag"}
  for _, j in ipairs(judges) do header[#header + 1] = j end
  local rows = {}
  local function add(label, pick)
    local row = {label}
    for _, j in ipairs(judges) do
      local d = pick(by_judge[j])
      row[#row + 1] = d.share and ("%s (%d)"):format(report.with_ci(d.share, d.ci), d.count) or "-"
    end
    rows[#rows + 1] = row
  end
  for _, t in ipairs(audit.TYPES) do add(t, function(s) return s.types[t] end) end
  for _, f in ipairs(audit.FLAGS) do add("flag: " .. f, function(s) return s.flags[f] end) end
  add("any flag", function(s) return s.any_flag end)
  local function counts_row(label, fn)
    local row = {label}
    for _, j in ipairs(judges) do row[#row + 1] = fn(by_judge[j]) end
    rows[#rows + 1] = row
  end
  counts_row("reasons classified / unscored / failed", function(s)
    return ("%d / %d / %d"):format(s.rationales.classified, s.rationales.unscored, s.rationales.failed)
  end)
  counts_row("items valid / partial / unscored / failed / skipped", function(s)
    local n = s.items
    return ("%d / %d / %d / %d / %d"):format(n.valid, n.partial, n.unscored, n.failed, n.skipped)
  end)

  for _, j in ipairs(judges) do
    if by_judge[j].unknown_flags > 0 then
      notes[#notes + 1] = ("%s: the classifier used %d flag names outside the list (kept as unknown_flags in items.jsonl)."):format(
        j, by_judge[j].unknown_flags)
    end
  end

  -- The page: the table, bar charts of types and flags per judge, one example reason per label and
  -- judge, and the definitions.
  local cells_t, cells_f, examples = {}, {}, {}
  for _, j in ipairs(judges) do
    local s = by_judge[j]
    -- A group per judge, a bar per label: the label names are too long to sit under the bars.
    for _, t in ipairs(audit.TYPES) do
      cells_t[#cells_t + 1] = {group = j, series = t, value = s.types[t].share, ci = s.types[t].ci}
    end
    for _, f in ipairs(audit.FLAGS) do
      cells_f[#cells_f + 1] = {group = j, series = f, value = s.flags[f].share, ci = s.flags[f].ci}
    end
    local seen = {}
    for _, row in ipairs(per_item) do
      local r = row.judges[j]
      for _, x in ipairs(r.reasons or {}) do
        if x.status == "valid" then
          for _, label in ipairs{x.type, table.unpack(x.flags)} do
            if not seen[label] then
              seen[label] = true
              examples[#examples + 1] = {x.text, j, label, tostring(row.id or row.line)}
            end
          end
        end
      end
    end
  end
  local defs = {}
  for _, k in ipairs(audit.TYPES) do defs[#defs + 1] = k .. ": " .. audit.DEFINITIONS[k] .. "." end
  for _, k in ipairs(audit.FLAGS) do defs[#defs + 1] = k .. ": " .. audit.DEFINITIONS[k] .. "." end
  local sections = {
    {title = "Reason types", svg = report.bars_svg{cells = cells_t, label = "share of reasons"}},
    {title = "Flaw tags", svg = report.bars_svg{cells = cells_f, label = "share of reasons"}},
    {title = "An example of each label", header = {"reason", "judge", "label", "item"}, rows = examples},
    {title = "Definitions", text = defs},
  }
  return {header = header, rows = rows, sections = sections}
end


-- ---- a load test (recipes/loadtest.lua) -------------------------------------------------------

-- load_test(n, call, {concurrency, progress}) -> {requests, ok, failed, seconds, rps, p50_ms, p99_ms}
-- Runs call(i) for i = 1..n, numbered as they are sent, at most `concurrency` at once; call returns
-- a result or nil, error. Only one latency per success is kept (no results), so a run of a million
-- holds little more than what is in flight. Throughput is successes per second of the whole run;
-- latencies are nearest-rank percentiles (ratio.stats.rank_quantile), null when nothing succeeded.
-- The first failure is logged.
function M.load_test(n, call, opts)
  local sent, latencies, ok, failed, first_error = 0, {}, 0, 0, nil
  local function next_request()
    if sent < n then sent = sent + 1 return sent end
  end
  local t0 = sched.now()
  sched.map(next_request, function(i)
    local s = sched.now()
    local reply, err = call(i)
    if reply then
      ok = ok + 1
      latencies[#latencies + 1] = sched.now() - s
    else
      failed = failed + 1
      first_error = first_error or err
    end
  end, {concurrency = opts.concurrency, progress = opts.progress, total = n, each = false})
  local seconds = (sched.now() - t0) / 1000
  table.sort(latencies)
  if first_error then log("first failure: %s", first_error) end
  local function pct(q) return stats.rank_quantile(latencies, q) or json.null end
  return {requests = n, ok = ok, failed = failed, seconds = seconds, rps = ok / seconds,
          p50_ms = pct(0.50), p99_ms = pct(0.99)}
end

-- load_text(s) -> "N requests, N ok, N failed in S s: R req/s, p50 X ms, p99 Y ms" (load_test's
-- summary on one line; no latency reads 0.0 ms).
function M.load_text(s)
  local function ms(v) return type(v) == "number" and v or 0 end
  return ("%d requests, %d ok, %d failed in %.2f s: %.0f req/s, p50 %.1f ms, p99 %.1f ms"):format(
    s.requests, s.ok, s.failed, s.seconds, s.rps, ms(s.p50_ms), ms(s.p99_ms))
end

return M
