#!/usr/bin/env bash
# client_ab: ratio's LLM client in two checkouts, run in turn (A B A B ...) against the same kind of
# fake endpoints, to say whether a change made a call cheaper. Prints each run's CPU per request,
# peak RSS and throughput, then the medians and the median of the pairwise ratios B/A, which holds
# when the machine's speed drifts during the runs (single runs differ by 5-10% on a shared machine).
#
#   bench/client_ab.sh DIR_A DIR_B [--concurrency C] [--per-slot K] [--reps R] [--endpoints E]
#                      [--b-recipe FILE]
#
# DIR_A and DIR_B are checkouts with a build (DIR/bin/ratio); each runs its own
# recipes/loadtest.lua with N = K x C (K = 20, C = 1024) requests at C in flight, R (5) times
# (--b-recipe: B runs FILE instead, e.g. bench/http_floor.lua, the same calls without the LLM
# client's own work). The
# endpoints are this checkout's tests/fake_llm.lua run by this checkout's bin/ratio, fresh for
# every run (as in bench/client_throughput.sh), so both clients face the same servers.
#   cpu ms/req  the client process's user+system CPU (/usr/bin/time) over the requests
# Nothing here asserts anything about time: it prints numbers (see bench/).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RATIO=$ROOT/bin/ratio # the endpoints' ratio
CONC=1024
PER_SLOT=20
REPS=5
ENDPOINTS=4
B_RECIPE=
LATENCY=50
usage() { sed -n 7,8p "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 2 ] || usage
A=$(cd "$1" && pwd)
B=$(cd "$2" && pwd)
shift 2
while [ $# -gt 0 ]; do
  case "$1" in
    --concurrency) CONC=${2:?}; shift 2 ;;
    --per-slot) PER_SLOT=${2:?}; shift 2 ;;
    --reps) REPS=${2:?}; shift 2 ;;
    --endpoints) ENDPOINTS=${2:?}; shift 2 ;;
    --b-recipe) B_RECIPE=$(cd "$(dirname "${2:?}")" && pwd)/$(basename "$2"); shift 2 ;;
    -h|--help) usage ;;
    *) echo "client_ab: unknown flag $1" >&2; usage ;;
  esac
done
for d in "$A" "$B"; do
  [ -x "$d/bin/ratio" ] || { echo "client_ab: $d/bin/ratio is missing: build that checkout first" >&2; exit 2; }
done
[ -x "$RATIO" ] || "$ROOT/scripts/setup" >&2
[ -x /usr/bin/time ] || { echo "client_ab: needs GNU time (Debian package 'time')" >&2; exit 1; }

TMP=$(mktemp -d /tmp/ratio-ab.XXXXXX)
BENCH=client_ab
# shellcheck source=bench/lib_endpoints.sh
. "$ROOT/bench/lib_endpoints.sh"
trap 'stop_servers; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

N=$((PER_SLOT * CONC))
echo "client_ab: $(nproc) cores, N = $N requests at $CONC in flight over $ENDPOINTS fake endpoints, $REPS pairs"
echo "A = $A ($(git -C "$A" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "B = $B ($(git -C "$B" rev-parse --short HEAD 2>/dev/null || echo '?'))${B_RECIPE:+, running $B_RECIPE}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %-2s %10s %8s %8s\n' pair ck 'cpu ms/req' 'RSS MiB' 'req/s'
: >"$TMP/rows"
for rep in $(seq "$REPS"); do
  for side in A B; do
    dir=$A recipe=$A/recipes/loadtest.lua
    [ "$side" = B ] && dir=$B recipe=${B_RECIPE:-$B/recipes/loadtest.lua}
    start_servers
    out=$(cd "$TMP" && /usr/bin/time -f '%U %S %M' -o "$TMP/time" "$dir/bin/ratio" run "$recipe" \
      --llm-base-url "$BASES" --requests "$N" --concurrency "$CONC" --json --quiet --no-cache \
      --out "$TMP/runs" --overwrite 2>"$TMP/client.err") || { cat "$TMP/client.err" >&2; exit 1; }
    stop_servers
    read -r u s m <"$TMP/time"
    rps=$(sed -n 's/.*"rps":\([0-9.]*\).*/\1/p' <<<"$out")
    cpu=$(awk -v u="$u" -v s="$s" -v n="$N" 'BEGIN { printf "%.4f", (u + s) * 1000 / n }')
    printf '%-4s %-2s %10s %8.1f %8.0f\n' "$rep" "$side" "$cpu" "$(awk -v m="$m" 'BEGIN { print m / 1024 }')" "$rps"
    echo "$rep $side $cpu $rps" >>"$TMP/rows"
  done
done
median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
col() { awk -v s="$1" -v c="$2" '$2 == s { print $c }' "$TMP/rows" | median; }
ratio_med() { # median over pairs of B's figure / A's figure (column c)
  awk -v c="$1" '{ v[$1 "," $2] = $c } END { for (k in v) { split(k, p, ","); if (p[2] == "A" && (p[1] ",B") in v) print v[p[1] ",B"] / v[k] } }' \
    "$TMP/rows" | median
}
printf 'medians: A %.4f ms/req, %.0f req/s; B %.4f ms/req, %.0f req/s\n' "$(col A 3)" "$(col A 4)" "$(col B 3)" "$(col B 4)"
printf 'B/A pair by pair (median): cpu per request %.3f, throughput %.3f\n' "$(ratio_med 3)" "$(ratio_med 4)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
