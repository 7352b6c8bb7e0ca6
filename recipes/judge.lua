-- How often does an LLM judge (or generative reward model) pick the human-preferred response, and
-- what reasons does it give? Asks the judge about every pair of a RationaleRM-format dataset for
-- its reasons, most important first, and one verdict of A>>B, A>B, A=B, B>A, B>>A (the paper's
-- layout); reads the reply tolerantly, asks again when it cannot (--reasks), and keeps the top-k
-- reasons. Reports outcome accuracy with a 95% bootstrap CI, per domain, and — with --swap —
-- whether the verdict survives swapping the two responses. Writes judged.jsonl: every input item
-- unchanged plus <name>-checklist, <name>-label and <name>-generated_text, so
--   bin/ratio run recipes/metajudge.lua --input <run folder>/judged.jsonl --judges <name>
-- scores the judge's reasons against the human rationales next.
local ratio = require "ratio"
local p = ratio.params{
  input = {"data/sample.jsonl", "a RationaleRM-format dataset (context, response1, response2, overall_preference)", type = "file"},
  name = {"", "the judge's name in the fields <name>-checklist, -label, -generated_text (empty: the model id)"},
  top_k = {5, "reasons kept per item, most important first (0 = all)", min = 0},
  swap = {false, "also judge with the responses swapped and report position consistency"},
  reasks = {1, "times an unreadable reply is asked again before the item is unscored", min = 0},
  concurrency = {32, "judge calls in flight", min = 1},
  rpm = {0, "requests per minute (0 = no limit)", min = 0},
  on_bad_item = {"stop", "a malformed dataset line: stop, or skip and count", choices = {"stop", "skip"}},
  seed = {1, "bootstrap seed"},
  ratio.flags.judge{required = true, aliases = {temperature = "judge_temperature", max_tokens = "judge_max_tokens"}},
}

-- A model id such as "Qwen/Qwen3-8B" is not a usable field or file name as it stands.
local name = p.name ~= "" and p.name or p.judge_model:gsub("[^%w%._%-]", "_")
if not name:match("^[%w%._%-]+$") then
  ratio.exit(2, "--name: use letters, digits, '.', '_' and '-' only, got '" .. name .. "'")
end

local items, reader = ratio.dataset.read_all(p.input, {on_error = p.on_bad_item})
-- Check what the judge needs before paying for any call.
local skipped_items
items, skipped_items = ratio.study.check_items(items, ratio.judge.check_item, {input = p.input, on_bad_item = p.on_bad_item,
  reader = reader})

local client = ratio.llm.from_params(p, "judge")
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

local page = ratio.study.judge_page(s, records, {input = p.input, judge_model = p.judge_model, name = name,
  top_k = p.top_k, reasks = p.reasks, skipped_lines = summary.skipped_lines, usage = summary.usage[p.judge_model]})
return ratio.study.write(dir, {items = records, summary = summary, title = "Judge: " .. name,
  intro = "How often the judge picks the human-preferred response, and whether it can be read at all.",
  header = page.header, rows = page.rows, notes = page.notes, domains = page.domains, domain_metrics = {"oa"},
  sections = page.sections})
