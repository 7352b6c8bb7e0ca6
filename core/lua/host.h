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

/* Adds a `ratio.core.<name>` module loader (bindings call this from host_open_bindings). */
void host_preload(lua_State *L, const char *name, lua_CFunction open);

#endif
