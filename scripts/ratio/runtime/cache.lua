-- ratio.cache: the run's call cache (default .ratio/cache.sqlite; --cache PATH; --no-cache).
-- Opened on first use. get(key) -> {value, meta} | nil; put(key, value, meta) waits until the row
-- is committed (batched with every other put of the same few milliseconds).
local core = require "ratio.core.cache"
local errors = require "ratio.errors"
local state = require "ratio.state"

local M = {DEFAULT_PATH = ".ratio/cache.sqlite"}

local handle, disabled

local function get_handle()
  if handle or disabled then return handle end
  if state.options.no_cache then
    if state.options.offline then errors.usage("--offline needs the cache: drop --no-cache") end
    disabled = true
    return nil
  end
  local path = state.options.cache or M.DEFAULT_PATH
  local h, err = core.open(path, state.options.offline and false)
  if not h then errors.data("cannot open the call cache: " .. err) end
  handle = h
  return h
end

-- enabled() -> false under --no-cache
function M.enabled() return get_handle() ~= nil end

function M.get(key)
  local h = get_handle()
  if not h then return nil end
  local value, meta = h:get(key)
  if value == nil then return nil end
  return {value = value, meta = meta}
end

-- put(key, value, meta [, {wait = false}]): with wait = false it returns at once and the row is
-- committed with the next batch (a crash in between loses the row, never a result).
function M.put(key, value, meta, opts)
  local h = get_handle()
  if not h then return true end
  local ok, err = h:put(key, value, meta, not (opts and opts.wait == false))
  if not ok then io.stderr:write("ratio: warning: ", err, "\n") end
  return ok, err
end

function M.log(entry)
  local h = get_handle()
  if h then h:log(entry) end
end

function M.stats()
  local h = get_handle()
  return h and h:stats() or nil
end

return M
