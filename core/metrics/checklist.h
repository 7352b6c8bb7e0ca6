/* checklist: per-item rationale metrics (precision, recall, F1, average precision) from a parsed
 * MetaJudge reply, in two modes, plus a summary accumulator. docs/metrics.md has every definition
 * with worked examples.
 *
 *  - checklist_reference reproduces calculate_metrics()/analyze_single_file() of the published
 *    metajudge_analysis.py (QwenLM/RationaleRM) to 1e-9, quirks included: best score per R and per
 *    S without one-to-one matching, R0 lines kept, AP over matched S ranks, the status checks in
 * the script's order. Feed it a SCOREBLOCK_REFERENCE parse to reproduce the script exactly.
 *  - checklist_paper implements Eq. 1-3 of the paper: a maximum-weight one-to-one matching
 *    (assign_hungarian), recall = S_total/|R_h| (Rationale Consistency), precision = S_total/n,
 *    AP = Σ_k P@k·I(k)/|R_h| over model-reason positions k.
 *
 * Counts: n_human = |R_h| (human rationales), n_model = length of the model's reason list. A
 * negative count means "the field is absent from the item". */
#ifndef RATIO_CHECKLIST_H
#define RATIO_CHECKLIST_H

#include <stddef.h>

#include "match/scoreblock.h"

typedef enum checklist_status {
    CHECKLIST_VALID = 0, /* scored; counts in the means */
    CHECKLIST_PARTIAL,   /* paper: scored with some R missing from the block; counts in the means */
    CHECKLIST_SKIPPED,   /* neither scored nor an error (excluded by a rule, e.g. list length) */
    CHECKLIST_UNSCORED,  /* paper: the reply has no block or no score line */
    CHECKLIST_ERROR,     /* bad reply or bad item; the reference counts these as error_samples */
} checklist_status;

typedef enum checklist_reason {
    CHECKLIST_OK = 0,
    CHECKLIST_NO_REPLY,            /* reply == NULL (the reference: no `samples`) */
    CHECKLIST_NO_BLOCK,            /* SCOREBLOCK_NO_BLOCK */
    CHECKLIST_NO_LINES,            /* SCOREBLOCK_NO_LINES (or only unreadable lines) */
    CHECKLIST_SCORE_ABOVE_ONE,     /* SCOREBLOCK_SCORE_ABOVE_ONE */
    CHECKLIST_NUMBER_TOO_LONG,     /* SCOREBLOCK_NUMBER_TOO_LONG */
    CHECKLIST_MISSING_LIST,        /* n_human < 0 or n_model < 0 */
    CHECKLIST_MODEL_LIST_TOO_LONG, /* reference: n_model > max_checklist_len */
    CHECKLIST_MODEL_LIST_EMPTY,    /* reference: n_model == 0 */
    CHECKLIST_LINE_COUNT,          /* reference: score lines != n_human */
    CHECKLIST_HUMAN_LIST_EMPTY,    /* paper: n_human == 0 */
    CHECKLIST_MISSING_R,           /* paper: some R in 1..n_human has no line (status PARTIAL) */
    CHECKLIST_TRUNCATED,           /* the parse did not store every line (raise max_triples) */
} checklist_reason;

typedef struct checklist_item {
    checklist_status status;
    checklist_reason reason;
    double precision, recall, f1, ap; /* 0 unless status is VALID or PARTIAL */
    double s_total; /* reference: Σ max score per R; paper: total weight of the matching */
    int n_human;    /* |R_h| as given */
    int n_used;     /* model reasons scored: min(n_model, top_k), or n_model when top_k == 0 */
    int n_matched;  /* R with a positive credit (reference: max per R > 0; paper: matched) */
} checklist_item;

typedef struct checklist_reference_opts {
    int max_checklist_len; /* items with more model reasons are skipped (script default 10) */
    int top_k;             /* precision denominator cap, min(n_model, top_k) (script: 5);
                              0 = no cap */
} checklist_reference_opts;

typedef struct checklist_paper_opts {
    int top_k;        /* model reasons kept, n = min(n_model, top_k) (default 5); 0 = no cap */
    int clamp_scores; /* 0 (default): a score above 1 makes the item an ERROR; 1: read it as 1 */
} checklist_paper_opts;

/* {10, 5} and {5, 0}. */
void checklist_reference_opts_default(checklist_reference_opts *o);
void checklist_paper_opts_default(checklist_paper_opts *o);

/* The published script's per-item result. reply may be NULL (no reply); opts NULL = defaults.
 * Returns out->status. */
checklist_status checklist_reference(const scoreblock_result *reply, int n_human, int n_model,
                                     const checklist_reference_opts *opts, checklist_item *out);

/* The paper's Eq. 1-3. reply may be NULL (no reply); opts NULL = defaults. When match is not NULL
 * it receives n_human entries: the model reason (1-based S) matched to R_i, or 0.
 * Returns out->status. */
checklist_status checklist_paper(const scoreblock_result *reply, int n_human, int n_model,
                                 const checklist_paper_opts *opts, checklist_item *out, int *match);

/* A reply given as pairs rather than text (what a computed matcher returns): one triple per score
 * line, in order. Fills *out as scoreblock_parse would have from the same lines rendered as a
 * block: n_lines = n, one block, and the issues the metrics read (no lines, a score above 1, an R0
 * or S0 line scored). out->triples points at the caller's array (do not scoreblock_free it). */
void checklist_reply_of_pairs(const scoreblock_triple *pairs, size_t n, scoreblock_result *out);

/* One matched pair of an item: human rationale r (1-based), model reason s, its score; counted = 0
 * when s lies beyond the top_k reasons the metrics used (shown, not scored). */
typedef struct checklist_match {
    int r, s;
    double score;
    int counted;
} checklist_match;

/* The matched pairs an item's metrics stand for, at most one per rationale, in R order; returns how
 * many were written to out (room for n_human). Paper mode (match not NULL, as checklist_paper
 * filled it): each rationale's one-to-one partner, scored by its best line (capped at 1). Reference
 * mode (match NULL): each rationale's best-scoring reason among the counted top_k (the lowest S on
 * a tie), or, when none scores, its best beyond them with counted = 0. Scores of 0 are not matches.
 */
size_t checklist_matches(const scoreblock_result *reply, int n_human, int n_model, int top_k,
                         const int *match, checklist_match *out);

/* Stable snake_case names for reports ("valid", "partial", …; "ok", "no_block", …). */
const char *checklist_status_name(checklist_status s);
const char *checklist_reason_name(checklist_reason r);

/* Summary accumulator: means over VALID and PARTIAL items, population standard deviations
 * (numpy.std, ddof=0), counts. A zeroed struct is an empty summary. */
typedef struct checklist_summary {
    size_t n_total, n_valid, n_partial, n_skipped, n_unscored, n_error; /* n_valid includes
                                                                           n_partial */
    double mean[4]; /* precision, recall, f1, ap: running means (Welford) */
    double m2[4];   /* running sums of squared deviations */
} checklist_summary;

typedef struct checklist_totals {
    size_t n_total, n_valid, n_partial, n_skipped, n_unscored, n_error;
    double precision, recall, f1, ap; /* means; 0 when no item is valid (as the script) */
    double precision_std, recall_std, f1_std, ap_std; /* population std; 0 when none */
} checklist_totals;

void checklist_summary_init(checklist_summary *s);
void checklist_summary_add(checklist_summary *s, const checklist_item *item);
/* Adds b into a (Chan et al. pairwise combination), for summaries built in parallel. */
void checklist_summary_merge(checklist_summary *a, const checklist_summary *b);
void checklist_summary_totals(const checklist_summary *s, checklist_totals *out);

#endif
