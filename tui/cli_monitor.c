/* nestlab monitor / nestlab cost: host CPU and network from vCenter's real-time counters (one
 * QueryPerf call per refresh for every host in view), and the measured cost of the security
 * changes in the journal. */
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
#include "tui/cli_verbs.h"

/* The hosts to watch: --hosts, or the scope options, or every host. */
static enum nl_code pick_hosts(const struct cli_opts *o, const struct nl_lab *lab,
                               struct ops_scope **scope, struct nl_err *err)
{
    struct ops_scope_req req;
    cli_scope_req(o, NULL, &req);
    for (size_t i = 0; i < o->monitor_hosts.n; i++)
        ops_scope_req_add_host(&req, o->monitor_hosts.v[i]);
    if (ops_scope_req_is_empty(&req))
        req.all = true;
    enum nl_code rc = ops_scope_resolve(lab, &req, scope, err);
    ops_scope_req_clear(&req);
    return rc;
}

static struct vs_client *need_vcenter(struct cli_session *s, const char *verb, struct nl_err *err)
{
    struct vs_client *vc = nl_endpoint_vcenter(s->ep);
    if (!vc)
        NL_ERR(err, NL_ERR_STATE, "no-vcenter",
               "nestlab %s reads vCenter's real-time performance counters, and vCenter of \"%s\" "
               "is not connected; try again when it answers.",
               verb, nl_endpoint_name(s->ep));
    return vc;
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
        printf(" %10s", "-");
    else
        printf(" %10.*f", decimals, v);
}

/* Prints every sample newer than *since of each host; returns the newest time printed. */
static int64_t print_samples(const struct nl_lab *lab, const struct ops_scope *scope,
                             const struct perf_store *store, int64_t since, json_t *hosts_json)
{
    int64_t newest = since;
    for (size_t h = 0; h < scope->n_hosts; h++) {
        const struct nl_host *host = &lab->hosts[scope->hosts[h]];
        const struct perf_series *cpu = perf_store_find(store, host->id, PERF_CPU_USAGE, "");
        const struct perf_series *mhz = perf_store_find(store, host->id, PERF_CPU_MHZ, "");
        const struct perf_series *pps = perf_store_find(store, host->id, PERF_NET_PKTS_RX, "");
        const struct perf_series *bc = perf_store_find(store, host->id, PERF_NET_BCAST_RX, "");
        const struct perf_series *kb = perf_store_find(store, host->id, PERF_NET_RX_KBPS, "");
        json_t *samples = NULL;
        if (hosts_json) {
            json_t *hj = json_object();
            json_object_set_new(hj, "id", json_string(host->id));
            json_object_set_new(hj, "name", json_string(host->name ? host->name : host->id));
            samples = json_array();
            json_object_set_new(hj, "samples", samples);
            json_array_append_new(hosts_json, hj);
        }
        for (size_t i = 0; cpu && i < perf_series_len(cpu); i++) {
            struct perf_sample smp = perf_series_get(cpu, i);
            if (smp.t <= since)
                continue;
            if (smp.t > newest)
                newest = smp.t;
            char when[40];
            perf_time_format_iso(smp.t, when, sizeof(when));
            json_t *sj = samples ? json_object() : NULL;
            if (sj) {
                json_object_set_new(sj, "time", json_string(when));
                json_array_append_new(samples, sj);
            } else {
                printf("%-28.28s %s", host->name ? host->name : host->id, when);
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
    return newest;
}

static volatile sig_atomic_t monitor_stop;

static void on_interrupt(int sig)
{
    (void)sig;
    monitor_stop = 1;
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
    struct vs_client *vc = need_vcenter(&s, "monitor", &err);
    if (!vc || pick_hosts(o, s.lab, &scope, &err) != NL_OK ||
        vs_perf_counter_map_fetch(vc, &map, &err) != NL_OK) {
        rc = cli_fail(&err);
        goto cleanup;
    }
    ents = xcalloc(scope->n_hosts ? scope->n_hosts : 1, sizeof(*ents));
    for (size_t i = 0; i < scope->n_hosts; i++)
        ents[i] = (struct perf_entity){"HostSystem", s.lab->hosts[scope->hosts[i]].id};
    int samples = o->samples ? o->samples : 3;
    if (!o->json)
        printf("%-28s %-20s %10s %10s %10s %10s %10s\n", "HOST", "TIME (UTC)", "CPU %", "CPU MHz",
               "pkts/s", "bcast/s", "rx KB/s");
    signal(SIGINT, on_interrupt);
    int64_t since = 0;
    json_t *hosts_json = o->json ? json_array() : NULL;
    for (;;) {
        if (vs_perf_refresh(vc, map, ents, scope->n_hosts, samples, store, &err) != NL_OK) {
            rc = cli_fail(&err);
            break;
        }
        since = print_samples(s.lab, scope, store, since, hosts_json);
        fflush(stdout);
        if (!o->interval || monitor_stop)
            break;
        for (int t = 0; t < o->interval * 10 && !monitor_stop; t++)
            usleep(100000);
        if (monitor_stop)
            break;
    }
    if (hosts_json) {
        json_t *doc = json_object();
        json_object_set_new(doc, "endpoint", json_string(nl_endpoint_name(s.ep)));
        json_object_set_new(doc, "interval_s", json_integer(PERF_REALTIME_INTERVAL));
        json_object_set_new(doc, "hosts", hosts_json);
        cli_print_json(doc);
    }
cleanup:
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
            printf("No vSwitch security change in the last hour of the journal: nothing to "
                   "measure.\n");
        goto out;
    }
    if (cli_session_open(o, &s, &err) != NL_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    struct vs_client *vc = need_vcenter(&s, "cost", &err);
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
    fputs(text, stdout);
    if (o->json)
        fputc('\n', stdout);
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
