/* Checklist metrics, both modes, on hand-computed cases. Every reference expectation below was
 * also confirmed by running the published script's calculate_metrics()/analyze_single_file()
 * (metajudge_analysis.py, QwenLM/RationaleRM) on the same input with Python 3.11. */
#include <stdlib.h>

#include "check.h"
#include "metrics/checklist.h"

#define BLOCK(body) "<RESULT_START>\n" body "\n<RESULT_END>"

static checklist_item cl_ref(const char *reply, int nh, int nm)
{
    scoreblock_result r;
    scoreblock_init(&r);
    scoreblock_parse(reply, strlen(reply), SCOREBLOCK_REFERENCE, 0, &r);
    checklist_item it;
    checklist_reference(&r, nh, nm, NULL, &it);
    scoreblock_free(&r);
    return it;
}

static checklist_item cl_paper(const char *reply, int nh, int nm, int top_k, int *match)
{
    scoreblock_result r;
    scoreblock_init(&r);
    scoreblock_parse(reply, strlen(reply), SCOREBLOCK_TOLERANT, 0, &r);
    checklist_paper_opts o;
    checklist_paper_opts_default(&o);
    o.top_k = top_k;
    checklist_item it;
    checklist_paper(&r, nh, nm, &o, &it, match);
    scoreblock_free(&r);
    return it;
}

#define CHECK_PRFA(it, P, R, F, A)                                                                 \
    do {                                                                                           \
        CHECK_NEAR((it).precision, P, 1e-12);                                                      \
        CHECK_NEAR((it).recall, R, 1e-12);                                                         \
        CHECK_NEAR((it).f1, F, 1e-12);                                                             \
        CHECK_NEAR((it).ap, A, 1e-12);                                                             \
    } while (0)

/* |R_h| = 3, 5 model reasons: R1-S2 1, R2 none, R3-S1 0.5.
 * reference: recall (1 + .5)/3 = .5; precision (S1 .5 + S2 1)/5 = .3; F1 .375;
 *            AP: S ascending [1, 2]: P1 = .5/1, P2 = 1.5/2 -> (.5 + .75)/3 = 0.41666…
 * paper: the matching R1-S2, R3-S1 has the same total; m = (.5, 1, 0, 0, 0):
 *        P@1 = .5, P@2 = .75 -> same AP. */
TEST(cl_basic_both_modes)
{
    const char *rep = BLOCK("- R1@S2: 1\n- R2@S0: 0\n- R3@S1: 0.5");
    checklist_item a = cl_ref(rep, 3, 5);
    CHECK_INT(a.status, CHECKLIST_VALID);
    CHECK_PRFA(a, 0.3, 0.5, 0.375, 1.25 / 3);
    CHECK_INT(a.n_used, 5);
    CHECK_INT(a.n_matched, 2);
    CHECK_NEAR(a.s_total, 1.5, 0);
    int match[3];
    checklist_item b = cl_paper(rep, 3, 5, 5, match);
    CHECK_INT(b.status, CHECKLIST_VALID);
    CHECK_PRFA(b, 0.3, 0.5, 0.375, 1.25 / 3);
    CHECK_INT(match[0], 2);
    CHECK_INT(match[1], 0);
    CHECK_INT(match[2], 1);
}

/* AP ordering. R1-S3 1, R2-S1 .5; |R_h| = 2, 3 model reasons.
 * reference: matched S ascending [1, 3] ranked 1, 2: P1 = .5, P2 = 1.5/2 = .75 -> AP .625
 * paper:     m = (.5, 0, 1): P@1 = .5, P@3 = 1.5/3 = .5 -> AP (.5 + .5)/2 = .5 (divides by the
 *            position k, not by the rank among matched reasons) */
TEST(cl_ap_ordering_differs)
{
    const char *rep = BLOCK("- R1@S3: 1\n- R2@S1: 0.5");
    checklist_item a = cl_ref(rep, 2, 3);
    CHECK_NEAR(a.ap, 0.625, 1e-12);
    CHECK_NEAR(a.recall, 0.75, 1e-12);
    CHECK_NEAR(a.precision, 0.5, 1e-12);
    checklist_item b = cl_paper(rep, 2, 3, 5, NULL);
    CHECK_NEAR(b.ap, 0.5, 1e-12);
    CHECK_NEAR(b.recall, 0.75, 1e-12);
    CHECK_NEAR(b.precision, 0.5, 1e-12);
}

/* Reference quirk: an S line with score 0 is still a "matched S" and lowers AP.
 * R1-S1 0, R2-S2 1; |R_h| = 2, 2 reasons: [1, 2]: P1 = 0, P2 = 1/2 -> AP .25.
 * Paper: S1 unmatched (weight 0 is no match), m = (0, 1): P@2 = .5 -> AP .25 too, but
 * without the S2 line it would be: reference R2-S2 only -> P1 = 1 -> AP .5. */
TEST(cl_reference_zero_score_s_counts_in_ap)
{
    checklist_item a = cl_ref(BLOCK("- R1@S1: 0\n- R2@S2: 1"), 2, 2);
    CHECK_PRFA(a, 0.5, 0.5, 0.5, 0.25);
    checklist_item b = cl_ref(BLOCK("- R1@S0: 0\n- R2@S2: 1"), 2, 2);
    CHECK_PRFA(b, 0.5, 0.5, 0.5, 0.5);
    /* paper: a zero weight is no match either way */
    CHECK_PRFA(cl_paper(BLOCK("- R1@S1: 0\n- R2@S2: 1"), 2, 2, 5, NULL), 0.5, 0.5, 0.5, 0.25);
    CHECK_PRFA(cl_paper(BLOCK("- R1@S0: 0\n- R2@S2: 1"), 2, 2, 5, NULL), 0.5, 0.5, 0.5, 0.25);
}

/* No one-to-one in the reference: two human reasons both credited by S1.
 * reference: recall (1 + 1)/2 = 1; precision 1/3; AP [1]: P1 = 1 -> 1/2 = .5; F1 = .5
 * paper:     only one of them can have S1: S_total 1, recall .5, precision 1/3, AP 1/2 */
TEST(cl_one_to_one_difference)
{
    const char *rep = BLOCK("- R1@S1: 1\n- R2@S1: 1");
    checklist_item a = cl_ref(rep, 2, 3);
    CHECK_PRFA(a, 1.0 / 3, 1.0, 0.5, 0.5);
    int match[2];
    checklist_item b = cl_paper(rep, 2, 3, 5, match);
    CHECK_PRFA(b, 1.0 / 3, 0.5, 0.4, 0.5);
    CHECK_INT(match[0], 1); /* S1 goes to the earlier human rationale */
    CHECK_INT(match[1], 0);
}

TEST(cl_reference_drops)
{
    /* S0 dropped, R > |R_h| dropped, S > min(|S|, 5) dropped: nothing left, all zero but valid */
    checklist_item a = cl_ref(BLOCK("- R1@S0: 0\n- R4@S1: 1\n- R2@S6: 1"), 3, 7);
    CHECK_INT(a.status, CHECKLIST_VALID);
    CHECK_PRFA(a, 0, 0, 0, 0);
    CHECK_INT(a.n_used, 5);
    /* S beyond the model list (3 reasons) is dropped too */
    checklist_item b = cl_ref(BLOCK("- R1@S4: 1"), 1, 3);
    CHECK_PRFA(b, 0, 0, 0, 0);
    /* top_k cap: with 7 reasons S5 counts and the denominator is 5 */
    checklist_item c = cl_ref(BLOCK("- R1@S5: 1"), 1, 7);
    CHECK_PRFA(c, 0.2, 1, 2 * 0.2 / 1.2, 1);
}

/* R0 lines are KEPT by the script (its filter is s != 0 and r <= |R_h| and s <= n): R0 counts
 * as a recall key. R0-S1 1, R2-S0 0 with |R_h| = 2: recall 1/2 although R1 has no line. */
TEST(cl_reference_r0_quirk)
{
    checklist_item a = cl_ref(BLOCK("- R0@S1: 1\n- R2@S0: 0"), 2, 4);
    CHECK_INT(a.status, CHECKLIST_VALID);
    CHECK_PRFA(a, 0.25, 0.5, 2 * 0.25 * 0.5 / 0.75, 0.5);
    /* paper mode ignores R0, and R1 having no line makes it partial */
    checklist_item b = cl_paper(BLOCK("- R0@S1: 1\n- R2@S0: 0"), 2, 4, 5, NULL);
    CHECK_INT(b.status, CHECKLIST_PARTIAL);
    CHECK_PRFA(b, 0, 0, 0, 0);
}

TEST(cl_reference_statuses_and_order)
{
    const char *good = BLOCK("- R1@S1: 1\n- R2@S2: 0.5");
    CHECK_INT(cl_ref(good, 2, 10).status, CHECKLIST_VALID);
    checklist_item a = cl_ref(good, 2, 11); /* > max_checklist_len */
    CHECK_INT(a.status, CHECKLIST_SKIPPED);
    CHECK_INT(a.reason, CHECKLIST_MODEL_LIST_TOO_LONG);
    a = cl_ref(good, 2, 0);
    CHECK_INT(a.status, CHECKLIST_SKIPPED);
    CHECK_INT(a.reason, CHECKLIST_MODEL_LIST_EMPTY);
    a = cl_ref(good, 3, 4); /* 2 lines for 3 human reasons */
    CHECK_INT(a.status, CHECKLIST_ERROR);
    CHECK_INT(a.reason, CHECKLIST_LINE_COUNT);
    a = cl_ref(BLOCK("- R1@S1: 1\n- R2@S2: 0.5\n- R2@S3: 1"), 2, 4); /* 3 lines for 2 */
    CHECK_INT(a.reason, CHECKLIST_LINE_COUNT);
    /* duplicates count as lines: R1 twice and no R2 passes the count check */
    a = cl_ref(BLOCK("- R1@S1: 0.5\n- R1@S2: 1"), 2, 4);
    CHECK_INT(a.status, CHECKLIST_VALID);
    CHECK_PRFA(a, 1.5 / 4, 0.5, 2 * 0.375 * 0.5 / 0.875, (0.5 + 0.75) / 2);
    /* order: the script checks the reply before the list length, the line count after it */
    a = cl_ref(good, 3, 11); /* count mismatch on a too-long item: skipped, not error */
    CHECK_INT(a.status, CHECKLIST_SKIPPED);
    a = cl_ref(BLOCK("- R1@S1: 1.5\n- R2@S2: 0.5"), 2, 11); /* bad score on a too-long item */
    CHECK_INT(a.status, CHECKLIST_ERROR);
    CHECK_INT(a.reason, CHECKLIST_SCORE_ABOVE_ONE);
    a = cl_ref("no block at all", 2, 0);
    CHECK_INT(a.status, CHECKLIST_ERROR);
    CHECK_INT(a.reason, CHECKLIST_NO_BLOCK);
    a = cl_ref(BLOCK("nothing"), 2, 11);
    CHECK_INT(a.reason, CHECKLIST_NO_LINES);
    /* an empty human list: the script's count check fails (lines != 0) */
    a = cl_ref(good, 0, 3);
    CHECK_INT(a.status, CHECKLIST_ERROR);
    CHECK_INT(a.reason, CHECKLIST_LINE_COUNT);
    /* a missing field is an error, after the reply checks and before the length rule */
    a = cl_ref(good, -1, 20);
    CHECK_INT(a.reason, CHECKLIST_MISSING_LIST);
    a = cl_ref(BLOCK("- R1@S1: 3"), -1, 3);
    CHECK_INT(a.reason, CHECKLIST_SCORE_ABOVE_ONE);
    /* no reply (the script: no samples) */
    checklist_item it;
    CHECK_INT(checklist_reference(NULL, 2, 3, NULL, &it), CHECKLIST_ERROR);
    CHECK_INT(it.reason, CHECKLIST_NO_REPLY);
    /* non-consecutive R numbers are not an error in the analysis script */
    a = cl_ref(BLOCK("- R2@S1: 1\n- R1@S2: 1"), 2, 2);
    CHECK_INT(a.status, CHECKLIST_VALID);
    CHECK_PRFA(a, 1, 1, 1, 1);
}

TEST(cl_reference_options)
{
    scoreblock_result r;
    scoreblock_init(&r);
    const char *rep = BLOCK("- R1@S7: 1");
    scoreblock_parse(rep, strlen(rep), SCOREBLOCK_REFERENCE, 0, &r);
    checklist_reference_opts o = {20, 0}; /* longer lists allowed, no top-5 cap */
    checklist_item it;
    CHECK_INT(checklist_reference(&r, 1, 12, &o, &it), CHECKLIST_VALID);
    CHECK_NEAR(it.precision, 1.0 / 12, 1e-15);
    CHECK_NEAR(it.recall, 1, 0);
    CHECK_NEAR(it.ap, 1, 0);
    /* a parse that could not store every line cannot be scored faithfully */
    scoreblock_parse(BLOCK("- R1@S1: 1\n- R2@S1: 1"), strlen(BLOCK("- R1@S1: 1\n- R2@S1: 1")),
                     SCOREBLOCK_REFERENCE, 1, &r);
    CHECK_INT(checklist_reference(&r, 2, 3, NULL, &it), CHECKLIST_ERROR);
    CHECK_INT(it.reason, CHECKLIST_TRUNCATED);
    scoreblock_free(&r);
}

TEST(cl_paper_matching_beats_greedy)
{
    /* R1: S1 1, S2 .75; R2: S1 .75. Greedy would give R1-S1 only (total 1); the optimum is
     * R1-S2 + R2-S1 = 1.5: recall .75, precision .75, m = (.75, .75): AP (.75 + .75)/2 = .75 */
    int match[2];
    checklist_item b = cl_paper(BLOCK("- R1@S1: 1\n- R1@S2: 0.75\n- R2@S1: 0.75"), 2, 2, 5, match);
    CHECK_INT(b.status, CHECKLIST_VALID);
    CHECK_PRFA(b, 0.75, 0.75, 0.75, 0.75);
    CHECK_INT(match[0], 2);
    CHECK_INT(match[1], 1);
    CHECK_NEAR(b.s_total, 1.5, 0);
}

TEST(cl_paper_tie_toward_earlier_reason)
{
    /* R1 fully matched by S1 and S2: S1 is used, m = (1, 0): AP 1 (S2 would give 0.5) */
    int match[1];
    checklist_item b = cl_paper(BLOCK("- R1@S2: 1\n- R1@S1: 1"), 1, 2, 5, match);
    CHECK_NEAR(b.ap, 1, 0);
    CHECK_INT(match[0], 1);
    /* R1 has nothing, R2 ties on S1/S2: S1, AP = (1/1)/2 */
    int m2[2];
    b = cl_paper(BLOCK("- R1@S0: 0\n- R2@S1: 1\n- R2@S2: 1"), 2, 2, 5, m2);
    CHECK_INT(m2[0], 0);
    CHECK_INT(m2[1], 1);
    CHECK_NEAR(b.ap, 0.5, 0);
}

TEST(cl_paper_statuses)
{
    checklist_item b = cl_paper(BLOCK("- R1@S1: 1\n- R2@S2: 0.5"), 3, 4, 5, NULL);
    CHECK_INT(b.status, CHECKLIST_PARTIAL);
    CHECK_INT(b.reason, CHECKLIST_MISSING_R);
    CHECK_PRFA(b, 1.5 / 4, 0.5, 2 * 0.375 * 0.5 / 0.875, (1 + 0.75) / 3);
    b = cl_paper("no block", 3, 4, 5, NULL);
    CHECK_INT(b.status, CHECKLIST_UNSCORED);
    CHECK_INT(b.reason, CHECKLIST_NO_BLOCK);
    b = cl_paper(BLOCK("no lines"), 3, 4, 5, NULL);
    CHECK_INT(b.status, CHECKLIST_UNSCORED);
    CHECK_INT(b.reason, CHECKLIST_NO_LINES);
    b = cl_paper(BLOCK("- R1@S1: 1"), 0, 4, 5, NULL);
    CHECK_INT(b.status, CHECKLIST_SKIPPED);
    CHECK_INT(b.reason, CHECKLIST_HUMAN_LIST_EMPTY);
    b = cl_paper(BLOCK("- R1@S1: 1"), 1, -1, 5, NULL);
    CHECK_INT(b.status, CHECKLIST_ERROR);
    b = cl_paper(BLOCK("- R1@S1: 2"), 1, 1, 5, NULL);
    CHECK_INT(b.status, CHECKLIST_ERROR);
    CHECK_INT(b.reason, CHECKLIST_SCORE_ABOVE_ONE);
    checklist_item it;
    CHECK_INT(checklist_paper(NULL, 2, 2, NULL, &it, NULL), CHECKLIST_UNSCORED);
    CHECK_INT(it.reason, CHECKLIST_NO_REPLY);
    /* a long model list is not skipped in paper mode; the list is cut to top_k */
    b = cl_paper(BLOCK("- R1@S12: 1"), 1, 12, 5, NULL);
    CHECK_INT(b.status, CHECKLIST_VALID);
    CHECK_PRFA(b, 0, 0, 0, 0);
    b = cl_paper(BLOCK("- R1@S12: 1"), 1, 12, 0, NULL); /* no cap: S12 counts */
    CHECK_PRFA(b, 1.0 / 12, 1, 2.0 / 13, 1.0 / 12);
    /* an empty model list is scored: precision 0 */
    b = cl_paper(BLOCK("- R1@S0: 0"), 1, 0, 5, NULL);
    CHECK_INT(b.status, CHECKLIST_VALID);
    CHECK_PRFA(b, 0, 0, 0, 0);
    CHECK_INT(b.n_used, 0);
}

TEST(cl_paper_clamp_option)
{
    scoreblock_result r;
    scoreblock_init(&r);
    const char *rep = BLOCK("- R1@S1: 2\n- R2@S2: 0.5");
    scoreblock_parse(rep, strlen(rep), SCOREBLOCK_TOLERANT, 0, &r);
    checklist_paper_opts o = {5, 1};
    checklist_item it;
    CHECK_INT(checklist_paper(&r, 2, 2, &o, &it, NULL), CHECKLIST_VALID);
    CHECK_PRFA(it, 0.75, 0.75, 0.75, (1 + 0.75) / 2);
    scoreblock_free(&r);
}

/* A reply given as pairs scores exactly as the same lines rendered and parsed, in both modes. */
TEST(cl_pairs_score_as_their_block)
{
    const scoreblock_triple t[] = {{1, 2, 0.75, 0}, {2, 0, 0, 0}, {3, 1, 0.5, 0}, {4, 3, 0.25, 0}};
    const char *rep = BLOCK("- R1@S2: 0.75\n- R2@S0: 0\n- R3@S1: 0.5\n- R4@S3: 0.25");
    for (int paper = 0; paper <= 1; paper++) {
        scoreblock_result parsed, given;
        scoreblock_init(&parsed);
        scoreblock_parse(rep, strlen(rep), paper ? SCOREBLOCK_TOLERANT : SCOREBLOCK_REFERENCE, 0,
                         &parsed);
        checklist_reply_of_pairs(t, 4, &given);
        CHECK_INT(given.n_lines, parsed.n_lines);
        checklist_item a, b;
        int ma[4], mb[4];
        if (paper) {
            checklist_paper(&parsed, 4, 3, NULL, &a, ma);
            checklist_paper(&given, 4, 3, NULL, &b, mb);
            for (int i = 0; i < 4; i++)
                CHECK_INT(ma[i], mb[i]);
        } else {
            checklist_reference(&parsed, 4, 3, NULL, &a);
            checklist_reference(&given, 4, 3, NULL, &b);
        }
        CHECK_INT(a.status, b.status);
        CHECK_PRFA(b, a.precision, a.recall, a.f1, a.ap);
        scoreblock_free(&parsed);
    }
    scoreblock_result none;
    checklist_reply_of_pairs(t, 0, &none);
    checklist_item it;
    CHECK_INT(checklist_paper(&none, 2, 2, NULL, &it, NULL), CHECKLIST_UNSCORED);
    const scoreblock_triple big[] = {{1, 1, 1.5, 0}};
    checklist_reply_of_pairs(big, 1, &none);
    CHECK_INT(checklist_reference(&none, 1, 2, NULL, &it), CHECKLIST_ERROR);
}

/* The matched pairs: paper follows the one-to-one match; reference takes each R's best counted S
 * (lowest S on a tie), else its best beyond top_k, marked uncounted. */
TEST(cl_matches_both_modes)
{
    scoreblock_result r;
    scoreblock_init(&r);
    const char *rep = BLOCK("- R1@S1: 1\n- R2@S1: 0.75\n- R2@S2: 0.5\n- R3@S7: 0.25\n- R3@S4: 0");
    scoreblock_parse(rep, strlen(rep), SCOREBLOCK_TOLERANT, 0, &r);
    checklist_item it;
    int match[3];
    checklist_match m[3];
    checklist_paper(&r, 3, 7, NULL, &it, match);
    CHECK_INT(checklist_matches(&r, 3, 7, 5, match, m), 2);
    CHECK_INT(m[0].r, 1);
    CHECK_INT(m[0].s, 1);
    CHECK_NEAR(m[0].score, 1, 0);
    CHECK_INT(m[1].r, 2);
    CHECK_INT(m[1].s, 2);
    CHECK_NEAR(m[1].score, 0.5, 0);
    CHECK_INT(checklist_matches(&r, 3, 7, 5, NULL, m), 3);
    CHECK_INT(m[1].s, 1); /* no one-to-one rule: R2's best is S1 */
    CHECK_NEAR(m[1].score, 0.75, 0);
    CHECK_INT(m[2].r, 3);
    CHECK_INT(m[2].s, 7);
    CHECK_INT(m[2].counted, 0);
    CHECK_INT(m[0].counted, 1);
    CHECK_INT(checklist_matches(NULL, 3, 7, 5, NULL, m), 0);
    scoreblock_free(&r);
}

TEST(cl_summary_counts_mean_std)
{
    checklist_summary s;
    checklist_summary_init(&s);
    const double p[] = {0.3, 0.5, 1.0, 0.25}, rc[] = {0.5, 0.75, 1.0, 0.0};
    for (int k = 0; k < 4; k++) {
        checklist_item it;
        memset(&it, 0, sizeof it);
        it.status = k == 3 ? CHECKLIST_PARTIAL : CHECKLIST_VALID;
        it.precision = p[k];
        it.recall = rc[k];
        it.f1 = p[k] + rc[k] == 0 ? 0 : 2 * p[k] * rc[k] / (p[k] + rc[k]);
        it.ap = rc[k] / 2;
        checklist_summary_add(&s, &it);
    }
    checklist_item other;
    memset(&other, 0, sizeof other);
    other.status = CHECKLIST_SKIPPED;
    checklist_summary_add(&s, &other);
    other.status = CHECKLIST_ERROR;
    checklist_summary_add(&s, &other);
    other.status = CHECKLIST_UNSCORED;
    checklist_summary_add(&s, &other);
    checklist_totals t;
    checklist_summary_totals(&s, &t);
    CHECK_INT(t.n_total, 7);
    CHECK_INT(t.n_valid, 4);
    CHECK_INT(t.n_partial, 1);
    CHECK_INT(t.n_skipped, 1);
    CHECK_INT(t.n_error, 1);
    CHECK_INT(t.n_unscored, 1);
    /* numpy.mean([.3,.5,1,.25]) = .5125, numpy.std = 0.2965952629426168; recall: .5625 and
     * 0.369754986443726 (computed with Python) */
    CHECK_NEAR(t.precision, 0.5125, 1e-15);
    CHECK_NEAR(t.recall, 0.5625, 1e-15);
    CHECK_NEAR(t.precision_std, 0.2965952629426168, 1e-15);
    CHECK_NEAR(t.recall_std, 0.369754986443726, 1e-15);
    CHECK_NEAR(t.ap, 0.28125, 1e-15);
    /* merging two halves gives the same as adding sequentially */
    checklist_summary a, b;
    checklist_summary_init(&a);
    checklist_summary_init(&b);
    for (int k = 0; k < 4; k++) {
        checklist_item it;
        memset(&it, 0, sizeof it);
        it.precision = p[k];
        it.recall = rc[k];
        checklist_summary_add(k < 1 ? &a : &b, &it);
    }
    checklist_summary_merge(&a, &b);
    checklist_totals tm;
    checklist_summary_totals(&a, &tm);
    CHECK_INT(tm.n_valid, 4);
    CHECK_NEAR(tm.precision, 0.5125, 1e-15);
    CHECK_NEAR(tm.precision_std, 0.2965952629426168, 1e-15);
    CHECK_NEAR(tm.recall_std, 0.369754986443726, 1e-15);
    /* empty: zeros, as the script */
    checklist_summary_init(&a);
    checklist_summary_totals(&a, &tm);
    CHECK_NEAR(tm.precision, 0, 0);
    CHECK_NEAR(tm.recall_std, 0, 0);
}

TEST(cl_names)
{
    CHECK_STR(checklist_status_name(CHECKLIST_PARTIAL), "partial");
    CHECK_STR(checklist_status_name(CHECKLIST_UNSCORED), "unscored");
    CHECK_STR(checklist_reason_name(CHECKLIST_LINE_COUNT), "line_count");
    CHECK_STR(checklist_reason_name(CHECKLIST_MODEL_LIST_TOO_LONG), "model_list_too_long");
}

/* Memory follows the lines of the reply, not the counts or the S numbers the caller or the model
 * supplies: absurd values must not allocate gigabytes (ASan would fail the allocation). */
TEST(cl_memory_bounded_by_lines)
{
    scoreblock_result r;
    scoreblock_init(&r);
    const char *rep = BLOCK("- R1@S999999999: 1");
    scoreblock_parse(rep, strlen(rep), SCOREBLOCK_REFERENCE, 0, &r);
    checklist_paper_opts po = {0, 0};
    checklist_item it;
    CHECK_INT(checklist_paper(&r, 1000000000, 2000000000, &po, &it, NULL), CHECKLIST_PARTIAL);
    CHECK_NEAR(it.recall, 1e-9, 1e-24);
    CHECK_NEAR(it.precision, 1 / 2e9, 1e-24);
    CHECK_NEAR(it.ap, (1 / 999999999.0) / 1e9, 1e-30);
    checklist_reference_opts ro = {2000000000, 0};
    CHECK_INT(checklist_reference(&r, 1, 2000000000, &ro, &it), CHECKLIST_VALID);
    CHECK_NEAR(it.recall, 1, 0);
    CHECK_NEAR(it.precision, 1 / 2e9, 1e-24);
    CHECK_NEAR(it.ap, 1, 0);
    scoreblock_free(&r);
}
