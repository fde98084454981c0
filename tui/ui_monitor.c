/* The monitor's host list: which series a host shows, cells of time, column fitting and the list
 * lines. Pure: no curses, no backend. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/perf/perf_metric.h"
#include "backend/perf/perf_spark.h"
#include "tui/ui_monitor.h"
#include "tui/ui_text.h"

/* The series with the newer latest sample (either may be NULL). */
static const struct perf_series *newer(const struct perf_series *a, const struct perf_series *b)
{
    struct perf_sample sa, sb;
    bool ha = perf_series_latest(a, &sa), hb = perf_series_latest(b, &sb);
    if (!ha)
        return hb ? b : NULL;
    if (!hb)
        return a;
    return sb.t > sa.t ? b : a;
}

const struct perf_series *ui_monitor_cpu_series(const struct perf_store *s, const char *host_id)
{
    if (!s || !host_id)
        return NULL;
    return newer(perf_store_find(s, host_id, PERF_CPU_USAGE, ""),
                 perf_store_find(s, host_id, PERF_ESXTOP_CPU, ""));
}

const struct perf_series *ui_monitor_pps_series(const struct perf_store *s, const char *host_id)
{
    if (!s || !host_id)
        return NULL;
    return newer(perf_store_find(s, host_id, PERF_NET_PKTS_RX, ""),
                 perf_store_find(s, host_id, PERF_ESXTOP_DELIVERED, ""));
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int ui_monitor_step(const struct perf_series *r)
{
    if (!r)
        return PERF_REALTIME_INTERVAL;
    int iv = perf_series_interval(r);
    size_t n = perf_series_len(r);
    /* The median gap of the newest samples: one odd gap (a refresh that came late) must not
     * change the scale. */
    int64_t gaps[8];
    size_t ng = 0;
    for (size_t i = n; i >= 2 && ng < 8; i--) {
        int64_t g = perf_series_get(r, i - 1).t - perf_series_get(r, i - 2).t;
        if (g > 0)
            gaps[ng++] = g;
    }
    if (!ng)
        return iv > 0 ? iv : PERF_REALTIME_INTERVAL;
    qsort(gaps, ng, sizeof(gaps[0]), cmp_i64);
    int64_t med = gaps[ng / 2];
    if (med > 3600)
        med = 3600;
    return med > iv ? (int)med : iv;
}

void ui_monitor_bucket(const struct perf_series *r, int64_t end, int step, double *out, size_t n)
{
    size_t *count = xcalloc(n ? n : 1, sizeof(*count));
    for (size_t i = 0; i < n; i++)
        out[i] = 0;
    if (r && step > 0 && n) {
        int64_t start = end - (int64_t)n * step;
        size_t total = perf_series_window(r, start + 1, end, NULL, 0);
        struct perf_sample *s = xmalloc((total ? total : 1) * sizeof(*s));
        perf_series_window(r, start + 1, end, s, total);
        for (size_t k = 0; k < total; k++) {
            size_t cell = (size_t)((s[k].t - start - 1) / step);
            if (cell < n) {
                out[cell] += s[k].v;
                count[cell]++;
            }
        }
        free(s);
    }
    for (size_t i = 0; i < n; i++)
        out[i] = count[i] ? out[i] / (double)count[i] : NAN;
    free(count);
}

#define CPU_VAL_W 6 /* "100.0%" */
#define PPS_VAL_W 7 /* "123.4k" plus a spare column */

void ui_monitor_fit(int width, int longest_name, struct ui_monitor_cols *o)
{
    memset(o, 0, sizeof(*o));
    o->name_w = longest_name < 6 ? 6 : longest_name > 32 ? 32 : longest_name;
    o->pps_val = true;
    int fixed = 1 + o->name_w + 1 + CPU_VAL_W + 1 + PPS_VAL_W;
    int avail = width - fixed;
    if (avail >= 2 * UI_MONITOR_SPARK_MIN + 3) {
        /* Both sparklines: "spark value  spark value". */
        o->cpu_w = (avail - 3) / 2;
        o->pps_w = avail - 3 - o->cpu_w;
        if (o->cpu_w > UI_MONITOR_SPARK_MAX)
            o->cpu_w = UI_MONITOR_SPARK_MAX;
        if (o->pps_w > UI_MONITOR_SPARK_MAX)
            o->pps_w = UI_MONITOR_SPARK_MAX;
        return;
    }
    if (avail >= UI_MONITOR_SPARK_MIN + 1) {
        o->cpu_w = avail - 1 > UI_MONITOR_SPARK_MAX ? UI_MONITOR_SPARK_MAX : avail - 1;
        return;
    }
    if (avail < 0) {
        o->pps_val = false;
        avail += 1 + PPS_VAL_W;
    }
    if (avail < 0)
        o->name_w = o->name_w + avail < 6 ? 6 : o->name_w + avail;
}

void ui_monitor_clip(struct ui_lines *l, size_t from, int width)
{
    for (size_t i = from; i < l->n; i++) {
        if (ui_text_width(l->v[i].text) <= width)
            continue;
        size_t size = strlen(l->v[i].text) + 8;
        char *cut = xmalloc(size);
        ui_text_fit(l->v[i].text, width < 1 ? 1 : width, 0, cut, size);
        free(l->v[i].text);
        l->v[i].text = cut;
    }
}

void ui_monitor_rate(double v, char *buf, size_t size)
{
    if (!isfinite(v))
        snprintf(buf, size, "-");
    else if (fabs(v) < 999.5)
        snprintf(buf, size, "%.0f", v);
    else if (fabs(v) < 999950.0)
        snprintf(buf, size, "%.1fk", v / 1e3);
    else
        snprintf(buf, size, "%.1fM", v / 1e6);
}

/* Appends text fitted (and padded when pad) to w columns; returns the new length. */
static size_t cat_fit(char *line, size_t len, size_t size, const char *text, int w, bool pad)
{
    if (w <= 0 || len + 1 >= size)
        return len;
    int n = ui_text_fit(text, w, pad, line + len, size - len);
    (void)n;
    return len + strlen(line + len);
}

/* Appends text as is (already the right width); returns the new length. */
static size_t cat(char *line, size_t len, size_t size, const char *text)
{
    size_t n = strlen(text);
    if (len + n + 1 > size)
        return len;
    memcpy(line + len, text, n + 1);
    return len + n;
}

static char *spark(const struct perf_series *r, int64_t end, int width, double lo, double hi,
                   bool ascii)
{
    double *v = xmalloc((size_t)width * sizeof(*v));
    ui_monitor_bucket(r, end, ui_monitor_step(r), v, (size_t)width);
    char *s = perf_sparkline(v, (size_t)width, (size_t)width, lo, hi, ascii);
    free(v);
    return s;
}

void ui_monitor_list_lines(const struct ui_monitor_list *in, struct ui_lines *out)
{
    size_t from = out->n;
    ui_lines_add(out, UI_ROLE_TITLE, "%s", in->title ? in->title : "Monitor");
    if (in->note && *in->note)
        ui_lines_add(out, UI_ROLE_DIM, "%s", in->note);
    int longest = 4;
    int64_t end = in->end;
    for (size_t i = 0; i < in->n; i++) {
        const char *nm = in->hosts[i].name ? in->hosts[i].name : in->hosts[i].id;
        int w = ui_text_width(nm ? nm : "");
        longest = w > longest ? w : longest;
        struct perf_sample smp;
        if (!in->end &&
            perf_series_latest(ui_monitor_cpu_series(in->store, in->hosts[i].id), &smp) &&
            smp.t > end)
            end = smp.t;
        if (!in->end &&
            perf_series_latest(ui_monitor_pps_series(in->store, in->hosts[i].id), &smp) &&
            smp.t > end)
            end = smp.t;
    }
    struct ui_monitor_cols c;
    ui_monitor_fit(in->width, longest, &c);
    char line[4096];
    size_t len = cat(line, 0, sizeof(line), " ");
    len = cat_fit(line, len, sizeof(line), "HOST", c.name_w + 1, true);
    if (c.cpu_w)
        len = cat_fit(line, len, sizeof(line), "CPU %", c.cpu_w + 1, true);
    char hv[16]; /* value headings right-aligned over their numbers */
    snprintf(hv, sizeof(hv), "%*s", CPU_VAL_W, c.cpu_w ? "now" : "CPU %");
    len = cat(line, len, sizeof(line), hv);
    if (c.pps_w) {
        len = cat(line, len, sizeof(line), "  ");
        len = cat_fit(line, len, sizeof(line), "packets/s", c.pps_w, true);
    }
    if (c.pps_val) {
        snprintf(hv, sizeof(hv), " %*s", PPS_VAL_W, c.pps_w ? "now" : "pkts/s");
        cat(line, len, sizeof(line), hv);
    }
    ui_lines_add(out, UI_ROLE_DIM, "%s", line);
    if (!in->n)
        ui_lines_add(out, UI_ROLE_DIM, " No hosts here.");
    for (size_t i = 0; i < in->n; i++) {
        const struct ui_monitor_host *h = &in->hosts[i];
        const struct perf_series *cpu = ui_monitor_cpu_series(in->store, h->id);
        const struct perf_series *pps = ui_monitor_pps_series(in->store, h->id);
        struct perf_sample lc = {0, NAN}, lp = {0, NAN};
        bool has_cpu = perf_series_latest(cpu, &lc), has_pps = perf_series_latest(pps, &lp);
        len = cat(line, 0, sizeof(line), " ");
        len = cat_fit(line, len, sizeof(line), h->name ? h->name : h->id, c.name_w, true);
        len = cat(line, len, sizeof(line), " ");
        if (!has_cpu && !has_pps) {
            cat(line, len, sizeof(line), "no data yet");
            ui_lines_add(out, (int)i == in->cursor ? UI_ROLE_SELECTED : UI_ROLE_DIM, "%s", line);
            continue;
        }
        char val[32];
        if (c.cpu_w) {
            char *s = spark(cpu, end, c.cpu_w, 0, 100, in->ascii);
            len = cat(line, len, sizeof(line), s);
            len = cat(line, len, sizeof(line), " ");
            free(s);
        }
        if (has_cpu)
            snprintf(val, sizeof(val), "%5.1f%%", lc.v);
        else
            snprintf(val, sizeof(val), "%6s", "-");
        len = cat(line, len, sizeof(line), val);
        if (c.pps_w) {
            len = cat(line, len, sizeof(line), "  ");
            char *s = spark(pps, end, c.pps_w, 0, 0, in->ascii);
            len = cat(line, len, sizeof(line), s);
            free(s);
        }
        if (c.pps_val) {
            char rate[16];
            ui_monitor_rate(has_pps ? lp.v : NAN, rate, sizeof(rate));
            snprintf(val, sizeof(val), " %*s", PPS_VAL_W, rate);
            cat(line, len, sizeof(line), val);
        }
        ui_lines_add(out, (int)i == in->cursor ? UI_ROLE_SELECTED : UI_ROLE_SPARK, "%s", line);
    }
    ui_monitor_clip(out, from, in->width);
}
