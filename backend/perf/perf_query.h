/* QueryPerf: one request for many entities (one querySpec each), and its answer in either
 * shape, PerfEntityMetricCSV (format=csv, what nestlab asks for) or PerfEntityMetric
 * (format=normal, what older simulators return regardless). */
#ifndef PERF_QUERY_H
#define PERF_QUERY_H

#include <stddef.h>

#include <libxml/tree.h>

#include "backend/core/err.h"
#include "backend/perf/perf_batch.h"
#include "backend/perf/perf_counter.h"

struct perf_entity {
    const char *type; /* "HostSystem", "VirtualMachine" */
    const char *id;   /* moref value, "host-21" */
};

struct perf_metric_req {
    const char *counter;  /* full counter name, "cpu.usage.average" */
    const char *instance; /* "" aggregate, "*" every instance */
};

/* cpu.usage.average, cpu.usagemhz.average, net.packetsRx.summation (aggregate and "*"),
 * net.broadcastRx.summation, net.received.average. */
extern const struct perf_metric_req perf_default_metrics[];
extern const size_t perf_default_metrics_count;

struct perf_query_opts {
    int max_sample;     /* newest N samples per series; <= 0 leaves maxSample out */
    int interval_id;    /* 20 = real time */
    const char *format; /* "csv" (default when NULL) or "normal" */
};

/* Appends one <querySpec> per entity to parent (a <QueryPerf> element; children take its
 * namespace) in WSDL order: entity, maxSample, metricId*, intervalId, format. Counters the
 * server does not have are left out; if none of metrics is known it is NL_ERR_NOT_FOUND.
 * n == 0 is NL_ERR_USAGE (vSphere rejects an empty querySpec list). */
enum nl_code perf_query_add_specs(xmlNode *parent, const struct perf_counter_map *map,
                                  const struct perf_entity *entities, size_t n,
                                  const struct perf_metric_req *metrics, size_t nmetrics,
                                  const struct perf_query_opts *opts, struct nl_err *err);

/* The whole method element, serialised:
 * <QueryPerf xmlns="urn:vim25"><_this type="PerformanceManager">PM</_this><querySpec>…</QueryPerf>
 * Every value is escaped by libxml2. *out is owned by the caller. */
enum nl_code perf_query_build(const char *perf_manager, const struct perf_counter_map *map,
                              const struct perf_entity *entities, size_t n,
                              const struct perf_metric_req *metrics, size_t nmetrics,
                              const struct perf_query_opts *opts, char **out, struct nl_err *err);

/* Parses every <returnval> below root (an Envelope, a QueryPerfResponse, or one returnval) into
 * a new batch. Samples come out sorted by timestamp whatever order the server used; percent
 * counters are converted to percent, delta counters to per-second rates; a value of -1 (vSphere
 * for "no data") is skipped; counters missing from the map are skipped. A SOAP fault, a bad
 * timestamp or interval, a value count that differs from the sample count, or a value that is
 * not an integer is NL_ERR_PARSE (or NL_ERR_FAULT) naming the entity and counter. */
enum nl_code perf_query_parse_node(const xmlNode *root, const struct perf_counter_map *map,
                                   struct perf_batch **out, struct nl_err *err);
enum nl_code perf_query_parse(const char *xml, size_t len, const struct perf_counter_map *map,
                              struct perf_batch **out, struct nl_err *err);

#endif
