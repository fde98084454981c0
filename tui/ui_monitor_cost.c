/* The cost table of the monitor: perf_cost's rows in columns that fit the terminal, with every
 * figure that cannot be given written as "insufficient data" and explained below the table. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tui/ui_monitor.h"
#include "tui/ui_text.h"

#define TIME_W 9 /* "12:03:20 " */
#define CPU_W 22 /* "30.2 -> 59.0 (+28.8) " */
#define PPS_W 24 /* "7.2k -> 36.0k (+28.8k) " */
#define AMP_W 21
#define CHANGE_MIN 12

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

static void num(double v, bool rate, bool sign, char *buf, size_t size)
{
    if (rate) {
        char r[16];
        ui_monitor_rate(fabs(v), r, sizeof(r));
        snprintf(buf, size, "%s%s", sign ? (v < 0 ? "-" : "+") : (v < 0 ? "-" : ""), r);
    } else if (sign) {
        snprintf(buf, size, "%+.1f", v);
    } else {
        snprintf(buf, size, "%.1f", v);
    }
}

static void measure_cell(const struct perf_measure *m, bool rate, int prec, char *buf, size_t size)
{
    if (!m->ok) {
        snprintf(buf, size, "insufficient data");
        return;
    }
    char b[24], a[24], d[24];
    if (prec > 1) { /* ratios */
        snprintf(b, sizeof(b), "%.2f", m->before);
        snprintf(a, sizeof(a), "%.2f", m->after);
        snprintf(d, sizeof(d), "%+.2f", m->delta);
    } else {
        num(m->before, rate, false, b, sizeof(b));
        num(m->after, rate, false, a, sizeof(a));
        num(m->delta, rate, true, d, sizeof(d));
    }
    snprintf(buf, size, "%s -> %s (%s)", b, a, d);
}

static size_t cat_fit(char *line, size_t len, size_t size, const char *text, int w)
{
    if (w <= 0 || len + 1 >= size)
        return len;
    ui_text_fit(text, w, 1, line + len, size - len);
    return len + strlen(line + len);
}

/* A note over as many lines as it needs: "  " first, "    " on continuation lines, broken at
 * spaces (a word longer than the width is cut by the renderer). */
static void wrap(struct ui_lines *out, const char *text, int width)
{
    char line[1024];
    const char *p = text;
    bool first = true;
    while (*p) {
        int indent = first ? 2 : 4;
        int room = width - indent > 20 ? width - indent : 20;
        /* Columns and bytes differ in UTF-8; cutting at a space by bytes keeps characters
         * whole, and a line a little short of the width is fine. */
        size_t n = strlen(p);
        if ((int)n > room) {
            size_t cut = (size_t)room;
            while (cut > 0 && p[cut] != ' ')
                cut--;
            n = cut ? cut : (size_t)room;
            while (n < strlen(p) && ((unsigned char)p[n] & 0xC0) == 0x80)
                n++;
        }
        snprintf(line, sizeof(line), "%*s%.*s", indent, "", (int)n, p);
        ui_lines_add(out, UI_ROLE_DIM, "%s", line);
        p += n;
        while (*p == ' ')
            p++;
        first = false;
    }
}

void ui_monitor_cost_lines(const struct perf_cost_table *t, int width, struct ui_lines *out)
{
    size_t from = out->n;
    if (!t || !t->n) {
        ui_lines_add(out, UI_ROLE_TITLE, "Measured cost of security changes");
        ui_lines_add(out, UI_ROLE_DIM,
                     " No vSwitch security change in the last hour: nothing to measure.");
        ui_monitor_clip(out, from, width);
        return;
    }
    ui_lines_add(out, UI_ROLE_TITLE,
                 "Measured cost of security changes (mean %d s before vs %d s after; "
                 "* the host changed)",
                 t->opts.before_s, t->opts.after_s);
    bool amp = false;
    int host_w = 4;
    for (size_t i = 0; i < t->n; i++) {
        amp |= t->rows[i].amp.ok;
        const char *nm = t->rows[i].host_name ? t->rows[i].host_name : t->rows[i].host_id;
        int w = ui_text_width(nm ? nm : "") + 2;
        host_w = w > host_w ? w : host_w;
    }
    if (host_w > 26)
        host_w = 26;
    bool pps = true;
    int fixed = 1 + TIME_W + host_w + 1 + CPU_W + PPS_W + (amp ? AMP_W : 0);
    int change_w = width - fixed;
    if (change_w < CHANGE_MIN)
        change_w = 0;
    if (!change_w && fixed > width) {
        pps = false;
        fixed -= PPS_W;
    }
    if (!change_w && fixed > width && amp) {
        amp = false;
        fixed -= AMP_W;
    }
    if (fixed > width) /* the host name gives way last, down to 8 columns */
        host_w = host_w - (fixed - width) < 8 ? 8 : host_w - (fixed - width);
    char line[2048];
    size_t len = cat_fit(line, 0, sizeof(line), " TIME", 1 + TIME_W);
    len = cat_fit(line, len, sizeof(line), "HOST", host_w + 1);
    len = cat_fit(line, len, sizeof(line), "CHANGE", change_w);
    len = cat_fit(line, len, sizeof(line), "CPU % before -> after", CPU_W);
    if (pps)
        len = cat_fit(line, len, sizeof(line), "packets/s", PPS_W);
    if (amp)
        cat_fit(line, len, sizeof(line), "amplification", AMP_W);
    ui_lines_add(out, UI_ROLE_DIM, "%s", line);
    for (size_t i = 0; i < t->n; i++) {
        const struct perf_cost_row *r = &t->rows[i];
        char when[16], host[300], cell[96];
        hms(r->t, when, sizeof(when));
        len = cat_fit(line, 0, sizeof(line), " ", 1);
        len = cat_fit(line, len, sizeof(line), when, TIME_W);
        char name[260];
        ui_text_fit(r->host_name ? r->host_name : r->host_id, host_w - 2, 0, name, sizeof(name));
        snprintf(host, sizeof(host), "%s%s", name, r->event_host ? " *" : "");
        len = cat_fit(line, len, sizeof(line), host, host_w + 1);
        len = cat_fit(line, len, sizeof(line), r->what ? r->what : "", change_w);
        measure_cell(&r->cpu, false, 1, cell, sizeof(cell));
        len = cat_fit(line, len, sizeof(line), cell, CPU_W);
        if (pps) {
            measure_cell(&r->pps, true, 1, cell, sizeof(cell));
            len = cat_fit(line, len, sizeof(line), cell, PPS_W);
        }
        if (amp) {
            measure_cell(&r->amp, false, 2, cell, sizeof(cell));
            cat_fit(line, len, sizeof(line), cell, AMP_W);
        }
        /* Trailing padding serves nobody. */
        size_t n = strlen(line);
        while (n && line[n - 1] == ' ')
            line[--n] = '\0';
        ui_lines_add(out, r->cpu.ok ? UI_ROLE_NORMAL : UI_ROLE_DIM, "%s", line);
    }
    /* The same host and change can appear twice (as the changed host of one event and a
     * bystander of another at the same time): each reason is said once. */
    struct ui_lines notes = {0};
    for (size_t i = 0; i < t->n; i++) {
        const struct perf_cost_row *r = &t->rows[i];
        const struct perf_measure *ms[3] = {&r->cpu, &r->pps, &r->amp};
        static const char *const what[3] = {"CPU", "packets/s", "amplification"};
        bool shown[3] = {true, pps, amp};
        char when[16];
        hms(r->t, when, sizeof(when));
        for (int k = 0; k < 3; k++) {
            if (ms[k]->ok || !shown[k])
                continue;
            char name[260], note[1024];
            ui_text_fit(r->host_name ? r->host_name : r->host_id, 40, 0, name, sizeof(name));
            snprintf(note, sizeof(note), "%s %s %s: %s", name, when, what[k], ms[k]->why);
            if (ui_lines_find(&notes, note) < 0)
                ui_lines_add(&notes, UI_ROLE_DIM, "%s", note);
        }
    }
    if (notes.n)
        ui_lines_add(out, UI_ROLE_DIM, " Why a figure is missing:");
    for (size_t i = 0; i < notes.n; i++)
        wrap(out, notes.v[i].text, width);
    ui_lines_free(&notes);
    ui_monitor_clip(out, from, width);
}
