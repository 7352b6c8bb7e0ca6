/* scoreblock: parses a MetaJudge reply — lines `- R<i>@S<j>: <score>` between <RESULT_START> and
 * <RESULT_END> — into (R, S, score) triples plus issue flags, so the caller decides what is fatal.
 *
 * Two policies:
 *  - SCOREBLOCK_REFERENCE behaves exactly like extract_result_scores() of the published
 *    metajudge_analysis.py (QwenLM/RationaleRM): the FIRST block (re.search of
 *    `<RESULT_START>(.*?)<RESULT_END>` with DOTALL), then re.findall of
 *    `- R(\d+)@S(\d+): (\d+(?:\.\d+)?)` inside it: matches anywhere (not only at a line start),
 *    exactly one space after the colon, `\d` is any Unicode decimal digit (as in Python 3), a score
 *    like `1.5.3` reads as 1.5 and `1.` as 1.
 *  - SCOREBLOCK_TOLERANT reads the LAST complete block (or, when a block was opened but never
 *    closed, the text after the last opening tag), tags in any case with `_`, `\_`, `-` or a space
 *    between the words, and labels `R<i>@S<j>` anywhere after a non-alphanumeric byte, with any
 *    bullet or none (`-`, `*`, `•`, …), spaces/tabs around `@` and the colon, markdown emphasis
 *    (`**R1@S2**: 0.5`, `**R1@S2:** 0.5`, `R1@S2: **0.5**`), lower-case `r`/`s`, a full-width colon
 *    `：` or at-sign `＠`, and scores like `.75` or `1.`. It first skips a reasoning section
 *    (scoreblock_skip_think): a draft block written while thinking is not the answer.
 *
 * The input is (pointer, length), need not be NUL-terminated, and is never read past its length.
 * Memory is bounded: at most `max_triples` triples are stored (the rest are counted). */
#ifndef RATIO_SCOREBLOCK_H
#define RATIO_SCOREBLOCK_H

#include <stddef.h>

typedef enum scoreblock_policy {
    SCOREBLOCK_REFERENCE = 0,
    SCOREBLOCK_TOLERANT = 1,
} scoreblock_policy;

/* Issue flags (bits of scoreblock_result.issues). */
enum {
    SCOREBLOCK_NO_BLOCK = 1u << 0,          /* no <RESULT_START>…<RESULT_END> block */
    SCOREBLOCK_NO_LINES = 1u << 1,          /* a block, but no score line in it */
    SCOREBLOCK_SCORE_ABOVE_ONE = 1u << 2,   /* some score > 1 (the reference counts it an error) */
    SCOREBLOCK_NUMBER_TOO_LONG = 1u << 3,   /* an R or S number of more than 4300 digits: Python's
                                               int() raises, so the reference counts an error */
    SCOREBLOCK_R_NOT_FROM_ONE = 1u << 4,    /* the first line's R is not 1 */
    SCOREBLOCK_R_NOT_CONSECUTIVE = 1u << 5, /* some line's R is not the previous line's R + 1 */
    SCOREBLOCK_DUPLICATE_R = 1u << 6,       /* one R number on several lines */
    SCOREBLOCK_MULTIPLE_BLOCKS = 1u << 7,   /* more than one block (reference reads the first,
                                               tolerant the last) */
    SCOREBLOCK_UNTERMINATED = 1u << 8,      /* tolerant read an opened, never closed block */
    SCOREBLOCK_TRUNCATED = 1u << 9,         /* more lines than max_triples: counted, not stored */
    SCOREBLOCK_OFF_SCALE = 1u << 10,        /* a score not in {0, 0.25, 0.5, 0.75, 1} */
    SCOREBLOCK_S0_SCORED = 1u << 11,        /* an `R<i>@S0` ("no match") line with a score > 0 */
    SCOREBLOCK_R_ZERO = 1u << 12,           /* an `R0@…` line (the reference keeps it!) */
    SCOREBLOCK_UNREAD_LABEL = 1u << 13,     /* an `R<i>@S<j>` label in the block that did not give
                                               a score line (bad format, negative score, …) */
};
#define SCOREBLOCK_ISSUE_COUNT 14

/* What extract_result_scores() of the reference script reports as errors (the item then counts as
 * an error there). SCOREBLOCK_UNSCORED is the subset meaning "no scores at all". */
#define SCOREBLOCK_FATAL_REFERENCE                                                                 \
    (SCOREBLOCK_NO_BLOCK | SCOREBLOCK_NO_LINES | SCOREBLOCK_SCORE_ABOVE_ONE |                      \
     SCOREBLOCK_NUMBER_TOO_LONG)
#define SCOREBLOCK_UNSCORED (SCOREBLOCK_NO_BLOCK | SCOREBLOCK_NO_LINES)

#define SCOREBLOCK_MAX_TRIPLES_DEFAULT 1024
#define SCOREBLOCK_NUM_CAP                                                                         \
    1000000000                     /* R and S numbers saturate here (they are then dropped by      \
                                      every metric, as any number above the list sizes is) */
#define SCOREBLOCK_MAX_DIGITS 4300 /* CPython's int() string-length limit (3.11+) */

typedef struct scoreblock_triple {
    int r;         /* human rationale number as written (0 allowed), saturated at NUM_CAP */
    int s;         /* model reason number as written (0 = no match), saturated at NUM_CAP */
    double score;  /* the value as Python's float() would read it (correctly rounded; may be inf) */
    size_t offset; /* byte offset of the line's match in the input, for messages */
} scoreblock_triple;

typedef struct scoreblock_result {
    scoreblock_triple *triples; /* in order of appearance; caller frees with scoreblock_free */
    size_t n;                   /* triples stored (<= max_triples) */
    size_t n_lines;             /* score lines found, stored or not (Python's len(scores)) */
    size_t n_blocks;            /* complete blocks in the reply */
    size_t block_begin;         /* byte range of the block content that was read */
    size_t block_end;           /*   (both 0 when there is none) */
    size_t answer_begin;        /* tolerant: where the answer starts after a skipped <think>
                                   section (0 when there is none; len when it never ended) */
    unsigned issues;            /* SCOREBLOCK_* flags */
} scoreblock_result;

/* A zeroed result is also valid. */
void scoreblock_init(scoreblock_result *res);

/* Releases the triples and re-inits; safe to call twice. */
void scoreblock_free(scoreblock_result *res);

/* Parses text[0..len) with `policy`, storing at most max_triples triples (0 means the default).
 * res must be initialised; earlier contents are replaced. Returns res->issues. */
unsigned scoreblock_parse(const char *text, size_t len, scoreblock_policy policy,
                          size_t max_triples, scoreblock_result *res);

/* Where the answer begins once a reasoning section is skipped, as reasoning models write it in
 * their content: a reply opening (after white space) with `<think>` up to its `</think>`; or, when
 * a chat template put `<think>` in the prompt, everything up to a `</think>` that no `<think>`
 * precedes. Returns 0 when there is no such section and len when the reasoning never ends (a reply
 * cut off while thinking has no answer). */
size_t scoreblock_skip_think(const char *text, size_t len);

/* Stable snake_case name of one issue flag ("no_block", …), or NULL for anything else. */
const char *scoreblock_issue_name(unsigned flag);

/* Reads the ASCII digits digits[0..int_len) '.' digits[int_len..int_len+frac_len) as Python's
 * float() would: correctly rounded, inf on overflow, any number of digits. Used by the parser for
 * scores (after mapping other-script digits to ASCII); exposed for tests. */
double scoreblock_decimal(const char *digits, size_t int_len, size_t frac_len);

#endif
