-- `ratio runs [DIR]`: the runs in DIR (default runs/), newest first: recipe, start, duration,
-- status (ok, failed, interrupted, running), counts and failures, and each judge's headline
-- numbers from its manifest. --json prints the same as a list.
local ratio = require "ratio"
local runs = require "ratio.runs"
local p = ratio.params{
  dir = {"runs", "the folder holding run folders"},
  recipe = {"", "only runs of this recipe (a name such as quickstart)"},
  limit = {50, "show at most this many runs (0 = all)", min = 0},
}
local list, err = runs.list(p.dir)
if not list then ratio.exit(1, ("cannot read the runs folder: %s"):format(err)) end
local rows, out = {}, {}
for _, r in ipairs(list) do
  if p.recipe == "" or r.recipe == p.recipe then
    if p.limit > 0 and #out >= p.limit then break end
    local dur = math.type(r.seconds) == "integer" and ("%ds"):format(r.seconds) or "-"
    local problems = runs.counts_text(r)
    if r.error then problems = problems .. (problems ~= "" and "; " or "") .. r.error end
    rows[#rows + 1] = {r.name, r.recipe, r.started_at:gsub("T", " "):gsub("%.%d+Z$", ""):gsub("Z$", ""), dur, r.status,
                       problems, runs.headline_text(r)}
    out[#out + 1] = {name = r.name, path = r.path, recipe = r.recipe, started_at = r.started_at,
                     finished_at = r.manifest.finished_at, seconds = r.seconds, status = r.status,
                     error = r.error, counts = r.counts, headlines = r.headlines}
  end
end
if not ratio.options.json then
  if #rows == 0 then
    io.stderr:write(("ratio: no runs in %s%s\n"):format(p.dir, p.recipe ~= "" and (" for recipe " .. p.recipe) or ""))
  else
    print(require("ratio.report").table({"run", "recipe", "started (UTC)", "took", "status", "items", "headline"}, rows))
  end
end
return {dir = p.dir, runs = out}
