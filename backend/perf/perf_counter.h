/* The performance counter map: "cpu.usage.average" <-> counter id. Counter ids differ between
 * vCenter and ESXi (and between releases), so the map is built from the server's own
 * PerformanceManager.perfCounter list once per connection and never hard-coded. */
#ifndef PERF_COUNTER_H
#define PERF_COUNTER_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "backend/core/err.h"

struct perf_counter_info {
    int32_t id;       /* PerfCounterInfo.key */
    char *name;       /* groupInfo.key "." nameInfo.key "." rollupType: "cpu.usage.average" */
    char *unit;       /* unitInfo.key: "percent", "megaHertz", "number", "kiloBytesPerSecond" */
    char *stats_type; /* "rate", "delta" or "absolute" */
    char *rollup;     /* "average", "summation", "none", ... */
};

struct perf_counter_map;

struct perf_counter_map *perf_counter_map_new(void);
void perf_counter_map_free(struct perf_counter_map **m);

/* Adds one counter (all strings copied). A second counter with the same name keeps the first
 * mapping for name lookups; an id seen twice is NL_ERR_PARSE. Empty parts and a negative id are
 * NL_ERR_PARSE. */
enum nl_code perf_counter_map_add(struct perf_counter_map *m, int32_t id, const char *group,
                                  const char *counter, const char *rollup, const char *unit,
                                  const char *stats_type, struct nl_err *err);

/* Builds a map from a RetrievePropertiesEx answer for PerformanceManager.perfCounter (or a
 * QueryPerfCounter answer): every PerfCounterInfo element below root, matched by local name.
 * A SOAP fault, a malformed entry, or no entry at all is an error. */
enum nl_code perf_counter_map_from_node(const xmlNode *root, struct perf_counter_map **out,
                                        struct nl_err *err);
/* The same from the raw response text. */
enum nl_code perf_counter_map_parse(const char *xml, size_t len, struct perf_counter_map **out,
                                    struct nl_err *err);

size_t perf_counter_map_count(const struct perf_counter_map *m);
/* The id for a full name, or -1 when the server has no such counter. */
int32_t perf_counter_map_id(const struct perf_counter_map *m, const char *name);
/* NULL when unknown. */
const struct perf_counter_info *perf_counter_map_find(const struct perf_counter_map *m,
                                                      const char *name);
const struct perf_counter_info *perf_counter_map_get(const struct perf_counter_map *m, int32_t id);

#endif
