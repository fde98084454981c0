/* A QueryPerf reply (CSV or normal form) into a batch, against a counter map with vcsim's VPX ids
 * (the ids in tests/fixtures/perf) for every kind of counter: percent, rate, delta. */
#include "fuzz.h"

#include "backend/perf/perf_batch.h"
#include "backend/perf/perf_counter.h"
#include "backend/perf/perf_query.h"

static struct perf_counter_map *map(void)
{
    static const struct {
        int32_t id;
        const char *group, *counter, *rollup, *unit, *stats;
    } counters[] = {
        {2, "cpu", "usage", "average", "percent", "rate"},
        {6, "cpu", "usagemhz", "average", "megaHertz", "rate"},
        {146, "net", "packetsRx", "summation", "number", "delta"},
        {148, "net", "received", "average", "kiloBytesPerSecond", "rate"},
        {464, "net", "broadcastRx", "summation", "number", "delta"},
        {24, "mem", "usage", "average", "percent", "absolute"},
    };
    struct perf_counter_map *m = perf_counter_map_new();
    for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
        struct nl_err err = {0};
        if (perf_counter_map_add(m, counters[i].id, counters[i].group, counters[i].counter,
                                 counters[i].rollup, counters[i].unit, counters[i].stats,
                                 &err) != NL_OK)
            abort();
    }
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct perf_counter_map *m;
    if (!m)
        m = map();
    struct perf_batch *b = NULL;
    struct nl_err err = {0};
    if (perf_query_parse((const char *)data, size, m, &b, &err) == NL_OK) {
        perf_batch_samples(b);
        perf_batch_free(&b);
    }
    return 0;
}
