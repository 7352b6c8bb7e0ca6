/* ratio.core.jsonl: streaming JSON Lines files as Lua values.
 *
 *   open(path [, {max_line=, max_depth=}]) -> reader | nil, message
 *     reader:read() -> value, lineno | nil (end) | nil, "PATH:LINE: what is wrong", lineno
 *     reader:lineno(), reader:close()
 *   writer(path [, {append=}]) -> writer | nil, message
 *     writer:write(value) -> true | nil, message;  writer:write_raw(json_text)
 *     writer:flush(), writer:close(), writer:recovered() -> bytes cut from a torn last line
 *
 * The policy for bad lines (stop or skip-and-count) is the Lua library's
 * (scripts/ratio/runtime/jsonl.lua); this layer only reports each one precisely. Readers and
 * writers close on __gc and __close. */
#define _GNU_SOURCE
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "json/jsonl.h"
#include "lua/bindings.h"
#include "lua/host.h"
#include "lua/bind_json.h"

#define READER_MT "ratio.jsonl.reader"
#define WRITER_MT "ratio.jsonl.writer"

typedef struct lreader {
    jsonl_reader_t *r; /* NULL once closed */
    json_parser_t parser;
    int max_depth;
    char *path;
} lreader_t;

typedef struct lwriter {
    jsonl_writer_t *w; /* NULL once closed */
    buf_t line, err;
} lwriter_t;

static int l_open(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lua_Integer max_line = 0;
    int max_depth = (int)host_opt_integer(L, 2, "max_depth", JSON_DEFAULT_MAX_DEPTH);
    if (!lua_isnoneornil(L, 2)) {
        lua_getfield(L, 2, "max_line");
        max_line = luaL_optinteger(L, -1, 0);
        lua_pop(L, 1);
        luaL_argcheck(L, max_line >= 0, 2, "max_line must be >= 0");
    }
    /* Created "already closed" so a failure part-way leaves a consistent object for __gc. */
    lreader_t *lr = lua_newuserdatauv(L, sizeof *lr, 0);
    memset(lr, 0, sizeof *lr);
    json_parser_init(&lr->parser);
    lr->max_depth = max_depth;
    luaL_setmetatable(L, READER_MT);
    char err[512];
    lr->r = jsonl_open(path, (size_t)max_line, err, sizeof err);
    if (!lr->r) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    lr->path = strdup(path);
    return 1;
}

static lreader_t *check_reader(lua_State *L)
{
    lreader_t *lr = luaL_checkudata(L, 1, READER_MT);
    if (!lr->r) luaL_error(L, "jsonl reader is closed");
    return lr;
}

static int l_read(lua_State *L)
{
    lreader_t *lr = check_reader(L);
    const char *line;
    size_t len;
    int rc = jsonl_next(lr->r, &line, &len);
    if (rc == 0) return 0;
    lua_Integer lineno = jsonl_lineno(lr->r);
    if (rc < 0) {
        lua_pushnil(L);
        lua_pushstring(L, jsonl_error(lr->r));
        lua_pushinteger(L, lineno);
        return 3;
    }
    json_error_t jerr;
    if (bind_json_decode(L, &lr->parser, line, len, lr->max_depth, 1, &jerr) != 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s:%I: invalid JSON at column %d: %s", lr->path, lineno,
                        (int)jerr.column, jerr.message);
        lua_pushinteger(L, lineno);
        return 3;
    }
    lua_pushinteger(L, lineno);
    return 2;
}

static int l_reader_lineno(lua_State *L)
{
    lreader_t *lr = luaL_checkudata(L, 1, READER_MT);
    lua_pushinteger(L, lr->r ? jsonl_lineno(lr->r) : 0);
    return 1;
}

static int l_reader_path(lua_State *L)
{
    lreader_t *lr = luaL_checkudata(L, 1, READER_MT);
    lua_pushstring(L, lr->path ? lr->path : "");
    return 1;
}

/* One function serves :close(), __close and __gc; closing twice is harmless. */
static int l_reader_close(lua_State *L)
{
    lreader_t *lr = luaL_checkudata(L, 1, READER_MT);
    jsonl_close(lr->r);
    lr->r = NULL;
    json_parser_free(&lr->parser);
    free(lr->path);
    lr->path = NULL;
    return 0;
}

static int l_writer(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    int append = 0;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        lua_getfield(L, 2, "append");
        append = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    lwriter_t *lw = lua_newuserdatauv(L, sizeof *lw, 0);
    memset(lw, 0, sizeof *lw);
    luaL_setmetatable(L, WRITER_MT);
    char err[512];
    lw->w = jsonl_writer_open(path, append, err, sizeof err);
    if (!lw->w) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    return 1;
}

static lwriter_t *check_writer(lua_State *L)
{
    lwriter_t *lw = luaL_checkudata(L, 1, WRITER_MT);
    if (!lw->w) luaL_error(L, "jsonl writer is closed");
    return lw;
}

static int push_write_result(lua_State *L, lwriter_t *lw, int rc)
{
    if (rc != 0) {
        lua_pushnil(L);
        lua_pushstring(L, jsonl_writer_error(lw->w));
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int l_write(lua_State *L)
{
    lwriter_t *lw = check_writer(L);
    luaL_checkany(L, 2);
    buf_reset(&lw->line);
    if (bind_json_encode(L, 2, 0, &lw->line, &lw->err) != 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "jsonl write: cannot write %s", buf_cstr(&lw->err));
        return 2;
    }
    return push_write_result(L, lw, jsonl_write(lw->w, buf_cstr(&lw->line), lw->line.len));
}

static int l_write_raw(lua_State *L)
{
    lwriter_t *lw = check_writer(L);
    size_t len;
    const char *s = luaL_checklstring(L, 2, &len);
    return push_write_result(L, lw, jsonl_write(lw->w, s, len));
}

static int l_flush(lua_State *L)
{
    lwriter_t *lw = check_writer(L);
    return push_write_result(L, lw, jsonl_flush(lw->w));
}

static int l_recovered(lua_State *L)
{
    lwriter_t *lw = check_writer(L);
    lua_pushinteger(L, (lua_Integer)jsonl_writer_recovered_bytes(lw->w));
    return 1;
}

static int l_writer_close(lua_State *L)
{
    lwriter_t *lw = luaL_checkudata(L, 1, WRITER_MT);
    int rc = 0;
    char err[512] = "";
    if (lw->w) rc = jsonl_writer_close(lw->w, err, sizeof err);
    lw->w = NULL;
    buf_free(&lw->line);
    buf_free(&lw->err);
    if (rc != 0) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

int luaopen_ratio_core_jsonl(lua_State *L)
{
    static const luaL_Reg reader_methods[] = {{"read", l_read},
                                              {"lineno", l_reader_lineno},
                                              {"path", l_reader_path},
                                              {"close", l_reader_close},
                                              {NULL, NULL}};
    static const luaL_Reg writer_methods[] = {{"write", l_write},        {"write_raw", l_write_raw},
                                              {"flush", l_flush},        {"recovered", l_recovered},
                                              {"close", l_writer_close}, {NULL, NULL}};
    static const luaL_Reg fns[] = {{"open", l_open}, {"writer", l_writer}, {NULL, NULL}};
    bind_json_init_marks(L);
    host_new_class(L, READER_MT, reader_methods, l_reader_close);
    host_new_class(L, WRITER_MT, writer_methods, l_writer_close);
    luaL_newlib(L, fns);
    return 1;
}
