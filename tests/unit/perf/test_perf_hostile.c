/* Hostile sizes for the perf batch: a host or server that sends its samples newest first. The
 * sort was an insertion sort (quadratic on descending input); ctest's TIMEOUT for this test is
 * the check, and the work takes well under a second. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/perf/perf_batch.h"
#include "backend/perf/perf_esxtop.h"
#include "backend/perf/perf_metric.h"
#include "check.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* 1,000,000 samples, newest first, every timestamp twice: sorted ascending, the later push of
 * each timestamp kept. */
static void test_sort_descending(void)
{
    enum { N = 500000 };
    struct perf_batch *b = perf_batch_new();
    struct perf_bseries *s = perf_batch_add(b, "host-1", "cpu.usage.average", "", 20);
    for (int i = N; i > 0; i--) {
        perf_bseries_push(s, 1000000 + 20 * (int64_t)i, i);
        perf_bseries_push(s, 1000000 + 20 * (int64_t)i, -i);
    }
    double t0 = now();
    perf_batch_sort(b);
    printf("sorted %d descending samples: %.3f s\n", 2 * N, now() - t0);
    CHECK_INT(s->n, N);
    bool ordered = true, last_won = true;
    for (size_t i = 0; i < s->n; i++) {
        ordered = ordered && s->samples[i].t == 1000000 + 20 * (int64_t)(i + 1);
        last_won = last_won && s->samples[i].v == -(double)(i + 1);
    }
    CHECK(ordered);
    CHECK(last_won);
    perf_batch_free(&b);
}

/* esxtop output whose 100,000 rows run backwards in time (a host clock stepping back). */
static void test_esxtop_descending(void)
{
    enum { ROWS = 100000 };
    static const char hdr[] = "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\Physical Cpu(_Total)\\% Util "
                              "Time\"\n";
    size_t cap = sizeof(hdr) + (size_t)ROWS * 64, len = 0;
    char *text = malloc(cap);
    if (!text)
        exit(1);
    len += (size_t)snprintf(text, cap, "%s", hdr);
    for (int i = ROWS - 1; i >= 0; i--) {
        int day = 1 + i / 86400, sec = i % 86400;
        len += (size_t)snprintf(text + len, cap - len, "\"01/%02d/2026 %02d:%02d:%02d\",\"%d.5\"\n",
                                day, sec / 3600, sec / 60 % 60, sec % 60, i % 100);
    }
    struct perf_batch *b = NULL;
    struct nl_err err = {0};
    double t0 = now();
    CHECK_INT(perf_esxtop_parse(text, len, "host-1", 2, &b, &err), NL_OK);
    printf("parsed %d esxtop rows newest first: %.3f s\n", ROWS, now() - t0);
    const struct perf_bseries *s = b ? perf_batch_find(b, "host-1", PERF_ESXTOP_CPU, "") : NULL;
    CHECK(s && s->n == ROWS);
    if (s && s->n == ROWS) {
        CHECK(s->samples[0].t < s->samples[ROWS - 1].t);
        CHECK(s->samples[0].v == 0.5);
        CHECK(s->samples[ROWS - 1].v == 99.5);
    }
    perf_batch_free(&b);
    free(text);
}

int main(void)
{
    test_sort_descending();
    test_esxtop_descending();
    return nl_check_done();
}
