/* A minimal unit-test harness: CHECK macros count passes and failures, and nl_check_done() prints
 * the closing line "N passed, N failed" and returns the process exit status. */
#ifndef NL_TESTS_CHECK_H
#define NL_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int nl_check_passed, nl_check_failed;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond) {                                                                  \
            nl_check_passed++;                                                       \
        } else {                                                                     \
            nl_check_failed++;                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_INT(a, b)                                                                         \
    do {                                                                                        \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                         \
        if (check_a_ == check_b_) {                                                             \
            nl_check_passed++;                                                                  \
        } else {                                                                                \
            nl_check_failed++;                                                                  \
            fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a, \
                    check_a_, #b, check_b_);                                                    \
        }                                                                                       \
    } while (0)

#define CHECK_STR(a, b)                                                                       \
    do {                                                                                      \
        const char *check_a_ = (a), *check_b_ = (b);                                          \
        if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) {                        \
            nl_check_passed++;                                                                \
        } else {                                                                              \
            nl_check_failed++;                                                                \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
                    check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");          \
        }                                                                                     \
    } while (0)

static inline int nl_check_done(void)
{
    printf("%d passed, %d failed\n", nl_check_passed, nl_check_failed);
    return nl_check_failed ? 1 : 0;
}

#endif
