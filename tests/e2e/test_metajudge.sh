# The MetaJudge studies: analyze.lua against the published script's numbers, the quickstart, and
# metajudge.lua with the lexical matcher and with an LLM MetaJudge (the fake LLM).

t_analyze_reproduces_the_published_script() {
  ratio run "$ROOT/recipes/analyze.lua" --input "$ROOT/tests/fixtures/metajudge_reference.jsonl" \
    --judge m --mode reference --json
  expect_rc 0
  printf '%s\n' "$OUT" > got.json
  ratio run "$E2E/recipes/compare_json.lua" --got got.json --want "$ROOT/tests/fixtures/metajudge_reference.expected.json" --tol 1e-9
  [ "$RC" = 0 ] || fail "differs from metajudge_analysis.py: $ERR"
}

t_analyze_paper_mode_and_ci() {
  ratio run "$ROOT/recipes/analyze.lua" --input "$ROOT/tests/fixtures/metajudge_reference.jsonl" \
    --judge m --mode paper --json
  expect_rc 0
  grep -q '"mode":"paper"' <<<"$OUT" || fail "mode: $OUT"
  grep -q '"ci":{"average_precision":{"hi":' <<<"$OUT" || fail "no CIs: $OUT"
  grep -q '"unscored_samples":[1-9]' <<<"$OUT" || fail "paper mode should count unscored replies: $OUT"
}

t_analyze_needs_model() {
  ratio run "$ROOT/recipes/analyze.lua" --input "$ROOT/tests/fixtures/metajudge_reference.jsonl"
  expect_rc 2
  expect_err_first "ratio: --judge: is required"
}

t_quickstart_study() {
  ratio run "$ROOT/recipes/quickstart.lua" --out qs --json
  expect_rc 0
  for f in items.jsonl summary.json manifest.json report.html; do expect_file "qs/$f"; done
  [ "$(wc -l < qs/items.jsonl)" = 48 ] || fail "items.jsonl lines: $(wc -l < qs/items.jsonl)"
  # The teaching point: outcome accuracy within a few points, Rationale Consistency far apart.
  cat > check.lua <<'LUA'
local ratio = require "ratio"
local p = ratio.params{ file = {nil, "summary", type = "file", required = true} }
local f = assert(io.open(p.file))
local s = assert(ratio.json.decode(f:read("a")))
local c, k = s.judges.careful, s.judges.skimmer
assert(math.abs(c.outcome_accuracy - k.outcome_accuracy) < 0.05, "OA gap " .. c.outcome_accuracy - k.outcome_accuracy)
assert(c.recall - k.recall > 0.3, "RC gap " .. c.recall - k.recall)
assert(c.ci.recall.lo > k.ci.recall.hi, "RC CIs overlap")
assert(s.rc_difference.p_value < 0.01, "p " .. s.rc_difference.p_value)
assert(c.valid == 48 and k.valid == 48)
return {ok = true}
LUA
  ratio run check.lua --file qs/summary.json
  [ "$RC" = 0 ] || fail "the quickstart's numbers do not show the teaching point: $ERR"
  grep -q "<svg" qs/report.html || fail "report.html has no chart"
  grep -qE '(src|href)="https?:' qs/report.html && fail "report.html loads something from the network"
  return 0
}

t_metajudge_lexical_then_analyze() {
  ratio run "$ROOT/recipes/metajudge.lua" --out mj --judges careful --mode reference --json
  expect_rc 0
  expect_file mj/metajudge-careful.jsonl
  ratio run "$ROOT/recipes/analyze.lua" --input mj/metajudge-careful.jsonl --judge careful --json
  expect_rc 0
  grep -q '"valid_samples":48' <<<"$OUT" || fail "analyze of the written file: $OUT"
}

t_metajudge_llm_matcher_with_reask_and_unscored() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" || return
  # Two extra items: one whose first reply has no block (re-asked), one that never gets one.
  head -n 4 "$ROOT/data/sample.jsonl" > d.jsonl
  sed -n 5p "$ROOT/data/sample.jsonl" | sed 's/"human-checklist": \["/"human-checklist": ["NOBLOCK /' >> d.jsonl
  sed -n 6p "$ROOT/data/sample.jsonl" | sed 's/"human-checklist": \["/"human-checklist": ["NEVERBLOCK /' >> d.jsonl
  ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl --judges careful --matcher llm \
    --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge --out llm --cache c.sqlite --json
  expect_rc 0
  grep -q '"unscored":1' <<<"$OUT" || fail "expected one unscored item: $OUT"
  grep -q '"valid":5' <<<"$OUT" || fail "expected five valid items: $OUT"
  grep -q '"reasks":1' llm/metajudge-careful.jsonl || fail "no re-ask recorded"
  grep -q 'I cannot decide' llm/metajudge-careful.jsonl || fail "the unscored reply was not kept"
  grep -q '"metajudge": "' llm/manifest.json || fail "the prompt hash is not in the manifest"
  stop_fake
}

t_dataset_field_errors() {
  head -n 2 "$ROOT/data/sample.jsonl" > d.jsonl
  sed -n 3p "$ROOT/data/sample.jsonl" | sed 's/"human-checklist": \[/"human-checklist": 5, "x": [/' >> d.jsonl
  ratio run "$ROOT/recipes/quickstart.lua" --input d.jsonl
  expect_rc 1
  expect_err_first "ratio: d.jsonl:3: human-checklist: expected a list of strings"
  sed -n 4p "$ROOT/data/sample.jsonl" | sed 's/"careful-label": "[^"]*"/"careful-label": "A>>>B"/' > e.jsonl
  ratio run "$ROOT/recipes/quickstart.lua" --input e.jsonl
  expect_rc 1
  expect_err_first "ratio: e.jsonl:1: careful-label: expected one of A>>B, A>B, A=B, B>A, B>>A, got \"A>>>B\""
}

t_metajudge_embedding_matcher() {
  start_fake || return
  head -n 6 "$ROOT/data/sample.jsonl" > d.jsonl
  ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl --matcher embedding \
    --embed-base-url "$FAKE_URL/v1" --embed-model fake-embed --out emb --cache c.sqlite --json
  expect_rc 0
  grep -q '"valid":6' <<<"$OUT" || fail "expected six valid items per judge: $OUT"
  [ "$(json_field "$(fake_stats)" embeddings)" -gt 0 ] || fail "no embedding request reached the fake LLM"
  # The fake embeds a bag of words, so careful (sharing the humans' words) must beat skimmer.
  cat > rc.lua <<'LUA'
local ratio = require "ratio"
local p = ratio.params{ file = {nil, "summary", type = "file", required = true} }
local f = assert(io.open(p.file))
local s = assert(ratio.json.decode(f:read("a")))
assert(s.models.careful.recall > s.models.skimmer.recall, "careful should match better")
return {}
LUA
  ratio run rc.lua --file emb/summary.json
  [ "$RC" = 0 ] || fail "embedding RC ordering: $ERR"
  stop_fake
}
