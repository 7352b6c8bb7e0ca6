# Reports: the quickstart's report.html opened in headless Chromium (Debian's `chromium`): the
# scatter and the bars lay out, the alignment viewer renders and its filter (set from the URL)
# shows exactly the items it should; untrusted item text stays text; every run writes summary.csv;
# a MetaJudge run's report keeps unscored replies and replays byte for byte offline.

CHROMIUM=${CHROMIUM:-chromium}

# need_chromium: fails the test with the fix when the browser is missing.
need_chromium() {
  command -v "$CHROMIUM" >/dev/null 2>&1 && return 0
  fail "chromium is not installed: the report tests open report.html in Debian's chromium (apt-get install chromium; scripts/setup installs it)"
  return 1
}

# chrome ARGS...: headless Chromium with a fresh profile and no background network; stdout in DOM.
chrome() {
  local profile
  profile=$(mktemp -d)
  DOM=$(timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" "$@" 2>chrome.err)
  local rc=$?
  rm -rf "$profile"
  [ "$rc" = 0 ] || fail "chromium exited $rc: $(tail -n 3 chrome.err)"
}

# count PATTERN: how many lines of DOM match the extended regex.
count() { grep -cE -- "$1" <<<"$DOM"; }

t_report_renders_in_chromium() {
  need_chromium || return
  ratio run "$ROOT/recipes/quickstart.lua" --out qs --quiet
  expect_rc 0
  local url="file://$PWD/qs/report.html"

  # No filter: the script ran (it writes the counts) and shows every item and judge block.
  chrome --dump-dom "$url"
  grep -q '<svg class="scatter"' <<<"$DOM" || fail "no scatter SVG in the DOM"
  [ "$(count '<svg class="bars"')" = 2 ] || fail "expected two bar charts (RC, OA by domain)"
  grep -q 'data-shown-items="48" data-shown-blocks="96"' <<<"$DOM" ||
    fail "the viewer did not show 48 items / 96 judge blocks: $(grep -o '<div id="viewer"[^>]*>' <<<"$DOM")"
  [ "$(count '<div class="aj" ')" = 96 ] || fail "expected 96 judge blocks, got $(count '<div class="aj" ')"

  # ?judge=skimmer: every careful block hidden, no skimmer block hidden, the select says so.
  chrome --dump-dom "$url?judge=skimmer"
  [ "$(count '<div class="aj" data-judge="careful"[^>]* hidden')" = 48 ] || fail "careful blocks still shown under ?judge=skimmer"
  [ "$(count '<div class="aj" data-judge="skimmer"[^>]* hidden')" = 0 ] || fail "skimmer blocks hidden under ?judge=skimmer"
  grep -q 'data-shown-items="48" data-shown-blocks="48"' <<<"$DOM" || fail "?judge=skimmer: $(grep -o '<div id="viewer"[^>]*>' <<<"$DOM")"
  grep -q '48 of 48 items shown (48 judge blocks)' <<<"$DOM" || fail "the shown-count line was not written"

  # Right for the wrong reasons: the count the filter shows must equal the count in items.jsonl.
  cat > want.lua <<'LUA'
local ratio = require "ratio"
local p = ratio.params{ file = {nil, "items.jsonl", type = "file", required = true} }
local n = 0
for row in ratio.jsonl.lines(p.file) do
  if row.skimmer.outcome == true and row.skimmer.recall <= 0 then n = n + 1 end
end
print(n)
LUA
  local want
  want=$("$RATIO" run want.lua --file qs/items.jsonl 2>&1)
  [ "$want" -gt 5 ] 2>/dev/null || fail "items.jsonl count: $want"
  chrome --dump-dom "$url?domain=code"
  [ "$(count '<article class="item" id="item-[0-9]+" data-domain="code" data-id="[^"]*">')" = 12 ] || fail "?domain=code: the 12 code items are not all shown"
  [ "$(count '<article class="item" id="item-[0-9]+" data-domain="[a-z]+" data-id="[^"]*">')" = 12 ] || fail "?domain=code: items of other domains shown"
  chrome --dump-dom "$url?id=code-007&judge=careful"
  [ "$(count '<article class="item" [^>]*data-id="code-007">')" = 1 ] || fail "?id=code-007: the item is hidden"
  grep -q 'data-shown-items="1" data-shown-blocks="1"' <<<"$DOM" || fail "?id=code-007&judge=careful: $(grep -o '<div id="viewer"[^>]*>' <<<"$DOM")"
  chrome --dump-dom "$url?judge=skimmer&outcome=correct&rc_max=0"
  grep -q "data-shown-items=\"$want\" data-shown-blocks=\"$want\"" <<<"$DOM" ||
    fail "right-for-wrong-reasons filter: want $want, got $(grep -o '<div id="viewer"[^>]*>' <<<"$DOM")"

  # Layout, measured inside the page: the charts have a size, the points and bars are drawn, the
  # viewer's visible blocks take space. (A file: page may read a file: iframe with this flag.)
  cat > harness.html <<'HTML'
<!doctype html><html><body><iframe id="f" src="qs/report.html?judge=careful" width="1200" height="900"></iframe>
<script>
window.addEventListener("load", function () {
  var out = [];
  try {
    var d = document.getElementById("f").contentDocument;
    var box = function (el) { var r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    var scatter = d.querySelector("svg.scatter"), r = scatter.getBoundingClientRect();
    out.push("scatter=" + Math.round(r.width) + "x" + Math.round(r.height));
    out.push("points=" + Array.prototype.filter.call(d.querySelectorAll("svg.scatter g.point circle"), box).length);
    out.push("bars=" + Array.prototype.filter.call(d.querySelectorAll("svg.bars g.bar rect"), box).length);
    out.push("blocks=" + Array.prototype.filter.call(d.querySelectorAll(".aj"), function (b) { return b.offsetHeight > 0; }).length);
    out.push("rows=" + Array.prototype.filter.call(d.querySelectorAll(".aj table.align tr"), function (b) { return b.offsetHeight > 0; }).length);
  } catch (e) { out.push("error=" + e); }
  var pre = document.createElement("pre");
  pre.id = "result";
  pre.textContent = out.join(" ");
  document.body.appendChild(pre);
});
</script></body></html>
HTML
  chrome --allow-file-access-from-files --dump-dom "file://$PWD/harness.html"
  local got
  got=$(grep -o '<pre id="result">[^<]*' <<<"$DOM" | sed 's/.*>//')
  grep -q 'scatter=560x380 points=2 ' <<<"$got" || fail "scatter not laid out: [$got]"
  local bars blocks rows
  bars=$(sed -n 's/.*bars=\([0-9]*\).*/\1/p' <<<"$got")
  blocks=$(sed -n 's/.*blocks=\([0-9]*\).*/\1/p' <<<"$got")
  rows=$(sed -n 's/.*rows=\([0-9]*\).*/\1/p' <<<"$got")
  # 4 domains x 2 judges x 2 metrics, less bars of height 0 (skimmer's RC can be exactly 0).
  [ "${bars:-0}" -ge 12 ] || fail "bars not drawn: [$got]"
  [ "${blocks:-0}" = 48 ] || fail "?judge=careful should lay out 48 blocks: [$got]"
  [ "${rows:-0}" -gt 200 ] || fail "alignment tables not laid out: [$got]"

  # A screenshot is a real picture, not a blank page.
  chrome --screenshot="$PWD/shot.png" --window-size=1200,1600 "$url"
  [ "$(head -c 8 shot.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "shot.png is not a PNG"
  [ "$(wc -c < shot.png)" -gt 40000 ] || fail "the screenshot is nearly empty ($(wc -c < shot.png) bytes)"
}

t_report_escapes_untrusted_text() {
  # One item whose id, domain, rationale, reason, label-free reply and response carry markup.
  cat > evil.lua <<'LUA'
local ratio = require "ratio"
local p = ratio.params{ input = {"data/sample.jsonl", "data", type = "file"} }
local item = ratio.jsonl.read_all(p.input)[1]
item.id = 'gen-<b>1</b>"'
item.domain = '<i>dom</i>'
item["human-checklist"][1] = '<script>document.title = "pwned"</script> Response 2 is long'
item["careful-checklist"][1] = '"><img src=x onerror="document.title=\'pwned2\'"> & more'
item["careful-generated_text"] = '</pre><script>document.title = "pwned3"</script>'
item.response1 = "</details><script>document.title = 'pwned4'</script>"
local w = assert(ratio.jsonl.writer("evil.jsonl"))
assert(w:write(item))
assert(w:close())
LUA
  ratio run evil.lua
  expect_rc 0
  ratio run "$ROOT/recipes/quickstart.lua" --input evil.jsonl --out ev --quiet
  expect_rc 0
  [ "$(grep -o '<script' ev/report.html | wc -l)" = 1 ] || fail "item text became a <script> element"
  grep -q '<img' ev/report.html && fail "item text became an <img> element"
  grep -qF '&lt;script&gt;document.title = &quot;pwned&quot;&lt;/script&gt;' ev/report.html || fail "the rationale is not shown as text"
  grep -qF '<option value="&lt;i&gt;dom&lt;/i&gt;">' ev/report.html || fail "the domain filter option is not escaped"
  need_chromium || return
  chrome --dump-dom "file://$PWD/ev/report.html"
  grep -q '<title>ratio quickstart' <<<"$DOM" || fail "injected script ran: $(grep -o '<title>[^<]*' <<<"$DOM")"
  grep -q 'pwned' <<<"$DOM" || fail "the injected text vanished instead of showing as text"
  grep -q '<img' <<<"$DOM" && fail "an <img> element appeared in the DOM"
  return 0
}

t_report_summary_csv_every_run() {
  ratio run "$ROOT/recipes/quickstart.lua" --out qs --quiet
  expect_rc 0
  expect_file qs/summary.csv
  expect_file qs/domains.csv
  [ "$(head -n 1 qs/summary.csv | cut -d, -f1-3)" = "judge,total,valid" ] || fail "summary.csv header: $(head -n 1 qs/summary.csv)"
  [ "$(wc -l < qs/summary.csv)" = 3 ] || fail "summary.csv: one row per judge expected"
  grep -q '^skimmer,48,48,' qs/summary.csv || fail "summary.csv skimmer row: $(cat qs/summary.csv)"
  [ "$(wc -l < qs/domains.csv)" = 9 ] || fail "domains.csv: 2 judges x 4 domains expected"
  # A recipe that gives write_run only a summary still gets a report and a CSV.
  cat > bare.lua <<'LUA'
local ratio = require "ratio"
ratio.params{}
ratio.report.write_run(ratio.run_dir(), {summary = {accuracy = 0.5, model = "m, \"quoted\""}})
LUA
  ratio run bare.lua --out bare
  expect_rc 0
  expect_file bare/report.html
  [ "$(cat bare/summary.csv)" = 'accuracy,model
0.5,"m, ""quoted"""' ] || fail "bare summary.csv: $(cat bare/summary.csv)"
}

t_report_metajudge_llm_unscored_and_offline_replay() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" || return
  head -n 3 "$ROOT/data/sample.jsonl" > d.jsonl
  sed -n 6p "$ROOT/data/sample.jsonl" | sed 's/"human-checklist": \["/"human-checklist": ["NEVERBLOCK /' >> d.jsonl
  ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl --judges careful --matcher llm \
    --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge --out a --cache c.sqlite --json
  expect_rc 0
  stop_fake
  grep -q 'data-judge="careful" data-status="unscored"' a/report.html || fail "the unscored item is not in the viewer"
  grep -q 'I cannot decide.</pre></details>' a/report.html || fail "the unscored reply is not kept in the report"
  [ "$(grep -c 'class="sc s[1-9]' a/report.html)" -gt 3 ] || fail "no scored pairs from the LLM MetaJudge replies"
  grep -q '^careful,4,3,0,1,0,' a/summary.csv || fail "summary.csv counts: $(cat a/summary.csv)"
  # The fake is gone: an offline replay from the cache writes the same report, byte for byte.
  ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl --judges careful --matcher llm \
    --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge --out b --cache c.sqlite --offline --json
  expect_rc 0
  cmp -s a/report.html b/report.html || fail "the offline replay wrote a different report.html"
  cmp -s a/summary.csv b/summary.csv || fail "the offline replay wrote a different summary.csv"
}
