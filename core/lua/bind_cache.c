/* ratio.core.cache: the SQLite call cache, with group commit on the event loop.
 *
 *   open(path [, readonly]) -> cache | nil, message
 *   cache:get(key) -> value, meta | nil
 *   cache:put(key, value [, meta [, wait]]) -> true | nil, message  (wait = false: do not yield)
 *   cache:log{run_id=, key=, status=, attempts=, http_status=, error=, latency_ms=}
 *   cache:flush() -> rows | nil, message;  cache:stats() -> table;  cache:close()
 *
 * put only queues the row; a timer commits everything queued a few milliseconds later in one
 * transaction. A task that calls put waits (yields) until the transaction holding its row is
 * committed (unless it passes wait = false, trading that guarantee for latency), so a result the
 * recipe sees is always one the cache keeps (a killed run never repays a call whose result it
 * used), while the disk sees one transaction per batch, not one per call. */
#define _GNU_SOURCE
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/bindings.h"
#include "lua/host.h"
#include "lua/sched.h"
#include "store/cache.h"

#define CACHE_MT "ratio.cache"
#define FLUSH_DELAY_MS 3
#define RETRY_DELAY_MS 100
#define MAX_FLUSH_FAILURES 20

typedef struct waiter {
    sched_task_t *task;
    struct waiter *next;
} waiter_t;

typedef struct lcache {
    cache_t *c;        /* NULL once closed */
    uv_timer_t *timer; /* malloc'd: libuv needs it until its close callback */
    int timer_armed;
    int failures; /* consecutive failed flushes */
    waiter_t *waiters;
    buf_t value;
    char *path;
} lcache_t;

static void on_uv_timer_closed(uv_handle_t *h)
{
    free(h);
}

static void wake_waiters(lcache_t *lc, int ok, const char *msg)
{
    waiter_t *w = lc->waiters;
    lc->waiters = NULL;
    while (w) {
        waiter_t *next = w->next;
        lua_State *co = sched_task_state(w->task);
        if (ok) {
            lua_pushboolean(co, 1);
            sched_wake(w->task, 1);
        } else {
            lua_pushnil(co);
            lua_pushstring(co, msg);
            sched_wake(w->task, 2);
        }
        free(w);
        w = next;
    }
}

static void on_uv_flush(uv_timer_t *t)
{
    lcache_t *lc = t->data;
    lc->timer_armed = 0;
    if (!lc->c) return;
    if (cache_flush(lc->c) >= 0) {
        lc->failures = 0;
        wake_waiters(lc, 1, NULL);
        return;
    }
    lc->failures++;
    if (lc->failures >= MAX_FLUSH_FAILURES) {
        char msg[512];
        snprintf(msg, sizeof msg, "call cache %s: cannot commit: %s", lc->path,
                 cache_errmsg(lc->c));
        wake_waiters(lc, 0, msg);
        lc->failures = 0;
        return;
    }
    /* Busy (another process writing) or a passing error: keep the rows, try again soon. */
    lc->timer_armed = 1;
    uv_timer_start(lc->timer, on_uv_flush, RETRY_DELAY_MS, 0);
}

static void arm(lcache_t *lc)
{
    if (lc->timer_armed || !lc->timer) return;
    lc->timer_armed = 1;
    uv_timer_start(lc->timer, on_uv_flush, FLUSH_DELAY_MS, 0);
}

/* Flushes what is left and closes the database and the timer; safe to call twice. */
static void lcache_close(lcache_t *lc)
{
    if (lc->c) {
        char err[512];
        int rc = cache_close(lc->c, err, sizeof err);
        lc->c = NULL;
        if (rc != 0) fprintf(stderr, "ratio: %s\n", err);
        wake_waiters(lc, rc == 0, "call cache closed before its last batch was committed");
    }
    if (lc->timer) {
        uv_timer_stop(lc->timer);
        uv_close((uv_handle_t *)lc->timer, on_uv_timer_closed);
        lc->timer = NULL;
    }
    buf_free(&lc->value);
    free(lc->path);
    lc->path = NULL;
}

static void on_shutdown(void *ud)
{
    lcache_close(ud);
}

static int l_open(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    int readonly = lua_toboolean(L, 2);
    lcache_t *lc = lua_newuserdatauv(L, sizeof *lc, 0);
    memset(lc, 0, sizeof *lc);
    luaL_setmetatable(L, CACHE_MT);
    char err[512];
    lc->c = cache_open(path, readonly, err, sizeof err);
    if (!lc->c) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    lc->path = strdup(path);
    lc->timer = malloc(sizeof *lc->timer);
    if (!lc->timer || !lc->path) return luaL_error(L, "out of memory");
    uv_timer_init(sched_loop(sched_get(L)), lc->timer);
    lc->timer->data = lc;
    /* The userdata must outlive the loop's last callback: anchor it, and close it at shutdown. */
    lua_pushvalue(L, -1);
    luaL_ref(L, LUA_REGISTRYINDEX);
    host_on_shutdown(L, on_shutdown, lc);
    return 1;
}

static lcache_t *check_open(lua_State *L)
{
    lcache_t *lc = luaL_checkudata(L, 1, CACHE_MT);
    if (!lc->c) luaL_error(L, "the call cache is closed");
    return lc;
}

static void push_meta(lua_State *L, const cache_entry_meta_t *m)
{
    lua_createtable(L, 0, 6);
    if (m->model) {
        lua_pushstring(L, m->model);
        lua_setfield(L, -2, "model");
    }
    if (m->provider) {
        lua_pushstring(L, m->provider);
        lua_setfield(L, -2, "provider");
    }
    lua_pushinteger(L, (lua_Integer)m->input_tokens);
    lua_setfield(L, -2, "input_tokens");
    lua_pushinteger(L, (lua_Integer)m->output_tokens);
    lua_setfield(L, -2, "output_tokens");
    lua_pushnumber(L, m->latency_ms);
    lua_setfield(L, -2, "latency_ms");
    lua_pushnumber(L, m->created_at);
    lua_setfield(L, -2, "created_at");
}

static int l_get(lua_State *L)
{
    lcache_t *lc = check_open(L);
    const char *key = luaL_checkstring(L, 2);
    cache_entry_meta_t meta;
    int rc = cache_get(lc->c, key, &lc->value, &meta);
    if (rc < 0) return luaL_error(L, "call cache %s: %s", lc->path, cache_errmsg(lc->c));
    if (rc == 0) return 0;
    lua_pushlstring(L, buf_cstr(&lc->value), lc->value.len);
    push_meta(L, &meta);
    return 2;
}

static int l_put(lua_State *L)
{
    lcache_t *lc = check_open(L);
    const char *key = luaL_checkstring(L, 2);
    size_t len;
    const char *value = luaL_checklstring(L, 3, &len);
    cache_entry_meta_t meta = {NULL, NULL, -1, -1, -1, 0};
    if (!lua_isnoneornil(L, 4)) {
        luaL_checktype(L, 4, LUA_TTABLE);
        meta.model = host_opt_string(L, 4, "model", NULL);
        meta.provider = host_opt_string(L, 4, "provider", NULL);
        meta.input_tokens = (int64_t)host_opt_number(L, 4, "input_tokens", -1);
        meta.output_tokens = (int64_t)host_opt_number(L, 4, "output_tokens", -1);
        meta.latency_ms = host_opt_number(L, 4, "latency_ms", -1);
    }
    if (cache_put(lc->c, key, value, len, &meta) != 0) {
        lua_pushnil(L);
        lua_pushstring(L, cache_errmsg(lc->c));
        return 2;
    }
    arm(lc);
    sched_task_t *t = sched_current(L);
    /* Not in a task, or asked not to wait: the next flush (or shutdown) commits it. */
    if (!t || !lua_isyieldable(L) || (lua_isboolean(L, 5) && !lua_toboolean(L, 5))) {
        lua_pushboolean(L, 1);
        return 1;
    }
    waiter_t *w = malloc(sizeof *w);
    if (!w) return luaL_error(L, "out of memory");
    w->task = t;
    w->next = lc->waiters;
    lc->waiters = w;
    return sched_suspend(L);
}

static int l_log(lua_State *L)
{
    lcache_t *lc = check_open(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    cache_log_entry_t e = {0};
    e.run_id = host_opt_string(L, 2, "run_id", NULL);
    e.key = host_opt_string(L, 2, "key", NULL);
    e.status = host_opt_string(L, 2, "status", NULL);
    e.attempts = (int)host_opt_number(L, 2, "attempts", 0);
    e.http_status = (int)host_opt_number(L, 2, "http_status", 0);
    e.error = host_opt_string(L, 2, "error", NULL);
    e.latency_ms = host_opt_number(L, 2, "latency_ms", -1);
    if (cache_log(lc->c, &e) != 0) return luaL_error(L, "call cache log: %s", cache_errmsg(lc->c));
    arm(lc);
    return 0;
}

static int l_flush(lua_State *L)
{
    lcache_t *lc = check_open(L);
    int rc = cache_flush(lc->c);
    if (rc < 0) {
        lua_pushnil(L);
        lua_pushstring(L, cache_errmsg(lc->c));
        return 2;
    }
    wake_waiters(lc, 1, NULL);
    lua_pushinteger(L, rc);
    return 1;
}

static int l_stats(lua_State *L)
{
    lcache_t *lc = check_open(L);
    cache_stats_t st;
    cache_stats(lc->c, &st);
    lua_createtable(L, 0, 8);
#define F(name) (lua_pushinteger(L, (lua_Integer)st.name), lua_setfield(L, -2, #name))
    F(hits);
    F(misses);
    F(puts);
    F(logs);
    F(flushes);
    F(flush_errors);
    F(rows_written);
    F(pending);
    F(calls_on_disk);
    F(log_on_disk);
#undef F
    return 1;
}

static int l_close(lua_State *L)
{
    lcache_close(luaL_checkudata(L, 1, CACHE_MT));
    return 0;
}

int luaopen_ratio_core_cache(lua_State *L)
{
    static const luaL_Reg methods[] = {{"get", l_get},     {"put", l_put},     {"log", l_log},
                                       {"flush", l_flush}, {"stats", l_stats}, {"close", l_close},
                                       {NULL, NULL}};
    static const luaL_Reg fns[] = {{"open", l_open}, {NULL, NULL}};
    host_new_class(L, CACHE_MT, methods, NULL); /* closed by its shutdown hook, not by __gc */
    luaL_newlib(L, fns);
    return 1;
}
