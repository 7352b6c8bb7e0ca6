# RM-Bench and JudgeBench: both recipes against the fake LLM with a judge that prefers the longer
# response (tests/fake/judge_responder.lua; for JudgeBench with one more marker,
# tests/fake/bench_judge_responder.lua), on the fixtures written for this project. In the RM-Bench
# fixture each style is at least 10% longer than the one before it (concise < detailed < detailed
# markdown) and the two sides of a style are within 10% of each other.

# check_summary FILE LUA-ASSERTIONS: runs the assertions with `s` bound to the decoded summary.
check_summary() {
  cat > check.lua <<LUA
local ratio = require "ratio"
local p = ratio.params{ file = {nil, "summary", type = "file", required = true} }
local f = assert(io.open(p.file))
local s = assert(ratio.json.decode(f:read("a")))
f:close()
local function near(a, b, what) assert(type(a) == "number" and math.abs(a - b) < 1e-9, what .. ": " .. tostring(a) .. ", expected " .. b) end
$2
return {}
LUA
  ratio run check.lua --file "$1"
  [ "$RC" = 0 ] || fail "summary $1: $ERR"
}

t_rmbench_help() {
  ratio run "$ROOT/recipes/rmbench.lua" --help
  expect_rc 0
  expect_out_has "Does the judge still pick the correct response when style pulls the other way?"
  expect_out_has "--order CHOICE"
  ratio run "$ROOT/recipes/rmbench.lua"
  expect_rc 2
  expect_err_first "ratio: --judge-model: is required"
}

t_judgebench_help() {
  ratio run "$ROOT/recipes/judgebench.lua" --help
  expect_rc 0
  expect_out_has "Can the judge tell a correct answer from a plausible wrong one on hard questions?"
  expect_out_has "--rule CHOICE"
  ratio run "$ROOT/recipes/judgebench.lua" --rule majority --judge-model m
  expect_rc 2
  expect_err_first "ratio: --rule: expected one of strict, published, got 'majority'"
}

t_rmbench_length_judge() {
  start_fake --responder "$ROOT/tests/fake/judge_responder.lua" || return
  # The last item (safety-response) never gets a verdict: its nine judgements are unscored.
  sed 's/"How do I kill a Python process that has stopped responding on Linux?"/"NEVERVERDICT How do I kill a Python process that has stopped responding on Linux?"/' \
    "$ROOT/tests/fixtures/rmbench_sample.json" > rm.json
  grep -q NEVERVERDICT rm.json || { fail "the fixture changed: no marker placed"; stop_fake; return; }
  ratio run "$ROOT/recipes/rmbench.lua" --input rm.json --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out run --cache c.sqlite --json
  expect_rc 0
  for f in items.jsonl summary.json summary.csv manifest.json report.html; do expect_file "run/$f"; done
  [ "$(wc -l < run/items.jsonl)" = 6 ] || fail "items.jsonl lines: $(wc -l < run/items.jsonl)"
  [ "$(json_field "$OUT" unscored)" = 9 ] || fail "expected 9 unscored judgements: $OUT"
  # Length alone: right below the diagonal (easy), wrong above it (hard), a tie on it (normal).
  check_summary run/summary.json '
local j = s.judgements
assert(j.total == 54 and j.right == 15 and j.wrong == 15 and j.tie == 15 and j.unscored == 9 and j.failed == 0,
       ratio.json.encode(j))
assert(s.items == 6 and s.order == "alternate")
near(s.hard, 0, "hard") near(s.normal, 0, "normal")
near(s.easy, (1 + 1 + 0.5) / 3, "easy")                 -- safety: one of its two items unscored
near(s.average, (1 / 3 + 1 / 3 + 0.5 / 3) / 3, "average")
near(s.domains.chat.easy, 1, "chat easy") near(s.domains.safety.easy, 0.5, "safety easy")
near(s.matrix[3][1], 5 / 6, "pooled markdown-vs-concise cell")
assert(table.concat(s.domain_order, ",") == "chat,math,safety", table.concat(s.domain_order, ","))'
  grep -q '"status":"unscored","text":"<RESULT_START>' run/items.jsonl || fail "the unscored replies were not kept"
  grep -q '"reasks":1' run/items.jsonl || fail "an unscored reply was not asked again"
  grep -q '"judge": "' run/manifest.json || fail "the judge prompt hash is not in the manifest"
  grep -q "<svg" run/report.html || fail "report.html has no chart"
  # Both orders: 18 judgements per item; a cell counts only when both are right.
  ratio run "$ROOT/recipes/rmbench.lua" --limit 2 --order both --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out both --cache c.sqlite --json
  expect_rc 0
  check_summary both/summary.json '
assert(s.judgements.total == 36 and s.judgements.right == 12, ratio.json.encode(s.judgements))
near(s.easy, 1, "easy") near(s.hard, 0, "hard") near(s.normal, 0, "normal")'
  stop_fake
}

t_judgebench_both_orders() {
  start_fake --responder "$ROOT/tests/fake/bench_judge_responder.lua" || return
  # Pair 2: a position-biased judge (inconsistent). Pair 1: no verdict when its second response is
  # shown first (right once, unscored once: the published rule counts it, the strict one not).
  sed -e '2s/"question": "/"question": "FIRSTWINS /' \
      -e '1s/"response_B": "/"response_B": "GARBLED /' "$ROOT/tests/fixtures/judgebench_sample.jsonl" > jb.jsonl
  [ "$(grep -c 'FIRSTWINS\|GARBLED' jb.jsonl)" = 2 ] || { fail "the fixture changed: markers not placed"; stop_fake; return; }
  ratio run "$ROOT/recipes/judgebench.lua" --input jb.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out run --cache c.sqlite --json
  expect_rc 0
  for f in items.jsonl summary.json summary.csv manifest.json report.html; do expect_file "run/$f"; done
  [ "$(wc -l < run/items.jsonl)" = 8 ] || fail "items.jsonl lines: $(wc -l < run/items.jsonl)"
  # Length alone: pair 8 right in both orders, pairs 4-6 wrong in both, pairs 3 and 7 ties.
  check_summary run/summary.json '
assert(s.pairs == 8 and s.orders == 2 and s.rule == "strict" and s.correct == 1, "pairs/correct")
near(s.accuracy, 1 / 8, "accuracy") near(s.accuracy_strict, 1 / 8, "strict") near(s.accuracy_published, 2 / 8, "published")
near(s.consistency, 6 / 8, "consistency")
local v = s.verdicts
assert(v.total == 16 and v.right == 4 and v.wrong == 7 and v.tie == 4 and v.unscored == 1 and v.failed == 0, ratio.json.encode(v))
local o = s.outcomes
assert(o.both_right == 1 and o.inconsistent == 1 and o.right_and_none == 1 and o.both_wrong == 3 and o.none == 2,
       ratio.json.encode(o))
near(s.categories.knowledge.accuracy, 0, "knowledge") near(s.categories.knowledge.accuracy_published, 1 / 3, "knowledge published")
near(s.categories.math.accuracy, 0, "math") near(s.categories.coding.accuracy, 1 / 2, "coding")
assert(table.concat(s.category_order, ",") == "knowledge,math,coding")'
  grep -q '"outcome":"inconsistent"' run/items.jsonl || fail "the inconsistent pair is not marked"
  # The published rule as the headline; the same calls come from the cache.
  ratio run "$ROOT/recipes/judgebench.lua" --input jb.jsonl --judge-model fake-judge --rule published \
    --judge-base-url "$FAKE_URL/v1" --out pub --cache c.sqlite --offline --json
  expect_rc 0
  check_summary pub/summary.json 'assert(s.rule == "published" and s.correct == 2) near(s.accuracy, 0.25, "accuracy")'
  # One order only: no consistency, accuracy of the verdicts as given.
  ratio run "$ROOT/recipes/judgebench.lua" --input jb.jsonl --judge-model fake-judge --orders 1 \
    --judge-base-url "$FAKE_URL/v1" --out one --cache c.sqlite --json
  expect_rc 0
  check_summary one/summary.json 'assert(s.orders == 1 and s.consistency == nil and s.verdicts.total == 8) near(s.accuracy, 3 / 8, "accuracy")'
  stop_fake
}

t_benchmark_data_errors() {
  head -n 1 "$ROOT/tests/fixtures/judgebench_sample.jsonl" > jb.jsonl
  sed -n 2p "$ROOT/tests/fixtures/judgebench_sample.jsonl" | sed 's/, "label": "A>B"//' >> jb.jsonl
  ratio run "$ROOT/recipes/judgebench.lua" --input jb.jsonl --judge-model m --judge-base-url http://127.0.0.1:1/v1
  expect_rc 1
  expect_err_first "ratio: jb.jsonl:2: label: missing"
  sed '0,/"rejected": \[/s//"rejected_": [/' "$ROOT/tests/fixtures/rmbench_sample.json" > rm.json
  ratio run "$ROOT/recipes/rmbench.lua" --input rm.json --judge-model m --judge-base-url http://127.0.0.1:1/v1
  expect_rc 1
  expect_err_first "ratio: rm.json:2: rejected: missing"
}

# A reasoning model's thinking is kept with each judgement (the verdict parser never sees it).
t_benchmarks_keep_the_judges_reasoning() {
  start_fake --reasoning reasoning_content --responder "$ROOT/tests/fake/judge_responder.lua" || return
  ratio run "$ROOT/recipes/rmbench.lua" --limit 1 --judge-model qwen3 --judge-base-url "$FAKE_URL/v1" \
    --out rm --no-cache --json
  expect_rc 0
  grep -q '"reasoning":"[^"]*Fake reasoning: weighing both answers' rm/items.jsonl || fail "rmbench: reasoning not kept"
  stop_fake
  start_fake --reasoning think --responder "$ROOT/tests/fake/bench_judge_responder.lua" || return
  head -n 2 "$ROOT/tests/fixtures/judgebench_sample.jsonl" > jb.jsonl
  ratio run "$ROOT/recipes/judgebench.lua" --input jb.jsonl --judge-model qwen3 --judge-base-url "$FAKE_URL/v1" \
    --out jb --no-cache --json
  expect_rc 0
  grep -q '"reasoning":"[^"]*Fake reasoning: weighing both answers' jb/items.jsonl || fail "judgebench: reasoning not kept"
  grep -q '"text":"[^"]*Fake reasoning' jb/items.jsonl && fail "judgebench: the reasoning stayed in the reply text"
  stop_fake
}
