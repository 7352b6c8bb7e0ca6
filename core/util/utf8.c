#include "util/utf8.h"

size_t utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    if (len == 0) {
        *cp = UTF8_INVALID;
        return 0;
    }
    const unsigned char *u = (const unsigned char *)s;
    unsigned c = u[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need;
    uint32_t v;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte, narrowed to forbid
                                      overlongs, surrogates and values above U+10FFFF */
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        *cp = UTF8_INVALID;
        return 1;
    }
    if (len < need + 1 || u[1] < lo || u[1] > hi) {
        *cp = UTF8_INVALID;
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *cp = UTF8_INVALID;
            return 1;
        }
        v = (v << 6) | (u[i] & 0x3F);
    }
    *cp = v;
    return need + 1;
}

size_t utf8_valid_prefix(const char *s, size_t len)
{
    size_t i = 0;
    uint32_t cp;
    while (i < len) {
        if ((unsigned char)s[i] < 0x80) { /* ASCII runs are the common case */
            i++;
            continue;
        }
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (cp == UTF8_INVALID) break;
        i += n;
    }
    return i;
}

int utf8_valid(const char *s, size_t len)
{
    return utf8_valid_prefix(s, len) == len;
}

/* First code point (the digit zero) of every run of ten Nd digits in Unicode 14.0. Generated with
 * Python 3.11's unicodedata (every Nd character belongs to exactly one such run of values 0..9). */
static const uint32_t utf8_digit_zero[] = {
    0x30,    0x660,   0x6F0,   0x7C0,   0x966,   0x9E6,   0xA66,   0xAE6,   0xB66,   0xBE6,
    0xC66,   0xCE6,   0xD66,   0xDE6,   0xE50,   0xED0,   0xF20,   0x1040,  0x1090,  0x17E0,
    0x1810,  0x1946,  0x19D0,  0x1A80,  0x1A90,  0x1B50,  0x1BB0,  0x1C40,  0x1C50,  0xA620,
    0xA8D0,  0xA900,  0xA9D0,  0xA9F0,  0xAA50,  0xABF0,  0xFF10,  0x104A0, 0x10D30, 0x11066,
    0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0,
    0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2,
    0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
};

int utf8_digit_value(uint32_t cp)
{
    if (cp < 0x80) return (cp >= '0' && cp <= '9') ? (int)(cp - '0') : -1;
    size_t lo = 0, hi = sizeof utf8_digit_zero / sizeof utf8_digit_zero[0];
    while (lo < hi) { /* last run start <= cp */
        size_t mid = lo + (hi - lo) / 2;
        if (utf8_digit_zero[mid] <= cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return -1;
    uint32_t d = cp - utf8_digit_zero[lo - 1];
    return d < 10 ? (int)d : -1;
}

size_t utf8_digit(const char *s, size_t len, int *digit)
{
    if (len == 0) return 0;
    unsigned char c = (unsigned char)s[0];
    if (c < 0x80) {
        if (c < '0' || c > '9') return 0;
        *digit = c - '0';
        return 1;
    }
    uint32_t cp;
    size_t n = utf8_decode(s, len, &cp);
    if (cp == UTF8_INVALID) return 0;
    int d = utf8_digit_value(cp);
    if (d < 0) return 0;
    *digit = d;
    return n;
}

size_t utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}
