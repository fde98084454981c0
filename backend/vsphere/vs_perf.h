/* Performance data over SOAP: the counter map read once per connection (ids differ between
 * vCenter and ESXi, so they are never hard-coded) and one QueryPerf call per refresh for every
 * entity in view, whatever their number. The parsing lives in backend/perf; this file only
 * moves bytes through vs_call. */
#ifndef VS_PERF_H
#define VS_PERF_H

#include <stddef.h>

#include "backend/core/err.h"
#include "backend/perf/perf_batch.h"
#include "backend/perf/perf_counter.h"
#include "backend/perf/perf_query.h"
#include "backend/perf/perf_store.h"
#include "backend/vsphere/vs_client.h"

/* One RetrievePropertiesEx of PerformanceManager.perfCounter (the moref from ServiceContent).
 * NL_ERR_NOT_FOUND when the server has no PerformanceManager. *out owned by the caller. */
enum nl_code vs_perf_counter_map_fetch(struct vs_client *c, struct perf_counter_map **out,
                                       struct nl_err *err);

/* Exactly one QueryPerf call for all n entities (one querySpec each), real-time interval 20 s,
 * format csv, the newest max_sample samples (<= 0: the whole real-time hour), counters
 * perf_default_metrics. Values come back normalised (perf_query.h). Safe on a worker thread:
 * the batch is plain data to move to the thread that owns the store. */
enum nl_code vs_perf_fetch(struct vs_client *c, const struct perf_counter_map *map,
                           const struct perf_entity *entities, size_t n, int max_sample,
                           struct perf_batch **out, struct nl_err *err);

/* vs_perf_fetch, then perf_store_merge into store (which the caller must own on this thread). */
enum nl_code vs_perf_refresh(struct vs_client *c, const struct perf_counter_map *map,
                             const struct perf_entity *entities, size_t n, int max_sample,
                             struct perf_store *store, struct nl_err *err);

#endif
