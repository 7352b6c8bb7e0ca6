-- A typo in a global name.
local ratio = require "ratio"
local total = 0
for i = 1, 3 do
  totl = total + i
end
print(total, ratio.version)
