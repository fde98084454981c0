/* The performance counter catalogue (PerformanceManager.perfCounter) into a counter map, and the
 * lookups the monitoring makes on it. */
#include <stdio.h>

#include "fuzz.h"

#include "backend/perf/perf_counter.h"
#include "backend/perf/perf_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct perf_counter_map *m = NULL;
    struct nl_err err = {0};
    if (perf_counter_map_parse((const char *)data, size, &m, &err) != NL_OK)
        return 0;
    for (size_t i = 0; i < perf_default_metrics_count; i++) {
        int32_t id = perf_counter_map_id(m, perf_default_metrics[i].counter);
        perf_counter_map_find(m, perf_default_metrics[i].counter);
        perf_counter_map_get(m, id);
    }
    for (int32_t id = -1; id < 600; id++) {
        const struct perf_counter_info *c = perf_counter_map_get(m, id);
        if (c && perf_counter_map_id(m, c->name) < 0)
            abort(); /* a counter that is in the map must be found by its name */
    }
    perf_counter_map_free(&m);
    return 0;
}
