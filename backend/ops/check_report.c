/* The readiness report as text (grouped by severity, then by object) and as JSON. */
#include <stdlib.h>
#include <string.h>

#include "backend/core/term_text.h"
#include "backend/core/xmalloc.h"
#include "backend/model/lab_json.h"
#include "backend/ops/check.h"

static enum nl_code put(struct nl_buf *out, const char *s, struct nl_err *err)
{
    return nl_buf_append_str(out, s, err);
}

/* Messages embed names, so every line goes through the terminal escaper. */
static enum nl_code put_safe(struct nl_buf *out, const char *s, struct nl_err *err)
{
    return nl_term_name_append(out, s, err);
}

static bool same_subject(const struct ops_finding *a, const struct ops_finding *b)
{
    if (!a->n_objects || !b->n_objects)
        return false;
    const struct ops_object *x = &a->objects[0], *y = &b->objects[0];
    return strcmp(x->kind, y->kind) == 0 && x->id && y->id && strcmp(x->id, y->id) == 0;
}

enum nl_code ops_report_to_text(const struct ops_report *rep, struct nl_buf *out,
                                struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    char line[160];
    snprintf(line, sizeof(line), "Readiness: %zu error%s, %zu warning%s, %zu note%s\n",
             rep->n_errors, rep->n_errors == 1 ? "" : "s", rep->n_warnings,
             rep->n_warnings == 1 ? "" : "s", rep->n_infos, rep->n_infos == 1 ? "" : "s");
    if ((rc = put(out, line, err)) != NL_OK)
        return rc;
    if (rep->n_findings == 0)
        return put(out, "The lab is ready for nested virtualization.\n", err);
    static const char *const titles[] = {"Errors", "Warnings", "Notes"};
    for (size_t i = 0; i < rep->n_findings; i++) {
        const struct ops_finding *f = &rep->findings[i];
        if (i == 0 || rep->findings[i - 1].severity != f->severity) {
            snprintf(line, sizeof(line), "\n%s\n", titles[f->severity]);
            if ((rc = put(out, line, err)) != NL_OK)
                return rc;
        }
        if (f->n_objects && (i == 0 || rep->findings[i - 1].severity != f->severity ||
                             !same_subject(&rep->findings[i - 1], f))) {
            if ((rc = put(out, "  ", err)) != NL_OK || (rc = put(out, f->objects[0].kind, err)) ||
                (rc = put(out, " ", err)) || (rc = put_safe(out, f->objects[0].name, err)) ||
                (rc = put(out, "\n", err)))
                return rc;
        }
        snprintf(line, sizeof(line), "    [%s] ", f->rule);
        if ((rc = put(out, line, err)) || (rc = put_safe(out, f->message, err)) ||
            (rc = put(out, "\n      why: ", err)) || (rc = put_safe(out, f->why, err)) ||
            (rc = put(out, "\n      fix: ", err)) || (rc = put_safe(out, f->fix_text, err)))
            return rc;
        const char *how = ops_fix_is_automatic(f->fix.kind)
                              ? (f->fix.power_cycle ? " (nestlab check --fix --power-cycle)"
                                                    : " (nestlab check --fix)")
                              : "";
        if ((rc = put(out, how, err)) || (rc = put(out, "\n", err)))
            return rc;
    }
    return NL_OK;
}

static json_t *tri(enum nl_tri t)
{
    return t == NL_TRI_UNSET ? json_null() : json_boolean(t == NL_TRI_TRUE);
}

static json_t *fix_json(const struct ops_fix *fx)
{
    if (fx->kind == OPS_FIX_NONE)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(ops_fix_kind_name(fx->kind)));
    json_object_set_new(o, "automatic", json_boolean(ops_fix_is_automatic(fx->kind)));
    json_object_set_new(o, "host_id", nl_json_string(fx->host_id));
    json_object_set_new(o, "host_name", nl_json_string(fx->host_name));
    json_object_set_new(o, "vm_id", nl_json_string(fx->vm_id));
    json_object_set_new(o, "vm_name", nl_json_string(fx->vm_name));
    json_object_set_new(o, "vswitch", nl_json_string(fx->vswitch));
    json_object_set_new(o, "portgroup", nl_json_string(fx->portgroup));
    json_object_set_new(o, "vlan", fx->vlan >= 0 ? json_integer(fx->vlan) : json_null());
    json_t *want = json_object();
    json_object_set_new(want, "promiscuous", tri(fx->want.promiscuous));
    json_object_set_new(want, "forged_transmits", tri(fx->want.forged_transmits));
    json_object_set_new(want, "mac_changes", tri(fx->want.mac_changes));
    json_object_set_new(o, "want", want);
    json_object_set_new(o, "power_cycle", json_boolean(fx->power_cycle));
    json_object_set_new(o, "clear_pg_overrides", json_boolean(fx->clear_pg_overrides));
    return o;
}

json_t *ops_report_to_json(const struct ops_report *rep)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "errors", json_integer((json_int_t)rep->n_errors));
    json_object_set_new(doc, "warnings", json_integer((json_int_t)rep->n_warnings));
    json_object_set_new(doc, "infos", json_integer((json_int_t)rep->n_infos));
    json_t *a = json_array();
    for (size_t i = 0; i < rep->n_findings; i++) {
        const struct ops_finding *f = &rep->findings[i];
        json_t *o = json_object();
        json_object_set_new(o, "severity", json_string(ops_severity_name(f->severity)));
        json_object_set_new(o, "rule", json_string(f->rule));
        json_t *objs = json_array();
        for (size_t k = 0; k < f->n_objects; k++) {
            json_t *ob = json_object();
            json_object_set_new(ob, "kind", json_string(f->objects[k].kind));
            json_object_set_new(ob, "id", nl_json_string(f->objects[k].id));
            json_object_set_new(ob, "name", nl_json_string(f->objects[k].name));
            json_array_append_new(objs, ob);
        }
        json_object_set_new(o, "objects", objs);
        json_object_set_new(o, "message", nl_json_string(f->message));
        json_object_set_new(o, "why", nl_json_string(f->why));
        json_object_set_new(o, "fix", nl_json_string(f->fix_text));
        json_object_set_new(o, "fix_intent", fix_json(&f->fix));
        json_array_append_new(a, o);
    }
    json_object_set_new(doc, "findings", a);
    return doc;
}
