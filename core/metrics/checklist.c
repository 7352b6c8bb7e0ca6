#include "metrics/checklist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "match/assign.h"
#include "util/kalloc.h"

void checklist_reference_opts_default(checklist_reference_opts *o)
{
    o->max_checklist_len = 10;
    o->top_k = 5;
}

void checklist_paper_opts_default(checklist_paper_opts *o)
{
    o->top_k = 5;
    o->clamp_scores = 0;
}

static checklist_status checklist_set(checklist_item *out, checklist_status st, checklist_reason r)
{
    out->status = st;
    out->reason = r;
    return st;
}

static void checklist_clear(checklist_item *out, int n_human)
{
    memset(out, 0, sizeof *out);
    out->n_human = n_human;
}

static double checklist_f1(double p, double r)
{
    return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}

static int checklist_cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

typedef struct checklist_pair {
    int s;
    double score;
} checklist_pair;

static int checklist_cmp_pair(const void *a, const void *b)
{
    const checklist_pair *x = a, *y = b;
    return (x->s > y->s) - (x->s < y->s);
}

/* Sorts v and removes repeats; returns the new length. */
static size_t checklist_unique(int *v, size_t n)
{
    if (n == 0) return 0;
    qsort(v, n, sizeof *v, checklist_cmp_int);
    size_t u = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[u - 1]) v[u++] = v[i];
    return u;
}

/* Index of x in the sorted, distinct v[0..n) (x is known to be there). */
static size_t checklist_index(const int *v, size_t n, int x)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The order of checks is the script's (analyze_single_file, then calculate_metrics):
 *   no samples -> error; extraction errors (no block, no line, score > 1, unparsable number) ->
 *   error; checklist field missing -> error; model list longer than max_checklist_len -> skipped;
 *   model list empty -> skipped; line count != |R_h| -> error.
 * So a bad reply is an error even for an item the length rule would skip, while a count mismatch
 * on such an item is a skip. */
checklist_status checklist_reference(const scoreblock_result *reply, int n_human, int n_model,
                                     const checklist_reference_opts *opts, checklist_item *out)
{
    checklist_reference_opts def;
    if (!opts) {
        checklist_reference_opts_default(&def);
        opts = &def;
    }
    checklist_clear(out, n_human);
    if (!reply) return checklist_set(out, CHECKLIST_ERROR, CHECKLIST_NO_REPLY);
    unsigned is = reply->issues;
    if (is & SCOREBLOCK_NO_BLOCK) return checklist_set(out, CHECKLIST_ERROR, CHECKLIST_NO_BLOCK);
    if (is & SCOREBLOCK_NO_LINES) return checklist_set(out, CHECKLIST_ERROR, CHECKLIST_NO_LINES);
    if (is & SCOREBLOCK_SCORE_ABOVE_ONE)
        return checklist_set(out, CHECKLIST_ERROR, CHECKLIST_SCORE_ABOVE_ONE);
    if (is & SCOREBLOCK_NUMBER_TOO_LONG)
        return checklist_set(out, CHECKLIST_ERROR, CHECKLIST_NUMBER_TOO_LONG);
    if (n_human < 0 || n_model < 0)
        return checklist_set(out, CHECKLIST_ERROR, CHECKLIST_MISSING_LIST);
    if (n_model > opts->max_checklist_len)
        return checklist_set(out, CHECKLIST_SKIPPED, CHECKLIST_MODEL_LIST_TOO_LONG);
    if (n_model == 0) return checklist_set(out, CHECKLIST_SKIPPED, CHECKLIST_MODEL_LIST_EMPTY);
    /* calculate_metrics: `if not scores` cannot happen here (no-lines was an error above) */
    if (reply->n_lines != (size_t)n_human)
        return checklist_set(out, CHECKLIST_ERROR, CHECKLIST_LINE_COUNT);
    if (reply->n < reply->n_lines) return checklist_set(out, CHECKLIST_ERROR, CHECKLIST_TRUNCATED);

    int n_orig = (opts->top_k > 0 && n_model > opts->top_k) ? opts->top_k : n_model;
    out->n_used = n_orig;
    /* The script keeps triples with S != 0, R <= |R_h|, S <= n_orig (R == 0 is kept) and takes
     * the best score per R and per S; -1 marks an absent dict key. Per R: a table of
     * n_human + 1 <= lines + 1 entries (the count check passed, nothing was truncated). Per S:
     * the kept (S, score) pairs sorted by S, so memory follows the lines, not the S values. */
    double *rmax = kalloc_array((size_t)n_human + 1, sizeof *rmax);
    checklist_pair *sp = kalloc_array(reply->n, sizeof *sp);
    size_t nsp = 0;
    for (int r = 0; r <= n_human; r++)
        rmax[r] = -1;
    for (size_t k = 0; k < reply->n; k++) {
        const scoreblock_triple *t = &reply->triples[k];
        if (t->s == 0 || t->r > n_human || t->s > n_orig) continue;
        if (t->score > rmax[t->r]) rmax[t->r] = t->score;
        sp[nsp++] = (checklist_pair){t->s, t->score};
    }
    qsort(sp, nsp, sizeof *sp, checklist_cmp_pair);
    double rsum = 0, psum = 0, cum = 0, apsum = 0;
    for (int r = 0; r <= n_human; r++)
        if (rmax[r] >= 0) {
            rsum += rmax[r];
            if (rmax[r] > 0) out->n_matched++;
        }
    /* AP: the distinct kept S ascending; P_i = mean of the first i per-S maxima, dividing by the
     * rank i among kept S (not by the position S) */
    int rank = 0;
    for (size_t k = 0; k < nsp;) {
        double best = sp[k].score;
        size_t e = k + 1;
        for (; e < nsp && sp[e].s == sp[k].s; e++)
            if (sp[e].score > best) best = sp[e].score;
        psum += best;
        cum += best;
        rank++;
        apsum += cum / rank;
        k = e;
    }
    free(rmax);
    free(sp);
    out->s_total = rsum;
    out->recall = rsum / n_human;
    out->precision = psum / n_orig;
    out->ap = apsum / n_human;
    out->f1 = checklist_f1(out->precision, out->recall);
    return checklist_set(out, CHECKLIST_VALID, CHECKLIST_OK);
}

checklist_status checklist_paper(const scoreblock_result *reply, int n_human, int n_model,
                                 const checklist_paper_opts *opts, checklist_item *out, int *match)
{
    checklist_paper_opts def;
    if (!opts) {
        checklist_paper_opts_default(&def);
        opts = &def;
    }
    checklist_clear(out, n_human);
    if (match)
        for (int i = 0; i < n_human; i++)
            match[i] = 0;
    if (n_human < 0 || n_model < 0)
        return checklist_set(out, CHECKLIST_ERROR, CHECKLIST_MISSING_LIST);
    if (n_human == 0) return checklist_set(out, CHECKLIST_SKIPPED, CHECKLIST_HUMAN_LIST_EMPTY);
    if (!reply) return checklist_set(out, CHECKLIST_UNSCORED, CHECKLIST_NO_REPLY);
    if (reply->issues & SCOREBLOCK_NO_BLOCK)
        return checklist_set(out, CHECKLIST_UNSCORED, CHECKLIST_NO_BLOCK);
    if ((reply->issues & SCOREBLOCK_NO_LINES) || reply->n_lines == 0)
        return checklist_set(out, CHECKLIST_UNSCORED, CHECKLIST_NO_LINES);
    if ((reply->issues & SCOREBLOCK_SCORE_ABOVE_ONE) && !opts->clamp_scores)
        return checklist_set(out, CHECKLIST_ERROR, CHECKLIST_SCORE_ABOVE_ONE);
    if (reply->n < reply->n_lines) return checklist_set(out, CHECKLIST_ERROR, CHECKLIST_TRUNCATED);

    int n = (opts->top_k > 0 && n_model > opts->top_k) ? opts->top_k : n_model;
    out->n_used = n;
    /* Only rationales and reasons with a positive weight can be matched, so the weight matrix is
     * built over those alone, in increasing order (which keeps assign_hungarian's tie rule
     * unchanged): memory is bounded by the number of lines, whatever the counts say. */
    size_t nt = reply->n, nr = 0, nc = 0, np = 0;
    int *rs = kalloc_array(nt, sizeof *rs), *cs = kalloc_array(nt, sizeof *cs);
    int *present = kalloc_array(nt, sizeof *present);
    for (size_t k = 0; k < nt; k++) {
        const scoreblock_triple *t = &reply->triples[k];
        if (t->r < 1 || t->r > n_human) continue;
        present[np++] = t->r; /* any line for R counts as present, even S0 */
        if (t->s >= 1 && t->s <= n && t->score > 0) {
            rs[nr++] = t->r;
            cs[nc++] = t->s;
        }
    }
    int missing = checklist_unique(present, np) < (size_t)n_human;
    free(present);
    nr = checklist_unique(rs, nr);
    nc = checklist_unique(cs, nc);
    /* W[i][j]: best score of rationale rs[i] by reason cs[j] */
    double *wm = kalloc_zeroed(nr * nc, sizeof *wm);
    for (size_t k = 0; k < nt; k++) {
        const scoreblock_triple *t = &reply->triples[k];
        if (t->r < 1 || t->r > n_human || t->s < 1 || t->s > n || !(t->score > 0)) continue;
        size_t i = checklist_index(rs, nr, t->r), j = checklist_index(cs, nc, t->s);
        double x = t->score > 1 ? 1.0 : t->score; /* above 1 only with clamp_scores */
        if (x > wm[i * nc + j]) wm[i * nc + j] = x;
    }
    int *row_col = kalloc_array(nr, sizeof *row_col), *col_row = kalloc_array(nc, sizeof *col_row);
    double s_total = assign_hungarian(wm, (int)nr, (int)nc, row_col, col_row);
    /* AP over model positions k = 1..n: m_k is 0 off the matched reasons, so P@k · I(k) only
     * contributes at matched positions, with the running sum of the earlier ones */
    double cum = 0, apsum = 0;
    for (size_t j = 0; j < nc; j++) {
        if (col_row[j] < 0) continue;
        cum += wm[(size_t)col_row[j] * nc + j];
        apsum += cum / cs[j];
    }
    for (size_t i = 0; i < nr; i++) {
        if (row_col[i] < 0) continue;
        out->n_matched++;
        if (match) match[rs[i] - 1] = cs[row_col[i]];
    }
    free(row_col);
    free(col_row);
    free(wm);
    free(rs);
    free(cs);
    out->s_total = s_total;
    out->recall = s_total / n_human;
    out->precision = n > 0 ? s_total / n : 0.0;
    out->ap = apsum / n_human;
    out->f1 = checklist_f1(out->precision, out->recall);
    return missing ? checklist_set(out, CHECKLIST_PARTIAL, CHECKLIST_MISSING_R)
                   : checklist_set(out, CHECKLIST_VALID, CHECKLIST_OK);
}

void checklist_reply_of_pairs(const scoreblock_triple *pairs, size_t n, scoreblock_result *out)
{
    memset(out, 0, sizeof *out);
    out->triples = (scoreblock_triple *)pairs;
    out->n = out->n_lines = n;
    out->n_blocks = 1;
    if (n == 0) out->issues |= SCOREBLOCK_NO_LINES;
    for (size_t k = 0; k < n; k++) {
        if (pairs[k].score > 1) out->issues |= SCOREBLOCK_SCORE_ABOVE_ONE;
        if (pairs[k].r == 0) out->issues |= SCOREBLOCK_R_ZERO;
        if (pairs[k].s == 0 && pairs[k].score > 0) out->issues |= SCOREBLOCK_S0_SCORED;
    }
}

/* Best score of line (r, s) in the reply, -1 when there is none. */
static double checklist_best_line(const scoreblock_result *reply, int r, int s)
{
    double best = -1;
    for (size_t k = 0; k < reply->n; k++) {
        const scoreblock_triple *t = &reply->triples[k];
        if (t->r == r && t->s == s && t->score > best) best = t->score;
    }
    return best;
}

size_t checklist_matches(const scoreblock_result *reply, int n_human, int n_model, int top_k,
                         const int *match, checklist_match *out)
{
    if (!reply || n_human <= 0 || n_model < 0) return 0;
    int n = (top_k > 0 && n_model > top_k) ? top_k : n_model;
    size_t w = 0;
    if (match) {
        for (int i = 1; i <= n_human; i++) {
            int j = match[i - 1];
            if (j <= 0) continue;
            double v = checklist_best_line(reply, i, j);
            out[w++] = (checklist_match){i, j, v > 1 ? 1.0 : (v < 0 ? 0.0 : v), j <= n};
        }
        return w;
    }
    /* Reference: per R, the best line among S <= n (counted), else among n < S <= n_model. One
     * pass over the lines with a slot per R keeps this linear in the reply. */
    checklist_match *best = kalloc_zeroed((size_t)n_human, sizeof *best);
    for (size_t k = 0; k < reply->n; k++) {
        const scoreblock_triple *t = &reply->triples[k];
        if (t->r < 1 || t->r > n_human || t->s < 1 || t->s > n_model || !(t->score > 0)) continue;
        checklist_match *b = &best[t->r - 1];
        int counted = t->s <= n;
        int better = b->s == 0 || counted > b->counted ||
                     (counted == b->counted &&
                      (t->score > b->score || (t->score == b->score && t->s < b->s)));
        if (better) *b = (checklist_match){t->r, t->s, t->score, counted};
    }
    for (int i = 0; i < n_human; i++)
        if (best[i].s > 0) out[w++] = best[i];
    free(best);
    return w;
}

const char *checklist_status_name(checklist_status s)
{
    switch (s) {
    case CHECKLIST_VALID:
        return "valid";
    case CHECKLIST_PARTIAL:
        return "partial";
    case CHECKLIST_SKIPPED:
        return "skipped";
    case CHECKLIST_UNSCORED:
        return "unscored";
    case CHECKLIST_ERROR:
        return "error";
    }
    return "unknown";
}

const char *checklist_reason_name(checklist_reason r)
{
    switch (r) {
    case CHECKLIST_OK:
        return "ok";
    case CHECKLIST_NO_REPLY:
        return "no_reply";
    case CHECKLIST_NO_BLOCK:
        return "no_block";
    case CHECKLIST_NO_LINES:
        return "no_lines";
    case CHECKLIST_SCORE_ABOVE_ONE:
        return "score_above_one";
    case CHECKLIST_NUMBER_TOO_LONG:
        return "number_too_long";
    case CHECKLIST_MISSING_LIST:
        return "missing_list";
    case CHECKLIST_MODEL_LIST_TOO_LONG:
        return "model_list_too_long";
    case CHECKLIST_MODEL_LIST_EMPTY:
        return "model_list_empty";
    case CHECKLIST_LINE_COUNT:
        return "line_count";
    case CHECKLIST_HUMAN_LIST_EMPTY:
        return "human_list_empty";
    case CHECKLIST_MISSING_R:
        return "missing_r";
    case CHECKLIST_TRUNCATED:
        return "truncated";
    }
    return "unknown";
}

void checklist_summary_init(checklist_summary *s)
{
    memset(s, 0, sizeof *s);
}

void checklist_summary_add(checklist_summary *s, const checklist_item *item)
{
    s->n_total++;
    switch (item->status) {
    case CHECKLIST_SKIPPED:
        s->n_skipped++;
        return;
    case CHECKLIST_UNSCORED:
        s->n_unscored++;
        return;
    case CHECKLIST_ERROR:
        s->n_error++;
        return;
    case CHECKLIST_PARTIAL:
        s->n_partial++;
        break;
    case CHECKLIST_VALID:
        break;
    }
    s->n_valid++;
    const double x[4] = {item->precision, item->recall, item->f1, item->ap};
    for (int k = 0; k < 4; k++) { /* Welford: stable for long runs */
        double d = x[k] - s->mean[k];
        s->mean[k] += d / (double)s->n_valid;
        s->m2[k] += d * (x[k] - s->mean[k]);
    }
}

void checklist_summary_merge(checklist_summary *a, const checklist_summary *b)
{
    size_t na = a->n_valid, nb = b->n_valid;
    if (nb) {
        double n = (double)(na + nb);
        for (int k = 0; k < 4; k++) {
            double d = b->mean[k] - a->mean[k];
            a->mean[k] += d * (double)nb / n;
            a->m2[k] += b->m2[k] + d * d * (double)na * (double)nb / n;
        }
    }
    a->n_total += b->n_total;
    a->n_valid += b->n_valid;
    a->n_partial += b->n_partial;
    a->n_skipped += b->n_skipped;
    a->n_unscored += b->n_unscored;
    a->n_error += b->n_error;
}

void checklist_summary_totals(const checklist_summary *s, checklist_totals *out)
{
    memset(out, 0, sizeof *out);
    out->n_total = s->n_total;
    out->n_valid = s->n_valid;
    out->n_partial = s->n_partial;
    out->n_skipped = s->n_skipped;
    out->n_unscored = s->n_unscored;
    out->n_error = s->n_error;
    if (!s->n_valid) return;
    double sd[4];
    for (int k = 0; k < 4; k++) {
        double v = s->m2[k] / (double)s->n_valid;
        sd[k] = sqrt(v > 0 ? v : 0);
    }
    out->precision = s->mean[0];
    out->recall = s->mean[1];
    out->f1 = s->mean[2];
    out->ap = s->mean[3];
    out->precision_std = sd[0];
    out->recall_std = sd[1];
    out->f1_std = sd[2];
    out->ap_std = sd[3];
}
