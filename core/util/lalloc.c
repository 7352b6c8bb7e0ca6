/* The Lua state's pool allocator: see lalloc.h for why it exists and what it promises. */
#include "util/lalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define LALLOC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LALLOC_ASAN 1
#endif
#endif

/* Under ASan, memory the allocator owns (free blocks, uncarved chunk space) is poisoned, and only
 * the allocator unpoisons it, briefly, to read or write a free block's link. */
#ifdef LALLOC_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

enum {
    GRAIN = 16,                   /* class k holds blocks of k * GRAIN bytes; also the alignment */
    NCLASSES = 32,                /* k = 1..32 */
    SMALL_MAX = GRAIN * NCLASSES, /* larger blocks go to libc */
    CHUNK_SIZE = 64 * 1024,
};

/* A free block: the link is the block's first word. */
typedef struct free_block {
    struct free_block *next;
} free_block_t;

/* A chunk's header; its blocks start at the next GRAIN boundary. */
typedef struct chunk {
    struct chunk *next;
} chunk_t;

struct lalloc {
    free_block_t *free[NCLASSES]; /* free[k - 1]: the free blocks of class k */
    char *bump;                   /* the newest chunk's part not yet carved into blocks */
    size_t bump_left;
    chunk_t *chunks;
    size_t pooled; /* bytes in chunks */
    size_t limit;  /* see lalloc_set_pool_limit */
};

/* The class of a block of n bytes, 1..NCLASSES for 1..SMALL_MAX. */
static size_t class_of(size_t n)
{
    return (n + GRAIN - 1) / GRAIN;
}

static char *align_up(char *p)
{
    return p + (GRAIN - (uintptr_t)p % GRAIN) % GRAIN;
}

static free_block_t *link_get(free_block_t *b)
{
    UNPOISON(&b->next, sizeof b->next);
    free_block_t *next = b->next;
    POISON(&b->next, sizeof b->next);
    return next;
}

/* Puts block p on the free list of class k (poisoned, link and all). */
static void push(lalloc_t *a, void *p, size_t k)
{
    free_block_t *b = p;
    POISON(p, k * GRAIN);
    UNPOISON(&b->next, sizeof b->next);
    b->next = a->free[k - 1];
    POISON(&b->next, sizeof b->next);
    a->free[k - 1] = b;
}

/* Puts len bytes at p (GRAIN-aligned, len a multiple of GRAIN) on the free lists, in blocks of at
 * most SMALL_MAX bytes. */
static void give_back(lalloc_t *a, char *p, size_t len)
{
    while (len > 0) {
        size_t n = len < SMALL_MAX ? len : SMALL_MAX;
        push(a, p, n / GRAIN);
        p += n;
        len -= n;
    }
}

/* Makes c, a malloc'd block of size bytes, a chunk; returns where its blocks start and sets *len
 * to the bytes they may take (a multiple of GRAIN), all poisoned. */
static char *chunk_add(lalloc_t *a, chunk_t *c, size_t size, size_t *len)
{
    c->next = a->chunks;
    a->chunks = c;
    a->pooled += size;
    char *start = align_up((char *)(c + 1));
    *len = (size - (size_t)(start - (char *)c)) / GRAIN * GRAIN;
    POISON(start, *len);
    return start;
}

/* Carves a block of class k off the bump region, first taking a new chunk when the region is too
 * short (its rest feeds the smaller classes); NULL when there is no new chunk to be had. */
static void *carve(lalloc_t *a, size_t k)
{
    size_t n = k * GRAIN;
    if (a->bump_left < n) {
        if (a->pooled > a->limit || a->limit - a->pooled < CHUNK_SIZE) return NULL;
        chunk_t *c = malloc(CHUNK_SIZE);
        if (!c) return NULL;
        give_back(a, a->bump, a->bump_left);
        a->bump = chunk_add(a, c, CHUNK_SIZE, &a->bump_left);
    }
    void *p = a->bump;
    a->bump += n;
    a->bump_left -= n;
    return p;
}

/* A block for n bytes (1..SMALL_MAX), addressable for exactly n; NULL when out of memory. */
static void *pool_alloc(lalloc_t *a, size_t n)
{
    size_t k = class_of(n);
    void *p = a->free[k - 1];
    if (p)
        a->free[k - 1] = link_get(p);
    else if (!(p = carve(a, k)))
        return NULL;
    UNPOISON(p, n);
    return p;
}

static void release(lalloc_t *a, void *p, size_t size)
{
    if (size <= SMALL_MAX)
        push(a, p, class_of(size));
    else
        free(p);
}

void *lalloc_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
    lalloc_t *a = ud;
    if (nsize == 0) {
        if (ptr) release(a, ptr, osize);
        return NULL;
    }
    if (!ptr) return nsize <= SMALL_MAX ? pool_alloc(a, nsize) : malloc(nsize);

    int old_small = osize <= SMALL_MAX, new_small = nsize <= SMALL_MAX;
    if (!old_small && !new_small) return realloc(ptr, nsize);
    if (old_small && new_small && class_of(osize) == class_of(nsize)) {
        POISON(ptr, class_of(osize) * GRAIN);
        UNPOISON(ptr, nsize);
        return ptr;
    }
    void *q = new_small ? pool_alloc(a, nsize) : malloc(nsize);
    if (!q) return NULL; /* ptr stays as it was; Lua 5.4 copes with a failed shrink too */
    memcpy(q, ptr, osize < nsize ? osize : nsize);
    release(a, ptr, osize);
    return q;
}

lalloc_t *lalloc_new(void)
{
    lalloc_t *a = malloc(sizeof *a);
    if (!a) return NULL;
    for (int k = 0; k < NCLASSES; k++)
        a->free[k] = NULL;
    a->bump = NULL;
    a->bump_left = 0;
    a->chunks = NULL;
    a->pooled = 0;
    a->limit = (size_t)-1;
    return a;
}

void lalloc_free(lalloc_t *a)
{
    if (!a) return;
    while (a->chunks) {
        chunk_t *c = a->chunks;
        a->chunks = c->next;
        free(c);
    }
    free(a);
}

size_t lalloc_pooled_bytes(const lalloc_t *a)
{
    return a->pooled;
}

void lalloc_set_pool_limit(lalloc_t *a, size_t bytes)
{
    a->limit = bytes;
}
