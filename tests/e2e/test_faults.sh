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
    --judge-base-url "$FAKE_URL/v1" --out j --no-cache --json
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
    --judge-base-url "$FAKE_URL/v1" --out j --cache c.sqlite --json
  expect_rc 0
  for k in 429 500 drop truncated error200 nochoices; do
    [ "$(injected "$k")" -gt 0 ] || fail "no $k fault was injected: $(fake_stats)"
  done
  check_run judge j 40
  # A second run answers every item from the cache; failed calls were not cached as answers.
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j2 --cache c.sqlite --json
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
  expect_rc 0
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
    --metajudge-base-url "$FAKE_URL/v1" --out m --no-cache --json
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
  expect_rc 0
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
