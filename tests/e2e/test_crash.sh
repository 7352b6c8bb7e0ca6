# Crash safety (issue 7): runs against the fake LLM are SIGKILLed at seeded random moments, several
# times over. After each kill the cache opens and passes SQLite's integrity check, the output JSONL
# has no torn line, and a summary, if any, parses; the rerun finishes with outputs identical to an
# uninterrupted run. test_client.sh has the single kill-and-resume with its accounting of repeats;
# this file repeats the kill and covers a whole study's run folder.

# cache_ok FILE: the cache opens through ratio.core.cache (sets CALLS) and, when the sqlite3 shell
# is installed, passes PRAGMA integrity_check.
cache_ok() {
  # Killed before it made the cache (a slow start): nothing to check yet.
  [ -f "$1" ] || { CALLS=0; return 0; }
  ratio run "$E2E/recipes/cache_count.lua" --path "$1" --json
  [ "$RC" = 0 ] || { fail "the cache does not open after a kill: $ERR"; CALLS=0; return 1; }
  CALLS=$(json_field "$OUT" calls)
  if command -v sqlite3 >/dev/null; then
    local r
    r=$(sqlite3 "$1" 'PRAGMA integrity_check' 2>&1)
    [ "$r" = ok ] || fail "integrity_check of $1: $r"
  fi
}

# jsonl_ok FILE: every line of FILE parses and the last one ends with a newline.
jsonl_ok() {
  ratio run "$E2E/recipes/jsonl_check.lua" --path "$1" --json
  [ "$RC" = 0 ] || fail "after a kill: $ERR"
}

# kill_after SECONDS CMD...: starts CMD, SIGKILLs it after SECONDS (if still running).
kill_after() {
  local s=$1
  shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$s"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}

t_crash_judge_calls_killed_four_times() {
  start_fake --latency-ms 30 --seed 5 || return
  local args=(run "$E2E/recipes/judge_calls.lua" --base-url "$FAKE_URL/v1" --n 400 --concurrency 8)
  ratio "${args[@]}" --output ref.jsonl --cache ref.sqlite --json
  expect_rc 0
  RANDOM=17 # seeded: the same kill moments on every run of the suite
  local k prev=0 landed=0 delay
  for k in 1 2 3 4; do
    delay=0.$((15 + RANDOM % 35))
    kill_after "$delay" "$RATIO" "${args[@]}" --output run.jsonl --cache run.sqlite --quiet
    cache_ok run.sqlite || return
    [ "$CALLS" -ge "$prev" ] || fail "kill $k: the cache lost calls ($CALLS after $prev)"
    [ "$CALLS" -lt 400 ] && landed=$((landed + 1))
    prev=$CALLS
    [ -f run.jsonl ] && jsonl_ok run.jsonl
  done
  [ "$landed" -ge 2 ] || fail "only $landed of 4 kills landed mid-run"
  ratio "${args[@]}" --output run.jsonl --cache run.sqlite --json
  expect_rc 0
  cmp -s ref.jsonl run.jsonl || fail "the output after four kills differs from the uninterrupted one"
  [ "$(json_field "$OUT" cached)" -ge "$prev" ] || fail "the rerun repaid committed calls: $OUT"
  stop_fake
}

t_crash_metajudge_llm_killed_three_times() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" --latency-ms 80 || return
  local args=(run "$ROOT/recipes/metajudge.lua" --matcher llm --metajudge-model fake-mj
              --metajudge-base-url "$FAKE_URL/v1" --concurrency 4)
  ratio "${args[@]}" --out ref --cache ref.sqlite --json
  expect_rc 0
  RANDOM=23
  local k f delay landed=0
  for k in 1 2 3; do
    delay=0.$((10 + RANDOM % 40))
    kill_after "$delay" "$RATIO" "${args[@]}" --out run --cache run.sqlite --quiet
    cache_ok run.sqlite || return
    [ "$CALLS" -lt 96 ] && landed=$((landed + 1))
    for f in run/*.jsonl; do [ -f "$f" ] && jsonl_ok "$f"; done
    if [ -f run/summary.json ]; then
      ratio run "$E2E/recipes/jsonl_check.lua" --path run/summary.json --whole
      [ "$RC" = 0 ] || fail "kill $k: summary.json: $ERR"
    fi
  done
  # 48 items x 2 judges = 96 MetaJudge calls.
  [ "$landed" -ge 2 ] || fail "only $landed of 3 kills landed mid-run"
  ratio "${args[@]}" --out run --cache run.sqlite --json
  expect_rc 0
  for f in metajudge-careful.jsonl metajudge-skimmer.jsonl domains.csv summary.csv; do
    cmp -s "ref/$f" "run/$f" || fail "after three kills $f differs from the uninterrupted run's"
  done
  # report.html too, but for its header's usage line (the rerun's calls were cache hits).
  cmp -s <(grep -v '^<header class="run">' ref/report.html) <(grep -v '^<header class="run">' run/report.html) ||
    fail "after three kills report.html differs from the uninterrupted run's"
  grep -q '^<header class="run">' run/report.html || fail "report.html has no run header"

  # The summary too, but for usage (the rerun's calls were cache hits).
  ratio run "$E2E/recipes/jsonl_check.lua" --path run/summary.json --whole --same-as ref/summary.json
  [ "$RC" = 0 ] || fail "$ERR"
  stop_fake
}
