# `ratio view` in headless Chromium (Debian's chromium; `chrome`, `need_chromium` and `count` come
# from test_report.sh, `start_view` from test_ux.sh): the index of runs and a comparison of two
# quickstart runs load with no JavaScript error (every page writes errors into #js-errors), show
# the elements they should, filter and sort from the URL, and screenshot as real pictures at 800
# and 1400 px (tests/e2e/png_stats.py reads the pixels).

# shot NAME URL WIDTH: a screenshot; fails unless it is WIDTH px wide and visibly drawn.
shot() {
  chrome --screenshot="$PWD/$1.png" --window-size="$3,1000" --hide-scrollbars "$2"
  local stats
  stats=$(python3 "$ROOT/tests/e2e/png_stats.py" "$1.png") || { fail "$1.png unreadable: $stats"; return; }
  read -r w h nonwhite colours <<<"$stats"
  [ "$w" = "$3" ] || fail "$1.png is $w px wide, expected $3"
  awk -v f="$nonwhite" 'BEGIN { exit !(f > 0.03) }' || fail "$1.png is nearly blank ($stats)"
  [ "$colours" -gt 8 ] || fail "$1.png has only $colours colours ($stats)"
}

# no_js_errors: the page's error hook wrote nothing.
no_js_errors() {
  grep -q '<pre id="js-errors"></pre>' <<<"$DOM" || fail "JavaScript errors on $1: $(grep -o '<pre id="js-errors">[^<]*' <<<"$DOM")"
}

t_view_browser_index_and_compare() {
  need_chromium || return
  ratio run quickstart --quiet --out runs/a
  expect_rc 0
  ratio run quickstart --quiet --out runs/b --similarity char3
  expect_rc 0
  cat > other.lua <<'LUA'
local ratio = require "ratio"
ratio.params{}
ratio.report.write_run(ratio.run_dir(), {summary = {accuracy = 0.5, total = 2}})
return {accuracy = 0.5, total = 2}
LUA
  ratio run ./other.lua --out runs/c
  expect_rc 0
  start_view runs || return

  chrome --dump-dom "$VIEW_URL/"
  no_js_errors index
  grep -q '<table id="runs" data-shown="3"' <<<"$DOM" || fail "index: $(grep -o '<table id="runs"[^>]*>' <<<"$DOM")"
  [ "$(count '<tr data-run="[abc]" data-recipe="[a-z]*"')" = 3 ] || fail "index rows: $(count '<tr data-run=')"
  grep -q '3 of 3 runs shown' <<<"$DOM" || fail "the index script did not run"
  grep -q '<button id="compare" type="button" disabled="">compare (pick two or more runs)</button>' <<<"$DOM" || fail "compare button: $(grep -o '<button id="compare"[^<]*' <<<"$DOM")"

  chrome --dump-dom "$VIEW_URL/?recipe=quickstart&sort=run-asc"
  no_js_errors "the filtered index"
  grep -q '<table id="runs" data-shown="2" data-sorted="run asc"' <<<"$DOM" || fail "filter/sort: $(grep -o '<table id="runs"[^>]*>' <<<"$DOM")"
  [ "$(count '<tr data-run="c" data-recipe="other" hidden')" = 1 ] || fail "the other recipe's run is not hidden"
  [ "$(grep -o '<tr data-run="[abc]"' <<<"$DOM" | tr -d '\n')" = '<tr data-run="a"<tr data-run="b"<tr data-run="c"' ] || fail "sort by run asc"
  chrome --dump-dom "$VIEW_URL/?sort=run"
  [ "$(grep -o '<tr data-run="[abc]"' <<<"$DOM" | tr -d '\n')" = '<tr data-run="c"<tr data-run="b"<tr data-run="a"' ] || fail "sort by run desc"

  chrome --dump-dom "$VIEW_URL/compare?runs=a,b"
  no_js_errors compare
  grep -q '<table id="compare-table">' <<<"$DOM" || fail "no comparison table"
  [ "$(count '<tr data-judge="(careful|skimmer)" data-metric="(oa|rc|precision|ap)">')" = 8 ] || fail "expected 2 judges x 4 metrics"
  [ "$(count 'class="n diff[^"]*" data-diff=')" = 8 ] || fail "expected 8 differences with CIs"
  # skimmer's RC rises significantly with char3 (CI excludes 0): shown bold and green
  grep -A4 '<tr data-judge="skimmer" data-metric="rc">' <<<"$DOM" | grep -q 'class="n diff sig pos"' || fail "skimmer's RC difference is not marked significant"

  # The report itself, served by view: it loads and its script runs.
  chrome --dump-dom "$VIEW_URL/run/a/report.html?judge=skimmer"
  grep -q 'data-shown-blocks="48"' <<<"$DOM" || fail "the served report's viewer: $(grep -o '<div id="viewer"[^>]*>' <<<"$DOM")"

  shot index1400 "$VIEW_URL/" 1400
  shot index800 "$VIEW_URL/" 800
  shot compare1400 "$VIEW_URL/compare?runs=a,b" 1400
  shot compare800 "$VIEW_URL/compare?runs=a,b" 800
  stop_view
}
