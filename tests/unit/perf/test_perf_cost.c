#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/perf/perf_cost.h"
#include "backend/perf/perf_metric.h"
#include "check.h"

#define CHECK_NEAR(a, b) CHECK(fabs((double)(a) - (double)(b)) < 1e-9)

static void put(struct perf_store *s, const char *e, const char *m, const char *inst, int iv,
                int64_t t, double v)
{
    struct nl_err err = {0};
    if (perf_store_append(s, e, m, inst, iv, t, v, &err) != NL_OK)
        fprintf(stderr, "append failed: %s\n", err.message);
}

static struct perf_store *build(void)
{
    struct perf_store *s = perf_store_new();
    for (int64_t t = 0; t <= 600; t += 20) {
        /* host-21 (changed at t=300): CPU 10% -> 30%, packets 100/s -> 500/s. */
        put(s, "host-21", PERF_CPU_USAGE, "", 20, t, t <= 300 ? 10 : 30);
        put(s, "host-21", PERF_NET_PKTS_RX, "", 20, t, t <= 300 ? 100 : 500);
        /* host-34: flat, no packet series. */
        put(s, "host-34", PERF_CPU_USAGE, "", 20, t, 12 + (t / 20 % 2));
        /* host-50: data stops shortly after the change. */
        if (t <= 340)
            put(s, "host-50", PERF_CPU_USAGE, "", 20, t, 5);
    }
    /* A sample straddling the change (covers 290..310): in neither window. */
    put(s, "host-21", PERF_CPU_USAGE, "", 20, 310, 1000);
    /* esxtop on host-21 at 2 s: amplification 1.0 -> 3.0 on vSwitch0. */
    for (int64_t t = 100; t <= 500; t += 2) {
        put(s, "host-21", PERF_ESXTOP_INGRESS, "vSwitch0", 2, t, 150);
        put(s, "host-21", PERF_ESXTOP_DELIVERED, "vSwitch0", 2, t, t <= 300 ? 150 : 450);
        put(s, "host-21", PERF_ESXTOP_INGRESS, "", 2, t, 200);
        put(s, "host-21", PERF_ESXTOP_DELIVERED, "", 2, t, t <= 300 ? 200 : 500);
        /* host-77: esxtop only, and no traffic entering its switches. */
        put(s, "host-77", PERF_ESXTOP_CPU, "", 2, t, t <= 300 ? 20 : 21);
        put(s, "host-77", PERF_ESXTOP_INGRESS, "", 2, t, 0);
        put(s, "host-77", PERF_ESXTOP_DELIVERED, "", 2, t, 0);
    }
    return s;
}

static const struct perf_cost_row *row_for(const struct perf_cost_table *t, const char *host)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].host_id, host) == 0)
            return &t->rows[i];
    fprintf(stderr, "no row for %s\n", host);
    return NULL;
}

static void test_compute(void)
{
    struct perf_store *s = build();
    struct perf_event ev = {300, "host-34", NULL, "promiscuous reject→accept on vSwitch0"};
    ev.host_id = "host-21";
    ev.vswitch = "vSwitch0";
    struct perf_cost_host hosts[] = {{"host-34", "esx-p02"},
                                     {"host-21", "esx-p01"},
                                     {"host-50", NULL},
                                     {"host-77", "esx-<&\">"},
                                     {"host-99", NULL}};
    struct perf_cost_table *t = perf_cost_compute(s, &ev, 1, hosts, 5, NULL);
    CHECK_INT(t->n, 5);
    CHECK_STR(t->rows[0].host_id, "host-21"); /* the changed host first */
    CHECK(t->rows[0].event_host && !t->rows[1].event_host);
    CHECK_INT(t->opts.before_s, 120);

    const struct perf_cost_row *r = row_for(t, "host-21");
    CHECK(r && r->cpu.ok && r->pps.ok && r->amp.ok);
    if (r) {
        CHECK_STR(r->host_name, "esx-p01");
        CHECK_STR(r->source, "vcenter");
        /* 20 s samples: before = t in [200, 299] (5), after = t in [321, 420] (5); the sample
         * stamped 300 may have ended after a change in second 300, 320 may have started
         * before it. */
        CHECK_INT(r->cpu.n_before, 5);
        CHECK_INT(r->cpu.n_after, 5);
        CHECK_NEAR(r->cpu.before, 10);
        CHECK_NEAR(r->cpu.after, 30);
        CHECK_NEAR(r->cpu.delta, 20);
        CHECK_NEAR(r->pps.delta, 400);
        CHECK_NEAR(r->amp.before, 1.0); /* vSwitch0, the event's switch, not the 200/500 total */
        CHECK_NEAR(r->amp.after, 3.0);
        CHECK_NEAR(r->amp.delta, 2.0);
        CHECK_INT(r->amp.n_before, 59); /* 2 s samples in [182, 299] */
        CHECK_INT(r->amp.n_after, 59);  /* 2 s samples in [303, 420] */
    }
    r = row_for(t, "host-34");
    CHECK(r && r->cpu.ok && !r->pps.ok && !r->amp.ok);
    if (r) {
        CHECK_NEAR(r->cpu.before, 12.4); /* 12,13,12,13,12 */
        CHECK_NEAR(r->cpu.delta, 0.2);   /* after: 13,12,13,12,13 */
        CHECK(isnan(r->pps.before) && isnan(r->pps.delta));
        CHECK(strstr(r->pps.why, "no packet-rate samples from vCenter") != NULL);
        CHECK(strstr(r->amp.why, "esxtop") != NULL);
    }
    r = row_for(t, "host-50");
    CHECK(r && !r->cpu.ok);
    if (r) {
        CHECK_STR(r->host_name, "host-50");
        CHECK_INT(r->cpu.n_before, 5);
        CHECK_INT(r->cpu.n_after, 1); /* 340 only */
        CHECK_NEAR(r->cpu.before, 5); /* the sufficient side is still reported */
        CHECK(isnan(r->cpu.after) && isnan(r->cpu.delta));
        CHECK(strstr(r->cpu.why, "5 CPU samples from vCenter before the change and 1 after") !=
              NULL);
    }
    r = row_for(t, "host-77");
    CHECK(r && r->cpu.ok && !r->amp.ok);
    if (r) {
        CHECK_STR(r->source, "esxtop");
        CHECK_NEAR(r->cpu.delta, 1);
        CHECK(strstr(r->amp.why, "nothing to amplify") != NULL);
        /* Nothing delivered is still a measurement: 0 -> 0. */
        CHECK(r->pps.ok && r->pps.delta == 0);
    }
    r = row_for(t, "host-99");
    CHECK(r && !r->cpu.ok && !r->pps.ok && !r->amp.ok);
    if (r)
        CHECK_STR(r->source, "none");

    /* Text: the table and a plain statement for every missing figure. */
    char *text = perf_cost_format_text(t);
    CHECK(strstr(text, "2026") == NULL && strstr(text, "1970-01-01 00:05:00Z") != NULL);
    CHECK(strstr(text, "esx-p01 *") != NULL);
    CHECK(strstr(text, "+20.00") != NULL);
    CHECK(strstr(text, "+400.0") != NULL);
    CHECK(strstr(text, "n/a") != NULL);
    CHECK(strstr(text, "esx-p02, 1970-01-01 00:05:00Z, packets/s: Insufficient data") != NULL);
    CHECK(strstr(text, "promiscuous reject→accept on vSwitch0") != NULL);
    free(text);

    /* JSON: numbers, or null with the reason. */
    json_t *j = perf_cost_to_json(t);
    json_t *rows = json_object_get(j, "rows");
    CHECK_INT(json_array_size(rows), 5);
    json_t *r0 = json_array_get(rows, 0);
    CHECK_STR(json_string_value(json_object_get(r0, "time")), "1970-01-01T00:05:00Z");
    json_t *cpu = json_object_get(r0, "cpu_percent");
    CHECK_NEAR(json_real_value(json_object_get(cpu, "delta")), 20);
    CHECK(json_is_null(json_object_get(cpu, "insufficient")));
    json_t *r1 = json_array_get(rows, 1);
    json_t *pps = json_object_get(r1, "packets_per_sec");
    CHECK(json_is_null(json_object_get(pps, "before")) &&
          json_is_null(json_object_get(pps, "delta")));
    CHECK(json_is_string(json_object_get(pps, "insufficient")));
    CHECK_STR(json_string_value(json_object_get(json_array_get(rows, 3), "host_name")),
              "esx-<&\">");
    json_decref(j);
    char *js = perf_cost_format_json(t);
    CHECK(js && strstr(js, "\"window\"") && strstr(js, "\"min_samples\": 3"));
    free(js);
    perf_cost_table_free(&t);
    CHECK(t == NULL);

    /* Source forced to esxtop on host-21: CPU has no esxtop series. */
    struct perf_cost_opts o;
    perf_cost_opts_init(&o);
    o.source = PERF_SOURCE_ESXTOP;
    t = perf_cost_compute(s, &ev, 1, NULL, 0, &o);
    CHECK_INT(t->n, 1);
    CHECK(!t->rows[0].cpu.ok && strstr(t->rows[0].cpu.why, "no CPU samples from esxtop"));
    CHECK(t->rows[0].pps.ok); /* esxtop delivered: 200 -> 500 */
    CHECK_NEAR(t->rows[0].pps.delta, 300);
    perf_cost_table_free(&t);

    /* A wider minimum makes everything insufficient; a window shorter than the interval too. */
    o.source = PERF_SOURCE_AUTO;
    o.min_samples = 7;
    t = perf_cost_compute(s, &ev, 1, NULL, 0, &o);
    CHECK(!t->rows[0].cpu.ok && t->rows[0].amp.ok); /* 60 esxtop samples suffice */
    perf_cost_table_free(&t);
    o.min_samples = 1;
    o.before_s = o.after_s = 10;
    t = perf_cost_compute(s, &ev, 1, NULL, 0, &o);
    /* 10 s windows hold no whole 20 s sample, but 2 s esxtop samples: [292, 299] and
     * [303, 310]. */
    CHECK(!t->rows[0].cpu.ok && t->rows[0].cpu.n_before == 0 && t->rows[0].cpu.n_after == 0);
    CHECK_STR(t->rows[0].source, "none");
    CHECK(t->rows[0].amp.ok && t->rows[0].amp.n_before == 4 && t->rows[0].amp.n_after == 4);
    perf_cost_table_free(&t);

    /* Event without a host, and no events. */
    struct perf_event none = {300, NULL, NULL, NULL};
    t = perf_cost_compute(s, &none, 1, hosts, 5, NULL);
    CHECK_INT(t->n, 0);
    text = perf_cost_format_text(t);
    CHECK(strstr(text, "no changes") != NULL);
    free(text);
    perf_cost_table_free(&t);
    perf_store_free(&s);
}

int main(void)
{
    test_compute();
    return nl_check_done();
}
