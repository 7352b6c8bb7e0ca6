/* Shared reply-syntax helpers: see tags.h. */
#include "match/tags.h"

#include <string.h>

int tags_word(const char *s, size_t end, size_t p, const char *w)
{
    size_t n = strlen(w);
    if (p > end || end - p < n) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[p + i];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        if (c != (unsigned char)w[i]) return 0;
    }
    return 1;
}

size_t tags_result(const char *s, size_t end, size_t p, int *is_end)
{
    size_t q = p + 1;
    while (q < end && s[q] == ' ')
        q++;
    if (!tags_word(s, end, q, "result")) return 0;
    q += 6;
    if (q >= end) return 0;
    if (s[q] == '_' || s[q] == ' ' || s[q] == '-')
        q++;
    else if (end - q >= 2 && s[q] == '\\' && s[q + 1] == '_')
        q += 2;
    else
        return 0;
    if (tags_word(s, end, q, "start")) {
        *is_end = 0;
        q += 5;
    } else if (tags_word(s, end, q, "end")) {
        *is_end = 1;
        q += 3;
    } else {
        return 0;
    }
    while (q < end && s[q] == ' ')
        q++;
    if (q >= end || s[q] != '>') return 0;
    return q + 1 - p;
}
