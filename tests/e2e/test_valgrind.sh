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
