#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/perf/perf_esxtop.h"
#include "backend/perf/perf_metric.h"
#include "backend/perf/perf_time.h"
#include "check.h"
#include "perf_fixture.h"

#define CHECK_NEAR(a, b) CHECK(fabs((double)(a) - (double)(b)) < 1e-6)

static const struct perf_bseries *find(const struct perf_batch *b, const char *m, const char *i)
{
    const struct perf_bseries *s = perf_batch_find(b, "host-21", m, i);
    if (!s)
        fprintf(stderr, "series %s \"%s\" missing\n", m, i);
    return s;
}

static void test_fixture(void)
{
    /* ~2000 quoted columns, CRLF line ends, a decoy _Total\% Processor Time column, a client
     * holding ':', ')' and quotes (tests/fixtures/perf/gen_esxtop.py). */
    size_t len;
    char *text = perf_fixture("esxtop_host.csv", &len);
    struct perf_batch *b = NULL;
    struct nl_err err = {0};
    CHECK_INT(perf_esxtop_parse(text, len, "host-21", 2, &b, &err), NL_OK);
    free(text);
    if (!b) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    int64_t t0;
    perf_time_parse_esxtop("11/25/2026 20:55:00", &t0);
    const struct perf_bseries *s = find(b, PERF_ESXTOP_CPU, "");
    CHECK(s && s->n == 3 && s->interval == 2);
    if (s && s->n == 3) {
        CHECK_INT(s->samples[0].t, t0);
        CHECK_INT(s->samples[2].t, t0 + 4);
        CHECK_NEAR(s->samples[0].v, 10.5); /* % Util Time, not the 99.00 decoy */
        CHECK_NEAR(s->samples[2].v, 12.0);
    }
    s = find(b, PERF_ESXTOP_PORT_PKTS_RX, "vSwitch0:50331650:n-esx01");
    CHECK(s && s->n == 3 && s->samples[0].v == 300 && s->samples[1].v == 600);
    s = find(b, PERF_ESXTOP_PORT_PKTS_TX, "vSwitch0:50331651:my:vm (x) \"q\"");
    CHECK(s && s->n == 3 && s->samples[2].v == 90);
    s = find(b, PERF_ESXTOP_PORT_MBITS_RX, "vSwitch0:33554434:vmnic0");
    CHECK(s && s->n == 3);
    if (s && s->n)
        CHECK_NEAR(s->samples[0].v, 0.4096);
    /* ingress = uplink rx + other ports' tx; delivered = uplink tx + other ports' rx. */
    s = find(b, PERF_ESXTOP_INGRESS, "vSwitch0");
    CHECK(s && s->n == 3 && s->samples[0].v == 185 && s->samples[2].v == 555);
    s = find(b, PERF_ESXTOP_DELIVERED, "vSwitch0");
    CHECK(s && s->n == 3 && s->samples[0].v == 425 && s->samples[1].v == 850);
    s = find(b, PERF_ESXTOP_INGRESS, "vSwitch1");
    CHECK(s && s->n == 3 && s->samples[0].v == 20);
    s = find(b, PERF_ESXTOP_INGRESS, "");
    CHECK(s && s->n == 3 && s->samples[0].v == 205);
    s = find(b, PERF_ESXTOP_DELIVERED, "");
    CHECK(s && s->n == 3 && s->samples[0].v == 445);
    /* 1 cpu + 7 ports x 4 counters + 2 x (1 + 2 vSwitches). */
    CHECK_INT(b->n, 1 + 28 + 6);
    perf_batch_free(&b);
}

static enum nl_code parse(const char *text, struct perf_batch **b, struct nl_err *err)
{
    nl_err_clear(err);
    perf_batch_free(b);
    enum nl_code rc = perf_esxtop_parse(text, strlen(text), "host-21", 2, b, err);
    CHECK(rc == NL_OK ? *b != NULL : *b == NULL);
    return rc;
}

#define HDR                                                                                      \
    "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\Physical Cpu(_Total)\\% Util Time\",\"\\\\h\\Network "  \
    "Port(vSwitch0:1:vm)\\Packets Received/sec\",\"\\\\h\\Network Port(vSwitch0:1:vm)\\Packets " \
    "Transmitted/sec\"\n"

static void test_small_and_malformed(void)
{
    struct perf_batch *b = NULL;
    struct nl_err err = {0};
    /* Rows out of order come out sorted; a repeated timestamp keeps the later row; unquoted
     * numbers and a missing final newline are fine. */
    CHECK_INT(parse(HDR "\"11/25/2026 20:55:04\",\"3\",\"30\",\"3\"\n"
                        "\"11/25/2026 20:55:00\",\"1\",\"10\",\"1\"\n"
                        "\"11/25/2026 20:55:02\",\"2\",\"20\",\"2\"\n"
                        "\"11/25/2026 20:55:02\",2.5,25,2.5",
                    &b, &err),
              NL_OK);
    const struct perf_bseries *s = b ? perf_batch_find(b, "host-21", PERF_ESXTOP_CPU, "") : NULL;
    CHECK(s && s->n == 3 && s->samples[0].v == 1 && s->samples[1].v == 2.5 && s->samples[2].v == 3);
    s = b ? perf_batch_find(b, "host-21", PERF_ESXTOP_DELIVERED, "") : NULL;
    CHECK(s && s->n == 3 && s->samples[0].v == 10);
    /* Without % Util Time the _Total % Processor Time column is used. */
    CHECK_INT(parse("\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\Physical Cpu(_Total)\\% Processor "
                    "Time\"\n\"11/25/2026 20:55:04\",\"42.5\"\n",
                    &b, &err),
              NL_OK);
    s = b ? perf_batch_find(b, "host-21", PERF_ESXTOP_CPU, "") : NULL;
    CHECK(s && s->n == 1 && s->samples[0].v == 42.5);
    CHECK(b && perf_batch_find(b, "host-21", PERF_ESXTOP_INGRESS, "") == NULL);

    /* Malformed. */
    CHECK_INT(parse("", &b, &err), NL_ERR_PARSE);
    CHECK(strstr(err.message, "empty") != NULL);
    CHECK_INT(parse("hello world\n", &b, &err), NL_ERR_PARSE);
    CHECK(strstr(err.message, "PDH-CSV") != NULL);
    CHECK_INT(parse("\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\Memory\\Free MBytes\"\n"
                    "\"11/25/2026 20:55:04\",\"1\"\n",
                    &b, &err),
              NL_ERR_PARSE);
    CHECK(strstr(err.message, "Util Time") != NULL);
    CHECK_INT(parse(HDR, &b, &err), NL_ERR_PARSE);
    CHECK(strstr(err.message, "no data rows") != NULL);
    CHECK_INT(parse(HDR "\"11/25/2026 20:55:04\",\"3\",\"30\"\n", &b, &err), NL_ERR_PARSE);
    CHECK(strstr(err.message, "3 cells") && strstr(err.message, "4 header"));
    CHECK_INT(parse(HDR "\"11/25/2026 20:55:04\",\"3\",\"30\",\"3\"\n\"11/25/2026 20:55:06\",\"3",
                    &b, &err),
              NL_ERR_PARSE);
    CHECK(strstr(err.message, "unterminated") != NULL);
    CHECK_INT(parse(HDR "\"2026-11-25 20:55:04\",\"3\",\"30\",\"3\"\n", &b, &err), NL_ERR_PARSE);
    CHECK(strstr(err.message, "timestamp") != NULL);
    CHECK_INT(parse(HDR "\"11/25/2026 20:55:04\",\"N/A\",\"30\",\"3\"\n", &b, &err), NL_ERR_PARSE);
    CHECK(strstr(err.message, "N/A") && strstr(err.message, "Util Time"));
    CHECK_INT(parse(HDR "\"11/25/2026 20:55:04\",\"3\",\"\",\"3\"\n", &b, &err), NL_ERR_PARSE);
    CHECK_INT(parse(HDR "\"11/25/2026 20:55:04\",\"3\",\"1e999\",\"3\"\n", &b, &err), NL_ERR_PARSE);
    CHECK_INT(parse(HDR "\"11/25/2026 20:55:04\",\"3\"x,\"30\",\"3\"\n", &b, &err), NL_ERR_PARSE);
    CHECK_INT(parse(HDR "\"11/25/2026 20:55:04\",3\"x\",\"30\",\"3\"\n", &b, &err), NL_ERR_PARSE);
    CHECK_INT(perf_esxtop_parse("x", 1, "", 2, &b, &err), NL_ERR_USAGE);
    /* A NUL inside the output. */
    char nul[] = "\"(PDH-CSV 4.0)\0\",\"x\"\n";
    nl_err_clear(&err);
    CHECK_INT(perf_esxtop_parse(nul, sizeof nul - 1, "host-21", 2, &b, &err), NL_ERR_PARSE);
    perf_batch_free(&b);
}

int main(void)
{
    test_fixture();
    test_small_and_malformed();
    return nl_check_done();
}
