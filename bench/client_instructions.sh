#!/usr/bin/env bash
# client_instructions: user-space instructions per call of ratio's LLM client and of the plain C
# libcurl-multi clients (bench/curl_baseline.c), counted by valgrind's callgrind, which the
# machine's load does not disturb (wall-clock throughput on a loaded 2-core machine is noise).
#
#   bench/client_instructions.sh [--concurrency "256 1024 4096"] [--per-slot K] [--endpoints E]
#                                [--clients "ratio curl-epoll curl-poll"] [--keep DIR]
#
# For every client and C it starts E (4) fresh fake endpoints (tests/fake_llm.lua, 50 ms
# latency, as bench/client_throughput.sh does), runs the client under callgrind with N = K x C
# (K = 8) requests at C in flight, and again with one request at one in flight (start-up and
# shutdown); instructions per call = (total(N) - total(1)) / (N - 1). Kernel time is not counted:
# callgrind sees only the process's own instructions (libcurl, libuv, Lua, libc, mimalloc).
# --keep DIR keeps the callgrind.out files there (callgrind_annotate them).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RATIO=${RATIO:-$ROOT/bin/ratio}
CONCS="256 1024 4096"
PER_SLOT=8
ENDPOINTS=4
CLIENTS="ratio curl-epoll curl-poll"
LATENCY=50
KEEP=
while [ $# -gt 0 ]; do
  case "$1" in
    --concurrency) CONCS=${2:?}; shift 2 ;;
    --per-slot) PER_SLOT=${2:?}; shift 2 ;;
    --endpoints) ENDPOINTS=${2:?}; shift 2 ;;
    --clients) CLIENTS=${2:?}; shift 2 ;;
    --keep) KEEP=${2:?}; mkdir -p "$KEEP"; shift 2 ;;
    -h|--help) sed -n 6,7p "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    *) echo "client_instructions: unknown flag $1" >&2; exit 2 ;;
  esac
done
command -v valgrind >/dev/null || { echo "client_instructions: needs valgrind" >&2; exit 1; }

TMP=$(mktemp -d /tmp/ratio-instr.XXXXXX)
BENCH=client_instructions
# shellcheck source=bench/lib_endpoints.sh
. "$ROOT/bench/lib_endpoints.sh"
cleanup() { stop_servers; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

build_baseline

# instr WHO N C -> total instructions of one run under callgrind
instr() {
  local who=$1 n=$2 conc=$3 out="$TMP/cg.out" cmd
  start_servers
  if [ "$who" = ratio ]; then
    cmd=("$RATIO" run "$ROOT/recipes/loadtest.lua" --llm-base-url "$BASES" --requests "$n"
         --concurrency "$conc" --json --quiet --no-cache --out "$TMP/runs" --overwrite)
  else
    cmd=("$TMP/curl_baseline" --base-url "$BASES" --requests "$n" --concurrency "$conc"
         --loop "${who#curl-}")
  fi
  (cd "$TMP" && valgrind --tool=callgrind --callgrind-out-file="$out" "${cmd[@]}" \
    >"$TMP/client.out" 2>"$TMP/client.err") || {
    echo "client_instructions: $who failed:" >&2; tail -5 "$TMP/client.err" >&2; exit 1; }
  stop_servers
  grep -q "\"ok\":${n}[,}]" "$TMP/client.out" || {
    echo "client_instructions: $who: not every request ok: $(head -c 300 "$TMP/client.out")" >&2; exit 1; }
  [ -n "$KEEP" ] && cp "$out" "$KEEP/callgrind.$who.$n.$conc"
  sed -n 's/^summary: //p;s/^totals: //p' "$out" | head -n 1
}

echo "client_instructions: $(curl-config --version 2>/dev/null), $("$RATIO" version 2>/dev/null | head -n 1)"
echo "N = $PER_SLOT x C requests over $ENDPOINTS fake endpoints; instructions per call net of a 1-request run"
printf '%-11s %6s %8s %16s %14s\n' client 'in fl' N 'instructions' 'per call'
for who in $CLIENTS; do
  base=$(instr "$who" 1 1)
  for conc in $CONCS; do
    n=$((PER_SLOT * conc))
    tot=$(instr "$who" "$n" "$conc")
    printf '%-11s %6d %8d %16d %14.0f\n' "$who" "$conc" "$n" "$tot" "$(awk -v t="$tot" -v b="$base" -v n="$n" 'BEGIN{print (t - b) / (n - 1)}')"
  done
done
