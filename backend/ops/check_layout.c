/* Layout rules:
 *
 *   layout.mixed-cluster     error  a cluster holds both nested hosts (backed by a VM of this lab)
 *                                   and physical ones: HA and DRS would treat a nested host like
 *                                   a physical one, and a backing VM could land on the host it
 *                                   backs.
 *   layout.nested-host-down  error  a nested host is not responding or disconnected; the message
 *                                   explains it by its backing VM (powered off, nested HV off,
 *                                   hardware too old) so the user fixes the cause. Fix: power_on
 *                                   when the VM is off and nothing else is wrong with it.
 * A distributed-switch rule (issue 9: warn when the physical cluster depends on a DVS) needs DVS
 * data the model does not hold yet, so there is none: the check never invents a finding. */
#include <stdlib.h>

#include "backend/core/xmalloc.h"
#include "backend/ops/check_rules.h"

static void check_mixed(const struct nl_lab *lab, size_t ci, struct ops_report *rep)
{
    const struct nl_cluster *c = &lab->clusters[ci];
    if (c->kind != NL_CLUSTER_MIXED)
        return;
    const char *name = c->name ? c->name : c->id;
    struct ops_finding *f = ops_check_add(
        rep, OPS_SEV_ERROR, "layout.mixed-cluster",
        xasprintf("Cluster \"%s\" mixes nested ESXi hosts with physical hosts.", name),
        xstrdup("HA and DRS treat every host of a cluster alike, so they would place workloads of "
                "physical hosts on nested ones and could move a backing VM onto the host it "
                "runs."),
        xasprintf("Move the nested hosts of cluster \"%s\" into a cluster of their own.", name));
    ops_check_object(f, "cluster", c->id, c->name);
    for (size_t h = 0; h < lab->n_hosts; h++)
        if (lab->hosts[h].cluster == (ssize_t)ci && nl_host_is_nested(&lab->hosts[h]))
            ops_check_object(f, "host", lab->hosts[h].id, ops_host_name(&lab->hosts[h]));
}

static void check_nested_host(const struct nl_lab *lab, const struct ops_check_options *opt,
                              size_t hi, struct ops_report *rep)
{
    const struct nl_host *h = &lab->hosts[hi];
    if (h->backing_vm < 0 ||
        (h->connection != NL_CONN_NOT_RESPONDING && h->connection != NL_CONN_DISCONNECTED))
        return;
    const struct nl_vm *vm = &lab->vms[h->backing_vm];
    const char *state = h->connection == NL_CONN_DISCONNECTED ? "disconnected" : "not responding";
    bool off = vm->power == NL_POWER_OFF || vm->power == NL_POWER_SUSPENDED;
    bool no_hv = vm->nested_hv != NL_TRI_TRUE;
    bool old = vm->hw_version > 0 && vm->hw_version < opt->min_hw_version;
    const char *link = h->link == NL_LINK_NAME ? "matched by name" : "matched by BIOS UUID";
    char *message, *fix;
    if (off || no_hv || old) {
        const char *reasons[3] = {"", "", ""};
        size_t n = 0;
        if (off)
            reasons[n++] = vm->power == NL_POWER_OFF ? "is powered off" : "is suspended";
        if (no_hv)
            reasons[n++] = "does not expose hardware virtualization";
        if (old)
            reasons[n++] = "has a hardware version too old for nested virtualization";
        char *why = n == 1   ? xstrdup(reasons[0])
                    : n == 2 ? xasprintf("%s and %s", reasons[0], reasons[1])
                             : xasprintf("%s, %s and %s", reasons[0], reasons[1], reasons[2]);
        message = xasprintf("Nested host \"%s\" is %s because its backing VM \"%s\" (%s) %s.",
                            ops_host_name(h), state, ops_vm_name(vm), link, why);
        free(why);
        fix = (no_hv || old)
                  ? xasprintf("Fix the findings of VM \"%s\" first, then power it on and "
                              "reconnect \"%s\".",
                              ops_vm_name(vm), ops_host_name(h))
                  : xasprintf("Power on VM \"%s\" and reconnect \"%s\" if vCenter does not.",
                              ops_vm_name(vm), ops_host_name(h));
    } else {
        message = xasprintf("Nested host \"%s\" is %s although its backing VM \"%s\" (%s) looks "
                            "healthy.",
                            ops_host_name(h), state, ops_vm_name(vm), link);
        fix = xasprintf("Open the console of VM \"%s\" to see whether ESXi booted, then reconnect "
                        "\"%s\" in vCenter.",
                        ops_vm_name(vm), ops_host_name(h));
    }
    struct ops_finding *f = ops_check_add(
        rep, OPS_SEV_ERROR, "layout.nested-host-down", message,
        xstrdup("vCenter cannot manage a nested host, or run its VMs, while the ESXi inside the "
                "backing VM is not up."),
        fix);
    ops_check_object(f, "host", h->id, ops_host_name(h));
    ops_check_object(f, "vm", vm->id, ops_vm_name(vm));
    if (off && !no_hv && !old)
        ops_fix_set_vm(&f->fix, OPS_FIX_POWER_ON, lab, vm);
}

void ops_check_layout(const struct nl_lab *lab, const struct ops_check_options *opt,
                      struct ops_report *rep)
{
    for (size_t c = 0; c < lab->n_clusters; c++)
        check_mixed(lab, c, rep);
    for (size_t h = 0; h < lab->n_hosts; h++)
        check_nested_host(lab, opt, h, rep);
}
