#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/perf/perf_counter.h"
#include "check.h"
#include "perf_fixture.h"

static void test_fixture(const char *file, int usage, int mhz, int pkts, int kbps, int bcast)
{
    size_t len;
    char *xml = perf_fixture(file, &len);
    struct perf_counter_map *m = NULL;
    struct nl_err err = {0};
    CHECK_INT(perf_counter_map_parse(xml, len, &m, &err), NL_OK);
    CHECK(m != NULL);
    CHECK(perf_counter_map_count(m) > 100);
    CHECK_INT(perf_counter_map_id(m, "cpu.usage.average"), usage);
    CHECK_INT(perf_counter_map_id(m, "cpu.usagemhz.average"), mhz);
    CHECK_INT(perf_counter_map_id(m, "net.packetsRx.summation"), pkts);
    CHECK_INT(perf_counter_map_id(m, "net.received.average"), kbps);
    CHECK_INT(perf_counter_map_id(m, "net.broadcastRx.summation"), bcast);
    CHECK_INT(perf_counter_map_id(m, "cpu.nosuch.average"), -1);
    const struct perf_counter_info *c = perf_counter_map_get(m, usage);
    CHECK(c != NULL);
    if (c) {
        CHECK_STR(c->name, "cpu.usage.average");
        CHECK_STR(c->unit, "percent");
        CHECK_STR(c->stats_type, "rate");
        CHECK_STR(c->rollup, "average");
    }
    c = perf_counter_map_find(m, "net.packetsRx.summation");
    CHECK(c && strcmp(c->stats_type, "delta") == 0);
    CHECK(perf_counter_map_get(m, -5) == NULL);
    perf_counter_map_free(&m);
    CHECK(m == NULL);
    free(xml);
}

static enum nl_code parse_str(const char *xml, struct perf_counter_map **m, struct nl_err *err)
{
    nl_err_clear(err);
    return perf_counter_map_parse(xml, strlen(xml), m, err);
}

#define ENTRY(key, grp, name, rollup)                                             \
    "<PerfCounterInfo><key>" key "</key><nameInfo><key>" name                     \
    "</key></nameInfo><groupInfo><key>" grp                                       \
    "</key></groupInfo><unitInfo><key>number</key></unitInfo><rollupType>" rollup \
    "</rollupType><statsType>delta</statsType></PerfCounterInfo>"

static void test_malformed(void)
{
    struct perf_counter_map *m = NULL;
    struct nl_err err = {0};
    CHECK_INT(parse_str("", &m, &err), NL_ERR_PARSE);
    CHECK(m == NULL);
    CHECK_INT(parse_str("<a><b>", &m, &err), NL_ERR_PARSE);
    CHECK(strstr(err.message, "not well-formed") != NULL);
    CHECK_INT(
        parse_str("<Envelope><Body><RetrievePropertiesExResponse/></Body></Envelope>", &m, &err),
        NL_ERR_PARSE);
    CHECK(strstr(err.message, "no PerfCounterInfo") != NULL);
    CHECK_INT(parse_str("<r>" ENTRY("x1", "cpu", "usage", "average") "</r>", &m, &err),
              NL_ERR_PARSE);
    CHECK(strstr(err.message, "x1") != NULL);
    CHECK_INT(parse_str("<r>" ENTRY("", "cpu", "usage", "average") "</r>", &m, &err), NL_ERR_PARSE);
    CHECK_INT(parse_str("<r>" ENTRY("99999999999", "cpu", "usage", "average") "</r>", &m, &err),
              NL_ERR_PARSE);
    CHECK_INT(parse_str("<r>" ENTRY("3", "", "usage", "average") "</r>", &m, &err), NL_ERR_PARSE);
    CHECK_INT(parse_str("<r>" ENTRY("3", "cpu", "usage", "average")
                            ENTRY("3", "cpu", "usage", "maximum") "</r>",
                        &m, &err),
              NL_ERR_PARSE);
    CHECK(strstr(err.message, "twice") != NULL);
    /* A fault is reported as such, with its type. */
    CHECK_INT(parse_str("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/"
                        "envelope/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
                        "<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode>"
                        "<faultstring>Permission to perform this operation was denied.</"
                        "faultstring><detail><NoPermissionFault xmlns=\"urn:vim25\" "
                        "xsi:type=\"NoPermission\"/></detail></soapenv:Fault></soapenv:Body></"
                        "soapenv:Envelope>",
                        &m, &err),
              NL_ERR_FAULT);
    CHECK_STR(err.detail, "NoPermission");
    CHECK(m == NULL);
    /* An entity bomb is not expanded. */
    CHECK_INT(parse_str("<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>"
                        "<r>&b;</r>",
                        &m, &err),
              NL_ERR_PARSE);
}

static void test_hostile_and_duplicates(void)
{
    struct perf_counter_map *m = NULL;
    struct nl_err err = {0};
    /* Names with markup characters survive; duplicate names keep the first id. QueryPerfCounter
     * answers (returnval entries) work as well. */
    CHECK_INT(parse_str("<QueryPerfCounterResponse>"
                        "<returnval><key>10</key><nameInfo><key>u&lt;s&amp;e\"</key></nameInfo>"
                        "<groupInfo><key>cpu</key></groupInfo><unitInfo><key>percent</key></"
                        "unitInfo><rollupType>average</rollupType><statsType>rate</statsType></"
                        "returnval>"
                        "<returnval><key>4</key><nameInfo><key>u&lt;s&amp;e\"</key></nameInfo>"
                        "<groupInfo><key>cpu</key></groupInfo><unitInfo><key>percent</key></"
                        "unitInfo><rollupType>average</rollupType><statsType>rate</statsType></"
                        "returnval></QueryPerfCounterResponse>",
                        &m, &err),
              NL_OK);
    CHECK_INT(perf_counter_map_count(m), 2);
    CHECK_INT(perf_counter_map_id(m, "cpu.u<s&e\".average"), 10);
    CHECK(perf_counter_map_get(m, 4) != NULL);
    perf_counter_map_free(&m);

    m = perf_counter_map_new();
    for (int i = 500; i > 0; i--) {
        char name[32];
        snprintf(name, sizeof name, "c%d", i);
        CHECK_INT(perf_counter_map_add(m, i * 3, "g", name, "average", "number", "rate", &err),
                  NL_OK);
    }
    CHECK_INT(perf_counter_map_id(m, "g.c1.average"), 3);
    CHECK_INT(perf_counter_map_id(m, "g.c500.average"), 1500);
    CHECK_STR(perf_counter_map_get(m, 750)->name, "g.c250.average");
    perf_counter_map_free(&m);
    perf_counter_map_free(&m); /* NULL-safe */

    /* A negative key would be found by id but not by name: perf_counter_map_id answers -1 for
     * "no such counter" (found by the fuzzer). vSphere's keys are positive. */
    m = perf_counter_map_new();
    struct nl_err neg = {0};
    CHECK_INT(
        perf_counter_map_add(m, -1, "cpu", "ready", "summation", "millisecond", "delta", &neg),
        NL_ERR_PARSE);
    CHECK(perf_counter_map_get(m, -1) == NULL);
    perf_counter_map_free(&m);
    CHECK_INT(parse_str("<x><PerfCounterInfo><key>-7</key><nameInfo><key>ready</key></nameInfo>"
                        "<groupInfo><key>cpu</key></groupInfo><unitInfo><key>millisecond</key>"
                        "</unitInfo><rollupType>summation</rollupType><statsType>delta</statsType>"
                        "</PerfCounterInfo></x>",
                        &m, &neg),
              NL_ERR_PARSE);
    perf_counter_map_free(&m);
}

int main(void)
{
    /* Ids differ between vCenter and ESXi (reference/vsphere.md §4): the map must find each. */
    test_fixture("perfcounter_vcsim_vpx.xml", 2, 6, 146, 148, 464);
    test_fixture("perfcounter_vcsim_esx.xml", 1, 5, 196612, 196614, 196620);
    test_malformed();
    test_hostile_and_duplicates();
    return nl_check_done();
}
