/* Cloned nested ESXi VMs read over SSH (issue 13): two VMs of one host share uuid.bios. They
 * stay two VMs, keep their own ids, vmids and .vmx paths, and the nested hosts that carry the
 * shared UUID are linked to neither (NL_LINK_AMBIGUOUS). Fixtures: tests/fixtures/esxi/clones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/esxi/esx_read.h"
#include "check.h"
#include "fixture.h"

#define UUID "564d9b2a-3a7c-1f22-a51f-0a7e9644435c"

/* The host as esx_host_fetch would return it, from the captured getallvms and .vmx files. */
static struct esx_host_data *clones_data(void)
{
    struct esx_host_data *d = xcalloc(1, sizeof(*d));
    d->cpu_packages = d->cpu_cores = d->cpu_threads = d->hv_support = -1;
    size_t len;
    char *text = fixture_read("clones/getallvms.txt", &len);
    struct esx_vm_list *list = NULL;
    struct nl_err err = {0};
    CHECK(esx_getallvms_parse(text, &list, &err) == NL_OK);
    free(text);
    if (!list)
        return d;
    d->vms = xcalloc(list->n + 1, sizeof(*d->vms));
    for (size_t i = 0; i < list->n; i++) {
        struct esx_vm_data *vm = &d->vms[d->n_vms++];
        esx_vm_data_init(vm, &list->items[i]);
        char *name = xasprintf("clones/%s.vmx", list->items[i].name);
        text = fixture_read(name, &len);
        esx_vm_data_from_vmx(vm, text, len);
        vm->power = NL_POWER_OFF;
        free(text);
        free(name);
    }
    esx_vm_list_free(&list);
    return d;
}

static void add_vm(struct nl_lab *lab, const char *id, const char *name, const char *host)
{
    struct nl_vm *vm = nl_lab_add_vm(lab, id);
    xstrset(&vm->name, name);
    xstrset(&vm->host_id, host);
    xstrset(&vm->uuid, UUID);
    xstrset(&vm->guest_id, "vmkernel65Guest");
}

static void add_nested_host(struct nl_lab *lab, const char *id, const char *name)
{
    struct nl_host *h = nl_lab_add_host(lab, id);
    xstrset(&h->name, name);
    xstrset(&h->bios_uuid, UUID);
}

static const struct nl_vm *vm_by_vmid(const struct nl_lab *lab, int vmid)
{
    for (size_t i = 0; i < lab->n_vms; i++)
        if (lab->vms[i].vmid == vmid)
            return &lab->vms[i];
    return NULL;
}

static void check_two_vms(const struct nl_lab *lab, const char *id2, const char *id3)
{
    const struct nl_vm *a = vm_by_vmid(lab, 2), *b = vm_by_vmid(lab, 3);
    CHECK(a && b && a != b);
    if (!a || !b)
        return;
    CHECK_STR(a->id, id2);
    CHECK_STR(a->name, "n-esx01");
    CHECK_STR(a->vmx_path, "/vmfs/volumes/datastore1/n-esx01/n-esx01.vmx");
    CHECK_INT(a->nested_hv, NL_TRI_TRUE);
    CHECK_STR(b->id, id3);
    CHECK_STR(b->name, "n-esx01 (clone)");
    CHECK_STR(b->vmx_path, "/vmfs/volumes/datastore1/n-esx01 (clone)/n-esx01 (clone).vmx");
    CHECK_INT(b->nested_hv, NL_TRI_FALSE);
    CHECK_STR(a->uuid, UUID);
    CHECK_STR(b->uuid, UUID);
    CHECK_INT(a->nested_host, -1);
    CHECK_INT(b->nested_host, -1);
}

/* Over SSH only: no cache, both rows are new VMs. */
static void test_ssh_only(void)
{
    struct nl_lab *lab = nl_lab_new("ssh");
    add_nested_host(lab, "ssh:esx-n01.lab.invalid", "esx-n01.lab.invalid");
    add_nested_host(lab, "ssh:esx-n05.lab.invalid", "esx-n05.lab.invalid");
    nl_lab_link(lab);
    struct esx_host_data *d = clones_data();
    CHECK_INT(d->n_vms, 2);
    esx_host_apply(lab, "ssh:esx-p01.lab.invalid", "esx-p01.lab.invalid", d);
    nl_lab_link(lab);
    CHECK_INT(lab->n_vms, 2);
    check_two_vms(lab, "ssh:esx-p01.lab.invalid:vm:2", "ssh:esx-p01.lab.invalid:vm:3");
    for (size_t h = 0; h < lab->n_hosts; h++)
        if (lab->hosts[h].bios_uuid) {
            CHECK_INT(lab->hosts[h].link, NL_LINK_AMBIGUOUS);
            CHECK_INT(lab->hosts[h].backing_vm, -1);
        }
    CHECK_STR(nl_link_kind_name(NL_LINK_AMBIGUOUS), "ambiguous");

    /* A second read keeps both ids (vmid + .vmx path), whatever order the rows come in. */
    struct esx_vm_data tmp = d->vms[0];
    d->vms[0] = d->vms[1];
    d->vms[1] = tmp;
    esx_host_apply(lab, "ssh:esx-p01.lab.invalid", "esx-p01.lab.invalid", d);
    nl_lab_link(lab);
    CHECK_INT(lab->n_vms, 2);
    check_two_vms(lab, "ssh:esx-p01.lab.invalid:vm:2", "ssh:esx-p01.lab.invalid:vm:3");
    esx_host_data_free(&d);
    nl_lab_free(&lab);
}

/* The cache comes from vCenter, which reports both VMs with the same config.uuid: each SSH row
 * goes to its own vCenter id (by name, the UUID being shared), never both to the first. */
static void test_vcenter_cache(void)
{
    struct nl_lab *lab = nl_lab_new("vc-lab");
    struct nl_host *p = nl_lab_add_host(lab, "host-17");
    xstrset(&p->name, "esx-p01.lab.invalid");
    add_vm(lab, "vm-70", "n-esx01 (clone)", "host-17");
    add_vm(lab, "vm-69", "n-esx01", "host-17");
    add_nested_host(lab, "host-30", "esx-n01.lab.invalid");
    nl_lab_link(lab);
    CHECK_INT(nl_lab_find_host(lab, "host-30")->link, NL_LINK_AMBIGUOUS);
    struct esx_host_data *d = clones_data();
    esx_host_apply(lab, "host-17", NULL, d);
    nl_lab_link(lab);
    CHECK_INT(lab->n_vms, 2);
    check_two_vms(lab, "vm-69", "vm-70");
    const struct nl_host *n01 = nl_lab_find_host(lab, "host-30");
    CHECK(n01 && n01->link == NL_LINK_AMBIGUOUS && n01->backing_vm == -1);
    CHECK(n01 && nl_host_is_nested(n01)); /* never taken for a physical host (scope, checks) */

    /* The clone gets a new BIOS UUID: the original alone holds the host's UUID and backs it. */
    free(d->vms[1].uuid);
    d->vms[1].uuid = xstrdup("564d9b2a-3a7c-1f22-a51f-0a7e96440000");
    esx_host_apply(lab, "host-17", NULL, d);
    nl_lab_link(lab);
    CHECK_INT(lab->n_vms, 2);
    n01 = nl_lab_find_host(lab, "host-30");
    CHECK(n01 && n01->link == NL_LINK_UUID && n01->backing_vm >= 0 &&
          strcmp(lab->vms[n01->backing_vm].id, "vm-69") == 0);
    esx_host_data_free(&d);
    nl_lab_free(&lab);
}

/* vmk0's MAC from `esxcli --formatter=xml network ip interface list` (the values of public
 * captures of the command; the XML field names follow the captured `network nic list`). */
static void test_vmk0_mac(void)
{
    size_t len;
    char *text = fixture_read("clones/ip_interface_list.xml", &len);
    struct esx_records *r = NULL;
    struct nl_err err = {0};
    CHECK(esx_xml_parse(text, len, &r, &err) == NL_OK);
    free(text);
    char *mac = esx_vmk_mac(r, "vmk0");
    CHECK_STR(mac, "00:50:56:6f:9d:66");
    free(mac);
    mac = esx_vmk_mac(r, "vmk10");
    CHECK_STR(mac, "00:50:56:65:4a:24");
    free(mac);
    CHECK(esx_vmk_mac(r, "vmk1") == NULL);
    CHECK(esx_vmk_mac(NULL, "vmk0") == NULL);

    /* Into the model: two clones answer with the same MAC. */
    struct nl_lab *lab = nl_lab_new("ssh");
    struct esx_host_data *d = xcalloc(1, sizeof(*d));
    d->cpu_packages = d->cpu_cores = d->cpu_threads = d->hv_support = -1;
    d->vmk0_mac = esx_vmk_mac(r, "vmk0");
    esx_host_apply(lab, "ssh:esx-n01.lab.invalid", "esx-n01.lab.invalid", d);
    esx_host_apply(lab, "ssh:esx-n05.lab.invalid", "esx-n05.lab.invalid", d);
    nl_lab_link(lab);
    CHECK_STR(lab->hosts[0].vmk0_mac, "00:50:56:6f:9d:66");
    CHECK_STR(lab->hosts[1].vmk0_mac, "00:50:56:6f:9d:66");
    CHECK(nl_mac_normalize("00:50:56:6f:9d") == NULL);
    CHECK(nl_mac_normalize("0:50:56:6f:9d:66") == NULL);
    CHECK(nl_mac_normalize("00:50:56:6f:9d:66:00") == NULL);
    CHECK(nl_mac_normalize("N/A") == NULL);
    mac = nl_mac_normalize("00-50-56-6F-9D-66");
    CHECK_STR(mac, "00:50:56:6f:9d:66");
    free(mac);
    esx_host_data_free(&d);
    esx_records_free(&r);
    nl_lab_free(&lab);
}

/* The real `esxcli --formatter=xml network nic list` of an ESXi 8.0 host (real-formats) spells
 * its MAC field as esx_vmk_mac reads it: Name + MACAddress, the human label without blanks. */
static void test_real_capture(void)
{
    const char *dir = getenv("NL_REAL_FORMATS");
    char path[1024];
    snprintf(path, sizeof(path), "%s/esxcli/warlock_esxi80_network_nic_list.xml",
             dir ? dir : "../shared/real-formats");
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    char *text = xcalloc(1, 1 << 16);
    size_t len = fread(text, 1, (1 << 16) - 1, f);
    fclose(f);
    struct esx_records *r = NULL;
    struct nl_err err = {0};
    CHECK(esx_xml_parse(text, len, &r, &err) == NL_OK);
    char *mac = esx_vmk_mac(r, "vmnic0");
    CHECK_STR(mac, "78:ac:44:07:b2:c4");
    free(mac);
    CHECK(esx_vmk_mac(r, "vmk0") == NULL);
    esx_records_free(&r);
    free(text);
}

int main(void)
{
    test_real_capture();
    test_vmk0_mac();
    test_ssh_only();
    test_vcenter_cache();
    return nl_check_done();
}
