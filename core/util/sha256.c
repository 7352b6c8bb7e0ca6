#include "sha256.h"

#include <openssl/evp.h>

int sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    static const unsigned char empty[1] = {0}; /* EVP wants a valid pointer even for 0 bytes */

    out[0] = '\0';
    if (!data) {
        if (len) return -1;
        data = empty;
    }
    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) return -1;
    for (unsigned int i = 0; i < mdlen; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 0x0f];
    }
    out[2 * mdlen] = '\0';
    return 0;
}
