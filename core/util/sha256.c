#include "sha256.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

/* SHA-256 fetched from the default provider once: EVP_sha256() makes every init fetch it again.
 * One context is kept for the process and reused (its init then allocates nothing); a thread that
 * finds it in use makes its own for that digest. */
static EVP_MD *sha256_md;
static EVP_MD_CTX *shared_ctx;
static atomic_flag shared_busy = ATOMIC_FLAG_INIT;

static void sha256_cleanup(void)
{
    EVP_MD_CTX_free(shared_ctx);
    shared_ctx = NULL;
    EVP_MD_free(sha256_md);
    sha256_md = NULL;
}

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    atexit(sha256_cleanup);
}

int sha256_parts(size_t n, const void *const *data, const size_t *len,
                 unsigned char out[SHA256_LEN])
{
    static const unsigned char empty[1] = {0}; /* EVP wants a valid pointer even for 0 bytes */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sha256_fetch);
    int shared = !atomic_flag_test_and_set(&shared_busy);
    EVP_MD_CTX *ctx = shared ? shared_ctx : NULL;
    if (!ctx) {
        ctx = EVP_MD_CTX_new();
        if (shared) shared_ctx = ctx;
    }
    unsigned int mdlen = 0;
    int ok = ctx && EVP_DigestInit_ex(ctx, sha256_md ? sha256_md : EVP_sha256(), NULL) == 1;
    for (size_t i = 0; ok && i < n; i++) {
        if (!data[i] && len[i]) ok = 0;
        ok = ok && EVP_DigestUpdate(ctx, data[i] ? data[i] : empty, len[i]) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(ctx, out, &mdlen) == 1 && mdlen == SHA256_LEN;
    if (shared)
        atomic_flag_clear(&shared_busy);
    else
        EVP_MD_CTX_free(ctx);
    return ok ? 0 : -1;
}

void sha256_to_hex(const unsigned char *data, size_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex[data[i] >> 4];
        out[2 * i + 1] = hex[data[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

int sha256_hex_parts(size_t n, const void *const *data, const size_t *len,
                     char out[SHA256_HEX_LEN + 1])
{
    unsigned char md[SHA256_LEN];
    out[0] = '\0';
    if (sha256_parts(n, data, len, md) != 0) return -1;
    sha256_to_hex(md, SHA256_LEN, out);
    return 0;
}

int sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
    return sha256_hex_parts(1, &data, &len, out);
}
