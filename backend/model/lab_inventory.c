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
 * from the vSwitch). Unknown numbers are null. Strings are UTF-8 (invalid bytes become U+FFFD).
 *
 * Values that repeat across the document (enum words, guest ids, network and vSwitch names, small
 * numbers, security triples, host references) are one jansson value shared by every place that
 * shows it (jansson counts references; the dump is the same). At 10,000 VMs that halves the
 * allocations of the tree, its build and free time, and the peak memory of `inventory --json`.
 * The document is meant to be dumped, not edited in place. `nestlab inventory --json` writes
 * the same bytes without the tree (lab_inventory_write.c); this tree stays as the reference the
 * unit tests compare that writer with, and for callers that want to embed the document. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/xmalloc.h"
#include "backend/model/lab_json.h"
#include "backend/model/lab_json_write.h"

/* Shared values of one document: an open-addressing table keyed by kind and content. */
struct shared_slot {
    uint64_t hash;
    int kind; /* 0 empty, 1 string, 2 integer */
    long long num;
    const char *str; /* the json_t's own copy */
    json_t *value;
};

struct shared {
    struct shared_slot *slots;
    size_t cap, n;
    json_t *sec[27];   /* every security triple */
    json_t **host_ref; /* {"id","name"} per host index */
    size_t n_hosts;
};

static uint64_t hash_bytes(const char *s, long long num)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)num;
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h | 1;
}

static void shared_grow(struct shared *sh)
{
    struct shared_slot *old = sh->slots;
    size_t old_cap = sh->cap;
    sh->cap = old_cap ? old_cap * 2 : 256;
    sh->slots = xcalloc(sh->cap, sizeof *sh->slots);
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].kind)
            continue;
        size_t j = old[i].hash & (sh->cap - 1);
        while (sh->slots[j].kind)
            j = (j + 1) & (sh->cap - 1);
        sh->slots[j] = old[i];
    }
    free(old);
}

/* A new reference to the shared string (kind 1, s) or integer (kind 2, num). */
static json_t *shared_get(struct shared *sh, int kind, const char *s, long long num)
{
    if (2 * (sh->n + 1) > sh->cap)
        shared_grow(sh);
    uint64_t h = hash_bytes(s, num) + (uint64_t)kind;
    size_t j = h & (sh->cap - 1);
    for (; sh->slots[j].kind; j = (j + 1) & (sh->cap - 1)) {
        struct shared_slot *e = &sh->slots[j];
        if (e->hash == h && e->kind == kind && e->num == num &&
            (kind != 1 || strcmp(e->str, s) == 0))
            return json_incref(e->value);
    }
    json_t *v = kind == 1 ? nl_json_string(s) : json_integer(num);
    /* Only a string kept exactly as given can stand for its key (invalid UTF-8 is cleaned). */
    if (kind == 1 && !(json_is_string(v) && strcmp(json_string_value(v), s) == 0))
        return v;
    sh->slots[j] = (struct shared_slot){.hash = h,
                                        .kind = kind,
                                        .num = num,
                                        .str = kind == 1 ? json_string_value(v) : NULL,
                                        .value = v};
    sh->n++;
    return json_incref(v);
}

static void shared_free(struct shared *sh)
{
    for (size_t i = 0; i < sh->cap; i++)
        if (sh->slots[i].kind)
            json_decref(sh->slots[i].value);
    free(sh->slots);
    for (size_t i = 0; i < 27; i++)
        json_decref(sh->sec[i]);
    for (size_t i = 0; i < sh->n_hosts; i++)
        json_decref(sh->host_ref[i]);
    free(sh->host_ref);
}

/* A shared string (null for NULL). */
static json_t *sstr(struct shared *sh, const char *s)
{
    return s ? shared_get(sh, 1, s, 0) : json_null();
}

static json_t *opt_int(struct shared *sh, long long v, long long unknown_below)
{
    return v < unknown_below ? json_null() : shared_get(sh, 2, NULL, v);
}

static json_t *tri_json(enum nl_tri t)
{
    return t == NL_TRI_UNSET ? json_null() : json_boolean(t == NL_TRI_TRUE);
}

static int tri_index(enum nl_tri t)
{
    return t == NL_TRI_UNSET ? 0 : t == NL_TRI_TRUE ? 1 : 2;
}

static json_t *sec_json(struct shared *sh, const struct nl_security *s)
{
    int k = tri_index(s->promiscuous) * 9 + tri_index(s->forged_transmits) * 3 +
            tri_index(s->mac_changes);
    if (!sh->sec[k]) {
        json_t *o = json_object();
        json_object_set_new(o, "promiscuous", tri_json(s->promiscuous));
        json_object_set_new(o, "forged_transmits", tri_json(s->forged_transmits));
        json_object_set_new(o, "mac_changes", tri_json(s->mac_changes));
        sh->sec[k] = o;
    }
    return json_incref(sh->sec[k]);
}

static json_t *ref_json(const char *id, const char *name)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", nl_json_string(id));
    json_object_set_new(o, "name", nl_json_string(name));
    return o;
}

static json_t *host_ref(struct shared *sh, const struct nl_lab *lab, ssize_t i)
{
    if (i < 0 || (size_t)i >= sh->n_hosts)
        return json_null();
    if (!sh->host_ref[i])
        sh->host_ref[i] = ref_json(lab->hosts[i].id, lab->hosts[i].name);
    return json_incref(sh->host_ref[i]);
}

static json_t *host_json(struct shared *sh, const struct nl_lab *lab, const struct nl_host *h)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", nl_json_string(h->id));
    json_object_set_new(o, "name", nl_json_string(h->name));
    json_object_set_new(o, "cluster",
                        h->cluster >= 0
                            ? ref_json(lab->clusters[h->cluster].id, lab->clusters[h->cluster].name)
                            : json_null());
    json_object_set_new(o, "connection", sstr(sh, nl_conn_name(h->connection)));
    json_object_set_new(o, "source", sstr(sh, nl_source_name(h->source)));
    json_object_set_new(o, "version", sstr(sh, h->version));
    json_object_set_new(o, "bios_uuid", nl_json_string(h->bios_uuid));
    json_object_set_new(o, "backing_vm",
                        h->backing_vm >= 0
                            ? ref_json(lab->vms[h->backing_vm].id, lab->vms[h->backing_vm].name)
                            : json_null());
    json_object_set_new(o, "link", sstr(sh, nl_link_kind_name(h->link)));
    json_t *cpu = json_object();
    json_object_set_new(cpu, "model", sstr(sh, h->cpu_model));
    json_object_set_new(cpu, "packages", opt_int(sh, h->cpu_packages, 0));
    json_object_set_new(cpu, "cores", opt_int(sh, h->cpu_cores, 0));
    json_object_set_new(cpu, "threads", opt_int(sh, h->cpu_threads, 0));
    json_object_set_new(cpu, "mhz", opt_int(sh, h->cpu_mhz, 0));
    json_object_set_new(cpu, "hv_support", opt_int(sh, h->hv_support, 0));
    json_object_set_new(cpu, "usage_mhz", opt_int(sh, h->cpu_usage_mhz, 0));
    json_object_set_new(o, "cpu", cpu);
    json_t *vss = json_array();
    for (size_t i = 0; i < h->n_vswitches; i++) {
        const struct nl_vswitch *vs = &h->vswitches[i];
        json_t *v = json_object();
        json_object_set_new(v, "name", sstr(sh, vs->name));
        json_object_set_new(v, "mtu", opt_int(sh, vs->mtu, 0));
        json_object_set_new(v, "num_ports", opt_int(sh, vs->num_ports, 0));
        json_t *up = json_array();
        for (size_t u = 0; u < vs->n_uplinks; u++)
            json_array_append_new(up, sstr(sh, vs->uplinks[u]));
        json_object_set_new(v, "uplinks", up);
        json_object_set_new(v, "security", sec_json(sh, &vs->security));
        json_array_append_new(vss, v);
    }
    json_object_set_new(o, "vswitches", vss);
    json_t *pgs = json_array();
    for (size_t i = 0; i < h->n_portgroups; i++) {
        const struct nl_portgroup *pg = &h->portgroups[i];
        json_t *p = json_object();
        json_object_set_new(p, "name", sstr(sh, pg->name));
        json_object_set_new(p, "vswitch", sstr(sh, pg->vswitch));
        json_object_set_new(p, "vlan", opt_int(sh, pg->vlan, 0));
        json_object_set_new(p, "trunk", json_boolean(pg->vlan == NL_VLAN_TRUNK));
        json_object_set_new(p, "override", sec_json(sh, &pg->override));
        json_object_set_new(p, "effective", sec_json(sh, &pg->effective));
        json_object_set_new(p, "active_clients", opt_int(sh, pg->active_clients, 0));
        json_array_append_new(pgs, p);
    }
    json_object_set_new(o, "portgroups", pgs);
    return o;
}

static json_t *vm_json(struct shared *sh, const struct nl_lab *lab, const struct nl_vm *vm)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", nl_json_string(vm->id));
    json_object_set_new(o, "name", nl_json_string(vm->name));
    json_object_set_new(o, "power", sstr(sh, nl_power_name(vm->power)));
    json_object_set_new(o, "hw_version", opt_int(sh, vm->hw_version, 1));
    json_object_set_new(o, "nested_hv", tri_json(vm->nested_hv));
    json_object_set_new(o, "guest_id", sstr(sh, vm->guest_id));
    json_object_set_new(o, "cpus", opt_int(sh, vm->cpus, 0));
    json_object_set_new(o, "memory_mb", opt_int(sh, vm->memory_mb, 0));
    json_object_set_new(o, "tools", sstr(sh, vm->tools));
    json_object_set_new(o, "uuid", nl_json_string(vm->uuid));
    json_object_set_new(o, "role", sstr(sh, nl_role_name(vm->role)));
    json_object_set_new(o, "role_basis", sstr(sh, nl_role_basis_name(vm->role_basis)));
    json_t *nets = json_array();
    for (size_t i = 0; i < vm->n_networks; i++) {
        /* Backends may store a Network moref; show its name when the lab knows it. */
        const char *name = nl_lab_network_name(lab, vm->networks[i]);
        json_array_append_new(nets, sstr(sh, name ? name : vm->networks[i]));
    }
    json_object_set_new(o, "networks", nets);
    json_object_set_new(o, "host", host_ref(sh, lab, vm->host));
    json_object_set_new(o, "nested_host", host_ref(sh, lab, vm->nested_host));
    return o;
}

json_t *nl_lab_to_inventory_json(const struct nl_lab *lab)
{
    struct shared sh = {.n_hosts = lab->n_hosts};
    sh.host_ref = xcalloc(lab->n_hosts ? lab->n_hosts : 1, sizeof *sh.host_ref);
    json_t *doc = json_object();
    json_object_set_new(doc, "endpoint", nl_json_string(lab->endpoint));
    json_object_set_new(doc, "source", json_string(nl_source_name(lab->source)));
    char when[32];
    json_object_set_new(doc, "fetched_at",
                        nl_json_utc_time(lab->fetched_at, when) ? json_string(when) : json_null());
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
        json_array_append_new(a, host_json(&sh, lab, &lab->hosts[i]));
    json_object_set_new(doc, "hosts", a);
    a = json_array();
    for (size_t i = 0; i < lab->n_vms; i++)
        json_array_append_new(a, vm_json(&sh, lab, &lab->vms[i]));
    json_object_set_new(doc, "vms", a);
    shared_free(&sh);
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
