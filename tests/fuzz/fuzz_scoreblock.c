/* libFuzzer target for the MetaJudge score-block parser (core/match/scoreblock.c) and the
 * checklist metrics computed on its output (core/metrics/checklist.c).
 *
 * Input: 4 header bytes (n_human, n_model, max_triples, top_k / options), then the reply text,
 * held in an exact-size heap block so ASan sees any read past its length. Checks, for both
 * policies: the return value is res.issues and only known flags are set; stored triples are at
 * most max_triples and n_lines; TRUNCATED exactly when lines were dropped; R and S within
 * [0, NUM_CAP], scores non-negative and not NaN, every offset and the block range inside the
 * input; no triples without a block. Then both metric modes: status and reason in range, every
 * metric in [0, 1] (0 unless scored), one-to-one matches within the scored model reasons, and a
 * summary of the items whose means and deviations stay in [0, 1]. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "match/scoreblock.h"
#include "metrics/checklist.h"

static int fs_unit(double x)
{
    return x >= 0.0 && x <= 1.0 + 1e-12;
}

/* Invariants of one parse of text[0..len) stored with max_triples. */
static void fs_check_parse(const scoreblock_result *r, unsigned rc, size_t len, size_t max_triples)
{
    FUZZ_REQUIRE(rc == r->issues);
    FUZZ_REQUIRE((r->issues >> SCOREBLOCK_ISSUE_COUNT) == 0);
    for (unsigned f = 1; f < (1u << SCOREBLOCK_ISSUE_COUNT); f <<= 1)
        FUZZ_REQUIRE(!(r->issues & f) || scoreblock_issue_name(f) != NULL);
    FUZZ_REQUIRE(r->n <= max_triples);
    FUZZ_REQUIRE(r->n <= r->n_lines);
    FUZZ_REQUIRE((r->n < r->n_lines) == ((r->issues & SCOREBLOCK_TRUNCATED) != 0));
    FUZZ_REQUIRE(r->n == 0 || r->triples != NULL);
    FUZZ_REQUIRE(r->block_begin <= r->block_end && r->block_end <= len);
    if (r->issues & SCOREBLOCK_NO_BLOCK) FUZZ_REQUIRE(r->n_lines == 0 && r->n_blocks == 0);
    if (r->n_lines == 0) FUZZ_REQUIRE(r->issues & SCOREBLOCK_UNSCORED);
    /* A block tag is 14 bytes at least, so there cannot be more blocks than that allows. */
    FUZZ_REQUIRE(r->n_blocks <= len / 2 + 1);
    for (size_t i = 0; i < r->n; i++) {
        const scoreblock_triple *t = &r->triples[i];
        FUZZ_REQUIRE(t->r >= 0 && t->r <= SCOREBLOCK_NUM_CAP);
        FUZZ_REQUIRE(t->s >= 0 && t->s <= SCOREBLOCK_NUM_CAP);
        FUZZ_REQUIRE(t->score >= 0.0); /* also false for NaN */
        FUZZ_REQUIRE(t->offset < len);
        FUZZ_REQUIRE(i == 0 || t->offset > r->triples[i - 1].offset);
        if (t->score > 1.0) FUZZ_REQUIRE(r->issues & SCOREBLOCK_SCORE_ABOVE_ONE);
        if (t->r == 0) FUZZ_REQUIRE(r->issues & SCOREBLOCK_R_ZERO);
    }
}

/* Invariants of one checklist item. */
static void fs_check_item(const checklist_item *it, checklist_status st, int n_human)
{
    FUZZ_REQUIRE(it->status == st);
    FUZZ_REQUIRE(st >= CHECKLIST_VALID && st <= CHECKLIST_ERROR);
    FUZZ_REQUIRE(it->reason >= CHECKLIST_OK && it->reason <= CHECKLIST_TRUNCATED);
    FUZZ_REQUIRE(checklist_status_name(st) != NULL && checklist_reason_name(it->reason) != NULL);
    FUZZ_REQUIRE(fs_unit(it->precision) && fs_unit(it->recall) && fs_unit(it->f1) &&
                 fs_unit(it->ap));
    if (st != CHECKLIST_VALID && st != CHECKLIST_PARTIAL)
        FUZZ_REQUIRE(it->precision == 0 && it->recall == 0 && it->f1 == 0 && it->ap == 0);
    FUZZ_REQUIRE(it->f1 <= fmax(it->precision, it->recall) + 1e-12);
    FUZZ_REQUIRE(it->f1 >= fmin(it->precision, it->recall) - 1e-12 || it->f1 == 0);
    FUZZ_REQUIRE(isfinite(it->s_total) && it->s_total >= 0.0);
    if (st == CHECKLIST_VALID || st == CHECKLIST_PARTIAL) {
        FUZZ_REQUIRE(it->n_matched >= 0 && it->n_matched <= n_human);
        FUZZ_REQUIRE(it->n_used >= 0);
    }
}

static void fs_check_totals(const checklist_summary *s)
{
    checklist_totals t;
    checklist_summary_totals(s, &t);
    FUZZ_REQUIRE(t.n_valid <= t.n_total && t.n_partial <= t.n_valid);
    FUZZ_REQUIRE(t.n_valid + t.n_skipped + t.n_unscored + t.n_error == t.n_total);
    FUZZ_REQUIRE(fs_unit(t.precision) && fs_unit(t.recall) && fs_unit(t.f1) && fs_unit(t.ap));
    FUZZ_REQUIRE(fs_unit(t.precision_std) && fs_unit(t.recall_std) && fs_unit(t.f1_std) &&
               fs_unit(t.ap_std));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    /* Counts up to 40 (a negative one, "field absent", for 0xff), list caps from the 3rd byte. */
    int n_human = data[0] == 0xff ? -1 : data[0] % 41;
    int n_model = data[1] == 0xff ? -1 : data[1] % 41;
    size_t max_triples = data[2] % 64; /* 0 = the default */
    int top_k = data[3] % 12;
    int clamp = (data[3] >> 4) & 1;
    size_t len = size - 4;
    char *text = malloc(len ? len : 1);
    if (len) memcpy(text, data + 4, len);
    size_t cap = max_triples ? max_triples : SCOREBLOCK_MAX_TRIPLES_DEFAULT;

    checklist_summary sum;
    checklist_summary_init(&sum);
    for (int policy = SCOREBLOCK_REFERENCE; policy <= SCOREBLOCK_TOLERANT; policy++) {
        scoreblock_result r;
        scoreblock_init(&r);
        unsigned rc = scoreblock_parse(text, len, (scoreblock_policy)policy, max_triples, &r);
        fs_check_parse(&r, rc, len, cap);
        /* Parsing again into the same result replaces it and gives the same answer. */
        size_t n = r.n, lines = r.n_lines;
        rc = scoreblock_parse(text, len, (scoreblock_policy)policy, max_triples, &r);
        FUZZ_REQUIRE(r.n == n && r.n_lines == lines && rc == r.issues);

        checklist_item it;
        checklist_reference_opts ro;
        checklist_reference_opts_default(&ro);
        ro.top_k = top_k;
        checklist_status st = checklist_reference(&r, n_human, n_model, &ro, &it);
        fs_check_item(&it, st, n_human);
        checklist_summary_add(&sum, &it);

        checklist_paper_opts po;
        checklist_paper_opts_default(&po);
        po.top_k = top_k;
        po.clamp_scores = clamp;
        int *match = n_human > 0 ? malloc((size_t)n_human * sizeof *match) : NULL;
        if (match)
            for (int i = 0; i < n_human; i++) match[i] = -7;
        st = checklist_paper(&r, n_human, n_model, &po, &it, match);
        fs_check_item(&it, st, n_human);
        if (match && (st == CHECKLIST_VALID || st == CHECKLIST_PARTIAL)) {
            int matched = 0;
            for (int i = 0; i < n_human; i++) {
                FUZZ_REQUIRE(match[i] >= 0 && match[i] <= it.n_used);
                if (match[i] == 0) continue;
                matched++;
                for (int j = 0; j < i; j++) FUZZ_REQUIRE(match[j] != match[i]); /* one-to-one */
            }
            FUZZ_REQUIRE(matched >= it.n_matched);
        }
        free(match);
        checklist_summary_add(&sum, &it);

        /* No reply at all. */
        st = checklist_paper(NULL, n_human, n_model, NULL, &it, NULL);
        fs_check_item(&it, st, n_human);
        scoreblock_free(&r);
        scoreblock_free(&r);
    }
    fs_check_totals(&sum);
    checklist_summary merged;
    checklist_summary_init(&merged);
    checklist_summary_merge(&merged, &sum);
    checklist_summary_merge(&merged, &sum);
    fs_check_totals(&merged);

    /* The decimal reader on the leading digits of the text. */
    size_t nd = 0;
    while (nd < len && nd < 400 && text[nd] >= '0' && text[nd] <= '9') nd++;
    double v = scoreblock_decimal(text, nd / 2, nd - nd / 2);
    FUZZ_REQUIRE(v >= 0.0);
    free(text);
    return 0;
}
