-- Exits with status 3.
local ratio = require "ratio"
ratio.exit(3, "stopping on purpose")
