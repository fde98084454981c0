/* Planning: lab + scope + intent -> steps. Pure: reads a copy of the lab, changes nothing. The
 * restore intent (undo) is planned in plan_restore.c with the per-VM helpers exported through
 * plan_build.h. */
#include "backend/ops/plan.h"

#include <stdlib.h>
#include <string.h>

#include "backend/core/buf.h"
#include "backend/core/term_text.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/plan_build.h"
#include "backend/ops/plan_util.h"

void ops_value_init(struct ops_value *v)
{
    memset(v, 0, sizeof(*v));
    v->present = false;
    v->vlan = -1;
    nl_security_init(&v->sec);
    v->nested_hv = NL_TRI_UNSET;
    v->power = NL_POWER_UNKNOWN;
}

void ops_intent_init(struct ops_intent *in, enum ops_intent_kind kind)
{
    memset(in, 0, sizeof(*in));
    in->kind = kind;
    in->trunk.vlan = OPS_VLAN_TRUNK;
    nl_security_init(&in->security.want);
}

/* ---- step construction (plan_build.h) --------------------------------------------------- */

struct ops_step *ops_plan_add_step(struct ops_plan *plan, enum ops_step_kind kind,
                                   const struct nl_host *host, ssize_t host_index)
{
    plan->steps = xrealloc(plan->steps, (plan->n_steps + 1) * sizeof(*plan->steps));
    struct ops_step *s = &plan->steps[plan->n_steps++];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    s->host = host ? host_index : -1;
    s->vm = -1;
    s->depends = -1;
    s->group = -1;
    if (host) {
        s->host_id = xstrdup(host->id);
        s->host_name = xstrdup(host->name);
    }
    ops_value_init(&s->before);
    ops_value_init(&s->after);
    s->status = OPS_STEP_PLANNED;
    return s;
}

void ops_step_skip(struct ops_step *s, enum ops_step_status status, const char *reason)
{
    s->status = status;
    xstrset(&s->reason, reason);
}

/* Why changes on this host cannot be made now, or NULL. */
char *ops_host_blocked_reason(const struct nl_host *h)
{
    char *name = nl_term_name(h->name);
    char *r = NULL;
    if (h->connection == NL_CONN_DISCONNECTED)
        r = xasprintf("host '%s' is disconnected", name);
    else if (h->connection == NL_CONN_NOT_RESPONDING)
        r = xasprintf("host '%s' is not responding", name);
    free(name);
    return r;
}

static const struct nl_host *vm_host(const struct nl_lab *lab, const struct nl_vm *vm,
                                     ssize_t *index)
{
    *index = vm->host;
    if (vm->host < 0 || (size_t)vm->host >= lab->n_hosts) {
        *index = -1;
        return NULL;
    }
    return &lab->hosts[vm->host];
}

static struct ops_step *vm_step(struct ops_plan *plan, enum ops_step_kind kind, size_t vm_index)
{
    const struct nl_vm *vm = &plan->lab->vms[vm_index];
    ssize_t hi;
    const struct nl_host *h = vm_host(plan->lab, vm, &hi);
    struct ops_step *s = ops_plan_add_step(plan, kind, h, hi);
    s->vm = (ssize_t)vm_index;
    s->vm_id = xstrdup(vm->id);
    s->vm_name = xstrdup(vm->name);
    s->target_id = xstrdup(vm->id);
    s->target_name = xstrdup(vm->name);
    return s;
}

/* Why the VM cannot be changed now (host unknown or down), or NULL. */
static char *vm_blocked_reason(const struct nl_lab *lab, const struct nl_vm *vm)
{
    ssize_t hi;
    const struct nl_host *h = vm_host(lab, vm, &hi);
    if (!h)
        return xstrdup("the host running the VM is unknown");
    return ops_host_blocked_reason(h);
}

void ops_plan_vm_power(struct ops_plan *plan, size_t vm_index, bool on)
{
    const struct nl_vm *vm = &plan->lab->vms[vm_index];
    enum nl_power want = on ? NL_POWER_ON : NL_POWER_OFF;
    struct ops_step *s = vm_step(plan, on ? OPS_STEP_POWER_ON : OPS_STEP_POWER_OFF, vm_index);
    s->before.power = vm->power;
    s->after.power = want;
    char *blocked = vm_blocked_reason(plan->lab, vm);
    if (vm->power == want) {
        s->after.power = vm->power;
        ops_step_skip(s, OPS_STEP_COMPLIANT, "already compliant");
    } else if (blocked) {
        ops_step_skip(s, OPS_STEP_BLOCKED, blocked);
    }
    free(blocked);
}

void ops_plan_vm_nested_hv(struct ops_plan *plan, size_t vm_index, bool on, bool power_cycle)
{
    const struct nl_vm *vm = &plan->lab->vms[vm_index];
    /* A server that does not report nestedHVEnabled has it off (vsphere.md §2.2). */
    enum nl_tri have = vm->nested_hv == NL_TRI_TRUE ? NL_TRI_TRUE : NL_TRI_FALSE;
    enum nl_tri want = on ? NL_TRI_TRUE : NL_TRI_FALSE;
    char *blocked = vm_blocked_reason(plan->lab, vm);
    char *reason = NULL;

    if (have == want) {
        struct ops_step *s = vm_step(plan, OPS_STEP_SET_NESTED_HV, vm_index);
        s->before.nested_hv = s->after.nested_hv = have;
        ops_step_skip(s, OPS_STEP_COMPLIANT, "already compliant");
        goto cleanup;
    }
    if (!blocked && on && vm->hw_version > 0 && vm->hw_version < 9)
        reason = xasprintf("vmx-%02d < vmx-09", vm->hw_version);
    else if (!blocked && vm->power == NL_POWER_SUSPENDED)
        reason = xstrdup("suspended — resume and power it off first");
    else if (!blocked && vm->power == NL_POWER_ON && !power_cycle)
        reason = xstrdup("powered on — use --power-cycle");
    if (blocked || reason) {
        struct ops_step *s = vm_step(plan, OPS_STEP_SET_NESTED_HV, vm_index);
        s->before.nested_hv = have;
        s->after.nested_hv = want;
        ops_step_skip(s, OPS_STEP_BLOCKED, blocked ? blocked : reason);
        goto cleanup;
    }
    if (vm->power == NL_POWER_ON) {
        int chain = ++plan->n_chains;
        size_t off_index = plan->n_steps;
        struct ops_step *s = vm_step(plan, OPS_STEP_POWER_OFF, vm_index);
        s->before.power = NL_POWER_ON;
        s->after.power = NL_POWER_OFF;
        s->chain = chain;
        s = vm_step(plan, OPS_STEP_SET_NESTED_HV, vm_index);
        s->before.nested_hv = have;
        s->after.nested_hv = want;
        s->chain = chain;
        s->depends = (ssize_t)off_index;
        s = vm_step(plan, OPS_STEP_POWER_ON, vm_index);
        s->before.power = NL_POWER_OFF;
        s->after.power = NL_POWER_ON;
        s->chain = chain;
        s->depends = (ssize_t)off_index;
    } else {
        struct ops_step *s = vm_step(plan, OPS_STEP_SET_NESTED_HV, vm_index);
        s->before.nested_hv = have;
        s->after.nested_hv = want;
    }
cleanup:
    free(blocked);
    free(reason);
}

/* ---- validation ------------------------------------------------------------------------- */

static enum nl_code check_name(const char *what, const char *name, struct nl_err *err)
{
    if (!name || !*name)
        return NL_ERR(err, NL_ERR_USAGE, NULL, "A %s name is required and must not be empty.",
                      what);
    if (!nl_utf8_valid(name)) {
        char *safe = nl_term_name(name);
        NL_ERR(err, NL_ERR_USAGE, NULL, "The %s name '%s' is not valid UTF-8.", what, safe);
        free(safe);
        return NL_ERR_USAGE;
    }
    return NL_OK;
}

static enum nl_code need_hosts(const struct ops_scope *scope, const char *verb, struct nl_err *err)
{
    if (!scope || scope->n_hosts == 0)
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "The selection has no hosts, and %s changes hosts; select them with "
                      "--cluster, --host, --all-physical, --all-nested or --all.",
                      verb);
    return NL_OK;
}

/* NL_ERR_NOT_FOUND when no host in scope has the vSwitch although some host reported its
 * vSwitches (a typo, not a host that is down), with suggestions from the names they have. */
static enum nl_code check_vswitch_known(const struct nl_lab *lab, const struct ops_scope *scope,
                                        const char *vswitch, struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    const char **names = NULL;
    size_t n = 0;
    bool any_network = false;
    for (size_t i = 0; i < scope->n_hosts; i++) {
        const struct nl_host *h = nl_lab_find_host(lab, scope->host_ids[i]);
        if (!h)
            continue;
        if (nl_host_find_vswitch(h, vswitch))
            goto cleanup;
        any_network = any_network || h->n_vswitches > 0;
        names = xrealloc(names, (n + h->n_vswitches + 1) * sizeof(*names));
        for (size_t v = 0; v < h->n_vswitches; v++)
            names[n++] = h->vswitches[v].name;
    }
    if (any_network) {
        char *safe = nl_term_name(vswitch);
        char *sugg = ops_suggest(vswitch, names, n);
        if (sugg)
            rc = NL_ERR(err, NL_ERR_NOT_FOUND, NULL,
                        "No host in the selection has a vSwitch named '%s'; did you mean %s?", safe,
                        sugg);
        else
            rc = NL_ERR(err, NL_ERR_NOT_FOUND, NULL,
                        "No host in the selection has a vSwitch named '%s'.", safe);
        free(safe);
        free(sugg);
    }
cleanup:
    free(names);
    return rc;
}

/* ---- network intents -------------------------------------------------------------------- */

static struct ops_step *host_step(struct ops_plan *plan, enum ops_step_kind kind, size_t hi,
                                  const char *vswitch, const char *pg)
{
    const struct nl_host *h = &plan->lab->hosts[hi];
    struct ops_step *s = ops_plan_add_step(plan, kind, h, (ssize_t)hi);
    s->target_id = xstrdup(h->id);
    s->target_name = xstrdup(pg ? pg : vswitch);
    s->vswitch = xstrdup(vswitch);
    s->portgroup = xstrdup(pg);
    return s;
}

static bool same_str(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* The port-group override with every flag that contradicts want cleared (inherit). */
static struct nl_security without_defeating(const struct nl_security *ov,
                                            const struct nl_security *want)
{
    struct nl_security r = *ov;
    if (want->promiscuous != NL_TRI_UNSET && r.promiscuous != want->promiscuous)
        r.promiscuous = NL_TRI_UNSET;
    if (want->forged_transmits != NL_TRI_UNSET && r.forged_transmits != want->forged_transmits)
        r.forged_transmits = NL_TRI_UNSET;
    if (want->mac_changes != NL_TRI_UNSET && r.mac_changes != want->mac_changes)
        r.mac_changes = NL_TRI_UNSET;
    return r;
}

struct nl_security ops_security_merge(const struct nl_security *have,
                                      const struct nl_security *want)
{
    struct nl_security r = *have;
    if (want->promiscuous != NL_TRI_UNSET)
        r.promiscuous = want->promiscuous;
    if (want->forged_transmits != NL_TRI_UNSET)
        r.forged_transmits = want->forged_transmits;
    if (want->mac_changes != NL_TRI_UNSET)
        r.mac_changes = want->mac_changes;
    return r;
}

void ops_plan_host_security(struct ops_plan *plan, size_t hi, const char *vswitch,
                            const struct nl_security *want, bool clear_overrides)
{
    const struct nl_host *h = &plan->lab->hosts[hi];
    const struct nl_vswitch *vs = nl_host_find_vswitch(h, vswitch);
    struct ops_step *s = host_step(plan, OPS_STEP_SET_VSWITCH_SECURITY, hi, vswitch, NULL);
    char *blocked = ops_host_blocked_reason(h);
    if (vs) {
        s->before.sec = vs->security;
        s->after.sec = ops_security_merge(&vs->security, want);
    } else {
        s->after.sec = *want;
    }
    if (blocked) {
        ops_step_skip(s, OPS_STEP_BLOCKED, blocked);
        goto cleanup;
    }
    if (!vs) {
        char *safe = nl_term_name(vswitch);
        char *reason = xasprintf("vSwitch '%s' not found on host", safe);
        ops_step_skip(s, OPS_STEP_BLOCKED, reason);
        free(reason);
        free(safe);
        goto cleanup;
    }
    if (ops_security_matches(&vs->security, want))
        ops_step_skip(s, OPS_STEP_COMPLIANT, "already compliant");
    if (!clear_overrides)
        goto cleanup;
    for (size_t p = 0; p < h->n_portgroups; p++) {
        const struct nl_portgroup *pg = &h->portgroups[p];
        if (!same_str(pg->vswitch, vswitch))
            continue;
        struct nl_security cleared = without_defeating(&pg->override, want);
        if (ops_security_equal(&cleared, &pg->override))
            continue;
        struct ops_step *ps = host_step(plan, OPS_STEP_SET_PORTGROUP, hi, vswitch, pg->name);
        ps->before.present = ps->after.present = true;
        ps->before.vlan = ps->after.vlan = pg->vlan;
        ps->before.sec = pg->override;
        ps->after.sec = cleared;
    }
cleanup:
    free(blocked);
}

void ops_plan_host_portgroup(struct ops_plan *plan, size_t hi, const char *vswitch,
                             const char *name, int vlan, const struct nl_security *override,
                             bool keep_override)
{
    const struct nl_host *h = &plan->lab->hosts[hi];
    const struct nl_portgroup *pg = nl_host_find_portgroup(h, name);
    const struct nl_vswitch *vs = nl_host_find_vswitch(h, vswitch);
    char *blocked = ops_host_blocked_reason(h);
    struct ops_step *s =
        host_step(plan, pg ? OPS_STEP_SET_PORTGROUP : OPS_STEP_ADD_PORTGROUP, hi, vswitch, name);
    struct nl_security none;
    nl_security_init(&none);
    s->after.present = true;
    s->after.vlan = vlan;
    s->after.sec = none;
    if (pg) {
        s->before.present = true;
        s->before.vlan = pg->vlan;
        s->before.sec = pg->override;
        s->after.sec = keep_override ? pg->override : *override;
    }
    if (blocked) {
        ops_step_skip(s, OPS_STEP_BLOCKED, blocked);
    } else if (!vs) {
        char *safe = nl_term_name(vswitch);
        char *reason = xasprintf("vSwitch '%s' not found on host", safe);
        ops_step_skip(s, OPS_STEP_BLOCKED, reason);
        free(reason);
        free(safe);
    } else if (pg && !same_str(pg->vswitch, vswitch)) {
        char *a = nl_term_name(name), *b = nl_term_name(pg->vswitch), *c = nl_term_name(vswitch);
        char *reason = xasprintf("port group '%s' is on vSwitch '%s', not '%s'", a, b, c);
        ops_step_skip(s, OPS_STEP_BLOCKED, reason);
        free(reason);
        free(a);
        free(b);
        free(c);
    } else if (pg && pg->vlan == vlan && ops_security_equal(&pg->override, &s->after.sec)) {
        ops_step_skip(s, OPS_STEP_COMPLIANT, "already compliant");
    } else if (!pg && !keep_override && !ops_security_is_unset(override)) {
        /* AddPortGroup takes no overrides; a second step sets them. */
        size_t add_index = plan->n_steps - 1;
        struct ops_step *ss = host_step(plan, OPS_STEP_SET_PORTGROUP, hi, vswitch, name);
        ss->before.present = true;
        ss->before.vlan = vlan;
        ss->after.present = true;
        ss->after.vlan = vlan;
        ss->after.sec = *override;
        ss->depends = (ssize_t)add_index;
    }
    free(blocked);
}

void ops_plan_host_remove_portgroup(struct ops_plan *plan, size_t hi, const char *vswitch,
                                    const char *name)
{
    const struct nl_host *h = &plan->lab->hosts[hi];
    const struct nl_portgroup *pg = nl_host_find_portgroup(h, name);
    struct ops_step *s = host_step(plan, OPS_STEP_REMOVE_PORTGROUP, hi,
                                   pg && pg->vswitch ? pg->vswitch : vswitch, name);
    char *blocked = ops_host_blocked_reason(h);
    if (pg) {
        s->before.present = true;
        s->before.vlan = pg->vlan;
        s->before.sec = pg->override;
    }
    if (!pg)
        ops_step_skip(s, OPS_STEP_COMPLIANT, "already compliant");
    else if (blocked)
        ops_step_skip(s, OPS_STEP_BLOCKED, blocked);
    free(blocked);
}

/* ---- the plan --------------------------------------------------------------------------- */

static char *intent_text(const struct ops_intent *in)
{
    char *a = NULL, *b = NULL, *t = NULL;
    switch (in->kind) {
    case OPS_INTENT_NESTED_HV:
        t = xasprintf("nested HV %s%s", in->nested_hv.on ? "on" : "off",
                      in->nested_hv.power_cycle ? " (power-cycling powered-on VMs)" : "");
        break;
    case OPS_INTENT_TRUNK:
        a = nl_term_name(in->trunk.portgroup);
        b = nl_term_name(in->trunk.vswitch);
        t = xasprintf("trunk port group '%s' with VLAN %d on vSwitch '%s'", a, in->trunk.vlan, b);
        break;
    case OPS_INTENT_SECURITY: {
        struct nl_buf buf;
        const struct nl_security *w = &in->security.want;
        nl_buf_init(&buf, 0);
        a = nl_term_name(in->security.vswitch);
        nl_buf_appendf(&buf, NULL, "security on vSwitch '%s':", a);
        const char *sep = " ";
        if (w->promiscuous != NL_TRI_UNSET) {
            nl_buf_appendf(&buf, NULL, "%spromiscuous %s", sep, ops_flag_word(w->promiscuous));
            sep = ", ";
        }
        if (w->forged_transmits != NL_TRI_UNSET) {
            nl_buf_appendf(&buf, NULL, "%sforged transmits %s", sep,
                           ops_flag_word(w->forged_transmits));
            sep = ", ";
        }
        if (w->mac_changes != NL_TRI_UNSET)
            nl_buf_appendf(&buf, NULL, "%sMAC changes %s", sep, ops_flag_word(w->mac_changes));
        if (in->security.clear_pg_overrides)
            nl_buf_append_str(&buf, ", clearing port-group overrides that defeat it", NULL);
        t = nl_buf_steal(&buf);
        nl_buf_free(&buf);
        break;
    }
    case OPS_INTENT_POWER:
        t = xasprintf("power %s", in->power.on ? "on" : "off");
        break;
    case OPS_INTENT_RESTORE:
        a = nl_term_name(in->restore.undo_of);
        t = in->restore.undo_of ? xasprintf("undo of change set %s", a)
                                : xstrdup("restore recorded values");
        break;
    }
    free(a);
    free(b);
    return t;
}

static enum nl_code validate(const struct ops_intent *in, const struct ops_scope *scope,
                             struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    switch (in->kind) {
    case OPS_INTENT_TRUNK:
        if (in->trunk.vlan < 0 || in->trunk.vlan > 4095)
            return NL_ERR(err, NL_ERR_USAGE, NULL,
                          "VLAN %d is outside the valid range 0-4095 (4095 is a trunk).",
                          in->trunk.vlan);
        if ((rc = check_name("port group", in->trunk.portgroup, err)) != NL_OK)
            return rc;
        if ((rc = check_name("vSwitch", in->trunk.vswitch, err)) != NL_OK)
            return rc;
        return need_hosts(scope, "a trunk port group", err);
    case OPS_INTENT_SECURITY:
        if ((rc = check_name("vSwitch", in->security.vswitch, err)) != NL_OK)
            return rc;
        if (ops_security_is_unset(&in->security.want))
            return NL_ERR(err, NL_ERR_USAGE, NULL,
                          "No security flag to change was given; use --promiscuous, "
                          "--forged-transmits or --mac-changes with accept or reject.");
        return need_hosts(scope, "vSwitch security", err);
    case OPS_INTENT_NESTED_HV:
    case OPS_INTENT_POWER:
        if (!scope || scope->n_vms == 0)
            return NL_ERR(err, NL_ERR_USAGE, NULL,
                          "The selection has no VMs; name the VMs, or select hosts or clusters "
                          "whose nested-hypervisor VMs should change.");
        return NL_OK;
    case OPS_INTENT_RESTORE:
        if (in->restore.n_items && !in->restore.items)
            return NL_ERR(err, NL_ERR_USAGE, NULL, "The restore intent has no items.");
        return NL_OK;
    }
    return NL_ERR(err, NL_ERR_USAGE, NULL, "The change kind %d is unknown.", (int)in->kind);
}

/* One group per host so the executor never sees two calls for one host at once; numbered
 * densely in order of first appearance. Skipped steps get no group. */
static void assign_groups(struct ops_plan *plan)
{
    size_t n_hosts = plan->lab->n_hosts;
    int *group_of = xmalloc((n_hosts + 1) * sizeof(*group_of));
    for (size_t i = 0; i <= n_hosts; i++)
        group_of[i] = -1;
    plan->n_groups = 0;
    for (size_t i = 0; i < plan->n_steps; i++) {
        struct ops_step *s = &plan->steps[i];
        if (s->status != OPS_STEP_PLANNED || s->host < 0)
            continue;
        if (group_of[s->host] < 0)
            group_of[s->host] = plan->n_groups++;
        s->group = group_of[s->host];
    }
    free(group_of);
}

enum nl_code ops_plan_new(const struct nl_lab *lab, const struct ops_scope *scope,
                          const struct ops_intent *in, struct ops_plan **out, struct nl_err *err)
{
    enum nl_code rc;
    struct ops_plan *plan = NULL;
    *out = NULL;
    if ((rc = validate(in, scope, err)) != NL_OK)
        return rc;
    if (in->kind == OPS_INTENT_TRUNK &&
        (rc = check_vswitch_known(lab, scope, in->trunk.vswitch, err)) != NL_OK)
        return rc;
    if (in->kind == OPS_INTENT_SECURITY &&
        (rc = check_vswitch_known(lab, scope, in->security.vswitch, err)) != NL_OK)
        return rc;

    plan = xcalloc(1, sizeof(*plan));
    plan->lab = nl_lab_clone(lab);
    nl_lab_link(plan->lab);
    plan->kind = in->kind;
    plan->intent_text = intent_text(in);
    plan->undo_of = in->kind == OPS_INTENT_RESTORE ? xstrdup(in->restore.undo_of) : NULL;

    for (size_t i = 0; in->kind != OPS_INTENT_RESTORE && i < scope->n_hosts; i++) {
        const struct nl_host *h = nl_lab_find_host(plan->lab, scope->host_ids[i]);
        if (!h)
            continue;
        size_t hi = (size_t)(h - plan->lab->hosts);
        if (in->kind == OPS_INTENT_SECURITY)
            ops_plan_host_security(plan, hi, in->security.vswitch, &in->security.want,
                                   in->security.clear_pg_overrides);
        else if (in->kind == OPS_INTENT_TRUNK)
            ops_plan_host_portgroup(plan, hi, in->trunk.vswitch, in->trunk.portgroup,
                                    in->trunk.vlan, NULL, true);
    }
    for (size_t i = 0; in->kind != OPS_INTENT_RESTORE && i < scope->n_vms; i++) {
        const struct nl_vm *vm = nl_lab_find_vm(plan->lab, scope->vm_ids[i]);
        if (!vm)
            continue;
        size_t vi = (size_t)(vm - plan->lab->vms);
        if (in->kind == OPS_INTENT_NESTED_HV)
            ops_plan_vm_nested_hv(plan, vi, in->nested_hv.on, in->nested_hv.power_cycle);
        else if (in->kind == OPS_INTENT_POWER)
            ops_plan_vm_power(plan, vi, in->power.on);
    }
    if (in->kind == OPS_INTENT_RESTORE)
        ops_plan_restore(plan, in->restore.items, in->restore.n_items);
    assign_groups(plan);
    *out = plan;
    return NL_OK;
}

void ops_plan_free(struct ops_plan **planp)
{
    if (!planp || !*planp)
        return;
    struct ops_plan *plan = *planp;
    for (size_t i = 0; i < plan->n_steps; i++)
        ops_step_clear(&plan->steps[i]);
    free(plan->steps);
    nl_lab_free(&plan->lab);
    nl_lab_free(&plan->verified_lab);
    free(plan->intent_text);
    free(plan->undo_of);
    free(plan->journal_id);
    free(plan->verify_error);
    free(plan);
    *planp = NULL;
}

void ops_step_clear(struct ops_step *s)
{
    if (!s)
        return;
    free(s->target_id);
    free(s->target_name);
    free(s->host_id);
    free(s->host_name);
    free(s->vm_id);
    free(s->vm_name);
    free(s->vswitch);
    free(s->portgroup);
    free(s->reason);
    free(s->verify_note);
    memset(s, 0, sizeof(*s));
}

void ops_plan_counts(const struct ops_plan *plan, struct ops_counts *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < plan->n_steps; i++) {
        const struct ops_step *s = &plan->steps[i];
        c->planned += s->status == OPS_STEP_PLANNED;
        c->compliant += s->status == OPS_STEP_COMPLIANT;
        c->blocked += s->status == OPS_STEP_BLOCKED;
        c->ok += s->result == OPS_RESULT_OK;
        c->failed += s->result == OPS_RESULT_FAILED;
        c->not_run += s->result == OPS_RESULT_NOT_RUN;
        c->unknown += s->result == OPS_RESULT_UNKNOWN;
        /* A failed or unknown step is re-read too (apply_verify.c), but its verification says
         * where the target stands, not whether the change holds: only successes count here. */
        if (s->result != OPS_RESULT_OK)
            continue;
        c->verified += s->verify == OPS_VERIFY_OK;
        c->mismatched += s->verify == OPS_VERIFY_MISMATCH;
        c->unverified += s->verify == OPS_VERIFY_UNKNOWN;
    }
}

int ops_plan_exit_status(const struct ops_plan *plan)
{
    struct ops_counts c;
    ops_plan_counts(plan, &c);
    for (size_t i = 0; i < plan->n_steps; i++)
        if (plan->steps[i].result == OPS_RESULT_FAILED)
            return nl_code_exit_status(plan->steps[i].error.code ? plan->steps[i].error.code
                                                                 : NL_ERR_INTERNAL);
    if (c.not_run || c.unknown)
        return nl_code_exit_status(NL_ERR_STATE);
    if (c.blocked || c.mismatched || c.unverified)
        return nl_code_exit_status(NL_ERR_STATE);
    return 0;
}

/* ---- names ------------------------------------------------------------------------------ */

static const char *const step_kind_names[] = {
    [OPS_STEP_SET_VSWITCH_SECURITY] = "set_vswitch_security",
    [OPS_STEP_ADD_PORTGROUP] = "add_portgroup",
    [OPS_STEP_SET_PORTGROUP] = "set_portgroup",
    [OPS_STEP_REMOVE_PORTGROUP] = "remove_portgroup",
    [OPS_STEP_SET_NESTED_HV] = "set_nested_hv",
    [OPS_STEP_POWER_OFF] = "power_off",
    [OPS_STEP_POWER_ON] = "power_on",
};

const char *ops_step_kind_name(enum ops_step_kind k)
{
    if ((size_t)k < sizeof(step_kind_names) / sizeof(step_kind_names[0]))
        return step_kind_names[k];
    return "unknown";
}

bool ops_step_kind_parse(const char *name, enum ops_step_kind *out)
{
    for (size_t i = 0; name && i < sizeof(step_kind_names) / sizeof(step_kind_names[0]); i++) {
        if (strcmp(step_kind_names[i], name) == 0) {
            *out = (enum ops_step_kind)i;
            return true;
        }
    }
    return false;
}

const char *ops_step_status_name(enum ops_step_status s)
{
    switch (s) {
    case OPS_STEP_PLANNED:
        return "planned";
    case OPS_STEP_COMPLIANT:
        return "compliant";
    case OPS_STEP_BLOCKED:
        return "blocked";
    }
    return "unknown";
}

const char *ops_result_name(enum ops_result r)
{
    switch (r) {
    case OPS_RESULT_NONE:
        return "none";
    case OPS_RESULT_OK:
        return "ok";
    case OPS_RESULT_FAILED:
        return "failed";
    case OPS_RESULT_NOT_RUN:
        return "not_run";
    case OPS_RESULT_UNKNOWN:
        return "unknown";
    }
    return "unknown";
}

const char *ops_verify_name(enum ops_verify v)
{
    switch (v) {
    case OPS_VERIFY_NONE:
        return "none";
    case OPS_VERIFY_OK:
        return "verified";
    case OPS_VERIFY_MISMATCH:
        return "mismatch";
    case OPS_VERIFY_UNKNOWN:
        return "unknown";
    }
    return "unknown";
}

const char *ops_intent_kind_name(enum ops_intent_kind k)
{
    switch (k) {
    case OPS_INTENT_NESTED_HV:
        return "nested_hv";
    case OPS_INTENT_TRUNK:
        return "trunk";
    case OPS_INTENT_SECURITY:
        return "security";
    case OPS_INTENT_POWER:
        return "power";
    case OPS_INTENT_RESTORE:
        return "restore";
    }
    return "unknown";
}
