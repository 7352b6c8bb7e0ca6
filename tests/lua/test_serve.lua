-- ratio.serve and ratio.http against each other, in one process.
local ratio = require "ratio"
local t = require "testlib"

local function start(routes, opts)
  local o = {port = 0, wait = false, routes = routes}
  for k, v in pairs(opts or {}) do o[k] = v end
  local srv = ratio.serve(o)
  return srv, ("http://127.0.0.1:%d"):format(srv.port)
end

t.test("routes, JSON bodies, query params and headers", function()
  local srv, url = start{
    ["POST /echo"] = function(req)
      local v = assert(req:json())
      return {status = 201, json = {got = v, q = req.params.q, h = req.headers["x-test"]},
              headers = {["x-reply"] = "yes"}}
    end,
  }
  local r = assert(ratio.http.request{method = "POST", url = url .. "/echo?q=a%20b", body = '{"n": 1}',
                                      headers = {["x-test"] = "hello"}})
  t.eq(r.status, 201)
  t.eq(r.headers["x-reply"], "yes")
  t.eq(r.headers["content-type"], "application/json")
  t.eq(ratio.json.decode(r.body), {got = {n = 1}, q = "a b", h = "hello"})
  srv.raw:close()
end)

t.test("retry-after-ms is read into retry_after_ms; reply_headers = false leaves the headers out", function()
  local srv, url = start{
    ["GET /wait"] = function(req)
      return {status = 429, body = "slow down",
              headers = {["retry-after-ms"] = req.params.ms, ["retry-after"] = "7", ["x-other"] = "1"}}
    end,
  }
  local function get(ms, reply_headers)
    return assert(ratio.http.request{url = url .. "/wait?ms=" .. ms, reply_headers = reply_headers})
  end
  local r = get("1500")
  t.eq({r.status, r.retry_after_ms, r.retry_after, r.headers["x-other"]}, {429, 1500, 7, "1"})
  r = get("2.5", false)
  t.eq({r.status, r.retry_after_ms, r.retry_after, r.headers, r.body}, {429, 2.5, 7, nil, "slow down"})
  for _, bad in ipairs{"soon", "-5", "0", "nan", "inf", "1e999", "12abc", "%20"} do
    t.eq(get(bad).retry_after_ms, nil, bad) -- not a positive finite number: not a wait
  end
  t.raises(function() ratio.http.request{url = url .. "/wait?ms=1", reply_headers = "no"} end, "reply_headers")
  srv.raw:close()
end)

t.test("json = value sends its JSON as the body, typed application/json unless told", function()
  local srv, url = start{
    ["POST /echo"] = function(req)
      return {status = 200, json = {body = req.body, type = req.headers["content-type"]}}
    end,
  }
  local value = {b = {1, 2.5, ratio.json.null}, a = "é \"x\"", e = ratio.json.encoded({k = true})}
  local function echo(q)
    q.method, q.url = "POST", url .. "/echo"
    return ratio.json.decode(assert(ratio.http.request(q)).body)
  end
  t.eq(echo{json = value}, {body = assert(ratio.json.encode(value)), type = "application/json"})
  t.eq(echo{json = value, headers = {["Content-Type"] = "text/x-json"}}.type, "text/x-json")
  t.eq(echo{json = "just a string"}.body, '"just a string"')
  t.raises(function() ratio.http.request{url = url .. "/echo", body = "x", json = {}} end, "body or json, not both")
  t.raises(function() ratio.http.request{url = url .. "/echo", json = {f = print}} end, "json: cannot write a function %(JSON cannot hold it%) at %$%.f")
  t.eq(echo{body = "still fine"}.body, "still fine") -- a failed encode leaves nothing behind
  srv.raw:close()
end)

t.test("404, 405 and a handler error are JSON errors; the server goes on", function()
  local srv, url = start{
    ["GET /boom"] = function() error("kaboom") end,
    ["GET /ok"] = function() return {status = 200, body = "fine"} end,
  }
  local r404 = assert(ratio.http.request{url = url .. "/nope"})
  t.eq(r404.status, 404)
  t.ok(ratio.json.decode(r404.body).error.message:find("no route"))
  local r405 = assert(ratio.http.request{method = "POST", url = url .. "/ok", body = "x"})
  t.eq(r405.status, 405)
  local r500 = assert(ratio.http.request{url = url .. "/boom"})
  t.eq(r500.status, 500)
  t.ok(not r500.body:find("kaboom"), "the error's text stays on the server")
  t.eq(assert(ratio.http.request{url = url .. "/ok"}).body, "fine")
  srv.raw:close()
end)

t.test("a body over max_body gets 413", function()
  local srv, url = start({["POST /x"] = function() return {status = 200} end}, {max_body = 1000})
  local r = assert(ratio.http.request{method = "POST", url = url .. "/x", body = ("a"):rep(5000), http_version = "1.1"})
  t.eq(r.status, 413)
  srv.raw:close()
end)

t.test("a dropped connection is ECONNRESET for the client", function()
  local srv, url = start{["GET /drop"] = function() return {drop = true, partial = '{"half": '} end}
  local r, err, code = ratio.http.request{url = url .. "/drop"}
  t.eq(r, nil)
  t.eq(code, "ECONNRESET")
  t.ok(err and #err > 0)
  srv.raw:close()
end)

t.test("client timeout on a slow handler", function()
  local srv, url = start{["GET /slow"] = function() ratio.sleep(500) return {status = 200} end}
  local r, _, code = ratio.http.request{url = url .. "/slow", timeout_ms = 100}
  t.eq(r, nil)
  t.eq(code, "ETIMEDOUT")
  srv.raw:close()
end)

t.test("graceful shutdown answers requests in flight", function()
  local release = ratio.event()
  local srv, url = start{["GET /slow"] = function() release:wait() return {status = 200, body = "done"} end}
  local reqs = {}
  for i = 1, 5 do reqs[i] = ratio.spawn(function() return ratio.http.request{url = url .. "/slow"} end) end
  -- shut down once all five are in the handler (a fixed sleep lost this race under valgrind)
  for _ = 1, 1000 do
    if srv.stats().requests_in_flight >= 5 then break end
    ratio.sleep(5)
  end
  t.eq(srv.stats().requests_in_flight, 5)
  srv.shutdown()
  ratio.sleep(20) -- the shutdown has begun (it runs as a task); the handlers answer only now
  release:set()
  for i = 1, 5 do
    local r = reqs[i]:wait()
    t.ok(r and r.status == 200 and r.body == "done", "request " .. i .. " was not answered")
  end
  ratio.sleep(20)
  local r, _, code = ratio.http.request{url = url .. "/slow", connect_timeout_ms = 500}
  t.eq(r, nil)
  t.eq(code, "ECONNREFUSED")
end)

t.test("many concurrent requests reuse connections", function()
  local srv, url = start{["GET /n"] = function(req) return {status = 200, body = req.params.i} end}
  local before = ratio.http.stats().connections
  local items = {}
  for i = 1, 300 do items[i] = i end
  local out = ratio.map(items, function(i)
    return assert(ratio.http.request{url = url .. "/n?i=" .. i}).body
  end, {concurrency = 20})
  t.eq(out[300], "300")
  local opened = ratio.http.stats().connections - before
  t.ok(opened <= 40, "opened " .. opened .. " connections for 300 requests")
  srv.raw:close()
end)

t.test("token: checked by the server before the handler; public routes and ?token= pass", function()
  local calls = 0
  local srv, url = start({
    ["POST /x"] = function(req) calls = calls + 1; return {status = 200, json = {q = req.query}} end,
    ["GET /health"] = function() return {status = 200, body = "ok"} end,
  }, {token = "tk", public = {"GET /health"}})
  local r = assert(ratio.http.request{method = "POST", url = url .. "/x", body = ("a"):rep(100000)})
  t.eq(r.status, 401)
  t.eq(r.headers["www-authenticate"], "Bearer")
  t.eq(calls, 0)
  r = assert(ratio.http.request{method = "POST", url = url .. "/x", body = "a", headers = {authorization = "bearer tk"}})
  t.eq(r.status, 200)
  r = assert(ratio.http.request{method = "POST", url = url .. "/x?token=tk", body = "a"})
  t.eq(r.status, 200)
  t.eq(ratio.json.decode(r.body).q, "token=tk")
  t.eq(assert(ratio.http.request{url = url .. "/health"}).status, 200)
  local st = srv.stats()
  t.eq(st.requests_refused, 1)
  t.eq(st.bytes_buffered, 0)
  t.ok(st.bytes_buffered_peak < 100000, "the refused body was never held")
  t.eq(calls, 2)
  srv.raw:close()
end)

t.test("with a fallback every path reaches the handler (after the token check)", function()
  local srv, url = start({}, {token = "tk", fallback = function(req) return {status = 200, body = req.path} end})
  t.eq(assert(ratio.http.request{url = url .. "/any/where"}).status, 401)
  local r = assert(ratio.http.request{url = url .. "/any/where", headers = {authorization = "Bearer tk"}})
  t.eq(r.status, 200)
  t.eq(r.body, "/any/where")
  srv.raw:close()
end)

t.test("serve options are checked", function()
  t.raises(function() ratio.serve{routes = {}, token = 42, wait = false} end, "token must be a string")
  t.raises(function() ratio.serve{routes = {}, public = {"health"}, wait = false} end, "METHOD /path")
end)
