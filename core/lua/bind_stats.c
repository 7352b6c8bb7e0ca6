/* ratio.core.stats: statistics kernels from Lua. Lists are Lua lists of numbers.
 *
 *   mean(x), std(x [, ddof=0])
 *   quantile(x, q) -> the q-quantile (type 7, numpy's default) of x (any order); nil when empty
 *   bootstrap_ci(x [, {resamples=1000, level=0.95, seed=1}]) -> {estimate, lo, hi, se}
 *   share_ci(hits, totals [, opts]) -> {estimate, lo, hi, se} | nil: the pooled share
 *     sum(hits) / sum(totals) with a bootstrap that resamples items (pairs hits[i], totals[i]);
 *     items with totals[i] <= 0 are left out; nil when none is left
 *   paired_bootstrap(a, b [, opts]) -> {diff, lo, hi, se, p_value, resamples}
 *   permutation(a, b [, opts]) -> {diff, p_value, resamples, exact}
 *   pearson(x, y), spearman(x, y), kendall(x, y)
 *   kappa(a, b, k [, "unweighted"|"linear"|"quadratic"]) (a, b: categories 0..k-1)
 *   category(score [, k=5]) -> 0..k-1 | -1 */
#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lua/bindings.h"
#include "metrics/stats.h"

static double *read_list(lua_State *L, int idx, size_t *n)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    size_t len = (size_t)luaL_len(L, idx);
    double *x = malloc((len ? len : 1) * sizeof *x);
    if (!x) luaL_error(L, "out of memory");
    for (size_t i = 0; i < len; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        int ok;
        x[i] = lua_tonumberx(L, -1, &ok);
        lua_pop(L, 1);
        if (!ok) {
            free(x);
            luaL_error(L, "argument #%d: item %d is not a number", idx, (int)i + 1);
        }
    }
    *n = len;
    return x;
}

/* Reads two lists of the same length. */
static void read_pair(lua_State *L, double **a, double **b, size_t *n)
{
    size_t na, nb;
    *a = read_list(L, 1, &na);
    *b = read_list(L, 2, &nb);
    if (na != nb) {
        free(*a);
        free(*b);
        luaL_error(L, "the two lists differ in length (%d and %d)", (int)na, (int)nb);
    }
    *n = na;
}

static void opts(lua_State *L, int idx, size_t *resamples, double *level, uint64_t *seed)
{
    *resamples = STATS_RESAMPLES_DEFAULT;
    *level = 0.95;
    *seed = 1;
    if (lua_isnoneornil(L, idx)) return;
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_getfield(L, idx, "resamples");
    if (!lua_isnil(L, -1)) {
        lua_Integer r = luaL_checkinteger(L, -1);
        if (r < 1 || r > 100000000) luaL_error(L, "resamples must be 1..1e8");
        *resamples = (size_t)r;
    }
    lua_getfield(L, idx, "level");
    if (!lua_isnil(L, -1)) {
        *level = luaL_checknumber(L, -1);
        if (!(*level > 0 && *level < 1)) luaL_error(L, "level must be in (0, 1)");
    }
    lua_getfield(L, idx, "seed");
    if (!lua_isnil(L, -1)) *seed = (uint64_t)luaL_checkinteger(L, -1);
    lua_pop(L, 3);
}

#define SETNUM(name, v) (lua_pushnumber(L, (v)), lua_setfield(L, -2, name))

static int l_mean(lua_State *L)
{
    size_t n;
    double *x = read_list(L, 1, &n);
    lua_pushnumber(L, n ? stats_mean(x, n) : NAN);
    free(x);
    return 1;
}

static int l_std(lua_State *L)
{
    size_t n;
    double *x = read_list(L, 1, &n);
    int ddof = (int)luaL_optinteger(L, 2, 0);
    lua_pushnumber(L, stats_std(x, n, ddof));
    free(x);
    return 1;
}

/* Pushes {estimate, lo, hi, se}. */
static int push_ci(lua_State *L, const stats_ci *ci)
{
    lua_createtable(L, 0, 4);
    SETNUM("estimate", ci->estimate);
    SETNUM("lo", ci->lo);
    SETNUM("hi", ci->hi);
    SETNUM("se", ci->se);
    return 1;
}

static int l_bootstrap_ci(lua_State *L)
{
    size_t n, resamples;
    double level;
    uint64_t seed;
    opts(L, 2, &resamples, &level, &seed);
    double *x = read_list(L, 1, &n);
    stats_ci ci;
    int rc = stats_bootstrap_ci(x, n, resamples, level, seed, &ci);
    free(x);
    if (rc != 0) {
        lua_pushnil(L);
        lua_pushliteral(L, "bootstrap_ci: no data");
        return 2;
    }
    return push_ci(L, &ci);
}

static int l_quantile(lua_State *L)
{
    double q = luaL_checknumber(L, 2);
    luaL_argcheck(L, q >= 0 && q <= 1, 2, "must be in [0, 1]");
    size_t n;
    double *x = read_list(L, 1, &n);
    if (n == 0) {
        free(x);
        lua_pushnil(L);
        return 1;
    }
    lua_pushnumber(L, stats_quantile(x, n, q));
    free(x);
    return 1;
}

typedef struct share_data {
    const double *hits, *totals;
} share_data;

static double share_of(const size_t *idx, size_t n, void *ud)
{
    const share_data *d = ud;
    double h = 0, t = 0;
    for (size_t i = 0; i < n; i++) {
        h += d->hits[idx[i]];
        t += d->totals[idx[i]];
    }
    return h / t;
}

static int l_share_ci(lua_State *L)
{
    size_t resamples, n;
    double level, *hits, *totals;
    uint64_t seed;
    opts(L, 3, &resamples, &level, &seed);
    read_pair(L, &hits, &totals, &n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (totals[i] > 0) {
            hits[k] = hits[i];
            totals[k++] = totals[i];
        }
    share_data d = {hits, totals};
    stats_ci ci;
    int rc = k ? stats_bootstrap_ci_fn(k, share_of, &d, resamples, level, seed, &ci) : -1;
    free(hits);
    free(totals);
    if (rc != 0) {
        lua_pushnil(L);
        return 1;
    }
    return push_ci(L, &ci);
}

static int push_paired(lua_State *L, int rc, const stats_paired *p)
{
    if (rc != 0) {
        lua_pushnil(L);
        lua_pushliteral(L, "paired test: no data");
        return 2;
    }
    lua_createtable(L, 0, 7);
    SETNUM("diff", p->diff);
    if (!isnan(p->lo)) {
        SETNUM("lo", p->lo);
        SETNUM("hi", p->hi);
        SETNUM("se", p->se);
    }
    SETNUM("p_value", p->p_value);
    lua_pushinteger(L, (lua_Integer)p->resamples);
    lua_setfield(L, -2, "resamples");
    lua_pushboolean(L, p->exact);
    lua_setfield(L, -2, "exact");
    return 1;
}

static int l_paired_bootstrap(lua_State *L)
{
    size_t n, resamples;
    double level, *a, *b;
    uint64_t seed;
    opts(L, 3, &resamples, &level, &seed);
    read_pair(L, &a, &b, &n);
    stats_paired p;
    int rc = stats_paired_bootstrap(a, b, n, resamples, level, seed, &p);
    free(a);
    free(b);
    return push_paired(L, rc, &p);
}

static int l_permutation(lua_State *L)
{
    size_t n, resamples;
    double level, *a, *b;
    uint64_t seed;
    opts(L, 3, &resamples, &level, &seed);
    read_pair(L, &a, &b, &n);
    stats_paired p;
    int rc = stats_paired_permutation(a, b, n, resamples, seed, &p);
    free(a);
    free(b);
    return push_paired(L, rc, &p);
}

typedef double (*corr_fn)(const double *, const double *, size_t);

static int corr(lua_State *L, corr_fn fn)
{
    size_t n;
    double *a, *b;
    read_pair(L, &a, &b, &n);
    lua_pushnumber(L, fn(a, b, n));
    free(a);
    free(b);
    return 1;
}

static int l_pearson(lua_State *L)
{
    return corr(L, stats_pearson);
}
static int l_spearman(lua_State *L)
{
    return corr(L, stats_spearman);
}
static int l_kendall(lua_State *L)
{
    return corr(L, stats_kendall_tau_b);
}

static int l_kappa(lua_State *L)
{
    size_t n;
    double *a, *b;
    read_pair(L, &a, &b, &n);
    int k = (int)luaL_checkinteger(L, 3);
    static const char *const names[] = {"unweighted", "linear", "quadratic", NULL};
    int w = luaL_checkoption(L, 4, "unweighted", names);
    int *ia = malloc((n ? n : 1) * sizeof *ia), *ib = malloc((n ? n : 1) * sizeof *ib);
    int bad = !ia || !ib || k < 2;
    for (size_t i = 0; !bad && i < n; i++) {
        ia[i] = (int)a[i];
        ib[i] = (int)b[i];
        bad = ia[i] != a[i] || ib[i] != b[i] || ia[i] < 0 || ia[i] >= k || ib[i] < 0 || ib[i] >= k;
    }
    free(a);
    free(b);
    if (bad) {
        free(ia);
        free(ib);
        return luaL_error(L, "kappa: categories must be integers 0..k-1 (k >= 2)");
    }
    lua_pushnumber(L, stats_cohen_kappa(ia, ib, n, k, (stats_kappa_weights)w));
    free(ia);
    free(ib);
    return 1;
}

static int l_category(lua_State *L)
{
    lua_pushinteger(L, stats_scale_category(luaL_checknumber(L, 1), (int)luaL_optinteger(L, 2, 5)));
    return 1;
}

int luaopen_ratio_core_stats(lua_State *L)
{
    static const luaL_Reg fns[] = {{"mean", l_mean},
                                   {"std", l_std},
                                   {"bootstrap_ci", l_bootstrap_ci},
                                   {"quantile", l_quantile},
                                   {"share_ci", l_share_ci},
                                   {"paired_bootstrap", l_paired_bootstrap},
                                   {"permutation", l_permutation},
                                   {"pearson", l_pearson},
                                   {"spearman", l_spearman},
                                   {"kendall", l_kendall},
                                   {"kappa", l_kappa},
                                   {"category", l_category},
                                   {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}
