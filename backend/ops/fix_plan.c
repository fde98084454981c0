#include "backend/ops/fix_plan.h"

#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/ops/scope.h"

/* One intent and the scope it covers, collected from fixes that want the same thing. */
struct fix_group {
    struct ops_intent in;
    struct ops_scope_req req;
};

struct fix_groups {
    struct fix_group *v;
    size_t n;
};

static bool same_security(const struct nl_security *a, const struct nl_security *b)
{
    return a->promiscuous == b->promiscuous && a->forged_transmits == b->forged_transmits &&
           a->mac_changes == b->mac_changes;
}

/* The group an equivalent fix already opened, or a new one. Strings in intents are borrowed
 * from the fixes, which outlive the groups. */
static struct fix_group *group_for(struct fix_groups *g, const struct ops_fix *f, bool power_cycle)
{
    for (size_t i = 0; i < g->n; i++) {
        struct ops_intent *in = &g->v[i].in;
        switch (f->kind) {
        case OPS_FIX_NESTED_HV_ON:
            if (in->kind == OPS_INTENT_NESTED_HV)
                return &g->v[i];
            break;
        case OPS_FIX_POWER_ON:
            if (in->kind == OPS_INTENT_POWER)
                return &g->v[i];
            break;
        case OPS_FIX_TRUNK_PORTGROUP:
            if (in->kind == OPS_INTENT_TRUNK && strcmp(in->trunk.vswitch, f->vswitch) == 0 &&
                strcmp(in->trunk.portgroup, f->portgroup) == 0 && in->trunk.vlan == f->vlan)
                return &g->v[i];
            break;
        case OPS_FIX_VSWITCH_SECURITY:
            if (in->kind == OPS_INTENT_SECURITY && strcmp(in->security.vswitch, f->vswitch) == 0 &&
                same_security(&in->security.want, &f->want) &&
                in->security.clear_pg_overrides == f->clear_pg_overrides)
                return &g->v[i];
            break;
        default:
            return NULL;
        }
    }
    g->v = xrealloc(g->v, (g->n + 1) * sizeof(*g->v));
    struct fix_group *ng = &g->v[g->n++];
    ops_scope_req_init(&ng->req);
    switch (f->kind) {
    case OPS_FIX_NESTED_HV_ON:
        ops_intent_init(&ng->in, OPS_INTENT_NESTED_HV);
        ng->in.nested_hv.on = true;
        ng->in.nested_hv.power_cycle = power_cycle;
        break;
    case OPS_FIX_POWER_ON:
        ops_intent_init(&ng->in, OPS_INTENT_POWER);
        ng->in.power.on = true;
        break;
    case OPS_FIX_TRUNK_PORTGROUP:
        ops_intent_init(&ng->in, OPS_INTENT_TRUNK);
        ng->in.trunk.vswitch = f->vswitch;
        ng->in.trunk.portgroup = f->portgroup;
        ng->in.trunk.vlan = f->vlan;
        break;
    default:
        ops_intent_init(&ng->in, OPS_INTENT_SECURITY);
        ng->in.security.vswitch = f->vswitch;
        ng->in.security.want = f->want;
        ng->in.security.clear_pg_overrides = f->clear_pg_overrides;
        break;
    }
    return ng;
}

/* Network fixes first (the nested hosts' uplinks), then nested HV, then power-ons that need it. */
static int group_rank(const struct fix_group *g)
{
    switch (g->in.kind) {
    case OPS_INTENT_SECURITY:
        return 0;
    case OPS_INTENT_TRUNK:
        return 1;
    case OPS_INTENT_NESTED_HV:
        return 2;
    default:
        return 3;
    }
}

static int by_rank(const void *a, const void *b)
{
    return group_rank(a) - group_rank(b);
}

static void note_add(char ***notes, size_t *n, char *sentence)
{
    if (!notes) {
        free(sentence);
        return;
    }
    *notes = xrealloc(*notes, (*n + 1) * sizeof(**notes));
    (*notes)[(*n)++] = sentence;
}

enum nl_code ops_fix_plan_new(const struct nl_lab *lab, const struct ops_report *rep,
                              bool power_cycle, struct ops_plan **out, char ***notes,
                              size_t *n_notes, struct nl_err *err)
{
    *out = NULL;
    struct ops_fix *fixes = NULL;
    size_t n_fixes = ops_report_fixes(rep, &fixes);
    struct fix_groups g = {0};
    for (size_t i = 0; i < n_fixes; i++) {
        const struct ops_fix *f = &fixes[i];
        if (!ops_fix_is_automatic(f->kind))
            continue;
        struct fix_group *grp = group_for(&g, f, power_cycle);
        if (!grp)
            continue;
        if (f->vm_name)
            ops_scope_req_add_vm(&grp->req, f->vm_name);
        else if (f->host_name)
            ops_scope_req_add_host(&grp->req, f->host_name);
    }
    if (g.n > 1)
        qsort(g.v, g.n, sizeof(*g.v), by_rank);
    for (size_t i = 0; i < g.n; i++) {
        struct ops_scope *scope = NULL;
        struct ops_plan *plan = NULL;
        struct nl_err gerr = {0};
        if (ops_scope_resolve(lab, &g.v[i].req, &scope, &gerr) == NL_OK &&
            ops_plan_new(lab, scope, &g.v[i].in, &plan, &gerr) == NL_OK) {
            if (*out)
                ops_plan_merge(*out, &plan);
            else
                *out = plan;
        } else {
            note_add(notes, n_notes, xasprintf("A fix could not be planned: %s", gerr.message));
        }
        ops_scope_free(&scope);
        ops_scope_req_clear(&g.v[i].req);
    }
    free(g.v);
    ops_fixes_free(&fixes, n_fixes);
    (void)err; /* every failure is per fix and goes to notes */
    return NL_OK;
}
