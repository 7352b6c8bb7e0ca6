#!/usr/bin/env bash
# Benchmark of recipes/reward_server.lua under an RL trainer's load: the fake LLM answers every
# MetaJudge call after 50 ms; 200 concurrent trainer requests of 8 rollouts each are sustained for
# 60 s. Prints errors, end-to-end latency, the server's own overhead per request (time in the
# server minus the slowest rollout's judge time: what the server adds on top of the MetaJudge) and
# the server's RSS sampled over the run. Asserts nothing.
#   bench/reward_server.sh [--seconds S] [--trainers N] [--rollouts R]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60 trainers=200 rollouts=8
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --trainers) trainers=$2; shift 2 ;;
    --rollouts) rollouts=$2; shift 2 ;;
    *) echo "usage: bench/reward_server.sh [--seconds S] [--trainers N] [--rollouts R]" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d /tmp/ratio-rs-bench.XXXXXX)
cleanup() { kill -TERM "${rs_pid:-}" "${fake_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

wait_port() { for _ in $(seq 1 200); do [ -s "$1" ] && return 0; sleep 0.05; done; echo "no port in $1" >&2; exit 1; }
bin/ratio run tests/fake_llm.lua --port-file "$tmp/fake.port" --latency-ms 50 \
  --responder tests/fake/metajudge_responder.lua >"$tmp/fake.log" 2>&1 &
fake_pid=$!
wait_port "$tmp/fake.port"
bin/ratio run recipes/reward_server.lua --port 0 --port-file "$tmp/rs.port" --cache "$tmp/cache.sqlite" ${RS_FLAGS:-} \
  --judge-base-url "http://127.0.0.1:$(cat "$tmp/fake.port")/v1" --judge-model fake-metajudge \
  --max-inflight ${MAX_INFLIGHT:-256} --max-queue 100000 >"$tmp/rs.log" 2>&1 &
rs_pid=$!
wait_port "$tmp/rs.port"
echo "reward server pid $rs_pid; fake LLM answering after 50 ms; $trainers trainers x $rollouts rollouts for $seconds s"
bin/ratio run bench/reward_load.lua --url "http://127.0.0.1:$(cat "$tmp/rs.port")" --trainers "$trainers" \
  --rollouts "$rollouts" --seconds "$seconds" --server-pid "$rs_pid" --json --quiet | tee "$tmp/out.json"
echo
echo "(overhead = time in the server minus the slowest rollout's MetaJudge time, per request)"
