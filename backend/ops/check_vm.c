/* Rules on nested-hypervisor VMs (role nested-esxi or nested-other, see lab_link.c):
 *
 *   vm.nested-hv   error  nestedHVEnabled is not true. An absent value counts as off: vSphere
 *                         leaves it unset until someone turns it on. Fix: nested_hv_on, with
 *                         power_cycle when the VM is on (the setting needs it powered off); no
 *                         automatic fix while the hardware version is too old.
 *   vm.hw-version  error  known hardware version below opt->min_hw_version (vmx-09 is the first
 *                         with nested HV). Fix: hw_upgrade (manual; the engine has no such step).
 *   vm.cpus        error  known vCPU count below opt->min_cpus.
 *   vm.memory      error  nested ESXi below opt->esxi_min_memory_mb (ESXi refuses to install or
 *                         boot), warning below opt->esxi_warn_memory_mb.
 *   vm.tools       warn   nested ESXi whose guest.toolsRunningStatus is known and not
 *                         "guestToolsRunning". ESXi carries VMware Tools built in since 6.0, so
 *                         "not running" means the nested host is off, hung or still booting,
 *                         and vCenter cannot shut it down cleanly. Nested KVM/other VMs are not
 *                         checked: VMware Tools are an optional add-on there and their absence
 *                         does not stop the lab (a deliberate narrowing of issue 9, so that a
 *                         powered-off KVM VM is not reported twice).
 *   vm.trunk-nic   error  the VM's host has a trunk port group (VLAN 4095) on the checked vSwitch
 *                         but no NIC of the VM is on a trunk port group. When the host has no
 *                         trunk port group at all, host.trunk-portgroup reports it once for the
 *                         host, listing the VMs, instead of once per VM. */
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/ops/check_rules.h"

static const char *power_note(const struct nl_vm *vm)
{
    switch (vm->power) {
    case NL_POWER_ON:
        return "it is powered on";
    case NL_POWER_OFF:
        return "it is powered off";
    case NL_POWER_SUSPENDED:
        return "it is suspended";
    case NL_POWER_UNKNOWN:
        break;
    }
    return "its power state is unknown";
}

/* Why we treat this VM as a hypervisor, for messages about VMs that are not obviously one. */
static char *role_note(const struct nl_lab *lab, const struct nl_vm *vm)
{
    if (vm->role_basis == NL_BASIS_PEER && vm->role_peer >= 0)
        return xasprintf(" (it is named like \"%s\", a nested hypervisor with the same guest OS)",
                         ops_vm_name(&lab->vms[vm->role_peer]));
    if (vm->role_basis == NL_BASIS_NAME)
        return xstrdup(" (its name says it is a hypervisor)");
    if (vm->role_basis == NL_BASIS_BACKS_HOST)
        return xstrdup(" (it backs a host of this lab)");
    return xstrdup("");
}

static struct ops_finding *vm_finding(struct ops_report *rep, const struct nl_lab *lab,
                                      const struct nl_vm *vm, enum ops_severity sev,
                                      const char *rule, char *message, char *why, char *fix)
{
    struct ops_finding *f = ops_check_add(rep, sev, rule, message, why, fix);
    ops_check_object(f, "vm", vm->id, ops_vm_name(vm));
    if (vm->host >= 0)
        ops_check_object(f, "host", lab->hosts[vm->host].id, ops_host_name(&lab->hosts[vm->host]));
    return f;
}

static void check_nested_hv(const struct nl_lab *lab, const struct ops_check_options *opt,
                            const struct nl_vm *vm, struct ops_report *rep)
{
    if (vm->nested_hv == NL_TRI_TRUE)
        return;
    char *note = role_note(lab, vm);
    bool too_old = vm->hw_version > 0 && vm->hw_version < opt->min_hw_version;
    char *fix;
    if (too_old)
        fix = xasprintf("Upgrade the compatibility of \"%s\" to vmx-%02d or later, then turn on "
                        "\"Expose hardware assisted virtualization to the guest OS\" while it is "
                        "powered off.",
                        ops_vm_name(vm), opt->min_hw_version);
    else if (vm->power == NL_POWER_OFF)
        fix = xasprintf("Turn on \"Expose hardware assisted virtualization to the guest OS\" "
                        "(nestedHVEnabled) for \"%s\"; it is off, so this needs no power cycle.",
                        ops_vm_name(vm));
    else
        fix = xasprintf("Power off \"%s\", turn on \"Expose hardware assisted virtualization to "
                        "the guest OS\" (nestedHVEnabled) and power it on again (nestlab does "
                        "this with --power-cycle).",
                        ops_vm_name(vm));
    struct ops_finding *f = vm_finding(
        rep, lab, vm, OPS_SEV_ERROR, "vm.nested-hv",
        xasprintf("Nested hardware virtualization is not exposed to \"%s\"%s; %s.", ops_vm_name(vm),
                  note, power_note(vm)),
        xstrdup("Without VT-x/AMD-V and EPT/RVI passed through, the hypervisor inside the VM "
                "cannot run 64-bit guests."),
        fix);
    free(note);
    if (!too_old) {
        ops_fix_set_vm(&f->fix, OPS_FIX_NESTED_HV_ON, lab, vm);
        f->fix.power_cycle = vm->power != NL_POWER_OFF;
    }
}

static void check_hw_version(const struct nl_lab *lab, const struct ops_check_options *opt,
                             const struct nl_vm *vm, struct ops_report *rep)
{
    if (vm->hw_version <= 0 || vm->hw_version >= opt->min_hw_version)
        return;
    struct ops_finding *f = vm_finding(
        rep, lab, vm, OPS_SEV_ERROR, "vm.hw-version",
        xasprintf("\"%s\" has hardware version vmx-%02d, older than vmx-%02d.", ops_vm_name(vm),
                  vm->hw_version, opt->min_hw_version),
        xasprintf("Nested hardware virtualization needs virtual hardware vmx-%02d or later.",
                  opt->min_hw_version),
        xasprintf("%s\"%s\" to vmx-%02d or later (vSphere Client: Compatibility > Upgrade VM "
                  "Compatibility); nestlab cannot do this step.",
                  vm->power == NL_POWER_OFF ? "Upgrade the compatibility of "
                                            : "Power off and upgrade the compatibility of ",
                  ops_vm_name(vm), opt->min_hw_version));
    ops_fix_set_vm(&f->fix, OPS_FIX_HW_UPGRADE, lab, vm);
}

static void check_cpus(const struct nl_lab *lab, const struct ops_check_options *opt,
                       const struct nl_vm *vm, struct ops_report *rep)
{
    if (vm->cpus < 0 || vm->cpus >= opt->min_cpus)
        return;
    vm_finding(
        rep, lab, vm, OPS_SEV_ERROR, "vm.cpus",
        xasprintf("\"%s\" has %d vCPU, fewer than %d.", ops_vm_name(vm), vm->cpus, opt->min_cpus),
        xstrdup("A hypervisor needs at least two CPUs: ESXi refuses to install with one, "
                "and KVM guests would starve the host."),
        xasprintf("Power off \"%s\" and give it %d or more vCPUs.", ops_vm_name(vm),
                  opt->min_cpus));
}

static void check_memory(const struct nl_lab *lab, const struct ops_check_options *opt,
                         const struct nl_vm *vm, struct ops_report *rep)
{
    if (vm->role != NL_ROLE_NESTED_ESXI || vm->memory_mb < 0 ||
        vm->memory_mb >= opt->esxi_warn_memory_mb)
        return;
    bool error = vm->memory_mb < opt->esxi_min_memory_mb;
    int limit = error ? opt->esxi_min_memory_mb : opt->esxi_warn_memory_mb;
    vm_finding(rep, lab, vm, error ? OPS_SEV_ERROR : OPS_SEV_WARN, "vm.memory",
               xasprintf("The nested ESXi \"%s\" has %d MB of memory, less than %d MB.",
                         ops_vm_name(vm), vm->memory_mb, limit),
               error ? xstrdup("ESXi needs at least 4 GB to install and boot.")
                     : xstrdup("With less than 6 GB a nested ESXi has little room left for "
                               "its own VMs."),
               xasprintf("Power off \"%s\" and give it at least %d MB of memory.", ops_vm_name(vm),
                         opt->esxi_warn_memory_mb));
}

static void check_tools(const struct nl_lab *lab, const struct nl_vm *vm, struct ops_report *rep)
{
    if (vm->role != NL_ROLE_NESTED_ESXI || !vm->tools ||
        strcmp(vm->tools, "guestToolsRunning") == 0)
        return;
    vm_finding(
        rep, lab, vm, OPS_SEV_WARN, "vm.tools",
        xasprintf("VMware Tools are not running in the nested ESXi \"%s\"; %s.", ops_vm_name(vm),
                  power_note(vm)),
        xstrdup("ESXi has VMware Tools built in, so when they do not run the nested host "
                "is down or hung, and vCenter cannot shut it down cleanly or show its "
                "address."),
        vm->power == NL_POWER_ON
            ? xasprintf("Open the console of \"%s\" and check that ESXi finished booting.",
                        ops_vm_name(vm))
            : xasprintf("Power on \"%s\" once its other findings are fixed.", ops_vm_name(vm)));
}

/* The port group a VM network entry names on its host (the entry may be a Network moref). */
static const struct nl_portgroup *vm_portgroup(const struct nl_lab *lab, const struct nl_host *h,
                                               const char *net)
{
    const struct nl_portgroup *pg = nl_host_find_portgroup(h, net);
    if (!pg) {
        const char *name = nl_lab_network_name(lab, net);
        if (name)
            pg = nl_host_find_portgroup(h, name);
    }
    return pg;
}

static void check_trunk_nic(const struct nl_lab *lab, const struct ops_check_options *opt,
                            const struct nl_vm *vm, struct ops_report *rep)
{
    if (vm->host < 0)
        return;
    const struct nl_host *h = &lab->hosts[vm->host];
    const struct nl_vswitch *vs = ops_check_vswitch(h, opt);
    const struct nl_portgroup *trunk = vs ? nl_host_find_trunk(h, vs->name) : NULL;
    if (!trunk || vm->n_networks == 0)
        return; /* no trunk: host.trunk-portgroup; no NIC data: nothing to say */
    for (size_t i = 0; i < vm->n_networks; i++) {
        const struct nl_portgroup *pg = vm_portgroup(lab, h, vm->networks[i]);
        if (pg && pg->vlan == NL_VLAN_TRUNK)
            return;
    }
    struct ops_finding *f = vm_finding(
        rep, lab, vm, OPS_SEV_ERROR, "vm.trunk-nic",
        xasprintf("No network adapter of \"%s\" is on a trunk port group (VLAN 4095), though "
                  "\"%s\" on host \"%s\" is one.",
                  ops_vm_name(vm), trunk->name, ops_host_name(h)),
        xstrdup("A nested hypervisor tags its own VLANs, which only reach the physical network "
                "through a port group that passes every VLAN."),
        xasprintf("Connect the adapters of \"%s\" that carry nested traffic to \"%s\".",
                  ops_vm_name(vm), trunk->name));
    ops_check_object(f, "portgroup", NULL, trunk->name);
}

void ops_check_vms(const struct nl_lab *lab, const struct ops_check_options *opt,
                   const bool *carriers, struct ops_report *rep)
{
    (void)carriers;
    for (size_t i = 0; i < lab->n_vms; i++) {
        const struct nl_vm *vm = &lab->vms[i];
        if (!nl_vm_is_hypervisor(vm))
            continue;
        check_nested_hv(lab, opt, vm, rep);
        check_hw_version(lab, opt, vm, rep);
        check_cpus(lab, opt, vm, rep);
        check_memory(lab, opt, vm, rep);
        check_tools(lab, vm, rep);
        check_trunk_nic(lab, opt, vm, rep);
    }
}
