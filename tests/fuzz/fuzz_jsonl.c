/* libFuzzer target for the JSONL reader (core/json/jsonl.c), with each line fed to the JSON parser
 * (core/json/json.c) the way datasets are read.
 *
 * Input: byte 0 = max_line (1..255, or 0 = the default), byte 1 = filler (see below), then the
 * file content, written to a private temporary file and read back with jsonl_open/jsonl_next. The reader's answers are
 * compared with the file split independently: each returned line is exactly physical line
 * jsonl_lineno() without its '\n', a trailing '\r' and (line 1) a UTF-8 BOM; line numbers only
 * grow; a line is rejected as too long exactly when it is longer than max_line, otherwise
 * returned unless blank; the line is NUL-terminated; the buffer stays within max_line +
 * JSONL_CHUNK + 3; and the whole file is consumed. */
#define _POSIX_C_SOURCE 200809L /* mkstemp */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "json/json.h"
#include "json/jsonl.h"

/* The file split independently: physical lines as the reader should return them. */
typedef struct fl_lines {
    size_t *begin, *end;
    long n;
} fl_lines;

static void fl_split(const char *s, size_t len, fl_lines *L)
{
    size_t cap = 1;
    for (size_t i = 0; i < len; i++) cap += s[i] == '\n';
    L->begin = malloc(cap * sizeof *L->begin);
    L->end = malloc(cap * sizeof *L->end);
    L->n = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t b = i, e = nl ? (size_t)(nl - s) : len;
        i = nl ? e + 1 : len;
        if (L->n == 0 && e - b >= 3 && memcmp(s + b, "\xEF\xBB\xBF", 3) == 0) b += 3;
        if (e > b && s[e - 1] == '\r') e--;
        L->begin[L->n] = b;
        L->end[L->n] = e;
        L->n++;
    }
}

/* Physical line `no` (1-based); 0 if there is none. */
static int fl_line(const char *s, const fl_lines *L, long no, const char **out, size_t *olen)
{
    if (no < 1 || no > L->n) return 0;
    *out = s + L->begin[no - 1];
    *olen = L->end[no - 1] - L->begin[no - 1];
    return 1;
}

static int fl_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return 0;
    return 1;
}

static char fl_path[4096]; /* the temporary file, one per fuzz process */

static void fl_cleanup(void)
{
    if (fl_path[0]) unlink(fl_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = fl_path;
    if (!path[0]) {
        /* In $TMPDIR (scripts/fuzz points it at its work folder), named by mkstemp, not the pid:
         * fuzzers of other sessions (other pid namespaces) may share /tmp. */
        const char *dir = getenv("TMPDIR");
        int n = snprintf(path, sizeof fl_path, "%s/ratio-fuzz-jsonl-XXXXXX",
                         dir && *dir ? dir : "/tmp");
        FUZZ_REQUIRE(n > 0 && (size_t)n < sizeof fl_path);
        int fd = mkstemp(path);
        FUZZ_REQUIRE(fd >= 0);
        close(fd);
        atexit(fl_cleanup);
    }
    if (size < 2) return 0;
    size_t max_line = data[0];
    size_t eff = max_line ? max_line : JSONL_DEFAULT_MAX_LINE;
    /* Byte 1, bit 7: put filler before the content so that it straddles the end of the first
     * JSONL_CHUNK read (a line of spaces, or with bit 6 of 'x', ending in '\n'). */
    size_t pad = 0;
    if (data[1] & 0x80) pad = JSONL_CHUNK - (size_t)(data[1] & 0x3f) * 4;
    size_t len = pad + size - 2;
    char *s = malloc(len ? len : 1);
    if (pad) {
        memset(s, (data[1] & 0x40) ? 'x' : ' ', pad);
        s[pad - 1] = '\n';
    }
    memcpy(s + pad, data + 2, size - 2);
    FILE *f = fopen(path, "wb");
    FUZZ_REQUIRE(f != NULL);
    FUZZ_REQUIRE(fwrite(s, 1, len, f) == len);
    FUZZ_REQUIRE(fclose(f) == 0);

    fl_lines L;
    fl_split(s, len, &L);
    char err[256];
    jsonl_reader_t *r = jsonl_open(path, max_line, err, sizeof err);
    FUZZ_REQUIRE(r != NULL);
    json_parser_t jp;
    json_parser_init(&jp);
    long prev = 0;
    for (int guard = 0;; guard++) {
        FUZZ_REQUIRE(guard <= (int)len + 2);
        const char *line = NULL;
        size_t n = 0;
        int rc = jsonl_next(r, &line, &n);
        FUZZ_REQUIRE(jsonl_buffer_size(r) <= eff + JSONL_CHUNK + 3);
        if (rc == 0) break;
        long no = jsonl_lineno(r);
        FUZZ_REQUIRE(no > prev);
        /* Lines skipped between the previous answer and this one are blank and not too long. */
        for (long k = prev + 1; k < no; k++) {
            const char *w;
            size_t wn;
            FUZZ_REQUIRE(fl_line(s, &L, k, &w, &wn));
            if (!fl_blank(w, wn) || wn > eff)
                fprintf(stderr, "fuzz_jsonl: line %ld (%zu bytes) skipped; answer rc %d for line "
                        "%ld (%zu bytes), file %zu bytes, max_line %zu\n",
                        k, wn, rc, no, n, len, max_line);
            FUZZ_REQUIRE(fl_blank(w, wn) && wn <= eff);
        }
        prev = no;
        const char *want;
        size_t wn;
        FUZZ_REQUIRE(fl_line(s, &L, no, &want, &wn));
        /* A line is too long by its length alone (blank or not: the reader cannot know a long
         * line is blank without buffering it). */
        if (rc == -1) {
            FUZZ_REQUIRE(strstr(jsonl_error(r), "line longer than") != NULL);
            FUZZ_REQUIRE(wn > eff);
            continue;
        }
        FUZZ_REQUIRE(rc == 1 && !fl_blank(want, wn));
        FUZZ_REQUIRE(n <= eff && n == wn && memcmp(line, want, n) == 0 && line[n] == '\0');
        json_error_t e;
        if (json_parser_parse(&jp, line, n, NULL, NULL, 0, &e) != JSON_OK)
            FUZZ_REQUIRE(e.offset <= n && e.line == 1);
    }
    /* Everything after the last answered line is blank. */
    const char *w;
    size_t wn;
    for (long k = prev + 1; fl_line(s, &L, k, &w, &wn); k++)
        FUZZ_REQUIRE(fl_blank(w, wn) && wn <= eff);
    FUZZ_REQUIRE(jsonl_next(r, &w, &wn) == 0);
    json_parser_free(&jp);
    jsonl_close(r);
    free(s);
    free(L.begin);
    free(L.end);
    return 0;
}
