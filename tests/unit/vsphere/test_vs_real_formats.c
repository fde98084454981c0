/* The SOAP layer on replies captured from real servers (../shared/real-formats/soap: vCenter
 * 9.0.1, vCenter 5.5 in simulator mode, govmomi's fixtures from a real vCenter). Every file goes
 * through the streamed reader whole and in pieces of 1, 7 and 4096 bytes, as sent and indented;
 * the files nestlab reads are then checked for the values they really hold. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "real_formats.h"
#include "vs_fixture.h"

#include "backend/model/lab.h"
#include "backend/vsphere/vs_client.h"
#include "backend/vsphere/vs_inventory.h"
#include "backend/vsphere/vs_soap.h"
#include "backend/vsphere/vs_tree.h"
#include "backend/vsphere/vs_update.h"
#include "backend/vsphere/vs_xml.h"

static const size_t chunks[] = {0, 1, 7, 4096};
#define N_CHUNKS (sizeof chunks / sizeof chunks[0])

/* govmomi stores the Body's child only: put it back into an envelope, as it came off the wire. */
static char *as_envelope(const char *xml, size_t len, size_t *out_len)
{
    if (strstr(xml, "Envelope")) {
        char *copy = malloc(len + 1);
        memcpy(copy, xml, len + 1);
        *out_len = len;
        return copy;
    }
    const char *body = xml;
    if (strncmp(body, "<?xml", 5) == 0)
        body = strstr(body, "?>") + 2;
    const char *head = "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/"
                       "envelope/\"><soapenv:Body>";
    const char *tail = "</soapenv:Body></soapenv:Envelope>";
    size_t n = strlen(head) + strlen(body) + strlen(tail);
    char *out = malloc(n + 1);
    snprintf(out, n + 1, "%s%s%s", head, body, tail);
    *out_len = n;
    return out;
}

/* The method a file answers, from its name: "..._<Method>Response..." or "..._<Method>_fault_...".
 */
static void method_of(const char *name, char *method, size_t size, long *status)
{
    const char *fault = strstr(name, "_fault_");
    const char *end = fault ? fault : strstr(name, "Response");
    *status = fault ? 500 : 200;
    const char *start = end;
    while (start > name && start[-1] != '_')
        start--;
    snprintf(method, size, "%.*s", (int)(end - start), start);
}

static void parses_every_way(const char *name, void *arg)
{
    (void)arg;
    size_t raw_len, len, ind_len;
    char *raw = rf_read("soap", name, &raw_len);
    char *xml = as_envelope(raw, raw_len, &len);
    char *indented = vs_fixture_indent(xml, len, &ind_len);
    char method[128];
    long status;
    method_of(name, method, sizeof method, &status);
    for (int pretty = 0; pretty <= 1; pretty++) {
        for (size_t i = 0; i < N_CHUNKS; i++) {
            struct vs_reply r;
            struct nl_err err = {0};
            enum nl_code rc =
                vs_reply_parse(method, "https://vc.test/sdk", status, pretty ? indented : xml,
                               pretty ? ind_len : len, chunks[i], NULL, 0, &r, &err);
            if (status == 200) {
                CHECK_INT(rc, NL_OK);
                CHECK(r.response != NULL);
            } else {
                CHECK(rc == NL_ERR_AUTH || rc == NL_ERR_FAULT);
                CHECK(err.detail[0] != '\0');
            }
            if ((status == 200) != (rc == NL_OK))
                fprintf(stderr, "  file %s (method %s, chunk %zu, %s): %s\n", name, method,
                        chunks[i], pretty ? "indented" : "as sent", err.message);
            vs_reply_clear(&r);
        }
    }
    free(indented);
    free(xml);
    free(raw);
}

static char *real_reply(const char *name, size_t *len)
{
    size_t raw_len;
    char *raw = rf_read("soap", name, &raw_len);
    char *xml = as_envelope(raw, raw_len, len);
    free(raw);
    return xml;
}

static void test_service_content(void)
{
    size_t len;
    char *xml = real_reply("miq_vc901_RetrieveServiceContentResponse.xml", &len);
    struct vs_reply r;
    struct nl_err err = {0};
    CHECK_INT(vs_reply_parse("RetrieveServiceContent", "u", 200, xml, len, 7, NULL, 0, &r, &err),
              NL_OK);
    struct vs_service_content sc = {0};
    CHECK_INT(vs_service_content_read(r.returnval, "u", &sc, &err), NL_OK);
    CHECK_STR(sc.api_type, "VirtualCenter");
    CHECK_STR(sc.api_version, "9.0.0.0");
    CHECK_STR(sc.full_name, "VMware vCenter Server 9.0.1 build-24957454");
    CHECK_STR(sc.root_folder.id, "group-d1");
    CHECK_STR(sc.property_collector.type, "PropertyCollector");
    CHECK_STR(sc.perf_manager.id, "PerfMgr");
    vs_service_content_clear(&sc);
    vs_reply_clear(&r);
    free(xml);
}

static void test_login_and_faults(void)
{
    size_t len;
    char *xml = real_reply("miq_vc901_LoginResponse.xml", &len);
    struct vs_reply r;
    struct nl_err err = {0};
    CHECK_INT(vs_reply_parse("Login", "u", 200, xml, len, 1, NULL, 0, &r, &err), NL_OK);
    char *user = vs_xml_child_text(r.returnval, "userName");
    CHECK_STR(user, "TURBO\\adam.grare");
    free(user);
    vs_reply_clear(&r);
    free(xml);

    xml = real_reply("govmomi_Login_fault_InvalidLogin.xml", &len);
    CHECK_INT(vs_reply_parse("Login", "u", 500, xml, len, 7, NULL, 0, &r, &err), NL_ERR_AUTH);
    CHECK_STR(err.detail, "InvalidLogin");
    CHECK(strstr(err.message, "incorrect user name or password") != NULL);
    free(xml);

    /* a prefixed xsi:type ("vim25:InvalidRequest") on an element named RuntimeFaultFault */
    memset(&err, 0, sizeof err);
    xml = real_reply("miq_vc550sim_pbm_PbmRetrieveContent_fault_InvalidRequest.xml", &len);
    CHECK_INT(vs_reply_parse("PbmRetrieveContent", "u", 500, xml, len, 0, NULL, 0, &r, &err),
              NL_ERR_FAULT);
    CHECK_STR(err.detail, "InvalidRequest");
    CHECK(strstr(err.message, "'profileIds'") != NULL);
    free(xml);
}

/* The paged inventory of a vCenter 5.5: page 1 carries the token "0" (a real token, not "no
 * token"), page 2 none. */
static void test_paged_inventory(void)
{
    for (size_t i = 0; i < N_CHUNKS; i++) {
        struct nl_lab *lab = nl_lab_new("real");
        struct vs_tree *tree = vs_tree_new();
        size_t len;
        char *xml = real_reply("miq_vc550sim_RetrievePropertiesExResponse_with_token.xml", &len);
        char *token = NULL;
        struct nl_err err = {0};
        CHECK_INT(vs_inventory_parse("RetrievePropertiesEx", 200, xml, len, chunks[i], lab, tree,
                                     &token, &err),
                  NL_OK);
        CHECK_STR(token, "0");
        CHECK_INT(lab->n_vms, 64);
        CHECK_INT(lab->n_hosts, 6);
        CHECK(nl_lab_find_vm(lab, "vm-48") != NULL);
        free(token);
        free(xml);
        xml = real_reply("miq_vc550sim_ContinueRetrievePropertiesExResponse.xml", &len);
        CHECK_INT(vs_inventory_parse("ContinueRetrievePropertiesEx", 200, xml, len, chunks[i], lab,
                                     tree, &token, &err),
                  NL_OK);
        CHECK(token == NULL);
        CHECK_INT(lab->n_hosts, 16); /* 6 + 10 */
        CHECK(nl_lab_find_host(lab, "host-101") != NULL);
        free(xml);
        vs_tree_free(&tree);
        nl_lab_free(&lab);
    }
}

/* govmomi's RetrieveProperties fixtures through the inventory's own property decoding. */
static void test_retrieve_properties(void)
{
    struct nl_lab *lab = nl_lab_new("real");
    struct vs_tree *tree = vs_tree_new();
    char *token = NULL;
    struct nl_err err = {0};
    size_t len;
    char *xml = real_reply("govmomi_RetrievePropertiesResponse_hostsystem_names.xml", &len);
    CHECK_INT(vs_inventory_parse("RetrieveProperties", 200, xml, len, 1, lab, tree, &token, &err),
              NL_OK);
    free(xml);
    xml = real_reply("govmomi_RetrievePropertiesResponse_nested_property.xml", &len);
    CHECK_INT(vs_inventory_parse("RetrieveProperties", 200, xml, len, 7, lab, tree, &token, &err),
              NL_OK);
    free(xml);
    CHECK(token == NULL);
    struct nl_host *h = nl_lab_find_host(lab, "host-30");
    CHECK(h != NULL && h->name && strcmp(h->name, "host-02.example.com") == 0);
    struct nl_vm *vm = nl_lab_find_vm(lab, "vm-411");
    CHECK(vm != NULL && vm->uuid && strcmp(vm->uuid, "422ec880-ab06-06b4-23f3-beb7a052a4c9") == 0);

    /* NotAuthenticated inside a missingSet is the session's end, not a missing property. */
    xml = real_reply("govmomi_RetrievePropertiesResponse_missingSet_NotAuthenticated.xml", &len);
    CHECK_INT(vs_inventory_parse("RetrieveProperties", 200, xml, len, 0, lab, tree, &token, &err),
              NL_ERR_AUTH);
    CHECK_STR(err.detail, "NotAuthenticated");
    free(xml);
    vs_tree_free(&tree);
    nl_lab_free(&lab);
}

/* A vCenter 5.5's first WaitForUpdatesEx (1.2 MB, truncated, version "0_1") and the next one. */
static void test_updates(void)
{
    for (size_t i = 0; i < N_CHUNKS; i++) {
        struct nl_lab *lab = nl_lab_new("real");
        struct vs_tree *tree = vs_tree_new();
        size_t len;
        char *xml =
            real_reply("miq_vc550sim_WaitForUpdatesExResponse_initial_version_0_1.xml", &len);
        struct vs_update *u = NULL;
        char *version = NULL;
        bool truncated = false;
        struct nl_err err = {0};
        CHECK_INT(vs_update_parse(xml, len, chunks[i], tree, &u, &version, &truncated, &err),
                  NL_OK);
        CHECK_STR(version, "0_1");
        CHECK(truncated);
        CHECK(u != NULL);
        if (u) {
            CHECK_INT(u->n_objs, 100);
            for (size_t k = 0; k < u->n_objs; k++)
                CHECK_INT(u->objs[k].kind, VS_UPDATE_ENTER);
            vs_update_apply(lab, u);
            nl_lab_link(lab);
        }
        vs_update_free(&u);
        free(xml);
        CHECK_INT(lab->n_hosts, 4);
        CHECK_INT(lab->n_clusters, 4);
        CHECK_INT(lab->n_vms, 64);
        struct nl_host *h = nl_lab_find_host(lab, "host-42");
        CHECK(h != NULL);
        if (h) {
            CHECK_STR(h->name, "DC0_C1_H3");
            CHECK_STR(h->cluster_id, "domain-c37");
            CHECK_INT(h->n_vswitches, 1);
            if (h->n_vswitches == 1) {
                CHECK_STR(h->vswitches[0].name, "vSwitch0");
                CHECK_INT(h->vswitches[0].num_ports, 64);
                CHECK_INT(h->vswitches[0].security.promiscuous, NL_TRI_FALSE);
                CHECK_INT(h->vswitches[0].security.mac_changes, NL_TRI_TRUE);
                CHECK_INT(h->vswitches[0].security.forged_transmits, NL_TRI_TRUE);
            }
            CHECK(h->n_portgroups == 2);
        }
        struct nl_cluster *c = nl_lab_find_cluster(lab, "domain-c37");
        CHECK(c != NULL && c->name && strcmp(c->name, "DC0_C1") == 0);
        struct nl_vm *vm = nl_lab_find_vm(lab, "vm-48");
        CHECK(vm != NULL && vm->name && strcmp(vm->name, "DC0_C1_RP0_VM4") == 0);
        CHECK(vm != NULL && vm->hw_version == 7);

        xml = real_reply("miq_vc550sim_WaitForUpdatesExResponse_version_1.xml", &len);
        CHECK_INT(vs_update_parse(xml, len, chunks[i], tree, &u, &version, &truncated, &err),
                  NL_OK);
        CHECK_STR(version, "1");
        CHECK(!truncated);
        if (u) {
            CHECK_INT(u->n_objs, 22);
            vs_update_apply(lab, u);
            nl_lab_link(lab);
        }
        CHECK_INT(lab->n_hosts, 16);
        struct nl_host *h2 = nl_lab_find_host(lab, "host-73");
        CHECK(h2 != NULL && h2->name && strcmp(h2->name, "DC1_C0_H0") == 0);
        vs_update_free(&u);
        free(version);
        free(xml);
        vs_tree_free(&tree);
        nl_lab_free(&lab);
    }
}

int main(void)
{
    int n = rf_each("soap", parses_every_way, NULL);
    CHECK(n >= 20);
    test_service_content();
    test_login_and_faults();
    test_paged_inventory();
    test_retrieve_properties();
    test_updates();
    return nl_check_done();
}
