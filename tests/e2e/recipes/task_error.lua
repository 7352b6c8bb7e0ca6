-- A runtime error inside a task started by ratio.map.
local ratio = require "ratio"
ratio.map({1, 2, 3}, function(x)
  ratio.sleep(1)
  if x == 2 then error("item two is broken") end
  return x
end)
