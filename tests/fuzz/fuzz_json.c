/* libFuzzer target for the JSON parser (core/json/json.c): the scan, the tape, cJSON's say on
 * errors of structure and the choice between its errors and the scan's.
 *
 * Differential: the result agrees with tests/c/json_ref.h, a strict RFC 8259 reader that shares
 * no code with core/json: the same SAX events for valid text (so the strings and numbers the scan
 * notes and the tape's stay in step, integers stay exact and floats floats, strings keep
 * their \u0000), an error at the same offset for invalid text. Then json.h's contract on
 * arbitrary bytes held in an exact-size heap block (ASan catches any read past `len`): the result
 * is JSON_OK or JSON_INVALID; an error's position lies inside the input and its line/column agree
 * with the bytes before it; string and key events carry valid UTF-8 with a NUL at s[len];
 * containers balance and never nest deeper than max_depth; the result does not depend on the
 * callbacks; a reused parser gives the same answer as a fresh one; every decoded string
 * re-encodes with json_write_string and decodes back to the same bytes; and an accepted text
 * re-encoded from its events parses to the same events. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/utf8.h"
#include "json/json.h"
#include "../c/json_ref.h"

#define FJ_DEPTH 64

typedef struct fj_state {
    int depth, max_seen;
    size_t events;
    size_t told[FJ_DEPTH + 1]; /* the count each open container's begin announced */
} fj_state;

typedef struct fj_rt {
    const char *want;
    size_t len;
    int seen;
} fj_rt;

static int fj_rt_string(void *ud, const char *s, size_t len)
{
    fj_rt *rt = ud;
    rt->seen++;
    FUZZ_REQUIRE(len == rt->len && memcmp(s, rt->want, len) == 0);
    return 0;
}

/* A decoded string: valid UTF-8, NUL-terminated, and it survives json_write_string + parse. */
static int fj_check_string(const char *s, size_t len)
{
    FUZZ_REQUIRE(s[len] == '\0');
    FUZZ_REQUIRE(utf8_valid(s, len));
    FUZZ_REQUIRE(utf8_valid_prefix(s, len) == len);
    buf_t b = {0};
    FUZZ_REQUIRE(json_write_string(&b, s, len) == 0);
    fj_rt rt = {s, len, 0};
    const json_sax_t sax = {.on_string = fj_rt_string};
    /* The scratch buffer of the outer parse stays untouched: this is a separate one-shot parser. */
    FUZZ_REQUIRE(json_parse(b.data, b.len, &sax, &rt, 1, NULL) == JSON_OK);
    FUZZ_REQUIRE(rt.seen == 1);
    buf_free(&b);
    return 0;
}

static int fj_string_sax(void *ud, const char *s, size_t len)
{
    ((fj_state *)ud)->events++;
    return fj_check_string(s, len);
}
static int fj_key(void *ud, const char *s, size_t len)
{
    ((fj_state *)ud)->events++;
    return fj_check_string(s, len);
}
static int fj_begin(void *ud, size_t n)
{
    fj_state *st = ud;
    st->depth++;
    if (st->depth > st->max_seen) st->max_seen = st->depth;
    FUZZ_REQUIRE(st->depth <= FJ_DEPTH);
    st->told[st->depth] = n;
    return 0;
}
static int fj_end_obj(void *ud, size_t n)
{
    fj_state *st = ud;
    FUZZ_REQUIRE(st->depth > 0);
    FUZZ_REQUIRE(st->told[st->depth] == n); /* begin announced what end counted */
    st->depth--;
    return 0;
}
static int fj_end_arr(void *ud, size_t n)
{
    return fj_end_obj(ud, n);
}
static int fj_scalar(void *ud)
{
    ((fj_state *)ud)->events++;
    return 0;
}
static int fj_bool(void *ud, int v)
{
    FUZZ_REQUIRE(v == 0 || v == 1);
    return fj_scalar(ud);
}
static int fj_int(void *ud, long long v)
{
    (void)v;
    return fj_scalar(ud);
}
static int fj_double(void *ud, double v)
{
    /* JSON has no NaN or Infinity literal; overflow is the only way to an infinite value. */
    FUZZ_REQUIRE(v == v);
    return fj_scalar(ud);
}

static const json_sax_t fj_sax = {fj_scalar, fj_bool, fj_int,     fj_double, fj_string_sax,
                                  fj_begin,  fj_key,  fj_end_obj, fj_begin,  fj_end_arr};

/* Checks that err's line and column are those of err->offset in s. */
static void fj_check_position(const char *s, size_t len, const json_error_t *e)
{
    FUZZ_REQUIRE(e->offset <= len);
    FUZZ_REQUIRE(e->message[0] != '\0');
    FUZZ_REQUIRE(memchr(e->message, '\0', sizeof e->message) != NULL);
    size_t line = 1, col = 1;
    for (size_t i = 0; i < e->offset; i++) {
        if (s[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    FUZZ_REQUIRE(e->line == line);
    FUZZ_REQUIRE(e->column == col);
}

static int fj_abort_first(void *ud)
{
    (void)ud;
    return 1;
}
static int fj_abort_first_container(void *ud, size_t n)
{
    (void)n;
    return fj_abort_first(ud);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size ? size : 1);
    if (size) memcpy(in, data, size);

    fj_state st = {0};
    json_error_t e1, e2, e3;
    int rc = json_parse(in, size, &fj_sax, &st, FJ_DEPTH, &e1);
    FUZZ_REQUIRE(rc == JSON_OK || rc == JSON_INVALID);
    if (rc == JSON_OK)
        FUZZ_REQUIRE(st.depth == 0);
    else
        fj_check_position(in, size, &e1);
    if (rc != JSON_OK) FUZZ_REQUIRE(strstr(e1.message, "internal error") == NULL);

    /* The reference reads the same events, or finds the first error at the same offset. */
    buf_t mine = {0}, ref = {0};
    const char *got = jt_parse_n(&mine, in, size, FJ_DEPTH, 0);
    size_t ref_err;
    int ref_ok = jr_parse(in, size, FJ_DEPTH, &ref, &ref_err);
    FUZZ_REQUIRE(ref_ok == (rc == JSON_OK));
    if (ref_ok) {
        FUZZ_REQUIRE(strcmp(got, buf_cstr(&ref)) == 0);
        /* Re-encoded from its events, the text reads back to the same events. */
        buf_t again = {0}, trace2 = {0};
        FUZZ_REQUIRE(jt_canon_n(&again, in, size, FJ_DEPTH) == JSON_OK);
        FUZZ_REQUIRE(strcmp(jt_parse_n(&trace2, again.data, again.len, FJ_DEPTH, 0), got) == 0);
        buf_free(&again);
        buf_free(&trace2);
    } else {
        FUZZ_REQUIRE(e1.offset == ref_err);
    }
    buf_free(&mine);
    buf_free(&ref);

    int rc2 = json_parse(in, size, NULL, NULL, FJ_DEPTH, &e2);
    FUZZ_REQUIRE(rc2 == rc);
    if (rc != JSON_OK) FUZZ_REQUIRE(e2.offset == e1.offset && strcmp(e2.message, e1.message) == 0);

    /* A reused parser, after a parse of something else, answers the same. */
    json_parser_t p;
    json_parser_init(&p);
    (void)json_parser_parse(&p, "[[\"scratch\"]]", 13, NULL, NULL, 0, NULL);
    int rc3 = json_parser_parse(&p, in, size, NULL, NULL, FJ_DEPTH, &e3);
    FUZZ_REQUIRE(rc3 == rc);
    if (rc != JSON_OK) FUZZ_REQUIRE(e3.offset == e1.offset);
    json_parser_free(&p);

    /* A callback that aborts is reported as JSON_ABORTED, never as a crash or OK. */
    const json_sax_t stop = {.on_null = fj_abort_first,
                             .on_begin_object = fj_abort_first_container,
                             .on_begin_array = fj_abort_first_container};
    int rc4 = json_parse(in, size, &stop, NULL, FJ_DEPTH, NULL);
    FUZZ_REQUIRE(rc4 == JSON_OK || rc4 == JSON_INVALID || rc4 == JSON_ABORTED);

    /* The UTF-8 helpers on the raw bytes. */
    size_t pre = utf8_valid_prefix(in, size);
    FUZZ_REQUIRE(pre <= size);
    FUZZ_REQUIRE(utf8_valid(in, size) == (pre == size));
    FUZZ_REQUIRE(utf8_valid(in, pre));
    buf_t b = {0};
    int wrc = json_write_string(&b, in, size);
    FUZZ_REQUIRE(wrc == (pre == size ? 0 : -1));
    if (wrc == 0) {
        fj_rt rt = {in, size, 0};
        const json_sax_t sax = {.on_string = fj_rt_string};
        FUZZ_REQUIRE(json_parse(b.data, b.len, &sax, &rt, 1, NULL) == JSON_OK && rt.seen == 1);
    } else {
        FUZZ_REQUIRE(b.len == 0);
    }
    buf_free(&b);
    free(in);
    return 0;
}
