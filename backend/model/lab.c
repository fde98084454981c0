/* The lab graph: construction, copying and destruction. Linking (derived fields) is in
 * lab_link.c, lookups in lab_index.c, output in lab_json.c and lab_text.c. */
#include "backend/model/lab.h"

#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/model/lab_index.h"

void nl_security_init(struct nl_security *s)
{
    s->promiscuous = NL_TRI_UNSET;
    s->forged_transmits = NL_TRI_UNSET;
    s->mac_changes = NL_TRI_UNSET;
}

struct nl_lab *nl_lab_new(const char *endpoint)
{
    struct nl_lab *lab = xcalloc(1, sizeof(*lab));
    lab->endpoint = xstrdup(endpoint);
    lab->source = NL_SOURCE_NONE;
    lab->index = nl_lab_index_new();
    return lab;
}

/* ---- freeing ---------------------------------------------------------------------------- */

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void portgroup_clear(struct nl_portgroup *pg)
{
    free(pg->name);
    free(pg->vswitch);
}

static void vswitch_clear(struct nl_vswitch *vs)
{
    free(vs->name);
    strv_free(vs->uplinks, vs->n_uplinks);
}

void nl_host_clear_network(struct nl_host *h)
{
    for (size_t i = 0; i < h->n_vswitches; i++)
        vswitch_clear(&h->vswitches[i]);
    for (size_t i = 0; i < h->n_portgroups; i++)
        portgroup_clear(&h->portgroups[i]);
    free(h->vswitches);
    free(h->portgroups);
    h->vswitches = NULL;
    h->portgroups = NULL;
    h->n_vswitches = 0;
    h->n_portgroups = 0;
}

static void datacenter_clear(struct nl_datacenter *dc)
{
    free(dc->id);
    free(dc->name);
}

static void cluster_clear(struct nl_cluster *c)
{
    free(c->id);
    free(c->name);
    free(c->datacenter_id);
}

static void host_clear(struct nl_host *h)
{
    free(h->id);
    free(h->name);
    free(h->cluster_id);
    free(h->datacenter_id);
    free(h->bios_uuid);
    free(h->network_system);
    free(h->vmk0_mac);
    free(h->version);
    free(h->cpu_model);
    free(h->ssh_address);
    nl_host_clear_network(h);
}

void nl_vm_clear_networks(struct nl_vm *vm)
{
    strv_free(vm->networks, vm->n_networks);
    vm->networks = NULL;
    vm->n_networks = 0;
}

static void vm_clear(struct nl_vm *vm)
{
    free(vm->id);
    free(vm->name);
    free(vm->host_id);
    free(vm->guest_id);
    free(vm->tools);
    free(vm->uuid);
    free(vm->vmx_path);
    nl_vm_clear_networks(vm);
}

static void network_clear(struct nl_network *n)
{
    free(n->id);
    free(n->name);
}

void nl_lab_free(struct nl_lab **labp)
{
    if (!labp || !*labp)
        return;
    struct nl_lab *lab = *labp;
    for (size_t i = 0; i < lab->n_datacenters; i++)
        datacenter_clear(&lab->datacenters[i]);
    for (size_t i = 0; i < lab->n_clusters; i++)
        cluster_clear(&lab->clusters[i]);
    for (size_t i = 0; i < lab->n_hosts; i++)
        host_clear(&lab->hosts[i]);
    for (size_t i = 0; i < lab->n_vms; i++)
        vm_clear(&lab->vms[i]);
    for (size_t i = 0; i < lab->n_networks; i++)
        network_clear(&lab->networks[i]);
    free(lab->datacenters);
    free(lab->clusters);
    free(lab->hosts);
    free(lab->vms);
    free(lab->networks);
    free(lab->endpoint);
    free(lab->api_version);
    nl_lab_index_free(&lab->index);
    free(lab);
    *labp = NULL;
}

/* ---- adding ----------------------------------------------------------------------------- */

/* Small per-host lists have no capacity field: grow to the next power of two when the count
 * reaches one, which keeps appends amortised O(1). */
static void *list_grow(void *p, size_t n, size_t elem)
{
    if (n == 0)
        return xrealloc(p, 4 * elem);
    if (n >= 4 && (n & (n - 1)) == 0)
        return xrealloc(p, 2 * n * elem);
    return p;
}

struct nl_datacenter *nl_lab_add_datacenter(struct nl_lab *lab, const char *id)
{
    size_t i = nl_ids_get(&lab->index->dc_id, id);
    if (i != NL_MAP_NONE)
        return &lab->datacenters[i];
    lab->datacenters = xgrow(lab->datacenters, &lab->cap_datacenters, lab->n_datacenters + 1,
                             sizeof(struct nl_datacenter));
    struct nl_datacenter *dc = &lab->datacenters[lab->n_datacenters];
    memset(dc, 0, sizeof(*dc));
    dc->id = xstrdup(id);
    nl_ids_put(&lab->index->dc_id, dc->id, lab->n_datacenters++);
    lab->index->names_valid = false;
    return dc;
}

struct nl_cluster *nl_lab_add_cluster(struct nl_lab *lab, const char *id)
{
    size_t i = nl_ids_get(&lab->index->cluster_id, id);
    if (i != NL_MAP_NONE)
        return &lab->clusters[i];
    lab->clusters =
        xgrow(lab->clusters, &lab->cap_clusters, lab->n_clusters + 1, sizeof(struct nl_cluster));
    struct nl_cluster *c = &lab->clusters[lab->n_clusters];
    memset(c, 0, sizeof(*c));
    c->id = xstrdup(id);
    c->datacenter = -1;
    c->kind = NL_CLUSTER_EMPTY;
    nl_ids_put(&lab->index->cluster_id, c->id, lab->n_clusters++);
    lab->index->names_valid = false;
    return c;
}

struct nl_host *nl_lab_add_host(struct nl_lab *lab, const char *id)
{
    size_t i = nl_ids_get(&lab->index->host_id, id);
    if (i != NL_MAP_NONE)
        return &lab->hosts[i];
    lab->hosts = xgrow(lab->hosts, &lab->cap_hosts, lab->n_hosts + 1, sizeof(struct nl_host));
    struct nl_host *h = &lab->hosts[lab->n_hosts];
    memset(h, 0, sizeof(*h));
    h->id = xstrdup(id);
    h->connection = NL_CONN_UNKNOWN;
    h->cpu_packages = h->cpu_cores = h->cpu_threads = h->cpu_mhz = -1;
    h->hv_support = -1;
    h->cpu_usage_mhz = -1;
    h->source = NL_SOURCE_NONE;
    h->cluster = -1;
    h->backing_vm = -1;
    h->link = NL_LINK_NONE;
    nl_ids_put(&lab->index->host_id, h->id, lab->n_hosts++);
    lab->index->names_valid = false;
    return h;
}

struct nl_vm *nl_lab_add_vm(struct nl_lab *lab, const char *id)
{
    size_t i = nl_ids_get(&lab->index->vm_id, id);
    if (i != NL_MAP_NONE)
        return &lab->vms[i];
    lab->vms = xgrow(lab->vms, &lab->cap_vms, lab->n_vms + 1, sizeof(struct nl_vm));
    struct nl_vm *vm = &lab->vms[lab->n_vms];
    memset(vm, 0, sizeof(*vm));
    vm->id = xstrdup(id);
    vm->power = NL_POWER_UNKNOWN;
    vm->nested_hv = NL_TRI_UNSET;
    vm->cpus = -1;
    vm->memory_mb = -1;
    vm->host = -1;
    vm->nested_host = -1;
    vm->role = NL_ROLE_GUEST;
    vm->role_basis = NL_BASIS_NONE;
    vm->role_peer = -1;
    nl_ids_put(&lab->index->vm_id, vm->id, lab->n_vms++);
    lab->index->names_valid = false;
    return vm;
}

struct nl_network *nl_lab_add_network(struct nl_lab *lab, const char *id)
{
    size_t i = nl_ids_get(&lab->index->net_id, id);
    if (i != NL_MAP_NONE)
        return &lab->networks[i];
    lab->networks =
        xgrow(lab->networks, &lab->cap_networks, lab->n_networks + 1, sizeof(struct nl_network));
    struct nl_network *n = &lab->networks[lab->n_networks];
    memset(n, 0, sizeof(*n));
    n->id = xstrdup(id);
    nl_ids_put(&lab->index->net_id, n->id, lab->n_networks++);
    return n;
}

struct nl_vswitch *nl_host_add_vswitch(struct nl_host *h, const char *name)
{
    struct nl_vswitch *vs = nl_host_find_vswitch(h, name);
    if (vs)
        return vs;
    h->vswitches = list_grow(h->vswitches, h->n_vswitches, sizeof(*h->vswitches));
    vs = &h->vswitches[h->n_vswitches++];
    memset(vs, 0, sizeof(*vs));
    vs->name = xstrdup(name);
    vs->num_ports = -1;
    vs->mtu = -1;
    nl_security_init(&vs->security);
    return vs;
}

struct nl_portgroup *nl_host_add_portgroup(struct nl_host *h, const char *name, const char *vswitch)
{
    struct nl_portgroup *pg = nl_host_find_portgroup(h, name);
    if (pg) {
        xstrset(&pg->vswitch, vswitch);
        return pg;
    }
    h->portgroups = list_grow(h->portgroups, h->n_portgroups, sizeof(*h->portgroups));
    pg = &h->portgroups[h->n_portgroups++];
    memset(pg, 0, sizeof(*pg));
    pg->name = xstrdup(name);
    pg->vswitch = xstrdup(vswitch);
    pg->vlan = -1;
    pg->active_clients = -1;
    nl_security_init(&pg->override);
    nl_security_init(&pg->effective);
    return pg;
}

void nl_vswitch_add_uplink(struct nl_vswitch *vs, const char *nic)
{
    vs->uplinks = list_grow(vs->uplinks, vs->n_uplinks, sizeof(*vs->uplinks));
    vs->uplinks[vs->n_uplinks++] = xstrdup(nic);
}

void nl_vm_add_network(struct nl_vm *vm, const char *name)
{
    vm->networks = list_grow(vm->networks, vm->n_networks, sizeof(*vm->networks));
    vm->networks[vm->n_networks++] = xstrdup(name);
}

/* ---- removing --------------------------------------------------------------------------- */

/* Removes element i of an array by shifting the rest down, so the remaining objects keep their
 * relative order (output and tests stay deterministic). */
static void array_remove(void *base, size_t *n, size_t i, size_t elem)
{
    char *b = base;
    memmove(b + i * elem, b + (i + 1) * elem, (*n - i - 1) * elem);
    (*n)--;
}

bool nl_lab_remove(struct nl_lab *lab, const char *id)
{
    struct nl_lab_index *ix = lab->index;
    size_t i;
    /* The index entry goes first: its key is the object's id string, which clearing frees. */
    if ((i = nl_ids_remove(&ix->vm_id, id)) != NL_MAP_NONE) {
        vm_clear(&lab->vms[i]);
        array_remove(lab->vms, &lab->n_vms, i, sizeof(*lab->vms));
    } else if ((i = nl_ids_remove(&ix->host_id, id)) != NL_MAP_NONE) {
        host_clear(&lab->hosts[i]);
        array_remove(lab->hosts, &lab->n_hosts, i, sizeof(*lab->hosts));
    } else if ((i = nl_ids_remove(&ix->cluster_id, id)) != NL_MAP_NONE) {
        cluster_clear(&lab->clusters[i]);
        array_remove(lab->clusters, &lab->n_clusters, i, sizeof(*lab->clusters));
    } else if ((i = nl_ids_remove(&ix->dc_id, id)) != NL_MAP_NONE) {
        datacenter_clear(&lab->datacenters[i]);
        array_remove(lab->datacenters, &lab->n_datacenters, i, sizeof(*lab->datacenters));
    } else if ((i = nl_ids_remove(&ix->net_id, id)) != NL_MAP_NONE) {
        network_clear(&lab->networks[i]);
        array_remove(lab->networks, &lab->n_networks, i, sizeof(*lab->networks));
    } else {
        return false;
    }
    /* Name maps point at freed strings and shifted indexes until the next link. The id indexes
     * stay right; once the removals outnumber the objects, a rebuild (linear) keeps lookups and
     * the next removal logarithmic, which amortises to O(1) per removal. */
    ix->names_valid = false;
    size_t gone = ix->dc_id.n_gone + ix->cluster_id.n_gone + ix->host_id.n_gone + ix->vm_id.n_gone +
                  ix->net_id.n_gone;
    size_t live =
        lab->n_datacenters + lab->n_clusters + lab->n_hosts + lab->n_vms + lab->n_networks;
    if (gone > 64 && gone > live)
        nl_lab_index_rebuild_ids(lab);
    return true;
}

/* ---- cloning ---------------------------------------------------------------------------- */

static void host_copy_network(struct nl_host *dst, const struct nl_host *src)
{
    for (size_t i = 0; i < src->n_vswitches; i++) {
        const struct nl_vswitch *s = &src->vswitches[i];
        struct nl_vswitch *d = nl_host_add_vswitch(dst, s->name);
        d->num_ports = s->num_ports;
        d->mtu = s->mtu;
        d->security = s->security;
        for (size_t u = 0; u < s->n_uplinks; u++)
            nl_vswitch_add_uplink(d, s->uplinks[u]);
    }
    for (size_t i = 0; i < src->n_portgroups; i++) {
        const struct nl_portgroup *s = &src->portgroups[i];
        struct nl_portgroup *d = nl_host_add_portgroup(dst, s->name, s->vswitch);
        d->vlan = s->vlan;
        d->override = s->override;
        d->effective = s->effective;
        d->active_clients = s->active_clients;
    }
}

struct nl_lab *nl_lab_clone(const struct nl_lab *lab)
{
    struct nl_lab *c = nl_lab_new(lab->endpoint);
    c->source = lab->source;
    c->fetched_at = lab->fetched_at;
    c->api_version = xstrdup(lab->api_version);
    for (size_t i = 0; i < lab->n_datacenters; i++) {
        const struct nl_datacenter *s = &lab->datacenters[i];
        struct nl_datacenter *d = nl_lab_add_datacenter(c, s->id);
        d->name = xstrdup(s->name);
    }
    for (size_t i = 0; i < lab->n_clusters; i++) {
        const struct nl_cluster *s = &lab->clusters[i];
        struct nl_cluster *d = nl_lab_add_cluster(c, s->id);
        d->name = xstrdup(s->name);
        d->datacenter_id = xstrdup(s->datacenter_id);
    }
    for (size_t i = 0; i < lab->n_hosts; i++) {
        const struct nl_host *s = &lab->hosts[i];
        struct nl_host *d = nl_lab_add_host(c, s->id);
        d->name = xstrdup(s->name);
        d->cluster_id = xstrdup(s->cluster_id);
        d->datacenter_id = xstrdup(s->datacenter_id);
        d->connection = s->connection;
        d->bios_uuid = xstrdup(s->bios_uuid);
        d->network_system = xstrdup(s->network_system);
        d->vmk0_mac = xstrdup(s->vmk0_mac);
        d->version = xstrdup(s->version);
        d->cpu_model = xstrdup(s->cpu_model);
        d->cpu_packages = s->cpu_packages;
        d->cpu_cores = s->cpu_cores;
        d->cpu_threads = s->cpu_threads;
        d->cpu_mhz = s->cpu_mhz;
        d->hv_support = s->hv_support;
        d->cpu_usage_mhz = s->cpu_usage_mhz;
        d->source = s->source;
        d->ssh_address = xstrdup(s->ssh_address);
        d->ssh_port = s->ssh_port;
        host_copy_network(d, s);
    }
    for (size_t i = 0; i < lab->n_vms; i++) {
        const struct nl_vm *s = &lab->vms[i];
        struct nl_vm *d = nl_lab_add_vm(c, s->id);
        d->name = xstrdup(s->name);
        d->host_id = xstrdup(s->host_id);
        d->power = s->power;
        d->hw_version = s->hw_version;
        d->nested_hv = s->nested_hv;
        d->guest_id = xstrdup(s->guest_id);
        d->cpus = s->cpus;
        d->memory_mb = s->memory_mb;
        d->tools = xstrdup(s->tools);
        d->uuid = xstrdup(s->uuid);
        for (size_t n = 0; n < s->n_networks; n++)
            nl_vm_add_network(d, s->networks[n]);
        d->vmid = s->vmid;
        d->vmx_path = xstrdup(s->vmx_path);
    }
    for (size_t i = 0; i < lab->n_networks; i++) {
        const struct nl_network *s = &lab->networks[i];
        struct nl_network *d = nl_lab_add_network(c, s->id);
        d->name = xstrdup(s->name);
    }
    nl_lab_link(c);
    return c;
}
