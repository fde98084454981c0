/* The cache file (round trip, atomic 0600 write, malformed input rejected with a message), the
 * inventory JSON and text tree of the default lab, and terminal-safe names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/core/buf.h"
#include "backend/core/xmalloc.h"
#include "backend/model/lab_json.h"
#include "backend/core/term_text.h"
#include "backend/model/lab_text.h"
#include "check.h"
#include "json_text.h"

static char tmpdir[] = "/tmp/nl-model-XXXXXX";

static char *fixture(const char *name)
{
    const char *dir = getenv("NL_FIXTURES");
    return xasprintf("%s/model/%s", dir ? dir : "tests/fixtures", name);
}

static char *write_tmp(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

static void test_round_trip(void)
{
    char *path = fixture("default-lab.json");
    struct nl_err err = {0};
    struct nl_lab *lab = nl_lab_load_cache(path, &err);
    CHECK(lab != NULL);
    if (!lab) {
        fprintf(stderr, "%s\n", err.message);
        free(path);
        return;
    }
    CHECK_STR(lab->endpoint, "vc-lab");
    CHECK_INT(lab->n_hosts, 6);
    CHECK_INT(lab->n_vms, 13);
    CHECK_INT(lab->fetched_at, 1714564800);
    /* Linked on load: every nested host by UUID (esx-n01's is upper case in the file). */
    for (size_t h = 2; h < 6; h++) {
        CHECK_INT(lab->hosts[h].link, NL_LINK_UUID);
        CHECK_INT(lab->hosts[h].backing_vm, (long long)(h - 1));
    }
    CHECK_INT(lab->clusters[0].kind, NL_CLUSTER_PHYSICAL);
    CHECK_INT(lab->clusters[1].kind, NL_CLUSTER_NESTED);
    CHECK_INT(nl_lab_find_vm_by_name(lab, "kvm04")->role, NL_ROLE_NESTED_OTHER);
    CHECK_INT(nl_lab_find_vm_by_name(lab, "vcsa")->role, NL_ROLE_APPLIANCE);
    CHECK_INT(nl_lab_find_vm_by_name(lab, "web01")->role, NL_ROLE_GUEST);

    /* Save, load, save: identical documents, and the file is private. */
    char *out = xasprintf("%s/cache.json", tmpdir);
    CHECK_INT(nl_lab_save_cache(lab, out, &err), NL_OK);
    struct stat st;
    CHECK(stat(out, &st) == 0 && (st.st_mode & 0777) == 0600);
    struct nl_lab *again = nl_lab_load_cache(out, &err);
    CHECK(again != NULL);
    if (again) {
        char *a = jt_cache_text(lab), *b = jt_cache_text(again);
        CHECK(a && b && strcmp(a, b) == 0);
        json_t *orig = json_load_file(path, 0, NULL), *saved = a ? json_loads(a, 0, NULL) : NULL;
        CHECK(json_equal(saved, orig)); /* the fixture spells out every field */
        json_decref(orig);
        json_decref(saved);
        free(a);
        free(b);
        /* Overwrite in place (rename over the old file) works too. */
        CHECK_INT(nl_lab_save_cache(again, out, &err), NL_OK);
    }
    /* A clone saves the same document. */
    struct nl_lab *copy = nl_lab_clone(lab);
    char *a = jt_cache_text(lab), *c = jt_cache_text(copy);
    CHECK(a && c && strcmp(a, c) == 0);
    free(a);
    free(c);
    nl_lab_free(&copy);
    nl_lab_free(&again);

    /* Saving into a directory that does not exist fails cleanly. */
    char *bad = xasprintf("%s/missing/cache.json", tmpdir);
    nl_err_clear(&err);
    CHECK_INT(nl_lab_save_cache(lab, bad, &err), NL_ERR_IO);
    CHECK(strstr(err.message, "missing/cache.json") != NULL);
    free(bad);
    unlink(out);
    free(out);
    nl_lab_free(&lab);
    free(path);
}

static void test_hostile_round_trip(void)
{
    struct nl_lab *lab = nl_lab_new("e\"p");
    struct nl_host *h = nl_lab_add_host(lab, "host-1");
    xstrset(&h->name, "h\"<>&'$(x);`\\ \xC3\xA9\x1b[31m");
    struct nl_vm *vm = nl_lab_add_vm(lab, "vm-1");
    xstrset(&vm->name, "bad utf8 \xFF\xFE end");
    xstrset(&vm->host_id, "host-1");
    nl_vm_add_network(vm, "net \xE2\x80\xAE rtl");
    nl_lab_link(lab);
    char *out = xasprintf("%s/hostile.json", tmpdir);
    struct nl_err err = {0};
    CHECK_INT(nl_lab_save_cache(lab, out, &err), NL_OK);
    struct nl_lab *again = nl_lab_load_cache(out, &err);
    CHECK(again != NULL);
    if (again) {
        CHECK_STR(again->endpoint, "e\"p");
        CHECK_STR(again->hosts[0].name, h->name);
        /* Invalid UTF-8 is replaced by U+FFFD; the rest survives. */
        CHECK_STR(again->vms[0].name, "bad utf8 \xEF\xBF\xBD\xEF\xBF\xBD end");
        CHECK_STR(again->vms[0].networks[0], "net \xE2\x80\xAE rtl");
    }
    nl_lab_free(&again);
    unlink(out);
    free(out);
    nl_lab_free(&lab);
}

static void expect_reject(const char *name, const char *text, const char *needle)
{
    char *path = write_tmp(name, text);
    struct nl_err err = {0};
    struct nl_lab *lab = nl_lab_load_cache(path, &err);
    CHECK(lab == NULL);
    CHECK(err.code == NL_ERR_PARSE || err.code == NL_ERR_LIMIT);
    if (!strstr(err.message, needle)) {
        fprintf(stderr, "%s: message \"%s\" lacks \"%s\"\n", name, err.message, needle);
        CHECK(0);
    }
    nl_lab_free(&lab);
    unlink(path);
    free(path);
}

static void test_malformed(void)
{
    expect_reject("empty.json", "", "not valid JSON");
    expect_reject("truncated.json", "{\"version\":1,\"hosts\":[{\"id\":\"h", "not valid JSON");
    expect_reject("array.json", "[1,2]", "must be an object");
    expect_reject("noversion.json", "{\"hosts\":[]}", "version must be 1");
    expect_reject("version2.json", "{\"version\":2}", "version must be 1");
    expect_reject("hosts-type.json", "{\"version\":1,\"hosts\":{}}", "hosts must be an array");
    expect_reject("host-type.json", "{\"version\":1,\"hosts\":[42]}", "hosts[0] must be an object");
    expect_reject("noid.json", "{\"version\":1,\"vms\":[{\"name\":\"x\"}]}",
                  "vms[0].id must be a non-empty string");
    expect_reject("name-type.json", "{\"version\":1,\"vms\":[{\"id\":\"vm-1\",\"name\":7}]}",
                  "vms[0].name must be a string or null");
    expect_reject("huge.json",
                  "{\"version\":1,\"vms\":[{\"id\":\"vm-1\",\"cpus\":99999999999999}]}",
                  "vms[0].cpus is out of range");
    expect_reject("hugest.json", "{\"version\":1,\"vms\":[{\"id\":\"vm-1\",\"cpus\":1e400}]}",
                  "not valid JSON");
    expect_reject("real.json", "{\"version\":1,\"vms\":[{\"id\":\"vm-1\",\"memory_mb\":1.5}]}",
                  "memory_mb must be an integer");
    expect_reject("neg.json", "{\"version\":1,\"fetched_at\":-5}", "fetched_at");
    expect_reject("enum.json", "{\"version\":1,\"vms\":[{\"id\":\"vm-1\",\"power\":\"maybe\"}]}",
                  "vms[0].power has an unknown value");
    expect_reject("tri.json", "{\"version\":1,\"vms\":[{\"id\":\"vm-1\",\"nested_hv\":\"yes\"}]}",
                  "nested_hv must be true, false or null");
    expect_reject("dup.json", "{\"version\":1,\"hosts\":[{\"id\":\"x\"}],\"vms\":[{\"id\":\"x\"}]}",
                  "vms[0].id repeats");
    expect_reject("dupkey.json", "{\"version\":1,\"version\":1}", "not valid JSON");
    expect_reject("nul.json", "{\"version\":1,\"vms\":[{\"id\":\"vm-1\",\"name\":\"a\\u0000b\"}]}",
                  "NUL");
    expect_reject("vlan.json",
                  "{\"version\":1,\"hosts\":[{\"id\":\"h\",\"portgroups\":[{\"name\":\"p\","
                  "\"vlan\":5000}]}]}",
                  "hosts[0].portgroups[0].vlan is out of range");
    expect_reject("sec.json",
                  "{\"version\":1,\"hosts\":[{\"id\":\"h\",\"vswitches\":[{\"name\":\"v\","
                  "\"security\":{\"promiscuous\":1}}]}]}",
                  "hosts[0].vswitches[0].security.promiscuous must be true, false or null");
    expect_reject("uplinks.json",
                  "{\"version\":1,\"hosts\":[{\"id\":\"h\",\"vswitches\":[{\"name\":\"v\","
                  "\"uplinks\":[null]}]}]}",
                  "uplinks[0] must be a string");
    expect_reject("dup-pg.json",
                  "{\"version\":1,\"hosts\":[{\"id\":\"h\",\"portgroups\":[{\"name\":\"p\"},"
                  "{\"name\":\"p\"}]}]}",
                  "repeats a port group name");
    /* Deep nesting is jansson's to refuse, without a crash. */
    struct nl_buf deep;
    nl_buf_init(&deep, 0);
    for (int i = 0; i < 100000; i++)
        nl_buf_append_str(&deep, "[", NULL);
    expect_reject("deep.json", deep.data, "not valid JSON");
    nl_buf_free(&deep);

    struct nl_err err = {0};
    char *missing = xasprintf("%s/nope.json", tmpdir);
    CHECK(nl_lab_load_cache(missing, &err) == NULL);
    CHECK_INT(err.code, NL_ERR_NOT_FOUND);
    free(missing);
    nl_err_clear(&err);
    CHECK(nl_lab_load_cache(tmpdir, &err) == NULL); /* a directory */
    CHECK(err.code != NL_OK);

    /* A minimal valid file: only ids; everything else unknown. */
    char *path = write_tmp("min.json", "{\"version\":1,\"hosts\":[{\"id\":\"h\"}],"
                                       "\"vms\":[{\"id\":\"v\",\"host_id\":\"h\"}]}");
    nl_err_clear(&err);
    struct nl_lab *lab = nl_lab_load_cache(path, &err);
    CHECK(lab != NULL);
    if (lab) {
        CHECK_INT(lab->hosts[0].cpu_mhz, -1);
        CHECK_INT(lab->vms[0].nested_hv, NL_TRI_UNSET);
        CHECK_INT(lab->vms[0].host, 0);
    }
    nl_lab_free(&lab);
    unlink(path);
    free(path);
}

static void test_inventory_json(void)
{
    char *path = fixture("default-lab.json");
    struct nl_lab *lab = nl_lab_load_cache(path, NULL);
    free(path);
    CHECK(lab != NULL);
    if (!lab)
        return;
    const struct nl_lab *labs[] = {lab};
    size_t len = 0;
    char *text = jt_inventory_text(labs, 1, 1, &len);
    json_t *doc = text ? json_loadb(text, len, 0, NULL) : NULL;
    free(text);
    json_t *ep = json_array_get(json_object_get(doc, "endpoints"), 0);
    CHECK_STR(json_string_value(json_object_get(ep, "endpoint")), "vc-lab");
    CHECK_STR(json_string_value(json_object_get(ep, "fetched_at")), "2024-05-01T12:00:00Z");
    json_t *clusters = json_object_get(ep, "clusters");
    CHECK_STR(json_string_value(json_object_get(json_array_get(clusters, 0), "kind")), "physical");
    CHECK_STR(json_string_value(json_object_get(json_array_get(clusters, 2), "kind")), "nested");
    json_t *n04 = json_array_get(json_object_get(ep, "hosts"), 5);
    CHECK_STR(json_string_value(json_object_get(n04, "name")), "esx-n04.lab.invalid");
    CHECK_STR(json_string_value(json_object_get(n04, "connection")), "not-responding");
    CHECK_STR(json_string_value(json_object_get(json_object_get(n04, "backing_vm"), "name")),
              "n-esx04");
    CHECK_STR(json_string_value(json_object_get(n04, "link")), "uuid");
    json_t *p01 = json_array_get(json_object_get(ep, "hosts"), 0);
    CHECK(json_is_null(json_object_get(p01, "backing_vm")));
    json_t *vs = json_array_get(json_object_get(p01, "vswitches"), 0);
    CHECK(json_is_false(json_object_get(json_object_get(vs, "security"), "promiscuous")));
    json_t *pg = json_array_get(json_object_get(p01, "portgroups"), 1);
    CHECK_STR(json_string_value(json_object_get(pg, "name")), "VM Network");
    CHECK_INT(json_integer_value(json_object_get(pg, "vlan")), 0);
    CHECK(json_is_false(json_object_get(pg, "trunk")));
    CHECK(json_is_null(json_object_get(json_object_get(pg, "override"), "promiscuous")));
    CHECK(json_is_true(json_object_get(json_object_get(pg, "effective"), "forged_transmits")));
    json_t *vm = json_array_get(json_object_get(ep, "vms"), 4); /* n-esx04 */
    CHECK_STR(json_string_value(json_object_get(vm, "name")), "n-esx04");
    CHECK_STR(json_string_value(json_object_get(vm, "power")), "off");
    CHECK_INT(json_integer_value(json_object_get(vm, "hw_version")), 8);
    CHECK(json_is_false(json_object_get(vm, "nested_hv")));
    CHECK_STR(json_string_value(json_object_get(vm, "role")), "nested-esxi");
    CHECK_INT(json_integer_value(json_object_get(vm, "memory_mb")), 6144);
    CHECK_STR(json_string_value(json_object_get(json_object_get(vm, "host"), "name")),
              "esx-p02.lab.invalid");
    CHECK_STR(json_string_value(json_object_get(json_object_get(vm, "nested_host"), "name")),
              "esx-n04.lab.invalid");
    CHECK_STR(json_string_value(json_array_get(json_object_get(vm, "networks"), 0)), "VM Network");
    json_decref(doc);
    nl_lab_free(&lab);
}

static void test_text(void)
{
    char *path = fixture("default-lab.json");
    struct nl_lab *lab = nl_lab_load_cache(path, NULL);
    free(path);
    CHECK(lab != NULL);
    if (!lab)
        return;
    struct nl_buf b;
    struct nl_err err = {0};
    nl_buf_init(&b, 0);
    CHECK_INT(nl_lab_to_text(lab, &b, &err), NL_OK);
    printf("%s", b.data);
    CHECK(strstr(b.data, "vc-lab (vcenter, fetched 2024-05-01 12:00:00 UTC)\n") == b.data);
    CHECK(strstr(b.data, "\n      host esx-n01.lab.invalid \xE2\x87\x90 n-esx01 [connected]") !=
          NULL);
    CHECK(strstr(b.data, "host esx-n04.lab.invalid \xE2\x87\x90 n-esx04 [not-responding]") != NULL);
    CHECK(strstr(b.data, "vm n-esx04 [off] vmx-08 nested-esxi NO-NESTED-HV backs "
                         "esx-n04.lab.invalid\n") != NULL);
    CHECK(strstr(b.data, "vm kvm01 [on] vmx-13 nested-other nested-hv\n") != NULL);
    CHECK(strstr(b.data, "promiscuous:reject forged:accept mac:accept no-trunk\n") != NULL);
    /* Physical before nested; guests under their nested host. */
    const char *phys = strstr(b.data, "cluster Physical [physical]");
    const char *nested = strstr(b.data, "cluster Nested-A [nested]");
    CHECK(phys && nested && phys < nested);
    const char *web01 = strstr(b.data, "        vm web01 [on]");
    const char *n02 = strstr(b.data, "host esx-n02.lab.invalid");
    CHECK(web01 && n02 && n02 < web01);

    /* Every VM is printed exactly once. */
    for (size_t i = 0; i < lab->n_vms; i++) {
        char *needle = xasprintf("vm %s [", lab->vms[i].name);
        const char *first = strstr(b.data, needle);
        CHECK(first != NULL);
        CHECK(first && strstr(first + 1, needle) == NULL);
        free(needle);
    }
    nl_buf_free(&b);

    /* A trunk and promiscuous mode get badges; a capped buffer errors out instead of growing. */
    struct nl_portgroup *pg = nl_host_add_portgroup(&lab->hosts[0], "Nested-Trunk", "vSwitch0");
    pg->vlan = 4095;
    pg->override.promiscuous = NL_TRI_TRUE;
    nl_lab_link(lab);
    nl_buf_init(&b, 0);
    CHECK_INT(nl_lab_to_text(lab, &b, &err), NL_OK);
    CHECK(strstr(b.data, "trunk:Nested-Trunk PROMISCUOUS\n") != NULL);
    nl_buf_free(&b);
    nl_buf_init(&b, 100);
    CHECK_INT(nl_lab_to_text(lab, &b, &err), NL_ERR_LIMIT);
    nl_buf_free(&b);
    nl_lab_free(&lab);
}

static void test_escape(void)
{
    char *e = nl_term_name("a\x1b[2Jb\x07\tc\\d\x7f");
    CHECK_STR(e, "a\\x1B[2Jb\\x07\\x09c\\\\d\\x7F");
    free(e);
    e = nl_term_name("caf\xC3\xA9 \xE2\x87\x90 \xC2\x9B"
                     "1m \xE2\x80\xAE"
                     "evil \xFF");
    CHECK_STR(e, "caf\xC3\xA9 \xE2\x87\x90 \\u009B1m \\u202E"
                 "evil \\xFF");
    free(e);
    e = nl_term_name("\xE0\x80\xAF"); /* overlong '/' */
    CHECK_STR(e, "\\xE0\\x80\\xAF");
    free(e);

    /* The tree escapes hostile names. */
    struct nl_lab *lab = nl_lab_new("lab\x1b]0;x\x07");
    struct nl_host *h = nl_lab_add_host(lab, "host-1");
    xstrset(&h->name, "esx\r\n\x1b[31m");
    struct nl_vm *vm = nl_lab_add_vm(lab, "vm-1");
    xstrset(&vm->name, "\x1b[2J$(reboot)");
    xstrset(&vm->host_id, "host-1");
    struct nl_vm *orphan = nl_lab_add_vm(lab, "vm-2");
    (void)orphan; /* no name, no host */
    nl_lab_link(lab);
    struct nl_buf b;
    nl_buf_init(&b, 0);
    CHECK_INT(nl_lab_to_text(lab, &b, NULL), NL_OK);
    printf("%s", b.data);
    CHECK(strchr(b.data, '\x1b') == NULL);
    CHECK(strchr(b.data, '\r') == NULL);
    CHECK(strstr(b.data, "host esx\\x0D\\x0A\\x1B[31m [unknown]") != NULL);
    CHECK(strstr(b.data, "vm \\x1B[2J$(reboot) [unknown]") != NULL);
    CHECK(strstr(b.data, "VMs on unknown hosts\n    vm vm-2 [unknown] guest\n") != NULL);
    nl_buf_free(&b);
    nl_lab_free(&lab);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_round_trip();
    test_hostile_round_trip();
    test_malformed();
    test_inventory_json();
    test_text();
    test_escape();
    rmdir(tmpdir);
    return nl_check_done();
}
