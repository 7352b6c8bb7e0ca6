/* Minimal self-registering C test harness for ratio's kernels.
 *
 *   #include "check.h"
 *   TEST(parser_rejects_empty) { CHECK(parse("") == NULL); CHECK_NEAR(x, 0.5, 1e-12); }
 *
 * Every TEST registers itself before main() runs (GCC/Clang constructor attribute); tests/c/main.c
 * runs them all (or those whose name contains argv[1]) and prints `N passed, N failed`. A failed
 * CHECK reports file:line and the expression and marks the test failed, but the test goes on so one
 * run shows every broken assertion. */
#ifndef RATIO_CHECK_H
#define RATIO_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef void (*check_fn)(void);
void check_register(const char *name, check_fn fn);
void check_fail(const char *file, int line, const char *fmt, ...);

#define TEST(name)                                                                                 \
    static void test_##name(void);                                                                 \
    __attribute__((constructor)) static void register_##name(void)                                 \
    {                                                                                              \
        check_register(#name, test_##name);                                                        \
    }                                                                                              \
    static void test_##name(void)

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        if (!(expr)) check_fail(__FILE__, __LINE__, "CHECK(%s)", #expr);                           \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                            \
        if (check_a_ != check_b_)                                                                  \
            check_fail(__FILE__, __LINE__, "%s == %s (%lld != %lld)", #a, #b, check_a_, check_b_); \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                      \
    do {                                                                                           \
        double check_a_ = (double)(a), check_b_ = (double)(b);                                     \
        if (!(fabs(check_a_ - check_b_) <= (tol)))                                                 \
            check_fail(__FILE__, __LINE__, "%s ~= %s (%.17g vs %.17g)", #a, #b, check_a_,          \
                       check_b_);                                                                  \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *check_a_ = (a), *check_b_ = (b);                                               \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0)                             \
            check_fail(__FILE__, __LINE__, "%s == %s (\"%s\" != \"%s\")", #a, #b,                  \
                       check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");            \
    } while (0)

#endif
