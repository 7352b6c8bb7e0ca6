#!/usr/bin/env bash
# Runs the bundled studies (quickstart, the tutorial's steps, metajudge, analyze on the fixtures
# and on a folder, frontier, sweep, hybrid_reward, judgebench, rmbench, audit, the LLM and
# embedding matchers, decompose with one prompt and two side by side, reproduce and loadtest
# against the fake LLM) and writes their numbers, normalised, into OUT_DIR: the --json summary,
# summary.json, items.jsonl, every CSV and every MetaJudge or dataset file, and for a few studies
# the terminal's table and notes (NAME.txt), with run times, durations and the checkout's path
# taken out. tests/golden/main holds a capture made before the matchers returned
# records instead of text, taken again once with no number changed when the run folders gained
# fields (usage: saved, shared, reasoning_tokens; alignments.jsonl; the MetaJudge's own prompt and
# samples in its files; judge text with its <think> part set apart, and that part kept as
# `reasoning` in the benchmarks' judgements). The decompose, analyze --input-dir, reproduce and
# loadtest files were added from the recipes as they stood before their plumbing moved into the
# library. tests/e2e/test_golden.sh captures again and compares byte for byte.
#   tests/golden/capture.sh OUT_DIR        (from the repository root, with bin/ratio built)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RATIO=${RATIO:-$ROOT/bin/ratio}
OUT=$(mkdir -p "$1" && cd "$1" && pwd)
WORK=$(mktemp -d /tmp/ratio-golden.XXXXXX)
FAKE_PID=
JUDGE_PID=
cleanup() {
  [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
  [ -n "$JUDGE_PID" ] && kill "$JUDGE_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"
export OPENAI_API_KEY=golden-key

# Volatile fields: times, durations, latencies, paths of this run.
JQ='walk(if type == "object" then with_entries(select(.key | test("^(run_dir|started_at|finished_at|elapsed|elapsed_s|recipe_sha256|wall_s|seconds|rps)$|_ms$|_s$") | not)) else . end)'
norm() { sed -e "s#$ROOT#ROOT#g" -e "s#$WORK#WORK#g" -e "s#127\.0\.0\.1:[0-9]*#127.0.0.1:PORT#g"; }

# run NAME RECIPE ARGS...: runs a recipe with --json into run folder NAME, keeps its numbers.
run() {
  local name=$1 recipe=$2
  shift 2
  "$RATIO" run "$ROOT/recipes/$recipe.lua" --out "$name" --json "$@" >"$name.stdout" 2>"$name.stderr" </dev/null \
    || { echo "golden: $name failed: $(tail -n 5 "$name.stderr")" >&2; exit 1; }
  jq -S "$JQ" "$name.stdout" | norm >"$OUT/$name.json"
  [ -f "$name/summary.json" ] && jq -S "$JQ" "$name/summary.json" | norm >"$OUT/$name.summary.json"
  local f
  for f in "$name"/*.jsonl; do
    [ -f "$f" ] || continue
    jq -S -c "$JQ" "$f" | norm >"$OUT/$name.$(basename "$f")"
  done
  for f in "$name"/*.csv; do
    [ -f "$f" ] && norm <"$f" >"$OUT/$name.$(basename "$f")"
  done
  return 0
}

# text NAME RECIPE ARGS...: runs a recipe without --json and keeps what it prints on stdout (its
# table and notes) as NAME.txt.
text() {
  local name=$1 recipe=$2
  shift 2
  "$RATIO" run "$ROOT/recipes/$recipe.lua" "$@" >"$name.stdout" 2>"$name.stderr" </dev/null \
    || { echo "golden: $name failed: $(tail -n 5 "$name.stderr")" >&2; exit 1; }
  norm <"$name.stdout" >"$OUT/$name.txt"
}

# analyze NAME ARGS...: analyze writes no run folder by default; keep its --json line.
analyze() {
  local name=$1
  shift
  "$RATIO" run "$ROOT/recipes/analyze.lua" --json "$@" >"$name.stdout" 2>"$name.stderr" </dev/null \
    || { echo "golden: $name failed: $(tail -n 5 "$name.stderr")" >&2; exit 1; }
  jq -S "$JQ" "$name.stdout" | norm >"$OUT/$name.json"
}

# start_fake ARGS...: a fake LLM (tests/fake_llm.lua ARGS) at FAKE_URL, process FAKE_PID.
start_fake() {
  rm -f fake.port
  "$RATIO" run "$ROOT/tests/fake_llm.lua" --port-file fake.port "$@" >fake.log 2>&1 &
  FAKE_PID=$!
  for _ in $(seq 1 200); do [ -s fake.port ] && break; sleep 0.05; done
  [ -s fake.port ] || { echo "golden: the fake LLM did not start: $(cat fake.log)" >&2; exit 1; }
  FAKE_URL="http://127.0.0.1:$(cat fake.port)"
}
stop_fake() { kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=; }

cp "$ROOT/data/sample.jsonl" sample.jsonl
head -n 8 sample.jsonl >small.jsonl

# Offline studies (lexical matcher).
run lab1 quickstart
run lab2-char3 quickstart --similarity char3
run lab2-bm25 quickstart --similarity bm25
run qs-reference quickstart --mode reference --top-k 0
run lab2-mj metajudge --models careful
run mj-both metajudge --models careful,skimmer --mode reference
analyze an-lab2-ref --input lab2-mj/metajudge-careful.jsonl --model careful --mode reference
analyze an-lab2-paper --input lab2-mj/metajudge-careful.jsonl --model careful --mode paper
analyze an-fix-ref --input "$ROOT/tests/fixtures/metajudge_reference.jsonl" --model m --mode reference
analyze an-fix-paper --input "$ROOT/tests/fixtures/metajudge_reference.jsonl" --model m --mode paper
run frontier frontier
run frontier-ref frontier --mode reference
run sweep sweep
run hybrid hybrid_reward
run hybrid-weighted hybrid_reward --formula weighted --rationale rc --tie lenient
run audit audit

# The LLM MetaJudge and the embedding matcher, against the fake.
start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua"
export OPENAI_BASE_URL=$FAKE_URL/v1
run lab3 metajudge --input small.jsonl --matcher llm --judge-model fake-metajudge --cache lab3.sqlite
analyze an-lab3-ref --input lab3/metajudge-skimmer.jsonl --model skimmer --mode reference
analyze an-lab3-paper --input lab3/metajudge-skimmer.jsonl --model skimmer --mode paper
run frontier-llm frontier --input small.jsonl --matcher llm --judge-model fake-metajudge --cache lab3.sqlite
run hybrid-llm hybrid_reward --matcher llm --judge-model fake-metajudge --cache lab3.sqlite
stop_fake
start_fake
run lab3-embed metajudge --input small.jsonl --matcher embedding --embed-base-url "$FAKE_URL/v1" \
  --embed-model fake-embed --cache embed.sqlite
stop_fake

# The benchmark adapters, with the fake judges the e2e tests use.
start_fake --responder "$ROOT/tests/fake/judge_responder.lua"
run rmbench rmbench --judge-model fake-judge --judge-base-url "$FAKE_URL/v1" --cache rm.sqlite
stop_fake
start_fake --responder "$ROOT/tests/fake/bench_judge_responder.lua"
run judgebench judgebench --judge-model fake-judge --judge-base-url "$FAKE_URL/v1" --cache jb.sqlite
stop_fake

# Decomposition: the e2e tests' data (an item re-asked, one never parsed), the 3-7 filter, and two
# prompts side by side.
start_fake --responder "$ROOT/tests/fake/decompose_responder.lua"
head -n 8 sample.jsonl >dec.jsonl
sed -n 9p sample.jsonl | sed 's/"reasoning": "/"reasoning": "GARBLE /' >>dec.jsonl
sed -n 10p sample.jsonl | sed 's/"reasoning": "/"reasoning": "NEVERPARSE /' >>dec.jsonl
head -n 12 sample.jsonl >dec12.jsonl
cp "$ROOT/tests/fixtures/decompose_strict.lua" strict.lua
DEC=(--llm-model fake-decomposer --llm-base-url "$FAKE_URL/v1" --cache dec.sqlite)
run dec-single decompose --input dec.jsonl "${DEC[@]}"
text dec-single decompose --input dec.jsonl "${DEC[@]}" --out dec-single-text
run dec-all decompose --input dec.jsonl "${DEC[@]}" --keep-range all --strengths
run dec-sbs decompose --input dec12.jsonl "${DEC[@]}" --prompt-b strict.lua --show 2
text dec-sbs decompose --input dec12.jsonl "${DEC[@]}" --prompt-b strict.lua --show 2 --out dec-sbs-text
stop_fake

# analyze --input-dir on the published analysis's folder layout (tests/e2e/recipes/released_shape.lua).
"$RATIO" run "$ROOT/tests/e2e/recipes/released_shape.lua" --file rel.jsonl --outputs outs >rel.log 2>&1 \
  || { echo "golden: released_shape failed: $(tail -n 5 rel.log)" >&2; exit 1; }
analyze an-dir --input-dir outs --sort-by ap
analyze an-dir-ref --input-dir outs --mode reference
"$RATIO" run "$ROOT/recipes/analyze.lua" --input-dir outs >an-dir.txt 2>an-dir.stderr </dev/null \
  || { echo "golden: an-dir text failed" >&2; exit 1; }
norm <an-dir.txt >"$OUT/an-dir.txt"

# The reproduction protocol: a judge in the file, two fake judges behind an API, a fake MetaJudge
# reading the published-shaped prompt (unpriced models: --max-cost 0).
start_fake --responder "$ROOT/tests/fake/judge_responder.lua"
JUDGE_PID=$FAKE_PID JUDGE_URL=$FAKE_URL FAKE_PID=
start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua"
run reproduce reproduce --input rel.jsonl --max-cost 0 --cache rep.sqlite \
  --judges "model-low_deceptive_alignment,openai:fake-judge-a@$JUDGE_URL/v1,openai:fake-judge-b@$JUDGE_URL/v1" \
  --published-as fake-judge-a=gpt-4o --metajudge-model fake-mj --metajudge-base-url "$FAKE_URL/v1" \
  --metajudge-prompt "$ROOT/tests/fixtures/published_shaped_infer.py"
run reproduce-small reproduce --input rel.jsonl --max-cost 0 --cache rep.sqlite --domains code,stem --limit 3 \
  --judges model-high_deceptive_alignment --metajudge-model fake-mj --metajudge-base-url "$FAKE_URL/v1" \
  --metajudge-preset ratio --figures cw-atomic
stop_fake
kill "$JUDGE_PID" 2>/dev/null
wait "$JUDGE_PID" 2>/dev/null || true
JUDGE_PID=

# loadtest: its counts (times are taken out).
start_fake
"$RATIO" run "$ROOT/recipes/loadtest.lua" --llm-base-url "$FAKE_URL/v1" --requests 40 --concurrency 4 --json \
  >loadtest.stdout 2>loadtest.stderr </dev/null || { echo "golden: loadtest failed" >&2; exit 1; }
jq -S "$JQ" loadtest.stdout | norm >"$OUT/loadtest.json"
stop_fake
echo "golden: $(ls "$OUT" | wc -l) files in $OUT"
