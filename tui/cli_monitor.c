/* nestlab monitor / nestlab cost: host CPU and network from vCenter's real-time counters (one
 * QueryPerf call per refresh for every host in view) or, when vCenter is not connected, from
 * esxtop over SSH at 2-second resolution; and the measured cost of the security changes in the
 * journal, which needs vCenter's history. */
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/core/term_text.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/journal.h"
#include "backend/perf/perf_batch.h"
#include "backend/perf/perf_cost.h"
#include "backend/perf/perf_counter.h"
#include "backend/perf/perf_metric.h"
#include "backend/perf/perf_query.h"
#include "backend/perf/perf_store.h"
#include "backend/perf/perf_time.h"
#include "backend/vsphere/vs_perf.h"
#include "tui/cli_monitor.h"
#include "tui/cli_verbs.h"

/* The hosts to watch: --hosts, or the scope options, or every host. */
static enum nl_code pick_hosts(const struct cli_opts *o, const struct nl_lab *lab,
                               struct ops_scope **scope, bool *implicit, struct nl_err *err)
{
    struct ops_scope_req req;
    cli_scope_req(o, NULL, &req);
    for (size_t i = 0; i < o->monitor_hosts.n; i++)
        ops_scope_req_add_host(&req, o->monitor_hosts.v[i]);
    *implicit = ops_scope_req_is_empty(&req);
    if (*implicit)
        req.all = true;
    enum nl_code rc = ops_scope_resolve(lab, &req, scope, err);
    ops_scope_req_clear(&req);
    return rc;
}

/* The cost of a change is a before/after comparison, so it needs samples from before the
 * change: vCenter keeps an hour of them; esxtop over SSH only measures from the moment it runs. */
static struct vs_client *cost_vcenter(struct cli_session *s, struct nl_err *err)
{
    struct vs_client *vc = nl_endpoint_vcenter(s->ep);
    if (!vc)
        NL_ERR(err, NL_ERR_STATE, "no-vcenter",
               "nestlab cost compares vCenter's counters from before and after each change, and "
               "vCenter of \"%s\" is not connected. esxtop over SSH measures only from now on, "
               "so it has nothing from before a change and no cost can be given. Run nestlab "
               "cost when vCenter answers; nestlab monitor --direct shows live figures meanwhile.",
               nl_endpoint_name(s->ep));
    return vc;
}

/* The series behind the printed columns: vCenter's counters, or esxtop's, which have no MHz,
 * broadcast or KB/s figures (NULL: printed as "-", null in JSON). */
struct columns {
    const char *source;
    const char *cpu, *mhz, *pps, *bcast, *kbps;
    int interval;
};

static const struct columns vcenter_columns = {
    "vcenter",         PERF_CPU_USAGE,   PERF_CPU_MHZ,          PERF_NET_PKTS_RX,
    PERF_NET_BCAST_RX, PERF_NET_RX_KBPS, PERF_REALTIME_INTERVAL};
static const struct columns esxtop_columns = {
    "esxtop", PERF_ESXTOP_CPU, NULL, PERF_ESXTOP_DELIVERED, NULL, NULL, PERF_ESXTOP_INTERVAL};

/* What one monitor run watches and has printed so far. */
struct watch {
    const struct nl_lab *lab;
    const struct columns *cols;
    size_t *hosts; /* indexes into lab->hosts */
    size_t n;
    int64_t *since;   /* per host: the newest sample printed */
    json_t **samples; /* per host: its "samples" array (borrowed from hosts_json) */
    json_t *hosts_json;
};

/* Over SSH an implicit "every host" leaves out the hosts that could not be read (not
 * responding, or shown from the cache): esxtop on them can only time out. Named hosts are
 * always tried, so a failure is reported. */
static void watch_init(struct watch *w, const struct nl_lab *lab, const struct ops_scope *scope,
                       const struct columns *cols, bool skip_unreachable, bool json)
{
    memset(w, 0, sizeof(*w));
    w->lab = lab;
    w->cols = cols;
    size_t cap = scope->n_hosts ? scope->n_hosts : 1;
    w->hosts = xcalloc(cap, sizeof(*w->hosts));
    w->since = xcalloc(cap, sizeof(*w->since));
    w->samples = xcalloc(cap, sizeof(*w->samples));
    w->hosts_json = json ? json_array() : NULL;
    for (size_t i = 0; i < scope->n_hosts; i++) {
        const struct nl_host *host = &lab->hosts[scope->hosts[i]];
        if (skip_unreachable &&
            (host->connection == NL_CONN_NOT_RESPONDING ||
             host->connection == NL_CONN_DISCONNECTED || host->source == NL_SOURCE_CACHE)) {
            char *name = nl_term_name(host->name ? host->name : host->id);
            nl_term_printf(stderr,
                           "nestlab: note: not watching \"%s\": it could not be read over SSH.\n",
                           name);
            free(name);
            continue;
        }
        w->hosts[w->n] = scope->hosts[i];
        if (w->hosts_json) {
            json_t *hj = json_object();
            json_object_set_new(hj, "id", json_string(host->id));
            json_object_set_new(hj, "name", json_string(host->name ? host->name : host->id));
            w->samples[w->n] = json_array();
            json_object_set_new(hj, "samples", w->samples[w->n]);
            json_array_append_new(w->hosts_json, hj);
        }
        w->n++;
    }
}

static void watch_clear(struct watch *w)
{
    free(w->hosts);
    free(w->since);
    free(w->samples);
    json_decref(w->hosts_json);
    memset(w, 0, sizeof(*w));
}

static const struct perf_series *find_series(const struct perf_store *store, const char *entity,
                                             const char *metric)
{
    return metric ? perf_store_find(store, entity, metric, "") : NULL;
}

static double value_at(const struct perf_series *r, int64_t t)
{
    for (size_t i = 0; r && i < perf_series_len(r); i++) {
        struct perf_sample smp = perf_series_get(r, i);
        if (smp.t == t)
            return smp.v;
    }
    return NAN;
}

static void print_num(json_t *obj, const char *key, double v, int decimals)
{
    if (obj) {
        json_object_set_new(obj, key, isnan(v) ? json_null() : json_real(v));
        return;
    }
    if (isnan(v))
        nl_term_printf(stdout, " %10s", "-");
    else
        nl_term_printf(stdout, " %10.*f", decimals, v);
}

/* Prints (or adds to the JSON) every sample of each host newer than what was printed before. */
static void print_samples(struct watch *w, const struct perf_store *store)
{
    const struct columns *c = w->cols;
    for (size_t h = 0; h < w->n; h++) {
        const struct nl_host *host = &w->lab->hosts[w->hosts[h]];
        const struct perf_series *cpu = find_series(store, host->id, c->cpu);
        const struct perf_series *mhz = find_series(store, host->id, c->mhz);
        const struct perf_series *pps = find_series(store, host->id, c->pps);
        const struct perf_series *bc = find_series(store, host->id, c->bcast);
        const struct perf_series *kb = find_series(store, host->id, c->kbps);
        for (size_t i = 0; cpu && i < perf_series_len(cpu); i++) {
            struct perf_sample smp = perf_series_get(cpu, i);
            if (smp.t <= w->since[h])
                continue;
            w->since[h] = smp.t;
            char when[40];
            perf_time_format_iso(smp.t, when, sizeof(when));
            json_t *sj = w->hosts_json ? json_object() : NULL;
            if (sj) {
                json_object_set_new(sj, "time", json_string(when));
                json_array_append_new(w->samples[h], sj);
            } else {
                char name[160];
                nl_term_fit(host->name ? host->name : host->id, 28, true, NL_TERM_BACKSLASH, name,
                            sizeof(name));
                nl_term_printf(stdout, "%s %s", name, when);
            }
            print_num(sj, "cpu_percent", smp.v, 2);
            print_num(sj, "cpu_mhz", value_at(mhz, smp.t), 0);
            print_num(sj, "packets_rx_per_s", value_at(pps, smp.t), 1);
            print_num(sj, "broadcast_rx_per_s", value_at(bc, smp.t), 1);
            print_num(sj, "received_kBps", value_at(kb, smp.t), 1);
            if (!sj)
                putchar('\n');
        }
    }
}

static volatile sig_atomic_t monitor_stop;

/* The first Ctrl-C ends the loop after the refresh in progress (which prints what it got); an
 * esxtop run can take delay x samples seconds, so a second Ctrl-C stops at once. */
static void on_interrupt(int sig)
{
    monitor_stop = 1;
    signal(sig, SIG_DFL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* esxtop takes at most 1000 iterations; each covers PERF_ESXTOP_INTERVAL seconds. */
static int esxtop_iterations(int samples)
{
    return samples < 1 ? 1 : samples > 1000 ? 1000 : samples;
}

int cli_run_monitor(struct cli_opts *o)
{
    struct nl_err err = {0};
    struct cli_session s;
    if (o->args.n)
        return NL_ERR(&err, NL_ERR_USAGE, NULL, "monitor takes no arguments (got \"%s\").",
                      o->args.v[0]),
               cli_fail(&err);
    if (cli_session_open(o, &s, &err) != NL_OK)
        return cli_fail(&err);
    int rc = 0;
    struct ops_scope *scope = NULL;
    struct perf_counter_map *map = NULL;
    struct perf_store *store = perf_store_new();
    struct perf_entity *ents = NULL;
    struct watch w = {0};
    struct nl_err partial = {0}; /* the first host that gave no esxtop samples */
    bool implicit = false;
    /* vCenter when it is connected; otherwise (down, or --direct) esxtop over SSH. */
    struct vs_client *vc = nl_endpoint_vcenter(s.ep);
    struct esx_pool *pool = NULL;
    if (pick_hosts(o, s.lab, &scope, &implicit, &err) != NL_OK ||
        (vc && vs_perf_counter_map_fetch(vc, &map, &err) != NL_OK) ||
        (!vc && !(pool = nl_endpoint_ssh(s.ep, &err)))) {
        rc = cli_fail(&err);
        goto cleanup;
    }
    watch_init(&w, s.lab, scope, vc ? &vcenter_columns : &esxtop_columns, !vc && implicit, o->json);
    if (w.n == 0) {
        NL_ERR(&err, NL_ERR_STATE, NULL,
               "No host of \"%s\" can be watched: none could be read over SSH.",
               nl_endpoint_name(s.ep));
        rc = cli_fail(&err);
        goto cleanup;
    }
    ents = xcalloc(w.n, sizeof(*ents));
    for (size_t i = 0; i < w.n; i++)
        ents[i] = (struct perf_entity){"HostSystem", s.lab->hosts[w.hosts[i]].id};
    int samples = o->samples ? o->samples : 3;
    if (!vc) {
        if (samples > 1000)
            nl_term_printf(stderr, "nestlab: note: esxtop takes at most 1000 samples per run.\n");
        nl_term_printf(
            stderr,
            "nestlab: monitor: esxtop over SSH, one sample every %d s (pkts/s = frames the "
            "vSwitches delivered; CPU MHz, broadcasts and KB/s are not measured by esxtop).\n",
            PERF_ESXTOP_INTERVAL);
    }
    if (!o->json)
        nl_term_printf(stdout, "%-28s %-20s %10s %10s %10s %10s %10s\n", "HOST", "TIME (UTC)",
                       "CPU %", "CPU MHz", "pkts/s", "bcast/s", "rx KB/s");
    signal(SIGINT, on_interrupt);
    for (bool first = true;; first = false) {
        double started = now_s();
        enum nl_code r;
        if (vc) {
            r = vs_perf_refresh(vc, map, ents, w.n, samples, store, &err);
        } else {
            /* The first run fills --samples; later ones cover the interval since. */
            int n = first ? samples : o->interval / PERF_ESXTOP_INTERVAL;
            size_t failed = 0;
            struct nl_err herr = {0};
            r = cli_monitor_esxtop(pool, s.lab, w.hosts, w.n, esxtop_iterations(n), store, &failed,
                                   &herr);
            if (failed && partial.code == NL_OK)
                partial = herr;
            if (r != NL_OK) /* each host's reason is on stderr already */
                NL_ERR(&err, r, NULL, "None of the %zu host(s) gave esxtop samples.", w.n);
        }
        if (r != NL_OK) {
            rc = cli_fail(&err);
            break;
        }
        print_samples(&w, store);
        fflush(stdout);
        if (!o->interval || monitor_stop)
            break;
        /* Refreshes start every --interval seconds, whatever the refresh itself took. */
        while (!monitor_stop && now_s() - started < o->interval)
            usleep(100000);
        if (monitor_stop)
            break;
    }
    if (w.hosts_json) {
        json_t *doc = json_object();
        json_object_set_new(doc, "endpoint", json_string(nl_endpoint_name(s.ep)));
        json_object_set_new(doc, "source", json_string(w.cols->source));
        json_object_set_new(doc, "interval_s", json_integer(w.cols->interval));
        json_object_set_new(doc, "hosts", w.hosts_json);
        w.hosts_json = NULL;
        cli_print_json(doc);
    }
    /* Samples of the other hosts were printed; the exit status still says one was missing. */
    if (rc == 0 && partial.code != NL_OK)
        rc = nl_code_exit_status(partial.code);
cleanup:
    watch_clear(&w);
    free(ents);
    perf_counter_map_free(&map);
    perf_store_free(&store);
    ops_scope_free(&scope);
    cli_session_close(&s);
    return rc;
}

/* Security changes of the last hour from the journal become events on the timeline. */
static size_t journal_events(const struct ops_journal *j, int64_t not_before,
                             struct perf_event **out, char ***whats)
{
    size_t n = 0;
    *out = NULL;
    *whats = NULL;
    for (size_t e = 0; e < j->n_entries; e++) {
        const struct ops_journal_entry *en = &j->entries[e];
        int64_t t;
        if (!perf_time_parse_iso(en->time, &t) || t < not_before)
            continue;
        for (size_t i = 0; i < en->n_steps; i++) {
            const struct ops_step *st = &en->steps[i];
            if (st->kind != OPS_STEP_SET_VSWITCH_SECURITY || st->result != OPS_RESULT_OK)
                continue;
            *out = xrealloc(*out, (n + 1) * sizeof(**out));
            *whats = xrealloc(*whats, (n + 1) * sizeof(**whats));
            (*whats)[n] = xasprintf("%s on %s", en->intent ? en->intent : "security change",
                                    st->vswitch ? st->vswitch : "?");
            (*out)[n] = (struct perf_event){t, st->host_id, st->vswitch, (*whats)[n]};
            n++;
        }
    }
    return n;
}

int cli_run_cost(struct cli_opts *o)
{
    struct nl_err err = {0};
    struct cli_session s;
    if (o->args.n)
        return NL_ERR(&err, NL_ERR_USAGE, NULL, "cost takes no arguments (got \"%s\").",
                      o->args.v[0]),
               cli_fail(&err);
    char *jpath = nl_endpoint_journal_path(&err);
    struct ops_journal *j = NULL;
    if (!jpath || ops_journal_read(jpath, &j, &err) != NL_OK) {
        free(jpath);
        return cli_fail(&err);
    }
    free(jpath);
    struct perf_event *events = NULL;
    char **whats = NULL;
    size_t n_events = journal_events(j, (int64_t)time(NULL) - PERF_RING_SECONDS, &events, &whats);
    int rc = 0;
    struct perf_counter_map *map = NULL;
    struct perf_store *store = NULL;
    struct perf_entity *ents = NULL;
    struct perf_cost_host *hosts = NULL;
    if (n_events == 0) {
        if (o->json)
            cli_print_json(json_pack("{s:[]}", "rows"));
        else
            nl_term_printf(stdout,
                           "No vSwitch security change in the last hour of the journal: nothing to "
                           "measure.\n");
        goto out;
    }
    if (cli_session_open(o, &s, &err) != NL_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    struct vs_client *vc = cost_vcenter(&s, &err);
    if (!vc || vs_perf_counter_map_fetch(vc, &map, &err) != NL_OK) {
        rc = cli_fail(&err);
        goto cleanup;
    }
    /* Every host with an event, plus the rest of the lab's hosts for comparison. */
    size_t nh = s.lab->n_hosts;
    ents = xcalloc(nh ? nh : 1, sizeof(*ents));
    hosts = xcalloc(nh ? nh : 1, sizeof(*hosts));
    for (size_t i = 0; i < nh; i++) {
        ents[i] = (struct perf_entity){"HostSystem", s.lab->hosts[i].id};
        hosts[i] = (struct perf_cost_host){s.lab->hosts[i].id, s.lab->hosts[i].name};
    }
    store = perf_store_new();
    if (vs_perf_refresh(vc, map, ents, nh, 0, store, &err) != NL_OK) {
        rc = cli_fail(&err);
        goto cleanup;
    }
    struct perf_cost_table *t = perf_cost_compute(store, events, n_events, hosts, nh, NULL);
    char *text = o->json ? perf_cost_format_json(t) : perf_cost_format_text(t);
    if (o->json) {
        fputs(text, stdout);
        fputc('\n', stdout);
    } else {
        nl_term_fputs(text, stdout);
    }
    free(text);
    perf_cost_table_free(&t);
cleanup:
    cli_session_close(&s);
out:
    for (size_t i = 0; i < n_events; i++)
        free(whats[i]);
    free(whats);
    free(events);
    free(ents);
    free(hosts);
    perf_counter_map_free(&map);
    perf_store_free(&store);
    ops_journal_free(&j);
    return rc;
}
