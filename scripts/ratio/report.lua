-- ratio.report: what a person reads after a run — a table on the terminal, and in the run folder
-- items.jsonl (one line per item, in input order), summary.json and a self-contained report.html
-- (inline CSS and SVG, no network).
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

local function esc(s)
  return (tostring(s):gsub("[&<>\"]", {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;"}))
end
M.escape = esc

-- A scatter of outcome accuracy (x) against rationale consistency (y), one point per judge, with
-- CI whiskers: the paper's Figure 1 in miniature.
function M.scatter_svg(points)
  local W, H, P = 420, 320, 48
  local function x(v) return P + v * (W - 2 * P) end
  local function y(v) return H - P - v * (H - 2 * P) end
  local out = {('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="outcome accuracy against rationale consistency">'):format(W, H)}
  out[#out + 1] = ('<rect x="%d" y="%d" width="%d" height="%d" fill="#fafafa" stroke="#999"/>'):format(P, P, W - 2 * P, H - 2 * P)
  for i = 0, 4 do
    local v = i / 4
    out[#out + 1] = ('<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%.2f</text>'):format(x(v), H - P + 16, v)
    out[#out + 1] = ('<text x="%d" y="%.1f" font-size="11" text-anchor="end">%.2f</text>'):format(P - 6, y(v) + 4, v)
  end
  out[#out + 1] = ('<text x="%d" y="%d" font-size="12" text-anchor="middle">outcome accuracy</text>'):format(W // 2, H - 10)
  out[#out + 1] = ('<text x="14" y="%d" font-size="12" text-anchor="middle" transform="rotate(-90 14 %d)">rationale consistency</text>'):format(H // 2, H // 2)
  local colors = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"}
  for i, p in ipairs(points) do
    local c = colors[(i - 1) % #colors + 1]
    if p.oa and p.rc then
      if p.oa_ci then out[#out + 1] = ('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s"/>'):format(x(p.oa_ci.lo), x(p.oa_ci.hi), y(p.rc), y(p.rc), c) end
      if p.rc_ci then out[#out + 1] = ('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s"/>'):format(x(p.oa), x(p.oa), y(p.rc_ci.lo), y(p.rc_ci.hi), c) end
      out[#out + 1] = ('<circle cx="%.1f" cy="%.1f" r="5" fill="%s"/>'):format(x(p.oa), y(p.rc), c)
      out[#out + 1] = ('<text x="%.1f" y="%.1f" font-size="12" fill="%s">%s</text>'):format(x(p.oa) + 8, y(p.rc) - 8, c, esc(p.name))
    end
  end
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n")
end

-- html{title=, intro=, header=, rows=, svg=, notes={...}} -> a self-contained page
function M.html(page)
  local out = {"<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
    "<title>" .. esc(page.title) .. "</title>",
    "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
    .. "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}"
    .. "th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}.note{color:#555}</style>",
    "</head><body>", "<h1>" .. esc(page.title) .. "</h1>"}
  if page.intro then out[#out + 1] = "<p>" .. esc(page.intro) .. "</p>" end
  if page.svg then out[#out + 1] = page.svg end
  if page.header then
    out[#out + 1] = "<table><tr>"
    for _, h in ipairs(page.header) do out[#out + 1] = "<th>" .. esc(h) .. "</th>" end
    out[#out + 1] = "</tr>"
    for _, r in ipairs(page.rows or {}) do
      out[#out + 1] = "<tr>"
      for i, c in ipairs(r) do out[#out + 1] = (i > 1 and '<td class="n">' or "<td>") .. esc(c) .. "</td>" end
      out[#out + 1] = "</tr>"
    end
    out[#out + 1] = "</table>"
  end
  for _, n in ipairs(page.notes or {}) do out[#out + 1] = '<p class="note">' .. esc(n) .. "</p>" end
  out[#out + 1] = "</body></html>"
  return table.concat(out, "\n") .. "\n"
end

local function write_file(path, text)
  local f, err = io.open(path, "w")
  if not f then error("cannot write " .. err, 2) end
  f:write(text)
  f:close()
end

-- write_run(dir, {items = list, summary = table, page = html page table})
-- items.jsonl, summary.json and report.html in the run folder.
function M.write_run(dir, run)
  if run.items then
    local w = assert(jsonl.writer(dir .. "/items.jsonl"))
    for _, item in ipairs(run.items) do assert(w:write(item)) end
    assert(w:close())
  end
  if run.summary then write_file(dir .. "/summary.json", assert(json.encode(run.summary, {indent = 2})) .. "\n") end
  if run.page then write_file(dir .. "/report.html", M.html(run.page)) end
end

return M
