/* verdict: parses a judge's reply — a list of reasons, most important first, then one verdict
 * among A>>B, A>B, A=B, B>A, B>>A — in the layout the judge is asked for:
 *
 *   <RESULT_START>
 *   List of reasons:
 *   - reason one
 *   - reason two
 *   Final assessment result: \boxed{A>B}
 *   <RESULT_END>
 *
 * It reports what it found and what was wrong (issue flags); the caller decides what is fatal.
 * Tolerant where judges drift, strict where a wrong reading would change a verdict:
 *  - the text after the last `</think>` is read (a reasoning section is never mistaken for the
 *    answer); in it, the LAST complete block, or the text after an opening tag never closed
 *    (`unterminated`), or with no block at all the whole text (`no_block`). Tags in any case, with
 *    `_`, `\_`, `-` or a space between the words.
 *  - the heading `List of reasons` in any case, with or without a colon, markdown (`**`, `#`) or
 *    more words after it on its line. Reasons are the bullet lines after it (`- `, `* `, `• `,
 *    `1.`, `1)`); a following non-bullet line, or a bullet indented deeper than the first one, is
 *    joined to the reason above; a blank line ends a reason. The list ends at the verdict line.
 *  - the verdict line starts with `Final assessment` or `Final verdict` (after markdown), holds
 *    a `\boxed{...}` with a label, or starts with `\boxed`. The label is read from the box,
 *    with spaces, markdown, `\text{}` or `$` around or inside it; `>>`, `\gg`, `≫` (U+226B),
 *    full-width forms, `A = B` and `tie` are accepted, a/b in any case; anything else is
 *    `invalid_verdict`. Without a box, a label written after `Final assessment result:` is read
 *    (`unboxed_verdict`); with no verdict in the block, a box after the block is read
 *    (`verdict_outside_block`). Boxes with different labels give no label (`conflicting_verdicts`).
 *
 * Reasons are byte ranges into the input, trimmed of white space at both ends (a joined reason's
 * range spans its lines). The input is (pointer, length), need not be NUL-terminated, may hold
 * any bytes, and is never read past its length. Memory is bounded: at most `max_reasons` ranges
 * are stored (the rest are counted). */
#ifndef RATIO_VERDICT_H
#define RATIO_VERDICT_H

#include <stddef.h>

typedef enum verdict_label {
    VERDICT_NONE = 0,          /* no usable verdict */
    VERDICT_A_MUCH_BETTER = 1, /* A>>B */
    VERDICT_A_BETTER = 2,      /* A>B */
    VERDICT_TIE = 3,           /* A=B */
    VERDICT_B_BETTER = 4,      /* B>A */
    VERDICT_B_MUCH_BETTER = 5, /* B>>A */
} verdict_label;

/* Issue flags (bits of verdict_result.issues). */
enum {
    VERDICT_NO_BLOCK = 1u << 0,             /* no <RESULT_START> tag: the whole reply was read */
    VERDICT_UNTERMINATED = 1u << 1,         /* a block opened and never closed was read */
    VERDICT_MULTIPLE_BLOCKS = 1u << 2,      /* more than one block (or an extra opening tag) */
    VERDICT_NO_HEADING = 1u << 3,           /* no `List of reasons` heading: bullets before the
                                               verdict were read as the list */
    VERDICT_NO_REASONS = 1u << 4,           /* no reason in the list */
    VERDICT_EMPTY_REASON = 1u << 5,         /* a bullet with no text (skipped) */
    VERDICT_REASONS_OUTSIDE_LIST = 1u << 6, /* bullet lines before the heading or after the
                                               verdict line (not taken as reasons) */
    VERDICT_UNLISTED_TEXT = 1u << 7,        /* text in the list that belongs to no reason */
    VERDICT_TRUNCATED = 1u << 8,            /* more reasons than max_reasons: counted, not stored */
    VERDICT_NO_VERDICT = 1u << 9,           /* no verdict anywhere */
    VERDICT_INVALID_VERDICT = 1u << 10,     /* a verdict whose text is not one of the five labels */
    VERDICT_CONFLICTING_VERDICTS = 1u << 11,  /* verdicts with different labels: none is used */
    VERDICT_REPEATED_VERDICT = 1u << 12,      /* the same label given more than once */
    VERDICT_UNBOXED_VERDICT = 1u << 13,       /* the label was read without \boxed{} */
    VERDICT_VERDICT_OUTSIDE_BLOCK = 1u << 14, /* the label was read after the block's end tag */
};
#define VERDICT_ISSUE_COUNT 15

#define VERDICT_MAX_REASONS_DEFAULT 256
#define VERDICT_MAX_BOX 256 /* bytes of \boxed{...} content read before it counts as invalid */

typedef struct verdict_span {
    size_t begin, end; /* text[begin..end) */
} verdict_span;

typedef struct verdict_result {
    verdict_span *reasons;   /* in order; caller frees with verdict_free */
    size_t n_reasons;        /* stored (<= max_reasons) */
    size_t n_found;          /* found, stored or not */
    verdict_label label;     /* VERDICT_NONE when no single valid verdict was found */
    verdict_span label_text; /* the verdict text the label was read from ({0, 0} without one) */
    size_t n_blocks;         /* complete blocks in the reply */
    size_t region_begin;     /* the byte range that was read (block content or whole reply) */
    size_t region_end;
    unsigned issues; /* VERDICT_* flags */
} verdict_result;

/* A zeroed result is also valid. */
void verdict_init(verdict_result *res);

/* Releases the reasons and re-inits; safe to call twice. */
void verdict_free(verdict_result *res);

/* Parses text[0..len), storing at most max_reasons reasons (0 means the default). res must be
 * initialised; earlier contents are replaced. Returns res->issues. */
unsigned verdict_parse(const char *text, size_t len, size_t max_reasons, verdict_result *res);

/* The label written in s[0..len) (the inside of a \boxed{}, or `A >> B`, `tie`, ...), or
 * VERDICT_NONE when it is not one of the five. */
verdict_label verdict_read_label(const char *s, size_t len);

/* "A>>B", "A>B", "A=B", "B>A", "B>>A", or NULL for VERDICT_NONE and anything else. */
const char *verdict_label_name(verdict_label label);

/* The label with A and B exchanged (A>B <-> B>A): maps a verdict on swapped responses back. */
verdict_label verdict_label_swap(verdict_label label);

/* Stable snake_case name of one issue flag ("no_block", ...), or NULL for anything else. */
const char *verdict_issue_name(unsigned flag);

#endif
