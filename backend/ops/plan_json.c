/* Plans, steps and values as JSON: the --json preview and the journal's step records (the
 * journal reads them back for undo, so every writer here has a reader). */
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/ops/plan.h"
#include "backend/ops/plan_util.h"

static bool kind_is_portgroup(enum ops_step_kind k)
{
    return k == OPS_STEP_ADD_PORTGROUP || k == OPS_STEP_SET_PORTGROUP ||
           k == OPS_STEP_REMOVE_PORTGROUP;
}

static json_t *security_json(const struct nl_security *s)
{
    return json_pack("{s:s, s:s, s:s}", "promiscuous", ops_flag_word(s->promiscuous),
                     "forged_transmits", ops_flag_word(s->forged_transmits), "mac_changes",
                     ops_flag_word(s->mac_changes));
}

json_t *ops_value_to_json(enum ops_step_kind kind, const struct ops_value *v)
{
    switch (kind) {
    case OPS_STEP_SET_VSWITCH_SECURITY:
        return security_json(&v->sec);
    case OPS_STEP_ADD_PORTGROUP:
    case OPS_STEP_SET_PORTGROUP:
    case OPS_STEP_REMOVE_PORTGROUP:
        if (!v->present)
            return json_pack("{s:b}", "present", 0);
        return json_pack("{s:b, s:i, s:o}", "present", 1, "vlan", v->vlan, "override",
                         security_json(&v->sec));
    case OPS_STEP_SET_NESTED_HV:
        return json_pack("{s:s}", "nested_hv", ops_onoff_word(v->nested_hv));
    case OPS_STEP_POWER_OFF:
    case OPS_STEP_POWER_ON:
        return json_pack("{s:s}", "power", nl_power_name(v->power));
    }
    return json_object();
}

static enum nl_code flag_from(const json_t *obj, const char *key, enum nl_tri *out,
                              struct nl_err *err)
{
    const char *w = json_string_value(json_object_get(obj, key));
    if (!ops_flag_parse(w, out))
        return NL_ERR(err, NL_ERR_PARSE, NULL,
                      "The security value '%s' is missing or not accept, reject or unset.", key);
    return NL_OK;
}

static enum nl_code security_from(const json_t *obj, struct nl_security *s, struct nl_err *err)
{
    if (!json_is_object(obj))
        return NL_ERR(err, NL_ERR_PARSE, NULL, "A security policy is not a JSON object.");
    enum nl_code rc;
    if ((rc = flag_from(obj, "promiscuous", &s->promiscuous, err)) != NL_OK ||
        (rc = flag_from(obj, "forged_transmits", &s->forged_transmits, err)) != NL_OK ||
        (rc = flag_from(obj, "mac_changes", &s->mac_changes, err)) != NL_OK)
        return rc;
    return NL_OK;
}

enum nl_code ops_value_from_json(enum ops_step_kind kind, const json_t *j, struct ops_value *v,
                                 struct nl_err *err)
{
    ops_value_init(v);
    if (!json_is_object(j))
        return NL_ERR(err, NL_ERR_PARSE, NULL, "A step value is not a JSON object.");
    if (kind == OPS_STEP_SET_VSWITCH_SECURITY)
        return security_from(j, &v->sec, err);
    if (kind_is_portgroup(kind)) {
        const json_t *present = json_object_get(j, "present");
        if (!json_is_boolean(present))
            return NL_ERR(err, NL_ERR_PARSE, NULL, "A port-group value has no 'present' flag.");
        v->present = json_is_true(present);
        if (!v->present)
            return NL_OK;
        const json_t *vlan = json_object_get(j, "vlan");
        if (!json_is_integer(vlan) || json_integer_value(vlan) < -1 ||
            json_integer_value(vlan) > 4095)
            return NL_ERR(err, NL_ERR_PARSE, NULL, "A port-group value has no valid VLAN.");
        v->vlan = (int)json_integer_value(vlan);
        return security_from(json_object_get(j, "override"), &v->sec, err);
    }
    if (kind == OPS_STEP_SET_NESTED_HV) {
        if (!ops_onoff_parse(json_string_value(json_object_get(j, "nested_hv")), &v->nested_hv))
            return NL_ERR(err, NL_ERR_PARSE, NULL, "A nested-HV value is not on, off or unset.");
        return NL_OK;
    }
    if (!ops_power_parse(json_string_value(json_object_get(j, "power")), &v->power))
        return NL_ERR(err, NL_ERR_PARSE, NULL, "A power value is not on, off or suspended.");
    return NL_OK;
}

void ops_error_to_json(json_t *j, const struct nl_err *e)
{
    if (e->code == NL_OK)
        return;
    json_object_set_new(j, "error", ops_json_str(e->message));
    json_object_set_new(j, "error_code", json_string(nl_code_name(e->code)));
    if (e->detail[0])
        json_object_set_new(j, "error_detail", ops_json_str(e->detail));
}

json_t *ops_step_to_json(const struct ops_step *s)
{
    json_t *j = json_object();
    json_object_set_new(j, "kind", json_string(ops_step_kind_name(s->kind)));
    json_object_set_new(j, "target_id", ops_json_str(s->target_id));
    json_object_set_new(j, "target", ops_json_str(s->target_name));
    json_object_set_new(j, "host_id", ops_json_str(s->host_id));
    json_object_set_new(j, "host", ops_json_str(s->host_name));
    if (s->vm_id || s->vm_name) {
        json_object_set_new(j, "vm_id", ops_json_str(s->vm_id));
        json_object_set_new(j, "vm", ops_json_str(s->vm_name));
    }
    if (s->vswitch)
        json_object_set_new(j, "vswitch", ops_json_str(s->vswitch));
    if (s->portgroup)
        json_object_set_new(j, "portgroup", ops_json_str(s->portgroup));
    json_object_set_new(j, "before", ops_value_to_json(s->kind, &s->before));
    json_object_set_new(j, "after", ops_value_to_json(s->kind, &s->after));
    json_object_set_new(j, "status", json_string(ops_step_status_name(s->status)));
    if (s->reason)
        json_object_set_new(j, "reason", ops_json_str(s->reason));
    if (s->chain)
        json_object_set_new(j, "chain", json_integer(s->chain));
    if (s->depends >= 0)
        json_object_set_new(j, "depends", json_integer(s->depends));
    json_object_set_new(j, "result", json_string(ops_result_name(s->result)));
    ops_error_to_json(j, &s->error);
    json_object_set_new(j, "verify", json_string(ops_verify_name(s->verify)));
    if (s->verify_note)
        json_object_set_new(j, "verify_note", ops_json_str(s->verify_note));
    return j;
}

static char *opt_str(const json_t *j, const char *key)
{
    return xstrdup(json_string_value(json_object_get(j, key)));
}

static bool parse_enum(const char *word, const char *(*name)(int), int max, int *out)
{
    for (int i = 0; word && i <= max; i++) {
        if (strcmp(name(i), word) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

static const char *status_name_i(int i)
{
    return ops_step_status_name((enum ops_step_status)i);
}

static const char *result_name_i(int i)
{
    return ops_result_name((enum ops_result)i);
}

static const char *verify_name_i(int i)
{
    return ops_verify_name((enum ops_verify)i);
}

static const char *code_name_i(int i)
{
    return nl_code_name((enum nl_code)i);
}

enum nl_code ops_step_from_json(const json_t *j, struct ops_step *s, struct nl_err *err)
{
    enum nl_code rc;
    int v;
    memset(s, 0, sizeof(*s));
    s->host = s->vm = -1;
    s->group = -1;
    s->depends = -1;
    if (!json_is_object(j))
        return NL_ERR(err, NL_ERR_PARSE, NULL, "A journal step is not a JSON object.");
    if (!ops_step_kind_parse(json_string_value(json_object_get(j, "kind")), &s->kind))
        return NL_ERR(err, NL_ERR_PARSE, NULL, "A journal step has an unknown kind.");
    if ((rc = ops_value_from_json(s->kind, json_object_get(j, "before"), &s->before, err)) !=
            NL_OK ||
        (rc = ops_value_from_json(s->kind, json_object_get(j, "after"), &s->after, err)) != NL_OK)
        return rc;
    if (!parse_enum(json_string_value(json_object_get(j, "status")), status_name_i,
                    OPS_STEP_BLOCKED, &v))
        return NL_ERR(err, NL_ERR_PARSE, NULL, "A journal step has an unknown status.");
    s->status = (enum ops_step_status)v;
    if (!parse_enum(json_string_value(json_object_get(j, "result")), result_name_i,
                    OPS_RESULT_UNKNOWN, &v))
        return NL_ERR(err, NL_ERR_PARSE, NULL, "A journal step has an unknown result.");
    s->result = (enum ops_result)v;
    if (parse_enum(json_string_value(json_object_get(j, "verify")), verify_name_i,
                   OPS_VERIFY_UNKNOWN, &v))
        s->verify = (enum ops_verify)v;
    s->target_id = opt_str(j, "target_id");
    s->target_name = opt_str(j, "target");
    s->host_id = opt_str(j, "host_id");
    s->host_name = opt_str(j, "host");
    s->vm_id = opt_str(j, "vm_id");
    s->vm_name = opt_str(j, "vm");
    s->vswitch = opt_str(j, "vswitch");
    s->portgroup = opt_str(j, "portgroup");
    s->reason = opt_str(j, "reason");
    s->verify_note = opt_str(j, "verify_note");
    const json_t *chain = json_object_get(j, "chain");
    s->chain = json_is_integer(chain) ? (int)json_integer_value(chain) : 0;
    const json_t *dep = json_object_get(j, "depends");
    s->depends = json_is_integer(dep) ? (ssize_t)json_integer_value(dep) : -1;
    const char *msg = json_string_value(json_object_get(j, "error"));
    if (msg) {
        enum nl_code code = NL_ERR_INTERNAL;
        if (parse_enum(json_string_value(json_object_get(j, "error_code")), code_name_i,
                       NL_ERR_INTERNAL, &v) &&
            v != NL_OK)
            code = (enum nl_code)v;
        nl_err_set(&s->error, code, json_string_value(json_object_get(j, "error_detail")),
                   "journal", "%s", msg);
    }
    return NL_OK;
}

json_t *ops_plan_to_json(const struct ops_plan *plan)
{
    struct ops_counts c;
    ops_plan_counts(plan, &c);
    json_t *steps = json_array();
    for (size_t i = 0; i < plan->n_steps; i++)
        json_array_append_new(steps, ops_step_to_json(&plan->steps[i]));
    json_t *summary = json_object();
    json_object_set_new(summary, "to_change", json_integer((json_int_t)c.planned));
    json_object_set_new(summary, "compliant", json_integer((json_int_t)c.compliant));
    json_object_set_new(summary, "blocked", json_integer((json_int_t)c.blocked));
    if (plan->applied) {
        json_object_set_new(summary, "changed", json_integer((json_int_t)c.ok));
        json_object_set_new(summary, "failed", json_integer((json_int_t)c.failed));
        json_object_set_new(summary, "not_run", json_integer((json_int_t)c.not_run));
        json_object_set_new(summary, "verified", json_integer((json_int_t)c.verified));
        json_object_set_new(summary, "mismatched", json_integer((json_int_t)c.mismatched));
        json_object_set_new(summary, "unverified", json_integer((json_int_t)c.unverified));
    }
    char *text = ops_plan_summary(plan);
    json_object_set_new(summary, "text", ops_json_str(text));
    free(text);
    json_t *j = json_object();
    json_object_set_new(j, "intent", ops_json_str(plan->intent_text));
    json_object_set_new(j, "intent_kind", json_string(ops_intent_kind_name(plan->kind)));
    json_object_set_new(j, "endpoint", ops_json_str(plan->lab ? plan->lab->endpoint : NULL));
    json_object_set_new(j, "undo_of", ops_json_str(plan->undo_of));
    json_object_set_new(j, "applied", json_boolean(plan->applied));
    if (plan->journal_id)
        json_object_set_new(j, "journal_id", ops_json_str(plan->journal_id));
    if (plan->verify_error)
        json_object_set_new(j, "verify_error", ops_json_str(plan->verify_error));
    json_object_set_new(j, "steps", steps);
    json_object_set_new(j, "summary", summary);
    json_object_set_new(j, "exit_status", json_integer(ops_plan_exit_status(plan)));
    return j;
}
