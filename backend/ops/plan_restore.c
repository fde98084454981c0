/* The restore intent: put recorded values back. Each item is compared with the lab as it is
 * now, so an undo of a change that someone already reverted is "already compliant", not a
 * second change. Targets are found by id, then by name (an undo over SSH of a change made
 * through vCenter sees other ids for the same hosts). */
#include <stdlib.h>
#include <string.h>

#include "backend/core/term_text.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/plan_build.h"
#include "backend/ops/plan_util.h"

static ssize_t find_host(const struct nl_lab *lab, const char *id, const char *name)
{
    const struct nl_host *h = id ? nl_lab_find_host(lab, id) : NULL;
    if (!h && name)
        h = nl_lab_find_host_by_name(lab, name);
    return h ? (ssize_t)(h - lab->hosts) : -1;
}

static ssize_t find_vm(const struct nl_lab *lab, const char *id, const char *name)
{
    const struct nl_vm *vm = id ? nl_lab_find_vm(lab, id) : NULL;
    if (!vm && name)
        vm = nl_lab_find_vm_by_name(lab, name);
    return vm ? (ssize_t)(vm - lab->vms) : -1;
}

static enum ops_step_kind item_step_kind(const struct ops_restore_item *it)
{
    switch (it->kind) {
    case OPS_RESTORE_VSWITCH_SECURITY:
        return OPS_STEP_SET_VSWITCH_SECURITY;
    case OPS_RESTORE_PORTGROUP:
        return it->want.present ? OPS_STEP_ADD_PORTGROUP : OPS_STEP_REMOVE_PORTGROUP;
    case OPS_RESTORE_NESTED_HV:
        return OPS_STEP_SET_NESTED_HV;
    case OPS_RESTORE_POWER:
        return it->want.power == NL_POWER_ON ? OPS_STEP_POWER_ON : OPS_STEP_POWER_OFF;
    }
    return OPS_STEP_SET_VSWITCH_SECURITY;
}

/* A blocked step for a target that is no longer in the lab, with the recorded names. */
static void missing(struct ops_plan *plan, const struct ops_restore_item *it, bool vm_missing)
{
    struct ops_step *s = ops_plan_add_step(plan, item_step_kind(it), NULL, -1);
    s->host_id = xstrdup(it->host_id);
    s->host_name = xstrdup(it->host_name);
    s->vm_id = xstrdup(it->vm_id);
    s->vm_name = xstrdup(it->vm_name);
    s->vswitch = xstrdup(it->vswitch);
    s->portgroup = xstrdup(it->portgroup);
    s->target_id = xstrdup(vm_missing ? it->vm_id : it->host_id);
    s->target_name = xstrdup(vm_missing      ? it->vm_name
                             : it->portgroup ? it->portgroup
                                             : it->vswitch);
    s->after = it->want;
    char *name = nl_term_name(vm_missing ? it->vm_name : it->host_name);
    char *reason = xasprintf("%s '%s' is no longer in the lab", vm_missing ? "VM" : "host", name);
    ops_step_skip(s, OPS_STEP_BLOCKED, reason);
    free(reason);
    free(name);
}

void ops_plan_restore(struct ops_plan *plan, const struct ops_restore_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct ops_restore_item *it = &items[i];
        if (it->kind == OPS_RESTORE_NESTED_HV || it->kind == OPS_RESTORE_POWER) {
            ssize_t vi = find_vm(plan->lab, it->vm_id, it->vm_name);
            if (vi < 0) {
                missing(plan, it, true);
            } else if (it->kind == OPS_RESTORE_POWER) {
                ops_plan_vm_power(plan, (size_t)vi, it->want.power == NL_POWER_ON);
            } else {
                ops_plan_vm_nested_hv(plan, (size_t)vi, it->want.nested_hv == NL_TRI_TRUE,
                                      it->power_cycle);
            }
            continue;
        }
        ssize_t hi = find_host(plan->lab, it->host_id, it->host_name);
        if (hi < 0) {
            missing(plan, it, false);
        } else if (it->kind == OPS_RESTORE_VSWITCH_SECURITY) {
            ops_plan_host_security(plan, (size_t)hi, it->vswitch, &it->want.sec, false);
        } else if (!it->want.present) {
            ops_plan_host_remove_portgroup(plan, (size_t)hi, it->vswitch, it->portgroup);
        } else {
            ops_plan_host_portgroup(plan, (size_t)hi, it->vswitch, it->portgroup, it->want.vlan,
                                    &it->want.sec, false);
        }
    }
}
