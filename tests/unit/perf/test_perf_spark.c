#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/perf/perf_spark.h"
#include "check.h"

static void check_spark(const double *v, size_t n, size_t width, double lo, double hi, bool ascii,
                        const char *want)
{
    char *s = perf_sparkline(v, n, width, lo, hi, ascii);
    CHECK_STR(s, want);
    free(s);
}

int main(void)
{
    double ramp[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    check_spark(ramp, 8, 8, 0, 0, false, "▁▂▃▄▅▆▇█");
    check_spark(ramp, 8, 8, 0, 0, true, "_.-:=+*#");
    /* Fewer values than cells: padded on the left. More: the newest kept. */
    check_spark(ramp, 2, 4, 0, 7, true, "  _.");
    check_spark(ramp, 8, 3, 0, 7, true, "+*#");
    /* Fixed scale clamps; NAN is a gap; a flat line sits at the bottom. */
    double mixed[4] = {-5, NAN, 50, 200};
    check_spark(mixed, 4, 4, 0, 100, true, "_ =#");
    double flat[3] = {0, 0, 0};
    check_spark(flat, 3, 3, 0, 0, false, "▁▁▁");
    check_spark(NULL, 0, 0, 0, 0, false, "");

    /* From a series: one cell per interval ending at `end`, a gap where no sample is. */
    struct perf_store *st = perf_store_new();
    struct nl_err err = {0};
    perf_store_append(st, "h", "m", "", 20, 100, 0, &err);
    perf_store_append(st, "h", "m", "", 20, 140, 70, &err);
    perf_store_append(st, "h", "m", "", 20, 160, 35, &err);
    perf_store_append(st, "h", "m", "", 20, 10, 70, &err); /* outside the 5 cells */
    char *s = perf_sparkline_series(perf_store_find(st, "h", "m", ""), 160, 5, 0, 70, true);
    /* cells end at 80, 100, 120, 140, 160 */
    CHECK_STR(s, " _ #=");
    free(s);
    s = perf_sparkline_series(NULL, 160, 3, 0, 0, true);
    CHECK_STR(s, "   ");
    free(s);
    perf_store_free(&st);
    return nl_check_done();
}
