/* Sparklines for the console: pure functions returning owned UTF-8 strings, so the TUI only
 * prints them. Eight levels "▁▂▃▄▅▆▇█", or "_.-:=+*#" when the terminal cannot show them. */
#ifndef PERF_SPARK_H
#define PERF_SPARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/perf/perf_store.h"

/* Exactly `width` cells (display columns): the newest values on the right; fewer values are
 * padded with spaces on the left, more are cut from the left. A NAN value is a space (a gap).
 * lo < hi fixes the scale (values outside are clamped); otherwise the scale is min(0, data min)
 * .. data max, and a flat line draws at the lowest level. */
char *perf_sparkline(const double *v, size_t n, size_t width, double lo, double hi, bool ascii);

/* A series over the `width` intervals ending at `end` (one cell per series interval, the mean
 * when several samples fall in one cell, a space when none). */
char *perf_sparkline_series(const struct perf_series *r, int64_t end, size_t width, double lo,
                            double hi, bool ascii);

#endif
