/* The large chart of one host: a multi-row block chart with security changes marked on it. Pure:
 * lines of text, eighth blocks in UTF-8 or '#', '+', '.' in ASCII. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/xmalloc.h"
#include "tui/ui_monitor.h"
#include "tui/ui_text.h"

#define LABEL_W 6 /* " 100% " */

/* U+2581..U+2588: one to eight eighths. */
static const char *const eighths[8] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
                                       "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
                                       "\xe2\x96\x87", "\xe2\x96\x88"};

static void hms(int64_t t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm)) {
        snprintf(buf, size, "?");
        return;
    }
    strftime(buf, size, "%H:%M:%S", &tm);
}

static char marker_char(size_t i)
{
    if (i < 9)
        return (char)('1' + i);
    if (i < 9 + 26)
        return (char)('a' + (i - 9));
    return '*';
}

/* The column of time t, or -1 when it is outside the window (end - pw*step, end]. */
static int column_of(int64_t t, int64_t end, int step, int pw)
{
    int64_t start = end - (int64_t)pw * step;
    if (t <= start || t > end)
        return -1;
    return (int)((t - start - 1) / step);
}

static void put_cell(char *line, size_t *len, size_t size, const char *cell)
{
    size_t n = strlen(cell);
    if (*len + n + 1 > size)
        return;
    memcpy(line + *len, cell, n + 1);
    *len += n;
}

static void chart_lines(const struct ui_monitor_chart *in, struct ui_lines *out);

void ui_monitor_chart_lines(const struct ui_monitor_chart *in, struct ui_lines *out)
{
    size_t from = out->n;
    chart_lines(in, out);
    ui_monitor_clip(out, from, in->width);
}

static void chart_lines(const struct ui_monitor_chart *in, struct ui_lines *out)
{
    const struct perf_series *r = in->series;
    struct perf_sample last = {0, NAN};
    bool any = perf_series_latest(r, &last);
    int step = in->step > 0 ? in->step : ui_monitor_step(r);
    int64_t end = in->end ? in->end : last.t;
    int pw = in->width - LABEL_W - 1;
    int ph = in->height - 3; /* title, time axis, time labels */
    char title[600];
    if (any)
        snprintf(title, sizeof(title), "%s  (now %.1f%%, one column = %d s)",
                 in->title ? in->title : "", last.v, step);
    else
        snprintf(title, sizeof(title), "%s", in->title ? in->title : "");
    ui_lines_add(out, UI_ROLE_TITLE, "%s", title);
    if (!any) {
        ui_lines_add(out, UI_ROLE_DIM, "  No samples for this host yet.");
        return;
    }
    if (pw < 4 || ph < 1) {
        ui_lines_add(out, UI_ROLE_DIM, "  Too small for a chart.");
        return;
    }
    double lo = in->lo, hi = in->hi;
    if (!(lo < hi)) {
        lo = 0;
        hi = 1;
        for (size_t i = 0; i < perf_series_len(r); i++)
            hi = fmax(hi, perf_series_get(r, i).v);
    }
    double *v = xmalloc((size_t)pw * sizeof(*v));
    ui_monitor_bucket(r, end, step, v, (size_t)pw);
    /* One marker per event; several events in one column show the first one's number. */
    char *mark = xcalloc((size_t)pw, 1);
    size_t inside = 0, before = 0;
    for (size_t i = 0; i < in->n_events; i++) {
        int c = column_of(in->events[i].t, end, step, pw);
        if (c >= 0) {
            if (!mark[c])
                mark[c] = marker_char(inside);
            inside++;
        } else if (in->events[i].t <= end) {
            before++;
        }
    }
    size_t size = (size_t)pw * 4 + LABEL_W + 64;
    char *line = xmalloc(size);
    for (int row = 0; row < ph; row++) {
        int b = ph - 1 - row; /* rows above the bottom */
        size_t len = 0;
        char label[32] = "";
        if (row == 0 || row == ph - 1 || (ph >= 5 && row == ph / 2)) {
            double at = row == ph - 1 ? lo : lo + (hi - lo) * (double)(ph - row) / ph;
            snprintf(label, sizeof(label), "%5.0f%%", at);
        }
        len = (size_t)snprintf(line, size, "%-*s", LABEL_W, label);
        for (int c = 0; c < pw; c++) {
            const char *cell = " ";
            char ascii_cell[2] = {0, 0};
            if (isfinite(v[c])) {
                double x = (v[c] - lo) / (hi - lo);
                x = x < 0 ? 0 : x > 1 ? 1 : x;
                long e = lround(x * ph * 8);
                long fill = e - (long)b * 8;
                if (b == 0 && fill < 1)
                    fill = 1; /* a sample at the bottom of the scale is not a gap */
                if (fill >= 8) {
                    cell = in->ascii ? "#" : eighths[7];
                } else if (fill >= 1) {
                    if (in->ascii) {
                        ascii_cell[0] = fill >= 4 ? '+' : '.';
                        cell = ascii_cell;
                    } else {
                        cell = eighths[fill - 1];
                    }
                }
            }
            if (mark[c] && strcmp(cell, " ") == 0)
                cell = "|";
            put_cell(line, &len, size, cell);
        }
        ui_lines_add(out, UI_ROLE_SPARK, "%s", line);
    }
    /* Time axis with the markers' numbers. */
    size_t len = (size_t)snprintf(line, size, "%-*s", LABEL_W, "");
    for (int c = 0; c < pw; c++) {
        char m[2] = {mark[c], 0};
        put_cell(line, &len, size, mark[c] ? m : in->ascii ? "-" : "\xe2\x94\x80");
    }
    ui_lines_add(out, UI_ROLE_DIM, "%s", line);
    char t0[16], t1[16];
    hms(end - (int64_t)pw * step, t0, sizeof(t0));
    hms(end, t1, sizeof(t1));
    int gap = pw - (int)strlen(t0) - (int)strlen(t1);
    snprintf(line, size, "%-*s%s%*s%s", LABEL_W, "", t0, gap > 1 ? gap : 1, "", t1);
    ui_lines_add(out, UI_ROLE_DIM, "%s", line);
    /* The legend. */
    size_t k = 0;
    for (size_t i = 0; i < in->n_events; i++) {
        const struct perf_event *e = &in->events[i];
        char when[16];
        hms(e->t, when, sizeof(when));
        char what[400];
        ui_text_fit(e->what ? e->what : "security change", 300, 0, what, sizeof(what));
        if (column_of(e->t, end, step, pw) >= 0)
            ui_lines_add(out, UI_ROLE_WARN, "  %c  %s  %s", marker_char(k++), when, what);
        else if (e->t > end)
            ui_lines_add(out, UI_ROLE_WARN, "  |  %s  %s (after the newest sample)", when, what);
    }
    if (before)
        ui_lines_add(out, UI_ROLE_DIM, "  %zu earlier change%s before the chart's first column.",
                     before, before == 1 ? " lies" : "s lie");
    if (!in->n_events)
        ui_lines_add(out, UI_ROLE_DIM, "  No security change of this host in the last hour.");
    free(line);
    free(mark);
    free(v);
}
