/* The readable preview of a plan, and after apply the same lines with results. Names pass
 * through nl_term_name so a hostile name cannot drive the terminal. */
#include <stdlib.h>
#include <string.h>

#include "backend/core/buf.h"
#include "backend/core/term_text.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/plan.h"
#include "backend/ops/plan_util.h"

static void flag_text(struct nl_buf *b, const char **sep, const char *label, enum nl_tri before,
                      enum nl_tri after, bool override)
{
    const char *bw = override && before == NL_TRI_UNSET ? "inherit" : ops_flag_word(before);
    const char *aw = override && after == NL_TRI_UNSET ? "inherit" : ops_flag_word(after);
    if (before != after)
        nl_buf_appendf(b, NULL, "%s%s %s -> %s", *sep, label, bw, aw);
    else if (!override)
        nl_buf_appendf(b, NULL, "%s%s %s", *sep, label, aw);
    else
        return; /* an unchanged override is noise */
    *sep = ", ";
}

static void security_text(struct nl_buf *b, const struct nl_security *before,
                          const struct nl_security *after, bool override)
{
    const char *sep = "";
    const char *pfx = override ? "override " : "";
    char l1[32], l2[32], l3[32];
    snprintf(l1, sizeof(l1), "%spromiscuous", pfx);
    snprintf(l2, sizeof(l2), "%sforged transmits", pfx);
    snprintf(l3, sizeof(l3), "%sMAC changes", pfx);
    flag_text(b, &sep, l1, before->promiscuous, after->promiscuous, override);
    flag_text(b, &sep, l2, before->forged_transmits, after->forged_transmits, override);
    flag_text(b, &sep, l3, before->mac_changes, after->mac_changes, override);
}

static void vlan_text(struct nl_buf *b, int before, int after)
{
    if (before != after && before >= 0)
        nl_buf_appendf(b, NULL, "VLAN %d -> %d", before, after);
    else
        nl_buf_appendf(b, NULL, "VLAN %d", after);
}

/* What the step does, without host or status: "vSwitch 'vSwitch0' security: ...". */
static void what_text(struct nl_buf *b, const struct ops_step *s)
{
    char *vs = nl_term_name(s->vswitch);
    char *pg = nl_term_name(s->portgroup);
    char *vm = nl_term_name(s->vm_name);
    switch (s->kind) {
    case OPS_STEP_SET_VSWITCH_SECURITY:
        nl_buf_appendf(b, NULL, "vSwitch '%s' security: ", vs);
        security_text(b, &s->before.sec, &s->after.sec, false);
        break;
    case OPS_STEP_ADD_PORTGROUP:
        nl_buf_appendf(b, NULL, "add port group '%s' on vSwitch '%s' with VLAN %d", pg, vs,
                       s->after.vlan);
        break;
    case OPS_STEP_SET_PORTGROUP: {
        nl_buf_appendf(b, NULL, "port group '%s' on vSwitch '%s': ", pg, vs);
        vlan_text(b, s->before.vlan, s->after.vlan);
        if (!ops_security_equal(&s->before.sec, &s->after.sec)) {
            nl_buf_append_str(b, ", ", NULL);
            security_text(b, &s->before.sec, &s->after.sec, true);
        }
        break;
    }
    case OPS_STEP_REMOVE_PORTGROUP:
        if (s->before.present)
            nl_buf_appendf(b, NULL, "remove port group '%s' (VLAN %d) from vSwitch '%s'", pg,
                           s->before.vlan, vs);
        else
            nl_buf_appendf(b, NULL, "remove port group '%s' from vSwitch '%s'", pg, vs);
        break;
    case OPS_STEP_SET_NESTED_HV:
        if (s->before.nested_hv != s->after.nested_hv)
            nl_buf_appendf(b, NULL, "VM '%s': nested HV %s -> %s", vm,
                           ops_onoff_word(s->before.nested_hv), ops_onoff_word(s->after.nested_hv));
        else
            nl_buf_appendf(b, NULL, "VM '%s': nested HV %s", vm,
                           ops_onoff_word(s->after.nested_hv));
        break;
    case OPS_STEP_POWER_OFF:
    case OPS_STEP_POWER_ON:
        if (s->before.power != s->after.power)
            nl_buf_appendf(b, NULL, "VM '%s': power %s -> %s", vm, nl_power_name(s->before.power),
                           nl_power_name(s->after.power));
        else
            nl_buf_appendf(b, NULL, "VM '%s': power %s", vm, nl_power_name(s->after.power));
        break;
    }
    free(vs);
    free(pg);
    free(vm);
}

static const char *status_word(const struct ops_plan *plan, const struct ops_step *s)
{
    if (s->status == OPS_STEP_COMPLIANT)
        return "skip";
    if (s->status == OPS_STEP_BLOCKED)
        return "blocked";
    if (!plan->applied)
        return "change";
    switch (s->result) {
    case OPS_RESULT_OK:
        return "done";
    case OPS_RESULT_FAILED:
        return "FAILED";
    case OPS_RESULT_NOT_RUN:
        return "not run";
    case OPS_RESULT_UNKNOWN:
        return "UNKNOWN";
    case OPS_RESULT_NONE:
        break;
    }
    return "change";
}

static void step_line(struct nl_buf *b, const struct ops_plan *plan, const struct ops_step *s)
{
    char *host = nl_term_name(s->host_name ? s->host_name : "(unknown host)");
    nl_buf_appendf(b, NULL, "%-8s %s: ", status_word(plan, s), host);
    what_text(b, s);
    if (s->status != OPS_STEP_PLANNED && s->reason) {
        char *r = nl_term_line(s->reason);
        nl_buf_appendf(b, NULL, " (%s)", r);
        free(r);
    }
    if (s->result == OPS_RESULT_FAILED || s->result == OPS_RESULT_NOT_RUN ||
        s->result == OPS_RESULT_UNKNOWN) {
        char msg[640];
        nl_err_format(&s->error, msg, sizeof(msg));
        char *m = nl_term_line(msg);
        nl_buf_appendf(b, NULL, ": %s", m);
        free(m);
    }
    if (s->result != OPS_RESULT_OK && s->verify != OPS_VERIFY_NONE) {
        /* A failed or unknown step re-read: where its target stands now. */
        char *n = nl_term_name(s->verify_note ? s->verify_note : "?");
        nl_buf_appendf(b, NULL, " [re-read: %s]", n);
        free(n);
    } else if (s->verify == OPS_VERIFY_OK) {
        nl_buf_append_str(b, " [verified]", NULL);
    } else if (s->verify == OPS_VERIFY_MISMATCH || s->verify == OPS_VERIFY_UNKNOWN) {
        char *n = nl_term_line(s->verify_note);
        nl_buf_appendf(b, NULL, " [%s: %s]",
                       s->verify == OPS_VERIFY_MISMATCH ? "NOT VERIFIED" : "unverified", n);
        free(n);
    }
    free(host);
}

char *ops_step_what(const struct ops_step *s)
{
    struct nl_buf b;
    nl_buf_init(&b, 0);
    char *host = nl_term_name(s->host_name ? s->host_name : "(unknown host)");
    nl_buf_appendf(&b, NULL, "%s: ", host);
    free(host);
    what_text(&b, s);
    return nl_buf_steal(&b);
}

char *ops_step_text(const struct ops_plan *plan, const struct ops_step *step)
{
    struct nl_buf b;
    nl_buf_init(&b, 0);
    step_line(&b, plan, step);
    return nl_buf_steal(&b);
}

char *ops_plan_text(const struct ops_plan *plan)
{
    struct nl_buf b;
    nl_buf_init(&b, 0);
    char *endpoint = nl_term_name(plan->lab && plan->lab->endpoint ? plan->lab->endpoint : "");
    char *intent = nl_term_line(plan->intent_text);
    nl_buf_appendf(&b, NULL, "%s on '%s' (%zu step%s):\n", intent, endpoint, plan->n_steps,
                   plan->n_steps == 1 ? "" : "s");
    for (size_t i = 0; i < plan->n_steps; i++) {
        nl_buf_append_str(&b, "  ", NULL);
        step_line(&b, plan, &plan->steps[i]);
        nl_buf_append_str(&b, "\n", NULL);
    }
    if (plan->verify_error) {
        char *v = nl_term_line(plan->verify_error);
        nl_buf_appendf(&b, NULL, "Verification did not run: %s\n", v);
        free(v);
    }
    char *summary = ops_plan_summary(plan);
    nl_buf_appendf(&b, NULL, "%s\n", summary);
    free(summary);
    free(endpoint);
    free(intent);
    return nl_buf_steal(&b);
}

char *ops_plan_summary(const struct ops_plan *plan)
{
    struct ops_counts c;
    struct nl_buf b;
    ops_plan_counts(plan, &c);
    nl_buf_init(&b, 0);
    if (!plan->applied) {
        nl_buf_appendf(&b, NULL, "%zu to change, %zu already compliant, %zu cannot be done",
                       c.planned, c.compliant, c.blocked);
        return nl_buf_steal(&b);
    }
    nl_buf_appendf(&b, NULL, "%zu changed, %zu already compliant, %zu failed", c.ok, c.compliant,
                   c.failed);
    size_t shown = 0;
    for (size_t i = 0; i < plan->n_steps; i++) {
        const struct ops_step *s = &plan->steps[i];
        if (s->result != OPS_RESULT_FAILED)
            continue;
        if (shown == 3) {
            nl_buf_appendf(&b, NULL, "; and %zu more", c.failed - shown);
            break;
        }
        char *host = nl_term_name(s->host_name ? s->host_name : "(unknown host)");
        char *msg = nl_term_line(s->error.message);
        nl_buf_appendf(&b, NULL, "%s%s: %s", shown ? "; " : " (", host, msg);
        free(host);
        free(msg);
        shown++;
    }
    if (shown)
        nl_buf_append_str(&b, ")", NULL);
    if (c.not_run)
        nl_buf_appendf(&b, NULL, ", %zu not run", c.not_run);
    if (c.unknown)
        nl_buf_appendf(&b, NULL, ", %zu unknown (in flight when abandoned)", c.unknown);
    if (c.blocked)
        nl_buf_appendf(&b, NULL, ", %zu cannot be done", c.blocked);
    if (c.mismatched)
        nl_buf_appendf(&b, NULL, ", %zu did not verify", c.mismatched);
    if (c.unverified)
        nl_buf_appendf(&b, NULL, ", %zu could not be verified", c.unverified);
    return nl_buf_steal(&b);
}
