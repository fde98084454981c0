#include <stdlib.h>
#include <string.h>

#include "backend/core/buf.h"
#include "backend/esxi/esx_xml.h"
#include "check.h"
#include "fixture.h"

static struct esx_records *parse_fixture(const char *name, struct nl_err *err)
{
    size_t len;
    char *data = fixture_read(name, &len);
    struct esx_records *r = NULL;
    nl_err_clear(err);
    esx_xml_parse(data, len, &r, err);
    free(data);
    return r;
}

static void test_vswitch_list(void)
{
    struct nl_err err = {0};
    struct esx_records *r = parse_fixture("vswitch_list.xml", &err);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_INT(r->n, 2);
    const struct esx_record *v = &r->items[0];
    CHECK_STR(v->type_name, "VirtualSwitch");
    CHECK_STR(esx_record_str(v, "Name"), "vSwitch0");
    long long mtu = 0;
    CHECK(esx_record_int(v, "MTU", &mtu));
    CHECK_INT(mtu, 1500);
    CHECK(esx_record_int(v, "Num Ports", &mtu)); /* human spelling matches too */
    CHECK_INT(mtu, 2560);
    CHECK_INT(esx_record_bool(v, "BeaconEnabled"), NL_TRI_FALSE);
    const struct esx_field *up = esx_record_field(v, "Uplinks");
    CHECK(up && up->type == ESX_V_LIST && up->n_list == 2);
    if (up && up->n_list == 2)
        CHECK_STR(up->list[1], "vmnic1");
    const struct esx_field *pgs = esx_record_field(v, "portgroups");
    CHECK(pgs && pgs->n_list == 2 && strcmp(pgs->list[0], "VM Network") == 0);
    CHECK(esx_record_str(v, "Uplinks") == NULL); /* a list is not a scalar */
    CHECK(esx_record_str(v, "NoSuchField") == NULL);
    CHECK(!esx_record_int(v, "Name", &mtu)); /* not a number */
    /* Entities decoded exactly once; UTF-8 preserved. */
    CHECK_STR(esx_record_str(&r->items[1], "Name"), "vSwitch \"lab\" <&> ü");
    const struct esx_field *none = esx_record_field(&r->items[1], "Uplinks");
    CHECK(none && none->type == ESX_V_LIST && none->n_list == 0);
    esx_records_free(&r);
    CHECK(r == NULL);
}

static void test_prefixed_namespace(void)
{
    struct nl_err err = {0};
    struct esx_records *r = parse_fixture("portgroup_list_prefixed.xml", &err);
    CHECK(r && r->n == 2);
    if (r && r->n == 2) {
        CHECK_STR(esx_record_str(&r->items[1], "Name"), "Nested Trunk 'x' $(id) ; `uname`");
        long long vlan = -1;
        CHECK(esx_record_int(&r->items[1], "VLAN ID", &vlan));
        CHECK_INT(vlan, 4095);
    }
    esx_records_free(&r);
}

static void test_single_structures(void)
{
    struct nl_err err = {0};
    struct esx_records *r = parse_fixture("security_get.xml", &err);
    CHECK(r && r->n == 1);
    if (r && r->n == 1) {
        CHECK_INT(esx_record_bool(&r->items[0], "AllowPromiscuous"), NL_TRI_TRUE);
        CHECK_INT(esx_record_bool(&r->items[0], "AllowMACAddressChange"), NL_TRI_FALSE);
        CHECK_INT(esx_record_bool(&r->items[0], "AllowForgedTransmits"), NL_TRI_TRUE);
    }
    esx_records_free(&r);
    r = parse_fixture("pg_security_get.xml", &err);
    CHECK(r && r->n == 1);
    if (r && r->n == 1)
        CHECK_INT(esx_record_bool(&r->items[0], "OverrideVswitchAllowForgedTransmits"),
                  NL_TRI_FALSE);
    esx_records_free(&r);
    r = parse_fixture("cpu_global.xml", &err);
    long long hv = -1;
    CHECK(r && r->n == 1 && esx_record_int(&r->items[0], "HV Support", &hv) && hv == 3);
    esx_records_free(&r);
    r = parse_fixture("version_get.xml", &err);
    CHECK(r && r->n == 1);
    if (r && r->n == 1)
        CHECK_STR(esx_record_str(&r->items[0], "Version"), "8.0.3");
    esx_records_free(&r);
    r = parse_fixture("empty_list.xml", &err);
    CHECK(r && r->n == 0);
    esx_records_free(&r);
}

static void test_malformed(void)
{
    static const char *const bad[] = {"truncated.xml", "garbage.xml", "dtd.xml", "wrong_root.xml"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct nl_err err = {0};
        struct esx_records *r = parse_fixture(bad[i], &err);
        CHECK(r == NULL);
        CHECK_INT(err.code, NL_ERR_PARSE);
        CHECK(err.message[0] != '\0');
    }
    struct nl_err err = {0};
    struct esx_records *r = NULL;
    CHECK_INT(esx_xml_parse("", 0, &r, &err), NL_ERR_PARSE);
    nl_err_clear(&err);
    const char *scalar = "<output><root><string>hello</string></root></output>";
    CHECK_INT(esx_xml_parse(scalar, strlen(scalar), &r, &err), NL_ERR_PARSE);
    nl_err_clear(&err);
    const char *noroot = "<output><list/></output>";
    CHECK_INT(esx_xml_parse(noroot, strlen(noroot), &r, &err), NL_ERR_PARSE);
    CHECK(r == NULL);
}

/* 20000 port groups: the parser copes and keeps every record. */
static void test_huge(void)
{
    struct nl_buf b;
    nl_buf_init(&b, 0);
    nl_buf_append_str(&b,
                      "<output xmlns=\"http://www.vmware.com/Products/ESX/5.0/esxcli\"><root>"
                      "<list type=\"structure\">",
                      NULL);
    for (int i = 0; i < 20000; i++)
        nl_buf_appendf(&b, NULL,
                       "<structure typeName=\"PortGroup\"><field name=\"Name\"><string>pg-%d"
                       "</string></field><field name=\"VLANID\"><integer>%d</integer></field>"
                       "</structure>",
                       i, i % 4096);
    nl_buf_append_str(&b, "</list></root></output>", NULL);
    struct nl_err err = {0};
    struct esx_records *r = NULL;
    CHECK_INT(esx_xml_parse(b.data, b.len, &r, &err), NL_OK);
    CHECK(r && r->n == 20000);
    if (r && r->n == 20000)
        CHECK_STR(esx_record_str(&r->items[19999], "Name"), "pg-19999");
    esx_records_free(&r);
    nl_buf_free(&b);
}

int main(void)
{
    test_vswitch_list();
    test_prefixed_namespace();
    test_single_structures();
    test_malformed();
    test_huge();
    CHECK_INT(esx_bool_word("yes"), NL_TRI_TRUE);
    CHECK_INT(esx_bool_word("0"), NL_TRI_FALSE);
    CHECK_INT(esx_bool_word("maybe"), NL_TRI_UNSET);
    CHECK_INT(esx_bool_word(NULL), NL_TRI_UNSET);
    return nl_check_done();
}
