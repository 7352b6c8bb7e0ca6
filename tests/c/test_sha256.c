/* sha256_hex against published FIPS 180-2 vectors, plus the edges a cache key builder relies on. */
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
