/* Matching: Hungarian against brute force over every permutation (up to 8×8, rectangular too),
 * including the documented tie-breaking; against an independent bitmask DP up to 12 columns;
 * greedy; the similarity-to-scale thresholds. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "match/assign.h"

static uint64_t as_rng = 88172645463325252ull;
static uint64_t as_next(void)
{
    as_rng ^= as_rng << 13;
    as_rng ^= as_rng >> 7;
    as_rng ^= as_rng << 17;
    return as_rng;
}

static double as_w(const double *w, int m, int i, int j)
{
    double x = w[i * m + j];
    return x > 0 ? x : 0;
}

/* Lexicographic key of a matching given as column -> row: per column (-weight, row), an unmatched
 * or zero-weight column being (0, +inf). Returns <0, 0, >0 like strcmp. */
static int as_key_cmp(const double *w, int n, int m, const int *ca, const int *cb)
{
    for (int j = 0; j < m; j++) {
        double wa = (ca[j] >= 0 && ca[j] < n) ? as_w(w, m, ca[j], j) : 0;
        double wb = (cb[j] >= 0 && cb[j] < n) ? as_w(w, m, cb[j], j) : 0;
        int ra = wa > 0 ? ca[j] : 1 << 30, rb = wb > 0 ? cb[j] : 1 << 30;
        if (wa != wb) return wa > wb ? -1 : 1;
        if (ra != rb) return ra < rb ? -1 : 1;
    }
    return 0;
}

typedef struct as_best {
    const double *w;
    int n, m, N;
    int perm[8];
    int used[8];
    double best;
    int best_cols[8]; /* column -> row of the best so far */
    int have;
} as_best;

/* Enumerates every permutation of the N×N padding (row i -> column perm[i]). */
static void as_enum(as_best *b, int i, double acc)
{
    if (i == b->N) {
        int cols[8];
        for (int j = 0; j < b->m; j++)
            cols[j] = -1;
        for (int r = 0; r < b->N; r++)
            if (r < b->n && b->perm[r] < b->m) cols[b->perm[r]] = r;
        double tol = 1e-9;
        if (!b->have || acc > b->best + tol ||
            (acc >= b->best - tol && as_key_cmp(b->w, b->n, b->m, cols, b->best_cols) < 0)) {
            if (!b->have || acc > b->best) b->best = acc;
            memcpy(b->best_cols, cols, sizeof cols);
            b->have = 1;
        }
        return;
    }
    for (int c = 0; c < b->N; c++) {
        if (b->used[c]) continue;
        b->used[c] = 1;
        b->perm[i] = c;
        double x = (i < b->n && c < b->m) ? as_w(b->w, b->m, i, c) : 0;
        as_enum(b, i + 1, acc + x);
        b->used[c] = 0;
    }
}

static void as_compare_brute(const double *w, int n, int m)
{
    as_best b;
    memset(&b, 0, sizeof b);
    b.w = w;
    b.n = n;
    b.m = m;
    b.N = n > m ? n : m;
    as_enum(&b, 0, 0);
    int rc[8], cr[8];
    double t = assign_hungarian(w, n, m, rc, cr);
    CHECK_NEAR(t, b.best, 1e-9);
    int k = as_key_cmp(w, n, m, cr, b.best_cols);
    CHECK_INT(k, 0);
    /* the two outputs agree, pairs are one-to-one and positive */
    double t2 = 0;
    for (int i = 0; i < n; i++)
        if (rc[i] >= 0) {
            CHECK(rc[i] < m && cr[rc[i]] == i);
            CHECK(w[i * m + rc[i]] > 0);
            t2 += w[i * m + rc[i]];
        }
    for (int j = 0; j < m; j++)
        if (cr[j] >= 0) CHECK(cr[j] < n && rc[cr[j]] == j);
    CHECK_NEAR(t, t2, 1e-12);
    if (k != 0 || fabs(t - b.best) > 1e-9) {
        fprintf(stderr, "    %dx%d matrix:\n", n, m);
        for (int i = 0; i < n; i++) {
            fprintf(stderr, "     ");
            for (int j = 0; j < m; j++)
                fprintf(stderr, " %.4g", w[i * m + j]);
            fputc('\n', stderr);
        }
    }
}

TEST(assign_hungarian_vs_brute_force_quarters)
{
    /* weights on the MetaJudge scale: many ties, so this exercises the tie-breaking rule */
    double w[64];
    for (int n = 1; n <= 8; n++)
        for (int m = 1; m <= 8; m++) {
            int reps = (n > 6 || m > 6) ? 2 : 6;
            for (int rep = 0; rep < reps; rep++) {
                int zero_pct = (int)(as_next() % 90);
                for (int k = 0; k < n * m; k++)
                    w[k] = ((int)(as_next() % 100) < zero_pct) ? 0 : (double)(as_next() % 5) / 4;
                as_compare_brute(w, n, m);
            }
        }
}

TEST(assign_hungarian_vs_brute_force_continuous)
{
    double w[64];
    for (int n = 1; n <= 8; n++)
        for (int m = 1; m <= 8; m++) {
            int reps = (n > 6 || m > 6) ? 1 : 4;
            for (int rep = 0; rep < reps; rep++) {
                for (int k = 0; k < n * m; k++)
                    w[k] = (double)(as_next() >> 11) * 0x1p-53 * 10 - 2; /* some negative */
                as_compare_brute(w, n, m);
            }
        }
}

/* Best total by DP over (row, set of used columns): independent of the Hungarian's method. */
static double as_dp(const double *w, int n, int m)
{
    size_t S = (size_t)1 << m;
    double *f = malloc(S * sizeof *f), *g = malloc(S * sizeof *g);
    for (size_t s = 0; s < S; s++)
        f[s] = s ? -1e300 : 0;
    for (int i = 0; i < n; i++) {
        for (size_t s = 0; s < S; s++)
            g[s] = f[s]; /* row i unmatched */
        for (size_t s = 0; s < S; s++) {
            if (f[s] < -1e299) continue;
            for (int j = 0; j < m; j++) {
                if (s >> j & 1) continue;
                double x = as_w(w, m, i, j);
                if (x <= 0) continue;
                size_t t = s | (size_t)1 << j;
                if (f[s] + x > g[t]) g[t] = f[s] + x;
            }
        }
        double *h = f;
        f = g;
        g = h;
    }
    double best = 0;
    for (size_t s = 0; s < S; s++)
        if (f[s] > best) best = f[s];
    free(f);
    free(g);
    return best;
}

TEST(assign_hungarian_vs_dp_larger)
{
    static double w[20 * 12];
    int sizes[][2] = {{12, 12}, {20, 12}, {9, 12}, {12, 10}, {3, 12}, {15, 11}};
    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
        int n = sizes[z][0], m = sizes[z][1];
        for (int rep = 0; rep < 3; rep++) {
            for (int k = 0; k < n * m; k++)
                w[k] = rep == 0 ? (double)(as_next() % 5) / 4 : (double)(as_next() >> 11) * 0x1p-53;
            double t = assign_hungarian(w, n, m, NULL, NULL);
            CHECK_NEAR(t, as_dp(w, n, m), 1e-9);
        }
    }
}

TEST(assign_hungarian_ties)
{
    int rc[4], cr[4];
    /* all equal: column j takes row j */
    double eq[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    CHECK_NEAR(assign_hungarian(eq, 3, 3, rc, cr), 3, 0);
    for (int j = 0; j < 3; j++)
        CHECK_INT(cr[j], j);
    /* one human reason equally matched by S1 and S2: the earlier model reason */
    double one[2] = {1, 1};
    assign_hungarian(one, 1, 2, rc, cr);
    CHECK_INT(rc[0], 0);
    CHECK_INT(cr[1], -1);
    /* R1 matches nothing (weight 0 is no match), R2 ties on S1/S2: R2 -> S1, R1 unmatched */
    double zr[4] = {0, 0, 1, 1};
    assign_hungarian(zr, 2, 2, rc, cr);
    CHECK_INT(rc[0], -1);
    CHECK_INT(rc[1], 0);
    /* two optimal matchings of total 1: {R1S1} (column weights 1, 0) and {R1S2, R2S1}
     * (0.5, 0.5): the lexicographically larger column vector wins */
    double lx[4] = {1, 0.5, 0.5, 0};
    CHECK_NEAR(assign_hungarian(lx, 2, 2, rc, cr), 1, 0);
    CHECK_INT(cr[0], 0);
    CHECK_INT(cr[1], -1);
    /* same weight for a column from two rows: the earlier row */
    double rr[4] = {1, 0, 1, 0};
    assign_hungarian(rr, 2, 2, rc, cr);
    CHECK_INT(cr[0], 0);
    CHECK_INT(rc[1], -1);
    /* optimality before ties: S1 goes to R2 so that R1 can take S2 */
    double opt[4] = {1, 0.75, 0.75, 0};
    CHECK_NEAR(assign_hungarian(opt, 2, 2, rc, cr), 1.5, 0);
    CHECK_INT(rc[0], 1);
    CHECK_INT(rc[1], 0);
}

TEST(assign_hungarian_edge_cases)
{
    int rc[3] = {7, 7, 7}, cr[3] = {7, 7, 7};
    CHECK_NEAR(assign_hungarian(NULL, 0, 3, rc, cr), 0, 0);
    for (int j = 0; j < 3; j++)
        CHECK_INT(cr[j], -1);
    CHECK_NEAR(assign_hungarian(NULL, 3, 0, rc, cr), 0, 0);
    for (int i = 0; i < 3; i++)
        CHECK_INT(rc[i], -1);
    /* negative, NaN and infinite weights are never matched */
    double bad[4] = {-1, NAN, INFINITY, 0.5};
    CHECK_NEAR(assign_hungarian(bad, 2, 2, rc, cr), 0.5, 0);
    CHECK_INT(rc[0], -1);
    CHECK_INT(rc[1], 1);
    CHECK_INT(cr[0], -1);
    /* NULL outputs are allowed */
    double one = 0.25;
    CHECK_NEAR(assign_hungarian(&one, 1, 1, NULL, NULL), 0.25, 0);
    /* large weights: the tightness tolerance scales with them */
    double big[4] = {1e12, 2e12, 3e12, 1e12};
    CHECK_NEAR(assign_hungarian(big, 2, 2, rc, cr), 5e12, 0);
    CHECK_INT(rc[0], 1);
}

TEST(assign_greedy_rules)
{
    int rc[2], cr[2];
    /* greedy takes the 1 first and loses the better total */
    double w[4] = {1, 0.75, 0.75, 0};
    CHECK_NEAR(assign_greedy(w, 2, 2, rc, cr), 1, 0);
    CHECK_INT(rc[0], 0);
    CHECK_INT(rc[1], -1);
    /* ties: earlier column, then earlier row */
    double t[4] = {0.5, 0.5, 0.5, 0.5};
    CHECK_NEAR(assign_greedy(t, 2, 2, rc, cr), 1, 0);
    CHECK_INT(cr[0], 0);
    CHECK_INT(cr[1], 1);
    double z[4] = {0, -1, NAN, 0};
    CHECK_NEAR(assign_greedy(z, 2, 2, rc, cr), 0, 0);
    CHECK_INT(rc[0], -1);
    CHECK_INT(rc[1], -1);
    /* random: greedy never beats the optimum and is at least half of it */
    double r[36];
    for (int rep = 0; rep < 200; rep++) {
        for (int k = 0; k < 36; k++)
            r[k] = (double)(as_next() % 5) / 4;
        double h = assign_hungarian(r, 6, 6, NULL, NULL), g = assign_greedy(r, 6, 6, NULL, NULL);
        CHECK(g <= h + 1e-12);
        CHECK(g >= h / 2 - 1e-12);
    }
}

TEST(assign_scale_thresholds)
{
    const double thr[4] = {0.2, 0.4, 0.6, 0.8};
    CHECK(assign_thresholds_ok(thr));
    CHECK_NEAR(assign_to_scale(0.19999, thr), 0, 0);
    CHECK_NEAR(assign_to_scale(0.2, thr), 0.25, 0);
    CHECK_NEAR(assign_to_scale(0.39, thr), 0.25, 0);
    CHECK_NEAR(assign_to_scale(0.4, thr), 0.5, 0);
    CHECK_NEAR(assign_to_scale(0.6, thr), 0.75, 0);
    CHECK_NEAR(assign_to_scale(0.8, thr), 1, 0);
    CHECK_NEAR(assign_to_scale(5, thr), 1, 0);
    CHECK_NEAR(assign_to_scale(-1, thr), 0, 0);
    CHECK_NEAR(assign_to_scale(NAN, thr), 0, 0);
    const double eqt[4] = {0.5, 0.5, 0.5, 0.5}; /* equal thresholds are allowed: a step */
    CHECK(assign_thresholds_ok(eqt));
    CHECK_NEAR(assign_to_scale(0.5, eqt), 1, 0);
    CHECK_NEAR(assign_to_scale(0.49, eqt), 0, 0);
    const double bad1[4] = {0.2, 0.1, 0.6, 0.8}, bad2[4] = {0.2, NAN, 0.6, 0.8};
    CHECK(!assign_thresholds_ok(bad1));
    CHECK(!assign_thresholds_ok(bad2));
}
