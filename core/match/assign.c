#include "match/assign.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/kalloc.h"

/* A usable weight: positive and finite; anything else behaves as "no edge". */
static double assign_w(const double *w, int m, int i, int j)
{
    double x = w[(size_t)i * (size_t)m + (size_t)j];
    return (x > 0 && isfinite(x)) ? x : 0.0;
}

static void assign_outputs(const double *w, int n, int m, const int *col_row, int *row_to_col,
                           int *col_to_row, double *total)
{
    if (row_to_col)
        for (int i = 0; i < n; i++)
            row_to_col[i] = -1;
    if (col_to_row)
        for (int j = 0; j < m; j++)
            col_to_row[j] = -1;
    double t = 0;
    for (int j = 0; j < m; j++) {
        int i = col_row[j];
        if (i < 0 || i >= n) continue;
        double x = assign_w(w, m, i, j);
        if (x <= 0) continue; /* a zero-weight pair is "unmatched" */
        t += x;
        if (row_to_col) row_to_col[i] = j;
        if (col_to_row) col_to_row[j] = i;
    }
    *total = t;
}

/* Hungarian algorithm on the N×N square padding (N = max(n, m); padded and non-positive entries
 * weigh 0), minimising cost = -weight with row/column potentials u, v: every reduced cost
 * c - u - v stays >= 0 and every matched pair has reduced cost 0. Each row is placed by one
 * shortest augmenting path (Dijkstra over reduced costs, columns kept in a shrinking "remaining"
 * list, potentials updated once per row), O(N^2) per row, O(N^3) in all. On equal path lengths a
 * free column is preferred: with the few distinct values of the 0/.25/.5/.75/1 scale, ties are the
 * rule and this keeps the searches short.
 *
 * Then the tie-breaking pass. With optimal potentials fixed, a perfect matching is optimal exactly
 * when all its pairs are tight (reduced cost 0, complementary slackness), so the set of optimal
 * matchings is the set of perfect matchings of the tight graph. Columns are taken in order; for
 * column j we look for the best row that can hold j in some optimal matching still consistent with
 * the choices made for earlier columns: row i can take j iff i is j's current partner or an
 * alternating cycle through (i, j) exists, i.e. i is reachable from j's partner along
 * tight-unmatched / matched edges. One BFS per column over the tight edges, O(N^3) at worst. */
double assign_hungarian(const double *w, int n, int m, int *row_to_col, int *col_to_row)
{
    double total = 0;
    if (n <= 0 || m <= 0) {
        if (row_to_col)
            for (int i = 0; i < n; i++)
                row_to_col[i] = -1;
        if (col_to_row)
            for (int j = 0; j < m; j++)
                col_to_row[j] = -1;
        return 0;
    }
    int N = n > m ? n : m;
    size_t NN = (size_t)N * (size_t)N, N1 = (size_t)N;
    /* three allocations: doubles (cost N*N, u, v, dist), ints (11 arrays of N, adjacency N*N),
     * bytes (fixed rows and columns) */
    double *dmem = kalloc_array(NN + 3 * N1, sizeof *dmem);
    int *imem = kalloc_array(11 * N1 + NN, sizeof *imem);
    unsigned char *bmem = kalloc_array(2 * N1, 1);
    double *cost = dmem, *u = cost + NN, *v = u + N1, *dist = v + N1;
    int *row_col = imem, *col_row = row_col + N1, *pred = col_row + N1;
    int *rem = pred + N1, *rows_seen = rem + N1, *cols_seen = rows_seen + N1;
    int *par_col = cols_seen + N1, *par_row = par_col + N1, *queue = par_row + N1;
    int *adj_len = queue + N1, *cand = adj_len + N1, *adj = cand + N1;
    unsigned char *fixed_row = bmem, *fixed_col = fixed_row + N1;

    /* cost = -usable weight, read everywhere below instead of w */
    double maxw = 0;
    for (int i = 0; i < N; i++) {
        double *crow = cost + (size_t)i * N;
        if (i >= n) {
            for (int j = 0; j < N; j++)
                crow[j] = 0;
            continue;
        }
        const double *wrow = w + (size_t)i * (size_t)m;
        for (int j = 0; j < m; j++) {
            double x = wrow[j];
            x = (x > 0 && x <= DBL_MAX) ? x : 0.0; /* NaN, inf and x <= 0 fail the test */
            crow[j] = -x;
            maxw = x > maxw ? x : maxw;
        }
        for (int j = m; j < N; j++)
            crow[j] = 0;
    }

    /* --- main phase --- */
    /* start (column reduction): v_j = min_i c_ij keeps every reduced cost >= 0 with u = 0, and
     * each column's minimising row, when still free, is matched at once on a tight pair; only the
     * rows left free need a shortest-path search */
    for (int k = 0; k < N; k++) {
        u[k] = 0;
        row_col[k] = col_row[k] = -1;
    }
    int *argmin = pred; /* scratch until the searches start */
    for (int j = 0; j < N; j++) {
        v[j] = cost[j];
        argmin[j] = 0;
    }
    for (int i = 1; i < N; i++) { /* row-major: the earliest row wins ties */
        const double *crow = cost + (size_t)i * N;
        for (int j = 0; j < N; j++)
            if (crow[j] < v[j]) {
                v[j] = crow[j];
                argmin[j] = i;
            }
    }
    for (int j = 0; j < N; j++) {
        int bi = argmin[j];
        if (row_col[bi] < 0) {
            row_col[bi] = j;
            col_row[j] = bi;
        }
    }
    for (int cur = 0; cur < N; cur++) {
        if (row_col[cur] >= 0) continue;
        for (int j = 0; j < N; j++) {
            dist[j] = INFINITY;
            rem[j] = j;
        }
        int nrem = N, nrs = 0, ncs = 0, i = cur, sink = -1;
        double mind = 0;
        while (sink < 0) {
            rows_seen[nrs++] = i;
            const double *crow = cost + (size_t)i * N;
            double base = mind - u[i], best = INFINITY;
            int bk = -1, bfree = 0;
            for (int k = 0; k < nrem; k++) {
                int j = rem[k];
                double r = base + crow[j] - v[j];
                if (r < dist[j]) {
                    dist[j] = r;
                    pred[j] = i;
                }
                if (dist[j] < best || (dist[j] == best && !bfree && col_row[j] < 0)) {
                    best = dist[j];
                    bk = k;
                    bfree = col_row[j] < 0;
                }
            }
            mind = best;
            int j = rem[bk];
            rem[bk] = rem[--nrem];
            cols_seen[ncs++] = j;
            if (col_row[j] < 0)
                sink = j;
            else
                i = col_row[j];
        }
        /* potentials: rows and columns on the search tree move by how much earlier they were
         * reached than the sink, which keeps reduced costs >= 0 and the new path tight */
        u[cur] += mind;
        for (int k = 1; k < nrs; k++)
            u[rows_seen[k]] += mind - dist[row_col[rows_seen[k]]];
        for (int k = 0; k < ncs; k++)
            v[cols_seen[k]] -= mind - dist[cols_seen[k]];
        for (int j = sink;;) { /* augment along pred */
            int r = pred[j];
            col_row[j] = r;
            int old = row_col[r];
            row_col[r] = j;
            if (r == cur) break;
            j = old;
        }
    }

    /* --- tie-breaking pass --- */
    double eps = 1e-9 * (maxw > 1 ? maxw : 1);
    for (int i = 0; i < N; i++) { /* tight edges, as adjacency lists */
        const double *crow = cost + (size_t)i * N;
        int *a = adj + (size_t)i * N, na = 0;
        for (int j = 0; j < N; j++)
            if (fabs(crow[j] - u[i] - v[j]) <= eps) a[na++] = j;
        adj_len[i] = na;
    }
    memset(fixed_row, 0, N1);
    memset(fixed_col, 0, N1);
    for (int k = 0; k < N; k++)
        par_row[k] = par_col[k] = -2;

    for (int j = 0; j < m; j++) {
        int i0 = col_row[j];
        double w0 = -cost[(size_t)i0 * N + j];
        /* candidates: unfixed real rows with a tight positive pair (i, j) that beat the partner */
        int nc = 0, top = -1;
        double topw = w0;
        for (int i = 0; i < n; i++) {
            double x = -cost[(size_t)i * N + j];
            if (!(x > w0 || (x == w0 && x > 0 && i < i0)) || i == i0 || fixed_row[i]) continue;
            if (fabs(-x - u[i] - v[j]) > eps) continue;
            cand[nc++] = i;
            if (x > topw || (x == topw && (top < 0 || i < top))) {
                topw = x;
                top = i;
            }
        }
        int best = i0;
        double bw = w0;
        if (nc > 0) {
            /* BFS from j's partner over unfixed rows/columns (column j excluded), stopping once
             * the best conceivable candidate is reached */
            int qh = 0, qt = 0, nseen = 0;
            queue[qt++] = i0;
            par_row[i0] = -1;
            while (qh < qt && par_row[top] == -2) {
                int r = queue[qh++];
                const int *a = adj + (size_t)r * N;
                for (int k = 0; k < adj_len[r]; k++) {
                    int c = a[k];
                    if (c == j || fixed_col[c] || par_col[c] != -2 || row_col[r] == c) continue;
                    par_col[c] = r;
                    cols_seen[nseen++] = c;
                    int r2 = col_row[c];
                    if (par_row[r2] == -2) {
                        par_row[r2] = c;
                        queue[qt++] = r2;
                    }
                }
            }
            for (int k = 0; k < nc; k++) {
                int i = cand[k];
                if (par_row[i] == -2) continue;
                double x = -cost[(size_t)i * N + j];
                if (x > bw || (x == bw && x > 0 && i < best)) {
                    best = i;
                    bw = x;
                }
            }
            if (best != i0) { /* rotate the cycle j -> i0 -> ... -> best -> j */
                int r = best, take = j;
                for (;;) {
                    int old = row_col[r];
                    row_col[r] = take;
                    col_row[take] = r;
                    if (r == i0) break;
                    take = old;
                    r = par_col[old];
                }
            }
            for (int k = 0; k < qt; k++)
                par_row[queue[k]] = -2; /* reset only what was touched */
            for (int k = 0; k < nseen; k++)
                par_col[cols_seen[k]] = -2;
        }
        if (bw > 0) {
            fixed_row[best] = 1;
            fixed_col[j] = 1;
        } /* else j carries weight 0 in every remaining optimal matching: leave it free */
    }

    assign_outputs(w, n, m, col_row, row_to_col, col_to_row, &total);
    free(dmem);
    free(imem);
    free(bmem);
    return total;
}

typedef struct assign_pair {
    double w;
    int i, j;
} assign_pair;

static int assign_pair_cmp(const void *a, const void *b)
{
    const assign_pair *x = a, *y = b;
    if (x->w != y->w) return x->w > y->w ? -1 : 1;
    if (x->j != y->j) return x->j < y->j ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

double assign_greedy(const double *w, int n, int m, int *row_to_col, int *col_to_row)
{
    double total = 0;
    if (n < 0) n = 0;
    if (m < 0) m = 0;
    int *col_row = kalloc_array((size_t)m + 1, sizeof *col_row);
    unsigned char *row_used = kalloc_zeroed((size_t)n + 1, 1);
    assign_pair *pairs = kalloc_array((size_t)n * (size_t)m + 1, sizeof *pairs);
    size_t np = 0;
    for (int j = 0; j < m; j++)
        col_row[j] = -1;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) {
            double x = assign_w(w, m, i, j);
            if (x > 0) pairs[np++] = (assign_pair){x, i, j};
        }
    qsort(pairs, np, sizeof *pairs, assign_pair_cmp);
    for (size_t k = 0; k < np; k++) {
        if (row_used[pairs[k].i] || col_row[pairs[k].j] >= 0) continue;
        row_used[pairs[k].i] = 1;
        col_row[pairs[k].j] = pairs[k].i;
    }
    assign_outputs(w, n, m, col_row, row_to_col, col_to_row, &total);
    free(pairs);
    free(row_used);
    free(col_row);
    return total;
}

int assign_thresholds_ok(const double thr[4])
{
    for (int k = 0; k < 4; k++)
        if (!isfinite(thr[k])) return 0;
    return thr[0] <= thr[1] && thr[1] <= thr[2] && thr[2] <= thr[3];
}

double assign_to_scale(double sim, const double thr[4])
{
    if (!(sim >= thr[0])) return 0.0; /* also NaN */
    if (sim < thr[1]) return 0.25;
    if (sim < thr[2]) return 0.5;
    if (sim < thr[3]) return 0.75;
    return 1.0;
}
