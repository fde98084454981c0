/* The monitor view: per-host CPU and packet-rate sparklines for a cluster (or every host), a large
 * CPU chart of one host with the security changes marked on it, and the measured cost of those
 * changes (backend/perf/perf_cost.h). The builders below are pure (no curses): they turn the
 * sample store, host rows and events into role-tagged lines for the scrolling renderer, so the
 * tests assert on text. ui_monitor_view.c ties them to the console's state. */
#ifndef NL_UI_MONITOR_H
#define NL_UI_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/perf/perf_cost.h"
#include "backend/perf/perf_store.h"
#include "tui/ui_lines.h"

struct ui_app;
struct ui_row;

/* ---- the console's monitor state (part of struct ui_app) ------------------------------------ */

struct ui_monitor {
    char cluster[128];    /* lab id of the cluster shown; "" = every host */
    char chart_host[128]; /* lab id of the host whose chart is open; "" = the host list */
    int cursor;           /* selected host row */
};

/* Opens the monitor for the cluster of the tree selection (every host when none). */
void ui_monitor_open(struct ui_app *app);
/* The lines of the monitor (list or chart) for a body of width x height, already scrolled so
 * the selected host is visible: the renderer draws them from the top. */
void ui_monitor_lines(struct ui_app *app, int width, int height, struct ui_lines *out);
/* Cursor movement in the host list (absolute: delta < 0 first, else last). */
void ui_monitor_move(struct ui_app *app, int delta, bool absolute);
/* Enter: opens the chart of the selected host. */
void ui_monitor_enter(struct ui_app *app);
/* Esc in the monitor: closes the chart and returns true; false on the list (leave the view). */
bool ui_monitor_back(struct ui_app *app);
/* In a wide terminal (UI_MONITOR_TREE_MIN_WIDTH columns or more), adds a "42% ▁▂▃▄▅▆" badge to
 * a host row of the tree. It is the last badge, so ui_row_layout drops it first when space is
 * short and a name is never cut for it. */
#define UI_MONITOR_TREE_MIN_WIDTH 140
void ui_monitor_tree_badge(const struct ui_app *app, int node, struct ui_row *row);

/* ---- pure parts ----------------------------------------------------------------------------- */

/* The series shown for a host: vCenter's or esxtop's, whichever has the newer sample (esxtop
 * when vCenter is down). NULL when the store has neither. */
const struct perf_series *ui_monitor_cpu_series(const struct perf_store *s, const char *host_id);
/* Packets/s: vCenter's net.packetsRx, or esxtop's frames delivered by the vSwitches. */
const struct perf_series *ui_monitor_pps_series(const struct perf_store *s, const char *host_id);

/* Seconds one cell covers: the series' interval, or the typical gap between its newest samples
 * when it is sampled less often than its interval (esxtop's 2 s samples taken every 20 s). */
int ui_monitor_step(const struct perf_series *r);
/* The mean of the samples in each of n cells of step seconds, the last cell ending at end (cell
 * i covers (end - (n-i)*step, end - (n-1-i)*step]); NAN where a cell has none. */
void ui_monitor_bucket(const struct perf_series *r, int64_t end, int step, double *out, size_t n);

/* Column widths of a host row for a given width. Sparklines are the most flexible part: they
 * share what is left after the name and the values, the packet-rate one drops first, then the
 * CPU one, then the packet-rate value; the name is cut last and never below 6 columns. */
#define UI_MONITOR_SPARK_MAX 60
#define UI_MONITOR_SPARK_MIN 4
struct ui_monitor_cols {
    int name_w;   /* host name column */
    int cpu_w;    /* CPU sparkline cells, 0 = none */
    int pps_w;    /* packet-rate sparkline cells, 0 = none */
    bool pps_val; /* the packet-rate value is shown */
};
void ui_monitor_fit(int width, int longest_name, struct ui_monitor_cols *out);

struct ui_monitor_host {
    const char *id;   /* store entity id (the lab's host id) */
    const char *name; /* shown; NULL shows id */
};

struct ui_monitor_list {
    const struct perf_store *store;
    const struct ui_monitor_host *hosts;
    size_t n;
    const char *title; /* "Monitor: cluster Physical" */
    const char *note;  /* where the data comes from, or why there is none; may be NULL */
    int64_t end;       /* right edge of the sparklines; 0 = the newest sample of these hosts */
    int width;
    int cursor; /* selected row, -1 none */
    bool ascii;
};
/* Title, note, column header and one line per host: name, CPU sparkline (0..100 %), latest CPU,
 * packet-rate sparkline (scaled to its own maximum), latest packets/s. "no data yet" where the
 * store has nothing for a host. */
void ui_monitor_list_lines(const struct ui_monitor_list *in, struct ui_lines *out);

/* Cuts lines [from, n) of l to width columns (an ellipsis marks a cut): every builder below
 * returns lines no wider than it was asked for, whatever the terminal. */
void ui_monitor_clip(struct ui_lines *l, size_t from, int width);

/* A packet rate in at most 7 columns: "950", "7.2k", "36.0k", "1.2M". */
void ui_monitor_rate(double v, char *buf, size_t size);

struct ui_monitor_chart {
    const struct perf_series *series;
    const char *title;               /* "CPU % of esx-p01.lab.invalid" */
    int64_t end;                     /* right edge; 0 = the series' newest sample */
    int step;                        /* seconds per column; 0 = ui_monitor_step */
    int width, height;               /* the whole chart including axis labels, legend excluded */
    double lo, hi;                   /* value range (0..100 for CPU) */
    const struct perf_event *events; /* markers; only those inside the window are shown */
    size_t n_events;
    bool ascii;
};
/* A block chart (eighth-block resolution, or '#' '+' '.' in ASCII) with the value axis on the
 * left, a time axis below and the window's first and last times; each event inside the window
 * is a '|' column above the bars and a number on the time axis, explained by one legend line
 * ("1  12:03:20  esx-p01: promiscuous reject->accept on vSwitch0"). Events outside the window
 * are counted in one line. */
void ui_monitor_chart_lines(const struct ui_monitor_chart *in, struct ui_lines *out);

/* The cost table in width columns: one line per row (time, host, change, CPU before -> after
 * (delta), packets/s likewise, amplification when any row has it), "insufficient data" in
 * place of a figure that cannot be given, and the reasons below the table as whole sentences.
 * The change column drops first, then packets/s, on narrow terminals. */
void ui_monitor_cost_lines(const struct perf_cost_table *t, int width, struct ui_lines *out);

#endif
