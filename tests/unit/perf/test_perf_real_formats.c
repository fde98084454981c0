/* The perf parsers on replies captured from a real vCenter 9.0.1 (../shared/real-formats/soap):
 * its own counter catalogue (810 counters, ids that are not vcsim's), and QueryPerf in CSV form
 * at the real-time (20 s, 180 samples) and the 2-hour interval. Values are checked against what
 * the files hold. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "real_formats.h"

#include "backend/perf/perf_batch.h"
#include "backend/perf/perf_counter.h"
#include "backend/perf/perf_query.h"
#include "backend/perf/perf_time.h"

#define CHECK_NEAR(a, b) CHECK(fabs((a) - (b)) < 1e-9)

static struct perf_counter_map *real_map(void)
{
    size_t len;
    char *xml =
        rf_read("soap", "miq_vc901_RetrievePropertiesResponse_PerfMgr_perfCounter.xml", &len);
    struct perf_counter_map *map = NULL;
    struct nl_err err = {0};
    CHECK_INT(perf_counter_map_parse(xml, len, &map, &err), NL_OK);
    free(xml);
    return map;
}

static void test_counter_catalogue(void)
{
    struct perf_counter_map *map = real_map();
    if (!map)
        return;
    CHECK_INT(perf_counter_map_count(map), 810);
    CHECK_INT(perf_counter_map_id(map, "cpu.usage.average"), 2);
    CHECK_INT(perf_counter_map_id(map, "cpu.usagemhz.average"), 6);
    /* not vcsim's 146/148/464 */
    CHECK_INT(perf_counter_map_id(map, "net.packetsRx.summation"), 154);
    CHECK_INT(perf_counter_map_id(map, "net.received.average"), 156);
    CHECK_INT(perf_counter_map_id(map, "net.broadcastRx.summation"), 687);
    const struct perf_counter_info *ready = perf_counter_map_get(map, 12);
    CHECK(ready != NULL);
    if (ready) {
        CHECK_STR(ready->name, "cpu.ready.summation");
        CHECK_STR(ready->unit, "millisecond");
        CHECK_STR(ready->stats_type, "delta");
    }
    perf_counter_map_free(&map);
}

static const struct perf_bseries *series(const struct perf_batch *b, const char *metric)
{
    const struct perf_bseries *s = perf_batch_find(b, "vm-1085", metric, "");
    CHECK(s != NULL);
    return s;
}

static void test_query_realtime(void)
{
    struct perf_counter_map *map = real_map();
    size_t len;
    char *xml = rf_read("soap", "miq_vc901_QueryPerfResponse_realtime_CSV.xml", &len);
    struct perf_batch *b = NULL;
    struct nl_err err = {0};
    CHECK_INT(perf_query_parse(xml, len, map, &b, &err), NL_OK);
    if (b) {
        int64_t first, last;
        CHECK(perf_time_parse_iso("2026-05-05T18:41:00Z", &first));
        CHECK(perf_time_parse_iso("2026-05-05T19:40:40Z", &last));
        const struct perf_bseries *cpu = series(b, "cpu.usage.average");
        if (cpu) {
            CHECK_INT(cpu->n, 180);
            CHECK_INT(cpu->interval, 20);
            CHECK_INT(cpu->samples[0].t, first);
            CHECK_INT(cpu->samples[179].t, last);
            CHECK_NEAR(cpu->samples[0].v, 1.71); /* 171 hundredths of a percent */
            CHECK_NEAR(cpu->samples[1].v, 1.64);
            CHECK_NEAR(cpu->samples[179].v, 1.73);
            for (size_t i = 1; i < cpu->n; i++)
                CHECK(cpu->samples[i].t == cpu->samples[i - 1].t + 20);
        }
        const struct perf_bseries *mhz = series(b, "cpu.usagemhz.average");
        if (mhz)
            CHECK_NEAR(mhz->samples[0].v, 39.0);
        /* a delta counter becomes a rate: 26 ms of ready time in 20 s */
        const struct perf_bseries *ready = series(b, "cpu.ready.summation");
        if (ready)
            CHECK_NEAR(ready->samples[0].v, 26.0 / 20.0);
        /* per-instance series keep their instance */
        CHECK(perf_batch_find(b, "vm-1085", "net.usage.average", "vmnic4") != NULL);
        CHECK(perf_batch_find(b, "vm-1085", "cpu.usagemhz.average", "0") != NULL);
    }
    perf_batch_free(&b);
    free(xml);
    perf_counter_map_free(&map);
}

static void test_query_hourly(void)
{
    struct perf_counter_map *map = real_map();
    size_t len;
    char *xml = rf_read("soap", "miq_vc901_QueryPerfResponse_hourly_CSV.xml", &len);
    struct perf_batch *b = NULL;
    struct nl_err err = {0};
    CHECK_INT(perf_query_parse(xml, len, map, &b, &err), NL_OK);
    if (b) {
        const struct perf_bseries *cpu = series(b, "cpu.usage.average");
        if (cpu) {
            CHECK_INT(cpu->n, 3);
            CHECK_INT(cpu->interval, 7200);
            CHECK_NEAR(cpu->samples[0].v, 2.42);
            CHECK_NEAR(cpu->samples[2].v, 2.45);
            int64_t t;
            CHECK(perf_time_parse_iso("2026-04-21T14:00:00Z", &t));
            CHECK_INT(cpu->samples[2].t, t);
        }
        const struct perf_bseries *up = series(b, "sys.uptime.latest");
        if (up)
            CHECK_NEAR(up->samples[0].v, 3670577.0);
    }
    perf_batch_free(&b);
    free(xml);
    perf_counter_map_free(&map);
}

int main(void)
{
    test_counter_catalogue();
    test_query_realtime();
    test_query_hourly();
    return nl_check_done();
}
