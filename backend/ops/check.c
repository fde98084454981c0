/* ops_check_run: runs the rule families, orders the findings and owns the report. */
#include "backend/ops/check.h"

#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/ops/check_rules.h"

void ops_check_options_init(struct ops_check_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->esxi_min_memory_mb = 4096;
    opt->esxi_warn_memory_mb = 6144;
    opt->min_cpus = 2;
    opt->min_hw_version = 9;
    opt->trunk_portgroup = "Nested-Trunk";
    opt->vswitch = "vSwitch0";
    opt->cost_threshold_pct = 10.0;
}

const char *ops_severity_name(enum ops_severity s)
{
    switch (s) {
    case OPS_SEV_ERROR:
        return "error";
    case OPS_SEV_WARN:
        return "warning";
    case OPS_SEV_INFO:
        break;
    }
    return "info";
}

const char *ops_fix_kind_name(enum ops_fix_kind k)
{
    switch (k) {
    case OPS_FIX_NESTED_HV_ON:
        return "nested_hv_on";
    case OPS_FIX_TRUNK_PORTGROUP:
        return "trunk_portgroup";
    case OPS_FIX_VSWITCH_SECURITY:
        return "vswitch_security";
    case OPS_FIX_POWER_ON:
        return "power_on";
    case OPS_FIX_HW_UPGRADE:
        return "hw_upgrade";
    case OPS_FIX_NONE:
        break;
    }
    return "none";
}

bool ops_fix_is_automatic(enum ops_fix_kind kind)
{
    return kind == OPS_FIX_NESTED_HV_ON || kind == OPS_FIX_TRUNK_PORTGROUP ||
           kind == OPS_FIX_VSWITCH_SECURITY || kind == OPS_FIX_POWER_ON;
}

static void fix_init(struct ops_fix *fix)
{
    memset(fix, 0, sizeof(*fix));
    fix->kind = OPS_FIX_NONE;
    fix->vlan = -1;
    nl_security_init(&fix->want);
}

struct ops_finding *ops_check_add(struct ops_report *rep, enum ops_severity sev, const char *rule,
                                  char *message, char *why, char *fix_text)
{
    rep->findings =
        xgrow(rep->findings, &rep->cap_findings, rep->n_findings + 1, sizeof(*rep->findings));
    struct ops_finding *f = &rep->findings[rep->n_findings++];
    memset(f, 0, sizeof(*f));
    f->severity = sev;
    f->rule = rule;
    f->message = message;
    f->why = why;
    f->fix_text = fix_text;
    fix_init(&f->fix);
    return f;
}

void ops_check_object(struct ops_finding *f, const char *kind, const char *id, const char *name)
{
    f->objects = xrealloc(f->objects, (f->n_objects + 1) * sizeof(*f->objects));
    struct ops_object *o = &f->objects[f->n_objects++];
    o->kind = kind;
    o->id = xstrdup(id);
    o->name = xstrdup(name);
}

const char *ops_vm_name(const struct nl_vm *vm)
{
    return vm->name ? vm->name : vm->id;
}

const char *ops_host_name(const struct nl_host *h)
{
    return h->name ? h->name : h->id;
}

void ops_fix_set_host(struct ops_fix *fix, enum ops_fix_kind kind, const struct nl_host *h)
{
    fix->kind = kind;
    xstrset(&fix->host_id, h->id);
    xstrset(&fix->host_name, ops_host_name(h));
}

void ops_fix_set_vm(struct ops_fix *fix, enum ops_fix_kind kind, const struct nl_lab *lab,
                    const struct nl_vm *vm)
{
    fix->kind = kind;
    xstrset(&fix->vm_id, vm->id);
    xstrset(&fix->vm_name, ops_vm_name(vm));
    if (vm->host >= 0) {
        xstrset(&fix->host_id, lab->hosts[vm->host].id);
        xstrset(&fix->host_name, ops_host_name(&lab->hosts[vm->host]));
    }
}

bool ops_host_has_network(const struct nl_host *h)
{
    return h->n_vswitches > 0 || h->n_portgroups > 0;
}

const struct nl_vswitch *ops_check_vswitch(const struct nl_host *h,
                                           const struct ops_check_options *opt)
{
    const struct nl_vswitch *vs = nl_host_find_vswitch(h, opt->vswitch);
    if (!vs && h->n_vswitches == 1)
        vs = &h->vswitches[0];
    return vs;
}

bool *ops_check_carriers(const struct nl_lab *lab)
{
    bool *carrier = xcalloc(lab->n_hosts ? lab->n_hosts : 1, sizeof(*carrier));
    bool *cluster = xcalloc(lab->n_clusters ? lab->n_clusters : 1, sizeof(*cluster));
    for (size_t i = 0; i < lab->n_vms; i++) {
        const struct nl_vm *vm = &lab->vms[i];
        if (!nl_vm_is_hypervisor(vm) || vm->host < 0)
            continue;
        carrier[vm->host] = true;
        if (lab->hosts[vm->host].cluster >= 0)
            cluster[lab->hosts[vm->host].cluster] = true;
    }
    for (size_t h = 0; h < lab->n_hosts; h++)
        if (lab->hosts[h].cluster >= 0 && cluster[lab->hosts[h].cluster])
            carrier[h] = true;
    free(cluster);
    return carrier;
}

/* ---- ordering --------------------------------------------------------------------------- */

struct sort_item {
    struct ops_finding f;
    size_t key_kind; /* 0 cluster, 1 host, 2 vm, 3 other */
    size_t key_index;
    size_t seq;
};

static int sort_cmp(const void *a, const void *b)
{
    const struct sort_item *x = a, *y = b;
    if (x->f.severity != y->f.severity)
        return (int)x->f.severity - (int)y->f.severity;
    if (x->key_kind != y->key_kind)
        return x->key_kind < y->key_kind ? -1 : 1;
    if (x->key_index != y->key_index)
        return x->key_index < y->key_index ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Severity first, then the subject in lab order (clusters, hosts, VMs), then rule order: the
 * text report groups by severity and object without any further work. */
static void report_sort(const struct nl_lab *lab, struct ops_report *rep)
{
    struct sort_item *items = xcalloc(rep->n_findings ? rep->n_findings : 1, sizeof(*items));
    for (size_t i = 0; i < rep->n_findings; i++) {
        struct sort_item *it = &items[i];
        it->f = rep->findings[i];
        it->seq = i;
        it->key_kind = 3;
        const struct ops_object *o = it->f.n_objects ? &it->f.objects[0] : NULL;
        if (!o || !o->id)
            continue;
        if (strcmp(o->kind, "cluster") == 0) {
            const struct nl_cluster *c = nl_lab_find_cluster(lab, o->id);
            it->key_kind = 0;
            it->key_index = c ? (size_t)(c - lab->clusters) : 0;
        } else if (strcmp(o->kind, "host") == 0) {
            it->key_kind = 1;
            it->key_index = (size_t)nl_lab_host_index(lab, nl_lab_find_host(lab, o->id));
        } else if (strcmp(o->kind, "vm") == 0) {
            it->key_kind = 2;
            it->key_index = (size_t)nl_lab_vm_index(lab, nl_lab_find_vm(lab, o->id));
        }
    }
    qsort(items, rep->n_findings, sizeof(*items), sort_cmp);
    for (size_t i = 0; i < rep->n_findings; i++)
        rep->findings[i] = items[i].f;
    free(items);
}

struct ops_report *ops_check_run(const struct nl_lab *lab, const struct ops_check_options *opt)
{
    struct ops_check_options defaults;
    if (!opt) {
        ops_check_options_init(&defaults);
        opt = &defaults;
    }
    struct ops_report *rep = xcalloc(1, sizeof(*rep));
    bool *carriers = ops_check_carriers(lab);
    ops_check_layout(lab, opt, rep);
    ops_check_clones(lab, rep);
    ops_check_hosts(lab, opt, carriers, rep);
    ops_check_vms(lab, opt, carriers, rep);
    free(carriers);
    report_sort(lab, rep);
    for (size_t i = 0; i < rep->n_findings; i++) {
        switch (rep->findings[i].severity) {
        case OPS_SEV_ERROR:
            rep->n_errors++;
            break;
        case OPS_SEV_WARN:
            rep->n_warnings++;
            break;
        case OPS_SEV_INFO:
            rep->n_infos++;
            break;
        }
    }
    return rep;
}

static void fix_clear(struct ops_fix *fix)
{
    free(fix->host_id);
    free(fix->host_name);
    free(fix->vm_id);
    free(fix->vm_name);
    free(fix->vswitch);
    free(fix->portgroup);
}

void ops_report_free(struct ops_report **repp)
{
    if (!repp || !*repp)
        return;
    struct ops_report *rep = *repp;
    for (size_t i = 0; i < rep->n_findings; i++) {
        struct ops_finding *f = &rep->findings[i];
        for (size_t o = 0; o < f->n_objects; o++) {
            free(f->objects[o].id);
            free(f->objects[o].name);
        }
        free(f->objects);
        free(f->message);
        free(f->why);
        free(f->fix_text);
        fix_clear(&f->fix);
    }
    free(rep->findings);
    free(rep);
    *repp = NULL;
}

int ops_report_exit_status(const struct ops_report *rep)
{
    return rep->n_errors ? 1 : 0;
}

/* ---- fixes ------------------------------------------------------------------------------ */

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool fix_same(const struct ops_fix *a, const struct ops_fix *b)
{
    return a->kind == b->kind && str_eq(a->host_id, b->host_id) && str_eq(a->vm_id, b->vm_id) &&
           str_eq(a->vswitch, b->vswitch) && str_eq(a->portgroup, b->portgroup);
}

static void fix_copy(struct ops_fix *dst, const struct ops_fix *src)
{
    *dst = *src;
    dst->host_id = xstrdup(src->host_id);
    dst->host_name = xstrdup(src->host_name);
    dst->vm_id = xstrdup(src->vm_id);
    dst->vm_name = xstrdup(src->vm_name);
    dst->vswitch = xstrdup(src->vswitch);
    dst->portgroup = xstrdup(src->portgroup);
}

/* Network fixes first (a trunk port group before the security it inherits), then VM fixes
 * (nested HV before power-on). */
static int fix_rank(enum ops_fix_kind k)
{
    switch (k) {
    case OPS_FIX_TRUNK_PORTGROUP:
        return 0;
    case OPS_FIX_VSWITCH_SECURITY:
        return 1;
    case OPS_FIX_NESTED_HV_ON:
        return 2;
    case OPS_FIX_POWER_ON:
        return 3;
    default:
        return 4;
    }
}

size_t ops_report_fixes(const struct ops_report *rep, struct ops_fix **out)
{
    struct ops_fix *fixes = NULL;
    size_t n = 0;
    for (int rank = 0; rank < 4; rank++) {
        for (size_t i = 0; i < rep->n_findings; i++) {
            const struct ops_fix *fx = &rep->findings[i].fix;
            if (!ops_fix_is_automatic(fx->kind) || fix_rank(fx->kind) != rank)
                continue;
            bool dup = false;
            for (size_t k = 0; k < n && !dup; k++)
                dup = fix_same(&fixes[k], fx);
            if (dup)
                continue;
            fixes = xrealloc(fixes, (n + 1) * sizeof(*fixes));
            fix_copy(&fixes[n++], fx);
        }
    }
    *out = fixes;
    return n;
}

void ops_fixes_free(struct ops_fix **fixes, size_t n)
{
    if (!fixes || !*fixes)
        return;
    for (size_t i = 0; i < n; i++)
        fix_clear(&(*fixes)[i]);
    free(*fixes);
    *fixes = NULL;
}
