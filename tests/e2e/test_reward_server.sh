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
  start_reward --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge || return
  ratio run "$E2E/recipes/reward_request.lua" --n 4 --output good.json
  post /get_reward good.json
  [ "$CODE" = 200 ] || fail "status $CODE: $BODY"
  grep -q '"rewards":\[' <<<"$BODY" || fail "no rewards: $BODY"
  grep -q '"scores":\[' <<<"$BODY" || fail "no scores: $BODY"
  grep -q '"extra_logs":{"ap":\[' <<<"$BODY" || fail "no extra_logs: $BODY"
  grep -q '"unscored":\[0.0,0.0,0.0,0.0\]' <<<"$BODY" || fail "unexpected unscored: $BODY"
  grep -q '"scored":\[1.0,1.0,1.0,1.0\]' <<<"$BODY" || fail "not scored: $BODY"
  # The time accounting a trainer can check: per rollout the MetaJudge's share (judge_ms, of which
  # queue_ms was waiting for a free call slot), per request the time in the server.
  grep -q '"judge_ms":\[[0-9.]*,[0-9.]*,[0-9.]*,[0-9.]*\]' <<<"$BODY" || fail "judge_ms: $BODY"
  grep -q '"queue_ms":\[[0-9.]*,[0-9.]*,[0-9.]*,[0-9.]*\]' <<<"$BODY" || fail "queue_ms: $BODY"
  grep -q '"server_ms":\[[0-9.]*,' <<<"$BODY" || fail "server_ms: $BODY"
  [ "$(fake_ok)" = 4 ] || fail "expected 4 MetaJudge calls, the fake answered $(fake_ok)"
  # No call cache by default (RL rollouts rarely repeat): the same request is judged again.
  post /get_reward good.json
  [ "$(fake_ok)" = 8 ] || fail "expected the repeat to be judged again, the fake answered $(fake_ok)"
  ratio run "$E2E/recipes/reward_request.lua" --n 2 --no-verdict --output nov.json
  post /get_reward nov.json
  [ "$CODE" = 200 ] || fail "status $CODE: $BODY"
  grep -q '"rewards":\[0.0,0.0\]' <<<"$BODY" || fail "a rollout without a verdict must score 0: $BODY"
  grep -q '"unscored":\[1.0,1.0\]' <<<"$BODY" || fail "rollouts without a verdict must be flagged: $BODY"
  grep -q '"reason":"no_verdict"' <<<"$BODY" || fail "the reason must be in details: $BODY"
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
  start_reward --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge --cache-calls || return
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
  out=$(RATIO_REWARD_URL=$RS_URL RATIO_REWARD_TOKEN=shim-token python3 -B shim.py "$ROOT/docs" 2>&1)
  grep -q '"scored": 1.0' <<<"$out" || fail "the verl shim did not get a scored reward: $out"
  grep -q '"score": 0.0,' <<<"$out" && fail "a right verdict with a matching reason must score > 0: $out"
  out=$(RATIO_REWARD_URL=$RS_URL RATIO_REWARD_TOKEN=wrong python3 -B shim.py "$ROOT/docs" 2>&1)
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
  start_reward --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge --deadline-ms 200 \
    --deadline-fallback outcome || return
  ratio run "$E2E/recipes/reward_request.lua" --n 3 --output good.json
  post /get_reward good.json
  [ "$CODE" = 200 ] || fail "status $CODE: $BODY"
  grep -q '"fallback":\[1.0,1.0,1.0\]' <<<"$BODY" || fail "late rollouts must be flagged: $BODY"
  # careful's verdicts on the first three items are right: the outcome-only fallback is 1.
  grep -q '"rewards":\[1.0,1.0,1.0\]' <<<"$BODY" || fail "fallback reward: $BODY"
  stop_reward
  # The default (batch-mean) pays a late rollout its outcome times the mean judged reward of its
  # request: nothing was judged here, so nothing is paid.
  start_reward --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge --deadline-ms 200 || return
  post /get_reward good.json
  grep -q '"fallback":\[1.0,1.0,1.0\]' <<<"$BODY" && grep -q '"rewards":\[0.0,0.0,0.0\]' <<<"$BODY" ||
    fail "batch-mean fallback with nothing judged: $BODY"
  stop_reward
  # --fallback is the old name: it still works, and says it is deprecated.
  start_reward --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge --deadline-ms 200 --fallback outcome || return
  post /get_reward good.json
  grep -q '"rewards":\[1.0,1.0,1.0\]' <<<"$BODY" || fail "--fallback outcome: $BODY"
  grep -q 'warning: --fallback is deprecated; use --deadline-fallback outcome' rs.log || fail "no deprecation warning: $(cat rs.log)"
  stop_reward
  stop_fake
  # One call slot: one rollout is at the MetaJudge when the deadline passes, two still wait. The
  # waiting two are dropped, never sent: a late request does not keep spending MetaJudge calls.
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --latency-ms 600 || return
  start_reward --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge --deadline-ms 200 \
    --max-inflight 1 || return
  post /get_reward good.json
  grep -q '"fallback":\[1.0,1.0,1.0\]' <<<"$BODY" || fail "late rollouts must be flagged: $BODY"
  sleep 1.5 # had the two waiting rollouts been sent, the second would have arrived by now
  [ "$(fake_requests)" = 1 ] || fail "expected 1 MetaJudge call, the fake received $(fake_requests)"
  BODY=$(curl -s "$RS_URL/health")
  grep -q '"in_flight":0,' <<<"$BODY" || fail "dropped rollouts still counted in flight: $BODY"
  stop_reward
  stop_fake
}

# health_field NAME: the integer NAME in the reward server's /health answer
health_field() { curl -s "$RS_URL/health" | grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }

# wait_health NAME VALUE: waits (up to 10 s) until /health reports NAME = VALUE
wait_health() {
  local _
  for _ in $(seq 1 200); do [ "$(health_field "$1")" = "$2" ] && return 0; sleep 0.05; done
  fail "/health never reported $1 = $2: $(curl -s "$RS_URL/health")"
  return 1
}

t_reward_server_overload_gets_429() {
  # The first request fills the queue (4 of --max-queue 4); the second waits --queue-wait-ms for
  # room, gets none (the MetaJudge takes 3 s), and only then is told 429 with Retry-After.
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --latency-ms 3000 || return
  start_reward --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge --max-queue 4 --retry-after 2 \
    --queue-wait-ms 300 || return
  ratio run "$E2E/recipes/reward_request.lua" --n 4 --output four.json
  curl -s -o first.out -X POST --data-binary @four.json "$RS_URL/get_reward" &
  local first=$!
  wait_health in_flight 4 || return
  BODY=$(curl -s -D headers.txt -o - -w '\n%{http_code}' -X POST --data-binary @four.json "$RS_URL/get_reward")
  CODE=${BODY##*$'\n'}
  [ "$CODE" = 429 ] || fail "expected 429, got $CODE"
  grep -qi '^retry-after: 2' headers.txt || fail "no Retry-After: $(cat headers.txt)"
  grep -q 'within 300 ms' <<<"$BODY" || fail "the 429 must say how long it waited: $BODY"
  wait "$first"
  grep -q '"rewards":\[' first.out || fail "the first request was not answered: $(cat first.out)"
  grep -q 'ratio_reward_rejected_total 1' <<<"$(curl -s "$RS_URL/metrics")" || fail "429 not counted"
  stop_reward
  stop_fake
}

# trickle PORT SECONDS: a /get_reward request whose body arrives a piece at a time over SECONDS;
# prints the answer's status line, or "closed" when the server dropped it unanswered.
trickle() {
  python3 - "$1" "$2" <<'PY'
import socket, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
body = b'{"query": "not a list", "pad": "' + b"x" * 600 + b'"}'
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"POST /get_reward HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Content-Length: %d\r\n\r\n" % len(body))
pieces = 20
try:
    for i in range(pieces):
        s.sendall(body[i * len(body) // pieces:(i + 1) * len(body) // pieces])
        time.sleep(seconds / pieces)
    answer = s.recv(200)
except OSError:
    answer = b""
print(answer.split(b"\r\n")[0].decode() if answer else "closed")
PY
}

# --request-timeout-ms bounds the time a request may take to arrive: a body trickling in past it
# is dropped, one within it is read and answered (the default is 60 s, h2o's own 10 s cut slow
# large bodies from trainers unanswered).
t_reward_server_request_timeout() {
  start_reward --matcher lexical --request-timeout-ms 1000 || return
  local got
  got=$(trickle "$(cat rs.port)" 3)
  [ "$got" = closed ] || fail "a request slower than --request-timeout-ms 1000 was answered: $got"
  curl -sf "$RS_URL/health" >/dev/null || fail "/health after the dropped request"
  stop_reward
  start_reward --matcher lexical --request-timeout-ms 30000 || return
  got=$(trickle "$(cat rs.port)" 3)
  [ "$got" = "HTTP/1.1 400 Bad Request" ] || fail "a 3 s request within 30 s was not read and answered: $got"
  stop_reward
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
  # a query that does not hold its prompt: refused, never scored whole (the prompt's own example
  # verdict would be read as the rollout's)
  printf '{"query": ["Example: \\\\boxed{B>A}. I cannot decide."], "prompts": ["Example: \\\\boxed{B>A}!"], "labels": ["{\\"human_checklist\\": [\\"x\\"], \\"overall_preference\\": 1}"]}' > p.json
  post /get_reward p.json
  [ "$CODE" = 400 ] && grep -q '"field":"query\[0\]"' <<<"$BODY" || fail "query without its prompt: $CODE $BODY"
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
  # The scheme is case-insensitive; a client that sends no header of its own (OpenRLHF's) puts
  # the token in the URL.
  post /get_reward one.json -H 'authorization: bearer s3cret-token'
  [ "$CODE" = 200 ] || fail "lower-case scheme: $CODE $BODY"
  post "/get_reward?token=s3cret-token" one.json
  [ "$CODE" = 200 ] || fail "?token=: $CODE $BODY"
  post "/get_reward?token=s3cret-tokeX" one.json
  [ "$CODE" = 401 ] || fail "?token= wrong: $CODE $BODY"
  post "/get_reward?token=s3cret-token" one.json -H 'authorization: Bearer wrong'
  [ "$CODE" = 200 ] || fail "either way in: $CODE $BODY"
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
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --latency-ms 2000 || return
  start_reward --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge || return
  ratio run "$E2E/recipes/reward_request.lua" --n 2 --output two.json
  local pids=() i
  for i in 1 2 3 4; do
    curl -s -o "inflight$i.out" -X POST --data-binary @two.json "$RS_URL/get_reward" &
    pids+=($!)
  done
  # All four requests are in (8 rollouts at the MetaJudge) before the signal: an observable
  # condition, not a sleep that a loaded machine can outrun.
  wait_health in_flight 8 || return
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

# Beyond this machine only with a token, or when told so in as many words.
t_reward_server_non_loopback_needs_token() {
  ratio run "$ROOT/recipes/reward_server.lua" --matcher lexical --host 0.0.0.0 --port 0
  expect_rc 2
  expect_err_lines 1
  expect_err_has "--host 0.0.0.0: listening beyond this machine needs a token"
  ratio run "$ROOT/recipes/reward_server.lua" --matcher lexical --host :: --port 0
  expect_rc 2
  expect_err_has "--host ::: listening beyond this machine needs a token"
  # Explicitly insecure: it starts, and says so.
  start_reward --matcher lexical --host 0.0.0.0 --insecure-no-token || return
  grep -q "listening on http://0.0.0.0:$(cat rs.port) .*NO TOKEN" rs.log || fail "startup line: $(cat rs.log)"
  stop_reward
  # With a token it starts; an IPv6 address is printed in brackets.
  RATIO_REWARD_TOKEN=v6-token start_reward --matcher lexical --host :: || return
  grep -q "listening on http://\[::\]:$(cat rs.port) .*token required" rs.log || fail "IPv6 startup line: $(cat rs.log)"
  stop_reward
  # Loopback needs no token, IPv6 loopback included.
  start_reward --matcher lexical --host ::1 || return
  grep -q "listening on http://\[::1\]:$(cat rs.port) " rs.log || fail "::1 startup line: $(cat rs.log)"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://[::1]:$(cat rs.port)/health")" = 200 ] || fail "::1 /health"
  stop_reward
}

# A full server makes a request wait for room instead of refusing it (trainers ignore
# Retry-After), and a batch larger than --max-queue is judged in parts, not refused.
t_reward_server_waits_for_room() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --latency-ms 3000 || return
  start_reward --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge --max-queue 2 || return
  ratio run "$E2E/recipes/reward_request.lua" --n 2 --output two.json
  ratio run "$E2E/recipes/reward_request.lua" --n 5 --output five.json
  curl -s -o a.out -X POST --data-binary @two.json "$RS_URL/get_reward" &
  local a=$!
  wait_health in_flight 2 || return
  curl -s -o b.out -w '%{http_code}' -X POST --data-binary @five.json "$RS_URL/get_reward" > b.code &
  local b=$!
  wait_health waiting 1 || return # the second request is waiting, not refused
  wait "$a" "$b"
  grep -q '"scored":\[1.0,1.0\]' a.out || fail "first request: $(cat a.out)"
  [ "$(cat b.code)" = 200 ] && grep -q '"scored":\[1.0,1.0,1.0,1.0,1.0\]' b.out ||
    fail "a batch of 5 with --max-queue 2 after waiting: $(cat b.code) $(cat b.out)"
  grep -q 'ratio_reward_rejected_total 0' <<<"$(curl -s "$RS_URL/metrics")" || fail "a request was refused"
  stop_reward
  stop_fake
}
