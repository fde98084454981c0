/* The JSON written straight from the lab is byte for byte what jansson dumps of the equivalent
 * tree: the inventory document (nl_labs_write_inventory_json vs json_dumps of
 * nl_labs_to_inventory_json, JSON_INDENT(2) and JSON_COMPACT) and the cache file (nl_lab_save_cache
 * vs JSON_COMPACT | JSON_ENSURE_ASCII of nl_lab_to_cache_json), for the default lab, a lab of
 * hostile names, an empty lab and several labs; a failed write is an error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/core/xmalloc.h"
#include "backend/model/lab_json.h"
#include "check.h"

static char tmpdir[] = "/tmp/nl-invw-XXXXXX";

/* Reports the first differing byte with some context, so a failure says where. */
static void check_same(const char *what, const char *got, size_t got_len, const char *want)
{
    size_t want_len = strlen(want), i = 0;
    while (i < got_len && i < want_len && got[i] == want[i])
        i++;
    bool same = got_len == want_len && i == want_len;
    CHECK(same);
    if (!same) {
        size_t from = i > 60 ? i - 60 : 0;
        fprintf(stderr,
                "%s: differs at byte %zu (lengths %zu, jansson %zu)\n  ours:    %.*s\n"
                "  jansson: %.*s\n",
                what, i, got_len, want_len, (int)(got_len - from < 120 ? got_len - from : 120),
                got + from, (int)(want_len - from < 120 ? want_len - from : 120), want + from);
    }
}

static void check_inventory(const char *what, const struct nl_lab *const *labs, size_t n)
{
    json_t *doc = nl_labs_to_inventory_json(labs, n);
    for (int indent = 0; indent <= 1; indent++) {
        char *want = json_dumps(doc, indent ? JSON_INDENT(2) : JSON_COMPACT);
        char *got = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&got, &len);
        struct nl_err err = {0};
        CHECK_INT(nl_labs_write_inventory_json(labs, n, f, indent, &err), NL_OK);
        fclose(f);
        char *label = xasprintf("%s (%s)", what, indent ? "indented" : "compact");
        check_same(label, got, len, want);
        /* Whatever the names, the output is JSON that reads back as the same document. */
        json_t *back = json_loadb(got, len, 0, NULL);
        CHECK(back && json_equal(back, doc));
        json_decref(back);
        free(label);
        free(got);
        free(want);
    }
    json_decref(doc);
}

static void check_cache(const char *what, const struct nl_lab *lab)
{
    char *path = xasprintf("%s/cache.json", tmpdir);
    struct nl_err err = {0};
    CHECK_INT(nl_lab_save_cache(lab, path, &err), NL_OK);
    json_t *doc = nl_lab_to_cache_json(lab);
    char *want = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
    FILE *f = fopen(path, "r");
    char got[1 << 16];
    size_t len = f ? fread(got, 1, sizeof got, f) : 0;
    if (f)
        fclose(f);
    check_same(what, got, len, want);
    free(want);
    json_decref(doc);
    unlink(path);
    free(path);
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
        "utf8 caf\xC3\xA9 \xE2\x87\x90 sep\xE2\x80\xA8para\xE2\x80\xA9 bom\xEF\xBB\xBF "
        "emoji\xF0\x9F\x98\x80 max\xF4\x8F\xBF\xBF",
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
    check_inventory("default lab", labs, 1);
    check_cache("default lab cache", lab);
    nl_lab_free(&lab);
}

static void test_hostile_lab(void)
{
    struct nl_lab *lab = hostile_lab();
    CHECK_INT(lab->hosts[1].backing_vm, 1); /* the fixture links what it means to */
    const struct nl_lab *labs[] = {lab};
    check_inventory("hostile lab", labs, 1);
    check_cache("hostile lab cache", lab);
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
    check_inventory("empty lab", one, 1);
    check_cache("empty lab cache", empty);
    check_inventory("no labs", NULL, 0);
    struct nl_lab *lab = default_lab();
    struct nl_lab *hostile = hostile_lab();
    if (lab) {
        const struct nl_lab *three[] = {lab, empty, hostile};
        check_inventory("three labs", three, 3);
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
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_default_lab();
    test_hostile_lab();
    test_empty_and_several();
    test_write_error();
    rmdir(tmpdir);
    return nl_check_done();
}
