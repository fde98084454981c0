/* Inventory parsing on recorded labsim pages: the default lab (two pages, token), hostile names,
 * nested links, missingSet faults, unknown enum values, chunked streaming, and the change
 * builders of the executor (vSwitch spec copy keeps bridge and uplinks). */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "check.h"
#include "vs_fixture.h"

#include "backend/vsphere/vs_exec.h"
#include "backend/vsphere/vs_inventory.h"
#include "backend/vsphere/vs_prop.h"
#include "backend/vsphere/vs_soap.h"
#include "backend/vsphere/vs_xml.h"

static const char *hostile = "db01 <x> & \"q\" 'é ü";

static enum nl_code parse_page(const char *file, const char *method, size_t chunk,
                               struct nl_lab *lab, struct vs_tree *tree, char **token,
                               struct nl_err *err)
{
    size_t len;
    char *body = vs_fixture(file, &len);
    enum nl_code rc = vs_inventory_parse(method, 200, body, len, chunk, lab, tree, token, err);
    free(body);
    return rc;
}

static struct nl_lab *load_default(size_t chunk)
{
    struct nl_lab *lab = nl_lab_new("vc-lab");
    struct vs_tree *tree = vs_tree_new();
    struct nl_err err = {0};
    char *token = NULL;
    CHECK_INT(
        parse_page("inventory_page1.xml", "RetrievePropertiesEx", chunk, lab, tree, &token, &err),
        NL_OK);
    CHECK(token != NULL);
    free(token);
    CHECK_INT(parse_page("inventory_page2.xml", "ContinueRetrievePropertiesEx", chunk, lab, tree,
                         &token, &err),
              NL_OK);
    CHECK(token == NULL);
    vs_prop_resolve(lab, tree);
    vs_tree_free(&tree);
    nl_lab_link(lab);
    return lab;
}

static void test_default_lab(size_t chunk)
{
    struct nl_lab *lab = load_default(chunk);
    CHECK_INT(lab->n_datacenters, 1);
    CHECK_STR(lab->datacenters[0].name, "Lab");
    CHECK_INT(lab->n_clusters, 3);
    CHECK_INT(lab->n_hosts, 6);
    CHECK_INT(lab->n_vms, 13);
    CHECK_INT(lab->n_networks, 2);

    struct nl_cluster *phys = nl_lab_find_cluster_by_name(lab, "Physical");
    CHECK(phys != NULL);
    if (phys) {
        CHECK_STR(phys->datacenter_id, lab->datacenters[0].id);
        CHECK_INT(phys->kind, NL_CLUSTER_PHYSICAL);
    }
    struct nl_cluster *na = nl_lab_find_cluster_by_name(lab, "Nested-A");
    CHECK(na && na->kind == NL_CLUSTER_NESTED);

    struct nl_host *p01 = nl_lab_find_host_by_name(lab, "esx-p01.lab.invalid");
    CHECK(p01 != NULL);
    if (p01) {
        CHECK_STR(p01->cluster_id, phys ? phys->id : "?");
        CHECK_STR(p01->datacenter_id, lab->datacenters[0].id);
        CHECK_INT(p01->connection, NL_CONN_CONNECTED);
        CHECK(p01->network_system && strncmp(p01->network_system, "hostnetworksystem-", 18) == 0);
        CHECK(p01->bios_uuid != NULL);
        CHECK(p01->cpu_packages > 0 && p01->cpu_mhz > 0);
        CHECK_INT(p01->n_vswitches, 1);
        if (p01->n_vswitches) {
            struct nl_vswitch *vs = &p01->vswitches[0];
            CHECK_STR(vs->name, "vSwitch0");
            CHECK_INT(vs->num_ports, 128);
            CHECK_INT(vs->mtu, 1500);
            CHECK_INT(vs->n_uplinks, 1);
            CHECK_STR(vs->n_uplinks ? vs->uplinks[0] : "", "vmnic0");
            CHECK_INT(vs->security.promiscuous, NL_TRI_FALSE);
            CHECK_INT(vs->security.forged_transmits, NL_TRI_TRUE);
            CHECK_INT(vs->security.mac_changes, NL_TRI_TRUE);
        }
        struct nl_portgroup *pg = nl_host_find_portgroup(p01, "VM Network");
        CHECK(pg != NULL);
        if (pg) {
            CHECK_INT(pg->vlan, 0);
            CHECK_STR(pg->vswitch, "vSwitch0");
            CHECK_INT(pg->override.promiscuous, NL_TRI_UNSET);
            CHECK_INT(pg->effective.promiscuous, NL_TRI_FALSE);
        }
    }
    struct nl_host *n04 = nl_lab_find_host_by_name(lab, "esx-n04.lab.invalid");
    CHECK(n04 && n04->connection == NL_CONN_NOT_RESPONDING);

    /* Nested links by BIOS UUID: every esx-nXX is backed by n-esxXX. */
    for (int i = 1; i <= 4; i++) {
        char hn[64], vn[64];
        snprintf(hn, sizeof hn, "esx-n%02d.lab.invalid", i);
        snprintf(vn, sizeof vn, "n-esx%02d", i);
        struct nl_host *h = nl_lab_find_host_by_name(lab, hn);
        CHECK(h && h->backing_vm >= 0 && h->link == NL_LINK_UUID);
        if (h && h->backing_vm >= 0)
            CHECK_STR(lab->vms[h->backing_vm].name, vn);
    }

    struct nl_vm *vm = nl_lab_find_vm_by_name(lab, "n-esx04");
    CHECK(vm != NULL);
    if (vm) {
        CHECK_INT(vm->power, NL_POWER_OFF);
        CHECK_INT(vm->hw_version, 8);
        CHECK_INT(vm->nested_hv, NL_TRI_FALSE);
        CHECK_STR(vm->guest_id, "vmkernel65Guest");
        CHECK_INT(vm->cpus, 2);
        CHECK_INT(vm->memory_mb, 6144);
        CHECK_INT(vm->role, NL_ROLE_NESTED_ESXI);
        CHECK_INT(vm->n_networks, 1);
        CHECK_STR(vm->n_networks ? vm->networks[0] : "", "VM Network");
    }
    struct nl_vm *k1 = nl_lab_find_vm_by_name(lab, "kvm01");
    CHECK(k1 && k1->nested_hv == NL_TRI_TRUE && k1->power == NL_POWER_ON);
    CHECK(k1 && k1->tools && strcmp(k1->tools, "guestToolsRunning") == 0);

    /* The renamed VM keeps its name byte for byte. */
    struct nl_vm *h = nl_lab_find_vm_by_name(lab, hostile);
    CHECK(h != NULL);
    CHECK(nl_lab_find_vm_by_name(lab, "db01") == NULL);
    nl_lab_free(&lab);
}

static void test_missing_and_unknown(void)
{
    struct nl_lab *lab = nl_lab_new("x");
    struct vs_tree *tree = vs_tree_new();
    struct nl_err err = {0};
    char *token = NULL;
    CHECK_INT(
        parse_page("missingset_notauth.xml", "RetrievePropertiesEx", 0, lab, tree, &token, &err),
        NL_ERR_AUTH);
    CHECK_STR(err.detail, "NotAuthenticated");
    nl_lab_free(&lab);
    vs_tree_free(&tree);

    lab = nl_lab_new("x");
    tree = vs_tree_new();
    memset(&err, 0, sizeof err);
    CHECK_INT(
        parse_page("derived_unknown_enums.xml", "RetrievePropertiesEx", 0, lab, tree, &token, &err),
        NL_OK);
    free(token);
    nl_lab_link(lab);
    struct nl_vm *vm = nl_lab_find_vm_by_name(lab, "vcsa");
    CHECK(vm != NULL);
    if (vm) {
        CHECK_INT(vm->power, NL_POWER_UNKNOWN); /* "hibernating" */
        CHECK_INT(vm->cpus, -1);                /* "lots" */
        CHECK_INT(vm->hw_version, 0);           /* "vmx-x" */
        CHECK_INT(vm->memory_mb, 12288);        /* the rest is still read */
    }
    CHECK_INT(lab->hosts[0].connection, NL_CONN_UNKNOWN); /* "maintenance" */
    CHECK(lab->hosts[0].name != NULL);
    nl_lab_free(&lab);
    vs_tree_free(&tree);

    lab = nl_lab_new("x");
    memset(&err, 0, sizeof err);
    CHECK_INT(
        parse_page("derived_truncated.xml", "RetrievePropertiesEx", 0, lab, NULL, &token, &err),
        NL_ERR_PARSE);
    nl_lab_free(&lab);
}

/* The HostVirtualSwitch of esx-p01 as the server sent it. */
static xmlDoc *host_vswitch(xmlNode **hvs)
{
    size_t len;
    char *body = vs_fixture("inventory_page1.xml", &len);
    xmlDoc *doc = xmlReadMemory(body, (int)len, NULL, NULL, XML_PARSE_NONET);
    free(body);
    *hvs = NULL;
    xmlNode *rv = vs_xml_child(vs_xml_child(vs_xml_child(xmlDocGetRootElement(doc), "Body"),
                                            "RetrievePropertiesExResponse"),
                               "returnval");
    for (xmlNode *o = vs_xml_child(rv, "objects"); o && !*hvs; o = vs_xml_next(o, "objects")) {
        xmlNode *val = vs_object_prop(o, "config.network.vswitch");
        if (val)
            *hvs = vs_xml_child(val, "HostVirtualSwitch");
    }
    return doc;
}

static void test_vswitch_spec(void)
{
    xmlNode *hvs;
    xmlDoc *src = host_vswitch(&hvs);
    CHECK(hvs != NULL);
    xmlNode *m;
    xmlDoc *req = vs_envelope_new("UpdateVirtualSwitch", "HostNetworkSystem", "ns-1", &m);
    vs_xml_add(m, "vswitchName", "vSwitch0");
    struct nl_security want = {NL_TRI_TRUE, NL_TRI_UNSET, NL_TRI_FALSE};
    struct nl_err err = {0};
    CHECK_INT(vs_vswitch_spec_build(m, hvs, &want, &err), NL_OK);
    size_t len;
    char *xml = vs_envelope_dump(req, &len);
    /* Re-read as the server would, namespace-aware. */
    xmlDoc *back = xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET);
    xmlNode *spec = vs_xml_child(
        vs_xml_child(vs_xml_child(xmlDocGetRootElement(back), "Body"), "UpdateVirtualSwitch"),
        "spec");
    CHECK(spec != NULL);
    CHECK(spec && spec->ns && strcmp((const char *)spec->ns->href, "urn:vim25") == 0);
    xmlNode *bridge = vs_xml_child(spec, "bridge");
    char *bt = vs_xml_xsi_type(bridge);
    CHECK_STR(bt, "HostVirtualSwitchBondBridge");
    free(bt);
    char *nic = vs_xml_child_text(bridge, "nicDevice");
    CHECK_STR(nic, "vmnic0");
    free(nic);
    char *ports = vs_xml_child_text(spec, "numPorts");
    CHECK_STR(ports, "128");
    free(ports);
    xmlNode *sec = vs_xml_child(vs_xml_child(spec, "policy"), "security");
    xmlNode *first = vs_xml_first_element(sec);
    CHECK(vs_xml_is(first, "allowPromiscuous"));
    char *p = vs_xml_child_text(sec, "allowPromiscuous");
    char *mc = vs_xml_child_text(sec, "macChanges");
    char *ft = vs_xml_child_text(sec, "forgedTransmits");
    CHECK_STR(p, "true");
    CHECK_STR(mc, "false");
    CHECK_STR(ft, "true"); /* kept from the host */
    free(p);
    free(mc);
    free(ft);
    /* The rest of the policy (teaming) is still there. */
    CHECK(vs_xml_child(vs_xml_child(spec, "policy"), "nicTeaming") != NULL);
    xmlFreeDoc(back);
    xmlFree(xml);
    xmlFreeDoc(req);
    xmlFreeDoc(src);

    /* No spec at all: a clear error, not a crash. */
    xmlDoc *d = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *bare = xmlNewNode(NULL, (const xmlChar *)"HostVirtualSwitch");
    xmlDocSetRootElement(d, bare);
    req = vs_envelope_new("UpdateVirtualSwitch", "HostNetworkSystem", "ns-1", &m);
    memset(&err, 0, sizeof err);
    CHECK_INT(vs_vswitch_spec_build(m, bare, &want, &err), NL_ERR_PROTOCOL);
    xmlFreeDoc(req);
    xmlFreeDoc(d);
}

static void test_portgroup_spec(void)
{
    xmlNode *m;
    xmlDoc *req = vs_envelope_new("UpdatePortGroup", "HostNetworkSystem", "ns-1", &m);
    vs_xml_add(m, "pgName", hostile);
    struct nl_security ov = {NL_TRI_TRUE, NL_TRI_UNSET, NL_TRI_UNSET};
    vs_portgroup_spec_build(m, hostile, 4095, "vSwitch0", NULL, &ov);
    size_t len;
    char *xml = vs_envelope_dump(req, &len);
    CHECK(strstr(xml, "<name>db01 &lt;x&gt; &amp; \"q\" 'é ü</name>") != NULL);
    CHECK(strstr(xml, "<vlanId>4095</vlanId><vswitchName>vSwitch0</vswitchName><policy><security>"
                      "<allowPromiscuous>true</allowPromiscuous></security></policy>") != NULL);
    xmlFree(xml);
    xmlFreeDoc(req);

    /* All UNSET: the override is dropped, the policy element stays (it is required). */
    req = vs_envelope_new("UpdatePortGroup", "HostNetworkSystem", "ns-1", &m);
    struct nl_security none = {NL_TRI_UNSET, NL_TRI_UNSET, NL_TRI_UNSET};
    vs_portgroup_spec_build(m, "Trunk", 0, "vSwitch0", NULL, &none);
    xml = vs_envelope_dump(req, &len);
    CHECK(strstr(xml, "<vswitchName>vSwitch0</vswitchName><policy/></portgrp>") != NULL);
    xmlFree(xml);
    xmlFreeDoc(req);
}

/* A server that pages forever is stopped; one that pages honestly, however finely, is not. */
/* config.network.vnic: the MAC of vmk0 wherever it is in the list, in the model's spelling. */
static void test_vmk0_mac(void)
{
    struct nl_lab *lab = nl_lab_new("vc-lab");
    struct nl_err err = {0};
    char *token = NULL;
    CHECK_INT(parse_page("derived_vnic.xml", "RetrievePropertiesEx", 0, lab, NULL, &token, &err),
              NL_OK);
    nl_lab_link(lab);
    const struct nl_host *h = nl_lab_find_host(lab, "host-21");
    CHECK(h && h->vmk0_mac && strcmp(h->vmk0_mac, "00:50:56:6f:9d:66") == 0);
    h = nl_lab_find_host(lab, "host-22");
    CHECK(h && h->vmk0_mac && strcmp(h->vmk0_mac, "00:50:56:6f:9d:66") == 0);
    h = nl_lab_find_host(lab, "host-23");
    CHECK(h && h->vmk0_mac == NULL);
    h = nl_lab_find_host(lab, "host-24");
    CHECK(h && h->vmk0_mac == NULL);
    /* The inventory and the update filter both ask for it. */
    bool asked = false;
    for (const struct vs_prop_spec *sp = vs_prop_specs; sp->type; sp++)
        for (const char *const *p = sp->paths; *p; p++)
            asked |= strcmp(sp->type, "HostSystem") == 0 && strcmp(*p, "config.network.vnic") == 0;
    CHECK(asked);
    nl_lab_free(&lab);
}

static void test_page_guard(void)
{
    struct vs_page_guard g = {0};
    struct nl_err err = {0};
    char tok[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(tok, sizeof tok, "t%d", i);
        CHECK_INT(vs_page_guard_next(&g, "https://vc.test/sdk", tok, 1, &err), NL_OK);
    }
    /* the same token again */
    CHECK_INT(vs_page_guard_next(&g, "https://vc.test/sdk", tok, 1, &err), NL_ERR_PROTOCOL);
    CHECK(strstr(err.message, "same paging token") != NULL);
    CHECK(strstr(err.message, "\"https://vc.test/sdk\"") != NULL);
    vs_page_guard_clear(&g);

    /* pages with a token and nothing else */
    memset(&err, 0, sizeof err);
    CHECK_INT(vs_page_guard_next(&g, "u", "a", 0, &err), NL_OK);
    CHECK_INT(vs_page_guard_next(&g, "u", "b", 0, &err), NL_OK);
    CHECK_INT(vs_page_guard_next(&g, "u", "c", 0, &err), NL_ERR_PROTOCOL);
    CHECK(strstr(err.message, "without objects") != NULL);
    vs_page_guard_clear(&g);

    /* an empty page between full ones is allowed */
    memset(&err, 0, sizeof err);
    CHECK_INT(vs_page_guard_next(&g, "u", "a", 0, &err), NL_OK);
    CHECK_INT(vs_page_guard_next(&g, "u", "b", 10, &err), NL_OK);
    CHECK_INT(vs_page_guard_next(&g, "u", "c", 0, &err), NL_OK);
    CHECK_INT(vs_page_guard_next(&g, "u", "d", 0, &err), NL_OK);
    vs_page_guard_clear(&g);

    /* endless distinct tokens, each with objects */
    memset(&err, 0, sizeof err);
    enum nl_code rc = NL_OK;
    size_t i;
    for (i = 0; rc == NL_OK && i < 2 * VS_PAGES_MAX; i++) {
        snprintf(tok, sizeof tok, "t%zu", i);
        rc = vs_page_guard_next(&g, "u", tok, 1, &err);
    }
    CHECK_INT(rc, NL_ERR_LIMIT);
    CHECK_INT((int)i, VS_PAGES_MAX);
    vs_page_guard_clear(&g);
}

int main(void)
{
    test_vmk0_mac();
    test_page_guard();
    test_default_lab(0);
    test_default_lab(7); /* element and text boundaries split across chunks */
    test_missing_and_unknown();
    test_vswitch_spec();
    test_portgroup_spec();
    return nl_check_done();
}
