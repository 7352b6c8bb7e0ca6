/* kalloc: allocation helpers shared by the pure-C kernels (core/match, core/metrics).
 * Out of memory aborts, as in util/buf.h: ratio treats it as fatal rather than threading a failure
 * path through every numeric kernel. Private to the kernels; not a public API. */
#ifndef RATIO_KALLOC_H
#define RATIO_KALLOC_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline void kalloc_oom(void)
{
    fputs("ratio: out of memory\n", stderr);
    abort();
}

/* malloc(n * size) with overflow check; never returns NULL (n == 0 gives a valid 1-byte block). */
static inline void *kalloc_array(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) kalloc_oom();
    size_t bytes = n * size;
    void *p = malloc(bytes ? bytes : 1);
    if (!p) kalloc_oom();
    return p;
}

/* calloc(n, size); never returns NULL. */
static inline void *kalloc_zeroed(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) kalloc_oom();
    return p;
}

/* realloc to n * size with overflow check; never returns NULL. */
static inline void *kalloc_resize(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) kalloc_oom();
    size_t bytes = n * size;
    void *q = realloc(p, bytes ? bytes : 1);
    if (!q) kalloc_oom();
    return q;
}

#endif
