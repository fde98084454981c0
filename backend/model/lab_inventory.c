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
 *              "backing_vm": {"id", "name"} | null, "link": "uuid" | "name" | "none",
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
 * from the vSwitch). Unknown numbers are null. Strings are UTF-8 (invalid bytes become U+FFFD). */
#include <stdio.h>
#include <time.h>

#include "backend/model/lab_json.h"

static json_t *opt_int(long long v, long long unknown_below)
{
    return v < unknown_below ? json_null() : json_integer(v);
}

static json_t *tri_json(enum nl_tri t)
{
    return t == NL_TRI_UNSET ? json_null() : json_boolean(t == NL_TRI_TRUE);
}

static json_t *sec_json(const struct nl_security *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "promiscuous", tri_json(s->promiscuous));
    json_object_set_new(o, "forged_transmits", tri_json(s->forged_transmits));
    json_object_set_new(o, "mac_changes", tri_json(s->mac_changes));
    return o;
}

static json_t *ref_json(const char *id, const char *name)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", nl_json_string(id));
    json_object_set_new(o, "name", nl_json_string(name));
    return o;
}

static json_t *host_json(const struct nl_lab *lab, const struct nl_host *h)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", nl_json_string(h->id));
    json_object_set_new(o, "name", nl_json_string(h->name));
    json_object_set_new(o, "cluster",
                        h->cluster >= 0
                            ? ref_json(lab->clusters[h->cluster].id, lab->clusters[h->cluster].name)
                            : json_null());
    json_object_set_new(o, "connection", json_string(nl_conn_name(h->connection)));
    json_object_set_new(o, "source", json_string(nl_source_name(h->source)));
    json_object_set_new(o, "version", nl_json_string(h->version));
    json_object_set_new(o, "bios_uuid", nl_json_string(h->bios_uuid));
    json_object_set_new(o, "backing_vm",
                        h->backing_vm >= 0
                            ? ref_json(lab->vms[h->backing_vm].id, lab->vms[h->backing_vm].name)
                            : json_null());
    json_object_set_new(o, "link", json_string(nl_link_kind_name(h->link)));
    json_t *cpu = json_object();
    json_object_set_new(cpu, "model", nl_json_string(h->cpu_model));
    json_object_set_new(cpu, "packages", opt_int(h->cpu_packages, 0));
    json_object_set_new(cpu, "cores", opt_int(h->cpu_cores, 0));
    json_object_set_new(cpu, "threads", opt_int(h->cpu_threads, 0));
    json_object_set_new(cpu, "mhz", opt_int(h->cpu_mhz, 0));
    json_object_set_new(cpu, "hv_support", opt_int(h->hv_support, 0));
    json_object_set_new(cpu, "usage_mhz", opt_int(h->cpu_usage_mhz, 0));
    json_object_set_new(o, "cpu", cpu);
    json_t *vss = json_array();
    for (size_t i = 0; i < h->n_vswitches; i++) {
        const struct nl_vswitch *vs = &h->vswitches[i];
        json_t *v = json_object();
        json_object_set_new(v, "name", nl_json_string(vs->name));
        json_object_set_new(v, "mtu", opt_int(vs->mtu, 0));
        json_object_set_new(v, "num_ports", opt_int(vs->num_ports, 0));
        json_t *up = json_array();
        for (size_t u = 0; u < vs->n_uplinks; u++)
            json_array_append_new(up, nl_json_string(vs->uplinks[u]));
        json_object_set_new(v, "uplinks", up);
        json_object_set_new(v, "security", sec_json(&vs->security));
        json_array_append_new(vss, v);
    }
    json_object_set_new(o, "vswitches", vss);
    json_t *pgs = json_array();
    for (size_t i = 0; i < h->n_portgroups; i++) {
        const struct nl_portgroup *pg = &h->portgroups[i];
        json_t *p = json_object();
        json_object_set_new(p, "name", nl_json_string(pg->name));
        json_object_set_new(p, "vswitch", nl_json_string(pg->vswitch));
        json_object_set_new(p, "vlan", opt_int(pg->vlan, 0));
        json_object_set_new(p, "trunk", json_boolean(pg->vlan == NL_VLAN_TRUNK));
        json_object_set_new(p, "override", sec_json(&pg->override));
        json_object_set_new(p, "effective", sec_json(&pg->effective));
        json_object_set_new(p, "active_clients", opt_int(pg->active_clients, 0));
        json_array_append_new(pgs, p);
    }
    json_object_set_new(o, "portgroups", pgs);
    return o;
}

static json_t *vm_json(const struct nl_lab *lab, const struct nl_vm *vm)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", nl_json_string(vm->id));
    json_object_set_new(o, "name", nl_json_string(vm->name));
    json_object_set_new(o, "power", json_string(nl_power_name(vm->power)));
    json_object_set_new(o, "hw_version", opt_int(vm->hw_version, 1));
    json_object_set_new(o, "nested_hv", tri_json(vm->nested_hv));
    json_object_set_new(o, "guest_id", nl_json_string(vm->guest_id));
    json_object_set_new(o, "cpus", opt_int(vm->cpus, 0));
    json_object_set_new(o, "memory_mb", opt_int(vm->memory_mb, 0));
    json_object_set_new(o, "tools", nl_json_string(vm->tools));
    json_object_set_new(o, "uuid", nl_json_string(vm->uuid));
    json_object_set_new(o, "role", json_string(nl_role_name(vm->role)));
    json_object_set_new(o, "role_basis", json_string(nl_role_basis_name(vm->role_basis)));
    json_t *nets = json_array();
    for (size_t i = 0; i < vm->n_networks; i++) {
        /* Backends may store a Network moref; show its name when the lab knows it. */
        const char *name = nl_lab_network_name(lab, vm->networks[i]);
        json_array_append_new(nets, nl_json_string(name ? name : vm->networks[i]));
    }
    json_object_set_new(o, "networks", nets);
    json_object_set_new(o, "host",
                        vm->host >= 0 ? ref_json(lab->hosts[vm->host].id, lab->hosts[vm->host].name)
                                      : json_null());
    json_object_set_new(o, "nested_host",
                        vm->nested_host >= 0 ? ref_json(lab->hosts[vm->nested_host].id,
                                                        lab->hosts[vm->nested_host].name)
                                             : json_null());
    return o;
}

json_t *nl_lab_to_inventory_json(const struct nl_lab *lab)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "endpoint", nl_json_string(lab->endpoint));
    json_object_set_new(doc, "source", json_string(nl_source_name(lab->source)));
    if (lab->fetched_at > 0) {
        struct tm tm;
        char when[32];
        gmtime_r(&lab->fetched_at, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_object_set_new(doc, "fetched_at", json_string(when));
    } else {
        json_object_set_new(doc, "fetched_at", json_null());
    }
    json_object_set_new(doc, "api_version", nl_json_string(lab->api_version));
    json_object_set_new(doc, "name_links_used", json_boolean(lab->name_links_used));
    json_t *a = json_array();
    for (size_t i = 0; i < lab->n_datacenters; i++)
        json_array_append_new(a, ref_json(lab->datacenters[i].id, lab->datacenters[i].name));
    json_object_set_new(doc, "datacenters", a);
    a = json_array();
    for (size_t i = 0; i < lab->n_clusters; i++) {
        const struct nl_cluster *c = &lab->clusters[i];
        json_t *o = ref_json(c->id, c->name);
        json_object_set_new(o, "datacenter",
                            c->datacenter >= 0 ? ref_json(lab->datacenters[c->datacenter].id,
                                                          lab->datacenters[c->datacenter].name)
                                               : json_null());
        json_object_set_new(o, "kind", json_string(nl_cluster_kind_name(c->kind)));
        json_t *hosts = json_array();
        for (size_t h = 0; h < lab->n_hosts; h++)
            if (lab->hosts[h].cluster == (ssize_t)i)
                json_array_append_new(hosts, nl_json_string(lab->hosts[h].id));
        json_object_set_new(o, "hosts", hosts);
        json_array_append_new(a, o);
    }
    json_object_set_new(doc, "clusters", a);
    a = json_array();
    for (size_t i = 0; i < lab->n_hosts; i++)
        json_array_append_new(a, host_json(lab, &lab->hosts[i]));
    json_object_set_new(doc, "hosts", a);
    a = json_array();
    for (size_t i = 0; i < lab->n_vms; i++)
        json_array_append_new(a, vm_json(lab, &lab->vms[i]));
    json_object_set_new(doc, "vms", a);
    return doc;
}

json_t *nl_labs_to_inventory_json(const struct nl_lab *const *labs, size_t n)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "version", json_integer(1));
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, nl_lab_to_inventory_json(labs[i]));
    json_object_set_new(doc, "endpoints", a);
    return doc;
}
