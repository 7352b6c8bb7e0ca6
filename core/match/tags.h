/* tags: the pieces of reply syntax the MetaJudge score-block parser and the judge verdict parser
 * share — a case-insensitive ASCII word test and the tolerant <RESULT_START>/<RESULT_END> tag. */
#ifndef RATIO_TAGS_H
#define RATIO_TAGS_H

#include <stddef.h>

/* 1 when the lower-case ASCII word w is at s[p..end), in any case; never reads past end. */
int tags_word(const char *s, size_t end, size_t p, const char *w);

/* A tolerant tag at s[p] == '<': '<' [sp] RESULT (_ | \_ | - | sp) START|END [sp] '>', any case.
 * Returns its length and sets *is_end, or 0 when there is none. */
size_t tags_result(const char *s, size_t end, size_t p, int *is_end);

#endif
