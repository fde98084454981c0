/* Scope resolution: flags and names to host/VM sets, errors with suggestions, hostile names. */
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/ops/scope.h"
#include "check.h"
#include "fixture.h"

static bool has_host(const struct nl_lab *lab, const struct ops_scope *s, const char *name)
{
    for (size_t i = 0; i < s->n_hosts; i++)
        if (strcmp(lab->hosts[s->hosts[i]].name, name) == 0)
            return true;
    return false;
}

static bool has_vm(const struct nl_lab *lab, const struct ops_scope *s, const char *name)
{
    for (size_t i = 0; i < s->n_vms; i++)
        if (strcmp(lab->vms[s->vms[i]].name, name) == 0)
            return true;
    return false;
}

static void test_empty(struct nl_lab *lab)
{
    struct ops_scope_req req;
    struct ops_scope *s = NULL;
    struct nl_err err = {0};
    ops_scope_req_init(&req);
    CHECK(ops_scope_req_is_empty(&req));
    CHECK_INT(ops_scope_resolve(lab, &req, &s, &err), NL_ERR_USAGE);
    CHECK(s == NULL);
    CHECK(strstr(err.message, "never means everything") != NULL);
}

static void test_cluster_and_flags(struct nl_lab *lab)
{
    struct ops_scope_req req;
    struct ops_scope *s = NULL;
    struct nl_err err = {0};

    ops_scope_req_init(&req);
    ops_scope_req_add_cluster(&req, "Physical");
    CHECK_INT(ops_scope_resolve(lab, &req, &s, &err), NL_OK);
    CHECK_INT(s->n_hosts, 3);
    CHECK(has_host(lab, s, "esx-p01.lab.invalid") && has_host(lab, s, "esx-p03.lab.invalid"));
    CHECK(!has_host(lab, s, "esx-n01.lab.invalid"));
    /* the nested-hypervisor VMs running on the cluster, not the guest */
    CHECK(has_vm(lab, s, "n-esx01") && has_vm(lab, s, "n-esx02") && has_vm(lab, s, "n-esx03"));
    CHECK(has_vm(lab, s, "kvm01"));
    CHECK(!has_vm(lab, s, "web01"));
    CHECK_INT(s->n_named_vms, 0);
    CHECK_STR(s->host_ids[0], "host-1");
    ops_scope_free(&s);
    ops_scope_req_clear(&req);

    /* Nested-A: its hosts and the VMs backing them */
    ops_scope_req_add_cluster(&req, "Nested-A");
    CHECK_INT(ops_scope_resolve(lab, &req, &s, &err), NL_OK);
    CHECK_INT(s->n_hosts, 2);
    CHECK(has_vm(lab, s, "n-esx01") && has_vm(lab, s, "n-esx02"));
    CHECK(!has_vm(lab, s, "kvm01"));
    ops_scope_free(&s);
    ops_scope_req_clear(&req);

    req.all_nested = true;
    CHECK_INT(ops_scope_resolve(lab, &req, &s, &err), NL_OK);
    CHECK_INT(s->n_hosts, 2);
    CHECK(has_host(lab, s, "esx-n02.lab.invalid"));
    ops_scope_free(&s);
    ops_scope_req_clear(&req);

    req.all_physical = true;
    CHECK_INT(ops_scope_resolve(lab, &req, &s, &err), NL_OK);
    CHECK_INT(s->n_hosts, 3);
    ops_scope_free(&s);
    ops_scope_req_clear(&req);

    req.all = true;
    CHECK_INT(ops_scope_resolve(lab, &req, &s, &err), NL_OK);
    CHECK_INT(s->n_hosts, 5);
    ops_scope_free(&s);
    ops_scope_req_clear(&req);

    /* repeated and overlapping selections give each host once; short host names work */
    ops_scope_req_add_host(&req, "esx-p01");
    ops_scope_req_add_host(&req, "esx-p01.lab.invalid");
    ops_scope_req_add_cluster(&req, "Physical");
    ops_scope_req_add_vm(&req, "web01");
    CHECK_INT(ops_scope_resolve(lab, &req, &s, &err), NL_OK);
    CHECK_INT(s->n_hosts, 3);
    CHECK_INT(s->n_named_vms, 1);
    CHECK_STR(lab->vms[s->vms[0]].name, "web01");
    ops_scope_free(&s);
    ops_scope_req_clear(&req);
}

static void test_unknown(struct nl_lab *lab)
{
    struct ops_scope_req req;
    struct ops_scope *s = NULL;
    struct nl_err err = {0};
    ops_scope_req_init(&req);
    ops_scope_req_add_cluster(&req, "physical");
    ops_scope_req_add_host(&req, "esx-p9.lab.invalid");
    ops_scope_req_add_vm(&req, "zzzzzzzz");
    CHECK_INT(ops_scope_resolve(lab, &req, &s, &err), NL_ERR_NOT_FOUND);
    CHECK(s == NULL);
    CHECK(strstr(err.message, "cluster 'physical' (did you mean 'Physical'?)") != NULL);
    CHECK(strstr(err.message, "host 'esx-p9.lab.invalid' (did you mean 'esx-p01.lab.invalid'") !=
          NULL);
    CHECK(strstr(err.message, "VM 'zzzzzzzz' (no close match)") != NULL);
    CHECK(strstr(err.message, "Some names were not found in 'vc-test'") == err.message);
    CHECK(err.message[strlen(err.message) - 1] == '.');
    ops_scope_req_clear(&req);

    /* an ambiguous short name is not guessed */
    nl_err_clear(&err);
    ops_scope_req_add_host(&req, "esx");
    CHECK_INT(ops_scope_resolve(lab, &req, &s, &err), NL_ERR_NOT_FOUND);
    ops_scope_req_clear(&req);
}

static void test_suggest(void)
{
    const char *c[] = {"Nested-A", "Nested-B", "Physical", "Nésted-Ω", "vSwitch0"};
    char *s = ops_suggest("Nested-C", c, 5);
    CHECK_STR(s, "'Nested-A', 'Nested-B' or 'Nésted-Ω'");
    free(s);
    s = ops_suggest("vswitch0", c, 5); /* case only */
    CHECK_STR(s, "'vSwitch0'");
    free(s);
    s = ops_suggest("Nested-Ω", c + 3, 1); /* one code point away, not two bytes */
    CHECK_STR(s, "'Nésted-Ω'");
    free(s);
    s = ops_suggest("Phys", c, 5); /* prefix */
    CHECK_STR(s, "'Physical'");
    free(s);
    s = ops_suggest("completely-different", c, 5);
    CHECK(s == NULL);
    /* a control character in a candidate is escaped in the sentence */
    const char *evil[] = {"vSwitch\x1b[31m0"};
    s = ops_suggest("vSwitch[31m0", evil, 1);
    CHECK(s && strchr(s, 0x1b) == NULL && strstr(s, "\\x1B") != NULL);
    free(s);
}

static void test_hostile(void)
{
    static const char *names[] = {"web \"01\" <a&b>", "$(rm -rf /); echo", "Ünïcødé ☃ VM",
                                  "tab\there"};
    struct nl_lab *lab = fx_lab_small();
    for (size_t i = 0; i < 4; i++) {
        char id[16];
        snprintf(id, sizeof(id), "vm-h%zu", i);
        struct nl_vm *v = nl_lab_add_vm(lab, id);
        xstrset(&v->name, names[i]);
        xstrset(&v->host_id, "host-1");
    }
    nl_lab_link(lab);
    for (size_t i = 0; i < 4; i++) {
        struct ops_scope_req req;
        struct ops_scope *s = NULL;
        struct nl_err err = {0};
        ops_scope_req_init(&req);
        ops_scope_req_add_vm(&req, names[i]);
        CHECK_INT(ops_scope_resolve(lab, &req, &s, &err), NL_OK);
        CHECK(s && s->n_vms == 1 && strcmp(lab->vms[s->vms[0]].name, names[i]) == 0);
        ops_scope_free(&s);
        ops_scope_req_clear(&req);
    }
    /* byte-exact: a trailing space is another name */
    struct ops_scope_req req;
    struct ops_scope *s = NULL;
    struct nl_err err = {0};
    ops_scope_req_init(&req);
    ops_scope_req_add_vm(&req, "Ünïcødé ☃ VM ");
    CHECK_INT(ops_scope_resolve(lab, &req, &s, &err), NL_ERR_NOT_FOUND);
    CHECK(strstr(err.message, "did you mean 'Ünïcødé ☃ VM'?") != NULL);
    ops_scope_req_clear(&req);
    /* invalid UTF-8 in a request neither crashes nor leaks raw bytes into the message */
    nl_err_clear(&err);
    ops_scope_req_add_vm(&req, "bad\xff\xfename");
    CHECK_INT(ops_scope_resolve(lab, &req, &s, &err), NL_ERR_NOT_FOUND);
    CHECK(strstr(err.message, "bad\\xFF\\xFEname") != NULL);
    ops_scope_req_clear(&req);
    nl_lab_free(&lab);
}

int main(void)
{
    struct nl_lab *lab = fx_lab_small();
    test_empty(lab);
    test_cluster_and_flags(lab);
    test_unknown(lab);
    test_suggest();
    test_hostile();
    nl_lab_free(&lab);
    return nl_check_done();
}
