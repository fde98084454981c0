/* The inventory tree; names in it are escaped for a terminal (backend/core/term_text.h). */
#include "backend/model/lab_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/term_text.h"
#include "backend/core/xmalloc.h"

/* ---- the tree --------------------------------------------------------------------------- */

/* A writer that stops at the first error, so the tree code can stay linear. */
struct tw {
    struct nl_buf *out;
    struct nl_err *err;
    enum nl_code rc;
};

static void tw_raw(struct tw *w, const char *s)
{
    if (w->rc == NL_OK)
        w->rc = nl_buf_append_str(w->out, s, w->err);
}

static void tw_name(struct tw *w, const char *s)
{
    if (w->rc == NL_OK)
        w->rc = nl_term_name_append(w->out, s ? s : "(unnamed)", w->err);
}

static void tw_fmt(struct tw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tw_fmt(struct tw *w, const char *fmt, ...)
{
    if (w->rc != NL_OK)
        return;
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    w->rc = nl_buf_append_str(w->out, tmp, w->err);
}

static void tw_indent(struct tw *w, int depth)
{
    for (int i = 0; i < depth; i++)
        tw_raw(w, "  ");
}

/* Per-host VM lists, built once so the tree stays linear in the size of the lab. */
struct vm_lists {
    size_t *start; /* n_hosts + 1 offsets into idx */
    size_t *idx;
};

static void vm_lists_build(const struct nl_lab *lab, struct vm_lists *l)
{
    l->start = xcalloc(lab->n_hosts + 2, sizeof(*l->start));
    l->idx = xcalloc(lab->n_vms ? lab->n_vms : 1, sizeof(*l->idx));
    for (size_t i = 0; i < lab->n_vms; i++)
        if (lab->vms[i].host >= 0)
            l->start[lab->vms[i].host + 1]++;
    for (size_t h = 0; h < lab->n_hosts; h++)
        l->start[h + 1] += l->start[h];
    size_t *fill = xcalloc(lab->n_hosts + 1, sizeof(*fill));
    for (size_t i = 0; i < lab->n_vms; i++) {
        ssize_t h = lab->vms[i].host;
        if (h >= 0)
            l->idx[l->start[h] + fill[h]++] = i;
    }
    free(fill);
}

static void security_text(struct tw *w, const struct nl_security *s)
{
    tw_fmt(w, "promiscuous:%s forged:%s mac:%s", nl_tri_word(s->promiscuous, "accept", "reject"),
           nl_tri_word(s->forged_transmits, "accept", "reject"),
           nl_tri_word(s->mac_changes, "accept", "reject"));
}

static void vm_text(struct tw *w, const struct nl_lab *lab, const struct nl_vm *vm, int depth)
{
    tw_indent(w, depth);
    tw_raw(w, "vm ");
    tw_name(w, vm->name ? vm->name : vm->id);
    tw_fmt(w, " [%s]", nl_power_name(vm->power));
    if (vm->hw_version > 0)
        tw_fmt(w, " vmx-%02d", vm->hw_version);
    tw_fmt(w, " %s", nl_role_name(vm->role));
    if (vm->nested_hv == NL_TRI_TRUE)
        tw_raw(w, " nested-hv");
    else if (nl_vm_is_hypervisor(vm))
        tw_raw(w, vm->nested_hv == NL_TRI_FALSE ? " NO-NESTED-HV" : " nested-hv:unknown");
    if (vm->nested_host >= 0) {
        tw_raw(w, " backs ");
        const struct nl_host *nh = &lab->hosts[vm->nested_host];
        tw_name(w, nh->name ? nh->name : nh->id);
    }
    tw_raw(w, "\n");
}

static void host_text(struct tw *w, const struct nl_lab *lab, const struct vm_lists *vl, size_t hi,
                      int depth)
{
    const struct nl_host *h = &lab->hosts[hi];
    tw_indent(w, depth);
    tw_raw(w, "host ");
    tw_name(w, h->name ? h->name : h->id);
    if (h->backing_vm >= 0) {
        const struct nl_vm *b = &lab->vms[h->backing_vm];
        tw_raw(w, " \xE2\x87\x90 "); /* ⇐ */
        tw_name(w, b->name ? b->name : b->id);
        if (h->link == NL_LINK_NAME)
            tw_raw(w, " (matched by name)");
    } else if (h->link == NL_LINK_AMBIGUOUS) {
        tw_raw(w, " \xE2\x87\x90 ? (BIOS UUID shared by several VMs or hosts)");
    }
    tw_fmt(w, " [%s]", nl_conn_name(h->connection));
    if (h->source != NL_SOURCE_NONE && h->source != lab->source)
        tw_fmt(w, " via %s", nl_source_name(h->source));
    if (h->hv_support >= 0 && h->hv_support < 3)
        tw_fmt(w, " hv-support:%d", h->hv_support);
    for (size_t i = 0; i < h->n_vswitches; i++) {
        tw_raw(w, " ");
        tw_name(w, h->vswitches[i].name);
        tw_raw(w, " ");
        security_text(w, &h->vswitches[i].security);
    }
    const struct nl_portgroup *trunk = nl_host_find_trunk(h, NULL);
    if (trunk) {
        tw_raw(w, " trunk:");
        tw_name(w, trunk->name);
    } else if (h->n_portgroups) {
        tw_raw(w, " no-trunk");
    }
    if (nl_host_promiscuous_any(h))
        tw_raw(w, " PROMISCUOUS");
    tw_raw(w, "\n");
    for (size_t k = vl->start[hi]; k < vl->start[hi + 1]; k++)
        vm_text(w, lab, &lab->vms[vl->idx[k]], depth + 1);
}

static void cluster_text(struct tw *w, const struct nl_lab *lab, const struct vm_lists *vl,
                         size_t ci, int depth)
{
    const struct nl_cluster *c = &lab->clusters[ci];
    tw_indent(w, depth);
    tw_raw(w, "cluster ");
    tw_name(w, c->name ? c->name : c->id);
    tw_fmt(w, " [%s]\n", nl_cluster_kind_name(c->kind));
    for (size_t h = 0; h < lab->n_hosts; h++)
        if (lab->hosts[h].cluster == (ssize_t)ci)
            host_text(w, lab, vl, h, depth + 1);
}

/* The datacenter a host belongs to: its cluster's, else its own datacenter_id. */
static ssize_t host_datacenter(const struct nl_lab *lab, const struct nl_host *h)
{
    if (h->cluster >= 0)
        return lab->clusters[h->cluster].datacenter;
    for (size_t d = 0; h->datacenter_id && d < lab->n_datacenters; d++)
        if (strcmp(lab->datacenters[d].id, h->datacenter_id) == 0)
            return (ssize_t)d;
    return -1;
}

static void datacenter_body(struct tw *w, const struct nl_lab *lab, const struct vm_lists *vl,
                            ssize_t d, int depth)
{
    /* Physical, mixed and empty clusters first, then nested ones: the order of the lab. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t c = 0; c < lab->n_clusters; c++)
            if (lab->clusters[c].datacenter == d &&
                (lab->clusters[c].kind == NL_CLUSTER_NESTED) == (pass == 1))
                cluster_text(w, lab, vl, c, depth);
    bool header = false;
    for (size_t h = 0; h < lab->n_hosts; h++) {
        if (lab->hosts[h].cluster >= 0 || host_datacenter(lab, &lab->hosts[h]) != d)
            continue;
        if (!header) {
            tw_indent(w, depth);
            tw_raw(w, "standalone hosts\n");
            header = true;
        }
        host_text(w, lab, vl, h, depth + 1);
    }
}

enum nl_code nl_lab_to_text(const struct nl_lab *lab, struct nl_buf *out, struct nl_err *err)
{
    struct tw w = {out, err, NL_OK};
    struct vm_lists vl;
    vm_lists_build(lab, &vl);

    tw_name(&w, lab->endpoint ? lab->endpoint : "(endpoint)");
    tw_fmt(&w, " (%s", nl_source_name(lab->source));
    if (lab->fetched_at > 0) {
        struct tm tm;
        char when[40];
        gmtime_r(&lab->fetched_at, &tm);
        strftime(when, sizeof(when), ", fetched %Y-%m-%d %H:%M:%S UTC", &tm);
        tw_raw(&w, when);
    }
    tw_raw(&w, ")");
    if (lab->name_links_used)
        tw_raw(&w, " some nested hosts matched to VMs by name (no BIOS UUID)");
    tw_raw(&w, "\n");

    for (size_t d = 0; d < lab->n_datacenters; d++) {
        tw_raw(&w, "  datacenter ");
        tw_name(&w, lab->datacenters[d].name ? lab->datacenters[d].name : lab->datacenters[d].id);
        tw_raw(&w, "\n");
        datacenter_body(&w, lab, &vl, (ssize_t)d, 2);
    }
    /* Objects whose datacenter is unknown (SSH-only labs have none). */
    bool orphans = false;
    for (size_t c = 0; c < lab->n_clusters && !orphans; c++)
        orphans = lab->clusters[c].datacenter < 0;
    for (size_t h = 0; h < lab->n_hosts && !orphans; h++)
        orphans = host_datacenter(lab, &lab->hosts[h]) < 0;
    if (orphans) {
        tw_raw(&w, "  (no datacenter)\n");
        datacenter_body(&w, lab, &vl, -1, 2);
    }
    bool header = false;
    for (size_t i = 0; i < lab->n_vms; i++) {
        if (lab->vms[i].host >= 0)
            continue;
        if (!header) {
            tw_raw(&w, "  VMs on unknown hosts\n");
            header = true;
        }
        vm_text(&w, lab, &lab->vms[i], 2);
    }
    free(vl.start);
    free(vl.idx);
    return w.rc;
}
