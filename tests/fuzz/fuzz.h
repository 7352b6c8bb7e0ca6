/* What every fuzz target shares. FUZZ_REQUIRE(cond) checks an invariant the kernel under test
 * promises; when it does not hold it names the invariant and where it is checked (the file names
 * the target), then aborts, so libFuzzer keeps the input as a crash. */
#ifndef RATIO_FUZZ_H
#define RATIO_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_REQUIRE(cond)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
