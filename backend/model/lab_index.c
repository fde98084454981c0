/* Lookups over the lab: hash maps for ids and names, linear scans for the short per-host lists. */
#include "backend/model/lab_index.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"

/* ids->gone is a Fenwick tree over virtual indexes (gone[i] for i in 1..cap_gone, a power of
 * two): counting the removed ones below v and recording one are both O(log n), in any order. */
static size_t gone_below(const struct nl_ids *ids, size_t v)
{
    size_t n = 0;
    for (size_t i = v < ids->cap_gone ? v : ids->cap_gone; i > 0; i &= i - 1)
        n += ids->gone[i];
    return n;
}

static void gone_add(struct nl_ids *ids, size_t v)
{
    if (v + 1 > ids->cap_gone) {
        /* Doubling keeps the tree: the new upper half holds nothing yet, except its root,
         * whose range covers every old entry. */
        size_t cap = ids->cap_gone ? ids->cap_gone : 64;
        while (cap < v + 1)
            cap *= 2;
        ids->gone = xrealloc(ids->gone, (cap + 1) * sizeof(*ids->gone));
        memset(ids->gone + ids->cap_gone + 1, 0, (cap - ids->cap_gone) * sizeof(*ids->gone));
        for (size_t c = ids->cap_gone ? ids->cap_gone * 2 : cap; ids->cap_gone && c <= cap; c *= 2)
            ids->gone[c] = ids->n_gone;
        ids->cap_gone = cap;
    }
    for (size_t i = v + 1; i <= ids->cap_gone; i += i & (~i + 1))
        ids->gone[i]++;
    ids->n_gone++;
}

size_t nl_ids_get(const struct nl_ids *ids, const char *id)
{
    size_t v = nl_map_get(&ids->map, id);
    if (v == NL_MAP_NONE || ids->n_gone == 0)
        return v;
    return v - gone_below(ids, v);
}

void nl_ids_put(struct nl_ids *ids, const char *id, size_t index)
{
    /* Every removed virtual index is below a new one, so index + n_gone is the next. */
    nl_map_put_first(&ids->map, id, index + ids->n_gone);
}

size_t nl_ids_remove(struct nl_ids *ids, const char *id)
{
    size_t index = nl_ids_get(ids, id);
    if (index != NL_MAP_NONE)
        gone_add(ids, nl_map_del(&ids->map, id));
    return index;
}

static void ids_clear(struct nl_ids *ids)
{
    nl_map_clear(&ids->map);
    if (ids->cap_gone)
        memset(ids->gone, 0, (ids->cap_gone + 1) * sizeof(*ids->gone));
    ids->n_gone = 0;
}

static void ids_free(struct nl_ids *ids)
{
    nl_map_free(&ids->map);
    free(ids->gone);
    memset(ids, 0, sizeof(*ids));
}

struct nl_lab_index *nl_lab_index_new(void)
{
    struct nl_lab_index *ix = xcalloc(1, sizeof(*ix));
    nl_map_init(&ix->dc_id.map, false);
    nl_map_init(&ix->cluster_id.map, false);
    nl_map_init(&ix->host_id.map, false);
    nl_map_init(&ix->vm_id.map, false);
    nl_map_init(&ix->net_id.map, false);
    nl_map_init(&ix->cluster_name, false);
    /* Host names are DNS names, which compare without case; VM and cluster names do not. */
    nl_map_init(&ix->host_name, true);
    nl_map_init(&ix->vm_name, false);
    return ix;
}

void nl_lab_index_free(struct nl_lab_index **ixp)
{
    if (!ixp || !*ixp)
        return;
    struct nl_lab_index *ix = *ixp;
    ids_free(&ix->dc_id);
    ids_free(&ix->cluster_id);
    ids_free(&ix->host_id);
    ids_free(&ix->vm_id);
    ids_free(&ix->net_id);
    nl_map_free(&ix->cluster_name);
    nl_map_free(&ix->host_name);
    nl_map_free(&ix->vm_name);
    free(ix);
    *ixp = NULL;
}

void nl_lab_index_rebuild_ids(struct nl_lab *lab)
{
    struct nl_lab_index *ix = lab->index;
    ids_clear(&ix->dc_id);
    ids_clear(&ix->cluster_id);
    ids_clear(&ix->host_id);
    ids_clear(&ix->vm_id);
    ids_clear(&ix->net_id);
    for (size_t i = 0; i < lab->n_datacenters; i++)
        nl_ids_put(&ix->dc_id, lab->datacenters[i].id, i);
    for (size_t i = 0; i < lab->n_clusters; i++)
        nl_ids_put(&ix->cluster_id, lab->clusters[i].id, i);
    for (size_t i = 0; i < lab->n_hosts; i++)
        nl_ids_put(&ix->host_id, lab->hosts[i].id, i);
    for (size_t i = 0; i < lab->n_vms; i++)
        nl_ids_put(&ix->vm_id, lab->vms[i].id, i);
    for (size_t i = 0; i < lab->n_networks; i++)
        nl_ids_put(&ix->net_id, lab->networks[i].id, i);
}

void nl_lab_index_rebuild_names(struct nl_lab *lab)
{
    struct nl_lab_index *ix = lab->index;
    nl_map_clear(&ix->cluster_name);
    nl_map_clear(&ix->host_name);
    nl_map_clear(&ix->vm_name);
    for (size_t i = 0; i < lab->n_clusters; i++)
        nl_map_put_first(&ix->cluster_name, lab->clusters[i].name, i);
    for (size_t i = 0; i < lab->n_hosts; i++)
        nl_map_put_first(&ix->host_name, lab->hosts[i].name, i);
    for (size_t i = 0; i < lab->n_vms; i++)
        nl_map_put_first(&ix->vm_name, lab->vms[i].name, i);
    ix->names_valid = true;
}

struct nl_host *nl_lab_find_host(const struct nl_lab *lab, const char *id)
{
    size_t i = nl_ids_get(&lab->index->host_id, id);
    return i < lab->n_hosts ? &lab->hosts[i] : NULL;
}

struct nl_vm *nl_lab_find_vm(const struct nl_lab *lab, const char *id)
{
    size_t i = nl_ids_get(&lab->index->vm_id, id);
    return i < lab->n_vms ? &lab->vms[i] : NULL;
}

struct nl_cluster *nl_lab_find_cluster(const struct nl_lab *lab, const char *id)
{
    size_t i = nl_ids_get(&lab->index->cluster_id, id);
    return i < lab->n_clusters ? &lab->clusters[i] : NULL;
}

/* Name maps are rebuilt by nl_lab_link; between an add and the next link a lookup scans, so a
 * caller that forgot to link gets a slow answer rather than a wrong one. */
struct nl_host *nl_lab_find_host_by_name(const struct nl_lab *lab, const char *name)
{
    if (!name)
        return NULL;
    if (lab->index->names_valid) {
        size_t i = nl_map_get(&lab->index->host_name, name);
        return i < lab->n_hosts ? &lab->hosts[i] : NULL;
    }
    for (size_t i = 0; i < lab->n_hosts; i++)
        if (lab->hosts[i].name && strcasecmp(lab->hosts[i].name, name) == 0)
            return &lab->hosts[i];
    return NULL;
}

struct nl_vm *nl_lab_find_vm_by_name(const struct nl_lab *lab, const char *name)
{
    if (!name)
        return NULL;
    if (lab->index->names_valid) {
        size_t i = nl_map_get(&lab->index->vm_name, name);
        return i < lab->n_vms ? &lab->vms[i] : NULL;
    }
    for (size_t i = 0; i < lab->n_vms; i++)
        if (lab->vms[i].name && strcmp(lab->vms[i].name, name) == 0)
            return &lab->vms[i];
    return NULL;
}

struct nl_cluster *nl_lab_find_cluster_by_name(const struct nl_lab *lab, const char *name)
{
    if (!name)
        return NULL;
    if (lab->index->names_valid) {
        size_t i = nl_map_get(&lab->index->cluster_name, name);
        return i < lab->n_clusters ? &lab->clusters[i] : NULL;
    }
    for (size_t i = 0; i < lab->n_clusters; i++)
        if (lab->clusters[i].name && strcmp(lab->clusters[i].name, name) == 0)
            return &lab->clusters[i];
    return NULL;
}

const char *nl_lab_network_name(const struct nl_lab *lab, const char *id)
{
    size_t i = nl_ids_get(&lab->index->net_id, id);
    return i < lab->n_networks ? lab->networks[i].name : NULL;
}

struct nl_vswitch *nl_host_find_vswitch(const struct nl_host *h, const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < h->n_vswitches; i++)
        if (h->vswitches[i].name && strcmp(h->vswitches[i].name, name) == 0)
            return &h->vswitches[i];
    return NULL;
}

struct nl_portgroup *nl_host_find_portgroup(const struct nl_host *h, const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < h->n_portgroups; i++)
        if (h->portgroups[i].name && strcmp(h->portgroups[i].name, name) == 0)
            return &h->portgroups[i];
    return NULL;
}

ssize_t nl_lab_host_index(const struct nl_lab *lab, const struct nl_host *h)
{
    if (!h || h < lab->hosts || h >= lab->hosts + lab->n_hosts)
        return -1;
    return h - lab->hosts;
}

ssize_t nl_lab_vm_index(const struct nl_lab *lab, const struct nl_vm *vm)
{
    if (!vm || vm < lab->vms || vm >= lab->vms + lab->n_vms)
        return -1;
    return vm - lab->vms;
}

const struct nl_portgroup *nl_host_find_trunk(const struct nl_host *h, const char *vswitch)
{
    for (size_t i = 0; i < h->n_portgroups; i++) {
        const struct nl_portgroup *pg = &h->portgroups[i];
        if (pg->vlan != NL_VLAN_TRUNK)
            continue;
        if (vswitch && !(pg->vswitch && strcmp(pg->vswitch, vswitch) == 0))
            continue;
        return pg;
    }
    return NULL;
}

bool nl_host_has_trunk(const struct nl_host *h, const char *vswitch)
{
    return nl_host_find_trunk(h, vswitch) != NULL;
}

bool nl_host_promiscuous_any(const struct nl_host *h)
{
    for (size_t i = 0; i < h->n_vswitches; i++)
        if (h->vswitches[i].security.promiscuous == NL_TRI_TRUE)
            return true;
    for (size_t i = 0; i < h->n_portgroups; i++)
        if (h->portgroups[i].effective.promiscuous == NL_TRI_TRUE)
            return true;
    return false;
}

bool nl_uuid_present(const char *u)
{
    for (; u && *u; u++)
        if (*u != '0' && *u != '-' && !isspace((unsigned char)*u))
            return true;
    return false;
}

bool nl_host_is_nested(const struct nl_host *h)
{
    return h->backing_vm >= 0 || h->link == NL_LINK_AMBIGUOUS;
}

bool nl_vm_is_hypervisor(const struct nl_vm *vm)
{
    return vm->role == NL_ROLE_NESTED_ESXI || vm->role == NL_ROLE_NESTED_OTHER;
}
