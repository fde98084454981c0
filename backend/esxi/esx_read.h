/* Reading one ESXi host over SSH into the lab model. Two steps so that many hosts can be read in
 * parallel while the model (not thread-safe) is filled by one thread:
 *   esx_host_fetch  network + parsing only → struct esx_host_data (thread-safe per session)
 *   esx_host_apply  pure: merges the data into the lab
 * Commands (two exec channels per host, see esx_batch.h):
 *   1. esxcli --formatter=xml network vswitch standard list / portgroup list, vim-cmd
 *      vmsvc/getallvms, esxcli --formatter=xml hardware cpu global get / system version get /
 *      hardware platform get (BIOS UUID; optional), network ip interface list (vmk0's MAC;
 *      optional)
 *   2. per vSwitch "policy security get", per port group "portgroup policy security get", per VM
 *      vim-cmd vmsvc/power.getstate and cat of its .vmx (vhv.enable, virtualHW.version,
 *      uuid.bios, guestOS, numvcpus, memsize, ethernetN.networkName). */
#ifndef NL_ESXI_READ_H
#define NL_ESXI_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "backend/core/err.h"
#include "backend/esxi/esx_session.h"
#include "backend/esxi/esx_vimcmd.h"
#include "backend/esxi/esx_xml.h"
#include "backend/model/lab.h"

struct esx_vswitch_data {
    char *name;
    int num_ports, mtu; /* -1 unknown */
    char **uplinks;
    size_t n_uplinks;
    struct nl_security security;
};

struct esx_pg_data {
    char *name;
    char *vswitch;
    int vlan;           /* -1 unknown */
    int active_clients; /* -1 unknown */
    struct nl_security override;
};

struct esx_vm_data {
    int vmid;
    char *name;
    char *file;     /* "[ds] dir/x.vmx" */
    char *vmx_path; /* "/vmfs/volumes/ds/dir/x.vmx", NULL when the token was unusable */
    char *guest_id;
    int hw_version; /* 0 unknown */
    enum nl_tri nested_hv;
    enum nl_power power;
    char *uuid;          /* BIOS UUID, vCenter form; NULL unknown */
    int cpus, memory_mb; /* -1 unknown */
    char **networks;
    size_t n_networks;
    char *problem; /* why some of the above is unknown (power or .vmx unreadable), or NULL */
};

struct esx_host_data {
    char *version; /* "8.0.3" */
    char *build;
    char *bios_uuid; /* from hardware platform get, NULL when unavailable */
    char *vmk0_mac;  /* from network ip interface list, model spelling; NULL when unavailable */
    int cpu_packages, cpu_cores, cpu_threads, hv_support; /* -1 unknown */
    struct esx_vswitch_data *vswitches;
    size_t n_vswitches;
    struct esx_pg_data *portgroups;
    size_t n_portgroups;
    struct esx_vm_data *vms;
    size_t n_vms;
    size_t execs; /* exec channels used */
};

/* Reads everything above. Fails (NL_ERR_*) when the network configuration or the VM list cannot
 * be read; missing optional facts (version, CPU, one VM's .vmx) only leave fields unknown. */
enum nl_code esx_host_fetch(struct esx_session *s, struct esx_host_data **out, struct nl_err *err);
void esx_host_data_free(struct esx_host_data **d);

/* The pure steps of esx_host_fetch for one VM: a getallvms row, then its .vmx text (an unusable
 * .vmx sets vm->problem). */
void esx_vm_data_init(struct esx_vm_data *vm, const struct esx_vm_row *row);
void esx_vm_data_from_vmx(struct esx_vm_data *vm, const char *text, size_t len);

/* The MAC address (nl_mac_normalize) of VMkernel NIC vmk in `esxcli --formatter=xml network ip
 * interface list` records (fields Name, MACAddress), NULL when absent or malformed. */
char *esx_vmk_mac(const struct esx_records *r, const char *vmk);

/* Merges d into lab as the host with id host_id (created when absent; name set to host_name when
 * given): replaces its vSwitches and port groups, sets version/CPU/HV facts, connection CONNECTED
 * and source NL_SOURCE_SSH; VMs on the host are matched to existing ones so their ids survive
 * (vmid + .vmx path, then the .vmx path, then a BIOS UUID or name that only one VM of the host
 * has; never a UUID shared by clones), new ones get "ssh:<host name>:vm:<vmid>", and VMs of this
 * host that the host no longer has are removed. Call nl_lab_link afterwards. Returns the host. */
struct nl_host *esx_host_apply(struct nl_lab *lab, const char *host_id, const char *host_name,
                               const struct esx_host_data *d);

/* fetch + apply + nl_lab_link. */
enum nl_code esx_host_read(struct esx_session *s, struct nl_lab *lab, const char *host_id,
                           const char *host_name, struct nl_err *err);

#endif
