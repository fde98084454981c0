/* The monitor's pure parts: series choice, cells of time, sparkline column fitting, chart scaling
 * and marker placement, the cost table, narrow terminals; then the view in the console state
 * (keys m / Enter / Esc, the tree's sparkline badge) on a backend that hands out a store. */
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/perf/perf_metric.h"
#include "check.h"
#include "tests/unit/tui/fake_lab.h"
#include "tui/ui_app.h"
#include "tui/ui_monitor.h"
#include "tui/ui_row.h"
#include "tui/ui_text.h"

#define T0 1767225600 /* 2026-01-01T00:00:00Z, a multiple of 20 */

static const char *const FULL = "\xe2\x96\x88"; /* U+2588 */
static const char *const LOW = "\xe2\x96\x81";  /* U+2581 */

static void put(struct perf_store *s, const char *id, const char *metric, int iv, int64_t t,
                double v)
{
    struct nl_err err = {0};
    CHECK_INT(perf_store_append(s, id, metric, "", iv, t, v, &err), NL_OK);
}

static bool all_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80 || (unsigned char)*s < 0x20)
            return false;
    return true;
}

static size_t count_str(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static const char *find_line(const struct ui_lines *l, const char *needle)
{
    long i = ui_lines_find(l, needle);
    return i < 0 ? NULL : l->v[i].text;
}

/* ---- series, steps, buckets ----------------------------------------------------------------- */

static void test_series(void)
{
    struct perf_store *s = perf_store_new();
    CHECK(ui_monitor_cpu_series(s, "host-21") == NULL);
    put(s, "host-21", PERF_CPU_USAGE, 20, T0, 30);
    CHECK(ui_monitor_cpu_series(s, "host-21") == perf_store_find(s, "host-21", PERF_CPU_USAGE, ""));
    /* vCenter went away: esxtop's newer samples win. */
    put(s, "host-21", PERF_ESXTOP_CPU, 2, T0 + 40, 55);
    CHECK(ui_monitor_cpu_series(s, "host-21") ==
          perf_store_find(s, "host-21", PERF_ESXTOP_CPU, ""));
    put(s, "host-21", PERF_ESXTOP_DELIVERED, 2, T0 + 40, 900);
    CHECK(ui_monitor_pps_series(s, "host-21") ==
          perf_store_find(s, "host-21", PERF_ESXTOP_DELIVERED, ""));
    CHECK(ui_monitor_pps_series(NULL, "host-21") == NULL);

    /* esxtop's 2 s samples taken every 20 s: one cell is 20 s, not 2 s. */
    const struct perf_series *e = perf_store_find(s, "host-21", PERF_ESXTOP_CPU, "");
    for (int i = 1; i <= 5; i++)
        put(s, "host-21", PERF_ESXTOP_CPU, 2, T0 + 40 + 20 * i, 50 + i);
    CHECK_INT(ui_monitor_step(e), 20);
    CHECK_INT(ui_monitor_step(perf_store_find(s, "host-21", PERF_CPU_USAGE, "")), 20);
    CHECK_INT(ui_monitor_step(NULL), PERF_REALTIME_INTERVAL);

    /* Buckets: the mean per cell, NAN for a gap, newest on the right. */
    put(s, "host-22", PERF_CPU_USAGE, 20, T0, 10);
    put(s, "host-22", PERF_CPU_USAGE, 20, T0 + 20, 20);
    put(s, "host-22", PERF_CPU_USAGE, 20, T0 + 60, 40);
    double v[4];
    ui_monitor_bucket(perf_store_find(s, "host-22", PERF_CPU_USAGE, ""), T0 + 60, 20, v, 4);
    CHECK(v[0] == 10 && v[1] == 20 && isnan(v[2]) && v[3] == 40);
    ui_monitor_bucket(perf_store_find(s, "host-22", PERF_CPU_USAGE, ""), T0 + 60, 40, v, 2);
    CHECK(v[0] == 15 && v[1] == 40); /* (T0-20, T0+20] and (T0+20, T0+60] */
    ui_monitor_bucket(NULL, T0, 20, v, 2);
    CHECK(isnan(v[0]) && isnan(v[1]));
    perf_store_free(&s);
}

static void test_rate(void)
{
    char b[16];
    ui_monitor_rate(950, b, sizeof(b));
    CHECK_STR(b, "950");
    ui_monitor_rate(7200, b, sizeof(b));
    CHECK_STR(b, "7.2k");
    ui_monitor_rate(36000, b, sizeof(b));
    CHECK_STR(b, "36.0k");
    ui_monitor_rate(1.25e6, b, sizeof(b));
    CHECK_STR(b, "1.2M");
    ui_monitor_rate(NAN, b, sizeof(b));
    CHECK_STR(b, "-");
}

/* ---- column fitting and the host list ------------------------------------------------------- */

static void test_fit(void)
{
    struct ui_monitor_cols c;
    ui_monitor_fit(200, 19, &c);
    CHECK_INT(c.name_w, 19);
    CHECK_INT(c.cpu_w, UI_MONITOR_SPARK_MAX);
    CHECK_INT(c.pps_w, UI_MONITOR_SPARK_MAX);
    CHECK(c.pps_val);
    ui_monitor_fit(100, 19, &c); /* both share what is left */
    CHECK(c.cpu_w >= UI_MONITOR_SPARK_MIN && c.pps_w >= UI_MONITOR_SPARK_MIN);
    CHECK(abs(c.cpu_w - c.pps_w) <= 1);
    CHECK_INT(1 + c.name_w + 1 + c.cpu_w + 1 + 6 + 2 + c.pps_w + 1 + 7, 100);
    ui_monitor_fit(45, 19, &c); /* the packet-rate sparkline goes first */
    CHECK(c.cpu_w >= UI_MONITOR_SPARK_MIN);
    CHECK_INT(c.pps_w, 0);
    CHECK(c.pps_val);
    ui_monitor_fit(36, 19, &c); /* then the CPU one */
    CHECK_INT(c.cpu_w, 0);
    CHECK(c.pps_val);
    ui_monitor_fit(30, 19, &c); /* then the packet rate; the name still whole */
    CHECK(!c.pps_val);
    CHECK_INT(c.name_w, 19);
    ui_monitor_fit(20, 19, &c); /* the name gives way last, not below 6 */
    CHECK_INT(c.name_w, 12);
    ui_monitor_fit(5, 19, &c);
    CHECK_INT(c.name_w, 6);
    ui_monitor_fit(200, 300, &c);
    CHECK_INT(c.name_w, 32);
}

static struct perf_store *list_store(void)
{
    struct perf_store *s = perf_store_new();
    for (int i = 0; i < 10; i++) {
        put(s, "host-21", PERF_CPU_USAGE, 20, T0 + 20 * i, i < 8 ? 30 : 59);
        put(s, "host-21", PERF_NET_PKTS_RX, 20, T0 + 20 * i, i < 8 ? 7200 : 36000);
        put(s, "host-22", PERF_CPU_USAGE, 20, T0 + 20 * i, 15.5);
    }
    return s;
}

static void test_list(void)
{
    struct perf_store *s = list_store();
    struct ui_monitor_host hosts[] = {{"host-21", "esx-p01.lab.invalid"},
                                      {"host-22", "esx-p02.lab.invalid"},
                                      {"host-99", "evil\x1b[31m$(rm -rf ~);<b>"}};
    struct ui_monitor_list in = {.store = s,
                                 .hosts = hosts,
                                 .n = 3,
                                 .title = "Monitor: test",
                                 .note = "From a test.",
                                 .width = 120,
                                 .cursor = 1};
    struct ui_lines l = {0};
    ui_monitor_list_lines(&in, &l);
    CHECK_INT((int)l.n, 6); /* title, note, header, three hosts */
    CHECK_STR(l.v[0].text, "Monitor: test");
    CHECK(find_line(&l, "HOST") != NULL);
    const char *p01 = find_line(&l, "esx-p01.lab.invalid");
    CHECK(p01 && strstr(p01, " 59.0%") && strstr(p01, "36.0k"));
    struct ui_monitor_cols c;
    ui_monitor_fit(120, ui_text_width(hosts[2].name), &c);
    /* The sparkline holds exactly its cells: 10 samples right-aligned, spaces before them. */
    CHECK_INT((int)count_str(p01, "\xe2\x96"), 20); /* 10 CPU and 10 packet-rate cells */
    CHECK(l.v[4].role == UI_ROLE_SELECTED);         /* the cursor's row */
    CHECK(l.v[3].role == UI_ROLE_SPARK);
    const char *p02 = find_line(&l, "esx-p02.lab.invalid");
    CHECK(p02 && strstr(p02, " 15.5%") && strstr(p02, " -")); /* no packet data: a dash */
    const char *evil = l.v[5].text;
    CHECK(strstr(evil, "no data yet") != NULL);
    CHECK(strchr(evil, '\x1b') == NULL); /* a hostile name cannot move the cursor */
    for (size_t i = 0; i < l.n; i++)
        CHECK(ui_text_width(l.v[i].text) <= 120);

    /* ASCII (no UTF-8, or the mono theme), and every width from 10 to 220 columns. */
    for (int w = 10; w <= 220; w++) {
        ui_lines_clear(&l);
        in.width = w;
        in.ascii = true;
        ui_monitor_list_lines(&in, &l);
        for (size_t i = 0; i < l.n; i++) {
            CHECK(strstr(l.v[i].text, "\xe2\x96") == NULL); /* no block characters */
            if (ui_text_width(l.v[i].text) > w)
                CHECK_INT(ui_text_width(l.v[i].text), w);
        }
    }
    ui_lines_clear(&l);
    in.width = 60;
    ui_monitor_list_lines(&in, &l);
    p01 = find_line(&l, "esx-p01.lab.invalid");
    /* The newest 7 cells (the hostile name, shown escaped, takes 27 columns); 30 % is level 2 of 7.
     */
    CHECK(p01 && strstr(p01, " -----==  59.0%"));
    ui_lines_free(&l);

    /* No hosts at all. */
    struct ui_monitor_list none = {.store = NULL, .n = 0, .width = 80, .cursor = -1};
    ui_monitor_list_lines(&none, &l);
    CHECK(find_line(&l, "No hosts here.") != NULL);
    ui_lines_free(&l);
    perf_store_free(&s);
}

/* ---- the chart ------------------------------------------------------------------------------ */

/* The column (in cells, after the 6-column axis labels) of a UTF-8 chart line holding needle. */
static int cell_of(const char *line, const char *needle)
{
    const char *p = strstr(line, needle);
    if (!p)
        return -1;
    int col = 0;
    for (const char *q = line; q < p; q++)
        col += ((unsigned char)*q & 0xC0) != 0x80;
    return col - 6;
}

static void test_chart(void)
{
    struct perf_store *s = perf_store_new();
    /* 0 % for four samples, then 100 %, then 50 %: one column each. */
    double vals[6] = {0, 0, 0, 0, 100, 50};
    for (int i = 0; i < 6; i++)
        put(s, "host-21", PERF_CPU_USAGE, 20, T0 + 20 * i, vals[i]);
    struct perf_event ev[3] = {
        {T0 + 50, "host-21", "vSwitch0", "promiscuous reject->accept on vSwitch0"},
        {T0 - 3000, "host-21", "vSwitch0", "long ago"},
        {T0 + 500, "host-21", "vSwitch0", "after the data"},
    };
    struct ui_monitor_chart in = {
        .series = perf_store_find(s, "host-21", PERF_CPU_USAGE, ""),
        .title = "CPU % of esx-p01",
        .width = 6 + 1 + 10, /* ten columns */
        .height = 3 + 4,     /* four rows */
        .lo = 0,
        .hi = 100,
        .events = ev,
        .n_events = 3,
    };
    struct ui_lines l = {0};
    /* Wide: the title and the legend (the change at T0-3000 is before the 73 columns). */
    in.width = 80;
    ui_monitor_chart_lines(&in, &l);
    CHECK(strstr(l.v[0].text, "now 50.0%") && strstr(l.v[0].text, "one column = 20 s"));
    CHECK(find_line(&l, "  1  00:00:50  promiscuous reject->accept on vSwitch0") != NULL);
    CHECK(find_line(&l, "after the data (after the newest sample)") != NULL);
    CHECK(find_line(&l, "1 earlier change lies before the chart's first column.") != NULL);
    for (size_t i = 0; i < l.n; i++)
        CHECK(ui_text_width(l.v[i].text) <= 80);
    ui_lines_clear(&l);
    in.width = 6 + 1 + 10; /* ten columns, cut legend lines */
    ui_monitor_chart_lines(&in, &l);
    /* title, 4 rows, axis, times, legend x2, "earlier" line */
    CHECK_INT((int)l.n, 1 + 4 + 2 + 3);
    CHECK(strncmp(l.v[1].text, "  100%", 6) == 0);
    CHECK(strncmp(l.v[4].text, "    0%", 6) == 0);
    /* The window ends at the newest sample (T0+100): columns 4..9 hold the six samples. The
     * 100 % column is full on every row; 50 % fills the lower two rows; 0 % is a bottom sliver. */
    for (int row = 1; row <= 4; row++)
        CHECK_INT(cell_of(l.v[row].text, FULL), 8);
    CHECK_INT((int)count_str(l.v[1].text, FULL), 1);
    CHECK_INT((int)count_str(l.v[3].text, FULL), 2);
    CHECK_INT((int)count_str(l.v[4].text, FULL), 2);
    CHECK_INT(cell_of(l.v[4].text, LOW), 4);
    CHECK_INT((int)count_str(l.v[4].text, LOW), 4);
    /* The change at T0+50 lies in the cell (T0+40, T0+60], column 7: '|' above the bar (a 0 %
     * sliver at the bottom) and "1" on the time axis. */
    CHECK_INT(cell_of(l.v[1].text, "|"), 7);
    CHECK_INT(cell_of(l.v[3].text, "|"), 7);
    CHECK_INT(cell_of(l.v[5].text, "1"), 7);
    CHECK(strstr(l.v[6].text, "00:00:00") || strstr(l.v[6].text, "23:5")); /* local time */
    CHECK(find_line(&l, "  1  00:00:50") != NULL);
    for (size_t i = 0; i < l.n; i++)
        CHECK(ui_text_width(l.v[i].text) <= 17);

    /* ASCII: '#' for full cells, '.' for a sliver, '-' for the axis; markers unchanged. */
    ui_lines_clear(&l);
    in.ascii = true;
    ui_monitor_chart_lines(&in, &l);
    for (size_t i = 1; i < 6; i++)
        CHECK(all_ascii(l.v[i].text));
    CHECK_STR(l.v[1].text + 6, "       |# ");
    CHECK_STR(l.v[2].text + 6, "       |# ");
    CHECK_STR(l.v[3].text + 6, "       |##");
    CHECK_STR(l.v[4].text + 6, "    ....##");
    CHECK_STR(l.v[5].text + 6, "-------1--");

    /* Too small, and no samples. */
    ui_lines_clear(&l);
    in.width = 8;
    ui_monitor_chart_lines(&in, &l);
    CHECK(find_line(&l, "  Too") != NULL);
    ui_lines_clear(&l);
    in.series = NULL;
    in.width = 80;
    ui_monitor_chart_lines(&in, &l);
    CHECK(find_line(&l, "No samples for this host yet.") != NULL);
    ui_lines_free(&l);
    perf_store_free(&s);
}

/* ---- the cost table ------------------------------------------------------------------------- */

static void test_cost(void)
{
    struct perf_store *s = perf_store_new();
    int64_t ev_t = T0 + 200;
    for (int i = 0; i <= 20; i++) {
        int64_t t = T0 + 20 * i;
        put(s, "host-21", PERF_CPU_USAGE, 20, t, t < ev_t ? 30 : 59);
        put(s, "host-21", PERF_NET_PKTS_RX, 20, t, t < ev_t ? 7200 : 36000);
        put(s, "host-22", PERF_CPU_USAGE, 20, t, 15.5);
        put(s, "host-22", PERF_NET_PKTS_RX, 20, t, 3500);
    }
    struct perf_event ev = {ev_t, "host-21", "vSwitch0", "promiscuous reject->accept on vSwitch0"};
    struct perf_cost_host hosts[] = {{"host-21", "esx-p01.lab.invalid"},
                                     {"host-22", "esx-p02.lab.invalid"}};
    struct perf_cost_table *t = perf_cost_compute(s, &ev, 1, hosts, 2, NULL);
    struct ui_lines l = {0};
    ui_monitor_cost_lines(t, 160, &l);
    CHECK(strstr(l.v[0].text, "Measured cost of security changes") != NULL);
    const char *hdr = find_line(&l, "HOST");
    CHECK(hdr && strstr(hdr, "CHANGE") && strstr(hdr, "packets/s"));
    CHECK(strstr(hdr, "amplification") == NULL); /* no esxtop data: no column */
    const char *p01 = find_line(&l, "esx-p01.lab.invalid *");
    CHECK(p01 && strstr(p01, "30.0 -> 59.0 (+29.0)") && strstr(p01, "7.2k -> 36.0k (+28.8k)"));
    CHECK(strstr(p01, "promiscuous reject->accept on vSwitch0") != NULL);
    const char *p02 = find_line(&l, "esx-p02.lab.invalid");
    CHECK(p02 && strstr(p02, "15.5 -> 15.5 (+0.0)") && strstr(p02, "3.5k -> 3.5k (+0)"));
    CHECK(find_line(&l, "Why a figure is missing") == NULL);

    /* Narrow: the change column goes first, then packets/s; every line fits. */
    ui_lines_clear(&l);
    ui_monitor_cost_lines(t, 80, &l);
    hdr = find_line(&l, "HOST");
    CHECK(hdr && !strstr(hdr, "CHANGE") && strstr(hdr, "packets/s"));
    CHECK(strstr(find_line(&l, "esx-p01.lab.invalid *"), "(+29.0)") != NULL);
    for (size_t i = 1; i < l.n; i++)
        CHECK(ui_text_width(l.v[i].text) <= 80);
    ui_lines_clear(&l);
    ui_monitor_cost_lines(t, 56, &l);
    hdr = find_line(&l, "HOST");
    CHECK(hdr && !strstr(hdr, "packets/s"));
    CHECK(strstr(find_line(&l, "esx-p01.lab.invalid *"), "30.0 -> 59.0") != NULL);
    for (size_t i = 1; i < l.n; i++)
        CHECK(ui_text_width(l.v[i].text) <= 56);
    perf_cost_table_free(&t);

    /* Right after a change there is nothing after it yet: said plainly, with the reason. */
    struct perf_event fresh = {T0 + 20 * 20 - 5, "host-21", "vSwitch0", "promiscuous"};
    t = perf_cost_compute(s, &fresh, 1, hosts, 2, NULL);
    ui_lines_clear(&l);
    ui_monitor_cost_lines(t, 100, &l);
    p01 = find_line(&l, "esx-p01.lab.invalid *");
    CHECK(p01 && strstr(p01, "insufficient data") && !strstr(p01, "->"));
    CHECK(find_line(&l, " Why a figure is missing:") != NULL);
    long why = ui_lines_find(&l, "CPU: Insufficient data:");
    CHECK(why > 0);
    CHECK(find_line(&l, "0 after it") != NULL);
    for (size_t i = 1; i < l.n; i++)
        CHECK(ui_text_width(l.v[i].text) <= 100); /* long reasons wrap */
    /* Each reason once. */
    size_t n_p01_cpu = 0;
    for (size_t i = 0; i < l.n; i++)
        n_p01_cpu +=
            strstr(l.v[i].text, "esx-p01.lab.invalid") && strstr(l.v[i].text, " CPU: Insufficient");
    CHECK_INT((int)n_p01_cpu, 1);
    perf_cost_table_free(&t);

    /* No events. */
    ui_lines_clear(&l);
    ui_monitor_cost_lines(NULL, 80, &l);
    CHECK(find_line(&l, "nothing to measure") != NULL);
    ui_lines_free(&l);
    perf_store_free(&s);
}

/* ---- the view in the console ---------------------------------------------------------------- */

struct test_be {
    struct nl_lab *lab;
    bool taken;
    struct perf_store *store;
    struct perf_event ev[1];
    int refreshes;
};

static struct nl_lab *be_take_lab(void *ctx)
{
    struct test_be *b = ctx;
    if (b->taken)
        return NULL;
    b->taken = true;
    return b->lab;
}

static const struct perf_store *be_store(void *ctx)
{
    return ((struct test_be *)ctx)->store;
}

static size_t be_events(void *ctx, const struct perf_event **out)
{
    *out = ((struct test_be *)ctx)->ev;
    return 1;
}

static void be_refresh(void *ctx)
{
    ((struct test_be *)ctx)->refreshes++;
}

static void be_status(void *ctx, char *buf, size_t size)
{
    (void)ctx;
    snprintf(buf, size, "From the test backend.");
}

static void lines_of(struct ui_app *app, struct ui_lines *l)
{
    ui_lines_clear(l);
    ui_monitor_lines(app, app->width - 1, ui_app_body_height(app), l);
}

static void test_view(void)
{
    struct test_be tb = {.lab = fake_lab_default(), .store = list_store()};
    tb.ev[0] = (struct perf_event){T0 + 150, "host-21", "vSwitch0", "promiscuous on vSwitch0"};
    struct ui_backend be;
    memset(&be, 0, sizeof(be));
    be.ctx = &tb;
    be.wake_fd = -1;
    be.take_lab = be_take_lab;
    be.perf_store = be_store;
    be.perf_events = be_events;
    be.perf_refresh = be_refresh;
    be.perf_status = be_status;
    struct ui_app app;
    ui_app_init(&app, &be, NULL);
    app.utf8 = true;
    app.width = 150;
    app.height = 40;
    ui_app_pump(&app);
    CHECK(app.lab != NULL);

    /* The tree's host rows carry "CPU% sparkline" at 140 columns and more. */
    int n21 = ui_tree_find(&app.tree, UI_NODE_HOST,
                           nl_lab_find_host(app.lab, "host-21") - app.lab->hosts);
    struct ui_row row;
    ui_row_describe(&app.tree, n21, &row);
    int before = row.n_badges;
    ui_monitor_tree_badge(&app, n21, &row);
    CHECK_INT(row.n_badges, before + 1);
    CHECK(strncmp(row.badges[before].text, "59% ", 4) == 0);
    CHECK_INT(ui_text_width(row.badges[before].text), 4 + 6);
    CHECK(row.badges[before].role == UI_ROLE_SPARK);
    /* It is the last badge: a narrow row drops it before any other, the name stays whole. */
    struct ui_row_layout lay;
    ui_row_layout(&row, 140, true, &lay);
    CHECK_INT(lay.badges_shown, before + 1);
    int lw = 140;
    for (; lw > 0; lw--) {
        ui_row_layout(&row, lw, true, &lay);
        if (lay.badges_shown <= before)
            break;
    }
    CHECK_INT(lay.badges_shown, before);                             /* the first to go */
    CHECK(strstr(lay.spans[2].text, "esx-p01.lab.invalid") != NULL); /* the name is whole */
    /* Narrower terminals, VMs, and hosts without samples get none. */
    ui_row_describe(&app.tree, n21, &row);
    app.width = 139;
    ui_monitor_tree_badge(&app, n21, &row);
    CHECK_INT(row.n_badges, before);
    app.width = 150;
    int n31 = ui_tree_find(&app.tree, UI_NODE_HOST,
                           nl_lab_find_host(app.lab, "host-31") - app.lab->hosts);
    ui_row_describe(&app.tree, n31, &row);
    before = row.n_badges;
    ui_monitor_tree_badge(&app, n31, &row);
    CHECK_INT(row.n_badges, before);

    /* m on esx-p02 opens the monitor for cluster Physical with the cursor on that host. */
    int n22 = ui_tree_find(&app.tree, UI_NODE_HOST,
                           nl_lab_find_host(app.lab, "host-22") - app.lab->hosts);
    ui_tree_select(&app.tree, n22);
    ui_app_key(&app, 'm');
    CHECK_INT(ui_app_ctx(&app), UI_CTX_MONITOR);
    CHECK_INT(tb.refreshes, 1);
    CHECK_INT(app.mon.cursor, 1);
    struct ui_lines l = {0};
    lines_of(&app, &l);
    CHECK(strstr(l.v[0].text, "Monitor: cluster Physical (2 hosts") != NULL);
    CHECK(find_line(&l, "From the test backend.") != NULL);
    CHECK(find_line(&l, "esx-p01.lab.invalid") && find_line(&l, "esx-p02.lab.invalid"));
    CHECK(find_line(&l, "esx-n01.lab.invalid") == NULL);
    CHECK(l.v[ui_lines_find(&l, "esx-p02.lab.invalid")].role == UI_ROLE_SELECTED);
    CHECK(find_line(&l, "Measured cost of security changes") != NULL);
    CHECK(find_line(&l, "esx-p01.lab.invalid *") != NULL); /* the event's row */
    /* The mono theme draws ASCII. */
    snprintf(app.theme.name, sizeof(app.theme.name), "mono");
    lines_of(&app, &l);
    CHECK(all_ascii(find_line(&l, "esx-p01.lab.invalid")));
    snprintf(app.theme.name, sizeof(app.theme.name), "default");
    ui_app_key(&app, 'k');
    CHECK_INT(app.mon.cursor, 0);
    ui_app_key(&app, 'k');
    CHECK_INT(app.mon.cursor, 0);
    ui_app_key(&app, 'r');
    CHECK_INT(tb.refreshes, 2);

    /* Enter: the chart of esx-p01 with the change marked; Esc back to the list, then out. */
    ui_app_key(&app, '\r');
    CHECK_STR(app.mon.chart_host, "host-21");
    lines_of(&app, &l);
    CHECK(strstr(l.v[0].text, "CPU % of esx-p01.lab.invalid") != NULL);
    CHECK(find_line(&l, "promiscuous on vSwitch0") != NULL);
    CHECK(find_line(&l, "  1  ") != NULL);
    ui_app_key(&app, UI_KEY_ESC);
    CHECK_INT(ui_app_ctx(&app), UI_CTX_MONITOR);
    CHECK_STR(app.mon.chart_host, "");
    ui_app_key(&app, UI_KEY_ESC);
    CHECK_INT(ui_app_ctx(&app), UI_CTX_TREE);

    /* Small terminals: everything still fits. */
    ui_app_key(&app, 'm');
    for (int w = 20; w <= 200; w += 9) {
        app.width = w;
        app.height = 12;
        lines_of(&app, &l);
        for (size_t i = 0; i < l.n; i++)
            if (ui_text_width(l.v[i].text) > w - 1)
                CHECK_INT(ui_text_width(l.v[i].text), w - 1);
    }
    /* m is documented in the help and on the tree's key bar. */
    struct ui_lines help = {0};
    ui_keys_help(&help);
    CHECK(ui_lines_find(&help, "Monitor: CPU and packets/s") >= 0);
    CHECK(ui_lines_find(&help, "Large CPU chart of the selected host") >= 0);
    ui_lines_free(&help);

    /* A backend without perf callbacks: the monitor says so instead of crashing. */
    be.perf_store = NULL;
    be.perf_events = NULL;
    be.perf_status = NULL;
    be.perf_refresh = NULL;
    app.width = 120;
    app.height = 30;
    lines_of(&app, &l);
    CHECK(find_line(&l, "collects no performance data") != NULL);
    CHECK(find_line(&l, "no data yet") != NULL);
    ui_lines_free(&l);
    ui_app_free(&app);
    perf_store_free(&tb.store);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    setlocale(LC_ALL, "C.UTF-8");
    test_series();
    test_rate();
    test_fit();
    test_list();
    test_chart();
    test_cost();
    test_view();
    return nl_check_done();
}
