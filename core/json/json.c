/* json: RFC 8259 parsing, and the encoder helpers. See json.h for the contract.
 *
 * A parse of valid text is three steps. The scan reads the bytes once, knowing only whether it is
 * inside a string: it checks string contents (escapes, raw control bytes, UTF-8), the bytes
 * between tokens, number literals and the nesting depth, and notes where every string and number
 * is. The tape reads the structure (brackets, commas, colons, literals) from token to token,
 * taking each string and number from the scan's notes, and records the document's events with the
 * member count of every container. Only then are the events told, strings decoded and numbers
 * converted. Text that fails either step is handed to cJSON, to find where its structure goes
 * wrong; between the scan's first error and cJSON's, the one earlier in the text is reported. */
#define _GNU_SOURCE /* strtod_l */

#include "json.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

#if JSON_MAX_DEPTH_LIMIT > CJSON_NESTING_LIMIT
#error "JSON_MAX_DEPTH_LIMIT must not exceed cJSON's nesting limit"
#endif

/* What the scan notes for the tape, in document order: every string (key or value) and number. */
enum { JSON_SPAN_INT, JSON_SPAN_FLOAT, JSON_SPAN_STRING, JSON_SPAN_ESCAPED };
struct json_span {
    size_t start, len; /* the number's text, or the string's text between its quotes */
    int kind;          /* JSON_SPAN_ESCAPED: a string with a backslash in it */
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

static int json_isdigit(unsigned c)
{
    return c >= '0' && c <= '9';
}

static int json_ishex(unsigned c)
{
    return json_isdigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static int json_isletter(unsigned c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static int json_isspace(unsigned c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* ---- the scan: string contents, bytes between tokens, numbers, depth ------------------------ */

typedef struct json_scan {
    json_parser_t *p;
    const char *s;
    size_t len, max_depth;
    size_t token; /* on failure: where the offending string, number or byte starts */
    json_error_t *err;
} json_scan_t;

#define SCAN_FAIL(c, tok, at, ...)                                                                 \
    ((c)->token = (tok), json_fail_at((c)->s, (c)->err, (at), __VA_ARGS__))

/* Room for one more of `size` bytes in *arr (a parser's growable arrays). */
static void *json_grow(void *arr, size_t *cap, size_t size)
{
    size_t n = *cap ? *cap * 2 : 64;
    void *out = realloc(arr, n * size);
    if (!out) {
        fputs("ratio: out of memory\n", stderr);
        abort();
    }
    *cap = n;
    return out;
}

static void json_span_add(json_parser_t *p, size_t start, size_t len, int kind)
{
    if (p->nspans == p->spans_cap) p->spans = json_grow(p->spans, &p->spans_cap, sizeof *p->spans);
    p->spans[p->nspans++] = (struct json_span){start, len, kind};
}

/* ---- cJSON, asked where an invalid text goes wrong ----------------------------------------- */

/* cJSON_ParseWithLengthOpts; the tree, when there is one, is dropped: only where cJSON stopped
 * reading is wanted (*end). Returns whether it read a value. */
static int json_cjson_reads(const char *s, size_t len, const char **end)
{
    cJSON *root = cJSON_ParseWithLengthOpts(s, len, end, 0);
    cJSON_Delete(root);
    return root != NULL;
}

/* The \uXXXX at s[at] (the backslash) of s[0..len): its value, -1 when a digit is not hex, -2
 * when the input ends first. */
static long json_hex4(const char *s, size_t len, size_t at)
{
    long v = 0;
    for (size_t k = at + 2; k < at + 6; k++) {
        if (k >= len) return -2; /* cut off by the end of the input */
        unsigned h = (unsigned char)s[k];
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

/* 1 when one of the 16 bytes at p is not plain (see json_plain). Read as signed chars, the control
 * characters and the bytes >= 0x80 are exactly those below 0x20. GCC's and clang's vector
 * extension: SSE2 on x86-64, NEON on arm64, plain code elsewhere. */
typedef signed char json_v16 __attribute__((vector_size(16)));
#define JSON_V16_INLINE static inline __attribute__((always_inline))
JSON_V16_INLINE json_v16 json_v16_hits(const unsigned char *p)
{
    json_v16 v;
    memcpy(&v, p, sizeof v);
    return (v < 0x20) | (v == '"') | (v == '\\');
}
JSON_V16_INLINE int json_v16_any(json_v16 hit)
{
    uint64_t h[2];
    memcpy(h, &hit, sizeof h);
    return (h[0] | h[1]) != 0;
}
JSON_V16_INLINE int json_v16_special(const unsigned char *p)
{
    return json_v16_any(json_v16_hits(p));
}
/* The same test over 64 bytes: four 16-byte tests and one branch, for long runs of plain text. */
JSON_V16_INLINE int json_v64_special(const unsigned char *p)
{
    return json_v16_any(json_v16_hits(p) | json_v16_hits(p + 16) | json_v16_hits(p + 32) |
                        json_v16_hits(p + 48));
}

/* The string whose opening quote is at `at`, the `ordinal`-th of the text: escapes well formed,
 * surrogates paired, no raw control character, valid UTF-8 (everything cJSON's string reader
 * would refuse, and what it would take: `\u12g4`, raw control bytes, invalid UTF-8). On success
 * *end is its closing quote. */
static int json_scan_string(json_scan_t *c, size_t at, size_t *end)
{
    const unsigned char *u = (const unsigned char *)c->s;
    size_t i = at + 1, len = c->len;
    int escaped = 0;
    char d[16];
    for (;;) {
        /* The common case: printable ASCII, 16 bytes at a time (64 once the first 16 were plain:
         * a long text, not a key), then one table look-up a byte. */
        if (i + 16 <= len && !json_v16_special(u + i)) {
            i += 16;
            while (i + 64 <= len && !json_v64_special(u + i))
                i += 64;
            while (i + 16 <= len && !json_v16_special(u + i))
                i += 16;
        }
        while (i < len && json_plain[u[i]])
            i++;
        if (i >= len) return SCAN_FAIL(c, at, at, "unterminated string");
        unsigned b = u[i];
        if (b == '"') break;
        if (b < 0x20)
            return SCAN_FAIL(c, at, i, "unescaped control character (byte 0x%02X) in string", b);
        if (b >= 0x80) {
            do { /* a run of multi-byte characters (a script other than Latin) in one go */
                uint32_t cp;
                size_t n = utf8_decode(c->s + i, len - i, &cp);
                if (cp == UTF8_INVALID) return SCAN_FAIL(c, at, i, "invalid UTF-8 in string");
                i += n;
            } while (i < len && u[i] >= 0x80);
            continue;
        }
        /* An escape. */
        escaped = 1;
        if (i + 1 >= len) return SCAN_FAIL(c, at, at, "unterminated string");
        unsigned e = u[i + 1];
        if (e != 'u') {
            if (!strchr("\"\\/bfnrt", (int)e) || !e) {
                if (e > 0x20 && e < 0x7F)
                    return SCAN_FAIL(c, at, i, "invalid escape '\\%c' in string", (char)e);
                return SCAN_FAIL(c, at, i, "invalid escape: '\\' followed by %s in string",
                                 json_describe(e, d));
            }
            i += 2;
            continue;
        }
        long v = json_hex4(c->s, len, i);
        if (v == -2) return SCAN_FAIL(c, at, at, "unterminated string");
        if (v < 0) return SCAN_FAIL(c, at, i, "invalid \\u escape in string (needs 4 hex digits)");
        if (v >= 0xDC00 && v <= 0xDFFF)
            return SCAN_FAIL(c, at, i, "unpaired surrogate in \\u escape");
        if (v >= 0xD800 && v <= 0xDBFF) {
            size_t lo = i + 6;
            if (lo >= len || (lo + 1 >= len && u[lo] == '\\'))
                return SCAN_FAIL(c, at, at, "unterminated string");
            if (u[lo] != '\\' || u[lo + 1] != 'u')
                return SCAN_FAIL(c, at, i, "unpaired surrogate in \\u escape");
            long w = json_hex4(c->s, len, lo);
            if (w == -2) return SCAN_FAIL(c, at, at, "unterminated string");
            if (w < 0)
                return SCAN_FAIL(c, at, lo, "invalid \\u escape in string (needs 4 hex digits)");
            if (w < 0xDC00 || w > 0xDFFF)
                return SCAN_FAIL(c, at, i, "unpaired surrogate in \\u escape");
            i += 12;
            continue;
        }
        i += 6;
    }
    json_span_add(c->p, at + 1, i - at - 1, escaped ? JSON_SPAN_ESCAPED : JSON_SPAN_STRING);
    *end = i;
    return JSON_OK;
}

/* The bytes cJSON's number reader takes: it hands the longest run of them to strtod. */
static const unsigned char json_numchar[256] = {
    ['+'] = 1, ['-'] = 1, ['.'] = 1, ['0' ... '9'] = 1, ['E'] = 1, ['e'] = 1,
};

/* A number run that stops at u[i] where a digit is needed. */
static int json_scan_want_digit(json_scan_t *c, size_t at, size_t i, const char *where)
{
    char d[16];
    if (i >= c->len) return SCAN_FAIL(c, at, c->len, "unexpected end of input");
    return SCAN_FAIL(c, at, i, "invalid number: expected a digit %s, found %s", where,
                     json_describe((unsigned char)c->s[i], d));
}

/* The number at `at` (a '-' or a digit between strings): the longest run of the bytes cJSON's
 * number reader takes, which is the whole text of the number cJSON reads here whenever cJSON and
 * this scan both accept the document. Checks RFC 8259's grammar (strtod also reads `01`, `1.` and
 * `1.e5`) and notes the text. On success *end is the first byte after it. */
static int json_scan_number(json_scan_t *c, size_t at, size_t *end)
{
    const unsigned char *u = (const unsigned char *)c->s;
    size_t n = at, i = at;
    while (n < c->len && json_numchar[u[n]])
        n++;
    int is_float = 0;
    if (u[i] == '-') i++;
    if (i == n || !json_isdigit(u[i])) return json_scan_want_digit(c, at, i, "after '-'");
    if (u[i] == '0' && i + 1 < n && json_isdigit(u[i + 1]))
        return SCAN_FAIL(c, at, i, "invalid number: leading zeros are not allowed");
    while (i < n && json_isdigit(u[i]))
        i++;
    if (i < n && u[i] == '.') {
        is_float = 1;
        if (++i == n || !json_isdigit(u[i])) return json_scan_want_digit(c, at, i, "after '.'");
        while (i < n && json_isdigit(u[i]))
            i++;
    }
    if (i < n && (u[i] == 'e' || u[i] == 'E')) {
        is_float = 1;
        if (++i < n && (u[i] == '+' || u[i] == '-')) i++;
        if (i == n || !json_isdigit(u[i])) return json_scan_want_digit(c, at, i, "in the exponent");
        while (i < n && json_isdigit(u[i]))
            i++;
    }
    if (i < n) return SCAN_FAIL(c, at, i, "invalid number: unexpected '%c'", (char)u[i]);
    json_span_add(c->p, at, n - at, is_float ? JSON_SPAN_FLOAT : JSON_SPAN_INT);
    *end = n;
    return JSON_OK;
}

/* Classes of the bytes between strings. cJSON skips every byte <= 0x20 as whitespace, and a BOM;
 * the rest it checks itself (SC_OTHER: letters, ',', ':', and what cJSON refuses). */
enum { SC_OTHER, SC_SPACE, SC_QUOTE, SC_NUMBER, SC_OPEN, SC_CLOSE, SC_CONTROL, SC_HIGH };
static const unsigned char json_between[256] = {
    [0x00 ... 0x08] = SC_CONTROL,
    ['\t'] = SC_SPACE,
    ['\n'] = SC_SPACE,
    [0x0B ... 0x0C] = SC_CONTROL,
    ['\r'] = SC_SPACE,
    [0x0E ... 0x1F] = SC_CONTROL,
    [' '] = SC_SPACE,
    ['"'] = SC_QUOTE,
    ['-'] = SC_NUMBER,
    ['0' ... '9'] = SC_NUMBER,
    ['['] = SC_OPEN,
    ['{'] = SC_OPEN,
    [']'] = SC_CLOSE,
    ['}'] = SC_CLOSE,
    [0x80 ... 0xFF] = SC_HIGH,
};

/* Scan all of s[0..len). Returns JSON_OK, or JSON_INVALID with c->err and c->token set at the
 * first problem. Brackets are only counted, for the depth limit: cJSON checks that they match. */
static int json_scan(json_scan_t *c)
{
    const unsigned char *u = (const unsigned char *)c->s;
    size_t i = 0, depth = 0, end = 0;
    int rc;
    while (i < c->len) {
        unsigned b = u[i];
        switch (json_between[b]) {
        case SC_QUOTE:
            if ((rc = json_scan_string(c, i, &end)) != JSON_OK) return rc;
            i = end + 1;
            break;
        case SC_NUMBER:
            if ((rc = json_scan_number(c, i, &end)) != JSON_OK) return rc;
            i = end;
            break;
        case SC_OPEN:
            if (++depth > c->max_depth)
                return SCAN_FAIL(c, i, i, "nesting deeper than %zu levels", c->max_depth);
            i++;
            break;
        case SC_CLOSE:
            if (depth) depth--;
            i++;
            break;
        case SC_CONTROL:
            return SCAN_FAIL(c, i, i, "unexpected control character (byte 0x%02X) outside a string",
                             b);
        case SC_HIGH:
            if (i == 0 && c->len >= 3 && memcmp(u, "\xEF\xBB\xBF", 3) == 0)
                return SCAN_FAIL(c, 0, 0, "unexpected byte order mark (EF BB BF)");
            return SCAN_FAIL(c, i, i, "unexpected byte 0x%02X outside a string", b);
        default:
            i++;
        }
    }
    return JSON_OK;
}

/* ---- where and why cJSON refused the text --------------------------------------------------- */

/* cJSON gives only an offset, and a rough one: at the end of the input it points at the last byte,
 * and for an object key that does not start with '"' one byte past it. The helpers below, used
 * on failure only, look at the bytes around that offset (which lies between tokens, in the part of
 * the text cJSON read without complaint) to name the problem. */

/* Offset of the last byte before `at` that cJSON does not skip as whitespace, or SIZE_MAX. */
static size_t json_before(const unsigned char *u, size_t at)
{
    while (at > 0)
        if (u[--at] > 0x20) return at;
    return SIZE_MAX;
}

/* Offset of the '[' or '{' of the container that holds offset `at`, or SIZE_MAX at the top level.
 * Two passes counting brackets outside strings: the depth at `at`, then the last bracket that
 * opened that depth. */
static size_t json_container(const unsigned char *u, size_t at)
{
    size_t want = 0, open = SIZE_MAX;
    for (int pass = 0; pass < 2; pass++) {
        size_t depth = 0;
        for (size_t i = 0; i < at; i++) {
            unsigned b = u[i];
            if (b == '"') {
                for (i++; i < at && u[i] != '"'; i++)
                    if (u[i] == '\\') i++;
            } else if (b == '[' || b == '{') {
                if (++depth == want && pass == 1) open = i;
            } else if ((b == ']' || b == '}') && depth) {
                depth--;
            }
        }
        want = depth;
    }
    return open;
}

/* 1 when offset `at` lies directly inside an object. */
static int json_in_object(const unsigned char *u, size_t at)
{
    size_t open = json_container(u, at);
    return open != SIZE_MAX && u[open] == '{';
}

/* 1 when the string whose closing quote is at `close` is an object key: what comes before its
 * opening quote is '{' or ','. (Inside a string every '"' follows an odd run of backslashes.) */
static int json_is_key(const unsigned char *u, size_t close)
{
    size_t open = close;
    while (open > 0) {
        open--;
        if (u[open] != '"') continue;
        size_t k = open;
        while (k > 0 && u[k - 1] == '\\')
            k--;
        if ((open - k) % 2 == 0) break;
    }
    size_t before = json_before(u, open);
    return before != SIZE_MAX && (u[before] == '{' || u[before] == ',');
}

/* A word at `at` that is not true, false or null, or one with letters after it ("nulll"): the
 * error is at its first letter, or at the end of the input when the input ends inside one of
 * them ("tru"). */
static int json_bad_literal(const char *s, size_t len, size_t at, json_error_t *err)
{
    static const char *const words[] = {"true", "false", "null"};
    const unsigned char *u = (const unsigned char *)s;
    while (at > 0 && json_isletter(u[at - 1]))
        at--;
    size_t n = at;
    while (n < len && json_isletter(u[n]))
        n++;
    for (int k = 0; k < 3 && n == len; k++)
        if (len - at < strlen(words[k]) && memcmp(s + at, words[k], len - at) == 0)
            return json_fail_at(s, err, len, "unexpected end of input");
    return json_fail_at(s, err, at, "invalid literal");
}

/* cJSON refused s[0..len) with its error offset at `stop`. Fills *err, and for the choice
 * between this error and the scan's sets *at to where cJSON stopped (len: at the end of the input)
 * and *key when that was an object key that is not a string, *value when it was where a value
 * starts. */
static void json_refused(const char *s, size_t len, size_t stop, json_error_t *err, size_t *at,
                         int *key, int *value)
{
    const unsigned char *u = (const unsigned char *)s;
    char d[16];
    /* At the last byte: that byte, or the end of the input? Ask cJSON again with a byte after the
     * text that continues no JSON value ('#'): an offset at or past it is the end of the input. */
    if (len > 0 && stop == len - 1) {
        char *t = malloc(len + 1);
        if (t) {
            memcpy(t, s, len);
            t[len] = '#';
            const char *again_end = NULL;
            if (!json_cjson_reads(t, len + 1, &again_end) && again_end)
                stop = (size_t)(again_end - t);
            free(t);
        }
    }
    if (stop > len) stop = len;
    *key = *value = 0;
    *at = stop;
    /* An object key that is not a string: cJSON's offset is one past its first byte. */
    if (stop > 0) {
        size_t k = stop - 1, before = json_before(u, k);
        if (u[k] > 0x20 && u[k] != '"' && before != SIZE_MAX &&
            ((u[before] == '{' && u[k] != '}') || /* "{}" is an empty object */
             (u[before] == ',' && json_in_object(u, before)))) {
            *key = 1;
            *at = k;
            if (u[k] == '}') /* "{...,}": '}' after '{' would have been an empty object */
                json_fail_at(s, err, before, "trailing comma in object");
            else if (u[k] == '/')
                json_fail_at(s, err, k, "comments are not allowed in JSON");
            else
                json_fail_at(s, err, k, "expected a string as object key, found %s",
                             json_describe(u[k], d));
            return;
        }
    }
    if (stop == len) {
        json_fail_at(s, err, len, "unexpected end of input");
        return;
    }
    unsigned b = u[stop];
    size_t before = json_before(u, stop);
    /* After '[', ':' or ',' (in an array: after ',' in an object comes a key, see above). */
    int want_value = before == SIZE_MAX || u[before] == '[' || u[before] == ':' || u[before] == ',';
    *value = want_value;
    if (b == '/') {
        json_fail_at(s, err, stop, "comments are not allowed in JSON");
    } else if (json_isletter(b) && (want_value || json_isletter(u[stop - 1]))) {
        json_bad_literal(s, len, stop, err);
    } else if (want_value) {
        if (b == ']' && before != SIZE_MAX && u[before] == ',')
            json_fail_at(s, err, before, "trailing comma in array");
        else if (b == '+')
            json_fail_at(s, err, stop, "invalid number: a leading '+' is not allowed");
        else if (b == '.')
            json_fail_at(s, err, stop, "invalid number: expected a digit before '.'");
        else
            json_fail_at(s, err, stop, "expected a value, found %s", json_describe(b, d));
    } else {
        size_t open = json_container(u, stop);
        if (open == SIZE_MAX)
            json_fail_at(s, err, stop, "unexpected %s", json_describe(b, d));
        else if (u[open] == '[')
            json_fail_at(s, err, stop, "expected ',' or ']' after array element, found %s",
                         json_describe(b, d));
        else if (u[before] == '"' && json_is_key(u, before))
            json_fail_at(s, err, stop, "expected ':' after object key, found %s",
                         json_describe(b, d));
        else
            json_fail_at(s, err, stop, "expected ',' or '}' after object member, found %s",
                         json_describe(b, d));
    }
}

/* cJSON read a whole value and stopped at s[at], which is not whitespace. */
static int json_trailing(const char *s, size_t len, size_t at, json_error_t *err)
{
    const unsigned char *u = (const unsigned char *)s;
    char d[16];
    if (u[at] == '/') return json_fail_at(s, err, at, "comments are not allowed in JSON");
    if (json_isletter(u[at]) && at > 0 && json_isletter(u[at - 1]))
        return json_bad_literal(s, len, at, err);
    return json_fail_at(s, err, at, "unexpected %s after the JSON value", json_describe(u[at], d));
}

/* ---- the tape: the document's events, checked, before any is told ---------------------------- */

/* One event of the document, in order. A container's begin and end both hold its member count
 * (the begin's grows while the container is read). */
enum {
    JT_BEGIN_OBJECT,
    JT_END_OBJECT,
    JT_BEGIN_ARRAY,
    JT_END_ARRAY,
    JT_KEY,
    JT_STRING,
    JT_INTEGER,
    JT_DOUBLE,
    JT_TRUE,
    JT_FALSE,
    JT_NULL
};
struct json_tape {
    int kind;
    size_t n; /* containers: members; keys and strings: their span */
    union {
        long long i;
        double d;
    } v;
};

static size_t json_tape_add(json_parser_t *p, int kind, size_t n)
{
    if (p->ntape == p->tape_cap) p->tape = json_grow(p->tape, &p->tape_cap, sizeof *p->tape);
    p->tape[p->ntape] = (struct json_tape){kind, n, {0}};
    return p->ntape++;
}

/* The integer literal t[0..n) ('-'? digits) as int64, or -1 when it does not fit. */
static int json_span_integer(const char *t, size_t n, long long *out)
{
    int neg = t[0] == '-';
    unsigned long long v = 0, lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    int small = n - (size_t)neg <= 18; /* below 10^18: fits, no overflow check needed */
    for (size_t i = (size_t)neg; i < n; i++) {
        unsigned d = (unsigned)(t[i] - '0');
        if (!small && v > (lim - d) / 10) return -1;
        v = v * 10 + d;
    }
    *out = !neg ? (long long)v : v == lim ? LLONG_MIN : -(long long)v;
    return 0;
}

/* Room for len bytes and a NUL in p's string buffer, whose memory is written directly (its len
 * stays 0): it grows only for a text longer than any before. */
static char *json_str_room(json_parser_t *p, size_t len)
{
    if (p->str.cap <= len) buf_reserve(&p->str, len);
    return p->str.data;
}

/* strtod in the "C" locale, whatever locale the process has set: the decimal point is '.'. */
static locale_t json_c_locale;
static void json_c_locale_init(void)
{
    json_c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* The number of span sp (its text checked by the scan) onto tape entry t: an int64 when it is an
 * integer literal that fits, else a double, as strtod reads it (cJSON's reading). Sets *inf_at
 * to its offset when it is the document's first number out of the double range. A literal too
 * long for the stack is copied into p's string buffer, which the tape does not use until its
 * events are told. */
static void json_tape_number(json_parser_t *p, struct json_tape *t, const char *s,
                             const struct json_span *sp, size_t *inf_at)
{
    const char *lit = s + sp->start;
    if (sp->kind == JSON_SPAN_INT && json_span_integer(lit, sp->len, &t->v.i) == 0) {
        t->kind = JT_INTEGER;
        return;
    }
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, json_c_locale_init);
    char small[64], *text = sp->len < sizeof small ? small : json_str_room(p, sp->len);
    memcpy(text, lit, sp->len); /* the literal ends the input, or a byte strtod must not read */
    text[sp->len] = '\0';
    t->kind = JT_DOUBLE;
    t->v.d = json_c_locale ? strtod_l(text, NULL, json_c_locale) : strtod(text, NULL);
    if (isinf(t->v.d) && *inf_at == SIZE_MAX) *inf_at = sp->start;
}

/* The scan's k-th note when it is a string (or a number) whose text starts at `start`, else NULL:
 * the tape and the scan must meet every token at the same place. */
static const struct json_span *json_span_at(const json_parser_t *p, size_t k, int string,
                                            size_t start)
{
    if (k >= p->nspans) return NULL;
    const struct json_span *sp = &p->spans[k];
    return (sp->kind >= JSON_SPAN_STRING) == string && sp->start == start ? sp : NULL;
}

static size_t json_skip_space(const unsigned char *u, size_t i, size_t len)
{
    while (i < len && json_isspace(u[i]))
        i++;
    return i;
}

/* Reads the structure of s[0..len), whose strings, numbers and bytes between tokens the scan has
 * checked and noted (p->spans), into p->tape. Returns 0, or -1 when the text is not one JSON
 * value (the caller then asks cJSON where it goes wrong). *inf_at: see json_tape_number. */
static int json_tape_build(json_parser_t *p, const char *s, size_t len, size_t *inf_at)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, next_span = 0, depth = 0;
    p->ntape = 0;
    *inf_at = SIZE_MAX;
    for (;;) {
        /* a value starts here */
        i = json_skip_space(u, i, len);
        if (i >= len) return -1;
        unsigned b = u[i];
        if (b == '{' || b == '[') {
            if (depth == p->stack_cap)
                p->stack = json_grow(p->stack, &p->stack_cap, sizeof *p->stack);
            p->stack[depth++] = json_tape_add(p, b == '{' ? JT_BEGIN_OBJECT : JT_BEGIN_ARRAY, 0);
            i = json_skip_space(u, i + 1, len);
            if (i < len && u[i] == (b == '{' ? '}' : ']')) {
                json_tape_add(p, b == '{' ? JT_END_OBJECT : JT_END_ARRAY, 0);
                depth--;
                i++;
            } else if (b == '{') {
                goto key;
            } else {
                continue;
            }
        } else if (b == '"') {
            const struct json_span *sp = json_span_at(p, next_span, 1, i + 1);
            if (!sp) return -1;
            json_tape_add(p, JT_STRING, next_span++);
            i = sp->start + sp->len + 1;
        } else if (b == '-' || json_isdigit(b)) {
            const struct json_span *sp = json_span_at(p, next_span, 0, i);
            if (!sp) return -1;
            next_span++;
            size_t t = json_tape_add(p, JT_NULL, 0); /* (the tape may move: index it after) */
            json_tape_number(p, &p->tape[t], s, sp, inf_at);
            i += sp->len;
        } else if (b == 't' && len - i >= 4 && memcmp(s + i, "true", 4) == 0) {
            json_tape_add(p, JT_TRUE, 0);
            i += 4;
        } else if (b == 'f' && len - i >= 5 && memcmp(s + i, "false", 5) == 0) {
            json_tape_add(p, JT_FALSE, 0);
            i += 5;
        } else if (b == 'n' && len - i >= 4 && memcmp(s + i, "null", 4) == 0) {
            json_tape_add(p, JT_NULL, 0);
            i += 4;
        } else {
            return -1;
        }
        /* a value ended: what follows it in its container */
        for (;;) {
            if (depth == 0)
                return json_skip_space(u, i, len) == len && next_span == p->nspans ? 0 : -1;
            struct json_tape *open = &p->tape[p->stack[depth - 1]];
            int object = open->kind == JT_BEGIN_OBJECT;
            open->n++;
            i = json_skip_space(u, i, len);
            if (i >= len) return -1;
            if (u[i] == ',') {
                i++;
                if (object) goto key;
                break; /* the next element */
            }
            if (u[i] != (object ? '}' : ']')) return -1;
            size_t members = open->n;
            json_tape_add(p, object ? JT_END_OBJECT : JT_END_ARRAY, members);
            depth--;
            i++;
        }
        continue;
    key:
        i = json_skip_space(u, i, len);
        if (i >= len || u[i] != '"') return -1;
        const struct json_span *sp = json_span_at(p, next_span, 1, i + 1);
        if (!sp) return -1;
        json_tape_add(p, JT_KEY, next_span++);
        i = json_skip_space(u, sp->start + sp->len + 1, len);
        if (i >= len || u[i] != ':') return -1;
        i++;
    }
}

/* The bytes of string span sp (checked by the scan), escapes decoded, in p's string buffer with a
 * NUL after them; *n: how many. */
static const char *json_tape_string(json_parser_t *p, const char *s, const struct json_span *sp,
                                    size_t *n)
{
    /* Decoding never lengthens ("\n" is 1 byte, "\u00e9" 2). */
    const char *t = s + sp->start;
    char *out = json_str_room(p, sp->len);
    if (sp->kind == JSON_SPAN_STRING) {
        memcpy(out, t, sp->len);
        out[sp->len] = '\0';
        *n = sp->len;
        return out;
    }
    size_t i = 0, o = 0;
    while (i < sp->len) {
        const char *bs = memchr(t + i, '\\', sp->len - i);
        size_t run = bs ? (size_t)(bs - (t + i)) : sp->len - i;
        memcpy(out + o, t + i, run);
        o += run;
        i += run;
        if (i >= sp->len) break;
        char e = t[i + 1];
        if (e != 'u') {
            out[o++] = e == 'b'   ? '\b'
                       : e == 'f' ? '\f'
                       : e == 'n' ? '\n'
                       : e == 'r' ? '\r'
                       : e == 't' ? '\t'
                                  : e;
            i += 2;
            continue;
        }
        uint32_t cp = (uint32_t)json_hex4(t, sp->len, i); /* (checked by the scan) */
        i += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) { /* the scan checked that a low surrogate follows */
            cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)json_hex4(t, sp->len, i) - 0xDC00);
            i += 6;
        }
        o += utf8_encode(cp, out + o);
    }
    out[o] = '\0';
    *n = o;
    return out;
}

#define TAPE_EMIT(cb, ...) (sax->cb ? sax->cb(ud, __VA_ARGS__) : 0)
#define TAPE_EMIT0(cb) (sax->cb ? sax->cb(ud) : 0)

/* Tells the tape's events to sax. Returns 0, or what the callback that aborted returned. */
static int json_tape_emit(json_parser_t *p, const char *s, const json_sax_t *sax, void *ud)
{
    int rc = 0;
    for (size_t k = 0; k < p->ntape && rc == 0; k++) {
        const struct json_tape *t = &p->tape[k];
        switch (t->kind) {
        case JT_BEGIN_OBJECT:
            rc = TAPE_EMIT(on_begin_object, t->n);
            break;
        case JT_END_OBJECT:
            rc = TAPE_EMIT(on_end_object, t->n);
            break;
        case JT_BEGIN_ARRAY:
            rc = TAPE_EMIT(on_begin_array, t->n);
            break;
        case JT_END_ARRAY:
            rc = TAPE_EMIT(on_end_array, t->n);
            break;
        case JT_KEY:
        case JT_STRING: {
            int (*cb)(void *, const char *, size_t) =
                t->kind == JT_KEY ? sax->on_key : sax->on_string;
            if (cb) {
                size_t n;
                const char *str = json_tape_string(p, s, &p->spans[t->n], &n);
                rc = cb(ud, str, n);
            }
            break;
        }
        case JT_INTEGER:
            rc = TAPE_EMIT(on_integer, t->v.i);
            break;
        case JT_DOUBLE:
            rc = TAPE_EMIT(on_double, t->v.d);
            break;
        case JT_TRUE:
            rc = TAPE_EMIT(on_bool, 1);
            break;
        case JT_FALSE:
            rc = TAPE_EMIT(on_bool, 0);
            break;
        default:
            rc = TAPE_EMIT0(on_null);
            break;
        }
    }
    return rc;
}

/* ---- the parser ----------------------------------------------------------------------------- */

void json_parser_init(json_parser_t *p)
{
    memset(p, 0, sizeof *p);
}

void json_parser_free(json_parser_t *p)
{
    free(p->spans);
    free(p->tape);
    free(p->stack);
    buf_free(&p->str);
    json_parser_init(p);
}

int json_parser_parse(json_parser_t *p, const char *s, size_t len, const json_sax_t *sax, void *ud,
                      int max_depth, json_error_t *err)
{
    if (max_depth <= 0) max_depth = JSON_DEFAULT_MAX_DEPTH;
    if (max_depth > JSON_MAX_DEPTH_LIMIT) max_depth = JSON_MAX_DEPTH_LIMIT;
    p->nspans = 0;
    json_error_t scan_err;
    json_scan_t sc = {p, s, len, (size_t)max_depth, 0, &scan_err};
    int scanned = json_scan(&sc);
    if (scanned == JSON_OK) {
        size_t inf_at;
        if (json_tape_build(p, s, len, &inf_at) == 0) {
            if (inf_at != SIZE_MAX) return json_fail_at(s, err, inf_at, "number out of range");
            int rc = sax ? json_tape_emit(p, s, sax, ud) : 0;
            if (rc == 0) return JSON_OK;
            if (err) {
                memset(err, 0, sizeof *err);
                snprintf(err->message, sizeof err->message, "aborted by callback");
            }
            return JSON_ABORTED;
        }
    }
    if (!err) return JSON_INVALID; /* nobody asks where */

    /* The text is not valid JSON: cJSON tells where its structure goes wrong. cJSON reads no byte
     * past len; its parse end is just after the value. */
    const char *end = NULL;
    int read = json_cjson_reads(s, len, &end);
    size_t stop = end && end >= s && end <= s + len ? (size_t)(end - s) : 0;
    if (!read) {
        json_error_t refused;
        size_t at;
        int key, value;
        json_refused(s, len, stop, &refused, &at, &key, &value);
        /* The earlier of the two. When cJSON stopped inside the token the scan refused, or at its
         * first byte where a value starts (`-x`, a nesting too deep), the scan's error says what
         * is wrong with it; when cJSON stopped at that byte anywhere else (`1 -x`, `{-x:1}`) the
         * token is misplaced, whatever is wrong inside it. */
        int scan_first = scanned != JSON_OK && (sc.token < at || (sc.token == at && value));
        *err = scan_first ? scan_err : refused;
        return JSON_INVALID;
    }
    while (stop < len && json_isspace((unsigned char)s[stop]))
        stop++;
    if (stop < len && !(scanned != JSON_OK && sc.token < stop))
        return json_trailing(s, len, stop, err);
    if (scanned != JSON_OK) {
        *err = scan_err;
        return JSON_INVALID;
    }
    /* cannot happen: cJSON and the scan accept what the tape refused */
    return json_fail_at(s, err, 0, "internal error: the text's structure was read two ways");
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

/* The end of the run from i of bytes a JSON string holds as they are (printable ASCII other than
 * '"' and '\\'): sixty-four, then sixteen bytes at a time with the scan's vector test
 * (json_v16_special: these are its plain bytes), then eight at a time while a word has none of the
 * others, then byte by byte. In a word, a byte below 0x20 sets its top bit in w - 0x20.., a byte
 * from 0x80 has it set in w, and a '"' or '\\' is a zero byte of w ^ 0x22.. or w ^ 0x5c.. (found by
 * x - 0x01.. & ~x). A borrow can flag a clean byte above a flagged one, never hide one: a flagged
 * word is scanned byte by byte. */
static size_t plain_run(const unsigned char *u, size_t i, size_t len)
{
    const uint64_t ones = 0x0101010101010101u, tops = 0x8080808080808080u;
    while (len - i >= 64 && !json_v64_special(u + i))
        i += 64;
    while (len - i >= 16 && !json_v16_special(u + i))
        i += 16;
    while (len - i >= 8) {
        uint64_t w;
        memcpy(&w, u + i, 8);
        uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
        if ((w | (w - ones * 0x20) | ((q - ones) & ~q) | ((bs - ones) & ~bs)) & tops) break;
        i += 8;
    }
    while (i < len && u[i] >= 0x20 && u[i] < 0x80 && u[i] != '"' && u[i] != '\\')
        i++;
    return i;
}

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
        i = plain_run(u, i, len);
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
    /* Digits from the right into a small buffer: printf's machinery cost more than the rest of
     * encoding a small object such as a call's settings ({"max_tokens":16}). */
    char tmp[24], *p = tmp + sizeof tmp;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
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
