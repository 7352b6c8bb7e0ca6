#include "match/scoreblock.h"
#include "match/tags.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/kalloc.h"
#include "util/utf8.h"

#define SB_NPOS ((size_t)-1)

/* ---- decimal reading ------------------------------------------------------------------------ */

/* A correctly rounded double from a digit string of any length needs at most ~770 significant
 * digits: no midpoint between two doubles has more than 767, so keeping 780 and replacing the
 * rest by one non-zero "sticky" digit cannot move the value across a rounding boundary. */
#define SB_SIG_MAX 780

typedef struct sb_decimal {
    char sig[SB_SIG_MAX + 2]; /* significant digits, ASCII, no leading zeros */
    size_t nsig;
    int sticky;    /* a non-zero digit was dropped after SB_SIG_MAX */
    long long mag; /* value = 0.sig × 10^mag */
    int in_frac;
} sb_decimal;

static void sb_dec_init(sb_decimal *d)
{
    d->nsig = 0;
    d->sticky = 0;
    d->mag = 0;
    d->in_frac = 0;
}

static void sb_dec_push(sb_decimal *d, int digit)
{
    if (d->nsig == 0 && digit == 0) {
        if (d->in_frac && d->mag > -1000000) d->mag--; /* 0.00x: each zero lowers the magnitude */
        return;
    }
    if (!d->in_frac && d->mag < 1000000) d->mag++;
    if (d->nsig < SB_SIG_MAX)
        d->sig[d->nsig++] = (char)('0' + digit);
    else if (digit)
        d->sticky = 1;
}

static double sb_dec_value(sb_decimal *d)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (d->nsig == 0) return 0.0;
    if (d->mag > 400) return HUGE_VAL; /* >= 1e400: Python's float() gives inf too */
    if (d->mag < -400) return 0.0;     /* < 1e-400 rounds to zero */
    size_t n = d->nsig;
    if (d->sticky) d->sig[n++] = '1';
    long long e = d->mag - (long long)n; /* value = sig (an integer) × 10^e */
    if (n <= 15 && e >= -22 && e <= 22) {
        /* both operands exact, so the one rounding of * or / is the correct rounding */
        uint64_t m = 0;
        for (size_t i = 0; i < n; i++)
            m = m * 10 + (uint64_t)(d->sig[i] - '0');
        return e >= 0 ? (double)m * p10[e] : (double)m / p10[-e];
    }
    /* "digits e-N" has no decimal point, so strtod reads it the same in every locale; glibc's
     * strtod is correctly rounded for any number of digits. */
    char tmp[SB_SIG_MAX + 32];
    memcpy(tmp, d->sig, n);
    snprintf(tmp + n, sizeof tmp - n, "e%lld", e);
    return strtod(tmp, NULL);
}

double scoreblock_decimal(const char *digits, size_t int_len, size_t frac_len)
{
    sb_decimal d;
    sb_dec_init(&d);
    for (size_t i = 0; i < int_len; i++)
        sb_dec_push(&d, digits[i] - '0');
    d.in_frac = 1;
    for (size_t i = 0; i < frac_len; i++)
        sb_dec_push(&d, digits[int_len + i] - '0');
    return sb_dec_value(&d);
}

/* ---- small scanners (all bounded by `end`) ----------------------------------------------------
 */

static size_t sb_find(const char *s, size_t end, size_t from, const char *pat, size_t plen)
{
    while (from < end && end - from >= plen) {
        const char *p = memchr(s + from, pat[0], end - from - plen + 1);
        if (!p) return SB_NPOS;
        size_t at = (size_t)(p - s);
        if (memcmp(s + at, pat, plen) == 0) return at;
        from = at + 1;
    }
    return SB_NPOS;
}

/* Reads a run of decimal digits (any script) at s[*p..end): saturating value, digit count. */
static size_t sb_number(const char *s, size_t end, size_t *p, int *value)
{
    long long v = 0;
    size_t ndig = 0;
    int d;
    size_t k;
    while (*p < end && (k = utf8_digit(s + *p, end - *p, &d)) > 0) {
        v = v * 10 + d;
        if (v > SCOREBLOCK_NUM_CAP) v = SCOREBLOCK_NUM_CAP;
        ndig++;
        *p += k;
    }
    *value = (int)v;
    return ndig;
}

/* Feeds a run of digits at s[*p..end) to a decimal; returns the count. */
static size_t sb_digits(const char *s, size_t end, size_t *p, sb_decimal *dec)
{
    size_t ndig = 0;
    int d;
    size_t k;
    while (*p < end && (k = utf8_digit(s + *p, end - *p, &d)) > 0) {
        sb_dec_push(dec, d);
        ndig++;
        *p += k;
    }
    return ndig;
}

static int sb_is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Skips spaces, tabs, U+00A0 and U+3000 and, when markup is set, also markdown `*`, `_`, '`'. */
static size_t sb_skip(const char *s, size_t end, size_t p, int markup)
{
    while (p < end) {
        unsigned char c = (unsigned char)s[p];
        if (c == ' ' || c == '\t' || (markup && (c == '*' || c == '_' || c == '`')))
            p++;
        else if (c == 0xC2 && end - p >= 2 && (unsigned char)s[p + 1] == 0xA0)
            p += 2;
        else if (c == 0xE3 && end - p >= 3 && (unsigned char)s[p + 1] == 0x80 &&
                 (unsigned char)s[p + 2] == 0x80)
            p += 3;
        else
            break;
    }
    return p;
}

/* Matches ASCII c or the 3-byte UTF-8 sequence u (its full-width form); returns bytes or 0. */
static size_t sb_char(const char *s, size_t end, size_t p, char c, const char *u)
{
    if (p >= end) return 0;
    if (s[p] == c) return 1;
    if (end - p >= 3 && memcmp(s + p, u, 3) == 0) return 3;
    return 0;
}

/* ---- line matchers ----------------------------------------------------------------------------
 */

typedef struct sb_line {
    int r, s;
    double score;
    size_t end;   /* first byte after the match */
    int too_long; /* an R or S number over SCOREBLOCK_MAX_DIGITS digits */
} sb_line;

/* The published regex `- R(\d+)@S(\d+): (\d+(?:\.\d+)?)` anchored at s[p] == '-'. */
static int sb_line_reference(const char *s, size_t end, size_t p, sb_line *ln)
{
    size_t q = p + 1;
    if (end - q < 2 || s[q] != ' ' || s[q + 1] != 'R') return 0;
    q += 2;
    size_t nr = sb_number(s, end, &q, &ln->r);
    if (!nr || end - q < 2 || s[q] != '@' || s[q + 1] != 'S') return 0;
    q += 2;
    size_t ns = sb_number(s, end, &q, &ln->s);
    if (!ns || end - q < 2 || s[q] != ':' || s[q + 1] != ' ') return 0;
    q += 2;
    sb_decimal dec;
    sb_dec_init(&dec);
    if (!sb_digits(s, end, &q, &dec)) return 0;
    /* (?:\.\d+)? — taken only when a digit follows the dot, so "1." reads as 1 */
    int d;
    if (q < end && s[q] == '.' && q + 1 < end && utf8_digit(s + q + 1, end - q - 1, &d)) {
        q++;
        dec.in_frac = 1;
        sb_digits(s, end, &q, &dec);
    }
    ln->score = sb_dec_value(&dec);
    ln->end = q;
    ln->too_long = nr > SCOREBLOCK_MAX_DIGITS || ns > SCOREBLOCK_MAX_DIGITS;
    return 1;
}

/* A label `R<i> @ S<j>` at s[p] (p at the R, after a non-alphanumeric byte); on success stores the
 * numbers and returns the position after it, else 0. */
static size_t sb_label(const char *s, size_t end, size_t p, sb_line *ln)
{
    size_t q = p + 1;
    size_t nr = sb_number(s, end, &q, &ln->r);
    if (!nr) return 0;
    q = sb_skip(s, end, q, 0);
    size_t k = sb_char(s, end, q, '@', "\xEF\xBC\xA0"); /* ＠ */
    if (!k) return 0;
    q = sb_skip(s, end, q + k, 0);
    if (q >= end || (s[q] != 'S' && s[q] != 's')) return 0;
    q++;
    size_t ns = sb_number(s, end, &q, &ln->s);
    if (!ns) return 0;
    ln->too_long = nr > SCOREBLOCK_MAX_DIGITS || ns > SCOREBLOCK_MAX_DIGITS;
    return q;
}

/* The rest of a tolerant line after its label: [markup] ':'|'：' [markup] score. */
static int sb_line_tolerant_tail(const char *s, size_t end, size_t q, sb_line *ln)
{
    q = sb_skip(s, end, q, 1);
    size_t k = sb_char(s, end, q, ':', "\xEF\xBC\x9A"); /* ： */
    if (!k) return 0;
    q = sb_skip(s, end, q + k, 1);
    sb_decimal dec;
    sb_dec_init(&dec);
    size_t ni = sb_digits(s, end, &q, &dec), nf = 0;
    if (q < end && s[q] == '.') {
        size_t q2 = q + 1;
        dec.in_frac = 1;
        nf = sb_digits(s, end, &q2, &dec);
        if (ni || nf) q = q2; /* "1." and ".75" are numbers, "." alone is not */
    }
    if (!ni && !nf) return 0;
    ln->score = sb_dec_value(&dec);
    ln->end = q;
    return 1;
}

/* ---- the parser -------------------------------------------------------------------------------
 */

void scoreblock_init(scoreblock_result *res)
{
    memset(res, 0, sizeof *res);
}

void scoreblock_free(scoreblock_result *res)
{
    free(res->triples);
    scoreblock_init(res);
}

typedef struct sb_state {
    scoreblock_result *res;
    size_t cap, max;
    int have_prev;
    int prev_r;
} sb_state;

static int sb_on_scale(double x)
{
    return x == 0.0 || x == 0.25 || x == 0.5 || x == 0.75 || x == 1.0;
}

static void sb_record(sb_state *st, const sb_line *ln, size_t offset)
{
    scoreblock_result *res = st->res;
    if (ln->too_long) { /* Python's int() raises: the line is reported, never kept */
        res->issues |= SCOREBLOCK_NUMBER_TOO_LONG;
        return;
    }
    res->n_lines++;
    if (!(ln->score <= 1.0)) res->issues |= SCOREBLOCK_SCORE_ABOVE_ONE;
    if (!sb_on_scale(ln->score)) res->issues |= SCOREBLOCK_OFF_SCALE;
    if (ln->s == 0 && ln->score > 0) res->issues |= SCOREBLOCK_S0_SCORED;
    if (ln->r == 0) res->issues |= SCOREBLOCK_R_ZERO;
    if (!st->have_prev && ln->r != 1) res->issues |= SCOREBLOCK_R_NOT_FROM_ONE;
    if (st->have_prev && ln->r != st->prev_r + 1) res->issues |= SCOREBLOCK_R_NOT_CONSECUTIVE;
    st->have_prev = 1;
    st->prev_r = ln->r;
    if (res->n == st->max) {
        res->issues |= SCOREBLOCK_TRUNCATED;
        return;
    }
    if (res->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 16;
        if (st->cap > st->max) st->cap = st->max;
        res->triples = kalloc_resize(res->triples, st->cap, sizeof *res->triples);
    }
    scoreblock_triple *t = &res->triples[res->n++];
    t->r = ln->r;
    t->s = ln->s;
    t->score = ln->score;
    t->offset = offset;
}

/* Counts `R<i>@S<j>` labels in [b, e); the reference uses it to flag lines its regex skipped. */
static size_t sb_count_labels(const char *s, size_t b, size_t e)
{
    size_t n = 0;
    sb_line ln;
    for (size_t i = b; i < e; i++) {
        if (s[i] != 'R' && s[i] != 'r') continue;
        if (i > b && sb_is_alnum((unsigned char)s[i - 1])) continue;
        size_t q = sb_label(s, e, i, &ln);
        if (q) {
            n++;
            i = q - 1;
        }
    }
    return n;
}

static int sb_cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void sb_find_block(const char *text, size_t len, scoreblock_policy policy,
                          scoreblock_result *res, size_t *b, size_t *e)
{
    *b = *e = SB_NPOS;
    if (policy == SCOREBLOCK_REFERENCE) {
        /* re.search('<RESULT_START>(.*?)<RESULT_END>', DOTALL): the first opening tag and the first
         * closing tag after it (if the first opening has no closing, no later one has either) */
        size_t pos = 0;
        for (;;) {
            size_t a = sb_find(text, len, pos, "<RESULT_START>", 14);
            if (a == SB_NPOS) break;
            size_t z = sb_find(text, len, a + 14, "<RESULT_END>", 12);
            if (z == SB_NPOS) break;
            if (res->n_blocks++ == 0) {
                *b = a + 14;
                *e = z;
            }
            pos = z + 12;
        }
        if (res->n_blocks > 1) res->issues |= SCOREBLOCK_MULTIPLE_BLOCKS;
        return;
    }
    size_t open = SB_NPOS, n_starts = 0;
    for (size_t i = 0; i < len; i++) {
        const char *lt = memchr(text + i, '<', len - i);
        if (!lt) break;
        i = (size_t)(lt - text);
        int is_end;
        size_t t = tags_result(text, len, i, &is_end);
        if (!t) continue;
        if (!is_end) {
            open = i + t; /* a later opening tag restarts the block */
            n_starts++;
        } else if (open != SB_NPOS) {
            *b = open;
            *e = i;
            res->n_blocks++;
            open = SB_NPOS;
        }
        i += t - 1;
    }
    if (res->n_blocks > 1 || n_starts > res->n_blocks) res->issues |= SCOREBLOCK_MULTIPLE_BLOCKS;
    if (res->n_blocks == 0 && open != SB_NPOS) {
        /* a reply cut off (max_tokens) after its opening tag: read what is there, and say so */
        *b = open;
        *e = len;
        res->issues |= SCOREBLOCK_UNTERMINATED;
        if (n_starts == 1) res->issues &= ~(unsigned)SCOREBLOCK_MULTIPLE_BLOCKS;
    }
}

size_t scoreblock_skip_think(const char *text, size_t len)
{
    if (!text) return 0;
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    if (len - i >= 7 && !memcmp(text + i, "<think>", 7)) {
        size_t close = sb_find(text, len, i + 7, "</think>", 8);
        return close == SB_NPOS ? len : close + 8;
    }
    size_t close = sb_find(text, len, 0, "</think>", 8);
    if (close == SB_NPOS || sb_find(text, close, 0, "<think>", 7) != SB_NPOS) return 0;
    return close + 8;
}

static unsigned sb_parse(const char *text, size_t len, scoreblock_policy policy, size_t max_triples,
                         scoreblock_result *res);

unsigned scoreblock_parse(const char *text, size_t len, scoreblock_policy policy,
                          size_t max_triples, scoreblock_result *res)
{
    free(res->triples);
    scoreblock_init(res);
    if (!text) len = 0;
    size_t start = policy == SCOREBLOCK_TOLERANT ? scoreblock_skip_think(text, len) : 0;
    if (start == 0) return sb_parse(text, len, policy, max_triples, res);
    /* parse the answer alone, then give offsets relative to the whole reply again */
    sb_parse(text + start, len - start, policy, max_triples, res);
    res->answer_begin = start;
    if (!(res->issues & SCOREBLOCK_NO_BLOCK)) {
        res->block_begin += start;
        res->block_end += start;
    }
    for (size_t k = 0; k < res->n; k++)
        res->triples[k].offset += start;
    return res->issues;
}

static unsigned sb_parse(const char *text, size_t len, scoreblock_policy policy, size_t max_triples,
                         scoreblock_result *res)
{
    sb_state st = {res, 0, max_triples ? max_triples : SCOREBLOCK_MAX_TRIPLES_DEFAULT, 0, 0};

    size_t b, e;
    sb_find_block(text, len, policy, res, &b, &e);
    if (b == SB_NPOS) {
        res->issues |= SCOREBLOCK_NO_BLOCK;
        return res->issues;
    }
    res->block_begin = b;
    res->block_end = e;

    size_t n_labels = 0, n_read = 0;
    sb_line ln;
    if (policy == SCOREBLOCK_REFERENCE) {
        /* re.findall: leftmost non-overlapping matches, resuming after each match */
        size_t i = b;
        while (i < e) {
            const char *dash = memchr(text + i, '-', e - i);
            if (!dash) break;
            i = (size_t)(dash - text);
            if (sb_line_reference(text, e, i, &ln)) {
                sb_record(&st, &ln, i);
                n_read++;
                i = ln.end;
            } else {
                i++;
            }
        }
        n_labels = sb_count_labels(text, b, e);
    } else {
        for (size_t i = b; i < e; i++) {
            if (text[i] != 'R' && text[i] != 'r') continue;
            if (i > b && sb_is_alnum((unsigned char)text[i - 1])) continue;
            size_t q = sb_label(text, e, i, &ln);
            if (!q) continue;
            n_labels++;
            if (sb_line_tolerant_tail(text, e, q, &ln)) {
                sb_record(&st, &ln, i);
                n_read++;
                q = ln.end;
            }
            i = q - 1;
        }
    }
    if (n_labels > n_read) res->issues |= SCOREBLOCK_UNREAD_LABEL;
    if (res->n_lines == 0 && !(res->issues & SCOREBLOCK_NUMBER_TOO_LONG))
        res->issues |= SCOREBLOCK_NO_LINES;

    if (res->n > 1) { /* duplicates among the stored lines */
        int *rs = kalloc_array(res->n, sizeof *rs);
        for (size_t k = 0; k < res->n; k++)
            rs[k] = res->triples[k].r;
        qsort(rs, res->n, sizeof *rs, sb_cmp_int);
        for (size_t k = 1; k < res->n; k++)
            if (rs[k] == rs[k - 1]) {
                res->issues |= SCOREBLOCK_DUPLICATE_R;
                break;
            }
        free(rs);
    }
    return res->issues;
}

const char *scoreblock_issue_name(unsigned flag)
{
    static const char *const names[SCOREBLOCK_ISSUE_COUNT] = {
        "no_block",          "no_lines",    "score_above_one", "number_too_long", "r_not_from_one",
        "r_not_consecutive", "duplicate_r", "multiple_blocks", "unterminated",    "truncated",
        "off_scale",         "s0_scored",   "r_zero",          "unread_label",
    };
    for (int i = 0; i < SCOREBLOCK_ISSUE_COUNT; i++)
        if (flag == 1u << i) return names[i];
    return NULL;
}
