-- How often does an LLM judge (or generative reward model) pick the human-preferred response, and
-- what reasons does it give? Asks the judge about every pair of a RationaleRM-format dataset for
-- its reasons, most important first, and one verdict of A>>B, A>B, A=B, B>A, B>>A (the paper's
-- layout); reads the reply tolerantly, asks again when it cannot (--reasks), and keeps the top-k
-- reasons. Reports outcome accuracy with a 95% bootstrap CI, per domain, and — with --swap —
-- whether the verdict survives swapping the two responses. Writes judged.jsonl: every input item
-- unchanged plus <name>-checklist, <name>-label and <name>-generated_text, so
--   bin/ratio run recipes/metajudge.lua --input <run folder>/judged.jsonl --models <name>
-- scores the judge's reasons against the human rationales next.
local ratio = require "ratio"
local p = ratio.params{
  input = {"data/sample.jsonl", "a RationaleRM-format dataset (context, response1, response2, overall_preference)", type = "file"},
  judge_model = {nil, "the judge model", required = true},
  judge_base_url = {"", "OpenAI-compatible base URL (empty: $OPENAI_BASE_URL, else the provider's)"},
  judge_provider = {"openai", "provider plugin", choices = {"openai", "anthropic"}},
  name = {"", "the judge's name in the fields <name>-checklist, -label, -generated_text (empty: the model id)"},
  top_k = {5, "reasons kept per item, most important first (0 = all)", min = 0},
  swap = {false, "also judge with the responses swapped and report position consistency"},
  reasks = {1, "times an unreadable reply is asked again before the item is unscored", min = 0},
  temperature = {0.0, "sampling temperature", min = 0},
  max_tokens = {0, "longest reply in tokens (0 = the provider's default)", min = 0},
  concurrency = {32, "judge calls in flight", min = 1},
  rpm = {0, "requests per minute (0 = no limit)", min = 0},
  on_bad_item = {"stop", "a malformed dataset line: stop, or skip and count", choices = {"stop", "skip"}},
  seed = {1, "bootstrap seed"},
}

-- A model id such as "Qwen/Qwen3-8B" is not a usable field or file name as it stands.
local name = p.name ~= "" and p.name or p.judge_model:gsub("[^%w%._%-]", "_")
if not name:match("^[%w%._%-]+$") then
  ratio.exit(2, "--name: use letters, digits, '.', '_' and '-' only, got '" .. name .. "'")
end

local items, reader = ratio.dataset.read_all(p.input, {on_error = p.on_bad_item})
-- Check what the judge needs before paying for any call.
local kept, skipped_items = {}, 0
for _, item in ipairs(items) do
  local problem = ratio.judge.check_item(item)
  if not problem then
    kept[#kept + 1] = item
  else
    local msg = ("%s:%d: %s"):format(p.input, item._line, problem)
    if p.on_bad_item == "stop" then require("ratio.errors").data(msg) end
    skipped_items = skipped_items + 1
    if skipped_items <= 5 then io.stderr:write("ratio: warning: ", msg, " (item skipped)\n") end
  end
end
items = kept

local params = {temperature = p.temperature}
if p.max_tokens > 0 then params.max_tokens = p.max_tokens end
local client = ratio.llm.from_params(p, "judge_", {params = params})
ratio.manifest("judge_model", p.judge_model)
ratio.manifest("judge_name", name)

local dir = ratio.run_dir()
local out = assert(ratio.jsonl.writer(dir .. "/judged.jsonl"))
local opts = {top_k = p.top_k, reasks = p.reasks, swap = p.swap}
local records = {}
ratio.map(items, function(item) return ratio.judge.run(client, item, opts) end,
  {concurrency = p.concurrency, progress = "judging", on_error = "record",
   each = function(r, item, i)
     if ratio.failed(r) then -- an error while judging: kept as a failed item, never dropped
       r = {status = "failed", error = r.error, reasks = 0, calls = 0, id = item.id, domain = item.domain}
     end
     records[i] = r
     -- The input item, unchanged, plus the judge's three fields (the reader's _line goes).
     local line = item._line
     item._line = nil
     item[name .. "-checklist"] = r.status == "ok" and r.reasons or ratio.json.array()
     item[name .. "-label"] = r.status == "ok" and r.label or ratio.json.null
     item[name .. "-generated_text"] = r.text or ratio.json.null
     assert(out:write(item))
     r.line = line
   end})
assert(out:close())

local s = ratio.judge.summarize(records, items, {seed = p.seed})
local summary = {input = p.input, judge_model = p.judge_model, name = name, top_k = p.top_k,
                 swap = p.swap, reasks_allowed = p.reasks, skipped_lines = reader.skipped + skipped_items,
                 judged_file = dir .. "/judged.jsonl", run_dir = dir}
for k, v in pairs(s) do summary[k] = v end
summary.usage = ratio.llm.usage()

-- On the terminal: one row per domain, then the whole set.
local header = {"domain", "OA", "OA items", "scored", "unscored", "failed", "ties excluded"}
local rows, domains = {}, {}
for d in pairs(s.per_domain) do domains[#domains + 1] = d end
table.sort(domains)
local function row(label, c)
  return {label, ratio.report.with_ci(c.outcome_accuracy, c.ci), tostring(c.outcome_n),
          tostring(c.scored), tostring(c.unscored), tostring(c.failed), tostring(c.ties_excluded)}
end
for _, d in ipairs(domains) do rows[#rows + 1] = row(d, s.per_domain[d]) end
rows[#rows + 1] = row("all", s)
local notes = {
  ("%d items from %s judged by %s (%s); top-%s reasons kept; 95%% bootstrap CIs, 1,000 resamples."):format(
    s.total, p.input, p.judge_model, name, p.top_k == 0 and "all" or tostring(p.top_k)),
  ("Outcome accuracy is over scored items with a non-tie human label: %d human ties excluded; a predicted tie on a non-tie counts as wrong."):format(s.ties_excluded),
  ("%d items scored, %d unscored (no readable verdict or reasons after %d re-ask%s), %d failed, %d skipped lines; re-asked: %d."):format(
    s.scored, s.unscored, p.reasks, p.reasks == 1 and "" or "s", s.failed, summary.skipped_lines, s.reasked),
}
if s.swap then
  notes[#notes + 1] = ("Position swap: the verdict keeps its side in %s of %d items judged both ways (same label in %s); OA on the swapped order %s."):format(
    ratio.report.num(s.swap.consistency), s.swap.both_scored, ratio.report.num(s.swap.exact_share),
    ratio.report.with_ci(s.swap.outcome_accuracy, s.swap.ci))
end
print(ratio.report.table(header, rows))
for _, n in ipairs(notes) do print(n) end

-- What a person reads: the table, OA per domain, and every reply that could not be scored.
local domain_entries = {}
for _, d in ipairs(domains) do
  local c = s.per_domain[d]
  domain_entries[#domain_entries + 1] = {name = name, domain = d, outcome_accuracy = c.outcome_accuracy,
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
  r.issues = next(r.issues or {}) and r.issues or ratio.json.object()
  if r.swap then r.swap.issues = next(r.swap.issues or {}) and r.swap.issues or ratio.json.object() end
end
ratio.report.write_run(dir, {items = records, summary = summary, page = {
  title = "Judge: " .. name,
  intro = "How often the judge picks the human-preferred response, and whether it can be read at all.",
  header = header, rows = rows, notes = notes, domains = domain_entries, domain_metrics = {"oa"},
  sections = sections}})
ratio.log("run folder: %s", dir)
return summary
