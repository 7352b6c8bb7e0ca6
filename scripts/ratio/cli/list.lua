-- `ratio list`: the recipes ratio can run by name, each with the question it answers. Folders are
-- searched in order: ./recipes/, each folder of $RATIO_RECIPES (colon-separated), then the
-- recipes shipped with ratio; a name found earlier hides the same name further down.
local ratio = require "ratio"
ratio.params{}
local list = require("ratio.recipes").list(ratio.root())
local rows, summary = {}, {}
for _, r in ipairs(list) do
  -- The question itself: the header's first sentence when it asks one, else its first paragraph.
  local q = r.question:match("^(.-%?)%s") or r.question:match("^(.-%?)$") or r.question
  if r.shadowed then q = "(hidden by the recipe of the same name above) " .. q end
  if not ratio.options.json and #q > 110 then q = q:sub(1, 107):gsub("[\128-\191]*$", ""):gsub("[\192-\255]$", "") .. "..." end
  rows[#rows + 1] = {r.name, q, r.folder}
  summary[#summary + 1] = {name = r.name, path = r.path, question = r.question, shadowed = r.shadowed}
end
if #rows == 0 then
  io.stderr:write("ratio: no recipes found (looked in ./recipes, $RATIO_RECIPES and ", ratio.root(), "/recipes)\n")
elseif not ratio.options.json then
  -- One block per folder, so a user's own recipes read apart from the shipped ones.
  local folder
  for _, r in ipairs(rows) do
    if r[3] ~= folder then
      folder = r[3]
      print((folder == rows[1][3] and "" or "\n") .. folder .. "/")
    end
    print(("  %-16s %s"):format(r[1], r[2]))
  end
  print("\nRun one with: ratio run NAME [--help]")
end
return {recipes = summary}
