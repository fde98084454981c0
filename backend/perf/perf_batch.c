#include "backend/perf/perf_batch.h"

#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"

struct perf_batch *perf_batch_new(void)
{
    return xcalloc(1, sizeof(struct perf_batch));
}

static void bseries_clear(struct perf_bseries *s)
{
    free(s->entity);
    free(s->metric);
    free(s->instance);
    free(s->samples);
    memset(s, 0, sizeof *s);
}

void perf_batch_free(struct perf_batch **b)
{
    if (!b || !*b)
        return;
    for (size_t i = 0; i < (*b)->n; i++)
        bseries_clear(&(*b)->series[i]);
    free((*b)->series);
    free(*b);
    *b = NULL;
}

struct perf_bseries *perf_batch_add(struct perf_batch *b, const char *entity, const char *metric,
                                    const char *instance, int interval)
{
    b->series = xgrow(b->series, &b->cap, b->n + 1, sizeof *b->series);
    struct perf_bseries *s = &b->series[b->n++];
    memset(s, 0, sizeof *s);
    s->entity = xstrdup(entity ? entity : "");
    s->metric = xstrdup(metric ? metric : "");
    s->instance = xstrdup(instance ? instance : "");
    s->interval = interval;
    return s;
}

void perf_bseries_push(struct perf_bseries *s, int64_t t, double v)
{
    s->samples = xgrow(s->samples, &s->cap, s->n + 1, sizeof *s->samples);
    s->samples[s->n].t = t;
    s->samples[s->n].v = v;
    s->n++;
}

/* Stable merge sort by time of a[0..n) using tmp (n elements): O(n log n) on any input, so a
 * source that sends its samples newest first costs no more than one in order. */
static void merge_sort(struct perf_sample *a, struct perf_sample *tmp, size_t n)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = a[j].t < a[i].t ? a[j++] : a[i++];
            while (i < mid)
                tmp[k++] = a[i++];
            while (j < hi)
                tmp[k++] = a[j++];
        }
        memcpy(a, tmp, n * sizeof(*a));
    }
}

void perf_batch_sort(struct perf_batch *b)
{
    for (size_t k = 0; k < b->n; k++) {
        struct perf_bseries *s = &b->series[k];
        size_t i = 1;
        while (i < s->n && s->samples[i - 1].t <= s->samples[i].t)
            i++;
        if (i < s->n) { /* the parsers' usual output is already in order */
            struct perf_sample *tmp = xcalloc(s->n, sizeof(*tmp));
            merge_sort(s->samples, tmp, s->n);
            free(tmp);
        }
        /* Stable, so of equal timestamps the one pushed last is last: it wins. */
        size_t w = 0;
        for (i = 0; i < s->n; i++) {
            if (w > 0 && s->samples[w - 1].t == s->samples[i].t)
                s->samples[w - 1] = s->samples[i];
            else
                s->samples[w++] = s->samples[i];
        }
        s->n = w;
    }
}

const struct perf_bseries *perf_batch_find(const struct perf_batch *b, const char *entity,
                                           const char *metric, const char *instance)
{
    if (!b)
        return NULL;
    for (size_t i = 0; i < b->n; i++) {
        const struct perf_bseries *s = &b->series[i];
        if (strcmp(s->entity, entity) == 0 && strcmp(s->metric, metric) == 0 &&
            strcmp(s->instance, instance ? instance : "") == 0)
            return s;
    }
    return NULL;
}

size_t perf_batch_samples(const struct perf_batch *b)
{
    size_t total = 0;
    for (size_t i = 0; b && i < b->n; i++)
        total += b->series[i].n;
    return total;
}

void perf_batch_take(struct perf_batch *dst, struct perf_batch *src)
{
    dst->series = xgrow(dst->series, &dst->cap, dst->n + src->n, sizeof *dst->series);
    memcpy(dst->series + dst->n, src->series, src->n * sizeof *src->series);
    dst->n += src->n;
    free(src->series);
    src->series = NULL;
    src->n = src->cap = 0;
}
