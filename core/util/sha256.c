#include "sha256.h"

#include <openssl/evp.h>
#include <pthread.h>

/* SHA-256 fetched from the default provider once: EVP_sha256() makes every init fetch it again. */
static EVP_MD *sha256_md;
static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

int sha256_hex_parts(size_t n, const void *const *data, const size_t *len,
                     char out[SHA256_HEX_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    static const unsigned char empty[1] = {0}; /* EVP wants a valid pointer even for 0 bytes */
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    out[0] = '\0';
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sha256_fetch);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, sha256_md ? sha256_md : EVP_sha256(), NULL) == 1;
    for (size_t i = 0; ok && i < n; i++) {
        if (!data[i] && len[i]) ok = 0;
        ok = ok && EVP_DigestUpdate(ctx, data[i] ? data[i] : empty, len[i]) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 32;
    EVP_MD_CTX_free(ctx);
    if (!ok) return -1;
    for (unsigned int i = 0; i < mdlen; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 0x0f];
    }
    out[2 * mdlen] = '\0';
    return 0;
}

int sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
    return sha256_hex_parts(1, &data, &len, out);
}
