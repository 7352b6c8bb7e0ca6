-- `ratio view [DIR]`: browse the runs in DIR (default runs/) at http://127.0.0.1:PORT/ — the runs
-- (sortable, filter by recipe), each run's report, and two or more runs compared side by side
-- (judges x metrics, the differences with bootstrap CIs). Serves only files inside DIR, only on
-- 127.0.0.1. Ctrl-C stops it.
local ratio = require "ratio"
local sys = require "ratio.core.sys"
local p = ratio.params{
  dir = {"runs", "the folder holding run folders"},
  port = {0, "the port (0 = any free port; the address is printed)", min = 0, max = 65535},
}
if sys.stat(p.dir) ~= "directory" then
  ratio.exit(2, ("--dir %s: no such folder (runs are made by 'ratio run RECIPE'; see 'ratio runs')"):format(p.dir))
end
require("ratio.view").serve{dir = p.dir, port = p.port, on_listen = function(port)
  io.stdout:write(("ratio view: serving %s at http://127.0.0.1:%d/ (Ctrl-C stops)\n"):format(p.dir, port))
  io.stdout:flush()
end}
