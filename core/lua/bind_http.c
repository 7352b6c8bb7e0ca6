/* ratio.core.http: HTTP requests from tasks, on the process's one libcurl multi client.
 *
 *   request{method=, url=, headers={name=value,...}, body= | json=, timeout_ms=,
 *           connect_timeout_ms=, max_bytes=, http_version="1.1"|"h2c", reply_headers=true}
 *                                                                 -- yields the calling task
 *     -> {status=, headers={lowercase name=value}, body=, ms=, http_version=, retry_after=,
 *         retry_after_ms=}
 *      | nil, message, code   (code: ETIMEDOUT, ECONNREFUSED, ECONNRESET, ETOOBIG, ECANCELED, ...)
 *   retry_after is the Retry-After header in seconds (a delay or an HTTP date), retry_after_ms the
 *   Retry-After-Ms header that OpenAI's and Anthropic's APIs send (a positive number), each only
 *   when present and usable. reply_headers = false leaves `headers` out: a caller that reads none
 *   (the LLM client) does not pay for a table and two strings per header of every reply.
 *   json = value sends value's JSON as the body (as json.encode writes it; content-type
 *   application/json unless the headers set one): encoded here, straight into the buffer libcurl
 *   sends, instead of into a Lua string that is then copied.
 *   stats() -> {started, completed, in_flight, connections}
 *   set_max_connections(per_host, total)
 *
 * An HTTP error status is a response, not a failure: the caller reads `status`. */
#define _GNU_SOURCE
#include <ctype.h>
#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lua/bind_json.h"
#include "lua/bindings.h"
#include "lua/host.h"
#include "lua/sched.h"
#include "net/httpc.h"

static const char CLIENT_KEY = 'C';

typedef struct pending {
    sched_task_t *task;
    int reply_headers; /* put the reply's headers in the response */
} pending_t;

static void on_shutdown(void *ud)
{
    httpc_t **slot = ud;
    if (*slot) httpc_close(*slot); /* every pending callback runs now, with ECANCELED */
    *slot = NULL;
    free(slot);
}

/* The client of this Lua state, created on first use. */
static httpc_t *client(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &CLIENT_KEY);
    httpc_t **slot = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (slot && *slot) return *slot;
    if (!slot) {
        slot = malloc(sizeof *slot);
        if (!slot) luaL_error(L, "out of memory");
        *slot = NULL;
        lua_pushlightuserdata(L, slot);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &CLIENT_KEY);
        host_on_shutdown(L, on_shutdown, slot);
    }
    char err[256];
    *slot = httpc_new(sched_loop(sched_get(L)), err, sizeof err);
    if (!*slot) luaL_error(L, "http: %s", err);
    return *slot;
}

static int push_response(lua_State *co, httpc_response_t *res, int reply_headers)
{
    lua_createtable(co, 0, 6);
    lua_pushinteger(co, res->status);
    lua_setfield(co, -2, "status");
    lua_pushlstring(co, buf_cstr(&res->body), res->body.len);
    lua_setfield(co, -2, "body");
    lua_pushnumber(co, res->total_ms);
    lua_setfield(co, -2, "ms");
    lua_pushinteger(co, res->http_version);
    lua_setfield(co, -2, "http_version");
    if (res->retry_after >= 0) {
        lua_pushinteger(co, res->retry_after);
        lua_setfield(co, -2, "retry_after");
    }
    const char *ms = httpc_response_header(res, "retry-after-ms");
    if (ms) {
        char *end;
        double v = strtod(ms, &end);
        while (*end == ' ' || *end == '\t')
            end++;
        if (end != ms && !*end && isfinite(v) && v > 0) {
            lua_pushnumber(co, v);
            lua_setfield(co, -2, "retry_after_ms");
        }
    }
    if (!reply_headers) return 1;
    lua_createtable(co, 0, (int)res->hdr_count);
    const char *name, *value;
    for (size_t i = 0; httpc_response_header_at(res, i, &name, &value); i++) {
        char lower[128];
        size_t n = strlen(name);
        if (n >= sizeof lower) continue;
        for (size_t j = 0; j <= n; j++)
            lower[j] = (char)tolower((unsigned char)name[j]);
        lua_getfield(co, -1, lower);
        if (lua_isstring(co, -1)) { /* repeated header: join, as HTTP allows */
            lua_pushliteral(co, ", ");
            lua_pushstring(co, value);
            lua_concat(co, 3);
        } else {
            lua_pop(co, 1);
            lua_pushstring(co, value);
        }
        lua_setfield(co, -2, lower);
    }
    lua_setfield(co, -2, "headers");
    return 1;
}

static void on_request_done(httpc_response_t *res, void *ud)
{
    pending_t *p = ud;
    sched_task_t *task = p->task;
    int reply_headers = p->reply_headers;
    free(p);
    lua_State *co = sched_task_state(task);
    if (!lua_checkstack(co, 8)) abort();
    if (res->err != HTTPC_OK) {
        lua_pushnil(co);
        lua_pushstring(co, res->errmsg[0] ? res->errmsg : httpc_err_name(res->err));
        lua_pushstring(co, httpc_err_name(res->err));
        sched_wake(task, 3);
        return;
    }
    sched_wake(task, push_response(co, res, reply_headers));
}

static int bad_header(const char *s)
{
    for (; *s; s++)
        if (*s == '\r' || *s == '\n') return 1;
    return 0;
}

static int l_request(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    sched_task_t *task = sched_check_task(L, "http.request");
    httpc_request_t req;
    memset(&req, 0, sizeof req);
    lua_getfield(L, 1, "url");
    req.url = luaL_checkstring(L, -1);
    lua_getfield(L, 1, "method");
    req.method = luaL_optstring(L, -1, NULL);
    lua_getfield(L, 1, "body");
    if (!lua_isnil(L, -1)) req.body = luaL_checklstring(L, -1, &req.body_len);
    lua_pop(L, 3); /* the table keeps the strings alive while we copy them */
    int has_json = lua_getfield(L, 1, "json") != LUA_TNIL;
    lua_pop(L, 1);
    if (has_json && req.body) return luaL_error(L, "http.request: give body or json, not both");
    if (strncmp(req.url, "http://", 7) != 0 && strncmp(req.url, "https://", 8) != 0)
        return luaL_error(L, "http.request: url must start with http:// or https://, got '%s'",
                          req.url);
    req.timeout_ms = host_opt_integer(L, 1, "timeout_ms", 300000);
    req.connect_timeout_ms = host_opt_integer(L, 1, "connect_timeout_ms", 10000);
    req.max_body = (size_t)host_opt_integer(L, 1, "max_bytes", 64L << 20);
    lua_getfield(L, 1, "http_version");
    const char *ver = luaL_optstring(L, -1, "default");
    if (!strcmp(ver, "1.1"))
        req.version = HTTPC_VERSION_1_1;
    else if (!strcmp(ver, "h2c"))
        req.version = HTTPC_VERSION_H2C;
    else if (strcmp(ver, "default") != 0)
        return luaL_error(L, "http.request: http_version must be \"1.1\" or \"h2c\"");
    lua_pop(L, 1);
    int reply_headers = host_opt_boolean(L, 1, "reply_headers", 1);

    /* Headers: a table name -> value. Lines are built in one buffer, then pointed into (sized
     * for a few headers at once, not grown from nothing on every request). */
    buf_t lines;
    buf_init_cap(&lines, 256);
    size_t n = 0;
    int has_type = 0;
    lua_getfield(L, 1, "headers");
    if (!lua_isnil(L, -1)) {
        luaL_checktype(L, -1, LUA_TTABLE);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            const char *k = lua_tostring(L, -2), *v = lua_tostring(L, -1);
            if (lua_type(L, -2) != LUA_TSTRING || !v || bad_header(k) || bad_header(v)) {
                buf_free(&lines);
                return luaL_error(L, "http.request: headers must map names to single-line values");
            }
            has_type |= !strcasecmp(k, "content-type");
            buf_puts(&lines, k); /* "name: value\0", without printf's two passes */
            buf_append(&lines, ": ", 2);
            buf_puts(&lines, v);
            buf_putc(&lines, '\0');
            n++;
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    if (has_json && !has_type) {
        static const char json_type[] = "Content-Type: application/json";
        buf_append(&lines, json_type, sizeof json_type); /* with its NUL */
        n++;
    }
    const char **hv = n ? malloc(n * sizeof *hv) : NULL;
    const char *cur = lines.data;
    for (size_t i = 0; i < n; i++) {
        hv[i] = cur;
        cur += strlen(cur) + 1;
    }
    req.headers = hv;
    req.nheaders = n;

    httpc_t *cli = client(L); /* (may raise: before the body is ours to free) */
    if (has_json) {           /* last, so that no error above leaves the encoded body behind */
        /* Room for what the previous body needed: a client's requests are much alike, and a
         * buffer grown by doubling would be up to twice the body, for every request in flight. */
        static size_t last_len = 0;
        buf_t body, err;
        buf_init_like(&body, last_len);
        buf_init(&err);
        lua_getfield(L, 1, "json");
        int bad = bind_json_encode(L, lua_gettop(L), 0, &body, &err) != 0;
        lua_pop(L, 1);
        if (bad) {
            free(hv);
            buf_free(&lines);
            buf_free(&body);
            lua_pushfstring(L, "http.request: json: cannot write %s", buf_cstr(&err));
            buf_free(&err);
            return lua_error(L);
        }
        buf_free(&err);
        req.body = buf_detach(&body, &req.body_len);
        req.body_owned = 1;
        last_len = req.body_len;
    }

    pending_t *p = malloc(sizeof *p);
    if (!p) {
        free(hv);
        buf_free(&lines);
        if (req.body_owned) free((void *)req.body);
        return luaL_error(L, "out of memory");
    }
    p->task = task;
    p->reply_headers = reply_headers;
    uint64_t id = httpc_start(cli, &req, on_request_done, p);
    free(hv);
    buf_free(&lines);
    if (id == 0) {
        free(p);
        lua_pushnil(L);
        lua_pushliteral(L, "http client is closing");
        lua_pushliteral(L, "ECANCELED");
        return 3;
    }
    return sched_suspend(L);
}

static int l_stats(lua_State *L)
{
    httpc_stats_t st;
    httpc_get_stats(client(L), &st);
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, (lua_Integer)st.started);
    lua_setfield(L, -2, "started");
    lua_pushinteger(L, (lua_Integer)st.completed);
    lua_setfield(L, -2, "completed");
    lua_pushinteger(L, (lua_Integer)st.in_flight);
    lua_setfield(L, -2, "in_flight");
    lua_pushinteger(L, (lua_Integer)st.connections);
    lua_setfield(L, -2, "connections");
    return 1;
}

static int l_set_max_connections(lua_State *L)
{
    long per_host = (long)luaL_checkinteger(L, 1), total = (long)luaL_optinteger(L, 2, 0);
    if (httpc_set_max_connections(client(L), per_host, total) != 0)
        return luaL_error(L, "http.set_max_connections: rejected");
    return 0;
}

int luaopen_ratio_core_http(lua_State *L)
{
    static const luaL_Reg fns[] = {{"request", l_request},
                                   {"stats", l_stats},
                                   {"set_max_connections", l_set_max_connections},
                                   {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}
