/* Plans for the console: intents and ':' command lines become ops plans on a worker, previews
 * become UI_EV_PLAN, confirmed plans are applied on a worker with per-step progress events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/apply.h"
#include "backend/ops/fix_plan.h"
#include "backend/ops/lock.h"
#include "tui/app_backend.h"
#include "tui/cli.h"
#include "tui/cli_change.h"

#define APP_TRUNK_PORTGROUP "Nested-Trunk"
#define APP_TRUNK_VSWITCH "vSwitch0"

struct plan_job {
    struct app_ctx *ctx;
    int id;
    struct nl_lab *lab; /* owned copy of the lab the plan is computed on */
    enum ui_intent_kind kind;
    int value;
    char *vswitch;
    char **ids;
    size_t n_ids;
    char *journal_id;
    struct cli_opts opts; /* COMMAND: the parsed line (it points into argv) */
    bool have_opts;
    char **argv;
    int argc;
};

static void plan_job_free(struct plan_job *j)
{
    nl_lab_free(&j->lab);
    free(j->vswitch);
    app_strv_free(&j->ids, &j->n_ids);
    free(j->journal_id);
    if (j->have_opts)
        cli_opts_free(&j->opts);
    app_words_free(j->argv, j->argc);
    free(j);
}

void app_plan_result_free(void *p)
{
    struct app_plan_result *r = p;
    if (!r)
        return;
    ops_plan_free(&r->plan);
    ui_events_free(&r->events);
    free(r);
}

static struct app_plan *find_plan(struct app_ctx *ctx, int id)
{
    for (size_t i = 0; i < ctx->n_plans; i++)
        if (ctx->plans[i].id == id)
            return &ctx->plans[i];
    return NULL;
}

static void drop_plan(struct app_ctx *ctx, int id)
{
    for (size_t i = 0; i < ctx->n_plans; i++)
        if (ctx->plans[i].id == id) {
            ops_plan_free(&ctx->plans[i].plan);
            free(ctx->plans[i].cancel);
            ctx->plans[i] = ctx->plans[--ctx->n_plans];
            return;
        }
}

void app_plans_free(struct app_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_plans; i++) {
        ops_plan_free(&ctx->plans[i].plan);
        free(ctx->plans[i].cancel);
    }
    free(ctx->plans);
    ctx->plans = NULL;
    ctx->n_plans = ctx->cap_plans = 0;
}

/* ---- building (worker) ---------------------------------------------------------------------- */

/* Every distinct standard vSwitch of the hosts in scope, in lab order. */
static void scope_vswitches(const struct nl_lab *lab, const struct ops_scope *s, char ***v,
                            size_t *n)
{
    for (size_t i = 0; i < s->n_hosts; i++) {
        const struct nl_host *h = nl_lab_find_host(lab, s->host_ids[i]);
        for (size_t k = 0; h && k < h->n_vswitches; k++) {
            bool seen = false;
            for (size_t m = 0; m < *n && !seen; m++)
                seen = strcmp((*v)[m], h->vswitches[k].name) == 0;
            if (!seen)
                app_strv_push(v, n, xstrdup(h->vswitches[k].name));
        }
    }
}

static enum nl_code promiscuous_plan(const struct plan_job *j, const struct ops_scope *scope,
                                     struct ops_plan **out, struct nl_err *err)
{
    struct ops_intent in;
    ops_intent_init(&in, OPS_INTENT_SECURITY);
    in.security.want.promiscuous = j->value ? NL_TRI_TRUE : NL_TRI_FALSE;
    if (j->vswitch) {
        in.security.vswitch = j->vswitch;
        return ops_plan_new(j->lab, scope, &in, out, err);
    }
    char **names = NULL;
    size_t n = 0;
    scope_vswitches(j->lab, scope, &names, &n);
    enum nl_code rc = NL_OK;
    if (!n)
        rc = NL_ERR(err, NL_ERR_NOT_FOUND, "vswitch",
                    "No host in the selection has a standard vSwitch.");
    /* One plan per vSwitch name, merged: hosts lacking a vSwitch get a blocked step there. */
    for (size_t i = 0; rc == NL_OK && i < n; i++) {
        in.security.vswitch = names[i];
        struct ops_plan *p = NULL;
        rc = ops_plan_new(j->lab, scope, &in, &p, err);
        if (rc != NL_OK)
            break;
        if (!*out)
            *out = p;
        else
            ops_plan_merge(*out, &p);
    }
    if (rc != NL_OK)
        ops_plan_free(out);
    app_strv_free(&names, &n);
    return rc;
}

/* The trunk port group's name and vSwitch: the ones the selection already uses for VLAN 4095,
 * so every host ends up with the same; else Nested-Trunk on vSwitch0 (or the first vSwitch). */
static void trunk_names(const struct nl_lab *lab, const struct ops_scope *s, const char **pg,
                        const char **vs)
{
    *pg = APP_TRUNK_PORTGROUP;
    *vs = NULL;
    for (size_t i = 0; i < s->n_hosts; i++) {
        const struct nl_host *h = nl_lab_find_host(lab, s->host_ids[i]);
        const struct nl_portgroup *t = h ? nl_host_find_trunk(h, NULL) : NULL;
        if (t && t->vswitch) {
            *pg = t->name;
            *vs = t->vswitch;
            return;
        }
    }
    for (size_t i = 0; i < s->n_hosts && !*vs; i++) {
        const struct nl_host *h = nl_lab_find_host(lab, s->host_ids[i]);
        if (h && nl_host_find_vswitch(h, APP_TRUNK_VSWITCH))
            *vs = APP_TRUNK_VSWITCH;
        else if (h && h->n_vswitches)
            *vs = h->vswitches[0].name;
    }
    if (!*vs)
        *vs = APP_TRUNK_VSWITCH;
}

/* The readiness view's F: check --fix as one plan. Powered-on VMs are not power-cycled from a
 * single key; the plan shows them blocked with the reason, and :check is not a change verb. */
static enum nl_code fix_plan(const struct nl_lab *lab, struct ops_plan **out, struct nl_err *err)
{
    struct ops_report *rep = ops_check_run(lab, NULL);
    char **notes = NULL;
    size_t n_notes = 0;
    enum nl_code rc = ops_fix_plan_new(lab, rep, false, out, &notes, &n_notes, err);
    if (rc == NL_OK && !*out && n_notes)
        rc = NL_ERR(err, NL_ERR_STATE, NULL, "No fix could be planned: %s", notes[0]);
    else if (rc == NL_OK && !*out)
        rc = NL_ERR(err, NL_ERR_STATE, NULL,
                    "Nothing to fix automatically: the remaining findings need a person (see "
                    "their fix lines).");
    for (size_t i = 0; i < n_notes; i++)
        free(notes[i]);
    free(notes);
    ops_report_free(&rep);
    return rc;
}

static enum nl_code intent_plan(const struct plan_job *j, struct ops_plan **out, struct nl_err *err)
{
    if (j->kind == UI_INTENT_UNDO)
        return app_undo_plan(j->ctx->journal_path, j->journal_id, j->lab, out, err);
    if (j->kind == UI_INTENT_FIX)
        return fix_plan(j->lab, out, err);
    bool vm_intent = j->kind == UI_INTENT_NESTED_HV;
    struct ops_scope *scope =
        app_scope_from_ids(j->lab, (const char *const *)j->ids, j->n_ids, vm_intent);
    enum nl_code rc;
    struct ops_intent in;
    switch (j->kind) {
    case UI_INTENT_NESTED_HV:
        ops_intent_init(&in, OPS_INTENT_NESTED_HV);
        in.nested_hv.on = j->value != 0;
        rc = ops_plan_new(j->lab, scope, &in, out, err);
        break;
    case UI_INTENT_TRUNK:
        ops_intent_init(&in, OPS_INTENT_TRUNK);
        trunk_names(j->lab, scope, &in.trunk.portgroup, &in.trunk.vswitch);
        rc = ops_plan_new(j->lab, scope, &in, out, err);
        break;
    case UI_INTENT_PROMISCUOUS:
        rc = promiscuous_plan(j, scope, out, err);
        break;
    default:
        rc = NL_ERR(err, NL_ERR_INTERNAL, NULL, "The console asked for an unknown change.");
        break;
    }
    ops_scope_free(&scope);
    return rc;
}

static enum nl_code command_plan(const struct plan_job *j, struct ops_plan **out,
                                 struct nl_err *err)
{
    const struct cli_opts *o = &j->opts;
    /* undo is planned here rather than by cli_change_plan, which talks to stderr. */
    if (strcmp(o->verb, "undo") == 0) {
        if (o->args.n > 1)
            return NL_ERR(err, NL_ERR_USAGE, "args", "undo takes at most one journal id.");
        return app_undo_plan(j->ctx->journal_path, o->args.n ? o->args.v[0] : NULL, j->lab, out,
                             err);
    }
    return cli_change_plan(o, j->lab, j->ctx->journal_path, out, err);
}

static void preview_events(struct app_plan_result *r, const char *transport)
{
    struct ops_plan *p = r->plan;
    struct ui_event *e = ui_events_add(&r->events, UI_EV_PLAN, r->id, p->intent_text);
    char *summary = ops_plan_summary(p);
    ui_event_add_line(e, summary);
    free(summary);
    char line[200];
    snprintf(line, sizeof(line), "Applied through %s; every change is journaled and can be undone.",
             strcmp(transport, "ssh") == 0 ? "SSH directly on the ESXi hosts" : "vCenter");
    ui_event_add_line(e, line);
    for (size_t i = 0; i < p->n_steps; i++) {
        const struct ops_step *s = &p->steps[i];
        char *what = app_step_what(p, s);
        /* VM steps read "VM 'x': ..." already; the host is the useful column then too. */
        const char *target = s->host_name ? s->host_name : s->vm_name ? s->vm_name : "?";
        ui_event_add_step(e, target, what,
                          s->status == OPS_STEP_PLANNED ? UI_STEP_PENDING : UI_STEP_SKIPPED);
        free(what);
    }
}

struct plan_job_ctx {
    struct plan_job *job;
    char *transport;
};

static void plan_job_run(void *arg)
{
    struct plan_job_ctx *pc = arg;
    struct plan_job *j = pc->job;
    struct app_plan_result *r = xcalloc(1, sizeof(*r));
    r->id = j->id;
    enum nl_code rc;
    if (atomic_load(&j->ctx->stopping))
        rc = NL_ERR(&r->err, NL_ERR_STATE, NULL, "The console is quitting.");
    else
        rc = j->have_opts ? command_plan(j, &r->plan, &r->err) : intent_plan(j, &r->plan, &r->err);
    if (rc == NL_OK && r->plan)
        preview_events(r, pc->transport);
    else if (rc == NL_OK)
        NL_ERR(&r->err, NL_ERR_INTERNAL, NULL, "The change engine returned no plan.");
    nl_queue_push(j->ctx->q, nl_msg_new(APP_MSG_PLANNED, r, app_plan_result_free));
    plan_job_free(j);
    free(pc->transport);
    free(pc);
}

/* ---- requests (UI thread) ------------------------------------------------------------------- */

static bool has_connection_options(const struct cli_opts *o)
{
    return o->config_path || o->endpoint || o->server || o->user || o->thumbprint || o->insecure ||
           o->direct || o->ssh_only;
}

static int answer(struct app_ctx *ctx, int id, bool ok, const char *text)
{
    ui_events_add(&ctx->events, UI_EV_PLAN_DONE, id, text)->ok = ok;
    return id;
}

/* A ':' line that is not a change: answered at once from what the console already has. */
static int command_info(struct app_ctx *ctx, int id, const struct cli_opts *o,
                        const struct cli_verb *v)
{
    char text[512];
    if (o->help) {
        snprintf(text, sizeof(text), "usage: %s", v->usage + strlen("nestlab "));
        return answer(ctx, id, true, text);
    }
    if (strcmp(v->name, "inventory") == 0) {
        if (!ctx->lab)
            return answer(ctx, id, false, "No lab is loaded yet.");
        snprintf(text, sizeof(text), "%zu clusters, %zu hosts, %zu VMs in \"%s\" (from %s).",
                 ctx->lab->n_clusters, ctx->lab->n_hosts, ctx->lab->n_vms,
                 ctx->lab->endpoint ? ctx->lab->endpoint : "?", nl_source_name(ctx->lab->source));
        return answer(ctx, id, true, text);
    }
    if (strcmp(v->name, "check") == 0) {
        app_checks_run(ctx);
        return answer(ctx, id, true, "Running the readiness checks; c shows them.");
    }
    if (strcmp(v->name, "journal") == 0) {
        app_journal_reload(ctx);
        snprintf(text, sizeof(text), "%zu journal entries; J shows them.", ctx->journal.n);
        return answer(ctx, id, true, text);
    }
    if (strcmp(v->name, "help") == 0) {
        size_t n;
        const struct cli_verb *all = cli_verbs(&n);
        size_t len = (size_t)snprintf(text, sizeof(text), "Commands:");
        for (size_t i = 0; i < n && len < sizeof(text); i++)
            len += (size_t)snprintf(text + len, sizeof(text) - len, " %s", all[i].name);
        return answer(ctx, id, true, text);
    }
    if (strcmp(v->name, "drift") == 0)
        return answer(ctx, id, false, "drift is the network grid in the console: press g.");
    snprintf(text, sizeof(text), "\"%s\" is not available inside the console; run nestlab %s.",
             v->name, v->name);
    return answer(ctx, id, false, text);
}

static int command_request(struct app_ctx *ctx, struct plan_job *j, const char *line,
                           struct nl_err *err)
{
    int argc = app_split_words(line ? line : "", &j->argv, err);
    if (argc < 0)
        return -1;
    j->argc = argc;
    if (cli_opts_parse(argc, j->argv, &j->opts, err) != NL_OK) {
        cli_opts_free(&j->opts);
        return -1;
    }
    j->have_opts = true;
    const struct cli_verb *v = j->opts.verb ? cli_verb_find(j->opts.verb) : NULL;
    if (!j->opts.verb) {
        NL_ERR(err, NL_ERR_USAGE, "verb",
               "Type a command, e.g. security --vswitch vSwitch0 --promiscuous accept "
               "--cluster Physical.");
        return -1;
    }
    if (!v) {
        NL_ERR(err, NL_ERR_USAGE, "verb", "Unknown command \"%s\"; :help lists them.",
               j->opts.verb);
        return -1;
    }
    if (cli_opts_check_groups(&j->opts, v, err) != NL_OK)
        return -1;
    if (has_connection_options(&j->opts)) {
        NL_ERR(err, NL_ERR_USAGE, "option",
               "Connection options (--config, --server, --direct, ...) are given when nestlab "
               "starts, not inside the console.");
        return -1;
    }
    if (!cli_is_change_verb(v->name) || j->opts.help)
        return command_info(ctx, j->id, &j->opts, v);
    if (!ctx->lab) {
        NL_ERR(err, NL_ERR_STATE, NULL, "No lab is loaded yet; wait for the inventory.");
        return -1;
    }
    if (ctx->read_only) {
        NL_ERR(err, NL_ERR_USAGE, "read-only", "Read-only mode (--read-only): changes are off.");
        return -1;
    }
    return 0; /* submit */
}

int app_plan_request(void *vctx, const struct ui_intent *in, struct nl_err *err)
{
    struct app_ctx *ctx = vctx;
    struct plan_job *j = xcalloc(1, sizeof(*j));
    j->ctx = ctx;
    j->id = ++ctx->next_plan_id;
    j->kind = in->kind;
    j->value = in->value;
    if (in->kind == UI_INTENT_COMMAND) {
        int rc = command_request(ctx, j, in->command, err);
        if (rc != 0) {
            plan_job_free(j);
            return rc; /* answered at once (id) or refused (-1) */
        }
    } else {
        if (ctx->read_only) {
            plan_job_free(j);
            NL_ERR(err, NL_ERR_USAGE, "read-only",
                   "Read-only mode (--read-only): changes are off.");
            return -1;
        }
        if (!ctx->lab) {
            plan_job_free(j);
            NL_ERR(err, NL_ERR_STATE, NULL, "No lab is loaded yet; wait for the inventory.");
            return -1;
        }
        if (in->kind == UI_INTENT_TRUNK && !in->value) {
            plan_job_free(j);
            NL_ERR(err, NL_ERR_USAGE, NULL,
                   "Removing trunk port groups is done by undoing the change that added them "
                   "(J, then u).");
            return -1;
        }
        j->vswitch = in->vswitch ? xstrdup(in->vswitch) : NULL;
        j->journal_id = in->journal_id ? xstrdup(in->journal_id) : NULL;
        for (size_t i = 0; i < in->n_ids; i++)
            if (in->ids[i])
                app_strv_push(&j->ids, &j->n_ids, xstrdup(in->ids[i]));
    }
    j->lab = nl_lab_clone(ctx->lab);
    nl_lab_link(j->lab);
    struct plan_job_ctx *pc = xcalloc(1, sizeof(*pc));
    pc->job = j;
    pc->transport = xstrdup(ctx->ep ? nl_endpoint_executor(ctx->ep)->transport : "vcenter");
    int id = j->id;
    if (!app_submit(ctx, plan_job_run, pc)) {
        free(pc->transport);
        free(pc);
        plan_job_free(j);
        NL_ERR(err, NL_ERR_STATE, NULL, "The console is shutting down.");
        return -1;
    }
    ctx->plans = xgrow(ctx->plans, &ctx->cap_plans, ctx->n_plans + 1, sizeof(*ctx->plans));
    ctx->plans[ctx->n_plans++] =
        (struct app_plan){.id = id, .state = APP_PLAN_BUILDING, .ep = ctx->ep};
    return id;
}

static void move_events(struct app_ctx *ctx, struct ui_events *ev)
{
    for (size_t i = 0; i < ev->n; i++) {
        ctx->events.v =
            xgrow(ctx->events.v, &ctx->events.cap, ctx->events.n + 1, sizeof(*ctx->events.v));
        ctx->events.v[ctx->events.n++] = ev->v[i];
    }
    ev->n = 0;
}

void app_plan_planned(struct app_ctx *ctx, struct app_plan_result *r)
{
    struct app_plan *p = find_plan(ctx, r->id);
    if (!p || p->cancelled) {
        if (p)
            drop_plan(ctx, r->id);
        return;
    }
    if (!r->plan) {
        char text[700];
        nl_err_format(&r->err, text, sizeof(text));
        ui_events_add(&ctx->events, UI_EV_ERROR, r->id, text);
        drop_plan(ctx, r->id);
        return;
    }
    p->plan = r->plan;
    r->plan = NULL;
    p->state = APP_PLAN_READY;
    move_events(ctx, &r->events);
}

/* ---- applying ------------------------------------------------------------------------------- */

struct apply_job {
    struct app_ctx *ctx;
    int id;
    struct ops_plan *plan;
    struct nl_endpoint *ep;
    atomic_bool *cancel; /* owned by the context's app_plan, which outlives this job */
};

static bool was_cancelled(const struct ops_plan *plan)
{
    for (size_t i = 0; i < plan->n_steps; i++)
        if (plan->steps[i].result == OPS_RESULT_NOT_RUN &&
            strcmp(plan->steps[i].error.detail, "cancelled") == 0)
            return true;
    return false;
}

static enum ui_step_state step_state(const struct ops_step *s)
{
    if (s->status != OPS_STEP_PLANNED)
        return UI_STEP_SKIPPED;
    switch (s->result) {
    case OPS_RESULT_OK:
        return s->verify == OPS_VERIFY_MISMATCH ? UI_STEP_FAILED : UI_STEP_OK;
    case OPS_RESULT_FAILED:
    case OPS_RESULT_NOT_RUN:
    case OPS_RESULT_UNKNOWN:
        return UI_STEP_FAILED;
    case OPS_RESULT_NONE:
        break;
    }
    return UI_STEP_PENDING;
}

/* Called on the engine's workers, one at a time. */
static void progress(const struct ops_progress *p, void *user)
{
    struct apply_job *j = user;
    struct ui_events ev = {0};
    if (p->event == OPS_PROGRESS_VERIFYING) {
        ui_events_add(&ev, UI_EV_MESSAGE, j->id, "Verifying: reading the lab again...");
    } else {
        struct ui_event *e = ui_events_add(&ev, UI_EV_STEP, j->id, NULL);
        e->step = (int)p->index;
        if (p->event == OPS_PROGRESS_STARTED) {
            e->state = UI_STEP_RUNNING;
        } else {
            e->state = step_state(p->step);
            e->text = app_step_what(p->plan, p->step);
        }
    }
    app_post_events(j->ctx, &ev);
}

/* One change at a time per endpoint, shared with every other nestlab (lock.h); the console does
 * not wait: the other one's change would make this plan stale anyway. */
static enum nl_code app_change_lock(struct nl_endpoint *ep, struct ops_lock **lock,
                                    struct nl_err *err)
{
    char *path = nl_endpoint_lock_path(nl_endpoint_name(ep), err);
    if (!path)
        return err->code;
    enum nl_code rc = ops_lock_acquire(path, nl_endpoint_name(ep), "the nestlab console", 0, NULL,
                                       NULL, lock, err);
    free(path);
    return rc;
}

static void apply_job_run(void *arg)
{
    struct apply_job *j = arg;
    struct app_plan_result *r = xcalloc(1, sizeof(*r));
    r->id = j->id;
    struct ops_apply_opts ao;
    ops_apply_opts_init(&ao);
    ao.progress = progress;
    ao.progress_user = j;
    ao.journal_path = j->ctx->journal_path;
    ao.cancel = j->cancel;
    struct nl_err err = {0};
    enum nl_code rc;
    struct ops_lock *lock = NULL;
    if (atomic_load(&j->ctx->stopping)) /* quit before it started: nothing was changed */
        rc = NL_ERR(&err, NL_ERR_STATE, NULL, "The console quit before the change started.");
    else
        rc = app_change_lock(j->ep, &lock, &err);
    /* The same write-ahead journal as the command line: a cancel, a quit or a kill of the
     * console leaves the record of every step sent. */
    if (rc == NL_OK)
        rc = ops_apply(j->plan, nl_endpoint_executor(j->ep), &ao, &err);
    ops_lock_release(&lock);
    /* Final step texts carry the verification. */
    for (size_t i = 0; i < j->plan->n_steps; i++) {
        const struct ops_step *s = &j->plan->steps[i];
        if (s->status != OPS_STEP_PLANNED)
            continue;
        struct ui_event *e = ui_events_add(&r->events, UI_EV_STEP, j->id, NULL);
        e->step = (int)i;
        e->state = step_state(s);
        e->text = app_step_what(j->plan, s);
    }
    char *summary = ops_plan_summary(j->plan);
    if (was_cancelled(j->plan)) {
        char *c = xasprintf("Cancelled, steps not started were not run: %s", summary);
        free(summary);
        summary = c;
    }
    char text[900];
    if (rc != NL_OK) {
        char msg[600];
        nl_err_format(&err, msg, sizeof(msg));
        snprintf(text, sizeof(text), "%s. %s", summary, msg);
    } else if (j->plan->journal_id) {
        snprintf(text, sizeof(text), "%s. Journal %s (u undoes it).", summary, j->plan->journal_id);
    } else {
        snprintf(text, sizeof(text), "%s.", summary);
    }
    free(summary);
    bool ok = rc == NL_OK && ops_plan_exit_status(j->plan) == 0;
    ui_events_add(&r->events, UI_EV_PLAN_DONE, j->id, text)->ok = ok;
    r->plan = j->plan;
    struct app_ctx *ctx = j->ctx;
    nl_queue_push(ctx->q, nl_msg_new(APP_MSG_APPLIED, r, app_plan_result_free));
    free(j);
    atomic_fetch_sub(&ctx->applying, 1); /* last: quitting waits for this */
}

enum nl_code app_plan_apply(void *vctx, int plan_id, struct nl_err *err)
{
    struct app_ctx *ctx = vctx;
    struct app_plan *p = find_plan(ctx, plan_id);
    if (ctx->read_only)
        return NL_ERR(err, NL_ERR_USAGE, "read-only",
                      "Read-only mode (--read-only): changes are off.");
    if (!p || p->state != APP_PLAN_READY || !p->plan)
        return NL_ERR(err, NL_ERR_STATE, NULL, "Plan %d is not waiting to be applied.", plan_id);
    if (!ctx->ep)
        return NL_ERR(err, NL_ERR_CONNECT, NULL,
                      "Not connected to vCenter or to the hosts; press r to try again.");
    if (p->ep != ctx->ep)
        return NL_ERR(err, NL_ERR_STATE, NULL,
                      "The connection changed since this plan was made (now through %s); plan it "
                      "again.",
                      nl_endpoint_mode(ctx->ep) == NL_MODE_VCENTER ? "vCenter" : "SSH");
    struct apply_job *j = xcalloc(1, sizeof(*j));
    j->ctx = ctx;
    j->id = plan_id;
    j->plan = p->plan;
    j->ep = ctx->ep;
    if (!p->cancel) {
        p->cancel = xmalloc(sizeof(*p->cancel));
        atomic_init(p->cancel, false);
    }
    j->cancel = p->cancel;
    atomic_fetch_add(&ctx->applying, 1);
    if (!app_submit(ctx, apply_job_run, j)) {
        atomic_fetch_sub(&ctx->applying, 1);
        free(j);
        return NL_ERR(err, NL_ERR_STATE, NULL, "The console is shutting down.");
    }
    p->plan = NULL; /* the job owns it until APP_MSG_APPLIED */
    p->state = APP_PLAN_APPLYING;
    return NL_OK;
}

void app_plan_applied(struct app_ctx *ctx, struct app_plan_result *r)
{
    move_events(ctx, &r->events);
    drop_plan(ctx, r->id);
    NL_INFO("plan %d applied", r->id);
    app_journal_reload(ctx);
    /* Show what the hosts say now (vCenter's watcher may be quicker; this is the sure way). */
    app_refresh(ctx);
}

void app_plan_cancel(void *vctx, int plan_id)
{
    struct app_ctx *ctx = vctx;
    struct app_plan *p = find_plan(ctx, plan_id);
    if (!p)
        return;
    if (p->state == APP_PLAN_BUILDING)
        p->cancelled = true;
    else if (p->state == APP_PLAN_READY)
        drop_plan(ctx, plan_id);
    else if (p->state == APP_PLAN_APPLYING && p->cancel && !atomic_exchange(p->cancel, true))
        /* Steps already sent cannot be called back: they finish, are verified and journaled. */
        ui_events_add(&ctx->events, UI_EV_MESSAGE, plan_id,
                      "Cancelling: no new steps start; the running ones finish first.");
}

void app_plans_cancel_all(struct app_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_plans; i++)
        if (ctx->plans[i].state == APP_PLAN_APPLYING && ctx->plans[i].cancel)
            atomic_store(ctx->plans[i].cancel, true);
}
