# The workbench around the recipes: recipes found by name (`ratio run quickstart`, `ratio list`),
# runs you can find (manifest status and headlines, runs/latest, the --out guard, `ratio runs`),
# `ratio view` (its index, file serving and comparison; the browser half is test_view_browser.sh).

t_ux_run_by_name_and_list() {
  ratio run quickstart --quiet --out byname
  expect_rc 0
  expect_file byname/summary.json
  grep -q '"recipe": ".*recipes/quickstart.lua"' byname/manifest.json || fail "manifest recipe: $(grep recipe byname/manifest.json)"
  # A user's own recipe folder comes first; $RATIO_RECIPES next; then the shipped recipes.
  mkdir -p recipes mine
  printf -- '-- What does my own study say?\n-- More words.\nprint("mine ran")\n' > recipes/mystudy.lua
  printf -- '-- Is the env folder searched?\nprint("env ran")\n' > mine/envstudy.lua
  printf -- '-- A local quickstart that hides the shipped one.\nprint("local quickstart")\n' > recipes/quickstart.lua
  RATIO_RECIPES="$PWD/mine" ratio run mystudy
  expect_rc 0
  expect_out "mine ran"
  RATIO_RECIPES="/nonexistent:$PWD/mine" ratio run envstudy
  expect_rc 0
  expect_out "env ran"
  ratio run quickstart
  expect_out "local quickstart"
  RATIO_RECIPES="$PWD/mine" ratio list
  expect_rc 0
  expect_out_has "mystudy          What does my own study say?"
  expect_out_has "envstudy         Is the env folder searched?"
  expect_out_has "frontier         Which judges are right for the right reasons, and which only look as good?"
  expect_out_has "(hidden by the recipe of the same name above)"
  grep -q "^recipes/$" <<<"$OUT" || fail "list does not head the local folder: $OUT"
  ratio run no-such-study
  expect_rc 2
  expect_err_has "cannot open recipe 'no-such-study': no such file, and no recipe of that name in recipes,"
  expect_err_has "(see 'ratio list')"
  ratio list --json
  expect_rc 0
  grep -q '"name":"judgebench"' <<<"$OUT" || fail "list --json lacks judgebench: $OUT"
}

t_ux_manifest_latest_and_runs() {
  ratio run quickstart --quiet
  expect_rc 0
  [ -L runs/latest ] && [ -L runs/latest-quickstart ] || fail "runs/latest or runs/latest-quickstart is not a symlink: $(ls -la runs)"
  expect_file runs/latest/report.html
  local first
  first=$(readlink runs/latest)
  grep -q '"status": "ok"' runs/latest/manifest.json || fail "status not ok: $(cat runs/latest/manifest.json)"
  grep -q '"finished_at"' runs/latest/manifest.json || fail "no finished_at"
  grep -q '"name": "careful"' runs/latest/manifest.json || fail "no careful headline"
  grep -q '"rc": 0.6138020833333332' runs/latest/manifest.json || fail "careful's RC is not in the manifest"
  grep -q '"items": 48' runs/latest/manifest.json || fail "item count missing"
  # A second run of another recipe moves runs/latest but not runs/latest-quickstart.
  cat > "$PWD/other.lua" <<'LUA'
-- A tiny study.
local ratio = require "ratio"
ratio.params{}
ratio.report.write_run(ratio.run_dir(), {summary = {accuracy = 0.25, total = 4, failed = 1}})
return {accuracy = 0.25, total = 4, failed = 1}
LUA
  ratio run ./other.lua --out runs/other-1
  expect_rc 0
  [ "$(readlink runs/latest)" = other-1 ] || fail "runs/latest -> $(readlink runs/latest)"
  [ "$(readlink runs/latest-quickstart)" = "$first" ] || fail "runs/latest-quickstart moved"
  [ "$(readlink runs/latest-other)" = other-1 ] || fail "runs/latest-other -> $(readlink runs/latest-other)"
  # A failing run records failed and its error.
  cat > fails.lua <<'LUA'
local ratio = require "ratio"
ratio.params{}
ratio.run_dir()
error("the study broke here")
LUA
  ratio run ./fails.lua --out runs/broken
  expect_rc 1
  grep -q '"status": "failed"' runs/broken/manifest.json || fail "a failed run is not marked failed"
  grep -q '"error": ".*the study broke here' runs/broken/manifest.json || fail "the error is not in the manifest"
  # A killed run reads as interrupted once its process is gone.
  cat > slow.lua <<'LUA'
local ratio = require "ratio"
ratio.params{}
ratio.run_dir()
ratio.sleep(60000)
LUA
  "$RATIO" run ./slow.lua --out runs/killed >slow.log 2>&1 &
  local pid=$!
  for _ in $(seq 1 200); do grep -q '"status": "running"' runs/killed/manifest.json 2>/dev/null && break; sleep 0.05; done
  ratio runs
  grep -E '^killed +slow +.* running' <<<"$OUT" >/dev/null || fail "a live run is not listed as running: $OUT"
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
  ratio runs
  expect_rc 0
  grep -E '^killed +slow +.* interrupted' <<<"$OUT" >/dev/null || fail "a killed run is not listed as interrupted: $OUT"
  grep -E '^broken +fails +.* failed +.*the study broke here' <<<"$OUT" >/dev/null || fail "the failed run's error is not listed: $OUT"
  grep -E "^$first +quickstart +.* ok +48 items +careful OA 0.864 RC 0.614 AP 0.621; skimmer OA 0.841 RC 0.026 AP 0.021" <<<"$OUT" >/dev/null ||
    fail "the quickstart run's headline: $OUT"
  grep -E '^other-1 +other +.* ok +4 items, 1 failed +summary OA 0.250' <<<"$OUT" >/dev/null || fail "other-1: $OUT"
  grep -q 'latest' <<<"$OUT" && fail "the latest symlinks are listed as runs: $OUT"
  [ "$(head -n 3 <<<"$OUT" | tail -n 1 | awk '{print $1}')" = killed ] || fail "runs are not newest first: $OUT"
  ratio runs runs --recipe quickstart --json
  expect_rc 0
  grep -q "\"name\":\"$first\"" <<<"$OUT" || fail "runs --json: $OUT"
  grep -q '"other-1"' <<<"$OUT" && fail "--recipe quickstart lists other recipes"
  ratio runs nowhere
  expect_rc 1
  expect_err_has "cannot read the runs folder: nowhere: No such file or directory"
}

t_ux_out_guard() {
  mkdir full
  echo keep > full/notes.txt
  ratio run quickstart --quiet --out full
  expect_rc 2
  expect_err_has "--out full: the folder exists and is not empty (1 entries); give another --out, or --overwrite"
  [ "$(cat full/notes.txt)" = keep ] || fail "the folder was touched"
  [ -e full/report.html ] && fail "a report was written into the refused folder"
  ratio run quickstart --quiet --out full --overwrite
  expect_rc 0
  expect_file full/report.html
  mkdir empty
  ratio run quickstart --quiet --out empty
  expect_rc 0
  echo x > afile
  ratio run quickstart --quiet --out afile
  expect_rc 2
  expect_err_has "--out afile: it exists and is not a folder"
  # Folders that cannot be made or written: refused before the study runs (one line, exit 2).
  ratio run quickstart --out afile/sub
  expect_rc 2
  expect_err_first "ratio: --out afile/sub: afile is not a folder"
  [ -z "$OUT" ] || fail "the refused run printed results: $OUT"
  ratio run quickstart --out ''
  expect_rc 2
  expect_err_first "ratio: --out: expected a folder, got an empty path"
  ratio run quickstart --out /proc/self/ratio-run
  expect_rc 2
  expect_err_first "ratio: --out /proc/self/ratio-run: cannot make a folder in /proc/self"
  ratio run quickstart --out /proc --overwrite
  expect_rc 2
  expect_err_first "ratio: --out /proc: cannot write files into it"
  # An empty list is refused, not run as a study of no judges.
  ratio run quickstart --judges ''
  expect_rc 2
  expect_err_first "ratio: --judges: expected a comma-separated list without empty items, got '' (to use the default, leave the flag out)"
  ratio run metajudge --input "$ROOT/data/sample.jsonl" --judges careful,,skimmer
  expect_rc 2
  # The same recipe and parameters into its own finished folder: rewritten the same, no flag.
  ratio run quickstart --quiet --out empty
  expect_rc 0
  # Other parameters into a finished run's folder: refused before anything runs.
  ratio run quickstart --out empty --similarity char3
  expect_rc 2
  expect_err_first "ratio: --out empty: it holds a finished quickstart run with other parameters; give another --out, or --overwrite to write over it"
  [ -z "$OUT" ] || fail "the refused run printed results: $OUT"
  # Another recipe's folder: refused.
  ratio run frontier --quiet --out empty
  expect_rc 2
  expect_err_has "--out empty: the folder exists and is not empty"
  # An interrupted run is resumed in its folder; a live one is left alone.
  cat > slow.lua <<'LUA'
local ratio = require "ratio"
local p = ratio.params{ ms = {60000, "how long to wait"} }
local dir = ratio.run_dir()
ratio.sleep(p.ms)
local f = assert(io.open(dir .. "/done.txt", "w")) f:write("done\n") f:close()
LUA
  "$RATIO" run ./slow.lua --out s >slow.log 2>&1 &
  local pid=$!
  for _ in $(seq 1 200); do grep -q '"status": "running"' s/manifest.json 2>/dev/null && break; sleep 0.05; done
  ratio run ./slow.lua --out s --ms 1
  expect_rc 2
  expect_err_first "ratio: --out s: another run (process $pid) is writing into it now"
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
  ratio run ./slow.lua --out s --ms 1
  expect_rc 0
  expect_err_has "ratio: resuming the interrupted run in s (calls it made come from the cache)"
  expect_file s/done.txt
  grep -q '"status": "ok"' s/manifest.json || fail "the resumed run did not finish ok"
}

t_ux_view_serves_only_the_runs_folder() {
  ratio run quickstart --quiet --out runs/a
  ratio run quickstart --quiet --out runs/b --similarity char3
  echo secret > outside.txt
  ln -s ../outside.txt runs/a/escape.txt
  start_view runs || return
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' "$VIEW_URL/")
  [ "$code" = 200 ] || fail "index: $code"
  curl -s "$VIEW_URL/" | grep -q '<tr data-run="a" data-recipe="quickstart">' || fail "run a is not in the index"
  [ "$(curl -s -o /dev/null -w '%{content_type}' "$VIEW_URL/run/a/report.html")" = "text/html; charset=utf-8" ] || fail "report content type"
  [ "$(curl -s -o /dev/null -w '%{content_type}' "$VIEW_URL/run/a/summary.json")" = "application/json; charset=utf-8" ] || fail "json content type"
  [ "$(curl -s -o /dev/null -w '%{content_type}' "$VIEW_URL/run/a/summary.csv")" = "text/csv; charset=utf-8" ] || fail "csv content type"
  cmp -s <(curl -s "$VIEW_URL/run/a/items.jsonl") runs/a/items.jsonl || fail "items.jsonl is not served byte for byte"
  cmp -s <(curl -s "$VIEW_URL/run/latest/summary.json") runs/b/summary.json || fail "runs/latest is not followed"
  local p
  for p in "/run/../outside.txt" "/run/a/../../outside.txt" "/run/a/%2e%2e/%2e%2e/outside.txt" "/run/..%2f..%2foutside.txt" \
           "/run/a/escape.txt" "/run/a%00/report.html" "/run/a//report.html" "/run/a/%5c..%5coutside.txt" "/run/a/./report.html" \
           "/run/%2fetc%2fpasswd" "/../outside.txt" "/run/a/%zz"; do
    local body
    body=$(curl -s --path-as-is "$VIEW_URL$p")
    code=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$VIEW_URL$p")
    case "$code" in 400|404) ;; *) fail "$p answered $code" ;; esac
    grep -q secret <<<"$body" && fail "$p served a file outside the runs folder"
    grep -q root: <<<"$body" && fail "$p served /etc/passwd"
  done
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$VIEW_URL/run/a/report.html")
  [ "$code" = 405 ] || fail "POST answered $code"
  code=$(curl -s -o /dev/null -w '%{http_code}' "$VIEW_URL/compare?runs=a")
  [ "$code" = 400 ] || fail "compare with one run answered $code"
  code=$(curl -s -o /dev/null -w '%{http_code}' "$VIEW_URL/compare?runs=a,nope")
  [ "$code" = 404 ] || fail "compare with an unknown run answered $code"
  # The comparison: run b (char3) against run a (jaccard), paired over the 48 shared items.
  local cmpage
  cmpage=$(curl -s "$VIEW_URL/compare?runs=a,b")
  tr -d '\n' <<<"$cmpage" | grep -q '<td>similarity</td><td>jaccard</td><td>char3</td>' || fail "the differing parameter is not shown"
  # 2 judges x (OA over the 44 non-tie items; RC, precision, AP over all 48)
  [ "$(grep -c 'paired n=48' <<<"$cmpage")" = 6 ] || fail "expected 6 paired differences over 48 items: $(grep -c 'paired n=48' <<<"$cmpage")"
  [ "$(grep -c 'paired n=44' <<<"$cmpage")" = 2 ] || fail "expected 2 paired OA differences over 44 items: $(grep -c 'paired n=44' <<<"$cmpage")"
  grep -A4 '<tr data-judge="careful" data-metric="rc">' <<<"$cmpage" | grep -q 'data-diff="0.015017"' ||
    fail "careful's RC difference char3 - jaccard: $(grep -A4 '<tr data-judge="careful" data-metric="rc">' <<<"$cmpage")"
  grep -A4 '<tr data-judge="careful" data-metric="oa">' <<<"$cmpage" | grep -q 'data-diff="0.000000" data-lo="0.000000" data-hi="0.000000"' ||
    fail "OA does not depend on the matcher, its difference must be exactly 0"
  stop_view
}

# start_view DIR: `ratio view DIR` on a free port; sets VIEW_URL (waits for the printed address).
start_view() {
  "$RATIO" view "$1" >view.out 2>view.err &
  VIEW_PID=$!
  for _ in $(seq 1 200); do grep -q 'http://127.0.0.1:[0-9]*/' view.out 2>/dev/null && break; sleep 0.05; done
  VIEW_URL=$(grep -o 'http://127.0.0.1:[0-9]*' view.out)
  [ -n "$VIEW_URL" ] || { fail "ratio view did not start: $(cat view.out view.err)"; return 1; }
}

stop_view() {
  kill -TERM "$VIEW_PID" 2>/dev/null
  wait "$VIEW_PID" 2>/dev/null
}

t_ux_names_checked_against_the_data() {
  # A misspelled judge is a usage error naming the judges the file has, not a data error.
  ratio run quickstart --judges careful,skimer
  expect_rc 2
  expect_err_first "ratio: unknown judge 'skimer': no line of $ROOT/data/sample.jsonl has skimer-checklist; the judges it has: careful, skimmer (did you mean skimmer?)"
  expect_err_lines 1
  ratio run frontier --judges nobody --on-bad-item skip
  expect_rc 2
  expect_err_has "unknown judge 'nobody'"
  expect_err_has "the judges it has: careful, skimmer"
  # Judge names match case-insensitively, as the published script does.
  ratio run quickstart --judges Careful --quiet --out ci
  expect_rc 0
  # A judge the file has, missing on one line, stays a data error naming file:line:field.
  head -n 2 "$ROOT/data/sample.jsonl" > gap.jsonl
  sed -n 3p "$ROOT/data/sample.jsonl" | sed 's/"skimmer-checklist"/"other-checklist"/' >> gap.jsonl
  ratio run quickstart --input gap.jsonl
  expect_rc 1
  expect_err_first "ratio: gap.jsonl:3: skimmer-checklist: missing"
  # analyze on a file with no line for the model: exit 1 with the models it has.
  ratio run analyze --input "$ROOT/tests/fixtures/metajudge_reference.jsonl" --judge skimmer
  expect_rc 1
  expect_err_first "ratio: $ROOT/tests/fixtures/metajudge_reference.jsonl: no line has metadata.skimmer-checklist, so there is nothing to score for 'skimmer'; the models it has: m"
  ratio run analyze --input "$ROOT/tests/fixtures/metajudge_reference.jsonl" --judge m --json
  expect_rc 0
}

t_ux_json_array_input_hint() {
  # One JSON array spread over lines (as json.dump writes it), and on one line.
  { echo "["; head -n 2 "$ROOT/data/sample.jsonl" | sed '1s/$/,/'; echo "]"; } > items.json
  ratio run quickstart --input items.json
  expect_rc 1
  expect_err_has "items.json:1: invalid JSON"
  expect_err_has "(the file looks like one JSON array; ratio reads JSON Lines, one object per line: convert it with jq -c '.[]' items.json > items.jsonl)"
  { printf '['; head -n 2 "$ROOT/data/sample.jsonl" | tr '\n' ',' | sed 's/,$//'; echo "]"; } > one.json
  ratio run quickstart --input one.json
  expect_rc 1
  expect_err_has "one.json:1: the line is a JSON array, not an object (if the file is one array of items, convert it to JSON Lines: jq -c '.[]' FILE > FILE.jsonl)"
  # Pretty-printed single objects get the jq -c . hint.
  printf '{\n  "a": 1\n}\n' > pretty.json
  ratio run quickstart --input pretty.json
  expect_rc 1
  expect_err_has "(the file looks like pretty-printed JSON; ratio reads JSON Lines, one object per line: convert it with jq -c . pretty.json > pretty.jsonl)"
  # The hint's command works: jq's output is accepted (jq is not needed: do what it does).
  head -n 2 "$ROOT/data/sample.jsonl" > items.jsonl
  ratio run quickstart --input items.jsonl --quiet --out ok
  expect_rc 0
}
