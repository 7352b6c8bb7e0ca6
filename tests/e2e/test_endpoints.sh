# Several base URLs: the judge client spreads its calls evenly over four fake endpoints (one
# process each, counting what they serve), and when one of them dies mid-run it is rested and
# its calls finish on the other three, none lost.

# ep_start I ARGS...: starts fake endpoint I (tests/fake_llm.lua); sets EP_PID[I] and EP_URL[I].
ep_start() {
  local i=$1
  shift
  rm -f "ep$i.port"
  "$RATIO" run "$ROOT/tests/fake_llm.lua" --port-file "ep$i.port" "$@" >"ep$i.log" 2>&1 &
  EP_PID[i]=$!
  for _ in $(seq 1 100); do [ -s "ep$i.port" ] && break; sleep 0.05; done
  [ -s "ep$i.port" ] || { fail "fake endpoint $i did not start: $(cat "ep$i.log")"; return 1; }
  EP_URL[i]="http://127.0.0.1:$(cat "ep$i.port")"
}

ep_stop_all() {
  for i in 1 2 3 4; do kill -TERM "${EP_PID[$i]}" 2>/dev/null; done
  for i in 1 2 3 4; do wait "${EP_PID[$i]}" 2>/dev/null; done
}

# ep_ok I: requests endpoint I answered with a reply so far.
ep_ok() { curl -s "${EP_URL[$1]}/stats" | grep -o '"ok":[0-9]*' | head -n 1 | cut -d: -f2; }

# ep_stats JSON I: the I-th object of the summary's "endpoints" list.
ep_stats() { grep -o '"endpoints":\[[^]]*\]' <<<"$1" | grep -o '{[^}]*}' | sed -n "${2}p"; }
ep_field() { grep -o "\"$2\":[0-9]*" <<<"$1" | cut -d: -f2; }

# ep_check_shares TOTAL: every endpoint served between 20% and 30% of TOTAL.
ep_check_shares() {
  local total=$1 n i sum=0
  for i in 1 2 3 4; do
    n=$(ep_ok "$i")
    sum=$((sum + n))
    if [ "$((n * 100))" -lt "$((total * 20))" ] || [ "$((n * 100))" -gt "$((total * 30))" ]; then
      fail "endpoint $i served $n of $total calls, outside 20-30%"
    fi
  done
  [ "$sum" = "$total" ] || fail "the endpoints served $sum calls, expected $total"
}

t_endpoints_share_the_calls_evenly() {
  # Each endpoint answers after 20 ms: its time per call is then its latency, not how the OS
  # schedules four fakes on a loaded machine (at 2 ms a favoured fake answered faster, so the
  # least busy choice rightly gave it ~32% of the calls).
  for i in 1 2 3 4; do ep_start "$i" --latency-ms 20 || return; done
  local urls="${EP_URL[1]}/v1,${EP_URL[2]}/v1,${EP_URL[3]}/v1,${EP_URL[4]}/v1"
  # fewer calls in flight than endpoints: ties between idle endpoints must go round
  ratio run "$ROOT/recipes/loadtest.lua" --llm-base-url "$urls" --requests 200 --concurrency 2 --json
  expect_rc 0
  [ "$(json_field "$OUT" ok)" = 200 ] || fail "not all requests completed: $OUT"
  ep_check_shares 200
  # and many in flight
  ratio run "$ROOT/recipes/loadtest.lua" --llm-base-url "$urls" --requests 1200 --concurrency 64 --json
  expect_rc 0
  [ "$(json_field "$OUT" ok)" = 1200 ] || fail "not all requests completed: $OUT"
  ep_check_shares 1400
  local e
  for i in 1 2 3 4; do
    e=$(ep_stats "$OUT" "$i")
    [ "$(ep_field "$e" failures)" = 0 ] || fail "endpoint $i had failures: $e"
  done
  ep_stop_all
}

t_endpoints_a_stopped_one_is_rested_and_nothing_is_lost() {
  for i in 1 2 3 4; do ep_start "$i" --latency-ms 20 || return; done
  local urls="${EP_URL[1]}/v1,${EP_URL[2]}/v1,${EP_URL[3]}/v1,${EP_URL[4]}/v1" n=3000
  "$RATIO" run "$ROOT/recipes/loadtest.lua" --llm-base-url "$urls" --requests "$n" --concurrency 32 \
    --json >run.out 2>run.err </dev/null &
  local run_pid=$! served=0
  # stop endpoint 3 once it has served a share of the run (not after a guessed time)
  for _ in $(seq 1 600); do
    served=$(ep_ok 3)
    [ "${served:-0}" -ge 150 ] && break
    kill -0 "$run_pid" 2>/dev/null || break
    sleep 0.05
  done
  [ "${served:-0}" -ge 150 ] || fail "endpoint 3 served only ${served:-0} calls before the run ended"
  kill -KILL "${EP_PID[3]}"
  wait "${EP_PID[3]}" 2>/dev/null
  wait "$run_pid"
  local rc=$?
  OUT=$(cat run.out)
  [ "$rc" = 0 ] || fail "the run failed (exit $rc): $(head -c 600 run.err)"
  [ "$(json_field "$OUT" ok)" = "$n" ] || fail "not every call completed: $OUT"
  [ "$(json_field "$OUT" failed)" = 0 ] || fail "calls were lost: $OUT"
  local e3 live=0
  e3=$(ep_stats "$OUT" 3)
  [ "$(ep_field "$e3" rests)" -ge 1 ] || fail "the stopped endpoint was never rested: $e3"
  # its calls in flight when it died fail once each; after that it gets one probe per rest
  [ "$(ep_field "$e3" failures)" -le 48 ] || fail "the stopped endpoint kept getting calls: $e3"
  for i in 1 2 4; do
    live=$((live + $(ep_ok "$i")))
    [ "$(curl -s "${EP_URL[$i]}/stats" | grep -o '"duplicates":[0-9]*' | cut -d: -f2)" = 0 ] ||
      fail "endpoint $i answered a request twice"
  done
  # the three left answered everything endpoint 3 did not
  [ "$live" -ge "$((n - $(ep_field "$e3" calls)))" ] || fail "live endpoints served $live of $n: $OUT"
  ep_stop_all
}
