/* The monitor view in the console: which hosts it lists, the cursor, the chart of one host, the
 * cost table, and the sparkline badge of the tree's host rows. It reads the backend's sample
 * store and events (tui/ui_backend.h) on the UI thread and leaves the text to ui_monitor*.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/xmalloc.h"
#include "backend/perf/perf_spark.h"
#include "tui/ui_app.h"
#include "tui/ui_monitor.h"
#include "tui/ui_row.h"

/* Events in the list's cost table: the newest few keep it readable with many hosts. */
#define LIST_COST_EVENTS 3
#define TREE_SPARK_CELLS 6

static const struct perf_store *store_of(const struct ui_app *app)
{
    return app->be->perf_store ? app->be->perf_store(app->be->ctx) : NULL;
}

static size_t events_of(const struct ui_app *app, const struct perf_event **ev)
{
    *ev = NULL;
    return app->be->perf_events ? app->be->perf_events(app->be->ctx, ev) : 0;
}

/* Block characters need a UTF-8 terminal; the mono theme asks for plain ASCII too. */
static bool ascii_of(const struct ui_app *app)
{
    return !app->utf8 || strcmp(app->theme.name, "mono") == 0;
}

/* The hosts of the monitor's cluster (every host when none), in lab order. */
static size_t list_hosts(const struct ui_app *app, struct ui_monitor_host **out)
{
    const struct nl_lab *lab = app->lab;
    *out = NULL;
    if (!lab)
        return 0;
    struct ui_monitor_host *v = xcalloc(lab->n_hosts + 1, sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; i < lab->n_hosts; i++) {
        const struct nl_host *h = &lab->hosts[i];
        if (app->mon.cluster[0] && (!h->cluster_id || strcmp(h->cluster_id, app->mon.cluster)))
            continue;
        v[n++] = (struct ui_monitor_host){h->id, h->name};
    }
    *out = v;
    return n;
}

void ui_monitor_open(struct ui_app *app)
{
    struct ui_monitor *m = &app->mon;
    m->cluster[0] = m->chart_host[0] = '\0';
    m->cursor = 0;
    const char *host_id = NULL;
    if (app->view == UI_VIEW_GRID) {
        snprintf(m->cluster, sizeof(m->cluster), "%s", app->grid_cluster);
        if (app->grid.n_rows && app->lab)
            host_id = app->lab->hosts[app->grid.rows[app->grid.cursor].host].id;
    } else {
        int sel = app->view == UI_VIEW_DETAIL && app->detail_node >= 0
                      ? app->detail_node
                      : ui_tree_selected(&app->tree);
        if (sel >= 0 && app->tree.nodes[sel].kind == UI_NODE_HOST)
            host_id = ui_node_id(&app->tree, sel);
        for (int n = sel; n >= 0; n = app->tree.nodes[n].parent)
            if (app->tree.nodes[n].kind == UI_NODE_CLUSTER) {
                snprintf(m->cluster, sizeof(m->cluster), "%s", ui_node_id(&app->tree, n));
                break;
            }
    }
    struct ui_monitor_host *hosts;
    size_t n = list_hosts(app, &hosts);
    for (size_t i = 0; host_id && i < n; i++)
        if (strcmp(hosts[i].id, host_id) == 0)
            m->cursor = (int)i;
    free(hosts);
    if (app->be->perf_refresh)
        app->be->perf_refresh(app->be->ctx);
}

void ui_monitor_move(struct ui_app *app, int delta, bool absolute)
{
    if (app->mon.chart_host[0])
        return;
    struct ui_monitor_host *hosts;
    int n = (int)list_hosts(app, &hosts);
    free(hosts);
    int c = absolute ? (delta < 0 ? 0 : n - 1) : app->mon.cursor + delta;
    app->mon.cursor = c >= n ? n - 1 : c < 0 ? 0 : c;
}

void ui_monitor_enter(struct ui_app *app)
{
    struct ui_monitor_host *hosts;
    size_t n = list_hosts(app, &hosts);
    if (!app->mon.chart_host[0] && app->mon.cursor >= 0 && (size_t)app->mon.cursor < n)
        snprintf(app->mon.chart_host, sizeof(app->mon.chart_host), "%s", hosts[app->mon.cursor].id);
    free(hosts);
}

bool ui_monitor_back(struct ui_app *app)
{
    if (!app->mon.chart_host[0])
        return false;
    app->mon.chart_host[0] = '\0';
    return true;
}

static bool in_hosts(const struct ui_monitor_host *hosts, size_t n, const char *id)
{
    for (size_t i = 0; id && i < n; i++)
        if (strcmp(hosts[i].id, id) == 0)
            return true;
    return false;
}

/* The cost of the newest `max` events made on one of hosts, measured on every host of hosts. */
static void cost_lines(const struct ui_app *app, const struct ui_monitor_host *hosts, size_t n,
                       size_t max, int width, struct ui_lines *out)
{
    const struct perf_store *store = store_of(app);
    const struct perf_event *all;
    size_t n_all = events_of(app, &all);
    struct perf_event *ev = xcalloc(max + 1, sizeof(*ev));
    size_t n_ev = 0;
    for (size_t i = n_all; i > 0 && n_ev < max; i--)
        if (in_hosts(hosts, n, all[i - 1].host_id))
            ev[n_ev++] = all[i - 1];
    /* perf_cost wants them oldest first, like the timeline. */
    for (size_t i = 0; i < n_ev / 2; i++) {
        struct perf_event tmp = ev[i];
        ev[i] = ev[n_ev - 1 - i];
        ev[n_ev - 1 - i] = tmp;
    }
    struct perf_cost_host *ch = xcalloc(n + 1, sizeof(*ch));
    for (size_t i = 0; i < n; i++)
        ch[i] = (struct perf_cost_host){hosts[i].id, hosts[i].name};
    struct perf_store *empty = store ? NULL : perf_store_new();
    struct perf_cost_table *t =
        n_ev ? perf_cost_compute(store ? store : empty, ev, n_ev, ch, n, NULL) : NULL;
    ui_monitor_cost_lines(t, width, out);
    perf_cost_table_free(&t);
    perf_store_free(&empty);
    free(ch);
    free(ev);
}

static const char *cluster_name(const struct ui_app *app)
{
    const struct nl_cluster *c =
        app->lab && app->mon.cluster[0] ? nl_lab_find_cluster(app->lab, app->mon.cluster) : NULL;
    return c ? (c->name ? c->name : c->id) : NULL;
}

static void note_of(const struct ui_app *app, char *buf, size_t size)
{
    buf[0] = '\0';
    if (app->be->perf_status)
        app->be->perf_status(app->be->ctx, buf, size);
    else if (!app->be->perf_store)
        snprintf(buf, size, "This console's backend collects no performance data.");
}

static void chart(struct ui_app *app, int width, int height, struct ui_lines *out)
{
    const char *id = app->mon.chart_host;
    const struct nl_host *h = app->lab ? nl_lab_find_host(app->lab, id) : NULL;
    const char *name = h && h->name ? h->name : id;
    const struct perf_event *all;
    size_t n_all = events_of(app, &all);
    struct perf_event *ev = xcalloc(n_all + 1, sizeof(*ev));
    size_t n_ev = 0;
    for (size_t i = 0; i < n_all; i++)
        if (all[i].host_id && strcmp(all[i].host_id, id) == 0)
            ev[n_ev++] = all[i];
    char title[400];
    snprintf(title, sizeof(title), "CPU %% of %s", name);
    int chart_h = height * 3 / 5;
    if (chart_h < 8)
        chart_h = height < 8 ? height : 8;
    struct ui_monitor_chart c = {
        .series = ui_monitor_cpu_series(store_of(app), id),
        .title = title,
        .width = width,
        .height = chart_h,
        .lo = 0,
        .hi = 100,
        .events = ev,
        .n_events = n_ev,
        .ascii = ascii_of(app),
    };
    ui_monitor_chart_lines(&c, out);
    free(ev);
    ui_lines_add(out, UI_ROLE_NORMAL, "%s", "");
    struct ui_monitor_host self = {id, name};
    cost_lines(app, &self, 1, n_all, width, out);
}

void ui_monitor_lines(struct ui_app *app, int width, int height, struct ui_lines *out)
{
    if (app->mon.chart_host[0]) {
        chart(app, width, height, out);
        return;
    }
    struct ui_monitor_host *hosts;
    size_t n = list_hosts(app, &hosts);
    if (app->mon.cursor >= (int)n)
        app->mon.cursor = n ? (int)n - 1 : 0;
    char title[300], note[512];
    const char *cn = cluster_name(app);
    if (cn)
        snprintf(title, sizeof(title), "Monitor: cluster %s (%zu host%s; Enter: chart)", cn, n,
                 n == 1 ? "" : "s");
    else
        snprintf(title, sizeof(title), "Monitor: all hosts (%zu; Enter: chart)", n);
    note_of(app, note, sizeof(note));
    struct ui_lines all = {0};
    struct ui_monitor_list in = {
        .store = store_of(app),
        .hosts = hosts,
        .n = n,
        .title = title,
        .note = note,
        .width = width,
        .cursor = app->mon.cursor,
        .ascii = ascii_of(app),
    };
    ui_monitor_list_lines(&in, &all);
    size_t first_row = all.n - n; /* the host rows are the last lines so far */
    ui_lines_add(&all, UI_ROLE_NORMAL, "%s", "");
    cost_lines(app, hosts, n, LIST_COST_EVENTS, width, &all);
    /* Scroll so the selected host is on screen. */
    size_t cur = first_row + (size_t)app->mon.cursor;
    size_t top = height > 0 && cur >= (size_t)height ? cur - (size_t)height + 1 : 0;
    for (size_t i = top; i < all.n; i++)
        ui_lines_add(out, all.v[i].role, "%s", all.v[i].text);
    ui_lines_free(&all);
    free(hosts);
}

void ui_monitor_tree_badge(const struct ui_app *app, int node, struct ui_row *row)
{
    if (app->width < UI_MONITOR_TREE_MIN_WIDTH || node < 0 || node >= app->tree.n_nodes ||
        app->tree.nodes[node].kind != UI_NODE_HOST || row->n_badges >= UI_ROW_MAX_BADGES)
        return;
    const struct perf_series *r =
        ui_monitor_cpu_series(store_of(app), ui_node_id(&app->tree, node));
    struct perf_sample last;
    if (!perf_series_latest(r, &last))
        return;
    double v[TREE_SPARK_CELLS];
    ui_monitor_bucket(r, last.t, ui_monitor_step(r), v, TREE_SPARK_CELLS);
    char *s = perf_sparkline(v, TREE_SPARK_CELLS, TREE_SPARK_CELLS, 0, 100, ascii_of(app));
    struct ui_badge *b = &row->badges[row->n_badges++];
    /* Clamped so the text always fits the badge whole (a cut would split a block character). */
    double pct = last.v < 0 ? 0 : last.v > 100 ? 100 : last.v;
    snprintf(b->text, sizeof(b->text), "%.0f%% %s", pct, s);
    b->role = UI_ROLE_SPARK;
    free(s);
}
