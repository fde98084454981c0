/* The inventory document printed by `nestlab inventory --json`: the linked lab, flat lists that
 * refer to each other by id (and repeat the name for readability), derived fields included.
 *
 * {"version": 1, "endpoints": [{
 *   "endpoint": "vc-lab", "source": "vcenter" | "ssh" | "cache" | "none",
 *   "fetched_at": "2024-05-01T12:00:00Z" | null, "api_version": "8.0.3.0" | null,
 *   "name_links_used": false,            true when some nested host was matched by name
 *   "datacenters": [{"id", "name"}],
 *   "clusters": [{"id", "name", "datacenter": {"id", "name"} | null,
 *                 "kind": "physical" | "nested" | "mixed" | "empty", "hosts": [host ids]}],
 *   "hosts": [{"id", "name", "cluster": {"id", "name"} | null,
 *              "connection": "connected" | "disconnected" | "not-responding" | "unknown",
 *              "source", "version", "bios_uuid",
 *              "backing_vm": {"id", "name"} | null,
 *              "link": "uuid" | "name" | "ambiguous" | "none",
 *              "cpu": {"model", "packages", "cores", "threads", "mhz", "hv_support", "usage_mhz"},
 *              "vswitches": [{"name", "mtu", "num_ports", "uplinks": [..],
 *                             "security": {"promiscuous", "forged_transmits", "mac_changes"}}],
 *              "portgroups": [{"name", "vswitch", "vlan", "trunk": bool,
 *                              "override": {..}, "effective": {..}, "active_clients"}]}],
 *   "vms": [{"id", "name", "power": "on" | "off" | "suspended" | "unknown",
 *            "hw_version": 10 | null, "nested_hv": bool | null, "guest_id", "cpus", "memory_mb",
 *            "tools", "uuid", "role": "guest" | "nested-esxi" | "nested-other" | "appliance",
 *            "role_basis": "guest-id" | "backs-host" | "nested-hv" | "name" | "peer" | "none",
 *            "networks": [names], "host": {"id", "name"} | null,
 *            "nested_host": {"id", "name"} | null}]
 * }]}
 * Security members are true (accept), false (reject) or null (unknown; in "override": inherit
 * from the vSwitch). Unknown numbers are null. Strings are UTF-8 (invalid bytes become U+FFFD).
 *
 * Written straight to a stream, without building a tree: the same bytes jansson's
 * json_dumpf(JSON_INDENT(2) or JSON_COMPACT) writes for this document (test_lab_inventory_write
 * reads the output back with jansson and checks it writes the same text, and compares the
 * default lab with its recorded golden file). At 10,000 VMs a jansson tree took ~110 ms and
 * ~20 MB to build, dump and free; this writes ~10 MB through a 64 KB buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/model/lab_json.h"
#include "backend/model/lab_json_write.h"

/* {"id", "name"} */
static void iw_ref(struct nl_jw *w, const char *id, const char *name)
{
    nl_jw_open(w, '{');
    nl_jw_kstr(w, "id", id);
    nl_jw_kstr(w, "name", name);
    nl_jw_close(w, '}');
}

/* Unknown numbers (below unknown_below) are null. */
static void iw_kopt(struct nl_jw *w, const char *key, long long v, long long unknown_below)
{
    nl_jw_key(w, key);
    if (v < unknown_below)
        nl_jw_lit(w, "null");
    else
        nl_jw_int(w, v);
}

static void iw_khost_ref(struct nl_jw *w, const char *key, const struct nl_lab *lab, ssize_t i)
{
    nl_jw_key(w, key);
    if (i < 0 || (size_t)i >= lab->n_hosts)
        nl_jw_lit(w, "null");
    else
        iw_ref(w, lab->hosts[i].id, lab->hosts[i].name);
}

static void iw_host(struct nl_jw *w, const struct nl_lab *lab, const struct nl_host *h)
{
    nl_jw_open(w, '{');
    nl_jw_kstr(w, "id", h->id);
    nl_jw_kstr(w, "name", h->name);
    nl_jw_key(w, "cluster");
    if (h->cluster >= 0)
        iw_ref(w, lab->clusters[h->cluster].id, lab->clusters[h->cluster].name);
    else
        nl_jw_lit(w, "null");
    nl_jw_kstr(w, "connection", nl_conn_name(h->connection));
    nl_jw_kstr(w, "source", nl_source_name(h->source));
    nl_jw_kstr(w, "version", h->version);
    nl_jw_kstr(w, "bios_uuid", h->bios_uuid);
    nl_jw_kstr(w, "vmk0_mac", h->vmk0_mac);
    nl_jw_key(w, "backing_vm");
    if (h->backing_vm >= 0)
        iw_ref(w, lab->vms[h->backing_vm].id, lab->vms[h->backing_vm].name);
    else
        nl_jw_lit(w, "null");
    nl_jw_kstr(w, "link", nl_link_kind_name(h->link));
    nl_jw_key(w, "cpu");
    nl_jw_open(w, '{');
    nl_jw_kstr(w, "model", h->cpu_model);
    iw_kopt(w, "packages", h->cpu_packages, 0);
    iw_kopt(w, "cores", h->cpu_cores, 0);
    iw_kopt(w, "threads", h->cpu_threads, 0);
    iw_kopt(w, "mhz", h->cpu_mhz, 0);
    iw_kopt(w, "hv_support", h->hv_support, 0);
    iw_kopt(w, "usage_mhz", h->cpu_usage_mhz, 0);
    nl_jw_close(w, '}');
    nl_jw_key(w, "vswitches");
    nl_jw_open(w, '[');
    for (size_t i = 0; i < h->n_vswitches; i++) {
        const struct nl_vswitch *vs = &h->vswitches[i];
        nl_jw_open(w, '{');
        nl_jw_kstr(w, "name", vs->name);
        iw_kopt(w, "mtu", vs->mtu, 0);
        iw_kopt(w, "num_ports", vs->num_ports, 0);
        nl_jw_kstrv(w, "uplinks", vs->uplinks, vs->n_uplinks);
        nl_jw_ksec(w, "security", &vs->security);
        nl_jw_close(w, '}');
    }
    nl_jw_close(w, ']');
    nl_jw_key(w, "portgroups");
    nl_jw_open(w, '[');
    for (size_t i = 0; i < h->n_portgroups; i++) {
        const struct nl_portgroup *pg = &h->portgroups[i];
        nl_jw_open(w, '{');
        nl_jw_kstr(w, "name", pg->name);
        nl_jw_kstr(w, "vswitch", pg->vswitch);
        iw_kopt(w, "vlan", pg->vlan, 0);
        nl_jw_key(w, "trunk");
        nl_jw_lit(w, pg->vlan == NL_VLAN_TRUNK ? "true" : "false");
        nl_jw_ksec(w, "override", &pg->override);
        nl_jw_ksec(w, "effective", &pg->effective);
        iw_kopt(w, "active_clients", pg->active_clients, 0);
        nl_jw_close(w, '}');
    }
    nl_jw_close(w, ']');
    nl_jw_close(w, '}');
}

static void iw_vm(struct nl_jw *w, const struct nl_lab *lab, const struct nl_vm *vm)
{
    nl_jw_open(w, '{');
    nl_jw_kstr(w, "id", vm->id);
    nl_jw_kstr(w, "name", vm->name);
    nl_jw_kstr(w, "power", nl_power_name(vm->power));
    iw_kopt(w, "hw_version", vm->hw_version, 1);
    nl_jw_ktri(w, "nested_hv", vm->nested_hv);
    nl_jw_kstr(w, "guest_id", vm->guest_id);
    iw_kopt(w, "cpus", vm->cpus, 0);
    iw_kopt(w, "memory_mb", vm->memory_mb, 0);
    nl_jw_kstr(w, "tools", vm->tools);
    nl_jw_kstr(w, "uuid", vm->uuid);
    nl_jw_kstr(w, "role", nl_role_name(vm->role));
    nl_jw_kstr(w, "role_basis", nl_role_basis_name(vm->role_basis));
    nl_jw_key(w, "networks");
    nl_jw_open(w, '[');
    for (size_t i = 0; i < vm->n_networks; i++) {
        /* Backends may store a Network moref; show its name when the lab knows it. */
        const char *name = nl_lab_network_name(lab, vm->networks[i]);
        nl_jw_str(w, name ? name : vm->networks[i]);
    }
    nl_jw_close(w, ']');
    iw_khost_ref(w, "host", lab, vm->host);
    iw_khost_ref(w, "nested_host", lab, vm->nested_host);
    nl_jw_close(w, '}');
}

static void iw_lab(struct nl_jw *w, const struct nl_lab *lab)
{
    nl_jw_open(w, '{');
    nl_jw_kstr(w, "endpoint", lab->endpoint);
    nl_jw_kstr(w, "source", nl_source_name(lab->source));
    char when[32];
    nl_jw_kstr(w, "fetched_at", nl_json_utc_time(lab->fetched_at, when) ? when : NULL);
    nl_jw_kstr(w, "api_version", lab->api_version);
    nl_jw_key(w, "name_links_used");
    nl_jw_lit(w, lab->name_links_used ? "true" : "false");
    nl_jw_key(w, "datacenters");
    nl_jw_open(w, '[');
    for (size_t i = 0; i < lab->n_datacenters; i++)
        iw_ref(w, lab->datacenters[i].id, lab->datacenters[i].name);
    nl_jw_close(w, ']');
    nl_jw_key(w, "clusters");
    nl_jw_open(w, '[');
    for (size_t i = 0; i < lab->n_clusters; i++) {
        const struct nl_cluster *c = &lab->clusters[i];
        nl_jw_open(w, '{');
        nl_jw_kstr(w, "id", c->id);
        nl_jw_kstr(w, "name", c->name);
        nl_jw_key(w, "datacenter");
        if (c->datacenter >= 0)
            iw_ref(w, lab->datacenters[c->datacenter].id, lab->datacenters[c->datacenter].name);
        else
            nl_jw_lit(w, "null");
        nl_jw_kstr(w, "kind", nl_cluster_kind_name(c->kind));
        nl_jw_key(w, "hosts");
        nl_jw_open(w, '[');
        for (size_t h = 0; h < lab->n_hosts; h++)
            if (lab->hosts[h].cluster == (ssize_t)i)
                nl_jw_str(w, lab->hosts[h].id);
        nl_jw_close(w, ']');
        nl_jw_close(w, '}');
    }
    nl_jw_close(w, ']');
    nl_jw_key(w, "hosts");
    nl_jw_open(w, '[');
    for (size_t i = 0; i < lab->n_hosts; i++)
        iw_host(w, lab, &lab->hosts[i]);
    nl_jw_close(w, ']');
    nl_jw_key(w, "vms");
    nl_jw_open(w, '[');
    for (size_t i = 0; i < lab->n_vms; i++)
        iw_vm(w, lab, &lab->vms[i]);
    nl_jw_close(w, ']');
    nl_jw_close(w, '}');
}

enum nl_code nl_labs_write_inventory_json(const struct nl_lab *const *labs, size_t n, FILE *out,
                                          bool indent, struct nl_err *err)
{
    struct nl_jw *w = nl_jw_new(-1, out, indent, false);
    nl_jw_open(w, '{');
    nl_jw_kint(w, "version", 1);
    nl_jw_key(w, "endpoints");
    nl_jw_open(w, '[');
    for (size_t i = 0; i < n; i++)
        iw_lab(w, labs[i]);
    nl_jw_close(w, ']');
    nl_jw_close(w, '}');
    enum nl_code rc = NL_OK;
    /* fflush too: a full disk or a closed pipe is an error of this call, not a silent loss. */
    if (!nl_jw_flush(w) || fflush(out) != 0)
        rc = NL_ERR(err, NL_ERR_IO, NULL, "Cannot write the inventory: %s.",
                    strerror(w->failed ? w->error : errno));
    free(w);
    return rc;
}
