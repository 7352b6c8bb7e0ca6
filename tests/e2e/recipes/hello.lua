-- Greets, waits on a few tasks and returns a summary (the e2e tests' plain recipe).
local ratio = require "ratio"
local p = ratio.params{
  name = {"world", "who to greet"},
  n = {3, "how many tasks"},
  loud = {false, "shout"},
  scale = {1.5, "a number"},
  mode = {"a", "a choice", choices = {"a", "b"}},
}
local greeting = "hello " .. p.name
if p.loud then greeting = greeting:upper() end
print(greeting)
io.write("written with io.write\n")
local squares = ratio.gather((function()
  local ts = {}
  for i = 1, p.n do ts[i] = ratio.spawn(function() ratio.sleep(i) return i * i end) end
  return ts
end)())
return {greeting = greeting, squares = squares, scale = p.scale, mode = p.mode}
