/* lalloc: a size-class pool allocator for the Lua state (a lua_Alloc).
 *
 * Why: the garbage collector frees Lua objects one by one, and a sweep step frees thousands of
 * them; with libc's allocator every one is a free() (and, now and then, a malloc_consolidate),
 * which made GC steps take milliseconds and cost about a fifth of the reward server's CPU. Lua
 * tells its allocator the size of the block it frees or resizes, so small blocks need no header:
 * a block of n bytes (1..512) comes from size class ceil(n/16), whose free blocks form a singly
 * linked list threaded through the blocks themselves. Freeing is a push, allocating a pop; an
 * empty class is fed from a 64 KiB chunk (one bump region shared by every class). Blocks larger
 * than 512 bytes go to malloc/realloc/free. Every block is 16-byte aligned, like malloc's.
 *
 * Memory taken for the pools is never returned to the system before lalloc_free: freed blocks
 * are only reused (by their own class). That is intended: a run's Lua heap grows to its working
 * size and stays there.
 *
 * Built with AddressSanitizer, free blocks and the unused part of every chunk are poisoned and a
 * block is unpoisoned (exactly its requested size) when handed out, so a use after free or an
 * overflow of a Lua object is still reported.
 *
 * Not thread-safe: one lalloc per lua_State, used by that state's thread only. */
#ifndef RATIO_LALLOC_H
#define RATIO_LALLOC_H

#include <stddef.h>

typedef struct lalloc lalloc_t;

/* NULL when out of memory. */
lalloc_t *lalloc_new(void);
/* Frees every chunk and the allocator (NULL is allowed); call after lua_close. */
void lalloc_free(lalloc_t *a);
/* The lua_Alloc: lua_newstate(lalloc_fn, a). Follows lua_Alloc exactly: nsize 0 frees ptr (which
 * may be NULL) and returns NULL; a NULL ptr allocates (osize, then a type tag, is ignored);
 * otherwise it resizes, and on failure returns NULL leaving the old block as it was. A shrink
 * that moves a block into the pools can fail too, when no pool memory can be had; Lua 5.4 either
 * keeps the old block (stacks, the string table) or raises a memory error. */
void *lalloc_fn(void *ud, void *ptr, size_t osize, size_t nsize);

/* Bytes held in chunks (free or in use), for tests and statistics. */
size_t lalloc_pooled_bytes(const lalloc_t *a);
/* Tests only: new chunks fail (as if malloc did) once the pools would hold more than `bytes`.
 * (size_t)-1, the default, means no limit. */
void lalloc_set_pool_limit(lalloc_t *a, size_t bytes);

#endif
