/* Rules on cloned nested ESXi: copies of one nested ESXi VM keep what the original was given at
 * install time unless someone changes it.
 *
 *   nested.shared-bios-uuid  warn   one BIOS UUID held by two or more hosts, or by two or more
 *                                   VMs of which one is a nested hypervisor (VM config.uuid =
 *                                   uuid.bios, host hardware.systemInfo.uuid; case ignored,
 *                                   all-zero UUIDs are absent). nl_lab_link then links none of
 *                                   them (NL_LINK_AMBIGUOUS): nestlab, and any tool that finds a
 *                                   VM by its BIOS UUID, cannot tell which VM backs which host.
 *                                   Subject: the first host, else the first VM. Fix: manual.
 *   nested.shared-vmk0-mac   error  two or more hosts whose VMkernel NIC vmk0 has the same MAC
 *                                   address (known only; nl_mac_normalize spelling). vmk0 keeps
 *                                   the MAC it got at installation (the first vmnic's), so every
 *                                   clone of a nested ESXi VM answers on the management network
 *                                   with it. Fix: manual: Net.FollowHardwareMac (VMware KB
 *                                   1031111) and removing /system/uuid from /etc/vmware/esx.conf
 *                                   before cloning, as W. Lam's "How to properly clone a Nested
 *                                   ESXi VM?" (virtuallyghetto.com, 2013) describes; on clones
 *                                   already made, a new vmk0.
 * Both sort their keys once (n log n), so a 10,000-VM lab costs no pairwise comparison. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/core/buf.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/check_rules.h"

#define NAMES_SHOWN 8

struct holder {
    const char *key;
    bool is_host;
    size_t index; /* into lab->hosts or lab->vms */
};

static int holder_cmp(const void *a, const void *b)
{
    const struct holder *x = a, *y = b;
    int c = strcasecmp(x->key, y->key);
    if (c)
        return c;
    if (x->is_host != y->is_host)
        return x->is_host ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* `"a", "b", "c"` (at most NAMES_SHOWN, then "and N more") of the group's hosts or VMs. */
static char *names_of(const struct nl_lab *lab, const struct holder *g, size_t n, bool hosts)
{
    struct nl_buf b;
    nl_buf_init(&b, 0);
    size_t shown = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        if (g[i].is_host != hosts)
            continue;
        total++;
        if (shown == NAMES_SHOWN)
            continue;
        const char *name =
            hosts ? ops_host_name(&lab->hosts[g[i].index]) : ops_vm_name(&lab->vms[g[i].index]);
        nl_buf_appendf(&b, NULL, "%s\"%s\"", shown++ ? ", " : "", name);
    }
    if (total > shown)
        nl_buf_appendf(&b, NULL, " and %zu more", total - shown);
    return nl_buf_steal(&b);
}

static void add_objects(const struct nl_lab *lab, struct ops_finding *f, const struct holder *g,
                        size_t n)
{
    for (int hosts = 1; hosts >= 0; hosts--)
        for (size_t i = 0; i < n; i++) {
            if (g[i].is_host != (bool)hosts)
                continue;
            if (hosts)
                ops_check_object(f, "host", lab->hosts[g[i].index].id,
                                 ops_host_name(&lab->hosts[g[i].index]));
            else
                ops_check_object(f, "vm", lab->vms[g[i].index].id,
                                 ops_vm_name(&lab->vms[g[i].index]));
        }
}

static void uuid_finding(const struct nl_lab *lab, const struct holder *g, size_t n,
                         struct ops_report *rep)
{
    size_t hosts = 0, vms = 0;
    bool hypervisor = false;
    for (size_t i = 0; i < n; i++) {
        if (g[i].is_host)
            hosts++;
        else {
            vms++;
            hypervisor |= nl_vm_is_hypervisor(&lab->vms[g[i].index]);
        }
    }
    if ((hosts < 2 && vms < 2) || (hosts == 0 && !hypervisor))
        return;
    char *hn = names_of(lab, g, n, true), *vn = names_of(lab, g, n, false);
    char *message = hosts && vms ? xasprintf("BIOS UUID %s is held by hosts %s and by VMs %s.",
                                             g[0].key, hn, vn)
                    : hosts      ? xasprintf("BIOS UUID %s is held by hosts %s.", g[0].key, hn)
                                 : xasprintf("BIOS UUID %s is held by VMs %s.", g[0].key, vn);
    free(hn);
    free(vn);
    struct ops_finding *f = ops_check_add(
        rep, OPS_SEV_WARN, "nested.shared-bios-uuid", message,
        xstrdup("Copies of a nested ESXi VM keep its uuid.bios unless vCenter cloned them, so "
                "nestlab cannot tell which VM backs which nested host and links none of them."),
        xstrdup("Give each copy a BIOS UUID of its own: power it off, put a new value in the "
                "uuid.bios line of its .vmx and reload it, or answer \"I Copied It\" when it "
                "asks at power-on; clones made by vCenter get one anyway."));
    add_objects(lab, f, g, n);
}

static void mac_finding(const struct nl_lab *lab, const struct holder *g, size_t n,
                        struct ops_report *rep)
{
    if (n < 2)
        return;
    char *hn = names_of(lab, g, n, true);
    struct ops_finding *f = ops_check_add(
        rep, OPS_SEV_ERROR, "nested.shared-vmk0-mac",
        xasprintf("Hosts %s all answer with vmk0 MAC address %s.", hn, g[0].key),
        xstrdup("vmk0 keeps the MAC address it got when ESXi was installed, so clones of a nested "
                "ESXi VM share it and the switches deliver their management traffic to only one "
                "of them."),
        xstrdup(
            "Before cloning, run `esxcli system settings advanced set -o /Net/FollowHardwareMac "
            "-i 1` in the nested ESXi (vmk0 then follows its vmnic's MAC, VMware KB 1031111), "
            "delete the /system/uuid line of /etc/vmware/esx.conf and run "
            "/sbin/auto-backup.sh; on clones already made, set the same option and reboot, or "
            "remove vmk0 and add it again from the console so it gets a new MAC."));
    free(hn);
    add_objects(lab, f, g, n);
}

/* Sorts the holders and calls found() for every run of equal keys. */
static void each_group(const struct nl_lab *lab, struct holder *h, size_t n,
                       void (*found)(const struct nl_lab *, const struct holder *, size_t,
                                     struct ops_report *),
                       struct ops_report *rep)
{
    qsort(h, n, sizeof(*h), holder_cmp);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && strcasecmp(h[i].key, h[j].key) == 0;)
            j++;
        if (j - i > 1)
            found(lab, h + i, j - i, rep);
    }
}

void ops_check_clones(const struct nl_lab *lab, struct ops_report *rep)
{
    struct holder *h = xcalloc(lab->n_hosts + lab->n_vms + 1, sizeof(*h));
    size_t n = 0;
    for (size_t i = 0; i < lab->n_hosts; i++)
        if (nl_uuid_present(lab->hosts[i].bios_uuid))
            h[n++] = (struct holder){lab->hosts[i].bios_uuid, true, i};
    for (size_t i = 0; i < lab->n_vms; i++)
        if (nl_uuid_present(lab->vms[i].uuid))
            h[n++] = (struct holder){lab->vms[i].uuid, false, i};
    each_group(lab, h, n, uuid_finding, rep);
    n = 0;
    for (size_t i = 0; i < lab->n_hosts; i++)
        if (lab->hosts[i].vmk0_mac && *lab->hosts[i].vmk0_mac)
            h[n++] = (struct holder){lab->hosts[i].vmk0_mac, true, i};
    each_group(lab, h, n, mac_finding, rep);
    free(h);
}
