-- The shared flag families (ratio.flags) and how ratio.params takes them: one vocabulary across
-- recipes, old names that warn and still work, settings that are not sent unless given, and no
-- recipe declaring a judge/MetaJudge/LLM/matcher flag of its own.
local ratio = require "ratio"
local t = require "testlib"
local state = require "ratio.state"
local params = require "ratio.params"
local flags = require "ratio.flags"

-- Parses `args` against `spec` as a recipe's ratio.params would, without disturbing the runner's
-- own parameters. Returns values | nil, usage message; and what was written to stderr.
local function parse(spec, args)
  local saved = {params = state.params, args = state.args, list = state.param_list, help = state.options.help}
  local err_lines = {}
  local real_stderr = io.stderr
  io.stderr = {write = function(_, ...) for _, s in ipairs{...} do err_lines[#err_lines + 1] = s end end}
  state.params, state.args, state.options.help = nil, args, nil
  local ok, v = pcall(params.params, spec)
  io.stderr = real_stderr
  local list = state.param_list
  state.params, state.args, state.param_list, state.options.help = saved.params, saved.args, saved.list, saved.help
  if not ok then
    if require("ratio.errors").is_exit(v) then return nil, v.message, table.concat(err_lines) end
    error(v, 0)
  end
  return v, nil, table.concat(err_lines), list
end

t.test("an LLM family: settings unset by default, converted and checked when given", function()
  local p = assert(parse({ratio.flags.judge{required = true}}, {"--judge-model", "m"}))
  for _, k in ipairs{"temperature", "max_tokens", "top_p", "seed", "reasoning_effort", "stop", "extra_body"} do
    t.eq(p["judge_" .. k], nil, k)
  end
  t.eq(p.judge_provider, "openai")
  p = assert(parse({ratio.flags.judge}, {"--judge-model", "m", "--judge-temperature", "0.2",
    "--judge-max-tokens", "300", "--judge-top-p", "0.9", "--judge-seed", "7", "--judge-reasoning-effort", "low",
    "--judge-stop", "</answer>,END", "--judge-extra-body", '{"chat_template_kwargs": {"enable_thinking": false}}'}))
  t.eq(p.judge_temperature, 0.2)
  t.eq(p.judge_max_tokens, 300)
  t.eq(p.judge_seed, 7)
  t.eq(p.judge_stop, {"</answer>", "END"})
  t.eq(p.judge_extra_body.chat_template_kwargs.enable_thinking, false)
  local _, msg = parse({ratio.flags.judge}, {"--judge-extra-body", "[1, 2]"})
  t.ok(msg and msg:find("--judge-extra-body: expected a JSON object", 1, true), msg)
  _, msg = parse({ratio.flags.judge}, {"--judge-extra-body", "[]"})
  t.ok(msg and msg:find("--judge-extra-body: expected a JSON object", 1, true), msg)
  t.eq(next(assert(parse({ratio.flags.judge}, {"--judge-extra-body", "{}"})).judge_extra_body), nil)
  _, msg = parse({ratio.flags.judge}, {"--judge-extra-body", "{nope"})
  t.ok(msg and msg:find("--judge-extra-body: not valid JSON", 1, true), msg)
  _, msg = parse({ratio.flags.judge}, {"--judge-reasoning-effort", "huge"})
  t.ok(msg and msg:find("expected one of none, minimal", 1, true), msg)
  _, msg = parse({ratio.flags.judge{required = true}}, {})
  t.eq(msg, "--judge-model: is required")
end)

t.test("old names still work, warn once on stderr, and p.<old> reads the new value", function()
  local spec = {ratio.flags.judges{default = {"a"}, aliases = {models = "judges"}}, ratio.flags.matcher{legacy = "judge"}}
  local p, msg, err = parse(spec, {"--models", "x,y", "--judge-model", "mj", "--matcher", "llm"})
  t.eq(msg, nil)
  t.eq(p.judges, {"x", "y"})
  t.eq(p.models, {"x", "y"})
  t.eq(p.metajudge_model, "mj")
  t.eq(p.judge_model, "mj")
  t.ok(err:find("ratio: --models is an old name of --judges", 1, true), err)
  t.ok(err:find("ratio: --judge-model is an old name of --metajudge-model", 1, true), err)
  t.eq(select(2, err:gsub("\n", "")), 2) -- one line each
  -- Old and new name together are the same flag given twice.
  local _, msg2 = parse(spec, {"--models", "x", "--judges", "y"})
  msg = msg2
  t.eq(msg, "--judges: given more than once")
end)

t.test("a recipe cannot declare a family's flag itself, nor pass anything else as a family", function()
  t.raises(function() parse({judge_model = {"", "mine"}, ratio.flags.judge}, {}) end, "declared twice")
  t.raises(function() parse({{"not a family"}}, {}) end, "is not a flag family")
end)

t.test("--help: required first, families under their titles, lists shown as lists", function()
  local _, _, _, list = parse({zzz = {"x", "an own flag"}, need = {nil, "a must", required = true},
                              ratio.flags.judges{}, ratio.flags.llm{legacy = ""}}, {"--need", "1"})
  local text = params.help_text(list)
  local pos = function(s) return assert(text:find(s, 1, true), s .. " not in:\n" .. text) end
  t.ok(pos("Required:\n  --need") < pos("Parameters:\n  --zzz TEXT"))
  t.ok(pos("  --zzz TEXT") < pos("  --judges A,B,..."))
  t.ok(pos("  --judges A,B,...") < pos("LLM (--llm-*):\n  --llm-provider CHOICE"))
  t.ok(pos("--llm-stop A,B,...") > pos("--llm-model TEXT"))
  pos("(old name: --model)")
  pos("--llm-extra-body JSON")
end)

-- Each recipe's own declarations (the `name = {` lines of its ratio.params block).
local function own_params(path)
  local f = assert(io.open(path))
  local src = f:read("a")
  f:close()
  local block = src:match("ratio%.params(%b{})")
  assert(block, path .. ": no ratio.params{...} block")
  local names = {}
  for name in block:gmatch("\n  ([%a_][%w_]*) = {") do names[#names + 1] = name end
  return names, block
end

-- Grid axes of sweep that name several models at once: not a family member.
local EXEMPT = {["sweep.lua"] = {matcher_models = true, embed_models = true, matchers = true}}

t.test("no recipe declares a judge/MetaJudge/LLM/matcher/mode flag of its own", function()
  local shared = flags.shared_names()
  local dir = state.root .. "/recipes"
  local ls = assert(io.popen(("ls %q"):format(dir)))
  local n = 0
  for name in ls:lines() do
    if name:match("%.lua$") then
      n = n + 1
      local own = own_params(dir .. "/" .. name)
      for _, k in ipairs(own) do
        local exempt = EXEMPT[name] and EXEMPT[name][k]
        t.ok(exempt or not shared[k], ("%s declares --%s itself: use ratio.flags.%s"):format(name, k:gsub("_", "-"), shared[k]))
        t.ok(exempt or not (k:match("^judge_") or k:match("^metajudge_") or k:match("^llm_") or k:match("^embed_")
          or k == "judges" or k == "models" or k == "model" or k == "base_url" or k == "provider"
          or k == "temperature" or k == "max_tokens"),
          ("%s declares --%s: LLM and judge flags come from ratio.flags"):format(name, k:gsub("_", "-")))
      end
    end
  end
  ls:close()
  t.ok(n >= 13, "recipes found: " .. n)
end)

t.test("ratio.llm.from_params: a family's settings become the client's, unset ones absent", function()
  local p = assert(parse({ratio.flags.metajudge}, {"--metajudge-model", "qwen3", "--metajudge-base-url",
    "http://127.0.0.1:9/v1", "--metajudge-temperature", "0.6", "--metajudge-extra-body", '{"top_k": 20}'}))
  local c = ratio.llm.from_params(p, "metajudge")
  t.eq(c.model, "qwen3")
  t.eq(c.params, {temperature = 0.6, extra_body = {top_k = 20}})
  local bad = assert(parse({ratio.flags.metajudge}, {"--metajudge-model", "m", "--metajudge-base-url", "localhost:8000/v1"}))
  local ok, e = pcall(ratio.llm.from_params, bad, "metajudge")
  t.ok(not ok and e.message:find("--metajudge-base-url: 'localhost:8000/v1' has no scheme", 1, true), tostring(e))
  local empty = assert(parse({ratio.flags.metajudge}, {}))
  ok, e = pcall(ratio.llm.from_params, empty, "metajudge")
  t.ok(not ok and e.message == "--metajudge-model: is required", tostring(e))
  local seeded = assert(parse({ratio.flags.metajudge}, {"--metajudge-model", "claude", "--metajudge-provider",
    "anthropic", "--metajudge-seed", "3"}))
  ok, e = pcall(ratio.llm.from_params, seeded, "metajudge")
  t.ok(not ok and e.message:find("--metajudge-seed: the Anthropic Messages API has no seed", 1, true), tostring(e))
end)
