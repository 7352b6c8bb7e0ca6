/* ratio.core.match: similarity and assignment kernels for matchers that need no LLM.
 *
 *   tokens(text) -> {token, ...}
 *   jaccard(a, b), char3(a, b) -> similarity in [0, 1]
 *   corpus(docs) -> c;  c:bm25(query, doc [, k1, b]);  c:idf(term);  c:docs()
 *   cosine_matrix(A, B) -> rows x cols cosine similarities (A, B: lists of number vectors)
 *   hungarian(W) / greedy(W) -> total, {col for row 1, ...} (0 = unmatched)
 *   assign_pairs(W [, n_rows]) -> total, {{r=, s=, score=}, ...}: one pair per row 1..n_rows
 *     (default #W), a maximum-weight one-to-one assignment; a row left without a positive weight
 *     gets s = 0, score = 0 — the lines a MetaJudge is told to write, as numbers
 *   to_scale(sim, {t1, t2, t3, t4}) -> 0 | 0.25 | 0.5 | 0.75 | 1 */
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "lua/bindings.h"
#include "lua/host.h"
#include "match/assign.h"
#include "match/similarity.h"

#define CORPUS_MT "ratio.match.corpus"

static int l_tokens(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    sim_tokens t;
    sim_tokens_init(&t);
    sim_tokenize(s, len, 0, &t);
    lua_createtable(L, (int)t.n, 0);
    for (size_t i = 0; i < t.n; i++) {
        lua_pushlstring(L, t.text + t.tok[i].off, t.tok[i].len);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    sim_tokens_free(&t);
    return 1;
}

static int l_jaccard(lua_State *L)
{
    size_t la, lb;
    const char *a = luaL_checklstring(L, 1, &la), *b = luaL_checklstring(L, 2, &lb);
    lua_pushnumber(L, sim_jaccard(a, la, b, lb, 0));
    return 1;
}

static int l_char3(lua_State *L)
{
    size_t la, lb;
    const char *a = luaL_checklstring(L, 1, &la), *b = luaL_checklstring(L, 2, &lb);
    lua_pushnumber(L, sim_char3_cosine(a, la, b, lb));
    return 1;
}

typedef struct lcorpus {
    sim_corpus *c;
} lcorpus_t;

static int l_corpus(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lcorpus_t *lc = lua_newuserdatauv(L, sizeof *lc, 0);
    lc->c = NULL;
    luaL_setmetatable(L, CORPUS_MT);
    lc->c = sim_corpus_new(0);
    lua_Integer n = luaL_len(L, 1);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, i);
        size_t len;
        const char *doc = lua_tolstring(L, -1, &len);
        if (!doc) return luaL_error(L, "corpus: document %d is not a string", (int)i);
        sim_corpus_add(lc->c, doc, len);
        lua_pop(L, 1);
    }
    return 1;
}

static int l_corpus_bm25(lua_State *L)
{
    lcorpus_t *lc = luaL_checkudata(L, 1, CORPUS_MT);
    size_t lq, ld;
    const char *q = luaL_checklstring(L, 2, &lq), *d = luaL_checklstring(L, 3, &ld);
    double k1 = luaL_optnumber(L, 4, SIM_BM25_K1), b = luaL_optnumber(L, 5, SIM_BM25_B);
    lua_pushnumber(L, sim_bm25(lc->c, q, lq, d, ld, k1, b));
    return 1;
}

static int l_corpus_idf(lua_State *L)
{
    lcorpus_t *lc = luaL_checkudata(L, 1, CORPUS_MT);
    size_t len;
    const char *t = luaL_checklstring(L, 2, &len);
    lua_pushnumber(L, sim_corpus_idf(lc->c, t, len));
    return 1;
}

static int l_corpus_docs(lua_State *L)
{
    lcorpus_t *lc = luaL_checkudata(L, 1, CORPUS_MT);
    lua_pushinteger(L, (lua_Integer)sim_corpus_docs(lc->c));
    return 1;
}

static int l_corpus_gc(lua_State *L)
{
    lcorpus_t *lc = luaL_checkudata(L, 1, CORPUS_MT);
    sim_corpus_free(lc->c);
    lc->c = NULL;
    return 0;
}

/* Reads a list of equal-length number lists into a float matrix (caller frees). */
static float *read_vectors(lua_State *L, int idx, size_t *rows, size_t *dim)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    size_t n = (size_t)luaL_len(L, idx), d = 0;
    float *out = NULL;
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        if (!lua_istable(L, -1)) {
            free(out);
            luaL_error(L, "cosine_matrix: row %d is not a list of numbers", (int)i + 1);
        }
        size_t len = (size_t)luaL_len(L, -1);
        if (i == 0) {
            d = len;
            out = calloc(n * (d ? d : 1), sizeof *out);
            if (!out) luaL_error(L, "out of memory");
        } else if (len != d) {
            free(out);
            luaL_error(L, "cosine_matrix: row %d has %d numbers, row 1 has %d", (int)i + 1,
                       (int)len, (int)d);
        }
        for (size_t j = 0; j < d; j++) {
            lua_rawgeti(L, -1, (lua_Integer)j + 1);
            out[i * d + j] = (float)lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    *rows = n;
    *dim = d;
    return out;
}

static int l_cosine_matrix(lua_State *L)
{
    size_t na, nb, da, db;
    float *a = read_vectors(L, 1, &na, &da);
    float *b = read_vectors(L, 2, &nb, &db);
    if (na && nb && da != db) {
        free(a);
        free(b);
        return luaL_error(L, "cosine_matrix: vectors of %d and %d dimensions", (int)da, (int)db);
    }
    double *m = calloc(na * nb + 1, sizeof *m);
    if (!m) {
        free(a);
        free(b);
        return luaL_error(L, "out of memory");
    }
    if (na && nb) sim_cosine_matrix(a, na, b, nb, da, m);
    free(a);
    free(b);
    lua_createtable(L, (int)na, 0);
    for (size_t i = 0; i < na; i++) {
        lua_createtable(L, (int)nb, 0);
        for (size_t j = 0; j < nb; j++) {
            lua_pushnumber(L, m[i * nb + j]);
            lua_rawseti(L, -2, (lua_Integer)j + 1);
        }
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    free(m);
    return 1;
}

typedef double (*assign_fn)(const double *, int, int, int *, int *);

static int assign(lua_State *L, assign_fn fn)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int n = (int)luaL_len(L, 1), m = 0;
    if (n > 10000) return luaL_error(L, "assignment: too many rows");
    if (n > 0) {
        lua_rawgeti(L, 1, 1);
        luaL_checktype(L, -1, LUA_TTABLE);
        m = (int)luaL_len(L, -1);
        lua_pop(L, 1);
    }
    if (m > 10000) return luaL_error(L, "assignment: too many columns");
    double *w = calloc((size_t)n * (size_t)m + 1, sizeof *w);
    int *r2c = calloc((size_t)n + 1, sizeof *r2c);
    if (!w || !r2c) {
        free(w);
        free(r2c);
        return luaL_error(L, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, 1, i + 1);
        if (!lua_istable(L, -1) || (int)luaL_len(L, -1) != m) {
            free(w);
            free(r2c);
            return luaL_error(L, "assignment: row %d is not a list of %d numbers", i + 1, m);
        }
        for (int j = 0; j < m; j++) {
            lua_rawgeti(L, -1, j + 1);
            w[(size_t)i * (size_t)m + (size_t)j] = lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    double total = (n && m) ? fn(w, n, m, r2c, NULL) : 0.0;
    lua_pushnumber(L, total);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushinteger(L, (n && m && r2c[i] >= 0) ? r2c[i] + 1 : 0);
        lua_rawseti(L, -2, i + 1);
    }
    free(w);
    free(r2c);
    return 2;
}

static int l_hungarian(lua_State *L)
{
    return assign(L, assign_hungarian);
}
static int l_greedy(lua_State *L)
{
    return assign(L, assign_greedy);
}

static int l_assign_pairs(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer n_rows = luaL_optinteger(L, 2, luaL_len(L, 1));
    luaL_argcheck(L, n_rows >= 0 && n_rows <= 10000, 2, "out of range");
    lua_settop(L, 1);
    assign(L, assign_hungarian); /* 2: total, 3: col per row */
    lua_createtable(L, (int)n_rows, 0);
    for (lua_Integer i = 1; i <= n_rows; i++) {
        lua_Integer j = lua_rawgeti(L, 3, i) == LUA_TNUMBER ? lua_tointeger(L, -1) : 0;
        lua_pop(L, 1);
        double v = 0;
        if (j > 0) {
            if (lua_rawgeti(L, 1, i) == LUA_TTABLE) {
                lua_rawgeti(L, -1, j);
                v = lua_tonumber(L, -1);
                lua_pop(L, 1);
            }
            lua_pop(L, 1);
        }
        if (!(v > 0)) {
            j = 0;
            v = 0;
        }
        lua_createtable(L, 0, 3);
        lua_pushinteger(L, i);
        lua_setfield(L, -2, "r");
        lua_pushinteger(L, j);
        lua_setfield(L, -2, "s");
        lua_pushnumber(L, v);
        lua_setfield(L, -2, "score");
        lua_rawseti(L, -2, i);
    }
    lua_pushvalue(L, 2);
    lua_insert(L, -2);
    return 2;
}

static int l_to_scale(lua_State *L)
{
    double sim = luaL_checknumber(L, 1), thr[4];
    luaL_checktype(L, 2, LUA_TTABLE);
    for (int i = 0; i < 4; i++) {
        lua_rawgeti(L, 2, i + 1);
        thr[i] = luaL_checknumber(L, -1);
        lua_pop(L, 1);
    }
    if (!assign_thresholds_ok(thr))
        return luaL_error(L, "to_scale: thresholds must be four ascending numbers");
    lua_pushnumber(L, assign_to_scale(sim, thr));
    return 1;
}

int luaopen_ratio_core_match(lua_State *L)
{
    static const luaL_Reg corpus_methods[] = {
        {"bm25", l_corpus_bm25}, {"idf", l_corpus_idf}, {"docs", l_corpus_docs}, {NULL, NULL}};
    static const luaL_Reg fns[] = {{"tokens", l_tokens},
                                   {"jaccard", l_jaccard},
                                   {"char3", l_char3},
                                   {"corpus", l_corpus},
                                   {"cosine_matrix", l_cosine_matrix},
                                   {"hungarian", l_hungarian},
                                   {"greedy", l_greedy},
                                   {"assign_pairs", l_assign_pairs},
                                   {"to_scale", l_to_scale},
                                   {NULL, NULL}};
    host_new_class(L, CORPUS_MT, corpus_methods, l_corpus_gc);
    luaL_newlib(L, fns);
    return 1;
}
