/* ratio.core.httpd: an HTTP server whose every request runs as a task.
 *
 *   listen{host=, port=, max_body=, max_buffered=, max_head=, token=, routes={...}, public={...},
 *          http2=bool, request_timeout_ms=, handler=fn} -> server | nil, message
 *     routes / public: lists of "METHOD /path" (see core/net/httpd.h for what the server answers
 *     from a request's head before its body is read: 401, 404, 405, 413, 431, 503)
 *     handler(req) runs as a new task per request; it must finish req exactly once
 *   server:port(), server:stats(), server:shutdown() (waits until in-flight requests are
 *   answered and connections closed), server:close() (cuts everything now)
 *   req:method(), req:path(), req:query(), req:header(name), req:headers(), req:body(),
 *   req:http_version(), req:received_at() (ratio.now() when it arrived, before it waited for the
 *   handler's task to run), req:gone(), req:respond(status, headers, body), req:abort(partial)
 *
 * A request whose Lua object is collected without an answer gets a 500, so no client is left
 * hanging by a handler that forgot to respond. */
#define _GNU_SOURCE
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "lua/bindings.h"
#include "lua/host.h"
#include "lua/sched.h"
#include "net/httpd.h"

#define SERVER_MT "ratio.httpd.server"
#define REQ_MT "ratio.httpd.request"

typedef struct lserver {
    httpd_t *h; /* NULL once closed */
    lua_State *L;
    int handler_ref;
    int self_ref; /* keeps the userdata alive while listening */
    int shutting_down;
    sched_task_t *shutdown_waiter;
} lserver_t;

typedef struct lreq {
    httpd_req_t *r;     /* NULL once finished */
    double received_ms; /* when the whole request had arrived, on ratio.now()'s clock */
} lreq_t;

static const char INTERNAL_ERROR[] = "{\"error\":{\"message\":\"the handler did not answer\"}}";

static void server_close(lserver_t *s)
{
    if (!s->h) return;
    httpd_free(s->h);
    s->h = NULL;
    if (s->shutdown_waiter) {
        sched_task_t *t = s->shutdown_waiter;
        s->shutdown_waiter = NULL;
        sched_wake(t, 0);
    }
    luaL_unref(s->L, LUA_REGISTRYINDEX, s->handler_ref);
    luaL_unref(s->L, LUA_REGISTRYINDEX, s->self_ref);
    s->handler_ref = s->self_ref = LUA_NOREF;
}

static void on_shutdown_hook(void *ud)
{
    lserver_t **slot = ud;
    if (*slot) server_close(*slot);
    free(slot);
}

static void on_request(httpd_req_t *r, void *ud)
{
    lserver_t *s = ud;
    lua_State *L = s->L;
    if (sched_stopping(sched_get(L)) || !lua_checkstack(L, 4)) {
        static const char busy[] = "{\"error\":{\"message\":\"server is stopping\"}}";
        httpd_respond(r, 503, NULL, 0, busy, sizeof busy - 1);
        return;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->handler_ref);
    lreq_t *lr = lua_newuserdatauv(L, sizeof *lr, 0);
    lr->r = r;
    lr->received_ms = (double)uv_hrtime() / 1e6;
    luaL_setmetatable(L, REQ_MT);
    if (!sched_start(L, 1)) {
        lr->r = NULL;
        lua_pop(L, 2);
        httpd_respond(r, 503, NULL, 0, INTERNAL_ERROR, sizeof INTERNAL_ERROR - 1);
    }
}

/* The list at opts[field] as a NULL-terminated array of strings that live on the Lua stack (the
 * table stays at index 1 until httpd_new has copied them); NULL when the field is nil. */
static const char **route_list(lua_State *L, const char *field)
{
    if (lua_getfield(L, 1, field) == LUA_TNIL) {
        lua_pop(L, 1);
        return NULL;
    }
    if (!lua_istable(L, -1))
        luaL_error(L, "httpd.listen: %s must be a list of 'METHOD /path'", field);
    lua_Integer n = luaL_len(L, -1);
    const char **list = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *list, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_geti(L, -2, i) != LUA_TSTRING)
            luaL_error(L, "httpd.listen: %s[%d] must be a string 'METHOD /path'", field, (int)i);
        list[i - 1] = lua_tostring(L, -1);
        lua_pop(L, 1); /* still referenced by the table */
    }
    list[n] = NULL;
    lua_remove(L, -2); /* the table stays referenced by opts; keep the array */
    return list;
}

static int l_listen(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    httpd_config_t cfg = {0};
    int tt = lua_getfield(L, 1, "token"); /* the string stays alive in opts */
    if (tt != LUA_TNIL && tt != LUA_TSTRING)
        return luaL_error(L, "httpd.listen: token must be a string");
    cfg.token = lua_tostring(L, -1);
    lua_getfield(L, 1, "max_buffered");
    lua_Integer max_buffered = luaL_optinteger(L, -1, 0);
    lua_getfield(L, 1, "max_head");
    lua_Integer max_head = luaL_optinteger(L, -1, 0);
    lua_getfield(L, 1, "http2");
    cfg.http2 = lua_isnil(L, -1) || lua_toboolean(L, -1) ? 0 : -1;
    lua_getfield(L, 1, "request_timeout_ms");
    lua_Integer request_timeout = luaL_optinteger(L, -1, 0);
    lua_pop(L, 5);
    if (max_buffered < 0 || max_head < 0 || request_timeout < 0)
        return luaL_error(
            L, "httpd.listen: max_buffered, max_head and request_timeout_ms must be >= 0");
    cfg.request_timeout_ms = (uint64_t)request_timeout;
    cfg.max_buffered_bytes = (size_t)max_buffered;
    cfg.max_head_bytes = (size_t)max_head;
    cfg.routes = route_list(L, "routes");
    cfg.public_routes = route_list(L, "public");
    lua_getfield(L, 1, "host");
    cfg.host = luaL_optstring(L, -1, "127.0.0.1");
    lua_getfield(L, 1, "port");
    lua_Integer port = luaL_optinteger(L, -1, 0);
    lua_getfield(L, 1, "max_body");
    lua_Integer max_body = luaL_optinteger(L, -1, 0);
    lua_getfield(L, 1, "handler");
    luaL_checktype(L, -1, LUA_TFUNCTION);
    if (port < 0 || port > 65535) return luaL_error(L, "httpd.listen: port must be 0..65535");
    if (max_body < 0) return luaL_error(L, "httpd.listen: max_body must be >= 0");
    cfg.port = (int)port;
    cfg.max_body_bytes = (size_t)max_body;

    lserver_t *s = lua_newuserdatauv(L, sizeof *s, 0);
    memset(s, 0, sizeof *s);
    s->L = L;
    s->handler_ref = s->self_ref = LUA_NOREF;
    luaL_setmetatable(L, SERVER_MT);
    char err[256];
    s->h = httpd_new(sched_loop(sched_get(L)), &cfg, on_request, s, err, sizeof err);
    if (!s->h) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    lua_pushvalue(L, -2);
    s->handler_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushvalue(L, -1);
    s->self_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lserver_t **slot = malloc(sizeof *slot);
    if (!slot) return luaL_error(L, "out of memory");
    *slot = s;
    host_on_shutdown(L, on_shutdown_hook, slot);
    return 1;
}

static lserver_t *check_server(lua_State *L)
{
    lserver_t *s = luaL_checkudata(L, 1, SERVER_MT);
    if (!s->h) luaL_error(L, "the server is closed");
    return s;
}

static int l_port(lua_State *L)
{
    lua_pushinteger(L, httpd_port(check_server(L)->h));
    return 1;
}

static int l_server_stats(lua_State *L)
{
    httpd_stats_t st;
    httpd_get_stats(check_server(L)->h, &st);
    lua_createtable(L, 0, 8);
#define F(name) (lua_pushinteger(L, (lua_Integer)st.name), lua_setfield(L, -2, #name))
    F(requests_served);
    F(requests_in_flight);
    F(requests_gone);
    F(connections_accepted);
    F(connections_open);
    F(requests_refused);
    F(bytes_buffered);
    F(bytes_buffered_peak);
#undef F
    return 1;
}

static void on_drained(httpd_t *h, void *ud)
{
    (void)h;
    server_close(ud);
}

/* server:shutdown(): stop accepting, let requests in flight finish, then close; waits for it. */
static int l_shutdown(lua_State *L)
{
    lserver_t *s = check_server(L);
    sched_task_t *t = sched_check_task(L, "server:shutdown");
    if (s->shutdown_waiter) return luaL_error(L, "server:shutdown: already waiting");
    s->shutdown_waiter = t;
    if (!s->shutting_down) {
        s->shutting_down = 1;
        httpd_shutdown(s->h, on_drained, s);
    }
    return sched_suspend(L);
}

static int l_server_close(lua_State *L)
{
    lserver_t *s = luaL_checkudata(L, 1, SERVER_MT);
    server_close(s);
    return 0;
}

/* ---- requests ---------------------------------------------------------------------------- */

static lreq_t *check_req(lua_State *L)
{
    lreq_t *lr = luaL_checkudata(L, 1, REQ_MT);
    if (!lr->r) luaL_error(L, "the request was already answered");
    return lr;
}

static int l_method(lua_State *L)
{
    lua_pushstring(L, httpd_req_method(check_req(L)->r));
    return 1;
}

static int l_path(lua_State *L)
{
    lua_pushstring(L, httpd_req_path(check_req(L)->r));
    return 1;
}

static int l_query(lua_State *L)
{
    lua_pushstring(L, httpd_req_query(check_req(L)->r));
    return 1;
}

static int l_header(lua_State *L)
{
    const char *v = httpd_req_header(check_req(L)->r, luaL_checkstring(L, 2));
    if (!v) return 0;
    lua_pushstring(L, v);
    return 1;
}

static int l_headers(lua_State *L)
{
    httpd_req_t *r = check_req(L)->r;
    lua_newtable(L);
    const char *name, *value;
    for (size_t i = 0; httpd_req_header_at(r, i, &name, &value); i++) {
        lua_getfield(L, -1, name);
        if (lua_isstring(L, -1)) {
            lua_pushliteral(L, ", ");
            lua_pushstring(L, value);
            lua_concat(L, 3);
        } else {
            lua_pop(L, 1);
            lua_pushstring(L, value);
        }
        lua_setfield(L, -2, name);
    }
    return 1;
}

static int l_body(lua_State *L)
{
    size_t len;
    const char *b = httpd_req_body(check_req(L)->r, &len);
    lua_pushlstring(L, b, len);
    return 1;
}

static int l_http_version(lua_State *L)
{
    lua_pushinteger(L, httpd_req_http_version(check_req(L)->r));
    return 1;
}

static int l_received_at(lua_State *L)
{
    lua_pushnumber(L, check_req(L)->received_ms);
    return 1;
}

static int l_gone(lua_State *L)
{
    lreq_t *lr = luaL_checkudata(L, 1, REQ_MT);
    lua_pushboolean(L, !lr->r || httpd_req_is_gone(lr->r));
    return 1;
}

/* req:respond(status, headers_table_or_nil, body_string) */
static int l_respond(lua_State *L)
{
    lreq_t *lr = check_req(L);
    int status = (int)luaL_checkinteger(L, 2);
    size_t len = 0;
    const char *body = luaL_optlstring(L, 4, "", &len);
    httpd_header_t hs[64];
    size_t n = 0;
    if (!lua_isnoneornil(L, 3)) {
        luaL_checktype(L, 3, LUA_TTABLE);
        lua_pushnil(L);
        while (lua_next(L, 3)) {
            if (n == sizeof hs / sizeof hs[0]) return luaL_error(L, "respond: too many headers");
            if (lua_type(L, -2) != LUA_TSTRING || !lua_isstring(L, -1))
                return luaL_error(L, "respond: headers must map names to strings");
            const char *k = lua_tostring(L, -2), *v = lua_tostring(L, -1);
            if (strpbrk(k, "\r\n:") || strpbrk(v, "\r\n"))
                return luaL_error(L, "respond: header '%s' has a line break or colon", k);
            hs[n].name = k;
            hs[n].value = v; /* the table keeps both alive until we return */
            n++;
            lua_pop(L, 1);
        }
    }
    httpd_req_t *r = lr->r;
    lr->r = NULL;
    httpd_respond(r, status, hs, n, body, len);
    return 0;
}

static int l_abort(lua_State *L)
{
    lreq_t *lr = check_req(L);
    size_t len = 0;
    const char *partial = luaL_optlstring(L, 2, "", &len);
    httpd_req_t *r = lr->r;
    lr->r = NULL;
    httpd_abort(r, partial, len);
    return 0;
}

static int l_req_gc(lua_State *L)
{
    lreq_t *lr = luaL_checkudata(L, 1, REQ_MT);
    if (lr->r) {
        httpd_req_t *r = lr->r;
        lr->r = NULL;
        httpd_respond(r, 500, NULL, 0, INTERNAL_ERROR, sizeof INTERNAL_ERROR - 1);
    }
    return 0;
}

int luaopen_ratio_core_httpd(lua_State *L)
{
    static const luaL_Reg server_methods[] = {{"port", l_port},
                                              {"stats", l_server_stats},
                                              {"shutdown", l_shutdown},
                                              {"close", l_server_close},
                                              {NULL, NULL}};
    static const luaL_Reg req_methods[] = {{"method", l_method},
                                           {"path", l_path},
                                           {"query", l_query},
                                           {"header", l_header},
                                           {"headers", l_headers},
                                           {"body", l_body},
                                           {"http_version", l_http_version},
                                           {"received_at", l_received_at},
                                           {"gone", l_gone},
                                           {"respond", l_respond},
                                           {"abort", l_abort},
                                           {NULL, NULL}};
    static const luaL_Reg fns[] = {{"listen", l_listen}, {NULL, NULL}};
    host_new_class(L, SERVER_MT, server_methods, NULL);
    host_new_class(L, REQ_MT, req_methods, l_req_gc);
    luaL_newlib(L, fns);
    return 1;
}
