/* Test labs. Ids look like vSphere morefs so code that shows ids sees realistic ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/xmalloc.h"
#include "tests/unit/tui/fake_lab.h"

static void std_network(struct nl_host *h, int promisc)
{
    struct nl_vswitch *vs = nl_host_add_vswitch(h, "vSwitch0");
    vs->num_ports = 128;
    vs->mtu = 1500;
    nl_vswitch_add_uplink(vs, "vmnic0");
    vs->security.promiscuous = promisc ? NL_TRI_TRUE : NL_TRI_FALSE;
    vs->security.forged_transmits = NL_TRI_TRUE;
    vs->security.mac_changes = NL_TRI_TRUE;
    const char *pgs[] = {"Management Network", "VM Network"};
    for (int i = 0; i < 2; i++) {
        struct nl_portgroup *pg = nl_host_add_portgroup(h, pgs[i], "vSwitch0");
        pg->vlan = 0;
        nl_security_init(&pg->override);
    }
}

static struct nl_host *host(struct nl_lab *lab, const char *id, const char *name,
                            const char *cluster, const char *uuid, int cores)
{
    struct nl_host *h = nl_lab_add_host(lab, id);
    xstrset(&h->name, name);
    xstrset(&h->cluster_id, cluster);
    xstrset(&h->datacenter_id, "datacenter-2");
    xstrset(&h->bios_uuid, uuid);
    xstrset(&h->version, cores > 4 ? "8.0.3" : "6.5.0");
    xstrset(&h->cpu_model, "Intel(R) Xeon(R) Gold 6132 CPU @ 2.60GHz");
    h->connection = NL_CONN_CONNECTED;
    h->cpu_packages = cores > 4 ? 2 : 1;
    h->cpu_cores = cores;
    h->cpu_threads = cores > 4 ? cores * 2 : cores;
    h->cpu_mhz = 2600;
    h->source = NL_SOURCE_VCENTER;
    std_network(h, 0);
    return h;
}

static struct nl_vm *vm(struct nl_lab *lab, const char *id, const char *name, const char *host_id,
                        const char *guest, int power_on, int hw, int nested_hv, int cpus, int mem)
{
    struct nl_vm *v = nl_lab_add_vm(lab, id);
    xstrset(&v->name, name);
    xstrset(&v->host_id, host_id);
    xstrset(&v->guest_id, guest);
    v->power = power_on ? NL_POWER_ON : NL_POWER_OFF;
    v->hw_version = hw;
    v->nested_hv = nested_hv ? NL_TRI_TRUE : NL_TRI_FALSE;
    v->cpus = cpus;
    v->memory_mb = mem;
    xstrset(&v->tools, power_on ? "guestToolsRunning" : "guestToolsNotRunning");
    nl_vm_add_network(v, "VM Network");
    return v;
}

static void base(struct nl_lab *lab)
{
    lab->source = NL_SOURCE_VCENTER;
    lab->fetched_at = time(NULL);
    xstrset(&lab->api_version, "8.0.3.0");
    struct nl_datacenter *dc = nl_lab_add_datacenter(lab, "datacenter-2");
    xstrset(&dc->name, "Lab");
}

static void cluster(struct nl_lab *lab, const char *id, const char *name)
{
    struct nl_cluster *c = nl_lab_add_cluster(lab, id);
    xstrset(&c->name, name);
    xstrset(&c->datacenter_id, "datacenter-2");
}

struct nl_lab *fake_lab_default(void)
{
    struct nl_lab *lab = nl_lab_new("vc-lab");
    base(lab);
    cluster(lab, "domain-c7", "Physical");
    cluster(lab, "domain-c8", "Nested-A");
    cluster(lab, "domain-c9", "Nested-B");
    host(lab, "host-21", "esx-p01.lab.invalid", "domain-c7", "4c4c4544-0000-0000-0000-000000000021",
         16);
    host(lab, "host-22", "esx-p02.lab.invalid", "domain-c7", "4c4c4544-0000-0000-0000-000000000022",
         16);
    const char *nested[4][3] = {{"host-31", "esx-n01.lab.invalid", "domain-c8"},
                                {"host-32", "esx-n02.lab.invalid", "domain-c8"},
                                {"host-33", "esx-n03.lab.invalid", "domain-c9"},
                                {"host-34", "esx-n04.lab.invalid", "domain-c9"}};
    for (int i = 0; i < 4; i++) {
        char uuid[64];
        snprintf(uuid, sizeof(uuid), "564d0000-0000-0000-0000-0000000000%02d", i + 1);
        struct nl_host *h = host(lab, nested[i][0], nested[i][1], nested[i][2], uuid, 2);
        if (i == 3)
            h->connection = NL_CONN_NOT_RESPONDING;
    }
    vm(lab, "vm-40", "vcsa", "host-21", "vmwarePhoton64Guest", 1, 10, 0, 2, 12288);
    for (int i = 0; i < 4; i++) {
        char id[16], name[16], uuid[64];
        snprintf(id, sizeof(id), "vm-5%d", i + 1);
        snprintf(name, sizeof(name), "n-esx%02d", i + 1);
        snprintf(uuid, sizeof(uuid), "564d0000-0000-0000-0000-0000000000%02d", i + 1);
        struct nl_vm *v = vm(lab, id, name, i % 2 ? "host-22" : "host-21", "vmkernel65Guest", i < 3,
                             i < 3 ? 10 : 8, i < 3, 2, 6144);
        xstrset(&v->uuid, uuid);
        if (i >= 2)
            xstrset(&v->tools, "guestToolsNotRunning");
    }
    for (int i = 0; i < 4; i++) {
        char id[16], name[16];
        snprintf(id, sizeof(id), "vm-6%d", i + 1);
        snprintf(name, sizeof(name), "kvm%02d", i + 1);
        vm(lab, id, name, i % 2 ? "host-22" : "host-21", "ubuntu64Guest", i < 3, 13, i < 3, 4,
           8192);
    }
    vm(lab, "vm-71", "contrail-ctl", "host-31", "ubuntu64Guest", 1, 11, 0, 2, 4096);
    vm(lab, "vm-72", "web01", "host-31", "ubuntu64Guest", 1, 11, 0, 1, 1024);
    vm(lab, "vm-73", "web02", "host-32", "ubuntu64Guest", 1, 11, 0, 1, 1024);
    vm(lab, "vm-74", "db01", "host-33", "ubuntu64Guest", 0, 11, 0, 2, 2048);
    /* Names that must neither break the layout nor reach the terminal raw. */
    vm(lab, "vm-75", "db-\xe6\x95\xb0\xe6\x8d\xae\xe5\xba\x93-01", "host-33", "ubuntu64Guest", 1,
       11, 0, 1, 1024);
    vm(lab, "vm-76", "web \"01\" <&> $(reboot); \x1b[2J", "host-32", "ubuntu64Guest", 1, 11, 0, 1,
       512);
    nl_lab_link(lab);
    return lab;
}

struct nl_lab *fake_lab_scale(size_t n_vms)
{
    struct nl_lab *lab = nl_lab_new("vc-scale");
    base(lab);
    char id[64], name[64], cid[64], uuid[64];
    size_t n_phys = 0, n_nested = 0;
    for (int c = 0; c < 5; c++) {
        snprintf(cid, sizeof(cid), "domain-c%d", 100 + c);
        snprintf(name, sizeof(name), "Physical-%d", c + 1);
        cluster(lab, cid, name);
        for (int h = 0; h < 10; h++, n_phys++) {
            snprintf(id, sizeof(id), "host-%zu", 1000 + n_phys);
            snprintf(name, sizeof(name), "esx-p%03zu.scale.invalid", n_phys + 1);
            snprintf(uuid, sizeof(uuid), "4c4c4544-0000-0000-0000-%012zu", n_phys);
            host(lab, id, name, cid, uuid, 16);
        }
    }
    for (int c = 0; c < 5; c++) {
        snprintf(cid, sizeof(cid), "domain-c%d", 200 + c);
        snprintf(name, sizeof(name), "Nested-%c", 'A' + c);
        cluster(lab, cid, name);
        for (int h = 0; h < 4; h++, n_nested++) {
            snprintf(id, sizeof(id), "host-%zu", 2000 + n_nested);
            snprintf(name, sizeof(name), "esx-n%03zu.scale.invalid", n_nested + 1);
            snprintf(uuid, sizeof(uuid), "564d0000-0000-0000-0000-%012zu", n_nested);
            host(lab, id, name, cid, uuid, 2);
            char vid[64], vname[64], hid[64];
            snprintf(vid, sizeof(vid), "vm-%zu", 90000 + n_nested);
            snprintf(vname, sizeof(vname), "n-esx%03zu", n_nested + 1);
            snprintf(hid, sizeof(hid), "host-%zu", 1000 + n_nested % n_phys);
            struct nl_vm *v = vm(lab, vid, vname, hid, "vmkernel65Guest", 1, 10, 1, 2, 6144);
            xstrset(&v->uuid, uuid);
        }
    }
    size_t n_hosts = n_phys + n_nested;
    for (size_t i = 0; i < n_vms; i++) {
        size_t h = i % n_hosts;
        char hid[64];
        snprintf(hid, sizeof(hid), "host-%zu", h < n_phys ? 1000 + h : 2000 + (h - n_phys));
        snprintf(id, sizeof(id), "vm-%zu", 100000 + i);
        snprintf(name, sizeof(name), "vm-%05zu", i);
        vm(lab, id, name, hid, "ubuntu64Guest", (int)(i % 3 != 0), 13, 0, 1, 1024);
    }
    nl_lab_link(lab);
    return lab;
}
