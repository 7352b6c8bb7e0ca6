/* json: RFC 8259 parsing on cJSON, with the checks cJSON leaves to its caller, and the encoder
 * helpers ratio writes JSON with.
 *
 * cJSON reads the text: it builds the values (unescaping, \u escapes and surrogate pairs, number
 * conversion) and finds every error of structure (brackets, commas, colons, literals). Around it
 * ratio checks only what cJSON lets through:
 *  - before cJSON, one pass over the bytes that knows nothing but whether it is inside a string:
 *    in strings invalid UTF-8 (util/utf8.c), raw control characters and malformed escapes (cJSON
 *    reads `\u12g4` as U+0000); between strings bytes other than space/tab/CR/LF (cJSON skips any
 *    byte <= 0x20, and a BOM), number literals outside RFC 8259's grammar (`01`, `1.`, `1.e5`,
 *    which strtod reads) and nesting deeper than max_depth (brackets are only counted);
 *  - after cJSON, trailing data (`nulll`, `1 2`: cJSON stops after the first value), and on the
 *    tree numbers out of range (`1e999`, which cJSON reads as infinity).
 * The pass notes the text of every number, so integral literals become exact int64 (cJSON keeps
 * only a double, exact to 2^53) and `1.0` stays a float. The numbers of cJSON's tree are, in
 * document order, exactly the runs of [-+.0-9eE] that start with '-' or a digit outside strings:
 * cJSON hands such a run to strtod, and a number that stops short of the run's end is followed by
 * a byte that cannot follow a value, so the text is refused. The pass also notes the strings that
 * hold \u0000, whose length cJSON's C strings lose. Every error has a position and a message that
 * names the offending byte; of the pass's first error and cJSON's, the one earlier in the text is
 * reported (a number out of range only when nothing else is wrong). Values reach the caller as
 * SAX events, in document order, duplicates included, after the whole text has been found valid.
 *
 * Limits: nesting is bounded by cJSON's recursion limit, CJSON_NESTING_LIMIT (1000 in Debian's
 * build), so max_depth is clamped to it. Numbers may be of any length with Debian's cJSON
 * (1.7.15-1+deb12u3 and later); an older cJSON reads at most 63 bytes of one, and a longer number
 * is then refused where cJSON stopped reading it. */
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
    /* members / count: how many the object or array holds, told up front (the tree is built
     * before the walk), so a consumer can size its container once */
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

/* A reusable parser: keeps its buffers between parses, so parsing millions of JSONL lines does not
 * allocate per line: the spans, and the arena cJSON's tree is built in (one block of up to 64 KiB
 * is kept; a bigger document's tree is freed after its parse). Fields are private. A zeroed
 * struct is initialised. */
typedef struct json_parser {
    struct json_span *spans; /* numbers and strings holding \u0000, in document order */
    size_t nspans, spans_cap;
    struct json_arena_block *arena; /* cJSON's allocations during a parse, newest block first */
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
