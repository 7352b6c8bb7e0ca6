/* Tests for core/json/json.c: the SAX parser (values, every error message with its position, each
 * check of the first pass, the number literals in step with the tape's numbers, UTF-8 rejection
 * classes, depth limit) and the encoder helpers (round trips). */
#include <float.h>
#include <limits.h>
#include <stdint.h>

#include "check.h"
#include "util/utf8.h"
#include "test_json_util.h"

#define E(s) jt_parse(&t, s)

TEST(json_integers_and_floats_stay_apart)
{
    buf_t t = {0};
    CHECK_STR(E("1"), "i:1");
    CHECK_STR(E("1.0"), "d:1");
    CHECK_STR(E("-0"), "i:0");
    CHECK_STR(E("0"), "i:0");
    CHECK_STR(E("1e2"), "d:100");
    CHECK_STR(E("1E+2"), "d:100");
    CHECK_STR(E("25e-2"), "d:0.25");
    CHECK_STR(E("-12.5e1"), "d:-125");
    CHECK_STR(E("0.1"), "d:0.10000000000000001");
    CHECK_STR(E("9223372036854775807"), "i:9223372036854775807");
    CHECK_STR(E("-9223372036854775808"), "i:-9223372036854775808");
    /* One past int64 becomes a double, like Lua's tonumber. */
    CHECK_STR(E("9223372036854775808"), "d:9.2233720368547758e+18");
    CHECK_STR(E("-9223372036854775809"), "d:-9.2233720368547758e+18");
    CHECK_STR(E("123456789012345678901234567890"), "d:1.2345678901234568e+29");
    CHECK_STR(E("1e-400"), "d:0"); /* underflow rounds to zero, as in every JSON reader */
    CHECK_STR(E("[1,1.5,-2]"), "[ i:1 d:1.5 i:-2 ]3");
    buf_free(&t);
}

static int neg_zero_seen(void *ud, double v)
{
    *(int *)ud = v == 0.0 && signbit(v);
    return 0;
}

TEST(json_negative_zero_float_keeps_its_sign)
{
    json_sax_t sax = {0};
    sax.on_double = neg_zero_seen;
    int seen = 0;
    CHECK_INT(json_parse("-0.0", 4, &sax, &seen, 0, NULL), JSON_OK);
    CHECK(seen);
}

TEST(json_number_errors)
{
    buf_t t = {0};
    CHECK_STR(E("1e400"), "E@0:1:1 number out of range");
    CHECK_STR(E("[-1e400]"), "E@1:1:2 number out of range");
    CHECK_STR(E("01"), "E@0:1:1 invalid number: leading zeros are not allowed");
    CHECK_STR(E("-01"), "E@1:1:2 invalid number: leading zeros are not allowed");
    CHECK_STR(E("+1"), "E@0:1:1 invalid number: a leading '+' is not allowed");
    CHECK_STR(E(".5"), "E@0:1:1 invalid number: expected a digit before '.'");
    CHECK_STR(E("1.e5"), "E@2:1:3 invalid number: expected a digit after '.', found 'e'");
    CHECK_STR(E("1ex"), "E@2:1:3 invalid number: expected a digit in the exponent, found 'x'");
    CHECK_STR(E("-a"), "E@1:1:2 invalid number: expected a digit after '-', found 'a'");
    CHECK_STR(E("-Infinity"), "E@1:1:2 invalid number: expected a digit after '-', found 'I'");
    CHECK_STR(E("1."), "E@2:1:3 unexpected end of input");
    CHECK_STR(E("1e"), "E@2:1:3 unexpected end of input");
    CHECK_STR(E("1e+"), "E@3:1:4 unexpected end of input");
    CHECK_STR(E("-"), "E@1:1:2 unexpected end of input");
    CHECK_STR(E("NaN"), "E@0:1:1 invalid literal");
    CHECK_STR(E("Infinity"), "E@0:1:1 invalid literal");
    CHECK_STR(E("[1, NaN]"), "E@4:1:5 invalid literal");
    CHECK_STR(E("1x"), "E@1:1:2 unexpected 'x' after the JSON value");
    CHECK_STR(E("0x10"), "E@1:1:2 unexpected 'x' after the JSON value");
    buf_free(&t);
}

TEST(json_literals)
{
    buf_t t = {0};
    CHECK_STR(E("true"), "t");
    CHECK_STR(E("false"), "f");
    CHECK_STR(E("null"), "n");
    CHECK_STR(E(" [true,false,null] "), "[ t f n ]3");
    CHECK_STR(E("tru"), "E@3:1:4 unexpected end of input"); /* cut off, not misspelt */
    CHECK_STR(E("[tru]"), "E@1:1:2 invalid literal");
    CHECK_STR(E("trux"), "E@0:1:1 invalid literal");
    CHECK_STR(E("True"), "E@0:1:1 invalid literal");
    CHECK_STR(E("nulll"), "E@0:1:1 invalid literal");
    CHECK_STR(E("{\"a\":undefined}"), "E@5:1:6 invalid literal");
    buf_free(&t);
}

TEST(json_strings_and_escapes)
{
    buf_t t = {0};
    CHECK_STR(E("\"\""), "s:\"\"");
    CHECK_STR(E("\"abc\""), "s:\"abc\"");
    CHECK_STR(E("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""), "s:\"\\x22\\x5C/\\x08\\x0C\\x0A\\x0D\\x09\"");
    CHECK_STR(E("\"\\u0041\\u00e9\\u00E9\""), "s:\"A\\xC3\\xA9\\xC3\\xA9\"");
    CHECK_STR(E("\"\\u20ac\""), "s:\"\\xE2\\x82\\xAC\"");
    CHECK_STR(E("\"\\u07ff\\u0800\\uffff\""), "s:\"\\xDF\\xBF\\xE0\\xA0\\x80\\xEF\\xBF\\xBF\"");
    /* Surrogate pairs: U+1F600 and the extremes U+10000, U+10FFFF. */
    CHECK_STR(E("\"\\ud83d\\ude00\""), "s:\"\\xF0\\x9F\\x98\\x80\"");
    CHECK_STR(E("\"\\uD800\\uDC00\\uDBFF\\uDFFF\""),
              "s:\"\\xF0\\x90\\x80\\x80\\xF4\\x8F\\xBF\\xBF\"");
    /* \u0000 decodes to a real NUL inside the string; the length says so. */
    CHECK_STR(E("\"a\\u0000b\""), "s:\"a\\x00b\"");
    /* Raw UTF-8 passes through unchanged. */
    CHECK_STR(E("\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\""),
              "s:\"\\xC3\\xA9\\xE2\\x82\\xAC\\xF0\\x9F\\x98\\x80\"");
    CHECK_STR(E("\"\x7F\""), "s:\"\\x7F\""); /* DEL is not a control character for JSON */
    buf_free(&t);
}

TEST(json_string_errors)
{
    buf_t t = {0};
    CHECK_STR(E("\"\\ud800\""), "E@1:1:2 unpaired surrogate in \\u escape");
    CHECK_STR(E("\"ab\\ud800\\u0041\""), "E@3:1:4 unpaired surrogate in \\u escape");
    CHECK_STR(E("\"\\ud800\\ud800\""), "E@1:1:2 unpaired surrogate in \\u escape");
    CHECK_STR(E("\"\\udc00\""), "E@1:1:2 unpaired surrogate in \\u escape");
    CHECK_STR(E("\"\\udfff\\ud800\""), "E@1:1:2 unpaired surrogate in \\u escape");
    CHECK_STR(E("\"\\ud800x\""), "E@1:1:2 unpaired surrogate in \\u escape");
    CHECK_STR(E("\"\\ud800\\n\""), "E@1:1:2 unpaired surrogate in \\u escape");
    CHECK_STR(E("\"\\ud800\\"), "E@0:1:1 unterminated string");
    CHECK_STR(E("\"\\ud800"), "E@0:1:1 unterminated string");
    CHECK_STR(E("\"\\ud800\\u12"), "E@0:1:1 unterminated string");
    CHECK_STR(E("\"\\u12\""), "E@1:1:2 invalid \\u escape in string (needs 4 hex digits)");
    CHECK_STR(E("\"\\u12g4\""), "E@1:1:2 invalid \\u escape in string (needs 4 hex digits)");
    CHECK_STR(E("\"\\ud800\\uzzzz\""), "E@7:1:8 invalid \\u escape in string (needs 4 hex digits)");
    CHECK_STR(E("\"\\x\""), "E@1:1:2 invalid escape '\\x' in string");
    CHECK_STR(E("\"\\'\""), "E@1:1:2 invalid escape '\\'' in string");
    CHECK_STR(E("\"a\tb\""), "E@2:1:3 unescaped control character (byte 0x09) in string");
    CHECK_STR(E("\"a\nb\""), "E@2:1:3 unescaped control character (byte 0x0A) in string");
    CHECK_STR(jt_parse_n(&t, "\"a\0b\"", 5, 0, 0),
              "E@2:1:3 unescaped control character (byte 0x00) in string");
    CHECK_STR(jt_parse_n(&t, "\"\\\x01\"", 4, 0, 0),
              "E@1:1:2 invalid escape: '\\' followed by byte 0x01 in string");
    CHECK_STR(E("\"abc"), "E@0:1:1 unterminated string"); /* where the string starts */
    CHECK_STR(E("\"abc\\"), "E@0:1:1 unterminated string");
    buf_free(&t);
}

/* Every class of invalid UTF-8 is rejected at the offset of its first byte (after `"ab`). */
TEST(json_utf8_rejection_classes)
{
    static const char *const bad[] = {
        "\x80",             /* stray continuation byte */
        "\xBF",             /* stray continuation byte */
        "\xC0\x80",         /* overlong NUL */
        "\xC1\xBF",         /* overlong 2-byte */
        "\xE0\x80\x80",     /* overlong 3-byte */
        "\xE0\x9F\xBF",     /* overlong 3-byte (U+07FF) */
        "\xF0\x80\x80\x80", /* overlong 4-byte */
        "\xF0\x8F\xBF\xBF", /* overlong 4-byte (U+FFFF) */
        "\xED\xA0\x80",     /* UTF-8-encoded surrogate U+D800 */
        "\xED\xBF\xBF",     /* UTF-8-encoded surrogate U+DFFF */
        "\xF4\x90\x80\x80", /* U+110000 */
        "\xF5\x80\x80\x80", /* lead byte beyond U+10FFFF */
        "\xFF",             /* never valid */
        "\xFE",             /* never valid */
        "\xC3",             /* truncated 2-byte (then the closing quote) */
        "\xE2\x82",         /* truncated 3-byte */
        "\xF0\x9F\x98",     /* truncated 4-byte */
        "\xC3\x41",         /* continuation missing */
        "\xE2\x28\xA1",     /* bad second byte */
        "\xF0\x9F\x28\x80", /* bad third byte */
        "\xF0\x9F\x98\x28", /* bad fourth byte */
    };
    buf_t t = {0}, in = {0};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        buf_reset(&in);
        buf_puts(&in, "\"ab");
        buf_puts(&in, bad[i]);
        buf_puts(&in, "cd\"");
        const char *got = jt_parse_n(&t, in.data, in.len, 0, 0);
        if (strcmp(got, "E@3:1:4 invalid UTF-8 in string") != 0)
            check_fail(__FILE__, __LINE__, "case %zu: %s", i, got);
        /* Same in a key, and the validator agrees. */
        buf_reset(&in);
        buf_puts(&in, "{\"");
        buf_puts(&in, bad[i]);
        buf_puts(&in, "\":1}");
        got = jt_parse_n(&t, in.data, in.len, 0, 0);
        if (strcmp(got, "E@2:1:3 invalid UTF-8 in string") != 0)
            check_fail(__FILE__, __LINE__, "key case %zu: %s", i, got);
        CHECK(!utf8_valid(bad[i], strlen(bad[i])));
        CHECK_INT(utf8_valid_prefix(bad[i], strlen(bad[i])), 0);
    }
    /* A multi-byte sequence cut by the end of the input. */
    CHECK_STR(jt_parse_n(&t, "\"\xE2\x82", 3, 0, 0), "E@1:1:2 invalid UTF-8 in string");
    /* Boundaries that are valid. */
    static const char *const good[] = {"\xC2\x80",         "\xDF\xBF",        "\xE0\xA0\x80",
                                       "\xED\x9F\xBF",     "\xEE\x80\x80",    "\xEF\xBF\xBF",
                                       "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        buf_reset(&in);
        buf_putc(&in, '"');
        buf_puts(&in, good[i]);
        buf_putc(&in, '"');
        CHECK(jt_parse_n(&t, in.data, in.len, 0, 0)[0] == 's');
        CHECK(utf8_valid(good[i], strlen(good[i])));
    }
    CHECK_INT(utf8_valid_prefix("ab\xC3\xA9\xFFx", 6), 4);
    CHECK(utf8_valid("", 0));
    CHECK(utf8_valid("a\0b", 3));
    buf_free(&t);
    buf_free(&in);
}

TEST(json_objects_and_arrays)
{
    buf_t t = {0};
    CHECK_STR(E("[]"), "[ ]0");
    CHECK_STR(E("{}"), "{ }0");
    CHECK_STR(E(" \t\r\n[ ] \n"), "[ ]0");
    CHECK_STR(E("[[],{}]"), "[ [ ]0 { }0 ]2");
    CHECK_STR(E("{\"a\":1,\"b\":[2,3],\"c\":{\"d\":null}}"),
              "{ k:\"a\" i:1 k:\"b\" [ i:2 i:3 ]2 k:\"c\" { k:\"d\" n }1 }3");
    CHECK_STR(E("{ \"k\\u00e9\" : \"v\" }"), "{ k:\"k\\xC3\\xA9\" s:\"v\" }1");
    CHECK_STR(E("{\"a\":1,\"a\":2}"), "{ k:\"a\" i:1 k:\"a\" i:2 }2"); /* duplicates reported */
    buf_free(&t);
}

TEST(json_structure_errors)
{
    buf_t t = {0};
    CHECK_STR(E(""), "E@0:1:1 unexpected end of input");
    CHECK_STR(E("  \n "), "E@4:2:2 unexpected end of input");
    CHECK_STR(E("["), "E@1:1:2 unexpected end of input");
    CHECK_STR(E("[1,"), "E@3:1:4 unexpected end of input");
    CHECK_STR(E("{\"a\""), "E@4:1:5 unexpected end of input");
    CHECK_STR(E("{\"a\":"), "E@5:1:6 unexpected end of input");
    CHECK_STR(E("{\"a\":1"), "E@6:1:7 unexpected end of input");
    CHECK_STR(E("[1,]"), "E@2:1:3 trailing comma in array");
    CHECK_STR(E("{\"a\":1 , }"), "E@7:1:8 trailing comma in object");
    CHECK_STR(E("[1 2]"), "E@3:1:4 expected ',' or ']' after array element, found '2'");
    CHECK_STR(E("[1}"), "E@2:1:3 expected ',' or ']' after array element, found '}'");
    CHECK_STR(E("{\"a\" 1}"), "E@5:1:6 expected ':' after object key, found '1'");
    CHECK_STR(E("{\"a\"=1}"), "E@4:1:5 expected ':' after object key, found '='");
    CHECK_STR(E("{\"a\":1 \"b\":2}"),
              "E@7:1:8 expected ',' or '}' after object member, found '\"'");
    CHECK_STR(E("{1:2}"), "E@1:1:2 expected a string as object key, found '1'");
    CHECK_STR(E("{'a':2}"), "E@1:1:2 expected a string as object key, found '''");
    CHECK_STR(E("{\"a\":1,}"), "E@6:1:7 trailing comma in object");
    CHECK_STR(E("[1,,2]"), "E@3:1:4 expected a value, found ','");
    CHECK_STR(E("{\"a\":}"), "E@5:1:6 expected a value, found '}'");
    CHECK_STR(E("]"), "E@0:1:1 expected a value, found ']'");
    CHECK_STR(E("\x01"), "E@0:1:1 unexpected control character (byte 0x01) outside a string");
    CHECK_STR(E("\xEF\xBB\xBF{}"), "E@0:1:1 unexpected byte order mark (EF BB BF)");
    CHECK_STR(E("1 2"), "E@2:1:3 unexpected '2' after the JSON value");
    CHECK_STR(E("[1]x"), "E@3:1:4 unexpected 'x' after the JSON value");
    CHECK_STR(E("{} {}"), "E@3:1:4 unexpected '{' after the JSON value");
    CHECK_STR(E("// note\n1"), "E@0:1:1 comments are not allowed in JSON");
    CHECK_STR(E("[1 /* x */]"), "E@3:1:4 comments are not allowed in JSON");
    CHECK_STR(E("1 // x"), "E@2:1:3 comments are not allowed in JSON");
    CHECK_STR(E("{\"a\"/**/:1}"), "E@4:1:5 comments are not allowed in JSON");
    CHECK_STR(jt_parse_n(&t, "1\0", 2, 0, 0), "E@1:1:2 unexpected byte 0x00 after the JSON value");
    buf_free(&t);
}

/* What cJSON lets through, each closed by a check around it. */
TEST(json_what_cjson_accepts_is_refused)
{
    buf_t t = {0};
    /* Trailing data: cJSON stops after the first value. */
    CHECK_STR(E("nulll"), "E@0:1:1 invalid literal");
    CHECK_STR(E("truefalse"), "E@0:1:1 invalid literal");
    CHECK_STR(E("true false"), "E@5:1:6 unexpected 'f' after the JSON value");
    CHECK_STR(E("[1] \r\n\t"), "[ i:1 ]1");
    /* A malformed \u escape, which cJSON reads as U+0000. */
    CHECK_STR(E("[\"\\uzzzz\"]"), "E@2:1:3 invalid \\u escape in string (needs 4 hex digits)");
    /* Bytes <= 0x20 other than space, tab, CR and LF, which cJSON skips as whitespace. */
    CHECK_STR(E("[\x01 1]"), "E@1:1:2 unexpected control character (byte 0x01) outside a string");
    CHECK_STR(E("[1,\x0B"
                "2]"),
              "E@3:1:4 unexpected control character (byte 0x0B) outside a string");
    CHECK_STR(E("{\"a\"\x1F:1}"),
              "E@4:1:5 unexpected control character (byte 0x1F) outside a string");
    CHECK_STR(jt_parse_n(&t, "[\0]", 3, 0, 0),
              "E@1:1:2 unexpected control character (byte 0x00) outside a string");
    CHECK_STR(E("\xEF\xBB\xBF"
                "1"),
              "E@0:1:1 unexpected byte order mark (EF BB BF)");
    /* Numbers strtod reads but RFC 8259 does not have. */
    CHECK_STR(E("[01]"), "E@1:1:2 invalid number: leading zeros are not allowed");
    CHECK_STR(E("[1.]"), "E@3:1:4 invalid number: expected a digit after '.', found ']'");
    CHECK_STR(E("[1.e5]"), "E@3:1:4 invalid number: expected a digit after '.', found 'e'");
    CHECK_STR(E("[1e999]"), "E@1:1:2 number out of range"); /* cJSON: infinity */
    /* Integers beyond 2^53, where cJSON's double is not exact. */
    CHECK_STR(E("[9007199254740993,-9007199254740993,1234567890123456789]"),
              "[ i:9007199254740993 i:-9007199254740993 i:1234567890123456789 ]3");
    CHECK_STR(E("[1.0,1e0,-0.0,10]"), "[ d:1 d:1 d:-0 i:10 ]4");
    /* No length limit on a number (cJSON once read at most 63 bytes of one). */
    CHECK_STR(E("1000000000000000000000000000000000000000000000000000000000000000000000000000000"),
              "d:1e+78");
    CHECK_STR(E("0.000000000000000000000000000000000000000000000000000000000000000000000000025"),
              "d:2.5e-74");
    buf_free(&t);
}

/* The tape's numbers are the runs of [-+.0-9eE] that start with '-' or a digit outside strings,
 * in document order, as the first pass notes them: literals, keys and strings full of digits do
 * not disturb that. */
TEST(json_number_literals_match_the_tree)
{
    buf_t t = {0};
    CHECK_STR(
        E("[true,1,false,-2,null,3e0,\"4\",{\"5\":6.5,\"e\":[-0]},\"-7e1\",8]"),
        "[ t i:1 f i:-2 n d:3 s:\"4\" { k:\"5\" d:6.5 k:\"e\" [ i:0 ]1 }2 s:\"-7e1\" i:8 ]10");
    CHECK_STR(E("{\"1\":\"2\",\"3\":4}"), "{ k:\"1\" s:\"2\" k:\"3\" i:4 }2");
    CHECK_STR(E("[\"\\\"1\",2,\"\\\\\",3]"), "[ s:\"\\x221\" i:2 s:\"\\x5C\" i:3 ]4");
    /* A run that goes on past what strtod reads is refused, where it stops being a number. */
    CHECK_STR(E("[1.2.3]"), "E@4:1:5 invalid number: unexpected '.'");
    CHECK_STR(E("1.2.3"), "E@3:1:4 invalid number: unexpected '.'");
    CHECK_STR(E("[1-2]"), "E@2:1:3 invalid number: unexpected '-'");
    CHECK_STR(E("[1+2]"), "E@2:1:3 invalid number: unexpected '+'");
    CHECK_STR(E("[1e5e5]"), "E@4:1:5 invalid number: unexpected 'e'");
    CHECK_STR(E("[1e+]"), "E@4:1:5 invalid number: expected a digit in the exponent, found ']'");
    CHECK_STR(E("[-]"), "E@2:1:3 invalid number: expected a digit after '-', found ']'");
    CHECK_STR(E("[--1]"), "E@2:1:3 invalid number: expected a digit after '-', found '-'");
    /* Next to a literal. */
    CHECK_STR(E("[1true]"), "E@2:1:3 expected ',' or ']' after array element, found 't'");
    CHECK_STR(E("[true1]"), "E@5:1:6 expected ',' or ']' after array element, found '1'");
    CHECK_STR(E("[true-1]"), "E@5:1:6 expected ',' or ']' after array element, found '-'");
    CHECK_STR(E("[nulll]"), "E@1:1:2 invalid literal");
    buf_free(&t);
}

/* A string that holds \u0000 is told with its exact length, the NUL inside it. */
/* The first pass reads plain runs 16 and 64 bytes at a time: a quote, a control byte, a backslash
 * escape or a multi-byte character at any offset of a long string is still found where it is. */
TEST(json_scan_every_special_byte_at_every_offset)
{
    buf_t t = {0}, want = {0};
    char s[160];
    for (size_t len = 1; len <= 150; len++)
        for (size_t at = 0; at < len; at++)
            for (int kind = 0; kind < 4; kind++) {
                /* "x...x" (len x's) with byte `at` changed */
                memset(s, 'x', sizeof s);
                s[0] = '"';
                size_t n = len + 2;
                buf_reset(&want);
                if (kind == 0) { /* a raw tab: refused where it stands */
                    s[1 + at] = '\t';
                    buf_printf(&want,
                               "E@%zu:1:%zu unescaped control character (byte 0x09) in string",
                               at + 1, at + 2);
                } else if (kind == 1 || kind == 2) { /* é, or an escaped newline, in its place */
                    memmove(s + 3 + at, s + 2 + at, len - at - 1);
                    s[1 + at] = kind == 1 ? (char)0xC3 : '\\';
                    s[2 + at] = kind == 1 ? (char)0xA9 : 'n';
                    n++;
                    buf_puts(&want, "s:\"");
                    for (size_t i = 0; i < len; i++)
                        buf_puts(&want, i != at ? "x" : kind == 1 ? "\\xC3\\xA9" : "\\x0A");
                    buf_putc(&want, '"');
                } else { /* a quote: the string ends there, and what follows is an error */
                    s[1 + at] = '"';
                    buf_printf(&want, "E@%zu:", at + 2);
                }
                s[n - 1] = '"';
                const char *got = jt_parse_n(&t, s, n, 0, 0);
                int same = kind == 3 ? strncmp(got, buf_cstr(&want), want.len) == 0
                                     : strcmp(got, buf_cstr(&want)) == 0;
                if (!same) {
                    CHECK_STR(got, buf_cstr(&want));
                    goto out;
                }
            }
out:
    buf_free(&t);
    buf_free(&want);
}

TEST(json_nul_in_strings_keeps_the_length)
{
    buf_t t = {0};
    CHECK_STR(
        E("{\"a\\u0000b\":\"\\u0000\",\"k\":[1,\"x\\u0000y\\u0000\",2.5,\"\\u0000\"]}"),
        "{ k:\"a\\x00b\" s:\"\\x00\" k:\"k\" [ i:1 s:\"x\\x00y\\x00\" d:2.5 s:\"\\x00\" ]4 }2");
    CHECK_STR(E("\"\\u0000\\ud83d\\ude00\\u00e9\\n\\u20ac\""),
              "s:\"\\x00\\xF0\\x9F\\x98\\x80\\xC3\\xA9\\x0A\\xE2\\x82\\xAC\"");
    CHECK_STR(E("[\"\\u0000\",\"\",\"\\u0000\\u0000\"]"),
              "[ s:\"\\x00\" s:\"\" s:\"\\x00\\x00\" ]3");
    buf_free(&t);
}

/* cJSON gives a rough offset (the last byte for the end of the input, one past a key that is not
 * a string); the error still names the offending byte. Of the scan's first error and cJSON's, the
 * earlier is reported. */
TEST(json_error_positions_around_cjson)
{
    buf_t t = {0};
    CHECK_STR(E("{x"), "E@1:1:2 expected a string as object key, found 'x'");
    CHECK_STR(E("{]"), "E@1:1:2 expected a string as object key, found ']'");
    CHECK_STR(E("{\"a\":1,x}"), "E@7:1:8 expected a string as object key, found 'x'");
    CHECK_STR(E("{\"a\":1,,}"), "E@7:1:8 expected a string as object key, found ','");
    CHECK_STR(E("[{}x]"), "E@3:1:4 expected ',' or ']' after array element, found 'x'");
    CHECK_STR(E("[1,[#]]"), "E@4:1:5 expected a value, found '#'");
    CHECK_STR(E("{\"a\":[1}"), "E@7:1:8 expected ',' or ']' after array element, found '}'");
    CHECK_STR(E("{\"a\":{\"b\":1]"),
              "E@11:1:12 expected ',' or '}' after object member, found ']'");
    CHECK_STR(E("[1x"), "E@2:1:3 expected ',' or ']' after array element, found 'x'");
    CHECK_STR(E("[[]"), "E@3:1:4 unexpected end of input");
    CHECK_STR(E("{\"a\":1,"), "E@7:1:8 unexpected end of input");
    CHECK_STR(E("{\"a\":1, "), "E@8:1:9 unexpected end of input");
    CHECK_STR(E("[ "), "E@2:1:3 unexpected end of input");
    CHECK_STR(E("t"), "E@1:1:2 unexpected end of input");
    /* The earlier of the two errors. */
    CHECK_STR(E("[1 2, 01]"), "E@3:1:4 expected ',' or ']' after array element, found '2'");
    CHECK_STR(E("[01 x]"), "E@1:1:2 invalid number: leading zeros are not allowed");
    CHECK_STR(E("{01:1}"), "E@1:1:2 expected a string as object key, found '0'");
    CHECK_STR(E("[1 -x]"), "E@3:1:4 expected ',' or ']' after array element, found '-'");
    CHECK_STR(E("[-x]"), "E@2:1:3 invalid number: expected a digit after '-', found 'x'");
    CHECK_STR(E("[\"a\" \"b\\q\"]"), "E@5:1:6 expected ',' or ']' after array element, found '\"'");
    CHECK_STR(E("[\"b\\q\" 1]"), "E@3:1:4 invalid escape '\\q' in string");
    CHECK_STR(E("[1, \"abc]"), "E@4:1:5 unterminated string");
    CHECK_STR(E("[1 \"abc]"), "E@3:1:4 expected ',' or ']' after array element, found '\"'");
    /* A number out of range is reported only in text that is otherwise valid. */
    CHECK_STR(E("[1e999, x]"), "E@8:1:9 invalid literal");
    buf_free(&t);
}

TEST(json_error_line_and_column)
{
    buf_t t = {0};
    CHECK_STR(E("{\n  \"a\": 1,\n  \"b\": tru e\n}"), "E@19:3:8 invalid literal");
    CHECK_STR(E("[1,\r\n 2,\r\n x]"), "E@11:3:2 invalid literal");
    CHECK_STR(E("[\n\n\n"), "E@4:4:1 unexpected end of input");
    buf_free(&t);
}

static void nested(buf_t *b, int levels, const char *open, const char *inner, const char *close)
{
    buf_reset(b);
    for (int i = 0; i < levels; i++)
        buf_puts(b, open);
    buf_puts(b, inner);
    for (int i = 0; i < levels; i++)
        buf_puts(b, close);
}

TEST(json_depth_limit)
{
    buf_t t = {0}, in = {0};
    nested(&in, 512, "[", "1", "]");
    CHECK_INT(json_parse(in.data, in.len, NULL, NULL, 0, NULL), JSON_OK);
    nested(&in, 513, "[", "1", "]");
    CHECK_STR(jt_parse_n(&t, in.data, in.len, 0, 0), "E@512:1:513 nesting deeper than 512 levels");
    nested(&in, 3, "[", "1", "]");
    CHECK_INT(json_parse(in.data, in.len, NULL, NULL, 3, NULL), JSON_OK);
    nested(&in, 4, "[", "1", "]");
    CHECK_STR(jt_parse_n(&t, in.data, in.len, 3, 0), "E@3:1:4 nesting deeper than 3 levels");
    nested(&in, 3, "{\"k\":", "{}", "}");
    CHECK_STR(jt_parse_n(&t, in.data, in.len, 3, 0), "E@15:1:16 nesting deeper than 3 levels");
    CHECK_STR(jt_parse_n(&t, "[]", 2, 1, 0), "[ ]0");
    CHECK_STR(jt_parse_n(&t, "[[]]", 4, 1, 0), "E@1:1:2 nesting deeper than 1 levels");
    /* cJSON's nesting limit (1000) is the clamp: deeper input is refused before cJSON recurses. */
    nested(&in, 1000, "[", "", "]");
    CHECK_INT(json_parse(in.data, in.len, NULL, NULL, 1000, NULL), JSON_OK);
    nested(&in, 100001, "[", "", "]");
    json_error_t err;
    CHECK_INT(json_parse(in.data, in.len, NULL, NULL, 1 << 30, &err), JSON_INVALID);
    CHECK_STR(err.message, "nesting deeper than 1000 levels");
    CHECK_INT(err.offset, 1000);
    /* Depth counts open containers, not total containers. */
    buf_reset(&in);
    for (int i = 0; i < 2000; i++)
        buf_puts(&in, i ? ",[[]]" : "[[[]]");
    buf_puts(&in, "]");
    CHECK_INT(json_parse(in.data, in.len, NULL, NULL, 3, NULL), JSON_OK);
    buf_free(&t);
    buf_free(&in);
}

TEST(json_callback_abort_is_reported_as_such)
{
    buf_t t = {0};
    /* Events: [ i:1 i:2 ... -> abort on the 3rd. An abort has no position (the events come from
     * the tape, after the whole text was checked). */
    CHECK_STR(jt_parse_n(&t, "[1,2,3]", 7, 0, 3), "A@0:0:0 aborted by callback");
    CHECK_STR(jt_parse_n(&t, "{\"a\":1}", 7, 0, 2), "A@0:0:0 aborted by callback");
    CHECK_STR(jt_parse_n(&t, "[[]]", 4, 0, 3), "A@0:0:0 aborted by callback"); /* inner ] */
    CHECK_STR(jt_parse_n(&t, "[1]", 3, 0, 1), "A@0:0:0 aborted by callback");
    CHECK_STR(jt_parse_n(&t, "[null]", 6, 0, 2), "A@0:0:0 aborted by callback");
    CHECK_STR(jt_parse_n(&t, "\"s\"", 3, 0, 1), "A@0:0:0 aborted by callback");
    CHECK_STR(jt_parse_n(&t, "1.5", 3, 0, 1), "A@0:0:0 aborted by callback");
    /* Invalid text is reported as such before any callback runs. */
    CHECK_STR(jt_parse_n(&t, "[1,2,", 5, 0, 2), "E@5:1:6 unexpected end of input");
    buf_free(&t);
}

TEST(json_validate_only_and_null_error)
{
    CHECK_INT(json_parse("{\"a\":[1,2.5,\"x\",true,null]}", 27, NULL, NULL, 0, NULL), JSON_OK);
    CHECK_INT(json_parse("{\"a\":", 5, NULL, NULL, 0, NULL), JSON_INVALID);
    json_sax_t only_ints = {0};
    only_ints.on_integer = NULL;
    CHECK_INT(json_parse("[1,{\"k\":\"v\"}]", 13, &only_ints, NULL, 0, NULL), JSON_OK);
    /* Never reads past len: the bytes after len would make it invalid. */
    CHECK_INT(json_parse("[1]garbage", 3, NULL, NULL, 0, NULL), JSON_OK);
    CHECK_INT(json_parse("12345", 2, NULL, NULL, 0, NULL), JSON_OK);
    CHECK_INT(json_parse("\"ab\"", 3, NULL, NULL, 0, NULL), JSON_INVALID);
}

struct count_ud {
    size_t last_array, last_object;
};
static int count_array(void *ud, size_t n)
{
    ((struct count_ud *)ud)->last_array = n;
    return 0;
}
static int count_object(void *ud, size_t n)
{
    ((struct count_ud *)ud)->last_object = n;
    return 0;
}

TEST(json_end_callbacks_get_counts)
{
    json_sax_t sax = {0};
    sax.on_end_array = count_array;
    sax.on_end_object = count_object;
    struct count_ud c = {99, 99};
    const char *doc = "[1,[],{\"a\":1,\"b\":2,\"c\":[]},4]";
    CHECK_INT(json_parse(doc, strlen(doc), &sax, &c, 0, NULL), JSON_OK);
    CHECK_INT(c.last_array, 4); /* the outer array closes last */
    CHECK_INT(c.last_object, 3);
}

TEST(json_reusable_parser)
{
    json_parser_t p;
    json_parser_init(&p);
    buf_t out = {0};
    jt_trace_t tr = {&out, 0, 0};
    json_error_t err;
    for (int i = 0; i < 1000; i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "{\"i\":%d,\"s\":\"x\\u00e9\",\"a\":[[%d]]}", i, i);
        buf_reset(&out);
        CHECK_INT(json_parser_parse(&p, line, (size_t)n, &jt_trace_sax, &tr, 0, &err), JSON_OK);
    }
    CHECK_INT(json_parser_parse(&p, "[", 1, NULL, NULL, 0, &err), JSON_INVALID);
    CHECK_STR(err.message, "unexpected end of input");
    CHECK_INT(json_parser_parse(&p, "[2]", 3, NULL, NULL, 0, &err), JSON_OK); /* no stale state */
    json_parser_free(&p);
    json_parser_free(&p); /* freeing twice is harmless */
    buf_free(&out);
}

/* A parser keeps its buffers (notes, tape, decoded string): a big document, a small one after it
 * and a failed parse between them must each read exactly as with a fresh parser. */
TEST(json_reusable_parser_across_tree_sizes)
{
    buf_t big = {0}, fresh = {0}, reused = {0};
    buf_putc(&big, '[');
    for (int i = 0; i < 20000; i++)
        buf_printf(&big, "%s{\"k%d\":\"value %d\",\"n\":[%d,%d.5,null,true]}", i ? "," : "", i, i,
                   i, i);
    buf_putc(&big, ']');
    const char *small = "{\"a\":[1,\"\\u0000x\",{\"b\":false}],\"c\":123456789012345678}";
    json_parser_t p;
    json_parser_init(&p);
    json_error_t err;
    for (int round = 0; round < 3; round++) {
        const char *doc = round == 1 ? small : big.data;
        size_t len = round == 1 ? strlen(small) : big.len;
        jt_trace_t a = {&fresh, 0, 0}, b = {&reused, 0, 0};
        buf_reset(&fresh);
        buf_reset(&reused);
        CHECK_INT(json_parse(doc, len, &jt_trace_sax, &a, 0, &err), JSON_OK);
        CHECK_INT(json_parser_parse(&p, doc, len, &jt_trace_sax, &b, 0, &err), JSON_OK);
        CHECK_INT((int)reused.len, (int)fresh.len);
        CHECK(memcmp(reused.data, fresh.data, fresh.len) == 0);
        CHECK_INT(json_parser_parse(&p, "{\"x\": [1, 2", 11, NULL, NULL, 0, &err), JSON_INVALID);
        CHECK_STR(err.message, "unexpected end of input");
    }
    json_parser_free(&p);
    buf_free(&big);
    buf_free(&fresh);
    buf_free(&reused);
}

/* A container's begin callback says how many members or elements its end will count. */
typedef struct told {
    size_t stack[8];
    int depth, checked, wrong;
} told_t;
static int told_begin(void *ud, size_t n)
{
    told_t *t = ud;
    t->stack[t->depth++] = n;
    return 0;
}
static int told_end(void *ud, size_t n)
{
    told_t *t = ud;
    t->wrong += t->stack[--t->depth] != n;
    t->checked++;
    return 0;
}

TEST(json_begin_callbacks_announce_their_counts)
{
    static const json_sax_t sax = {.on_begin_object = told_begin,
                                   .on_end_object = told_end,
                                   .on_begin_array = told_begin,
                                   .on_end_array = told_end};
    const char *doc = "{\"a\":[],\"b\":[1,[2,3,{}],{\"x\":1,\"x\":2,\"y\":[null]}],\"c\":{}}";
    told_t t = {0};
    json_error_t err;
    CHECK_INT(json_parse(doc, strlen(doc), &sax, &t, 0, &err), JSON_OK);
    CHECK_INT(t.checked, 8);
    CHECK_INT(t.wrong, 0);
    CHECK_INT(t.depth, 0);
}

/* ---- encoder -------------------------------------------------------------------------------- */

static const char *enc_string(buf_t *b, const char *s, size_t len)
{
    buf_reset(b);
    if (json_write_string(b, s, len) != 0) return "(refused)";
    return buf_cstr(b);
}

TEST(json_write_string_escapes)
{
    buf_t b = {0};
    CHECK_STR(enc_string(&b, "abc", 3), "\"abc\"");
    CHECK_STR(enc_string(&b, "", 0), "\"\"");
    CHECK_STR(enc_string(&b, "\"\\/", 3), "\"\\\"\\\\/\"");
    CHECK_STR(enc_string(&b, "\b\f\n\r\t", 5), "\"\\b\\f\\n\\r\\t\"");
    CHECK_STR(enc_string(&b, "\x01\x1f\x7f", 3), "\"\\u0001\\u001f\x7f\"");
    CHECK_STR(enc_string(&b, "a\0b", 3), "\"a\\u0000b\"");
    CHECK_STR(enc_string(&b, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9),
              "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"");
    /* Invalid UTF-8: refused, and the buffer is left exactly as it was. */
    static const char *const bad[] = {"\x80",       "\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                                      "ok\xE2\x82", "\xFF"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        buf_reset(&b);
        buf_puts(&b, "[1,");
        CHECK_INT(json_write_string(&b, bad[i], strlen(bad[i])), -1);
        CHECK_STR(buf_cstr(&b), "[1,");
        CHECK_INT(b.len, 3);
    }
    buf_free(&b);
}

/* The escape of one ASCII byte, written out plainly: what the word-at-a-time scan must match. */
static void ref_escape(buf_t *b, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    const char *shorts = "\"\"\\\\\bb\ff\nn\rr\tt"; /* pairs: byte, letter */
    for (const char *p = shorts; *p; p += 2)
        if ((unsigned char)p[0] == c) {
            buf_putc(b, '\\');
            buf_putc(b, p[1]);
            return;
        }
    if (c < 0x20) {
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        buf_append(b, esc, 6);
    } else {
        buf_putc(b, (char)c);
    }
}

/* Every ASCII byte, and a two-byte UTF-8 character, at every offset of strings of 1 to 40 bytes:
 * the sixteen- and eight-bytes-at-a-time scans stop for each byte that needs it wherever the byte
 * sits in a block or a word, and for nothing else (0x7f and 0x20 pass as they are). */
TEST(json_write_string_every_byte_at_every_offset)
{
    buf_t got = {0}, want = {0};
    char s[112];
    for (size_t len = 1; len <= 100; len++) /* past the 64-, 16- and 8-byte steps and their ends */
        for (size_t at = 0; at < len; at++)
            for (int c = 0; c <= 0x80; c++) {
                memset(s, 'x', len);
                size_t n = len;
                if (c == 0x80) { /* \xC3\xA9 in place of byte `at` */
                    memmove(s + at + 2, s + at + 1, len - at - 1);
                    s[at] = (char)0xC3;
                    s[at + 1] = (char)0xA9;
                    n = len + 1;
                } else {
                    s[at] = (char)c;
                }
                buf_reset(&want);
                buf_putc(&want, '"');
                for (size_t i = 0; i < n; i++)
                    if (c == 0x80 && (i == at || i == at + 1))
                        buf_putc(&want, s[i]);
                    else
                        ref_escape(&want, (unsigned char)s[i]);
                buf_putc(&want, '"');
                buf_reset(&got);
                CHECK_INT(json_write_string(&got, s, n), 0);
                CHECK_INT(got.len, want.len);
                if (got.len != want.len || memcmp(got.data, want.data, got.len) != 0) {
                    CHECK_STR(buf_cstr(&got), buf_cstr(&want));
                    goto out;
                }
            }
out:
    buf_free(&got);
    buf_free(&want);
}

static const char *enc_double(buf_t *b, double v)
{
    buf_reset(b);
    if (json_write_double(b, v) != 0) return "(refused)";
    return buf_cstr(b);
}

TEST(json_write_numbers)
{
    buf_t b = {0};
    json_write_integer(&b, 0);
    buf_putc(&b, ' ');
    json_write_integer(&b, -42);
    buf_putc(&b, ' ');
    json_write_integer(&b, LLONG_MAX);
    buf_putc(&b, ' ');
    json_write_integer(&b, LLONG_MIN);
    CHECK_STR(buf_cstr(&b), "0 -42 9223372036854775807 -9223372036854775808");

    CHECK_STR(enc_double(&b, 1.0), "1.0");
    CHECK_STR(enc_double(&b, -0.0), "-0.0");
    CHECK_STR(enc_double(&b, 0.0), "0.0");
    CHECK_STR(enc_double(&b, 100.0), "100.0");
    CHECK_STR(enc_double(&b, 0.1), "0.1");
    CHECK_STR(enc_double(&b, 0.1 + 0.2), "0.30000000000000004");
    CHECK_STR(enc_double(&b, 1.0 / 3.0), "0.3333333333333333");
    CHECK_STR(enc_double(&b, 1e100), "1e+100");
    CHECK_STR(enc_double(&b, 1e15), "1e+15");
    CHECK_STR(enc_double(&b, 123456789012345.0), "123456789012345.0");
    CHECK_STR(enc_double(&b, 9007199254740993.0), "9007199254740992.0"); /* 2^53+1 rounds */
    CHECK_STR(enc_double(&b, -2.5e-8), "-2.5e-08");
    CHECK_STR(enc_double(&b, DBL_MAX), "1.7976931348623157e+308");
    CHECK_STR(enc_double(&b, 5e-324), "4.94065645841247e-324");
    buf_reset(&b);
    buf_puts(&b, "x");
    CHECK_INT(json_write_double(&b, NAN), -1);
    CHECK_INT(json_write_double(&b, INFINITY), -1);
    CHECK_INT(json_write_double(&b, -INFINITY), -1);
    CHECK_STR(buf_cstr(&b), "x");
    buf_free(&b);
}

static uint64_t rng_next(uint64_t *s) /* splitmix64: seeded, so failures reproduce */
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

struct one_double {
    double v;
    int kind; /* 1 double, 2 integer */
};
static int got_double(void *ud, double v)
{
    ((struct one_double *)ud)->v = v;
    ((struct one_double *)ud)->kind = 1;
    return 0;
}
static int got_integer(void *ud, long long v)
{
    ((struct one_double *)ud)->v = (double)v;
    ((struct one_double *)ud)->kind = 2;
    return 0;
}

/* Any finite double written and read back is the same bits, and reads back as a float. */
TEST(json_double_round_trip_is_exact)
{
    json_sax_t sax = {0};
    sax.on_double = got_double;
    sax.on_integer = got_integer;
    buf_t b = {0};
    uint64_t seed = 42;
    int checked = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t bits = rng_next(&seed);
        double v;
        if (i % 3 == 0) { /* plus "ordinary" values */
            v = (double)(int64_t)(bits >> 20) / 1000.0;
        } else {
            memcpy(&v, &bits, sizeof v);
        }
        if (isnan(v) || isinf(v)) continue;
        buf_reset(&b);
        CHECK_INT(json_write_double(&b, v), 0);
        struct one_double got = {0, 0};
        CHECK_INT(json_parse(b.data, b.len, &sax, &got, 0, NULL), JSON_OK);
        if (got.kind != 1 || memcmp(&got.v, &v, sizeof v) != 0) {
            check_fail(__FILE__, __LINE__, "%.17g wrote %s, read back kind %d %.17g", v, b.data,
                       got.kind, got.v);
            break;
        }
        checked++;
    }
    CHECK(checked > 10000);
    buf_free(&b);
}

TEST(json_round_trip_encode_decode)
{
    buf_t b = {0}, b2 = {0};
    CHECK_STR(jt_canon(&b, " { \"a\" : [ 1 , 1.0 , -0 , 1e2 , -0.0, \"x\\u00e9\" ] } "),
              "{\"a\":[1,1.0,0,100.0,-0.0,\"x\xC3\xA9\"]}");
    CHECK_STR(jt_canon(&b, "[\"\\ud83d\\ude00\\u0000\\/\\u001F\\n\"]"),
              "[\"\xF0\x9F\x98\x80\\u0000/\\u001f\\n\"]");
    CHECK_STR(jt_canon(&b, "{\"\":{},\"n\":null,\"t\":true,\"f\":false,\"e\":[]}"),
              "{\"\":{},\"n\":null,\"t\":true,\"f\":false,\"e\":[]}");
    CHECK_STR(jt_canon(&b, "9223372036854775808"), "9.223372036854776e+18"); /* 16 digits do */
    CHECK_STR(jt_canon(&b, "[0.1,1e-7,123456789.125]"), "[0.1,1e-07,123456789.125]");
    /* canon is a fixed point: decode(encode(decode(x))) == decode(x). */
    static const char *const docs[] = {
        ("{\"domain\":\"code\",\"context\":[{\"role\":\"user\",\"content\":\"print(\\\"hi\\\")"
         "\\n\"}],"
         "\"overall_preference\":-2,\"human-checklist\":[\"a\",\"b\\tc\"],\"score\":0.75}"),
        "[1,-1,1.5,-1.5e300,2.2250738585072014e-308,9223372036854775807,-9223372036854775808]",
        "\"\xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80 \\u2028\"",
        "[[[[[[[[[[{}]]]]]]]]]]",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        CHECK_INT(jt_canon_n(&b, docs[i], strlen(docs[i]), 0), JSON_OK);
        CHECK_INT(jt_canon_n(&b2, b.data, b.len, 0), JSON_OK);
        CHECK_STR(buf_cstr(&b2), buf_cstr(&b));
    }
    buf_free(&b);
    buf_free(&b2);
}
