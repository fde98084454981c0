/* esx_host_apply: merging a host read over SSH into a cached lab. */
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/esxi/esx_read.h"
#include "check.h"

static struct esx_host_data *sample(void)
{
    struct esx_host_data *d = xcalloc(1, sizeof(*d));
    d->version = xstrdup("8.0.3");
    d->cpu_packages = 2;
    d->cpu_cores = 16;
    d->cpu_threads = 32;
    d->hv_support = 3;
    d->vswitches = xcalloc(1, sizeof(*d->vswitches));
    d->n_vswitches = 1;
    d->vswitches[0].name = xstrdup("vSwitch0");
    d->vswitches[0].num_ports = 128;
    d->vswitches[0].mtu = 1500;
    d->vswitches[0].security = (struct nl_security){NL_TRI_FALSE, NL_TRI_TRUE, NL_TRI_TRUE};
    d->vswitches[0].uplinks = xcalloc(1, sizeof(char *));
    d->vswitches[0].uplinks[0] = xstrdup("vmnic0");
    d->vswitches[0].n_uplinks = 1;
    d->portgroups = xcalloc(2, sizeof(*d->portgroups));
    d->n_portgroups = 2;
    d->portgroups[0] = (struct esx_pg_data){xstrdup("VM Network"),
                                            xstrdup("vSwitch0"),
                                            0,
                                            1,
                                            {NL_TRI_UNSET, NL_TRI_UNSET, NL_TRI_UNSET}};
    d->portgroups[1] = (struct esx_pg_data){xstrdup("Trunk 'x'"),
                                            xstrdup("vSwitch0"),
                                            4095,
                                            0,
                                            {NL_TRI_TRUE, NL_TRI_UNSET, NL_TRI_UNSET}};
    d->vms = xcalloc(2, sizeof(*d->vms));
    d->n_vms = 2;
    d->vms[0] = (struct esx_vm_data){.vmid = 2,
                                     .name = xstrdup("n-esx01"),
                                     .vmx_path = xstrdup("/vmfs/volumes/ds/n/n.vmx"),
                                     .guest_id = xstrdup("vmkernel65Guest"),
                                     .hw_version = 10,
                                     .nested_hv = NL_TRI_TRUE,
                                     .power = NL_POWER_OFF,
                                     .uuid = xstrdup("2bc274ab-0991-3325-8d11-8a0708b05687"),
                                     .cpus = 2,
                                     .memory_mb = 6144};
    d->vms[1] = (struct esx_vm_data){.vmid = 7,
                                     .name = xstrdup("new vm"),
                                     .guest_id = xstrdup(""),
                                     .nested_hv = NL_TRI_UNSET,
                                     .power = NL_POWER_ON,
                                     .cpus = -1,
                                     .memory_mb = -1};
    return d;
}

int main(void)
{
    /* The cache: host-17 with n-esx01 (vm-69, a vCenter id) and a VM that has since gone. */
    struct nl_lab *lab = nl_lab_new("vc-lab");
    struct nl_host *h = nl_lab_add_host(lab, "host-17");
    xstrset(&h->name, "esx-p01.lab.invalid");
    h->source = NL_SOURCE_VCENTER;
    struct nl_vm *vm = nl_lab_add_vm(lab, "vm-69");
    xstrset(&vm->name, "n-esx01 (renamed in vCenter)");
    xstrset(&vm->host_id, "host-17");
    xstrset(&vm->uuid, "2BC274AB-0991-3325-8D11-8A0708B05687");
    vm = nl_lab_add_vm(lab, "vm-99");
    xstrset(&vm->name, "deleted");
    xstrset(&vm->host_id, "host-17");
    vm = nl_lab_add_vm(lab, "vm-5");
    xstrset(&vm->name, "elsewhere");
    xstrset(&vm->host_id, "host-18");
    nl_lab_link(lab);

    struct esx_host_data *d = sample();
    h = esx_host_apply(lab, "host-17", NULL, d);
    nl_lab_link(lab);
    CHECK_STR(h->id, "host-17");
    CHECK_STR(h->name, "esx-p01.lab.invalid");
    CHECK_INT(h->source, NL_SOURCE_SSH);
    CHECK_INT(h->connection, NL_CONN_CONNECTED);
    CHECK_STR(h->version, "8.0.3");
    CHECK_INT(h->hv_support, 3);
    CHECK_INT(h->n_vswitches, 1);
    CHECK_INT(h->vswitches[0].security.forged_transmits, NL_TRI_TRUE);
    CHECK_INT(h->vswitches[0].n_uplinks, 1);
    CHECK_INT(h->n_portgroups, 2);
    struct nl_portgroup *pg = nl_host_find_portgroup(h, "Trunk 'x'");
    CHECK(pg && pg->vlan == 4095 && pg->override.promiscuous == NL_TRI_TRUE &&
          pg->override.mac_changes == NL_TRI_UNSET);

    CHECK_INT(lab->n_vms, 3); /* vm-69 kept, vm-99 gone, the new VM added, vm-5 untouched */
    vm = nl_lab_find_vm(lab, "vm-69");
    CHECK(vm != NULL);
    if (vm) {
        CHECK_STR(vm->name, "n-esx01");
        CHECK_INT(vm->vmid, 2);
        CHECK_INT(vm->nested_hv, NL_TRI_TRUE);
        CHECK_INT(vm->power, NL_POWER_OFF);
        CHECK_INT(vm->hw_version, 10);
        CHECK_STR(vm->vmx_path, "/vmfs/volumes/ds/n/n.vmx");
    }
    CHECK(nl_lab_find_vm(lab, "vm-99") == NULL);
    CHECK(nl_lab_find_vm(lab, "vm-5") != NULL);
    vm = nl_lab_find_vm(lab, "ssh:esx-p01.lab.invalid:vm:7");
    CHECK(vm && strcmp(vm->name, "new vm") == 0 && vm->power == NL_POWER_ON &&
          vm->nested_hv == NL_TRI_UNSET);

    /* Applying the same data again changes nothing (ids stable by vmid now). */
    h = esx_host_apply(lab, "host-17", "esx-p01.lab.invalid", d);
    nl_lab_link(lab);
    CHECK_INT(lab->n_vms, 3);
    CHECK(nl_lab_find_vm(lab, "ssh:esx-p01.lab.invalid:vm:7") != NULL);
    CHECK_INT(h->n_portgroups, 2);

    /* A host read over SSH only gets an ssh: id. */
    h = esx_host_apply(lab, "ssh:esx-n01.lab.invalid", "esx-n01.lab.invalid", d);
    nl_lab_link(lab);
    CHECK_STR(h->name, "esx-n01.lab.invalid");
    esx_host_data_free(&d);
    CHECK(d == NULL);
    nl_lab_free(&lab);
    return nl_check_done();
}
