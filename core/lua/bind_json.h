/* bind_json: Lua value <-> JSON text, for the JSON-speaking bindings (json, jsonl). */
#ifndef RATIO_BIND_JSON_H
#define RATIO_BIND_JSON_H

#include <lua.h>

#include "json/json.h"
#include "util/buf.h"

/* Ensures the array/object marker metatables exist. */
void bind_json_init_marks(lua_State *L);
/* Pushes the decoded value (recording a top-level object's key order for json.keys when keys is
 * non-zero) and returns 0, or pushes nothing, fills *err and returns -1. */
int bind_json_decode(lua_State *L, json_parser_t *parser, const char *s, size_t len, int max_depth,
                     int keys, json_error_t *err);
/* Appends the value at idx as JSON to *out (0), or writes why not to *err (-1). */
int bind_json_encode(lua_State *L, int idx, int indent, buf_t *out, buf_t *err);

#endif
