/* lua_alloc, the Lua state's allocator (mimalloc; libc under ASan): lua_Alloc semantics, contents
 * across every kind of move, alignment, a random stress run, and a whole Lua state on it. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util/lua_alloc.h"

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

/* Aligned for any object of n bytes: 16 from 16 bytes on, else the largest power of two <= n
 * (mimalloc gives an 8-byte block 8-byte alignment; nothing of 8 bytes needs more). */
static int is_aligned(const void *p, size_t n)
{
    size_t want = 16;
    while (want > n && want > 1)
        want /= 2;
    return (uintptr_t)p % want == 0;
}

/* Allocation as Lua does it: with ptr NULL, osize is a type tag. */
static void *la_new(lua_alloc_t *a, size_t n)
{
    return lua_alloc_fn(a, NULL, LUA_TTABLE, n);
}

TEST(lua_alloc_free_null)
{
    lua_alloc_t *a = lua_alloc_new();
    CHECK(lua_alloc_fn(a, NULL, 0, 0) == NULL);
    CHECK(lua_alloc_fn(a, NULL, LUA_TSTRING, 0) == NULL); /* osize is a type tag here */
    lua_alloc_free(a);
    lua_alloc_free(NULL);
}

TEST(lua_alloc_realloc_keeps_contents)
{
    static const struct {
        size_t from, to;
    } cases[] = {
        {17, 32},   {32, 17},       {1, 16},       {512, 497},    /* small, same size class */
        {16, 17},   {100, 300},     {300, 100},    {512, 1},      /* small, other class */
        {100, 513}, {512, 4000},    {1, 100000},                  /* small -> large */
        {513, 512}, {4000, 100},    {1000, 1},     {100000, 200}, /* large -> small */
        {513, 514}, {4000, 100000}, {100000, 600},                /* large -> large */
    };
    lua_alloc_t *a = lua_alloc_new();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t from = cases[i].from, to = cases[i].to, keep = from < to ? from : to;
        void *p = la_new(a, from);
        CHECK(p != NULL);
        pattern_fill(p, from, (uint32_t)i);
        void *q = lua_alloc_fn(a, p, from, to);
        CHECK(q != NULL);
        if (!q) continue;
        CHECK(is_aligned(q, to));
        if (!pattern_holds(q, keep, (uint32_t)i))
            check_fail(__FILE__, __LINE__, "%zu -> %zu bytes lost the contents", from, to);
        pattern_fill(q, to, (uint32_t)i); /* all of the new size is writable */
        CHECK(lua_alloc_fn(a, q, to, 0) == NULL);
    }
    lua_alloc_free(a);
}

TEST(lua_alloc_every_block_aligned)
{
    lua_alloc_t *a = lua_alloc_new();
    void *p[700];
    int misaligned = 0;
    for (size_t n = 1; n < 700; n++) {
        p[n] = la_new(a, n);
        if (!p[n] || !is_aligned(p[n], n)) misaligned++;
    }
    for (size_t n = 1; n < 700; n++) { /* and after moving to a size 200 bytes off */
        size_t to = n % 2 ? n + 200 : (n > 200 ? n - 200 : n + 1);
        p[n] = lua_alloc_fn(a, p[n], n, to);
        if (!p[n] || !is_aligned(p[n], to)) misaligned++;
        lua_alloc_fn(a, p[n], to, 0);
    }
    CHECK_INT(misaligned, 0);
    lua_alloc_free(a);
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

TEST(lua_alloc_stress_random_operations)
{
    enum { SLOTS = 2048, OPS = 200000 };
    static struct {
        void *p;
        size_t size;
        uint32_t id;
    } live[SLOTS];
    memset(live, 0, sizeof live);
    lua_alloc_t *a = lua_alloc_new();
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
            if (!is_aligned(p, n)) bad++;
            live[i].p = p;
            live[i].size = n;
            live[i].id = next_id++;
            pattern_fill(p, n, live[i].id);
            continue;
        }
        if (!pattern_holds(live[i].p, live[i].size, live[i].id)) bad++;
        if (prng_next(&seed) % 2) {
            lua_alloc_fn(a, live[i].p, live[i].size, 0);
            live[i].p = NULL;
        } else {
            size_t n = stress_size(&seed);
            void *q = lua_alloc_fn(a, live[i].p, live[i].size, n);
            if (!q) {
                failed++;
                continue;
            }
            if (!is_aligned(q, n)) bad++;
            if (!pattern_holds(q, n < live[i].size ? n : live[i].size, live[i].id)) bad++;
            live[i].p = q;
            live[i].size = n;
            pattern_fill(q, n, live[i].id);
        }
    }
    for (size_t i = 0; i < SLOTS; i++) {
        if (!live[i].p) continue;
        if (!pattern_holds(live[i].p, live[i].size, live[i].id)) bad++;
        lua_alloc_fn(a, live[i].p, live[i].size, 0);
    }
    CHECK_INT(bad, 0);
    CHECK_INT(failed, 0);
    lua_alloc_free(a);
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

/* A Lua state with its standard libraries on a new lua_alloc; NULL (after a failed check) if none.
 */
static lua_State *open_state(lua_alloc_t **a)
{
    *a = lua_alloc_new();
    lua_State *L = *a ? lua_newstate(lua_alloc_fn, *a) : NULL;
    CHECK(L != NULL);
    if (!L) {
        lua_alloc_free(*a);
        return NULL;
    }
    luaL_openlibs(L);
    return L;
}

TEST(lua_alloc_lua_state)
{
    lua_alloc_t *a;
    lua_State *L = open_state(&a);
    if (!L) return;
    int rc = luaL_dostring(L, CHURN);
    if (rc != LUA_OK) check_fail(__FILE__, __LINE__, "Lua: %s", lua_tostring(L, -1));
    CHECK(rc == LUA_OK && lua_tonumber(L, -1) < 1024); /* KB in use once all is dropped */
    lua_close(L);
    lua_alloc_free(a);
}
