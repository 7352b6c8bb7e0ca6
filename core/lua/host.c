/* The Lua host: one lua_State, one libuv loop; boot.lua does the rest in Lua. */
#define _GNU_SOURCE
#include "lua/host.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/bindings.h"
#include "lua/sched.h"
#include "util/buf.h"
#include "util/lua_alloc.h"

typedef struct hook {
    host_shutdown_fn fn;
    void *ud;
    struct hook *next;
} hook_t;

static const char HOOKS_KEY = 'H';

void host_preload(lua_State *L, const char *name, lua_CFunction open)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushfstring(L, "ratio.core.%s", name);
    lua_pushcfunction(L, open);
    lua_settable(L, -3);
    lua_pop(L, 1);
}

void host_new_class(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction close)
{
    luaL_newmetatable(L, name);
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
    if (close) {
        lua_pushcfunction(L, close);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, close);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
}

/* Pushes field k of the options table at t; returns 0 (nothing pushed) when there is no table. */
static int opt_field(lua_State *L, int t, const char *k)
{
    if (lua_isnoneornil(L, t)) return 0;
    luaL_checktype(L, t, LUA_TTABLE);
    lua_getfield(L, t, k);
    if (!lua_isnil(L, -1)) return 1;
    lua_pop(L, 1);
    return 0;
}

/* The option k (its value on top of the stack) has the wrong type: an error that names it, where
 * luaL_check* would say "bad argument #-1". */
static int opt_type_error(lua_State *L, const char *k, const char *want)
{
    return luaL_error(L, "option '%s': %s expected, got %s", k, want, luaL_typename(L, -1));
}

lua_Integer host_opt_integer(lua_State *L, int t, const char *k, lua_Integer dflt)
{
    if (!opt_field(L, t, k)) return dflt;
    int ok;
    lua_Integer v = lua_tointegerx(L, -1, &ok);
    if (!ok) opt_type_error(L, k, "integer");
    lua_pop(L, 1);
    return v;
}

lua_Number host_opt_number(lua_State *L, int t, const char *k, lua_Number dflt)
{
    if (!opt_field(L, t, k)) return dflt;
    int ok;
    lua_Number v = lua_tonumberx(L, -1, &ok);
    if (!ok) opt_type_error(L, k, "number");
    lua_pop(L, 1);
    return v;
}

int host_opt_boolean(lua_State *L, int t, const char *k, int dflt)
{
    if (!opt_field(L, t, k)) return dflt;
    if (!lua_isboolean(L, -1)) opt_type_error(L, k, "boolean");
    int v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

const char *host_opt_string(lua_State *L, int t, const char *k, const char *dflt)
{
    if (!opt_field(L, t, k)) return dflt;
    const char *v = lua_tostring(L, -1);
    if (!v) opt_type_error(L, k, "string");
    lua_pop(L, 1);
    return v;
}

static hook_t **hooks_head(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &HOOKS_KEY);
    hook_t **head = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return head;
}

void host_on_shutdown(lua_State *L, host_shutdown_fn fn, void *ud)
{
    hook_t **head = hooks_head(L);
    hook_t *h = malloc(sizeof *h);
    if (!h) abort();
    h->fn = fn;
    h->ud = ud;
    h->next = *head;
    *head = h;
}

static void run_hooks(hook_t **head)
{
    while (*head) {
        hook_t *h = *head;
        *head = h->next;
        h->fn(h->ud);
        free(h);
    }
}

/* Message handler for protected calls into boot.lua: keeps the message, adds a traceback. */
static int on_lua_error(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) msg = luaL_tolstring(L, 1, NULL);
    luaL_traceback(L, L, msg, 1);
    return 1;
}

static void set_path(lua_State *L, const char *field, const char *value)
{
    lua_getglobal(L, "package");
    lua_pushstring(L, value);
    lua_setfield(L, -2, field);
    lua_pop(L, 1);
}

/* luaL_newstate's panic function, which lua_newstate does not install: reports the error that
 * escaped every protected call; Lua then aborts. */
static int on_lua_panic(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);
    if (!msg) msg = "error object is not a string";
    fprintf(stderr, "ratio: PANIC: unprotected error in call to Lua API (%s)\n", msg);
    fflush(stderr);
    return 0;
}

/* The warning function (warn() and errors in finalizers), like luaL_newstate's: off until a
 * "@on" control message, back off on "@off"; a message may come in pieces (tocont). */
typedef struct warn_state {
    int on;
    int cont; /* the next piece continues a message */
} warn_state_t;

static void on_lua_warning(void *ud, const char *msg, int tocont)
{
    warn_state_t *w = ud;
    int first = !w->cont;
    w->cont = tocont;
    if (first && !tocont && msg[0] == '@') { /* a control message is a whole message */
        if (strcmp(msg + 1, "on") == 0)
            w->on = 1;
        else if (strcmp(msg + 1, "off") == 0)
            w->on = 0;
        return;
    }
    if (!w->on) return;
    if (first) fputs("Lua warning: ", stderr);
    fputs(msg, stderr);
    if (!tocont) fputc('\n', stderr);
    fflush(stderr);
}

static void on_uv_walk_report(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        fprintf(stderr, "ratio: internal: a %s handle was left open at exit\n",
                uv_handle_type_name(h->type));
}

/* Calls boot[fname] with the nargs values on the stack; leaves nres results or an error message. */
static int call_boot(lua_State *L, int boot, const char *fname, int nargs, int nres)
{
    int base = lua_gettop(L) - nargs + 1;
    lua_pushcfunction(L, on_lua_error);
    lua_getfield(L, boot, fname);
    lua_rotate(L, base, 2); /* handler, function, args... */
    int rc = lua_pcall(L, nargs, nres, base);
    lua_remove(L, base);
    return rc;
}

int host_run(const char *root, const char *recipe, int argc, char **argv)
{
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0) {
        fputs("ratio: cannot create the event loop\n", stderr);
        return 1;
    }
    /* The allocator outlives the state: lua_close frees through it. */
    lua_alloc_t *alloc = lua_alloc_new();
    lua_State *L = alloc ? lua_newstate(lua_alloc_fn, alloc) : NULL;
    if (!L) {
        fputs("ratio: cannot create the Lua state (out of memory)\n", stderr);
        lua_alloc_free(alloc);
        return 1;
    }
    warn_state_t warn = {0, 0};
    lua_atpanic(L, on_lua_panic);
    lua_setwarnf(L, on_lua_warning, &warn);
    luaL_openlibs(L);
    hook_t *hooks = NULL;
    lua_pushlightuserdata(L, &hooks);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &HOOKS_KEY);

    buf_t path;
    buf_init(&path);
    buf_printf(&path,
               "%s/scripts/?.lua;%s/scripts/?/init.lua;%s/plugins/?.lua;%s/plugins/?/init.lua",
               root, root, root, root);
    set_path(L, "path", buf_cstr(&path));
    buf_free(&path);

    sched_t *s = sched_open(L, &loop);
    host_preload(L, "json", luaopen_ratio_core_json);
    host_preload(L, "sys", luaopen_ratio_core_sys);
    host_preload(L, "jsonl", luaopen_ratio_core_jsonl);
    host_preload(L, "cache", luaopen_ratio_core_cache);
    host_preload(L, "http", luaopen_ratio_core_http);
    host_preload(L, "httpd", luaopen_ratio_core_httpd);
    host_preload(L, "metrics", luaopen_ratio_core_metrics);
    host_preload(L, "match", luaopen_ratio_core_match);
    host_preload(L, "stats", luaopen_ratio_core_stats);
    host_preload(L, "verdict", luaopen_ratio_core_verdict);

    int code = 1;
    lua_getglobal(L, "require");
    lua_pushstring(L, "ratio.boot");
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        fprintf(stderr, "ratio: cannot load the ratio library from %s/scripts: %s\n", root,
                lua_tostring(L, -1));
        goto done;
    }
    int boot = lua_gettop(L);

    /* boot.start(root, recipe, {args...}) spawns the recipe's main task. */
    lua_pushstring(L, root);
    lua_pushstring(L, recipe);
    lua_createtable(L, argc, 0);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i + 1);
    }
    if (call_boot(L, boot, "start", 3, 0) != LUA_OK) {
        fprintf(stderr, "ratio: %s\n", lua_tostring(L, -1));
        goto done;
    }

    uv_run(&loop, UV_RUN_DEFAULT);

    /* boot.finish(stopped, code, message) prints what is owed and returns the exit status. */
    lua_pushboolean(L, sched_stopping(s));
    lua_pushinteger(L, sched_exit_code(s));
    if (sched_message(s))
        lua_pushstring(L, sched_message(s));
    else
        lua_pushnil(L);
    if (call_boot(L, boot, "finish", 3, 1) != LUA_OK) {
        fprintf(stderr, "ratio: %s\n", lua_tostring(L, -1));
        code = 1;
    } else {
        code = (int)luaL_optinteger(L, -1, 1);
    }

done:
    /* Shut down in order: bindings cancel their work and close their handles, then the scheduler
     * closes its own; the loop runs until every close callback has fired, and only then is the
     * Lua state (whose finalizers must find every handle already closed) destroyed. */
    run_hooks(&hooks);
    sched_close_handles(s);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0) {
        uv_walk(&loop, on_uv_walk_report, NULL);
        if (code == 0) code = 1;
    }
    sched_close(s);
    lua_close(L);
    lua_alloc_free(alloc);
    fflush(stdout);
    return code;
}
