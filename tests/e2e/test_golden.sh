# The bundled studies' numbers against a capture made before the matchers returned records (and,
# for decompose, analyze --input-dir, reproduce and loadtest, before their plumbing moved into the
# library): the run folders' summaries, items, CSVs, MetaJudge and dataset files, and a few
# terminal tables, must stay byte-identical (times and paths taken out). tests/golden/capture.sh
# says what runs.

t_golden_studies_unchanged() {
  "$ROOT/tests/golden/capture.sh" now >capture.log 2>&1 || { fail "capture failed: $(tail -n 5 capture.log)"; return; }
  local d
  d=$(diff -r "$ROOT/tests/golden/main" now) || fail "numbers changed: $(head -c 3000 <<<"$d")"
}
