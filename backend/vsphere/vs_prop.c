#include "backend/vsphere/vs_prop.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/vsphere/vs_xml.h"

const char *const vs_view_types[] = {
    "Datacenter", "Folder",         "ComputeResource", "ClusterComputeResource",
    "HostSystem", "VirtualMachine", "Network",         NULL,
};

static const char *const datacenter_paths[] = {"name", NULL};
static const char *const folder_paths[] = {"parent", NULL};
static const char *const compute_paths[] = {"parent", NULL};
static const char *const cluster_paths[] = {"name", "parent", NULL};
static const char *const host_paths[] = {
    "name",
    "parent",
    "runtime.connectionState",
    "hardware.systemInfo.uuid",
    "hardware.cpuInfo",
    "summary.hardware.cpuModel",
    "summary.quickStats.overallCpuUsage",
    "config.network.vswitch",
    "config.network.portgroup",
    "config.network.vnic",
    "configManager.networkSystem",
    "config.product.version",
    NULL,
};
static const char *const vm_paths[] = {
    "name",
    "runtime.powerState",
    "runtime.host",
    "config.version",
    "config.nestedHVEnabled",
    "config.guestId",
    "config.hardware.numCPU",
    "config.hardware.memoryMB",
    "config.uuid",
    "guest.toolsRunningStatus",
    "network",
    NULL,
};
static const char *const network_paths[] = {"name", NULL};

const struct vs_prop_spec vs_prop_specs[] = {
    {"Datacenter", datacenter_paths},   {"Folder", folder_paths},
    {"ComputeResource", compute_paths}, {"ClusterComputeResource", cluster_paths},
    {"HostSystem", host_paths},         {"VirtualMachine", vm_paths},
    {"Network", network_paths},         {NULL, NULL},
};

void vs_prop_build_filter(xmlNode *spec, const char *view)
{
    for (const struct vs_prop_spec *s = vs_prop_specs; s->type; s++) {
        xmlNode *ps = vs_xml_add(spec, "propSet", NULL);
        vs_xml_add(ps, "type", s->type);
        for (const char *const *p = s->paths; *p; p++)
            vs_xml_add(ps, "pathSet", *p);
    }
    xmlNode *os = vs_xml_add(spec, "objectSet", NULL);
    vs_xml_add_moref(os, "obj", "ContainerView", view);
    vs_xml_add_bool(os, "skip", true);
    xmlNode *sel = vs_xml_add_typed(os, "selectSet", "TraversalSpec");
    vs_xml_add(sel, "name", "traverseView");
    vs_xml_add(sel, "type", "ContainerView");
    vs_xml_add(sel, "path", "view");
    vs_xml_add_bool(sel, "skip", false);
}

enum kind { K_OTHER, K_DATACENTER, K_TREE, K_CLUSTER, K_HOST, K_VM, K_NETWORK };

static enum kind kind_of(const char *type)
{
    if (strcmp(type, "Datacenter") == 0)
        return K_DATACENTER;
    if (strcmp(type, "Folder") == 0 || strcmp(type, "ComputeResource") == 0)
        return K_TREE;
    if (strcmp(type, "ClusterComputeResource") == 0)
        return K_CLUSTER;
    if (strcmp(type, "HostSystem") == 0)
        return K_HOST;
    if (strcmp(type, "VirtualMachine") == 0)
        return K_VM;
    if (strcmp(type, "Network") == 0 || strcmp(type, "DistributedVirtualPortgroup") == 0 ||
        strcmp(type, "OpaqueNetwork") == 0)
        return K_NETWORK;
    return K_OTHER;
}

void vs_prop_enter(struct nl_lab *lab, struct vs_tree *tree, const char *type, const char *id)
{
    if (tree)
        vs_tree_add(tree, id, type);
    switch (kind_of(type)) {
    case K_DATACENTER:
        nl_lab_add_datacenter(lab, id);
        break;
    case K_CLUSTER:
        nl_lab_add_cluster(lab, id);
        break;
    case K_HOST:
        nl_lab_add_host(lab, id)->source = NL_SOURCE_VCENTER;
        break;
    case K_VM:
        nl_lab_add_vm(lab, id);
        break;
    case K_NETWORK:
        nl_lab_add_network(lab, id);
        break;
    default:
        break;
    }
}

void vs_prop_leave(struct nl_lab *lab, struct vs_tree *tree, const char *type, const char *id)
{
    (void)type;
    if (tree)
        vs_tree_remove(tree, id);
    nl_lab_remove(lab, id);
}

/* ---- value decoders: absent or malformed -> unknown ------------------------------------- */

static char *text_or_null(const xmlNode *val)
{
    return val ? vs_xml_text(val) : NULL;
}

static int int_or(const xmlNode *n, int fallback)
{
    long long v;
    if (!vs_xml_parse_long(n, &v) || v < -2147483647LL || v > 2147483647LL)
        return fallback;
    return (int)v;
}

static enum nl_tri tri_of(const xmlNode *n)
{
    bool b;
    if (!vs_xml_parse_bool(n, &b))
        return NL_TRI_UNSET;
    return b ? NL_TRI_TRUE : NL_TRI_FALSE;
}

static void security_of(const xmlNode *sec, struct nl_security *out)
{
    nl_security_init(out);
    if (!sec)
        return;
    out->promiscuous = tri_of(vs_xml_child(sec, "allowPromiscuous"));
    out->forged_transmits = tri_of(vs_xml_child(sec, "forgedTransmits"));
    out->mac_changes = tri_of(vs_xml_child(sec, "macChanges"));
}

static bool text_is(const xmlNode *n, const char *want)
{
    char *t = text_or_null(n);
    bool eq = t && strcmp(t, want) == 0;
    free(t);
    return eq;
}

static enum nl_power power_of(const xmlNode *val)
{
    if (text_is(val, "poweredOn"))
        return NL_POWER_ON;
    if (text_is(val, "poweredOff"))
        return NL_POWER_OFF;
    if (text_is(val, "suspended"))
        return NL_POWER_SUSPENDED;
    return NL_POWER_UNKNOWN;
}

static enum nl_conn conn_of(const xmlNode *val)
{
    if (text_is(val, "connected"))
        return NL_CONN_CONNECTED;
    if (text_is(val, "disconnected"))
        return NL_CONN_DISCONNECTED;
    if (text_is(val, "notResponding"))
        return NL_CONN_NOT_RESPONDING;
    return NL_CONN_UNKNOWN;
}

static int hw_version_of(const xmlNode *val)
{
    char *t = text_or_null(val);
    int v = 0;
    if (t && strncmp(t, "vmx-", 4) == 0) {
        char *end = NULL;
        long n = strtol(t + 4, &end, 10);
        if (end != t + 4 && *end == '\0' && n > 0 && n < 1000)
            v = (int)n;
    }
    free(t);
    return v;
}

static void moref_id_set(char **dst, const xmlNode *val)
{
    struct vs_moref m;
    if (val && vs_xml_moref(val, &m)) {
        xstrset(dst, m.id);
        vs_moref_clear(&m);
    } else {
        xstrset(dst, NULL);
    }
}

/* Replaces only the vSwitch list of h (the port groups are a separate property). */
static void host_set_vswitches(struct nl_host *h, const xmlNode *val)
{
    struct nl_portgroup *pgs = h->portgroups;
    size_t n_pgs = h->n_portgroups;
    h->portgroups = NULL;
    h->n_portgroups = 0;
    nl_host_clear_network(h);
    h->portgroups = pgs;
    h->n_portgroups = n_pgs;
    if (!val)
        return;
    for (xmlNode *sw = vs_xml_child(val, "HostVirtualSwitch"); sw;
         sw = vs_xml_next(sw, "HostVirtualSwitch")) {
        char *name = vs_xml_child_text(sw, "name");
        if (!name || !*name) {
            free(name);
            continue;
        }
        xmlNode *spec = vs_xml_child(sw, "spec");
        struct nl_vswitch *vs = nl_host_add_vswitch(h, name);
        free(name);
        vs->num_ports = int_or(vs_xml_child(spec, "numPorts"), -1);
        vs->mtu = int_or(vs_xml_child(sw, "mtu"), int_or(vs_xml_child(spec, "mtu"), -1));
        xmlNode *pol = vs_xml_child(spec, "policy");
        security_of(vs_xml_child(pol, "security"), &vs->security);
        xmlNode *bridge = vs_xml_child(spec, "bridge");
        for (xmlNode *nic = vs_xml_child(bridge, "nicDevice"); nic;
             nic = vs_xml_next(nic, "nicDevice")) {
            char *t = vs_xml_text(nic);
            if (*t)
                nl_vswitch_add_uplink(vs, t);
            free(t);
        }
    }
}

static void host_set_portgroups(struct nl_host *h, const xmlNode *val)
{
    struct nl_vswitch *vss = h->vswitches;
    size_t n_vss = h->n_vswitches;
    h->vswitches = NULL;
    h->n_vswitches = 0;
    nl_host_clear_network(h);
    h->vswitches = vss;
    h->n_vswitches = n_vss;
    if (!val)
        return;
    for (xmlNode *pg = vs_xml_child(val, "HostPortGroup"); pg;
         pg = vs_xml_next(pg, "HostPortGroup")) {
        xmlNode *spec = vs_xml_child(pg, "spec");
        char *name = vs_xml_child_text(spec, "name");
        char *vswitch = vs_xml_child_text(spec, "vswitchName");
        if (name && *name) {
            struct nl_portgroup *p = nl_host_add_portgroup(h, name, vswitch ? vswitch : "");
            int vlan = int_or(vs_xml_child(spec, "vlanId"), -1);
            p->vlan = vlan >= 0 && vlan <= 4095 ? vlan : -1;
            security_of(vs_xml_child(vs_xml_child(spec, "policy"), "security"), &p->override);
            int clients = 0;
            for (xmlNode *port = vs_xml_child(pg, "port"); port; port = vs_xml_next(port, "port"))
                clients++;
            p->active_clients = clients;
        }
        free(name);
        free(vswitch);
    }
}

/* The MAC of VMkernel NIC vmk0 from config.network.vnic (ArrayOfHostVirtualNic). */
static void host_set_vmk0_mac(struct nl_host *h, const xmlNode *val)
{
    char *mac = NULL;
    for (xmlNode *nic = vs_xml_child(val, "HostVirtualNic"); nic && !mac;
         nic = vs_xml_next(nic, "HostVirtualNic")) {
        char *dev = vs_xml_child_text(nic, "device");
        if (dev && strcmp(dev, "vmk0") == 0) {
            char *t = vs_xml_child_text(vs_xml_child(nic, "spec"), "mac");
            mac = nl_mac_normalize(t);
            free(t);
        }
        free(dev);
    }
    free(h->vmk0_mac);
    h->vmk0_mac = mac;
}

static void host_apply(struct nl_lab *lab, struct vs_tree *tree, const char *id, const char *name,
                       const xmlNode *val)
{
    struct nl_host *h = nl_lab_add_host(lab, id);
    if (strcmp(name, "name") == 0) {
        char *t = text_or_null(val);
        xstrset(&h->name, t);
        free(t);
    } else if (strcmp(name, "parent") == 0) {
        struct vs_moref m = {0};
        bool ok = val && vs_xml_moref(val, &m);
        /* A standalone host's parent is a plain ComputeResource: no cluster. */
        xstrset(&h->cluster_id, ok && strcmp(m.type, "ClusterComputeResource") == 0 ? m.id : NULL);
        if (tree)
            vs_tree_set_parent(tree, id, ok ? m.id : NULL);
        vs_moref_clear(&m);
    } else if (strcmp(name, "runtime.connectionState") == 0) {
        h->connection = conn_of(val);
    } else if (strcmp(name, "hardware.systemInfo.uuid") == 0) {
        char *t = text_or_null(val);
        xstrset(&h->bios_uuid, t && *t ? t : NULL);
        free(t);
    } else if (strcmp(name, "hardware.cpuInfo") == 0) {
        h->cpu_packages = int_or(vs_xml_child(val, "numCpuPackages"), -1);
        h->cpu_cores = int_or(vs_xml_child(val, "numCpuCores"), -1);
        h->cpu_threads = int_or(vs_xml_child(val, "numCpuThreads"), -1);
        long long hz;
        h->cpu_mhz =
            vs_xml_parse_long(vs_xml_child(val, "hz"), &hz) && hz > 0 ? (int)(hz / 1000000) : -1;
    } else if (strcmp(name, "summary.hardware.cpuModel") == 0) {
        char *t = text_or_null(val);
        xstrset(&h->cpu_model, t);
        free(t);
    } else if (strcmp(name, "summary.quickStats.overallCpuUsage") == 0) {
        h->cpu_usage_mhz = int_or(val, -1);
    } else if (strcmp(name, "config.network.vswitch") == 0) {
        host_set_vswitches(h, val);
    } else if (strcmp(name, "config.network.portgroup") == 0) {
        host_set_portgroups(h, val);
    } else if (strcmp(name, "config.network.vnic") == 0) {
        host_set_vmk0_mac(h, val);
    } else if (strcmp(name, "configManager.networkSystem") == 0) {
        moref_id_set(&h->network_system, val);
    } else if (strcmp(name, "config.product.version") == 0) {
        char *t = text_or_null(val);
        xstrset(&h->version, t);
        free(t);
    }
}

static void vm_set_networks(struct nl_lab *lab, const struct vs_tree *tree, struct nl_vm *vm,
                            const xmlNode *val)
{
    nl_vm_clear_networks(vm);
    if (!val)
        return;
    for (xmlNode *n = vs_xml_child(val, "ManagedObjectReference"); n;
         n = vs_xml_next(n, "ManagedObjectReference")) {
        char *id = vs_xml_text(n);
        /* Names when already known; ids left here are named by vs_prop_resolve. */
        const char *name = tree ? vs_tree_name(tree, id) : NULL;
        if (!name)
            name = nl_lab_network_name(lab, id);
        if (*id)
            nl_vm_add_network(vm, name ? name : id);
        free(id);
    }
}

static void vm_apply(struct nl_lab *lab, struct vs_tree *tree, const char *id, const char *name,
                     const xmlNode *val)
{
    struct nl_vm *vm = nl_lab_add_vm(lab, id);
    char **str = NULL;
    if (strcmp(name, "name") == 0)
        str = &vm->name;
    else if (strcmp(name, "runtime.powerState") == 0)
        vm->power = power_of(val);
    else if (strcmp(name, "runtime.host") == 0)
        moref_id_set(&vm->host_id, val);
    else if (strcmp(name, "config.version") == 0)
        vm->hw_version = hw_version_of(val);
    else if (strcmp(name, "config.nestedHVEnabled") == 0)
        vm->nested_hv = tri_of(val);
    else if (strcmp(name, "config.guestId") == 0)
        str = &vm->guest_id;
    else if (strcmp(name, "config.hardware.numCPU") == 0)
        vm->cpus = int_or(val, -1);
    else if (strcmp(name, "config.hardware.memoryMB") == 0)
        vm->memory_mb = int_or(val, -1);
    else if (strcmp(name, "config.uuid") == 0)
        str = &vm->uuid;
    else if (strcmp(name, "guest.toolsRunningStatus") == 0)
        str = &vm->tools;
    else if (strcmp(name, "network") == 0)
        vm_set_networks(lab, tree, vm, val);
    if (str) {
        char *t = text_or_null(val);
        xstrset(str, t && *t ? t : NULL);
        free(t);
    }
}

void vs_prop_apply(struct nl_lab *lab, struct vs_tree *tree, const char *type, const char *id,
                   const char *name, const xmlNode *val)
{
    enum kind k = kind_of(type);
    if (strcmp(name, "parent") == 0 && tree && k != K_HOST) {
        struct vs_moref m = {0};
        bool ok = val && vs_xml_moref(val, &m);
        vs_tree_set_parent(tree, id, ok ? m.id : NULL);
        vs_moref_clear(&m);
    }
    switch (k) {
    case K_DATACENTER:
        if (strcmp(name, "name") == 0) {
            char *t = text_or_null(val);
            xstrset(&nl_lab_add_datacenter(lab, id)->name, t);
            free(t);
        }
        break;
    case K_CLUSTER:
        if (strcmp(name, "name") == 0) {
            char *t = text_or_null(val);
            xstrset(&nl_lab_add_cluster(lab, id)->name, t);
            free(t);
        }
        break;
    case K_HOST:
        host_apply(lab, tree, id, name, val);
        break;
    case K_VM:
        vm_apply(lab, tree, id, name, val);
        break;
    case K_NETWORK:
        if (strcmp(name, "name") == 0) {
            char *t = text_or_null(val);
            xstrset(&nl_lab_add_network(lab, id)->name, t);
            if (tree)
                vs_tree_set_name(tree, id, t);
            free(t);
        }
        break;
    default:
        break;
    }
}

void vs_prop_resolve(struct nl_lab *lab, const struct vs_tree *tree)
{
    if (!tree)
        return;
    for (size_t i = 0; i < lab->n_clusters; i++) {
        const char *dc = vs_tree_datacenter(tree, lab->clusters[i].id);
        if (dc)
            xstrset(&lab->clusters[i].datacenter_id, dc);
    }
    for (size_t i = 0; i < lab->n_hosts; i++) {
        const char *dc = vs_tree_datacenter(tree, lab->hosts[i].id);
        if (dc)
            xstrset(&lab->hosts[i].datacenter_id, dc);
    }
    for (size_t i = 0; i < lab->n_vms; i++) {
        struct nl_vm *vm = &lab->vms[i];
        for (size_t n = 0; n < vm->n_networks; n++) {
            const char *name = vs_tree_name(tree, vm->networks[n]);
            if (name)
                xstrset(&vm->networks[n], name);
        }
    }
}

enum nl_code vs_prop_build_view(xmlNode *m, void *arg, struct nl_err *err)
{
    (void)err;
    const struct vs_moref *root = arg;
    vs_xml_add_moref(m, "container", root->type, root->id);
    for (const char *const *t = vs_view_types; *t; t++)
        vs_xml_add(m, "type", *t);
    vs_xml_add_bool(m, "recursive", true);
    return NL_OK;
}
