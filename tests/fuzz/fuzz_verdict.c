/* libFuzzer target for the judge verdict/reasons parser (core/match/verdict.c).
 *
 * Input: 1 header byte (max_reasons), then the reply, held in an exact-size heap block so ASan
 * sees any read past its length. Checks verdict.h's contract: the return value is res.issues with
 * known flags only; at most max_reasons reasons stored, TRUNCATED exactly when some were dropped;
 * every reason is a non-empty span inside the region that was read, trimmed of white space, in
 * order and not overlapping; the region and the label text lie inside the input; the label is one
 * of the five or NONE (then no label text), and reading the label text again gives that label; a
 * second parse into the same result gives the same answer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "match/verdict.h"

static int fv_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void fv_check(const char *text, size_t len, const verdict_result *r, unsigned rc,
                     size_t cap)
{
    FUZZ_REQUIRE(rc == r->issues);
    FUZZ_REQUIRE((r->issues >> VERDICT_ISSUE_COUNT) == 0);
    for (unsigned f = 1; f < (1u << VERDICT_ISSUE_COUNT); f <<= 1)
        FUZZ_REQUIRE(!(r->issues & f) || verdict_issue_name(f) != NULL);
    FUZZ_REQUIRE(r->n_reasons <= cap && r->n_reasons <= r->n_found);
    FUZZ_REQUIRE((r->n_reasons < r->n_found) == ((r->issues & VERDICT_TRUNCATED) != 0));
    FUZZ_REQUIRE(r->n_reasons == 0 || r->reasons != NULL);
    FUZZ_REQUIRE(r->region_begin <= r->region_end && r->region_end <= len);
    if (r->n_found == 0) FUZZ_REQUIRE(r->issues & VERDICT_NO_REASONS);
    for (size_t i = 0; i < r->n_reasons; i++) {
        verdict_span s = r->reasons[i];
        FUZZ_REQUIRE(s.begin < s.end);
        FUZZ_REQUIRE(s.begin >= r->region_begin && s.end <= r->region_end);
        FUZZ_REQUIRE(!fv_space(text[s.begin]) && !fv_space(text[s.end - 1]));
        FUZZ_REQUIRE(i == 0 || s.begin >= r->reasons[i - 1].end);
    }
    FUZZ_REQUIRE(r->label >= VERDICT_NONE && r->label <= VERDICT_B_MUCH_BETTER);
    FUZZ_REQUIRE(verdict_label_swap(verdict_label_swap(r->label)) == r->label);
    FUZZ_REQUIRE((verdict_label_name(r->label) != NULL) == (r->label != VERDICT_NONE));
    FUZZ_REQUIRE(r->label_text.begin <= r->label_text.end && r->label_text.end <= len);
    if (r->label == VERDICT_NONE) {
        FUZZ_REQUIRE(r->label_text.begin == 0 && r->label_text.end == 0);
        FUZZ_REQUIRE(r->issues & (VERDICT_NO_VERDICT | VERDICT_INVALID_VERDICT |
                                VERDICT_CONFLICTING_VERDICTS));
    } else {
        FUZZ_REQUIRE(!(r->issues & VERDICT_NO_VERDICT));
        FUZZ_REQUIRE(verdict_read_label(text + r->label_text.begin,
                                      r->label_text.end - r->label_text.begin) == r->label);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t max_reasons = data[0] % 16; /* 0 = the default */
    size_t cap = max_reasons ? max_reasons : VERDICT_MAX_REASONS_DEFAULT;
    size_t len = size - 1;
    char *text = malloc(len ? len : 1);
    if (len) memcpy(text, data + 1, len);

    verdict_result r;
    verdict_init(&r);
    unsigned rc = verdict_parse(text, len, max_reasons, &r);
    fv_check(text, len, &r, rc, cap);
    verdict_result first = r;
    first.reasons = NULL;
    rc = verdict_parse(text, len, max_reasons, &r);
    fv_check(text, len, &r, rc, cap);
    FUZZ_REQUIRE(r.n_reasons == first.n_reasons && r.label == first.label &&
               r.issues == first.issues && r.region_begin == first.region_begin);
    verdict_free(&r);
    verdict_free(&r);

    /* The label reader alone on the raw bytes. */
    verdict_label l = verdict_read_label(text, len);
    FUZZ_REQUIRE(l >= VERDICT_NONE && l <= VERDICT_B_MUCH_BETTER);
    free(text);
    return 0;
}
