/* buf: a growable byte buffer, always NUL-terminated so `data` can be used as a C string.
 * Allocation failure aborts (ratio treats out-of-memory as fatal rather than threading it through
 * every caller). A zeroed buf_t is a valid empty buffer. */
#ifndef RATIO_BUF_H
#define RATIO_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

typedef struct buf {
    char *data; /* NULL until the first append; then always NUL-terminated */
    size_t len;
    size_t cap;
} buf_t;

void buf_init(buf_t *b);
void buf_free(buf_t *b);                  /* frees and re-inits */
void buf_reset(buf_t *b);                 /* len = 0, keeps the allocation */
void buf_reserve(buf_t *b, size_t extra); /* room for `extra` more bytes plus the NUL */
void buf_init_cap(buf_t *b, size_t cap);  /* an empty buffer of exactly cap bytes (NUL included) */
/* An empty buffer with room for about `like` bytes (what the last of a run of similar texts took,
 * plus a margin): one allocation, where growing by doubling would be several and up to twice the
 * text. */
void buf_init_like(buf_t *b, size_t like);
void buf_append_grow(buf_t *b, const void *p, size_t n); /* buf_append when it must grow */
void buf_puts(buf_t *b, const char *s);
void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf_t *b, const char *fmt, va_list ap) __attribute__((nonnull(2)));
void buf_consume(buf_t *b, size_t n);    /* drop the first n bytes */
char *buf_detach(buf_t *b, size_t *len); /* caller owns the bytes; b is re-inited */
const char *buf_cstr(buf_t *b);          /* "" for an empty buffer, never NULL */

/* Appending is inline while the bytes and the NUL fit (the JSON writer appends a byte or a short
 * run at a time); only a buffer that must grow calls out. An unallocated buffer has cap 0. */
static inline void buf_append(buf_t *b, const void *p, size_t n)
{
    if (n < b->cap - b->len) {
        if (n) memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
    } else {
        buf_append_grow(b, p, n);
    }
}

static inline void buf_putc(buf_t *b, char c)
{
    if (b->cap - b->len > 1) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
    } else {
        buf_append_grow(b, &c, 1);
    }
}

#endif
