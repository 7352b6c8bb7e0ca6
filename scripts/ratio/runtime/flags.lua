-- ratio.flags: the flag families every recipe shares, declared once so their names, defaults and
-- help texts cannot drift. A recipe lists the families it takes in ratio.params, after its own
-- parameters:
--
--   local p = ratio.params{
--     input = {"data/sample.jsonl", "a RationaleRM-format dataset", type = "file"},
--     ratio.flags.judges{default = {"careful", "skimmer"}},
--     ratio.flags.matcher,                 -- --matcher, --embed-*, and the MetaJudge's --metajudge-*
--     ratio.flags.mode,
--   }
--   local matcher = ratio.metajudge.from_params(p)
--   local client = ratio.llm.from_params(p, "judge")   -- from the --judge-* family
--
-- The vocabulary:
--   --judges NAME,...      the judges whose <name>-checklist / <name>-label a recipe reads
--   --judge-*              the judge LLM (judge, rmbench, judgebench)
--   --metajudge-*          the MetaJudge LLM of the llm matcher (metajudge, frontier, sweep,
--                          hybrid_reward, reward_server)
--   --llm-*                the decomposer's or auditor's LLM (decompose, audit, loadtest)
--   --matcher, --embed-*   how rationales are matched
--   --mode                 metric definitions: paper (the default everywhere) or reference
-- Each LLM family has the same members: -provider, -model, -base-url, and the generation settings
-- -temperature, -max-tokens, -top-p, -seed, -reasoning-effort, -stop, -extra-body, which are sent
-- only when given (no hidden defaults: today's reasoning models reject some of them).
--
-- A family is a value (ratio.flags.mode) or, called with options, a variant of it
-- (ratio.flags.judge{required = true}). Options of every family: aliases = {old_name = new_name}
-- (old flags that still work and print a one-line deprecation warning). LLM families also take
-- required (the model must be given), legacy (an old prefix: legacy = "judge" makes --judge-model,
-- --judge-base-url and --judge-provider old names of this family's flags; "" makes --model,
-- --base-url and --provider so), what (who the LLM is, for the help text), when (when the model is
-- required, for the help text), model = false (the recipe names its models otherwise),
-- default_model, base_url_required.
local M = {}

local Family = {}
Family.__index = Family
Family.__name = "ratio.flags family"

local function family(name, title, build, defaults)
  local f = setmetatable({name = name, title = title, build = build, opts = defaults or {}}, Family)
  return f
end

-- A variant of the family with some options changed.
function Family:__call(opts)
  if type(opts) ~= "table" then error("ratio.flags." .. self.name .. ": expected a table of options", 2) end
  local merged = {}
  for k, v in pairs(self.opts) do merged[k] = v end
  for k, v in pairs(opts) do merged[k] = v end
  return setmetatable({name = self.name, title = self.title, build = self.build, opts = merged}, Family)
end

-- entries() -> list of {name, decl}, aliases {old = new}: what ratio.params declares.
function Family:entries()
  local list, aliases = self.build(self.opts)
  aliases = aliases or {}
  for old, new in pairs(self.opts.aliases or {}) do aliases[old] = new end
  for _, e in ipairs(list) do e[2].group = e[2].group or self.title end
  return list, aliases
end

function M.is_family(v) return getmetatable(v) == Family end

-- The members of every LLM family, in the order --help shows them.
M.LLM_FIELDS = {"provider", "model", "base_url", "max_tries", "temperature", "max_tokens", "top_p", "seed",
                "reasoning_effort", "stop", "extra_body"}

M.EFFORTS = {"none", "minimal", "low", "medium", "high", "xhigh", "max"}

local function llm_family(prefix, title, what)
  return family(prefix, title, function(o)
    local who = o.what or what
    local model = o.required and {nil, who .. ": the model id", required = true}
      or {o.default_model or "", who .. ": the model id" .. (o.when and (" (required " .. o.when .. ")") or "")}
    local base_url = {"", who .. ": base URL with the API path, e.g. http://127.0.0.1:8000/v1; several, comma-separated, are used least-busy first (empty: $OPENAI_BASE_URL or $ANTHROPIC_BASE_URL, else the provider's)"}
    if o.base_url_required then base_url = {nil, who .. ": base URL with the API path, e.g. http://127.0.0.1:8000/v1", required = true} end
    local list = {
      {"provider", {"openai", who .. ": provider plugin (plugins/providers/)", choices = {"openai", "anthropic"}}},
      {"model", model},
      {"base_url", base_url},
      {"max_tries", {6, who .. ": tries per call before it fails for good (429, 5xx, timeouts and dropped connections are retried with backoff)", type = "integer", min = 1}},
      {"temperature", {nil, who .. ": sampling temperature (unset: not sent; reasoning models accept only their default)", type = "number", min = 0, max = 2}},
      {"max_tokens", {nil, who .. ": longest reply in tokens, reasoning included (unset: not sent; sent as max_completion_tokens to OpenAI reasoning models; anthropic: 16384, the API requires one)", type = "integer", min = 1}},
      {"top_p", {nil, who .. ": nucleus sampling (unset: not sent)", type = "number", min = 0, max = 1}},
      {"seed", {nil, who .. ": sampling seed, where the API has one (unset: not sent)", type = "integer"}},
      {"reasoning_effort", {nil, who .. ": reasoning effort of reasoning models (unset: not sent; anthropic: output_config.effort)", type = "string", choices = M.EFFORTS}},
      {"stop", {nil, who .. ": stop sequences (unset: not sent)", type = "list"}},
      {"extra_body", {nil, who .. [[: a JSON object merged into each request body, e.g. '{"chat_template_kwargs": {"enable_thinking": false}}' for vLLM/SGLang (unset: none)]], type = "json"}},
    }
    local out, aliases = {}, {}
    for _, e in ipairs(list) do
      if not (e[1] == "model" and o.model == false) then out[#out + 1] = {prefix .. "_" .. e[1], e[2]} end
    end
    if o.legacy then
      local old = o.legacy == "" and "" or o.legacy .. "_"
      for _, k in ipairs{"provider", "model", "base_url"} do
        if not (k == "model" and o.model == false) then aliases[old .. k] = prefix .. "_" .. k end
      end
    end
    return out, aliases
  end)
end

M.judge = llm_family("judge", "Judge LLM (--judge-*)", "judge")
M.metajudge = llm_family("metajudge", "MetaJudge LLM (--metajudge-*)", "MetaJudge")
M.llm = llm_family("llm", "LLM (--llm-*)", "LLM")

-- The embedding model of the embedding matcher: --embed-model, --embed-base-url (model = false:
-- the recipe names its models otherwise, e.g. sweep's --embed-models).
M.embed = family("embed", "Embedding matcher (--embed-*)", function(o)
  local list = {}
  if o.model ~= false then
    list[#list + 1] = {"embed_model", {"", "embedding matcher: the embedding model (required with --matcher embedding)"}}
  end
  list[#list + 1] = {"embed_base_url", {"", "embedding matcher: base URL (empty: $OPENAI_BASE_URL, else the provider's)"}}
  return list
end)

-- --judges: the judges whose <name>-checklist (and <name>-label) a recipe reads.
M.judges = family("judges", nil, function(o)
  local d = o.required and {nil, o.help or "judges to read (<name>-checklist, <name>-label)", type = "list", required = true}
    or {o.default or {}, o.help or "judges to read (<name>-checklist, <name>-label)", type = "list"}
  return {{"judges", d}}
end)

-- --mode: the metric definitions. One default everywhere: paper (docs/metrics.md); reference
-- reproduces the published metajudge_analysis.py.
M.mode = family("mode", nil, function()
  return {{"mode", {"paper", "metric definitions (docs/metrics.md): paper, or reference (the published analysis script)",
                    choices = {"paper", "reference"}}}}
end)

-- --similarity: the lexical matcher's similarity.
M.similarity = family("similarity", nil, function()
  return {{"similarity", {"jaccard", "lexical matcher: similarity", choices = {"jaccard", "char3", "bm25"}}}}
end)

-- The LLM matcher's prompt and preset: --metajudge-prompt (a copy of
-- plugins/matchers/templates/ratio.txt, a Lua file returning one, or the published
-- metajudge_infer.py itself) and --metajudge-preset. Options: preset_default, preset_choices,
-- prompt_help, prompt = false (the recipe takes its templates otherwise, e.g. sweep's --prompts).
M.metajudge_prompt = family("metajudge_prompt", "MetaJudge prompt", function(o)
  local list = {}
  if o.prompt ~= false then
    list[1] = {"metajudge_prompt", {"", o.prompt_help or "MetaJudge: the template: a copy of plugins/matchers/templates/ratio.txt, a Lua file returning one, or the published metajudge_infer.py itself (empty: ratio's)"}}
  end
  list[#list + 1] =
    {"metajudge_preset", {o.preset_default or "auto", "MetaJudge: ratio (no sampling settings of its own, an unreadable reply re-asked once), published (as metajudge_infer.py: temperature 0.6, 8192 tokens, up to 5 samples per item), or auto (published for the published script's prompt, else ratio); --metajudge-temperature and --metajudge-max-tokens win over the preset's",
                          choices = o.preset_choices or {"auto", "ratio", "published"}}}
  return list
end)

-- --matcher with what each matcher needs: --embed-model and --embed-base-url (embedding) and the
-- MetaJudge LLM family (llm). Options: choices (the matchers the recipe offers), default.
M.matcher = family("matcher", "Matcher", function(o)
  local choices = o.choices or {"lexical", "embedding", "llm"}
  local list = {{"matcher", {o.default or choices[1], o.help or "how rationales are matched", choices = choices}}}
  local offers = {}
  for _, c in ipairs(choices) do offers[c] = true end
  if offers.embedding then
    for _, e in ipairs((M.embed:entries())) do list[#list + 1] = e end
  end
  local aliases = {}
  if offers.llm then
    local mj = M.metajudge{when = "with --matcher llm", legacy = o.legacy, what = "MetaJudge"}
    local l, a = mj:entries()
    for _, e in ipairs(l) do list[#list + 1] = e end
    for k, v in pairs(a) do aliases[k] = v end
    for _, e in ipairs((M.metajudge_prompt:entries())) do list[#list + 1] = e end
  end
  return list, aliases
end)

-- The names of the shared flags, for the test that no recipe declares its own.
function M.shared_names()
  local names = {}
  for _, f in ipairs{M.judge, M.metajudge, M.metajudge_prompt, M.llm, M.embed, M.judges, M.mode, M.similarity, M.matcher} do
    for _, e in ipairs((f:entries())) do names[e[1]] = f.name end
  end
  return names
end

return M
