# decompose.lua and audit.lua: decomposition against the fake LLM (one prompt, two prompts side by
# side, the 3-7 filter, re-ask and unscored, the output read by metajudge.lua), the rationale audit
# with the heuristic on the sample data and with the fake LLM, usage errors, and --help.

# check_json FILE LUA-BODY: runs LUA-BODY with `s` = the decoded JSON of FILE (or `items` = the
# lines of a .jsonl FILE); fails the test with the assertion's message if it raises.
check_json() {
  cat > check.lua <<LUA
local ratio = require "ratio"
local p = ratio.params{ file = {nil, "file", type = "file", required = true} }
local s, items
if p.file:match("%.jsonl$") then
  items = {}
  for v in ratio.jsonl.lines(p.file) do items[#items + 1] = v end
else
  local f = assert(io.open(p.file))
  s = assert(ratio.json.decode(f:read("a")))
  f:close()
end
$2
return {ok = true}
LUA
  ratio run check.lua --file "$1"
  [ "$RC" = 0 ] || fail "check of $1: $(head -c 600 <<<"$ERR")"
}

# decompose_data: 8 sample items, then one whose first explanation says GARBLE (re-asked) and one
# saying NEVERPARSE (unscored).
decompose_data() {
  head -n 8 "$ROOT/data/sample.jsonl" > d.jsonl
  sed -n 9p "$ROOT/data/sample.jsonl" | sed 's/"reasoning": "/"reasoning": "GARBLE /' >> d.jsonl
  sed -n 10p "$ROOT/data/sample.jsonl" | sed 's/"reasoning": "/"reasoning": "NEVERPARSE /' >> d.jsonl
}

t_decompose_fake_llm_keep_range_then_metajudge() {
  start_fake --responder "$ROOT/tests/fake/decompose_responder.lua" || return
  decompose_data
  ratio run "$ROOT/recipes/decompose.lua" --input d.jsonl --llm-model fake-decomposer \
    --llm-base-url "$FAKE_URL/v1" --keep-range 3-7 --out dec --cache c.sqlite --json
  expect_rc 0
  for f in items.jsonl summary.json manifest.json report.html decomposed.jsonl; do expect_file "dec/$f"; done
  check_json dec/summary.json '
local a = s.prompts.a
assert(s.items == 10 and s.mode == "single", "items/mode")
assert(a.valid == 9 and a.unscored == 1 and a.failed == 0, ("statuses %d/%d/%d"):format(a.valid, a.unscored, a.failed))
assert(a.reasks >= 2, "re-asks: " .. a.reasks) -- the GARBLE item once, the NEVERPARSE item once
local r = a.range
assert(r.kept + r.below + r.above == a.valid, "the range accounts for every valid item")
assert(r.below + r.above > 0, "some items fall outside 3-7 on this data")
assert(#r.below_ids == r.below and #r.above_ids == r.above, "out-of-range items are named")
assert(a.written == r.kept, "written " .. a.written .. ", kept " .. r.kept)
assert(a.rationales.mean > 3, "mean " .. a.rationales.mean)
assert(a.dropped.total > 0 and a.dropped_by_kind.vague > 0, "dropped points with reasons")'
  check_json dec/decomposed.jsonl '
assert(#items > 0)
for _, it in ipairs(items) do
  local n = #it["human-checklist"]
  assert(n >= 3 and n <= 7, it.id .. " has " .. n .. " rationales")
  local d = it["ratio-decompose"]
  assert(d.model == "fake-decomposer" and #d.prompt_sha256 == 64, "provenance")
  assert(type(d.previous_human_checklist) == "table", "the old checklist is kept")
  for _, x in ipairs(d.dropped) do assert(x.point ~= "" and x.reason ~= "", "a dropped point has its reason") end
  assert(it.response1 and it.individual_preference, "input fields kept")
end'
  check_json dec/items.jsonl '
assert(#items == 10, "one line per input item")
local garbled, never = items[9], items[10]
assert(garbled.status == "valid" and garbled.reasks == 1 and #garbled.raw == 2, "the re-asked item")
assert(never.status == "unscored" and #never.raw == 2, "the unscored item keeps both replies")
assert(never.raw[1]:find("Response 1 is better", 1, true), "raw text kept")'
  grep -q '"decompose": "' dec/manifest.json || fail "the prompt hash is not in the manifest"
  # The decomposed file feeds the MetaJudge recipe as it is.
  ratio run "$ROOT/recipes/metajudge.lua" --input dec/decomposed.jsonl --judges careful --out mj --json
  expect_rc 0
  local kept
  kept=$(wc -l < dec/decomposed.jsonl)
  grep -q "\"valid\":$kept" <<<"$OUT" || fail "metajudge on decomposed.jsonl: expected $kept valid: $(head -c 400 <<<"$OUT")"
  stop_fake
}

t_decompose_side_by_side() {
  start_fake --responder "$ROOT/tests/fake/decompose_responder.lua" || return
  head -n 12 "$ROOT/data/sample.jsonl" > d.jsonl
  cp "$ROOT/tests/fixtures/decompose_strict.lua" strict.lua # few rationales, none about style
  ratio run "$ROOT/recipes/decompose.lua" --input d.jsonl --llm-model fake-decomposer \
    --llm-base-url "$FAKE_URL/v1" --prompt-b strict.lua --show 2 --out sbs --cache c.sqlite
  expect_rc 0
  expect_out_has "overlap"
  expect_out_has "Where the two prompts disagree most:"
  expect_out_has "B dropped: "
  expect_out_has "(over the limit of 3)"
  for f in decomposed-a.jsonl decomposed-b.jsonl items.jsonl summary.json report.html; do expect_file "sbs/$f"; done
  check_json sbs/summary.json '
local c = s.comparison
assert(s.mode == "side-by-side" and c.items == 12, "twelve items compared")
assert(c.mean_count_b <= 3, "prompt b asks for at most 3: " .. c.mean_count_b)
assert(c.mean_count_a > c.mean_count_b, "prompt a keeps more")
assert(c.mean_overlap > 0 and c.mean_overlap < 1, "overlap " .. c.mean_overlap)
assert(#c.disagree_most == 2, "--show 2")
assert(c.disagree_most[1].overlap <= c.disagree_most[2].overlap, "most disagreement first")
assert(s.prompts.b.dropped_by_kind.style > 0, "b drops style points and says so")
assert(s.prompts.a.prompt == "built-in" and s.prompts.b.prompt == "strict.lua")'
  check_json sbs/items.jsonl '
for _, it in ipairs(items) do
  local c = it.comparison
  assert(it.a.n and it.b.n and c, it.id)
  assert(c.shared <= math.min(it.a.n, it.b.n), "one-to-one")
  assert(#c.only_a == it.a.n - c.shared and #c.only_b == it.b.n - c.shared, "unmatched lists")
  assert(type(it.a.dropped) == "table" and type(it.b.dropped) == "table")
end'
  grep -q '"decompose_a": "' sbs/manifest.json && grep -q '"decompose_b": "' sbs/manifest.json ||
    fail "both prompt hashes belong in the manifest"
  stop_fake
}

t_decompose_usage_and_data_errors() {
  head -n 2 "$ROOT/data/sample.jsonl" > d.jsonl
  ratio run "$ROOT/recipes/decompose.lua" --input d.jsonl
  expect_rc 2
  expect_err_first "ratio: --llm-model: is required"
  ratio run "$ROOT/recipes/decompose.lua" --input d.jsonl --llm-model m --keep-range 7-3
  expect_rc 2
  expect_err_first "ratio: --keep-range: '7-3' is an empty range"
  echo 'return "no placeholder here"' > p.lua
  ratio run "$ROOT/recipes/decompose.lua" --input d.jsonl --llm-model m --prompt-b p.lua
  expect_rc 2
  expect_err_first "ratio: --prompt-b: p.lua: the template has no {{explanations}} placeholder"
  echo 'return 42' > q.lua
  ratio run "$ROOT/recipes/decompose.lua" --input d.jsonl --llm-model m --prompt-a q.lua
  expect_rc 2
  expect_err_first "ratio: --prompt-a: q.lua must return the template as a string, not a number"
  sed -n 3p "$ROOT/data/sample.jsonl" | sed 's/"individual_preference": \[/"individual_preference": 5, "x": [/' >> d.jsonl
  ratio run "$ROOT/recipes/decompose.lua" --input d.jsonl --llm-model m --llm-base-url http://127.0.0.1:1/v1
  expect_rc 1
  expect_err_first "ratio: d.jsonl:3: individual_preference: expected a list of annotators"
}

t_audit_heuristic_on_sample() {
  ratio run "$ROOT/recipes/audit.lua" --out au --json
  expect_rc 0
  for f in items.jsonl summary.json manifest.json report.html; do expect_file "au/$f"; done
  [ "$(wc -l < au/items.jsonl)" = 48 ] || fail "items.jsonl lines: $(wc -l < au/items.jsonl)"
  # The teaching point: careful mostly cites evidence, skimmer mostly talks style.
  check_json au/summary.json '
local c, k = s.judges.careful, s.judges.skimmer
assert(c.types["evidence-grounded"].share > 0.6, "careful evidence share " .. c.types["evidence-grounded"].share)
assert(k.types["generic/style"].share > 0.8, "skimmer generic share " .. k.types["generic/style"].share)
assert(c.types["evidence-grounded"].ci.lo > k.types["evidence-grounded"].ci.hi, "CIs apart")
assert(k.flags["style-only"].share > c.flags["style-only"].share, "style-only")
assert(c.rationales.classified == c.rationales.total and c.items.valid == 48)
local sum = 0
for _, t in pairs(c.types) do sum = sum + t.count end
assert(sum == c.rationales.classified, "every reason has one type")
assert(s.definitions["one-sided-praise"], "definitions in the summary")'
  check_json au/items.jsonl '
local r = items[1].judges.careful.reasons[1]
assert(r.type and r.rules and #r.rules > 0, "each label says which rules fired")'
  grep -q "<table>" au/report.html || fail "report.html has no table"
}

t_audit_llm_fake_matches_heuristic_and_counts_failures() {
  start_fake --responder "$ROOT/tests/fake/audit_responder.lua" || return
  head -n 12 "$ROOT/data/sample.jsonl" > d.jsonl
  ratio run "$ROOT/recipes/audit.lua" --input d.jsonl --classifier llm --llm-model fake-auditor \
    --llm-base-url "$FAKE_URL/v1" --out llm --cache c.sqlite --json
  expect_rc 0
  ratio run "$ROOT/recipes/audit.lua" --input d.jsonl --out heur --json
  expect_rc 0
  # The fake labels with the heuristic but writes loose layouts: the parser must recover them all.
  cp heur/summary.json heur.json
  check_json llm/summary.json '
local f = assert(io.open("heur.json"))
local h = assert(ratio.json.decode(f:read("a")))
for _, j in ipairs{"careful", "skimmer"} do
  for t, d in pairs(s.judges[j].types) do assert(d.count == h.judges[j].types[t].count, j .. " " .. t) end
  for t, d in pairs(s.judges[j].flags) do assert(d.count == h.judges[j].flags[t].count, j .. " " .. t) end
end
assert(s.model == "fake-auditor" and s.usage["fake-auditor"].calls == 24)'
  # Faults: a re-ask, a reply that never parses, a left-out line, an unknown flag.
  head -n 2 "$ROOT/data/sample.jsonl" > e.jsonl
  sed -n 3p "$ROOT/data/sample.jsonl" | sed 's/"careful-checklist": \["/"careful-checklist": ["GARBLE /' >> e.jsonl
  sed -n 4p "$ROOT/data/sample.jsonl" | sed 's/"careful-checklist": \["/"careful-checklist": ["NEVERPARSE /' >> e.jsonl
  sed -n 5p "$ROOT/data/sample.jsonl" | sed 's/"careful-checklist": \["/"careful-checklist": ["DROPLINE /' >> e.jsonl
  sed -n 6p "$ROOT/data/sample.jsonl" | sed 's/"careful-checklist": \["/"careful-checklist": ["ODDFLAG /' >> e.jsonl
  ratio run "$ROOT/recipes/audit.lua" --input e.jsonl --judges careful --classifier llm --llm-model fake-auditor \
    --llm-base-url "$FAKE_URL/v1" --out faults --cache c.sqlite --json
  expect_rc 0
  check_json faults/summary.json '
local c = s.judges.careful
assert(c.items.valid == 4 and c.items.unscored == 1 and c.items.partial == 1, "items " .. ratio.json.encode(c.items))
assert(c.rationales.unscored > 1 and c.unknown_flags == 1, "rationales " .. ratio.json.encode(c.rationales))
assert(c.rationales.classified + c.rationales.unscored == c.rationales.total)'
  check_json faults/items.jsonl '
assert(items[3].judges.careful.reasks == 1 and items[3].judges.careful.status == "valid", "re-asked")
local never = items[4].judges.careful
assert(never.status == "unscored" and never.raw[2] == "These reasons are a mixed bag.", "raw kept")
assert(items[5].judges.careful.reasons[1].status == "unscored", "the left-out line")
assert(items[6].judges.careful.reasons[1].unknown_flags[1] == "made up flag", "unknown flag kept")'
  grep -q '"audit": "' faults/manifest.json || fail "the prompt hash is not in the manifest"
  stop_fake
}

t_audit_usage_errors() {
  ratio run "$ROOT/recipes/audit.lua" --classifier llm
  expect_rc 2
  expect_err_first "ratio: --llm-model: is required with --classifier llm"
  echo 'return "x"' > t.lua
  ratio run "$ROOT/recipes/audit.lua" --template t.lua
  expect_rc 2
  expect_err_first "ratio: --template: only the llm classifier reads a prompt"
  ratio run "$ROOT/recipes/audit.lua" --classifier llm --llm-model m --template t.lua
  expect_rc 2
  expect_err_first "ratio: --template: t.lua: the template has no {{reasons}} placeholder"
  head -n 1 "$ROOT/data/sample.jsonl" | sed 's/"skimmer-checklist": \[/"skimmer-checklist": "x", "y": [/' > d.jsonl
  ratio run "$ROOT/recipes/audit.lua" --input d.jsonl
  expect_rc 1
  expect_err_first "ratio: d.jsonl:1: skimmer-checklist: expected a list of strings"
}

t_decompose_and_audit_help() {
  ratio run "$ROOT/recipes/decompose.lua" --help
  expect_rc 0
  expect_out_has "atomic rationales"
  expect_out_has "--keep-range TEXT"
  expect_out_has "--prompt-b FILE"
  expect_out_has "--llm-model TEXT"
  ratio run "$ROOT/recipes/audit.lua" --help
  expect_rc 0
  local w
  for w in evidence-grounded criterion-grounded generic/style style-only generic-correctness \
           generic-relevance one-sided-praise unfalsifiable non-sequitur contradiction \
           "--classifier CHOICE"; do
    expect_out_has "$w"
  done
}
