/* The lab graph: what one endpoint (a vCenter, or a set of ESXi hosts reached over SSH) holds.
 * Pure data and pure functions; no I/O, no curses. Backends fill it through nl_lab_add_* and the
 * setters below; nl_lab_link() then computes every derived field (links, roles, kinds, effective
 * policies). Objects live in arrays and refer to each other by index, so pointers returned by
 * nl_lab_add_* or nl_lab_find_* are valid only until the next add/remove on that lab.
 * Ids are the server's stable identifiers (vSphere morefs, or "ssh:<host>" style ids for objects
 * read over SSH); names are what users see and may contain anything (quotes, <>&, UTF-8). */
#ifndef NL_MODEL_LAB_H
#define NL_MODEL_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

enum nl_tri { NL_TRI_UNSET = -1, NL_TRI_FALSE = 0, NL_TRI_TRUE = 1 };

/* A security policy. On a vSwitch all three are normally set; in a port-group override UNSET
 * means "inherit from the vSwitch". */
struct nl_security {
    enum nl_tri promiscuous;
    enum nl_tri forged_transmits;
    enum nl_tri mac_changes;
};

enum nl_source { NL_SOURCE_NONE, NL_SOURCE_VCENTER, NL_SOURCE_SSH, NL_SOURCE_CACHE };
enum nl_power { NL_POWER_UNKNOWN, NL_POWER_ON, NL_POWER_OFF, NL_POWER_SUSPENDED };
enum nl_conn { NL_CONN_UNKNOWN, NL_CONN_CONNECTED, NL_CONN_DISCONNECTED, NL_CONN_NOT_RESPONDING };
enum nl_cluster_kind { NL_CLUSTER_EMPTY, NL_CLUSTER_PHYSICAL, NL_CLUSTER_NESTED, NL_CLUSTER_MIXED };
enum nl_vm_role {
    NL_ROLE_GUEST,        /* an ordinary VM */
    NL_ROLE_NESTED_ESXI,  /* guestId vmkernel*: a nested ESXi */
    NL_ROLE_NESTED_OTHER, /* non-ESXi guest with nested HV exposed: KVM, Hyper-V, ... */
    NL_ROLE_APPLIANCE,    /* vCenter appliance (guestId/ name heuristics, documented in lab.c) */
};

/* Why nl_lab_link gave a VM its role (added; the rules are documented in lab_link.c). */
enum nl_role_basis {
    NL_BASIS_NONE,       /* no evidence: an ordinary guest */
    NL_BASIS_GUEST_ID,   /* guestId vmkernel* (ESXi) or vmwarePhoton64Guest (appliance) */
    NL_BASIS_BACKS_HOST, /* the VM backs a host of this lab, whatever its guestId */
    NL_BASIS_NESTED_HV,  /* nested HV exposed on a non-ESXi guest */
    NL_BASIS_NAME,       /* name heuristics: "vcsa"/"vcenter", "kvm"/"proxmox"/"hyperv" */
    NL_BASIS_PEER,       /* named like a nested-HV VM with the same guestId (kvm04 ~ kvm01) */
};

/* How a nested host was matched to the VM that backs it. AMBIGUOUS: the host's BIOS UUID is held
 * by more than one VM or more than one host (cloned nested hosts), so nothing is linked. */
enum nl_link_kind { NL_LINK_NONE, NL_LINK_UUID, NL_LINK_NAME, NL_LINK_AMBIGUOUS };

struct nl_portgroup {
    char *name;
    char *vswitch;
    int vlan;                     /* 0 untagged, 1..4094 VLAN, 4095 trunk; -1 unknown */
    struct nl_security override;  /* as configured on the port group */
    struct nl_security effective; /* derived: override, else the vSwitch's policy */
    int active_clients;           /* -1 unknown */
};

struct nl_vswitch {
    char *name;
    int num_ports; /* configured ports (spec.numPorts); -1 unknown */
    int mtu;       /* -1 unknown */
    char **uplinks;
    size_t n_uplinks;
    struct nl_security security;
};

struct nl_datacenter {
    char *id;
    char *name;
};

struct nl_cluster {
    char *id;
    char *name;
    char *datacenter_id;
    /* derived */
    ssize_t datacenter;        /* index or -1 */
    enum nl_cluster_kind kind; /* physical / nested by the hosts it holds */
};

struct nl_host {
    char *id;
    char *name;
    char *cluster_id; /* NULL for a standalone host */
    char *datacenter_id;
    enum nl_conn connection;
    char *bios_uuid;      /* hardware.systemInfo.uuid */
    char *vmk0_mac;       /* MAC of VMkernel NIC vmk0, lower-case "00:50:56:..."; NULL unknown */
    char *network_system; /* configManager.networkSystem moref, NULL over SSH */
    char *version;        /* "8.0.3", may be NULL */
    char *cpu_model;
    int cpu_packages, cpu_cores, cpu_threads, cpu_mhz; /* -1 unknown */
    int hv_support;                                    /* esxcli HV Support 0..3, -1 unknown */
    int cpu_usage_mhz; /* summary.quickStats.overallCpuUsage, -1 unknown */
    struct nl_vswitch *vswitches;
    size_t n_vswitches;
    struct nl_portgroup *portgroups;
    size_t n_portgroups;
    enum nl_source source; /* where this host's data last came from */
    char *ssh_address;     /* direct access; NULL = use name */
    int ssh_port;          /* 0 = 22 */
    /* derived */
    ssize_t cluster;    /* index or -1 */
    ssize_t backing_vm; /* index of the VM that runs this host, or -1 (physical) */
    enum nl_link_kind link;
};

struct nl_vm {
    char *id;
    char *name;
    char *host_id; /* runtime.host */
    enum nl_power power;
    int hw_version;        /* 10 for "vmx-10"; 0 unknown */
    enum nl_tri nested_hv; /* config.nestedHVEnabled; UNSET when the server did not say */
    char *guest_id;
    int cpus;        /* -1 unknown */
    int memory_mb;   /* -1 unknown */
    char *tools;     /* guest.toolsRunningStatus as sent, e.g. "guestToolsRunning" */
    char *uuid;      /* config.uuid (BIOS UUID) */
    char **networks; /* port group / network names */
    size_t n_networks;
    int vmid;       /* vim-cmd id over SSH, 0 unknown */
    char *vmx_path; /* /vmfs/volumes/... over SSH, NULL unknown */
    /* derived */
    ssize_t host;        /* index or -1 */
    ssize_t nested_host; /* the host this VM backs, or -1 */
    enum nl_vm_role role;
    enum nl_role_basis role_basis; /* added: why role was chosen */
    ssize_t role_peer;             /* added: for NL_BASIS_PEER, the VM it resembles, else -1 */
};

struct nl_network { /* vSphere Network objects: moref -> name, for VM networks */
    char *id;
    char *name;
};

struct nl_lab_index; /* private: id/name hash maps, rebuilt by nl_lab_link */

struct nl_lab {
    char *endpoint; /* the endpoint's name from the config */
    enum nl_source source;
    time_t fetched_at;
    char *api_version; /* vCenter's about.apiVersion, may be NULL */
    struct nl_datacenter *datacenters;
    size_t n_datacenters, cap_datacenters;
    struct nl_cluster *clusters;
    size_t n_clusters, cap_clusters;
    struct nl_host *hosts;
    size_t n_hosts, cap_hosts;
    struct nl_vm *vms;
    size_t n_vms, cap_vms;
    struct nl_network *networks;
    size_t n_networks, cap_networks;
    bool name_links_used; /* derived: some nested link fell back to name matching */
    struct nl_lab_index *index;
};

struct nl_lab *nl_lab_new(const char *endpoint);
void nl_lab_free(struct nl_lab **lab);
struct nl_lab *nl_lab_clone(const struct nl_lab *lab);

/* Add an object with the given id (copied) and every other field empty/unknown (-1, UNSET, NULL).
 * Adding an id that exists returns the existing object. */
struct nl_datacenter *nl_lab_add_datacenter(struct nl_lab *lab, const char *id);
struct nl_cluster *nl_lab_add_cluster(struct nl_lab *lab, const char *id);
struct nl_host *nl_lab_add_host(struct nl_lab *lab, const char *id);
struct nl_vm *nl_lab_add_vm(struct nl_lab *lab, const char *id);
struct nl_network *nl_lab_add_network(struct nl_lab *lab, const char *id);
/* Removes the object with that id, whatever its type; returns false when unknown. The later
 * objects of its type shift down one place (arrays stay dense and in order): O(log n) index work
 * plus a memmove of those later objects. */
bool nl_lab_remove(struct nl_lab *lab, const char *id);

/* Host network content (replaces the lists). */
struct nl_vswitch *nl_host_add_vswitch(struct nl_host *h, const char *name);
struct nl_portgroup *nl_host_add_portgroup(struct nl_host *h, const char *name,
                                           const char *vswitch);
void nl_host_clear_network(struct nl_host *h);
void nl_vswitch_add_uplink(struct nl_vswitch *vs, const char *nic);
void nl_vm_add_network(struct nl_vm *vm, const char *name);
void nl_vm_clear_networks(struct nl_vm *vm);
void nl_security_init(struct nl_security *s); /* all UNSET */

/* Recomputes indexes and every derived field. Call after a batch of changes. */
void nl_lab_link(struct nl_lab *lab);

/* Lookups (need nl_lab_link after the last add/remove). NULL when absent. */
struct nl_host *nl_lab_find_host(const struct nl_lab *lab, const char *id);
struct nl_host *nl_lab_find_host_by_name(const struct nl_lab *lab, const char *name);
struct nl_vm *nl_lab_find_vm(const struct nl_lab *lab, const char *id);
struct nl_vm *nl_lab_find_vm_by_name(const struct nl_lab *lab, const char *name);
struct nl_cluster *nl_lab_find_cluster(const struct nl_lab *lab, const char *id);
struct nl_cluster *nl_lab_find_cluster_by_name(const struct nl_lab *lab, const char *name);
const char *nl_lab_network_name(const struct nl_lab *lab, const char *id);
struct nl_vswitch *nl_host_find_vswitch(const struct nl_host *h, const char *name);
struct nl_portgroup *nl_host_find_portgroup(const struct nl_host *h, const char *name);

/* Short lower-case words for output: "physical", "nested-esxi", "on", "accept", ... */
const char *nl_tri_word(enum nl_tri t, const char *yes, const char *no); /* "-" when unset */
const char *nl_power_name(enum nl_power p);
const char *nl_conn_name(enum nl_conn c);
const char *nl_cluster_kind_name(enum nl_cluster_kind k);
const char *nl_role_name(enum nl_vm_role r);
const char *nl_source_name(enum nl_source s);
const char *nl_link_kind_name(enum nl_link_kind k);   /* "none", "uuid", "name", "ambiguous" */
const char *nl_role_basis_name(enum nl_role_basis b); /* "guest-id", "backs-host", ... */

/* Added helpers shared by output, checks and the console (pure; read derived fields, so call
 * them after nl_lab_link). */
#define NL_VLAN_TRUNK 4095
/* Does the host have a port group with VLAN 4095, on the named vSwitch (NULL: any)? */
bool nl_host_has_trunk(const struct nl_host *h, const char *vswitch);
/* The first trunk port group (on vswitch, NULL: any), or NULL. */
const struct nl_portgroup *nl_host_find_trunk(const struct nl_host *h, const char *vswitch);
/* Does any vSwitch or port group of the host accept promiscuous mode (effective policy)? */
bool nl_host_promiscuous_any(const struct nl_host *h);
/* A MAC address as servers spell it ("00:50:56:6F:9D:66", "00-50-56-6f-9d-66") → the model's
 * form "00:50:56:6f:9d:66" (owned); NULL unless it is six hex octets. */
char *nl_mac_normalize(const char *s);
/* Does the BIOS UUID say anything: non-empty and not all zeros? */
bool nl_uuid_present(const char *u);
/* Is the host nested: backed by a VM of this lab, or its BIOS UUID held by several VMs (a clone
 * whose backing VM cannot be told)? */
bool nl_host_is_nested(const struct nl_host *h);
/* Is the VM a nested hypervisor (nested ESXi or nested other)? */
bool nl_vm_is_hypervisor(const struct nl_vm *vm);
/* The index of a pointer into lab->hosts / lab->vms (-1 when it is not one of them). */
ssize_t nl_lab_host_index(const struct nl_lab *lab, const struct nl_host *h);
ssize_t nl_lab_vm_index(const struct nl_lab *lab, const struct nl_vm *vm);

#endif
