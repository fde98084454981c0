/* The fake backend. One mutex guards everything; the apply worker is a detached-per-plan thread
 * joined before the next apply and at free. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/core/xmalloc.h"
#include "tests/unit/tui/fake_backend.h"

struct fake_step {
    enum ui_intent_kind kind;
    char *id;      /* VM or host id */
    char *vswitch; /* promiscuous */
    int value;
    bool skip;
};

struct fake_plan {
    int id;
    enum ui_intent_kind kind;
    int value;
    char *summary;
    struct fake_step *steps;
    size_t n_steps;
};

struct fake_entry {
    char *id;
    enum ui_intent_kind kind;
    int value;
    char **ids;
    size_t n_ids;
    bool undone;
};

struct fake_backend {
    pthread_mutex_t mu;
    struct nl_lab *lab; /* master copy */
    bool lab_new;
    int pipe[2];
    int step_ms;
    struct ui_events pending;
    struct fake_plan plan; /* the one plan being previewed or applied */
    bool applying;
    pthread_t worker;
    bool have_worker;
    int next_id;
    struct fake_entry *journal;
    size_t n_journal;
    time_t last_update;
    char last_error[256];
    bool read_only;
};

static void wake(struct fake_backend *fb)
{
    if (write(fb->pipe[1], "w", 1) < 0 && errno != EAGAIN) {
        /* nothing more to do: the console also polls on a timer */
    }
}

static void plan_clear(struct fake_plan *p)
{
    for (size_t i = 0; i < p->n_steps; i++) {
        free(p->steps[i].id);
        free(p->steps[i].vswitch);
    }
    free(p->steps);
    free(p->summary);
    memset(p, 0, sizeof(*p));
}

/* ---- callbacks ----------------------------------------------------------------------------------
 */

static void fb_refresh(void *ctx)
{
    struct fake_backend *fb = ctx;
    pthread_mutex_lock(&fb->mu);
    fb->lab_new = true;
    fb->last_update = time(NULL);
    ui_events_add(&fb->pending, UI_EV_MESSAGE, 0, "Inventory reloaded.");
    pthread_mutex_unlock(&fb->mu);
    wake(fb);
}

static struct nl_lab *fb_take_lab(void *ctx)
{
    struct fake_backend *fb = ctx;
    struct nl_lab *copy = NULL;
    pthread_mutex_lock(&fb->mu);
    if (fb->lab_new) {
        copy = nl_lab_clone(fb->lab);
        nl_lab_link(copy);
        fb->lab_new = false;
    }
    pthread_mutex_unlock(&fb->mu);
    return copy;
}

static void fb_poll(void *ctx, struct ui_events *ev)
{
    struct fake_backend *fb = ctx;
    char buf[256];
    while (read(fb->pipe[0], buf, sizeof(buf)) > 0) {
    }
    pthread_mutex_lock(&fb->mu);
    for (size_t i = 0; i < fb->pending.n; i++) {
        ev->v = xgrow(ev->v, &ev->cap, ev->n + 1, sizeof(*ev->v));
        ev->v[ev->n++] = fb->pending.v[i]; /* moved */
    }
    fb->pending.n = 0;
    pthread_mutex_unlock(&fb->mu);
}

static void fb_status(void *ctx, struct ui_status *st)
{
    struct fake_backend *fb = ctx;
    pthread_mutex_lock(&fb->mu);
    snprintf(st->endpoint, sizeof(st->endpoint), "%s", fb->lab->endpoint);
    st->state = UI_CONN_CONNECTED;
    st->source = fb->lab->source;
    st->last_update = fb->last_update;
    st->jobs = fb->applying ? 1 : 0;
    snprintf(st->last_error, sizeof(st->last_error), "%s", fb->last_error);
    pthread_mutex_unlock(&fb->mu);
}

static const char *sec_word(int v)
{
    return v ? "accept" : "reject";
}

static bool host_has_trunk(const struct nl_host *h)
{
    for (size_t i = 0; i < h->n_portgroups; i++)
        if (h->portgroups[i].vlan == 4095)
            return true;
    return false;
}

static void add_step(struct fake_plan *p, struct ui_event *e, enum ui_intent_kind kind,
                     const char *id, const char *vswitch, int value, const char *target,
                     const char *text, bool skip)
{
    p->steps = xrealloc(p->steps, (p->n_steps + 1) * sizeof(*p->steps));
    struct fake_step *s = &p->steps[p->n_steps++];
    s->kind = kind;
    s->id = xstrdup(id);
    s->vswitch = xstrdup(vswitch);
    s->value = value;
    s->skip = skip;
    ui_event_add_step(e, target, text, skip ? UI_STEP_SKIPPED : UI_STEP_PENDING);
}

/* Builds steps for a concrete intent into p and the preview event e. Caller holds the mutex. */
static void build_steps(struct fake_backend *fb, struct fake_plan *p, struct ui_event *e,
                        enum ui_intent_kind kind, int value, const char *const *ids, size_t n)
{
    char text[512];
    for (size_t i = 0; i < n; i++) {
        if (kind == UI_INTENT_NESTED_HV) {
            const struct nl_vm *v = nl_lab_find_vm(fb->lab, ids[i]);
            if (!v) {
                add_step(p, e, kind, ids[i], NULL, value, ids[i], "no such VM", true);
                continue;
            }
            const char *why = NULL;
            if ((v->nested_hv == NL_TRI_TRUE) == (value != 0))
                why = value ? "nested HV is already on" : "nested HV is already off";
            else if (v->power != NL_POWER_OFF)
                why = "the VM is powered on; power it off first";
            else if (v->hw_version > 0 && v->hw_version < 9)
                why = "hardware version is older than vmx-09";
            if (why)
                snprintf(text, sizeof(text), "skipped: %s", why);
            else
                snprintf(text, sizeof(text), "nested HV %s -> %s", value ? "off" : "on",
                         value ? "on" : "off");
            add_step(p, e, kind, ids[i], NULL, value, v->name, text, why != NULL);
        } else {
            const struct nl_host *h = nl_lab_find_host(fb->lab, ids[i]);
            if (!h) {
                add_step(p, e, kind, ids[i], NULL, value, ids[i], "no such host", true);
                continue;
            }
            if (kind == UI_INTENT_TRUNK) {
                bool has = host_has_trunk(h);
                if (value)
                    add_step(p, e, kind, ids[i], NULL, 1, h->name,
                             has ? "skipped: a VLAN 4095 port group exists"
                                 : "add port group 'Trunk' (VLAN 4095) on vSwitch0",
                             has);
                else
                    add_step(p, e, kind, ids[i], NULL, 0, h->name,
                             has ? "remove port group 'Trunk'" : "skipped: no trunk port group",
                             !has);
                continue;
            }
            for (size_t k = 0; k < h->n_vswitches; k++) {
                const struct nl_vswitch *vs = &h->vswitches[k];
                bool same = (vs->security.promiscuous == NL_TRI_TRUE) == (value != 0);
                if (same)
                    snprintf(text, sizeof(text), "skipped: %s promiscuous is already %s", vs->name,
                             sec_word(value));
                else
                    snprintf(text, sizeof(text), "%s promiscuous %s -> %s", vs->name,
                             sec_word(!value), sec_word(value));
                add_step(p, e, kind, ids[i], vs->name, value, h->name, text, same);
            }
        }
    }
}

/* ":security --vswitch V --promiscuous accept|reject --cluster C" and ":inventory". */
static int parse_command(struct fake_backend *fb, const char *line, int id, struct nl_err *err)
{
    char *copy = xstrdup(line);
    char *argv[32];
    int argc = 0;
    for (char *tok = strtok(copy, " \t"); tok && argc < 32; tok = strtok(NULL, " \t"))
        argv[argc++] = tok;
    int rc = -1;
    if (argc && strcmp(argv[0], "inventory") == 0) {
        char msg[128];
        snprintf(msg, sizeof(msg), "%zu hosts, %zu VMs in %s.", fb->lab->n_hosts, fb->lab->n_vms,
                 fb->lab->endpoint);
        ui_events_add(&fb->pending, UI_EV_PLAN_DONE, id, msg)->ok = true;
        rc = id;
        goto cleanup;
    }
    if (!argc || strcmp(argv[0], "security") != 0) {
        NL_ERR(err, NL_ERR_USAGE, NULL, "Unknown command '%s' (try 'security' or 'inventory').",
               argc ? argv[0] : "");
        goto cleanup;
    }
    const char *vswitch = NULL, *promisc = NULL, *clname = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--vswitch") == 0)
            vswitch = argv[i + 1];
        else if (strcmp(argv[i], "--promiscuous") == 0)
            promisc = argv[i + 1];
        else if (strcmp(argv[i], "--cluster") == 0)
            clname = argv[i + 1];
    }
    if (!promisc || (strcmp(promisc, "accept") && strcmp(promisc, "reject"))) {
        NL_ERR(err, NL_ERR_USAGE, NULL, "security needs --promiscuous accept or reject.");
        goto cleanup;
    }
    const struct nl_cluster *cl = clname ? nl_lab_find_cluster_by_name(fb->lab, clname) : NULL;
    if (clname && !cl) {
        NL_ERR(err, NL_ERR_NOT_FOUND, NULL, "No cluster is called '%s'.", clname);
        goto cleanup;
    }
    const char **ids = xcalloc(fb->lab->n_hosts + 1, sizeof(*ids));
    size_t n = 0;
    for (size_t h = 0; h < fb->lab->n_hosts; h++)
        if (!cl ||
            (fb->lab->hosts[h].cluster_id && strcmp(fb->lab->hosts[h].cluster_id, cl->id) == 0))
            ids[n++] = fb->lab->hosts[h].id;
    plan_clear(&fb->plan);
    fb->plan.id = id;
    fb->plan.kind = UI_INTENT_PROMISCUOUS;
    fb->plan.value = strcmp(promisc, "accept") == 0;
    struct ui_event *e = ui_events_add(&fb->pending, UI_EV_PLAN, id, NULL);
    char title[256];
    snprintf(title, sizeof(title), "security: promiscuous %s on %zu hosts%s%s", promisc, n,
             cl ? " of cluster " : "", cl ? cl->name : "");
    xstrset(&e->text, title);
    ui_event_add_line(e, "Preview from the fake backend (tests/unit/tui/fake_backend.c).");
    build_steps(fb, &fb->plan, e, UI_INTENT_PROMISCUOUS, fb->plan.value, ids, n);
    if (vswitch) /* keep only the named vSwitch's steps as changes */
        for (size_t i = 0; i < fb->plan.n_steps; i++)
            if (fb->plan.steps[i].vswitch && strcmp(fb->plan.steps[i].vswitch, vswitch) != 0) {
                fb->plan.steps[i].skip = true;
                e->steps[i].state = UI_STEP_SKIPPED;
            }
    fb->plan.summary = xstrdup(title);
    free(ids);
    rc = id;
cleanup:
    free(copy);
    return rc;
}

static int fb_plan_request(void *ctx, const struct ui_intent *in, struct nl_err *err)
{
    struct fake_backend *fb = ctx;
    int rc = -1;
    pthread_mutex_lock(&fb->mu);
    if (fb->applying) {
        NL_ERR(err, NL_ERR_STATE, NULL, "A change is still being applied; wait for it to finish.");
        goto cleanup;
    }
    int id = ++fb->next_id;
    if (in->kind == UI_INTENT_COMMAND) {
        rc = parse_command(fb, in->command ? in->command : "", id, err);
        goto cleanup;
    }
    if (fb->read_only) {
        NL_ERR(err, NL_ERR_USAGE, NULL, "Read-only mode: changes are disabled.");
        goto cleanup;
    }
    plan_clear(&fb->plan);
    fb->plan.id = id;
    if (in->kind == UI_INTENT_UNDO) {
        struct fake_entry *ent = NULL;
        for (size_t i = fb->n_journal; i-- > 0;)
            if (!fb->journal[i].undone &&
                (!in->journal_id || strcmp(in->journal_id, fb->journal[i].id) == 0)) {
                ent = &fb->journal[i];
                break;
            }
        if (!ent) {
            NL_ERR(err, NL_ERR_NOT_FOUND, NULL, "There is no change to undo.");
            fb->plan.id = 0;
            goto cleanup;
        }
        struct ui_event *e = ui_events_add(&fb->pending, UI_EV_PLAN, id, NULL);
        char title[128];
        snprintf(title, sizeof(title), "Undo %s", ent->id);
        xstrset(&e->text, title);
        fb->plan.kind = ent->kind;
        fb->plan.value = !ent->value;
        build_steps(fb, &fb->plan, e, ent->kind, !ent->value, (const char *const *)ent->ids,
                    ent->n_ids);
        fb->plan.summary = xstrdup(title);
        ent->undone = true; /* marked when applied in a real engine; close enough here */
        rc = id;
        goto cleanup;
    }
    fb->plan.kind = in->kind;
    fb->plan.value = in->value;
    struct ui_event *e = ui_events_add(&fb->pending, UI_EV_PLAN, id, NULL);
    ui_event_add_line(e, "Preview from the fake backend (tests/unit/tui/fake_backend.c).");
    build_steps(fb, &fb->plan, e, in->kind, in->value, in->ids, in->n_ids);
    char title[128];
    snprintf(title, sizeof(title), "%s %s on %zu object%s",
             in->kind == UI_INTENT_NESTED_HV ? "nested HV"
             : in->kind == UI_INTENT_TRUNK   ? "trunk port group"
                                             : "promiscuous",
             in->kind == UI_INTENT_PROMISCUOUS ? sec_word(in->value)
             : in->value                       ? "on"
                                               : "off",
             in->n_ids, in->n_ids == 1 ? "" : "s");
    fb->plan.summary = xstrdup(title);
    rc = id;
cleanup:
    pthread_mutex_unlock(&fb->mu);
    if (rc > 0)
        wake(fb);
    return rc;
}

static void apply_step(struct fake_backend *fb, const struct fake_step *s)
{
    if (s->kind == UI_INTENT_NESTED_HV) {
        struct nl_vm *v = nl_lab_find_vm(fb->lab, s->id);
        if (v)
            v->nested_hv = s->value ? NL_TRI_TRUE : NL_TRI_FALSE;
    } else if (s->kind == UI_INTENT_PROMISCUOUS) {
        struct nl_host *h = nl_lab_find_host(fb->lab, s->id);
        struct nl_vswitch *vs = h ? nl_host_find_vswitch(h, s->vswitch) : NULL;
        if (vs)
            vs->security.promiscuous = s->value ? NL_TRI_TRUE : NL_TRI_FALSE;
    } else if (s->kind == UI_INTENT_TRUNK) {
        struct nl_host *h = nl_lab_find_host(fb->lab, s->id);
        if (h && s->value) {
            struct nl_portgroup *pg = nl_host_add_portgroup(h, "Trunk", "vSwitch0");
            pg->vlan = 4095;
            nl_security_init(&pg->override);
        } else if (h) {
            /* rebuild the port group list without VLAN 4095 */
            struct nl_portgroup *old = h->portgroups;
            size_t n = h->n_portgroups;
            size_t k = 0;
            for (size_t i = 0; i < n; i++) {
                if (old[i].vlan == 4095) {
                    free(old[i].name);
                    free(old[i].vswitch);
                } else {
                    old[k++] = old[i];
                }
            }
            h->n_portgroups = k;
        }
    }
    nl_lab_link(fb->lab);
}

static void *apply_worker(void *arg)
{
    struct fake_backend *fb = arg;
    pthread_mutex_lock(&fb->mu);
    int id = fb->plan.id, ok = 0, skipped = 0;
    size_t n = fb->plan.n_steps;
    pthread_mutex_unlock(&fb->mu);
    for (size_t i = 0; i < n; i++) {
        pthread_mutex_lock(&fb->mu);
        bool skip = fb->plan.steps[i].skip;
        if (!skip) {
            struct ui_event *e = ui_events_add(&fb->pending, UI_EV_STEP, id, NULL);
            e->step = (int)i;
            e->state = UI_STEP_RUNNING;
        }
        pthread_mutex_unlock(&fb->mu);
        if (skip) {
            skipped++;
            continue;
        }
        wake(fb);
        struct timespec ts = {fb->step_ms / 1000, (long)(fb->step_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&fb->mu);
        apply_step(fb, &fb->plan.steps[i]);
        struct ui_event *e = ui_events_add(&fb->pending, UI_EV_STEP, id, NULL);
        e->step = (int)i;
        e->state = UI_STEP_OK;
        ok++;
        fb->lab_new = true;
        pthread_mutex_unlock(&fb->mu);
        wake(fb);
    }
    pthread_mutex_lock(&fb->mu);
    char summary[128];
    snprintf(summary, sizeof(summary), "%d changed, %d skipped, 0 failed", ok, skipped);
    ui_events_add(&fb->pending, UI_EV_PLAN_DONE, id, summary)->ok = true;
    /* journal */
    fb->journal = xrealloc(fb->journal, (fb->n_journal + 1) * sizeof(*fb->journal));
    struct fake_entry *ent = &fb->journal[fb->n_journal++];
    memset(ent, 0, sizeof(*ent));
    ent->id = xasprintf("j%zu", fb->n_journal);
    ent->kind = fb->plan.kind;
    ent->value = fb->plan.value;
    ent->ids = xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        if (!fb->plan.steps[i].skip) {
            bool dup = false;
            for (size_t k = 0; k < ent->n_ids; k++)
                dup |= strcmp(ent->ids[k], fb->plan.steps[i].id) == 0;
            if (!dup)
                ent->ids[ent->n_ids++] = xstrdup(fb->plan.steps[i].id);
        }
    ui_events_add(&fb->pending, UI_EV_JOURNAL, 0, NULL);
    fb->last_update = time(NULL);
    fb->applying = false;
    pthread_mutex_unlock(&fb->mu);
    wake(fb);
    return NULL;
}

static enum nl_code fb_plan_apply(void *ctx, int plan_id, struct nl_err *err)
{
    struct fake_backend *fb = ctx;
    enum nl_code rc = NL_OK;
    if (fb->have_worker) {
        pthread_join(fb->worker, NULL);
        fb->have_worker = false;
    }
    pthread_mutex_lock(&fb->mu);
    if (plan_id != fb->plan.id || fb->applying) {
        rc = NL_ERR(err, NL_ERR_STATE, NULL, "Plan %d is not waiting to be applied.", plan_id);
        goto cleanup;
    }
    fb->applying = true;
    if (pthread_create(&fb->worker, NULL, apply_worker, fb) != 0) {
        fb->applying = false;
        rc = NL_ERR(err, NL_ERR_INTERNAL, NULL, "Cannot start the apply worker.");
        goto cleanup;
    }
    fb->have_worker = true;
cleanup:
    pthread_mutex_unlock(&fb->mu);
    return rc;
}

static void fb_plan_cancel(void *ctx, int plan_id)
{
    struct fake_backend *fb = ctx;
    pthread_mutex_lock(&fb->mu);
    if (plan_id == fb->plan.id && !fb->applying)
        plan_clear(&fb->plan);
    pthread_mutex_unlock(&fb->mu);
}

static void fb_journal_list(void *ctx, struct ui_journal *j)
{
    struct fake_backend *fb = ctx;
    pthread_mutex_lock(&fb->mu);
    for (size_t i = fb->n_journal; i-- > 0;) {
        const struct fake_entry *e = &fb->journal[i];
        char summary[128];
        snprintf(summary, sizeof(summary), "%s %s on %zu object%s",
                 e->kind == UI_INTENT_NESTED_HV ? "nested HV"
                 : e->kind == UI_INTENT_TRUNK   ? "trunk port group"
                                                : "promiscuous",
                 e->value ? "on" : "off", e->n_ids, e->n_ids == 1 ? "" : "s");
        ui_journal_add(j, e->id, time(NULL), summary, "vcenter", true, e->undone);
    }
    pthread_mutex_unlock(&fb->mu);
}

static void fb_checks_run(void *ctx)
{
    struct fake_backend *fb = ctx;
    pthread_mutex_lock(&fb->mu);
    struct ui_event *e = ui_events_add(&fb->pending, UI_EV_CHECKS, 0, NULL);
    char line[512];
    for (size_t i = 0; i < fb->lab->n_vms; i++) {
        const struct nl_vm *v = &fb->lab->vms[i];
        if (v->role == NL_ROLE_NESTED_ESXI && v->nested_hv != NL_TRI_TRUE) {
            snprintf(line, sizeof(line), "FAIL %s: nested HV is off", v->name);
            ui_event_add_line(e, line);
        }
    }
    for (size_t i = 0; i < fb->lab->n_hosts; i++)
        if (!host_has_trunk(&fb->lab->hosts[i])) {
            snprintf(line, sizeof(line), "WARN %s: no VLAN 4095 trunk port group",
                     fb->lab->hosts[i].name);
            ui_event_add_line(e, line);
        }
    ui_event_add_line(e, "OK   checks finished");
    pthread_mutex_unlock(&fb->mu);
    wake(fb);
}

static size_t fb_perf_samples(void *ctx, const char *host_id, double *out, size_t max)
{
    (void)ctx;
    size_t n = max < 30 ? max : 30;
    unsigned seed = 0;
    for (const char *p = host_id; *p; p++)
        seed = seed * 31 + (unsigned char)*p;
    for (size_t i = 0; i < n; i++)
        out[i] = 50.0 + 45.0 * sin((double)(i + seed % 17) / 3.0);
    return n;
}

struct fake_backend *fake_backend_new(struct nl_lab *lab, int step_ms, struct ui_backend *be)
{
    struct fake_backend *fb = xcalloc(1, sizeof(*fb));
    pthread_mutex_init(&fb->mu, NULL);
    fb->lab = lab;
    fb->lab_new = true;
    fb->step_ms = step_ms;
    fb->last_update = time(NULL);
    if (pipe(fb->pipe) != 0) {
        fprintf(stderr, "fake backend: pipe: %s\n", strerror(errno));
        abort();
    }
    for (int i = 0; i < 2; i++) {
        fcntl(fb->pipe[i], F_SETFL, O_NONBLOCK);
        fcntl(fb->pipe[i], F_SETFD, FD_CLOEXEC);
    }
    memset(be, 0, sizeof(*be));
    be->ctx = fb;
    be->wake_fd = fb->pipe[0];
    be->refresh = fb_refresh;
    be->take_lab = fb_take_lab;
    be->poll = fb_poll;
    be->status = fb_status;
    be->plan_request = fb_plan_request;
    be->plan_apply = fb_plan_apply;
    be->plan_cancel = fb_plan_cancel;
    be->journal_list = fb_journal_list;
    be->checks_run = fb_checks_run;
    be->perf_samples = fb_perf_samples;
    wake(fb);
    return fb;
}

int fake_backend_wait_idle(struct fake_backend *fb, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 5) {
        pthread_mutex_lock(&fb->mu);
        bool busy = fb->applying;
        pthread_mutex_unlock(&fb->mu);
        if (!busy)
            return 0;
        struct timespec ts = {0, 5000000L};
        nanosleep(&ts, NULL);
    }
    return -1;
}

void fake_backend_free(struct fake_backend **pfb)
{
    struct fake_backend *fb = *pfb;
    if (!fb)
        return;
    if (fb->have_worker)
        pthread_join(fb->worker, NULL);
    plan_clear(&fb->plan);
    ui_events_free(&fb->pending);
    for (size_t i = 0; i < fb->n_journal; i++) {
        free(fb->journal[i].id);
        for (size_t k = 0; k < fb->journal[i].n_ids; k++)
            free(fb->journal[i].ids[k]);
        free(fb->journal[i].ids);
    }
    free(fb->journal);
    nl_lab_free(&fb->lab);
    close(fb->pipe[0]);
    close(fb->pipe[1]);
    pthread_mutex_destroy(&fb->mu);
    free(fb);
    *pfb = NULL;
}
