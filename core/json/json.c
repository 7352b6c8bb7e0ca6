/* json: RFC 8259 parsing on cJSON plus the checks cJSON leaves to its caller, and the encoder
 * helpers. See json.h for the contract. */
#define _POSIX_C_SOURCE 200809L

#include "json.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

#if JSON_MAX_DEPTH_LIMIT > CJSON_NESTING_LIMIT
#error "JSON_MAX_DEPTH_LIMIT must not exceed cJSON's nesting limit"
#endif

/* What the check records for the walk over cJSON's tree, in document order. */
enum { JSON_SPAN_INT, JSON_SPAN_FLOAT, JSON_SPAN_NUL_STRING };
struct json_span {
    size_t start, len; /* the number's text, or the string's text between its quotes */
    size_t ordinal;    /* JSON_SPAN_NUL_STRING: 0-based index among all strings (keys too) */
    int kind;
};

/* ---- errors --------------------------------------------------------------------------------- */

static int json_fail_at(const char *s, json_error_t *e, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Record an error at byte `at` (<= len) of s and return JSON_INVALID. */
static int json_fail_at(const char *s, json_error_t *e, size_t at, const char *fmt, ...)
{
    if (!e) return JSON_INVALID;
    size_t line = 1, line_start = 0;
    for (size_t i = 0; i < at; i++) /* only on failure, so a linear scan is fine */
        if (s[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    e->offset = at;
    e->line = line;
    e->column = at - line_start + 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return JSON_INVALID;
}

/* "'x'" for a printable ASCII byte, "byte 0xNN" otherwise, so messages never carry raw bytes. */
static const char *json_describe(unsigned c, char out[16])
{
    if (c > 0x20 && c < 0x7F)
        snprintf(out, 16, "'%c'", (char)c);
    else
        snprintf(out, 16, "byte 0x%02X", c);
    return out;
}

/* ---- the check: what cJSON accepts but RFC 8259 does not, with positions -------------------- */

/* Grammar states between tokens: what the next significant byte may be. */
enum {
    CK_VALUE,       /* a value (top level, after ':' or after ',' in an array) */
    CK_FIRST_VALUE, /* a value or ']' (after '[') */
    CK_FIRST_KEY,   /* a key or '}' (after '{') */
    CK_KEY,         /* a key (after ',' in an object) */
    CK_COLON,       /* ':' (after a key) */
    CK_AFTER,       /* ',' or the container's close (after a value) */
    CK_DONE         /* nothing but whitespace (after the top-level value) */
};

typedef struct json_check {
    json_parser_t *p;
    const char *s;
    size_t len;
    size_t max_depth, depth;
    int state;
    size_t nstrings; /* strings seen so far, keys included */
    size_t comma;    /* offset of the last ',' (for "trailing comma" errors) */
    json_error_t *err;
} json_check_t;

#define CK_FAIL(c, at, ...) json_fail_at((c)->s, (c)->err, (at), __VA_ARGS__)

static void json_span_add(json_parser_t *p, size_t start, size_t len, size_t ordinal, int kind)
{
    if (p->nspans == p->spans_cap) {
        size_t cap = p->spans_cap ? p->spans_cap * 2 : 64;
        struct json_span *n = realloc(p->spans, cap * sizeof *n);
        if (!n) {
            fputs("ratio: out of memory\n", stderr);
            abort();
        }
        p->spans = n;
        p->spans_cap = cap;
    }
    p->spans[p->nspans++] = (struct json_span){start, len, ordinal, kind};
}

static int json_isdigit(unsigned c)
{
    return c >= '0' && c <= '9';
}

static int json_ishex(unsigned c)
{
    return json_isdigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* The \uXXXX at s[at] (the backslash): its value, -1 when a digit is not hex, -2 when the input
 * ends first. */
static long json_hex4(const json_check_t *c, size_t at)
{
    long v = 0;
    for (size_t k = at + 2; k < at + 6; k++) {
        if (k >= c->len) return -2; /* cut off by the end of the input */
        unsigned h = (unsigned char)c->s[k];
        if (!json_ishex(h)) return -1;
        v = v * 16 + (long)(json_isdigit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    return v;
}

/* 1 for the bytes a string holds as they are: printable ASCII other than '"' and '\\'. */
static const unsigned char json_plain[256] = {
    ['\x20'] = 1,
    ['!'] = 1,
    ['#' ... '['] = 1,
    [']' ... '\x7F'] = 1,
};

/* 1 when one of the 8 bytes at p is not plain (see json_plain): a control character, a byte
 * >= 0x80, '"' or '\\'. The usual bit tricks: (x - 0x01..) & ~x & 0x80.. is non-zero exactly when
 * some byte of x is zero, and (x - n*0x01..) & ~x & 0x80.. when some byte is below n (n <= 128). */
static int json_word_special(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t x;
    memcpy(&x, p, sizeof x);
    uint64_t quote = x ^ (ones * '"'), bslash = x ^ (ones * '\\');
    uint64_t any =
        ((x - ones * 0x20) & ~x) | x | ((quote - ones) & ~quote) | ((bslash - ones) & ~bslash);
    return (any & high) != 0;
}

/* The string whose opening quote is at `at`: escapes well formed, surrogates paired, no raw
 * control character, valid UTF-8. On success *end is its closing quote. */
static int json_check_string(json_check_t *c, size_t at, size_t *end)
{
    const unsigned char *u = (const unsigned char *)c->s;
    size_t i = at + 1, len = c->len;
    int has_nul = 0;
    char d[16];
    for (;;) {
        /* The common case: printable ASCII, 8 bytes at a time, then one table look-up a byte. */
        while (i + 8 <= len && !json_word_special(u + i))
            i += 8;
        while (i < len && json_plain[u[i]])
            i++;
        if (i >= len) return CK_FAIL(c, len, "unexpected end of input");
        unsigned b = u[i];
        if (b == '"') break;
        if (b < 0x20)
            return CK_FAIL(c, i, "unescaped control character (byte 0x%02X) in string", b);
        if (b >= 0x80) {
            uint32_t cp;
            size_t n = utf8_decode(c->s + i, len - i, &cp);
            if (cp == UTF8_INVALID) return CK_FAIL(c, i, "invalid UTF-8 in string");
            i += n;
            continue;
        }
        /* An escape. */
        if (i + 1 >= len) return CK_FAIL(c, len, "unexpected end of input");
        unsigned e = u[i + 1];
        if (e != 'u') {
            if (!strchr("\"\\/bfnrt", (int)e) || !e) {
                if (e > 0x20 && e < 0x7F)
                    return CK_FAIL(c, i, "invalid escape '\\%c' in string", (char)e);
                return CK_FAIL(c, i, "invalid escape: '\\' followed by %s in string",
                               json_describe(e, d));
            }
            i += 2;
            continue;
        }
        long v = json_hex4(c, i);
        if (v == -2) return CK_FAIL(c, len, "unexpected end of input");
        if (v < 0) return CK_FAIL(c, i, "invalid \\u escape in string (needs 4 hex digits)");
        if (v >= 0xDC00 && v <= 0xDFFF) return CK_FAIL(c, i, "unpaired surrogate in \\u escape");
        if (v >= 0xD800 && v <= 0xDBFF) {
            size_t lo = i + 6;
            if (lo >= len || (lo + 1 >= len && u[lo] == '\\'))
                return CK_FAIL(c, len, "unexpected end of input");
            if (u[lo] != '\\' || u[lo + 1] != 'u')
                return CK_FAIL(c, i, "unpaired surrogate in \\u escape");
            long w = json_hex4(c, lo);
            if (w == -2) return CK_FAIL(c, len, "unexpected end of input");
            if (w < 0) return CK_FAIL(c, lo, "invalid \\u escape in string (needs 4 hex digits)");
            if (w < 0xDC00 || w > 0xDFFF) return CK_FAIL(c, i, "unpaired surrogate in \\u escape");
            i += 12;
            continue;
        }
        if (v == 0) has_nul = 1; /* cJSON keeps the NUL; its length must come from here */
        i += 6;
    }
    if (has_nul) json_span_add(c->p, at + 1, i - at - 1, c->nstrings, JSON_SPAN_NUL_STRING);
    c->nstrings++;
    *end = i;
    return JSON_OK;
}

/* strtod on s[0..n) in the C locale's notation whatever the current locale (as cJSON does). */
static double json_strtod(const char *s, size_t n)
{
    char small[128];
    char *tmp = n < sizeof small ? small : malloc(n + 1);
    if (!tmp) return 0.0;
    const char *dp = localeconv()->decimal_point;
    char point = dp && dp[0] && !dp[1] ? dp[0] : '.';
    for (size_t i = 0; i < n; i++)
        tmp[i] = s[i] == '.' ? point : s[i];
    tmp[n] = '\0';
    double v = strtod(tmp, NULL);
    if (tmp != small) free(tmp);
    return v;
}

/* The number starting at `at` (a '-' or a digit): RFC 8259's grammar, finite. Records its text.
 * On success *end is the first byte after it. */
static int json_check_number(json_check_t *c, size_t at, size_t *end)
{
    const unsigned char *u = (const unsigned char *)c->s;
    size_t i = at, len = c->len;
    int is_float = 0, has_exp = 0;
    char d[16];
    if (u[i] == '-') i++;
    if (i >= len) return CK_FAIL(c, len, "unexpected end of input");
    if (!json_isdigit(u[i]))
        return CK_FAIL(c, i, "invalid number: expected a digit after '-', found %s",
                       json_describe(u[i], d));
    if (u[i] == '0' && i + 1 < len && json_isdigit(u[i + 1]))
        return CK_FAIL(c, i, "invalid number: leading zeros are not allowed");
    while (i < len && json_isdigit(u[i]))
        i++;
    if (i < len && u[i] == '.') {
        is_float = 1;
        i++;
        if (i >= len) return CK_FAIL(c, len, "unexpected end of input");
        if (!json_isdigit(u[i])) return CK_FAIL(c, i, "invalid number: expected a digit after '.'");
        while (i < len && json_isdigit(u[i]))
            i++;
    }
    if (i < len && (u[i] == 'e' || u[i] == 'E')) {
        is_float = has_exp = 1;
        i++;
        if (i < len && (u[i] == '+' || u[i] == '-')) i++;
        if (i >= len) return CK_FAIL(c, len, "unexpected end of input");
        if (!json_isdigit(u[i]))
            return CK_FAIL(c, i, "invalid number: expected a digit in the exponent");
        while (i < len && json_isdigit(u[i]))
            i++;
    }
    /* Only an exponent or more than 308 digits can leave the double range. */
    if ((has_exp || i - at > 308) && isinf(json_strtod(c->s + at, i - at)))
        return CK_FAIL(c, at, "number out of range");
    if (i - at > 63) /* cJSON reads at most 63 bytes of a number */
        return CK_FAIL(c, at, "number longer than 63 characters");
    json_span_add(c->p, at, i - at, 0, is_float ? JSON_SPAN_FLOAT : JSON_SPAN_INT);
    *end = i;
    return JSON_OK;
}

static int json_isword(unsigned c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* A bare word at `at`: true, false or null, compared whole so "nulls" and "NaN" are refused. */
static int json_check_literal(json_check_t *c, size_t at, size_t *end)
{
    static const char *const words[] = {"true", "false", "null"};
    size_t i = at;
    while (i < c->len &&
           (json_isword((unsigned char)c->s[i]) || json_isdigit((unsigned char)c->s[i])))
        i++;
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(words[k]);
        if (i - at == n && memcmp(c->s + at, words[k], n) == 0) {
            *end = i;
            return JSON_OK;
        }
        if (i == c->len && i - at < n && memcmp(c->s + at, words[k], i - at) == 0)
            return CK_FAIL(c, c->len, "unexpected end of input"); /* cut off, not misspelt */
    }
    return CK_FAIL(c, at, "invalid literal");
}

/* The message for byte s[at] where the grammar state does not allow it. */
static int json_check_unexpected(json_check_t *c, size_t at)
{
    char d[16];
    unsigned b = (unsigned char)c->s[at];
    unsigned top = c->depth ? c->p->stack[c->depth - 1] : 0;
    if (b == '/') return CK_FAIL(c, at, "comments are not allowed in JSON");
    switch (c->state) {
    case CK_VALUE:
    case CK_FIRST_VALUE:
        if (b == '+') return CK_FAIL(c, at, "invalid number: a leading '+' is not allowed");
        if (b == '.') return CK_FAIL(c, at, "invalid number: expected a digit before '.'");
        if (b == ']' && c->state == CK_VALUE && top == '[')
            return CK_FAIL(c, c->comma, "trailing comma in array");
        return CK_FAIL(c, at, "expected a value, found %s", json_describe(b, d));
    case CK_FIRST_KEY:
    case CK_KEY:
        if (b == '}' && c->state == CK_KEY) return CK_FAIL(c, c->comma, "trailing comma in object");
        return CK_FAIL(c, at, "expected a string as object key, found %s", json_describe(b, d));
    case CK_COLON:
        return CK_FAIL(c, at, "expected ':' after object key");
    case CK_AFTER:
        if (top == '[')
            return CK_FAIL(c, at, "expected ',' or ']' after array element, found %s",
                           json_describe(b, d));
        return CK_FAIL(c, at, "expected ',' or '}' after object member, found %s",
                       json_describe(b, d));
    default:
        return CK_FAIL(c, at, "trailing characters after the JSON value");
    }
}

/* Check all of s[0..len). Returns JSON_OK or JSON_INVALID (with *err set). On success the
 * parser's spans hold the text of every number and of every string that holds a NUL. */
static int json_check(json_check_t *c)
{
    const unsigned char *u = (const unsigned char *)c->s;
    size_t i = 0, len = c->len, end = 0;
    int rc;
    while (i < len) {
        unsigned b = u[i];
        if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
            i++;
            continue;
        }
        int want_value = c->state == CK_VALUE || c->state == CK_FIRST_VALUE;
        unsigned top = c->depth ? c->p->stack[c->depth - 1] : 0;
        if (b == '"' && (want_value || c->state == CK_FIRST_KEY || c->state == CK_KEY)) {
            int key = !want_value;
            if ((rc = json_check_string(c, i, &end)) != JSON_OK) return rc;
            i = end + 1;
            c->state = key ? CK_COLON : c->depth ? CK_AFTER : CK_DONE;
            continue;
        }
        if ((b == '-' || json_isdigit(b)) && want_value) {
            if ((rc = json_check_number(c, i, &end)) != JSON_OK) return rc;
            i = end;
            c->state = c->depth ? CK_AFTER : CK_DONE;
            continue;
        }
        if (json_isword(b) && want_value) {
            if ((rc = json_check_literal(c, i, &end)) != JSON_OK) return rc;
            i = end;
            c->state = c->depth ? CK_AFTER : CK_DONE;
            continue;
        }
        if ((b == '[' || b == '{') && want_value) {
            if (c->depth >= c->max_depth)
                return CK_FAIL(c, i, "nesting deeper than %zu levels", c->max_depth);
            if (c->depth == c->p->stack_cap) {
                size_t cap = c->p->stack_cap ? c->p->stack_cap * 2 : 64;
                unsigned char *n = realloc(c->p->stack, cap);
                if (!n) {
                    fputs("ratio: out of memory\n", stderr);
                    abort();
                }
                c->p->stack = n;
                c->p->stack_cap = cap;
            }
            c->p->stack[c->depth++] = (unsigned char)b;
            c->state = b == '[' ? CK_FIRST_VALUE : CK_FIRST_KEY;
            i++;
            continue;
        }
        if ((b == ']' && top == '[' && (c->state == CK_FIRST_VALUE || c->state == CK_AFTER)) ||
            (b == '}' && top == '{' && (c->state == CK_FIRST_KEY || c->state == CK_AFTER))) {
            c->depth--;
            c->state = c->depth ? CK_AFTER : CK_DONE;
            i++;
            continue;
        }
        if (b == ',' && c->state == CK_AFTER) {
            c->state = top == '[' ? CK_VALUE : CK_KEY;
            c->comma = i++;
            continue;
        }
        if (b == ':' && c->state == CK_COLON) {
            c->state = CK_VALUE;
            i++;
            continue;
        }
        return json_check_unexpected(c, i);
    }
    if (c->state != CK_DONE) return CK_FAIL(c, len, "unexpected end of input");
    return JSON_OK;
}

/* ---- the walk over cJSON's tree: SAX events ------------------------------------------------- */

typedef struct json_walk {
    json_parser_t *p;
    const char *s; /* the input text */
    size_t next_span, nstrings;
    const json_sax_t *sax;
    void *ud;
} json_walk_t;

/* Bytes that the escaped text t[0..n) (valid, between quotes) decodes to. Only for strings that
 * hold a NUL, whose length cJSON's C string cannot tell. */
static size_t json_decoded_len(const char *t, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n;) {
        if (t[i] != '\\') {
            out++;
            i++;
        } else if (t[i + 1] != 'u') {
            out++;
            i += 2;
        } else {
            unsigned long v = 0;
            for (size_t k = i + 2; k < i + 6; k++) {
                unsigned h = (unsigned char)t[k];
                v = v * 16 + (json_isdigit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
            }
            if (v >= 0xD800 && v <= 0xDBFF) {
                out += 4;
                i += 12;
            } else {
                out += v < 0x80 ? 1 : v < 0x800 ? 2 : 3;
                i += 6;
            }
        }
    }
    return out;
}

/* The length of the next string (value or key) of the document, whose bytes cJSON decoded to s. */
static size_t json_walk_strlen(json_walk_t *w, const char *s)
{
    size_t ordinal = w->nstrings++;
    if (w->next_span < w->p->nspans) {
        const struct json_span *sp = &w->p->spans[w->next_span];
        if (sp->kind == JSON_SPAN_NUL_STRING && sp->ordinal == ordinal) {
            w->next_span++;
            return json_decoded_len(w->s + sp->start, sp->len);
        }
    }
    return strlen(s);
}

/* The integer literal t[0..n) ('-'? digits) as int64, or -1 when it does not fit. */
static int json_span_integer(const char *t, size_t n, long long *out)
{
    int neg = t[0] == '-';
    unsigned long long v = 0, lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    for (size_t i = (size_t)neg; i < n; i++) {
        unsigned d = (unsigned)(t[i] - '0');
        if (v > (lim - d) / 10) return -1;
        v = v * 10 + d;
    }
    *out = !neg ? (long long)v : v == lim ? LLONG_MIN : -(long long)v;
    return 0;
}

#define WALK_EMIT(cb, ...) (w->sax && w->sax->cb ? w->sax->cb(w->ud, __VA_ARGS__) : 0)
#define WALK_EMIT0(cb) (w->sax && w->sax->cb ? w->sax->cb(w->ud) : 0)

static int json_walk_value(json_walk_t *w, const cJSON *item)
{
    if (cJSON_IsNull(item)) return WALK_EMIT0(on_null);
    if (cJSON_IsBool(item)) return WALK_EMIT(on_bool, cJSON_IsTrue(item) ? 1 : 0);
    if (cJSON_IsString(item)) {
        const char *v = item->valuestring;
        return WALK_EMIT(on_string, v, json_walk_strlen(w, v));
    }
    if (cJSON_IsNumber(item)) {
        const struct json_span *sp = &w->p->spans[w->next_span++];
        if (sp->kind == JSON_SPAN_INT) {
            /* The literal itself, for exact int64 (cJSON's double is exact only to 2^53). */
            long long v;
            if (json_span_integer(w->s + sp->start, sp->len, &v) == 0)
                return WALK_EMIT(on_integer, v);
        }
        return WALK_EMIT(on_double, item->valuedouble); /* beyond int64: a double, as in Lua */
    }
    int is_object = cJSON_IsObject(item);
    int rc = is_object ? WALK_EMIT0(on_begin_object) : WALK_EMIT0(on_begin_array);
    if (rc) return rc;
    size_t n = 0;
    for (const cJSON *child = item->child; child; child = child->next, n++) {
        if (is_object &&
            (rc = WALK_EMIT(on_key, child->string, json_walk_strlen(w, child->string))) != 0)
            return rc;
        if ((rc = json_walk_value(w, child)) != 0) return rc;
    }
    return is_object ? WALK_EMIT(on_end_object, n) : WALK_EMIT(on_end_array, n);
}

/* ---- the parser ----------------------------------------------------------------------------- */

void json_parser_init(json_parser_t *p)
{
    memset(p, 0, sizeof *p);
}

void json_parser_free(json_parser_t *p)
{
    free(p->spans);
    free(p->stack);
    json_parser_init(p);
}

int json_parser_parse(json_parser_t *p, const char *s, size_t len, const json_sax_t *sax, void *ud,
                      int max_depth, json_error_t *err)
{
    if (max_depth <= 0) max_depth = JSON_DEFAULT_MAX_DEPTH;
    if (max_depth > JSON_MAX_DEPTH_LIMIT) max_depth = JSON_MAX_DEPTH_LIMIT;
    p->nspans = 0;
    json_check_t c = {p, s, len, (size_t)max_depth, 0, CK_VALUE, 0, 0, err};
    int rc = json_check(&c);
    if (rc != JSON_OK) return rc;

    /* The text is valid JSON now; cJSON builds its values. It reads no byte past len. */
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(s, len, &end, 0);
    if (!root) { /* the check accepted what cJSON refused: only out of memory gets here */
        size_t at = end && end >= s && end <= s + len ? (size_t)(end - s) : 0;
        return json_fail_at(s, err, at, "cJSON could not parse the value here (out of memory?)");
    }
    json_walk_t w = {p, s, 0, 0, sax, ud};
    rc = json_walk_value(&w, root);
    cJSON_Delete(root);
    if (rc != 0) {
        if (err) {
            memset(err, 0, sizeof *err);
            snprintf(err->message, sizeof err->message, "aborted by callback");
        }
        return JSON_ABORTED;
    }
    return JSON_OK;
}

int json_parse(const char *s, size_t len, const json_sax_t *sax, void *ud, int max_depth,
               json_error_t *err)
{
    json_parser_t p;
    json_parser_init(&p);
    int rc = json_parser_parse(&p, s, len, sax, ud, max_depth, err);
    json_parser_free(&p);
    return rc;
}

/* ---- encoder -------------------------------------------------------------------------------- */

/* Written by hand rather than with cJSON's printer, which writes the float 1.0 as "1" (so it would
 * read back as an integer) and indents with tabs: ratio's files must stay byte-identical. */

int json_write_string(buf_t *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t undo = b->len;
    buf_reserve(b, len + 2);
    buf_putc(b, '"');
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (i < len && u[i] >= 0x20 && u[i] < 0x80 && u[i] != '"' && u[i] != '\\')
            i++;
        if (i > run) buf_append(b, s + run, i - run);
        if (i >= len) break;
        unsigned c = u[i];
        if (c >= 0x80) {
            uint32_t cp;
            size_t n = utf8_decode(s + i, len - i, &cp);
            if (cp == UTF8_INVALID) {
                b->len = undo; /* never leave half a string behind */
                if (b->data) b->data[undo] = '\0';
                return -1;
            }
            buf_append(b, s + i, n);
            i += n;
            continue;
        }
        /* Short forms where JSON has them, \u00XX for the other control characters. */
        static const char short_from[] = "\"\\\b\f\n\r\t", short_to[] = "\"\\bfnrt";
        const char *hit = c ? strchr(short_from, (int)c) : NULL;
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        size_t n = 6;
        if (hit) {
            esc[1] = short_to[hit - short_from];
            n = 2;
        }
        buf_append(b, esc, n);
        i++;
    }
    buf_putc(b, '"');
    return 0;
}

void json_write_integer(buf_t *b, long long v)
{
    buf_printf(b, "%lld", v);
}

int json_write_double(buf_t *b, double v)
{
    if (isnan(v) || isinf(v)) return -1;
    char tmp[64];
    /* The first precision that reads back exactly; %.17g always does for IEEE doubles. Both the
     * printing and the check use the current locale, so they agree with each other. */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (prec == 17 || strtod(tmp, NULL) == v) break;
    }
    /* Put back a '.' where the locale printed its own decimal point. */
    const char *dp = localeconv()->decimal_point;
    size_t dpn = dp ? strlen(dp) : 0;
    const char *at = dpn && strcmp(dp, ".") != 0 ? strstr(tmp, dp) : NULL;
    if (at) {
        buf_append(b, tmp, (size_t)(at - tmp));
        buf_putc(b, '.');
        buf_puts(b, at + dpn);
    } else {
        buf_puts(b, tmp);
    }
    if (!strpbrk(tmp, ".eE") && !at) buf_puts(b, ".0"); /* keep a float a float on re-read */
    return 0;
}
