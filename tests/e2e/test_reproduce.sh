# reproduce.lua on a synthetic 40-item file in the released shape (tests/e2e/recipes/released_shape.lua):
# an example judge already in the file, two fake judges behind an API, a fake MetaJudge with a
# prompt read out of a script shaped like metajudge_infer.py; the cost limit; kill and resume; and
# analyze.lua --input-dir against the per-file numbers.

# two_fakes: a judge server (J_URL) and a MetaJudge server (M_URL); extra args go to the judge.
two_fakes() {
  rm -f j.port m.port
  "$RATIO" run "$ROOT/tests/fake_llm.lua" --port-file j.port --responder "$ROOT/tests/fake/judge_responder.lua" "$@" >j.log 2>&1 &
  J_PID=$!
  "$RATIO" run "$ROOT/tests/fake_llm.lua" --port-file m.port --responder "$ROOT/tests/fake/metajudge_responder.lua" >m.log 2>&1 &
  M_PID=$!
  for _ in $(seq 1 100); do [ -s j.port ] && [ -s m.port ] && break; sleep 0.05; done
  [ -s j.port ] && [ -s m.port ] || { fail "the fakes did not start: $(cat j.log m.log)"; return 1; }
  J_URL="http://127.0.0.1:$(cat j.port)"
  M_URL="http://127.0.0.1:$(cat m.port)"
}
stop_two_fakes() {
  kill -TERM "$J_PID" "$M_PID" 2>/dev/null
  wait "$J_PID" "$M_PID" 2>/dev/null
}

# reproduce_args: the run every test here makes (gpt-4o is priced, so the estimate is not zero).
reproduce_args() {
  REPRO=(run "$ROOT/recipes/reproduce.lua" --input rel.jsonl
         --judges "model-low_deceptive_alignment,openai:gpt-4o@$J_URL/v1,openai:fake-judge-b@$J_URL/v1"
         --metajudge-model fake-mj --metajudge-base-url "$M_URL/v1" --metajudge-prompt "$ROOT/tests/fixtures/published_shaped_infer.py")
}

t_reproduce_released_shape_full_report() {
  ratio run "$E2E/recipes/released_shape.lua" --file rel.jsonl
  expect_rc 0
  two_fakes || return
  reproduce_args
  ratio "${REPRO[@]}" --out rep --cache c.sqlite
  expect_rc 0
  for f in items.jsonl summary.json manifest.json report.html domains.csv judged.jsonl \
           metajudge-gpt-4o.jsonl metajudge-fake-judge-b.jsonl metajudge-model-low_deceptive_alignment.jsonl; do
    expect_file "rep/$f"
  done
  expect_out_has "published RC"
  grep -qE '^gpt-4o +all .* 0\.253 +-0\.[0-9]{3} +no +40$' <<<"$OUT" || fail "no published figure beside gpt-4o: $OUT"
  grep -qE '^model-low_deceptive_alignment +all .* - +- +- +40$' <<<"$OUT" || fail "a judge the paper has no figure for"
  expect_err_has "Cost estimate"
  check_json rep/summary.json '
local g, low, b = s.judges["gpt-4o"], s.judges["model-low_deceptive_alignment"], s.judges["fake-judge-b"]
assert(s.items == 40 and s.per_domain.general == 10 and s.per_domain.multilingual == 10)
assert(g.judged_now and b.judged_now and not low.judged_now, "the example judge is scored as it is")
assert(g.published.rc == 0.253 and g.published.label == "GPT-4o" and g.published.figures == "helpsteer3-atomic")
assert(math.abs(g.published.difference - (g.reference.recall - 0.253)) < 1e-12)
assert(g.published.inside_ci == (0.253 >= g.reference.ci.recall.lo and 0.253 <= g.reference.ci.recall.hi))
assert(low.published == nil and b.published == nil)
for _, j in pairs(s.judges) do
  assert(j.reference.valid == 40 and j.paper.valid == 40, "valid")
  assert(j.reference.outcome_accuracy and j.reference.ci.recall and j.paper.ci.ap, "OA and CIs")
  for _, d in ipairs({"general", "code", "stem", "multilingual"}) do
    assert(j.domains[d].reference.valid == 10 and j.domains[d].paper.recall, d)
  end
end
assert(s.metajudge.preset == "published" and s.metajudge.params.temperature == 0.6)
assert(s.estimate.usd > 0 and #s.estimate.unpriced == 0)'
  grep -q "published RC" rep/report.html || fail "report.html lacks the published column"
  # 40 items x 2 judges judged now, nothing for the example judge's verdicts; 40 x 3 MetaJudge
  # prompts, of which the two fake judges' are the same (they answer alike): 80 distinct calls.
  [ "$(json_field "$(curl -s "$J_URL/stats")" ok)" = 80 ] || fail "judge calls: $(curl -s "$J_URL/stats")"
  [ "$(json_field "$(curl -s "$M_URL/stats")" ok)" = 80 ] || fail "MetaJudge calls: $(curl -s "$M_URL/stats")"
  # The second example judge, found whatever the case of its keys, with ratio's MetaJudge setup.
  ratio run "$ROOT/recipes/reproduce.lua" --input rel.jsonl --judges model-high_deceptive_alignment \
    --metajudge-model fake-mj --metajudge-base-url "$M_URL/v1" --metajudge-preset ratio --out high --cache c.sqlite --json
  expect_rc 0
  grep -q '"judged_now":false' <<<"$OUT" || fail "the example judge was judged again"
  grep -q '"preset":"ratio"' <<<"$OUT" || fail "ratio's setup: $(grep -o '"metajudge":{[^}]*' <<<"$OUT")"
  grep -q '"skipped":0' <<<"$OUT" || fail "an item with upper-case keys was left out"
  grep -q '"items":40' <<<"$OUT" || fail "items"
  # A cheap first pass: two domains, three items each.
  ratio "${REPRO[@]}" --out small --cache c.sqlite --domains code,stem --limit 3 --published-as fake-judge-b=o3-mini --json
  expect_rc 0
  grep -q '"per_domain":{"code":3,"stem":3}' <<<"$OUT" || fail "--domains/--limit: $(grep -o '"per_domain":{[^}]*}' <<<"$OUT")"
  grep -q '"label":"o3-mini","rc":0.205' <<<"$OUT" || fail "--published-as: $(grep -o '"published":{[^}]*}' <<<"$OUT")"
  [ "$(json_field "$(curl -s "$J_URL/stats")" ok)" = 80 ] || fail "the first pass repaid cached judge calls"
  stop_two_fakes
}

t_reproduce_stops_before_spending() {
  ratio run "$E2E/recipes/released_shape.lua" --file rel.jsonl
  two_fakes || return
  reproduce_args
  ratio "${REPRO[@]}" --out rep --cache c.sqlite --max-cost 0.01
  expect_rc 3
  expect_err_has "Cost estimate"
  grep -qE 'ratio: estimated cost \$0\.[0-9]+ exceeds --max-cost 0\.01; nothing was called' <<<"$ERR" || fail "no estimate in the stop: $ERR"
  [ "$(json_field "$(curl -s "$J_URL/stats")" requests)" = 0 ] || fail "a judge call was made"
  [ "$(json_field "$(curl -s "$M_URL/stats")" requests)" = 0 ] || fail "a MetaJudge call was made"
  # A model with no price cannot be held under a limit.
  ratio run "$ROOT/recipes/reproduce.lua" --input rel.jsonl --judges "openai:mystery-model@$J_URL/v1" \
    --metajudge-model fake-mj --metajudge-base-url "$M_URL/v1" --metajudge-preset ratio --out rep2 --cache c.sqlite
  expect_rc 3
  expect_err_has "no price for mystery-model"
  [ "$(json_field "$(curl -s "$J_URL/stats")" requests)" = 0 ] || fail "a call was made for an unpriced model"
  ratio "${REPRO[@]}" --published-as gpt-4o=gpt-99
  expect_rc 2
  expect_err_first "ratio: --published-as: 'gpt-4o=gpt-99' is not JUDGE=ENTRY with an entry of data/published.json"
  # The published setup needs the published prompt.
  ratio run "$ROOT/recipes/reproduce.lua" --input rel.jsonl --judges model-low_deceptive_alignment --metajudge-model m
  expect_rc 2
  expect_err_first "ratio: --metajudge-prompt: the published setup needs the published prompt: pass your copy of RationaleRM's metajudge_infer.py, or --metajudge-preset ratio"
  stop_two_fakes
}

t_reproduce_resumes_after_a_kill_without_repaying() {
  ratio run "$E2E/recipes/released_shape.lua" --file rel.jsonl
  two_fakes --latency-ms 30 || return
  reproduce_args
  "$RATIO" "${REPRO[@]}" --out run --cache run.sqlite --concurrency 4 --quiet >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 500); do
    [ "$(json_field "$(curl -s "$J_URL/stats")" ok)" -ge 30 ] && break
    sleep 0.01
  done
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
  ratio run "$E2E/recipes/cache_count.lua" --path run.sqlite --json
  local before
  before=$(json_field "$OUT" calls)
  [ "$before" -ge 20 ] && [ "$before" -lt 200 ] || fail "the kill landed at $before committed calls"
  ratio "${REPRO[@]}" --out run --cache run.sqlite --concurrency 4 --json
  expect_rc 0
  # Every committed call came from the cache; only calls in flight at the kill (at most 4 per
  # model) may have reached a fake twice.
  local cached
  cached=$(grep -o '"cached":[0-9]*' <<<"$OUT" | cut -d: -f2 | awk '{n += $1} END {print n + 0}')
  [ "$cached" -ge "$before" ] || fail "only $cached cache hits for $before committed calls"
  [ "$(json_field "$(curl -s "$J_URL/stats")" duplicates)" -le 8 ] || fail "judge calls repaid: $(curl -s "$J_URL/stats")"
  [ "$(json_field "$(curl -s "$M_URL/stats")" duplicates)" -le 4 ] || fail "MetaJudge calls repaid: $(curl -s "$M_URL/stats")"
  [ "$(json_field "$(curl -s "$J_URL/stats")" ok)" -le $((80 + 8)) ] || fail "judge calls: $(curl -s "$J_URL/stats")"
  # The resumed run's numbers are an uninterrupted run's.
  ratio "${REPRO[@]}" --out ref --cache ref.sqlite --json
  expect_rc 0
  cmp -s run/domains.csv ref/domains.csv || fail "the resumed run's numbers differ"
  stop_two_fakes
}

t_analyze_input_dir_ranks_and_matches_per_file() {
  ratio run "$E2E/recipes/released_shape.lua" --file rel.jsonl --outputs outs
  expect_rc 0
  # The published analysis's folder, with both example judges' checklists in every line's
  # metadata (as the released test file's lines carry them): the file name says which was scored.
  ratio run "$ROOT/recipes/analyze.lua" --input-dir outs --sort-by ap --json
  expect_rc 0
  printf '%s\n' "$OUT" > dir.json
  local judge
  for judge in model-low_deceptive_alignment model-high_deceptive_alignment; do
    ratio run "$ROOT/recipes/analyze.lua" --input "outs/$judge-gpt-4o-meta_eval.jsonl" --judge "$judge" --json
    expect_rc 0
    printf '%s\n' "$OUT" > "$judge.json"
  done
  cat > cmp.lua <<'LUA'
local ratio = require "ratio"
local function load(path) local f = assert(io.open(path)) local v = assert(ratio.json.decode(f:read("a"))) f:close() return v end
local d = load("dir.json")
assert(#d.models == 2 and d.sort_by == "average_precision", "two files ranked")
assert(d.models[1].model == "model-low_deceptive_alignment", "ranked by AP, best first")
assert(#d.skipped_files == 0, "the input file is skipped by name, not as a failure")
for _, m in ipairs(d.models) do
  local one = load(m.model .. ".json")
  for _, k in ipairs({"precision", "recall", "f1", "average_precision", "valid_samples", "error_samples"}) do
    assert(m[k] == one[k], m.model .. " " .. k .. ": " .. tostring(m[k]) .. " vs " .. tostring(one[k]))
  end
  assert(m.ci.recall.lo == one.ci.recall.lo and m.ci.average_precision.hi == one.ci.average_precision.hi, "CIs")
end
return {ok = true}
LUA
  ratio run cmp.lua
  [ "$RC" = 0 ] || fail "--input-dir differs from --input: $ERR"
  ratio run "$ROOT/recipes/analyze.lua" --input-dir outs --mode reference
  expect_rc 0
  expect_out_has "Ranked by recall (reference mode)"
  [ "$(grep -c 'meta_eval.jsonl' <<<"$OUT")" = 2 ] || fail "table: $OUT"
  ratio run "$ROOT/recipes/analyze.lua" --input-dir outs --input outs/x.jsonl
  expect_rc 2
  ratio run "$ROOT/recipes/analyze.lua" --input-dir nowhere
  expect_rc 2
  expect_err_first "ratio: --input-dir: nowhere is not a folder"
  # A FIFO or a folder named *.jsonl in the folder: skipped with the reason, not opened (a FIFO
  # with no writer blocked the scan for good). timeout turns a regression into a failure.
  mkfifo outs/stuck-output.jsonl
  mkdir outs/folder-output.jsonl
  timeout 60 "$RATIO" run "$ROOT/recipes/analyze.lua" --input-dir outs --json >fifo.out 2>fifo.err </dev/null
  RC=$? ERR=$(cat fifo.err)
  expect_rc 0
  grep -q '"file":"stuck-output.jsonl","reason":"not a regular file (other)"' fifo.out &&
    grep -q '"file":"folder-output.jsonl","reason":"not a regular file (directory)"' fifo.out ||
    fail "FIFO and folder not skipped by name: $(head -c 600 fifo.out)"
  grep -q '"model":"model-low_deceptive_alignment"' fifo.out || fail "the real outputs were not ranked"
}

t_reproduce_failed_calls_fail_the_run() {
  ratio run "$E2E/recipes/released_shape.lua" --file rel.jsonl
  ratio run "$ROOT/recipes/reproduce.lua" --input rel.jsonl --judges model-low_deceptive_alignment \
    --metajudge-model fake-mj --metajudge-base-url http://127.0.0.1:1/v1 --metajudge-preset ratio \
    --limit 1 --domains code --out dead --cache c.sqlite
  expect_rc 1
  expect_err_has "model-low_deceptive_alignment: 1 MetaJudge calls failed ("
  expect_err_has "rerun the same command to retry them"
  expect_file dead/summary.json
  expect_file dead/report.html
}
