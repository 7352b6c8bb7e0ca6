-- A ratio.serve server for tests/e2e/test_httpd_limits.sh: a token, a public /health and /stats,
-- and POST /echo (answers the body's length and the query). Writes its port to --port-file.
local ratio = require "ratio"
local p = ratio.params{
  port_file = {"", "write the port here once listening"},
  token = {"s3cret", "the token ('' = none)"},
  max_body = {16 * 1024 * 1024, "largest body"},
  max_buffered = {64 * 1024 * 1024, "all bodies held at once"},
  hold_ms = {0, "how long /echo waits before answering"},
  http2 = {true, "accept h2c"},
}
local srv
ratio.serve{
  port = 0, token = p.token, public = {"GET /health", "GET /stats"},
  max_body = p.max_body, max_buffered = p.max_buffered, http2 = p.http2,
  routes = {
    ["POST /echo"] = function(req)
      if p.hold_ms > 0 then ratio.sleep(p.hold_ms) end
      return {status = 200, json = {n = #req.body, query = req.query}}
    end,
    ["GET /health"] = function() return {status = 200, body = "ok\n"} end,
    ["GET /stats"] = function() return {status = 200, json = srv:stats()} end,
  },
  on_listen = function(port, server)
    srv = server
    local f = assert(io.open(p.port_file .. ".tmp", "w"))
    f:write(port, "\n")
    f:close()
    assert(os.rename(p.port_file .. ".tmp", p.port_file))
  end,
}
