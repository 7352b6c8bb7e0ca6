/* Every binding module's opener. Each lives in its own core/lua/bind_<name>.c and is registered as
 * `ratio.core.<name>` by host.c. */
#ifndef RATIO_BINDINGS_H
#define RATIO_BINDINGS_H

#include <lua.h>

int luaopen_ratio_core_json(lua_State *L);
int luaopen_ratio_core_sys(lua_State *L);
int luaopen_ratio_core_jsonl(lua_State *L);
int luaopen_ratio_core_cache(lua_State *L);
int luaopen_ratio_core_http(lua_State *L);
int luaopen_ratio_core_httpd(lua_State *L);
int luaopen_ratio_core_metrics(lua_State *L);
int luaopen_ratio_core_match(lua_State *L);
int luaopen_ratio_core_stats(lua_State *L);
int luaopen_ratio_core_verdict(lua_State *L);

#endif
