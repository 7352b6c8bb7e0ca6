-- Does not parse.
local ratio = require "ratio"
local x = = 1
