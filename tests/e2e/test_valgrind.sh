# valgrind on an end-to-end run: no leaks, no invalid accesses.

t_valgrind_clean_run() {
  if ! command -v valgrind >/dev/null; then fail "valgrind is not installed (scripts/setup installs it)"; return; fi
  valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect "$RATIO" run "$E2E/recipes/rundir.lua" --out vg --n 50 \
    >"$WORK/.out" 2>"$WORK/.err" </dev/null
  RC=$?
  ERR=$(cat "$WORK/.err")
  expect_rc 0
  [ -z "$ERR" ] || fail "valgrind reported: $(head -c 2000 <<<"$ERR")"
}

t_valgrind_error_path() {
  if ! command -v valgrind >/dev/null; then fail "valgrind is not installed"; return; fi
  valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect "$RATIO" run "$E2E/recipes/spawn_error.lua" \
    >"$WORK/.out" 2>"$WORK/.err" </dev/null
  RC=$?
  ERR=$(cat "$WORK/.err")
  expect_rc 1
  grep -q "==[0-9]*==" <<<"$ERR" && fail "valgrind reported: $(head -c 2000 <<<"$ERR")"
  return 0
}

t_valgrind_client_and_server() {
  if ! command -v valgrind >/dev/null; then fail "valgrind is not installed"; return; fi
  # The Lua tests of ratio.serve, ratio.http and ratio.llm: real requests over 127.0.0.1, retries,
  # timeouts, dropped connections and a graceful shutdown, all in one process under valgrind.
  local only
  for only in serve llm; do
    valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
      --errors-for-leak-kinds=definite,indirect "$RATIO" run "$ROOT/tests/lua/run.lua" --only "$only" \
      --cache vg.sqlite >"$WORK/.out" 2>"$WORK/.err" </dev/null
    RC=$?
    ERR=$(cat "$WORK/.err")
    expect_rc 0
    grep -q "==[0-9]*==" <<<"$ERR" && fail "valgrind reported: $(grep -A30 "==[0-9]*==" <<<"$ERR" | head -c 3000)"
  done
  return 0
}

t_valgrind_reward_server() {
  if ! command -v valgrind >/dev/null; then fail "valgrind is not installed"; return; fi
  # The reward server as a trainer meets it, under valgrind: rewards scored through the fake
  # MetaJudge, a bad request, metrics, then SIGTERM with a request in flight.
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --latency-ms 300 || return
  rm -f vg.port
  valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect "$RATIO" run "$ROOT/recipes/reward_server.lua" \
    --port 0 --port-file vg.port --cache vg.sqlite --metajudge-base-url "$FAKE_URL/v1" \
    --metajudge-model fake-metajudge >vg.out 2>vg.err </dev/null &
  local pid=$!
  for _ in $(seq 1 200); do [ -s vg.port ] && break; sleep 0.05; done
  [ -s vg.port ] || { fail "the server did not start under valgrind: $(cat vg.err)"; stop_fake; return; }
  local url="http://127.0.0.1:$(cat vg.port)"
  ratio run "$E2E/recipes/reward_request.lua" --n 3 --output req.json
  curl -s -X POST --data-binary @req.json "$url/get_reward" | grep -q '"rewards":\[' || fail "no rewards"
  curl -s -X POST --data-binary '{"query": 1}' "$url/get_reward" | grep -q '"field":"query"' || fail "no 400"
  curl -s "$url/metrics" | grep -q ratio_reward_requests_total || fail "no metrics"
  local calls
  calls=$(curl -s "$FAKE_URL/stats" | grep -o '"requests":[0-9]*' | head -n 1 | cut -d: -f2)
  curl -s -o inflight.out -X POST --data-binary @req.json "$url/get_reward" &
  local c=$!
  # SIGTERM once the request is in the server (its 3 rollouts have reached the MetaJudge)
  for _ in $(seq 1 1000); do
    [ "$(curl -s "$FAKE_URL/stats" | grep -o '"requests":[0-9]*' | head -n 1 | cut -d: -f2)" -ge $((calls + 3)) ] && break
    sleep 0.02
  done
  kill -TERM "$pid"
  wait "$c"
  wait "$pid"
  RC=$?
  grep -q '"rewards":\[' inflight.out || fail "the request in flight at SIGTERM was not answered"
  expect_rc 0
  grep -q "==[0-9]*==" vg.err && fail "valgrind reported: $(grep -A30 "==[0-9]*==" vg.err | head -c 3000)"
  stop_fake
  return 0
}
