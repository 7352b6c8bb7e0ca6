# The bad-input campaign (issue 7): every recipe that reads data, fed the hostile files that
# tests/bad_inputs/make.lua writes (wrong types in every field, missing fields, NaN, bad UTF-8,
# deep nesting, empty and binary files, a line over the 64 MiB limit...), must exit 1 or 2 — never
# a signal, never a traceback into the library — with one line naming file:line:field (or the file
# and the reason, for a whole-file problem). And the reward server answers hostile labels with 400.

# bad_run KEY FILE [ARGS...]: runs the recipe KEY (the keys of tests/bad_inputs/make.lua) on FILE.
# judge and decompose get a URL that nothing listens on: validation must fail before any call.
bad_run() {
  local key=$1 file=$2
  shift 2
  case $key in
    qs) ratio run "$ROOT/recipes/quickstart.lua" --input "$file" --judges m --out "o-$key" --quiet "$@" ;;
    mj) ratio run "$ROOT/recipes/metajudge.lua" --input "$file" --judges m --out "o-$key" --quiet "$@" ;;
    au) ratio run "$ROOT/recipes/audit.lua" --input "$file" --judges m --out "o-$key" --quiet "$@" ;;
    jd) ratio run "$ROOT/recipes/judge.lua" --input "$file" --judge-model x --no-cache \
          --judge-base-url http://127.0.0.1:1/v1 --out "o-$key" --quiet "$@" ;;
    hr) ratio run "$ROOT/recipes/hybrid_reward.lua" --input "$file" --out "o-$key" --quiet "$@" ;;
    dc) ratio run "$ROOT/recipes/decompose.lua" --input "$file" --llm-model x --no-cache \
          --llm-base-url http://127.0.0.1:1/v1 --out "o-$key" --quiet "$@" ;;
    an) ratio run "$ROOT/recipes/analyze.lua" --input "$file" --judge m --quiet "$@" ;;
  esac
  rm -rf "o-$key"
}

# no_traceback WHAT: the run ended by an exit status, not a signal, and printed no traceback.
no_traceback() {
  case $RC in 0 | 1 | 2) ;; *) fail "$1: exit status $RC (a signal?)" ;; esac
  grep -q 'stack traceback' <<<"$ERR" && fail "$1: a traceback: $(head -c 400 <<<"$ERR")"
  return 0
}

make_bad_inputs() {
  mkdir -p bi
  ratio run "$ROOT/tests/bad_inputs/make.lua" --dir bi "$@"
  [ "$RC" = 0 ] || fail "make.lua: $ERR"
}

# Each file of cases.tsv, through each recipe it lists: exit 1 and the expected one-line error
# (first stderr line; analyze's is its last, after the warnings of the lines it left out).
t_bad_inputs_each_case_each_recipe() {
  make_bad_inputs || return
  local n=0 name key want line
  while IFS=$'\t' read -r name key want; do
    [ "$key" = - ] && continue
    bad_run "$key" "bi/$name.jsonl"
    n=$((n + 1))
    no_traceback "$name/$key"
    [ "$RC" = 1 ] || fail "$name/$key: exit status $RC, expected 1: $(head -n 1 <<<"$ERR")"
    if [ "$key" = an ]; then line=$(tail -n 1 <<<"$ERR"); else line=$(head -n 1 <<<"$ERR"); fi
    case "$line" in
      "ratio: bi/$name.jsonl:$want"*) ;;
      *) fail "$name/$key: stderr line [$line], expected [ratio: bi/$name.jsonl:$want...]" ;;
    esac
  done <bi/cases.tsv
  [ "$n" -gt 250 ] || fail "only $n checks ran"
}

# Every file through every offline recipe it is not listed for (those are checked above): whatever
# the outcome, an exit status (never a signal) and no traceback.
t_bad_inputs_sweep_no_crash() {
  make_bad_inputs || return
  local f key name
  for f in bi/*.jsonl; do
    name=$(basename "$f" .jsonl)
    for key in qs mj au hr an; do
      grep -q "^$name"$'\t'"$key"$'\t' bi/cases.tsv && continue
      bad_run "$key" "$f"
      no_traceback "$f/$key"
    done
  done
}

# A UTF-8 BOM and CRLF line ends are fine: every offline recipe reads the file.
t_bad_inputs_bom_and_crlf_are_fine() {
  make_bad_inputs || return
  local key
  for key in qs mj au hr; do
    bad_run "$key" bi/bom_crlf.jsonl
    [ "$RC" = 0 ] || fail "$key: exit status $RC: $(head -n 1 <<<"$ERR")"
  done
}

# A line over the 64 MiB default limit, made at test time (never committed): the line is named.
t_bad_inputs_huge_line() {
  make_bad_inputs --huge || return
  local key
  for key in qs mj au jd hr dc; do
    bad_run "$key" bi/huge.jsonl
    no_traceback "huge/$key"
    expect_rc 1
    expect_err_first "ratio: bi/huge.jsonl:2: line longer than 67108864 bytes"
  done
  # analyze leaves an unparsable line out, as the published script does: warned. (The other line
  # is a dataset line, not a MetaJudge output, so no line names model m: exit 1 saying so.)
  bad_run an bi/huge.jsonl --json
  no_traceback "huge/an"
  expect_rc 1
  expect_err_first "ratio: warning: bi/huge.jsonl:2: line longer than 67108864 bytes (line skipped)"
  expect_err_has "no line has metadata.m-checklist"
  rm -f bi/huge.jsonl
}

# A directory (and a device) instead of a file: a usage error naming the flag and the path.
t_bad_inputs_directory_instead_of_file() {
  mkdir -p dir.jsonl
  local key
  for key in qs mj au jd hr dc an; do
    bad_run "$key" dir.jsonl
    expect_rc 2
    expect_err_first "ratio: --input: 'dir.jsonl' is a directory, not a file"
    bad_run "$key" /dev/zero
    expect_rc 2
    expect_err_first "ratio: --input: '/dev/zero' is not a regular file (other)"
    no_traceback "/dev/zero/$key"
  done
}

# With --on-bad-item skip a bad item is counted and reported, never dropped silently.
t_bad_inputs_skip_mode_counts() {
  make_bad_inputs || return
  bad_run mj bi/hc_number.jsonl --on-bad-item skip --json
  expect_rc 0
  expect_err_first "ratio: warning: bi/hc_number.jsonl:2: human-checklist: expected a list of strings (item skipped)"
  grep -q '"skipped_lines":1' <<<"$OUT" || fail "metajudge: the skipped item is not counted: $OUT"
  bad_run hr bi/rollout_number.jsonl --on-bad-item skip --json
  expect_rc 0
  expect_err_first "ratio: warning: bi/rollout_number.jsonl:2: rollout: expected a string or a non-empty list of strings (line skipped)"
  grep -q '"skipped":1' <<<"$OUT" || fail "hybrid_reward: the skipped line is not counted: $OUT"
  bad_run dc bi/ip_number.jsonl --on-bad-item skip --json
  no_traceback "dc skip"
  expect_err_first "ratio: warning: bi/ip_number.jsonl:2: individual_preference: expected a list of annotators (item skipped)"
}

# The reward server: hostile label strings get a 400 naming the label's field, and the server
# keeps serving.
t_bad_inputs_reward_server_labels() {
  start_reward --matcher lexical || return
  local q='"query":["<|user|>hi<|assistant|>- 9 is not prime\n\\\\boxed{A>B}"],"prompts":["<|user|>hi<|assistant|>"]'
  local deep huge
  deep="$(printf '[%.0s' $(seq 1 5000))1$(printf ']%.0s' $(seq 1 5000))"
  printf '{%s,"labels":["%s"]}' "$q" "$deep" > deep.json
  post /get_reward deep.json
  [ "$CODE" = 400 ] && grep -q '"field":"labels\[0\]"' <<<"$BODY" && grep -q nesting <<<"$BODY" \
    || fail "deep label: $CODE $BODY"
  local lit
  for lit in NaN Infinity -Infinity 1e999 99 '\"1\"' null; do
    printf '{%s,"labels":["{\\"human_checklist\\":[\\"x\\"],\\"overall_preference\\":%s}"]}' "$q" "$lit" > p.json
    post /get_reward p.json
    [ "$CODE" = 400 ] && grep -q '"field":"labels\[0\]' <<<"$BODY" || fail "overall_preference $lit: $CODE $BODY"
  done
  printf '{%s,"labels":[7]}' "$q" > n.json
  post /get_reward n.json
  [ "$CODE" = 400 ] && grep -q '"field":"labels\[0\]"' <<<"$BODY" || fail "a number label: $CODE $BODY"
  printf '{%s,"labels":["[1,2]"]}' "$q" > a.json
  post /get_reward a.json
  [ "$CODE" = 400 ] && grep -q '"field":"labels\[0\].human_checklist"' <<<"$BODY" || fail "an array label: $CODE $BODY"
  # A human checklist of 20000 items (more than a score block holds) used to crash the Hungarian
  # assignment inside the scorer; it is now refused up front.
  huge=$(printf '\\"x\\",%.0s' $(seq 1 20000))
  printf '{%s,"labels":["{\\"human_checklist\\":[%s\\"x\\"],\\"overall_preference\\":1}"]}' "$q" "$huge" > h.json
  post /get_reward h.json
  [ "$CODE" = 400 ] && grep -q '"field":"labels\[0\].human_checklist"' <<<"$BODY" && grep -q '20001 items' <<<"$BODY" \
    || fail "huge checklist: $CODE $(head -c 300 <<<"$BODY")"
  printf '{%s,"labels":["{\\"human_checklist\\":[\\"\\\\ud800\\"],\\"overall_preference\\":1}"]}' "$q" > s.json
  post /get_reward s.json
  [ "$CODE" = 400 ] && grep -q '"field":"labels\[0\]"' <<<"$BODY" || fail "lone surrogate: $CODE $BODY"
  printf '{%s,"labels":["{\\"human_checklist\\":[\\"9 is not prime\\"],\\"overall_preference\\":-1}"]}' "$q" > ok.json
  post /get_reward ok.json
  [ "$CODE" = 200 ] && grep -q '"rewards":\[' <<<"$BODY" || fail "a good request after the bad ones: $CODE $BODY"
  stop_reward
}
