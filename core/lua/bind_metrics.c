/* ratio.core.metrics: the MetaJudge score-block parser and the checklist metrics, from Lua.
 *
 *   parse(text [, policy]) -> {triples = {{r, s, score}, ...}, issues = {name = true, ...},
 *                              n_lines, n_blocks}
 *   score(text_or_nil, n_human, n_model [, {mode="paper"|"reference", policy=, top_k=,
 *         max_checklist_len=, clamp_scores=}]) -> {status, reason, precision, recall, f1, ap,
 *         s_total, n_used, n_matched, match = {S for R1, ...} (paper), issues = {...}}
 *   summary() -> acc;  acc:add(item);  acc:totals() -> {n_total, n_valid, ..., precision,
 *         recall, f1, ap, precision_std, recall_std, f1_std, ap_std}
 *
 * The policy defaults to the mode's own: reference mode reads replies as the published script
 * does; paper mode reads them tolerantly. */
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "lua/bindings.h"
#include "lua/host.h"
#include "match/scoreblock.h"
#include "metrics/checklist.h"

#define SUMMARY_MT "ratio.metrics.summary"

static scoreblock_policy check_policy(lua_State *L, const char *name, scoreblock_policy dflt)
{
    if (!name) return dflt;
    if (!strcmp(name, "reference")) return SCOREBLOCK_REFERENCE;
    if (!strcmp(name, "tolerant")) return SCOREBLOCK_TOLERANT;
    luaL_error(L, "policy must be \"reference\" or \"tolerant\", got '%s'", name);
    return dflt;
}

static void push_issues(lua_State *L, unsigned issues)
{
    lua_newtable(L);
    for (int i = 0; i < SCOREBLOCK_ISSUE_COUNT; i++) {
        unsigned flag = 1u << i;
        if (issues & flag) {
            lua_pushboolean(L, 1);
            lua_setfield(L, -2, scoreblock_issue_name(flag));
        }
    }
}

static int l_parse(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    scoreblock_policy policy =
        check_policy(L, luaL_optstring(L, 2, "tolerant"), SCOREBLOCK_TOLERANT);
    scoreblock_result res;
    scoreblock_init(&res);
    scoreblock_parse(text, len, policy, SCOREBLOCK_MAX_TRIPLES_DEFAULT, &res);
    lua_createtable(L, 0, 4);
    lua_createtable(L, (int)res.n, 0);
    for (size_t i = 0; i < res.n; i++) {
        lua_createtable(L, 3, 0);
        lua_pushinteger(L, res.triples[i].r);
        lua_rawseti(L, -2, 1);
        lua_pushinteger(L, res.triples[i].s);
        lua_rawseti(L, -2, 2);
        lua_pushnumber(L, res.triples[i].score);
        lua_rawseti(L, -2, 3);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "triples");
    push_issues(L, res.issues);
    lua_setfield(L, -2, "issues");
    lua_pushinteger(L, (lua_Integer)res.n_lines);
    lua_setfield(L, -2, "n_lines");
    lua_pushinteger(L, (lua_Integer)res.n_blocks);
    lua_setfield(L, -2, "n_blocks");
    scoreblock_free(&res);
    return 1;
}

#define SETNUM(name, v) (lua_pushnumber(L, (v)), lua_setfield(L, -2, name))
#define SETINT(name, v) (lua_pushinteger(L, (v)), lua_setfield(L, -2, name))

static int l_score(lua_State *L)
{
    size_t len = 0;
    const char *text = lua_isnil(L, 1) ? NULL : luaL_checklstring(L, 1, &len);
    lua_Integer n_human = luaL_checkinteger(L, 2), n_model = luaL_checkinteger(L, 3);
    luaL_argcheck(L, n_human >= -1 && n_human < 1000000, 2, "out of range");
    luaL_argcheck(L, n_model >= -1 && n_model < 1000000, 3, "out of range");
    if (!lua_isnoneornil(L, 4)) luaL_checktype(L, 4, LUA_TTABLE);
    const char *mode = host_opt_string(L, 4, "mode", "paper");
    int paper = !strcmp(mode, "paper");
    if (!paper && strcmp(mode, "reference") != 0)
        return luaL_error(L, "mode must be \"paper\" or \"reference\", got '%s'", mode);
    scoreblock_policy policy = check_policy(L, host_opt_string(L, 4, "policy", NULL),
                                            paper ? SCOREBLOCK_TOLERANT : SCOREBLOCK_REFERENCE);
    scoreblock_result res;
    scoreblock_init(&res);
    if (text) scoreblock_parse(text, len, policy, SCOREBLOCK_MAX_TRIPLES_DEFAULT, &res);
    checklist_item item;
    int *match = NULL;
    if (paper) {
        checklist_paper_opts o;
        checklist_paper_opts_default(&o);
        o.top_k = (int)host_opt_integer(L, 4, "top_k", o.top_k);
        if (!lua_isnoneornil(L, 4)) {
            lua_getfield(L, 4, "clamp_scores");
            o.clamp_scores = lua_toboolean(L, -1);
            lua_pop(L, 1);
        }
        if (n_human > 0) match = calloc((size_t)n_human, sizeof *match);
        checklist_paper(text ? &res : NULL, (int)n_human, (int)n_model, &o, &item, match);
    } else {
        checklist_reference_opts o;
        checklist_reference_opts_default(&o);
        o.max_checklist_len = (int)host_opt_integer(L, 4, "max_checklist_len", o.max_checklist_len);
        o.top_k = (int)host_opt_integer(L, 4, "top_k", o.top_k);
        checklist_reference(text ? &res : NULL, (int)n_human, (int)n_model, &o, &item);
    }
    lua_createtable(L, 0, 12);
    lua_pushstring(L, checklist_status_name(item.status));
    lua_setfield(L, -2, "status");
    lua_pushstring(L, checklist_reason_name(item.reason));
    lua_setfield(L, -2, "reason");
    SETNUM("precision", item.precision);
    SETNUM("recall", item.recall);
    SETNUM("f1", item.f1);
    SETNUM("ap", item.ap);
    SETNUM("s_total", item.s_total);
    SETINT("n_human", item.n_human);
    SETINT("n_used", item.n_used);
    SETINT("n_matched", item.n_matched);
    if (match) {
        lua_createtable(L, (int)n_human, 0);
        for (lua_Integer i = 0; i < n_human; i++) {
            lua_pushinteger(L, match[i]);
            lua_rawseti(L, -2, i + 1);
        }
        lua_setfield(L, -2, "match");
        free(match);
    }
    push_issues(L, res.issues);
    lua_setfield(L, -2, "issues");
    scoreblock_free(&res);
    return 1;
}

/* ---- summary ------------------------------------------------------------------------------ */

static const char *const STATUS_NAMES[] = {"valid",    "partial", "skipped",
                                           "unscored", "error",   NULL};
static const checklist_status STATUS_VALUES[] = {
    CHECKLIST_VALID, CHECKLIST_PARTIAL, CHECKLIST_SKIPPED, CHECKLIST_UNSCORED, CHECKLIST_ERROR};

static int l_summary(lua_State *L)
{
    checklist_summary *s = lua_newuserdatauv(L, sizeof *s, 0);
    checklist_summary_init(s);
    luaL_setmetatable(L, SUMMARY_MT);
    return 1;
}

static double field_num(lua_State *L, int t, const char *k)
{
    lua_getfield(L, t, k);
    double v = lua_isnil(L, -1) ? 0.0 : luaL_checknumber(L, -1);
    lua_pop(L, 1);
    return v;
}

/* acc:add(item): item is a table as score() returns (status, precision, recall, f1, ap). */
static int l_summary_add(lua_State *L)
{
    checklist_summary *s = luaL_checkudata(L, 1, SUMMARY_MT);
    luaL_checktype(L, 2, LUA_TTABLE);
    checklist_item item;
    memset(&item, 0, sizeof item);
    lua_getfield(L, 2, "status");
    const char *name = luaL_checkstring(L, -1);
    int i = 0;
    while (STATUS_NAMES[i] && strcmp(STATUS_NAMES[i], name) != 0)
        i++;
    if (!STATUS_NAMES[i]) return luaL_error(L, "summary:add: unknown status '%s'", name);
    lua_pop(L, 1);
    item.status = STATUS_VALUES[i];
    item.precision = field_num(L, 2, "precision");
    item.recall = field_num(L, 2, "recall");
    item.f1 = field_num(L, 2, "f1");
    item.ap = field_num(L, 2, "ap");
    checklist_summary_add(s, &item);
    return 0;
}

static int l_summary_totals(lua_State *L)
{
    checklist_summary *s = luaL_checkudata(L, 1, SUMMARY_MT);
    checklist_totals t;
    checklist_summary_totals(s, &t);
    lua_createtable(L, 0, 14);
    SETINT("n_total", (lua_Integer)t.n_total);
    SETINT("n_valid", (lua_Integer)t.n_valid);
    SETINT("n_partial", (lua_Integer)t.n_partial);
    SETINT("n_skipped", (lua_Integer)t.n_skipped);
    SETINT("n_unscored", (lua_Integer)t.n_unscored);
    SETINT("n_error", (lua_Integer)t.n_error);
    SETNUM("precision", t.precision);
    SETNUM("recall", t.recall);
    SETNUM("f1", t.f1);
    SETNUM("ap", t.ap);
    SETNUM("precision_std", t.precision_std);
    SETNUM("recall_std", t.recall_std);
    SETNUM("f1_std", t.f1_std);
    SETNUM("ap_std", t.ap_std);
    return 1;
}

int luaopen_ratio_core_metrics(lua_State *L)
{
    static const luaL_Reg summary_methods[] = {
        {"add", l_summary_add}, {"totals", l_summary_totals}, {NULL, NULL}};
    static const luaL_Reg fns[] = {
        {"parse", l_parse}, {"score", l_score}, {"summary", l_summary}, {NULL, NULL}};
    host_new_class(L, SUMMARY_MT, summary_methods, NULL);
    luaL_newlib(L, fns);
    return 1;
}
