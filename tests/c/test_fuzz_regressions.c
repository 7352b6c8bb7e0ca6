/* Regression tests for what fuzzing the kernels found (scripts/fuzz, tests/fuzz/): one test per
 * finding, named after the kernel it was in. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "json/jsonl.h"

/* core/json/jsonl.c: line 1 of exactly max_line bytes after a UTF-8 BOM, whose '\n' lies just past
 * the first read (here: one JSONL_CHUNK of BOM + line), was rejected as "line longer than" because
 * the early length check counted the BOM. It must be returned whole, and the next line too. */
TEST(fuzz_jsonl_bom_line_at_max_line_across_reads)
{
    size_t max_line = JSONL_CHUNK - 3;
    char path[64];
    snprintf(path, sizeof path, "/tmp/ratio-fuzzreg-XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    size_t n = 3 + max_line + 4;
    char *data = malloc(n);
    memcpy(data, "\xEF\xBB\xBF", 3);
    memset(data + 3, 'x', max_line);
    memcpy(data + 3 + max_line, "\n{}\n", 4);
    CHECK_INT(write(fd, data, n), (long long)n);
    close(fd);

    char err[256];
    jsonl_reader_t *r = jsonl_open(path, max_line, err, sizeof err);
    CHECK(r != NULL);
    if (r) {
        const char *line;
        size_t len;
        CHECK_INT(jsonl_next(r, &line, &len), 1);
        CHECK_STR(jsonl_error(r), "");
        CHECK_INT(len, (long long)max_line);
        CHECK_INT(jsonl_lineno(r), 1);
        CHECK(len == max_line && line[0] == 'x' && line[len - 1] == 'x');
        CHECK(jsonl_buffer_size(r) <= max_line + JSONL_CHUNK + 3);
        CHECK_INT(jsonl_next(r, &line, &len), 1);
        CHECK_STR(line, "{}");
        CHECK_INT(jsonl_next(r, &line, &len), 0);
        jsonl_close(r);
    }
    /* One byte more is still too long. */
    r = jsonl_open(path, max_line - 1, err, sizeof err);
    CHECK(r != NULL);
    if (r) {
        const char *line;
        size_t len;
        CHECK_INT(jsonl_next(r, &line, &len), -1);
        CHECK(strstr(jsonl_error(r), ":1: line longer than") != NULL);
        CHECK_INT(jsonl_next(r, &line, &len), 1);
        CHECK_STR(line, "{}");
        jsonl_close(r);
    }
    free(data);
    unlink(path);
}
