/* host: the one Lua state of a run, its libuv loop, and the order in which they are torn down. */
#ifndef RATIO_HOST_H
#define RATIO_HOST_H

#include <lauxlib.h>
#include <lua.h>

typedef void (*host_shutdown_fn)(void *ud);

/* Runs `ratio run RECIPE ARGS...`: returns the process exit status. `root` holds scripts/ and
 * plugins/. */
int host_run(const char *root, const char *recipe, int argc, char **argv);

/* Registers fn to run when the run ends, before the loop is drained and closed: bindings use it to
 * cancel requests and close their handles. Hooks run in reverse order of registration. */
void host_on_shutdown(lua_State *L, host_shutdown_fn fn, void *ud);

/* Creates the metatable `name` for a binding's userdata: methods as __index, and `close` (may be
 * NULL) as __gc and __close, so one function serves :close(), garbage collection and <close>. */
void host_new_class(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction close);

/* Options tables of binding calls: the field k of the table at index t, or dflt when the table is
 * absent (none or nil) or the field is nil; a field of the wrong type (or a non-table) raises. */
lua_Integer host_opt_integer(lua_State *L, int t, const char *k, lua_Integer dflt);
lua_Number host_opt_number(lua_State *L, int t, const char *k, lua_Number dflt);
int host_opt_boolean(lua_State *L, int t, const char *k, int dflt);
/* The string stays valid while the options table holds it. */
const char *host_opt_string(lua_State *L, int t, const char *k, const char *dflt);

/* Adds a `ratio.core.<name>` module loader (bindings call this from host_open_bindings). */
void host_preload(lua_State *L, const char *name, lua_CFunction open);

#endif
