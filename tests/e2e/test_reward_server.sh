# recipes/reward_server.lua: the OpenRLHF protocol, deadlines, overload, bad requests, auth,
# metrics and a graceful SIGTERM, over real HTTP with the fake LLM as the MetaJudge.

# start_reward ARGS...: starts the reward server on a free port; sets RS_PID and RS_URL.
start_reward() {
  rm -f rs.port
  "$RATIO" run "$ROOT/recipes/reward_server.lua" --port 0 --port-file rs.port --cache rs.sqlite "$@" \
    >rs.log 2>&1 &
  RS_PID=$!
  for _ in $(seq 1 100); do [ -s rs.port ] && break; sleep 0.05; done
  [ -s rs.port ] || { fail "the reward server did not start: $(cat rs.log)"; return 1; }
  RS_URL="http://127.0.0.1:$(cat rs.port)"
}

stop_reward() {
  kill -TERM "$RS_PID" 2>/dev/null
  wait "$RS_PID" 2>/dev/null
}

# post PATH FILE [curl args...]: sets CODE and BODY
post() {
  local path=$1 file=$2
  shift 2
  BODY=$(curl -s -o - -w '\n%{http_code}' -X POST -H 'content-type: application/json' \
    --data-binary "@$file" "$@" "$RS_URL$path")
  CODE=${BODY##*$'\n'}
  BODY=${BODY%$'\n'*}
}

# fake_ok / fake_requests: chat completions the fake LLM has answered / received so far
fake_ok() { curl -s "$FAKE_URL/stats" | grep -o '"ok":[0-9]*' | head -n 1 | cut -d: -f2; }
fake_requests() { curl -s "$FAKE_URL/stats" | grep -o '"requests":[0-9]*' | head -n 1 | cut -d: -f2; }

t_reward_server_protocol() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" || return
  start_reward --judge-base-url "$FAKE_URL/v1" --judge-model fake-metajudge || return
  ratio run "$E2E/recipes/reward_request.lua" --n 4 --output good.json
  post /get_reward good.json
  [ "$CODE" = 200 ] || fail "status $CODE: $BODY"
  grep -q '"rewards":\[' <<<"$BODY" || fail "no rewards: $BODY"
  grep -q '"scores":\[' <<<"$BODY" || fail "no scores: $BODY"
  grep -q '"extra_logs":{"ap":\[' <<<"$BODY" || fail "no extra_logs: $BODY"
  grep -q '"unscored":\[false,false,false,false\]' <<<"$BODY" || fail "unexpected unscored: $BODY"
  # The time accounting a trainer can check: per rollout the MetaJudge's share (judge_ms, of which
  # queue_ms was waiting for a free call slot), per request the time in the server.
  grep -q '"judge_ms":\[[0-9.]*,[0-9.]*,[0-9.]*,[0-9.]*\]' <<<"$BODY" || fail "judge_ms: $BODY"
  grep -q '"queue_ms":\[[0-9.]*,[0-9.]*,[0-9.]*,[0-9.]*\]' <<<"$BODY" || fail "queue_ms: $BODY"
  grep -q '"server_ms":[0-9.]*' <<<"$BODY" || fail "server_ms: $BODY"
  [ "$(fake_ok)" = 4 ] || fail "expected 4 MetaJudge calls, the fake answered $(fake_ok)"
  # No call cache by default (RL rollouts rarely repeat): the same request is judged again.
  post /get_reward good.json
  [ "$(fake_ok)" = 8 ] || fail "expected the repeat to be judged again, the fake answered $(fake_ok)"
  ratio run "$E2E/recipes/reward_request.lua" --n 2 --no-verdict --output nov.json
  post /get_reward nov.json
  [ "$CODE" = 200 ] || fail "status $CODE: $BODY"
  grep -q '"rewards":\[0.0,0.0\]' <<<"$BODY" || fail "a rollout without a verdict must score 0: $BODY"
  grep -q '"unscored":\[true,true\]' <<<"$BODY" || fail "rollouts without a verdict must be flagged: $BODY"
  BODY=$(curl -s "$RS_URL/metrics")
  grep -q 'ratio_reward_requests_total{code="200"} 3' <<<"$BODY" || fail "metrics: $BODY"
  grep -q 'ratio_reward_judge_seconds_count' <<<"$BODY" || fail "metrics lack the judge latency: $BODY"
  BODY=$(curl -s "$RS_URL/health")
  grep -q '"in_flight":0,' <<<"$BODY" && grep -q '"status":"ok"' <<<"$BODY" || fail "health: $BODY"
  stop_reward
  stop_fake
}

t_reward_server_cache_calls() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" || return
  start_reward --judge-base-url "$FAKE_URL/v1" --judge-model fake-metajudge --cache-calls || return
  ratio run "$E2E/recipes/reward_request.lua" --n 3 --output good.json
  post /get_reward good.json
  local first=$BODY
  post /get_reward good.json
  [ "$(fake_ok)" = 3 ] || fail "with --cache-calls a repeated rollout is judged once; the fake answered $(fake_ok)"
  [ "${first%%\"extra_logs\"*}" = "${BODY%%\"extra_logs\"*}" ] || fail "cached rewards differ: $first / $BODY"
  stop_reward
  stop_fake
}

t_reward_server_verl_shim() {
  RATIO_REWARD_TOKEN=shim-token start_reward --matcher lexical || return
  cat > shim.py <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import verl_reward
rollout = ("List of reasons:\n- Response B is well over the 100-word limit the user set.\n"
           "Final assessment result: \\boxed{A>B}")
label = json.dumps({"human_checklist": ["Response 2 is well over the 100-word limit the user set.",
                                        "Response 2 uses emoji."], "overall_preference": -2})
print(json.dumps(verl_reward.compute_score("ratio", rollout, label)))
PY
  local out
  out=$(RATIO_REWARD_URL=$RS_URL RATIO_REWARD_TOKEN=shim-token python3 shim.py "$ROOT/docs" 2>&1)
  grep -q '"status": "ok"' <<<"$out" || fail "the verl shim did not get a scored reward: $out"
  grep -q '"score": 0.0,' <<<"$out" && fail "a right verdict with a matching reason must score > 0: $out"
  out=$(RATIO_REWARD_URL=$RS_URL RATIO_REWARD_TOKEN=wrong python3 shim.py "$ROOT/docs" 2>&1)
  grep -q 'HTTP 401' <<<"$out" || fail "a refused call must raise, not score 0: $out"
  stop_reward
  return 0
}

t_reward_server_single_rollout() {
  start_reward --matcher lexical || return
  cat > one.json <<'JSON'
{"rollout": "<RESULT_START>\nList of reasons:\n- Response B is well over the 100-word limit the user set.\nFinal assessment result: \\boxed{A>B}\n<RESULT_END>", "human_checklist": ["Response 2 is well over the 100-word limit the user set.", "Response 2 uses emoji."], "overall_preference": -2}
JSON
  post /score one.json
  [ "$CODE" = 200 ] || fail "status $CODE: $BODY"
  grep -q '"status":"ok"' <<<"$BODY" || fail "not scored: $BODY"
  grep -q '"outcome":true' <<<"$BODY" || grep -q '"outcome":1' <<<"$BODY" || fail "outcome: $BODY"
  grep -q '"reward":0.0,' <<<"$BODY" && fail "a correct verdict with a matching reason must score > 0: $BODY"
  stop_reward
  return 0
}

t_reward_server_deadline_fallback() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --latency-ms 2000 || return
  start_reward --judge-base-url "$FAKE_URL/v1" --judge-model fake-metajudge --deadline-ms 200 || return
  ratio run "$E2E/recipes/reward_request.lua" --n 3 --output good.json
  post /get_reward good.json
  [ "$CODE" = 200 ] || fail "status $CODE: $BODY"
  grep -q '"fallback":\[true,true,true\]' <<<"$BODY" || fail "late rollouts must be flagged: $BODY"
  # careful's verdicts on the first three items are right: the outcome-only fallback is 1.
  grep -q '"rewards":\[1.0,1.0,1.0\]' <<<"$BODY" || fail "fallback reward: $BODY"
  stop_reward
  stop_fake
  # One call slot: one rollout is at the MetaJudge when the deadline passes, two still wait. The
  # waiting two are dropped, never sent: a late request does not keep spending MetaJudge calls.
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --latency-ms 600 || return
  start_reward --judge-base-url "$FAKE_URL/v1" --judge-model fake-metajudge --deadline-ms 200 \
    --max-inflight 1 || return
  post /get_reward good.json
  grep -q '"fallback":\[true,true,true\]' <<<"$BODY" || fail "late rollouts must be flagged: $BODY"
  sleep 1.5 # had the two waiting rollouts been sent, the second would have arrived by now
  [ "$(fake_requests)" = 1 ] || fail "expected 1 MetaJudge call, the fake received $(fake_requests)"
  BODY=$(curl -s "$RS_URL/health")
  grep -q '"in_flight":0,' <<<"$BODY" || fail "dropped rollouts still counted in flight: $BODY"
  stop_reward
  stop_fake
}

t_reward_server_overload_gets_429() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --latency-ms 1500 || return
  start_reward --judge-base-url "$FAKE_URL/v1" --judge-model fake-metajudge --max-queue 4 --retry-after 2 || return
  ratio run "$E2E/recipes/reward_request.lua" --n 3 --output three.json
  curl -s -o first.out -X POST --data-binary @three.json "$RS_URL/get_reward" &
  local first=$!
  sleep 0.3
  BODY=$(curl -s -D headers.txt -o - -w '\n%{http_code}' -X POST --data-binary @three.json "$RS_URL/get_reward")
  CODE=${BODY##*$'\n'}
  [ "$CODE" = 429 ] || fail "expected 429, got $CODE"
  grep -qi '^retry-after: 2' headers.txt || fail "no Retry-After: $(cat headers.txt)"
  wait "$first"
  grep -q '"rewards":\[' first.out || fail "the first request was not answered: $(cat first.out)"
  grep -q 'ratio_reward_rejected_total 1' <<<"$(curl -s "$RS_URL/metrics")" || fail "429 not counted"
  stop_reward
  stop_fake
}

t_reward_server_bad_requests() {
  start_reward --matcher lexical --max-body 4096 || return
  printf '{"query": [' > broken.json
  post /get_reward broken.json
  [ "$CODE" = 400 ] && grep -q '"field":"body"' <<<"$BODY" || fail "invalid JSON: $CODE $BODY"
  printf '{"query": "x", "prompts": [], "labels": []}' > q.json
  post /get_reward q.json
  [ "$CODE" = 400 ] && grep -q '"field":"query"' <<<"$BODY" || fail "query: $CODE $BODY"
  printf '{"query": ["a", "b"], "prompts": ["a"], "labels": ["{}", "{}"]}' > n.json
  post /get_reward n.json
  [ "$CODE" = 400 ] && grep -q '"field":"prompts"' <<<"$BODY" || fail "lengths: $CODE $BODY"
  printf '{"query": ["a", "b"], "prompts": ["", ""], "labels": ["{\\"human_checklist\\": [\\"x\\"], \\"overall_preference\\": 1}", "{\\"human_checklist\\": 3, \\"overall_preference\\": 1}"]}' > l.json
  post /get_reward l.json
  [ "$CODE" = 400 ] && grep -q '"field":"labels\[1\].human_checklist"' <<<"$BODY" || fail "label field: $CODE $BODY"
  printf '{"query": %s1%s}' "$(printf '[%.0s' $(seq 1 100))" "$(printf ']%.0s' $(seq 1 100))" > deep.json
  post /get_reward deep.json
  [ "$CODE" = 400 ] && grep -q 'nesting' <<<"$BODY" || fail "depth limit: $CODE $BODY"
  head -c 8000 /dev/zero | tr '\0' 'a' | sed 's/^/{"query": ["/; s/$/"]}/' > big.json
  post /get_reward big.json
  [ "$CODE" = 413 ] || fail "body limit: $CODE"
  BODY=$(curl -s -o /dev/null -w '%{http_code}' "$RS_URL/get_reward")
  [ "$BODY" = 405 ] || fail "GET /get_reward: $BODY"
  stop_reward
}

t_reward_server_bearer_token() {
  RATIO_REWARD_TOKEN=s3cret-token start_reward --matcher lexical || return
  ratio run "$E2E/recipes/reward_request.lua" --n 1 --output one.json
  post /get_reward one.json
  [ "$CODE" = 401 ] || fail "no token: $CODE"
  post /get_reward one.json -H 'authorization: Bearer wrong'
  [ "$CODE" = 401 ] || fail "wrong token: $CODE"
  post /get_reward one.json -H 'authorization: Bearer s3cret-token'
  [ "$CODE" = 200 ] || fail "right token: $CODE $BODY"
  stop_reward
  grep -q "s3cret-token" rs.log && fail "the token was logged"
  start_reward --matcher lexical --token flag-token || return
  post /get_reward one.json
  [ "$CODE" = 401 ] || fail "--token: no token: $CODE"
  post /get_reward one.json -H 'authorization: Bearer flag-token'
  [ "$CODE" = 200 ] || fail "--token: right token: $CODE $BODY"
  stop_reward
  return 0
}

t_reward_server_sigterm_answers_in_flight() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --latency-ms 400 || return
  start_reward --judge-base-url "$FAKE_URL/v1" --judge-model fake-metajudge || return
  ratio run "$E2E/recipes/reward_request.lua" --n 2 --output two.json
  local pids=() i
  for i in 1 2 3 4; do
    curl -s -o "inflight$i.out" -X POST --data-binary @two.json "$RS_URL/get_reward" &
    pids+=($!)
  done
  # SIGTERM once all four are in the server: their 8 rollouts have reached the MetaJudge (which
  # holds each for 400 ms), so none can have been answered yet
  for _ in $(seq 1 400); do [ "$(fake_requests)" -ge 8 ] && break; sleep 0.01; done
  [ "$(fake_requests)" -ge 8 ] || fail "the 4 requests never reached the MetaJudge: $(fake_requests) calls"
  kill -TERM "$RS_PID"
  for i in "${pids[@]}"; do wait "$i"; done
  wait "$RS_PID"
  local rc=$?
  [ "$rc" = 0 ] || fail "the server exited $rc after SIGTERM: $(tail -n 3 rs.log)"
  for i in 1 2 3 4; do
    grep -q '"rewards":\[' "inflight$i.out" || fail "request $i in flight at SIGTERM was not answered: $(cat "inflight$i.out")"
  done
  stop_fake
}
