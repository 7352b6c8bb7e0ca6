/* sha256: SHA-256 digests as lowercase hex, a thin wrapper over OpenSSL libcrypto (EVP).
 * Used to build call-cache keys from canonical requests; we never implement the hash ourselves. */
#ifndef RATIO_SHA256_H
#define RATIO_SHA256_H

#include <stddef.h>

#define SHA256_LEN 32     /* bytes of a digest */
#define SHA256_HEX_LEN 64 /* hex digits, without the NUL */

/* Hashes `len` bytes at `data` (NULL allowed when len is 0) into `out` as 64 lowercase hex digits
 * plus a NUL. Returns 0, or -1 if libcrypto fails (out is then the empty string). */
int sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]);

/* The same for the concatenation of n pieces (data[i], len[i] bytes each), without making it. */
int sha256_hex_parts(size_t n, const void *const *data, const size_t *len,
                     char out[SHA256_HEX_LEN + 1]);

/* The raw 32-byte digest of the concatenation of n pieces. Returns 0, or -1 if libcrypto fails. */
int sha256_parts(size_t n, const void *const *data, const size_t *len,
                 unsigned char out[SHA256_LEN]);

/* len bytes at data as 2 * len lowercase hex digits plus a NUL at out. */
void sha256_to_hex(const unsigned char *data, size_t len, char *out);

#endif
