#include "backend/esxi/esx_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/core/xmalloc.h"
#include "backend/esxi/esx_batch.h"
#include "backend/esxi/esx_vimcmd.h"
#include "backend/esxi/esx_vmx.h"
#include "backend/esxi/esx_xml.h"

#define ESXCLI "esxcli", "--formatter=xml"
#define VSS "network", "vswitch", "standard"

/* Re-runs a failed batch item on its own channel to get its own stderr (reads are idempotent),
 * then reports it. */
static enum nl_code item_failed(struct esx_session *s, const struct esx_batch *b, size_t i,
                                const char *what, struct nl_err *err)
{
    struct esx_result res;
    struct nl_err e = {0};
    char why[320] = "";
    if (esx_session_exec(s, b->items[i].cmd, &res, &e) == NL_OK) {
        const char *t = res.err_len ? res.err : res.out;
        size_t l = strcspn(t, "\n");
        snprintf(why, sizeof(why), "%.*s", (int)(l > 300 ? 300 : l), t);
        if (res.exit_status == 0 && !why[0])
            snprintf(why, sizeof(why), "it failed once and then succeeded; the host is unsteady");
        esx_result_clear(&res);
    } else {
        snprintf(why, sizeof(why), "%.300s", e.message);
    }
    if (strstr(why, "not found"))
        return NL_ERR(err, NL_ERR_NOT_FOUND, "command", "%s failed on host \"%s\": %s", what,
                      esx_session_name(s), why);
    return NL_ERR(err, NL_ERR_FAULT, "command", "%s failed on host \"%s\": %s", what,
                  esx_session_name(s), why[0] ? why : "no error text");
}

static enum nl_code xml_item(struct esx_session *s, const struct esx_batch *b, size_t i,
                             const char *what, struct esx_records **out, struct nl_err *err)
{
    *out = NULL;
    if (!b->items[i].ok)
        return item_failed(s, b, i, what, err);
    struct nl_err e = {0};
    if (esx_xml_parse(b->items[i].out, b->items[i].out_len, out, &e) != NL_OK)
        return NL_ERR(err, e.code, NULL, "%s on host \"%s\" returned unusable output: %s", what,
                      esx_session_name(s), e.message);
    return NL_OK;
}

static int int_or(const struct esx_record *r, const char *name, int dflt)
{
    long long v;
    return (esx_record_int(r, name, &v) && v >= -1 && v <= 1000000000) ? (int)v : dflt;
}

static char **strv_copy(char *const *v, size_t n)
{
    char **out = n ? xcalloc(n, sizeof(*out)) : NULL;
    for (size_t i = 0; i < n; i++)
        out[i] = xstrdup(v[i]);
    return out;
}

static void fill_security(struct nl_security *sec, const struct esx_record *r)
{
    sec->promiscuous = esx_record_bool(r, "AllowPromiscuous");
    sec->forged_transmits = esx_record_bool(r, "AllowForgedTransmits");
    sec->mac_changes = esx_record_bool(r, "AllowMACAddressChange");
}

/* Port-group policy: the Override* flags say which values are the port group's own. Without
 * them (field names unverified on some releases) a value that differs from the vSwitch's counts
 * as an override. */
static void fill_override(struct esx_pg_data *pg, const struct esx_record *r,
                          const struct esx_vswitch_data *vs)
{
    static const char *const names[3][2] = {
        {"AllowPromiscuous", "OverrideVswitchAllowPromiscuous"},
        {"AllowForgedTransmits", "OverrideVswitchAllowForgedTransmits"},
        {"AllowMACAddressChange", "OverrideVswitchAllowMACAddressChange"},
    };
    enum nl_tri *dst[3] = {&pg->override.promiscuous, &pg->override.forged_transmits,
                           &pg->override.mac_changes};
    const enum nl_tri base[3] = {vs ? vs->security.promiscuous : NL_TRI_UNSET,
                                 vs ? vs->security.forged_transmits : NL_TRI_UNSET,
                                 vs ? vs->security.mac_changes : NL_TRI_UNSET};
    for (int k = 0; k < 3; k++) {
        enum nl_tri val = esx_record_bool(r, names[k][0]);
        enum nl_tri flag = esx_record_bool(r, names[k][1]);
        if (flag == NL_TRI_UNSET)
            flag = (val != NL_TRI_UNSET && base[k] != NL_TRI_UNSET && val != base[k])
                       ? NL_TRI_TRUE
                       : NL_TRI_FALSE;
        *dst[k] = flag == NL_TRI_TRUE ? val : NL_TRI_UNSET;
    }
}

void esx_vm_data_init(struct esx_vm_data *vm, const struct esx_vm_row *row)
{
    vm->vmid = row->vmid;
    vm->name = xstrdup(row->name);
    vm->file = xstrdup(row->file);
    vm->vmx_path = esx_datastore_path(row->file);
    vm->guest_id = xstrdup(row->guest);
    vm->hw_version = esx_hw_version_parse(row->version);
    vm->nested_hv = NL_TRI_UNSET;
    vm->power = NL_POWER_UNKNOWN;
    vm->cpus = vm->memory_mb = -1;
}

void esx_vm_data_from_vmx(struct esx_vm_data *vm, const char *text, size_t len)
{
    struct esx_vmx *vmx = NULL;
    struct nl_err e = {0};
    if (esx_vmx_parse(text, len, &vmx, &e) != NL_OK) {
        free(vm->problem);
        vm->problem = xstrdup(e.message);
        return;
    }
    const char *dn = esx_vmx_get(vmx, "displayName");
    if (dn && *dn)
        xstrset(&vm->name, dn);
    /* vhv.enable absent means off, as vCenter reports nestedHVEnabled=false. */
    enum nl_tri hv = esx_vmx_bool(vmx, "vhv.enable");
    vm->nested_hv = hv == NL_TRI_UNSET ? NL_TRI_FALSE : hv;
    int hw = esx_vmx_hw_version(vmx);
    if (hw)
        vm->hw_version = hw;
    char *uuid = esx_uuid_normalize(esx_vmx_get(vmx, "uuid.bios"));
    if (uuid) {
        free(vm->uuid);
        vm->uuid = uuid;
    }
    const char *g = esx_vmx_get(vmx, "guestOS");
    if ((!vm->guest_id || !*vm->guest_id) && g && *g) {
        free(vm->guest_id);
        vm->guest_id = xasprintf("%sGuest", g); /* vSphere's guestId spelling */
    }
    const char *c = esx_vmx_get(vmx, "numvcpus");
    if (c && atoi(c) > 0)
        vm->cpus = atoi(c);
    const char *m = esx_vmx_get(vmx, "memsize");
    if (m && atoi(m) > 0)
        vm->memory_mb = atoi(m);
    for (int n = 0; n < 10; n++) {
        char key[64];
        snprintf(key, sizeof(key), "ethernet%d.present", n);
        if (esx_vmx_bool(vmx, key) != NL_TRI_TRUE)
            continue;
        snprintf(key, sizeof(key), "ethernet%d.networkName", n);
        const char *net = esx_vmx_get(vmx, key);
        if (!net || !*net)
            continue;
        vm->networks = xrealloc(vm->networks, (vm->n_networks + 1) * sizeof(*vm->networks));
        vm->networks[vm->n_networks++] = xstrdup(net);
    }
    esx_vmx_free(&vmx);
}

char *esx_vmk_mac(const struct esx_records *r, const char *vmk)
{
    for (size_t i = 0; r && i < r->n; i++) {
        const char *name = esx_record_str(&r->items[i], "Name");
        if (name && strcmp(name, vmk) == 0)
            return nl_mac_normalize(esx_record_str(&r->items[i], "MACAddress"));
    }
    return NULL;
}

/* Step 1 results → d. */
static enum nl_code fetch_lists(struct esx_session *s, struct esx_batch *b, const size_t *ix,
                                struct esx_host_data *d, struct nl_err *err)
{
    struct esx_records *vsw = NULL, *pgs = NULL, *cpu = NULL, *ver = NULL, *plat = NULL,
                       *vmk = NULL;
    struct esx_vm_list *vms = NULL;
    enum nl_code rc = xml_item(s, b, ix[0], "Listing the vSwitches", &vsw, err);
    if (rc)
        goto cleanup;
    rc = xml_item(s, b, ix[1], "Listing the port groups", &pgs, err);
    if (rc)
        goto cleanup;
    if (!b->items[ix[2]].ok && !esx_vim_fault(b->items[ix[2]].out, (char[64]){0}, 64, NULL, 0)) {
        rc = item_failed(s, b, ix[2], "Listing the VMs (vim-cmd vmsvc/getallvms)", err);
        goto cleanup;
    }
    struct nl_err e = {0};
    if (esx_getallvms_parse(b->items[ix[2]].out, &vms, &e) != NL_OK) {
        rc = NL_ERR(err, e.code, e.detail, "Listing the VMs on host \"%s\" failed: %s",
                    esx_session_name(s), e.message);
        goto cleanup;
    }
    d->vswitches = xcalloc(vsw->n + 1, sizeof(*d->vswitches));
    for (size_t i = 0; i < vsw->n; i++) {
        const struct esx_record *r = &vsw->items[i];
        const char *name = esx_record_str(r, "Name");
        if (!name || !*name)
            continue;
        struct esx_vswitch_data *v = &d->vswitches[d->n_vswitches++];
        v->name = xstrdup(name);
        /* "ConfiguredPorts" is spec.numPorts; "NumPorts" is the runtime figure. */
        v->num_ports = int_or(r, "ConfiguredPorts", int_or(r, "NumPorts", -1));
        v->mtu = int_or(r, "MTU", -1);
        const struct esx_field *up = esx_record_field(r, "Uplinks");
        if (up && up->type == ESX_V_LIST) {
            v->uplinks = strv_copy(up->list, up->n_list);
            v->n_uplinks = up->n_list;
        }
        nl_security_init(&v->security);
    }
    d->portgroups = xcalloc(pgs->n + 1, sizeof(*d->portgroups));
    for (size_t i = 0; i < pgs->n; i++) {
        const struct esx_record *r = &pgs->items[i];
        const char *name = esx_record_str(r, "Name");
        const char *vs = esx_record_str(r, "VirtualSwitch");
        if (!name || !vs)
            continue;
        struct esx_pg_data *p = &d->portgroups[d->n_portgroups++];
        p->name = xstrdup(name);
        p->vswitch = xstrdup(vs);
        p->vlan = int_or(r, "VLANID", -1);
        p->active_clients = int_or(r, "ActiveClients", -1);
        nl_security_init(&p->override);
    }
    d->vms = xcalloc(vms->n + 1, sizeof(*d->vms));
    for (size_t i = 0; i < vms->n; i++)
        esx_vm_data_init(&d->vms[d->n_vms++], &vms->items[i]);
    /* Optional facts: leave them unknown when the host cannot say. */
    if (xml_item(s, b, ix[3], "Reading the CPU facts", &cpu, NULL) == NL_OK && cpu && cpu->n > 0) {
        d->cpu_packages = int_or(&cpu->items[0], "CPUPackages", -1);
        d->cpu_cores = int_or(&cpu->items[0], "CPUCores", -1);
        d->cpu_threads = int_or(&cpu->items[0], "CPUThreads", -1);
        d->hv_support = int_or(&cpu->items[0], "HVSupport", -1);
    }
    if (xml_item(s, b, ix[4], "Reading the version", &ver, NULL) == NL_OK && ver && ver->n > 0) {
        d->version = xstrdup(esx_record_str(&ver->items[0], "Version"));
        d->build = xstrdup(esx_record_str(&ver->items[0], "Build"));
    }
    if (b->items[ix[5]].ok &&
        esx_xml_parse(b->items[ix[5]].out, b->items[ix[5]].out_len, &plat, NULL) == NL_OK &&
        plat->n > 0)
        d->bios_uuid = esx_uuid_normalize(esx_record_str(&plat->items[0], "UUID"));
    if (xml_item(s, b, ix[6], "Listing the VMkernel NICs", &vmk, NULL) == NL_OK)
        d->vmk0_mac = esx_vmk_mac(vmk, "vmk0");
cleanup:
    esx_records_free(&vsw);
    esx_records_free(&pgs);
    esx_records_free(&cpu);
    esx_records_free(&ver);
    esx_records_free(&plat);
    esx_records_free(&vmk);
    esx_vm_list_free(&vms);
    return rc;
}

static const struct esx_vswitch_data *find_vs(const struct esx_host_data *d, const char *name)
{
    for (size_t i = 0; i < d->n_vswitches; i++) {
        if (strcmp(d->vswitches[i].name, name) == 0)
            return &d->vswitches[i];
    }
    return NULL;
}

enum nl_code esx_host_fetch(struct esx_session *s, struct esx_host_data **out, struct nl_err *err)
{
    *out = NULL;
    struct esx_host_data *d = xcalloc(1, sizeof(*d));
    d->cpu_packages = d->cpu_cores = d->cpu_threads = d->hv_support = -1;
    struct esx_batch b1 = {0}, b2 = {0};
    size_t ix[7];
    ix[0] = esx_batch_add(&b1, (const char *[]){ESXCLI, VSS, "list", NULL});
    ix[1] = esx_batch_add(&b1, (const char *[]){ESXCLI, VSS, "portgroup", "list", NULL});
    ix[2] = esx_batch_add(&b1, (const char *[]){"vim-cmd", "vmsvc/getallvms", NULL});
    ix[3] = esx_batch_add(&b1, (const char *[]){ESXCLI, "hardware", "cpu", "global", "get", NULL});
    ix[4] = esx_batch_add(&b1, (const char *[]){ESXCLI, "system", "version", "get", NULL});
    ix[5] = esx_batch_add(&b1, (const char *[]){ESXCLI, "hardware", "platform", "get", NULL});
    ix[6] =
        esx_batch_add(&b1, (const char *[]){ESXCLI, "network", "ip", "interface", "list", NULL});
    enum nl_code rc = esx_batch_run(s, &b1, err);
    if (rc == NL_OK)
        rc = fetch_lists(s, &b1, ix, d, err);
    if (rc)
        goto cleanup;

    /* Step 2: per-object details in one more channel. */
    size_t *vsx = xcalloc(d->n_vswitches + 1, sizeof(*vsx));
    size_t *pgx = xcalloc(d->n_portgroups + 1, sizeof(*pgx));
    size_t *vmx = xcalloc(2 * d->n_vms + 1, sizeof(*vmx));
    for (size_t i = 0; i < d->n_vswitches; i++) {
        char *opt = xasprintf("--vswitch-name=%s", d->vswitches[i].name);
        vsx[i] = esx_batch_add(
            &b2, (const char *[]){ESXCLI, VSS, "policy", "security", "get", opt, NULL});
        free(opt);
    }
    for (size_t i = 0; i < d->n_portgroups; i++) {
        char *opt = xasprintf("--portgroup-name=%s", d->portgroups[i].name);
        pgx[i] = esx_batch_add(&b2, (const char *[]){ESXCLI, VSS, "portgroup", "policy", "security",
                                                     "get", opt, NULL});
        free(opt);
    }
    for (size_t i = 0; i < d->n_vms; i++) {
        char id[16];
        snprintf(id, sizeof(id), "%d", d->vms[i].vmid);
        vmx[2 * i] =
            esx_batch_add(&b2, (const char *[]){"vim-cmd", "vmsvc/power.getstate", id, NULL});
        vmx[2 * i + 1] = d->vms[i].vmx_path
                             ? esx_batch_add(&b2, (const char *[]){"cat", d->vms[i].vmx_path, NULL})
                             : (size_t)-1;
    }
    rc = b2.n ? esx_batch_run(s, &b2, err) : NL_OK;
    for (size_t i = 0; rc == NL_OK && i < d->n_vswitches; i++) {
        struct esx_records *r = NULL;
        char *what =
            xasprintf("Reading the security policy of vSwitch \"%s\"", d->vswitches[i].name);
        rc = xml_item(s, &b2, vsx[i], what, &r, err);
        free(what);
        if (rc == NL_OK && r && r->n > 0)
            fill_security(&d->vswitches[i].security, &r->items[0]);
        esx_records_free(&r);
    }
    for (size_t i = 0; rc == NL_OK && i < d->n_portgroups; i++) {
        struct esx_records *r = NULL;
        char *what =
            xasprintf("Reading the security policy of port group \"%s\"", d->portgroups[i].name);
        rc = xml_item(s, &b2, pgx[i], what, &r, err);
        free(what);
        if (rc == NL_OK && r && r->n > 0)
            fill_override(&d->portgroups[i], &r->items[0], find_vs(d, d->portgroups[i].vswitch));
        esx_records_free(&r);
    }
    for (size_t i = 0; rc == NL_OK && i < d->n_vms; i++) {
        struct esx_vm_data *vm = &d->vms[i];
        struct nl_err e = {0};
        if (esx_power_parse(b2.items[vmx[2 * i]].out, &vm->power, &e) != NL_OK)
            vm->problem = xstrdup(e.message);
        size_t c = vmx[2 * i + 1];
        if (c == (size_t)-1) {
            free(vm->problem);
            vm->problem = xasprintf("The .vmx location \"%s\" is not usable.", vm->file);
        } else if (!b2.items[c].ok) {
            free(vm->problem);
            vm->problem = xasprintf("The .vmx file of VM \"%s\" could not be read.", vm->name);
        } else {
            esx_vm_data_from_vmx(vm, b2.items[c].out, b2.items[c].out_len);
        }
    }
    free(vsx);
    free(pgx);
    free(vmx);
cleanup:
    d->execs = b1.execs + b2.execs;
    esx_batch_clear(&b1);
    esx_batch_clear(&b2);
    if (rc)
        esx_host_data_free(&d);
    *out = d;
    return rc;
}

void esx_host_data_free(struct esx_host_data **pd)
{
    struct esx_host_data *d = pd ? *pd : NULL;
    if (!d)
        return;
    for (size_t i = 0; i < d->n_vswitches; i++) {
        free(d->vswitches[i].name);
        for (size_t k = 0; k < d->vswitches[i].n_uplinks; k++)
            free(d->vswitches[i].uplinks[k]);
        free(d->vswitches[i].uplinks);
    }
    for (size_t i = 0; i < d->n_portgroups; i++) {
        free(d->portgroups[i].name);
        free(d->portgroups[i].vswitch);
    }
    for (size_t i = 0; i < d->n_vms; i++) {
        struct esx_vm_data *vm = &d->vms[i];
        free(vm->name);
        free(vm->file);
        free(vm->vmx_path);
        free(vm->guest_id);
        free(vm->uuid);
        free(vm->problem);
        for (size_t k = 0; k < vm->n_networks; k++)
            free(vm->networks[k]);
        free(vm->networks);
    }
    free(d->vswitches);
    free(d->portgroups);
    free(d->vms);
    free(d->version);
    free(d->build);
    free(d->bios_uuid);
    free(d->vmk0_mac);
    free(d);
    *pd = NULL;
}

static bool str_eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static bool uuid_eq(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

/* How many rows of d share v's UUID (1: it is unique among the host's VMs). */
static size_t rows_with_uuid(const struct esx_host_data *d, const char *uuid)
{
    size_t n = 0;
    for (size_t i = 0; uuid && i < d->n_vms; i++)
        n += uuid_eq(d->vms[i].uuid, uuid);
    return n;
}

static size_t rows_with_name(const struct esx_host_data *d, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; name && i < d->n_vms; i++)
        n += str_eq(d->vms[i].name, name);
    return n;
}

/* Does lab VM vm describe row v under rule `pass`?
 *   0  same host, same vmid and same .vmx path: the VM read over SSH before
 *   1  same host, same .vmx path: the same VM registered again under a new vmid
 *   2  same host, same BIOS UUID, the UUID unique among the host's rows
 *   3  same host, same name, the name unique among the host's rows
 *   4  any host, same BIOS UUID unique among the rows: a VM that moved here
 * A UUID or name is never identity on its own: clones share uuid.bios, and vCenter lets two
 * VMs share a name. */
static bool vm_matches(const struct nl_vm *vm, const char *host_id, const struct esx_vm_data *v,
                       const struct esx_host_data *d, int pass)
{
    bool here = str_eq(vm->host_id, host_id);
    switch (pass) {
    case 0:
        return here && vm->vmid > 0 && vm->vmid == v->vmid && str_eq(vm->vmx_path, v->vmx_path);
    case 1:
        return here && str_eq(vm->vmx_path, v->vmx_path);
    case 2:
        return here && uuid_eq(vm->uuid, v->uuid) && rows_with_uuid(d, v->uuid) == 1;
    case 3:
        return here && str_eq(vm->name, v->name) && rows_with_name(d, v->name) == 1;
    default:
        return !here && uuid_eq(vm->uuid, v->uuid) && rows_with_uuid(d, v->uuid) == 1;
    }
}

/* For every row of d, the index of the lab VM it describes, or -1 (a new VM). The strongest
 * rule is applied to every row before the next; a rule matches only when exactly one unclaimed
 * VM fits it, and a VM is claimed by one row at most, so two rows never collapse into one VM. */
static ssize_t *match_vms(const struct nl_lab *lab, const char *host_id,
                          const struct esx_host_data *d)
{
    ssize_t *match = xcalloc(d->n_vms + 1, sizeof(*match));
    bool *claimed = xcalloc(lab->n_vms + 1, sizeof(*claimed));
    for (size_t r = 0; r < d->n_vms; r++)
        match[r] = -1;
    for (int pass = 0; pass < 5; pass++) {
        for (size_t r = 0; r < d->n_vms; r++) {
            if (match[r] >= 0)
                continue;
            ssize_t found = -1;
            size_t n = 0;
            for (size_t i = 0; i < lab->n_vms; i++) {
                if (!claimed[i] && vm_matches(&lab->vms[i], host_id, &d->vms[r], d, pass)) {
                    found = (ssize_t)i;
                    n++;
                }
            }
            if (n == 1) {
                match[r] = found;
                claimed[found] = true;
            }
        }
    }
    free(claimed);
    return match;
}

static bool id_kept(char *const *ids, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (str_eq(ids[i], id))
            return true;
    return false;
}

/* A new VM's id: "ssh:<host>:vm:<vmid>", made unique when a VM this read keeps holds it (a VM
 * registered again under a new vmid keeps its old id). An unclaimed holder is taken over. */
static struct nl_vm *add_new_vm(struct nl_lab *lab, const char *host_name, int vmid,
                                char *const *kept, size_t n_kept)
{
    char *id = xasprintf("ssh:%s:vm:%d", host_name, vmid);
    for (int k = 2; id_kept(kept, n_kept, id); k++) {
        free(id);
        id = xasprintf("ssh:%s:vm:%d#%d", host_name, vmid, k);
    }
    struct nl_vm *vm = nl_lab_add_vm(lab, id);
    free(id);
    return vm;
}

struct nl_host *esx_host_apply(struct nl_lab *lab, const char *host_id, const char *host_name,
                               const struct esx_host_data *d)
{
    struct nl_host *h = nl_lab_add_host(lab, host_id);
    if (host_name)
        xstrset(&h->name, host_name);
    h->connection = NL_CONN_CONNECTED;
    h->source = NL_SOURCE_SSH;
    if (d->version)
        xstrset(&h->version, d->version);
    if (d->bios_uuid)
        xstrset(&h->bios_uuid, d->bios_uuid);
    if (d->vmk0_mac)
        xstrset(&h->vmk0_mac, d->vmk0_mac);
    if (d->cpu_packages >= 0)
        h->cpu_packages = d->cpu_packages;
    if (d->cpu_cores >= 0)
        h->cpu_cores = d->cpu_cores;
    if (d->cpu_threads >= 0)
        h->cpu_threads = d->cpu_threads;
    if (d->hv_support >= 0)
        h->hv_support = d->hv_support;
    nl_host_clear_network(h);
    for (size_t i = 0; i < d->n_vswitches; i++) {
        const struct esx_vswitch_data *v = &d->vswitches[i];
        struct nl_vswitch *vs = nl_host_add_vswitch(h, v->name);
        vs->num_ports = v->num_ports;
        vs->mtu = v->mtu;
        vs->security = v->security;
        for (size_t k = 0; k < v->n_uplinks; k++)
            nl_vswitch_add_uplink(vs, v->uplinks[k]);
    }
    for (size_t i = 0; i < d->n_portgroups; i++) {
        const struct esx_pg_data *p = &d->portgroups[i];
        struct nl_portgroup *pg = nl_host_add_portgroup(h, p->name, p->vswitch);
        pg->vlan = p->vlan;
        pg->active_clients = p->active_clients;
        pg->override = p->override;
    }
    /* Removing VMs rebuilds the lab's indexes; keep copies of the host's id and name. */
    char *hid = xstrdup(h->id);
    const char *hname = h->name ? h->name : h->id;
    char *hname_copy = xstrdup(hname);
    char **kept_ids = xcalloc(d->n_vms + 1, sizeof(*kept_ids));
    ssize_t *match = match_vms(lab, hid, d);
    /* Ids first: adding VMs may move the array, and a new id must not reuse a matched one. */
    for (size_t i = 0; i < d->n_vms; i++)
        if (match[i] >= 0)
            kept_ids[i] = xstrdup(lab->vms[match[i]].id);
    for (size_t i = 0; i < d->n_vms; i++)
        if (match[i] < 0)
            kept_ids[i] =
                xstrdup(add_new_vm(lab, hname_copy, d->vms[i].vmid, kept_ids, d->n_vms)->id);
    free(match);
    for (size_t i = 0; i < d->n_vms; i++) {
        const struct esx_vm_data *v = &d->vms[i];
        struct nl_vm *vm = nl_lab_add_vm(lab, kept_ids[i]);
        xstrset(&vm->name, v->name);
        xstrset(&vm->host_id, hid);
        vm->power = v->power;
        if (v->hw_version)
            vm->hw_version = v->hw_version;
        if (v->nested_hv != NL_TRI_UNSET)
            vm->nested_hv = v->nested_hv;
        if (v->guest_id && *v->guest_id)
            xstrset(&vm->guest_id, v->guest_id);
        if (v->cpus > 0)
            vm->cpus = v->cpus;
        if (v->memory_mb > 0)
            vm->memory_mb = v->memory_mb;
        if (v->uuid)
            xstrset(&vm->uuid, v->uuid);
        vm->vmid = v->vmid;
        xstrset(&vm->vmx_path, v->vmx_path);
        if (v->n_networks) {
            nl_vm_clear_networks(vm);
            for (size_t k = 0; k < v->n_networks; k++)
                nl_vm_add_network(vm, v->networks[k]);
        }
    }
    /* VMs the lab places on this host but the host does not have any more. */
    for (size_t i = lab->n_vms; i-- > 0;) {
        const struct nl_vm *vm = &lab->vms[i];
        if (!vm->host_id || strcmp(vm->host_id, hid) != 0)
            continue;
        bool seen = false;
        for (size_t k = 0; k < d->n_vms && !seen; k++)
            seen = strcmp(kept_ids[k], vm->id) == 0;
        if (!seen) {
            char *id = xstrdup(vm->id);
            nl_lab_remove(lab, id);
            free(id);
        }
    }
    for (size_t k = 0; k < d->n_vms; k++)
        free(kept_ids[k]);
    free(kept_ids);
    free(hname_copy);
    h = nl_lab_add_host(lab, hid); /* the existing host (ids unchanged) */
    free(hid);
    return h;
}

enum nl_code esx_host_read(struct esx_session *s, struct nl_lab *lab, const char *host_id,
                           const char *host_name, struct nl_err *err)
{
    struct esx_host_data *d = NULL;
    enum nl_code rc = esx_host_fetch(s, &d, err);
    if (rc)
        return rc;
    esx_host_apply(lab, host_id, host_name, d);
    nl_lab_link(lab);
    esx_host_data_free(&d);
    return NL_OK;
}
