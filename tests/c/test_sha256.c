/* sha256_hex against published FIPS 180-2 vectors, plus the edges a cache key builder relies on. */
#include <pthread.h>
#include <string.h>

#include "check.h"
#include "util/sha256.h"

TEST(sha256_empty_string)
{
    char hex[SHA256_HEX_LEN + 1];
    CHECK_INT(sha256_hex("", 0, hex), 0);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK_INT(sha256_hex(NULL, 0, hex), 0); /* NULL is allowed for zero bytes */
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(sha256_abc)
{
    char hex[SHA256_HEX_LEN + 1];
    CHECK_INT(sha256_hex("abc", 3, hex), 0);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK_INT((int)strlen(hex), SHA256_HEX_LEN);
}

TEST(sha256_two_blocks)
{
    const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char hex[SHA256_HEX_LEN + 1];
    CHECK_INT(sha256_hex(msg, strlen(msg), hex), 0);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(sha256_hashes_exactly_len_bytes)
{
    /* Canonical requests may contain NUL separators: the length, not strlen, decides. */
    char a[SHA256_HEX_LEN + 1], b[SHA256_HEX_LEN + 1], c[SHA256_HEX_LEN + 1];
    CHECK_INT(sha256_hex("a\0b", 3, a), 0);
    CHECK_INT(sha256_hex("a", 1, b), 0);
    CHECK_INT(sha256_hex("abc", 2, c), 0); /* "ab" */
    CHECK(strcmp(a, b) != 0);
    CHECK_STR(b, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
    CHECK_STR(c, "fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603");
}

TEST(sha256_rejects_null_with_length)
{
    char hex[SHA256_HEX_LEN + 1] = "x";
    CHECK_INT(sha256_hex(NULL, 5, hex), -1);
    CHECK_STR(hex, "");
}

TEST(sha256_parts_hash_their_concatenation)
{
    /* A cache key is hashed from its pieces: any split of the text gives the digest of the whole.
     */
    const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    size_t n = strlen(msg);
    char whole[SHA256_HEX_LEN + 1], parts[SHA256_HEX_LEN + 1];
    CHECK_INT(sha256_hex(msg, n, whole), 0);
    for (size_t cut1 = 0; cut1 <= n; cut1 += 7)
        for (size_t cut2 = cut1; cut2 <= n; cut2 += 11) {
            const void *data[3] = {msg, msg + cut1, msg + cut2};
            size_t len[3] = {cut1, cut2 - cut1, n - cut2};
            CHECK_INT(sha256_hex_parts(3, data, len, parts), 0);
            CHECK_STR(parts, whole);
        }
    const void *none[1] = {NULL};
    size_t zero[1] = {0}, five[1] = {5};
    CHECK_INT(sha256_hex_parts(1, none, zero, parts), 0);
    CHECK_STR(parts, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK_INT(sha256_hex_parts(0, NULL, NULL, parts), 0);
    CHECK_STR(parts, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK_INT(sha256_hex_parts(1, none, five, parts), -1);
    CHECK_STR(parts, "");
}

/* The process keeps one context and reuses it; a digest that failed halfway leaves it mid-way, and
 * a thread that finds it busy makes its own. Every digest must still be right. */
static void *hash_abc_many(void *arg)
{
    int *bad = arg;
    for (int i = 0; i < 2000; i++) {
        unsigned char md[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];
        const void *data[1] = {"abc"};
        size_t len[1] = {3};
        if (sha256_parts(1, data, len, md) != 0) (*bad)++;
        sha256_to_hex(md, SHA256_LEN, hex);
        if (strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") != 0)
            (*bad)++;
    }
    return NULL;
}

TEST(sha256_digests_stay_right_when_the_context_is_reused_or_busy)
{
    const void *data[2] = {"ab", NULL};
    size_t len[2] = {2, 5};
    unsigned char md[SHA256_LEN];
    CHECK_INT(sha256_parts(2, data, len, md), -1); /* fails after hashing "ab" */
    int bad[3] = {0, 0, 0};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        CHECK_INT(pthread_create(&th[i], NULL, hash_abc_many, &bad[i]), 0);
    hash_abc_many(&bad[2]);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    CHECK_INT(bad[0] + bad[1] + bad[2], 0);
    char hex[5];
    sha256_to_hex((const unsigned char *)"\x00\xab", 2, hex);
    CHECK_STR(hex, "00ab");
}
