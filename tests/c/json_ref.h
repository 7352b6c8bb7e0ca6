/* json_ref: a strict RFC 8259 reader for the JSON tests only, the reference core/json/json.c is
 * checked against (tests/c/test_json_fuzz.c, tests/fuzz/fuzz_json.c). Plain recursive descent
 * that shares no code with core/json (not even the UTF-8 decoder): for valid text it writes the
 * events in jt_trace's notation (test_json_util.h), for invalid text it gives the offset of the
 * first error.
 *
 * Where an error is reported is partly convention; this file follows json.c's: an unterminated
 * string (the input ends inside it, escapes included) at its opening quote; a trailing comma at
 * the comma; a word that is not true, false or null, or has letters right after one ("nulll"),
 * at its first letter, unless the input ends inside one of them ("tru": at the end); leading
 * zeros at the first zero; a number followed by more of [-+.0-9eE] at that byte; a number out
 * of range (`1e999`) at its first byte, and only when the text has no other error (json.c finds
 * it on the tape, which it reads only when nothing else is wrong); an unpaired surrogate at the
 * backslash of the first \u, a bad second \u at its own backslash. Everything else is at the first
 * byte that cannot continue the text. */
#ifndef RATIO_JSON_REF_H
#define RATIO_JSON_REF_H

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test_json_util.h"

typedef struct jr {
    const unsigned char *s;
    size_t len, i;
    int depth, max_depth;
    buf_t *out;
    size_t err;    /* offset of the first error, SIZE_MAX while there is none */
    size_t inf_at; /* offset of the first number out of range, SIZE_MAX if none */
} jr_t;

static JT_UNUSED int jr_fail(jr_t *r, size_t at)
{
    if (r->err == SIZE_MAX) r->err = at;
    return -1;
}

static JT_UNUSED void jr_emit(jr_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static JT_UNUSED void jr_emit(jr_t *r, const char *fmt, ...)
{
    va_list ap;
    if (r->out->len) buf_putc(r->out, ' ');
    va_start(ap, fmt);
    buf_vprintf(r->out, fmt, ap);
    va_end(ap);
}

static JT_UNUSED void jr_ws(jr_t *r)
{
    while (r->i < r->len &&
           (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' || r->s[r->i] == '\r'))
        r->i++;
}

static JT_UNUSED int jr_digit(jr_t *r, size_t i)
{
    return i < r->len && r->s[i] >= '0' && r->s[i] <= '9';
}

/* Length of the UTF-8 character at s[i] (RFC 3629: no overlongs, surrogates or > U+10FFFF), or 0.
 */
static JT_UNUSED size_t jr_utf8(jr_t *r, size_t i)
{
    static const struct {
        unsigned char lead_lo, lead_hi, n, second_lo, second_hi;
    } forms[] = {
        {0xC2, 0xDF, 2, 0x80, 0xBF}, {0xE0, 0xE0, 3, 0xA0, 0xBF}, {0xE1, 0xEC, 3, 0x80, 0xBF},
        {0xED, 0xED, 3, 0x80, 0x9F}, {0xEE, 0xEF, 3, 0x80, 0xBF}, {0xF0, 0xF0, 4, 0x90, 0xBF},
        {0xF1, 0xF3, 4, 0x80, 0xBF}, {0xF4, 0xF4, 4, 0x80, 0x8F},
    };
    const unsigned char *s = r->s;
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        if (s[i] < forms[f].lead_lo || s[i] > forms[f].lead_hi) continue;
        size_t n = forms[f].n;
        if (i + n > r->len || s[i + 1] < forms[f].second_lo || s[i + 1] > forms[f].second_hi)
            return 0;
        for (size_t k = 2; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80) return 0;
        return n;
    }
    return 0;
}

static JT_UNUSED void jr_put_utf8(buf_t *b, unsigned long cp)
{
    char o[4];
    size_t n;
    if (cp < 0x80) {
        o[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        o[0] = (char)(0xF0 | (cp >> 18));
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    buf_append(b, o, n);
}

/* The four hex digits after the \u at s[at]: the value, -1 for a non-hex digit, -2 when the
 * input ends first (whichever comes first). */
static JT_UNUSED long jr_hex4(jr_t *r, size_t at)
{
    long v = 0;
    for (size_t k = at + 2; k < at + 6; k++) {
        if (k >= r->len) return -2;
        int c = r->s[k], d = c >= '0' && c <= '9'   ? c - '0'
                             : c >= 'a' && c <= 'f' ? c - 'a' + 10
                             : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                    : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

/* The string at s[i] == '"', decoded into *dec. */
static JT_UNUSED int jr_string(jr_t *r, buf_t *dec)
{
    size_t at = r->i, i = at + 1;
    buf_reset(dec);
    for (;;) {
        if (i >= r->len) return jr_fail(r, at);
        unsigned c = r->s[i];
        if (c == '"') break;
        if (c < 0x20) return jr_fail(r, i);
        if (c >= 0x80) {
            size_t n = jr_utf8(r, i);
            if (!n) return jr_fail(r, i);
            buf_append(dec, r->s + i, n);
            i += n;
            continue;
        }
        if (c != '\\') {
            buf_putc(dec, (char)c);
            i++;
            continue;
        }
        if (i + 1 >= r->len) return jr_fail(r, at);
        const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
        const char *hit = r->s[i + 1] ? strchr(from, r->s[i + 1]) : NULL;
        if (hit) {
            buf_putc(dec, to[hit - from]);
            i += 2;
            continue;
        }
        if (r->s[i + 1] != 'u') return jr_fail(r, i);
        long v = jr_hex4(r, i);
        if (v == -2) return jr_fail(r, at);
        if (v < 0 || (v >= 0xDC00 && v <= 0xDFFF)) return jr_fail(r, i);
        if (v >= 0xD800 && v <= 0xDBFF) {
            size_t lo = i + 6;
            if (lo >= r->len || (lo + 1 >= r->len && r->s[lo] == '\\')) return jr_fail(r, at);
            if (r->s[lo] != '\\' || r->s[lo + 1] != 'u') return jr_fail(r, i);
            long w = jr_hex4(r, lo);
            if (w == -2) return jr_fail(r, at);
            if (w == -1) return jr_fail(r, lo);
            if (w < 0xDC00 || w > 0xDFFF) return jr_fail(r, i);
            jr_put_utf8(dec, 0x10000 + (((unsigned long)v - 0xD800) << 10) +
                                 ((unsigned long)w - 0xDC00));
            i += 12;
            continue;
        }
        jr_put_utf8(dec, (unsigned long)v);
        i += 6;
    }
    r->i = i + 1;
    return 0;
}

static JT_UNUSED int jr_number(jr_t *r)
{
    size_t at = r->i, i = at;
    int is_float = 0;
    if (i < r->len && r->s[i] == '-') i++;
    if (!jr_digit(r, i)) return jr_fail(r, i < r->len ? i : r->len);
    if (r->s[i] == '0' && jr_digit(r, i + 1)) return jr_fail(r, i);
    while (jr_digit(r, i))
        i++;
    if (i < r->len && r->s[i] == '.') {
        is_float = 1;
        if (!jr_digit(r, ++i)) return jr_fail(r, i < r->len ? i : r->len);
        while (jr_digit(r, i))
            i++;
    }
    if (i < r->len && (r->s[i] == 'e' || r->s[i] == 'E')) {
        is_float = 1;
        i++;
        if (i < r->len && (r->s[i] == '+' || r->s[i] == '-')) i++;
        if (!jr_digit(r, i)) return jr_fail(r, i < r->len ? i : r->len);
        while (jr_digit(r, i))
            i++;
    }
    if (i < r->len && r->s[i] && strchr("+-.eE0123456789", r->s[i])) return jr_fail(r, i);
    char *text = malloc(i - at + 1);
    if (!text) abort();
    memcpy(text, r->s + at, i - at);
    text[i - at] = '\0';
    r->i = i;
    if (!is_float) { /* an exact int64 when it fits, as Lua's tonumber */
        int neg = text[0] == '-';
        unsigned long long v = 0, lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
        int fits = 1;
        for (const char *p = text + neg; *p && fits; p++) {
            unsigned d = (unsigned)(*p - '0');
            if (v > (lim - d) / 10) fits = 0;
            v = v * 10 + d;
        }
        if (fits) {
            jr_emit(r, "i:%lld", !neg ? (long long)v : v == lim ? LLONG_MIN : -(long long)v);
            free(text);
            return 0;
        }
    }
    double d = strtod(text, NULL);
    free(text);
    if (isinf(d) && r->inf_at == SIZE_MAX) r->inf_at = at;
    jr_emit(r, "d:%.17g", d);
    return 0;
}

static JT_UNUSED int jr_letter(jr_t *r, size_t i)
{
    return i < r->len && ((r->s[i] | 0x20) >= 'a' && (r->s[i] | 0x20) <= 'z');
}

static JT_UNUSED int jr_literal(jr_t *r)
{
    static const char *const words[] = {"true", "false", "null"}, *const events[] = {"t", "f", "n"};
    size_t at = r->i, rest = r->len - at;
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(words[k]);
        if (rest >= n && memcmp(r->s + at, words[k], n) == 0) {
            if (jr_letter(r, at + n)) return jr_fail(r, at);
            r->i = at + n;
            jr_emit(r, "%s", events[k]);
            return 0;
        }
        if (rest < n && memcmp(r->s + at, words[k], rest) == 0) return jr_fail(r, r->len);
    }
    return jr_fail(r, at);
}

static JT_UNUSED int jr_value(jr_t *r);

static JT_UNUSED int jr_container(jr_t *r, int is_object)
{
    char close = is_object ? '}' : ']';
    if (++r->depth > r->max_depth) return jr_fail(r, r->i);
    jr_emit(r, is_object ? "{" : "[");
    r->i++;
    jr_ws(r);
    size_t n = 0;
    buf_t key = {0};
    if (r->i < r->len && r->s[r->i] == close) goto done;
    for (;;) {
        jr_ws(r);
        if (is_object) {
            if (r->i >= r->len || r->s[r->i] != '"') goto fail_here;
            if (jr_string(r, &key)) goto fail;
            if (r->out->len) buf_putc(r->out, ' ');
            buf_puts(r->out, "k:");
            jt_quote(r->out, key.data ? key.data : "", key.len);
            jr_ws(r);
            if (r->i >= r->len || r->s[r->i] != ':') goto fail_here;
            r->i++;
            jr_ws(r);
        }
        if (jr_value(r)) goto fail;
        n++;
        jr_ws(r);
        if (r->i < r->len && r->s[r->i] == ',') {
            size_t comma = r->i++;
            jr_ws(r);
            if (r->i < r->len && r->s[r->i] == close) {
                jr_fail(r, comma);
                goto fail;
            }
            continue;
        }
        if (r->i < r->len && r->s[r->i] == close) break;
        goto fail_here;
    }
done:
    r->i++;
    r->depth--;
    jr_emit(r, "%c%zu", close, n);
    buf_free(&key);
    return 0;
fail_here:
    jr_fail(r, r->i < r->len ? r->i : r->len);
fail:
    buf_free(&key);
    return -1;
}

static JT_UNUSED int jr_value(jr_t *r)
{
    if (r->i >= r->len) return jr_fail(r, r->len);
    unsigned c = r->s[r->i];
    if (c == '{' || c == '[') return jr_container(r, c == '{');
    if (c == '"') {
        buf_t dec = {0};
        int rc = jr_string(r, &dec);
        if (rc == 0) {
            if (r->out->len) buf_putc(r->out, ' ');
            buf_puts(r->out, "s:");
            jt_quote(r->out, dec.data ? dec.data : "", dec.len);
        }
        buf_free(&dec);
        return rc;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return jr_number(r);
    if (jr_letter(r, r->i)) return jr_literal(r);
    return jr_fail(r, r->i);
}

/* Read s[0..len) (one value, surrounding whitespace) nesting at most max_depth deep. Returns 1
 * with the events in *out, or 0 with the offset of the first error in *err_at. */
static JT_UNUSED int jr_parse(const char *s, size_t len, int max_depth, buf_t *out, size_t *err_at)
{
    jr_t r = {(const unsigned char *)s, len, 0, 0, max_depth, out, SIZE_MAX, SIZE_MAX};
    buf_reset(out);
    jr_ws(&r);
    if (jr_value(&r) == 0) {
        jr_ws(&r);
        if (r.i < len) jr_fail(&r, r.i);
    }
    if (r.err == SIZE_MAX) r.err = r.inf_at; /* only when nothing else is wrong */
    *err_at = r.err;
    return r.err == SIZE_MAX;
}

#endif
