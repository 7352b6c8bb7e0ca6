/* ratio.core.metrics: the MetaJudge score-block parser and the checklist metrics, from Lua.
 *
 *   parse(text [, policy]) -> {triples = {{r, s, score}, ...}, issues = {name = true, ...},
 *                              n_lines, n_blocks}
 *   score(reply, n_human, n_model [, {mode="paper"|"reference", policy=, top_k=,
 *         max_checklist_len=, clamp_scores=}]) -> {status, reason, precision, recall, f1, ap,
 *         s_total, n_used, n_matched, match = {S for R1, ...} (paper), issues = {...},
 *         pairs = {{r=, s=, score=, counted=}, ...}}
 *     reply: nil (no reply), a MetaJudge reply text, or a matcher's record: {pairs = {{r=, s=,
 *     score=}, ...}} (one entry per score line, read as is: nothing is rendered or parsed) or
 *     {reply = text} (an LLM's reply, parsed here with the mode's policy). pairs are the matched
 *     pairs the metrics stand for (checklist_matches), so no caller parses the reply again.
 *   split_think(text) -> answer, reasoning | nil: a leading <think> section set apart (see
 *         scoreblock_skip_think); the answer has its surrounding white space trimmed
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

static int is_blank(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static int l_split_think(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    size_t start = scoreblock_skip_think(text, len);
    if (start == 0) {
        lua_settop(L, 1);
        lua_pushnil(L);
        return 2;
    }
    size_t a = start, z = len;
    while (a < z && is_blank(text[a]))
        a++;
    while (z > a && is_blank(text[z - 1]))
        z--;
    lua_pushlstring(L, text + a, z - a);
    /* the reasoning without its tags */
    size_t rb = 0, re = start;
    while (rb < re && is_blank(text[rb]))
        rb++;
    if (re - rb >= 7 && !memcmp(text + rb, "<think>", 7)) rb += 7;
    if (re - rb >= 8 && !memcmp(text + re - 8, "</think>", 8)) re -= 8;
    lua_pushlstring(L, text + rb, re - rb);
    return 2;
}

/* Reads record.pairs (at index idx) into a triple array the caller frees. */
static scoreblock_triple *read_pairs(lua_State *L, int idx, size_t *n_out)
{
    lua_Integer n = luaL_len(L, idx);
    scoreblock_triple *t = calloc(n > 0 ? (size_t)n : 1, sizeof *t);
    if (!t) luaL_error(L, "score: out of memory");
    for (lua_Integer k = 1; k <= n; k++) {
        lua_rawgeti(L, idx, k);
        int ok = lua_istable(L, -1);
        lua_Integer r = 0, sv = 0;
        double score = 0;
        if (ok) {
            lua_getfield(L, -1, "r");
            lua_getfield(L, -2, "s");
            lua_getfield(L, -3, "score");
            int isnum;
            r = lua_tointegerx(L, -3, &isnum);
            ok = isnum && r >= 0 && r <= SCOREBLOCK_NUM_CAP;
            sv = lua_tointegerx(L, -2, &isnum);
            ok = ok && isnum && sv >= 0 && sv <= SCOREBLOCK_NUM_CAP;
            score = lua_tonumberx(L, -1, &isnum);
            ok = ok && isnum && score >= 0 && score <= 1e300;
            lua_pop(L, 3);
        }
        lua_pop(L, 1);
        if (!ok) {
            free(t);
            luaL_error(L,
                       "score: record.pairs[%d] must be {r = integer >= 0, s = integer >= 0, "
                       "score = finite number >= 0}",
                       (int)k);
        }
        t[k - 1] = (scoreblock_triple){(int)r, (int)sv, score, 0};
    }
    *n_out = (size_t)n;
    return t;
}

static void push_matches(lua_State *L, const checklist_match *m, size_t n)
{
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_createtable(L, 0, 4);
        lua_pushinteger(L, m[i].r);
        lua_setfield(L, -2, "r");
        lua_pushinteger(L, m[i].s);
        lua_setfield(L, -2, "s");
        lua_pushnumber(L, m[i].score);
        lua_setfield(L, -2, "score");
        lua_pushboolean(L, m[i].counted);
        lua_setfield(L, -2, "counted");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

#define SETNUM(name, v) (lua_pushnumber(L, (v)), lua_setfield(L, -2, name))
#define SETINT(name, v) (lua_pushinteger(L, (v)), lua_setfield(L, -2, name))

static int l_score(lua_State *L)
{
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
    checklist_paper_opts po;
    checklist_paper_opts_default(&po);
    checklist_reference_opts ro;
    checklist_reference_opts_default(&ro);
    po.top_k = (int)host_opt_integer(L, 4, "top_k", po.top_k);
    ro.top_k = (int)host_opt_integer(L, 4, "top_k", ro.top_k);
    ro.max_checklist_len = (int)host_opt_integer(L, 4, "max_checklist_len", ro.max_checklist_len);
    if (!lua_isnoneornil(L, 4)) {
        lua_getfield(L, 4, "clamp_scores");
        po.clamp_scores = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    size_t len = 0, n_pairs = 0;
    const char *text = NULL;
    scoreblock_triple *given = NULL; /* a record's pairs */
    if (lua_istable(L, 1)) {
        lua_getfield(L, 1, "pairs");
        lua_getfield(L, 1, "reply");
        if (lua_istable(L, -2))
            given = read_pairs(L, lua_absindex(L, -2), &n_pairs);
        else if (lua_type(L, -1) == LUA_TSTRING)
            text = lua_tolstring(L, -1, &len); /* stays alive: the record holds it */
        else
            return luaL_argerror(L, 1, "a record needs pairs = {...} or reply = text");
        lua_pop(L, 2);
    } else if (!lua_isnil(L, 1)) {
        text = luaL_checklstring(L, 1, &len);
    }
    /* read last: nothing below raises before given is freed */
    int have_reply = text != NULL || given != NULL;
    scoreblock_result res;
    scoreblock_init(&res);
    if (given)
        checklist_reply_of_pairs(given, n_pairs, &res);
    else if (text)
        scoreblock_parse(text, len, policy, SCOREBLOCK_MAX_TRIPLES_DEFAULT, &res);
    checklist_item item;
    int *match = NULL, top_k;
    if (paper) {
        top_k = po.top_k;
        if (n_human > 0) match = calloc((size_t)n_human, sizeof *match);
        checklist_paper(have_reply ? &res : NULL, (int)n_human, (int)n_model, &po, &item, match);
    } else {
        top_k = ro.top_k;
        checklist_reference(have_reply ? &res : NULL, (int)n_human, (int)n_model, &ro, &item);
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
    /* The matched pairs, for scored items only (an error or a skip stands for no pairing). */
    size_t n_m = 0;
    checklist_match *m = NULL;
    if (have_reply && n_human > 0 &&
        (item.status == CHECKLIST_VALID || item.status == CHECKLIST_PARTIAL)) {
        m = calloc((size_t)n_human, sizeof *m);
        if (m) n_m = checklist_matches(&res, (int)n_human, (int)n_model, top_k, match, m);
    }
    push_matches(L, m, n_m);
    lua_setfield(L, -2, "pairs");
    free(m);
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
    if (given)
        free(given);
    else
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
    static const luaL_Reg fns[] = {{"parse", l_parse},
                                   {"split_think", l_split_think},
                                   {"score", l_score},
                                   {"summary", l_summary},
                                   {NULL, NULL}};
    host_new_class(L, SUMMARY_MT, summary_methods, NULL);
    luaL_newlib(L, fns);
    return 1;
}
