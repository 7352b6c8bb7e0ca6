/* buf: a formatted append that fits the room left, one that does not (the buffer grows and
 * the text is written again), and many in a row across growths; plain appends in place and
 * across growth. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "util/buf.h"

TEST(buf_printf_fits_and_grows)
{
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%d-%s", 42, "x");
    CHECK_STR(b.data, "42-x");
    CHECK_INT((int)b.len, 4);
    /* Longer than the room left: written whole after the buffer grew. */
    char big[300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    size_t cap = b.cap;
    buf_printf(&b, "[%s]", big);
    CHECK(b.cap > cap);
    CHECK_INT((int)b.len, 4 + 2 + 299);
    CHECK(b.data[4] == '[' && b.data[5] == 'a' && b.data[303] == 'a' && b.data[304] == ']');
    CHECK(b.data[b.len] == '\0');
    buf_free(&b);
}

TEST(buf_printf_many_appends_match_snprintf)
{
    buf_t b;
    buf_init(&b);
    char want[20000], one[32];
    size_t w = 0;
    for (long long i = -1000; i < 1000; i++) {
        int n = snprintf(one, sizeof one, "%lld,", i * 7919);
        memcpy(want + w, one, (size_t)n);
        w += (size_t)n;
        buf_printf(&b, "%lld,", i * 7919);
    }
    want[w] = '\0';
    CHECK_INT((int)b.len, (int)w);
    CHECK_STR(b.data, want);
    buf_free(&b);
}

TEST(buf_init_cap_is_exact_and_grows_on_demand)
{
    buf_t b;
    buf_init_cap(&b, 100);
    CHECK_INT((int)b.cap, 100);
    CHECK_INT((int)b.len, 0);
    CHECK_STR(buf_cstr(&b), "");
    char chunk[99];
    memset(chunk, 'x', sizeof chunk);
    buf_append(&b, chunk, sizeof chunk); /* 99 bytes and the NUL: fits exactly */
    CHECK_INT((int)b.cap, 100);
    buf_putc(&b, 'y'); /* one more: grows */
    CHECK(b.cap > 100);
    CHECK_INT((int)b.len, 100);
    CHECK_INT(b.data[99], 'y');
    buf_free(&b);
    buf_init_cap(&b, 0); /* room for the NUL at least */
    CHECK_STR(buf_cstr(&b), "");
    buf_free(&b);
}

TEST(buf_init_like_holds_a_text_as_long_as_the_last_without_growing)
{
    buf_t b;
    buf_init_like(&b, 2000);
    size_t cap = b.cap;
    CHECK(cap > 2000);
    char chunk[2000];
    memset(chunk, 'x', sizeof chunk);
    buf_append(&b, chunk, sizeof chunk);
    CHECK_INT((int)b.cap, (int)cap);
    buf_free(&b);
    buf_init_like(&b, 0);
    CHECK_STR(buf_cstr(&b), "");
    CHECK(b.cap >= 1);
    buf_free(&b);
}

/* buf_append and buf_putc write in place while the bytes and the NUL fit and grow otherwise: runs
 * of every length from every fill of a small buffer, against the same bytes put together by hand.
 */
TEST(buf_append_and_putc_at_every_fill_and_length)
{
    char src[40], want[200];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (char)('a' + i % 26);
    for (size_t fill = 0; fill <= 20; fill++)
        for (size_t n = 0; n <= sizeof src; n++) {
            buf_t b;
            buf_init_cap(&b, 16);
            for (size_t i = 0; i < fill; i++)
                buf_putc(&b, (char)('0' + i % 10));
            buf_append(&b, src, n);
            buf_putc(&b, '!');
            size_t w = 0;
            for (size_t i = 0; i < fill; i++)
                want[w++] = (char)('0' + i % 10);
            memcpy(want + w, src, n);
            w += n;
            want[w++] = '!';
            want[w] = '\0';
            CHECK_INT((int)b.len, (int)w);
            CHECK(b.cap > b.len && b.data[b.len] == '\0');
            if (strcmp(b.data, want) != 0) {
                CHECK_STR(b.data, want);
                buf_free(&b);
                return;
            }
            buf_free(&b);
        }
    buf_t z = {0}; /* a zeroed buffer: the first byte allocates */
    buf_putc(&z, 'q');
    CHECK_STR(buf_cstr(&z), "q");
    buf_free(&z);
    buf_append(&z, "", 0);
    CHECK_STR(buf_cstr(&z), "");
    buf_free(&z);
}
