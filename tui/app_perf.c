/* Performance collection and the timeline of security changes for the console (app_perf.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"
#include "backend/esxi/esx_perf.h"
#include "backend/esxi/esx_pool.h"
#include "backend/ops/journal.h"
#include "backend/perf/perf_cost.h"
#include "backend/perf/perf_metric.h"
#include "backend/perf/perf_time.h"
#include "backend/vsphere/vs_perf.h"
#include "tui/app_perf.h"
#include "tui/ui_monitor.h"

#define FIRST_SAMPLES 15   /* five minutes of history when a connection starts */
#define DEDUP_WINDOW_S 120 /* a change seen live and journaled within this is one change */
#define ESXTOP_ITERATIONS 1

enum perf_msg { MSG_COLLECTED = 1, MSG_JOURNAL };

struct timeline_ev {
    int64_t t;
    char *host_id;   /* the lab's id when it was recorded */
    char *host_name; /* to find the host again when ids change (vCenter <-> SSH) */
    char *vswitch;
    char *what;
    bool journal;        /* from the journal (exact time) rather than seen live */
    enum nl_tri promisc; /* promiscuous after the change; UNSET when it did not change it */
};

struct flag {
    char *key; /* host id, '\x1f', vSwitch name */
    enum nl_tri promisc;
};

struct app_perf {
    struct nl_queue *q; /* results of this module's jobs, drained on the UI thread */
    struct perf_store *store;
    void (*inner_poll)(void *ctx, struct ui_events *ev);
    int interval;
    int64_t next_due; /* monotonic milliseconds */
    bool busy;

    /* The counter map of map_ep (a job borrows it by moving it out and back). */
    struct perf_counter_map *map;
    const struct nl_endpoint *map_ep;
    bool have_history; /* the first, longer query of map_ep was done */

    /* status */
    const char *source; /* "vCenter" or "esxtop over SSH" of the last success; NULL = none */
    size_t source_hosts;
    time_t last_ok;
    char error[600];

    /* the timeline */
    struct timeline_ev *ev;
    size_t n_ev, cap_ev;
    struct perf_event *view; /* what perf_events hands out, rebuilt on change */
    size_t n_view;
    bool journal_busy, journal_again;

    /* promiscuous flags of the last lab seen */
    struct flag *flags;
    size_t n_flags;
    bool flags_known;
    const struct nl_lab *flags_lab;
    time_t flags_update;
};

/* ---- small helpers -------------------------------------------------------------------------- */

static int env_interval(void)
{
    const char *s = getenv("NESTLAB_PERF_INTERVAL");
    if (!s || !*s)
        return APP_PERF_INTERVAL;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < 1 || v > 3600) {
        NL_WARN("NESTLAB_PERF_INTERVAL=\"%s\" is not a number of seconds from 1 to 3600; using %d.",
                s, APP_PERF_INTERVAL);
        return APP_PERF_INTERVAL;
    }
    return (int)v;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wake(struct app_ctx *ctx)
{
    nl_queue_push(ctx->q, nl_msg_new(APP_MSG_PERF_WAKE, NULL, NULL));
}

static const char *sec_word(enum nl_tri t)
{
    return t == NL_TRI_TRUE ? "accept" : t == NL_TRI_FALSE ? "reject" : "unset";
}

/* ---- the timeline --------------------------------------------------------------------------- */

static void ev_free(struct timeline_ev *e)
{
    free(e->host_id);
    free(e->host_name);
    free(e->vswitch);
    free(e->what);
}

static bool same_switch(const struct timeline_ev *a, const char *host_name, const char *host_id,
                        const char *vswitch)
{
    bool host = (a->host_name && host_name && strcmp(a->host_name, host_name) == 0) ||
                (a->host_id && host_id && strcmp(a->host_id, host_id) == 0);
    return host && (!a->vswitch || !vswitch || strcmp(a->vswitch, vswitch) == 0);
}

/* Adds a change unless the timeline has it already: a journaled change replaces the live
 * sighting of the same flip of the same vSwitch close in time (the journal knows when it was
 * made); a live sighting of a journaled change is dropped. Flips the other way are changes of
 * their own, however close. */
static void timeline_add(struct app_perf *p, int64_t t, const char *host_id, const char *host_name,
                         const char *vswitch, const char *what, bool journal, enum nl_tri promisc)
{
    for (size_t i = 0; i < p->n_ev; i++) {
        struct timeline_ev *e = &p->ev[i];
        if (!same_switch(e, host_name, host_id, vswitch) || llabs(e->t - t) > DEDUP_WINDOW_S ||
            e->promisc != promisc)
            continue;
        if (journal && e->journal && e->t == t && e->what && what && strcmp(e->what, what) == 0)
            return; /* the journal read again */
        if (journal && !e->journal) {
            e->t = t;
            e->journal = true;
            xstrset(&e->what, what);
            return;
        }
        if (!journal)
            return;
    }
    p->ev = xgrow(p->ev, &p->cap_ev, p->n_ev + 1, sizeof(*p->ev));
    struct timeline_ev *e = &p->ev[p->n_ev++];
    *e = (struct timeline_ev){t,
                              host_id ? xstrdup(host_id) : NULL,
                              host_name ? xstrdup(host_name) : NULL,
                              vswitch ? xstrdup(vswitch) : NULL,
                              xstrdup(what ? what : "?"),
                              journal,
                              promisc};
}

static int ev_cmp(const void *a, const void *b)
{
    const struct timeline_ev *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* Drops changes older than the sample rings hold, sorts, and points the view at the lab's
 * current ids (a host read over SSH has another id than in vCenter). */
static void timeline_view(struct app_perf *p, const struct nl_lab *lab)
{
    int64_t oldest = (int64_t)time(NULL) - PERF_RING_SECONDS;
    size_t k = 0;
    for (size_t i = 0; i < p->n_ev; i++) {
        if (p->ev[i].t < oldest)
            ev_free(&p->ev[i]);
        else
            p->ev[k++] = p->ev[i];
    }
    p->n_ev = k;
    if (p->n_ev > 1)
        qsort(p->ev, p->n_ev, sizeof(*p->ev), ev_cmp);
    free(p->view);
    p->view = xcalloc(p->n_ev + 1, sizeof(*p->view));
    p->n_view = 0;
    for (size_t i = 0; i < p->n_ev; i++) {
        const struct timeline_ev *e = &p->ev[i];
        /* The analyser loses the struct copy of the compaction above and takes a freed event's
         * name for a kept one's. */
        const struct nl_host *h =
            // NOLINTNEXTLINE(clang-analyzer-unix.Malloc)
            lab && e->host_name ? nl_lab_find_host_by_name(lab, e->host_name) : NULL;
        p->view[p->n_view++] =
            (struct perf_event){e->t, h ? h->id : e->host_id, e->vswitch, e->what};
    }
}

/* ---- live changes of the promiscuous flag ---------------------------------------------------- */

static int flag_cmp(const void *a, const void *b)
{
    return strcmp(((const struct flag *)a)->key, ((const struct flag *)b)->key);
}

static void flags_free(struct flag **v, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free((*v)[i].key);
    free(*v);
    *v = NULL;
    *n = 0;
}

/* Compares the lab's vSwitch flags with the last snapshot; every flip from one known value to
 * the other is a change seen now. Only runs when the lab changed (replaced or updated live). */
static void flags_check(struct app_perf *p, const struct app_ctx *ctx)
{
    const struct nl_lab *lab = ctx->lab;
    if (!lab || (lab == p->flags_lab && ctx->status.last_update == p->flags_update))
        return;
    p->flags_lab = lab;
    p->flags_update = ctx->status.last_update;
    size_t n = 0;
    for (size_t i = 0; i < lab->n_hosts; i++)
        n += lab->hosts[i].n_vswitches;
    struct flag *now = xcalloc(n + 1, sizeof(*now));
    n = 0;
    for (size_t i = 0; i < lab->n_hosts; i++)
        for (size_t s = 0; s < lab->hosts[i].n_vswitches; s++)
            now[n++] = (struct flag){
                xasprintf("%s\x1f%s", lab->hosts[i].id, lab->hosts[i].vswitches[s].name),
                lab->hosts[i].vswitches[s].security.promiscuous};
    qsort(now, n, sizeof(*now), flag_cmp);
    time_t t = time(NULL);
    for (size_t i = 0; p->flags_known && i < n; i++) {
        const struct flag *old =
            bsearch(&now[i], p->flags, p->n_flags, sizeof(*p->flags), flag_cmp);
        if (!old || old->promisc == now[i].promisc || old->promisc == NL_TRI_UNSET ||
            now[i].promisc == NL_TRI_UNSET)
            continue;
        const char *sep = strchr(now[i].key, '\x1f');
        char *host_id = xstrndup(now[i].key, (size_t)(sep - now[i].key));
        const struct nl_host *h = nl_lab_find_host(lab, host_id);
        char *what = xasprintf("promiscuous %s->%s on %s (seen live)", sec_word(old->promisc),
                               sec_word(now[i].promisc), sep + 1);
        timeline_add(p, (int64_t)t, host_id, h ? h->name : NULL, sep + 1, what, false,
                     now[i].promisc);
        free(what);
        free(host_id);
    }
    flags_free(&p->flags, &p->n_flags);
    p->flags = now;
    p->n_flags = n;
    p->flags_known = true;
}

/* ---- the journal ---------------------------------------------------------------------------- */

struct journal_job {
    struct app_ctx *ctx;
    struct app_perf *perf;
    char *path;
};

struct journal_result {
    struct timeline_ev *ev;
    size_t n, cap;
    char *error;
};

static void journal_result_free(void *arg)
{
    struct journal_result *r = arg;
    for (size_t i = 0; r && i < r->n; i++)
        ev_free(&r->ev[i]);
    if (r) {
        free(r->ev);
        free(r->error);
    }
    free(r);
}

/* "promiscuous reject->accept, forged transmits ... on vSwitch0" from a step's values. */
static char *step_what(const struct ops_step *st)
{
    char text[300] = "";
    size_t n = 0;
    const enum nl_tri b[3] = {st->before.sec.promiscuous, st->before.sec.forged_transmits,
                              st->before.sec.mac_changes};
    const enum nl_tri a[3] = {st->after.sec.promiscuous, st->after.sec.forged_transmits,
                              st->after.sec.mac_changes};
    static const char *const name[3] = {"promiscuous", "forged transmits", "MAC changes"};
    for (int k = 0; k < 3 && n < sizeof(text); k++) {
        if (a[k] == NL_TRI_UNSET || a[k] == b[k])
            continue;
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s %s->%s", n ? ", " : "", name[k],
                              sec_word(b[k]), sec_word(a[k]));
    }
    return xasprintf("%s on %s", n ? text : "security change", st->vswitch ? st->vswitch : "?");
}

static void journal_job_run(void *arg)
{
    struct journal_job *j = arg;
    struct journal_result *r = xcalloc(1, sizeof(*r));
    struct ops_journal *jn = NULL;
    struct nl_err err = {0};
    if (ops_journal_read(j->path, &jn, &err) != NL_OK) {
        r->error = xstrdup(err.message);
        goto post;
    }
    int64_t oldest = (int64_t)time(NULL) - PERF_RING_SECONDS;
    for (size_t e = 0; e < jn->n_entries; e++) {
        const struct ops_journal_entry *en = &jn->entries[e];
        int64_t t;
        if (!en->time || !perf_time_parse_iso(en->time, &t) || t < oldest)
            continue;
        for (size_t i = 0; i < en->n_steps; i++) {
            const struct ops_step *st = &en->steps[i];
            if (st->kind != OPS_STEP_SET_VSWITCH_SECURITY || st->result != OPS_RESULT_OK)
                continue;
            r->ev = xgrow(r->ev, &r->cap, r->n + 1, sizeof(*r->ev));
            r->ev[r->n++] = (struct timeline_ev){
                t,
                st->host_id ? xstrdup(st->host_id) : NULL,
                st->host_name ? xstrdup(st->host_name) : NULL,
                st->vswitch ? xstrdup(st->vswitch) : NULL,
                step_what(st),
                true,
                st->after.sec.promiscuous != st->before.sec.promiscuous ? st->after.sec.promiscuous
                                                                        : NL_TRI_UNSET};
        }
    }
post:
    ops_journal_free(&jn);
    nl_queue_push(j->perf->q, nl_msg_new(MSG_JOURNAL, r, journal_result_free));
    wake(j->ctx);
    free(j->path);
    free(j);
}

static void journal_read(struct app_ctx *ctx)
{
    struct app_perf *p = ctx->perf;
    if (p->journal_busy) {
        p->journal_again = true;
        return;
    }
    struct journal_job *j = xcalloc(1, sizeof(*j));
    *j = (struct journal_job){ctx, p, xstrdup(ctx->journal_path)};
    if (nl_pool_submit(ctx->pool, journal_job_run, j) != 0) {
        free(j->path);
        free(j);
        return;
    }
    p->journal_busy = true;
}

static void journal_done(struct app_ctx *ctx, struct journal_result *r)
{
    struct app_perf *p = ctx->perf;
    p->journal_busy = false;
    if (r->error)
        NL_WARN("The journal could not be read for the monitor: %s", r->error);
    for (size_t i = 0; i < r->n; i++) {
        const struct timeline_ev *e = &r->ev[i];
        timeline_add(p, e->t, e->host_id, e->host_name, e->vswitch, e->what, true, e->promisc);
    }
    if (p->journal_again) {
        p->journal_again = false;
        journal_read(ctx);
    }
}

/* ---- collection ----------------------------------------------------------------------------- */

struct job_host {
    char *id, *name, *address;
    int port;
};

struct collect_job {
    struct app_ctx *ctx; /* only ctx->q and ctx->stopping are used */
    struct app_perf *perf;
    struct nl_endpoint *ep;
    bool vcenter;
    struct perf_counter_map *map; /* vCenter: moved in (NULL: read it first) */
    int max_sample;
    struct perf_entity *ents; /* vCenter: hosts and VMs (ids point into ids) */
    char **ids;
    size_t n_host_ents;     /* the hosts among them (the rest are nested-hypervisor VMs) */
    struct job_host *hosts; /* direct: hosts to run esxtop on */
    size_t n;
    /* direct: one slot per host, filled in parallel */
    struct esx_pool *pool;
    struct perf_batch **batches;
    struct nl_err *errs;
};

struct collect_result {
    const struct nl_endpoint *ep;
    bool vcenter;
    struct perf_counter_map *map;
    struct perf_batch *batch;
    size_t n_hosts, n_failed;
    char *error;
};

static void collect_result_free(void *arg)
{
    struct collect_result *r = arg;
    if (!r)
        return;
    perf_counter_map_free(&r->map);
    perf_batch_free(&r->batch);
    free(r->error);
    free(r);
}

static void collect_job_free(struct collect_job *j)
{
    for (size_t i = 0; i < j->n; i++) {
        if (j->ids)
            free(j->ids[i]);
        if (j->hosts) {
            free(j->hosts[i].id);
            free(j->hosts[i].name);
            free(j->hosts[i].address);
        }
    }
    free(j->ents);
    free(j->ids);
    free(j->hosts);
    free(j->batches);
    free(j->errs);
    perf_counter_map_free(&j->map);
    free(j);
}

static void esxtop_one(void *arg, size_t i)
{
    struct collect_job *j = arg;
    const struct job_host *h = &j->hosts[i];
    struct nl_host tmp = {
        .id = h->id, .name = h->name, .ssh_address = h->address, .ssh_port = h->port};
    struct esx_target t = esx_pool_target(j->pool, &tmp);
    esx_perf_esxtop(j->pool, &t, h->id, PERF_ESXTOP_INTERVAL, ESXTOP_ITERATIONS, &j->batches[i],
                    &j->errs[i]);
}

static void collect_job_run(void *arg)
{
    struct collect_job *j = arg;
    struct collect_result *r = xcalloc(1, sizeof(*r));
    r->ep = j->ep;
    r->vcenter = j->vcenter;
    r->n_hosts = j->vcenter ? j->n_host_ents : j->n;
    struct nl_err err = {0};
    if (atomic_load(&j->ctx->stopping))
        goto post;
    if (j->vcenter) {
        struct vs_client *vc = nl_endpoint_vcenter(j->ep);
        if (!vc) {
            NL_ERR(&err, NL_ERR_STATE, NULL, "vCenter is not connected.");
        } else if (j->map || vs_perf_counter_map_fetch(vc, &j->map, &err) == NL_OK) {
            vs_perf_fetch(vc, j->map, j->ents, j->n, j->max_sample, &r->batch, &err);
        }
        r->map = j->map; /* back to the UI thread, fetched or not */
        j->map = NULL;
        if (err.code)
            r->error =
                xasprintf("vCenter's performance counters could not be read: %s", err.message);
    } else {
        j->pool = nl_endpoint_ssh(j->ep, &err);
        if (!j->pool) {
            r->error = xasprintf("esxtop needs SSH to the hosts: %s", err.message);
            goto post;
        }
        j->batches = xcalloc(j->n + 1, sizeof(*j->batches));
        j->errs = xcalloc(j->n + 1, sizeof(*j->errs));
        esx_pool_each(j->pool, j->n, esxtop_one, j);
        r->batch = perf_batch_new();
        for (size_t i = 0; i < j->n; i++) {
            if (j->batches[i]) {
                perf_batch_take(r->batch, j->batches[i]);
                perf_batch_free(&j->batches[i]);
            } else {
                r->n_failed++;
                if (!r->error)
                    r->error = xasprintf("esxtop on \"%s\" failed: %s", j->hosts[i].name,
                                         j->errs[i].message);
            }
        }
    }
post:
    nl_queue_push(j->perf->q, nl_msg_new(MSG_COLLECTED, r, collect_result_free));
    wake(j->ctx);
    collect_job_free(j);
}

static bool host_reachable(const struct nl_host *h)
{
    return h->connection != NL_CONN_DISCONNECTED && h->connection != NL_CONN_NOT_RESPONDING;
}

static void collect_start(struct app_ctx *ctx)
{
    struct app_perf *p = ctx->perf;
    const struct nl_lab *lab = ctx->lab;
    if (p->busy || !ctx->ep || !lab || atomic_load(&ctx->stopping))
        return;
    bool vcenter = nl_endpoint_mode(ctx->ep) == NL_MODE_VCENTER;
    if (p->map_ep != ctx->ep) { /* a new connection: counter ids may differ */
        perf_counter_map_free(&p->map);
        p->map_ep = ctx->ep;
        p->have_history = false;
    }
    struct collect_job *j = xcalloc(1, sizeof(*j));
    j->ctx = ctx;
    j->perf = p;
    j->ep = ctx->ep;
    j->vcenter = vcenter;
    if (vcenter) {
        j->map = p->map;
        p->map = NULL;
        /* Enough samples to cover the time since the last query, with one to spare. */
        int cover = p->interval / PERF_REALTIME_INTERVAL + 2;
        j->max_sample = p->have_history ? (cover < 3 ? 3 : cover) : FIRST_SAMPLES;
        j->ents = xcalloc(lab->n_hosts + lab->n_vms + 1, sizeof(*j->ents));
        j->ids = xcalloc(lab->n_hosts + lab->n_vms + 1, sizeof(*j->ids));
        for (size_t i = 0; i < lab->n_hosts; i++)
            if (host_reachable(&lab->hosts[i])) {
                j->ids[j->n] = xstrdup(lab->hosts[i].id);
                j->ents[j->n] = (struct perf_entity){"HostSystem", j->ids[j->n]};
                j->n++;
            }
        j->n_host_ents = j->n;
        /* Nested hypervisors as VMs cost nothing extra: the same single call. */
        for (size_t i = 0; i < lab->n_vms; i++)
            if (nl_vm_is_hypervisor(&lab->vms[i]) && lab->vms[i].power == NL_POWER_ON) {
                j->ids[j->n] = xstrdup(lab->vms[i].id);
                j->ents[j->n] = (struct perf_entity){"VirtualMachine", j->ids[j->n]};
                j->n++;
            }
    } else {
        j->hosts = xcalloc(lab->n_hosts + 1, sizeof(*j->hosts));
        for (size_t i = 0; i < lab->n_hosts; i++) {
            const struct nl_host *h = &lab->hosts[i];
            if (!host_reachable(h))
                continue;
            j->hosts[j->n++] =
                (struct job_host){xstrdup(h->id), xstrdup(h->name ? h->name : h->id),
                                  h->ssh_address ? xstrdup(h->ssh_address) : NULL, h->ssh_port};
        }
    }
    if (!j->n) {
        p->map = j->map;
        j->map = NULL;
        collect_job_free(j);
        snprintf(p->error, sizeof(p->error), "No reachable host to read performance data from.");
        return;
    }
    if (nl_pool_submit(ctx->pool, collect_job_run, j) != 0) {
        p->map = j->map;
        j->map = NULL;
        collect_job_free(j);
        return;
    }
    p->busy = true;
}

static void collected(struct app_ctx *ctx, struct collect_result *r)
{
    struct app_perf *p = ctx->perf;
    p->busy = false;
    p->next_due = now_ms() + (int64_t)p->interval * 1000;
    if (r->ep == p->map_ep && r->map && !p->map) {
        p->map = r->map; /* kept for the next query of this connection */
        r->map = NULL;
    }
    if (r->batch && perf_batch_samples(r->batch) > 0) {
        perf_store_merge(p->store, r->batch);
        p->last_ok = time(NULL);
        p->source = r->vcenter ? "vCenter's real-time counters" : "esxtop over SSH";
        p->source_hosts = r->n_hosts - r->n_failed;
        if (r->vcenter && r->ep == p->map_ep)
            p->have_history = true;
    }
    snprintf(p->error, sizeof(p->error), "%s", r->error ? r->error : "");
    if (r->error)
        NL_WARN("%s", r->error);
}

/* ---- the ui_backend callbacks --------------------------------------------------------------- */

static void perf_drain(struct app_ctx *ctx)
{
    struct nl_msg *m;
    while ((m = nl_queue_pop(ctx->perf->q)) != NULL) {
        if (m->kind == MSG_COLLECTED)
            collected(ctx, m->payload);
        else if (m->kind == MSG_JOURNAL)
            journal_done(ctx, m->payload);
        nl_msg_free(&m);
    }
}

static void perf_poll(void *vctx, struct ui_events *ev)
{
    struct app_ctx *ctx = vctx;
    struct app_perf *p = ctx->perf;
    size_t first = ev->n;
    p->inner_poll(vctx, ev);
    perf_drain(ctx);
    /* A change the console applied is in the journal by the time its result arrives. */
    for (size_t i = first; i < ev->n; i++)
        if (ev->v[i].kind == UI_EV_JOURNAL || ev->v[i].kind == UI_EV_PLAN_DONE)
            journal_read(ctx);
    flags_check(p, ctx);
    if (!p->busy && now_ms() >= p->next_due)
        collect_start(ctx);
}

static const struct perf_store *perf_store_cb(void *vctx)
{
    struct app_ctx *ctx = vctx;
    return ctx->perf->last_ok ? ctx->perf->store : NULL;
}

static size_t perf_events_cb(void *vctx, const struct perf_event **out)
{
    struct app_ctx *ctx = vctx;
    struct app_perf *p = ctx->perf;
    /* The lab's ids can change under the same events (fallback to SSH and back). */
    timeline_view(p, ctx->lab);
    *out = p->view;
    return p->n_view;
}

static void perf_refresh_cb(void *vctx)
{
    struct app_ctx *ctx = vctx;
    ctx->perf->next_due = 0;
    if (!ctx->perf->busy)
        collect_start(ctx);
}

static void perf_status_cb(void *vctx, char *buf, size_t size)
{
    struct app_ctx *ctx = vctx;
    const struct app_perf *p = ctx->perf;
    char when[32] = "";
    if (p->last_ok) {
        struct tm tm;
        localtime_r(&p->last_ok, &tm);
        strftime(when, sizeof(when), "%H:%M:%S", &tm);
    }
    if (p->error[0] && p->last_ok)
        snprintf(buf, size, "%s (showing what %s gave at %s)", p->error, p->source, when);
    else if (p->error[0])
        snprintf(buf, size, "%s", p->error);
    else if (p->last_ok)
        snprintf(buf, size, "From %s for %zu host%s, read every %d s; last read at %s.", p->source,
                 p->source_hosts, p->source_hosts == 1 ? "" : "s", p->interval, when);
    else if (!ctx->ep)
        snprintf(buf, size, "Not connected yet: no performance data.");
    else
        snprintf(buf, size, "Reading the first performance samples...");
}

static size_t perf_samples_cb(void *vctx, const char *host_id, double *out, size_t max)
{
    struct app_ctx *ctx = vctx;
    const struct perf_series *r = ui_monitor_cpu_series(ctx->perf->store, host_id);
    size_t n = perf_series_len(r);
    size_t first = n > max ? n - max : 0;
    for (size_t i = first; i < n; i++)
        out[i - first] = perf_series_get(r, i).v;
    return n - first;
}

void app_perf_attach(struct app_ctx *ctx, struct ui_backend *be)
{
    struct app_perf *p = xcalloc(1, sizeof(*p));
    p->q = nl_queue_new();
    p->store = perf_store_new();
    p->interval = env_interval();
    p->inner_poll = be->poll;
    ctx->perf = p;
    be->poll = perf_poll;
    be->perf_store = perf_store_cb;
    be->perf_events = perf_events_cb;
    be->perf_refresh = perf_refresh_cb;
    be->perf_status = perf_status_cb;
    be->perf_samples = perf_samples_cb;
    journal_read(ctx);
}

void app_perf_free(struct app_ctx *ctx)
{
    struct app_perf *p = ctx->perf;
    if (!p)
        return;
    nl_queue_free(&p->q);
    perf_store_free(&p->store);
    perf_counter_map_free(&p->map);
    for (size_t i = 0; i < p->n_ev; i++)
        ev_free(&p->ev[i]);
    free(p->ev);
    free(p->view);
    flags_free(&p->flags, &p->n_flags);
    free(p);
    ctx->perf = NULL;
}
