/* Shared by the JSON-speaking bindings (json, jsonl, http...): Lua value <-> JSON text. */
#ifndef RATIO_JSON_LUA_H
#define RATIO_JSON_LUA_H

#include <lua.h>

#include "json/json.h"
#include "util/buf.h"

/* Ensures the array/object marker metatables exist. */
void json_lua_init_marks(lua_State *L);
/* Pushes the decoded value and returns 0, or pushes nothing, fills *err and returns -1. */
int json_lua_decode(lua_State *L, json_parser_t *parser, const char *s, size_t len, int max_depth,
                    json_error_t *err);
/* Appends the value at idx as JSON to *out (0), or writes why not to *err (-1). */
int json_lua_encode(lua_State *L, int idx, int indent, buf_t *out, buf_t *err);

#endif
