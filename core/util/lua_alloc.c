#include "util/lua_alloc.h"

#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define LUA_ALLOC_LIBC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LUA_ALLOC_LIBC 1
#endif
#endif

#ifndef LUA_ALLOC_LIBC
#include <mimalloc.h>
#include <valgrind/valgrind.h>
#endif

struct lua_alloc {
#ifndef LUA_ALLOC_LIBC
    mi_heap_t *heap; /* NULL under valgrind: libc's functions, which valgrind replaces */
#else
    int unused;
#endif
};

void lua_alloc_setup_process(void)
{
#ifndef LUA_ALLOC_LIBC
    /* mimalloc read its options from the environment when the process started; a set option
     * overrides that, so the user's own setting is checked here. */
    if (!getenv("MIMALLOC_DECOMMIT_DELAY"))
        mi_option_set(mi_option_decommit_delay, LUA_ALLOC_DECOMMIT_DELAY_MS);
#endif
}

lua_alloc_t *lua_alloc_new(void)
{
    lua_alloc_t *a = malloc(sizeof *a);
    if (!a) return NULL;
#ifndef LUA_ALLOC_LIBC
    /* Valgrind replaces malloc/free (mimalloc's exported ones too, and mi_free is free) but not
     * mi_heap_realloc, so under valgrind blocks from the heap would be freed by valgrind's free. */
    a->heap = NULL;
    if (RUNNING_ON_VALGRIND) return a;
    a->heap = mi_heap_new();
    if (!a->heap) {
        free(a);
        return NULL;
    }
#endif
    return a;
}

void lua_alloc_free(lua_alloc_t *a)
{
    if (!a) return;
#ifndef LUA_ALLOC_LIBC
    if (a->heap) mi_heap_destroy(a->heap);
#endif
    free(a);
}

void *lua_alloc_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)osize; /* mimalloc knows each block's size */
#ifndef LUA_ALLOC_LIBC
    lua_alloc_t *a = ud;
    if (a->heap) {
        if (nsize == 0) {
            mi_free(ptr);
            return NULL;
        }
        return mi_heap_realloc(a->heap, ptr, nsize);
    }
#else
    (void)ud;
#endif
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, nsize);
}
