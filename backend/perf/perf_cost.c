#include "backend/perf/perf_cost.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/term_text.h"
#include "backend/core/xmalloc.h"
#include "backend/perf/perf_metric.h"
#include "backend/perf/perf_time.h"

void perf_cost_opts_init(struct perf_cost_opts *o)
{
    o->before_s = 120;
    o->after_s = 120;
    o->min_samples = 3;
    o->source = PERF_SOURCE_AUTO;
}

/* The before/after windows of a series with this interval (see perf_cost.h). */
static struct perf_stats side_stats(const struct perf_series *r, int64_t ev, int before_s,
                                    int after_s, bool after)
{
    /* Event and sample times are both truncated to the second, so a sample stamped in the
     * event's own second may have ended after it, and one stamped ev + iv may have started
     * before it: one second of margin on each side keeps every sample on its true side. */
    int64_t iv = perf_series_interval(r);
    if (after)
        return perf_series_stats(r, ev + iv + 1, ev + after_s);
    return perf_series_stats(r, ev - before_s + iv, ev - 1);
}

static void measure_init(struct perf_measure *m)
{
    memset(m, 0, sizeof *m);
    m->before = m->after = m->delta = NAN;
}

/* label: "CPU", "packet-rate"; source: "vCenter", "esxtop". */
static void measure(struct perf_measure *m, const struct perf_store *s, const char *entity,
                    const char *metric, const char *instance, int64_t ev,
                    const struct perf_cost_opts *o, const char *label, const char *source)
{
    measure_init(m);
    const struct perf_series *r = perf_store_find(s, entity, metric, instance);
    if (!r) {
        snprintf(m->why, sizeof m->why,
                 "Insufficient data: there are no %s samples from %s for "
                 "this host.",
                 label, source);
        return;
    }
    struct perf_stats b = side_stats(r, ev, o->before_s, o->after_s, false);
    struct perf_stats a = side_stats(r, ev, o->before_s, o->after_s, true);
    m->n_before = b.n;
    m->n_after = a.n;
    if (b.n >= o->min_samples)
        m->before = b.mean;
    if (a.n >= o->min_samples)
        m->after = a.mean;
    m->ok = b.n >= o->min_samples && a.n >= o->min_samples;
    if (m->ok)
        m->delta = m->after - m->before;
    else
        snprintf(m->why, sizeof m->why,
                 "Insufficient data: %zu %s samples from %s before the change and %zu after it, "
                 "%zu needed on each side.",
                 b.n, label, source, a.n, o->min_samples);
}

/* Frames below this rate make a ratio meaningless (noise over nothing). */
#define AMP_MIN_INGRESS 1.0

static void measure_amp(struct perf_measure *m, const struct perf_store *s, const char *entity,
                        const char *vswitch, int64_t ev, const struct perf_cost_opts *o)
{
    measure_init(m);
    const char *inst = vswitch ? vswitch : "";
    const struct perf_series *in = perf_store_find(s, entity, PERF_ESXTOP_INGRESS, inst);
    const struct perf_series *del = perf_store_find(s, entity, PERF_ESXTOP_DELIVERED, inst);
    if ((!in || !del) && *inst) {
        inst = "";
        in = perf_store_find(s, entity, PERF_ESXTOP_INGRESS, inst);
        del = perf_store_find(s, entity, PERF_ESXTOP_DELIVERED, inst);
    }
    if (!in || !del) {
        snprintf(m->why, sizeof m->why,
                 "Insufficient data: amplification needs esxtop per-port packet counters (over "
                 "SSH), and there are none for this host.");
        return;
    }
    double ratio[2] = {NAN, NAN};
    size_t n[2];
    bool low[2] = {false, false};
    for (int side = 0; side < 2; side++) {
        struct perf_stats si = side_stats(in, ev, o->before_s, o->after_s, side == 1);
        struct perf_stats sd = side_stats(del, ev, o->before_s, o->after_s, side == 1);
        n[side] = si.n < sd.n ? si.n : sd.n;
        if (n[side] < o->min_samples)
            continue;
        if (!(si.mean >= AMP_MIN_INGRESS))
            low[side] = true;
        else
            ratio[side] = sd.mean / si.mean;
    }
    m->n_before = n[0];
    m->n_after = n[1];
    m->before = ratio[0];
    m->after = ratio[1];
    m->ok = isfinite(ratio[0]) && isfinite(ratio[1]);
    if (m->ok) {
        m->delta = ratio[1] - ratio[0];
    } else if (low[0] || low[1]) {
        snprintf(m->why, sizeof m->why,
                 "Insufficient data: fewer than %.0f frame/s entered %s%s%s %s the change, so "
                 "there is nothing to amplify.",
                 AMP_MIN_INGRESS, *inst ? "vSwitch \"" : "the vSwitches", inst, *inst ? "\"" : "",
                 low[0] && low[1] ? "before and after"
                 : low[0]         ? "before"
                                  : "after");
    } else {
        snprintf(m->why, sizeof m->why,
                 "Insufficient data: %zu esxtop port samples before the change and %zu after it, "
                 "%zu needed on each side.",
                 n[0], n[1], o->min_samples);
    }
}

static size_t total_samples(const struct perf_measure *m)
{
    return m->n_before + m->n_after;
}

static void compute_row(struct perf_cost_row *row, const struct perf_store *s,
                        const struct perf_event *ev, const struct perf_cost_opts *o)
{
    struct perf_measure vc, ex;
    measure(&vc, s, row->host_id, PERF_CPU_USAGE, "", ev->t, o, "CPU", "vCenter");
    measure(&ex, s, row->host_id, PERF_ESXTOP_CPU, "", ev->t, o, "CPU", "esxtop");
    bool use_vc;
    switch (o->source) {
    case PERF_SOURCE_VCENTER:
        use_vc = true;
        break;
    case PERF_SOURCE_ESXTOP:
        use_vc = false;
        break;
    default:
        use_vc = vc.ok || (!ex.ok && total_samples(&vc) >= total_samples(&ex));
        break;
    }
    if (use_vc) {
        row->source = total_samples(&vc) ? "vcenter" : "none";
        row->cpu = vc;
        measure(&row->pps, s, row->host_id, PERF_NET_PKTS_RX, "", ev->t, o, "packet-rate",
                "vCenter");
    } else {
        row->source = total_samples(&ex) ? "esxtop" : "none";
        row->cpu = ex;
        measure(&row->pps, s, row->host_id, PERF_ESXTOP_DELIVERED, "", ev->t, o, "packet-rate",
                "esxtop");
    }
    measure_amp(&row->amp, s, row->host_id, row->event_host ? ev->vswitch : NULL, ev->t, o);
}

static struct perf_cost_row *add_row(struct perf_cost_table *t, size_t *cap,
                                     const struct perf_event *ev, const char *id, const char *name,
                                     bool event_host)
{
    t->rows = xgrow(t->rows, cap, t->n + 1, sizeof *t->rows);
    struct perf_cost_row *row = &t->rows[t->n++];
    memset(row, 0, sizeof *row);
    row->t = ev->t;
    row->what = xstrdup(ev->what ? ev->what : "");
    row->host_id = xstrdup(id);
    row->host_name = xstrdup(name ? name : id);
    row->event_host = event_host;
    return row;
}

struct perf_cost_table *perf_cost_compute(const struct perf_store *s,
                                          const struct perf_event *events, size_t nevents,
                                          const struct perf_cost_host *hosts, size_t nhosts,
                                          const struct perf_cost_opts *opts)
{
    struct perf_cost_table *t = xcalloc(1, sizeof *t);
    size_t cap = 0;
    if (opts)
        t->opts = *opts;
    else
        perf_cost_opts_init(&t->opts);
    for (size_t e = 0; e < nevents; e++) {
        const struct perf_event *ev = &events[e];
        if (!ev->host_id || !*ev->host_id)
            continue;
        const char *name = NULL;
        for (size_t h = 0; h < nhosts; h++)
            if (hosts[h].id && strcmp(hosts[h].id, ev->host_id) == 0)
                name = hosts[h].name;
        compute_row(add_row(t, &cap, ev, ev->host_id, name, true), s, ev, &t->opts);
        for (size_t h = 0; h < nhosts; h++) {
            if (!hosts[h].id || strcmp(hosts[h].id, ev->host_id) == 0)
                continue;
            compute_row(add_row(t, &cap, ev, hosts[h].id, hosts[h].name, false), s, ev, &t->opts);
        }
    }
    return t;
}

void perf_cost_table_free(struct perf_cost_table **t)
{
    if (!t || !*t)
        return;
    for (size_t i = 0; i < (*t)->n; i++) {
        free((*t)->rows[i].what);
        free((*t)->rows[i].host_id);
        free((*t)->rows[i].host_name);
    }
    free((*t)->rows);
    free(*t);
    *t = NULL;
}

/* ---- text ---- */

/* Writes s, a name or nestlab's text, escaped for a terminal and padded or cut to `width`
 * display columns (a cut string ends in "…"). */
static void put_cell(FILE *f, const char *s, size_t width)
{
    char cell[512];
    nl_term_fit(s, (int)width, true, NL_TERM_BACKSLASH, cell, sizeof(cell));
    fputs(cell, f);
}

static void put_num(FILE *f, double v, int width, int prec, bool sign)
{
    if (!isfinite(v))
        fprintf(f, "%*s", width, "n/a");
    else
        fprintf(f, sign ? "%+*.*f" : "%*.*f", width, prec, v);
}

static void put_measure(FILE *f, const struct perf_measure *m, int width, int prec)
{
    put_num(f, m->before, width, prec, false);
    put_num(f, m->after, width + 1, prec, false);
    put_num(f, m->ok ? m->delta : NAN, width + 1, prec, true);
    fputs("  ", f);
}

static void format_time(int64_t t, char *buf, unsigned size)
{
    perf_time_format_iso(t, buf, size);
    char *tee = strchr(buf, 'T');
    if (tee)
        *tee = ' ';
}

char *perf_cost_format_text(const struct perf_cost_table *t)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f)
        return xstrdup("");
    fprintf(f,
            "Cost of each change: mean over %d s before and %d s after it (at least %zu samples "
            "each side); * marks the host that was changed.\n\n",
            t->opts.before_s, t->opts.after_s, t->opts.min_samples);
    fprintf(f, "%-21s%-22s%-42s%8s%8s%8s  %10s%10s%10s  %7s%7s%7s  %s\n", "TIME (UTC)", "HOST",
            "CHANGE", "CPU% BEF", "AFTER", "DELTA", "PKT/S BEF", "AFTER", "DELTA", "AMP BEF",
            "AFTER", "DELTA", "SOURCE");
    for (size_t i = 0; i < t->n; i++) {
        const struct perf_cost_row *r = &t->rows[i];
        char ts[40];
        format_time(r->t, ts, sizeof ts);
        put_cell(f, ts, 21);
        char *host = xasprintf("%s%s", r->host_name, r->event_host ? " *" : "");
        put_cell(f, host, 21);
        free(host);
        fputc(' ', f);
        put_cell(f, r->what, 41);
        fputc(' ', f);
        put_measure(f, &r->cpu, 8, 2);
        put_measure(f, &r->pps, 10, 1);
        put_measure(f, &r->amp, 7, 2);
        fprintf(f, "%s\n", r->source);
    }
    bool notes = false;
    for (size_t i = 0; i < t->n; i++) {
        const struct perf_cost_row *r = &t->rows[i];
        const struct perf_measure *ms[3] = {&r->cpu, &r->pps, &r->amp};
        const char *names[3] = {"CPU", "packets/s", "amplification"};
        char ts[40];
        format_time(r->t, ts, sizeof ts);
        for (int k = 0; k < 3; k++) {
            if (ms[k]->ok)
                continue;
            if (!notes)
                fputs("\nWhere a figure is n/a:\n", f);
            notes = true;
            fprintf(f, "  %s, %s, %s: %s\n", r->host_name, ts, names[k], ms[k]->why);
        }
    }
    if (t->n == 0)
        fputs("(no changes to measure)\n", f);
    fclose(f);
    return out;
}

/* ---- JSON ---- */

static json_t *num_or_null(double v)
{
    /* Four decimals are more than any figure here means; it keeps "12.34" from printing as
     * 12.339999999999999. */
    return isfinite(v) ? json_real(round(v * 1e4) / 1e4) : json_null();
}

/* json_string refuses invalid UTF-8 (a hostile name); keep the field and say so. */
static json_t *str_json(const char *s)
{
    json_t *j = json_string(s ? s : "");
    return j ? j : json_string("(not valid UTF-8)");
}

static json_t *measure_json(const struct perf_measure *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "before", num_or_null(m->before));
    json_object_set_new(o, "after", num_or_null(m->after));
    json_object_set_new(o, "delta", num_or_null(m->ok ? m->delta : NAN));
    json_object_set_new(o, "samples_before", json_integer((json_int_t)m->n_before));
    json_object_set_new(o, "samples_after", json_integer((json_int_t)m->n_after));
    json_object_set_new(o, "insufficient", m->ok ? json_null() : str_json(m->why));
    return o;
}

json_t *perf_cost_to_json(const struct perf_cost_table *t)
{
    json_t *root = json_object();
    json_t *win = json_object();
    json_object_set_new(win, "before_s", json_integer(t->opts.before_s));
    json_object_set_new(win, "after_s", json_integer(t->opts.after_s));
    json_object_set_new(win, "min_samples", json_integer((json_int_t)t->opts.min_samples));
    json_object_set_new(root, "window", win);
    json_t *rows = json_array();
    for (size_t i = 0; i < t->n; i++) {
        const struct perf_cost_row *r = &t->rows[i];
        char ts[40];
        perf_time_format_iso(r->t, ts, sizeof ts);
        json_t *o = json_object();
        json_object_set_new(o, "time", json_string(ts));
        json_object_set_new(o, "host", str_json(r->host_id));
        json_object_set_new(o, "host_name", str_json(r->host_name));
        json_object_set_new(o, "event_host", json_boolean(r->event_host));
        json_object_set_new(o, "change", str_json(r->what));
        json_object_set_new(o, "source", json_string(r->source));
        json_object_set_new(o, "cpu_percent", measure_json(&r->cpu));
        json_object_set_new(o, "packets_per_sec", measure_json(&r->pps));
        json_object_set_new(o, "amplification", measure_json(&r->amp));
        json_array_append_new(rows, o);
    }
    json_object_set_new(root, "rows", rows);
    return root;
}

char *perf_cost_format_json(const struct perf_cost_table *t)
{
    json_t *j = perf_cost_to_json(t);
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    char *out = xstrdup(s ? s : "{}");
    free(s);
    return out;
}
