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
  DOM=$(timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --disable-background-networking \
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
  grep -q 'scatter=710x520 points=2 ' <<<"$got" || fail "scatter not laid out: [$got]"
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
  # The header names the MetaJudge model with its calls, tokens and cost.
  grep -q '<header class="run"><span>MetaJudge <b>fake-metajudge</b>, [0-9]* calls, [0-9]* tokens in, [0-9]* out, ' a/report.html ||
    fail "report header: $(grep -o '<header class="run">.*</header>' a/report.html)"
  grep -q '<summary>the MetaJudge reply</summary>' a/report.html || fail "LLM replies are not labelled as the MetaJudge reply"
  # The fake is gone: an offline replay from the cache writes the same report, byte for byte,
  # but for the header's usage line (every call now comes from the cache, and it says so).
  ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl --judges careful --matcher llm \
    --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge --out b --cache c.sqlite --offline --json
  expect_rc 0
  grep -q '<header class="run"><span>MetaJudge <b>fake-metajudge</b>, \([0-9]*\) calls (\1 from the cache)' b/report.html ||
    fail "replay header: $(grep -o '<header class="run">.*</header>' b/report.html)"
  cmp -s <(grep -v '^<header class="run">' a/report.html) <(grep -v '^<header class="run">' b/report.html) ||
    fail "the offline replay wrote a different report.html"
  cmp -s a/summary.csv b/summary.csv || fail "the offline replay wrote a different summary.csv"
}

# measure HTML_FILE JS_EXPR: loads the page in an iframe of a harness page (same folder) at the
# given width and prints what JS_EXPR (run with d = the iframe's document, w = its window) returns.
measure() {
  local page=$1 width=$2 expr=$3
  cat > measure.html <<HTML
<!doctype html><html><body><iframe id="f" src="$page" width="$width" height="900"></iframe>
<script>
window.addEventListener("load", function () {
  var out;
  try { var w = document.getElementById("f").contentWindow, d = w.document; out = String($expr); } catch (e) { out = "error=" + e; }
  var pre = document.createElement("pre"); pre.id = "result"; pre.textContent = out; document.body.appendChild(pre);
});
</script></body></html>
HTML
  chrome --allow-file-access-from-files --dump-dom "file://$PWD/measure.html"
  RESULT=$(grep -o '<pre id="result">[^<]*' <<<"$DOM" | sed 's/.*>//')
}

t_report_layout_at_800_and_1400() {
  need_chromium || return
  ratio run quickstart --out qs --quiet
  expect_rc 0
  local width
  for width in 800 1400; do
    # The summary table neither scrolls sideways nor is cut; neither does the page.
    measure qs/report.html "$width" '[d.querySelector(".wide").scrollWidth <= d.querySelector(".wide").clientWidth, d.documentElement.scrollWidth <= w.innerWidth, d.querySelector(".summary table").querySelectorAll(".ci").length].join(" ")'
    [ "$RESULT" = "true true 10" ] || fail "at $width px: table fits, page fits, CI lines: [$RESULT]"
    chrome --screenshot="$PWD/r$width.png" --window-size="$width,1400" --hide-scrollbars "file://$PWD/qs/report.html"
    read -r w _ nonwhite colours <<<"$(python3 "$ROOT/tests/e2e/png_stats.py" "r$width.png")"
    [ "$w" = "$width" ] || fail "screenshot width $w"
    awk -v f="$nonwhite" 'BEGIN { exit !(f > 0.03) }' || fail "the $width px screenshot is nearly blank ($nonwhite)"
    [ "${colours:-0}" -gt 20 ] || fail "the $width px screenshot has $colours colours"
  done
  # The scatter is large and its two labels are drawn; a filtered URL opens at the viewer.
  measure "qs/report.html?judge=skimmer" 1200 '[Math.round(d.querySelector("svg.scatter").getBoundingClientRect().width), d.querySelectorAll("svg.scatter text.label").length, w.scrollY > 1000, Math.abs(d.getElementById("alignments").getBoundingClientRect().top) < 5].join(" ")'
  [ "$RESULT" = "710 2 true true" ] || fail "scatter width, labels, scrolled to the viewer: [$RESULT]"
  measure "qs/report.html" 1200 'w.scrollY'
  [ "$RESULT" = 0 ] || fail "an unfiltered URL should open at the top: scrollY $RESULT"
  # Lexical matches are labelled as computed, never as a reply.
  grep -q '<summary>the MetaJudge reply</summary>' qs/report.html && fail "a lexical block is labelled as the MetaJudge reply"
  grep -q '<summary>the score block the lexical matcher computed (no MetaJudge was asked)</summary>' qs/report.html || fail "no computed label"
}

t_report_scatter_labels_do_not_collide() {
  need_chromium || return
  # Twelve judges within 0.02 of each other: labels that fit are placed apart, every judge is in
  # the legend, and the twelve colours are distinct.
  cat > many.lua <<'LUA'
local ratio = require "ratio"
ratio.params{}
local pts = {}
for i = 1, 12 do
  pts[i] = {name = "judge-number-" .. i, oa = 0.80 + (i % 4) * 0.006, rc = 0.50 + (i // 4) * 0.006,
            color = ratio.report.color(i)}
end
local f = assert(io.open("many.html", "w"))
f:write("<!doctype html><html><body>", ratio.report.scatter_svg(pts), "</body></html>")
f:close()
LUA
  ratio run many.lua
  expect_rc 0
  measure many.html 1000 '(function () { var t = d.querySelectorAll("svg.scatter text.label"), b = [], hits = 0, fills = {}; for (var i = 0; i < t.length; i++) { var r = t[i].getBBox(); b.push(r); } for (var i = 0; i < b.length; i++) for (var j = i + 1; j < b.length; j++) if (b[i].x < b[j].x + b[j].width && b[j].x < b[i].x + b[i].width && b[i].y < b[j].y + b[j].height && b[j].y < b[i].y + b[i].height) hits++; d.querySelectorAll("svg.scatter g.legend circle").forEach(function (c) { fills[c.getAttribute("fill")] = 1; }); return [t.length > 2, hits, d.querySelectorAll("svg.scatter g.legend").length, Object.keys(fills).length].join(" "); })()'
  [ "$RESULT" = "true 0 12 12" ] || fail "labels placed, overlaps, legend entries, distinct colours: [$RESULT]"
}

t_report_control_bytes_escaped() {
  # A NUL and other control bytes in item text reach neither report.html nor the CSVs raw.
  cat > ctl.lua <<'LUA'
local ratio = require "ratio"
local p = ratio.params{ input = {"data/sample.jsonl", "data", type = "file"} }
local item = ratio.jsonl.read_all(p.input)[1]
item.id = "ctl\0id\1\27"
item.domain = "dom\0ain"
item["human-checklist"][1] = "nul \0 here, bell \7, escape \27[31m red"
item["careful-checklist"][1] = "reason with \0 and \127"
local w = assert(ratio.jsonl.writer("ctl.jsonl"))
assert(w:write(item))
assert(w:close())
LUA
  ratio run ctl.lua
  expect_rc 0
  ratio run quickstart --input ctl.jsonl --out c --quiet
  expect_rc 0
  local f
  for f in c/report.html c/summary.csv c/domains.csv; do
    LC_ALL=C grep -qP '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]' "$f" && fail "$f holds raw control bytes"
  done
  grep -qF 'nul \x00 here, bell \x07, escape \x1b[31m red' c/report.html || fail "the control bytes are not shown as \\xNN"
  grep -qF 'dom\x00ain' c/domains.csv || fail "domains.csv does not show the NUL as \\x00"
}

t_report_lazy_viewer_over_http() {
  need_chromium || return
  # A page that embeds 10 of 48 items: as a file it says where the rest are; served by
  # `ratio view` it loads them from alignments.jsonl, and a filtered URL filters all 48.
  cat > small.lua <<'LUA'
local ratio = require "ratio"
local p = ratio.params{ input = {"data/sample.jsonl", "data", type = "file"} }
local items = ratio.dataset.read_all(p.input, {models = {"careful", "skimmer"}})
local matcher = ratio.metajudge.matcher("lexical")
local alignments = {}
for _, judge in ipairs({"careful", "skimmer"}) do
  for i, item in ipairs(items) do
    local r = ratio.metajudge.evaluate(item, judge, matcher, {})
    alignments[#alignments + 1] = ratio.report.alignment(item, judge, r, {index = i})
  end
end
ratio.report.write_run(ratio.run_dir(), {summary = {items = #items}, page = {title = "small", alignments = alignments, alignment_limit = 10}})
LUA
  ratio run ./small.lua --out runs/small
  expect_rc 0
  [ "$(grep -c '<article class="item"' runs/small/report.html)" = 10 ] || fail "expected 10 embedded cards"
  [ "$(wc -l < runs/small/alignments.jsonl)" = 48 ] || fail "alignments.jsonl should hold 48 cards"
  grep -q 'This page holds the first 10 of 48 items' runs/small/report.html || fail "no truncation note"
  chrome --dump-dom "file://$PWD/runs/small/report.html?judge=skimmer"
  grep -q '<div id="viewer" data-items="10" data-total="48"' <<<"$DOM" || fail "as a file: $(grep -o '<div id="viewer"[^>]*>' <<<"$DOM")"
  start_view runs || return
  chrome --virtual-time-budget=5000 --dump-dom "$VIEW_URL/run/small/report.html?judge=skimmer&outcome=correct&rc_max=0"
  grep -q '<div id="viewer" data-items="48" data-total="48"[^>]*data-loaded="38"' <<<"$DOM" || fail "served: $(grep -o '<div id="viewer"[^>]*>' <<<"$DOM")"
  [ "$(count '<article class="item"')" = 48 ] || fail "48 cards after loading, got $(count '<article class="item"')"
  # the filter counts the loaded cards: the same count as in the embedded quickstart report
  ratio run quickstart --out runs/qs --quiet
  chrome --dump-dom "file://$PWD/runs/qs/report.html?judge=skimmer&outcome=correct&rc_max=0"
  local want
  want=$(grep -o 'data-shown-items="[0-9]*" data-shown-blocks="[0-9]*"' <<<"$DOM")
  chrome --virtual-time-budget=5000 --dump-dom "$VIEW_URL/run/small/report.html?judge=skimmer&outcome=correct&rc_max=0"
  grep -q "$want" <<<"$DOM" || fail "lazily loaded cards filtered differently: want [$want], got $(grep -o '<div id="viewer"[^>]*>' <<<"$DOM")"
  # the loaded cards render like the embedded ones: one block per judge, alignment tables
  [ "$(count '<div class="aj" data-judge="(careful|skimmer)"')" = 96 ] || fail "judge blocks after loading: $(count '<div class="aj" ')"
  stop_view
}
