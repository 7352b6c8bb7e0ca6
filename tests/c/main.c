/* Runner for the C unit tests: runs every registered TEST (or those whose name contains argv[1]).
 */
#include <stdarg.h>
#include <stdlib.h>

#include "check.h"

#define CHECK_MAX_TESTS 4096

struct check_test {
    const char *name;
    check_fn fn;
};
static struct check_test tests[CHECK_MAX_TESTS];
static int ntests;
static int current_failed;

void check_register(const char *name, check_fn fn)
{
    if (ntests == CHECK_MAX_TESTS) {
        fprintf(stderr, "check: more than %d tests\n", CHECK_MAX_TESTS);
        abort();
    }
    tests[ntests].name = name;
    tests[ntests].fn = fn;
    ntests++;
}

void check_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "  %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    current_failed = 1;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct check_test *)a)->name, ((const struct check_test *)b)->name);
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0;
    qsort(tests, (size_t)ntests, sizeof tests[0], by_name); /* stable order across link orders */
    for (int i = 0; i < ntests; i++) {
        if (filter && !strstr(tests[i].name, filter)) continue;
        current_failed = 0;
        tests[i].fn();
        if (current_failed) {
            failed++;
            printf("FAIL %s\n", tests[i].name);
        } else {
            passed++;
            printf("ok   %s\n", tests[i].name);
        }
        fflush(stdout);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
