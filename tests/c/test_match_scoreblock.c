/* Score-block parser: every issue flag, every tolerant feature, every quirk of the published regex.
 * Inputs are copied into heap blocks of exactly their length (no NUL), so ASan catches any read
 * past the given length. Expected float values were computed with Python 3.11's float(). */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "match/scoreblock.h"

static unsigned sb_run(const char *s, scoreblock_policy pol, scoreblock_result *r)
{
    size_t n = strlen(s);
    char *copy = malloc(n ? n : 1);
    memcpy(copy, s, n);
    scoreblock_init(r);
    unsigned is = scoreblock_parse(copy, n, pol, 0, r);
    free(copy);
    return is;
}

#define REF SCOREBLOCK_REFERENCE
#define TOL SCOREBLOCK_TOLERANT
#define BLOCK(body) "<RESULT_START>\n" body "\n<RESULT_END>"

/* one triple at index k */
#define CHECK_TRIPLE(res, k, R, S, SC)                                                             \
    do {                                                                                           \
        CHECK((res).n > (k));                                                                      \
        if ((res).n > (k)) {                                                                       \
            CHECK_INT((res).triples[k].r, R);                                                      \
            CHECK_INT((res).triples[k].s, S);                                                      \
            CHECK_NEAR((res).triples[k].score, SC, 0);                                             \
        }                                                                                          \
    } while (0)

TEST(sb_reference_basic)
{
    scoreblock_result r;
    const char *text = "thinking\n<RESULT_START>\nScores corresponding to claims:\n"
                       "- R1@S2: 0.75\n- R2@S0: 0\n- R3@S1: 1.00\n<RESULT_END>\n";
    unsigned is = sb_run(text, REF, &r);
    CHECK_INT(is, 0);
    CHECK_INT(r.n, 3);
    CHECK_INT(r.n_lines, 3);
    CHECK_INT(r.n_blocks, 1);
    CHECK_TRIPLE(r, 0, 1, 2, 0.75);
    CHECK_TRIPLE(r, 1, 2, 0, 0.0);
    CHECK_TRIPLE(r, 2, 3, 1, 1.0);
    CHECK_INT(r.block_begin, strlen("thinking\n<RESULT_START>"));
    CHECK_INT(r.block_end, strstr(text, "<RESULT_END>") - text);
    CHECK_INT(r.triples[0].offset, strstr(text, "- R1") - text); /* the '-' of the line */
    scoreblock_free(&r);
    scoreblock_free(&r); /* idempotent */
}

TEST(sb_no_block)
{
    scoreblock_result r;
    CHECK_INT(sb_run("- R1@S2: 0.75", REF, &r), SCOREBLOCK_NO_BLOCK);
    CHECK_INT(r.n, 0);
    scoreblock_free(&r);
    CHECK_INT(sb_run("- R1@S2: 0.75", TOL, &r), SCOREBLOCK_NO_BLOCK);
    scoreblock_free(&r);
    /* opening tag without closing: the reference regex fails */
    CHECK_INT(sb_run("<RESULT_START>\n- R1@S2: 0.75\n", REF, &r), SCOREBLOCK_NO_BLOCK);
    scoreblock_free(&r);
    /* closing before opening */
    CHECK_INT(sb_run("<RESULT_END>- R1@S2: 0.75<RESULT_START>", REF, &r), SCOREBLOCK_NO_BLOCK);
    scoreblock_free(&r);
    /* tolerant: the trailing opening tag starts an (empty) unterminated block */
    CHECK_INT(sb_run("<RESULT_END>- R1@S2: 0.75<RESULT_START>", TOL, &r),
              SCOREBLOCK_UNTERMINATED | SCOREBLOCK_NO_LINES);
    scoreblock_free(&r);
    /* the reference tags are case-sensitive */
    CHECK_INT(sb_run("<result_start>\n- R1@S2: 0.75\n<result_end>", REF, &r), SCOREBLOCK_NO_BLOCK);
    scoreblock_free(&r);
    CHECK_INT(sb_run("", REF, &r), SCOREBLOCK_NO_BLOCK);
    scoreblock_free(&r);
    scoreblock_init(&r);
    CHECK_INT(scoreblock_parse(NULL, 5, TOL, 0, &r), SCOREBLOCK_NO_BLOCK);
    scoreblock_free(&r);
}

TEST(sb_no_lines)
{
    scoreblock_result r;
    CHECK_INT(sb_run(BLOCK("Scores corresponding to claims:"), REF, &r), SCOREBLOCK_NO_LINES);
    CHECK_INT(r.n_lines, 0);
    scoreblock_free(&r);
    CHECK_INT(sb_run("<RESULT_START><RESULT_END>", TOL, &r), SCOREBLOCK_NO_LINES);
    scoreblock_free(&r);
}

TEST(sb_reference_one_space_rule)
{
    scoreblock_result r;
    /* the regex wants exactly "- R", ": " — each of these is not a line for the reference */
    const char *bad[] = {BLOCK("-  R1@S2: 0.5"), BLOCK("- R1@S2:0.5"),      BLOCK("- R1@S2:  0.5"),
                         BLOCK("-R1@S2: 0.5"),   BLOCK("- R1 @S2: 0.5"),    BLOCK("- r1@s2: 0.5"),
                         BLOCK("* R1@S2: 0.5"),  BLOCK("- **R1@S2**: 0.5"), BLOCK("- R1@S2: .5"),
                         BLOCK("- R1@S2：0.5"),  BLOCK("- R1@S2\t: 0.5"),   BLOCK("- R1@S2: -0.5")};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned is = sb_run(bad[i], REF, &r);
        CHECK_INT(r.n_lines, 0);
        CHECK(is & SCOREBLOCK_NO_LINES);
        CHECK(is & SCOREBLOCK_UNREAD_LABEL); /* but it is not lost silently */
        scoreblock_free(&r);
    }
    /* ... while the tolerant policy reads all but the negative score */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned is = sb_run(bad[i], TOL, &r);
        if (i == sizeof bad / sizeof bad[0] - 1) {
            CHECK_INT(r.n_lines, 0);
            CHECK(is & SCOREBLOCK_UNREAD_LABEL);
        } else {
            CHECK_INT(r.n_lines, 1);
            CHECK_TRIPLE(r, 0, 1, 2, 0.5);
            CHECK(!(is & SCOREBLOCK_UNREAD_LABEL));
        }
        scoreblock_free(&r);
    }
}

TEST(sb_reference_search_semantics)
{
    scoreblock_result r;
    /* re.findall finds matches anywhere, several on one line, after any prefix */
    unsigned is = sb_run(BLOCK("x- R1@S2: 0.5 then - R2@S1: 1 and -- R3@S3: 0.25"), REF, &r);
    CHECK_INT(is, 0);
    CHECK_INT(r.n, 3);
    CHECK_TRIPLE(r, 0, 1, 2, 0.5);
    CHECK_TRIPLE(r, 1, 2, 1, 1.0);
    CHECK_TRIPLE(r, 2, 3, 3, 0.25);
    scoreblock_free(&r);
    /* adjacent matches: the scan resumes right after the previous match */
    sb_run(BLOCK("- R1@S2: 0.5- R2@S1: 1"), REF, &r);
    CHECK_INT(r.n, 2);
    CHECK_TRIPLE(r, 1, 2, 1, 1.0);
    scoreblock_free(&r);
    /* a line touching the closing tag */
    sb_run("<RESULT_START>- R1@S2: 0.75<RESULT_END>", REF, &r);
    CHECK_INT(r.n, 1);
    CHECK_TRIPLE(r, 0, 1, 2, 0.75);
    scoreblock_free(&r);
}

TEST(sb_reference_score_quirks)
{
    scoreblock_result r;
    /* \d+(?:\.\d+)? : "1.5.3" -> 1.5, "1." -> 1, "0,5" -> 0, "0.75abc" -> 0.75, "1e-3" -> 1,
     * "00.5" -> 0.5 */
    unsigned is = sb_run(BLOCK("- R1@S1: 1.5.3\n- R2@S1: 1.\n- R3@S1: 0,5\n- R4@S1: 0.75abc\n"
                               "- R5@S1: 1e-3\n- R6@S1: 00.5"),
                         REF, &r);
    CHECK_INT(r.n, 6);
    CHECK_TRIPLE(r, 0, 1, 1, 1.5);
    CHECK_TRIPLE(r, 1, 2, 1, 1.0);
    CHECK_TRIPLE(r, 2, 3, 1, 0.0);
    CHECK_TRIPLE(r, 3, 4, 1, 0.75);
    CHECK_TRIPLE(r, 4, 5, 1, 1.0);
    CHECK_TRIPLE(r, 5, 6, 1, 0.5);
    CHECK_INT(is, SCOREBLOCK_SCORE_ABOVE_ONE | SCOREBLOCK_OFF_SCALE);
    scoreblock_free(&r);
    /* Python's float("1.0000000000000000001") is 1.0: not above one */
    CHECK_INT(sb_run(BLOCK("- R1@S1: 1.0000000000000000001"), REF, &r), 0);
    CHECK_TRIPLE(r, 0, 1, 1, 1.0);
    scoreblock_free(&r);
    CHECK_INT(sb_run(BLOCK("- R1@S1: 1.00000001"), REF, &r),
              SCOREBLOCK_SCORE_ABOVE_ONE | SCOREBLOCK_OFF_SCALE);
    scoreblock_free(&r);
    /* leading zeros in numbers: int("01") == 1 */
    sb_run(BLOCK("- R01@S002: 0.50"), REF, &r);
    CHECK_TRIPLE(r, 0, 1, 2, 0.5);
    scoreblock_free(&r);
}

TEST(sb_unicode_digits)
{
    scoreblock_result r;
    /* Python's \d and int()/float() accept every Unicode decimal digit: full-width, Arabic-Indic,
     * Devanagari, mathematical bold (4-byte) */
    unsigned is = sb_run(BLOCK("- R１@S２: ０.５\n- R٢@S١: ١\n- R३@S०: ०\n- R\xF0\x9D\x9F\x92@S1: "
                               "0.\xF0\x9D\x9F\x90\xF0\x9D\x9F\x93"),
                         REF, &r);
    CHECK_INT(is, 0);
    CHECK_INT(r.n, 4);
    CHECK_TRIPLE(r, 0, 1, 2, 0.5);
    CHECK_TRIPLE(r, 1, 2, 1, 1.0);
    CHECK_TRIPLE(r, 2, 3, 0, 0.0);
    CHECK_TRIPLE(r, 3, 4, 1, 0.25); /* U+1D7D2 is bold 4, U+1D7D0 bold 2, U+1D7D3 bold 5 */
    scoreblock_free(&r);
    /* superscript two is not a decimal digit (category No) */
    sb_run(BLOCK("- R\xC2\xB2@S1: 1"), REF, &r);
    CHECK_INT(r.n_lines, 0);
    scoreblock_free(&r);
}

TEST(sb_first_vs_last_block)
{
    scoreblock_result r;
    const char *two = "<RESULT_START>\n- R1@S1: 0.25\n<RESULT_END>\nWait, let me redo.\n"
                      "<RESULT_START>\n- R1@S2: 1\n<RESULT_END>";
    unsigned is = sb_run(two, REF, &r);
    CHECK_INT(is, SCOREBLOCK_MULTIPLE_BLOCKS);
    CHECK_INT(r.n_blocks, 2);
    CHECK_TRIPLE(r, 0, 1, 1, 0.25);
    CHECK_INT(r.n, 1);
    scoreblock_free(&r);
    is = sb_run(two, TOL, &r);
    CHECK_INT(is, SCOREBLOCK_MULTIPLE_BLOCKS);
    CHECK_TRIPLE(r, 0, 1, 2, 1.0);
    CHECK_INT(r.n, 1);
    scoreblock_free(&r);
    /* a second opening tag inside the first block: the reference's lazy match spans both */
    const char *nested = "<RESULT_START>\n- R1@S1: 0.25\n<RESULT_START>\n- R2@S2: 1\n<RESULT_END>";
    sb_run(nested, REF, &r);
    CHECK_INT(r.n, 2);
    scoreblock_free(&r);
    is = sb_run(nested, TOL, &r);
    CHECK_INT(r.n, 1);
    CHECK_TRIPLE(r, 0, 2, 2, 1.0);
    CHECK(is & SCOREBLOCK_MULTIPLE_BLOCKS);
    scoreblock_free(&r);
}

TEST(sb_score_above_one)
{
    scoreblock_result r;
    CHECK_INT(sb_run(BLOCK("- R1@S1: 2"), REF, &r),
              SCOREBLOCK_SCORE_ABOVE_ONE | SCOREBLOCK_OFF_SCALE);
    scoreblock_free(&r);
    /* on an S0 line too (the script checks every line) */
    CHECK(sb_run(BLOCK("- R1@S0: 5"), REF, &r) & SCOREBLOCK_SCORE_ABOVE_ONE);
    scoreblock_free(&r);
    /* 400 nines: float() gives inf */
    char big[600];
    strcpy(big, "<RESULT_START>- R1@S1: ");
    size_t k = strlen(big);
    memset(big + k, '9', 400);
    strcpy(big + k + 400, "<RESULT_END>");
    CHECK(sb_run(big, REF, &r) & SCOREBLOCK_SCORE_ABOVE_ONE);
    CHECK(r.n == 1 && isinf(r.triples[0].score));
    scoreblock_free(&r);
    CHECK_INT(sb_run(BLOCK("- R1@S1: 1.0\n- R2@S1: 1"), REF, &r), 0);
    scoreblock_free(&r);
}

TEST(sb_r_order_flags)
{
    scoreblock_result r;
    CHECK_INT(sb_run(BLOCK("- R2@S1: 1\n- R3@S1: 1"), REF, &r), SCOREBLOCK_R_NOT_FROM_ONE);
    scoreblock_free(&r);
    CHECK_INT(sb_run(BLOCK("- R1@S1: 1\n- R3@S1: 1"), REF, &r), SCOREBLOCK_R_NOT_CONSECUTIVE);
    scoreblock_free(&r);
    CHECK_INT(sb_run(BLOCK("- R1@S1: 1\n- R1@S2: 0.5"), REF, &r),
              SCOREBLOCK_R_NOT_CONSECUTIVE | SCOREBLOCK_DUPLICATE_R);
    scoreblock_free(&r);
    CHECK_INT(sb_run(BLOCK("- R2@S1: 1\n- R1@S1: 1"), REF, &r),
              SCOREBLOCK_R_NOT_FROM_ONE | SCOREBLOCK_R_NOT_CONSECUTIVE);
    scoreblock_free(&r);
    CHECK_INT(sb_run(BLOCK("- R1@S1: 1\n- R2@S1: 1\n- R1@S1: 1"), TOL, &r),
              SCOREBLOCK_R_NOT_CONSECUTIVE | SCOREBLOCK_DUPLICATE_R);
    scoreblock_free(&r);
    CHECK_INT(sb_run(BLOCK("- R0@S1: 1\n- R1@S2: 1"), REF, &r),
              SCOREBLOCK_R_ZERO | SCOREBLOCK_R_NOT_FROM_ONE);
    CHECK_TRIPLE(r, 0, 0, 1, 1.0); /* kept: the reference counts it */
    scoreblock_free(&r);
}

TEST(sb_value_warnings)
{
    scoreblock_result r;
    CHECK_INT(sb_run(BLOCK("- R1@S0: 0.5"), REF, &r), SCOREBLOCK_S0_SCORED);
    scoreblock_free(&r);
    CHECK_INT(sb_run(BLOCK("- R1@S1: 0.3"), REF, &r), SCOREBLOCK_OFF_SCALE);
    scoreblock_free(&r);
    CHECK_INT(sb_run(BLOCK("- R1@S1: 0.250\n- R2@S2: 0.7500\n- R3@S0: 0.0"), REF, &r), 0);
    scoreblock_free(&r);
}

TEST(sb_number_too_long)
{
    scoreblock_result r;
    /* Python 3.11's int() refuses more than 4300 digits: that line raises, the script records an
     * error and keeps no triple. 4300 digits are fine (and saturate here). */
    for (int digits = 4300; digits <= 4301; digits++) {
        size_t cap = (size_t)digits + 64;
        char *s = malloc(cap);
        strcpy(s, "<RESULT_START>- R");
        size_t k = strlen(s);
        memset(s + k, '0', (size_t)digits - 1);
        s[k + (size_t)digits - 1] = '1';
        strcpy(s + k + (size_t)digits, "@S1: 1<RESULT_END>");
        unsigned is = sb_run(s, REF, &r);
        if (digits == 4300) {
            CHECK_INT(is, 0);
            CHECK_TRIPLE(r, 0, 1, 1, 1.0);
        } else {
            CHECK_INT(is, SCOREBLOCK_NUMBER_TOO_LONG);
            CHECK_INT(r.n_lines, 0);
        }
        scoreblock_free(&r);
        free(s);
    }
    /* large numbers saturate */
    sb_run(BLOCK("- R99999999999999@S12345678901: 0"), REF, &r);
    CHECK_TRIPLE(r, 0, SCOREBLOCK_NUM_CAP, SCOREBLOCK_NUM_CAP, 0.0);
    scoreblock_free(&r);
}

TEST(sb_truncated_bounded)
{
    scoreblock_result r;
    scoreblock_init(&r);
    const char *s = BLOCK("- R1@S1: 1\n- R2@S1: 1\n- R3@S1: 1");
    unsigned is = scoreblock_parse(s, strlen(s), REF, 2, &r);
    CHECK_INT(is, SCOREBLOCK_TRUNCATED);
    CHECK_INT(r.n, 2);
    CHECK_INT(r.n_lines, 3);
    /* a second parse into the same result replaces it */
    is = scoreblock_parse(s, strlen(s), REF, 0, &r);
    CHECK_INT(is, 0);
    CHECK_INT(r.n, 3);
    scoreblock_free(&r);
}

TEST(sb_length_is_respected)
{
    scoreblock_result r;
    const char *s = "<RESULT_START>\n- R1@S2: 0.75\n<RESULT_END>";
    size_t n = strlen(s);
    /* cut inside the closing tag: no block for the reference, unterminated for tolerant */
    char *cut = malloc(n - 3);
    memcpy(cut, s, n - 3);
    scoreblock_init(&r);
    CHECK_INT(scoreblock_parse(cut, n - 3, REF, 0, &r), SCOREBLOCK_NO_BLOCK);
    CHECK_INT(scoreblock_parse(cut, n - 3, TOL, 0, &r), SCOREBLOCK_UNTERMINATED);
    CHECK_TRIPLE(r, 0, 1, 2, 0.75);
    free(cut);
    /* cut inside the score: "0.7" */
    size_t at = (size_t)(strstr(s, "0.75") - s) + 3;
    cut = malloc(at);
    memcpy(cut, s, at);
    CHECK_INT(scoreblock_parse(cut, at, TOL, 0, &r),
              SCOREBLOCK_UNTERMINATED | SCOREBLOCK_OFF_SCALE);
    CHECK_TRIPLE(r, 0, 1, 2, 0.7);
    free(cut);
    /* an embedded NUL is just a byte */
    const char nul[] = "<RESULT_START>\0- R1@S2: 1<RESULT_END>";
    CHECK_INT(scoreblock_parse(nul, sizeof nul - 1, REF, 0, &r), 0);
    CHECK_INT(r.n, 1);
    scoreblock_free(&r);
}

TEST(sb_tolerant_features)
{
    scoreblock_result r;
    const char *ok[] = {
        BLOCK("-  R1@S2:0.5"),
        BLOCK("* R1@S2: 0.5"),
        BLOCK("• R1@S2: 0.5"),
        BLOCK("R1@S2: 0.5"),
        BLOCK("1. R1@S2: 0.5"),
        BLOCK("**R1@S2**: 0.5"),
        BLOCK("**R1@S2:** 0.5"),
        BLOCK("R1@S2: **0.5**"),
        BLOCK("`R1@S2`: 0.5"),
        BLOCK("- R1 @ S2 : 0.5"),
        BLOCK("- R1@S2：0.5"),
        BLOCK("- R1＠S2: 0.5"),
        BLOCK("- r1@s2: 0.5"),
        BLOCK("- R1@S2: .5"),
        BLOCK("\t- R1@S2:\t0.5\t"),
        BLOCK("- R1@S2:\xC2\xA0"
              "0.5"),
        BLOCK("- R1@S2: 0.50 (mostly)"),
        BLOCK("(R1@S2: 0.5)"),
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        unsigned is = sb_run(ok[i], TOL, &r);
        CHECK_INT(is, 0);
        CHECK_INT(r.n, 1);
        CHECK_TRIPLE(r, 0, 1, 2, 0.5);
        if (is || r.n != 1) fprintf(stderr, "    case %zu: %s\n", i, ok[i]);
        scoreblock_free(&r);
    }
    /* "1." reads as 1 */
    sb_run(BLOCK("R1@S2: 1."), TOL, &r);
    CHECK_TRIPLE(r, 0, 1, 2, 1.0);
    scoreblock_free(&r);
    /* tag variants */
    const char *tags[] = {"<result_start>R1@S2: 0.5<result_end>",
                          "<RESULT\\_START>R1@S2: 0.5<RESULT\\_END>",
                          "< RESULT START >R1@S2: 0.5<Result-End>"};
    for (size_t i = 0; i < 3; i++) {
        CHECK_INT(sb_run(tags[i], TOL, &r), 0);
        CHECK_TRIPLE(r, 0, 1, 2, 0.5);
        scoreblock_free(&r);
    }
}

TEST(sb_tolerant_rejects)
{
    scoreblock_result r;
    /* a label glued to a word is not a label; "R1@S2" without a colon is unread */
    CHECK_INT(sb_run(BLOCK("XR1@S2: 0.5"), TOL, &r), SCOREBLOCK_NO_LINES);
    scoreblock_free(&r);
    CHECK_INT(sb_run(BLOCK("R1@S2 0.5"), TOL, &r), SCOREBLOCK_NO_LINES | SCOREBLOCK_UNREAD_LABEL);
    scoreblock_free(&r);
    CHECK_INT(sb_run(BLOCK("R1@S2: ."), TOL, &r), SCOREBLOCK_NO_LINES | SCOREBLOCK_UNREAD_LABEL);
    scoreblock_free(&r);
    /* the score must be on the same line */
    CHECK_INT(sb_run(BLOCK("R1@S2:\n0.5"), TOL, &r), SCOREBLOCK_NO_LINES | SCOREBLOCK_UNREAD_LABEL);
    scoreblock_free(&r);
}

TEST(sb_tolerant_unterminated)
{
    scoreblock_result r;
    unsigned is = sb_run("<RESULT_START>\n- R1@S2: 0.5\n- R2@S1: 0.", TOL, &r);
    CHECK_INT(is, SCOREBLOCK_UNTERMINATED);
    CHECK_INT(r.n, 2);
    CHECK_TRIPLE(r, 1, 2, 1, 0.0);
    scoreblock_free(&r);
    /* a complete block wins over a later unterminated one */
    is = sb_run("<RESULT_START>- R1@S2: 0.5<RESULT_END> <RESULT_START>- R1@S1: 1", TOL, &r);
    CHECK_INT(is, SCOREBLOCK_MULTIPLE_BLOCKS);
    CHECK_TRIPLE(r, 0, 1, 2, 0.5);
    scoreblock_free(&r);
}

/* The published MetaJudge prompt asks for thinking first, then a "Scores corresponding to claims:"
 * header inside the block. A reasoning model may draft a block while thinking: tolerant reads the
 * answer after </think>, never the draft; the reference reads the text as the published script. */
TEST(sb_published_shape_and_think)
{
    scoreblock_result r;
    const char *pub =
        "Let me compare R1 with S2 first.\n<RESULT_START>\nScores corresponding to claims:\n"
        "- R1@S2: 0.75\n- R2@S0: 0.00\n<RESULT_END>";
    CHECK_INT(sb_run(pub, TOL, &r), 0);
    CHECK_INT(r.n, 2);
    CHECK_TRIPLE(r, 0, 1, 2, 0.75);
    CHECK_TRIPLE(r, 1, 2, 0, 0.0);
    CHECK_INT(r.answer_begin, 0);
    scoreblock_free(&r);

    const char *think =
        "<think>draft:\n<RESULT_START>\n- R1@S1: 1\n- R2@S1: 1\n<RESULT_END>\n</think>\n"
        "<RESULT_START>\nScores corresponding to claims:\n- R1@S2: 0.5\n- R2@S0: 0\n<RESULT_END>";
    CHECK_INT(sb_run(think, TOL, &r), 0); /* one block in the answer: no multiple_blocks */
    CHECK_INT(r.n_blocks, 1);
    CHECK_TRIPLE(r, 0, 1, 2, 0.5);
    CHECK_TRIPLE(r, 1, 2, 0, 0.0);
    CHECK_INT(r.answer_begin, strstr(think, "</think>") - think + 8);
    CHECK_INT(r.block_begin, strstr(think, "</think>\n<RESULT_START>") - think + 9 + 14);
    CHECK_INT(r.triples[0].offset, strstr(think, "R1@S2") - think);
    scoreblock_free(&r);
    /* the reference reads the first block, as metajudge_analysis.py would on this text */
    CHECK_INT(sb_run(think, REF, &r), SCOREBLOCK_MULTIPLE_BLOCKS);
    CHECK_TRIPLE(r, 0, 1, 1, 1.0);
    scoreblock_free(&r);

    /* <think> opened by the chat template: only the closing tag is in the reply */
    const char *half = "reasoning <RESULT_START>- R1@S1: 1<RESULT_END></think>\n<RESULT_START>- "
                       "R1@S3: 0.25<RESULT_END>";
    CHECK_INT(sb_run(half, TOL, &r), 0);
    CHECK_TRIPLE(r, 0, 1, 3, 0.25);
    scoreblock_free(&r);
    /* cut off while thinking: no answer at all, whatever the draft said */
    CHECK_INT(sb_run("  <think>\n<RESULT_START>\n- R1@S1: 1\n<RESULT_END>\nhmm", TOL, &r),
              SCOREBLOCK_NO_BLOCK);
    CHECK_INT(r.n, 0);
    scoreblock_free(&r);
    /* a <think> in the middle of an answer is left alone */
    CHECK_INT(sb_run("<RESULT_START>- R1@S1: 1 <think> x </think><RESULT_END>", TOL, &r), 0);
    CHECK_INT(r.n, 1);
    scoreblock_free(&r);

    CHECK_INT(scoreblock_skip_think("", 0), 0);
    CHECK_INT(scoreblock_skip_think(NULL, 3), 0);
    CHECK_INT(scoreblock_skip_think("<think>", 7), 7);
    CHECK_INT(scoreblock_skip_think("<think></think>", 15), 15);
    CHECK_INT(scoreblock_skip_think("</think>", 7), 0); /* the length is respected */
    CHECK_INT(scoreblock_skip_think("x<think>a</think>b", 18), 0);
}

TEST(sb_decimal_correct_rounding)
{
    CHECK_NEAR(scoreblock_decimal("075", 1, 2), 0.75, 0);
    CHECK_NEAR(scoreblock_decimal("1", 1, 0), 1.0, 0);
    CHECK_NEAR(scoreblock_decimal("01", 1, 1), 0.1, 0);
    CHECK_NEAR(scoreblock_decimal("030000000000000004", 1, 17), 0.30000000000000004, 0);
    CHECK_NEAR(scoreblock_decimal("10000000000000000001", 1, 19), 1.0, 0);
    CHECK_NEAR(scoreblock_decimal("1111111111111111111111111", 25, 0), 1.1111111111111111e+24, 0);
    CHECK_NEAR(scoreblock_decimal("123456789012345678", 18, 0), 1.2345678901234568e+17, 0);
    CHECK_NEAR(scoreblock_decimal("", 0, 0), 0.0, 0);
    /* 1 + 2^-53 exactly is the midpoint between 1 and the next double: ties-to-even gives 1.0;
     * any non-zero digit after it — even 900 zeros later, past the 780 kept digits — rounds up
     * (Python: float(s) == 1.0, float(s + '0'*900 + '1') == 1.0000000000000002) */
    const char *mid = "100000000000000011102230246251565404236316680908203125";
    size_t ml = strlen(mid);
    CHECK_NEAR(scoreblock_decimal(mid, 1, ml - 1), 1.0, 0);
    char *far = malloc(ml + 901);
    memcpy(far, mid, ml);
    memset(far + ml, '0', 900);
    far[ml + 900] = '1';
    CHECK_NEAR(scoreblock_decimal(far, 1, ml + 900), 1.0000000000000002, 0);
    free(far);
    /* 0.(323 zeros)49406564584124654 is the smallest subnormal, 5e-324; 1000 zeros then 1 is 0 */
    char sub[400];
    memset(sub, '0', 324);
    strcpy(sub + 324, "49406564584124654");
    CHECK(scoreblock_decimal(sub, 1, strlen(sub) - 1) == 5e-324);
    char *tiny = malloc(1002);
    memset(tiny, '0', 1001);
    tiny[1001] = '1';
    CHECK(scoreblock_decimal(tiny, 1, 1001) == 0.0);
    free(tiny);
    char nines[400];
    memset(nines, '9', 309);
    CHECK(isinf(scoreblock_decimal(nines, 309, 0)));
    CHECK(!isinf(scoreblock_decimal(nines, 308, 0)));
}

TEST(sb_issue_names)
{
    CHECK_STR(scoreblock_issue_name(SCOREBLOCK_NO_BLOCK), "no_block");
    CHECK_STR(scoreblock_issue_name(SCOREBLOCK_UNREAD_LABEL), "unread_label");
    CHECK(scoreblock_issue_name(SCOREBLOCK_NO_BLOCK | SCOREBLOCK_NO_LINES) == NULL);
    CHECK(scoreblock_issue_name(1u << SCOREBLOCK_ISSUE_COUNT) == NULL);
    for (int i = 0; i < SCOREBLOCK_ISSUE_COUNT; i++)
        CHECK(scoreblock_issue_name(1u << i) != NULL);
}

/* Random bytes and mutated replies through both policies, each in an exact-size heap block:
 * no crash, no read past the end (ASan), and the invariants hold. A deterministic mini-fuzz;
 * the real fuzzer comes later. */
TEST(sb_robust_random_inputs)
{
    static const char *seeds[] = {
        "<RESULT_START>\n- R1@S2: 0.75\n- R2@S0: 0\n<RESULT_END>",
        "<result_start>**R1@S2**：.5 • r2＠s1: 1.<RESULT\\_END>",
        "- R１@S２: ０.５ <RESULT_START><RESULT_START>- R3@S3: 1.5.3<RESULT_END>",
    };
    uint64_t x = 0x1234567u;
    scoreblock_result r;
    scoreblock_init(&r);
    for (int iter = 0; iter < 3000; iter++) {
        char buf[256];
        size_t n;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (iter % 3 == 0) { /* random bytes drawn from an alphabet rich in syntax */
            static const char alpha[] =
                "-R@S: .0123456789*<>_RESULT_STARTEND\n\xEF\xBC\x9A\xC2\xA0\xF0";
            n = (size_t)(x % 200);
            for (size_t i = 0; i < n; i++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                buf[i] = alpha[x % (sizeof alpha - 1)];
            }
        } else { /* a seed with a few bytes flipped and a random cut */
            const char *sd = seeds[x % 3];
            n = strlen(sd);
            memcpy(buf, sd, n);
            for (int k = 0; k < 3; k++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                buf[x % n] = (char)(x >> 32);
            }
            n = (size_t)(x >> 40) % (n + 1);
        }
        char *heap = malloc(n ? n : 1);
        memcpy(heap, buf, n);
        for (int pol = 0; pol < 2; pol++) {
            unsigned is = scoreblock_parse(heap, n, (scoreblock_policy)pol, 4, &r);
            CHECK(r.n <= 4);
            CHECK(r.n <= r.n_lines);
            CHECK(r.block_end <= n && r.block_begin <= r.block_end);
            CHECK(!(is & SCOREBLOCK_NO_BLOCK) || r.n_lines == 0);
            for (size_t k = 0; k < r.n; k++) {
                CHECK(r.triples[k].r >= 0 && r.triples[k].r <= SCOREBLOCK_NUM_CAP);
                CHECK(r.triples[k].score >= 0);
                CHECK(r.triples[k].offset < n);
            }
        }
        free(heap);
    }
    scoreblock_free(&r);
}
