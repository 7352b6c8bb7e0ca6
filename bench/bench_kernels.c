/* bench_kernels: prints the speed of the MetaJudge kernels next to a baseline measured in the same
 * run. Targets (issue): Hungarian 50×50 <= 100 µs/op; bootstrap 10,000 resamples × 22,000 items
 * <= 1 s.
 *
 * Build (from the repository root): compile this file with every .c under core/match and
 * core/metrics plus core/util/buf.c, -std=c11 -O2 -Icore -lm, e.g.
 *   cc -std=c11 -O2 -Icore bench/bench_kernels.c $(ls core/match/[a-z]*.c core/metrics/[a-z]*.c)
 *      core/util/buf.c -lm -o /tmp/bench_kernels
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "match/assign.h"
#include "match/scoreblock.h"
#include "match/similarity.h"
#include "metrics/checklist.h"
#include "metrics/stats.h"

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static volatile double bench_sink; /* keeps results alive against the optimizer */

static void bench_matching(int n, int quarters)
{
    enum { REPS = 2000, MATS = 16 };
    double *w = malloc((size_t)MATS * n * n * sizeof *w);
    stats_rng r;
    stats_rng_seed(&r, 7);
    for (int k = 0; k < MATS * n * n; k++)
        w[k] = quarters ? (double)stats_rng_below(&r, 5) / 4 : stats_rng_uniform(&r);
    int *rc = malloc((size_t)n * sizeof *rc);
    double t0 = bench_now(), s = 0;
    for (int i = 0; i < REPS; i++)
        s += assign_hungarian(w + (size_t)(i % MATS) * n * n, n, n, rc, NULL);
    double th = (bench_now() - t0) / REPS;
    t0 = bench_now();
    for (int i = 0; i < REPS; i++)
        s += assign_greedy(w + (size_t)(i % MATS) * n * n, n, n, rc, NULL);
    double tg = (bench_now() - t0) / REPS;
    bench_sink = s;
    printf("hungarian %dx%d %-10s %8.2f us/op   (baseline greedy: %7.2f us/op)\n", n, n,
           quarters ? "quarters" : "uniform", th * 1e6, tg * 1e6);
    free(rc);
    free(w);
}

int main(void)
{
    bench_matching(7, 1);
    bench_matching(50, 0);
    bench_matching(50, 1);

    size_t n = 22000, B = 10000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    stats_rng r;
    stats_rng_seed(&r, 42);
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)stats_rng_below(&r, 5) / 4;
        y[i] = (double)stats_rng_below(&r, 5) / 4;
    }
    /* baseline: the same number of additions over the data in order, no random draws */
    double t0 = bench_now(), s = 0;
    for (size_t b = 0; b < B; b++)
        for (size_t i = 0; i < n; i++)
            s += x[i] * (double)(b + 1);
    double tbase = bench_now() - t0;
    bench_sink = s;
    stats_ci ci;
    t0 = bench_now();
    stats_bootstrap_ci(x, n, B, 0.95, 1, &ci);
    double tb = bench_now() - t0;
    printf("bootstrap %zu x %zu       %8.3f s         (baseline sequential sum: %.3f s)  "
           "mean %.4f [%.4f, %.4f]\n",
           B, n, tb, tbase, ci.estimate, ci.lo, ci.hi);
    stats_paired pp;
    t0 = bench_now();
    stats_paired_bootstrap(x, y, n, B, 0.95, 1, &pp);
    printf("paired bootstrap %zu x %zu %6.3f s         p = %.4f\n", B, n, bench_now() - t0,
           pp.p_value);
    t0 = bench_now();
    stats_paired_permutation(x, y, n, B, 1, &pp);
    printf("permutation %zu x %zu     %8.3f s         p = %.4f\n", B, n, bench_now() - t0,
           pp.p_value);
    t0 = bench_now();
    double tau = stats_kendall_tau_b(x, y, n);
    printf("kendall tau-b n=%zu       %8.3f ms        tau = %.4f\n", n, (bench_now() - t0) * 1e3,
           tau);

    /* parse + score a typical reply */
    const char *reply =
        "Let me compare each item.\n<RESULT_START>\nScores corresponding to claims:\n"
        "- R1@S2: 0.75\n- R2@S0: 0\n- R3@S1: 1.0\n- R4@S4: 0.25\n<RESULT_END>\n";
    size_t len = strlen(reply);
    scoreblock_result sb;
    scoreblock_init(&sb);
    checklist_item it;
    int reps = 200000;
    t0 = bench_now();
    for (int i = 0; i < reps; i++) {
        scoreblock_parse(reply, len, SCOREBLOCK_REFERENCE, 0, &sb);
        checklist_reference(&sb, 4, 5, NULL, &it);
    }
    double tr = (bench_now() - t0) / reps;
    t0 = bench_now();
    for (int i = 0; i < reps; i++) {
        scoreblock_parse(reply, len, SCOREBLOCK_TOLERANT, 0, &sb);
        checklist_paper(&sb, 4, 5, NULL, &it, NULL);
    }
    double tp = (bench_now() - t0) / reps;
    printf("parse+score reference    %8.2f us/item   paper (tolerant + Hungarian): %.2f us/item\n",
           tr * 1e6, tp * 1e6);
    scoreblock_free(&sb);
    free(x);
    free(y);
    return 0;
}
