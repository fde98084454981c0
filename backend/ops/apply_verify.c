/* Verification after apply: re-read the lab once through the executor and compare, for every
 * step that was sent, the value it set with what the server now reports (a failed or unknown
 * step is located: after, before, or neither -- many failures are partial). A value that a later
 * successful step of the same group changes again (the power-off of a power cycle) is not
 * checked: only the final value of each target is. */
#include "backend/ops/apply_verify.h"

#include <stdlib.h>
#include <string.h>

#include "backend/core/buf.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/plan_util.h"

/* What a step changes, so two steps that change the same thing can be recognised. */
enum target_class { T_SECURITY, T_PORTGROUP, T_NESTED_HV, T_POWER };

static enum target_class target_class(enum ops_step_kind k)
{
    switch (k) {
    case OPS_STEP_SET_VSWITCH_SECURITY:
        return T_SECURITY;
    case OPS_STEP_ADD_PORTGROUP:
    case OPS_STEP_SET_PORTGROUP:
    case OPS_STEP_REMOVE_PORTGROUP:
        return T_PORTGROUP;
    case OPS_STEP_SET_NESTED_HV:
        return T_NESTED_HV;
    case OPS_STEP_POWER_OFF:
    case OPS_STEP_POWER_ON:
        break;
    }
    return T_POWER;
}

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool ops_steps_same_target(const struct ops_step *a, const struct ops_step *b)
{
    if (target_class(a->kind) != target_class(b->kind))
        return false;
    /* Id and name: steps read back from a journal may carry ids of another transport. */
    bool same_host = str_eq(a->host_id, b->host_id) && str_eq(a->host_name, b->host_name);
    switch (target_class(a->kind)) {
    case T_SECURITY:
        return same_host && str_eq(a->vswitch, b->vswitch);
    case T_PORTGROUP:
        return same_host && str_eq(a->portgroup, b->portgroup);
    case T_NESTED_HV:
    case T_POWER:
        break;
    }
    return str_eq(a->vm_id, b->vm_id) && str_eq(a->vm_name, b->vm_name);
}

static const struct nl_host *find_host(const struct nl_lab *lab, const struct ops_step *s)
{
    const struct nl_host *h = s->host_id ? nl_lab_find_host(lab, s->host_id) : NULL;
    return h ? h : s->host_name ? nl_lab_find_host_by_name(lab, s->host_name) : NULL;
}

static const struct nl_vm *find_vm(const struct nl_lab *lab, const struct ops_step *s)
{
    const struct nl_vm *vm = s->vm_id ? nl_lab_find_vm(lab, s->vm_id) : NULL;
    return vm ? vm : s->vm_name ? nl_lab_find_vm_by_name(lab, s->vm_name) : NULL;
}

static void flag_diff(struct nl_buf *b, const char *label, enum nl_tri have, enum nl_tri want,
                      bool override)
{
    if (want == have || (!override && want == NL_TRI_UNSET))
        return;
    const char *hw = override && have == NL_TRI_UNSET ? "inherit" : ops_flag_word(have);
    const char *ww = override && want == NL_TRI_UNSET ? "inherit" : ops_flag_word(want);
    nl_buf_appendf(b, NULL, "%s%s is %s, expected %s", b->len ? "; " : "", label, hw, ww);
}

static void security_diff(struct nl_buf *b, const struct nl_security *have,
                          const struct nl_security *want, bool override)
{
    flag_diff(b, "promiscuous", have->promiscuous, want->promiscuous, override);
    flag_diff(b, "forged transmits", have->forged_transmits, want->forged_transmits, override);
    flag_diff(b, "MAC changes", have->mac_changes, want->mac_changes, override);
}

enum ops_verify ops_step_check(const struct nl_lab *now, const struct ops_step *s, char **note)
{
    struct nl_buf b;
    nl_buf_init(&b, 0);
    enum ops_verify v = OPS_VERIFY_OK;
    if (target_class(s->kind) == T_NESTED_HV || target_class(s->kind) == T_POWER) {
        const struct nl_vm *vm = find_vm(now, s);
        if (!vm) {
            nl_buf_append_str(&b, "the re-read no longer shows the VM", NULL);
            v = OPS_VERIFY_UNKNOWN;
        } else if (s->kind == OPS_STEP_SET_NESTED_HV) {
            enum nl_tri have = vm->nested_hv == NL_TRI_TRUE ? NL_TRI_TRUE : NL_TRI_FALSE;
            if (have != s->after.nested_hv)
                nl_buf_appendf(&b, NULL, "nested HV is %s, expected %s", ops_onoff_word(have),
                               ops_onoff_word(s->after.nested_hv));
        } else if (vm->power != s->after.power) {
            nl_buf_appendf(&b, NULL, "power is %s, expected %s", nl_power_name(vm->power),
                           nl_power_name(s->after.power));
        }
        goto done;
    }
    const struct nl_host *h = find_host(now, s);
    if (!h) {
        nl_buf_append_str(&b, "the re-read no longer shows the host", NULL);
        v = OPS_VERIFY_UNKNOWN;
        goto done;
    }
    if (s->kind == OPS_STEP_SET_VSWITCH_SECURITY) {
        const struct nl_vswitch *vs = nl_host_find_vswitch(h, s->vswitch);
        if (!vs)
            nl_buf_append_str(&b, "the vSwitch is gone", NULL);
        else
            security_diff(&b, &vs->security, &s->after.sec, false);
        goto done;
    }
    const struct nl_portgroup *pg = nl_host_find_portgroup(h, s->portgroup);
    if (!s->after.present) {
        if (pg)
            nl_buf_append_str(&b, "the port group is still there", NULL);
    } else if (!pg) {
        nl_buf_append_str(&b, "the port group is missing", NULL);
    } else {
        if (pg->vlan != s->after.vlan)
            nl_buf_appendf(&b, NULL, "VLAN is %d, expected %d", pg->vlan, s->after.vlan);
        security_diff(&b, &pg->override, &s->after.sec, true);
    }
done:
    if (v == OPS_VERIFY_OK && b.len)
        v = OPS_VERIFY_MISMATCH;
    *note = b.len ? nl_buf_steal(&b) : NULL;
    nl_buf_free(&b);
    return v;
}

enum ops_step_where ops_step_where(const struct nl_lab *now, const struct ops_step *s, char **note)
{
    *note = NULL;
    enum ops_verify v = ops_step_check(now, s, note);
    if (v == OPS_VERIFY_OK)
        return OPS_WHERE_AFTER;
    if (v == OPS_VERIFY_UNKNOWN)
        return OPS_WHERE_GONE;
    struct ops_step as_before = *s; /* shallow: only compared, never freed */
    as_before.after = s->before;
    char *ignored = NULL;
    v = ops_step_check(now, &as_before, &ignored);
    free(ignored);
    return v == OPS_VERIFY_OK ? OPS_WHERE_BEFORE : OPS_WHERE_ELSE;
}

static bool was_sent(const struct ops_step *s)
{
    return s->result == OPS_RESULT_OK || s->result == OPS_RESULT_FAILED ||
           s->result == OPS_RESULT_UNKNOWN;
}

bool ops_apply_needs_reread(const struct ops_plan *plan)
{
    for (size_t i = 0; i < plan->n_steps; i++)
        if (was_sent(&plan->steps[i]))
            return true;
    return false;
}

struct nl_lab *ops_apply_reread(const struct ops_plan *plan, const struct ops_executor *ex,
                                struct nl_err *e)
{
    struct nl_lab *now = ex->reread ? ex->reread(ex->ctx, plan->lab, e) : NULL;
    if (!now && !ex->reread)
        NL_ERR(e, NL_ERR_INTERNAL, NULL, "The '%s' transport cannot re-read the lab.",
               ex->transport ? ex->transport : "unknown");
    else if (!now && !nl_err_is_set(e))
        NL_ERR(e, NL_ERR_INTERNAL, NULL, "The re-read returned nothing.");
    return now;
}

/* A step whose call failed or whose outcome is unknown: where does its target stand? */
static void locate(struct ops_step *s, const struct nl_lab *now)
{
    char *note = NULL;
    enum ops_step_where w = ops_step_where(now, s, &note);
    free(s->verify_note);
    switch (w) {
    case OPS_WHERE_AFTER:
        s->verify = OPS_VERIFY_OK;
        s->verify_note = xstrdup("the change is in place although the call did not confirm it");
        break;
    case OPS_WHERE_BEFORE:
        s->verify = OPS_VERIFY_MISMATCH;
        s->verify_note = xstrdup("as before: the change did not take effect");
        break;
    case OPS_WHERE_ELSE:
        s->verify = OPS_VERIFY_MISMATCH;
        s->verify_note = xasprintf("neither before nor after: %s", note ? note : "?");
        break;
    case OPS_WHERE_GONE:
        s->verify = OPS_VERIFY_UNKNOWN;
        s->verify_note = xstrdup(note ? note : "the target is gone");
        break;
    }
    free(note);
}

void ops_apply_verify_with(struct ops_plan *plan, struct nl_lab *now, const struct nl_err *e)
{
    if (!now)
        xstrset(&plan->verify_error, e && nl_err_is_set(e) ? e->message : "no re-read");
    else
        nl_lab_link(now); /* lookups need the index; a transport may hand it back unlinked */
    for (size_t i = 0; i < plan->n_steps; i++) {
        struct ops_step *s = &plan->steps[i];
        if (!was_sent(s))
            continue;
        bool superseded = false;
        for (size_t k = i + 1; k < plan->n_steps && !superseded; k++)
            superseded =
                plan->steps[k].result == OPS_RESULT_OK && ops_steps_same_target(s, &plan->steps[k]);
        if (superseded)
            continue;
        if (!now) {
            s->verify = OPS_VERIFY_UNKNOWN;
            xstrset(&s->verify_note, "the lab could not be re-read");
        } else if (s->result != OPS_RESULT_OK) {
            locate(s, now);
        } else {
            free(s->verify_note);
            s->verify_note = NULL;
            s->verify = ops_step_check(now, s, &s->verify_note);
        }
    }
    if (now) {
        nl_lab_free(&plan->verified_lab);
        plan->verified_lab = now;
    }
}

void ops_apply_verify(struct ops_plan *plan, const struct ops_executor *ex)
{
    if (!ops_apply_needs_reread(plan))
        return;
    struct nl_err e = {0};
    struct nl_lab *now = ops_apply_reread(plan, ex, &e);
    ops_apply_verify_with(plan, now, &e);
}
