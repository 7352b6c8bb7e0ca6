#include "match/verdict.h"
#include "match/tags.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/kalloc.h"

#define VD_NPOS ((size_t)-1)
#define VD_LABEL_MAX 16 /* a normalised label longer than this is not one of the five */

/* ---- small scanners (all bounded by `end`) ------------------------------------------------- */

static int vd_is_letter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Bytes of one horizontal white-space character at s[p] (space, tab, CR, VT, FF, U+00A0,
 * U+3000), or 0. A newline is not one: lines are the parser's unit. */
static size_t vd_space(const char *s, size_t end, size_t p)
{
    if (p >= end) return 0;
    unsigned char c = (unsigned char)s[p];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') return 1;
    if (c == 0xC2 && end - p >= 2 && (unsigned char)s[p + 1] == 0xA0) return 2;
    if (c == 0xE3 && end - p >= 3 && (unsigned char)s[p + 1] == 0x80 &&
        (unsigned char)s[p + 2] == 0x80)
        return 3;
    return 0;
}

static size_t vd_skip_space(const char *s, size_t end, size_t p)
{
    size_t k;
    while ((k = vd_space(s, end, p)) > 0)
        p += k;
    return p;
}

/* Skips white space and the markdown a judge wraps headings and verdict lines in
 * (`**`, `__`, `#`, `>`, '`', `$`, `-`, `+`, `|`). */
static size_t vd_skip_markup(const char *s, size_t end, size_t p)
{
    for (;;) {
        size_t k = vd_space(s, end, p);
        if (k) {
            p += k;
            continue;
        }
        if (p < end && s[p] != '\0' && strchr("*_#>`$-+|", s[p])) {
            p++;
            continue;
        }
        return p;
    }
}

/* The line [p, *le) holding p: *le is the '\n' or end. */
static size_t vd_line_end(const char *s, size_t p, size_t end)
{
    const char *nl = p < end ? memchr(s + p, '\n', end - p) : NULL;
    return nl ? (size_t)(nl - s) : end;
}

/* Trims white space at both ends of [*b, *e). */
static void vd_trim(const char *s, size_t *b, size_t *e)
{
    *b = vd_skip_space(s, *e, *b);
    while (*e > *b) {
        unsigned char c = (unsigned char)s[*e - 1];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f')
            (*e)--;
        else if (*e - *b >= 2 && c == 0xA0 && (unsigned char)s[*e - 2] == 0xC2)
            *e -= 2;
        else if (*e - *b >= 3 && c == 0x80 && (unsigned char)s[*e - 2] == 0x80 &&
                 (unsigned char)s[*e - 3] == 0xE3)
            *e -= 3;
        else
            break;
    }
}

/* ---- labels -------------------------------------------------------------------------------- */

/* Normalises a written verdict into out (at most VD_LABEL_MAX bytes): drops white space,
 * markdown, quotes, brackets and LaTeX wrappers (`\text{}`), maps `\gg`, `≫`, `&gt;`, full-width
 * forms to ASCII, upper-cases letters, drops a trailing '.'. Returns the length, or
 * VD_LABEL_MAX + 1 when longer. */
static size_t vd_normalise(const char *s, size_t len, char *out)
{
    size_t i = 0, o = 0;
#define VD_EMIT(str)                                                                               \
    do {                                                                                           \
        const char *e_ = (str);                                                                    \
        while (*e_) {                                                                              \
            if (o >= VD_LABEL_MAX) return VD_LABEL_MAX + 1;                                        \
            out[o++] = *e_++;                                                                      \
        }                                                                                          \
    } while (0)
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t k = vd_space(s, len, i);
        if (k) {
            i += k;
        } else if (c == '\n' || (c != 0 && strchr("*_`$\"'{}()[]", c) != NULL)) {
            i++;
        } else if (c == '\\') {
            size_t j = i + 1;
            while (j < len && vd_is_letter((unsigned char)s[j]))
                j++;
            if (j == i + 1) { /* `\,` `\{` `\ `: a LaTeX space or escape */
                i = j < len ? j + 1 : j;
                continue;
            }
            if (j - i == 3 && tags_word(s, len, i + 1, "gg")) VD_EMIT(">>");
            if (j - i == 3 && tags_word(s, len, i + 1, "gt")) VD_EMIT(">");
            if (j - i == 3 && tags_word(s, len, i + 1, "ll")) VD_EMIT("<<");
            if (j - i == 3 && tags_word(s, len, i + 1, "lt")) VD_EMIT("<");
            i = j; /* \text, \textbf, \mathrm, \quad, ...: wrappers and spaces */
        } else if (c == '&' && tags_word(s, len, i, "&gt;")) {
            VD_EMIT(">");
            i += 4;
        } else if (c == '&' && tags_word(s, len, i, "&lt;")) {
            VD_EMIT("<");
            i += 4;
        } else if (c == 0xE2 && len - i >= 3 && (unsigned char)s[i + 1] == 0x89 &&
                   ((unsigned char)s[i + 2] == 0xAB || (unsigned char)s[i + 2] == 0xAA)) {
            VD_EMIT((unsigned char)s[i + 2] == 0xAB ? ">>" : "<<"); /* ≫ ≪ */
            i += 3;
        } else if (c == 0xEF && len - i >= 3 &&
                   ((unsigned char)s[i + 1] == 0xBC || (unsigned char)s[i + 1] == 0xBD)) {
            /* full-width forms: ＜ ＝ ＞ Ａ Ｂ ａ ｂ */
            unsigned char b1 = (unsigned char)s[i + 1], b2 = (unsigned char)s[i + 2];
            const char *m = NULL;
            if (b1 == 0xBC && b2 == 0x9C) m = "<";
            if (b1 == 0xBC && b2 == 0x9D) m = "=";
            if (b1 == 0xBC && b2 == 0x9E) m = ">";
            if ((b1 == 0xBC && b2 == 0xA1) || (b1 == 0xBD && b2 == 0x81)) m = "A";
            if ((b1 == 0xBC && b2 == 0xA2) || (b1 == 0xBD && b2 == 0x82)) m = "B";
            if (m) {
                VD_EMIT(m);
                i += 3;
            } else {
                char one[2] = {(char)c, 0};
                VD_EMIT(one);
                i++;
            }
        } else {
            /* a NUL byte is kept as \x01 so it stays visible (and never matches a label) */
            char one[2] = {(char)(c >= 'a' && c <= 'z' ? c - 32 : c ? c : 1), 0};
            VD_EMIT(one);
            i++;
        }
    }
#undef VD_EMIT
    while (o > 0 && out[o - 1] == '.')
        o--;
    return o;
}

verdict_label verdict_read_label(const char *s, size_t len)
{
    static const struct {
        const char *text;
        verdict_label label;
    } forms[] = {
        {"A>>B", VERDICT_A_MUCH_BETTER},
        {"A>B", VERDICT_A_BETTER},
        {"A=B", VERDICT_TIE},
        {"TIE", VERDICT_TIE},
        {"B>A", VERDICT_B_BETTER},
        {"B>>A", VERDICT_B_MUCH_BETTER},
        /* the same verdicts written the other way round */
        {"B<<A", VERDICT_A_MUCH_BETTER},
        {"B<A", VERDICT_A_BETTER},
        {"B=A", VERDICT_TIE},
        {"A<B", VERDICT_B_BETTER},
        {"A<<B", VERDICT_B_MUCH_BETTER},
    };
    char buf[VD_LABEL_MAX];
    if (!s) return VERDICT_NONE;
    size_t n = vd_normalise(s, len, buf);
    if (n > VD_LABEL_MAX) return VERDICT_NONE;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        if (strlen(forms[i].text) == n && memcmp(forms[i].text, buf, n) == 0) return forms[i].label;
    return VERDICT_NONE;
}

/* 1 when s[0..len) holds nothing but white space and markup (an empty answer). */
static int vd_blank_text(const char *s, size_t len)
{
    char buf[VD_LABEL_MAX];
    return vd_normalise(s, len, buf) == 0;
}

const char *verdict_label_name(verdict_label label)
{
    switch (label) {
    case VERDICT_A_MUCH_BETTER:
        return "A>>B";
    case VERDICT_A_BETTER:
        return "A>B";
    case VERDICT_TIE:
        return "A=B";
    case VERDICT_B_BETTER:
        return "B>A";
    case VERDICT_B_MUCH_BETTER:
        return "B>>A";
    default:
        return NULL;
    }
}

verdict_label verdict_label_swap(verdict_label label)
{
    switch (label) {
    case VERDICT_A_MUCH_BETTER:
        return VERDICT_B_MUCH_BETTER;
    case VERDICT_A_BETTER:
        return VERDICT_B_BETTER;
    case VERDICT_TIE:
        return VERDICT_TIE;
    case VERDICT_B_BETTER:
        return VERDICT_A_BETTER;
    case VERDICT_B_MUCH_BETTER:
        return VERDICT_A_MUCH_BETTER;
    default:
        return VERDICT_NONE;
    }
}

/* ---- structure ----------------------------------------------------------------------------- */

/* A `\boxed{...}` at s[p] == '\\' (any case, spaces before the brace): sets the content range
 * and the position after the box. Returns 1 for a closed box, 2 for one left open (cut off, or
 * longer than VERDICT_MAX_BOX), 0 when s[p] does not start a box. */
static int vd_box(const char *s, size_t end, size_t p, size_t *cb, size_t *ce, size_t *next)
{
    if (!tags_word(s, end, p + 1, "boxed")) return 0;
    size_t q = vd_skip_space(s, end, p + 6);
    if (q >= end || s[q] != '{') return 0;
    q++;
    *cb = q;
    size_t limit = end - q > VERDICT_MAX_BOX ? q + VERDICT_MAX_BOX : end;
    int depth = 1;
    for (; q < limit; q++) {
        if (s[q] == '\\') {
            q++; /* `\{` and `\}` are not structure */
            continue;
        }
        if (s[q] == '{') depth++;
        if (s[q] == '}' && --depth == 0) {
            *ce = q;
            *next = q + 1;
            return 1;
        }
    }
    *ce = limit < end ? limit : end;
    *next = *ce;
    return 2;
}

/* Where the answer starts: after the last `</think>` (or `</thinking>`), else 0. */
static size_t vd_answer_start(const char *s, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        const char *lt = memchr(s + i, '<', len - i);
        if (!lt) break;
        i = (size_t)(lt - s);
        if (!tags_word(s, len, i, "</think")) continue;
        size_t q = i + 7;
        if (tags_word(s, len, q, "ing")) q += 3;
        if (q < len && s[q] == '>') start = q + 1;
    }
    return start;
}

/* Finds the block in [from, len): the last complete one, else the text after an opening tag never
 * closed. Sets *b, *e (VD_NPOS when there is none) and *after (the first byte after a complete
 * block's end tag, else VD_NPOS). */
static void vd_find_block(const char *s, size_t from, size_t len, verdict_result *res, size_t *b,
                          size_t *e, size_t *after)
{
    *b = *e = *after = VD_NPOS;
    size_t open = VD_NPOS, n_starts = 0;
    for (size_t i = from; i < len; i++) {
        const char *lt = memchr(s + i, '<', len - i);
        if (!lt) break;
        i = (size_t)(lt - s);
        int is_end;
        size_t t = tags_result(s, len, i, &is_end);
        if (!t) continue;
        if (!is_end) {
            open = i + t; /* a later opening tag restarts the block */
            n_starts++;
        } else if (open != VD_NPOS) {
            *b = open;
            *e = i;
            *after = i + t;
            res->n_blocks++;
            open = VD_NPOS;
        }
        i += t - 1;
    }
    if (res->n_blocks > 1 || n_starts > res->n_blocks) res->issues |= VERDICT_MULTIPLE_BLOCKS;
    if (res->n_blocks == 0 && open != VD_NPOS) {
        /* a reply cut off (max_tokens) after its opening tag: read what is there, and say so */
        *b = open;
        *e = len;
        res->issues |= VERDICT_UNTERMINATED;
        if (n_starts == 1) res->issues &= ~(unsigned)VERDICT_MULTIPLE_BLOCKS;
    }
}

/* `List of reasons` at the start of the line (after markup). */
static int vd_is_heading(const char *s, size_t lb, size_t le)
{
    size_t p = vd_skip_markup(s, le, lb);
    return tags_word(s, le, p, "list of reason");
}

/* `Final assessment` / `Final verdict` at the start of the line (after markup, bullets): returns
 * the position after the phrase, or VD_NPOS. */
static size_t vd_anchor(const char *s, size_t lb, size_t le)
{
    size_t p = vd_skip_markup(s, le, lb);
    if (tags_word(s, le, p, "final assessment")) return p + 16;
    if (tags_word(s, le, p, "final verdict")) return p + 13;
    return VD_NPOS;
}

/* A line that gives the verdict: an anchor, a line starting with a box, or a box holding one of
 * the five labels. Boxes may run past the line (up to region_end). */
static int vd_is_verdict_line(const char *s, size_t lb, size_t le, size_t region_end)
{
    if (vd_anchor(s, lb, le) != VD_NPOS) return 1;
    size_t p = vd_skip_markup(s, le, lb);
    size_t cb, ce, next;
    if (p < le && s[p] == '\\' && vd_box(s, region_end, p, &cb, &ce, &next)) return 1;
    for (size_t i = lb; i < le; i++) {
        const char *bs = memchr(s + i, '\\', le - i);
        if (!bs) break;
        i = (size_t)(bs - s);
        int k = vd_box(s, region_end, i, &cb, &ce, &next);
        if (k == 1 && verdict_read_label(s + cb, ce - cb) != VERDICT_NONE) return 1;
        if (k) i = next - 1;
    }
    return 0;
}

/* A bullet line: indentation (a tab counts 4), then `-`, `*`, `+`, `•`, or 1-3 digits with `.` or
 * `)`, then white space or the line's end. Sets *indent and *text (first byte after the marker
 * and its spaces). */
static int vd_bullet(const char *s, size_t lb, size_t le, int *indent, size_t *text)
{
    size_t p = lb;
    int ind = 0;
    while (p < le && (s[p] == ' ' || s[p] == '\t')) {
        ind += s[p] == '\t' ? 4 : 1;
        p++;
    }
    if (p >= le) return 0;
    size_t q;
    unsigned char c = (unsigned char)s[p];
    if (c == '-' || c == '*' || c == '+') {
        q = p + 1;
    } else if (c == 0xE2 && le - p >= 3 && (unsigned char)s[p + 1] == 0x80 &&
               (unsigned char)s[p + 2] == 0xA2) { /* • */
        q = p + 3;
    } else if (c >= '0' && c <= '9') {
        q = p;
        while (q < le && q - p < 4 && s[q] >= '0' && s[q] <= '9')
            q++;
        if (q - p > 3 || q >= le || (s[q] != '.' && s[q] != ')')) return 0;
        q++;
    } else {
        return 0;
    }
    if (q < le && !vd_space(s, le, q)) return 0;
    *indent = ind;
    *text = vd_skip_space(s, le, q);
    return 1;
}

typedef struct vd_state {
    verdict_result *res;
    size_t cap, max;
} vd_state;

static void vd_add_reason(vd_state *st, size_t b, size_t e)
{
    verdict_result *res = st->res;
    res->n_found++;
    if (res->n_reasons == st->max) {
        res->issues |= VERDICT_TRUNCATED;
        return;
    }
    if (res->n_reasons == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 8;
        if (st->cap > st->max) st->cap = st->max;
        res->reasons = kalloc_resize(res->reasons, st->cap, sizeof *res->reasons);
    }
    res->reasons[res->n_reasons].begin = b;
    res->reasons[res->n_reasons].end = e;
    res->n_reasons++;
}

/* Reads the reasons of the list [from, to). */
static void vd_read_list(const char *s, size_t from, size_t to, vd_state *st)
{
    int open = 0, base_indent = -1;
    size_t cur_b = VD_NPOS, cur_e = 0;
#define VD_CLOSE()                                                                                 \
    do {                                                                                           \
        if (open) {                                                                                \
            if (cur_b == VD_NPOS)                                                                  \
                st->res->issues |= VERDICT_EMPTY_REASON;                                           \
            else                                                                                   \
                vd_add_reason(st, cur_b, cur_e);                                                   \
        }                                                                                          \
        open = 0;                                                                                  \
        cur_b = VD_NPOS;                                                                           \
    } while (0)
    for (size_t p = from; p < to;) {
        size_t le = vd_line_end(s, p, to), tb = p, te = le;
        vd_trim(s, &tb, &te);
        int indent;
        size_t text;
        if (tb == te || vd_is_heading(s, p, le)) { /* a blank line or a repeated heading */
            VD_CLOSE();
        } else if (vd_bullet(s, p, le, &indent, &text)) {
            if (open && indent >= base_indent + 2) { /* a nested bullet belongs to its parent */
                if (cur_b == VD_NPOS && text < te) cur_b = text;
                if (text < te) cur_e = te;
            } else {
                VD_CLOSE();
                open = 1;
                if (base_indent < 0) base_indent = indent;
                cur_b = text < te ? text : VD_NPOS;
                cur_e = te;
            }
        } else if (open) { /* a continuation line */
            if (cur_b == VD_NPOS) cur_b = tb;
            cur_e = te;
        } else {
            st->res->issues |= VERDICT_UNLISTED_TEXT;
        }
        p = le + 1;
    }
    VD_CLOSE();
#undef VD_CLOSE
}

/* Flags bullet lines in [from, to) that are not the verdict or the heading. */
static void vd_flag_outside(const char *s, size_t from, size_t to, size_t region_end,
                            verdict_result *res)
{
    for (size_t p = from; p < to;) {
        size_t le = vd_line_end(s, p, to);
        int indent;
        size_t text, tb = p, te = le;
        vd_trim(s, &tb, &te);
        if (vd_bullet(s, p, le, &indent, &text) && text < te && !vd_is_heading(s, p, le) &&
            !vd_is_verdict_line(s, p, le, region_end))
            res->issues |= VERDICT_REASONS_OUTSIDE_LIST;
        p = le + 1;
    }
}

typedef struct vd_verdicts {
    verdict_label label;
    verdict_span text;
    size_t n;     /* boxes seen */
    int conflict; /* two different valid labels */
    int repeated;
    int invalid;
} vd_verdicts;

/* Reads every box starting in [from, to) (content may run to region_end). With valid_only, boxes
 * that hold no label are ignored rather than counted invalid. */
static void vd_read_boxes(const char *s, size_t from, size_t to, size_t region_end, int valid_only,
                          vd_verdicts *v)
{
    for (size_t i = from; i < to; i++) {
        const char *bs = memchr(s + i, '\\', to - i);
        if (!bs) break;
        i = (size_t)(bs - s);
        size_t cb, ce, next;
        int k = vd_box(s, region_end, i, &cb, &ce, &next);
        if (!k) continue;
        verdict_label l = k == 1 ? verdict_read_label(s + cb, ce - cb) : VERDICT_NONE;
        i = next - 1;
        if (l == VERDICT_NONE) {
            if (!valid_only) {
                v->n++;
                v->invalid = 1;
            }
            continue;
        }
        v->n++;
        if (v->label == VERDICT_NONE) {
            v->label = l;
            v->text.begin = cb;
            v->text.end = ce;
        } else if (l != v->label) {
            v->conflict = 1;
        } else {
            v->repeated = 1;
        }
    }
}

/* Without any box: the label written after the last anchor in [from, to) — after its colon if
 * it has one, else right after the phrase, or on the next non-blank line. Returns 1 when an
 * anchor was found (the result, valid or not, is then in v). */
static int vd_read_unboxed(const char *s, size_t from, size_t to, vd_verdicts *v)
{
    size_t anchor = VD_NPOS, anchor_le = 0;
    for (size_t p = from; p < to;) {
        size_t le = vd_line_end(s, p, to);
        size_t a = vd_anchor(s, p, le);
        if (a != VD_NPOS) {
            anchor = a;
            anchor_le = le;
        }
        p = le + 1;
    }
    if (anchor == VD_NPOS) return 0;
    size_t b = anchor, e = anchor_le;
    for (size_t i = anchor; i < anchor_le; i++) {
        if (s[i] == ':') {
            b = i + 1;
            break;
        }
        if (anchor_le - i >= 3 && memcmp(s + i, "\xEF\xBC\x9A", 3) == 0) { /* ： */
            b = i + 3;
            break;
        }
    }
    vd_trim(s, &b, &e);
    if (vd_blank_text(s + b, e - b)) { /* "Final assessment result:" then the label below */
        b = e = anchor_le;
        for (size_t p = anchor_le + 1; p < to;) {
            size_t le = vd_line_end(s, p, to), tb = p, te = le;
            vd_trim(s, &tb, &te);
            if (!vd_blank_text(s + tb, te - tb)) {
                b = tb;
                e = te;
                break;
            }
            p = le + 1;
        }
    }
    if (b >= e || vd_blank_text(s + b, e - b)) return 1; /* an anchor with nothing after it */
    verdict_label l = verdict_read_label(s + b, e - b);
    v->n++;
    if (l == VERDICT_NONE) {
        v->invalid = 1;
    } else {
        v->label = l;
        v->text.begin = b;
        v->text.end = e;
    }
    return 1;
}

/* ---- the parser ---------------------------------------------------------------------------- */

void verdict_init(verdict_result *res)
{
    memset(res, 0, sizeof *res);
}

void verdict_free(verdict_result *res)
{
    free(res->reasons);
    verdict_init(res);
}

unsigned verdict_parse(const char *text, size_t len, size_t max_reasons, verdict_result *res)
{
    free(res->reasons);
    verdict_init(res);
    if (!text) len = 0;
    const char *s = text;
    vd_state st = {res, 0, max_reasons ? max_reasons : VERDICT_MAX_REASONS_DEFAULT};

    size_t start = vd_answer_start(s, len);
    size_t b, e, after;
    vd_find_block(s, start, len, res, &b, &e, &after);
    if (b == VD_NPOS) {
        res->issues |= VERDICT_NO_BLOCK;
        b = start;
        e = len;
    }
    res->region_begin = b;
    res->region_end = e;

    /* The list runs from after the last heading to the first verdict line below it. */
    size_t list_b = VD_NPOS, list_e = e;
    for (size_t p = b; p < e;) {
        size_t le = vd_line_end(s, p, e);
        if (vd_is_heading(s, p, le) && !vd_is_verdict_line(s, p, le, e))
            list_b = le < e ? le + 1 : e;
        p = le + 1;
    }
    if (list_b == VD_NPOS) {
        res->issues |= VERDICT_NO_HEADING;
        list_b = b;
    }
    for (size_t p = list_b; p < e;) {
        size_t le = vd_line_end(s, p, e);
        if (vd_is_verdict_line(s, p, le, e)) {
            list_e = p;
            break;
        }
        p = le + 1;
    }

    vd_read_list(s, list_b, list_e, &st);
    if (res->n_found == 0) res->issues |= VERDICT_NO_REASONS;
    vd_flag_outside(s, b, list_b, e, res);
    vd_flag_outside(s, list_e, e, e, res);

    /* The verdict: boxes outside the list, else an unboxed label after an anchor, else a box
     * after the block. */
    vd_verdicts v = {VERDICT_NONE, {0, 0}, 0, 0, 0, 0};
    vd_read_boxes(s, b, list_b, e, 0, &v);
    vd_read_boxes(s, list_e, e, e, 0, &v);
    int anchored = 0;
    if (v.n == 0) {
        anchored = vd_read_unboxed(s, list_e, e, &v) || vd_read_unboxed(s, b, list_b, &v);
        if (v.label != VERDICT_NONE) res->issues |= VERDICT_UNBOXED_VERDICT;
    }
    if (v.n == 0 && !anchored && after != VD_NPOS) {
        vd_read_boxes(s, after, len, len, 1, &v);
        if (v.n) res->issues |= VERDICT_VERDICT_OUTSIDE_BLOCK;
    }
    if (v.invalid) res->issues |= VERDICT_INVALID_VERDICT;
    if (v.repeated) res->issues |= VERDICT_REPEATED_VERDICT;
    if (v.conflict) {
        res->issues |= VERDICT_CONFLICTING_VERDICTS;
        v.label = VERDICT_NONE;
    }
    if (v.label == VERDICT_NONE && !v.invalid && !v.conflict) res->issues |= VERDICT_NO_VERDICT;
    if (v.label != VERDICT_NONE) {
        res->label = v.label;
        res->label_text = v.text;
    }
    return res->issues;
}

const char *verdict_issue_name(unsigned flag)
{
    static const char *const names[VERDICT_ISSUE_COUNT] = {
        "no_block",         "unterminated",    "multiple_blocks",       "no_heading",
        "no_reasons",       "empty_reason",    "reasons_outside_list",  "unlisted_text",
        "truncated",        "no_verdict",      "invalid_verdict",       "conflicting_verdicts",
        "repeated_verdict", "unboxed_verdict", "verdict_outside_block",
    };
    for (int i = 0; i < VERDICT_ISSUE_COUNT; i++)
        if (flag == 1u << i) return names[i];
    return NULL;
}
