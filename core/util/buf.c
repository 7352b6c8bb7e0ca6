#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void buf_oom(void)
{
    fputs("ratio: out of memory\n", stderr);
    abort();
}

void buf_init(buf_t *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_free(buf_t *b)
{
    free(b->data);
    buf_init(b);
}

void buf_reset(buf_t *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

void buf_init_cap(buf_t *b, size_t cap)
{
    buf_init(b);
    if (cap < 1) cap = 1;
    b->data = malloc(cap);
    if (!b->data) buf_oom();
    b->data[0] = '\0';
    b->cap = cap;
}

void buf_init_like(buf_t *b, size_t like)
{
    buf_init_cap(b, like + like / 16 + 64);
}

void buf_reserve(buf_t *b, size_t extra)
{
    if (extra > (size_t)-1 / 2 - b->len) buf_oom();
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) buf_oom();
    b->data = p;
    b->cap = cap;
}

void buf_append_grow(buf_t *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(buf_t *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_vprintf(buf_t *b, const char *fmt, va_list ap)
{
    /* Straight into the room the buffer has (one vsnprintf when it fits, as a number or a short
     * line does); measured and written again only when it does not. */
    buf_reserve(b, 0);
    size_t room = b->cap - b->len;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(b->data + b->len, room, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->data[b->len] = '\0';
        return;
    }
    if ((size_t)n >= room) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    }
    b->len += (size_t)n;
}

void buf_printf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_consume(buf_t *b, size_t n)
{
    if (n >= b->len) {
        buf_reset(b);
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

char *buf_detach(buf_t *b, size_t *len)
{
    char *p = b->data;
    if (len) *len = b->len;
    if (!p) {
        p = malloc(1);
        if (!p) buf_oom();
        p[0] = '\0';
    }
    buf_init(b);
    return p;
}

const char *buf_cstr(buf_t *b)
{
    return b->data ? b->data : "";
}
