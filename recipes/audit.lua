-- What kind of reasons does each judge give? Every reason in `<judge>-checklist` gets one type and
-- any number of flaw tags, and the recipe reports each judge's distribution (counts and shares
-- with 95% bootstrap CIs that resample items). `--classifier heuristic` (the default) uses
-- transparent keyword and pattern rules and needs no API; `--classifier llm` asks an LLM.
--
-- Types (exactly one per reason):
--   evidence-grounded    points to something specific a response does or says (a quote, a number,
--                        a code identifier, a named fact) that can be checked in the text
--   criterion-grounded   names what is judged (correctness, an instruction, safety, relevance) but
--                        gives no specific evidence
--   generic/style        form or impression only (length, formatting, tone, "detailed",
--                        "well-structured", "more helpful"), or true of almost any response
-- Flags (any number):
--   style-only           about presentation alone (formatting, length, tone), nothing about content
--   generic-correctness  calls a response right or wrong without saying what is right or wrong
--   generic-relevance    calls a response relevant or helpful without saying how
--   one-sided-praise     praises one response with no point of comparison with the other
--   unfalsifiable        an impression that cannot be checked against the text ("feels polished")
--   non-sequitur         even if true, it does not support the judge's own verdict
--   contradiction        conflicts with another of the judge's reasons
-- The heuristic: a quote, a number, a code identifier or a named specific (a capitalised or
-- non-Latin word mid-sentence) -> evidence-grounded; else a named criterion -> criterion-grounded;
-- else generic/style. Flags come from word lists (style, correctness, relevance, praise,
-- impression words) on reasons without evidence; non-sequitur from the side a reason praises or
-- criticises against the verdict; contradiction from one response called both, say, concise and
-- detailed. Each label in items.jsonl lists the rules that fired.
local ratio = require "ratio"
local p = ratio.params{
  input = {"data/sample.jsonl", "a RationaleRM-format dataset", type = "file"},
  classifier = {"heuristic", "who classifies the reasons", choices = {"heuristic", "llm"}},
  template = {nil, "llm classifier: a Lua file returning the prompt template (default: the built-in one)", type = "file"},
  top_k = {0, "audit only each judge's first K reasons (0 = all)", min = 0},
  concurrency = {16, "items classified at once", min = 1},
  rpm = {0, "llm classifier: requests per minute (0 = no limit)", min = 0},
  resamples = {1000, "bootstrap resamples for the CIs", min = 1, max = 100000000},
  seed = {1, "bootstrap seed"},
  on_bad_item = {"stop", "a malformed dataset line: stop, or skip and count", choices = {"stop", "skip"}},
  ratio.flags.judges{default = {"careful", "skimmer"}, help = "judges whose <name>-checklist to audit"},
  ratio.flags.llm{what = "llm classifier", when = "with --classifier llm", legacy = "", aliases = {max_tokens = "llm_max_tokens"}},
}

local auditor
if p.classifier == "llm" then
  if p.llm_model == "" then ratio.exit(2, "--llm-model: is required with --classifier llm") end
  local template, err = ratio.audit.TEMPLATE, nil
  if p.template then template, err = ratio.prompts.load(p.template, ratio.audit.check_template) end
  if not template then ratio.exit(2, "--template: " .. err) end
  local client = ratio.llm.from_params(p, "llm")
  ratio.manifest("audit_model", p.llm_model)
  auditor = ratio.audit.new{classifier = "llm", client = client, template = template, top_k = p.top_k,
                            params = {}} -- the settings are the client's (--llm-*)
else
  if p.template then ratio.exit(2, "--template: only the llm classifier reads a prompt") end
  auditor = ratio.audit.new{classifier = "heuristic", top_k = p.top_k}
end

local items, lines, info = ratio.decompose.read(p.input,
  function(item) return ratio.audit.check(item, p.judges) end, {on_error = p.on_bad_item})

local per_item, by_judge = {}, {}
for i, item in ipairs(items) do
  per_item[i] = {id = item.id, domain = item.domain, line = lines[i], judges = {}}
end
for _, judge in ipairs(p.judges) do
  local results = ratio.map(items, function(item) return auditor:run(item, judge) end,
    {concurrency = p.concurrency, progress = "auditing " .. judge, on_error = "record"})
  for i, r in ipairs(results) do
    if ratio.failed(r) then -- a library error on one item: kept as failed, never dropped
      r = {judge = judge, status = "failed", error = tostring(r.error), reasons = {}, raw = {}, reasks = 0}
    end
    results[i] = r
    per_item[i].judges[judge] = r
  end
  by_judge[judge] = ratio.audit.summarize(results, {resamples = p.resamples, seed = p.seed})
end

local notes = {
  ("%d items from %s; %s classifier%s; shares are of classified reasons, 95%% percentile bootstrap CIs resampling items (%d resamples, seed %d)."):format(
    #items, p.input, p.classifier, p.classifier == "llm" and (" (" .. p.llm_model .. ")") or "", p.resamples, p.seed),
}
if info.bad_lines + info.bad_items > 0 then
  notes[#notes + 1] = ("%d bad lines and %d bad items skipped (first: %s)."):format(info.bad_lines, info.bad_items,
    info.errors[1] or "-")
end
local page = ratio.study.audit_page(by_judge, per_item, p.judges, notes)

local dir = ratio.run_dir()
local summary = {input = p.input, classifier = p.classifier, model = p.classifier == "llm" and p.llm_model or nil, top_k = p.top_k,
                 items = #items, bad_lines = info.bad_lines, bad_items = info.bad_items,
                 judges = by_judge, definitions = ratio.audit.DEFINITIONS, run_dir = dir,
                 usage = p.classifier == "llm" and ratio.llm.usage() or nil}
return ratio.study.write(dir, {items = per_item, summary = summary,
  title = "Rationale audit: " .. table.concat(p.judges, ", "),
  intro = "What kind of reasons each judge gives: evidence-grounded, criterion-grounded or generic/style, with flaw tags.",
  header = page.header, rows = page.rows, notes = notes, sections = page.sections})
