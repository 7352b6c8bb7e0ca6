/* Robustness of the JSON parser on arbitrary bytes: a seeded mutation loop run with the unit
 * tests, and the same property check as a libFuzzer target:
 *
 *   clang -DRATIO_LIBFUZZER -g -O1 -fsanitize=fuzzer,address,undefined -Icore -Itests/c \
 *       tests/c/test_json_fuzz.c core/json/json.c core/util/utf8.c core/util/buf.c \
 *       $(pkg-config --cflags --libs libcjson) -lm -o /tmp/json_fuzz
 *   /tmp/json_fuzz -max_len=4096 -max_total_time=300
 *
 * (scripts/fuzz runs tests/fuzz/fuzz_json.c, which checks the same and more.) Properties: no
 * crash or out-of-bounds read (inputs live in exact-size heap blocks); the same events, or an
 * error at the same offset, as the strict reference reader json_ref.h; an error's position lies
 * inside the input; the result does not depend on the callbacks; and an accepted document
 * re-encodes to valid UTF-8 JSON that decodes to the same canonical text. */
#include <stdint.h>

#include "check.h"
#include "util/utf8.h"
#include "json_ref.h"
#include "test_json_util.h"

/* The parser agrees with the strict reference (json_ref.h): the same events for valid text, an
 * error at the same offset for invalid text. */
static void json_fuzz_against_reference(const char *in, size_t size)
{
    buf_t mine = {0}, ref = {0}, shown = {0};
    const char *got = jt_parse_n(&mine, in, size, 64, 0);
    size_t ref_err;
    int ref_ok = jr_parse(in, size, 64, &ref, &ref_err);
    char want[64];
    if (!ref_ok) snprintf(want, sizeof want, "E@%zu:", ref_err);
    if (ref_ok ? strcmp(got, buf_cstr(&ref)) != 0 : strncmp(got, want, strlen(want)) != 0) {
        jt_quote(&shown, in, size);
        check_fail(__FILE__, __LINE__, "input %s: json.c gives [%s], the reference [%s]",
                   shown.data, got, ref_ok ? buf_cstr(&ref) : want);
    }
    buf_free(&mine);
    buf_free(&ref);
    buf_free(&shown);
}

/* Check every property on data[0..size). Returns 1 if the input was valid JSON. */
static int json_fuzz_one(const uint8_t *data, size_t size)
{
    char *in = malloc(size ? size : 1);
    if (size) memcpy(in, data, size);
    buf_t trace = {0}, c1 = {0}, c2 = {0};
    jt_trace_t t = {&trace, 0, 0};
    json_error_t e1, e2;
    int rc = json_parse(in, size, &jt_trace_sax, &t, 64, &e1);
    int rc_plain = json_parse(in, size, NULL, NULL, 64, &e2);
    if (rc != rc_plain) check_fail(__FILE__, __LINE__, "callbacks changed the result");
    json_fuzz_against_reference(in, size);
    if (rc == JSON_OK) {
        if (jt_canon_n(&c1, in, size, 64) != JSON_OK)
            check_fail(__FILE__, __LINE__, "re-encoding an accepted document failed");
        else if (!utf8_valid(c1.data, c1.len))
            check_fail(__FILE__, __LINE__, "re-encoded text is not UTF-8");
        else if (jt_canon_n(&c2, c1.data, c1.len, 64) != JSON_OK)
            check_fail(__FILE__, __LINE__, "re-encoded text does not parse: %s", c1.data);
        else if (c1.len != c2.len || memcmp(c1.data, c2.data, c1.len) != 0)
            check_fail(__FILE__, __LINE__, "not a fixed point: %s vs %s", c1.data, c2.data);
    } else {
        if (rc != JSON_INVALID) check_fail(__FILE__, __LINE__, "unexpected rc %d", rc);
        if (e1.offset > size || e1.line < 1 || e1.column < 1 || e1.column > e1.offset + 1 ||
            !e1.message[0])
            check_fail(__FILE__, __LINE__, "bad error position %zu:%zu:%zu '%s' (len %zu)",
                       e1.offset, e1.line, e1.column, e1.message, size);
        if (e1.offset != e2.offset || strcmp(e1.message, e2.message) != 0)
            check_fail(__FILE__, __LINE__, "error differs without callbacks");
    }
    free(in);
    buf_free(&trace);
    buf_free(&c1);
    buf_free(&c2);
    return rc == JSON_OK;
}

#ifdef RATIO_LIBFUZZER
/* Standalone libFuzzer build: no test runner, so a broken property aborts to report the input. */
void check_register(const char *name, check_fn fn)
{
    (void)name;
    (void)fn;
}
void check_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_fuzz_one(data, size);
    return 0;
}
#endif

static uint64_t fz_next(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Bytes that matter to the grammar and to UTF-8, so mutations reach deep states quickly. */
static const char fz_alphabet[] =
    "{}[]\",:\\/ \t\r\n0123456789-+.eEtrufalsn"
    "\x00\x01\x1f\x7f\x80\xbf\xc0\xc2\xdf\xe0\xed\xef\xf0\xf4\xf5\xff";

static const char *const fz_seeds[] = {
    "{\"a\":[1,2.5,-3e2,\"x\\u00e9\\ud83d\\ude00\",true,false,null],\"b\":{}}",
    "[\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\",\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]",
    "[9223372036854775807,-9223372036854775808,9223372036854775808,0.1,1e308,1e-320]",
    "{\"context\":[{\"role\":\"user\",\"content\":\"hi\"}],\"overall_preference\":-3}",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    " \"\\ud800\\udc00\" ",
};

TEST(json_fuzz_mutations_never_break_properties)
{
    uint64_t seed = 20240601;
    size_t nseeds = sizeof fz_seeds / sizeof fz_seeds[0];
    int valid = 0, invalid = 0;
    unsigned char in[512];
    for (int iter = 0; iter < 40000; iter++) {
        size_t n;
        uint64_t r = fz_next(&seed);
        if (r % 8 == 0) { /* random bytes from the alphabet */
            n = (size_t)(fz_next(&seed) % 24);
            for (size_t i = 0; i < n; i++)
                in[i] = (unsigned char)fz_alphabet[fz_next(&seed) % (sizeof fz_alphabet - 1)];
        } else { /* a seed with a few mutations */
            const char *s = fz_seeds[r % nseeds];
            n = strlen(s);
            memcpy(in, s, n);
            int muts = 1 + (int)(fz_next(&seed) % 4);
            for (int m = 0; m < muts; m++) {
                uint64_t x = fz_next(&seed);
                size_t at = n ? (size_t)(x >> 8) % n : 0;
                unsigned char b = (unsigned char)fz_alphabet[(x >> 40) % (sizeof fz_alphabet - 1)];
                switch (x % 5) {
                case 0: /* overwrite */
                    if (n) in[at] = b;
                    break;
                case 1: /* insert */
                    if (n < sizeof in) {
                        memmove(in + at + 1, in + at, n - at);
                        in[at] = b;
                        n++;
                    }
                    break;
                case 2: /* delete */
                    if (n) {
                        memmove(in + at, in + at + 1, n - at - 1);
                        n--;
                    }
                    break;
                case 3: /* truncate */
                    n = at;
                    break;
                default: /* random byte anywhere */
                    if (n) in[at] = (unsigned char)(x >> 32);
                }
            }
        }
        if (json_fuzz_one(in, n))
            valid++;
        else
            invalid++;
    }
    /* The mix must exercise both outcomes, or the loop proves little. */
    CHECK(valid > 1000);
    CHECK(invalid > 1000);
}
