-- A runtime error inside a spawned task nobody waits for ends the run.
local ratio = require "ratio"
ratio.spawn(function()
  local t = nil
  return t.field
end)
ratio.sleep(50)
print("not reached")
