-- ratio.report: what a person reads after a run — a table on the terminal, and in the run folder
-- items.jsonl (one line per item, in input order), summary.json, summary.csv and a self-contained
-- report.html (inline CSS, SVG and a little JavaScript; nothing loaded from the network).
--
-- The page is built from plain tables a recipe already has (docs/api.md, "Reports"):
--   page.judges      one headline entry per judge or sweep cell (ratio.metajudge.summarize output
--                    works as is) -> the summary table, the OA-vs-RC scatter, summary.csv
--   page.domains     the same per judge and domain (ratio.study.by_domain) -> bars, domains.csv
--   page.alignments  one entry per item and judge (ratio.report.alignment) -> the viewer
-- Every string that came from data is escaped; the only markup a caller can inject is `svg`.
local json = require "ratio.core.json"
local jsonl = require "ratio.jsonl"

local M = {}

-- num(x [, digits]) -> "0.412", or "-" for nil/NaN
function M.num(x, digits)
  if type(x) ~= "number" or x ~= x then return "-" end
  return ("%." .. (digits or 3) .. "f"):format(x)
end

-- with_ci(x, ci) -> "0.412 [0.351, 0.470]"
function M.with_ci(x, ci)
  if not ci then return M.num(x) end
  return ("%s [%s, %s]"):format(M.num(x), M.num(ci.lo), M.num(ci.hi))
end

-- table(header, rows) -> text with aligned columns (rows are lists of strings)
function M.table(header, rows)
  local widths = {}
  for i, h in ipairs(header) do widths[i] = utf8.len(h) or #h end
  for _, r in ipairs(rows) do
    for i, c in ipairs(r) do widths[i] = math.max(widths[i] or 0, utf8.len(c) or #c) end
  end
  local function line(cells)
    local out = {}
    for i, c in ipairs(cells) do
      out[i] = c .. (" "):rep(widths[i] - (utf8.len(c) or #c))
    end
    return (table.concat(out, "  "):gsub("%s+$", ""))
  end
  local lines = {line(header)}
  local rule = {}
  for i, w in ipairs(widths) do rule[i] = ("-"):rep(w) end
  lines[#lines + 1] = line(rule)
  for _, r in ipairs(rows) do lines[#lines + 1] = line(r) end
  return table.concat(lines, "\n")
end

-- Control bytes (NUL and the other C0 controls but tab, newline and carriage return, and DEL)
-- become visible text such as \x00: raw, they corrupt HTML and CSV and hide what the data held.
local function visible_controls(s)
  return (s:gsub("[%z\1-\8\11\12\14-\31\127]", function(c) return ("\\x%02x"):format(c:byte()) end))
end
M.visible_controls = visible_controls

local function esc(s)
  return (visible_controls(tostring(s)):gsub("[&<>\"]", {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;"}))
end
M.escape = esc

-- Any JSON value as display text: strings as they are, other values as JSON; nil/null -> nil.
local function text_of(v)
  if v == nil or v == json.null then return nil end
  if type(v) == "string" then return v end
  if type(v) == "number" or type(v) == "boolean" then return tostring(v) end
  return json.encode(v) or tostring(v)
end

local function strings_of(v)
  local out = {}
  if type(v) ~= "table" then return out end
  for i, s in ipairs(v) do out[i] = text_of(s) or "" end
  return out
end

-- The palette (Tableau 10); a page gives each judge one colour in every chart.
M.COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf"}

-- color(i) -> the i-th series colour: the palette, then hues spread by the golden angle, so
-- more than ten series stay distinct.
function M.color(i)
  if i <= #M.COLORS then return M.COLORS[i] end
  return ("hsl(%d, 60%%, %d%%)"):format(math.floor((i * 137.508) % 360), i % 2 == 0 and 38 or 52)
end

local function clamp01(v) return math.max(0, math.min(1, v)) end
local function isnum(v) return type(v) == "number" and v == v end

-- ---- headline numbers --------------------------------------------------------------------------

-- The metrics a headline carries: key, table label, names accepted in an entry, names in entry.ci.
local METRICS = {
  {key = "oa", label = "OA", long = "outcome accuracy", names = {"oa", "outcome_accuracy"}, ci = {"oa", "outcome_accuracy"}},
  {key = "rc", label = "RC (recall)", long = "rationale consistency", names = {"rc", "recall"}, ci = {"rc", "recall"}},
  {key = "precision", label = "precision", long = "precision", names = {"precision"}, ci = {"precision"}},
  {key = "f1", label = "F1", long = "F1", names = {"f1"}, ci = {"f1"}},
  {key = "ap", label = "AP", long = "average precision", names = {"ap", "average_precision"}, ci = {"ap", "average_precision"}},
}
local METRIC_BY_KEY = {}
for _, m in ipairs(METRICS) do METRIC_BY_KEY[m.key] = m end
M.METRICS = METRICS

local COUNTS = {
  {"total", {"total", "n", "total_samples"}}, {"valid", {"valid", "valid_samples"}},
  {"partial", {"partial", "partial_samples"}}, {"unscored", {"unscored", "unscored_samples"}},
  {"failed", {"failed", "failed_samples"}}, {"skipped", {"skipped", "skipped_samples"}},
  {"error", {"error", "error_samples"}}, {"outcome_n", {"outcome_n"}}, {"ties_excluded", {"ties_excluded"}},
}

-- headline(entry) -> {name, domain, oa, oa_ci, rc, rc_ci, precision, ..., ap_ci, total, valid,
-- partial, unscored, failed, skipped, error, outcome_n, ties_excluded, extra, color}
-- Accepts ratio.metajudge.summarize output, recipes/analyze.lua's summary, or the short names.
function M.headline(e)
  local h = {name = text_of(e.name or e.model or e.judge) or "?", domain = text_of(e.domain),
             extra = e.extra, color = e.color}
  for _, m in ipairs(METRICS) do
    for _, n in ipairs(m.names) do
      if isnum(e[n]) then h[m.key] = e[n] break end
    end
    local ci = e[m.key .. "_ci"]
    if not ci and type(e.ci) == "table" then
      for _, n in ipairs(m.ci) do
        if type(e.ci[n]) == "table" then ci = e.ci[n] break end
      end
    end
    if type(ci) == "table" and isnum(ci.lo) and isnum(ci.hi) then h[m.key .. "_ci"] = {lo = ci.lo, hi = ci.hi} end
  end
  for _, c in ipairs(COUNTS) do
    for _, n in ipairs(c[2]) do
      if math.type(e[n]) == "integer" then h[c[1]] = e[n] break end
    end
  end
  return h
end

-- ---- CSV ---------------------------------------------------------------------------------------

local function csv_cell(v)
  if v == nil or v == json.null then return "" end
  if type(v) == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    if v ~= v then return "" end
    return ("%.10g"):format(v)
  end
  local s = visible_controls(tostring(v))
  if s:find('[,"\r\n]') or s:find("^%s") or s:find("%s$") then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

-- csv(header, rows) -> RFC 4180 text (rows are lists of strings, numbers, booleans or nil)
function M.csv(header, rows)
  local lines = {}
  local function line(cells, n)
    local out = {}
    for i = 1, n do out[i] = csv_cell(cells[i]) end
    lines[#lines + 1] = table.concat(out, ",")
  end
  line(header, #header)
  for _, r in ipairs(rows) do line(r, #header) end
  return table.concat(lines, "\n") .. "\n"
end

-- The columns of summary.csv / domains.csv for a list of headline entries.
local function headline_csv(entries, with_domain)
  local header = {"judge"}
  if with_domain then header[#header + 1] = "domain" end
  for _, c in ipairs(COUNTS) do header[#header + 1] = c[1] end
  for _, m in ipairs(METRICS) do
    header[#header + 1] = m.key
    header[#header + 1] = m.key .. "_lo"
    header[#header + 1] = m.key .. "_hi"
  end
  local extra_keys, seen = {}, {}
  for _, e in ipairs(entries) do
    for k in pairs(type(e.extra) == "table" and e.extra or {}) do
      if not seen[k] then seen[k] = true extra_keys[#extra_keys + 1] = tostring(k) end
    end
  end
  table.sort(extra_keys)
  local taken = {}
  for _, h in ipairs(header) do taken[h] = true end
  for _, k in ipairs(extra_keys) do
    if taken[k] then error(("ratio.report: extra column '%s' clashes with a standard column of the CSV"):format(k), 3) end
    header[#header + 1] = k
  end
  local rows = {}
  for _, e in ipairs(entries) do
    local h = M.headline(e)
    local r = {h.name}
    if with_domain then r[#r + 1] = h.domain end
    for _, c in ipairs(COUNTS) do r[#r + 1] = h[c[1]] or false end
    for _, m in ipairs(METRICS) do
      local ci = h[m.key .. "_ci"]
      r[#r + 1] = h[m.key] or false
      r[#r + 1] = ci and ci.lo or false
      r[#r + 1] = ci and ci.hi or false
    end
    for _, k in ipairs(extra_keys) do r[#r + 1] = text_of(e.extra[k]) or false end
    for i = 1, #r do if r[i] == false then r[i] = nil end end -- holes: csv() reads #header cells
    rows[#rows + 1] = r
  end
  return header, rows
end

-- ---- charts ------------------------------------------------------------------------------------

-- scatter_svg(points [, {width=, height=}]) -> svg text
-- points: {name=, oa=, rc=, oa_ci={lo,hi}, rc_ci={lo,hi}, color=}. Outcome accuracy (x) against
-- rationale consistency (y), one point per judge with CI whiskers: the paper's Figure 1 in
-- miniature. Both axes run 0..1, so distances between judges read the same in every report.
function M.scatter_svg(points, opts)
  opts = opts or {}
  -- the legend to the right of the plot grows with the longest name (up to 40 characters)
  local longest = 0
  for _, p in ipairs(points) do longest = math.max(longest, utf8.len(tostring(p.name)) or #tostring(p.name)) end
  local R = math.max(150, 40 + 7 * math.min(longest, 40))
  local W, H = opts.width or (560 + R), opts.height or 520
  local L, T, B = 56, 16, 48
  local pw, ph = W - L - R, H - T - B
  -- Axes zoomed to the data (and its CIs) in steps of 0.1, so judges close together still read
  -- apart; the tick labels say where the axes start.
  local xlo, xhi, ylo, yhi = 1, 0, 1, 0
  for _, p in ipairs(points) do
    if isnum(p.oa) and isnum(p.rc) then
      xlo, xhi = math.min(xlo, p.oa_ci and p.oa_ci.lo or p.oa), math.max(xhi, p.oa_ci and p.oa_ci.hi or p.oa)
      ylo, yhi = math.min(ylo, p.rc_ci and p.rc_ci.lo or p.rc), math.max(yhi, p.rc_ci and p.rc_ci.hi or p.rc)
    end
  end
  local function lo10(v) return math.max(0, math.floor(v * 10 - 0.5) / 10) end
  local function hi10(v) return math.min(1, math.ceil(v * 10 + 0.5) / 10) end
  if xlo > xhi then xlo, xhi, ylo, yhi = 0, 1, 0, 1 end
  xlo, xhi, ylo, yhi = lo10(xlo), hi10(xhi), lo10(ylo), hi10(yhi)
  if opts.full then xlo, xhi, ylo, yhi = 0, 1, 0, 1 end
  local function x(v) return L + (clamp01(v) - xlo) / (xhi - xlo) * pw end
  local function y(v) return T + (1 - (clamp01(v) - ylo) / (yhi - ylo)) * ph end
  local out = {('<svg class="scatter" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="outcome accuracy against rationale consistency">'):format(W, H, W, H)}
  out[#out + 1] = ('<rect x="%d" y="%d" width="%d" height="%d" fill="#fafafa" stroke="#999"/>'):format(L, T, pw, ph)
  local function ticks(lo, hi)
    local step = (hi - lo) > 0.5 and 0.1 or 0.05
    local t, v = {}, lo
    while v <= hi + 1e-9 do t[#t + 1] = v v = v + step end
    return t
  end
  for _, v in ipairs(ticks(xlo, xhi)) do
    if v > xlo + 1e-9 and v < xhi - 1e-9 then
      out[#out + 1] = ('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#e4e4e4"/>'):format(x(v), x(v), T, T + ph)
    end
    out[#out + 1] = ('<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%.2f</text>'):format(x(v), T + ph + 16, v)
  end
  for _, v in ipairs(ticks(ylo, yhi)) do
    if v > ylo + 1e-9 and v < yhi - 1e-9 then
      out[#out + 1] = ('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#e4e4e4"/>'):format(L, L + pw, y(v), y(v))
    end
    out[#out + 1] = ('<text x="%d" y="%.1f" font-size="11" text-anchor="end">%.2f</text>'):format(L - 6, y(v) + 4, v)
  end
  out[#out + 1] = ('<text x="%d" y="%d" font-size="12" text-anchor="middle">outcome accuracy</text>'):format(L + pw // 2, H - 10)
  out[#out + 1] = ('<text x="14" y="%d" font-size="12" text-anchor="middle" transform="rotate(-90 14 %d)">rationale consistency</text>'):format(T + ph // 2, T + ph // 2)
  -- Labels: each tries eight spots around its point and takes the first that overlaps no label
  -- placed before it, no other point and stays in the plot; a label with no free spot is left
  -- out (the legend names every point).
  local placed, dots = {}, {}
  for _, p in ipairs(points) do
    if isnum(p.oa) and isnum(p.rc) then dots[#dots + 1] = {x(p.oa), y(p.rc)} end
  end
  local function free(bx)
    if bx[1] < L + 2 or bx[3] > L + pw - 2 or bx[2] < T + 2 or bx[4] > T + ph - 2 then return false end
    for _, o in ipairs(placed) do
      if bx[1] < o[3] and o[1] < bx[3] and bx[2] < o[4] and o[2] < bx[4] then return false end
    end
    for _, d in ipairs(dots) do
      if d[1] + 6 > bx[1] and d[1] - 6 < bx[3] and d[2] + 6 > bx[2] and d[2] - 6 < bx[4] then return false end
    end
    return true
  end
  local function label_spot(px, py, name)
    local w, h = 7 * math.min(utf8.len(name) or #name, 40) + 4, 14
    local spots = {{8, -8 - h}, {8, 6}, {-8 - w, -8 - h}, {-8 - w, 6}, {-w / 2, -10 - h}, {-w / 2, 10},
                   {10, -h / 2}, {-10 - w, -h / 2}}
    for _, sp in ipairs(spots) do
      local bx = {px + sp[1], py + sp[2], px + sp[1] + w, py + sp[2] + h}
      if free(bx) then placed[#placed + 1] = bx return bx end
    end
    return nil
  end
  local k = 0
  for i, p in ipairs(points) do
    local c = esc(p.color or M.color(i))
    if isnum(p.oa) and isnum(p.rc) then
      k = k + 1
      local tip = ("%s: OA %s, RC %s"):format(tostring(p.name), M.with_ci(p.oa, p.oa_ci), M.with_ci(p.rc, p.rc_ci))
      out[#out + 1] = ('<g class="point" data-judge="%s"><title>%s</title>'):format(esc(p.name), esc(tip))
      if p.oa_ci then
        local yy = y(p.rc)
        out[#out + 1] = ('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s"/>'):format(x(p.oa_ci.lo), x(p.oa_ci.hi), yy, yy, c)
        for _, v in ipairs({p.oa_ci.lo, p.oa_ci.hi}) do
          out[#out + 1] = ('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s"/>'):format(x(v), x(v), yy - 4, yy + 4, c)
        end
      end
      if p.rc_ci then
        local xx = x(p.oa)
        out[#out + 1] = ('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s"/>'):format(xx, xx, y(p.rc_ci.lo), y(p.rc_ci.hi), c)
        for _, v in ipairs({p.rc_ci.lo, p.rc_ci.hi}) do
          out[#out + 1] = ('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s"/>'):format(xx - 4, xx + 4, y(v), y(v), c)
        end
      end
      out[#out + 1] = ('<circle cx="%.1f" cy="%.1f" r="5" fill="%s"/>'):format(x(p.oa), y(p.rc), c)
      local name = tostring(p.name)
      local bx = label_spot(x(p.oa), y(p.rc), name)
      if bx then
        out[#out + 1] = ('<text class="label" x="%.1f" y="%.1f" font-size="12" fill="%s">%s</text>'):format(bx[1] + 2, bx[4] - 3, c, esc(name))
      end
      out[#out + 1] = "</g>"
      -- the legend, to the right of the plot, in as many columns as it needs
      local per_col = math.max(1, (H - T - 10) // 18)
      local col, row = (k - 1) // per_col, (k - 1) % per_col
      local lx = L + pw + 18 + col * (R - 10)
      if lx < W then
        out[#out + 1] = ('<g class="legend"><circle cx="%d" cy="%d" r="5" fill="%s"/><text x="%d" y="%d" font-size="12">%s</text></g>'):format(
          lx, T + 10 + row * 18, c, lx + 10, T + 14 + row * 18, esc(name))
      end
    end
  end
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n")
end

-- bars_svg{cells = {{group=, series=, value=, ci={lo,hi}}...}, label=, groups=, series=, colors=}
-- -> svg text: grouped bars on a 0..1 axis (one group per domain, one bar per judge), with CI
-- whiskers. groups/series default to their order of first appearance in cells; colors maps a
-- series name to a colour.
function M.bars_svg(spec)
  local cells = spec.cells or {}
  local groups, series = spec.groups, spec.series
  if not groups or not series then
    local gs, ss, gseen, sseen = {}, {}, {}, {}
    for _, c in ipairs(cells) do
      local g, s = tostring(c.group), tostring(c.series)
      if not gseen[g] then gseen[g] = true gs[#gs + 1] = g end
      if not sseen[s] then sseen[s] = true ss[#ss + 1] = s end
    end
    groups, series = groups or gs, series or ss
  end
  local at = {}
  for _, c in ipairs(cells) do at[tostring(c.group) .. "\0" .. tostring(c.series)] = c end
  local colors = spec.colors or {}
  local bw = #series > 6 and 10 or 18
  local gap = 24
  local L, T, B = 48, 28, 40
  local gw = #series * bw + gap
  local legend_w = 8 * #tostring(spec.label or "") + 24
  for _, s in ipairs(series) do legend_w = legend_w + 24 + 7 * math.min(utf8.len(s) or #s, 60) end
  local W = math.max(360, L + #groups * gw + 12, math.min(L + legend_w + 8, 640))
  -- The legend: one entry per series, wrapped into as many rows as the width needs.
  local legend, lx0, ly = {}, L + 8 * #tostring(spec.label or "") + 24, 0
  local lx = lx0
  for si, s in ipairs(series) do
    local w = 24 + 7 * math.min(utf8.len(s) or #s, 60)
    if lx + w > W - 8 and lx > lx0 then lx, ly = L, ly + 1 end
    legend[si] = {lx, ly}
    lx = lx + w
  end
  T = T + ly * 16
  local H = (spec.height or 240) + ly * 16
  local ph = H - T - B
  local function y(v) return T + (1 - clamp01(v)) * ph end
  local out = {('<svg class="bars" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s by group">'):format(W, H, W, H, esc(spec.label or "value"))}
  for i = 0, 4 do
    local v = i / 4
    out[#out + 1] = ('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s"/>'):format(L, W - 8, y(v), y(v), i == 0 and "#999" or "#e4e4e4")
    out[#out + 1] = ('<text x="%d" y="%.1f" font-size="11" text-anchor="end">%.2f</text>'):format(L - 6, y(v) + 4, v)
  end
  out[#out + 1] = ('<text x="%d" y="14" font-size="12" font-weight="bold">%s</text>'):format(L, esc(spec.label or ""))
  -- legend on the top line, after the label
  for si, s in ipairs(series) do
    local c = esc(colors[s] or M.color(si))
    local at = legend[si]
    out[#out + 1] = ('<g class="legend"><rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d" font-size="12">%s</text></g>'):format(
      at[1], 5 + at[2] * 16, c, at[1] + 14, 14 + at[2] * 16, esc(s))
  end
  for gi, g in ipairs(groups) do
    local gx = L + 12 + (gi - 1) * gw
    out[#out + 1] = ('<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>'):format(gx + #series * bw / 2, H - B + 16, esc(g))
    for si, s in ipairs(series) do
      local c = at[g .. "\0" .. s]
      local color = esc(colors[s] or M.color(si))
      local bx = gx + (si - 1) * bw
      if c and isnum(c.value) then
        local tip = ("%s, %s: %s"):format(s, g, M.with_ci(c.value, c.ci))
        out[#out + 1] = ('<g class="bar" data-group="%s" data-series="%s"><title>%s</title>'):format(esc(g), esc(s), esc(tip))
        out[#out + 1] = ('<rect x="%.1f" y="%.1f" width="%d" height="%.1f" fill="%s" fill-opacity="0.8"/>'):format(
          bx, y(c.value), bw - 2, math.max(0, y(0) - y(c.value)), color)
        if c.ci and isnum(c.ci.lo) and isnum(c.ci.hi) then
          local cx = bx + (bw - 2) / 2
          out[#out + 1] = ('<path d="M%.1f %.1fV%.1fM%.1f %.1fh6M%.1f %.1fh6" stroke="#222" fill="none"/>'):format(
            cx, y(c.ci.lo), y(c.ci.hi), cx - 3, y(c.ci.lo), cx - 3, y(c.ci.hi))
        end
        out[#out + 1] = "</g>"
      else
        out[#out + 1] = ('<text x="%.1f" y="%.1f" font-size="9" text-anchor="middle" fill="#999">n/a</text>'):format(bx + bw / 2, y(0) - 3)
      end
    end
  end
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n")
end

-- ---- per-domain numbers and alignments ---------------------------------------------------------

local function render_context(ctx)
  if type(ctx) == "string" then return ctx end
  if type(ctx) ~= "table" then return nil end
  local parts = {}
  for _, turn in ipairs(ctx) do
    if type(turn) == "table" then
      parts[#parts + 1] = ("[%s]\n%s"):format(text_of(turn.role) or "?", text_of(turn.content) or "")
    else
      parts[#parts + 1] = text_of(turn) or ""
    end
  end
  return table.concat(parts, "\n\n")
end

-- alignment(item, judge, result [, {top_k=5, index=}]) -> one entry of page.alignments
-- item: the dataset row; result: what ratio.metajudge.evaluate returned for it (status, reply,
-- pairs, recall, ...). The entry holds the item's id, domain, prompt, responses and human
-- rationales, the judge's reasons, verdict and full reply (<judge>-generated_text), the MetaJudge
-- reply and the matched pairs the metric kernel returned (result.pairs: {r, s, score, counted}).
function M.alignment(item, judge, result, opts)
  opts = opts or {}
  result = result or {}
  local dataset = require "ratio.dataset"
  local ck = dataset.key_of(item, judge, "checklist")
  local gk = dataset.key_of(item, judge, "generated_text")
  local lk = dataset.key_of(item, judge, "label")
  local human = strings_of(item["human-checklist"])
  local model = strings_of(ck and item[ck])
  local top_k = opts.top_k or 5
  local label = result.label or (lk and text_of(item[lk]))
  local outcome = result.outcome
  if outcome == nil and result.label == nil then outcome = dataset.outcome(label, item.overall_preference) end
  return {
    id = text_of(item.id), index = opts.index, domain = text_of(item.domain), judge = judge,
    status = result.status, reason = result.reason, error = text_of(result.error),
    label = label, outcome = outcome, overall_preference = item.overall_preference,
    recall = result.recall, precision = result.precision, f1 = result.f1, ap = result.ap,
    human = human, model = model, top_k = top_k,
    pairs = result.pairs or {},
    judge_text = gk and text_of(item[gk]) or nil, reply = text_of(result.reply),
    matcher = type(result.matcher) == "string" and result.matcher or nil,
    context = render_context(item.context), response1 = text_of(item.response1),
    response2 = text_of(item.response2),
  }
end

-- The viewer cards embedded in report.html; beyond them the page says so and, served over HTTP
-- (ratio view), loads the rest from alignments.jsonl. Keeps report.html a few MB at most.
M.ALIGNMENT_LIMIT = 200

-- ---- the page ----------------------------------------------------------------------------------

local CSS = [[
body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.4}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ci{display:block;color:#666;font-size:.78rem;white-space:nowrap}
.wide{overflow-x:auto}.summary th{font-size:.9rem}.wide td:first-child{white-space:nowrap}.note{color:#555}
@media (max-width:64rem){.summary td,.summary th{padding:.25rem .35rem}.summary .ci{white-space:normal}.summary th{font-size:.8rem}}
svg.scatter,svg.bars{max-width:100%;height:auto}
header.run{color:#444;font-size:.9rem;margin:-.5rem 0 1rem}header.run span{margin-right:1.2rem;display:inline-block}
nav a{margin-right:1rem}figure{margin:1rem 0}figcaption{color:#555;font-size:.9rem}
.charts{display:flex;flex-wrap:wrap;gap:1rem}
[hidden]{display:none!important}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:.5rem;margin:.3rem 0;font-size:.85rem}
#filter{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #ddd;z-index:1}
#filter label{margin-right:.8rem}#shown{color:#555}
.item{border:1px solid #ccc;border-radius:4px;margin:1rem 0;padding:.5rem 1rem}
.item h3{margin:.2rem 0;font-size:1.05rem}.dom{color:#555;font-weight:normal}
.aj{border-left:4px solid var(--c,#999);padding-left:.8rem;margin:.8rem 0}
.aj h4{margin:.2rem 0;font-size:.95rem}.st{font-weight:normal;color:#555}
.ok{color:#1a7f37}.bad{color:#c62828}
table.align{width:100%;table-layout:fixed}table.align th:nth-child(1){width:2.2rem}table.align th:nth-child(3){width:3.5rem}table.align td:first-child{color:#555}
.sc{text-align:center;font-variant-numeric:tabular-nums;white-space:nowrap}
.s0{background:#f2f2f2;color:#888}.s25{background:#e6f2e6}.s50{background:#c9e6c9}.s75{background:#a5d6a5}.s100{background:#7cc47c}
tr.unmatched td:last-child{color:#a33}tr.uncounted td:last-child{color:#888}
.resp{display:grid;grid-template-columns:1fr 1fr;gap:.5rem}
]]

-- The viewer's filter: judge / domain / status / outcome selects, "RC at most" and "id contains"
-- boxes; the URL query (?judge=skimmer&outcome=correct&rc_max=0.2&id=code) sets them, so a
-- filtered view can be shared.
-- It reads only data-* attributes and writes only textContent and hidden: no markup is built.
local SCRIPT = [=[
(function () {
  "use strict";
  var form = document.getElementById("filter"), viewer = document.getElementById("viewer");
  if (!form || !viewer) return;
  var keys = ["judge", "domain", "status", "outcome"];
  var q = new URLSearchParams(window.location.search);
  keys.forEach(function (k) {
    var v = q.get(k), sel = form.elements[k];
    if (v === null || !sel) return;
    var known = Array.prototype.some.call(sel.options, function (o) { return o.value === v; });
    if (!known) sel.add(new Option(v, v));
    sel.value = v;
  });
  ["rc_max", "id"].forEach(function (k) { if (q.get(k) !== null) form.elements[k].value = q.get(k); });
  function apply() {
    var f = {};
    keys.forEach(function (k) { f[k] = form.elements[k].value; });
    var rcMax = parseFloat(form.elements.rc_max.value), idPart = form.elements.id.value;
    var items = viewer.querySelectorAll(".item"), shownItems = 0, shownBlocks = 0;
    for (var i = 0; i < items.length; i++) {
      var item = items[i], n = 0;
      var domainOk = (!f.domain || item.getAttribute("data-domain") === f.domain) &&
        (!idPart || item.getAttribute("data-id").indexOf(idPart) >= 0);
      var blocks = item.querySelectorAll(".aj");
      for (var j = 0; j < blocks.length; j++) {
        var b = blocks[j], rc = b.getAttribute("data-rc");
        var ok = domainOk &&
          (!f.judge || b.getAttribute("data-judge") === f.judge) &&
          (!f.status || b.getAttribute("data-status") === f.status) &&
          (!f.outcome || b.getAttribute("data-outcome") === f.outcome) &&
          (isNaN(rcMax) || (rc !== "" && parseFloat(rc) <= rcMax));
        b.hidden = !ok;
        if (ok) n++;
      }
      item.hidden = n === 0;
      if (n > 0) { shownItems++; shownBlocks += n; }
    }
    viewer.setAttribute("data-shown-items", String(shownItems));
    viewer.setAttribute("data-shown-blocks", String(shownBlocks));
    document.getElementById("shown").textContent =
      shownItems + " of " + items.length + " items shown (" + shownBlocks + " judge blocks)";
  }
  function remember() {
    var p = new URLSearchParams();
    keys.forEach(function (k) { if (form.elements[k].value) p.set(k, form.elements[k].value); });
    ["rc_max", "id"].forEach(function (k) { if (form.elements[k].value !== "") p.set(k, form.elements[k].value); });
    try { history.replaceState(null, "", "?" + p.toString() + window.location.hash); } catch (e) { /* file: URLs may refuse */ }
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", function () { apply(); remember(); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(function () { apply(); remember(); }, 0); });
  apply();
  var filtered = keys.concat(["rc_max", "id"]).some(function (k) { return q.get(k) !== null; });
  // A filtered URL opens at the viewer, not at the top of the page.
  function toViewer() {
    if (filtered && !window.location.hash) document.getElementById("alignments").scrollIntoView();
  }
  toViewer();

  // Cards beyond the embedded ones: fetched from alignments.jsonl when served over HTTP. Built
  // with createElement and textContent only, as the embedded cards are escaped by the server.
  var total = parseInt(viewer.getAttribute("data-items"), 10);
  var want = parseInt(viewer.getAttribute("data-total"), 10);
  var colors = {};
  (viewer.getAttribute("data-colors") || "").split("\t").forEach(function (kv) {
    var i = kv.lastIndexOf("=");
    if (i > 0) colors[kv.slice(0, i)] = kv.slice(i + 1);
  });
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function num(x) { return typeof x === "number" ? x.toFixed(3) : "-"; }
  function scoreClass(v) { return typeof v === "number" ? "s" + Math.round(Math.max(0, Math.min(1, v)) * 4) * 25 : "s0"; }
  function judgeBlock(e) {
    var rc = typeof e.recall === "number" ? e.recall.toFixed(6) : "";
    var b = el("div", {"class": "aj", "data-judge": e.judge || "?", "data-status": e.status || "none",
      "data-outcome": e.outcome || "none", "data-rc": rc, style: "--c:" + (colors[e.judge] || "#999")});
    var h = el("h4", {}, (e.judge || "?") + " ");
    var oc = e.outcome === "correct" ? "correct" : e.outcome === "wrong" ? "wrong" : e.outcome === "tie" ? "human tie" : "no outcome";
    h.appendChild(el("span", {"class": "st"}, "· " + (e.label ? "verdict " + e.label : "no verdict") + " · " + oc +
      " · RC " + num(e.recall) + " · precision " + num(e.precision) + " · AP " + num(e.ap) + " · status " +
      (e.status || "none") + (e.reason && e.reason !== "ok" ? " (" + e.reason + ")" : "")));
    b.appendChild(h);
    if (e.error) b.appendChild(el("p", {"class": "bad"}, e.error));
    var human = e.human || [], model = e.model || [], byR = {}, byS = {};
    (e.pairs || []).forEach(function (p) { byR[p.r] = p; byS[p.s] = true; });
    var counted = e.top_k > 0 ? Math.min(model.length, e.top_k) : model.length;
    if (human.length || model.length) {
      var t = el("table", {"class": "align"}), tr = el("tr");
      ["", "human rationale", "score", "the judge's reason"].forEach(function (x) { tr.appendChild(el("th", {}, x)); });
      t.appendChild(tr);
      human.forEach(function (text, i) {
        var p = byR[i + 1], row = el("tr");
        row.appendChild(el("td", {}, "R" + (i + 1)));
        row.appendChild(el("td", {}, text));
        row.appendChild(el("td", {"class": "sc " + scoreClass(p && p.score)}, p ? String(p.score) : "0"));
        var right = el("td");
        if (p) {
          right.textContent = "S" + p.s + ". " + (model[p.s - 1] || "?");
          if (p.counted === false) right.appendChild(el("span", {"class": "note"}, " (beyond the top " + counted + ": not counted)"));
        } else right.appendChild(el("span", {"class": "note"}, "no matching reason"));
        row.appendChild(right);
        t.appendChild(row);
      });
      model.forEach(function (text, j) {
        if (byS[j + 1]) return;
        var beyond = j + 1 > counted, row = el("tr", {"class": beyond ? "uncounted" : "unmatched"});
        row.appendChild(el("td"));
        row.appendChild(el("td", {"class": "note"}, "—"));
        row.appendChild(el("td"));
        var right = el("td", {}, "S" + (j + 1) + ". " + text + " ");
        right.appendChild(el("span", {"class": "note"}, "(" + (beyond ? "beyond the top " + counted + ": not counted" : "matches no human rationale") + ")"));
        row.appendChild(right);
        t.appendChild(row);
      });
      b.appendChild(t);
    }
    function details(summary, text) {
      var d = el("details"); d.appendChild(el("summary", {}, summary)); d.appendChild(el("pre", {}, text)); b.appendChild(d);
    }
    if (e.judge_text) details("the judge's full reply", e.judge_text);
    if (e.reply) details(e.matcher && e.matcher !== "llm" ? "the score block the " + e.matcher +
      " matcher computed (no MetaJudge was asked)" : "the MetaJudge reply", e.reply);
    return b;
  }
  function card(c, n) {
    var a = el("article", {"class": "item", id: "item-" + n, "data-domain": c.domain || "", "data-id": c.id || ""});
    var h = el("h3", {}, (c.id || "item " + n) + " ");
    h.appendChild(el("span", {"class": "dom"}, c.domain || ""));
    a.appendChild(h);
    if (c.preference) a.appendChild(el("p", {"class": "note"}, c.preference));
    if (c.context || c.response1 || c.response2) {
      var d = el("details");
      d.appendChild(el("summary", {}, "prompt and responses"));
      if (c.context) d.appendChild(el("pre", {}, c.context));
      var r = el("div", {"class": "resp"});
      [["Response 1 (A)", c.response1], ["Response 2 (B)", c.response2]].forEach(function (x) {
        var box = el("div"); box.appendChild(el("b", {}, x[0])); box.appendChild(el("pre", {}, x[1] || "")); r.appendChild(box);
      });
      d.appendChild(r);
      a.appendChild(d);
    }
    (c.judges || []).forEach(function (e) { a.appendChild(judgeBlock(e)); });
    return a;
  }
  var loading = false;
  function loadMore() {
    if (loading || total >= want) return;
    loading = true;
    var note = document.getElementById("more");
    fetch("alignments.jsonl").then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.text();
    }).then(function (text) {
      var lines = text.split("\n"), n = 0;
      for (var i = total; i < lines.length; i++) {
        if (!lines[i]) continue;
        viewer.appendChild(card(JSON.parse(lines[i]), i + 1));
        n++;
      }
      total += n;
      viewer.setAttribute("data-items", String(total));
      viewer.setAttribute("data-loaded", String(n));
      if (note) note.textContent = "All " + total + " items are shown (the first ones embedded in this page, the rest loaded from alignments.jsonl).";
      apply();
      toViewer();
    }).catch(function (err) {
      viewer.setAttribute("data-load-error", String(err));
      if (note) note.appendChild(el("span", {"class": "bad"}, " Could not load alignments.jsonl (" + err + "): open the page through ratio view."));
    });
  }
  var button = document.getElementById("load-more");
  if (button) button.addEventListener("click", loadMore);
  // Served (not a file:): a filtered URL should filter every item, so load them at once.
  if (total < want && /^https?:$/.test(window.location.protocol) && (filtered || q.get("all") !== null)) loadMore();
})();
]=]

local function score_class(v)
  if not isnum(v) then return "s0" end
  return "s" .. math.floor(clamp01(v) * 4 + 0.5) * 25
end

local function outcome_name(e)
  if e.outcome == true then return "correct" end
  if e.outcome == false then return "wrong" end
  if e.label and e.overall_preference == 0 then return "tie" end
  return "none"
end

local function preference_text(pref)
  if not isnum(pref) then return nil end
  if pref < 0 then return ("humans prefer Response 1 (A), overall_preference %s"):format(tostring(pref)) end
  if pref > 0 then return ("humans prefer Response 2 (B), overall_preference %s"):format(tostring(pref)) end
  return "humans call it a tie (overall_preference 0): not counted in outcome accuracy"
end

local function options(name, label, values)
  local out = {('<label>%s <select name="%s"><option value="">all</option>'):format(esc(label), name)}
  for _, v in ipairs(values) do out[#out + 1] = ('<option value="%s">%s</option>'):format(esc(v), esc(v)) end
  out[#out + 1] = "</select></label>"
  return table.concat(out)
end

local function distinct(list, field)
  local out, seen = {}, {}
  for _, e in ipairs(list) do
    local v = field(e)
    if v ~= nil and not seen[v] then seen[v] = true out[#out + 1] = v end
  end
  return out
end

-- One judge's block inside an item card.
local function judge_block(out, e, color)
  local oc = outcome_name(e)
  local rc = isnum(e.recall) and ("%.6f"):format(e.recall) or ""
  out[#out + 1] = ('<div class="aj" data-judge="%s" data-status="%s" data-outcome="%s" data-rc="%s" style="--c:%s">'):format(
    esc(e.judge or "?"), esc(e.status or "none"), oc, rc, esc(color or "#999"))
  local verdict = e.label and ("verdict %s"):format(e.label) or "no verdict"
  local oc_html = oc == "correct" and '<span class="ok">correct</span>' or oc == "wrong" and '<span class="bad">wrong</span>'
    or esc(oc == "tie" and "human tie" or "no outcome")
  out[#out + 1] = ('<h4>%s <span class="st">· %s · %s · RC %s · precision %s · AP %s · status %s%s</span></h4>'):format(
    esc(e.judge or "?"), esc(verdict), oc_html, M.num(e.recall), M.num(e.precision), M.num(e.ap),
    esc(e.status or "none"), e.reason and e.reason ~= "ok" and (" (" .. esc(e.reason) .. ")") or "")
  if e.error then out[#out + 1] = ('<p class="bad">%s</p>'):format(esc(e.error)) end
  local human, model = e.human or {}, e.model or {}
  local by_r, by_s = {}, {}
  for _, pr in ipairs(e.pairs or {}) do
    by_r[pr.r] = pr
    by_s[pr.s] = by_s[pr.s] or {}
    by_s[pr.s][#by_s[pr.s] + 1] = pr
  end
  local n_counted = (e.top_k or 0) > 0 and math.min(#model, e.top_k) or #model
  if #human > 0 or #model > 0 then
    -- Human rationales on the left, the judge's reason matched to each on the right, then the
    -- judge's reasons that match nothing: both lists side by side in one table.
    out[#out + 1] = '<table class="align"><tr><th></th><th>human rationale</th><th>score</th><th>the judge\'s reason</th></tr>'
    for i, h in ipairs(human) do
      local pr = by_r[i]
      local right
      if pr then
        right = ("S%d. %s%s"):format(pr.s, esc(model[pr.s] or "?"),
          pr.counted == false and (' <span class="note">(beyond the top %d: not counted)</span>'):format(n_counted) or "")
      else
        right = '<span class="note">no matching reason</span>'
      end
      out[#out + 1] = ('<tr><td>R%d</td><td>%s</td><td class="sc %s">%s</td><td>%s</td></tr>'):format(
        i, esc(h), score_class(pr and pr.score), pr and ("%g"):format(pr.score) or "0", right)
    end
    for j, s in ipairs(model) do
      if not by_s[j] then
        local why = j > n_counted and ("beyond the top %d: not counted"):format(n_counted) or "matches no human rationale"
        out[#out + 1] = ('<tr class="%s"><td></td><td class="note">—</td><td></td><td>S%d. %s <span class="note">(%s)</span></td></tr>'):format(
          j > n_counted and "uncounted" or "unmatched", j, esc(s), why)
      end
    end
    out[#out + 1] = "</table>"
  end
  if e.judge_text then
    out[#out + 1] = ("<details><summary>the judge's full reply</summary><pre>%s</pre></details>"):format(esc(e.judge_text))
  end
  if e.reply then
    -- Only an LLM matcher's block is a reply; lexical and embedding blocks are computed here.
    local what = (e.matcher and e.matcher ~= "llm")
      and ("the score block the %s matcher computed (no MetaJudge was asked)"):format(esc(e.matcher))
      or "the MetaJudge reply"
    out[#out + 1] = ('<details class="reply"><summary>%s</summary><pre>%s</pre></details>'):format(what, esc(e.reply))
  end
  out[#out + 1] = "</div>"
end

-- One card per item (alignments of the same id share it), judges inside, in the given order.
local function cards_of(alignments)
  local cards, by_key = {}, {}
  for i, e in ipairs(alignments) do
    local key = e.id and ("id:" .. e.id) or ("n:" .. tostring(e.index or i))
    local card = by_key[key]
    if not card then
      card = {first = e, list = {}}
      by_key[key] = card
      cards[#cards + 1] = card
    end
    card.list[#card.list + 1] = e
  end
  return cards
end

-- alignments_jsonl(page) -> the text of alignments.jsonl: one line per viewer card, in order:
-- {id, domain, overall_preference, context, response1, response2, judges = {alignment...}}.
-- The viewer loads the cards beyond the ones embedded from it when the page is served over HTTP.
function M.alignments_jsonl(alignments)
  local lines = {}
  for _, card in ipairs(cards_of(alignments)) do
    local f = card.first
    local judges = {}
    for i, e in ipairs(card.list) do
      judges[i] = {judge = e.judge, status = e.status, reason = e.reason, error = e.error, label = e.label,
                   outcome = outcome_name(e), recall = e.recall, precision = e.precision, ap = e.ap,
                   human = e.human, model = e.model, top_k = e.top_k, pairs = e.pairs,
                   judge_text = e.judge_text, reply = e.reply, matcher = e.matcher}
    end
    lines[#lines + 1] = assert(json.encode({id = f.id, domain = f.domain, overall_preference = f.overall_preference,
      preference = preference_text(f.overall_preference), context = f.context,
      response1 = f.response1, response2 = f.response2, judges = judges}))
  end
  return table.concat(lines, "\n") .. (#lines > 0 and "\n" or "")
end

local function viewer(out, alignments, colors, limit)
  local cards = cards_of(alignments)
  local judges = distinct(alignments, function(e) return e.judge end)
  local domains = distinct(alignments, function(e) return e.domain end)
  local statuses = distinct(alignments, function(e) return e.status or "none" end)
  local outcomes = distinct(alignments, outcome_name)
  out[#out + 1] = '<section id="alignments"><h2>Alignment viewer</h2>'
  out[#out + 1] = '<p class="note">For each item: the human rationales, the judge reason each was matched with and the match score (0 to 1), the judge\'s reasons that match nothing, and the raw replies. Filters can be set in the URL too, e.g. <code>?judge=NAME&amp;outcome=correct&amp;rc_max=0.2</code> lists items a judge got right for the wrong reasons, <code>?id=code-007</code> shows one item.</p>'
  out[#out + 1] = '<form id="filter">' .. options("judge", "judge", judges) .. options("domain", "domain", domains)
    .. options("status", "status", statuses) .. options("outcome", "outcome", outcomes)
    .. '<label>RC at most <input name="rc_max" type="number" min="0" max="1" step="0.05" size="5"></label>'
    .. '<label>id contains <input name="id" type="text" size="10"></label>'
    .. '<button type="reset">show all</button> <span id="shown"></span></form>'
  out[#out + 1] = "<noscript><p>Without JavaScript the filter does nothing; every item is shown.</p></noscript>"
  if #cards > limit then
    out[#out + 1] = ('<p class="note" id="more">This page holds the first %d of %d items, to stay small. Served by <code>ratio view</code>, it loads the other %d from alignments.jsonl beside it when you press <button type="button" id="load-more">load all %d items</button> (or when a filter is set in the URL); opened as a file, browsers do not let a page read files beside it, so run <code>ratio view</code> (items.jsonl holds every item\'s numbers).</p>'):format(
      limit, #cards, #cards - limit, #cards)
  end
  local colors_attr = {}
  for name, c in pairs(colors) do colors_attr[#colors_attr + 1] = {name, c} end
  table.sort(colors_attr, function(a, b) return a[1] < b[1] end)
  for i, nc in ipairs(colors_attr) do colors_attr[i] = esc(nc[1]) .. "=" .. esc(nc[2]) end
  out[#out + 1] = ('<div id="viewer" data-items="%d" data-total="%d" data-colors="%s">'):format(
    math.min(#cards, limit), #cards, table.concat(colors_attr, "\t"))
  for ci = 1, math.min(#cards, limit) do
    local card, f = cards[ci], cards[ci].first
    out[#out + 1] = ('<article class="item" id="item-%d" data-domain="%s" data-id="%s">'):format(ci, esc(f.domain or ""), esc(f.id or ""))
    out[#out + 1] = ('<h3>%s <span class="dom">%s</span></h3>'):format(esc(f.id or ("item " .. ci)), esc(f.domain or ""))
    local pref = preference_text(f.overall_preference)
    if pref then out[#out + 1] = ('<p class="note">%s</p>'):format(esc(pref)) end
    if f.context or f.response1 or f.response2 then
      out[#out + 1] = "<details><summary>prompt and responses</summary>"
      if f.context then out[#out + 1] = ("<pre>%s</pre>"):format(esc(f.context)) end
      out[#out + 1] = ('<div class="resp"><div><b>Response 1 (A)</b><pre>%s</pre></div><div><b>Response 2 (B)</b><pre>%s</pre></div></div></details>'):format(
        esc(f.response1 or ""), esc(f.response2 or ""))
    end
    for _, e in ipairs(card.list) do judge_block(out, e, colors[e.judge]) end
    out[#out + 1] = "</article>"
  end
  out[#out + 1] = "</div></section>"
end

-- A cell "0.412 [0.351, 0.470]" shows its interval on a second, smaller line, so a table of
-- metrics with CIs fits a narrow window.
local function cell_html(c)
  local v, ci = tostring(c):match("^(%S+) (%[[^%]]+%])$")
  if v then return esc(v) .. '<span class="ci">' .. esc(ci) .. "</span>" end
  return esc(c)
end

local function html_table(out, header, rows, numeric_from)
  out[#out + 1] = '<div class="wide summary"><table><tr>'
  for _, h in ipairs(header) do out[#out + 1] = "<th>" .. esc(h) .. "</th>" end
  out[#out + 1] = "</tr>"
  for _, r in ipairs(rows or {}) do
    out[#out + 1] = "<tr>"
    for i, c in ipairs(r) do out[#out + 1] = (i >= (numeric_from or 2) and '<td class="n">' or "<td>") .. cell_html(c) .. "</td>" end
    out[#out + 1] = "</tr>"
  end
  out[#out + 1] = "</table></div>"
end

-- The summary table built from page.judges when a recipe gives none of its own.
local function judges_table(heads)
  local header = {"judge"}
  local present = {}
  for _, m in ipairs(METRICS) do
    for _, h in ipairs(heads) do if h[m.key] then present[m.key] = true end end
    if present[m.key] then header[#header + 1] = m.label end
  end
  for _, c in ipairs({"valid", "unscored", "failed", "skipped"}) do header[#header + 1] = c end
  local rows = {}
  for _, h in ipairs(heads) do
    local r = {h.name}
    for _, m in ipairs(METRICS) do
      if present[m.key] then r[#r + 1] = M.with_ci(h[m.key], h[m.key .. "_ci"]) end
    end
    for _, c in ipairs({"valid", "unscored", "failed"}) do r[#r + 1] = h[c] and tostring(h[c]) or "-" end
    r[#r + 1] = (h.skipped or h.error) and tostring((h.skipped or 0) + (h.error or 0)) or "-"
    rows[#rows + 1] = r
  end
  return header, rows
end

-- The models this run called, with their role (from the manifest's *_model facts), calls,
-- tokens and cost: ratio.llm.usage() as it stands when the page is written.
local ROLES = {metajudge_model = "MetaJudge", judge_model = "judge", audit_model = "auditor",
               decompose_model = "decomposer", embed_model = "embeddings"}
local function usage_header(page)
  local usage = page.usage
  if usage == nil then
    local llm = package.loaded["ratio.llm"]
    usage = type(llm) == "table" and llm.usage and llm.usage() or nil
  end
  if type(usage) ~= "table" or next(usage) == nil then return nil end
  local st = require "ratio.state"
  local role_of, model_of = {}, {}
  for key, role in pairs(ROLES) do
    local m = st.manifest[key]
    if type(m) == "string" then role_of[m] = role end
  end
  for _, m in ipairs(type(st.manifest.models) == "table" and st.manifest.models or {}) do
    if type(m) == "table" and m.name then model_of[m.name] = m.model end
  end
  local names = {}
  for name in pairs(usage) do names[#names + 1] = name end
  table.sort(names)
  local parts = {}
  for _, name in ipairs(names) do
    local u = usage[name]
    local model = model_of[name] or name
    local role = role_of[model] or role_of[name] or "model"
    local bits = {("%s <b>%s</b>"):format(esc(role), esc(model))}
    if math.type(u.calls) == "integer" then
      bits[#bits + 1] = ("%d calls%s"):format(u.calls, (u.cached or 0) > 0 and (" (%d from the cache)"):format(u.cached) or "")
    end
    if (u.failed or 0) > 0 then bits[#bits + 1] = ('<span class="bad">%d failed</span>'):format(u.failed) end
    if (u.retries or 0) > 0 then bits[#bits + 1] = ("%d retries"):format(u.retries) end
    if isnum(u.input_tokens) then
      bits[#bits + 1] = ("%s tokens in, %s out"):format(esc(("%d"):format(u.input_tokens)), esc(("%d"):format(u.output_tokens or 0)))
    end
    if isnum(u.cost_usd) then bits[#bits + 1] = ("$%.4f"):format(u.cost_usd)
    else bits[#bits + 1] = "cost unknown (no price for this model)" end
    parts[#parts + 1] = "<span>" .. table.concat(bits, ", ") .. "</span>"
  end
  return '<header class="run">' .. table.concat(parts) .. "</header>"
end

local function color_map(page)
  local colors, n = {}, 0
  local function add(name)
    if name and not colors[name] then
      n = n + 1
      colors[name] = M.color(n)
    end
  end
  for _, e in ipairs(page.judges or {}) do
    local h = M.headline(e)
    if h.color then colors[h.name] = h.color n = n + 1 else add(h.name) end
  end
  for _, e in ipairs(page.domains or {}) do add(M.headline(e).name) end
  for _, e in ipairs(page.alignments or {}) do add(e.judge) end
  return colors
end

-- html(page) -> a self-contained page. page: title, intro, header + rows (a table of strings),
-- notes, svg (trusted markup, e.g. scatter_svg), judges, domains, domain_metrics ({"rc", "oa"}),
-- alignments, alignment_limit (M.ALIGNMENT_LIMIT items embedded; the rest load from alignments.jsonl), sections ({{title=, text=, pre=, header=, rows=, svg=}}).
function M.html(page)
  local colors = color_map(page)
  local heads = {}
  for _, e in ipairs(page.judges or {}) do heads[#heads + 1] = M.headline(e) end
  local out = {"<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>" .. esc(page.title or "ratio run") .. "</title>", "<style>" .. CSS .. "</style>",
    "</head><body>", "<h1>" .. esc(page.title or "ratio run") .. "</h1>"}
  local usage_html = usage_header(page)
  if usage_html then out[#out + 1] = usage_html end
  local nav = {}
  local has_scatter = page.svg ~= nil
  for _, h in ipairs(heads) do if h.oa and h.rc then has_scatter = true end end
  local has_domains = page.domains and #page.domains > 0
  local has_viewer = page.alignments and #page.alignments > 0
  if has_scatter then nav[#nav + 1] = '<a href="#scatter">OA against RC</a>' end
  if has_domains then nav[#nav + 1] = '<a href="#domains">by domain</a>' end
  for i, s in ipairs(page.sections or {}) do nav[#nav + 1] = ('<a href="#section-%d">%s</a>'):format(i, esc(s.title or "")) end
  if has_viewer then nav[#nav + 1] = '<a href="#alignments">alignment viewer</a>' end
  if #nav > 1 then out[#out + 1] = "<nav>" .. table.concat(nav) .. "</nav>" end
  if page.intro then out[#out + 1] = "<p>" .. esc(page.intro) .. "</p>" end

  if page.header then
    html_table(out, page.header, page.rows)
  elseif #heads > 0 then
    local header, rows = judges_table(heads)
    html_table(out, header, rows)
  end
  for _, n in ipairs(page.notes or {}) do out[#out + 1] = '<p class="note">' .. esc(n) .. "</p>" end

  if has_scatter then
    out[#out + 1] = '<section id="scatter"><h2>Outcome accuracy against rationale consistency</h2><figure>'
    if page.svg then
      out[#out + 1] = page.svg
    else
      local points = {}
      for _, h in ipairs(heads) do
        points[#points + 1] = {name = h.name, oa = h.oa, rc = h.rc, oa_ci = h.oa_ci, rc_ci = h.rc_ci, color = colors[h.name]}
      end
      out[#out + 1] = M.scatter_svg(points)
    end
    out[#out + 1] = "<figcaption>One point per judge; whiskers are the confidence intervals in the table. A judge far below another at the same outcome accuracy reaches the verdict for other reasons than the humans.</figcaption></figure></section>"
  end

  if has_domains then
    out[#out + 1] = '<section id="domains"><h2>By domain</h2><div class="charts">'
    local dheads = {}
    for _, e in ipairs(page.domains) do dheads[#dheads + 1] = M.headline(e) end
    for _, key in ipairs(page.domain_metrics or {"rc", "oa"}) do
      local m = METRIC_BY_KEY[key]
      if not m then error("ratio.report: domain_metrics: no metric '" .. tostring(key) .. "' (oa, rc, precision, f1, ap)", 2) end
      local cells, any = {}, false
      for _, h in ipairs(dheads) do
        cells[#cells + 1] = {group = h.domain or "(none)", series = h.name, value = h[key], ci = h[key .. "_ci"]}
        if h[key] then any = true end
      end
      if any then
        out[#out + 1] = "<figure>" .. M.bars_svg{cells = cells, label = m.long, colors = colors} .. "</figure>"
      end
    end
    out[#out + 1] = "</div><details><summary>the numbers</summary>"
    local header = {"judge", "domain"}
    for _, key in ipairs(page.domain_metrics or {"rc", "oa"}) do header[#header + 1] = METRIC_BY_KEY[key].label end
    header[#header + 1] = "valid"
    local rows = {}
    for _, h in ipairs(dheads) do
      local r = {h.name, h.domain or "(none)"}
      for _, key in ipairs(page.domain_metrics or {"rc", "oa"}) do r[#r + 1] = M.with_ci(h[key], h[key .. "_ci"]) end
      r[#r + 1] = h.valid and tostring(h.valid) or "-"
      rows[#rows + 1] = r
    end
    html_table(out, header, rows, 3)
    out[#out + 1] = "</details></section>"
  end

  for i, s in ipairs(page.sections or {}) do
    out[#out + 1] = ('<section id="section-%d">'):format(i)
    if s.title then out[#out + 1] = "<h2>" .. esc(s.title) .. "</h2>" end
    local text = type(s.text) == "table" and s.text or (s.text and {s.text} or {})
    for _, para in ipairs(text) do out[#out + 1] = "<p>" .. esc(para) .. "</p>" end
    if s.pre then out[#out + 1] = "<pre>" .. esc(s.pre) .. "</pre>" end
    if s.svg then out[#out + 1] = "<figure>" .. s.svg .. "</figure>" end
    if s.header then html_table(out, s.header, s.rows) end
    out[#out + 1] = "</section>"
  end

  if has_viewer then viewer(out, page.alignments, colors, page.alignment_limit or M.ALIGNMENT_LIMIT) end
  out[#out + 1] = '<p class="note">Written by ratio. This page is self-contained: it loads nothing from the network.</p>'
  if has_viewer then out[#out + 1] = "<script>" .. SCRIPT .. "</script>" end
  out[#out + 1] = "</body></html>"
  return table.concat(out, "\n") .. "\n"
end

-- Written beside the target and renamed over it, so a run killed mid-write leaves the old file or
-- the new one, never half of one (summary.json must survive a SIGKILL).
local function write_file(path, text)
  local tmp = path .. ".tmp"
  local f, err = io.open(tmp, "w")
  if not f then error("cannot write " .. err, 2) end
  local ok, werr = f:write(text)
  local closed, cerr = f:close()
  if not (ok and closed) then os.remove(tmp) error("cannot write " .. tmp .. ": " .. tostring(werr or cerr), 2) end
  local renamed, rerr = os.rename(tmp, path)
  if not renamed then os.remove(tmp) error("cannot write " .. tostring(rerr), 2) end
end

-- summary_csv(run) -> text of summary.csv, or nil when the run has nothing tabular: run.csv
-- ({header=, rows=}) if given, else one row per page.judges entry, else the page's own table,
-- else the summary's top-level numbers and strings as one row.
function M.summary_csv(run)
  if run.csv then return M.csv(run.csv.header, run.csv.rows or {}) end
  local page = run.page or {}
  if page.judges and #page.judges > 0 then return M.csv(headline_csv(page.judges, false)) end
  if page.header then return M.csv(page.header, page.rows or {}) end
  if type(run.summary) == "table" then
    local keys = {}
    for k, v in pairs(run.summary) do
      if type(k) == "string" and (type(v) == "number" or type(v) == "string" or type(v) == "boolean") then keys[#keys + 1] = k end
    end
    if #keys == 0 then return nil end
    table.sort(keys)
    local row = {}
    for i, k in ipairs(keys) do row[i] = run.summary[k] end
    return M.csv(keys, {row})
  end
  return nil
end

-- write_run(dir, {items = list, summary = table, page = html page table, csv = {header, rows}})
-- items.jsonl, summary.json, summary.csv, domains.csv (when page.domains) and report.html in the
-- run folder. Without a page, report.html still shows the summary.
function M.write_run(dir, run)
  if run.items then
    local w = assert(jsonl.writer(dir .. "/items.jsonl"))
    for _, item in ipairs(run.items) do assert(w:write(item)) end
    assert(w:close())
  end
  if run.summary then write_file(dir .. "/summary.json", assert(json.encode(run.summary, {indent = 2})) .. "\n") end
  local page = run.page
  if not page and run.summary then
    page = {title = "ratio run", sections = {{title = "summary.json", pre = assert(json.encode(run.summary, {indent = 2}))}}}
  end
  if page then write_file(dir .. "/report.html", M.html(page)) end
  if page and page.alignments and #page.alignments > 0 then write_file(dir .. "/alignments.jsonl", M.alignments_jsonl(page.alignments)) end
  local csv = M.summary_csv(run)
  if csv then write_file(dir .. "/summary.csv", csv) end
  if page and page.domains and #page.domains > 0 then
    write_file(dir .. "/domains.csv", M.csv(headline_csv(page.domains, true)))
  end
end

return M
