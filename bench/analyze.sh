#!/usr/bin/env bash
# Benchmark of recipes/analyze.lua on files the size of the published test set (1,000 items,
# ~17 MB) and of a full run (22,000 items, ~370 MB, streamed), and of the kernels (Hungarian
# 50x50, bootstrap 10,000 x 22,000) via bench/bench_kernels.c. Prints wall time and peak RSS; it
# asserts nothing. Targets (issue): 17 MB in <= 0.25 s; 370 MB with peak RSS <= 64 MiB.
#   bench/analyze.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
quick=${1:-}
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }
tmp=$(mktemp -d /tmp/ratio-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
big=22000
[ "$quick" = "--quick" ] && big=2200

bin/ratio run bench/make_metajudge_file.lua --output "$tmp/small.jsonl" --items 1000 --quiet >/dev/null
bin/ratio run bench/make_metajudge_file.lua --output "$tmp/big.jsonl" --items "$big" --quiet >/dev/null
printf '%-34s %10s %10s %12s\n' "run" "MB" "seconds" "peak RSS MiB"
run() { # NAME FILE ARGS...
  local name=$1 file=$2
  shift 2
  local best=""
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$tmp/time" bin/ratio run recipes/analyze.lua --input "$file" --judge m "$@" --json >/dev/null
    read -r secs kb < "$tmp/time"
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < ${best%% *})}"; then best="$secs $kb"; fi
  done
  printf '%-34s %10.1f %10s %12.1f\n' "$name" "$(($(stat -c %s "$file") / 1000000))" "${best%% *}" "$(awk "BEGIN{print ${best##* }/1024}")"
}
run "analyze 1,000 items (reference)" "$tmp/small.jsonl" --mode reference
run "analyze 1,000 items (paper)" "$tmp/small.jsonl" --mode paper
run "analyze $big items (reference)" "$tmp/big.jsonl" --mode reference
echo "(best of 3 runs each; the whole process: start-up, reading, JSON decoding, metrics, 1,000-resample CIs)"

gcc -std=c11 -O2 -Icore bench/bench_kernels.c core/match/*.c core/metrics/*.c core/util/buf.c core/util/utf8.c -lm -o "$tmp/bench_kernels"
"$tmp/bench_kernels"
