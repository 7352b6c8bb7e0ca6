-- ratio.view: a folder of runs in the browser, served by ratio's own HTTP server on 127.0.0.1.
--
--   /                       every run (sortable; filter by recipe; pick runs to compare)
--   /compare?runs=A,B[,C]   the runs' summaries side by side: judges x metrics, each run's value
--                           with its CI and its difference from the first run with a bootstrap CI
--   /run/NAME/FILE          a file of run NAME (report.html, items.jsonl, summary.json, ...)
--   /run/NAME/              the files of run NAME
--   /api/runs               the index as JSON
--
-- Only regular files inside the runs folder are served: a path with an empty, "." or ".."
-- segment, a NUL or a backslash is refused, and a file whose real path (symlinks resolved) is
-- not under the folder's real path is refused too. Nothing is ever written.
local json = require "ratio.core.json"
local sys = require "ratio.core.sys"
local runs = require "ratio.runs"

local M = {}

-- Files a browser should display rather than download; everything else is application/octet-stream.
M.TYPES = {
  html = "text/html; charset=utf-8", json = "application/json; charset=utf-8",
  jsonl = "application/x-ndjson; charset=utf-8", csv = "text/csv; charset=utf-8",
  txt = "text/plain; charset=utf-8", md = "text/plain; charset=utf-8", log = "text/plain; charset=utf-8",
  svg = "image/svg+xml", png = "image/png", jpg = "image/jpeg", jpeg = "image/jpeg",
  css = "text/css; charset=utf-8", js = "text/javascript; charset=utf-8",
}

-- Pages are generated here; reports are the runs' own. Neither loads anything from elsewhere.
local SECURITY = {
  ["x-content-type-options"] = "nosniff",
  ["content-security-policy"] = "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    .. "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'",
  ["referrer-policy"] = "no-referrer",
  ["cache-control"] = "no-store",
}

local function headers(ctype)
  local h = {["content-type"] = ctype}
  for k, v in pairs(SECURITY) do h[k] = v end
  return h
end

local function esc(s)
  return (tostring(s):gsub("[%z\1-\8\11\12\14-\31\127]", function(c) return ("\\x%02x"):format(c:byte()) end)
    :gsub("[&<>\"']", {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;"}))
end

local function urlenc(s)
  return (tostring(s):gsub("[^%w%-%._~]", function(c) return ("%%%02X"):format(c:byte()) end))
end

local function isnum(v) return type(v) == "number" and v == v end
local function num(v, d) return isnum(v) and ("%." .. (d or 3) .. "f"):format(v) or "–" end

local function text_page(status, msg)
  return {status = status, body = msg .. "\n", headers = headers("text/plain; charset=utf-8")}
end

-- safe_segments(raw) -> list of path segments | nil, why. raw is the URL path after the prefix,
-- still percent-encoded.
function M.safe_segments(raw)
  if raw:find("%%[^%x]") or raw:find("%%%x?$") then return nil, "bad percent escape" end
  local path = raw:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)
  if path:find("[%z\\]") then return nil, "NUL or backslash in the path" end
  local segs = {}
  for seg in (path .. "/"):gmatch("([^/]*)/") do segs[#segs + 1] = seg end
  if path:sub(-1) == "/" then segs[#segs] = nil end
  for _, seg in ipairs(segs) do
    if seg == "" or seg == "." or seg == ".." then return nil, "empty, '.' or '..' segment" end
  end
  return segs
end

-- ---- pages ---------------------------------------------------------------------------------------

local CSS = [[
body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:90rem;padding:0 1rem;color:#222;line-height:1.4}
h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.15rem}
table{border-collapse:collapse;margin:.8rem 0;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}th[data-key]{cursor:pointer;user-select:none}th[data-key]:hover{background:#e4e4e4}
th.sorted-asc::after{content:" \25B2"}th.sorted-desc::after{content:" \25BC"}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ci{display:block;color:#666;font-size:.8rem;white-space:nowrap}
.st-ok{color:#1a7f37}.st-failed,.st-interrupted{color:#c62828;font-weight:bold}.st-running{color:#8a6d00}
.note{color:#555}.bar{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;margin:.5rem 0}
.hl{white-space:nowrap}.err{color:#c62828}
.sig{font-weight:bold}.pos{color:#1a7f37}.neg{color:#c62828}
#js-errors:empty{display:none}#js-errors{color:#fff;background:#c62828;padding:.5rem}
code{background:#f3f3f3;padding:0 .2rem}
]]

-- First script on every page: a JavaScript error anywhere is written into the page (#js-errors),
-- so a headless browser's DOM dump shows it.
local ERROR_HOOK = [[<pre id="js-errors"></pre><script>
window.addEventListener("error", function (e) {
  var el = document.getElementById("js-errors");
  if (el) el.textContent += "JS error: " + e.message + " (" + (e.filename || "") + ":" + (e.lineno || 0) + ")\n";
});
</script>]]

local function page(title, body, script)
  return table.concat({"<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>" .. esc(title) .. "</title><style>" .. CSS .. "</style></head><body>", ERROR_HOOK,
    body, script and ("<script>" .. script .. "</script>") or "", "</body></html>\n"}, "\n")
end

local INDEX_SCRIPT = [[
(function () {
  "use strict";
  var table = document.getElementById("runs"), body = table.tBodies[0];
  var recipe = document.getElementById("recipe"), shown = document.getElementById("shown");
  var button = document.getElementById("compare");
  function filter() {
    var want = recipe.value, n = 0;
    Array.prototype.forEach.call(body.rows, function (r) {
      var ok = !want || r.getAttribute("data-recipe") === want;
      r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + " of " + body.rows.length + " runs shown";
    table.setAttribute("data-shown", String(n));
    try {
      var q = new URLSearchParams(window.location.search);
      if (want) q.set("recipe", want); else q.delete("recipe");
      history.replaceState(null, "", "?" + q.toString());
    } catch (e) { /* ignore */ }
  }
  function sortBy(th) {
    var key = th.getAttribute("data-key"), idx = Array.prototype.indexOf.call(th.parentNode.cells, th);
    var desc = !th.classList.contains("sorted-desc");
    Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.classList.remove("sorted-asc", "sorted-desc"); });
    th.classList.add(desc ? "sorted-desc" : "sorted-asc");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[idx].getAttribute("data-v"), y = b.cells[idx].getAttribute("data-v");
      var nx = parseFloat(x), ny = parseFloat(y), c;
      if (key === "num") {
        nx = isNaN(nx) ? -Infinity : nx; ny = isNaN(ny) ? -Infinity : ny;
        c = nx - ny;
      } else c = x < y ? -1 : x > y ? 1 : 0;
      return desc ? -c : c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    table.setAttribute("data-sorted", th.textContent + (desc ? " desc" : " asc"));
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    if (th.getAttribute("data-key")) th.addEventListener("click", function () { sortBy(th); });
  });
  function picked() {
    return Array.prototype.filter.call(body.querySelectorAll("input[type=checkbox]"), function (c) { return c.checked; })
      .map(function (c) { return c.value; });
  }
  function update() {
    var p = picked();
    button.disabled = p.length < 2;
    button.textContent = p.length < 2 ? "compare (pick two or more runs)" : "compare " + p.length + " runs";
  }
  body.addEventListener("change", update);
  button.addEventListener("click", function () {
    window.location.href = "compare?runs=" + picked().map(encodeURIComponent).join(",");
  });
  recipe.addEventListener("change", filter);
  var q = new URLSearchParams(window.location.search);
  if (q.get("recipe")) recipe.value = q.get("recipe");
  filter();
  // ?sort=COLUMN[-asc] sorts as a click on that column head would (shareable, testable)
  if (q.get("sort")) {
    var m = /^(.*?)(-asc)?$/.exec(q.get("sort"));
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (th.getAttribute("data-key") && th.textContent === m[1]) {
        sortBy(th);
        if (m[2]) sortBy(th);
      }
    });
  }
  update();
})();
]]

local function headline_cells(h)
  local out = {}
  for _, m in ipairs(runs.METRICS) do
    if m.key ~= "f1" and m.key ~= "precision" and isnum(h[m.key]) then out[#out + 1] = m.label .. " " .. num(h[m.key]) end
  end
  return table.concat(out, " ")
end

function M.index_html(dir, list)
  local recipes, seen = {}, {}
  for _, r in ipairs(list) do if not seen[r.recipe] then seen[r.recipe] = true recipes[#recipes + 1] = r.recipe end end
  table.sort(recipes)
  local out = {("<h1>ratio runs in <code>%s</code></h1>"):format(esc(dir))}
  out[#out + 1] = '<div class="bar"><label>recipe <select id="recipe"><option value="">all</option>'
  for _, r in ipairs(recipes) do out[#out + 1] = ('<option value="%s">%s</option>'):format(esc(r), esc(r)) end
  out[#out + 1] = '</select></label><button id="compare" type="button" disabled>compare</button><span id="shown" class="note"></span></div>'
  if #list == 0 then
    out[#out + 1] = ('<p>No runs yet in <code>%s</code>: <code>ratio run quickstart</code> makes one.</p>'):format(esc(dir))
  end
  out[#out + 1] = '<table id="runs"><thead><tr><th>pick</th><th data-key="text">run</th><th data-key="text">recipe</th>'
    .. '<th data-key="text">started (UTC)</th><th data-key="num">took (s)</th><th data-key="text">status</th>'
    .. '<th data-key="num">items</th><th data-key="text">problems</th><th data-key="num">first judge RC</th><th>headline numbers</th></tr></thead><tbody>'
  for _, r in ipairs(list) do
    local has_report = sys.stat(r.path .. "/report.html") == "file"
    local link = "run/" .. urlenc(r.name) .. "/" .. (has_report and "report.html" or "")
    local c = r.counts
    local items = c.items or c.total or c.n or c.rollouts or c.requests
    local problems = {}
    for _, k in ipairs({"unscored", "failed", "skipped", "error"}) do
      if (c[k] or 0) > 0 then problems[#problems + 1] = ("%d %s"):format(c[k], k) end
    end
    if r.error then problems[#problems + 1] = r.error end
    local hl = {}
    for _, h in ipairs(r.headlines) do
      hl[#hl + 1] = ('<span class="hl"><b>%s</b> %s</span>'):format(esc(h.name), esc(headline_cells(h)))
    end
    local rc1 = r.headlines[1] and r.headlines[1].rc
    out[#out + 1] = ('<tr data-run="%s" data-recipe="%s"><td><input type="checkbox" value="%s" aria-label="pick %s"></td>'
      .. '<td data-v="%s"><a href="%s">%s</a></td><td data-v="%s">%s</td><td data-v="%s">%s</td>'
      .. '<td class="n" data-v="%s">%s</td><td data-v="%s" class="st-%s">%s</td><td class="n" data-v="%s">%s</td>'
      .. '<td data-v="%s" class="err">%s</td><td class="n" data-v="%s">%s</td><td>%s</td></tr>'):format(
      esc(r.name), esc(r.recipe), esc(r.name), esc(r.name),
      esc(r.name), esc(link), esc(r.name), esc(r.recipe), esc(r.recipe),
      esc(r.started_at), esc((r.started_at:gsub("T", " "):gsub("%.%d+Z$", ""):gsub("Z$", ""))),
      esc(math.type(r.seconds) == "integer" and r.seconds or ""), esc(math.type(r.seconds) == "integer" and r.seconds or "–"),
      esc(r.status), esc(r.status), esc(r.status), esc(items or ""), esc(items or "–"),
      esc(table.concat(problems, "; ")), esc(table.concat(problems, "; ")),
      esc(isnum(rc1) and ("%.6f"):format(rc1) or ""), num(rc1), table.concat(hl, "<br>"))
  end
  out[#out + 1] = "</tbody></table>"
  out[#out + 1] = '<p class="note">Click a column head to sort. Tick two or more runs and press compare to see their summaries side by side with the differences and their confidence intervals. Each run\'s folder is under <code>run/NAME/</code>.</p>'
  return page("ratio runs", table.concat(out, "\n"), INDEX_SCRIPT)
end

-- ---- comparison ----------------------------------------------------------------------------------

-- per_item(run_path) -> {judge = {metric = {[key] = value}}}: the per-item values in items.jsonl
-- (one object per item; a judge's entry is a table under the judge's name with recall,
-- precision, ap, f1 and outcome, as quickstart and frontier write them). Items whose entry has a
-- status other than "valid" count for OA only.
local PER_ITEM = {rc = "recall", precision = "precision", f1 = "f1", ap = "ap"}
function M.per_item(path, judges, cap)
  local jsonl = require "ratio.jsonl"
  local out = {}
  for _, j in ipairs(judges) do out[j] = {oa = {}, rc = {}, precision = {}, f1 = {}, ap = {}} end
  local ok, err = pcall(function()
    local r = jsonl.open(path, {on_error = "skip"})
    if not r then return end
    local n = 0
    while true do
      local row, line = r:read()
      if row == nil then break end
      n = n + 1
      if n > cap then break end
      if type(row) == "table" then
        local key = type(row.id) == "string" and ("id:" .. row.id) or ("line:" .. tostring(line))
        for _, j in ipairs(judges) do
          local e = row[j]
          if type(e) == "table" then
            if e.outcome == true or e.outcome == false then out[j].oa[key] = e.outcome and 1 or 0 end
            if e.status == nil or e.status == "valid" then
              for m, field in pairs(PER_ITEM) do
                if isnum(e[field]) then out[j][m][key] = e[field] end
              end
            end
          end
        end
      end
    end
    r:close()
  end)
  if not ok then return nil, tostring(err) end
  return out
end

-- diff_ci(a, b, opts) -> {diff, lo, hi, n, paired, method} for mean(b) - mean(a): paired (bootstrap
-- of the per-item differences) over the items both have, when they share most items; otherwise
-- unpaired (the two bootstrap standard errors combined, normal interval).
function M.diff_ci(a, b, opts)
  local stats = require "ratio.stats"
  opts = opts or {}
  local xa, xb, na, nb = {}, {}, 0, 0
  for _ in pairs(a) do na = na + 1 end
  for _ in pairs(b) do nb = nb + 1 end
  if na == 0 or nb == 0 then return nil end
  local keys = {}
  for k in pairs(a) do if b[k] ~= nil then keys[#keys + 1] = k end end
  table.sort(keys)
  local so = {resamples = opts.resamples or 2000, seed = opts.seed or 1, level = 0.95}
  if #keys >= 2 and #keys * 2 >= math.max(na, nb) then
    for i, k in ipairs(keys) do xa[i], xb[i] = a[k], b[k] end
    local r = stats.paired_bootstrap(xb, xa, so)
    if r then
      return {diff = r.diff, lo = r.lo, hi = r.hi, n = #keys, paired = true, p_value = r.p_value,
              method = "paired bootstrap over the items both runs scored"}
    end
  end
  local la, lb = {}, {}
  for k, v in pairs(a) do la[#la + 1] = {k, v} end
  for k, v in pairs(b) do lb[#lb + 1] = {k, v} end
  table.sort(la, function(x, y) return x[1] < y[1] end)
  table.sort(lb, function(x, y) return x[1] < y[1] end)
  for i, kv in ipairs(la) do xa[i] = kv[2] end
  for i, kv in ipairs(lb) do xb[i] = kv[2] end
  local ca, cb = stats.ci(xa, so), stats.ci(xb, so)
  if not (ca and cb) then return nil end
  local se = math.sqrt(ca.se ^ 2 + cb.se ^ 2)
  local d = cb.estimate - ca.estimate
  return {diff = d, lo = d - 1.959964 * se, hi = d + 1.959964 * se, n = math.min(#xa, #xb), paired = false,
          method = "unpaired: bootstrap standard errors of the two runs, normal interval"}
end

local METRIC_LABEL = {oa = "OA", rc = "RC", precision = "precision", f1 = "F1", ap = "AP"}

function M.compare_html(dir, chosen, opts)
  opts = opts or {}
  local out = {("<h1>Comparing %d runs</h1>"):format(#chosen)}
  out[#out + 1] = '<p><a href="./">all runs</a></p>'
  -- Which runs, and the parameters in which they differ.
  out[#out + 1] = '<table id="which"><thead><tr><th>#</th><th>run</th><th>recipe</th><th>started (UTC)</th><th>status</th><th>items</th></tr></thead><tbody>'
  for i, r in ipairs(chosen) do
    local c = r.counts
    out[#out + 1] = ('<tr><td>%d</td><td><a href="run/%s/report.html">%s</a></td><td>%s</td><td>%s</td><td class="st-%s">%s</td><td class="n">%s</td></tr>'):format(
      i, esc(urlenc(r.name)), esc(r.name), esc(r.recipe), esc(r.started_at), esc(r.status), esc(r.status),
      esc(c.items or c.total or c.n or "–"))
  end
  out[#out + 1] = "</tbody></table>"
  local pkeys, pseen = {}, {}
  for _, r in ipairs(chosen) do
    for k in pairs(type(r.manifest.parameters) == "table" and r.manifest.parameters or {}) do
      if not pseen[k] then pseen[k] = true pkeys[#pkeys + 1] = k end
    end
  end
  table.sort(pkeys)
  local diffs = {}
  for _, k in ipairs(pkeys) do
    local vals, differ = {}, false
    for i, r in ipairs(chosen) do
      local v = (r.manifest.parameters or {})[k]
      vals[i] = v == nil and "–" or (type(v) == "table" and (json.encode(v) or "?") or tostring(v))
      if i > 1 and vals[i] ~= vals[1] then differ = true end
    end
    if differ then diffs[#diffs + 1] = {k, vals} end
  end
  if #diffs > 0 then
    out[#out + 1] = '<h2>Parameters that differ</h2><table id="params"><thead><tr><th>parameter</th>'
    for i = 1, #chosen do out[#out + 1] = ("<th>run %d</th>"):format(i) end
    out[#out + 1] = "</tr></thead><tbody>"
    for _, d in ipairs(diffs) do
      out[#out + 1] = "<tr><td>" .. esc(d[1]) .. "</td>"
      for _, v in ipairs(d[2]) do out[#out + 1] = "<td>" .. esc(v) .. "</td>" end
      out[#out + 1] = "</tr>"
    end
    out[#out + 1] = "</tbody></table>"
  else
    out[#out + 1] = '<p class="note">The runs have the same parameters.</p>'
  end
  -- Judges x metrics.
  local judges, jseen = {}, {}
  for _, r in ipairs(chosen) do
    for _, h in ipairs(r.headlines) do
      if not jseen[h.name] then jseen[h.name] = true judges[#judges + 1] = h.name end
    end
  end
  local metrics = {}
  for _, key in ipairs({"oa", "rc", "precision", "ap"}) do
    for _, r in ipairs(chosen) do
      for _, h in ipairs(r.headlines) do if isnum(h[key]) and not metrics[key] then metrics[key] = true metrics[#metrics + 1] = key end end
    end
  end
  local items = {}
  for i, r in ipairs(chosen) do
    items[i] = M.per_item(r.path .. "/items.jsonl", judges, opts.max_items or 200000) or {}
  end
  out[#out + 1] = "<h2>Judges &times; metrics</h2>"
  out[#out + 1] = '<p class="note">Each cell: the run\'s value and its 95% CI as the run reported it. &Delta; is the difference from run 1 with a 95% bootstrap CI, computed here from the per-item values in each run\'s items.jsonl (paired over the items both runs scored when they share most items, else unpaired); <b>bold</b> when the CI excludes 0. Without per-item values the row says whether the two CIs overlap.</p>'
  out[#out + 1] = '<table id="compare-table"><thead><tr><th>judge</th><th>metric</th>'
  for i = 1, #chosen do
    out[#out + 1] = ("<th>run %d</th>"):format(i)
    if i > 1 then out[#out + 1] = ("<th>&Delta; run %d &minus; run 1</th>"):format(i) end
  end
  out[#out + 1] = "</tr></thead><tbody>"
  local by = {}
  for i, r in ipairs(chosen) do
    by[i] = {}
    for _, h in ipairs(r.headlines) do by[i][h.name] = h end
  end
  local ndiff = 0
  for _, j in ipairs(judges) do
    for _, key in ipairs(metrics) do
      out[#out + 1] = ('<tr data-judge="%s" data-metric="%s"><td>%s</td><td>%s</td>'):format(esc(j), key, esc(j), METRIC_LABEL[key])
      for i = 1, #chosen do
        local h = by[i][j]
        local v, ci = h and h[key], h and h[key .. "_ci"]
        out[#out + 1] = ('<td class="n">%s%s</td>'):format(num(v),
          ci and ('<span class="ci">[%s, %s]</span>'):format(num(ci.lo), num(ci.hi)) or "")
        if i > 1 then
          local a = items[1][j] and items[1][j][key] or {}
          local b = items[i][j] and items[i][j][key] or {}
          local d = M.diff_ci(a, b, {seed = opts.seed})
          if d then
            ndiff = ndiff + 1
            local sig = d.lo > 0 or d.hi < 0
            out[#out + 1] = ('<td class="n diff%s" data-diff="%.6f" data-lo="%.6f" data-hi="%.6f" title="%s, n = %d">%s%s<span class="ci">[%s, %s] %s n=%d</span></td>'):format(
              sig and (" sig " .. (d.diff > 0 and "pos" or "neg")) or "", d.diff, d.lo, d.hi, esc(d.method), d.n,
              d.diff >= 0 and "+" or "", num(d.diff), num(d.lo), num(d.hi), d.paired and "paired" or "unpaired", d.n)
          else
            local h1 = by[1][j]
            local c1 = h1 and h1[key .. "_ci"]
            local txt = "–"
            if isnum(v) and h1 and isnum(h1[key]) then
              txt = (v - h1[key] >= 0 and "+" or "") .. num(v - h1[key])
              if ci and c1 then
                txt = txt .. ('<span class="ci">CIs %s</span>'):format((ci.lo <= c1.hi and c1.lo <= ci.hi) and "overlap" or "do not overlap")
              end
            end
            out[#out + 1] = '<td class="n diff-nodata">' .. txt .. "</td>"
          end
        end
      end
      out[#out + 1] = "</tr>"
    end
  end
  out[#out + 1] = "</tbody></table>"
  if #judges == 0 then out[#out + 1] = '<p class="note">None of these runs recorded headline metrics in its manifest.</p>' end
  local body = table.concat(out, "\n")
  return page("ratio: compare runs", body), ndiff
end

-- ---- server --------------------------------------------------------------------------------------

local function dir_listing(name, path)
  local names = sys.listdir(path) or {}
  local out = {("<h1>Run <code>%s</code></h1>"):format(esc(name)), '<p><a href="../../">all runs</a></p><ul>'}
  for _, f in ipairs(names) do
    local kind = sys.stat(path .. "/" .. f)
    if kind == "file" then out[#out + 1] = ('<li><a href="%s">%s</a></li>'):format(esc(urlenc(f)), esc(f)) end
  end
  out[#out + 1] = "</ul>"
  return page("ratio run " .. name, table.concat(out, "\n"))
end

-- serve{dir=, port=0, on_listen=function(port, server)} -> returns when the server stops
-- (SIGINT/SIGTERM).
function M.serve(opts)
  local dir = opts.dir
  local real_dir = assert(sys.realpath(dir))
  local function find(names)
    local list = runs.list(dir) or {}
    local by = {}
    for _, r in ipairs(list) do by[r.name] = r end
    local out = {}
    for _, n in ipairs(names) do
      local r = by[n]
      if not r then
        -- runs/latest and other symlinks to a run name the run they point at
        local target = sys.readlink(dir .. "/" .. n)
        r = target and by[target]
      end
      if not r then return nil, n end
      out[#out + 1] = r
    end
    return out
  end
  local function serve_file(req)
    if req.method ~= "GET" and req.method ~= "HEAD" then return text_page(405, "only GET") end
    local rest = req.path:match("^/run/(.*)$")
    if not rest then return text_page(404, "not found: " .. req.path) end
    local segs, why = M.safe_segments(rest)
    if not segs or #segs == 0 then return text_page(400, "refused: " .. (why or "no run named")) end
    local rel = table.concat(segs, "/")
    local path = dir .. "/" .. rel
    local real = sys.realpath(path)
    if not real or (real ~= real_dir and real:sub(1, #real_dir + 1) ~= real_dir .. "/") then
      return text_page(404, "not found: " .. rel)
    end
    local kind = sys.stat(real)
    if kind == "directory" then
      if #segs == 1 and req.path:sub(-1) ~= "/" then
        return {status = 301, body = "", headers = {location = "/run/" .. urlenc(segs[1]) .. "/"}}
      end
      if #segs ~= 1 then return text_page(404, "not found: " .. rel) end
      return {status = 200, body = dir_listing(segs[1], real), headers = headers("text/html; charset=utf-8")}
    end
    if kind ~= "file" then return text_page(404, "not found: " .. rel) end
    local data = sys.read_file(real)
    if not data then return text_page(404, "cannot read: " .. rel) end
    local ext = (segs[#segs]:match("%.([%w]+)$") or ""):lower()
    return {status = 200, body = data, headers = headers(M.TYPES[ext] or "application/octet-stream")}
  end
  return require("ratio.serve"){
    host = "127.0.0.1", port = opts.port or 0,
    routes = {
      ["GET /"] = function()
        local list = runs.list(dir) or {}
        return {status = 200, body = M.index_html(dir, list), headers = headers("text/html; charset=utf-8")}
      end,
      ["GET /api/runs"] = function()
        local list = runs.list(dir) or {}
        local out = {}
        for _, r in ipairs(list) do
          out[#out + 1] = {name = r.name, recipe = r.recipe, started_at = r.started_at, seconds = r.seconds,
                           status = r.status, error = r.error, counts = r.counts, headlines = r.headlines}
        end
        return {status = 200, json = {dir = dir, runs = out}, headers = {["x-content-type-options"] = "nosniff"}}
      end,
      ["GET /compare"] = function(req)
        local names = {}
        for n in (req.params.runs or ""):gmatch("[^,]+") do names[#names + 1] = n end
        if #names < 2 then return text_page(400, "compare needs two or more runs: /compare?runs=A,B") end
        if #names > 12 then return text_page(400, "compare takes at most 12 runs") end
        local chosen, missing = find(names)
        if not chosen then return text_page(404, "no run named " .. missing) end
        local html = M.compare_html(dir, chosen, {seed = 1})
        return {status = 200, body = html, headers = headers("text/html; charset=utf-8")}
      end,
    },
    fallback = serve_file,
    on_listen = opts.on_listen,
  }
end

return M
