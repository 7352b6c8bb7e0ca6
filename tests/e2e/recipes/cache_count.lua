-- Prints how many calls a cache file holds.
local ratio = require "ratio"
local p = ratio.params{ path = {nil, "the cache file", type = "file", required = true} }
local c = assert(require("ratio.core.cache").open(p.path, true))
local n = c:stats().calls_on_disk
c:close()
return {calls = n}
