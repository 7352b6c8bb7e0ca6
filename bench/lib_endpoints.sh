# lib_endpoints.sh: what the client benches (client_throughput.sh, client_instructions.sh,
# client_ab.sh) share, sourced by each: the plain C client's build and the fake endpoints each
# client run gets.
# The sourcing script sets ROOT, RATIO, TMP, ENDPOINTS, LATENCY and BENCH (its name, for messages).

SERVER_PIDS=()
SERVER_PIN=() # a command prefix for the endpoints, e.g. (taskset -c 1): --pin in client_throughput.sh

# build_baseline: bench/curl_baseline.c into $TMP/curl_baseline
build_baseline() {
  # shellcheck disable=SC2046 # pkg-config's output is meant to be split into flags
  gcc -std=c11 -O2 -Wall -Wextra -Werror "$ROOT/bench/curl_baseline.c" \
    $(pkg-config --cflags --libs libcurl) -o "$TMP/curl_baseline"
}

# start_servers: ENDPOINTS fresh fake OpenAI-compatible servers (tests/fake_llm.lua, each its own
# ratio process, answering after LATENCY ms); waits for their ports and sets BASES to their base
# URLs, comma-separated. Fresh ones for every client run: a server keeps per-request state (its
# /stats counts every request body), so a long-lived one slows down run after run and the later
# clients would be measured against slower servers. $! is the ratio process itself.
start_servers() {
  local i
  BASES=
  SERVER_PIDS=()
  for i in $(seq "$ENDPOINTS"); do
    rm -f "$TMP/port$i"
    "${SERVER_PIN[@]}" "$RATIO" run "$ROOT/tests/fake_llm.lua" --port-file "$TMP/port$i" --latency-ms "$LATENCY" \
      --quiet >"$TMP/server$i.log" 2>&1 &
    SERVER_PIDS+=($!)
  done
  for i in $(seq "$ENDPOINTS"); do
    for _ in $(seq 100); do [ -s "$TMP/port$i" ] && break; sleep 0.1; done
    [ -s "$TMP/port$i" ] || { echo "$BENCH: fake server $i did not start:" >&2; cat "$TMP/server$i.log" >&2; exit 1; }
    BASES="${BASES:+$BASES,}http://127.0.0.1:$(cat "$TMP/port$i")/v1"
  done
}

# stop_servers: SIGTERM, up to 5 s to finish, then SIGKILL
stop_servers() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  SERVER_PIDS=()
}
