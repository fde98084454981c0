#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "backend/perf/perf_metric.h"
#include "backend/perf/perf_query.h"
#include "backend/perf/perf_time.h"
#include "check.h"
#include "perf_fixture.h"

#define CHECK_NEAR(a, b) CHECK(fabs((double)(a) - (double)(b)) < 1e-9)

static struct perf_counter_map *vpx_map(void)
{
    size_t len;
    char *xml = perf_fixture("perfcounter_vcsim_vpx.xml", &len);
    struct perf_counter_map *m = NULL;
    struct nl_err err = {0};
    if (perf_counter_map_parse(xml, len, &m, &err) != NL_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    free(xml);
    return m;
}

static int64_t ts(const char *iso)
{
    int64_t t = 0;
    if (!perf_time_parse_iso(iso, &t))
        fprintf(stderr, "bad test timestamp %s\n", iso);
    return t;
}

static const char *elem_name(const xmlNode *n)
{
    return n ? (const char *)n->name : "(none)";
}

static const xmlNode *next_elem(const xmlNode *n)
{
    for (n = n ? n->next : NULL; n && n->type != XML_ELEMENT_NODE; n = n->next)
        ;
    return n;
}

static const xmlNode *first_elem(const xmlNode *n)
{
    for (n = n ? n->children : NULL; n && n->type != XML_ELEMENT_NODE; n = n->next)
        ;
    return n;
}

static void test_build(const struct perf_counter_map *m)
{
    struct perf_entity ents[3] = {
        {"HostSystem", "host-21"}, {"HostSystem", "host-34"}, {"VirtualMachine", "vm<&\"'>$(x)"}};
    struct perf_metric_req reqs[] = {{PERF_CPU_USAGE, ""},
                                     {"cpu.nosuch.average", ""},
                                     {PERF_NET_PKTS_RX, "*"},
                                     {PERF_NET_BCAST_RX, ""}};
    struct perf_query_opts opts = {.max_sample = 3, .interval_id = 20, .format = NULL};
    struct nl_err err = {0};
    char *xml = NULL;
    CHECK_INT(perf_query_build("PerfMgr", m, ents, 3, reqs, 4, &opts, &xml, &err), NL_OK);
    CHECK(xml != NULL);
    if (!xml)
        return;
    xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET);
    CHECK(doc != NULL);
    const xmlNode *root = xmlDocGetRootElement(doc);
    CHECK_STR(elem_name(root), "QueryPerf");
    CHECK(root->ns && strcmp((const char *)root->ns->href, "urn:vim25") == 0);
    const xmlNode *self = first_elem(root);
    CHECK_STR(elem_name(self), "_this");
    xmlChar *ty = xmlGetProp(self, (const xmlChar *)"type");
    CHECK_STR((const char *)ty, "PerformanceManager");
    xmlFree(ty);
    /* One querySpec per entity, in one request. */
    int specs = 0;
    for (const xmlNode *s = next_elem(self); s; s = next_elem(s)) {
        CHECK_STR(elem_name(s), "querySpec");
        /* WSDL order: entity, maxSample, metricId*, intervalId, format. */
        const xmlNode *c = first_elem(s);
        CHECK_STR(elem_name(c), "entity");
        xmlChar *id = xmlNodeGetContent(c);
        CHECK_STR((const char *)id, ents[specs].id); /* hostile id round-trips, escaped */
        xmlFree(id);
        c = next_elem(c);
        CHECK_STR(elem_name(c), "maxSample");
        int metric_ids = 0;
        for (c = next_elem(c); c && strcmp(elem_name(c), "metricId") == 0; c = next_elem(c)) {
            const xmlNode *cid = first_elem(c);
            CHECK_STR(elem_name(cid), "counterId");
            CHECK_STR(elem_name(next_elem(cid)), "instance");
            metric_ids++;
        }
        CHECK_INT(metric_ids, 3); /* the unknown counter is left out */
        CHECK_STR(elem_name(c), "intervalId");
        c = next_elem(c);
        CHECK_STR(elem_name(c), "format");
        xmlChar *fmt = xmlNodeGetContent(c);
        CHECK_STR((const char *)fmt, "csv");
        xmlFree(fmt);
        CHECK(next_elem(c) == NULL);
        specs++;
    }
    CHECK_INT(specs, 3);
    CHECK(strstr(xml, "<counterId>2</counterId>") != NULL);
    CHECK(strstr(xml, "<counterId>146</counterId><instance>*</instance>") != NULL);
    CHECK(strstr(xml, "vm&lt;&amp;") != NULL);
    xmlFreeDoc(doc);
    free(xml);

    /* No maxSample when not asked for; format normal on request. */
    opts.max_sample = 0;
    opts.format = "normal";
    CHECK_INT(perf_query_build("ha-perfmgr", m, ents, 1, perf_default_metrics,
                               perf_default_metrics_count, &opts, &xml, &err),
              NL_OK);
    CHECK(xml && strstr(xml, "maxSample") == NULL);
    CHECK(xml && strstr(xml, "<format>normal</format>") != NULL);
    CHECK(xml && strstr(xml, ">ha-perfmgr</_this>") != NULL);
    free(xml);

    /* Usage errors. */
    CHECK_INT(perf_query_build("PerfMgr", m, ents, 0, reqs, 4, &opts, &xml, &err), NL_ERR_USAGE);
    CHECK(xml == NULL);
    nl_err_clear(&err);
    struct perf_metric_req none[] = {{"x.y.z", ""}};
    CHECK_INT(perf_query_build("PerfMgr", m, ents, 1, none, 1, &opts, &xml, &err),
              NL_ERR_NOT_FOUND);
    nl_err_clear(&err);
    struct perf_entity bad[] = {{"HostSystem", ""}};
    CHECK_INT(perf_query_build("PerfMgr", m, bad, 1, reqs, 1, &opts, &xml, &err), NL_ERR_USAGE);
    nl_err_clear(&err);
    CHECK_INT(perf_query_build("", m, ents, 1, reqs, 1, &opts, &xml, &err), NL_ERR_USAGE);
}

static const struct perf_bseries *find(const struct perf_batch *b, const char *e, const char *m,
                                       const char *i)
{
    const struct perf_bseries *s = perf_batch_find(b, e, m, i);
    if (!s)
        fprintf(stderr, "series %s %s \"%s\" missing\n", e, m, i);
    return s;
}

static void test_csv(const struct perf_counter_map *m)
{
    size_t len;
    char *xml = perf_fixture("queryperf_csv.xml", &len);
    struct perf_batch *b = NULL;
    struct nl_err err = {0};
    CHECK_INT(perf_query_parse(xml, len, m, &b, &err), NL_OK);
    free(xml);
    if (!b)
        return;
    /* host-21: samples arrived 28, 08, 48; they come out 08, 28, 48. */
    const struct perf_bseries *s = find(b, "host-21", PERF_CPU_USAGE, "");
    CHECK(s && s->n == 3);
    if (s && s->n == 3) {
        CHECK_INT(s->interval, 20);
        CHECK_INT(s->samples[0].t, ts("2026-11-25T20:55:08Z"));
        CHECK_INT(s->samples[1].t, ts("2026-11-25T20:55:28Z"));
        CHECK_INT(s->samples[2].t, ts("2026-11-25T20:55:48Z"));
        CHECK_NEAR(s->samples[0].v, 31.54); /* hundredths of a percent -> percent */
        CHECK_NEAR(s->samples[1].v, 22.15);
        CHECK_NEAR(s->samples[2].v, 23.72);
    }
    s = find(b, "host-21", PERF_CPU_MHZ, "");
    CHECK(s && s->n == 3 && s->samples[0].v == 3696 && s->samples[2].v == 3017);
    /* Delta counters become per-second rates. */
    s = find(b, "host-21", PERF_NET_PKTS_RX, "");
    CHECK(s && s->n == 3 && s->samples[0].v == 30 && s->samples[1].v == 20 &&
          s->samples[2].v == 10);
    s = find(b, "host-21", PERF_NET_PKTS_RX, "vmnic0");
    CHECK(s && s->n == 3 && s->samples[0].v == 25 && s->samples[2].v == 5);
    s = find(b, "host-21", PERF_NET_PKTS_RX, "vmnic1");
    CHECK(s && s->n == 3 && s->samples[1].v == 5);
    /* A rate counter in KBps is left as it is. */
    s = find(b, "host-21", PERF_NET_RX_KBPS, "");
    CHECK(s && s->n == 3 && s->samples[0].v == 810);
    /* -1 means no value for that interval: skipped. */
    s = find(b, "host-21", PERF_NET_BCAST_RX, "");
    CHECK(s && s->n == 2 && s->samples[0].t == ts("2026-11-25T20:55:08Z") && s->samples[0].v == 1 &&
          s->samples[1].v == 2);
    /* host-34 had no samples: no series, no error. */
    CHECK(perf_batch_find(b, "host-34", PERF_CPU_USAGE, "") == NULL);
    /* vm-57 (vcsim-style XMLSchema-instance prefix): fractions are dropped from times. */
    s = find(b, "vm-57", PERF_CPU_USAGE, "");
    CHECK(s && s->n == 2 && s->samples[0].t == ts("2026-11-25T20:55:28Z") &&
          s->samples[1].v == 75.5);
    s = find(b, "vm-57", PERF_NET_PKTS_RX, "4000");
    CHECK(s && s->n == 2 && s->samples[1].v == 100);
    CHECK_INT(perf_batch_samples(b), 3 + 3 + 3 + 3 + 3 + 3 + 2 + 2 + 2);
    perf_batch_free(&b);
}

static void test_normal(const struct perf_counter_map *m)
{
    /* Recorded from vcsim (format=normal regardless of the request, samples newest first). */
    size_t len;
    char *xml = perf_fixture("queryperf_vcsim_normal.xml", &len);
    struct perf_batch *b = NULL;
    struct nl_err err = {0};
    CHECK_INT(perf_query_parse(xml, len, m, &b, &err), NL_OK);
    free(xml);
    if (!b)
        return;
    const struct perf_bseries *s = find(b, "host-21", PERF_CPU_USAGE, "");
    CHECK(s && s->n == 3);
    if (s && s->n == 3) {
        CHECK(s->samples[0].t < s->samples[1].t && s->samples[1].t < s->samples[2].t);
        CHECK_INT(s->samples[2].t, ts("2026-11-25T20:55:48Z"));
        CHECK_NEAR(s->samples[2].v, 23.72); /* newest value first in the answer: 2372 */
        CHECK_NEAR(s->samples[0].v, 31.54);
    }
    s = find(b, "host-21", PERF_NET_PKTS_RX, "*"); /* vcsim does not expand "*" */
    CHECK(s && s->n == 3 && s->samples[2].v == 19704 / 20.0);
    CHECK(find(b, "host-34", PERF_CPU_MHZ, "") != NULL);
    CHECK(find(b, "vm-57", PERF_NET_BCAST_RX, "") != NULL);
    perf_batch_free(&b);
}

static enum nl_code parse_body(const struct perf_counter_map *m, const char *body,
                               struct nl_err *err)
{
    char *xml = NULL;
    size_t n = strlen(body) + 512;
    xml = malloc(n);
    snprintf(xml, n,
             "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
             "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>"
             "<QueryPerfResponse xmlns=\"urn:vim25\">%s</QueryPerfResponse></soapenv:Body>"
             "</soapenv:Envelope>",
             body);
    struct perf_batch *b = NULL;
    nl_err_clear(err);
    enum nl_code rc = perf_query_parse(xml, strlen(xml), m, &b, err);
    CHECK(rc == NL_OK ? b != NULL : b == NULL);
    perf_batch_free(&b);
    free(xml);
    return rc;
}

#define CSV_RV(info, values)                                                                     \
    "<returnval xsi:type=\"PerfEntityMetricCSV\"><entity type=\"HostSystem\">host-9</entity>"    \
    "<sampleInfoCSV>" info "</sampleInfoCSV><value><id><counterId>2</counterId><instance/></id>" \
    "<value>" values "</value></value></returnval>"

#define NORMAL_RV(samples, values)                                                                 \
    "<returnval xsi:type=\"PerfEntityMetric\"><entity type=\"HostSystem\">host-9</entity>" samples \
    "<value xsi:type=\"PerfMetricIntSeries\"><id><counterId>2</counterId><instance/>"              \
    "</id>" values "</value></returnval>"

#define SI(t) "<sampleInfo><timestamp>" t "</timestamp><interval>20</interval></sampleInfo>"

static void test_malformed(const struct perf_counter_map *m)
{
    struct nl_err err = {0};
    const char *two = "20,2026-11-25T20:55:08Z,20,2026-11-25T20:55:28Z";
    char body[1024];
    CHECK_INT(parse_body(m, CSV_RV("20,2026-11-25T20:55:08Z,20,2026-11-25T20:55:28Z", "1,2"), &err),
              NL_OK);
    /* Wrong counts. */
    snprintf(body, sizeof body, CSV_RV("%s", "1,2,3"), two);
    CHECK_INT(parse_body(m, body, &err), NL_ERR_PARSE);
    CHECK(strstr(err.message, "3 values") && strstr(err.message, "2 samples") &&
          strstr(err.message, "host-9"));
    snprintf(body, sizeof body, CSV_RV("%s", "1"), two);
    CHECK_INT(parse_body(m, body, &err), NL_ERR_PARSE);
    snprintf(body, sizeof body, CSV_RV("%s", ""), two);
    CHECK_INT(parse_body(m, body, &err), NL_ERR_PARSE);
    CHECK(strstr(err.message, "0 values") != NULL);
    /* Non-numbers and empty fields. */
    snprintf(body, sizeof body, CSV_RV("%s", "1,abc"), two);
    CHECK_INT(parse_body(m, body, &err), NL_ERR_PARSE);
    CHECK(strstr(err.message, "\"abc\"") != NULL);
    snprintf(body, sizeof body, CSV_RV("%s", "1,"), two);
    CHECK_INT(parse_body(m, body, &err), NL_ERR_PARSE);
    snprintf(body, sizeof body, CSV_RV("%s", ",2"), two);
    CHECK_INT(parse_body(m, body, &err), NL_ERR_PARSE);
    snprintf(body, sizeof body, CSV_RV("%s", "1.5,2"), two);
    CHECK_INT(parse_body(m, body, &err), NL_ERR_PARSE);
    snprintf(body, sizeof body, CSV_RV("%s", "99999999999999999999999,2"), two);
    CHECK_INT(parse_body(m, body, &err), NL_ERR_PARSE);
    /* Bad sampleInfoCSV. */
    CHECK_INT(parse_body(m, CSV_RV("20,2026-11-25T20:55:08Z,20", "1,2"), &err), NL_ERR_PARSE);
    CHECK(strstr(err.message, "odd number") != NULL);
    CHECK_INT(parse_body(m, CSV_RV("x,2026-11-25T20:55:08Z", "1"), &err), NL_ERR_PARSE);
    CHECK_INT(parse_body(m, CSV_RV("0,2026-11-25T20:55:08Z", "1"), &err), NL_ERR_PARSE);
    CHECK_INT(parse_body(m, CSV_RV("20,2026-13-25T20:55:08Z", "1"), &err), NL_ERR_PARSE);
    CHECK(strstr(err.message, "timestamp") != NULL);
    CHECK_INT(parse_body(m, CSV_RV("20,yesterday", "1"), &err), NL_ERR_PARSE);
    CHECK_INT(parse_body(m, CSV_RV(",", "1"), &err), NL_ERR_PARSE);
    /* Normal shape. */
    CHECK_INT(parse_body(m, NORMAL_RV(SI("2026-11-25T20:55:08Z"), "<value>5</value>"), &err),
              NL_OK);
    CHECK_INT(parse_body(m,
                         NORMAL_RV(SI("2026-11-25T20:55:08Z") SI("2026-11-25T20:55:28Z"),
                                   "<value>5</value>"),
                         &err),
              NL_ERR_PARSE);
    CHECK_INT(parse_body(m,
                         NORMAL_RV(SI("2026-11-25T20:55:08Z"), "<value>5</value><value>6</value>"),
                         &err),
              NL_ERR_PARSE);
    CHECK_INT(parse_body(m, NORMAL_RV(SI("2026-11-25T20:55:08Z"), "<value>five</value>"), &err),
              NL_ERR_PARSE);
    CHECK_INT(parse_body(m, NORMAL_RV(SI("not a time"), "<value>5</value>"), &err), NL_ERR_PARSE);
    CHECK_INT(parse_body(m,
                         NORMAL_RV("<sampleInfo><timestamp>2026-11-25T20:55:08Z</timestamp>"
                                   "</sampleInfo>",
                                   "<value>5</value>"),
                         &err),
              NL_ERR_PARSE);
    CHECK(strstr(err.message, "interval") != NULL);
    /* Missing pieces. */
    CHECK_INT(parse_body(m, "<returnval xsi:type=\"PerfEntityMetricCSV\"></returnval>", &err),
              NL_ERR_PARSE);
    CHECK_INT(parse_body(m,
                         "<returnval xsi:type=\"PerfEntityMetricCSV\"><entity>h</entity>"
                         "<sampleInfoCSV>20,2026-11-25T20:55:08Z</sampleInfoCSV><value><id>"
                         "<counterId>x</counterId></id><value>1</value></value></returnval>",
                         &err),
              NL_ERR_PARSE);
    CHECK_INT(parse_body(m,
                         "<returnval xsi:type=\"PerfEntityMetricSeries\"><entity>h</entity>"
                         "</returnval>",
                         &err),
              NL_ERR_PARSE);
    CHECK(strstr(err.message, "unknown result type") != NULL);
    /* No results at all is fine (nothing to report yet). */
    CHECK_INT(parse_body(m, "", &err), NL_OK);
    /* An unknown counter id is skipped, but still checked. */
    CHECK_INT(parse_body(m,
                         "<returnval xsi:type=\"PerfEntityMetricCSV\"><entity>h</entity>"
                         "<sampleInfoCSV>20,2026-11-25T20:55:08Z</sampleInfoCSV><value><id>"
                         "<counterId>999999</counterId><instance/></id><value>1</value></value>"
                         "</returnval>",
                         &err),
              NL_OK);
    CHECK_INT(parse_body(m,
                         "<returnval xsi:type=\"PerfEntityMetricCSV\"><entity>h</entity>"
                         "<sampleInfoCSV>20,2026-11-25T20:55:08Z</sampleInfoCSV><value><id>"
                         "<counterId>999999</counterId><instance/></id><value>1,2</value></value>"
                         "</returnval>",
                         &err),
              NL_ERR_PARSE);
    /* Not XML, empty, a fault. */
    struct perf_batch *b = NULL;
    nl_err_clear(&err);
    CHECK_INT(perf_query_parse("", 0, m, &b, &err), NL_ERR_PARSE);
    nl_err_clear(&err);
    CHECK_INT(perf_query_parse("<x", 2, m, &b, &err), NL_ERR_PARSE);
    nl_err_clear(&err);
    const char *fault =
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">"
        "<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>bad "
        "&lt;spec&gt;</faultstring><detail><InvalidArgumentFault xmlns=\"urn:vim25\"/></detail>"
        "</soapenv:Fault></soapenv:Body></soapenv:Envelope>";
    CHECK_INT(perf_query_parse(fault, strlen(fault), m, &b, &err), NL_ERR_FAULT);
    CHECK_STR(err.detail, "InvalidArgumentFault");
    CHECK(strstr(err.message, "bad <spec>") != NULL);
    CHECK(b == NULL);
}

static void test_duplicates_and_node(const struct perf_counter_map *m)
{
    /* Duplicate timestamps: one sample kept. Parsing from an xmlNode (one returnval) works. */
    const char *xml =
        "<returnval xmlns=\"urn:vim25\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        "xsi:type=\"PerfEntityMetricCSV\"><entity type=\"HostSystem\">h1</entity>"
        "<sampleInfoCSV>20,2026-11-25T20:55:28Z,20,2026-11-25T20:55:28Z,20,2026-11-25T20:55:08Z"
        "</sampleInfoCSV><value><id><counterId>2</counterId><instance></instance></id>"
        "<value>100,200,300</value></value></returnval>";
    xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET);
    struct perf_batch *b = NULL;
    struct nl_err err = {0};
    CHECK_INT(perf_query_parse_node(xmlDocGetRootElement(doc), m, &b, &err), NL_OK);
    const struct perf_bseries *s = b ? perf_batch_find(b, "h1", PERF_CPU_USAGE, "") : NULL;
    CHECK(s && s->n == 2 && s->samples[0].v == 3 && s->samples[1].v == 2);
    perf_batch_free(&b);
    xmlFreeDoc(doc);
}

static void test_time(void)
{
    int64_t t;
    CHECK(perf_time_parse_iso("1970-01-01T00:00:00Z", &t) && t == 0);
    CHECK(perf_time_parse_iso("2026-11-25T20:55:48.119790241Z", &t) && t == 1795640148LL);
    CHECK(perf_time_parse_iso("2026-11-25T21:55:48+01:00", &t) && t == 1795640148LL);
    CHECK(perf_time_parse_iso("2024-02-29T00:00:00Z", &t));
    CHECK(!perf_time_parse_iso("2023-02-29T00:00:00Z", &t));
    CHECK(!perf_time_parse_iso("2026-11-25 20:55:48Z", &t));
    CHECK(!perf_time_parse_iso("2026-11-25T20:55:48Zjunk", &t));
    CHECK(!perf_time_parse_iso("", &t));
    CHECK(perf_time_parse_esxtop("11/25/2026 20:55:48", &t) && t == 1795640148LL);
    CHECK(!perf_time_parse_esxtop("25/11/2026 20:55:48", &t));
    CHECK(!perf_time_parse_esxtop("11/25/2026 20:55", &t));
    char buf[32];
    perf_time_format_iso(1795640148LL, buf, sizeof buf);
    CHECK_STR(buf, "2026-11-25T20:55:48Z");
}

int main(void)
{
    struct perf_counter_map *m = vpx_map();
    test_time();
    test_build(m);
    test_csv(m);
    test_normal(m);
    test_malformed(m);
    test_duplicates_and_node(m);
    perf_counter_map_free(&m);
    return nl_check_done();
}
