# Fault injection on whole studies (issue 7): judge.lua, metajudge.lua --matcher llm and the reward
# server under load, against the fake LLM injecting 429 storms, 5xx, dropped connections, truncated
# JSON, errors in 200 bodies, replies with no choices and hangs. Every run must finish, give every
# item a status and every failed item a reason, and its counts must add up (check_statuses.lua).
# The client's own retry and timeout behaviour is in test_client.sh; start_fake etc. come from there.
#
# judge.lua and metajudge.lua have no timeout flag (the client's 300 s default applies), so hangs
# past the timeout are tested on the reward server, whose --deadline-ms bounds them.

# faults_data N: the first N sample items into d.jsonl.
faults_data() { head -n "$1" "$ROOT/data/sample.jsonl" > d.jsonl; }

# check_run KIND DIR N: every item of the run folder accounted for; sets OUT to the counts.
check_run() {
  ratio run "$E2E/recipes/check_statuses.lua" --kind "$1" --dir "$2" --n "$3" --json
  [ "$RC" = 0 ] || fail "$1 run $2 does not account for every item: $ERR"
}

# injected KIND: how many faults of KIND the fake LLM injected.
injected() { grep -o "\"$1\":[0-9]*" <<<"$(fake_stats)" | tail -n 1 | cut -d: -f2; }

t_faults_judge_429_storm() {
  start_fake --responder "$ROOT/tests/fake/judge_responder.lua" --p429 0.6 --retry-after 0 --seed 11 || return
  faults_data 30
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j --no-cache --json --max-failures 100%
  expect_rc 0
  [ "$(injected 429)" -gt 20 ] || fail "too few 429s: $(fake_stats)"
  check_run judge j 30
  # 0.6^6: a few items may exhaust their six tries; they must say it was the rate limit.
  if grep -q '"status":"failed"' j/items.jsonl; then
    grep '"status":"failed"' j/items.jsonl | grep -vq 'HTTP 429' && fail "a failure that is not the 429: $(grep failed j/items.jsonl | head -n 1)"
  fi
  [ "$(json_field "$(fake_stats)" duplicates)" = 0 ] || fail "a call succeeded twice: $(fake_stats)"
  stop_fake
}

t_faults_judge_every_fault_kind() {
  start_fake --responder "$ROOT/tests/fake/judge_responder.lua" --p429 0.1 --retry-after 0 --p500 0.08 \
    --pdrop 0.06 --ptruncated 0.06 --perror200 0.06 --pnochoices 0.06 --seed 5 || return
  faults_data 40
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j --cache c.sqlite --json --max-failures 100%
  expect_rc 0
  for k in 429 500 drop truncated error200 nochoices; do
    [ "$(injected "$k")" -gt 0 ] || fail "no $k fault was injected: $(fake_stats)"
  done
  check_run judge j 40
  # A second run answers every item from the cache; failed calls were not cached as answers.
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j2 --cache c.sqlite --json --max-failures 100%
  expect_rc 0
  check_run judge j2 40
  stop_fake
}

t_faults_judge_nothing_answers() {
  # Every call rate limited: every item failed, with the provider's words, none silently scored.
  start_fake --responder "$ROOT/tests/fake/judge_responder.lua" --p429 1.0 --retry-after 0 || return
  faults_data 6
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j --no-cache --json
  # 429 is not a misconfiguration (no early stop), but every item failed: exit 1, causes grouped.
  expect_rc 1
  expect_err_has "ratio: 6 of 6 failed:"
  expect_err_has "6 x fake-judge: gave up after 6 tries: HTTP 429 from openai: rate limit exceeded (injected)"
  grep -q '"total":6' <<<"$OUT" && grep -q '"failed":6' <<<"$OUT" && grep -q '"scored":0' <<<"$OUT" ||
    fail "expected 6 failed of 6: $OUT"
  check_run judge j 6
  [ "$(grep -c 'gave up after 6 tries: HTTP 429 from openai: rate limit exceeded' j/items.jsonl)" = 6 ] ||
    fail "failures lack the reason: $(head -n 1 j/items.jsonl)"
  grep -q '"fake-judge-label":null' j/judged.jsonl || fail "a failed item needs a null label"
  stop_fake
}

t_faults_metajudge_llm_every_fault_kind() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --p429 0.15 --retry-after 0 --p500 0.08 \
    --pdrop 0.06 --ptruncated 0.06 --perror200 0.06 --pnochoices 0.06 --seed 9 || return
  faults_data 24
  ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl --matcher llm --metajudge-model fake-mj \
    --metajudge-base-url "$FAKE_URL/v1" --out m --no-cache --json --max-failures 100%
  expect_rc 0
  for k in 429 500 drop truncated error200 nochoices; do
    [ "$(injected "$k")" -gt 0 ] || fail "no $k fault was injected: $(fake_stats)"
  done
  check_run metajudge m 24
  stop_fake
}

t_faults_metajudge_llm_nothing_answers() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --p429 1.0 --retry-after 0 || return
  faults_data 5
  ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl --matcher llm --metajudge-model fake-mj \
    --metajudge-base-url "$FAKE_URL/v1" --out m --no-cache --json
  expect_rc 1
  expect_err_has "ratio: 10 of 10 failed:"
  check_run metajudge m 5
  grep -q '"careful":{"error":0,"failed":5,"partial":0,"skipped":0,"unscored":0,"valid":0}' <<<"$OUT" ||
    fail "expected careful's 5 items failed: $OUT"
  [ "$(grep -c 'HTTP 429' m/metajudge-careful.jsonl)" = 5 ] || fail "failures lack the reason"
  stop_fake
}

# reward_fake_server ARGS...: the fake MetaJudge with ARGS, then the reward server on it.
reward_fake_server() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" "$@" || return 1
  rm -f rs.port
  "$RATIO" run "$ROOT/recipes/reward_server.lua" --port 0 --port-file rs.port --no-cache \
    --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-mj --deadline-ms 2000 --max-queue 64 >rs.log 2>&1 &
  RS_PID=$!
  for _ in $(seq 1 100); do [ -s rs.port ] && break; sleep 0.05; done
  [ -s rs.port ] || { fail "the reward server did not start: $(cat rs.log)"; return 1; }
  RS_URL="http://127.0.0.1:$(cat rs.port)"
}

t_faults_reward_server_under_load() {
  # 8 trainers x 4 requests x 4 rollouts under every fault, with every 7th rollout hanging past
  # the 2 s deadline: every rollout gets a finite reward and a status, late ones flagged.
  reward_fake_server --p429 0.3 --retry-after 0 --p500 0.05 --pdrop 0.05 --ptruncated 0.05 \
    --perror200 0.05 --pnochoices 0.05 --hang-ms 4000 --seed 3 || return
  ratio run "$E2E/recipes/reward_faults_load.lua" --url "$RS_URL" --trainers 8 --requests 4 --rollouts 4 \
    --hang-every 7 --json
  [ "$RC" = 0 ] || fail "reward server under faults: $ERR"
  [ "$(json_field "$OUT" rollouts)" = 128 ] || fail "rollouts: $OUT"
  [ "$(json_field "$OUT" late)" -ge 18 ] || fail "the hanging rollouts were not late: $OUT"
  [ "$(json_field "$OUT" ok)" -gt 0 ] || fail "nothing scored: $OUT"
  local m
  m=$(curl -s "$RS_URL/metrics")
  grep -q 'ratio_reward_rollouts_total 128' <<<"$m" || fail "metrics: $m"
  grep -q "ratio_reward_fallback_total $(json_field "$OUT" late)$" <<<"$m" || fail "fallbacks counted wrong: $m"
  # Still healthy after the storm.
  grep -q '"status":"ok"' <<<"$(curl -s "$RS_URL/health")" || fail "unhealthy after the load"
  kill -TERM "$RS_PID"; wait "$RS_PID"
  [ $? = 0 ] || fail "the reward server did not stop cleanly: $(tail -n 3 rs.log)"
  stop_fake
}

t_faults_reward_server_nothing_answers() {
  reward_fake_server --p429 1.0 --retry-after 0 || return
  ratio run "$E2E/recipes/reward_faults_load.lua" --url "$RS_URL" --trainers 2 --requests 2 --rollouts 3 --json
  [ "$RC" = 0 ] || fail "reward server with a dead MetaJudge: $ERR"
  # Once the last 5 calls (--unhealthy-after) have failed, requests are answered 503 with the
  # cause: the first two requests fail 6 calls between them, so both later ones are 503s.
  [ "$(json_field "$OUT" failed)" = 12 ] && [ "$(json_field "$OUT" unavailable)" -ge 2 ] ||
    fail "expected every rollout failed, the later requests 503: $OUT"
  printf '{"rollout": "%s", "human_checklist": ["a"], "overall_preference": 1}' \
    '<RESULT_START>\nList of reasons:\n- Response A is right.\nFinal assessment result: \\boxed{A>B}\n<RESULT_END>' > one.json
  local body
  body=$(curl -s -w '\n%{http_code}' -X POST --data-binary @one.json "$RS_URL/score")
  [ "${body##*$'\n'}" = 503 ] && grep -q '"status":"failed"' <<<"$body" && grep -q 'gave up after 6 tries: HTTP 429' <<<"$body" ||
    fail "/score of a failed rollout: $body"
  body=$(curl -s -w '\n%{http_code}' "$RS_URL/health")
  [ "${body##*$'\n'}" = 503 ] && grep -q '"status":"unhealthy"' <<<"$body" ||
    fail "/health must turn unhealthy when every MetaJudge call fails: $body"
  kill -TERM "$RS_PID"; wait "$RS_PID"
  stop_fake
}

# ---- Loud failure (issue 12): misconfiguration stops early, failed items fail the run ------------

# requests_seen: how many chat requests the fake LLM received.
requests_seen() { json_field "$(fake_stats)" requests; }

# stops_early RECIPE_ARGS...: the run ends with status 1, "stopped early" and the cause on stderr.
stops_early() {
  ratio run "$@"
  expect_rc 1
  expect_err_has "ratio: stopped early: the first 3 calls to"
}

t_faults_refused_port_stops_early() {
  # Nothing listens on port 1: three quick tries per call, then the run stops with the cause.
  faults_data 30
  stops_early "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model m --judge-base-url http://127.0.0.1:1/v1 \
    --out j --no-cache --concurrency 2
  expect_err_has "Couldn't connect to server"
  expect_err_has "check the base URL (--judge-base-url): is the server running?"
  expect_err_has "gave up after 3 tries"
  stops_early "$ROOT/recipes/metajudge.lua" --input d.jsonl --matcher llm --judge-model m \
    --judge-base-url http://127.0.0.1:1/v1 --out m --no-cache --concurrency 2
  expect_err_has "Couldn't connect to server"
  expect_file m/manifest.json
  grep -q '"exit_code": 1' m/manifest.json || fail "the manifest does not record the failure: $(cat m/manifest.json)"
}

t_faults_401_stops_early() {
  start_fake --status 401 || return
  faults_data 30
  OPENAI_API_KEY=sk-wrong-key stops_early "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model m \
    --judge-base-url "$FAKE_URL/v1" --out j --no-cache --concurrency 2
  expect_err_has "HTTP 401 from openai: invalid API key"
  expect_err_has "(check the API key (\$OPENAI_API_KEY))"
  # Stopped after the first calls, not after burning every item.
  [ "$(requests_seen)" -le 6 ] || fail "the run went on calling: $(fake_stats)"
  stops_early "$ROOT/recipes/metajudge.lua" --input d.jsonl --matcher llm --judge-model m \
    --judge-base-url "$FAKE_URL/v1" --out m --no-cache --concurrency 2
  expect_err_has "HTTP 401 from openai"
  [ "$(requests_seen)" -le 12 ] || fail "the metajudge run went on calling: $(fake_stats)"
  stop_fake
}

t_faults_404_model_stops_early() {
  start_fake --model-prefix real- || return
  faults_data 30
  stops_early "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model no-such-model \
    --judge-base-url "$FAKE_URL/v1" --out j --no-cache --concurrency 2
  expect_err_has "HTTP 404 from openai: model 'no-such-model' not found"
  expect_err_has "check the model name (--judge-model) and the base URL (--judge-base-url)"
  stops_early "$ROOT/recipes/metajudge.lua" --input d.jsonl --matcher llm --judge-model no-such-model \
    --judge-base-url "$FAKE_URL/v1" --out m --no-cache --concurrency 2
  expect_err_has "HTTP 404 from openai"
  [ "$(requests_seen)" -le 12 ] || fail "the runs went on calling: $(fake_stats)"
  stop_fake
}

t_faults_offline_all_misses_stops_early() {
  # A cache that holds other calls: every --offline lookup misses.
  start_fake --responder "$ROOT/tests/fake/judge_responder.lua" || return
  head -n 1 "$ROOT/data/sample.jsonl" > one.jsonl
  ratio run "$ROOT/recipes/judge.lua" --input one.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j0 --cache c.sqlite
  expect_rc 0
  stop_fake
  faults_data 30
  sed -i 1d d.jsonl
  stops_early "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j --cache c.sqlite --offline --concurrency 2
  expect_err_has "offline: no cached reply for this request"
}

# one_bad_item_data: 12 sample items, the 3rd marked so that the fake answers it with a 400.
one_bad_item_data() {
  head -n 12 "$ROOT/data/sample.jsonl" | sed '3s/"content": "/&FAILME /' > d.jsonl
  grep -c FAILME d.jsonl | grep -qx 1 || fail "could not mark one item"
}

t_faults_one_failed_item_fails_the_run_and_rerun_retries_it() {
  start_fake --responder "$ROOT/tests/fake/judge_responder.lua" --fail-match FAILME || return
  one_bad_item_data
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j --cache c.sqlite --json
  expect_rc 1
  expect_err_has "ratio: 1 of 12 failed:"
  expect_err_has "1 x fake-judge: HTTP 400 from openai: invalid request (injected for this item) (e.g. item gen-003)"
  expect_err_has "rerunning the same command retries only the failed ones"
  # The outputs are still written, the summary still printed.
  for f in items.jsonl summary.json report.html manifest.json judged.jsonl; do expect_file "j/$f"; done
  grep -q '"failed":1' <<<"$OUT" || fail "--json summary: $OUT"
  grep -q '"failures"' j/manifest.json || fail "the manifest lacks the failures: $(cat j/manifest.json)"
  # Tolerated: the same failure within --max-failures exits 0 and still says it.
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out jt --cache c.sqlite --max-failures 1
  expect_rc 0
  expect_err_has "1 of 12 failed (--max-failures 1):"
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out jp --cache c.sqlite --max-failures 5%
  expect_rc 1
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out jq --cache c.sqlite --max-failures 10%
  expect_rc 0
  stop_fake
  # The endpoint mended: the same command again calls for the failed item only.
  start_fake --responder "$ROOT/tests/fake/judge_responder.lua" || return
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j2 --cache c.sqlite --json
  expect_rc 0
  [ "$(requests_seen)" = 1 ] || fail "the rerun sent more than the failed call: $(fake_stats)"
  expect_err_has "12 calls (11 from cache"
  stop_fake
}

t_faults_metajudge_one_failed_item() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --fail-match FAILME || return
  head -n 10 "$ROOT/data/sample.jsonl" | sed '4s/"human-checklist": \["/&FAILME /' > d.jsonl
  ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl --matcher llm --judge-model fake-mj \
    --judge-base-url "$FAKE_URL/v1" --out m --cache c.sqlite --models careful
  expect_rc 1
  expect_err_has "ratio: 1 of 10 failed:"
  expect_err_has "(e.g. item gen-004)"
  expect_file m/metajudge-careful.jsonl
  stop_fake
}

t_faults_unscored_is_not_a_failure() {
  # A reply the judge cannot read is a measurement (unscored), not a failed call: exit 0.
  start_fake || return
  faults_data 4
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j --no-cache --json --reasks 0
  expect_rc 0
  grep -q '"unscored":4' <<<"$OUT" || fail "expected 4 unscored: $OUT"
  stop_fake
}

t_faults_max_failures_flag_checked() {
  ratio run "$E2E/recipes/hello.lua" --max-failures lots
  expect_rc 2
  expect_err_first "ratio: --max-failures: expected a count (3) or a share (5%), got 'lots'"
}

# ---- Single flight (issue 13): identical calls in flight are sent once -----------------------------

# dup_data: 150 lines (the 48 sample items over and over): 300 MetaJudge calls, 96 distinct.
dup_data() { for _ in 1 2 3 4; do cat "$ROOT/data/sample.jsonl"; done | head -n 150 > d150.jsonl; }

t_faults_single_flight_96_requests() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --latency-ms 20 || return
  dup_data
  ratio run "$ROOT/recipes/metajudge.lua" --input d150.jsonl --matcher llm --judge-model fake-mj \
    --judge-base-url "$FAKE_URL/v1" --out m --cache c.sqlite --concurrency 64 --json
  expect_rc 0
  [ "$(requests_seen)" = 96 ] || fail "expected 96 requests for 96 distinct prompts: $(fake_stats)"
  expect_err_has "usage: fake-mj: 300 calls"
  # A rerun: every call from the cache, none sent.
  ratio run "$ROOT/recipes/metajudge.lua" --input d150.jsonl --matcher llm --judge-model fake-mj \
    --judge-base-url "$FAKE_URL/v1" --out m2 --cache c.sqlite --concurrency 64
  expect_rc 0
  [ "$(requests_seen)" = 96 ] || fail "the rerun sent requests: $(fake_stats)"
  expect_err_has "300 calls (300 from cache"
  stop_fake
}

t_faults_single_flight_with_faults() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --latency-ms 10 --p500 0.2 \
    --p429 0.1 --retry-after 0 --pdrop 0.05 --seed 13 || return
  dup_data
  ratio run "$ROOT/recipes/metajudge.lua" --input d150.jsonl --matcher llm --judge-model fake-mj \
    --judge-base-url "$FAKE_URL/v1" --out m --cache c.sqlite --concurrency 64 --max-failures 100%
  local s
  s=$(fake_stats)
  [ "$(json_field "$s" 500)" -gt 0 ] || fail "no fault injected: $s"
  # Every distinct body succeeded once and only once; other requests were retries of a call.
  [ "$(json_field "$s" keys)" = 96 ] || fail "distinct bodies: $s"
  [ "$(json_field "$s" duplicates)" = 0 ] || fail "a body was paid twice: $s"
  stop_fake
}

# ---- --on-bad-item skip with nothing usable (issue 13) ---------------------------------------------

t_faults_skip_with_no_usable_line() {
  printf '{"id": "a"}\nnot json\n{"human-checklist": 3}\n' > bad.jsonl
  ratio run "$ROOT/recipes/metajudge.lua" --input bad.jsonl --on-bad-item skip --out m
  expect_rc 1
  expect_err_has "bad.jsonl: no usable item: all 3 lines were skipped as malformed (--on-bad-item skip)"
  ratio run "$ROOT/recipes/hybrid_reward.lua" --input bad.jsonl --on-bad-item skip --out h
  expect_rc 1
  expect_err_has "no usable item: all 3 lines were skipped"
  ratio run "$ROOT/recipes/judge.lua" --input bad.jsonl --on-bad-item skip --judge-model m \
    --judge-base-url http://127.0.0.1:1/v1 --out j
  expect_rc 1
  expect_err_has "no usable item"
  # The readers of decompose and audit too.
  ratio run "$ROOT/recipes/decompose.lua" --input bad.jsonl --on-bad-item skip --model m \
    --base-url http://127.0.0.1:1/v1 --out d
  expect_rc 1
  expect_err_has "no usable item: all 3 lines were skipped"
  ratio run "$ROOT/recipes/audit.lua" --input bad.jsonl --on-bad-item skip --out a
  expect_rc 1
  expect_err_has "no usable item: all 3 lines were skipped"
  # Lines the reader passes and the recipe's own check skips count too: rollouts missing or a
  # preference that is not a number (hybrid_reward), no responses to judge (judge).
  printf '{"id": "a", "human-checklist": ["x"], "overall_preference": 1}\n{"id": "b", "rollout": "r"}\n' > unusable.jsonl
  ratio run "$ROOT/recipes/hybrid_reward.lua" --input unusable.jsonl --on-bad-item skip --out h2
  expect_rc 1
  expect_err_has "unusable.jsonl: no usable item: all 2 lines were skipped as malformed (--on-bad-item skip); the first: unusable.jsonl:1: rollout: missing"
  ratio run "$ROOT/recipes/judge.lua" --input unusable.jsonl --on-bad-item skip --judge-model m \
    --judge-base-url http://127.0.0.1:1/v1 --out j2
  expect_rc 1
  expect_err_has "unusable.jsonl: no usable item: all 2 lines were skipped"
  # One usable line among bad ones still runs.
  { cat bad.jsonl; head -n 1 "$ROOT/data/sample.jsonl"; } > some.jsonl
  ratio run "$ROOT/recipes/metajudge.lua" --input some.jsonl --on-bad-item skip --out m2 --json
  expect_rc 0
  grep -q '"skipped_lines":3' <<<"$OUT" || fail "expected 3 skipped lines: $OUT"
}

# ---- Usage everywhere (issue 16) --------------------------------------------------------------------

t_faults_usage_line_and_saved_tokens() {
  start_fake --responder "$ROOT/tests/fake/judge_responder.lua" --p429 0.3 --retry-after 0 --seed 2 || return
  faults_data 10
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j --cache c.sqlite --json
  expect_rc 0
  expect_err_has "usage: fake-judge: 10 calls (0 from cache, 0 shared in flight),"
  grep -q "ratio: usage: .* [1-9][0-9]* 429s, 0 failed; .* tokens" <<<"$ERR" || fail "no 429s counted: $ERR"
  grep -q '"rate_limited": *[1-9]' j/summary.json || fail "summary.json usage lacks the 429s: $(cat j/summary.json)"
  grep -q '"total"' j/manifest.json && grep -q '"rate_limited"' j/manifest.json || fail "manifest usage: $(cat j/manifest.json)"
  local paid saved
  paid=$(grep -o '"usage":.*' <<<"$OUT" | grep -o '"input_tokens":[0-9]*' | head -n 1 | cut -d: -f2)
  # The rerun pays nothing and says what the cache saved: the first run's tokens.
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j2 --cache c.sqlite --json
  expect_rc 0
  expect_err_has "10 calls (10 from cache"
  expect_err_has "0 tokens (0 in, 0 out)"
  expect_err_has "the cache saved"
  saved=$(grep -o '"saved":{[^}]*}' <<<"$OUT" | grep -o '"input_tokens":[0-9]*' | cut -d: -f2)
  [ -n "$paid" ] && [ "$paid" -gt 0 ] && [ "$paid" = "$saved" ] || fail "saved $saved input tokens, the first run paid $paid"
  # --quiet drops the usage line.
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j3 --cache c.sqlite --quiet
  grep -q "usage:" <<<"$ERR" && fail "--quiet printed usage: $ERR"
  stop_fake
}
