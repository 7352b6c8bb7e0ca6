-- Prints how many calls a cache file holds.
local ratio = require "ratio"
local p = ratio.params{ path = {nil, "the cache file", type = "file", required = true} }
-- Opened as the next run opens it (writable): a kill between creating the file and writing its
-- schema leaves an empty SQLite file, which a writer completes and a read-only open refuses.
local c = assert(require("ratio.core.cache").open(p.path, false))
local n = c:stats().calls_on_disk
c:close()
return {calls = n}
