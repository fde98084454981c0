/* The fast paths of the inventory read give exactly what the plain ones give: the cache file that
 * nl_lab_save_cache streams is byte for byte what jansson writes for the same document
 * (JSON_COMPACT | JSON_ENSURE_ASCII) and loads back to the same lab, on the recorded default lab
 * and on a lab full of hostile strings (quotes, backslashes, control bytes, non-ASCII, characters
 * outside the BMP, invalid UTF-8, a name longer than the writer's buffer). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "json_text.h"
#include "vs_fixture.h"

#include "backend/core/xmalloc.h"
#include "backend/model/lab_json.h"
#include "backend/vsphere/vs_inventory.h"
#include "backend/vsphere/vs_prop.h"

static void parse_into(const char *file, const char *method, struct nl_lab *lab,
                       struct vs_tree *tree)
{
    size_t len;
    char *body = vs_fixture(file, &len);
    char *token = NULL;
    struct nl_err err = {0};
    CHECK_INT(vs_inventory_parse(method, 200, body, len, 0, lab, tree, &token, &err), NL_OK);
    free(token);
    free(body);
}

static void test_default_lab_cache(void)
{
    struct nl_lab *lab = nl_lab_new("vc-lab");
    struct vs_tree *tree = vs_tree_new();
    parse_into("inventory_page1.xml", "RetrievePropertiesEx", lab, tree);
    parse_into("inventory_page2.xml", "ContinueRetrievePropertiesEx", lab, tree);
    vs_prop_resolve(lab, tree);
    vs_tree_free(&tree);
    nl_lab_link(lab);
    lab->fetched_at = 1700000000;
    CHECK(lab->n_vms > 0);
    jt_check_cache(lab, "default lab");
    nl_lab_free(&lab);
}

static void test_hostile_cache(void)
{
    static const char *const names[] = {
        "plain",
        "quote \" backslash \\ slash / tab \t nl \n cr \r bs \b ff \f",
        "ctl \x01\x02\x1f del \x7f",
        "utf8 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 end",
        "bad \xff \xc3( \xe2\x82 \xed\xa0\x80 \xf4\x90\x80\x80 \xc0\xaf end",
        "<x> & 'q' $(rm) ; spaces  ",
    };
    struct nl_lab *lab = nl_lab_new("vc \"hostile\" \xc3\xa9");
    lab->fetched_at = 1700000000;
    lab->api_version = xstrdup("8.0.3.0");
    size_t n_names = sizeof names / sizeof names[0];
    char *huge = xmalloc(200000);
    for (size_t i = 0; i < 199999; i++)
        huge[i] = "a\"\xc3\xa9"[i % 4]; /* ends in half a character */
    huge[199999] = '\0';
    xstrset(&nl_lab_add_datacenter(lab, "datacenter-2")->name, names[1]);
    xstrset(&nl_lab_add_cluster(lab, "domain-c7")->name, names[3]);
    for (size_t i = 0; i < n_names; i++) {
        char id[32];
        snprintf(id, sizeof id, "host-%zu", i);
        struct nl_host *h = nl_lab_add_host(lab, id);
        xstrset(&h->name, names[i]);
        xstrset(&h->cluster_id, i % 2 ? "domain-c7" : NULL);
        xstrset(&h->cpu_model, names[(i + 1) % n_names]);
        xstrset(&h->version, i == 0 ? "" : NULL);
        h->cpu_cores = (int)i;
        h->ssh_port = i % 2 ? 22 : 0;
        struct nl_vswitch *vs = nl_host_add_vswitch(h, names[(i + 2) % n_names]);
        vs->mtu = 9000;
        vs->security.promiscuous = NL_TRI_TRUE;
        vs->security.mac_changes = NL_TRI_FALSE;
        nl_vswitch_add_uplink(vs, "vmnic0");
        nl_vswitch_add_uplink(vs, names[i]);
        struct nl_portgroup *pg = nl_host_add_portgroup(h, names[(i + 3) % n_names], vs->name);
        pg->vlan = 4095;
        pg->override.forged_transmits = NL_TRI_TRUE;
        snprintf(id, sizeof id, "vm-%zu", i);
        struct nl_vm *vm = nl_lab_add_vm(lab, id);
        xstrset(&vm->name, names[(i + 4) % n_names]);
        xstrset(&vm->host_id, h->id);
        vm->power = i % 2 ? NL_POWER_ON : NL_POWER_UNKNOWN;
        vm->nested_hv = i % 3 == 0 ? NL_TRI_UNSET : NL_TRI_TRUE;
        vm->cpus = -1;
        vm->vmid = (int)i;
        nl_vm_add_network(vm, names[i]);
        nl_vm_add_network(vm, "VM Network");
    }
    struct nl_vm *big = nl_lab_add_vm(lab, "vm-huge");
    xstrset(&big->name, huge);
    xstrset(&big->vmx_path, huge);
    xstrset(&nl_lab_add_network(lab, "network-7")->name, names[2]);
    nl_lab_add_network(lab, "network-8"); /* no name */
    nl_lab_add_host(lab, "host-bare");    /* nothing but an id */
    nl_lab_link(lab);
    jt_check_cache(lab, "hostile lab");
    /* An empty lab too. */
    struct nl_lab *empty = nl_lab_new(NULL);
    jt_check_cache(empty, "empty lab");
    nl_lab_free(&empty);
    free(huge);
    nl_lab_free(&lab);
}

int main(void)
{
    test_default_lab_cache();
    test_hostile_cache();
    return nl_check_done();
}
