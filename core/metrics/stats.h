/* stats: descriptive statistics, seeded resampling and agreement measures for comparing judges.
 *
 * Conventions: undefined results (no data, zero variance, …) are NaN, never a silent 0. All random
 * procedures take a seed and are deterministic for it (xoshiro256** seeded by splitmix64; integer
 * draws by Lemire's unbiased multiply-and-reject). Percentiles use linear interpolation between
 * order statistics (numpy's default, Hyndman–Fan type 7). */
#ifndef RATIO_STATS_H
#define RATIO_STATS_H

#include <stddef.h>
#include <stdint.h>

/* ---- pseudo-random numbers ---- */
typedef struct stats_rng {
    uint64_t s[4];
} stats_rng;

void stats_rng_seed(stats_rng *r, uint64_t seed);   /* state = four splitmix64 outputs of seed */
uint64_t stats_rng_next(stats_rng *r);              /* xoshiro256** */
double stats_rng_uniform(stats_rng *r);             /* [0, 1), 53 random bits */
uint64_t stats_rng_below(stats_rng *r, uint64_t n); /* uniform in [0, n); n > 0 */

/* ---- descriptive ---- */
double stats_mean(const double *x, size_t n);
/* Two-pass variance with ddof = 0 (population) or 1 (sample); NaN when n <= ddof. */
double stats_var(const double *x, size_t n, int ddof);
double stats_std(const double *x, size_t n, int ddof);
/* q-quantile (0 <= q <= 1) of sorted[0..n), type 7; NaN when n == 0. */
double stats_quantile_sorted(const double *sorted, size_t n, double q);
/* q-quantile (type 7) of x[0..n) in any order; sorts x in place. NaN when n == 0. */
double stats_quantile(double *x, size_t n, double q);

/* ---- bootstrap ---- */
#define STATS_RESAMPLES_DEFAULT 1000

typedef struct stats_ci {
    double estimate; /* the statistic on the data */
    double lo, hi;   /* percentile interval at `level` */
    double se;       /* standard deviation (ddof 1) of the bootstrap replicates */
} stats_ci;

/* Percentile bootstrap CI of the mean of x[0..n): `resamples` resamples of n items drawn with
 * replacement (0 = STATS_RESAMPLES_DEFAULT), level e.g. 0.95. Returns 0, or -1 when n == 0 or
 * level is not in (0, 1) (out is then all NaN). */
int stats_bootstrap_ci(const double *x, size_t n, size_t resamples, double level, uint64_t seed,
                       stats_ci *out);

/* The same for any statistic: stat(idx, n, ud) computes it on the items idx[0..n) (repeats
 * possible); the estimate uses idx = 0..n-1. */
typedef double (*stats_statistic)(const size_t *idx, size_t n, void *ud);
int stats_bootstrap_ci_fn(size_t n, stats_statistic stat, void *ud, size_t resamples, double level,
                          uint64_t seed, stats_ci *out);

typedef struct stats_paired {
    double diff;      /* mean(a - b) */
    double lo, hi;    /* bootstrap: percentile CI of the mean difference; permutation: NaN */
    double se;        /* bootstrap: sd of the replicates; permutation: NaN */
    double p_value;   /* two-sided */
    size_t resamples; /* replicates used (2^n when the permutation test was exact) */
    int exact;        /* permutation test enumerated all 2^n sign patterns */
} stats_paired;

/* Paired bootstrap of judge a vs judge b on the same n items: items resampled with replacement,
 * CI of mean(a - b), and a two-sided p-value for "no difference" from the replicates centred on
 * the observed difference: p = (1 + #{|d*_b - d| >= |d|}) / (B + 1). Returns 0 or -1 (n == 0). */
int stats_paired_bootstrap(const double *a, const double *b, size_t n, size_t resamples,
                           double level, uint64_t seed, stats_paired *out);

/* Paired permutation (sign-flip) test of mean(a - b) = 0, two-sided. When 2^n <= resamples every
 * sign pattern is enumerated and p = #{|T| >= |T_obs|} / 2^n exactly; otherwise Monte Carlo with
 * p = (1 + #{|T*| >= |T_obs|}) / (B + 1). Ties within 1e-10 × Σ|a_i - b_i| count as extreme.
 * Returns 0 or -1 (n == 0). */
int stats_paired_permutation(const double *a, const double *b, size_t n, size_t resamples,
                             uint64_t seed, stats_paired *out);

/* ---- correlation ---- */
double stats_pearson(const double *x, const double *y, size_t n);
/* Ranks 1..n, ties get the average of their ranks; ranks[i] for x[i]. NaN inputs rank last. */
void stats_rank_average(const double *x, size_t n, double *ranks);
double stats_spearman(const double *x, const double *y, size_t n);
/* Kendall's tau-b (tie-corrected), O(n log n) (Knight's algorithm). */
double stats_kendall_tau_b(const double *x, const double *y, size_t n);

/* ---- agreement ---- */
typedef enum stats_kappa_weights {
    STATS_KAPPA_UNWEIGHTED = 0,
    STATS_KAPPA_LINEAR,    /* disagreement |i - j| / (k - 1) */
    STATS_KAPPA_QUADRATIC, /* disagreement ((i - j) / (k - 1))^2 */
} stats_kappa_weights;

/* Cohen's kappa of two raters' labels a[i], b[i] in 0..k-1 (k ordered categories for the weighted
 * forms): 1 - Σ v_ij O_ij / Σ v_ij E_ij. NaN when a label is out of range, n == 0 or the expected
 * disagreement is 0. */
double stats_cohen_kappa(const int *a, const int *b, size_t n, int k, stats_kappa_weights w);

/* The category 0..k-1 of a score in [0, 1] on a k-level scale (k = 5: 0, .25, .5, .75, 1 -> 0..4),
 * rounding to the nearest level; -1 for NaN or a score outside [0, 1]. */
int stats_scale_category(double score, int k);

#endif
