#!/usr/bin/env bash
# Benchmark of recipes/reward_server.lua under an RL trainer's load: the fake LLM answers every
# MetaJudge call after 50 ms; 200 concurrent trainer requests of 8 rollouts each are sustained for
# 60 s. Prints errors, end-to-end latency, the server's own overhead per request and the server's
# RSS sampled over the run, then the CPU each process used. Asserts nothing.
#
# Overhead is server_ms - max over the request's rollouts of judge_ms: the time from the request's
# arrival to its answer, minus the time its slowest rollout spent on the MetaJudge's account
# (waiting for one of the --max-inflight call slots, and the HTTP exchanges as curl timed them).
# Everything else the server does (parsing, prompts, scoring, scheduling, GC, answering) counts.
#
#   bench/reward_server.sh [--seconds S] [--trainers N] [--rollouts R] [--max-inflight N]
#                          [--responder FILE] [--pin] [-- extra reward-server flags]
# --responder: the fake's reply function (default bench/metajudge_responder.lua, a well-formed
# score block for next to no CPU; tests/fake/metajudge_responder.lua does real lexical matching).
# --pin: the server on CPU 0, the fake and the load generator on the others (taskset), as when the
# MetaJudge and the trainer run on other machines; without it all three share every CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60 trainers=200 rollouts=8 inflight=64 responder=bench/metajudge_responder.lua pin=0
usage="usage: bench/reward_server.sh [--seconds S] [--trainers N] [--rollouts R] [--max-inflight N] [--responder FILE] [--pin] [-- FLAGS]"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --trainers) trainers=$2; shift 2 ;;
    --rollouts) rollouts=$2; shift 2 ;;
    --max-inflight) inflight=$2; shift 2 ;;
    --responder) responder=$2; shift 2 ;;
    --pin) pin=1; shift ;;
    --) shift; break ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
pin_server=() pin_others=()
if [ "$pin" = 1 ]; then
  ncpu=$(nproc)
  [ "$ncpu" -ge 2 ] || { echo "bench/reward_server.sh: --pin needs at least 2 CPUs, this machine has $ncpu" >&2; exit 2; }
  pin_server=(taskset -c 0) pin_others=(taskset -c "1-$((ncpu - 1))")
fi
tmp=$(mktemp -d /tmp/ratio-rs-bench.XXXXXX)
cleanup() { kill -TERM "${rs_pid:-}" "${fake_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

wait_port() { for _ in $(seq 1 200); do [ -s "$1" ] && return 0; sleep 0.05; done; echo "no port in $1" >&2; exit 1; }
"${pin_others[@]}" bin/ratio run tests/fake_llm.lua --port-file "$tmp/fake.port" --latency-ms 50 --responder "$responder" \
  >"$tmp/fake.log" 2>&1 &
fake_pid=$!
wait_port "$tmp/fake.port"
"${pin_server[@]}" bin/ratio run recipes/reward_server.lua --port 0 --port-file "$tmp/rs.port" --cache "$tmp/cache.sqlite" \
  --metajudge-base-url "http://127.0.0.1:$(cat "$tmp/fake.port")/v1" --metajudge-model fake-metajudge \
  --max-inflight "$inflight" --max-queue 100000 "$@" >"$tmp/rs.log" 2>&1 &
rs_pid=$!
wait_port "$tmp/rs.port"
echo "reward server pid $rs_pid, --max-inflight $inflight; fake LLM answering after 50 ms ($responder);" \
  "$trainers trainers x $rollouts rollouts for $seconds s${pin_server[*]:+; server pinned to CPU 0, the rest to the others}"
load_cpu0=$(awk '{print $16 + $17}' /proc/$$/stat) # waited-for children's CPU, in ticks
"${pin_others[@]}" bin/ratio run bench/reward_load.lua --url "http://127.0.0.1:$(cat "$tmp/rs.port")" --trainers "$trainers" \
  --rollouts "$rollouts" --seconds "$seconds" --server-pid "$rs_pid" --json --quiet
cpu_s() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }
load_cpu=$(awk -v t0="$load_cpu0" '{print ($16 + $17 - t0) / 100}' /proc/$$/stat)
echo "CPU seconds: reward server $(cpu_s "$rs_pid"), fake MetaJudge $(cpu_s "$fake_pid"), load generator $load_cpu"
