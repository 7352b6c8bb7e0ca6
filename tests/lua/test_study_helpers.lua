-- The library parts the recipes' plumbing moved into: ratio.stats.rank_quantile, ratio.prompts.load,
-- ratio.study.load_test / analyze_dir / analyze_table, ratio.dataset.select / write,
-- ratio.prices.estimate, ratio.decomposition and ratio.reproduction's helpers, on small inputs with
-- hand-checked answers (the recipes' whole outputs are in tests/golden).
local ratio = require "ratio"
local t = require "testlib"
local state = require "ratio.state"

local function tmpdir()
  local p = os.tmpname()
  os.remove(p)
  assert(require("ratio.core.sys").mkdir_p(p))
  return p
end

local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

-- quietly(fn): runs fn with --quiet, so a helper's warnings stay out of the test output.
local function quietly(fn)
  local was = state.options.quiet
  state.options.quiet = true
  local ok, err = pcall(fn)
  state.options.quiet = was
  if not ok then error(err, 0) end
end

t.test("a value from a line shows as JSON text in an error, never as a Lua address", function()
  local d = require "ratio.dataset"
  local json = ratio.json
  t.eq(d.shown(json.decode("[2]")), "a list")
  t.eq(d.shown(json.decode('{"x": 1}')), "an object")
  t.eq(d.shown(json.null), "null")
  t.eq(d.shown("A<<<B"), '"A<<<B"')
  t.eq(d.shown(1.5), "1.5")
  t.eq(#d.shown(("x"):rep(500)), 65)
  t.eq(d.check({["human-checklist"] = {"a"}, overall_preference = json.decode("[2]")}),
       "overall_preference: expected a number from -3 to 3, got a list")
end)

t.test("rank_quantile is the nearest rank of a sorted list", function()
  local x = {}
  for i = 1, 10 do x[i] = i * 10 end
  t.eq(ratio.stats.rank_quantile(x, 0.5), 50)
  t.eq(ratio.stats.rank_quantile(x, 0.99), 100)
  t.eq(ratio.stats.rank_quantile(x, 0.01), 10)
  t.eq(ratio.stats.rank_quantile(x, 0), 10, "q = 0 is the smallest")
  t.eq(ratio.stats.rank_quantile(x, 1), 100, "q = 1 is the largest")
  t.eq(ratio.stats.rank_quantile({}, 0.5), nil)
end)

t.test("prompts.load reads a Lua file returning a template and says what is wrong with one", function()
  local dir = tmpdir()
  local check = ratio.decompose.check_template
  write(dir .. "/ok.lua", 'return "Explanations:\\n{{explanations}}"')
  write(dir .. "/number.lua", "return 42")
  write(dir .. "/none.lua", 'return "no placeholder"')
  write(dir .. "/raises.lua", 'error("broken on purpose", 0)')
  write(dir .. "/syntax.lua", "return (")
  t.eq(ratio.prompts.load(dir .. "/ok.lua", check), "Explanations:\n{{explanations}}")
  local v, err = ratio.prompts.load(dir .. "/number.lua", check)
  t.eq(v, nil)
  t.eq(err, dir .. "/number.lua must return the template as a string, not a number")
  v, err = ratio.prompts.load(dir .. "/none.lua", check)
  t.eq(err, dir .. "/none.lua: the template has no {{explanations}} placeholder")
  t.eq(ratio.prompts.load(dir .. "/none.lua"), "no placeholder", "no check: any string")
  v, err = ratio.prompts.load(dir .. "/raises.lua")
  t.eq(err, "broken on purpose")
  v, err = ratio.prompts.load(dir .. "/syntax.lua")
  t.ok(v == nil and err:find("syntax.lua:1:", 1, true), err)
  v, err = ratio.prompts.load(dir .. "/absent.lua")
  t.ok(v == nil and err:find("absent.lua", 1, true), err)
end)

t.test("load_test counts successes and failures and takes latencies of the successes only", function()
  local s
  quietly(function()
    s = ratio.study.load_test(9, function(i)
      if i % 3 == 0 then return nil, "failed " .. i end
      return "reply " .. i
    end, {concurrency = 2})
  end)
  t.eq({s.requests, s.ok, s.failed}, {9, 6, 3})
  t.ok(type(s.p50_ms) == "number" and s.p50_ms <= s.p99_ms and s.rps > 0, ratio.json.encode(s))
  local none
  quietly(function() none = ratio.study.load_test(2, function() return nil, "down" end, {concurrency = 1}) end)
  t.eq({none.ok, none.failed, none.p50_ms, none.p99_ms}, {0, 2, ratio.json.null, ratio.json.null})
  local line = ratio.study.load_text(none)
  t.ok(line:find("^2 requests, 0 ok, 2 failed in [%d.]+ s: 0 req/s, p50 0.0 ms, p99 0.0 ms$"), line)
end)

-- A MetaJudge output line in the published format: two human rationales, judge m's two reasons and
-- a score block matching rationale i with reason i at `score` (0: no match).
local function mj_line(score)
  local human, pairs_ = {}, {}
  for i = 1, 2 do human[i] = "human point " .. i pairs_[i] = {r = i, s = score > 0 and i or 0, score = score} end
  return ratio.json.encode({prompt = "p", status = "success",
    samples = {{generated_text = ratio.metrics.block(pairs_)}},
    metadata = {["human-checklist"] = human, ["m-checklist"] = {"reason one", "reason two"}}}) .. "\n"
end

t.test("analyze_dir ranks every output file, skips inputs by name and leaves out what it cannot score", function()
  local dir = tmpdir()
  write(dir .. "/m-good-meta_eval.jsonl", mj_line(1) .. mj_line(1))
  write(dir .. "/m-half-meta_eval.jsonl", mj_line(1) .. mj_line(0))
  write(dir .. "/m-input.jsonl", mj_line(1)) -- an input file: skipped by its name, silently
  write(dir .. "/nobody.jsonl", '{"metadata": {"human-checklist": ["x"]}}\n')
  write(dir .. "/notes.txt", "not a .jsonl file")
  local models, skipped
  quietly(function()
    models, skipped = ratio.study.analyze_dir(dir .. "/", {mode = "paper", top_k = 5, max_checklist_len = 10,
      resamples = 100, seed = 1, sort_by = "recall"})
  end)
  t.eq(#models, 2)
  t.eq({models[1].file, models[2].file}, {"m-good-meta_eval.jsonl", "m-half-meta_eval.jsonl"})
  t.eq({models[1].model, models[1].recall, models[2].recall}, {"m", 1.0, 0.5})
  t.eq(skipped, {{file = "nobody.jsonl", reason = "no <judge>-checklist in the first line's metadata"}})
  local one = ratio.study.analyze_file(dir .. "/m-half-meta_eval.jsonl", "m", {mode = "paper", top_k = 5,
    max_checklist_len = 10, resamples = 100, seed = 1})
  t.eq(one.recall, models[2].recall, "a file's numbers are those --input gives")
  local header, rows = ratio.study.analyze_table(models, "file")
  t.eq(header[2], "file")
  t.eq({rows[1][2], rows[1][3], rows[1][7]:match("^%S+")}, {"m-good-meta_eval.jsonl", "2", "1.000"})
  t.eq(({ratio.study.analyze_table({one})})[2][1][2], "paper", "one file: the mode in the second column")
  t.eq({ratio.study.analyze_dir(dir .. "/notes.txt", {})}, {nil, dir .. "/notes.txt is not a folder"})
end)

t.test("dataset.select keeps the first N items of the domains asked for; dataset.write drops _line", function()
  local items = {}
  for i, d in ipairs{"code", "stem", "code", "code", "general", "stem"} do
    items[i] = {id = i, domain = d, _line = i}
  end
  local got, per = ratio.dataset.select(items, {domains = {"code", "stem"}, limit = 2})
  local ids = {}
  for i, it in ipairs(got) do ids[i] = it.id end
  t.eq(ids, {1, 2, 3, 6})
  t.eq(per, {code = 2, stem = 2})
  local all, per_all = ratio.dataset.select(items, {domains = {}, limit = 0})
  t.eq(#all, 6)
  t.eq(per_all, {code = 3, stem = 2, general = 1})
  local path = tmpdir() .. "/out.jsonl"
  ratio.dataset.write(path, {items[1]})
  t.eq(ratio.jsonl.read_all(path), {{id = 1, domain = "code"}})
  t.eq(items[1]._line, 1, "the item keeps its _line")
end)

t.test("prices.estimate adds calls per model in order of first use, unpriced models apart", function()
  local prices = require "ratio.prices"
  local est = prices.estimate()
  est:add("gpt-4o", 2, 1000, 500)
  est:add("mystery-model", 1, 10, 10)
  est:add("gpt-4o", 1, 1000, 0)
  local e = est:totals()
  t.near(e.usd, (2000 * 2.50 + 500 * 10.00) / 1e6)
  t.eq(e.unpriced, {"mystery-model"})
  t.eq(e.models[1], {model = "gpt-4o", calls = 3, input_tokens = 2000, output_tokens = 500, cost_usd = e.usd})
  t.eq(e.rows[2], {"mystery-model", "1", "10", "10", "no price"})
  t.eq(prices.tokens(("x"):rep(10)), 3)
end)

-- A decomposer's valid result with these rationales and dropped reasons.
-- failed(msg) -> what ratio.map records for a task that raised msg
local function failed(msg)
  return ratio.map({1}, function() error(msg, 0) end, {on_error = "record"})[1]
end

local function valid(rationales, dropped)
  local d = {}
  for i, r in ipairs(dropped or {}) do d[i] = {point = "point " .. i, reason = r} end
  return {status = "valid", rationales = rationales, dropped = d, raw = {"reply"}, reasks = 0, issues = {}}
end

t.test("decomposition: per item records, the range, the summary and two prompts compared", function()
  local items = {
    {id = "a1", domain = "code", ["human-checklist"] = {"the loop never ends", "the answer is wrong"}},
    {id = "a2", domain = "code"},
    {id = "a3", domain = "stem"},
  }
  local prompts = {{key = "a", source = "built-in", sha256 = "x"}, {key = "b", source = "b.lua", sha256 = "y"}}
  local results = {
    {valid({"the loop never ends", "the answer is wrong", "no tests"}, {"vague: says which is better"}),
     valid({"the loop never ends"})},
    {valid({"one"}), {status = "unscored", rationales = {}, dropped = {}, raw = {"?"}, reasks = 1}},
    failed("boom"), -- a task that raised: kept as failed under both prompts
  }
  local d = ratio.decomposition.collect(items, {1, 2, 3}, results, prompts, {range = {2, 3}, min_score = 0.5,
    matcher = ratio.metajudge.matcher("lexical"), info = {bad_lines = 0, bad_items = 0, errors = {}}})
  local rows = d.per_item
  t.eq({rows[1].a.n, rows[1].a.range, rows[1].b.range, rows[2].a.range}, {3, "kept", "below", "below"})
  t.eq(rows[1].a.input_overlap, 0.8, "both human points among three: 2 x 2 shared / (3 + 2)")
  t.eq({rows[3].a.status, rows[3].b.status, rows[3].a.error}, {"failed", "failed", "boom"})
  t.ok(rows[1].comparison and not rows[2].comparison, "compared only where both are valid")
  local s = d:summarize{input = "in.jsonl", model = "m", keep_range = "2-3", strengths = false, show = 5}
  local a, b = s.prompts.a, s.prompts.b
  t.eq({a.valid, a.failed, b.valid, b.unscored, b.failed, b.reasks}, {2, 1, 1, 1, 1, 1})
  t.eq({a.range.kept, a.range.below, a.range.below_ids}, {1, 1, {"a2"}})
  t.eq({a.rationales.total, a.rationales.mean, a.kept_counts.n, a.kept_counts.mean}, {4, 2.0, 1, 3.0})
  t.eq(a.dropped_by_kind, {vague = 1})
  t.eq({s.mode, s.keep_range, s.comparison.items, s.comparison.mean_count_a}, {"side-by-side", "2-3", 1, 3.0})
  t.eq(s.comparison.disagree_most[1].id, "a1")
  local one = ratio.decomposition.collect(items, {1, 2, 3}, {{results[1][1]}, {results[2][1]}, results[3]},
    {prompts[1]}, {min_score = 0.5, info = {bad_lines = 0, bad_items = 0, errors = {}}})
    :summarize{input = "in.jsonl", model = "m", keep_range = "all"}
  t.eq({one.mode, one.keep_range, one.prompts.a.range, one.comparison}, {"single", "all", nil, nil})
end)

t.test("reproduction: judge specs, published entries, and a judge's answer written into the item", function()
  local R = ratio.reproduction
  t.eq(R.judge_spec("careful"), {name = "careful"})
  t.eq(R.judge_spec("openai:gpt-4o@http://h:1/v1"),
       {name = "gpt-4o", provider = "openai", model = "gpt-4o", base_url = "http://h:1/v1"})
  t.eq(R.judge_spec("me=anthropic:claude/x y"), {name = "me", provider = "anthropic", model = "claude/x y"})
  t.eq(R.judge_spec("openai:org/m:1").name, "org_m_1")
  t.eq({R.judge_spec("vllm:m")}, {nil, "'vllm:m': the provider must be openai or anthropic"})
  local pub = ratio.study.published()
  t.eq(R.entry_for(pub, "openai/GPT-4o-2024-08-06"), "gpt-4o")
  t.eq(R.entry_for(pub, "fake-judge"), nil)
  t.eq(R.published_as(pub, {"x=o3-mini"}), {x = "o3-mini"})
  t.eq({R.published_as(pub, {"x=gpt-99"})},
       {nil, "'x=gpt-99' is not JUDGE=ENTRY with an entry of data/published.json"})
  local j, item = {name = "j"}, {}
  R.store(j, item, {status = "ok", reasons = {"r1"}, label = "A>B", text = "the reply"})
  t.eq({item["j-checklist"], item["j-label"], item["j-generated_text"], j.unjudged},
       {{"r1"}, "A>B", "the reply", 0})
  R.store(j, item, failed("down"))
  t.eq({#item["j-checklist"], item["j-label"], j.failed, j.error, j.unjudged}, {0, ratio.json.null, 1, "down", 1})
  t.eq(R.have({{["J-Checklist"] = {}}, {}}, "j"), 1, "the checklist key is found whatever its case")
end)

t.test("sys.read_file reads every byte of a file, or says why it cannot", function()
  local sys = require "ratio.core.sys"
  local dir = tmpdir()
  local big = ("ab\0\255\n"):rep(40000) -- 200 KB with NULs and high bytes, past any one buffer
  write(dir .. "/big.bin", big)
  t.eq(sys.read_file(dir .. "/big.bin"), big)
  write(dir .. "/empty", "")
  t.eq(sys.read_file(dir .. "/empty"), "")
  local v, err = sys.read_file(dir .. "/missing")
  t.eq(v, nil)
  t.eq(err, dir .. "/missing: No such file or directory")
  v, err = sys.read_file(dir)
  t.eq({v, err}, {nil, dir .. ": Is a directory"})
end)
