/* bench_json: the JSON layer alone (core/json/json.c: the scan, the tape and the events) on a
 * JSONL file held in memory, line by line with one reusable parser, as ratio.jsonl reads datasets.
 * Prints the lines, the bytes and the time of the best of 5 passes; asserts nothing about time. On
 * a shared machine compare instruction counts instead:
 *
 *   gcc -std=c11 -O2 -Wall -Wextra -Icore bench/bench_json.c core/json/json.c core/util/utf8.c \
 *       core/util/buf.c $(pkg-config --cflags --libs libcjson) -lm -o /tmp/bench_json
 *   bin/ratio run bench/make_metajudge_file.lua --output /tmp/m.jsonl --items 1000
 *   /tmp/bench_json /tmp/m.jsonl [--events]
 *   valgrind --tool=callgrind /tmp/bench_json /tmp/m.jsonl --once
 *
 * --events parses with callbacks that count the events (else validate only: no callbacks);
 * --once makes one pass (for callgrind). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json/json.h"

static int count0(void *ud)
{
    ++*(size_t *)ud;
    return 0;
}
static int count_bool(void *ud, int v)
{
    (void)v;
    return count0(ud);
}
static int count_int(void *ud, long long v)
{
    (void)v;
    return count0(ud);
}
static int count_double(void *ud, double v)
{
    (void)v;
    return count0(ud);
}
static int count_str(void *ud, const char *s, size_t n)
{
    (void)s;
    (void)n;
    return count0(ud);
}
static int count_end(void *ud, size_t n)
{
    (void)n;
    return count0(ud);
}
static const json_sax_t counting = {count0,    count_bool, count_int, count_double, count_str,
                                    count_end, count_str,  count_end, count_end,    count_end};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_json FILE.jsonl [--events] [--once]\n");
        return 2;
    }
    int events = 0, passes = 5;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--events") == 0) events = 1;
        if (strcmp(argv[i], "--once") == 0) passes = 1;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *d = malloc((size_t)n + 1);
    if (!d || fread(d, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "bench_json: cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(f);
    json_parser_t p;
    json_parser_init(&p);
    double best = 0;
    size_t lines = 0, invalid = 0, count = 0;
    for (int pass = 0; pass < passes; pass++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        lines = invalid = count = 0;
        for (char *s = d; s < d + n;) {
            char *e = memchr(s, '\n', (size_t)(d + n - s));
            if (!e) e = d + n;
            if (e > s && json_parser_parse(&p, s, (size_t)(e - s), events ? &counting : NULL,
                                           &count, 0, NULL) != JSON_OK)
                invalid++;
            lines++;
            s = e + 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (pass == 0 || secs < best) best = secs;
    }
    printf("%zu lines (%zu invalid), %.1f MB, %zu events: %.3f s (best of %d), %.0f MB/s\n", lines,
           invalid, (double)n / 1e6, count, best, passes, (double)n / 1e6 / best);
    json_parser_free(&p);
    free(d);
    return 0;
}
