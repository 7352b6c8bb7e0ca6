/* json: RFC 8259 parsing, and the encoder helpers ratio writes JSON with.
 *
 * A parse checks the whole text before it reports anything:
 *  - one pass over the bytes that knows nothing but whether it is inside a string: in strings
 *    invalid UTF-8 (util/utf8.c), raw control characters and malformed escapes; between strings
 *    bytes other than space/tab/CR/LF (a BOM too), number literals outside RFC 8259's grammar
 *    (`01`, `1.`, `1.e5`) and nesting deeper than max_depth; it notes where every string and
 *    number lies;
 *  - a reading of the structure (brackets, commas, colons, true/false/null, nothing after the
 *    value) that records the document's events, each container with its member count;
 *  - numbers out of range (`1e999`, infinite as a double).
 * Integral literals become exact int64 when they fit (else a double, as strtod reads them, in the
 * "C" locale) and `1.0` stays a float; strings are decoded (\u escapes and surrogate pairs, and
 * \u0000, whose length is told). Every error has a position and a message that names the
 * offending byte; for an error of structure cJSON is asked where it stops reading (json_refused
 * reads the bytes around that offset to name the problem), and of the first pass's error and
 * cJSON's the one earlier in the text is reported (a number out of range only when nothing else
 * is wrong). Values reach the caller as SAX events, in document order, duplicates included, after
 * the whole text has been found valid.
 *
 * Limits: max_depth is clamped to JSON_MAX_DEPTH_LIMIT, cJSON's recursion limit
 * (CJSON_NESTING_LIMIT, 1000 in Debian's build), so that cJSON can read any text the first pass
 * lets through when it is asked where the structure goes wrong. */
#ifndef RATIO_JSON_H
#define RATIO_JSON_H

#include <stddef.h>

#include "util/buf.h"

#define JSON_DEFAULT_MAX_DEPTH 512
#define JSON_MAX_DEPTH_LIMIT 1000 /* cJSON's CJSON_NESTING_LIMIT; larger max_depth is clamped */

/* Return values of json_parse / json_parser_parse. */
#define JSON_OK 0
#define JSON_INVALID (-1) /* the input is not valid JSON (or nests too deep): see json_error_t */
#define JSON_ABORTED                                                                               \
    (-2) /* a callback returned non-zero; its reason is the caller's to keep                       \
          * (the error then has message "aborted by callback" and no position:                     \
          * offset, line and column are 0) */

/* Callbacks, each optional (NULL = ignore the event). Each returns 0 to go on, non-zero to abort.
 * String and key bytes are decoded, valid UTF-8, may contain NUL, and are followed by a NUL at
 * s[len]; they point into the parser's memory and are valid only during the call. */
typedef struct json_sax {
    int (*on_null)(void *ud);
    int (*on_bool)(void *ud, int value);
    int (*on_integer)(void *ud, long long value);
    int (*on_double)(void *ud, double value);
    int (*on_string)(void *ud, const char *s, size_t len);
    /* members / count: how many the object or array holds, told up front (the whole text is
     * read before any event is told), so a consumer can size its container once */
    int (*on_begin_object)(void *ud, size_t members);
    int (*on_key)(void *ud, const char *s, size_t len);
    int (*on_end_object)(void *ud, size_t members);
    int (*on_begin_array)(void *ud, size_t count);
    int (*on_end_array)(void *ud, size_t count);
} json_sax_t;

typedef struct json_error {
    size_t offset; /* 0-based byte offset of the offending byte or token (len at an early end) */
    size_t line;   /* 1-based line of `offset` (lines end at '\n') */
    size_t column; /* 1-based byte column of `offset` within its line */
    char message[128]; /* e.g. "expected ':' after object key"; no position in it */
} json_error_t;

/* A reusable parser: keeps its buffers between parses (the notes of the first pass, the tape, the
 * decoded string), so parsing millions of JSONL lines does not allocate per line. Fields are
 * private. A zeroed struct is initialised. */
typedef struct json_parser {
    struct json_span *spans; /* every string and number, in document order */
    size_t nspans, spans_cap;
    struct json_tape *tape; /* the document's events */
    size_t ntape, tape_cap;
    size_t *stack; /* the containers open while the tape is read */
    size_t stack_cap;
    buf_t str; /* the string being told, decoded */
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

#endif
