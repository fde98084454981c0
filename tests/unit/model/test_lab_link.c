/* nl_lab_link: nested links (UUID, case, name fallback, duplicates), roles, cluster kinds,
 * effective port-group policy, lookups, remove and clone, and the time to link a 10,000-VM lab. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "backend/core/xmalloc.h"
#include "backend/model/lab.h"
#include "check.h"

static struct nl_host *add_host(struct nl_lab *lab, const char *id, const char *name,
                                const char *cluster, const char *uuid)
{
    struct nl_host *h = nl_lab_add_host(lab, id);
    xstrset(&h->name, name);
    xstrset(&h->cluster_id, cluster);
    xstrset(&h->bios_uuid, uuid);
    return h;
}

static struct nl_vm *add_vm(struct nl_lab *lab, const char *id, const char *name, const char *host,
                            const char *guest, const char *uuid)
{
    struct nl_vm *vm = nl_lab_add_vm(lab, id);
    xstrset(&vm->name, name);
    xstrset(&vm->host_id, host);
    xstrset(&vm->guest_id, guest);
    xstrset(&vm->uuid, uuid);
    return vm;
}

static void test_uuid_links(void)
{
    struct nl_lab *lab = nl_lab_new("vc");
    xstrset(&nl_lab_add_datacenter(lab, "dc-1")->name, "Lab");
    struct nl_cluster *c = nl_lab_add_cluster(lab, "c-phys");
    xstrset(&c->name, "Physical");
    xstrset(&c->datacenter_id, "dc-1");
    xstrset(&nl_lab_add_cluster(lab, "c-nest")->name, "Nested-A");
    xstrset(&nl_lab_add_cluster(lab, "c-empty")->name, "Empty");
    add_host(lab, "host-1", "esx-p01.lab.invalid", "c-phys",
             "4c4c4544-0000-1111-2222-333333333333");
    /* Upper-case UUID on the host side: the link ignores case. */
    add_host(lab, "host-2", "esx-n01.lab.invalid", "c-nest",
             "4210AAAA-BBBB-CCCC-DDDD-000000000001");
    add_vm(lab, "vm-1", "n-esx01", "host-1", "vmkernel65Guest",
           "4210aaaa-bbbb-cccc-dddd-000000000001");
    add_vm(lab, "vm-2", "web01", "host-2", "ubuntu64Guest", "4210aaaa-bbbb-cccc-dddd-000000000099");
    nl_lab_link(lab);

    struct nl_host *n01 = nl_lab_find_host(lab, "host-2");
    CHECK(n01 != NULL);
    CHECK_INT(n01->backing_vm, 0);
    CHECK_INT(n01->link, NL_LINK_UUID);
    CHECK_INT(n01->cluster, 1);
    CHECK_INT(lab->hosts[0].backing_vm, -1);
    CHECK_INT(lab->vms[0].nested_host, 1);
    CHECK_INT(lab->vms[0].host, 0);
    CHECK_INT(lab->vms[1].host, 1);
    CHECK_INT(lab->vms[1].nested_host, -1);
    CHECK(!lab->name_links_used);
    CHECK_INT(lab->clusters[0].kind, NL_CLUSTER_PHYSICAL);
    CHECK_INT(lab->clusters[0].datacenter, 0);
    CHECK_INT(lab->clusters[1].kind, NL_CLUSTER_NESTED);
    CHECK_INT(lab->clusters[1].datacenter, -1);
    CHECK_INT(lab->clusters[2].kind, NL_CLUSTER_EMPTY);
    CHECK_STR(nl_cluster_kind_name(lab->clusters[1].kind), "nested");

    /* Mixed: a physical host joins the nested cluster. */
    add_host(lab, "host-3", "esx-p02.lab.invalid", "c-nest",
             "4c4c4544-0000-1111-2222-444444444444");
    nl_lab_link(lab);
    CHECK_INT(lab->clusters[1].kind, NL_CLUSTER_MIXED);

    /* Lookups by id and name (host names ignore case). */
    CHECK(nl_lab_find_host_by_name(lab, "ESX-N01.lab.invalid") == &lab->hosts[1]);
    CHECK(nl_lab_find_vm_by_name(lab, "web01") == &lab->vms[1]);
    CHECK(nl_lab_find_vm_by_name(lab, "WEB01") == NULL);
    CHECK(nl_lab_find_cluster_by_name(lab, "Nested-A") == &lab->clusters[1]);
    CHECK(nl_lab_find_cluster(lab, "c-empty") == &lab->clusters[2]);
    CHECK(nl_lab_find_vm(lab, "vm-404") == NULL);
    /* Adding an existing id returns the existing object. */
    CHECK(nl_lab_add_vm(lab, "vm-1") == &lab->vms[0]);
    CHECK_INT(lab->n_vms, 2);

    /* Remove shifts later objects and relinks cleanly. */
    CHECK(nl_lab_remove(lab, "host-1"));
    CHECK(!nl_lab_remove(lab, "host-1"));
    nl_lab_link(lab);
    CHECK_INT(lab->n_hosts, 2);
    CHECK(nl_lab_find_host(lab, "host-2") == &lab->hosts[0]);
    CHECK_INT(lab->hosts[0].backing_vm, 0);
    CHECK_INT(lab->vms[0].host, -1);
    CHECK_INT(lab->vms[1].host, 0);

    struct nl_lab *copy = nl_lab_clone(lab);
    CHECK_INT(copy->n_hosts, 2);
    CHECK_INT(copy->hosts[0].backing_vm, 0);
    CHECK_STR(copy->vms[1].name, "web01");
    CHECK(nl_lab_find_host(copy, "host-3") == &copy->hosts[1]);
    nl_lab_free(&copy);
    CHECK(copy == NULL);
    nl_lab_free(&lab);
    nl_lab_free(&lab); /* NULL is fine */
}

static void test_name_fallback(void)
{
    struct nl_lab *lab = nl_lab_new("vc");
    add_host(lab, "host-1", "esx-p01", NULL, "4c4c4544-0000-1111-2222-333333333333");
    add_host(lab, "host-2", "esx-n01.lab.invalid", NULL, NULL); /* no UUID: name fallback */
    add_host(lab, "host-3", "ESX-N02", NULL,
             "00000000-0000-0000-0000-000000000000"); /* zero = absent */
    add_host(lab, "host-4", "esx-n03", NULL, "4210aaaa-0000-0000-0000-000000000003");
    add_host(lab, "host-5", "twin", NULL, NULL);
    add_vm(lab, "vm-1", "esx-n01", "host-1", "vmkernel7Guest",
           "4210aaaa-0000-0000-0000-000000000001");
    add_vm(lab, "vm-2", "esx-n02", "host-1", "vmkernel7Guest", NULL);
    /* Both sides have UUIDs that differ: a name match must not link them. */
    add_vm(lab, "vm-3", "esx-n03", "host-1", "vmkernel7Guest",
           "4210aaaa-0000-0000-0000-00000000ffff");
    /* Two VMs with the same name: no link. */
    add_vm(lab, "vm-4", "twin", "host-1", "vmkernel7Guest", NULL);
    add_vm(lab, "vm-5", "twin", "host-1", "vmkernel7Guest", NULL);
    nl_lab_link(lab);
    CHECK_INT(lab->hosts[1].backing_vm, 0);
    CHECK_INT(lab->hosts[1].link, NL_LINK_NAME);
    CHECK_INT(lab->hosts[2].backing_vm, 1);
    CHECK_INT(lab->hosts[2].link, NL_LINK_NAME);
    CHECK_INT(lab->hosts[3].backing_vm, -1);
    CHECK_INT(lab->hosts[4].backing_vm, -1);
    CHECK_INT(lab->hosts[0].backing_vm, -1);
    CHECK(lab->name_links_used);
    CHECK_STR(nl_link_kind_name(lab->hosts[1].link), "name");
    nl_lab_free(&lab);
}

static void test_duplicate_uuids(void)
{
    struct nl_lab *lab = nl_lab_new("vc");
    add_host(lab, "host-1", "esx-p01", NULL, "4c4c4544-0000-0000-0000-000000000001");
    add_host(lab, "host-2", "esx-n01", NULL, "4210aaaa-0000-0000-0000-000000000001");
    /* Two hosts share a UUID (cloned BIOS): neither is linked. */
    add_host(lab, "host-3", "esx-n02", NULL, "4210aaaa-0000-0000-0000-000000000002");
    add_host(lab, "host-4", "esx-n02b", NULL, "4210AAAA-0000-0000-0000-000000000002");
    /* Two VMs share the UUID host-2 reports (a copied VM): no link. */
    add_vm(lab, "vm-1", "n-esx01", "host-1", "vmkernel65Guest",
           "4210aaaa-0000-0000-0000-000000000001");
    add_vm(lab, "vm-2", "n-esx01-copy", "host-1", "vmkernel65Guest",
           "4210aaaa-0000-0000-0000-000000000001");
    add_vm(lab, "vm-3", "n-esx02", "host-1", "vmkernel65Guest",
           "4210aaaa-0000-0000-0000-000000000002");
    /* A VM cannot back the host it runs on. */
    add_host(lab, "host-5", "loop", NULL, "4210aaaa-0000-0000-0000-000000000005");
    add_vm(lab, "vm-5", "loop-vm", "host-5", "vmkernel65Guest",
           "4210aaaa-0000-0000-0000-000000000005");
    for (int round = 0; round < 2; round++) { /* linking twice gives the same answer */
        nl_lab_link(lab);
        for (size_t i = 0; i < lab->n_hosts; i++)
            CHECK_INT(lab->hosts[i].backing_vm, -1);
        for (size_t i = 0; i < lab->n_vms; i++)
            CHECK_INT(lab->vms[i].nested_host, -1);
        CHECK(!lab->name_links_used);
    }
    nl_lab_free(&lab);
}

static void test_roles(void)
{
    struct nl_lab *lab = nl_lab_new("vc");
    add_host(lab, "host-1", "esx-p01", NULL, NULL);
    add_host(lab, "host-2", "esx-n09", NULL, "4210aaaa-0000-0000-0000-000000000009");
    struct nl_vm *v;
    add_vm(lab, "vm-1", "n-esx01", "host-1", "VMkernel65Guest", NULL);
    v = add_vm(lab, "vm-2", "vcsa", "host-1", "vmwarePhoton64Guest", NULL);
    v->nested_hv = NL_TRI_FALSE;
    v = add_vm(lab, "vm-3", "kvm01", "host-1", "ubuntu64Guest", NULL);
    v->nested_hv = NL_TRI_TRUE;
    v = add_vm(lab, "vm-4", "node02", "host-1", "ubuntu64Guest", NULL);
    v->nested_hv = NL_TRI_FALSE;
    v = add_vm(lab, "vm-5", "node01", "host-1", "ubuntu64Guest", NULL);
    v->nested_hv = NL_TRI_TRUE;
    add_vm(lab, "vm-6", "node03", "host-1", "centos64Guest", NULL); /* other guest OS: no peer */
    add_vm(lab, "vm-7", "web01", "host-2", "ubuntu64Guest", NULL);
    add_vm(lab, "vm-8", "photon-box", "host-1", "vmwarePhoton64Guest", NULL);
    add_vm(lab, "vm-9", "Proxmox-1", "host-1", "debian11_64Guest", NULL);
    add_vm(lab, "vm-10", "my-vCenter", "host-1", "otherGuest", NULL);
    add_vm(lab, "vm-11", "backer", "host-1", "otherGuest64",
           "4210AAAA-0000-0000-0000-000000000009");
    nl_lab_link(lab);
    const struct {
        const char *name;
        enum nl_vm_role role;
        enum nl_role_basis basis;
    } want[] = {
        {"n-esx01", NL_ROLE_NESTED_ESXI, NL_BASIS_GUEST_ID},
        {"vcsa", NL_ROLE_APPLIANCE, NL_BASIS_NAME},
        {"kvm01", NL_ROLE_NESTED_OTHER, NL_BASIS_NESTED_HV},
        {"node02", NL_ROLE_NESTED_OTHER, NL_BASIS_PEER},
        {"node01", NL_ROLE_NESTED_OTHER, NL_BASIS_NESTED_HV},
        {"node03", NL_ROLE_GUEST, NL_BASIS_NONE},
        {"web01", NL_ROLE_GUEST, NL_BASIS_NONE},
        {"photon-box", NL_ROLE_APPLIANCE, NL_BASIS_GUEST_ID},
        {"Proxmox-1", NL_ROLE_NESTED_OTHER, NL_BASIS_NAME},
        {"my-vCenter", NL_ROLE_APPLIANCE, NL_BASIS_NAME},
        {"backer", NL_ROLE_NESTED_ESXI, NL_BASIS_BACKS_HOST},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const struct nl_vm *vm = nl_lab_find_vm_by_name(lab, want[i].name);
        CHECK(vm != NULL);
        if (!vm)
            continue;
        CHECK_STR(nl_role_name(vm->role), nl_role_name(want[i].role));
        CHECK_STR(nl_role_basis_name(vm->role_basis), nl_role_basis_name(want[i].basis));
    }
    CHECK_INT(nl_lab_find_vm_by_name(lab, "node02")->role_peer, 4);
    CHECK(nl_vm_is_hypervisor(nl_lab_find_vm_by_name(lab, "node02")));
    CHECK(!nl_vm_is_hypervisor(nl_lab_find_vm_by_name(lab, "vcsa")));
    nl_lab_free(&lab);
}

static void test_effective_policy(void)
{
    struct nl_lab *lab = nl_lab_new("vc");
    struct nl_host *h = add_host(lab, "host-1", "esx-p01", NULL, NULL);
    struct nl_vswitch *vs = nl_host_add_vswitch(h, "vSwitch0");
    vs->security.promiscuous = NL_TRI_FALSE;
    vs->security.forged_transmits = NL_TRI_TRUE;
    vs->security.mac_changes = NL_TRI_TRUE;
    nl_vswitch_add_uplink(vs, "vmnic0");
    CHECK(nl_host_add_vswitch(h, "vSwitch0") == &h->vswitches[0]);
    struct nl_portgroup *pg = nl_host_add_portgroup(h, "VM Network", "vSwitch0");
    pg->vlan = 0;
    pg = nl_host_add_portgroup(h, "Nested-Trunk", "vSwitch0");
    pg->vlan = 4095;
    pg->override.promiscuous = NL_TRI_TRUE;
    pg->override.mac_changes = NL_TRI_FALSE;
    pg = nl_host_add_portgroup(h, "Orphan", "vSwitch9");
    pg->override.forged_transmits = NL_TRI_TRUE;
    nl_lab_link(lab);
    h = &lab->hosts[0];
    CHECK_INT(h->portgroups[0].effective.promiscuous, NL_TRI_FALSE);
    CHECK_INT(h->portgroups[0].effective.forged_transmits, NL_TRI_TRUE);
    CHECK_INT(h->portgroups[1].effective.promiscuous, NL_TRI_TRUE);
    CHECK_INT(h->portgroups[1].effective.forged_transmits, NL_TRI_TRUE);
    CHECK_INT(h->portgroups[1].effective.mac_changes, NL_TRI_FALSE);
    CHECK_INT(h->portgroups[2].effective.promiscuous, NL_TRI_UNSET);
    CHECK_INT(h->portgroups[2].effective.forged_transmits, NL_TRI_TRUE);
    CHECK(nl_host_has_trunk(h, NULL));
    CHECK(nl_host_has_trunk(h, "vSwitch0"));
    CHECK(!nl_host_has_trunk(h, "vSwitch1"));
    CHECK_STR(nl_host_find_trunk(h, NULL)->name, "Nested-Trunk");
    CHECK(nl_host_promiscuous_any(h));
    CHECK_STR(nl_tri_word(h->portgroups[2].effective.promiscuous, "accept", "reject"), "-");
    nl_host_clear_network(h);
    CHECK_INT(h->n_portgroups, 0);
    CHECK(!nl_host_has_trunk(h, NULL));
    nl_lab_free(&lab);
}

/* 500 hosts (100 of them nested) and 10,000 VMs: linking must stay linear. Prints the time. */
static void test_scale(void)
{
    struct nl_lab *lab = nl_lab_new("scale");
    char id[64], name[64], uuid[64];
    for (int c = 0; c < 10; c++) {
        snprintf(id, sizeof(id), "domain-c%d", c);
        xstrset(&nl_lab_add_cluster(lab, id)->name, id);
    }
    for (int i = 0; i < 500; i++) {
        snprintf(id, sizeof(id), "host-%d", i);
        snprintf(name, sizeof(name), "esx-%04d.lab.invalid", i);
        snprintf(uuid, sizeof(uuid), "4c4c4544-0000-0000-%04d-%012d", i, i);
        char cl[32];
        snprintf(cl, sizeof(cl), "domain-c%d", i % 10);
        add_host(lab, id, name, cl, uuid);
    }
    for (int i = 0; i < 10000; i++) {
        snprintf(id, sizeof(id), "vm-%d", i);
        snprintf(name, sizeof(name), "vm%05d", i);
        /* VMs 0..99 back hosts 400..499 */
        if (i < 100)
            snprintf(uuid, sizeof(uuid), "4C4C4544-0000-0000-%04d-%012d", 400 + i, 400 + i);
        else
            snprintf(uuid, sizeof(uuid), "4210aaaa-0000-0000-0000-%012d", i);
        char host[32];
        snprintf(host, sizeof(host), "host-%d", i % 400);
        struct nl_vm *vm =
            add_vm(lab, id, name, host, i < 100 ? "vmkernel7Guest" : "otherGuest", uuid);
        nl_vm_add_network(vm, "VM Network");
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    nl_lab_link(lab);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("linked 500 hosts / 10000 VMs in %.2f ms\n", ms);
    int linked = 0;
    for (size_t i = 0; i < lab->n_hosts; i++)
        linked += lab->hosts[i].backing_vm >= 0;
    CHECK_INT(linked, 100);
    CHECK_INT(lab->hosts[450].backing_vm, 50);
    CHECK(nl_lab_find_vm_by_name(lab, "vm09999") == &lab->vms[9999]);
    CHECK(nl_lab_find_host(lab, "host-499") == &lab->hosts[499]);
    nl_lab_free(&lab);
}

int main(void)
{
    test_uuid_links();
    test_name_fallback();
    test_duplicate_uuids();
    test_roles();
    test_effective_policy();
    test_scale();
    return nl_check_done();
}
