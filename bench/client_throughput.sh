#!/usr/bin/env bash
# client_throughput: is ratio's LLM client (libcurl multi on libuv, one Lua coroutine per call,
# recipes/loadtest.lua) as fast as a plain C libcurl-multi client doing the same work
# (bench/curl_baseline.c), how much CPU does ratio spend per request, and does a 100,000-request
# run stay small?
#
#   bench/client_throughput.sh [--requests N] [--big N] [--concurrency C] [--reps R]
#                              [--latency-ms MS] [--quick]
#
# What it does: builds the baseline into a temp dir and, for every run, starts a fresh fake
# OpenAI-compatible server (tests/fake_llm.lua, itself a ratio process) answering every chat
# request after --latency-ms (50), waits for its port and stops it afterwards (a long-lived one
# slows down as its per-request bookkeeping grows, which would favour whichever client runs
# first). It warms the clients up, then runs three clients with the same N distinct ~2 KB requests at
# C in flight (default 20,000 at 256), R times each (default 3), in alternating order:
#   curl-poll   bench/curl_baseline.c --loop poll: the plain C libcurl-multi client
#               (curl_multi_perform + curl_multi_poll), the baseline the 90% target refers to;
#   curl-epoll  the same client driven by curl_multi_socket_action + epoll, as ratio drives curl
#               on libuv: the leanest C client, for the CPU comparison;
#   ratio       bin/ratio run recipes/loadtest.lua (ratio.llm: Lua coroutine per call, JSON
#               encode/decode, provider mapping, retry policy, libcurl multi on libuv);
# and finally one ratio run of --big requests (100,000) at C.
# Every client run is wrapped in /usr/bin/time; the server's CPU comes from /proc/PID/stat.
#
# What the numbers mean:
#   req/s        ok requests / wall seconds, as each client reports it (first request sent to
#                last reply received; process start-up is not included). The ceiling is
#                C / latency = 5,120 req/s at 256 and 50 ms.
#   ratio/base   median ratio req/s over median curl-poll (and curl-epoll) req/s.
#   The pace is the server's, for every client. Everything shares the 2 cores: the client, the
#   loopback and the fake server, a single-threaded ratio process that spends ~0.15 ms of CPU per
#   request (JSON decode, two SHA-256s, JSON encode, in Lua). A closed loop of 256 clients sends
#   its requests in waves; the server handles a wave one request after another, so a reply comes
#   after 50 ms plus up to 256 x 0.15 ms of queueing: p50 ~90 ms and ~2,500-3,000 req/s instead of
#   the 5,120 ceiling, with the server at only ~45% of a core (its "srv cpu" column). The client
#   adds to that only through its own turnaround time, so the throughput ratio says "ratio keeps
#   up with this endpoint as well as C does", and it is noisy: single runs of the same client
#   differ by 10-15%, so read the median (more --reps narrows it). The cpu ms/req column is
#   the measure of the client itself that does not depend on the server.
#   cpu ms/req   the client process's user+system CPU time (whole process: start-up, building the
#                request list, Lua, curl, kernel time on its sockets) / requests.
#   peak RSS     the client's maximum resident set size (/usr/bin/time %M).
#   server cpu   the fake server's user+system CPU during that run, per request and as a share of
#                one core over the client's wall time.
# Nothing here asserts anything about time: it prints numbers (see DESIGN.md, bench/).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RATIO=$ROOT/bin/ratio
REQUESTS=20000
BIG=100000
CONC=256
REPS=3
LATENCY=50
WARMUP=2000

usage() {
  sed -n '7,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  echo "  --quick = --requests 2000 --big 10000 --reps 3 (well under a minute)" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --requests) REQUESTS=${2:?}; shift 2 ;;
    --big) BIG=${2:?}; shift 2 ;;
    --concurrency) CONC=${2:?}; shift 2 ;;
    --reps) REPS=${2:?}; shift 2 ;;
    --latency-ms) LATENCY=${2:?}; shift 2 ;;
    --quick) REQUESTS=2000; BIG=10000; REPS=3; WARMUP=500; shift ;;
    -h|--help) usage ;;
    *) echo "client_throughput: unknown flag $1" >&2; usage ;;
  esac
done

if [ ! -x /usr/bin/time ]; then
  echo "client_throughput: installing GNU time (Debian package 'time')" >&2
  SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get install -y -q time >&2 || { $SUDO apt-get update -q >&2 && $SUDO apt-get install -y -q time >&2; }
fi
[ -x "$RATIO" ] || "$ROOT/scripts/setup" >&2

TMP=$(mktemp -d /tmp/ratio-bench.XXXXXX)
SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}
cleanup() {
  stop_server
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck disable=SC2046 # pkg-config's output is meant to be split into flags
gcc -std=c11 -O2 -Wall -Wextra -Werror "$ROOT/bench/curl_baseline.c" \
  $(pkg-config --cflags --libs libcurl) -o "$TMP/curl_baseline"

# A fresh fake server for every measured run: the server keeps per-request state (its /stats
# counts every request body), so one long-lived server slows down run after run and the later
# clients would be measured against a slower server. $! is the ratio process itself.
start_server() {
  rm -f "$TMP/port"
  "$RATIO" run "$ROOT/tests/fake_llm.lua" --port-file "$TMP/port" --latency-ms "$LATENCY" --quiet \
    >"$TMP/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.1; done
  [ -s "$TMP/port" ] || { echo "client_throughput: fake server did not start:" >&2; cat "$TMP/server.log" >&2; exit 1; }
  PORT=$(cat "$TMP/port")
  BASE=http://127.0.0.1:$PORT/v1
}
TCK=$(getconf CLK_TCK)

# server CPU time so far, in clock ticks (utime + stime, fields 14 and 15 of /proc/PID/stat)
server_ticks() { sed 's/^.*) //' "/proc/$SERVER_PID/stat" | awk '{print $12 + $13}'; }
# jget KEY JSON -> the value of a flat number/null field
jget() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" <<<"$2"; }

# run_client NAME N -> one result line "name n seconds rps p50 p99 cpu_s rss_kb server_ticks wall"
run_client() {
  local name=$1 n=$2 out s0 s1 rc=0
  local cmd
  start_server
  if [ "$name" = curl-poll ] || [ "$name" = curl-epoll ]; then
    cmd=("$TMP/curl_baseline" --base-url "$BASE" --requests "$n" --concurrency "$CONC"
         --loop "${name#curl-}")
  else
    cmd=("$RATIO" run "$ROOT/recipes/loadtest.lua" --llm-base-url "$BASE" --requests "$n"
         --concurrency "$CONC" --json --quiet --no-cache --out "$TMP/runs")
  fi
  s0=$(server_ticks)
  out=$(cd "$TMP" && /usr/bin/time -f '%e %U %S %M' -o "$TMP/time" "${cmd[@]}" 2>"$TMP/client.err") || rc=$?
  s1=$(server_ticks)
  curl -s "http://127.0.0.1:$PORT/stats" >"$TMP/stats.json" || true
  stop_server
  if [ "$rc" -ne 0 ] || [ -z "$(jget rps "$out")" ]; then
    echo "client_throughput: $name run failed (exit $rc): $out" >&2
    cat "$TMP/client.err" >&2
  fi
  local t; t=$(tail -n 1 "$TMP/time")
  # shellcheck disable=SC2086
  set -- $t
  echo "$name $n $(jget seconds "$out") $(jget rps "$out") $(jget p50_ms "$out") $(jget p99_ms "$out")" \
       "$(awk -v u="$2" -v s="$3" 'BEGIN{print u + s}') $4 $((s1 - s0)) $1 $(jget ok "$out")"
}

row() { # formats one result line
  awk -v tck="$TCK" '{
    n = $2; printf "%-4s %-10s %7d %8.3f %8.0f %7.1f %7.1f %10.3f %9.1f %10.3f %7.0f%%\n",
      rep, $1, $11, $3, $4, $5, $6, $7 * 1000 / n, $8 / 1024, $9 / tck * 1000 / n,
      ($3 > 0 ? $9 / tck / $3 * 100 : 0) }' rep="$1" <<<"$2"
}
header() {
  printf '%-4s %-10s %7s %8s %8s %7s %7s %10s %9s %10s %8s\n' run client ok seconds 'req/s' \
    'p50 ms' 'p99 ms' 'cpu ms/req' 'RSS MiB' 'srv ms/req' 'srv cpu'
}
median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "client_throughput: $(nproc) cores, $(curl-config --version 2>/dev/null || echo libcurl), $("$RATIO" version 2>/dev/null | head -n 1)"
echo "fake LLM: tests/fake_llm.lua, a fresh one per run, replying after $LATENCY ms;" \
     "ceiling at $CONC in flight: $(awk -v c="$CONC" -v l="$LATENCY" 'BEGIN{printf "%.0f", c * 1000 / l}') req/s"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on these 2 cores skews every number)"
echo "warm-up: $WARMUP requests per client"
for who in curl-poll curl-epoll ratio; do run_client "$who" "$WARMUP" >/dev/null; done

echo
echo "$REQUESTS requests per run at $CONC concurrent, $REPS runs per client, alternating order:"
header
: >"$TMP/results"
for rep in $(seq "$REPS"); do
  if [ $((rep % 2)) -eq 1 ]; then order="curl-poll curl-epoll ratio"; else order="ratio curl-epoll curl-poll"; fi
  for who in $order; do
    line=$(run_client "$who" "$REQUESTS")
    echo "$line" >>"$TMP/results"
    row "$rep" "$line"
  done
done

med() { awk -v w="$1" -v f="$2" '$1 == w {print $f}' "$TMP/results" | median; }
echo
for who in curl-poll curl-epoll ratio; do
  printf '%s %s %s %s\n' "$who" "$(med "$who" 4)" "$(med "$who" 7)" "$(med "$who" 8)"
done | awk -v n="$REQUESTS" '
  {w[NR] = $1; rps[$1] = $2; cpu[$1] = $3 * 1000 / n; rss[$1] = $4 / 1024}
  END {
    printf "medians          %10s %10s %10s\n", w[1], w[2], w[3]
    printf "req/s            %10.0f %10.0f %10.0f\n", rps[w[1]], rps[w[2]], rps[w[3]]
    printf "cpu ms/req       %10.3f %10.3f %10.3f\n", cpu[w[1]], cpu[w[2]], cpu[w[3]]
    printf "peak RSS MiB     %10.1f %10.1f %10.1f\n", rss[w[1]], rss[w[2]], rss[w[3]]
    printf "ratio throughput = %.1f%% of curl-poll, %.1f%% of curl-epoll\n",
      rps["ratio"] / rps["curl-poll"] * 100, rps["ratio"] / rps["curl-epoll"] * 100
    printf "ratio CPU per request = %.3f ms (%.2fx curl-poll, %.2fx curl-epoll)\n", cpu["ratio"],
      cpu["ratio"] / cpu["curl-poll"], cpu["ratio"] / cpu["curl-epoll"]
  }'

echo
echo "$BIG requests at $CONC concurrent, ratio only:"
header
line=$(run_client ratio "$BIG")
row big "$line"
awk -v tck="$TCK" '{printf "=> %d of %d ok in %.2f s (%.0f req/s), peak RSS %.1f MiB, %.3f ms CPU per request\n",
  $11, $2, $3, $4, $8 / 1024, $7 * 1000 / $2}' <<<"$line"

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server /stats after it: $(head -c 300 "$TMP/stats.json")"
