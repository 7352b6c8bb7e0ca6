/* lalloc, the Lua state's pool allocator: lua_Alloc semantics at every class boundary, contents
 * across every kind of move, alignment, reuse, failures that keep the old block, a random stress
 * run, and whole Lua states on it. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util/lalloc.h"

/* The byte pattern of block `id`: differs between ids and along the block. */
static void pattern_fill(void *p, size_t n, uint32_t id)
{
    unsigned char *b = p;
    uint32_t h = id * 2654435761u;
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)((h >> (8 * (i % 4))) + i / 4 * 7);
}

static int pattern_holds(const void *p, size_t n, uint32_t id)
{
    const unsigned char *b = p;
    uint32_t h = id * 2654435761u;
    for (size_t i = 0; i < n; i++)
        if (b[i] != (unsigned char)((h >> (8 * (i % 4))) + i / 4 * 7)) return 0;
    return 1;
}

static int is_aligned(const void *p)
{
    return (uintptr_t)p % 16 == 0;
}

/* Allocation as Lua does it: with ptr NULL, osize is a type tag. */
static void *la_new(lalloc_t *a, size_t n)
{
    return lalloc_fn(a, NULL, LUA_TTABLE, n);
}

TEST(lalloc_class_boundary_sizes)
{
    static const size_t sizes[] = {1,   15,  16,  17,  31,  32,   33,
                                   496, 497, 511, 512, 513, 4096, 1 << 20};
    enum { N = sizeof sizes / sizeof sizes[0] };
    lalloc_t *a = lalloc_new();
    CHECK(a != NULL);
    void *p[N];
    for (size_t i = 0; i < N; i++) {
        size_t before = lalloc_pooled_bytes(a);
        p[i] = la_new(a, sizes[i]);
        CHECK(p[i] != NULL);
        CHECK(is_aligned(p[i]));
        pattern_fill(p[i], sizes[i], (uint32_t)i);
        if (sizes[i] > 512) CHECK_INT(lalloc_pooled_bytes(a), before); /* libc's */
    }
    CHECK_INT(lalloc_pooled_bytes(a), 64 * 1024); /* every small block from the first chunk */
    for (size_t i = 0; i < N; i++) {
        CHECK(pattern_holds(p[i], sizes[i], (uint32_t)i));
        CHECK(lalloc_fn(a, p[i], sizes[i], 0) == NULL);
    }
    lalloc_free(a);
}

TEST(lalloc_free_null)
{
    lalloc_t *a = lalloc_new();
    CHECK(lalloc_fn(a, NULL, 0, 0) == NULL);
    CHECK(lalloc_fn(a, NULL, LUA_TSTRING, 0) == NULL); /* osize is a type tag here */
    CHECK_INT(lalloc_pooled_bytes(a), 0);
    lalloc_free(a);
    lalloc_free(NULL);
}

TEST(lalloc_realloc_keeps_contents)
{
    static const struct {
        size_t from, to;
    } cases[] = {
        {17, 32},   {32, 17},       {1, 16},       {512, 497},    /* pool, same class */
        {16, 17},   {100, 300},     {300, 100},    {512, 1},      /* pool, other class */
        {100, 513}, {512, 4000},    {1, 100000},                  /* pool -> libc */
        {513, 512}, {4000, 100},    {1000, 1},     {100000, 200}, /* libc -> pool */
        {513, 514}, {4000, 100000}, {100000, 600},                /* libc -> libc */
    };
    lalloc_t *a = lalloc_new();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t from = cases[i].from, to = cases[i].to, keep = from < to ? from : to;
        void *p = la_new(a, from);
        CHECK(p != NULL);
        pattern_fill(p, from, (uint32_t)i);
        void *q = lalloc_fn(a, p, from, to);
        CHECK(q != NULL);
        if (!q) continue;
        CHECK(is_aligned(q));
        if (!pattern_holds(q, keep, (uint32_t)i))
            check_fail(__FILE__, __LINE__, "%zu -> %zu bytes lost the contents", from, to);
        if (from <= 512 && to <= 512 && (from + 15) / 16 == (to + 15) / 16) CHECK(q == p);
        pattern_fill(q, to, (uint32_t)i); /* all of the new size is writable */
        CHECK(lalloc_fn(a, q, to, 0) == NULL);
    }
    lalloc_free(a);
}

TEST(lalloc_every_block_aligned)
{
    lalloc_t *a = lalloc_new();
    void *p[700];
    int misaligned = 0;
    for (size_t n = 1; n < 700; n++) {
        p[n] = la_new(a, n);
        if (!p[n] || !is_aligned(p[n])) misaligned++;
    }
    for (size_t n = 1; n < 700; n++) { /* and after moving to a size 200 bytes off */
        size_t to = n % 2 ? n + 200 : (n > 200 ? n - 200 : n + 1);
        p[n] = lalloc_fn(a, p[n], n, to);
        if (!p[n] || !is_aligned(p[n])) misaligned++;
        lalloc_fn(a, p[n], to, 0);
    }
    CHECK_INT(misaligned, 0);
    lalloc_free(a);
}

TEST(lalloc_reuses_freed_blocks)
{
    lalloc_t *a = lalloc_new();
    void *p = la_new(a, 48);
    void *other = la_new(a, 48);
    lalloc_fn(a, p, 48, 0);
    CHECK(la_new(a, 33) == p); /* same class (33..48 bytes): the block just freed */
    lalloc_fn(a, other, 48, 0);
    lalloc_fn(a, p, 33, 0);

    /* Ten chunks' worth of one class, freed and allocated again: no new chunk. */
    enum { N = 10000 };
    static void *blocks[N];
    for (int i = 0; i < N; i++)
        blocks[i] = la_new(a, 64);
    size_t pooled = lalloc_pooled_bytes(a);
    CHECK(pooled >= (size_t)N * 64);
    for (int i = 0; i < N; i++)
        lalloc_fn(a, blocks[i], 64, 0);
    for (int i = 0; i < N; i++)
        blocks[i] = la_new(a, 49 + i % 16);
    CHECK_INT(lalloc_pooled_bytes(a), pooled);
    for (int i = 0; i < N; i++)
        lalloc_fn(a, blocks[i], 49 + i % 16, 0);
    lalloc_free(a);
}

TEST(lalloc_failure_keeps_old_block)
{
    lalloc_t *a = lalloc_new();
    void *small = la_new(a, 10);
    pattern_fill(small, 10, 1);
    lalloc_set_pool_limit(a, lalloc_pooled_bytes(a)); /* no more chunks */
    void *full[200];
    int nfull = 0;
    while (nfull < 200 && (full[nfull] = la_new(a, 512)) != NULL)
        nfull++;
    CHECK(nfull > 100 && nfull < 200); /* one chunk holds 127 blocks of 512 bytes */
    CHECK(la_new(a, 512) == NULL);

    /* A failed move between classes returns NULL and leaves the block as it was. */
    CHECK(lalloc_fn(a, small, 10, 500) == NULL);
    CHECK(pattern_holds(small, 10, 1));

    /* So does a shrink from libc into the exhausted pool. */
    void *big = la_new(a, 4096);
    pattern_fill(big, 4096, 2);
    CHECK(lalloc_fn(a, big, 4096, 512) == NULL);
    CHECK(pattern_holds(big, 4096, 2));
    lalloc_fn(a, big, 4096, 0);

    for (int i = 0; i < nfull; i++)
        lalloc_fn(a, full[i], 512, 0);
    lalloc_fn(a, small, 10, 0);
    lalloc_free(a);
}

static uint64_t prng_next(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t stress_size(uint64_t *s)
{
    static const size_t edges[] = {1, 15, 16, 17, 255, 256, 257, 496, 497, 511, 512, 513, 528};
    uint64_t r = prng_next(s);
    switch (r % 8) {
    case 0:
        return edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
    case 1:
        return 513 + (size_t)(r >> 8) % 4000; /* libc */
    case 2:
        return 1 + (size_t)(r >> 8) % 96; /* the common small objects */
    default:
        return 1 + (size_t)(r >> 8) % 512; /* any class */
    }
}

TEST(lalloc_stress_random_operations)
{
    enum { SLOTS = 2048, OPS = 200000 };
    static struct {
        void *p;
        size_t size;
        uint32_t id;
    } live[SLOTS];
    memset(live, 0, sizeof live);
    lalloc_t *a = lalloc_new();
    uint64_t seed = 42;
    uint32_t next_id = 1;
    int bad = 0, failed = 0;
    for (int op = 0; op < OPS; op++) {
        size_t i = (size_t)(prng_next(&seed) % SLOTS);
        if (!live[i].p) {
            size_t n = stress_size(&seed);
            void *p = la_new(a, n);
            if (!p) {
                failed++;
                continue;
            }
            if (!is_aligned(p)) bad++;
            live[i].p = p;
            live[i].size = n;
            live[i].id = next_id++;
            pattern_fill(p, n, live[i].id);
            continue;
        }
        if (!pattern_holds(live[i].p, live[i].size, live[i].id)) bad++;
        if (prng_next(&seed) % 2) {
            lalloc_fn(a, live[i].p, live[i].size, 0);
            live[i].p = NULL;
        } else {
            size_t n = stress_size(&seed);
            void *q = lalloc_fn(a, live[i].p, live[i].size, n);
            if (!q) {
                failed++;
                continue;
            }
            if (!is_aligned(q)) bad++;
            if (!pattern_holds(q, n < live[i].size ? n : live[i].size, live[i].id)) bad++;
            live[i].p = q;
            live[i].size = n;
            pattern_fill(q, n, live[i].id);
        }
    }
    for (size_t i = 0; i < SLOTS; i++) {
        if (!live[i].p) continue;
        if (!pattern_holds(live[i].p, live[i].size, live[i].id)) bad++;
        lalloc_fn(a, live[i].p, live[i].size, 0);
    }
    CHECK_INT(bad, 0);
    CHECK_INT(failed, 0);
    CHECK(lalloc_pooled_bytes(a) < 4u * 1024 * 1024); /* freed blocks were reused */
    lalloc_free(a);
}

/* Builds and drops many tables and strings, collecting along the way. */
static const char *const CHURN =
    "local keep = {}\n"
    "for round = 1, 12 do\n"
    "  local t = {}\n"
    "  for i = 1, 4000 do\n"
    "    t[i] = { i, tostring(i) .. string.rep('x', i % 700), n = i, sub = { i } }\n"
    "  end\n"
    "  keep[round % 3 + 1] = t\n"
    "  if round % 4 == 0 then collectgarbage('collect') end\n"
    "end\n"
    "local parts = {}\n"
    "for i = 1, 3000 do parts[#parts + 1] = string.format('%d:%s', i, ('y'):rep(i % 900)) end\n"
    "local s = table.concat(parts, ',')\n"
    "assert(#s > 1000000)\n"
    "for _, t in ipairs(keep) do\n"
    "  assert(t[3999].n == 3999 and t[17][2] == '17' .. ('x'):rep(17))\n"
    "end\n"
    "keep, parts, s = nil, nil, nil\n"
    "collectgarbage('collect')\n"
    "return collectgarbage('count')\n";

/* A Lua state with its standard libraries on a new lalloc; NULL (after a failed check) if none. */
static lua_State *open_state(lalloc_t **a)
{
    *a = lalloc_new();
    lua_State *L = *a ? lua_newstate(lalloc_fn, *a) : NULL;
    CHECK(L != NULL);
    if (!L) {
        lalloc_free(*a);
        return NULL;
    }
    luaL_openlibs(L);
    return L;
}

TEST(lalloc_lua_state)
{
    lalloc_t *a;
    lua_State *L = open_state(&a);
    if (!L) return;
    int rc = luaL_dostring(L, CHURN);
    if (rc != LUA_OK) check_fail(__FILE__, __LINE__, "Lua: %s", lua_tostring(L, -1));
    CHECK(rc == LUA_OK && lua_tonumber(L, -1) < 1024); /* KB in use once all is dropped */
    CHECK(lalloc_pooled_bytes(a) > 0);
    lua_close(L);
    lalloc_free(a);
}

TEST(lalloc_lua_state_out_of_memory)
{
    /* With the pools capped, Lua gets NULL from the allocator and raises "not enough memory"; the
     * state stays usable. (The cap is lifted for that: freed blocks serve only their own class.) */
    lalloc_t *a;
    lua_State *L = open_state(&a);
    if (!L) return;
    lalloc_set_pool_limit(a, lalloc_pooled_bytes(a) + 512 * 1024);
    CHECK_INT(luaL_loadstring(L, "local t = {} for i = 1, 1e7 do t[i] = { i } end"), LUA_OK);
    CHECK_INT(lua_pcall(L, 0, 0, 0), LUA_ERRMEM);
    CHECK_STR(lua_tostring(L, -1), "not enough memory");
    lua_settop(L, 0);
    lalloc_set_pool_limit(a, (size_t)-1);
    lua_gc(L, LUA_GCCOLLECT);
    int rc = luaL_dostring(L, "local t = {} for i = 1, 1000 do t[i] = {tostring(i)} end return #t");
    if (rc != LUA_OK) check_fail(__FILE__, __LINE__, "Lua: %s", lua_tostring(L, -1));
    CHECK_INT(lua_tointeger(L, -1), 1000);
    lua_close(L);
    lalloc_free(a);
}
