/* utf8: the one UTF-8 module: strict decoding and validation for JSON (core/json) and the text
 * kernels (score-block parser, tokenizer in core/match).
 * Every function takes (pointer, length) and never reads past the length; the input need not be
 * NUL-terminated. Decoding is strict (RFC 3629): overlong forms, surrogates and code points above
 * U+10FFFF are invalid, and an invalid sequence consumes exactly one byte so the caller can resync.
 */
#ifndef RATIO_UTF8_H
#define RATIO_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_INVALID 0xFFFFFFFFu

/* Decodes the code point at s[0..len); stores it in *cp (UTF8_INVALID for a bad byte) and returns
 * the bytes consumed: 1..4, or 0 only when len == 0. */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Length of the longest prefix of s[0..len) that is valid UTF-8; equals len when all of it is. */
size_t utf8_valid_prefix(const char *s, size_t len);

/* 1 if s[0..len) is entirely valid UTF-8, else 0. */
int utf8_valid(const char *s, size_t len);

/* Value 0..9 of a Unicode decimal digit (general category Nd, Unicode 14.0 — the set Python 3.11's
 * re `\d` and int() accept), or -1 when cp is not one. */
int utf8_digit_value(uint32_t cp);

/* When s[0..len) starts with a decimal digit (any script), stores its value in *digit and returns
 * its byte length; returns 0 otherwise. */
size_t utf8_digit(const char *s, size_t len, int *digit);

/* Encodes cp (<= U+10FFFF) into out (room for 4 bytes); returns the byte count. */
size_t utf8_encode(uint32_t cp, char *out);

#endif
