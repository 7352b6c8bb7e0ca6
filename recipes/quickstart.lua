-- Quickstart: are two judges right for the right reasons? (Not built yet: the MetaJudge issue adds
-- the matcher and metrics this study needs.)
local ratio = require "ratio"
ratio.params{}
io.stderr:write("ratio: recipes/quickstart.lua is not built yet: it arrives with the MetaJudge "
  .. "matching and metrics (the foundation is in place; try 'scripts/test').\n")
ratio.exit(1)
