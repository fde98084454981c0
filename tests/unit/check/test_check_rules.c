/* Each readiness rule on a small lab built in code: it fires when it should, stays silent when it
 * should, and carries the right fix intent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/buf.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/check.h"
#include "check.h"

/* A physical cluster "P" with host-1 (esx-p01) on vSwitch0 (security all accept, port group
 * "VM Network" and trunk "Nested-Trunk"), running a healthy nested ESXi "n1". */
static struct nl_lab *base_lab(void)
{
    struct nl_lab *lab = nl_lab_new("t");
    xstrset(&nl_lab_add_cluster(lab, "c-1")->name, "P");
    struct nl_host *h = nl_lab_add_host(lab, "host-1");
    xstrset(&h->name, "esx-p01");
    xstrset(&h->cluster_id, "c-1");
    h->connection = NL_CONN_CONNECTED;
    struct nl_vswitch *vs = nl_host_add_vswitch(h, "vSwitch0");
    vs->security.promiscuous = vs->security.forged_transmits = vs->security.mac_changes =
        NL_TRI_TRUE;
    nl_host_add_portgroup(h, "VM Network", "vSwitch0")->vlan = 0;
    nl_host_add_portgroup(h, "Nested-Trunk", "vSwitch0")->vlan = 4095;
    struct nl_vm *vm = nl_lab_add_vm(lab, "vm-1");
    xstrset(&vm->name, "n1");
    xstrset(&vm->host_id, "host-1");
    xstrset(&vm->guest_id, "vmkernel7Guest");
    xstrset(&vm->tools, "guestToolsRunning");
    vm->power = NL_POWER_ON;
    vm->hw_version = 14;
    vm->nested_hv = NL_TRI_TRUE;
    vm->cpus = 2;
    vm->memory_mb = 8192;
    nl_vm_add_network(vm, "Nested-Trunk");
    nl_lab_link(lab);
    return lab;
}

static struct ops_report *run(struct nl_lab *lab)
{
    nl_lab_link(lab);
    return ops_check_run(lab, NULL);
}

/* The only finding of the report, checked for rule and severity; NULL when not exactly one. */
static const struct ops_finding *only(const struct ops_report *rep, const char *rule,
                                      enum ops_severity sev)
{
    CHECK_INT(rep->n_findings, 1);
    if (rep->n_findings != 1) {
        for (size_t i = 0; i < rep->n_findings; i++)
            fprintf(stderr, "  got %s: %s\n", rep->findings[i].rule, rep->findings[i].message);
        return NULL;
    }
    CHECK_STR(rep->findings[0].rule, rule);
    CHECK_INT(rep->findings[0].severity, sev);
    return &rep->findings[0];
}

static void test_clean(void)
{
    struct nl_lab *lab = base_lab();
    /* Guests and appliances are not hypervisors: no rule applies to them. */
    struct nl_vm *g = nl_lab_add_vm(lab, "vm-2");
    xstrset(&g->name, "web01");
    xstrset(&g->host_id, "host-1");
    xstrset(&g->guest_id, "ubuntu64Guest");
    g->cpus = 1;
    g->hw_version = 4;
    struct nl_vm *a = nl_lab_add_vm(lab, "vm-3");
    xstrset(&a->name, "vcsa");
    xstrset(&a->guest_id, "vmwarePhoton64Guest");
    xstrset(&a->host_id, "host-1");
    a->nested_hv = NL_TRI_FALSE;
    struct ops_report *rep = run(lab);
    CHECK_INT(rep->n_findings, 0);
    CHECK_INT(ops_report_exit_status(rep), 0);
    struct nl_buf b;
    nl_buf_init(&b, 0);
    CHECK_INT(ops_report_to_text(rep, &b, NULL), NL_OK);
    CHECK(strstr(b.data, "ready for nested virtualization") != NULL);
    nl_buf_free(&b);
    ops_report_free(&rep);
    nl_lab_free(&lab);
}

static void test_vm_rules(void)
{
    struct nl_lab *lab = base_lab();
    struct nl_vm *vm = &lab->vms[0];
    struct ops_report *rep;
    const struct ops_finding *f;

    vm->cpus = 1;
    rep = run(lab);
    only(rep, "vm.cpus", OPS_SEV_ERROR);
    ops_report_free(&rep);
    vm->cpus = 2;

    vm->memory_mb = 3072;
    rep = run(lab);
    only(rep, "vm.memory", OPS_SEV_ERROR);
    ops_report_free(&rep);
    vm->memory_mb = 5120;
    rep = run(lab);
    only(rep, "vm.memory", OPS_SEV_WARN);
    ops_report_free(&rep);
    vm->memory_mb = 6144;
    rep = run(lab);
    CHECK_INT(rep->n_findings, 0);
    ops_report_free(&rep);
    /* Configurable thresholds. */
    struct ops_check_options opt;
    ops_check_options_init(&opt);
    opt.esxi_warn_memory_mb = 8192;
    rep = ops_check_run(lab, &opt);
    only(rep, "vm.memory", OPS_SEV_WARN);
    ops_report_free(&rep);

    /* Powered on without nested HV: fix needs a power cycle. */
    vm->nested_hv = NL_TRI_FALSE;
    rep = run(lab);
    f = only(rep, "vm.nested-hv", OPS_SEV_ERROR);
    if (f) {
        CHECK_INT(f->fix.kind, OPS_FIX_NESTED_HV_ON);
        CHECK(f->fix.power_cycle);
        CHECK_STR(f->fix.vm_id, "vm-1");
        CHECK_STR(f->fix.host_id, "host-1");
        CHECK(strstr(f->fix_text, "--power-cycle") != NULL);
    }
    ops_report_free(&rep);
    /* Unset counts as off. */
    vm->nested_hv = NL_TRI_UNSET;
    vm->power = NL_POWER_OFF;
    xstrset(&vm->tools, NULL); /* unknown tools: nothing said */
    rep = run(lab);
    f = only(rep, "vm.nested-hv", OPS_SEV_ERROR);
    if (f)
        CHECK(!f->fix.power_cycle);
    ops_report_free(&rep);

    /* Too old: hw-version error, and no automatic nested-HV fix. */
    vm->hw_version = 8;
    rep = run(lab);
    CHECK_INT(rep->n_findings, 2);
    CHECK_STR(rep->findings[0].rule, "vm.nested-hv");
    CHECK_INT(rep->findings[0].fix.kind, OPS_FIX_NONE);
    CHECK_STR(rep->findings[1].rule, "vm.hw-version");
    CHECK_INT(rep->findings[1].fix.kind, OPS_FIX_HW_UPGRADE);
    struct ops_fix *fixes;
    CHECK_INT(ops_report_fixes(rep, &fixes), 0);
    ops_fixes_free(&fixes, 0);
    ops_report_free(&rep);
    vm->hw_version = 14;
    vm->nested_hv = NL_TRI_TRUE;
    vm->power = NL_POWER_ON;

    /* Tools: nested ESXi only. */
    xstrset(&vm->tools, "guestToolsNotRunning");
    rep = run(lab);
    only(rep, "vm.tools", OPS_SEV_WARN);
    ops_report_free(&rep);
    xstrset(&vm->guest_id, "ubuntu64Guest"); /* now a nested KVM (nested HV on) */
    rep = run(lab);
    CHECK_INT(rep->n_findings, 0);
    CHECK_INT(lab->vms[0].role, NL_ROLE_NESTED_OTHER);
    ops_report_free(&rep);

    /* NIC not on the trunk although the host has one. */
    nl_vm_clear_networks(vm);
    nl_vm_add_network(vm, "VM Network");
    rep = run(lab);
    f = only(rep, "vm.trunk-nic", OPS_SEV_ERROR);
    if (f)
        CHECK_INT(f->fix.kind, OPS_FIX_NONE);
    ops_report_free(&rep);
    /* The VM names a Network moref whose name is the trunk: fine. */
    nl_vm_clear_networks(vm);
    nl_vm_add_network(vm, "network-9");
    xstrset(&nl_lab_add_network(lab, "network-9")->name, "Nested-Trunk");
    rep = run(lab);
    CHECK_INT(rep->n_findings, 0);
    ops_report_free(&rep);
    nl_lab_free(&lab);
}

static void test_host_rules(void)
{
    struct nl_lab *lab = base_lab();
    struct nl_host *h = &lab->hosts[0];
    struct ops_report *rep;
    const struct ops_finding *f;

    /* The trunk's own override rejects forged transmits. */
    struct nl_portgroup *trunk = nl_host_find_portgroup(h, "Nested-Trunk");
    trunk->override.forged_transmits = NL_TRI_FALSE;
    rep = run(lab);
    f = only(rep, "host.security", OPS_SEV_ERROR);
    if (f) {
        CHECK_INT(f->fix.kind, OPS_FIX_VSWITCH_SECURITY);
        CHECK(f->fix.clear_pg_overrides);
        CHECK(strstr(f->message, "forged transmits") != NULL);
        CHECK(strstr(f->message, "promiscuous") == NULL);
    }
    ops_report_free(&rep);
    /* The vSwitch rejects, but the trunk overrides to accept: what nested traffic sees is fine. */
    trunk->override.forged_transmits = NL_TRI_UNSET;
    trunk->override.promiscuous = NL_TRI_TRUE;
    h->vswitches[0].security.promiscuous = NL_TRI_FALSE;
    rep = run(lab);
    CHECK_INT(rep->n_findings, 0);
    ops_report_free(&rep);
    /* Unknown security is not reported as rejected. */
    h->vswitches[0].security.promiscuous = NL_TRI_UNSET;
    trunk->override.promiscuous = NL_TRI_UNSET;
    rep = run(lab);
    CHECK_INT(rep->n_findings, 0);
    ops_report_free(&rep);

    /* No trunk: one host finding listing the hypervisor, no per-VM trunk finding. */
    nl_host_clear_network(h);
    struct nl_vswitch *vs = nl_host_add_vswitch(h, "vSwitch0");
    vs->security.promiscuous = NL_TRI_FALSE;
    vs->security.forged_transmits = NL_TRI_FALSE;
    vs->security.mac_changes = NL_TRI_TRUE;
    nl_host_add_portgroup(h, "VM Network", "vSwitch0")->vlan = 0;
    rep = run(lab);
    CHECK_INT(rep->n_findings, 2);
    if (rep->n_findings == 2) {
        f = &rep->findings[0];
        CHECK_STR(f->rule, "host.trunk-portgroup");
        CHECK_INT(f->fix.kind, OPS_FIX_TRUNK_PORTGROUP);
        CHECK_INT(f->n_objects, 2);
        CHECK_STR(f->objects[1].name, "n1");
        f = &rep->findings[1];
        CHECK_STR(f->rule, "host.security");
        CHECK(strstr(f->message, "promiscuous mode and forged transmits") != NULL);
        CHECK(!f->fix.clear_pg_overrides);
    }
    ops_report_free(&rep);

    /* Another vSwitch name: the only vSwitch is used; with two, a note instead of a guess. */
    free(h->vswitches[0].name);
    h->vswitches[0].name = xstrdup("vSwitch1");
    free(h->portgroups[0].vswitch);
    h->portgroups[0].vswitch = xstrdup("vSwitch1");
    rep = run(lab);
    CHECK_INT(rep->n_findings, 2);
    ops_report_free(&rep);
    nl_host_add_vswitch(h, "vSwitch2");
    rep = run(lab);
    only(rep, "host.vswitch", OPS_SEV_INFO);
    CHECK_INT(ops_report_exit_status(rep), 0);
    ops_report_free(&rep);

    /* No network data at all (disconnected before it was read): nothing guessed. */
    nl_host_clear_network(h);
    rep = run(lab);
    CHECK_INT(rep->n_findings, 0);
    ops_report_free(&rep);

    /* HV support known and disabled. */
    h->hv_support = 2;
    rep = run(lab);
    f = only(rep, "host.hv-support", OPS_SEV_ERROR);
    if (f)
        CHECK(strstr(f->message, "disabled in the BIOS") != NULL);
    ops_report_free(&rep);
    h->hv_support = 3;
    rep = run(lab);
    CHECK_INT(rep->n_findings, 0);
    ops_report_free(&rep);
    nl_lab_free(&lab);
}

static struct nl_host *add_host(struct nl_lab *lab, const char *id, const char *name,
                                const char *cluster, enum nl_tri promiscuous, const char *trunk)
{
    struct nl_host *h = nl_lab_add_host(lab, id);
    xstrset(&h->name, name);
    xstrset(&h->cluster_id, cluster);
    h->connection = NL_CONN_CONNECTED;
    struct nl_vswitch *vs = nl_host_add_vswitch(h, "vSwitch0");
    vs->security.promiscuous = promiscuous;
    vs->security.forged_transmits = vs->security.mac_changes = NL_TRI_TRUE;
    if (trunk)
        nl_host_add_portgroup(h, trunk, "vSwitch0")->vlan = 4095;
    return h;
}

static void test_drift(void)
{
    /* A physical cluster without nested hypervisors: security drift is still an error. */
    struct nl_lab *lab = nl_lab_new("t");
    xstrset(&nl_lab_add_cluster(lab, "c-1")->name, "P");
    add_host(lab, "host-1", "a", "c-1", NL_TRI_TRUE, NULL);
    add_host(lab, "host-2", "b", "c-1", NL_TRI_FALSE, NULL);
    add_host(lab, "host-3", "c", "c-1", NL_TRI_TRUE, NULL);
    struct ops_report *rep = run(lab);
    const struct ops_finding *f = only(rep, "cluster.drift", OPS_SEV_ERROR);
    if (f) {
        CHECK_STR(f->objects[0].kind, "cluster");
        CHECK_STR(f->objects[2].name, "b");
        CHECK(strstr(f->message, "vSwitch security") != NULL);
    }
    ops_report_free(&rep);
    nl_lab_free(&lab);

    /* Carriers with trunks of different names: drift (vMotion needs one name). */
    lab = nl_lab_new("t");
    xstrset(&nl_lab_add_cluster(lab, "c-1")->name, "P");
    add_host(lab, "host-1", "a", "c-1", NL_TRI_TRUE, "Nested-Trunk");
    add_host(lab, "host-2", "b", "c-1", NL_TRI_TRUE, "Trunk");
    struct nl_vm *vm = nl_lab_add_vm(lab, "vm-1");
    xstrset(&vm->name, "kvm1");
    xstrset(&vm->host_id, "host-1");
    xstrset(&vm->guest_id, "ubuntu64Guest");
    vm->nested_hv = NL_TRI_TRUE;
    nl_vm_add_network(vm, "Nested-Trunk");
    rep = run(lab);
    f = only(rep, "cluster.drift", OPS_SEV_ERROR);
    if (f)
        CHECK(strstr(f->message, "trunk port groups") != NULL);
    ops_report_free(&rep);

    /* host-2 lacks the trunk: the host finding says it, the drift is not repeated. */
    nl_host_clear_network(&lab->hosts[1]);
    struct nl_vswitch *vs = nl_host_add_vswitch(&lab->hosts[1], "vSwitch0");
    vs->security.promiscuous = vs->security.forged_transmits = vs->security.mac_changes =
        NL_TRI_TRUE;
    rep = run(lab);
    f = only(rep, "host.trunk-portgroup", OPS_SEV_ERROR);
    if (f)
        CHECK_STR(f->objects[0].name, "b");
    ops_report_free(&rep);
    nl_lab_free(&lab);
}

static void test_layout(void)
{
    struct nl_lab *lab = base_lab();
    /* A nested host backed by n1, in the physical cluster: mixed. */
    xstrset(&lab->vms[0].uuid, "4210aaaa-0000-0000-0000-000000000001");
    struct nl_host *n = nl_lab_add_host(lab, "host-9");
    xstrset(&n->name, "esx-n01");
    xstrset(&n->cluster_id, "c-1");
    xstrset(&n->bios_uuid, "4210AAAA-0000-0000-0000-000000000001");
    n->connection = NL_CONN_CONNECTED;
    struct ops_report *rep = run(lab);
    /* Mixed cluster; the nested host is a carrier mate and has no network data (skipped). */
    const struct ops_finding *f = only(rep, "layout.mixed-cluster", OPS_SEV_ERROR);
    if (f) {
        CHECK_STR(f->objects[0].name, "P");
        CHECK_STR(f->objects[1].name, "esx-n01");
    }
    ops_report_free(&rep);

    /* Own cluster; the nested host is down while its healthy backing VM is off: power on. */
    xstrset(&nl_lab_add_cluster(lab, "c-2")->name, "N");
    xstrset(&lab->hosts[1].cluster_id, "c-2");
    lab->hosts[1].connection = NL_CONN_NOT_RESPONDING;
    lab->vms[0].power = NL_POWER_OFF;
    xstrset(&lab->vms[0].tools, NULL);
    rep = run(lab);
    f = only(rep, "layout.nested-host-down", OPS_SEV_ERROR);
    if (f) {
        CHECK_INT(f->fix.kind, OPS_FIX_POWER_ON);
        CHECK_STR(f->fix.vm_name, "n1");
        CHECK(strstr(f->message, "is powered off") != NULL);
        CHECK(strstr(f->message, "BIOS UUID") != NULL);
    }
    ops_report_free(&rep);
    /* Powered on and healthy, yet disconnected: said, no automatic fix. */
    lab->vms[0].power = NL_POWER_ON;
    lab->hosts[1].connection = NL_CONN_DISCONNECTED;
    rep = run(lab);
    f = only(rep, "layout.nested-host-down", OPS_SEV_ERROR);
    if (f) {
        CHECK_INT(f->fix.kind, OPS_FIX_NONE);
        CHECK(strstr(f->message, "looks healthy") != NULL);
    }
    ops_report_free(&rep);
    nl_lab_free(&lab);
}

static void test_cost(void)
{
    struct nl_lab *lab = base_lab();
    struct ops_check_options opt;
    ops_check_options_init(&opt);
    /* No perf data: nothing, even with promiscuous mode on. */
    struct ops_report *rep = ops_check_run(lab, &opt);
    CHECK_INT(rep->n_findings, 0);
    ops_report_free(&rep);
    struct ops_cost_sample s[] = {{"host-1", 4.0}, {"host-404", 90.0}};
    opt.costs = s;
    opt.n_costs = 2;
    rep = ops_check_run(lab, &opt);
    CHECK_INT(rep->n_findings, 0); /* under the threshold; unknown host ignored */
    ops_report_free(&rep);
    s[0].cost_pct = 25.0;
    rep = ops_check_run(lab, &opt);
    const struct ops_finding *f = only(rep, "cost.flooding", OPS_SEV_WARN);
    if (f)
        CHECK(strstr(f->message, "25.0%") != NULL);
    CHECK_INT(ops_report_exit_status(rep), 0);
    ops_report_free(&rep);
    nl_lab_free(&lab);
}

static void test_hostile_names(void)
{
    struct nl_lab *lab = base_lab();
    xstrset(&lab->vms[0].name, "n1\x1b[2J\x1b]0;pwned\x07 $(rm -rf /); <b>&\"'");
    lab->vms[0].cpus = 1;
    struct ops_report *rep = run(lab);
    struct nl_buf b;
    nl_buf_init(&b, 0);
    CHECK_INT(ops_report_to_text(rep, &b, NULL), NL_OK);
    CHECK(strchr(b.data, '\x1b') == NULL);
    CHECK(strchr(b.data, '\x07') == NULL);
    CHECK(strstr(b.data, "n1\\x1B[2J\\x1B]0;pwned\\x07 $(rm -rf /); <b>&\"'") != NULL);
    nl_buf_free(&b);
    json_t *js = ops_report_to_json(rep);
    char *text = json_dumps(js, 0);
    CHECK(text && strstr(text, "\\u001B[2J") != NULL);
    free(text);
    json_decref(js);
    ops_report_free(&rep);
    nl_lab_free(&lab);
}

int main(void)
{
    test_clean();
    test_vm_rules();
    test_host_rules();
    test_drift();
    test_layout();
    test_cost();
    test_hostile_names();
    return nl_check_done();
}
