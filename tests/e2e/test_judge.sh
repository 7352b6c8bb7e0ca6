# recipes/judge.lua against the fake LLM judge (tests/fake/judge_responder.lua): the re-ask and
# unscored markers, position swap, failed calls, bad items, and the chain judge -> metajudge ->
# analyze without hand editing.

# judge_data N: the first N sample items, then one whose first reply has no verdict (re-asked) and
# one that never gets a verdict (unscored), into d.jsonl.
judge_data() {
  head -n "$1" "$ROOT/data/sample.jsonl" > d.jsonl
  sed -n "$(($1 + 1))p" "$ROOT/data/sample.jsonl" | sed 's/"response1": "/"response1": "NOVERDICT /' >> d.jsonl
  sed -n "$(($1 + 2))p" "$ROOT/data/sample.jsonl" | sed 's/"response1": "/"response1": "NEVERVERDICT /' >> d.jsonl
}

t_judge_then_metajudge_then_analyze() {
  start_fake --responder "$ROOT/tests/fake/judge_responder.lua" || return
  judge_data 4
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j --cache c.sqlite --json
  expect_rc 0
  for f in judged.jsonl items.jsonl summary.json manifest.json report.html; do expect_file "j/$f"; done
  grep -q '"total":6' <<<"$OUT" || fail "total: $OUT"
  grep -q '"scored":5' <<<"$OUT" || fail "expected five scored items: $OUT"
  grep -q '"unscored":1' <<<"$OUT" || fail "expected one unscored item: $OUT"
  grep -q '"failed":0' <<<"$OUT" || fail "expected no failed item: $OUT"
  grep -q '"reasked":2' <<<"$OUT" || fail "expected two items re-asked: $OUT"
  grep -q '"ties_excluded":' <<<"$OUT" || fail "no ties count: $OUT"
  grep -q '"judge": "' j/manifest.json || fail "the prompt hash is not in the manifest"
  # judged.jsonl: every input item unchanged plus the three fields; the unscored one kept whole.
  cat > check.lua <<'LUA'
local ratio = require "ratio"
local p = ratio.params{ input = {nil, "", type = "file", required = true}, judged = {nil, "", type = "file", required = true} }
local want = ratio.jsonl.read_all(p.input)
local got = ratio.jsonl.read_all(p.judged)
assert(#got == #want, ("%d lines, expected %d"):format(#got, #want))
for i, g in ipairs(got) do
  local ck, lb, tx = g["fake-judge-checklist"], g["fake-judge-label"], g["fake-judge-generated_text"]
  assert(type(ck) == "table" and tx ~= nil, "line " .. i .. ": fields missing")
  g["fake-judge-checklist"], g["fake-judge-label"], g["fake-judge-generated_text"] = nil, nil, nil
  assert(ratio.json.encode(g) == ratio.json.encode(want[i]), "line " .. i .. ": the input item changed")
  if want[i].response1:find("NEVERVERDICT", 1, true) then
    assert(#ck == 0 and lb == ratio.json.null, "the unscored item has a checklist or a label")
    assert(tx:find("RESULT_START", 1, true) and not tx:find("boxed", 1, true), "raw text not kept: " .. tx)
  else
    assert(#ck >= 2 and #ck <= 5, "line " .. i .. ": " .. #ck .. " reasons")
    assert(ratio.dataset.LABELS[lb], "line " .. i .. ": label " .. tostring(lb))
    assert(tx:find("\\boxed{" .. lb .. "}", 1, true), "line " .. i .. ": the label is not the reply's")
  end
end
return {ok = true}
LUA
  ratio run check.lua --input d.jsonl --judged j/judged.jsonl
  [ "$RC" = 0 ] || fail "judged.jsonl: $ERR"
  grep -q '"reasks":1' j/items.jsonl || fail "no re-ask recorded in items.jsonl"
  ratio run "$ROOT/recipes/metajudge.lua" --input j/judged.jsonl --judges fake-judge --out m --json
  expect_rc 0
  expect_file m/metajudge-fake-judge.jsonl
  ratio run "$ROOT/recipes/analyze.lua" --input m/metajudge-fake-judge.jsonl --judge fake-judge --json
  expect_rc 0
  grep -q '"total_samples":6' <<<"$OUT" || fail "analyze of the chain: $OUT"
  # A second run is answered by the cache: same judged.jsonl, no new request.
  local before
  before=$(json_field "$(fake_stats)" requests)
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j2 --cache c.sqlite --json
  expect_rc 0
  [ "$(json_field "$(fake_stats)" requests)" = "$before" ] || fail "the second run called the LLM again"
  cmp -s j/judged.jsonl j2/judged.jsonl || fail "a replayed run wrote a different judged.jsonl"
  stop_fake
}

t_judge_swap_reports_position_consistency() {
  start_fake --responder "$ROOT/tests/fake/judge_responder.lua" || return
  head -n 2 "$ROOT/data/sample.jsonl" > d.jsonl
  # Two items where the fake judge always prefers Response A, whatever the order.
  sed -n 3,4p "$ROOT/data/sample.jsonl" | sed 's/"response2": "/"response2": "FIRSTWINS /' >> d.jsonl
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out s --cache c.sqlite --swap --top-k 0 --json
  expect_rc 0
  grep -q '"both_scored":4' <<<"$OUT" || fail "both orders scored: $OUT"
  grep -q '"consistent":2' <<<"$OUT" || fail "expected two consistent items: $OUT"
  grep -q '"consistency":0.5' <<<"$OUT" || fail "consistency: $OUT"
  [ "$(json_field "$(fake_stats)" ok)" = 8 ] || fail "expected 8 judge calls: $(fake_stats)"
  grep -q '"label_as_given"' s/items.jsonl || fail "no swapped verdict in items.jsonl"
  grep -q 'Position swap' <<<"$ERR" || fail "no swap line in the printed summary"
  stop_fake
}

t_judge_failed_calls_are_counted() {
  # Every call refused with a 400 (not a misconfiguration that stops the run early): each item
  # fails, is kept and counted, and the run exits 1 with the cause.
  start_fake --responder "$ROOT/tests/fake/judge_responder.lua" --status 400 || return
  head -n 3 "$ROOT/data/sample.jsonl" > d.jsonl
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model other-judge \
    --judge-base-url "$FAKE_URL/v1" --out f --no-cache --json
  expect_rc 1
  expect_err_has "ratio: 3 of 3 failed:"
  grep -q '"failed":3' <<<"$OUT" || fail "expected three failed items: $OUT"
  grep -q '"scored":0' <<<"$OUT" || fail "scored: $OUT"
  [ "$(wc -l < f/judged.jsonl)" = 3 ] || fail "failed items must stay in judged.jsonl"
  grep -q '"other-judge-label":null' f/judged.jsonl || fail "a failed item needs a null label"
  grep -q 'HTTP 400' f/items.jsonl || fail "the failure reason is not kept"
  stop_fake
}

t_judge_usage_and_data_errors() {
  ratio run "$ROOT/recipes/judge.lua"
  expect_rc 2
  expect_err_first "ratio: --judge-model: is required"
  ratio run "$ROOT/recipes/judge.lua" --help
  expect_rc 0
  grep -q -- '--swap' <<<"$OUT$ERR" || fail "--help lacks --swap"
  grep -q 'How often does an LLM judge' <<<"$OUT$ERR" || fail "--help lacks the question"
  ratio run "$ROOT/recipes/judge.lua" --judge-model m --name 'a b'
  expect_rc 2
  expect_err_first "ratio: --name: use letters, digits, '.', '_' and '-' only, got 'a b'"
  head -n 1 "$ROOT/data/sample.jsonl" > d.jsonl
  sed -n 2p "$ROOT/data/sample.jsonl" | sed 's/"response2": "/"response2_": "/' >> d.jsonl
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model m --judge-base-url http://127.0.0.1:9/v1
  expect_rc 1
  expect_err_first "ratio: d.jsonl:2: response2: expected a string"
}

t_judge_then_frontier() {
  # The whole chain without hand editing: a new judge is run on the sample data, and frontier
  # compares it with the two bundled judges straight from judge.lua's output.
  start_fake --responder "$ROOT/tests/fake/judge_responder.lua" || return
  head -n 16 "$ROOT/data/sample.jsonl" > d.jsonl
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j --cache c.sqlite --json
  expect_rc 0
  stop_fake
  ratio run "$ROOT/recipes/frontier.lua" --input j/judged.jsonl --out f --json
  expect_rc 0
  for judge in careful skimmer fake-judge; do
    grep -q "\"$judge\"" f/summary.json || fail "frontier lacks $judge: $(head -c 300 f/summary.json)"
  done
  expect_file f/report.html
}
