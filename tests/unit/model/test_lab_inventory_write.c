/* The JSON written straight from the lab (the inventory document of nl_labs_write_inventory_json,
 * indented and compact, and the cache file of nl_lab_save_cache) is exactly what jansson writes
 * for the same document, for the default lab (also compared with its recorded golden files), a
 * lab of hostile names, an empty lab and several labs; a failed write is an error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/core/xmalloc.h"
#include "backend/model/lab_json.h"
#include "check.h"
#include "json_text.h"

static void check_inventory(const char *what, const struct nl_lab *const *labs, size_t n,
                            size_t n_hosts_first)
{
    for (int indent = 0; indent <= 1; indent++) {
        size_t len = 0;
        char *got = jt_inventory_text(labs, n, indent, &len);
        CHECK(got != NULL);
        if (!got)
            continue;
        if (!jt_same_as_jansson(got, len, indent ? JSON_INDENT(2) : JSON_COMPACT)) {
            fprintf(stderr, "%s (%s)\n", what, indent ? "indented" : "compact");
            CHECK(!"inventory text differs from jansson");
        }
        json_t *doc = json_loadb(got, len, 0, NULL);
        json_t *eps = json_object_get(doc, "endpoints");
        CHECK_INT(json_array_size(eps), n);
        if (n)
            CHECK_INT(json_array_size(json_object_get(json_array_get(eps, 0), "hosts")),
                      n_hosts_first);
        json_decref(doc);
        free(got);
    }
}
static struct nl_lab *default_lab(void)
{
    const char *dir = getenv("NL_FIXTURES");
    char *path = xasprintf("%s/model/default-lab.json", dir ? dir : "tests/fixtures");
    struct nl_err err = {0};
    struct nl_lab *lab = nl_lab_load_cache(path, &err);
    if (!lab)
        fprintf(stderr, "%s: %s\n", path, err.message);
    free(path);
    return lab;
}

/* Every kind of character a name can hold, and every unknown or absent value. */
static struct nl_lab *hostile_lab(void)
{
    static const char *const names[] = {
        "q\"uote\\back/slash <b>&amp; 'x' $(reboot); `id`",
        "ctl \x01\x02\x1f \b\f\n\r\t del\x7f esc\x1b[31m",
        ("utf8 caf\xC3\xA9 \xE2\x87\x90 sep\xE2\x80\xA8para\xE2\x80\xA9 bom\xEF\xBB\xBF "
         "emoji\xF0\x9F\x98\x80 max\xF4\x8F\xBF\xBF"),
        "bad \xFF\xFE over\xC0\xAF surr\xED\xA0\x80 cut\xE2\x82",
        "repl \xEF\xBF\xBD and \xE2\x82",
        "",
    };
    struct nl_lab *lab = nl_lab_new(names[0]);
    lab->fetched_at = 0; /* unknown: null */
    xstrset(&lab->api_version, names[2]);
    struct nl_datacenter *dc = nl_lab_add_datacenter(lab, "dc\"1");
    xstrset(&dc->name, names[1]);
    struct nl_cluster *cl = nl_lab_add_cluster(lab, "domain-c<1>");
    xstrset(&cl->name, names[2]);
    xstrset(&cl->datacenter_id, "dc\"1");
    nl_lab_add_cluster(lab, "empty-cluster"); /* no name, no datacenter, no hosts */
    struct nl_network *net = nl_lab_add_network(lab, "network-7");
    xstrset(&net->name, names[3]);
    for (int i = 0; i < 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "host-%d", i);
        struct nl_host *h = nl_lab_add_host(lab, id);
        xstrset(&h->name, names[i + 1]);
        if (i < 2)
            xstrset(&h->cluster_id, "domain-c<1>");
        xstrset(&h->version, i == 0 ? names[4] : NULL);
        xstrset(&h->cpu_model, names[i]);
        h->cpu_mhz = i == 0 ? -1 : 2400 + i;
        h->cpu_packages = i;
        h->cpu_cores = 1 << 30;
        h->hv_support = i == 2 ? 3 : -1;
        h->connection = (enum nl_conn)i;
        if (i == 1) {
            xstrset(&h->bios_uuid, "4211AAAA-0000-0000-0000-000000000001");
            struct nl_vswitch *vs = nl_host_add_vswitch(h, names[0]);
            vs->mtu = 9000;
            vs->num_ports = -1;
            nl_vswitch_add_uplink(vs, "vmnic0");
            nl_vswitch_add_uplink(vs, names[3]);
            vs->security.promiscuous = NL_TRI_TRUE;
            vs->security.forged_transmits = NL_TRI_FALSE;
            nl_host_add_vswitch(h, "empty")->security.mac_changes = NL_TRI_TRUE;
            struct nl_portgroup *pg = nl_host_add_portgroup(h, names[2], names[0]);
            pg->vlan = NL_VLAN_TRUNK;
            pg->override.forged_transmits = NL_TRI_TRUE;
            pg->active_clients = 0;
            pg = nl_host_add_portgroup(h, "pg-2", "missing-vswitch");
            pg->vlan = -1;
            pg->active_clients = -1;
        }
    }
    for (int i = 0; i < 4; i++) {
        char id[16];
        snprintf(id, sizeof id, "vm-%d", i);
        struct nl_vm *vm = nl_lab_add_vm(lab, id);
        xstrset(&vm->name, names[(i + 2) % 6]);
        xstrset(&vm->host_id, i < 3 ? "host-0" : "no-such-host");
        vm->power = (enum nl_power)(i % 3);
        vm->hw_version = i == 0 ? 0 : 19;
        vm->nested_hv = i == 1 ? NL_TRI_TRUE : i == 2 ? NL_TRI_FALSE : NL_TRI_UNSET;
        xstrset(&vm->guest_id, i == 1 ? "vmkernel8Guest" : names[i]);
        vm->cpus = i == 3 ? -1 : 4;
        vm->memory_mb = -1;
        xstrset(&vm->tools, names[5]);
        if (i == 1)
            xstrset(&vm->uuid, "4211aaaa-0000-0000-0000-000000000001"); /* backs host-1 */
        nl_vm_add_network(vm, "network-7"); /* a moref: its name is shown */
        if (i == 2)
            nl_vm_add_network(vm, names[1]);
    }
    nl_lab_link(lab);
    return lab;
}

static void test_default_lab(void)
{
    struct nl_lab *lab = default_lab();
    CHECK(lab != NULL);
    if (!lab)
        return;
    const struct nl_lab *labs[] = {lab};
    check_inventory("default lab", labs, 1, 6);
    jt_check_cache(lab, "default lab cache");
    /* The recorded documents: any change to a field, its order or its spelling shows here (a
     * deliberate schema change regenerates them and says so in backend/model/README.md). */
    const char *dir = getenv("NL_FIXTURES");
    char *inv_path = xasprintf("%s/model/default-lab.inventory.json", dir ? dir : "tests/fixtures");
    char *cache_path = xasprintf("%s/model/default-lab.cache.json", dir ? dir : "tests/fixtures");
    char *want_inv = jt_read_file(inv_path, NULL), *want_cache = jt_read_file(cache_path, NULL);
    char *inv = jt_inventory_text(labs, 1, 1, NULL), *cache = jt_cache_text(lab);
    CHECK(want_inv && inv && strcmp(inv, want_inv) == 0);
    CHECK(want_cache && cache && strcmp(cache, want_cache) == 0);
    free(inv);
    free(cache);
    free(want_inv);
    free(want_cache);
    free(inv_path);
    free(cache_path);
    nl_lab_free(&lab);
}

static void test_hostile_lab(void)
{
    struct nl_lab *lab = hostile_lab();
    CHECK_INT(lab->hosts[1].backing_vm, 1); /* the fixture links what it means to */
    const struct nl_lab *labs[] = {lab};
    check_inventory("hostile lab", labs, 1, 3);
    jt_check_cache(lab, "hostile lab cache");
    /* UTF-8 passes through in the inventory, as jansson does by default. */
    char *got = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&got, &len);
    CHECK_INT(nl_labs_write_inventory_json(labs, 1, f, true, NULL), NL_OK);
    fclose(f);
    CHECK(strstr(got, "sep\xE2\x80\xA8para") != NULL);
    CHECK(strstr(got, "\"ctl \\u0001\\u0002\\u001F \\b\\f\\n\\r\\t del\x7f esc\\u001B[31m\"") !=
          NULL);
    CHECK(strstr(got, "bad \xEF\xBF\xBD\xEF\xBF\xBD over") != NULL);
    free(got);
    nl_lab_free(&lab);
}

static void test_empty_and_several(void)
{
    struct nl_lab *empty = nl_lab_new(NULL);
    nl_lab_link(empty);
    const struct nl_lab *one[] = {empty};
    check_inventory("empty lab", one, 1, 0);
    jt_check_cache(empty, "empty lab cache");
    check_inventory("no labs", NULL, 0, 0);
    struct nl_lab *lab = default_lab();
    struct nl_lab *hostile = hostile_lab();
    if (lab) {
        const struct nl_lab *three[] = {lab, empty, hostile};
        check_inventory("three labs", three, 3, 6);
    }
    nl_lab_free(&hostile);
    nl_lab_free(&lab);
    nl_lab_free(&empty);
}

/* A full disk is an error naming the cause, not a silently short document. */
static void test_write_error(void)
{
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        return;
    struct nl_lab *lab = default_lab();
    if (lab) {
        const struct nl_lab *labs[] = {lab};
        struct nl_err err = {0};
        CHECK_INT(nl_labs_write_inventory_json(labs, 1, f, true, &err), NL_ERR_IO);
        CHECK(strstr(err.message, "Cannot write the inventory") != NULL);
    }
    fclose(f);
    nl_lab_free(&lab);
}

int main(void)
{
    test_default_lab();
    test_hostile_lab();
    test_empty_and_several();
    test_write_error();
    return nl_check_done();
}
