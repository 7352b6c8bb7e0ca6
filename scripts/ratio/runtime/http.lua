-- ratio.http: plain HTTP requests from a task (the LLM clients are built on it).
--
--   local r, err, code = ratio.http.request{method = "POST", url = "http://127.0.0.1:8080/x",
--                                           headers = {["content-type"] = "application/json"},
--                                           body = "{}", timeout_ms = 5000}
--   -- r.status, r.headers (lower-case names), r.body, r.ms, r.retry_after (seconds or nil)
--
-- A transport failure returns nil, message, code (ETIMEDOUT, ECONNREFUSED, ECONNRESET, ETOOBIG,
-- ERESOLVE, ETLS, ECANCELED, EOTHER); an HTTP error status is a response like any other.
local core = require "ratio.core.http"
local json = require "ratio.core.json"

local M = {request = core.request, stats = core.stats, set_max_connections = core.set_max_connections}

-- get_json(url [, opts]) -> decoded body, response | nil, message, code
function M.get_json(url, opts)
  local req = {url = url, method = "GET"}
  for k, v in pairs(opts or {}) do req[k] = v end
  local r, err, code = core.request(req)
  if not r then return nil, err, code end
  if r.status ~= 200 then return nil, ("HTTP %d from %s"):format(r.status, url), "HTTP" .. r.status end
  local v, jerr = json.decode(r.body)
  if v == nil then return nil, url .. ": reply is not JSON: " .. jerr, "EMALFORMED" end
  return v, r
end

-- post_json(url, value [, opts]) -> response | nil, message, code
function M.post_json(url, value, opts)
  local req = {url = url, method = "POST", body = assert(json.encode(value)),
               headers = {["content-type"] = "application/json"}}
  for k, v in pairs(opts or {}) do req[k] = v end
  return core.request(req)
end

return M
