/* The sample store: one ring buffer per series (entity x metric x instance), holding an hour of
 * samples at the series' interval (180 at 20 s from vCenter, 1800 at 2 s from esxtop). Appending
 * de-duplicates by timestamp (a later value for the same time replaces the earlier one) and
 * accepts samples out of order. The store is not thread-safe: the UI thread owns it; workers
 * build a perf_batch and move it over (perf_batch.h). */
#ifndef PERF_STORE_H
#define PERF_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/core/err.h"
#include "backend/perf/perf_batch.h"

#define PERF_RING_SECONDS 3600

struct perf_store;
struct perf_series;

struct perf_stats {
    size_t n;
    double mean, min, max; /* NAN when n == 0 */
};

struct perf_store *perf_store_new(void);
void perf_store_free(struct perf_store **s);

/* Ring capacity for an interval: PERF_RING_SECONDS / interval, at least 16. */
size_t perf_ring_capacity(int interval);

/* Adds one sample, creating the series on first use. Empty entity or metric, interval <= 0 or a
 * value that is not finite is NL_ERR_USAGE. A sample older than everything a full ring holds is
 * dropped (not an error). */
enum nl_code perf_store_append(struct perf_store *s, const char *entity, const char *metric,
                               const char *instance, int interval, int64_t t, double v,
                               struct nl_err *err);
/* Files every sample of a batch; returns the number of samples stored. Series with an empty
 * entity or metric, a bad interval, or non-finite values are skipped. */
size_t perf_store_merge(struct perf_store *s, const struct perf_batch *b);
/* Drops every series of an entity (a host left the inventory). */
void perf_store_forget(struct perf_store *s, const char *entity);

/* NULL when absent. instance NULL means "". */
const struct perf_series *perf_store_find(const struct perf_store *s, const char *entity,
                                          const char *metric, const char *instance);
/* Every series, sorted by entity, metric, instance (stable for a view to walk). */
size_t perf_store_count(const struct perf_store *s);
const struct perf_series *perf_store_at(const struct perf_store *s, size_t i);

const char *perf_series_entity(const struct perf_series *r);
const char *perf_series_metric(const struct perf_series *r);
const char *perf_series_instance(const struct perf_series *r);
int perf_series_interval(const struct perf_series *r);
size_t perf_series_len(const struct perf_series *r);
size_t perf_series_capacity(const struct perf_series *r);
/* i = 0 is the oldest sample; i must be < perf_series_len. */
struct perf_sample perf_series_get(const struct perf_series *r, size_t i);
/* false when the series is empty or NULL. */
bool perf_series_latest(const struct perf_series *r, struct perf_sample *out);
/* Copies the samples with from <= t <= to, oldest first, up to max into out (out may be NULL
 * when max is 0); returns how many there are in total (like snprintf). */
size_t perf_series_window(const struct perf_series *r, int64_t from, int64_t to,
                          struct perf_sample *out, size_t max);
/* Count, mean, min and max of the samples with from <= t <= to. */
struct perf_stats perf_series_stats(const struct perf_series *r, int64_t from, int64_t to);

#endif
