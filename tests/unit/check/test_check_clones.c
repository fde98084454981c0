/* The readiness rules on cloned nested ESXi (issue 13): nested hosts and VMs sharing a BIOS UUID,
 * nested ESXi hosts sharing vmk0's MAC address. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/buf.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/check.h"
#include "check.h"

#define UUID "564d9b2a-3a7c-1f22-a51f-0a7e9644435c"
#define MAC "00:50:56:a1:5c:01"

/* esx-p01 runs nested ESXi VMs n1 and its copy n1-copy; nested hosts
 * esx-n01 and esx-n05 run inside them. */
static struct nl_lab *clones_lab(void)
{
    struct nl_lab *lab = nl_lab_new("t");
    xstrset(&nl_lab_add_cluster(lab, "c-1")->name, "P");
    xstrset(&nl_lab_add_cluster(lab, "c-2")->name, "N");
    struct nl_host *h = nl_lab_add_host(lab, "host-1");
    xstrset(&h->name, "esx-p01");
    xstrset(&h->cluster_id, "c-1");
    xstrset(&h->vmk0_mac, "24:6e:96:00:00:01");
    h->connection = NL_CONN_CONNECTED; /* no network data: the network rules skip it */
    static const char *const vms[][2] = {{"vm-1", "n1"}, {"vm-2", "n1-copy"}};
    for (size_t i = 0; i < 2; i++) {
        struct nl_vm *vm = nl_lab_add_vm(lab, vms[i][0]);
        xstrset(&vm->name, vms[i][1]);
        xstrset(&vm->host_id, "host-1");
        xstrset(&vm->guest_id, "vmkernel7Guest");
        xstrset(&vm->tools, "guestToolsRunning");
        xstrset(&vm->uuid, i ? UUID : "564D9B2A-3A7C-1F22-A51F-0A7E9644435C");
        vm->power = NL_POWER_ON;
        vm->hw_version = 14;
        vm->nested_hv = NL_TRI_TRUE;
        vm->cpus = 2;
        vm->memory_mb = 8192;
    }
    static const char *const hosts[][2] = {{"host-2", "esx-n01"}, {"host-3", "esx-n05"}};
    for (size_t i = 0; i < 2; i++) {
        h = nl_lab_add_host(lab, hosts[i][0]);
        xstrset(&h->name, hosts[i][1]);
        xstrset(&h->cluster_id, "c-2");
        xstrset(&h->bios_uuid, UUID);
        xstrset(&h->vmk0_mac, MAC);
        h->connection = NL_CONN_CONNECTED;
    }
    nl_lab_link(lab);
    return lab;
}

static const struct ops_finding *find_rule(const struct ops_report *rep, const char *rule)
{
    const struct ops_finding *f = NULL;
    size_t n = 0;
    for (size_t i = 0; i < rep->n_findings; i++)
        if (strcmp(rep->findings[i].rule, rule) == 0) {
            f = &rep->findings[i];
            n++;
        }
    CHECK(n <= 1);
    return f;
}

static bool names_object(const struct ops_finding *f, const char *kind, const char *id)
{
    for (size_t i = 0; f && i < f->n_objects; i++)
        if (strcmp(f->objects[i].kind, kind) == 0 && strcmp(f->objects[i].id, id) == 0)
            return true;
    return false;
}

static void test_shared_uuid_and_mac(void)
{
    struct nl_lab *lab = clones_lab();
    struct ops_report *rep = ops_check_run(lab, NULL);
    const struct ops_finding *u = find_rule(rep, "nested.shared-bios-uuid");
    CHECK(u != NULL);
    if (u) {
        CHECK_INT(u->severity, OPS_SEV_WARN);
        CHECK_STR(u->objects[0].kind, "host");
        CHECK(names_object(u, "host", "host-2") && names_object(u, "host", "host-3"));
        CHECK(names_object(u, "vm", "vm-1") && names_object(u, "vm", "vm-2"));
        CHECK(strstr(u->message, UUID) != NULL);
        CHECK(strstr(u->message, "\"n1-copy\"") != NULL);
        CHECK(strstr(u->fix_text, "uuid.bios") != NULL);
        CHECK_INT(u->fix.kind, OPS_FIX_NONE);
    }
    const struct ops_finding *m = find_rule(rep, "nested.shared-vmk0-mac");
    CHECK(m != NULL);
    if (m) {
        CHECK_INT(m->severity, OPS_SEV_ERROR);
        CHECK_INT(m->n_objects, 2);
        CHECK(names_object(m, "host", "host-2") && names_object(m, "host", "host-3"));
        CHECK(strstr(m->message, MAC) != NULL);
        CHECK(strstr(m->fix_text, "esxcli system settings advanced set -o /Net/FollowHardwareMac "
                                  "-i 1") != NULL);
        CHECK(strstr(m->fix_text, "/system/uuid") != NULL);
        CHECK(strstr(m->why, "vmk0") != NULL);
        CHECK_INT(m->fix.kind, OPS_FIX_NONE);
    }
    CHECK_INT(ops_report_exit_status(rep), 1);
    struct nl_buf b;
    nl_buf_init(&b, 0);
    CHECK_INT(ops_report_to_text(rep, &b, NULL), NL_OK);
    CHECK(strstr(b.data, "FollowHardwareMac") != NULL);
    nl_buf_free(&b);
    ops_report_free(&rep);

    /* Each clone gets its own vmk0 MAC and UUID: both rules fall silent. */
    xstrset(&lab->hosts[2].vmk0_mac, "00:50:56:a1:5c:02");
    xstrset(&lab->hosts[2].bios_uuid, "564d9b2a-3a7c-1f22-a51f-0a7e96440002");
    xstrset(&lab->vms[1].uuid, "564d9b2a-3a7c-1f22-a51f-0a7e96440002");
    nl_lab_link(lab);
    rep = ops_check_run(lab, NULL);
    CHECK(find_rule(rep, "nested.shared-bios-uuid") == NULL);
    CHECK(find_rule(rep, "nested.shared-vmk0-mac") == NULL);
    CHECK_INT(lab->hosts[1].link, NL_LINK_UUID);
    ops_report_free(&rep);

    /* Unknown MACs and all-zero UUIDs prove nothing. */
    free(lab->hosts[1].vmk0_mac);
    free(lab->hosts[2].vmk0_mac);
    lab->hosts[1].vmk0_mac = lab->hosts[2].vmk0_mac = NULL;
    xstrset(&lab->vms[0].uuid, "00000000-0000-0000-0000-000000000000");
    xstrset(&lab->vms[1].uuid, "00000000-0000-0000-0000-000000000000");
    nl_lab_link(lab);
    rep = ops_check_run(lab, NULL);
    CHECK(find_rule(rep, "nested.shared-bios-uuid") == NULL);
    CHECK(find_rule(rep, "nested.shared-vmk0-mac") == NULL);
    ops_report_free(&rep);
    nl_lab_free(&lab);
}

/* Two copies of a nested ESXi VM that back no host yet (not booted): the UUID is still shared,
 * and reported on the VMs. A guest VM pair sharing a UUID is not this rule's business. */
static void test_vms_only(void)
{
    struct nl_lab *lab = clones_lab();
    nl_lab_remove(lab, "host-2");
    nl_lab_remove(lab, "host-3");
    nl_lab_link(lab);
    struct ops_report *rep = ops_check_run(lab, NULL);
    const struct ops_finding *u = find_rule(rep, "nested.shared-bios-uuid");
    CHECK(u && strcmp(u->objects[0].kind, "vm") == 0 && u->n_objects == 2);
    ops_report_free(&rep);
    xstrset(&lab->vms[0].guest_id, "ubuntu64Guest");
    xstrset(&lab->vms[1].guest_id, "ubuntu64Guest");
    lab->vms[0].nested_hv = lab->vms[1].nested_hv = NL_TRI_FALSE;
    nl_lab_link(lab);
    rep = ops_check_run(lab, NULL);
    CHECK(find_rule(rep, "nested.shared-bios-uuid") == NULL);
    ops_report_free(&rep);
    nl_lab_free(&lab);
}

int main(void)
{
    test_shared_uuid_and_mac();
    test_vms_only();
    return nl_check_done();
}
