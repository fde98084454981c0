/* Running a plan: one job per host group, a fixed set of worker threads taking groups from a
 * shared counter (so at most `parallel` hosts are busy and a slow host never holds back the
 * others), the steps of a group in plan order. Verification is in apply_verify.c.
 *
 * Every step is journaled as it goes (journal.h, the write-ahead journal): the whole set before
 * the first call, "start" before each call, the outcome after it, the final record at the end.
 * The run state is shared by the caller and the workers and freed by whoever leaves it last,
 * because an abandoned apply returns while workers are still inside their calls. */
#include "backend/ops/apply.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/apply_verify.h"
#include "backend/ops/journal.h"
#include "backend/ops/plan_util.h"

void ops_apply_opts_init(struct ops_apply_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->parallel = OPS_APPLY_DEFAULT_PARALLEL;
}

struct run {
    struct ops_plan *plan;
    const struct ops_executor *ex;
    struct ops_apply_opts opts; /* a copy: workers may outlive the caller's */
    struct ops_wal *wal;        /* NULL: not journaled */
    size_t **group_steps;       /* per group: step indexes in plan order */
    size_t *group_len;
    size_t n_groups;
    atomic_size_t next_group;
    pthread_mutex_t lock; /* guards everything below, the steps' results, and the journal order */
    pthread_cond_t changed;
    size_t done, total;
    bool *in_flight;     /* per step: its call has been sent and has not returned */
    bool abandoned;      /* the caller left; workers coming back touch nothing but this struct */
    bool journal_failed; /* a start record could not be written: no new calls */
    size_t running;      /* worker threads (and the re-read thread) still inside */
    int refs;            /* the caller + every thread; the last one frees */
    bool reread_done;
    struct nl_lab *now; /* the re-read lab, taken by the caller */
    struct nl_err reread_err;
};

static void run_free(struct run *r)
{
    for (size_t g = 0; g < r->n_groups; g++)
        free(r->group_steps[g]);
    free(r->group_steps);
    free(r->group_len);
    free(r->in_flight);
    nl_lab_free(&r->now);
    ops_wal_free(&r->wal);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->changed);
    free(r);
}

/* Called with r->lock held; frees r when it was the last reference (then unlocks first). */
static void run_leave(struct run *r)
{
    bool last = --r->refs == 0;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    if (last)
        run_free(r);
}

static bool abandon_asked(const struct run *r)
{
    return r->opts.abandon && atomic_load(r->opts.abandon);
}

/* With r->lock held. */
static void progress(struct run *r, enum ops_progress_event ev, size_t index)
{
    if (ev == OPS_PROGRESS_FINISHED)
        r->done++;
    if (r->opts.progress) {
        struct ops_progress p = {
            .event = ev,
            .plan = r->plan,
            .step = ev == OPS_PROGRESS_VERIFYING ? NULL : &r->plan->steps[index],
            .index = index,
            .done = r->done,
            .total = r->total,
        };
        r->opts.progress(&p, r->opts.progress_user);
    }
}

/* The flags a security step changes; the others stay UNSET so the executor leaves them as the
 * host has them at that moment. */
static struct nl_security changed_flags(const struct ops_step *s)
{
    struct nl_security w;
    nl_security_init(&w);
    if (s->after.sec.promiscuous != s->before.sec.promiscuous)
        w.promiscuous = s->after.sec.promiscuous;
    if (s->after.sec.forged_transmits != s->before.sec.forged_transmits)
        w.forged_transmits = s->after.sec.forged_transmits;
    if (s->after.sec.mac_changes != s->before.sec.mac_changes)
        w.mac_changes = s->after.sec.mac_changes;
    return w;
}

static enum nl_code missing_op(const struct ops_executor *ex, const char *what, struct nl_err *e)
{
    return NL_ERR(e, NL_ERR_INTERNAL, NULL, "The '%s' transport cannot %s.",
                  ex->transport ? ex->transport : "unknown", what);
}

static enum nl_code call_executor(const struct ops_executor *ex, const struct ops_plan *plan,
                                  const struct ops_step *s, struct nl_err *e)
{
    const struct nl_host *h = &plan->lab->hosts[s->host];
    const struct nl_vm *vm = s->vm >= 0 ? &plan->lab->vms[s->vm] : NULL;
    switch (s->kind) {
    case OPS_STEP_SET_VSWITCH_SECURITY: {
        if (!ex->set_vswitch_security)
            return missing_op(ex, "change vSwitch security", e);
        struct nl_security want = changed_flags(s);
        return ex->set_vswitch_security(ex->ctx, h, s->vswitch, &want, e);
    }
    case OPS_STEP_ADD_PORTGROUP:
        if (!ex->add_portgroup)
            return missing_op(ex, "add port groups", e);
        return ex->add_portgroup(ex->ctx, h, s->vswitch, s->portgroup, s->after.vlan, e);
    case OPS_STEP_SET_PORTGROUP:
        if (!ex->set_portgroup)
            return missing_op(ex, "change port groups", e);
        return ex->set_portgroup(ex->ctx, h, s->portgroup, s->after.vlan, &s->after.sec, e);
    case OPS_STEP_REMOVE_PORTGROUP:
        if (!ex->remove_portgroup)
            return missing_op(ex, "remove port groups", e);
        return ex->remove_portgroup(ex->ctx, h, s->vswitch, s->portgroup, e);
    case OPS_STEP_SET_NESTED_HV:
        if (!ex->set_nested_hv)
            return missing_op(ex, "change nested HV", e);
        return ex->set_nested_hv(ex->ctx, h, vm, s->after.nested_hv == NL_TRI_TRUE, e);
    case OPS_STEP_POWER_OFF:
    case OPS_STEP_POWER_ON:
        if (!ex->set_power)
            return missing_op(ex, "power VMs on or off", e);
        return ex->set_power(ex->ctx, h, vm, s->kind == OPS_STEP_POWER_ON, e);
    }
    return NL_ERR(e, NL_ERR_INTERNAL, NULL, "The step kind %d is unknown.", (int)s->kind);
}

/* A cancel stops new work, except the rest of a power-cycle chain whose power-off ran: the VM is
 * off because of this plan and must come back (its prerequisite ran earlier on this same
 * worker, so reading its result is safe). A journal that cannot be written stops new work
 * without exception: a call that is not journaled first is not made. */
static bool cancelled(const struct run *r, const struct ops_step *s)
{
    if (r->journal_failed)
        return true;
    if (!r->opts.cancel || !atomic_load(r->opts.cancel))
        return false;
    return !(s->chain > 0 && s->depends >= 0 && r->plan->steps[s->depends].result == OPS_RESULT_OK);
}

/* The outcome of a step that was not sent, with r->lock held; its record is written by the
 * caller once the lock is released. */
static void not_run(struct run *r, struct ops_step *s, size_t index, const char *detail,
                    char *message)
{
    s->result = OPS_RESULT_NOT_RUN;
    NL_ERR(&s->error, NL_ERR_STATE, detail, "%s", message);
    free(message);
    progress(r, OPS_PROGRESS_FINISHED, index);
}

static void record_outcome(struct run *r, size_t index)
{
    struct nl_err e = {0};
    if (r->wal && ops_wal_step_done(r->wal, index, &r->plan->steps[index], &e) != NL_OK)
        NL_WARN("journal: the outcome of step %zu was not recorded: %s", index, e.message);
}

/* Runs one step; false when the caller has abandoned the apply (the worker must leave). */
static bool run_step(struct run *r, size_t index)
{
    struct ops_plan *plan = r->plan;
    struct ops_step *s = &plan->steps[index];
    pthread_mutex_lock(&r->lock);
    if (r->abandoned) {
        pthread_mutex_unlock(&r->lock);
        return false;
    }
    if (cancelled(r, s)) {
        not_run(r, s, index, "cancelled",
                xstrdup(r->journal_failed
                            ? "Not run: the journal could not be written, so no new call was made."
                            : "Not run: the apply was cancelled before it started."));
        pthread_mutex_unlock(&r->lock);
        record_outcome(r, index);
        return true;
    }
    if (s->depends >= 0 && plan->steps[s->depends].result != OPS_RESULT_OK) {
        /* Its prerequisite ran earlier on this same worker, so reading its result is safe. */
        char *what = ops_step_text(plan, &plan->steps[s->depends]);
        not_run(r, s, index, NULL,
                xasprintf("Not run because an earlier step it needs did not succeed: %s.", what));
        free(what);
        pthread_mutex_unlock(&r->lock);
        record_outcome(r, index);
        return true;
    }
    struct nl_err e = {0};
    if (r->wal && ops_wal_step_started(r->wal, index, &e) != NL_OK) {
        NL_WARN("journal: %s; no new calls are made", e.message);
        r->journal_failed = true;
        not_run(r, s, index, "cancelled",
                xasprintf("Not run: the journal could not be written (%s).", e.message));
        pthread_mutex_unlock(&r->lock);
        return true;
    }
    r->in_flight[index] = true;
    progress(r, OPS_PROGRESS_STARTED, index);
    pthread_mutex_unlock(&r->lock);

    enum nl_code rc = call_executor(r->ex, plan, s, &e);

    pthread_mutex_lock(&r->lock);
    if (r->abandoned) { /* recorded as unknown by the caller; the plan is no longer ours */
        pthread_mutex_unlock(&r->lock);
        return false;
    }
    r->in_flight[index] = false;
    if (rc != NL_OK) {
        if (!nl_err_is_set(&e))
            NL_ERR(&e, rc, NULL, "The '%s' transport reported a failure without a message.",
                   r->ex->transport ? r->ex->transport : "unknown");
        s->error = e;
        s->result = OPS_RESULT_FAILED;
        NL_WARN("step %zu (%s) failed: %s", index, ops_step_kind_name(s->kind), e.message);
    } else {
        s->result = OPS_RESULT_OK;
    }
    progress(r, OPS_PROGRESS_FINISHED, index);
    pthread_mutex_unlock(&r->lock);
    record_outcome(r, index);
    return true;
}

static void *worker(void *arg)
{
    struct run *r = arg;
    bool go = true;
    while (go) {
        size_t g = atomic_fetch_add(&r->next_group, 1);
        if (g >= r->n_groups)
            break;
        for (size_t k = 0; go && k < r->group_len[g]; k++)
            go = run_step(r, r->group_steps[g][k]);
    }
    pthread_mutex_lock(&r->lock);
    r->running--;
    run_leave(r);
    return NULL;
}

/* Waits with r->lock held until `done` holds or the caller asks to abandon; true if done. */
static bool wait_for(struct run *r, bool (*done)(const struct run *))
{
    while (!done(r)) {
        if (abandon_asked(r))
            return false;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&r->changed, &r->lock, &ts);
    }
    return true;
}

static bool workers_done(const struct run *r)
{
    return r->running == 0;
}

static bool reread_done(const struct run *r)
{
    return r->reread_done;
}

/* With r->lock held: the calls still in flight become unknown, the steps not started not run. */
static void abandon(struct run *r)
{
    r->abandoned = true;
    for (size_t i = 0; i < r->plan->n_steps; i++) {
        struct ops_step *s = &r->plan->steps[i];
        if (r->in_flight[i]) {
            s->result = OPS_RESULT_UNKNOWN;
            NL_ERR(&s->error, NL_ERR_STATE, "abandoned",
                   "Abandoned while its call was in flight: whether it took effect is unknown "
                   "(nestlab journal --reconcile settles it; undo restores it either way).");
        } else if (s->status == OPS_STEP_PLANNED && s->group >= 0 && s->result == OPS_RESULT_NONE) {
            s->result = OPS_RESULT_NOT_RUN;
            NL_ERR(&s->error, NL_ERR_STATE, "cancelled",
                   "Not run: the apply was cancelled before it started.");
        }
    }
    r->plan->abandoned = true;
    NL_WARN("apply of '%s' abandoned with calls in flight", r->plan->intent_text);
}

/* Starts the workers and waits for them (or for the caller to abandon them). */
static void run_groups(struct run *r, unsigned parallel)
{
    size_t n_threads = parallel < r->n_groups ? parallel : r->n_groups;
    pthread_t *threads = xcalloc(n_threads + 1, sizeof(*threads));
    size_t started = 0;
    pthread_mutex_lock(&r->lock);
    for (size_t t = 0; t < n_threads; t++) {
        if (pthread_create(&threads[t], NULL, worker, r) != 0)
            break; /* fewer workers still finish every group */
        started++;
        r->running++;
        r->refs++;
    }
    if (started == 0) {
        /* No thread could start: run everything here, sequentially. */
        pthread_mutex_unlock(&r->lock);
        for (size_t g = 0; g < r->n_groups; g++)
            for (size_t k = 0; k < r->group_len[g]; k++)
                run_step(r, r->group_steps[g][k]);
        free(threads);
        return;
    }
    bool done = wait_for(r, workers_done);
    if (!done)
        abandon(r);
    pthread_mutex_unlock(&r->lock);
    for (size_t t = 0; t < started; t++) {
        if (done)
            pthread_join(threads[t], NULL);
        else
            pthread_detach(threads[t]);
    }
    free(threads);
}

static void *reread_thread(void *arg)
{
    struct run *r = arg;
    struct nl_err e = {0};
    struct nl_lab *now = ops_apply_reread(r->plan, r->ex, &e);
    pthread_mutex_lock(&r->lock);
    r->now = now; /* freed with r when the caller abandoned it */
    r->reread_err = e;
    r->reread_done = true;
    r->running--;
    run_leave(r);
    return NULL;
}

/* The verification re-read on its own thread, so a second interrupt can abandon a re-read that
 * waits on a hung server. */
static void verify(struct run *r)
{
    if (!ops_apply_needs_reread(r->plan))
        return;
    pthread_t t;
    pthread_mutex_lock(&r->lock);
    progress(r, OPS_PROGRESS_VERIFYING, 0);
    r->running++;
    r->refs++;
    if (pthread_create(&t, NULL, reread_thread, r) != 0) {
        r->running--;
        r->refs--;
        pthread_mutex_unlock(&r->lock);
        ops_apply_verify(r->plan, r->ex);
        return;
    }
    bool done = wait_for(r, reread_done);
    if (done) {
        struct nl_lab *now = r->now;
        r->now = NULL;
        pthread_mutex_unlock(&r->lock);
        pthread_join(t, NULL);
        ops_apply_verify_with(r->plan, now, &r->reread_err);
        return;
    }
    r->abandoned = true;
    r->plan->abandoned = true;
    pthread_mutex_unlock(&r->lock);
    pthread_detach(t);
    xstrset(&r->plan->verify_error,
            "the re-read was abandoned (a second interrupt) before the lab answered");
}

enum nl_code ops_apply(struct ops_plan *plan, const struct ops_executor *ex,
                       const struct ops_apply_opts *opts_in, struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    if (!plan || !ex)
        return NL_ERR(err, NL_ERR_USAGE, NULL, "A plan and an executor are needed to apply.");
    if (plan->applied)
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "This plan was applied already; plan again to fix what is still wrong.");

    struct run *r = xcalloc(1, sizeof(*r));
    if (opts_in)
        r->opts = *opts_in;
    else
        ops_apply_opts_init(&r->opts);
    unsigned parallel = r->opts.parallel ? r->opts.parallel : OPS_APPLY_DEFAULT_PARALLEL;
    r->plan = plan;
    r->ex = ex;
    r->refs = 1;
    atomic_init(&r->next_group, 0);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    r->n_groups = (size_t)plan->n_groups;
    r->group_steps = xcalloc(r->n_groups + 1, sizeof(*r->group_steps));
    r->group_len = xcalloc(r->n_groups + 1, sizeof(*r->group_len));
    r->in_flight = xcalloc(plan->n_steps + 1, sizeof(*r->in_flight));
    for (size_t i = 0; i < plan->n_steps; i++) {
        const struct ops_step *s = &plan->steps[i];
        if (s->status != OPS_STEP_PLANNED || s->group < 0)
            continue;
        size_t g = (size_t)s->group;
        r->group_steps[g] = xrealloc(r->group_steps[g], (r->group_len[g] + 1) * sizeof(size_t));
        r->group_steps[g][r->group_len[g]++] = i;
        r->total++;
    }
    if (r->total == 0) {
        plan->applied = true;
        goto cleanup;
    }
    if (r->opts.journal_path) {
        struct nl_err je = {0};
        if (ops_wal_begin(r->opts.journal_path, plan, ex->transport, &r->wal, &je) != NL_OK) {
            rc = NL_ERR(err, NL_ERR_IO, je.detail[0] ? je.detail : NULL,
                        "Nothing was changed: the change set could not be journaled before "
                        "the first call. %s",
                        je.message);
            goto cleanup;
        }
        plan->journal_id = xstrdup(ops_wal_id(r->wal));
    }
    plan->applied = true;

    NL_INFO("applying '%s': %zu steps on %zu hosts through %s, %u at once", plan->intent_text,
            r->total, r->n_groups, ex->transport ? ex->transport : "?", parallel);
    run_groups(r, parallel);
    if (r->opts.cancel && atomic_load(r->opts.cancel))
        NL_WARN("apply of '%s' was cancelled; steps not yet started were not run",
                plan->intent_text);
    if (!r->opts.no_verify && !plan->abandoned)
        verify(r);
    /* Workers that come back after an abandon touch nothing but r, so the plan is ours. */
    if (r->wal) {
        struct nl_err je = {0};
        if (ops_wal_end(r->wal, plan, ex->transport, &je) != NL_OK)
            rc = NL_ERR(err, NL_ERR_IO, NULL, "%s", je.message);
    }

cleanup:
    pthread_mutex_lock(&r->lock);
    run_leave(r);
    return rc;
}

const struct nl_lab *ops_plan_verified_lab(const struct ops_plan *plan)
{
    return plan ? plan->verified_lab : NULL;
}
