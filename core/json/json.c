/* json: strict RFC 8259 SAX parser and encoder helpers. See json.h for the contract. */
#define _POSIX_C_SOURCE 200809L

#include "json.h"

#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct json_frame {
    size_t count;  /* members / elements completed so far */
    int is_object; /* 1 for '{', 0 for '[' */
};

/* State of one parse; lives on the C stack of json_parser_parse. */
typedef struct json_ps {
    json_parser_t *p;
    const unsigned char *s;
    size_t len;
    size_t pos;
    const json_sax_t *sax;
    void *ud;
    json_error_t *err;
} json_ps_t;

enum { JSON_ST_VALUE, JSON_ST_KEY, JSON_ST_AFTER };

/* ---- UTF-8 ---------------------------------------------------------------------------------- */

/* Length (1-4) of the valid UTF-8 sequence at p[0..n), or 0 if it is invalid or truncated.
 * The ranges are RFC 3629's table, which excludes overlong forms, surrogates and > U+10FFFF. */
static size_t json_utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0; /* stray continuation byte, or C0/C1 (always overlong) */
    if (c < 0xE0) return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80; /* E0 80..9F would be overlong */
        unsigned hi = c == 0xED ? 0x9F : 0xBF; /* ED A0..BF would be a surrogate */
        if (n < 3 || p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80) return 0;
        return 3;
    }
    if (c < 0xF5) {
        unsigned lo = c == 0xF0 ? 0x90 : 0x80; /* F0 80..8F would be overlong */
        unsigned hi = c == 0xF4 ? 0x8F : 0xBF; /* F4 90.. would be above U+10FFFF */
        if (n < 4 || p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        return 4;
    }
    return 0; /* F5..FF never appear in UTF-8 */
}

size_t json_utf8_prefix(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = json_utf8_seq(u + i, len - i);
        if (!n) break;
        i += n;
    }
    return i;
}

int json_utf8_valid(const char *s, size_t len)
{
    return json_utf8_prefix(s, len) == len;
}

/* Append code point cp (<= 0x10FFFF, not a surrogate) as UTF-8. */
static void json_put_utf8(buf_t *b, unsigned long cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    buf_append(b, u, n);
}

/* ---- errors --------------------------------------------------------------------------------- */

static int json_fail(json_ps_t *ps, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record an error at byte `at` (<= len) and return JSON_INVALID. */
static int json_fail(json_ps_t *ps, size_t at, const char *fmt, ...)
{
    json_error_t *e = ps->err;
    if (!e) return JSON_INVALID;
    size_t line = 1, line_start = 0;
    for (size_t i = 0; i < at; i++) /* only on failure, so a linear scan is fine */
        if (ps->s[i] == '\n') {
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

static int json_abort(json_ps_t *ps, size_t at)
{
    json_fail(ps, at, "aborted by callback");
    return JSON_ABORTED;
}

static int json_eof(json_ps_t *ps)
{
    return json_fail(ps, ps->len, "unexpected end of input");
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

/* The error for an unexpected byte at pos: comments get their own message since they are the
 * commonest non-JSON extension met in hand-written files. */
static int json_unexpected(json_ps_t *ps, const char *what)
{
    char d[16];
    unsigned c = ps->s[ps->pos];
    if (c == '/') return json_fail(ps, ps->pos, "comments are not allowed in JSON");
    return json_fail(ps, ps->pos, "%s, found %s", what, json_describe(c, d));
}

/* ---- tokens --------------------------------------------------------------------------------- */

static void json_skip_ws(json_ps_t *ps)
{
    while (ps->pos < ps->len) {
        unsigned c = ps->s[ps->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        ps->pos++;
    }
}

static int json_hexval(unsigned c)
{
    if (c >= '0' && c <= '9') return (int)(c - '0');
    if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
    return -1;
}

/* Read the four hex digits of the \u escape whose backslash is at `at`. */
static int json_hex4(json_ps_t *ps, size_t at, unsigned long *out)
{
    unsigned long v = 0;
    for (size_t k = 0; k < 4; k++) {
        size_t i = at + 2 + k;
        if (i >= ps->len) return json_eof(ps);
        int h = json_hexval(ps->s[i]);
        if (h < 0) return json_fail(ps, at, "invalid \\u escape in string (needs 4 hex digits)");
        v = v * 16 + (unsigned long)h;
    }
    *out = v;
    return JSON_OK;
}

/* Decode the \uXXXX escape (or surrogate pair) whose backslash is at *at into the scratch
 * buffer and move *at past it. Lone surrogates cannot be written as UTF-8, so they are errors. */
static int json_u_escape(json_ps_t *ps, size_t *at)
{
    const unsigned char *s = ps->s;
    size_t len = ps->len, i = *at, next = i + 6;
    unsigned long cp, lo;
    int rc = json_hex4(ps, i, &cp);
    if (rc) return rc;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return json_fail(ps, i, "unpaired surrogate in \\u escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        /* A high surrogate must be followed at once by an escaped low surrogate. */
        if (next < len && s[next] != '\\')
            return json_fail(ps, i, "unpaired surrogate in \\u escape");
        if (next + 1 >= len) return json_eof(ps);
        if (s[next + 1] != 'u') return json_fail(ps, i, "unpaired surrogate in \\u escape");
        if ((rc = json_hex4(ps, next, &lo))) return rc;
        if (lo < 0xDC00 || lo > 0xDFFF) return json_fail(ps, i, "unpaired surrogate in \\u escape");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        next += 6;
    }
    json_put_utf8(&ps->p->scratch, cp);
    *at = next;
    return JSON_OK;
}

/* Decode the string whose opening quote is at pos into the scratch buffer; pos ends after the
 * closing quote. */
static int json_string(json_ps_t *ps)
{
    const unsigned char *s = ps->s;
    size_t len = ps->len, i = ps->pos + 1;
    buf_t *sb = &ps->p->scratch;
    int rc;
    buf_reset(sb);
    for (;;) {
        size_t run = i;
        /* Copy plain bytes (printable ASCII and valid multi-byte UTF-8) in one append. */
        while (i < len) {
            unsigned c = s[i];
            if (c >= 0x80) {
                size_t n = json_utf8_seq(s + i, len - i);
                if (!n) break;
                i += n;
            } else if (c >= 0x20 && c != '"' && c != '\\') {
                i++;
            } else {
                break;
            }
        }
        if (i > run) buf_append(sb, s + run, i - run);
        if (i >= len) return json_eof(ps);
        unsigned c = s[i];
        if (c == '"') break;
        if (c >= 0x80) return json_fail(ps, i, "invalid UTF-8 in string");
        if (c < 0x20) {
            char d[16];
            return json_fail(ps, i, "unescaped control character (%s) in string",
                             json_describe(c, d));
        }
        /* c == '\\' */
        if (i + 1 >= len) return json_eof(ps);
        unsigned e = s[i + 1];
        /* Two-character escapes: the byte after '\\' and what it stands for. */
        static const char short_from[] = "\"\\/bfnrt", short_to[] = "\"\\/\b\f\n\r\t";
        const char *hit = e ? strchr(short_from, (int)e) : NULL;
        if (hit) {
            buf_putc(sb, short_to[hit - short_from]);
            i += 2;
            continue;
        }
        if (e != 'u') {
            if (e > 0x20 && e < 0x7F)
                return json_fail(ps, i, "invalid escape '\\%c' in string", (char)e);
            return json_fail(ps, i, "invalid escape: '\\' followed by byte 0x%02X in string", e);
        }
        if ((rc = json_u_escape(ps, &i))) return rc;
    }
    ps->pos = i + 1;
    return JSON_OK;
}

static int json_isdigit(unsigned c)
{
    return c >= '0' && c <= '9';
}

/* Parse the number at pos: no fraction/exponent and fits int64 -> on_integer, else on_double.
 * strtod is called on a copy with the locale's decimal point, so a host that called setlocale()
 * still reads "1.5" correctly (the same trick Lua uses). */
static int json_number(json_ps_t *ps)
{
    const unsigned char *s = ps->s;
    size_t len = ps->len, start = ps->pos, i = start;
    int neg = 0, is_int = 1;
    if (s[i] == '-') {
        neg = 1;
        i++;
    }
    if (i >= len) return json_eof(ps);
    if (!json_isdigit(s[i])) {
        char d[16];
        return json_fail(ps, i, "invalid number: expected a digit after '-', found %s",
                         json_describe(s[i], d));
    }
    size_t int_start = i;
    if (s[i] == '0') {
        i++;
        if (i < len && json_isdigit(s[i]))
            return json_fail(ps, int_start, "invalid number: leading zeros are not allowed");
    } else {
        while (i < len && json_isdigit(s[i]))
            i++;
    }
    size_t int_end = i;
    if (i < len && s[i] == '.') {
        is_int = 0;
        i++;
        if (i >= len) return json_eof(ps);
        if (!json_isdigit(s[i]))
            return json_fail(ps, i, "invalid number: expected a digit after '.'");
        while (i < len && json_isdigit(s[i]))
            i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        is_int = 0;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= len) return json_eof(ps);
        if (!json_isdigit(s[i]))
            return json_fail(ps, i, "invalid number: expected a digit in the exponent");
        while (i < len && json_isdigit(s[i]))
            i++;
    }
    ps->pos = i;

    if (is_int) {
        unsigned long long limit = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX, v = 0;
        size_t k;
        for (k = int_start; k < int_end; k++) {
            unsigned d = s[k] - '0';
            if (v > (limit - d) / 10) break; /* v * 10 + d would exceed the limit */
            v = v * 10 + d;
        }
        if (k == int_end) { /* fits: an integer; otherwise fall through to a double like Lua */
            long long r = !neg                                ? (long long)v
                          : v > (unsigned long long)LLONG_MAX ? LLONG_MIN
                                                              : -(long long)v;
            if (ps->sax->on_integer && ps->sax->on_integer(ps->ud, r)) return json_abort(ps, start);
            return JSON_OK;
        }
    }

    buf_t *sb = &ps->p->scratch;
    buf_reset(sb);
    const char *dp = localeconv()->decimal_point;
    for (size_t k = start; k < i; k++) {
        if (s[k] == '.' && dp && dp[0])
            buf_puts(sb, dp);
        else
            buf_putc(sb, (char)s[k]);
    }
    char *end;
    double d = strtod(buf_cstr(sb), &end);
    if (end != sb->data + sb->len) return json_fail(ps, start, "invalid number");
    /* ERANGE on underflow is fine (the value rounds toward zero as in every JSON reader); only
     * overflow to infinity would lose the number entirely. */
    if (isinf(d)) return json_fail(ps, start, "number out of range");
    if (ps->sax->on_double && ps->sax->on_double(ps->ud, d)) return json_abort(ps, start);
    return JSON_OK;
}

static int json_isword(unsigned c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || json_isdigit(c) || c == '_';
}

/* A bare word at pos: true, false or null. The whole word is compared, so "nulls", "NaN" and
 * "Infinity" are one "invalid literal" at the word's start. */
static int json_literal(json_ps_t *ps)
{
    static const char *const names[3] = {"true", "false", "null"};
    size_t start = ps->pos, i = start;
    while (i < ps->len && json_isword(ps->s[i]))
        i++;
    size_t n = i - start;
    for (int k = 0; k < 3; k++) {
        size_t kn = strlen(names[k]);
        if (n == kn && memcmp(ps->s + start, names[k], n) == 0) {
            int rc = 0;
            ps->pos = i;
            if (k == 2) {
                if (ps->sax->on_null) rc = ps->sax->on_null(ps->ud);
            } else if (ps->sax->on_bool) {
                rc = ps->sax->on_bool(ps->ud, k == 0);
            }
            return rc ? json_abort(ps, start) : JSON_OK;
        }
        /* A cut-off literal at the end of input ("tru") is a truncation, not a typo. */
        if (i == ps->len && n < kn && memcmp(ps->s + start, names[k], n) == 0) return json_eof(ps);
    }
    return json_fail(ps, start, "invalid literal");
}

/* ---- the parser ----------------------------------------------------------------------------- */

void json_parser_init(json_parser_t *p)
{
    buf_init(&p->scratch);
    p->frames = NULL;
    p->nframes_cap = 0;
}

void json_parser_free(json_parser_t *p)
{
    buf_free(&p->scratch);
    free(p->frames);
    json_parser_init(p);
}

/* Make room for frame index `depth`; grows by doubling, never beyond max_depth frames. */
static void json_frames_reserve(json_parser_t *p, size_t depth, size_t limit)
{
    if (depth < p->nframes_cap) return;
    size_t cap = p->nframes_cap ? p->nframes_cap * 2 : 32;
    if (cap > limit) cap = limit;
    struct json_frame *f = realloc(p->frames, cap * sizeof *f);
    if (!f) {
        fputs("ratio: out of memory\n", stderr);
        abort();
    }
    p->frames = f;
    p->nframes_cap = cap;
}

int json_parser_parse(json_parser_t *p, const char *s, size_t len, const json_sax_t *sax, void *ud,
                      int max_depth, json_error_t *err)
{
    static const json_sax_t no_callbacks;
    if (err) { /* a clean slate, so a caller never reads a stale message after JSON_OK */
        err->offset = 0;
        err->line = err->column = 1;
        err->message[0] = '\0';
    }
    json_ps_t ps = {p, (const unsigned char *)s, len, 0, sax ? sax : &no_callbacks, ud, err};
    size_t limit = max_depth <= 0                     ? JSON_DEFAULT_MAX_DEPTH
                   : max_depth > JSON_MAX_DEPTH_LIMIT ? JSON_MAX_DEPTH_LIMIT
                                                      : (size_t)max_depth;
    size_t depth = 0;
    int state = JSON_ST_VALUE, rc;
    sax = ps.sax;

    for (;;) {
        json_skip_ws(&ps);
        if (state == JSON_ST_AFTER && depth == 0) {
            if (ps.pos < len) {
                if (ps.s[ps.pos] == '/')
                    return json_fail(&ps, ps.pos, "comments are not allowed in JSON");
                return json_fail(&ps, ps.pos, "trailing characters after the JSON value");
            }
            return JSON_OK;
        }
        if (ps.pos >= len) return json_eof(&ps);
        unsigned c = ps.s[ps.pos];

        if (state == JSON_ST_AFTER) {
            struct json_frame *top = &p->frames[depth - 1];
            unsigned close = top->is_object ? '}' : ']';
            if (c == ',') {
                size_t comma = ps.pos++;
                top->count++;
                json_skip_ws(&ps);
                if (ps.pos < len && ps.s[ps.pos] == close)
                    return json_fail(&ps, comma,
                                     top->is_object ? "trailing comma in object"
                                                    : "trailing comma in array");
                state = top->is_object ? JSON_ST_KEY : JSON_ST_VALUE;
            } else if (c == close) {
                size_t count = top->count + 1;
                depth--;
                rc = top->is_object ? sax->on_end_object && sax->on_end_object(ud, count)
                                    : sax->on_end_array && sax->on_end_array(ud, count);
                if (rc) return json_abort(&ps, ps.pos);
                ps.pos++;
            } else {
                return json_unexpected(&ps, top->is_object
                                                ? "expected ',' or '}' after object member"
                                                : "expected ',' or ']' after array element");
            }
            continue;
        }

        if (state == JSON_ST_KEY) {
            if (c != '"') return json_unexpected(&ps, "expected a string as object key");
            size_t at = ps.pos;
            if ((rc = json_string(&ps))) return rc;
            if (sax->on_key && sax->on_key(ud, buf_cstr(&p->scratch), p->scratch.len))
                return json_abort(&ps, at);
            json_skip_ws(&ps);
            if (ps.pos >= len) return json_eof(&ps);
            if (ps.s[ps.pos] != ':') {
                if (ps.s[ps.pos] == '/')
                    return json_fail(&ps, ps.pos, "comments are not allowed in JSON");
                return json_fail(&ps, ps.pos, "expected ':' after object key");
            }
            ps.pos++;
            state = JSON_ST_VALUE;
            continue;
        }

        /* JSON_ST_VALUE */
        if (c == '{' || c == '[') {
            int is_object = c == '{';
            if (depth >= limit)
                return json_fail(&ps, ps.pos, "nesting deeper than %zu levels", limit);
            json_frames_reserve(p, depth, limit);
            p->frames[depth].count = 0;
            p->frames[depth].is_object = is_object;
            depth++;
            rc = is_object ? sax->on_begin_object && sax->on_begin_object(ud)
                           : sax->on_begin_array && sax->on_begin_array(ud);
            if (rc) return json_abort(&ps, ps.pos);
            ps.pos++;
            json_skip_ws(&ps);
            if (ps.pos < len && ps.s[ps.pos] == (is_object ? '}' : ']')) {
                depth--;
                rc = is_object ? sax->on_end_object && sax->on_end_object(ud, 0)
                               : sax->on_end_array && sax->on_end_array(ud, 0);
                if (rc) return json_abort(&ps, ps.pos);
                ps.pos++;
                state = JSON_ST_AFTER;
            } else {
                state = is_object ? JSON_ST_KEY : JSON_ST_VALUE;
            }
            continue;
        }
        size_t at = ps.pos;
        if (c == '"') {
            if ((rc = json_string(&ps))) return rc;
            if (sax->on_string && sax->on_string(ud, buf_cstr(&p->scratch), p->scratch.len))
                return json_abort(&ps, at);
        } else if (c == '-' || json_isdigit(c)) {
            if ((rc = json_number(&ps))) return rc;
        } else if (json_isword(c)) {
            if ((rc = json_literal(&ps))) return rc;
        } else if (c == '+') {
            return json_fail(&ps, at, "invalid number: a leading '+' is not allowed");
        } else if (c == '.') {
            return json_fail(&ps, at, "invalid number: expected a digit before '.'");
        } else {
            return json_unexpected(&ps, "expected a value");
        }
        state = JSON_ST_AFTER;
    }
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
            size_t n = json_utf8_seq(u + i, len - i);
            if (!n) {
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
