/* ratio.core.verdict: the judge-reply parser (core/match/verdict.h) from Lua.
 *
 *   parse(text [, {max_reasons = 256}]) -> {reasons = {"...", ...}, label = "A>B" | nil,
 *                                           issues = {name = true, ...}}
 *   label(text) -> "A>B" | nil      (a written verdict, normalised: `A >> B`, `tie`, `A≫B`, ...)
 *   swap(label) -> the label with A and B exchanged ("A>B" -> "B>A"), nil for anything else
 *
 * A reason spanning several lines comes back as one line: each run of white space holding a
 * newline becomes one space. */
#include <lauxlib.h>
#include <string.h>

#include "lua/bindings.h"
#include "lua/host.h"
#include "match/verdict.h"

/* The parse result lives in a userdata while its strings are pushed, so an out-of-memory error
 * raised part-way still frees it (through __gc). */
#define RESULT_MT "ratio.verdict.result"

static int result_close(lua_State *L)
{
    verdict_free(luaL_checkudata(L, 1, RESULT_MT));
    return 0;
}

/* Pushes text[b..e) with each white-space run that holds a newline turned into one space. */
static void push_joined(lua_State *L, const char *text, size_t b, size_t e)
{
    luaL_Buffer buf;
    luaL_buffinit(L, &buf);
    size_t i = b;
    while (i < e) {
        size_t j = i;
        int newline = 0;
        while (j < e && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r' || text[j] == '\n')) {
            newline |= text[j] == '\n';
            j++;
        }
        if (newline) {
            luaL_addchar(&buf, ' ');
            i = j;
        } else if (j > i) {
            luaL_addlstring(&buf, text + i, j - i);
            i = j;
        } else {
            luaL_addchar(&buf, text[i]);
            i++;
        }
    }
    luaL_pushresult(&buf);
}

static void push_issues(lua_State *L, unsigned issues)
{
    lua_newtable(L);
    for (int i = 0; i < VERDICT_ISSUE_COUNT; i++) {
        unsigned flag = 1u << i;
        if (issues & flag) {
            lua_pushboolean(L, 1);
            lua_setfield(L, -2, verdict_issue_name(flag));
        }
    }
}

static int l_parse(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    lua_Integer max = 0;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        lua_getfield(L, 2, "max_reasons");
        if (!lua_isnil(L, -1)) {
            max = luaL_checkinteger(L, -1);
            luaL_argcheck(L, max >= 1 && max <= 1000000, 2, "max_reasons must be 1..1000000");
        }
        lua_pop(L, 1);
    }
    verdict_result *res = lua_newuserdatauv(L, sizeof *res, 0);
    verdict_init(res);
    luaL_setmetatable(L, RESULT_MT);
    verdict_parse(text, len, (size_t)max, res);
    lua_createtable(L, 0, 3);
    lua_createtable(L, (int)res->n_reasons, 0);
    for (size_t i = 0; i < res->n_reasons; i++) {
        push_joined(L, text, res->reasons[i].begin, res->reasons[i].end);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "reasons");
    const char *label = verdict_label_name(res->label);
    if (label) {
        lua_pushstring(L, label);
        lua_setfield(L, -2, "label");
    }
    push_issues(L, res->issues);
    lua_setfield(L, -2, "issues");
    verdict_free(res);
    return 1;
}

static int l_label(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    const char *name = verdict_label_name(verdict_read_label(text, len));
    if (name)
        lua_pushstring(L, name);
    else
        lua_pushnil(L);
    return 1;
}

static int l_swap(lua_State *L)
{
    size_t len;
    const char *text = luaL_optlstring(L, 1, "", &len);
    const char *name = verdict_label_name(verdict_label_swap(verdict_read_label(text, len)));
    if (name)
        lua_pushstring(L, name);
    else
        lua_pushnil(L);
    return 1;
}

int luaopen_ratio_core_verdict(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"parse", l_parse},
        {"label", l_label},
        {"swap", l_swap},
        {NULL, NULL},
    };
    static const luaL_Reg no_methods[] = {{NULL, NULL}};
    host_new_class(L, RESULT_MT, no_methods, result_close);
    luaL_newlib(L, fns);
    return 1;
}
