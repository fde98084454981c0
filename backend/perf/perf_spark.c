#include "backend/perf/perf_spark.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"

static const char *const blocks[8] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
                                      "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
                                      "\xe2\x96\x87", "\xe2\x96\x88"};
static const char ascii_levels[8] = {'_', '.', '-', ':', '=', '+', '*', '#'};

char *perf_sparkline(const double *v, size_t n, size_t width, double lo, double hi, bool ascii)
{
    char *out = xmalloc(width * 3 + 1);
    size_t w = 0;
    size_t first = n > width ? n - width : 0; /* newest values win */
    size_t shown = n - first;
    if (!(lo < hi)) {
        bool any = false;
        double mn = 0, mx = 0;
        for (size_t i = first; i < n; i++) {
            if (!isfinite(v[i]))
                continue;
            if (!any || v[i] < mn)
                mn = v[i];
            if (!any || v[i] > mx)
                mx = v[i];
            any = true;
        }
        lo = mn < 0 ? mn : 0;
        hi = mx;
    }
    for (size_t pad = shown; pad < width; pad++)
        out[w++] = ' ';
    for (size_t i = first; i < n; i++) {
        if (!isfinite(v[i])) {
            out[w++] = ' ';
            continue;
        }
        int level = 0;
        if (hi > lo) {
            double x = (v[i] - lo) / (hi - lo);
            x = x < 0 ? 0 : x > 1 ? 1 : x;
            level = (int)lround(x * 7);
        }
        if (ascii) {
            out[w++] = ascii_levels[level];
        } else {
            memcpy(out + w, blocks[level], 3);
            w += 3;
        }
    }
    out[w] = '\0';
    return out;
}

char *perf_sparkline_series(const struct perf_series *r, int64_t end, size_t width, double lo,
                            double hi, bool ascii)
{
    if (width == 0)
        return xstrdup("");
    double *v = xmalloc(width * sizeof *v);
    size_t *count = xcalloc(width, sizeof *count);
    for (size_t i = 0; i < width; i++)
        v[i] = 0;
    if (r && perf_series_len(r) > 0) {
        int64_t iv = perf_series_interval(r);
        /* Cell i covers (start + i*iv, start + (i+1)*iv]; the last cell ends at `end`. */
        int64_t start = end - (int64_t)width * iv;
        size_t total = perf_series_window(r, start + 1, end, NULL, 0);
        struct perf_sample *s = xmalloc((total ? total : 1) * sizeof *s);
        perf_series_window(r, start + 1, end, s, total);
        for (size_t k = 0; k < total; k++) {
            size_t cellno = (size_t)((s[k].t - start - 1) / iv);
            if (cellno < width) {
                v[cellno] += s[k].v;
                count[cellno]++;
            }
        }
        free(s);
    }
    for (size_t i = 0; i < width; i++)
        v[i] = count[i] ? v[i] / (double)count[i] : NAN;
    char *out = perf_sparkline(v, width, width, lo, hi, ascii);
    free(v);
    free(count);
    return out;
}
