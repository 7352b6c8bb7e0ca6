-- Waits on a semaphore nobody will release.
local ratio = require "ratio"
local s = ratio.semaphore(1)
s:acquire()
s:acquire()
