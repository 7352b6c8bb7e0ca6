/* jsonl: streaming JSON Lines reader and whole-line writer. See jsonl.h for the contract. */
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64 /* files over 2 GiB on 32-bit hosts */

#include "jsonl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "util/buf.h"

struct jsonl_reader {
    int fd;
    int own_fd;       /* 0 for stdin, which we must not close */
    char *name;       /* path as given, or "<stdin>", for messages */
    size_t max_line;  /* longest accepted line, line ending excluded */
    size_t cap_limit; /* the buffer never grows beyond this */
    char *data;       /* unconsumed bytes are data[start..end); '\n' searched from scan */
    size_t cap, start, end, scan;
    int eof;      /* read(2) returned 0 */
    int failed;   /* read error: sticky */
    int skipping; /* discarding the rest of an over-long line */
    long lineno;
    buf_t err;
};

struct jsonl_writer {
    int fd;
    int own_fd; /* 0 for stdout */
    char *name;
    buf_t out;  /* queued whole lines */
    int failed; /* a write failed: sticky, later lines would follow a gap */
    long long recovered;
    buf_t err;
};

/* strerror, lower-cased at the start so it reads well after "path: " ("no such file or
 * directory"); strerror_r because strerror's buffer is shared between threads. */
static void jsonl_reason(int errnum, char *out, size_t n)
{
    if (strerror_r(errnum, out, n) != 0) snprintf(out, n, "error %d", errnum);
    if (out[0] >= 'A' && out[0] <= 'Z' && out[1] >= 'a' && out[1] <= 'z') out[0] += 'a' - 'A';
}

static void jsonl_open_error(char *err, size_t errlen, const char *path, int errnum)
{
    char why[128];
    if (!err || !errlen) return;
    jsonl_reason(errnum, why, sizeof why);
    snprintf(err, errlen, "%s: %s", path, why);
}

static char *jsonl_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (!p) {
        fputs("ratio: out of memory\n", stderr);
        abort();
    }
    return memcpy(p, s, n);
}

/* ---- reader --------------------------------------------------------------------------------- */

jsonl_reader_t *jsonl_open(const char *path, size_t max_line, char *err, size_t errlen)
{
    int is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        jsonl_open_error(err, errlen, path, errno);
        return NULL;
    }
    struct stat st;
    int e = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (e) {
        if (!is_stdin) close(fd);
        jsonl_open_error(err, errlen, path, e);
        return NULL;
    }
    jsonl_reader_t *r = calloc(1, sizeof *r);
    if (!r) {
        fputs("ratio: out of memory\n", stderr);
        abort();
    }
    r->fd = fd;
    r->own_fd = !is_stdin;
    r->name = jsonl_strdup(is_stdin ? "<stdin>" : path);
    r->max_line = max_line ? max_line : JSONL_DEFAULT_MAX_LINE;
    if (r->max_line > (size_t)-1 / 4) r->max_line = (size_t)-1 / 4; /* keep cap_limit finite */
    /* A line, "\r\n", one chunk being read and the NUL we place after a line. */
    r->cap_limit = r->max_line + 2 + JSONL_CHUNK + 1;
    buf_init(&r->err);
    return r;
}

/* Read one chunk after the unconsumed bytes. Returns 0 (eof may now be set) or -1. */
static int jsonl_fill(jsonl_reader_t *r)
{
    if (r->start > 0) { /* keep only the current partial line */
        memmove(r->data, r->data + r->start, r->end - r->start);
        r->end -= r->start;
        r->scan -= r->start;
        r->start = 0;
    }
    if (r->cap - r->end < JSONL_CHUNK + 1 && r->cap < r->cap_limit) {
        size_t cap = r->cap * 2;
        if (cap < r->end + JSONL_CHUNK + 1) cap = r->end + JSONL_CHUNK + 1;
        if (cap > r->cap_limit) cap = r->cap_limit;
        char *p = realloc(r->data, cap);
        if (!p) {
            fputs("ratio: out of memory\n", stderr);
            abort();
        }
        r->data = p;
        r->cap = cap;
    }
    /* >= JSONL_CHUNK - 3: callers keep end <= max_line + 1 (+ 3 for line 1's BOM) */
    size_t room = r->cap - r->end - 1;
    if (room > JSONL_CHUNK) room = JSONL_CHUNK;
    for (;;) {
        ssize_t n = read(r->fd, r->data + r->end, room);
        if (n > 0) {
            r->end += (size_t)n;
            return 0;
        }
        if (n == 0) {
            r->eof = 1;
            return 0;
        }
        if (errno == EINTR) continue;
        char why[128];
        jsonl_reason(errno, why, sizeof why);
        buf_reset(&r->err);
        buf_printf(&r->err, "%s:%ld: read error: %s", r->name, r->lineno + 1, why);
        r->failed = 1;
        return -1;
    }
}

static int jsonl_too_long(jsonl_reader_t *r)
{
    buf_reset(&r->err);
    buf_printf(&r->err, "%s:%ld: line longer than %zu bytes", r->name, r->lineno, r->max_line);
    return -1;
}

/* 3 while reading line 1 and it starts with a UTF-8 BOM (removed, so not part of the length),
 * else 0. Without it a line 1 of exactly max_line bytes after a BOM was rejected as too long when
 * a read ended just before its '\n' (found writing tests/fuzz/fuzz_jsonl.c). */
static size_t jsonl_bom_len(const jsonl_reader_t *r)
{
    return r->lineno == 0 && r->end - r->start >= 3 &&
                   memcmp(r->data + r->start, "\xEF\xBB\xBF", 3) == 0
               ? 3
               : 0;
}

int jsonl_next(jsonl_reader_t *r, const char **line, size_t *len)
{
    for (;;) {
        if (r->failed) return -1;
        char *nl = NULL;
        if (r->end > r->scan) nl = memchr(r->data + r->scan, '\n', r->end - r->scan);
        if (r->skipping) { /* drop the rest of an over-long line, then go on as usual */
            if (nl) {
                r->start = r->scan = (size_t)(nl - r->data) + 1;
                r->skipping = 0;
                continue;
            }
            r->start = r->scan = r->end = 0;
            if (r->eof) {
                r->skipping = 0;
                return 0;
            }
            if (jsonl_fill(r)) return -1;
            continue;
        }
        size_t ls = r->start, le; /* the line is data[ls..le) */
        if (nl) {
            le = (size_t)(nl - r->data);
            r->start = r->scan = le + 1;
        } else if (r->end - r->start > r->max_line + 1 + jsonl_bom_len(r)) {
            /* Even after a '\r' (and line 1's BOM) this line is too long: report it now, skip it
             * lazily, and keep memory bounded instead of buffering the whole line. */
            r->lineno++;
            r->skipping = 1;
            r->start = r->scan = r->end;
            return jsonl_too_long(r);
        } else if (r->eof) {
            if (r->start == r->end) return 0;
            le = r->end; /* a last line without '\n' */
            r->start = r->scan = r->end;
        } else {
            r->scan = r->end;
            if (jsonl_fill(r)) return -1;
            continue;
        }

        r->lineno++;
        if (le > ls && r->data[le - 1] == '\r') le--;
        if (r->lineno == 1 && le - ls >= 3 && memcmp(r->data + ls, "\xEF\xBB\xBF", 3) == 0) ls += 3;
        if (le - ls > r->max_line) return jsonl_too_long(r);
        size_t i = ls;
        while (i < le && (r->data[i] == ' ' || r->data[i] == '\t' || r->data[i] == '\r'))
            i++;
        if (i == le) continue; /* blank: counted, not returned */
        r->data[le] = '\0';    /* overwrites '\r', '\n' or the spare byte after end */
        *line = r->data + ls;
        *len = le - ls;
        return 1;
    }
}

const char *jsonl_error(const jsonl_reader_t *r)
{
    return r->err.data ? r->err.data : "";
}

long jsonl_lineno(const jsonl_reader_t *r)
{
    return r->lineno;
}

size_t jsonl_buffer_size(const jsonl_reader_t *r)
{
    return r->cap;
}

void jsonl_close(jsonl_reader_t *r)
{
    if (!r) return;
    if (r->own_fd) close(r->fd);
    free(r->data);
    free(r->name);
    buf_free(&r->err);
    free(r);
}

/* ---- writer --------------------------------------------------------------------------------- */

/* pread exactly n bytes at off (EINTR and short reads retried). */
static int jsonl_pread_all(int fd, char *p, size_t n, off_t off)
{
    while (n) {
        ssize_t k = pread(fd, p, n, off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            if (k == 0) errno = EIO; /* the file shrank under us */
            return -1;
        }
        p += k;
        n -= (size_t)k;
        off += k;
    }
    return 0;
}

/* If the regular file fd does not end in '\n', truncate it just after its last '\n' (or to 0),
 * storing how many bytes were cut. The tail is scanned backwards in blocks, so a long torn line
 * costs no memory. Returns 0 or -1 with errno set. */
static int jsonl_cut_torn_tail(int fd, long long *dropped)
{
    struct stat st;
    char block[4096];
    *dropped = 0;
    if (fstat(fd, &st) != 0) return -1;
    if (!S_ISREG(st.st_mode) || st.st_size == 0) return 0;
    off_t pos = st.st_size, keep = 0;
    while (pos > 0) {
        size_t n = pos < (off_t)sizeof block ? (size_t)pos : sizeof block;
        if (jsonl_pread_all(fd, block, n, pos - (off_t)n)) return -1;
        size_t i = n;
        while (i > 0 && block[i - 1] != '\n')
            i--;
        if (i > 0) {
            keep = pos - (off_t)n + (off_t)i;
            break;
        }
        pos -= (off_t)n;
    }
    if (keep == st.st_size) return 0;
    while (ftruncate(fd, keep) != 0)
        if (errno != EINTR) return -1;
    *dropped = (long long)(st.st_size - keep);
    return 0;
}

jsonl_writer_t *jsonl_writer_open(const char *path, int append, char *err, size_t errlen)
{
    int is_stdout = strcmp(path, "-") == 0;
    int fd = STDOUT_FILENO;
    long long dropped = 0;
    if (!is_stdout) {
        /* O_RDWR: the torn-tail cut (on append, and after a failed write) reads the file's end.
         * A write-only file can still be truncated and written, just without that repair. */
        int flags = O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
        fd = open(path, flags | O_RDWR, 0644);
        if (fd < 0 && errno == EACCES && !append) fd = open(path, flags | O_WRONLY, 0644);
        if (fd < 0) {
            jsonl_open_error(err, errlen, path, errno);
            return NULL;
        }
        if (append && jsonl_cut_torn_tail(fd, &dropped) != 0) {
            int e = errno;
            close(fd);
            jsonl_open_error(err, errlen, path, e);
            return NULL;
        }
    }
    jsonl_writer_t *w = calloc(1, sizeof *w);
    if (!w) {
        fputs("ratio: out of memory\n", stderr);
        abort();
    }
    w->fd = fd;
    w->own_fd = !is_stdout;
    w->name = jsonl_strdup(is_stdout ? "<stdout>" : path);
    w->recovered = dropped;
    buf_init(&w->out);
    buf_init(&w->err);
    return w;
}

long long jsonl_writer_recovered_bytes(const jsonl_writer_t *w)
{
    return w->recovered;
}

static int jsonl_writer_fail(jsonl_writer_t *w, const char *what, int errnum)
{
    char why[128];
    jsonl_reason(errnum, why, sizeof why);
    buf_reset(&w->err);
    buf_printf(&w->err, "%s: %s: %s", w->name, what, why);
    return -1;
}

int jsonl_flush(jsonl_writer_t *w)
{
    if (w->failed) return -1;
    const char *p = w->out.data;
    size_t n = w->out.len;
    while (n) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            int e = k < 0 ? errno : EIO;
            long long cut;
            /* A short write followed by a failure (disk full) leaves part of a line: cut the
             * file back to its last whole line so a reader never sees it. Best effort. */
            if (w->own_fd) jsonl_cut_torn_tail(w->fd, &cut);
            w->failed = 1;
            buf_reset(&w->out);
            return jsonl_writer_fail(w, "write error", e);
        }
        p += k;
        n -= (size_t)k;
    }
    buf_reset(&w->out);
    return 0;
}

int jsonl_write(jsonl_writer_t *w, const char *json, size_t len)
{
    if (w->failed) return -1;
    if (len == 0) {
        buf_reset(&w->err);
        buf_printf(&w->err, "%s: refusing to write an empty line", w->name);
        return -1;
    }
    if (memchr(json, '\n', len)) {
        buf_reset(&w->err);
        buf_printf(&w->err, "%s: refusing to write a line with an embedded newline", w->name);
        return -1;
    }
    buf_reserve(&w->out, len + 1);
    buf_append(&w->out, json, len);
    buf_putc(&w->out, '\n');
    if (w->out.len >= JSONL_CHUNK) return jsonl_flush(w);
    return 0;
}

int jsonl_fsync(jsonl_writer_t *w)
{
    if (jsonl_flush(w)) return -1;
    /* Pipes and terminals cannot be synced; there is nothing to make durable there. */
    if (fsync(w->fd) != 0 && errno != EINVAL && errno != EROFS) {
        return jsonl_writer_fail(w, "fsync error", errno);
    }
    return 0;
}

const char *jsonl_writer_error(const jsonl_writer_t *w)
{
    return w->err.data ? w->err.data : "";
}

int jsonl_writer_close(jsonl_writer_t *w, char *err, size_t errlen)
{
    if (!w) return 0;
    int rc = jsonl_flush(w);
    if (w->own_fd && close(w->fd) != 0 && rc == 0) rc = jsonl_writer_fail(w, "close error", errno);
    if (rc && err && errlen) snprintf(err, errlen, "%s", jsonl_writer_error(w));
    buf_free(&w->out);
    buf_free(&w->err);
    free(w->name);
    free(w);
    return rc;
}
