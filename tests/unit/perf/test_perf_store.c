#include <math.h>
#include <string.h>

#include "backend/perf/perf_store.h"
#include "check.h"

static void test_capacity(void)
{
    CHECK_INT(perf_ring_capacity(20), 180);
    CHECK_INT(perf_ring_capacity(2), 1800);
    CHECK_INT(perf_ring_capacity(3600), 16);
    CHECK_INT(perf_ring_capacity(0), 16);
}

static void test_append_and_wrap(void)
{
    struct perf_store *s = perf_store_new();
    struct nl_err err = {0};
    /* 200 samples into a 180-sample ring: the oldest 20 are forgotten. */
    for (int i = 0; i < 200; i++)
        CHECK_INT(
            perf_store_append(s, "host-21", "cpu.usage.average", "", 20, 1000 + 20 * i, i, &err),
            NL_OK);
    const struct perf_series *r = perf_store_find(s, "host-21", "cpu.usage.average", NULL);
    CHECK(r != NULL);
    CHECK_INT(perf_series_len(r), 180);
    CHECK_INT(perf_series_capacity(r), 180);
    CHECK_INT(perf_series_get(r, 0).t, 1000 + 20 * 20);
    CHECK_INT(perf_series_get(r, 0).v, 20);
    struct perf_sample last;
    CHECK(perf_series_latest(r, &last) && last.v == 199 && last.t == 1000 + 20 * 199);
    /* Dedup by timestamp: a newer reading for the same time replaces the value. */
    perf_store_append(s, "host-21", "cpu.usage.average", "", 20, 1000 + 20 * 199, 5.5, &err);
    perf_store_append(s, "host-21", "cpu.usage.average", "", 20, 1000 + 20 * 100, -1, &err);
    CHECK_INT(perf_series_len(r), 180);
    CHECK(perf_series_latest(r, &last) && last.v == 5.5);
    CHECK(perf_series_get(r, 80).t == 1000 + 20 * 100 && perf_series_get(r, 80).v == -1);
    /* Older than everything a full ring holds: dropped. */
    perf_store_append(s, "host-21", "cpu.usage.average", "", 20, 10, 77, &err);
    CHECK_INT(perf_series_get(r, 0).t, 1000 + 20 * 20);
    /* Out of order into a full ring: inserted in place, the oldest forgotten. */
    perf_store_append(s, "host-21", "cpu.usage.average", "", 20, 1000 + 20 * 30 + 7, 1234, &err);
    CHECK_INT(perf_series_len(r), 180);
    CHECK_INT(perf_series_get(r, 0).t, 1000 + 20 * 21);
    CHECK_INT(perf_series_get(r, 9).t, 1000 + 20 * 30);
    CHECK_INT(perf_series_get(r, 10).t, 1000 + 20 * 30 + 7);
    CHECK_INT(perf_series_get(r, 11).t, 1000 + 20 * 31);
    for (size_t i = 1; i < perf_series_len(r); i++)
        CHECK(perf_series_get(r, i - 1).t < perf_series_get(r, i).t);

    /* Bad input. */
    nl_err_clear(&err);
    CHECK_INT(perf_store_append(s, "", "m", "", 20, 1, 1, &err), NL_ERR_USAGE);
    nl_err_clear(&err);
    CHECK_INT(perf_store_append(s, "h", "m", "", 0, 1, 1, &err), NL_ERR_USAGE);
    nl_err_clear(&err);
    CHECK_INT(perf_store_append(s, "h", "m", "", 20, 1, NAN, &err), NL_ERR_USAGE);
    CHECK(perf_store_find(s, "h", "m", "") == NULL);
    perf_store_free(&s);
    CHECK(s == NULL);
}

static void test_out_of_order_not_full(void)
{
    struct perf_store *s = perf_store_new();
    struct nl_err err = {0};
    int64_t order[] = {60, 20, 100, 40, 80, 20, 0};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        perf_store_append(s, "vm-1", "m", "4000", 20, order[i], (double)order[i] / 10, &err);
    const struct perf_series *r = perf_store_find(s, "vm-1", "m", "4000");
    CHECK_INT(perf_series_len(r), 6);
    for (size_t i = 0; i < perf_series_len(r); i++) {
        CHECK_INT(perf_series_get(r, i).t, (int64_t)i * 20);
        CHECK(perf_series_get(r, i).v == (double)i * 2);
    }
    /* Windows and statistics. */
    struct perf_sample w[10];
    CHECK_INT(perf_series_window(r, 20, 60, w, 10), 3);
    CHECK(w[0].t == 20 && w[2].t == 60);
    CHECK_INT(perf_series_window(r, 20, 60, w, 1), 3);
    CHECK_INT(perf_series_window(r, 21, 39, w, 10), 0);
    CHECK_INT(perf_series_window(r, 60, 20, w, 10), 0);
    struct perf_stats st = perf_series_stats(r, 0, 100);
    CHECK(st.n == 6 && st.mean == 5 && st.min == 0 && st.max == 10);
    st = perf_series_stats(r, 200, 300);
    CHECK(st.n == 0 && isnan(st.mean));
    perf_store_free(&s);
}

static void test_merge_and_order(void)
{
    struct perf_store *s = perf_store_new();
    struct perf_batch *b = perf_batch_new();
    struct perf_bseries *x = perf_batch_add(b, "host-9", "cpu.usage.average", "", 20);
    perf_bseries_push(x, 40, 1);
    perf_bseries_push(x, 20, 2);
    perf_bseries_push(x, 40, 3);
    struct perf_bseries *y = perf_batch_add(b, "host-1", "esxtop.cpu.util", "", 2);
    perf_bseries_push(y, 2, 9);
    perf_batch_add(b, "", "bad", "", 20); /* empty: skipped */
    struct perf_bseries *z = perf_batch_add(b, "host-1", "bad", "", 0);
    perf_bseries_push(z, 2, 9); /* bad interval: skipped */
    CHECK_INT(perf_store_merge(s, b), 4);
    CHECK_INT(perf_store_count(s), 2);
    /* Sorted by entity, metric, instance. */
    CHECK_STR(perf_series_entity(perf_store_at(s, 0)), "host-1");
    CHECK_STR(perf_series_metric(perf_store_at(s, 1)), "cpu.usage.average");
    CHECK(perf_store_at(s, 2) == NULL);
    const struct perf_series *r = perf_store_find(s, "host-9", "cpu.usage.average", "");
    CHECK(perf_series_len(r) == 2 && perf_series_get(r, 1).v == 3);
    CHECK_INT(perf_series_interval(perf_store_at(s, 0)), 2);
    CHECK_INT(perf_series_capacity(perf_store_at(s, 0)), 1800);
    /* batch_sort: stable, last wins. */
    perf_batch_sort(b);
    CHECK(b->series[0].n == 2 && b->series[0].samples[0].t == 20 && b->series[0].samples[1].v == 3);
    perf_store_forget(s, "host-9");
    CHECK_INT(perf_store_count(s), 1);
    CHECK(perf_store_find(s, "host-9", "cpu.usage.average", "") == NULL);
    perf_batch_free(&b);
    perf_store_free(&s);
}

int main(void)
{
    test_capacity();
    test_append_and_wrap();
    test_out_of_order_not_full();
    test_merge_and_order();
    return nl_check_done();
}
