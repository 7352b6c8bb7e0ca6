/* lua_alloc: the Lua state's allocator, a lua_Alloc over mimalloc.
 *
 * Why not libc: the garbage collector frees Lua objects one by one, thousands per sweep step, and
 * glibc's free (with its occasional malloc_consolidate) made GC steps take milliseconds. mimalloc
 * frees into per-page free lists, and unlike a hand-written pool it returns the pages of freed
 * memory to the system, so a long-running reward server does not keep its peak forever. Each Lua
 * state gets its own mimalloc heap (mi_heap_t): lua_alloc_free after lua_close drops whatever is
 * left in one go.
 *
 * Debian's libmimalloc also exports malloc/free, so linking it puts the whole process (curl,
 * SQLite, h2o, cJSON) on mimalloc too.
 *
 * Built with AddressSanitizer, and when running under valgrind, it uses malloc/realloc/free
 * instead, which those tools watch (they cannot see inside a mimalloc heap).
 *
 * Not thread-safe: one per lua_State, used by the thread that created it. */
#ifndef RATIO_LUA_ALLOC_H
#define RATIO_LUA_ALLOC_H

#include <stddef.h>

typedef struct lua_alloc lua_alloc_t;

/* Sets the process's mimalloc policy; call once, first thing in main. mimalloc gives a page whose
 * blocks are all free back to the system after MIMALLOC_DECOMMIT_DELAY ms of disuse (25 by
 * default); ratio makes that LUA_ALLOC_DECOMMIT_DELAY_MS unless the variable is set. At 25 ms the
 * judge client's memory went back and forth with every wave of calls: a page freed when replies
 * arrived was given back, then faulted in again (and zeroed by the kernel) for the next requests,
 * each madvise flushing the TLB of every core. See docs/performance.md. */
void lua_alloc_setup_process(void);
#define LUA_ALLOC_DECOMMIT_DELAY_MS 250

/* NULL when out of memory. */
lua_alloc_t *lua_alloc_new(void);
/* Frees the allocator and anything still allocated through it (NULL is allowed); call after
 * lua_close. */
void lua_alloc_free(lua_alloc_t *a);
/* The lua_Alloc: lua_newstate(lua_alloc_fn, a). nsize 0 frees ptr (which may be NULL) and returns
 * NULL; otherwise it allocates or resizes to nsize and returns NULL on failure, leaving the old
 * block as it was. */
void *lua_alloc_fn(void *ud, void *ptr, size_t osize, size_t nsize);

#endif
