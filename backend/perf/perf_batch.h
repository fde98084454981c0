/* A batch: the samples one refresh produced (one QueryPerf answer or one esxtop run), grouped
 * into series. A batch is plain owned data, so a worker thread can build it and move it to the
 * UI thread in an nl_msg, where perf_store_merge() files it. Samples in each series are sorted
 * by timestamp with unique timestamps (the parsers guarantee it; perf_batch_sort restores it). */
#ifndef PERF_BATCH_H
#define PERF_BATCH_H

#include <stddef.h>
#include <stdint.h>

struct perf_sample {
    int64_t t; /* end of the sample interval, seconds since the epoch, UTC */
    double v;  /* normalised value, see perf_metric.h */
};

struct perf_bseries {
    char *entity;   /* "host-21", "vm-57", or the model's host id for esxtop data */
    char *metric;   /* "cpu.usage.average", "esxtop.port.pktsRx", ... */
    char *instance; /* "" aggregate, "vmnic0", "vSwitch0:134217729:Management", ... */
    int interval;   /* seconds each sample covers */
    struct perf_sample *samples;
    size_t n, cap;
};

struct perf_batch {
    struct perf_bseries *series;
    size_t n, cap;
};

struct perf_batch *perf_batch_new(void);
void perf_batch_free(struct perf_batch **b);
/* Adds an empty series (strings copied) and returns it; valid until the next add. */
struct perf_bseries *perf_batch_add(struct perf_batch *b, const char *entity, const char *metric,
                                    const char *instance, int interval);
void perf_bseries_push(struct perf_bseries *s, int64_t t, double v);
/* Sorts every series by time; of samples with equal timestamps the one pushed last wins. */
void perf_batch_sort(struct perf_batch *b);
/* NULL when absent. */
const struct perf_bseries *perf_batch_find(const struct perf_batch *b, const char *entity,
                                           const char *metric, const char *instance);
/* Total number of samples in the batch. */
size_t perf_batch_samples(const struct perf_batch *b);
/* Moves every series of src to the end of dst and leaves src empty. */
void perf_batch_take(struct perf_batch *dst, struct perf_batch *src);

#endif
