-- ratio.serve: an HTTP server in a recipe. Each request runs as its own task.
--
--   ratio.serve{
--     host = "127.0.0.1", port = 8080, max_body = 8 * 1024 * 1024,
--     routes = {
--       ["POST /v1/echo"] = function(req) return {status = 200, json = req:json()} end,
--       ["GET /health"] = function(req) return {status = 200, body = "ok\n"} end,
--     },
--     on_listen = function(port, server) end,  -- called once listening (port 0 = any free port)
--     token = os.getenv("MY_TOKEN"),            -- optional: required on every request but...
--     public = {"GET /health"},                 -- ...these routes (default: none)
--     max_buffered = 64 * 1024 * 1024,          -- all request bodies held at once (default 64 MiB)
--     max_head = 16 * 1024,                     -- request line + headers (default 16 KiB)
--     http2 = true,                             -- accept cleartext HTTP/2 (h2c); false: HTTP/1.x only
--     request_timeout_ms = 10000,               -- an HTTP/1 request's head and body must arrive
--   }                                           -- within it (default 10 s), else it is dropped
--
-- The C server checks each HTTP/1 request from its head, before reading its body, and answers at
-- once (JSON error, connection closed; the handler never runs): 401 with `WWW-Authenticate: Bearer`
-- when `token` is set and the request carries neither `Authorization: Bearer <token>` (scheme in
-- any case) nor `?token=<token>` (for clients that cannot send headers, e.g. OpenRLHF's remote
-- reward client); 404 / 405 for a path or method no route has (unless `fallback` is set); 413 for
-- a declared body above max_body; 503 with `Retry-After` when holding the body would take all
-- bodies in memory above max_buffered; 431 for a head above max_head; 400 for conflicting
-- Content-Length headers. Tokens are compared in constant time and the query is never logged.
-- HTTP/2 requests get the same answers once their body is in (see docs/reliability.md).
--
-- A handler gets req with .method, .path, .query (string), .params (decoded query), .headers
-- (lower-case names), .body, .received_at (ratio.now() when the request had fully arrived, before
-- it waited for its task to run: `ratio.now() - req.received_at` is the time it has spent in the
-- server), req:json() -> value | nil, message. It returns a response table:
-- {status=, json=value} or {status=, body=string, headers={...}}; {drop = true, partial = "..."}
-- cuts the connection mid-body (for fault injection in tests). An error in a handler becomes a
-- 500 with a JSON error (logged on stderr with its traceback); the server goes on. Unknown paths
-- get 404, known paths with another method 405, bodies over max_body 413, all as JSON errors.
--
-- serve() returns when the server has stopped: on SIGTERM or SIGINT it stops accepting, answers
-- the requests in flight, and closes (graceful shutdown); server:shutdown() from a handler or
-- another task does the same. With wait = false it returns the server at once instead.
local core = require "ratio.core.httpd"
local sched = require "ratio.core.sched"
local json = require "ratio.core.json"
local errors = require "ratio.errors"

local function json_error(status, message)
  return {status = status, json = {error = {message = message, code = status}}}
end

local function decode_query(q)
  local params = {}
  for pair in q:gmatch("[^&]+") do
    local k, v = pair:match("^([^=]*)=?(.*)$")
    local function unescape(s)
      return (s:gsub("+", " "):gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
    end
    params[unescape(k)] = unescape(v)
  end
  return params
end

local Request = {}
Request.__index = Request

function Request:json(opts)
  local v, err = json.decode(self.body, opts)
  if v == nil then return nil, "request body is not valid JSON: " .. err end
  return v
end

local function send(raw, r)
  if type(r) ~= "table" then r = json_error(500, "the handler returned no response") end
  if r.drop then
    raw:abort(r.partial or "")
    return
  end
  local headers, body = r.headers or {}, r.body or ""
  if r.json ~= nil then
    local text, err = json.encode(r.json)
    if not text then
      r, headers = json_error(500, "the handler's JSON reply cannot be encoded: " .. err), {}
      text = assert(json.encode(r.json))
    end
    body = text
    local has_type = false
    for k in pairs(headers) do has_type = has_type or k:lower() == "content-type" end
    if not has_type then
      local h = {["content-type"] = "application/json"}
      for k, v in pairs(headers) do h[k] = v end
      headers = h
    end
  end
  raw:respond(math.tointeger(r.status) or 200, headers, body)
end

local function new_dispatch(routes, fallback)
  local by_path = {}
  for route, fn in pairs(routes) do
    local method, path = tostring(route):match("^(%u+)%s+(/%S*)$")
    if not method or type(fn) ~= "function" then
      error(("ratio.serve: route '%s' must be 'METHOD /path' = function"):format(tostring(route)), 3)
    end
    by_path[path] = by_path[path] or {}
    by_path[path][method] = fn
  end
  return function(raw)
    local req = setmetatable({raw = raw, method = raw:method(), path = raw:path(),
                              query = raw:query(), headers = raw:headers(), body = raw:body(),
                              received_at = raw:received_at()}, Request)
    req.params = decode_query(req.query)
    local methods = by_path[req.path]
    local fn = methods and methods[req.method] or fallback
    if not fn then
      if methods then return send(raw, json_error(405, ("%s is not allowed on %s"):format(req.method, req.path))) end
      return send(raw, json_error(404, ("no route for %s %s"):format(req.method, req.path)))
    end
    local ok, r = xpcall(fn, errors.handler, req)
    if raw:gone() then return end
    if not ok then
      if errors.is_exit(r) then error(r, 0) end
      io.stderr:write(("ratio: handler for %s %s failed: %s\n"):format(req.method, req.path, errors.describe(r)))
      r = json_error(500, "internal error in the handler")
    end
    send(raw, r)
  end
end

return function(opts)
  if type(opts) ~= "table" or type(opts.routes) ~= "table" then
    error("ratio.serve: expected {routes = {...}, port = ...}", 2)
  end
  local host = opts.host or "127.0.0.1"
  local token = opts.token
  if token ~= nil and type(token) ~= "string" then error("ratio.serve: token must be a string", 2) end
  if token == "" then token = nil end
  local route_names
  if not opts.fallback then -- with a fallback every path is the handler's: C checks no route
    route_names = {}
    for route in pairs(opts.routes) do
      local method, path = tostring(route):match("^(%u+)%s+(/%S*)$")
      if method then route_names[#route_names + 1] = method .. " " .. path end
    end
    table.sort(route_names)
  end
  local server, err = core.listen{host = host, port = opts.port or 0,
                                  max_body = opts.max_body or 8 * 1024 * 1024,
                                  max_buffered = opts.max_buffered, max_head = opts.max_head,
                                  token = token, routes = route_names, public = opts.public,
                                  http2 = opts.http2, request_timeout_ms = opts.request_timeout_ms,
                                  handler = new_dispatch(opts.routes, opts.fallback)}
  if not server then errors.data("ratio.serve: " .. err) end
  require("ratio.state").serving = true -- a server answers failures per request (see ratio.failures)
  local stopping, closed, waiter = false, false, nil
  -- Runs in a task of its own (a signal's, or one spawned by api.shutdown), never in a handler:
  -- the drain waits for every handler to answer, its own caller included.
  local function stop()
    if stopping then return end
    stopping = true
    server:shutdown()
    closed = true
    if waiter then sched.wake(waiter) end
  end
  local api = setmetatable({port = server:port(), raw = server}, {__index = {
    shutdown = function() sched.start(stop) end,
    stats = function() return server:stats() end,
  }})
  sched.on_signal("SIGTERM", stop)
  sched.on_signal("SIGINT", stop)
  if opts.on_listen then opts.on_listen(api.port, api) end
  if opts.wait == false then return api end
  if not closed then
    waiter = sched.current()
    sched.suspend()
  end
  return api
end
