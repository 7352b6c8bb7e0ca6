/* json: a strict RFC 8259 SAX parser and the encoder helpers ratio writes JSON with.
 *
 * Why not only cJSON: ratio must keep integers and floats apart (`1` vs `1.0`, int64 exactness),
 * reject invalid UTF-8, NaN and Infinity with a precise position, bound nesting depth, and survive
 * arbitrary bytes (the parser is fuzzed). The parser is iterative (no recursion), never reads past
 * `len`, and allocates only a scratch buffer for the longest string/number plus one small frame per
 * open array/object (at most max_depth frames). Number conversion is locale-independent. */
#ifndef RATIO_JSON_H
#define RATIO_JSON_H

#include <stddef.h>

#include "util/buf.h"

#define JSON_DEFAULT_MAX_DEPTH 512
#define JSON_MAX_DEPTH_LIMIT 100000 /* larger max_depth values are clamped to this */

/* Return values of json_parse / json_parser_parse. */
#define JSON_OK 0
#define JSON_INVALID (-1) /* the input is not valid JSON (or nests too deep): see json_error_t */
#define JSON_ABORTED (-2) /* a callback returned non-zero; its reason is the caller's to keep */

/* Callbacks, each optional (NULL = ignore the event). Each returns 0 to go on, non-zero to abort.
 * String and key bytes are decoded, valid UTF-8, may contain NUL, and are followed by a NUL at
 * s[len]; they point into the parser's scratch buffer and are valid only during the call. */
typedef struct json_sax {
    int (*on_null)(void *ud);
    int (*on_bool)(void *ud, int value);
    int (*on_integer)(void *ud, long long value);
    int (*on_double)(void *ud, double value);
    int (*on_string)(void *ud, const char *s, size_t len);
    int (*on_begin_object)(void *ud);
    int (*on_key)(void *ud, const char *s, size_t len);
    int (*on_end_object)(void *ud, size_t members);
    int (*on_begin_array)(void *ud);
    int (*on_end_array)(void *ud, size_t count);
} json_sax_t;

typedef struct json_error {
    size_t offset; /* 0-based byte offset of the offending byte or token (len at an early end) */
    size_t line;   /* 1-based line of `offset` (lines end at '\n') */
    size_t column; /* 1-based byte column of `offset` within its line */
    char message[128]; /* e.g. "expected ':' after object key"; no position in it */
} json_error_t;

/* A reusable parser: keeps its scratch buffer and frame stack between parses, so parsing millions
 * of JSONL lines does not allocate per line. Fields are private. A zeroed struct is initialised. */
typedef struct json_parser {
    buf_t scratch;             /* decoded string / number text */
    struct json_frame *frames; /* one per open array/object */
    size_t nframes_cap;
} json_parser_t;

/* Initialise / release a reusable parser (json_parser_free leaves it initialised and empty). */
void json_parser_init(json_parser_t *p);
void json_parser_free(json_parser_t *p);

/* Parse exactly one JSON value (optional surrounding whitespace) from s[0..len), reporting events
 * to `sax` (may be NULL: validate only). max_depth <= 0 means JSON_DEFAULT_MAX_DEPTH. Returns
 * JSON_OK, JSON_INVALID or JSON_ABORTED; on failure fills *err when err is not NULL. */
int json_parser_parse(json_parser_t *p, const char *s, size_t len, const json_sax_t *sax, void *ud,
                      int max_depth, json_error_t *err);

/* One-shot json_parser_parse with a temporary parser. */
int json_parse(const char *s, size_t len, const json_sax_t *sax, void *ud, int max_depth,
               json_error_t *err);

/* Append s[0..len) as a JSON string literal (quotes included). Valid UTF-8 is kept as is; '"',
 * '\\' and control characters are escaped. Returns 0, or -1 on invalid UTF-8 (b is unchanged). */
int json_write_string(buf_t *b, const char *s, size_t len);

/* Append a JSON integer. */
void json_write_integer(buf_t *b, long long v);

/* Append the shortest decimal that reads back as exactly v, always marked as a float ("1.0",
 * "1e+100"). Returns 0, or -1 for NaN and +-Inf, which JSON cannot hold (b is unchanged). */
int json_write_double(buf_t *b, double v);

/* Length of the longest prefix of s[0..len) that is valid UTF-8 (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF); equals len when all of it is valid. */
size_t json_utf8_prefix(const char *s, size_t len);

/* 1 if s[0..len) is entirely valid UTF-8, else 0. */
int json_utf8_valid(const char *s, size_t len);

#endif
