/* nl_lab_link: every derived field of the lab, recomputed from the raw fields in linear time.
 *
 * Nested links. A host is backed by the VM whose config.uuid equals the host's
 * hardware.systemInfo.uuid (ASCII case ignored; an empty or all-zero UUID counts as absent).
 * A UUID held by two VMs, or by two hosts, links nothing: guessing would silently pick one, and
 * the user is better served by an unlinked host than by a wrong one. Such a host is
 * NL_LINK_AMBIGUOUS (cloned nested ESXi VMs share uuid.bios) and is not matched by name either.
 * Only for a host that is still unlinked, and only when the host or the candidate VM has no UUID to
 * compare, the host's name, then its first DNS label ("esx-n01" of "esx-n01.lab.invalid"), is
 * matched against VM names (case ignored, unique names only); such links are NL_LINK_NAME and set
 * lab->name_links_used so the front end can say so. A VM never backs the host it runs on, and
 * backs at most one host. Hosts are visited in array order, so the result is deterministic.
 *
 * VM roles, first rule that matches:
 *   1. guestId vmkernel*                                   nested ESXi   (basis guest-id)
 *   2. the VM backs a host of this lab                      nested ESXi   (basis backs-host)
 *   3. name contains "vcsa" or "vcenter"                    appliance     (basis name)
 *   4. nested HV exposed (nestedHVEnabled true)             nested other  (basis nested-hv)
 *   5. guestId vmwarePhoton64Guest (the VCSA's guest OS)    appliance     (basis guest-id)
 *   6. name is a peer's stem plus digits ("kvm04" next to
 *      "kvm01") with the same guestId, where the peer got
 *      rule 4                                               nested other  (basis peer)
 *   7. name starts with kvm, proxmox, pve, hyperv, hyper-v  nested other  (basis name)
 *   otherwise a guest. Rules 6 and 7 exist so that a hypervisor VM whose nested HV was never
 * turned on (the most common mistake) is still checked as one instead of passing as a guest.
 *
 * Cluster kinds: no hosts → empty; every host backed by a VM (or ambiguous) → nested; none →
 * physical;
 * otherwise mixed. Port-group effective security: each field of the override when set, else the
 * vSwitch's field (UNSET when the vSwitch is unknown). */
#include "backend/model/lab.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/core/xmalloc.h"
#include "backend/model/lab_index.h"

static bool has_prefix_nocase(const char *s, const char *prefix)
{
    return s && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool contains_nocase(const char *s, const char *needle)
{
    return s && strcasestr(s, needle) != NULL;
}

static void link_parents(struct nl_lab *lab)
{
    struct nl_lab_index *ix = lab->index;
    for (size_t i = 0; i < lab->n_clusters; i++) {
        size_t d = nl_ids_get(&ix->dc_id, lab->clusters[i].datacenter_id);
        lab->clusters[i].datacenter = d < lab->n_datacenters ? (ssize_t)d : -1;
    }
    for (size_t i = 0; i < lab->n_hosts; i++) {
        struct nl_host *h = &lab->hosts[i];
        size_t c = nl_ids_get(&ix->cluster_id, h->cluster_id);
        h->cluster = c < lab->n_clusters ? (ssize_t)c : -1;
        h->backing_vm = -1;
        h->link = NL_LINK_NONE;
    }
    for (size_t i = 0; i < lab->n_vms; i++) {
        struct nl_vm *vm = &lab->vms[i];
        size_t h = nl_ids_get(&ix->host_id, vm->host_id);
        vm->host = h < lab->n_hosts ? (ssize_t)h : -1;
        vm->nested_host = -1;
    }
}

static void link_set(struct nl_lab *lab, size_t host, size_t vm, enum nl_link_kind kind)
{
    lab->hosts[host].backing_vm = (ssize_t)vm;
    lab->hosts[host].link = kind;
    lab->vms[vm].nested_host = (ssize_t)host;
}

static bool link_allowed(const struct nl_lab *lab, size_t host, size_t vm)
{
    return vm < lab->n_vms && lab->vms[vm].nested_host < 0 && lab->vms[vm].host != (ssize_t)host;
}

static void link_by_uuid(struct nl_lab *lab)
{
    struct nl_map vm_uuid, host_uuid;
    nl_map_init(&vm_uuid, true);
    nl_map_init(&host_uuid, true);
    for (size_t i = 0; i < lab->n_vms; i++)
        if (nl_uuid_present(lab->vms[i].uuid))
            nl_map_put_dup(&vm_uuid, lab->vms[i].uuid, i);
    for (size_t i = 0; i < lab->n_hosts; i++)
        if (nl_uuid_present(lab->hosts[i].bios_uuid))
            nl_map_put_dup(&host_uuid, lab->hosts[i].bios_uuid, i);
    for (size_t i = 0; i < lab->n_hosts; i++) {
        const char *u = lab->hosts[i].bios_uuid;
        if (!nl_uuid_present(u))
            continue;
        size_t v = nl_map_get(&vm_uuid, u);
        if (nl_map_get(&host_uuid, u) == NL_MAP_DUP || v == NL_MAP_DUP)
            lab->hosts[i].link = NL_LINK_AMBIGUOUS;
        else if (link_allowed(lab, i, v))
            link_set(lab, i, v, NL_LINK_UUID);
    }
    nl_map_free(&vm_uuid);
    nl_map_free(&host_uuid);
}

static void link_by_name(struct nl_lab *lab)
{
    struct nl_map names;
    nl_map_init(&names, true);
    for (size_t i = 0; i < lab->n_vms; i++)
        if (lab->vms[i].name && lab->vms[i].name[0])
            nl_map_put_dup(&names, lab->vms[i].name, i);
    for (size_t i = 0; i < lab->n_hosts; i++) {
        const struct nl_host *h = &lab->hosts[i];
        if (h->backing_vm >= 0 || h->link == NL_LINK_AMBIGUOUS || !h->name || !h->name[0])
            continue;
        size_t v = nl_map_get(&names, h->name);
        if (v == NL_MAP_NONE) {
            const char *dot = strchr(h->name, '.');
            if (dot && dot > h->name)
                v = nl_map_get_n(&names, h->name, (size_t)(dot - h->name));
        }
        if (!link_allowed(lab, i, v))
            continue;
        /* Two UUIDs that differ prove two different machines, whatever their names say. */
        if (nl_uuid_present(h->bios_uuid) && nl_uuid_present(lab->vms[v].uuid))
            continue;
        link_set(lab, i, v, NL_LINK_NAME);
        lab->name_links_used = true;
    }
    nl_map_free(&names);
}

/* The name without its trailing digits, or NULL when it has none ("kvm04" → "kvm"). */
static char *name_stem(const char *name)
{
    if (!name)
        return NULL;
    size_t n = strlen(name);
    size_t k = n;
    while (k > 0 && isdigit((unsigned char)name[k - 1]))
        k--;
    if (k == n || k == 0)
        return NULL;
    return xstrndup(name, k);
}

static bool name_says_hypervisor(const char *name)
{
    static const char *const prefixes[] = {"kvm", "proxmox", "pve", "hyperv", "hyper-v"};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (has_prefix_nocase(name, prefixes[i]))
            return true;
    return false;
}

static void vm_role(struct nl_vm *vm, enum nl_vm_role role, enum nl_role_basis basis)
{
    vm->role = role;
    vm->role_basis = basis;
}

static void assign_roles(struct nl_lab *lab)
{
    for (size_t i = 0; i < lab->n_vms; i++) {
        struct nl_vm *vm = &lab->vms[i];
        vm->role_peer = -1;
        if (has_prefix_nocase(vm->guest_id, "vmkernel"))
            vm_role(vm, NL_ROLE_NESTED_ESXI, NL_BASIS_GUEST_ID);
        else if (vm->nested_host >= 0)
            vm_role(vm, NL_ROLE_NESTED_ESXI, NL_BASIS_BACKS_HOST);
        else if (contains_nocase(vm->name, "vcsa") || contains_nocase(vm->name, "vcenter"))
            vm_role(vm, NL_ROLE_APPLIANCE, NL_BASIS_NAME);
        else if (vm->nested_hv == NL_TRI_TRUE)
            vm_role(vm, NL_ROLE_NESTED_OTHER, NL_BASIS_NESTED_HV);
        else if (vm->guest_id && strcasecmp(vm->guest_id, "vmwarePhoton64Guest") == 0)
            vm_role(vm, NL_ROLE_APPLIANCE, NL_BASIS_GUEST_ID);
        else
            vm_role(vm, NL_ROLE_GUEST, NL_BASIS_NONE);
    }

    /* Rule 6: stems of VMs that are nested hypervisors by their nested HV flag. */
    char **stems = xcalloc(lab->n_vms ? lab->n_vms : 1, sizeof(*stems));
    struct nl_map by_stem;
    nl_map_init(&by_stem, true);
    for (size_t i = 0; i < lab->n_vms; i++) {
        const struct nl_vm *vm = &lab->vms[i];
        if (vm->role_basis == NL_BASIS_NESTED_HV && vm->guest_id &&
            (stems[i] = name_stem(vm->name)))
            nl_map_put_first(&by_stem, stems[i], i);
    }
    for (size_t i = 0; i < lab->n_vms && by_stem.n; i++) {
        struct nl_vm *vm = &lab->vms[i];
        if (vm->role != NL_ROLE_GUEST || !vm->guest_id)
            continue;
        char *stem = name_stem(vm->name);
        size_t p = stem ? nl_map_get(&by_stem, stem) : NL_MAP_NONE;
        if (p < lab->n_vms && strcasecmp(lab->vms[p].guest_id, vm->guest_id) == 0) {
            vm_role(vm, NL_ROLE_NESTED_OTHER, NL_BASIS_PEER);
            vm->role_peer = (ssize_t)p;
        }
        free(stem);
    }
    nl_map_free(&by_stem);
    for (size_t i = 0; i < lab->n_vms; i++)
        free(stems[i]);
    free(stems);

    /* Rule 7. */
    for (size_t i = 0; i < lab->n_vms; i++)
        if (lab->vms[i].role == NL_ROLE_GUEST && name_says_hypervisor(lab->vms[i].name))
            vm_role(&lab->vms[i], NL_ROLE_NESTED_OTHER, NL_BASIS_NAME);
}

static void classify_clusters(struct nl_lab *lab)
{
    size_t n = lab->n_clusters ? lab->n_clusters : 1;
    size_t *backed = xcalloc(n, sizeof(*backed));
    size_t *plain = xcalloc(n, sizeof(*plain));
    for (size_t i = 0; i < lab->n_hosts; i++) {
        const struct nl_host *h = &lab->hosts[i];
        if (h->cluster < 0)
            continue;
        if (nl_host_is_nested(h))
            backed[h->cluster]++;
        else
            plain[h->cluster]++;
    }
    for (size_t i = 0; i < lab->n_clusters; i++) {
        enum nl_cluster_kind k = NL_CLUSTER_EMPTY;
        if (backed[i] && plain[i])
            k = NL_CLUSTER_MIXED;
        else if (backed[i])
            k = NL_CLUSTER_NESTED;
        else if (plain[i])
            k = NL_CLUSTER_PHYSICAL;
        lab->clusters[i].kind = k;
    }
    free(backed);
    free(plain);
}

static enum nl_tri tri_inherit(enum nl_tri override, enum nl_tri base)
{
    return override != NL_TRI_UNSET ? override : base;
}

static void effective_policies(struct nl_lab *lab)
{
    struct nl_security unset;
    nl_security_init(&unset);
    for (size_t i = 0; i < lab->n_hosts; i++) {
        struct nl_host *h = &lab->hosts[i];
        for (size_t p = 0; p < h->n_portgroups; p++) {
            struct nl_portgroup *pg = &h->portgroups[p];
            const struct nl_vswitch *vs = nl_host_find_vswitch(h, pg->vswitch);
            const struct nl_security *base = vs ? &vs->security : &unset;
            pg->effective.promiscuous = tri_inherit(pg->override.promiscuous, base->promiscuous);
            pg->effective.forged_transmits =
                tri_inherit(pg->override.forged_transmits, base->forged_transmits);
            pg->effective.mac_changes = tri_inherit(pg->override.mac_changes, base->mac_changes);
        }
    }
}

void nl_lab_link(struct nl_lab *lab)
{
    nl_lab_index_rebuild_names(lab);
    lab->name_links_used = false;
    link_parents(lab);
    link_by_uuid(lab);
    link_by_name(lab);
    assign_roles(lab);
    classify_clusters(lab);
    effective_policies(lab);
}
