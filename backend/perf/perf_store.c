#include "backend/perf/perf_store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"

struct perf_series {
    char *entity, *metric, *instance;
    int interval;
    struct perf_sample *ring;
    size_t cap, head, len; /* logical sample i lives at ring[(head + i) % cap] */
};

struct perf_store {
    struct perf_series **series; /* sorted by (entity, metric, instance) */
    size_t n, cap;
};

struct perf_store *perf_store_new(void)
{
    return xcalloc(1, sizeof(struct perf_store));
}

static void series_free(struct perf_series *r)
{
    free(r->entity);
    free(r->metric);
    free(r->instance);
    free(r->ring);
    free(r);
}

void perf_store_free(struct perf_store **s)
{
    if (!s || !*s)
        return;
    for (size_t i = 0; i < (*s)->n; i++)
        series_free((*s)->series[i]);
    free((*s)->series);
    free(*s);
    *s = NULL;
}

size_t perf_ring_capacity(int interval)
{
    if (interval <= 0)
        return 16;
    size_t c = (size_t)((PERF_RING_SECONDS + interval - 1) / interval);
    return c < 16 ? 16 : c;
}

static int key_cmp(const struct perf_series *r, const char *entity, const char *metric,
                   const char *instance)
{
    int c = strcmp(r->entity, entity);
    if (c == 0)
        c = strcmp(r->metric, metric);
    if (c == 0)
        c = strcmp(r->instance, instance);
    return c;
}

/* First index whose key is >= the given key. */
static size_t lower(const struct perf_store *s, const char *entity, const char *metric,
                    const char *instance)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_cmp(s->series[mid], entity, metric, instance) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct perf_series *perf_store_find(const struct perf_store *s, const char *entity,
                                          const char *metric, const char *instance)
{
    if (!s || !entity || !metric)
        return NULL;
    if (!instance)
        instance = "";
    size_t at = lower(s, entity, metric, instance);
    if (at < s->n && key_cmp(s->series[at], entity, metric, instance) == 0)
        return s->series[at];
    return NULL;
}

static struct perf_series *series_get_or_add(struct perf_store *s, const char *entity,
                                             const char *metric, const char *instance, int interval)
{
    size_t at = lower(s, entity, metric, instance);
    if (at < s->n && key_cmp(s->series[at], entity, metric, instance) == 0)
        return s->series[at];
    struct perf_series *r = xcalloc(1, sizeof *r);
    r->entity = xstrdup(entity);
    r->metric = xstrdup(metric);
    r->instance = xstrdup(instance);
    r->interval = interval;
    r->cap = perf_ring_capacity(interval);
    r->ring = xmalloc(r->cap * sizeof *r->ring);
    s->series = xgrow(s->series, &s->cap, s->n + 1, sizeof *s->series);
    memmove(s->series + at + 1, s->series + at, (s->n - at) * sizeof *s->series);
    s->series[at] = r;
    s->n++;
    return r;
}

static struct perf_sample *slot(const struct perf_series *r, size_t i)
{
    return &r->ring[(r->head + i) % r->cap];
}

/* First logical index whose time is >= t. */
static size_t lower_time(const struct perf_series *r, int64_t t)
{
    size_t lo = 0, hi = r->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (slot(r, mid)->t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void series_put(struct perf_series *r, int64_t t, double v)
{
    struct perf_sample x = {t, v};
    if (r->len == 0 || t > slot(r, r->len - 1)->t) {
        /* The common case: a newer sample. A full ring forgets its oldest. */
        if (r->len == r->cap) {
            r->ring[r->head] = x;
            r->head = (r->head + 1) % r->cap;
        } else {
            *slot(r, r->len) = x;
            r->len++;
        }
        return;
    }
    size_t p = lower_time(r, t);
    if (p < r->len && slot(r, p)->t == t) {
        slot(r, p)->v = v; /* same interval again: the newer reading wins */
        return;
    }
    if (r->len == r->cap) {
        if (p == 0)
            return; /* older than the whole hour we keep */
        /* Drop the oldest, shift 1..p-1 down, insert at p-1. */
        for (size_t i = 0; i + 1 < p; i++)
            *slot(r, i) = *slot(r, i + 1);
        *slot(r, p - 1) = x;
        return;
    }
    for (size_t i = r->len; i > p; i--)
        *slot(r, i) = *slot(r, i - 1);
    *slot(r, p) = x;
    r->len++;
}

enum nl_code perf_store_append(struct perf_store *s, const char *entity, const char *metric,
                               const char *instance, int interval, int64_t t, double v,
                               struct nl_err *err)
{
    if (!entity || !*entity || !metric || !*metric)
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "A performance sample needs an entity and a metric.");
    if (interval <= 0)
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "The performance series \"%s\" \"%s\" has a bad interval %d.", entity, metric,
                      interval);
    if (!isfinite(v))
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "The performance sample for \"%s\" \"%s\" is not a finite number.", entity,
                      metric);
    series_put(series_get_or_add(s, entity, metric, instance ? instance : "", interval), t, v);
    return NL_OK;
}

size_t perf_store_merge(struct perf_store *s, const struct perf_batch *b)
{
    size_t stored = 0;
    for (size_t i = 0; b && i < b->n; i++) {
        const struct perf_bseries *bs = &b->series[i];
        if (!*bs->entity || !*bs->metric || bs->interval <= 0 || bs->n == 0)
            continue;
        struct perf_series *r =
            series_get_or_add(s, bs->entity, bs->metric, bs->instance, bs->interval);
        for (size_t k = 0; k < bs->n; k++)
            if (isfinite(bs->samples[k].v)) {
                series_put(r, bs->samples[k].t, bs->samples[k].v);
                stored++;
            }
    }
    return stored;
}

void perf_store_forget(struct perf_store *s, const char *entity)
{
    size_t w = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->series[i]->entity, entity) == 0)
            series_free(s->series[i]);
        else
            s->series[w++] = s->series[i];
    }
    s->n = w;
}

size_t perf_store_count(const struct perf_store *s)
{
    return s ? s->n : 0;
}

const struct perf_series *perf_store_at(const struct perf_store *s, size_t i)
{
    return s && i < s->n ? s->series[i] : NULL;
}

const char *perf_series_entity(const struct perf_series *r)
{
    return r->entity;
}

const char *perf_series_metric(const struct perf_series *r)
{
    return r->metric;
}

const char *perf_series_instance(const struct perf_series *r)
{
    return r->instance;
}

int perf_series_interval(const struct perf_series *r)
{
    return r->interval;
}

size_t perf_series_len(const struct perf_series *r)
{
    return r ? r->len : 0;
}

size_t perf_series_capacity(const struct perf_series *r)
{
    return r ? r->cap : 0;
}

struct perf_sample perf_series_get(const struct perf_series *r, size_t i)
{
    return *slot(r, i);
}

bool perf_series_latest(const struct perf_series *r, struct perf_sample *out)
{
    if (!r || r->len == 0)
        return false;
    *out = *slot(r, r->len - 1);
    return true;
}

size_t perf_series_window(const struct perf_series *r, int64_t from, int64_t to,
                          struct perf_sample *out, size_t max)
{
    if (!r || from > to)
        return 0;
    size_t total = 0;
    for (size_t i = lower_time(r, from); i < r->len && slot(r, i)->t <= to; i++) {
        if (total < max)
            out[total] = *slot(r, i);
        total++;
    }
    return total;
}

struct perf_stats perf_series_stats(const struct perf_series *r, int64_t from, int64_t to)
{
    struct perf_stats st = {0, NAN, NAN, NAN};
    if (!r || from > to)
        return st;
    double sum = 0;
    for (size_t i = lower_time(r, from); i < r->len && slot(r, i)->t <= to; i++) {
        double v = slot(r, i)->v;
        if (st.n == 0 || v < st.min)
            st.min = v;
        if (st.n == 0 || v > st.max)
            st.max = v;
        sum += v;
        st.n++;
    }
    if (st.n)
        st.mean = sum / (double)st.n;
    return st;
}
