/* bench_cache: why the call cache batches its writes.
 *
 * Simulates the loop side of a run of N judge calls: for each call build its key (SHA-256 of the
 * request), look it up (a miss), then store the ~1.5 KB reply and a run-log row. The same work is
 * timed with a flush every B puts for several B (B = 1 is one transaction per call) and against a
 * baseline that does everything except touch the cache, then a replay pass that reads every reply
 * back. The flush columns are single stalls of the loop; p99/max include SQLite's WAL
 * auto-checkpoint (every ~1000 pages, inside some commit, with an fsync), median excludes it.
 * Prints numbers and asserts nothing about time.
 *
 *   gcc -std=c11 -O2 -Wall -Wextra -Icore bench/bench_cache.c core/store/cache.c \
 *       core/util/sha256.c core/util/buf.c -lsqlite3 -lcrypto -lm -o /tmp/bench_cache
 *   /tmp/bench_cache [N] [DIR]        (N defaults to 10000, DIR to a new directory under /tmp)
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/cache.h"
#include "util/sha256.h"

static double bench_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int bench_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(p);
    return 0;
}

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The request and reply of call i, roughly the size of a judge exchange. */
static void bench_call(long i, buf_t *req, buf_t *reply, char key[SHA256_HEX_LEN + 1])
{
    buf_reset(req);
    buf_printf(req,
               "{\"model\":\"qwen3-235b-a22b\",\"messages\":[{\"role\":\"user\",\"content\":"
               "\"item %ld: which response is better, and why?\"}],\"temperature\":0}",
               i);
    if (sha256_hex(req->data, req->len, key) != 0) abort();
    buf_reset(reply);
    buf_printf(reply, "{\"id\":\"chatcmpl-%ld\",\"choices\":[{\"message\":{\"content\":\"", i);
    for (int k = 0; k < 24; k++)
        buf_puts(reply, "- S1: response A cites the failing test case line by line. ");
    buf_puts(reply,
             "Verdict: A>B\"}}],\"usage\":{\"prompt_tokens\":812,\"completion_tokens\":233}}");
}

struct bench_result {
    double total_ms, mean_flush_ms, median_flush_ms, p99_flush_ms, max_flush_ms;
    long flushes;
};

/* One run of n calls with a flush every `batch` puts (batch 0: no cache at all, the baseline). */
static int bench_run(const char *path, long n, long batch, struct bench_result *res)
{
    char err[512], key[SHA256_HEX_LEN + 1];
    buf_t req, reply, got;
    buf_init(&req);
    buf_init(&reply);
    buf_init(&got);
    cache_t *c = NULL;
    if (batch > 0 && !(c = cache_open(path, 0, err, sizeof err))) {
        fprintf(stderr, "bench_cache: %s\n", err);
        return -1;
    }
    double *stalls = malloc(sizeof(double) * (size_t)(n + 1));
    if (!stalls) abort();
    long nstall = 0;
    size_t sink = 0; /* keeps the baseline's work from being optimised away */
    double t0 = bench_now_ms();
    for (long i = 0; i < n; i++) {
        bench_call(i, &req, &reply, key);
        sink += (size_t)key[0] + reply.len;
        if (!c) continue;
        if (cache_get(c, key, &got, NULL) != 0) {
            fprintf(stderr, "bench_cache: unexpected hit or error at %ld\n", i);
            return -1;
        }
        cache_entry_meta_t m = {"qwen3-235b-a22b", "openai", 812, 233, 950.0, 0};
        cache_log_entry_t le = {"bench", key, "ok", 1, 200, NULL, 950.0, 0};
        if (cache_put(c, key, reply.data, reply.len, &m) != 0 || cache_log(c, &le) != 0) {
            fprintf(stderr, "bench_cache: %s\n", cache_errmsg(c));
            return -1;
        }
        if ((i + 1) % batch == 0 || i + 1 == n) {
            double f0 = bench_now_ms();
            if (cache_flush(c) < 0) {
                fprintf(stderr, "bench_cache: %s\n", cache_errmsg(c));
                return -1;
            }
            stalls[nstall++] = bench_now_ms() - f0;
        }
    }
    res->total_ms = bench_now_ms() - t0;
    res->flushes = nstall;
    res->mean_flush_ms = res->median_flush_ms = res->max_flush_ms = res->p99_flush_ms = 0;
    if (nstall) {
        qsort(stalls, (size_t)nstall, sizeof *stalls, bench_cmp_double);
        for (long k = 0; k < nstall; k++)
            res->mean_flush_ms += stalls[k] / (double)nstall;
        res->median_flush_ms = stalls[nstall / 2];
        res->max_flush_ms = stalls[nstall - 1];
        res->p99_flush_ms = stalls[(size_t)((double)(nstall - 1) * 0.99)];
    }
    free(stalls);
    if (c && cache_close(c, err, sizeof err) != 0) {
        fprintf(stderr, "bench_cache: %s\n", err);
        return -1;
    }
    buf_free(&req);
    buf_free(&reply);
    buf_free(&got);
    return sink == 0 ? -1 : 0;
}

/* Replay: every call is a hit read from disk. Returns ms, or -1. */
static double bench_replay(const char *path, long n)
{
    char err[512], key[SHA256_HEX_LEN + 1];
    buf_t req, reply, got;
    buf_init(&req);
    buf_init(&reply);
    buf_init(&got);
    cache_t *c = cache_open(path, 1, err, sizeof err);
    if (!c) {
        fprintf(stderr, "bench_cache: %s\n", err);
        return -1;
    }
    double t0 = bench_now_ms();
    for (long i = 0; i < n; i++) {
        bench_call(i, &req, &reply, key);
        if (cache_get(c, key, &got, NULL) != 1 || got.len != reply.len) {
            fprintf(stderr, "bench_cache: replay miss at %ld\n", i);
            return -1;
        }
    }
    double ms = bench_now_ms() - t0;
    cache_close(c, NULL, 0);
    buf_free(&req);
    buf_free(&reply);
    buf_free(&got);
    return ms;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 10000;
    char dir[256];
    int own_dir = argc <= 2;
    if (n <= 0) {
        fprintf(stderr, "usage: bench_cache [N>0] [DIR]\n");
        return 2;
    }
    if (own_dir) {
        snprintf(dir, sizeof dir, "/tmp/ratio-bench-cache-XXXXXX");
        if (!mkdtemp(dir)) {
            perror("bench_cache: mkdtemp");
            return 1;
        }
    } else {
        snprintf(dir, sizeof dir, "%s", argv[2]);
    }
    const long batches[] = {0, 1, 8, 64, 512};
    struct bench_result res[sizeof batches / sizeof batches[0]];
    char path[512];
    printf("bench_cache: %ld calls (get miss + put ~1.5 KB + log row each), SQLite %s, dir %s\n", n,
           "WAL/synchronous=NORMAL", dir);
    printf("%-24s %9s %8s %8s %11s %11s %11s %11s\n", "flush policy", "total ms", "us/call",
           "flushes", "mean flush", "median", "p99", "max");
    for (size_t k = 0; k < sizeof batches / sizeof batches[0]; k++) {
        snprintf(path, sizeof path, "%s/b%ld/cache.sqlite", dir, batches[k]);
        if (bench_run(path, n, batches[k], &res[k]) != 0) return 1;
        char label[64];
        if (batches[k] == 0)
            snprintf(label, sizeof label, "no cache (baseline)");
        else if (batches[k] == 1)
            snprintf(label, sizeof label, "1 transaction per put");
        else
            snprintf(label, sizeof label, "flush every %ld puts", batches[k]);
        printf("%-24s %9.1f %8.2f %8ld %9.3fms %9.3fms %9.3fms %9.3fms\n", label, res[k].total_ms,
               res[k].total_ms * 1e3 / (double)n, res[k].flushes, res[k].mean_flush_ms,
               res[k].median_flush_ms, res[k].p99_flush_ms, res[k].max_flush_ms);
    }
    printf("cache overhead over baseline: per-put transactions %.1f ms, batches of 64 %.1f ms "
           "(%.1fx less)\n",
           res[1].total_ms - res[0].total_ms, res[3].total_ms - res[0].total_ms,
           (res[1].total_ms - res[0].total_ms) / (res[3].total_ms - res[0].total_ms));
    snprintf(path, sizeof path, "%s/b64/cache.sqlite", dir);
    double replay = bench_replay(path, n);
    if (replay < 0) return 1;
    printf("replay (every call a hit from disk): %.1f ms, %.2f us/call\n", replay,
           replay * 1e3 / (double)n);
    if (own_dir) nftw(dir, bench_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}
