# The judge client against the fake LLM over real HTTP on 127.0.0.1: faults, kill and resume,
# offline replay, timeouts, dropped connections, and the API key kept out of every file.

# start_fake ARGS...: starts tests/fake_llm.lua; sets FAKE_PID and FAKE_URL.
start_fake() {
  rm -f fake.port
  "$RATIO" run "$ROOT/tests/fake_llm.lua" --port-file fake.port "$@" >fake.log 2>&1 &
  FAKE_PID=$!
  for _ in $(seq 1 100); do [ -s fake.port ] && break; sleep 0.05; done
  [ -s fake.port ] || { fail "the fake LLM did not start: $(cat fake.log)"; return 1; }
  FAKE_URL="http://127.0.0.1:$(cat fake.port)"
}

stop_fake() {
  kill -TERM "$FAKE_PID" 2>/dev/null
  wait "$FAKE_PID" 2>/dev/null
}

# json_field TEXT KEY: the integer value of "KEY": in a flat JSON text (no python on CI).
json_field() { grep -o "\"$2\":[0-9]*" <<<"$1" | head -n 1 | cut -d: -f2; }

fake_stats() { curl -s "$FAKE_URL/stats"; }

t_client_all_complete_with_429_and_500() {
  start_fake --latency-ms 5 --p429 0.10 --retry-after 1 --p500 0.05 --seed 7 || return
  ratio run "$ROOT/recipes/loadtest.lua" --llm-base-url "$FAKE_URL/v1" --requests 400 --concurrency 32 --json
  expect_rc 0
  [ "$(json_field "$OUT" ok)" = 400 ] || fail "not all requests completed: $OUT"
  [ "$(json_field "$OUT" failed)" = 0 ] || fail "failures: $OUT"
  local s
  s=$(fake_stats)
  [ "$(json_field "$s" ok)" = 400 ] || fail "server saw $(json_field "$s" ok) successes, expected exactly 400: $s"
  [ "$(json_field "$s" duplicates)" = 0 ] || fail "a request succeeded twice: $s"
  [ "$(json_field "$s" 429)" -gt 10 ] || fail "too few 429s injected: $s"
  [ "$(json_field "$s" 500)" -gt 5 ] || fail "too few 500s injected: $s"
  stop_fake
}

t_client_survives_every_fault() {
  start_fake --latency-ms 2 --p429 0.05 --retry-after 0 --p500 0.05 --pdrop 0.05 --ptruncated 0.05 \
    --perror200 0.03 --pnochoices 0.03 --seed 3 || return
  ratio run "$E2E/recipes/judge_calls.lua" --base-url "$FAKE_URL/v1" --n 300 --concurrency 16 --json
  expect_rc 0
  [ "$(json_field "$OUT" ok)" = 300 ] || fail "not all calls succeeded: $OUT"
  local s
  s=$(fake_stats)
  for k in drop truncated error200 nochoices; do
    [ "$(json_field "$s" "$k")" -gt 0 ] || fail "no $k fault was injected: $s"
  done
  [ "$(json_field "$s" duplicates)" = 0 ] || fail "a request succeeded twice: $s"
  [ "$(wc -l < items.jsonl)" = 300 ] || fail "items.jsonl has $(wc -l < items.jsonl) lines"
  stop_fake
}

t_client_gives_up_with_the_providers_words() {
  start_fake --p500 1.0 || return
  ratio run "$E2E/recipes/judge_calls.lua" --base-url "$FAKE_URL/v1" --n 3 --max-tries 3 --json
  expect_rc 1 # calls failed: the run fails, its outputs written
  expect_err_has "ratio: 3 of 3 failed:"
  [ "$(json_field "$OUT" failed)" = 3 ] || fail "expected 3 failures: $OUT"
  grep -q 'gave up after 3 tries: HTTP 500 from openai: internal error (injected)' items.jsonl ||
    fail "failure lacks the provider's words: $(head -n 1 items.jsonl)"
  stop_fake
}

t_client_timeout_fires() {
  start_fake --hang-ms 3000 || return
  ratio run "$E2E/recipes/judge_calls.lua" --base-url "$FAKE_URL/v1" --n 2 --prompt HANG \
    --timeout-ms 200 --max-tries 2 --json
  expect_rc 1
  grep -q '"code":"ETIMEDOUT"' items.jsonl || fail "no ETIMEDOUT: $(cat items.jsonl)"
  [ "$(json_field "$OUT" failed)" = 2 ] || fail "expected 2 failures: $OUT"
  stop_fake
}

t_client_connection_refused() {
  ratio run "$E2E/recipes/judge_calls.lua" --base-url "http://127.0.0.1:1/v1" --n 1 --max-tries 2 --json
  expect_rc 1
  grep -q '"code":"ECONNREFUSED"' items.jsonl || fail "no ECONNREFUSED: $(cat items.jsonl)"
}

t_client_kill_and_resume_is_byte_identical() {
  start_fake --latency-ms 20 --seed 5 || return
  # The reference: one uninterrupted run with its own cache.
  ratio run "$E2E/recipes/judge_calls.lua" --base-url "$FAKE_URL/v1" --n 300 --concurrency 8 \
    --output ref.jsonl --cache ref.sqlite --json
  expect_rc 0
  stop_fake
  start_fake --latency-ms 20 --seed 5 || return
  "$RATIO" run "$E2E/recipes/judge_calls.lua" --base-url "$FAKE_URL/v1" --n 300 --concurrency 8 \
    --output run.jsonl --cache run.sqlite --quiet >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 400); do
    [ "$(json_field "$(fake_stats)" ok)" -ge 100 ] && break
    sleep 0.01
  done
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
  ratio run "$E2E/recipes/cache_count.lua" --path run.sqlite --json
  local done_before
  done_before=$(json_field "$OUT" calls)
  [ "$done_before" -ge 50 ] && [ "$done_before" -lt 300 ] || fail "kill landed at $done_before committed calls"
  ratio run "$E2E/recipes/judge_calls.lua" --base-url "$FAKE_URL/v1" --n 300 --concurrency 8 \
    --output run.jsonl --cache run.sqlite --json
  expect_rc 0
  cmp -s ref.jsonl run.jsonl || fail "the resumed output differs from the uninterrupted one"
  # Every line written before the kill was a committed call: the rerun repaid none of them.
  [ "$(json_field "$OUT" cached)" -ge "$done_before" ] || fail "only $(json_field "$OUT" cached) cache hits for $done_before finished calls"
  local s
  s=$(fake_stats)
  # Only calls in flight at the kill (at most --concurrency) may have reached the server twice.
  [ "$(json_field "$s" duplicates)" -le 8 ] || fail "more repeats than calls in flight: $s"
  [ "$(json_field "$s" ok)" -le $((300 + 8)) ] || fail "server saw $(json_field "$s" ok) successes"
  stop_fake
}

t_offline_replays_without_network() {
  start_fake --latency-ms 1 || return
  ratio run "$E2E/recipes/judge_calls.lua" --base-url "$FAKE_URL/v1" --n 50 --output a.jsonl --cache c.sqlite --json
  expect_rc 0
  stop_fake
  # The server is gone: only the cache can answer.
  ratio run "$E2E/recipes/judge_calls.lua" --base-url "$FAKE_URL/v1" --n 50 --output b.jsonl --cache c.sqlite --offline --json
  expect_rc 0
  [ "$(json_field "$OUT" cached)" = 50 ] || fail "offline replay was not all cache hits: $OUT"
  cmp -s a.jsonl b.jsonl || fail "offline replay differs"
  # A cache without these calls: every lookup misses, and the run stops at once, saying so.
  ratio run "$E2E/recipes/judge_calls.lua" --base-url "$FAKE_URL/v1" --n 5 --output c.jsonl --cache fresh.sqlite --offline --json
  expect_rc 1
  expect_err_has "stopped early: the first 3 calls to fake all failed and none succeeded: offline: no cached reply"
}

t_api_key_never_written() {
  start_fake --latency-ms 1 --p500 0.2 || return
  OPENAI_API_KEY=sk-ratio-test-SECRET-7f3a ratio run "$E2E/recipes/judge_calls.lua" --base-url "$FAKE_URL/v1" \
    --n 30 --output out.jsonl --cache k.sqlite --json
  expect_rc 0
  [ "$(json_field "$(fake_stats)" authorized)" -ge 30 ] || fail "the key was not sent: $(fake_stats)"
  stop_fake
  if grep -rl "SECRET-7f3a" . >/dev/null 2>&1; then fail "the key appears in: $(grep -rl SECRET-7f3a .)"; fi
  grep -q "SECRET-7f3a" <<<"$OUT$ERR" && fail "the key appears in the output"
  return 0
}
