-- What do the human annotators' reasons come to, once they are written as atomic rationales? An LLM
-- turns each item's free-text explanations (HelpSteer3 `individual_preference`: reasoning and
-- feedback per annotator) into specific, evidence-grounded rationales about problems (decisive
-- strengths too with --strengths), merging duplicates and saying why each point it drops was
-- dropped. The result is written as `human-checklist` in the RationaleRM schema (decomposed.jsonl
-- in the run folder), so judge and metajudge recipes read it directly. As in the paper
-- (HelpSteer3-Atomic), the prompt asks for 3 to 7 atomic rationales about problems, and only items
-- with 3 to 7 are kept (`--keep-range`, `all` keeps every item); the summary sets the count
-- distribution beside the paper's (mean 4.37 over 1,000 items, data/published.json). With
-- `--prompt-b FILE` two decomposition prompts run side by side: rationales per item from each,
-- their overlap (one-to-one lexical matching), what each dropped, and the items where they disagree
-- most.
local ratio = require "ratio"
local p = ratio.params{
  input = {"data/sample.jsonl", "items with individual_preference (HelpSteer3 layout)", type = "file"},
  prompt_a = {nil, "a Lua file returning the decomposition template (default: the built-in prompt)",
              type = "file"},
  prompt_b = {nil, "a second template: run both side by side and compare them", type = "file"},
  keep_range = {"3-7", "keep only items with this many rationales (the paper's 3-7), also what the prompt "
                       .. "asks for; 'all' keeps every item"},
  strengths = {false, "let a rationale be a strength that decides the comparison (the paper's are about "
                      .. "problems only)"},
  min_score = {0.5, "side by side: lexical matcher score from which two rationales are the same point",
               min = 0, max = 1},
  show = {5, "side by side: how many of the most-disagreeing items to print in full", min = 0},
  limit = {0, "decompose only the first N items (0 = all)", min = 0},
  concurrency = {16, "items decomposed at once", min = 1},
  rpm = {0, "requests per minute (0 = no limit)", min = 0},
  on_bad_item = {"stop", "a malformed dataset line: stop, or skip and count", choices = {"stop", "skip"}},
  ratio.flags.llm{required = true, what = "the decomposing LLM", legacy = "",
                  aliases = {max_tokens = "llm_max_tokens"}},
}

local lo, hi
if p.keep_range ~= "" and p.keep_range ~= "all" then
  local a, b = ratio.decompose.range(p.keep_range)
  if not a then ratio.exit(2, "--keep-range: " .. b) end
  lo, hi = a, b
end

-- The prompts: the built-in template, or a file's (a Lua chunk returning the template, a string with
-- {{explanations}} and any of {{conversation}}, {{response1}}, {{response2}}); each has its decomposer.
local prompts = {{key = "a", flag = "--prompt-a", path = p.prompt_a}}
if p.prompt_b then prompts[2] = {key = "b", flag = "--prompt-b", path = p.prompt_b} end
for _, v in ipairs(prompts) do
  local template, err = ratio.decompose.TEMPLATE, nil
  if v.path then template, err = ratio.prompts.load(v.path, ratio.decompose.check_template) end
  if not template then ratio.exit(2, v.flag .. ": " .. err) end
  v.template, v.source, v.sha256 = template, v.path or "built-in", ratio.sha256(template)
end
local client = ratio.llm.from_params(p, "llm")
ratio.manifest("decompose_model", p.llm_model)
for _, v in ipairs(prompts) do
  v.decomposer = ratio.decompose.new{client = client, template = v.template,
    name = #prompts > 1 and ("decompose_" .. v.key) or "decompose",
    params = {}, strengths = p.strengths, -- the settings are the client's (--llm-*)
    range = lo and hi < math.maxinteger and {lo, hi} or nil}
end

local items, lines, info = ratio.decompose.read(p.input, ratio.decompose.check, {on_error = p.on_bad_item})
if p.limit > 0 then
  for i = #items, p.limit + 1, -1 do items[i], lines[i] = nil, nil end
end

-- One task per item; the prompts of one item run at once.
local results = ratio.map(items, function(item)
  local fns = {}
  for k, v in ipairs(prompts) do fns[k] = function() return v.decomposer:run(item) end end
  return ratio.gather(fns)
end, {concurrency = p.concurrency, progress = "decomposing", on_error = "record"})

-- Each item's rationales: their count against the kept range, their overlap with the item's existing
-- human-checklist and, side by side, with the other prompt's (one-to-one lexical matching from
-- --min-score); then per prompt the counts beside the paper's, and the two prompts compared.
local study = ratio.decomposition.collect(items, lines, results, prompts, {range = lo and {lo, hi},
  min_score = p.min_score, matcher = ratio.metajudge.matcher("lexical"), info = info})
local summary = study:summarize{input = p.input, model = p.llm_model, keep_range = p.keep_range,
  strengths = p.strengths, paper = ratio.decomposition.paper(), show = p.show}
return study:write(ratio.run_dir(), summary)
