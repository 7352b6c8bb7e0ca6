/* Statistics. Expected values were computed with Python 3.11: the statistics module for
 * mean/variance, and independent pure-Python implementations of the documented definitions
 * (type-7 quantile, O(n^2) Kendall tau-b from the definition, average ranks, the kappa formula)
 * plus a Python port of splitmix64, xoshiro256** and Lemire's bound, so bootstrap and permutation
 * numbers are checked exactly, stream and all. splitmix64(0)'s first output 0xe220a8397b1dcdaf is
 * the published reference value. */
#include <stdlib.h>

#include "check.h"
#include "metrics/stats.h"

static const double st_x[] = {0.25, 0.5, 0.75, 1.0, 0.0, 0.5, 0.25, 1.0, 0.75, 0.5};
static const double st_a[] = {0.75, 1, 0.5, 0.25, 1, 0.5, 0.75, 1.0, 0.25, 0.5, 1, 0.75};
static const double st_b[] = {0.5, 0.5, 0.5, 0.5, 0.25, 0.5, 0.5, 0.75, 0.5, 0.25, 0.5, 0.5};

TEST(stats_rng_streams)
{
    stats_rng r;
    stats_rng_seed(&r, 0);
    /* the state's first word is splitmix64(0)'s first output */
    CHECK(r.s[0] == 0xe220a8397b1dcdafull);
    /* published xoshiro256** known answers for the state {1, 2, 3, 4} */
    const uint64_t kat[5] = {11520ull, 0ull, 1509978240ull, 1215971899390074240ull,
                             1216172134540287360ull};
    r.s[0] = 1;
    r.s[1] = 2;
    r.s[2] = 3;
    r.s[3] = 4;
    for (int i = 0; i < 5; i++)
        CHECK(stats_rng_next(&r) == kat[i]);
    /* splitmix64(0) continues 0x6e789e6aa1b965f4, 0x06c45d188009454f */
    stats_rng_seed(&r, 0);
    CHECK(r.s[1] == 0x6e789e6aa1b965f4ull && r.s[2] == 0x06c45d188009454full);
    stats_rng_seed(&r, 42);
    CHECK(stats_rng_next(&r) == 0x15780b2e0c2ec716ull);
    CHECK(stats_rng_next(&r) == 0x6104d9866d113a7eull);
    CHECK(stats_rng_next(&r) == 0xae17533239e499a1ull);
    stats_rng_seed(&r, 7);
    const int exp[10] = {7, 2, 8, 9, 9, 8, 0, 1, 4, 1};
    for (int i = 0; i < 10; i++)
        CHECK_INT(stats_rng_below(&r, 10), exp[i]);
    /* uniform in [0,1); below() covers its range evenly (chi-square-ish sanity) */
    int counts[7] = {0};
    for (int i = 0; i < 70000; i++) {
        double u = stats_rng_uniform(&r);
        CHECK(u >= 0 && u < 1);
        counts[stats_rng_below(&r, 7)]++;
    }
    for (int k = 0; k < 7; k++)
        CHECK(counts[k] > 9500 && counts[k] < 10500);
    uint64_t big = (1ull << 40) + 3;
    for (int i = 0; i < 100; i++)
        CHECK(stats_rng_below(&r, big) < big);
}

TEST(stats_descriptive)
{
    CHECK_NEAR(stats_mean(st_x, 10), 0.55, 1e-15);
    CHECK_NEAR(stats_var(st_x, 10, 0), 0.0975, 1e-15);
    CHECK_NEAR(stats_var(st_x, 10, 1), 0.10833333333333334, 1e-15);
    CHECK_NEAR(stats_std(st_x, 10, 0), 0.3122498999199199, 1e-15);
    CHECK_NEAR(stats_std(st_x, 10, 1), 0.32914029430219166, 1e-15);
    CHECK(isnan(stats_mean(st_x, 0)));
    CHECK(isnan(stats_var(st_x, 1, 1)));
    CHECK_NEAR(stats_var(st_x, 1, 0), 0, 0);
    /* a large offset does not destroy the variance (two-pass) */
    double big[4] = {1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4};
    CHECK_NEAR(stats_var(big, 4, 0), 1.25, 1e-6);
}

static int st_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

TEST(stats_quantile_type7)
{
    double s[10];
    memcpy(s, st_x, sizeof s);
    qsort(s, 10, sizeof s[0], st_cmp);
    CHECK_NEAR(stats_quantile_sorted(s, 10, 0.025), 0.05625, 1e-15);
    CHECK_NEAR(stats_quantile_sorted(s, 10, 0.5), 0.5, 1e-15);
    CHECK_NEAR(stats_quantile_sorted(s, 10, 0.975), 1.0, 1e-15);
    CHECK_NEAR(stats_quantile_sorted(s, 10, 0.1), 0.225, 1e-15);
    CHECK_NEAR(stats_quantile_sorted(s, 10, 0), 0, 0);
    CHECK_NEAR(stats_quantile_sorted(s, 10, 1), 1, 0);
    CHECK(isnan(stats_quantile_sorted(s, 0, 0.5)));
    CHECK(isnan(stats_quantile_sorted(s, 10, 1.5)));
}

TEST(stats_bootstrap_exact_stream)
{
    stats_ci ci;
    CHECK_INT(stats_bootstrap_ci(st_x, 10, 1000, 0.95, 123, &ci), 0);
    CHECK_NEAR(ci.estimate, 0.55, 1e-15);
    CHECK_NEAR(ci.lo, 0.35, 1e-12);
    CHECK_NEAR(ci.hi, 0.725, 1e-12);
    CHECK_NEAR(ci.se, 0.0963674533287098, 1e-12);
    /* deterministic for a seed, different for another */
    stats_ci again, other;
    stats_bootstrap_ci(st_x, 10, 1000, 0.95, 123, &again);
    stats_bootstrap_ci(st_x, 10, 1000, 0.95, 124, &other);
    CHECK(again.lo == ci.lo && again.hi == ci.hi && again.se == ci.se);
    CHECK(other.se != ci.se);
    /* default resamples, bad arguments */
    CHECK_INT(stats_bootstrap_ci(st_x, 10, 0, 0.9, 1, &ci), 0);
    CHECK(ci.lo <= ci.estimate && ci.estimate <= ci.hi);
    CHECK_INT(stats_bootstrap_ci(st_x, 0, 10, 0.95, 1, &ci), -1);
    CHECK(isnan(ci.lo));
    CHECK_INT(stats_bootstrap_ci(st_x, 10, 10, 1.0, 1, &ci), -1);
}

static double st_mean_of(const size_t *idx, size_t n, void *ud)
{
    const double *x = ud;
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[idx[i]];
    return s / (double)n;
}

TEST(stats_bootstrap_fn_matches_mean)
{
    /* the callback form draws the same indices, so with the mean it gives the same interval */
    stats_ci a, b;
    stats_bootstrap_ci(st_x, 10, 500, 0.9, 77, &a);
    CHECK_INT(stats_bootstrap_ci_fn(10, st_mean_of, (void *)st_x, 500, 0.9, 77, &b), 0);
    CHECK_NEAR(a.lo, b.lo, 1e-15);
    CHECK_NEAR(a.hi, b.hi, 1e-15);
    CHECK_NEAR(a.se, b.se, 1e-15);
    CHECK_NEAR(b.estimate, 0.55, 1e-15);
    CHECK_INT(stats_bootstrap_ci_fn(10, NULL, NULL, 500, 0.9, 77, &b), -1);
}

TEST(stats_paired_bootstrap_values)
{
    stats_paired p;
    CHECK_INT(stats_paired_bootstrap(st_a, st_b, 12, 2000, 0.9, 5, &p), 0);
    CHECK_NEAR(p.diff, 0.20833333333333334, 1e-15);
    CHECK_NEAR(p.lo, 0.0625, 1e-12);
    CHECK_NEAR(p.hi, 0.3333333333333333, 1e-12);
    CHECK_NEAR(p.se, 0.08215538605424429, 1e-12);
    CHECK_NEAR(p.p_value, 0.013993003498250875, 1e-15);
    CHECK_INT(p.resamples, 2000);
    /* identical judges: difference 0, p = 1 */
    CHECK_INT(stats_paired_bootstrap(st_a, st_a, 12, 200, 0.95, 5, &p), 0);
    CHECK_NEAR(p.diff, 0, 0);
    CHECK_NEAR(p.p_value, 1, 0);
    CHECK_INT(stats_paired_bootstrap(st_a, st_b, 0, 200, 0.95, 5, &p), -1);
}

TEST(stats_paired_permutation_exact_and_mc)
{
    stats_paired p;
    /* n = 5 <= log2(1000): all 32 sign patterns, 12 at least as extreme */
    CHECK_INT(stats_paired_permutation(st_a, st_b, 5, 1000, 1, &p), 0);
    CHECK(p.exact);
    CHECK_INT(p.resamples, 32);
    CHECK_NEAR(p.p_value, 0.375, 0);
    CHECK(isnan(p.lo));
    /* n = 12 with 4096 resamples: exact, 248 / 4096 */
    stats_paired_permutation(st_a, st_b, 12, 4096, 1, &p);
    CHECK(p.exact);
    CHECK_NEAR(p.p_value, 0.060546875, 0);
    /* Monte Carlo: the Python replica of the stream gives 80/1001 */
    stats_paired_permutation(st_a, st_b, 12, 1000, 9, &p);
    CHECK(!p.exact);
    CHECK_NEAR(p.p_value, 0.07992007992007992, 1e-15);
    CHECK_NEAR(p.diff, 0.20833333333333334, 1e-15);
    /* no difference at all */
    stats_paired_permutation(st_a, st_a, 12, 1000, 9, &p);
    CHECK_NEAR(p.p_value, 1, 0);
    /* a strong effect on many items: tiny p (bounded below by 1/(B+1)) */
    double x[300], y[300];
    for (int i = 0; i < 300; i++) {
        x[i] = 0.5 + 0.25 * (i % 3 == 0);
        y[i] = 0.5;
    }
    stats_paired_permutation(x, y, 300, 999, 3, &p);
    CHECK_NEAR(p.p_value, 0.001, 1e-15);
}

TEST(stats_correlations)
{
    const double X[] = {0.5, 0.75, 0.25, 1.0, 0.5, 0.0, 0.75, 0.25, 1.0, 0.5};
    const double Y[] = {0.4, 0.9, 0.1, 0.8, 0.6, 0.2, 0.7, 0.3, 0.95, 0.4};
    CHECK_NEAR(stats_pearson(X, Y, 10), 0.9141708770297945, 1e-14);
    CHECK_NEAR(stats_spearman(X, Y, 10), 0.9380510627004296, 1e-14);
    CHECK_NEAR(stats_kendall_tau_b(X, Y, 10), 0.8449079617742182, 1e-14);
    double r[10];
    stats_rank_average(X, 10, r);
    const double er[10] = {5.0, 7.5, 2.5, 9.5, 5.0, 1.0, 7.5, 2.5, 9.5, 5.0};
    for (int i = 0; i < 10; i++)
        CHECK_NEAR(r[i], er[i], 0);
    /* perfect and reversed orders */
    const double up[] = {1, 2, 3, 4}, down[] = {8, 6, 4, 2}, flat[] = {1, 1, 1, 1};
    CHECK_NEAR(stats_kendall_tau_b(up, down, 4), -1, 1e-15);
    CHECK_NEAR(stats_spearman(up, down, 4), -1, 1e-15);
    CHECK_NEAR(stats_pearson(up, up, 4), 1, 1e-15);
    /* undefined: NaN, not 0 */
    CHECK(isnan(stats_pearson(up, flat, 4)));
    CHECK(isnan(stats_kendall_tau_b(up, flat, 4)));
    CHECK(isnan(stats_spearman(up, flat, 4)));
    CHECK(isnan(stats_pearson(up, up, 1)));
    const double withnan[] = {1, NAN, 3, 4};
    CHECK(isnan(stats_spearman(up, withnan, 4)));
    CHECK(isnan(stats_kendall_tau_b(up, withnan, 4)));
}

/* tau-b straight from its definition, O(n^2): an independent check of the O(n log n) version */
static double st_tau_b_slow(const double *x, const double *y, size_t n)
{
    double c = 0, d = 0, tx = 0, ty = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            int a = (x[i] > x[j]) - (x[i] < x[j]), b = (y[i] > y[j]) - (y[i] < y[j]);
            if (!a && !b) continue;
            if (!a)
                tx++;
            else if (!b)
                ty++;
            else if (a == b)
                c++;
            else
                d++;
        }
    return (c - d) / sqrt((c + d + tx) * (c + d + ty));
}

TEST(stats_kendall_vs_definition_random_ties)
{
    stats_rng r;
    stats_rng_seed(&r, 2024);
    double x[257], y[257];
    for (int rep = 0; rep < 20; rep++) {
        size_t n = 2 + (size_t)stats_rng_below(&r, 255);
        int levels = 2 + (int)stats_rng_below(&r, 8);
        for (size_t i = 0; i < n; i++) {
            x[i] = (double)stats_rng_below(&r, (uint64_t)levels);
            y[i] = rep % 2 ? x[i] + (double)stats_rng_below(&r, 3) : (double)stats_rng_below(&r, 5);
        }
        double slow = st_tau_b_slow(x, y, n), fast = stats_kendall_tau_b(x, y, n);
        if (isnan(slow))
            CHECK(isnan(fast));
        else
            CHECK_NEAR(fast, slow, 1e-12);
    }
}

TEST(stats_kappa_values)
{
    /* 2x2 textbook table [[20,5],[10,15]]: po = .7, pe = .5, kappa = .4 */
    int a2[50], b2[50];
    for (int i = 0; i < 50; i++) {
        a2[i] = i < 25 ? 0 : 1;
        b2[i] = (i < 20 || (i >= 25 && i < 35)) ? 0 : 1;
    }
    CHECK_NEAR(stats_cohen_kappa(a2, b2, 50, 2, STATS_KAPPA_UNWEIGHTED), 0.4, 1e-15);
    const int A[] = {0, 1, 2, 3, 4, 4, 3, 2, 1, 0, 2, 2, 3, 4, 1};
    const int B[] = {0, 1, 3, 3, 4, 3, 3, 1, 1, 1, 2, 4, 2, 4, 0};
    CHECK_NEAR(stats_cohen_kappa(A, B, 15, 5, STATS_KAPPA_UNWEIGHTED), 0.41666666666666674, 1e-14);
    CHECK_NEAR(stats_cohen_kappa(A, B, 15, 5, STATS_KAPPA_LINEAR), 0.6470588235294118, 1e-14);
    CHECK_NEAR(stats_cohen_kappa(A, B, 15, 5, STATS_KAPPA_QUADRATIC), 0.8129675810473815, 1e-14);
    CHECK_NEAR(stats_cohen_kappa(A, A, 15, 5, STATS_KAPPA_LINEAR), 1, 1e-15);
    /* undefined or invalid: NaN */
    const int same[3] = {2, 2, 2}, bad[3] = {0, 5, 1};
    CHECK(isnan(stats_cohen_kappa(same, same, 3, 5, STATS_KAPPA_UNWEIGHTED)));
    CHECK(isnan(stats_cohen_kappa(A, bad, 3, 5, STATS_KAPPA_UNWEIGHTED)));
    CHECK(isnan(stats_cohen_kappa(A, B, 0, 5, STATS_KAPPA_UNWEIGHTED)));
    CHECK(isnan(stats_cohen_kappa(A, B, 15, 1, STATS_KAPPA_LINEAR)));
    /* the 5-level MetaJudge scale */
    CHECK_INT(stats_scale_category(0, 5), 0);
    CHECK_INT(stats_scale_category(0.25, 5), 1);
    CHECK_INT(stats_scale_category(0.3, 5), 1);
    CHECK_INT(stats_scale_category(0.75, 5), 3);
    CHECK_INT(stats_scale_category(1, 5), 4);
    CHECK_INT(stats_scale_category(1.01, 5), -1);
    CHECK_INT(stats_scale_category(NAN, 5), -1);
}
