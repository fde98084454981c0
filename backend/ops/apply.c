/* Running a plan: one job per host group, a fixed set of worker threads taking groups from a
 * shared counter (so at most `parallel` hosts are busy and a slow host never holds back the
 * others), the steps of a group in plan order. Verification is in apply_verify.c. */
#include "backend/ops/apply.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

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
    const struct ops_apply_opts *opts;
    size_t **group_steps; /* per group: step indexes in plan order */
    size_t *group_len;
    atomic_size_t next_group;
    pthread_mutex_t progress_lock;
    size_t done, total;
};

static void progress(struct run *r, enum ops_progress_event ev, size_t index)
{
    if (!r->opts->progress && ev != OPS_PROGRESS_FINISHED)
        return;
    pthread_mutex_lock(&r->progress_lock);
    if (ev == OPS_PROGRESS_FINISHED)
        r->done++;
    if (r->opts->progress) {
        struct ops_progress p = {
            .event = ev,
            .plan = r->plan,
            .step = ev == OPS_PROGRESS_VERIFYING ? NULL : &r->plan->steps[index],
            .index = index,
            .done = r->done,
            .total = r->total,
        };
        r->opts->progress(&p, r->opts->progress_user);
    }
    pthread_mutex_unlock(&r->progress_lock);
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
 * worker, so reading its result is safe). */
static bool cancelled(const struct run *r, const struct ops_step *s)
{
    if (!r->opts->cancel || !atomic_load(r->opts->cancel))
        return false;
    return !(s->chain > 0 && s->depends >= 0 && r->plan->steps[s->depends].result == OPS_RESULT_OK);
}

static void run_step(struct run *r, size_t index)
{
    struct ops_plan *plan = r->plan;
    struct ops_step *s = &plan->steps[index];
    if (cancelled(r, s)) {
        s->result = OPS_RESULT_NOT_RUN;
        NL_ERR(&s->error, NL_ERR_STATE, "cancelled",
               "Not run: the apply was cancelled before it started.");
        progress(r, OPS_PROGRESS_FINISHED, index);
        return;
    }
    progress(r, OPS_PROGRESS_STARTED, index);
    if (s->depends >= 0 && plan->steps[s->depends].result != OPS_RESULT_OK) {
        /* Its prerequisite ran earlier on this same worker, so reading its result is safe. */
        char *what = ops_step_text(plan, &plan->steps[s->depends]);
        s->result = OPS_RESULT_NOT_RUN;
        NL_ERR(&s->error, NL_ERR_STATE, NULL,
               "Not run because an earlier step it needs did not succeed: %s.", what);
        free(what);
    } else {
        struct nl_err e = {0};
        enum nl_code rc = call_executor(r->ex, plan, s, &e);
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
    }
    progress(r, OPS_PROGRESS_FINISHED, index);
}

static void *worker(void *arg)
{
    struct run *r = arg;
    for (;;) {
        size_t g = atomic_fetch_add(&r->next_group, 1);
        if (g >= (size_t)r->plan->n_groups)
            break;
        for (size_t k = 0; k < r->group_len[g]; k++)
            run_step(r, r->group_steps[g][k]);
    }
    return NULL;
}

static void run_groups(struct run *r, unsigned parallel)
{
    size_t n_groups = (size_t)r->plan->n_groups;
    size_t n_threads = parallel < n_groups ? parallel : n_groups;
    pthread_t *threads = xcalloc(n_threads + 1, sizeof(*threads));
    size_t started = 0;
    for (size_t t = 0; t < n_threads; t++) {
        if (pthread_create(&threads[t], NULL, worker, r) != 0)
            break; /* fewer workers still finish every group */
        started++;
    }
    if (started == 0)
        worker(r); /* no thread could start: run everything here, sequentially */
    for (size_t t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    free(threads);
}

enum nl_code ops_apply(struct ops_plan *plan, const struct ops_executor *ex,
                       const struct ops_apply_opts *opts_in, struct nl_err *err)
{
    struct ops_apply_opts defaults;
    const struct ops_apply_opts *opts = opts_in;
    enum nl_code rc = NL_OK;
    struct run r;
    if (!opts) {
        ops_apply_opts_init(&defaults);
        opts = &defaults;
    }
    if (!plan || !ex)
        return NL_ERR(err, NL_ERR_USAGE, NULL, "A plan and an executor are needed to apply.");
    if (plan->applied)
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "This plan was applied already; plan again to fix what is still wrong.");

    memset(&r, 0, sizeof(r));
    r.plan = plan;
    r.ex = ex;
    r.opts = opts;
    atomic_init(&r.next_group, 0);
    pthread_mutex_init(&r.progress_lock, NULL);
    size_t n_groups = (size_t)plan->n_groups;
    r.group_steps = xcalloc(n_groups + 1, sizeof(*r.group_steps));
    r.group_len = xcalloc(n_groups + 1, sizeof(*r.group_len));
    for (size_t i = 0; i < plan->n_steps; i++) {
        const struct ops_step *s = &plan->steps[i];
        if (s->status != OPS_STEP_PLANNED || s->group < 0)
            continue;
        size_t g = (size_t)s->group;
        r.group_steps[g] = xrealloc(r.group_steps[g], (r.group_len[g] + 1) * sizeof(size_t));
        r.group_steps[g][r.group_len[g]++] = i;
        r.total++;
    }
    plan->applied = true;
    if (r.total == 0)
        goto cleanup;

    NL_INFO("applying '%s': %zu steps on %zu hosts through %s, %u at once", plan->intent_text,
            r.total, n_groups, ex->transport ? ex->transport : "?",
            opts->parallel ? opts->parallel : OPS_APPLY_DEFAULT_PARALLEL);
    run_groups(&r, opts->parallel ? opts->parallel : OPS_APPLY_DEFAULT_PARALLEL);
    if (opts->cancel && atomic_load(opts->cancel))
        NL_WARN("apply of '%s' was cancelled; steps not yet started were not run",
                plan->intent_text);

    if (!opts->no_verify) {
        progress(&r, OPS_PROGRESS_VERIFYING, 0);
        ops_apply_verify(plan, ex);
    }
    if (opts->journal_path) {
        char *id = NULL;
        rc = ops_journal_append(opts->journal_path, plan, ex->transport, &id, err);
        if (rc == NL_OK)
            plan->journal_id = id;
        else
            free(id);
    }

cleanup:
    for (size_t g = 0; g < n_groups; g++)
        free(r.group_steps[g]);
    free(r.group_steps);
    free(r.group_len);
    pthread_mutex_destroy(&r.progress_lock);
    return rc;
}

const struct nl_lab *ops_plan_verified_lab(const struct ops_plan *plan)
{
    return plan ? plan->verified_lab : NULL;
}
