#!/usr/bin/env bash
# client_throughput: does ratio's LLM client (libcurl multi on libuv, one Lua coroutine per call,
# recipes/loadtest.lua) keep up with a plain C libcurl-multi client doing the same work
# (bench/curl_baseline.c) from 256 to 4,096 calls in flight over several endpoints, does its CPU
# per call stay flat as the calls in flight grow, and does a 1,000,000-call run stay small?
#
#   bench/client_throughput.sh [--concurrency "256 1024 4096"] [--per-slot K] [--endpoints E]
#                              [--reps R] [--latency-ms MS] [--million] [--pin] [--quick]
#
# What it does: builds the baseline into a temp dir; for every client run it starts E (4) fresh
# fake OpenAI-compatible servers (tests/fake_llm.lua, each its own ratio process) answering every
# chat request after --latency-ms (50), waits for their ports and stops them afterwards (a
# long-lived one slows down as its per-request bookkeeping grows, which would favour whichever
# client runs first). It warms the clients up, then for every C in --concurrency runs three
# clients with the same N = K x C (K = 20) distinct ~2 KB requests at C in flight, spread over the
# E base URLs, R times each (default 1), in alternating order:
#   curl-poll   bench/curl_baseline.c --loop poll: the plain C libcurl-multi client
#               (curl_multi_perform + curl_multi_poll; request i to base URL i mod E);
#   curl-epoll  the same client driven by curl_multi_socket_action + epoll, as ratio drives curl
#               on libuv: the leanest C client;
#   ratio       bin/ratio run recipes/loadtest.lua with the E base URLs (ratio.llm: a Lua
#               coroutine per call, JSON encode/decode, provider mapping, retry policy, least
#               busy endpoint first, libcurl multi on libuv).
# With --million, one more ratio run: 1,000,000 requests at the first C, for its peak RSS.
# With --pin, every client runs on CPU 0 and the endpoints on the other CPUs (taskset), as when the
# judge's endpoints are other machines: the client no longer competes with them for CPU, so the
# throughput says whether it keeps up with them (without --pin, the endpoints and the client share
# the cores, and the client's own CPU per request also sets the throughput).
# Every client run is wrapped in /usr/bin/time; the servers' CPU comes from /proc/PID/stat.
#
# What the numbers mean:
#   req/s        ok requests / wall seconds, as each client reports it (first request sent to
#                last reply received; process start-up is not included). The ceiling is
#                C / latency (5,120 req/s at 256 and 50 ms); the fake servers, single-threaded
#                ratio processes spending ~0.15 ms of CPU per request, and the 2 cores everything
#                shares, set the pace well below it at 1,024 and 4,096. The throughput ratio says
#                "ratio keeps up with these endpoints as well as C does"; it is noisy (single runs
#                differ by 10-15%, far more when other work loads the machine: the load average
#                is printed before and after).
#   cpu ms/req   the client process's user+system CPU time (whole process: start-up, building the
#                request list, Lua, curl, kernel time on its sockets) / requests: the measure of
#                the client itself that does not depend on the servers.
#   peak RSS     the client's maximum resident set size (/usr/bin/time %M).
#   flt/req      the client's minor page faults (/usr/bin/time %R) per request: memory the
#                allocator gave back to the system and touched again, each fault a kernel entry
#                that zeroes a page.
#   srv ms/req   the fake servers' user+system CPU during that run, per request.
# Nothing here asserts anything about time: it prints numbers (see bench/).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RATIO=${RATIO:-$ROOT/bin/ratio} # RATIO=path measures another build
CONCS="256 1024 4096"
PER_SLOT=20
ENDPOINTS=4
REPS=1
LATENCY=50
WARMUP=2000
MILLION=0
PIN=0

usage() {
  sed -n '7,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  echo "  --quick = --concurrency \"64 256\" --per-slot 10 (well under a minute)" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --concurrency) CONCS=${2:?}; shift 2 ;;
    --per-slot) PER_SLOT=${2:?}; shift 2 ;;
    --endpoints) ENDPOINTS=${2:?}; shift 2 ;;
    --reps) REPS=${2:?}; shift 2 ;;
    --latency-ms) LATENCY=${2:?}; shift 2 ;;
    --million) MILLION=1; shift ;;
    --pin) PIN=1; shift ;;
    --quick) CONCS="64 256"; PER_SLOT=10; WARMUP=500; shift ;;
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
BENCH=client_throughput
# shellcheck source=bench/lib_endpoints.sh
. "$ROOT/bench/lib_endpoints.sh"
cleanup() {
  stop_servers
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_baseline
TCK=$(getconf CLK_TCK)
CLIENT_PIN=()
if [ "$PIN" = 1 ]; then
  ncpu=$(nproc)
  [ "$ncpu" -ge 2 ] || { echo "client_throughput: --pin needs at least 2 CPUs, this machine has $ncpu" >&2; exit 2; }
  CLIENT_PIN=(taskset -c 0)
  SERVER_PIN=(taskset -c "1-$((ncpu - 1))")
  PIN_NOTE="pinned: every client on CPU 0, the endpoints on CPU 1"
  [ "$ncpu" -gt 2 ] && PIN_NOTE="${PIN_NOTE}-$((ncpu - 1))"
fi

# the servers' CPU time so far, in clock ticks (utime + stime, fields 14 and 15 of /proc/PID/stat)
server_ticks() {
  local pid t=0
  for pid in "${SERVER_PIDS[@]}"; do
    t=$((t + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
  done
  echo "$t"
}
# jget KEY JSON -> the value of a top-level number/null field
jget() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" <<<"${2%%\"endpoints\"*}${2##*\]}"; }

# run_client NAME N C -> one result line
#   "name n seconds rps p50 p99 cpu_s rss_kb server_ticks wall ok c"
run_client() {
  local name=$1 n=$2 conc=$3 out s0 s1 rc=0
  local cmd
  start_servers
  if [ "$name" = curl-poll ] || [ "$name" = curl-epoll ]; then
    cmd=("${CLIENT_PIN[@]}" "$TMP/curl_baseline" --base-url "$BASES" --requests "$n" --concurrency "$conc"
         --loop "${name#curl-}")
  else
    cmd=("${CLIENT_PIN[@]}" "$RATIO" run "$ROOT/recipes/loadtest.lua" --llm-base-url "$BASES" --requests "$n"
         --concurrency "$conc" --json --quiet --no-cache --out "$TMP/runs" --overwrite)
  fi
  s0=$(server_ticks)
  out=$(cd "$TMP" && /usr/bin/time -f '%e %U %S %M %R' -o "$TMP/time" "${cmd[@]}" 2>"$TMP/client.err") || rc=$?
  s1=$(server_ticks)
  stop_servers
  if [ "$rc" -ne 0 ] || [ -z "$(jget rps "$out")" ]; then
    echo "client_throughput: $name run failed (exit $rc): $out" >&2
    cat "$TMP/client.err" >&2
  fi
  local t; t=$(tail -n 1 "$TMP/time")
  # shellcheck disable=SC2086
  set -- $t
  echo "$name $n $(jget seconds "$out") $(jget rps "$out") $(jget p50_ms "$out") $(jget p99_ms "$out")" \
       "$(awk -v u="$2" -v s="$3" 'BEGIN{print u + s}') $4 $((s1 - s0)) $1 $(jget ok "$out") $conc $5"
}

row() { # formats one result line
  awk -v tck="$TCK" '{
    n = $2; printf "%-4s %-10s %6d %8d %8.3f %8.0f %8.1f %8.1f %10.4f %9.1f %10.3f %9.2f\n",
      rep, $1, $12, $11, $3, $4, $5, $6, $7 * 1000 / n, $8 / 1024, $9 / tck * 1000 / n, $13 / n }' rep="$1" <<<"$2"
}
header() {
  printf '%-4s %-10s %6s %8s %8s %8s %8s %8s %10s %9s %10s %9s\n' run client 'in fl' ok seconds 'req/s' \
    'p50 ms' 'p99 ms' 'cpu ms/req' 'RSS MiB' 'srv ms/req' 'flt/req'
}
median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "client_throughput: $(nproc) cores, $(curl-config --version 2>/dev/null || echo libcurl), $("$RATIO" version 2>/dev/null | head -n 1)"
echo "fake LLMs: $ENDPOINTS x tests/fake_llm.lua, fresh ones per run, replying after $LATENCY ms"
[ "$PIN" = 1 ] && echo "$PIN_NOTE"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on these cores skews every number)"
echo "warm-up: $WARMUP requests per client"
for who in curl-poll curl-epoll ratio; do run_client "$who" "$WARMUP" 64 >/dev/null; done

: >"$TMP/results"
echo
echo "N = $PER_SLOT x in flight requests per run, $REPS run(s) per client and concurrency, alternating order:"
header
for conc in $CONCS; do
  n=$((PER_SLOT * conc))
  for rep in $(seq "$REPS"); do
    if [ $((rep % 2)) -eq 1 ]; then order="curl-poll curl-epoll ratio"; else order="ratio curl-epoll curl-poll"; fi
    for who in $order; do
      line=$(run_client "$who" "$n" "$conc")
      echo "$line" >>"$TMP/results"
      row "$rep" "$line"
    done
  done
done

# med WHO C FIELD -> median of FIELD over that client's runs at C
med() { awk -v w="$1" -v c="$2" -v f="$3" '$1 == w && $12 == c {print $f}' "$TMP/results" | median; }
echo
echo "medians (cpu in ms per request):"
printf '%8s %10s %10s %10s %9s %9s %10s %10s %10s\n' 'in fl' 'ratio r/s' 'poll r/s' 'epoll r/s' \
  'r/poll' 'r/epoll' 'ratio cpu' 'poll cpu' 'epoll cpu'
first=
for conc in $CONCS; do
  n=$((PER_SLOT * conc))
  awk -v c="$conc" -v n="$n" -v a="$(med ratio "$conc" 4)" -v b="$(med curl-poll "$conc" 4)" \
    -v e="$(med curl-epoll "$conc" 4)" -v ac="$(med ratio "$conc" 7)" -v bc="$(med curl-poll "$conc" 7)" \
    -v ec="$(med curl-epoll "$conc" 7)" 'BEGIN {
      printf "%8d %10.0f %10.0f %10.0f %9.2f %9.2f %10.4f %10.4f %10.4f\n", c, a, b, e,
        (b > 0 ? a / b : 0), (e > 0 ? a / e : 0), ac * 1000 / n, bc * 1000 / n, ec * 1000 / n }'
  first=${first:-$conc}
  last=$conc
done
if [ "$first" != "$last" ]; then
  awk -v a="$(med ratio "$last" 7)" -v na="$((PER_SLOT * last))" -v b="$(med ratio "$first" 7)" \
    -v nb="$((PER_SLOT * first))" -v hi="$last" -v lo="$first" 'BEGIN {
      printf "ratio CPU per request at %d in flight = %.2f x its CPU per request at %d\n", hi,
        (a / na) / (b / nb), lo }'
fi

if [ "$MILLION" = 1 ]; then
  conc=${CONCS%% *}
  echo
  echo "1000000 requests at $conc in flight, ratio only:"
  header
  line=$(run_client ratio 1000000 "$conc")
  row big "$line"
  awk '{printf "=> %d of %d ok in %.1f s (%.0f req/s), peak RSS %.1f MiB, %.4f ms CPU per request\n",
    $11, $2, $3, $4, $8 / 1024, $7 * 1000 / $2}' <<<"$line"
fi

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
