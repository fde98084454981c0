#include <stdlib.h>
#include <string.h>

#include "backend/core/buf.h"
#include "backend/esxi/esx_esxtop.h"
#include "check.h"
#include "fixture.h"

static void test_sample(void)
{
    size_t len;
    char *data = fixture_read("esxtop.csv", &len);
    struct esx_esxtop *t = NULL;
    struct nl_err err = {0};
    CHECK_INT(esx_esxtop_parse(data, len, &t, &err), NL_OK);
    free(data);
    if (!t)
        return;
    CHECK_INT(t->n_columns, 7);
    CHECK_INT(t->n_rows, 1);
    ssize_t c = esx_esxtop_column(t, "Physical Cpu", "_Total", "% Util Time");
    CHECK_INT(c, 3);
    double v = 0;
    CHECK(esx_esxtop_value(t, 0, c, &v) && v == 37.25);
    CHECK_INT(esx_esxtop_column(t, "Physical Cpu", "0", "% Util Time"), -1);
    CHECK_INT(esx_esxtop_column(t, "Memory", NULL, "Memory Overcommit (1 Minute Avg)"), 1);
    c = esx_esxtop_find(t, "\\Packets Received/sec", 0);
    CHECK_INT(c, 4);
    CHECK(esx_esxtop_value(t, 0, c, &v) && v == 2000.0);
    CHECK_INT(esx_esxtop_find(t, "\\Packets Received/sec", 5), -1);
    CHECK(!esx_esxtop_value(t, 0, 99, &v));
    CHECK(!esx_esxtop_value(t, 1, 1, &v));
    CHECK(!esx_esxtop_value(t, 0, 0, &v)); /* the timestamp is no number */

    struct esx_counter_name n;
    CHECK(esx_esxtop_split(t->columns[5], &n));
    CHECK_STR(n.host, "esx-p01");
    CHECK_STR(n.object, "Network Port");
    CHECK_STR(n.instance, "vSwitch6:134217730:36139:Krein (a)");
    CHECK_STR(n.counter, "MBits Received/sec");
    esx_counter_name_clear(&n);
    CHECK(esx_esxtop_split(t->columns[1], &n));
    CHECK_STR(n.object, "Memory");
    CHECK(n.instance == NULL);
    esx_counter_name_clear(&n);
    CHECK(!esx_esxtop_split(t->columns[0], &n));
    CHECK(!esx_esxtop_split("\\\\host", &n));
    esx_esxtop_free(&t);
}

static void test_malformed(void)
{
    static const char *const bad[] = {"esxtop_truncated.csv", "esxtop_noheader.csv", "garbage.xml"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t len;
        char *data = fixture_read(bad[i], &len);
        struct esx_esxtop *t = NULL;
        struct nl_err err = {0};
        CHECK_INT(esx_esxtop_parse(data, len, &t, &err), NL_ERR_PARSE);
        CHECK(t == NULL);
        free(data);
    }
    struct esx_esxtop *t = NULL;
    struct nl_err err = {0};
    const char *q = "\"(PDH-CSV 4.0)\",\"\\\\h\\Memory\\Free\"\n\"t\",\"1\"x\n";
    CHECK_INT(esx_esxtop_parse(q, strlen(q), &t, &err), NL_ERR_PARSE);
    nl_err_clear(&err);
    q = "\"(PDH-CSV 4.0)\",\"unterminated\n";
    CHECK_INT(esx_esxtop_parse(q, strlen(q), &t, &err), NL_ERR_PARSE);
    nl_err_clear(&err);
    CHECK_INT(esx_esxtop_parse("", 0, &t, &err), NL_ERR_PARSE);
}

/* Thousands of columns, found by name at the far end. */
static void test_wide(void)
{
    struct nl_buf h, r;
    nl_buf_init(&h, 0);
    nl_buf_init(&r, 0);
    nl_buf_append_str(&h, "\"(PDH-CSV 4.0) (UTC)(0)\"", NULL);
    nl_buf_append_str(&r, "\"11/25/2025 20:00:00\"", NULL);
    for (int i = 0; i < 8000; i++) {
        nl_buf_appendf(&h, NULL,
                       ",\"\\\\h\\Network Port(vSwitch0:%d:vm \"\"%d\"\")\\Packets Received/sec\"",
                       134217728 + i, i);
        nl_buf_appendf(&r, NULL, ",\"%d.5\"", i);
    }
    nl_buf_append_str(&h, "\n", NULL);
    nl_buf_append(&h, r.data, r.len, NULL);
    struct esx_esxtop *t = NULL;
    struct nl_err err = {0};
    CHECK_INT(esx_esxtop_parse(h.data, h.len, &t, &err), NL_OK);
    CHECK(t && t->n_columns == 8001);
    ssize_t c = esx_esxtop_column(t, "Network Port", "vSwitch0:134225727:vm \"7999\"",
                                  "Packets Received/sec");
    CHECK_INT(c, 8000);
    double v = 0;
    CHECK(esx_esxtop_value(t, 0, c, &v) && v == 7999.5);
    esx_esxtop_free(&t);
    nl_buf_free(&h);
    nl_buf_free(&r);
}

int main(void)
{
    test_sample();
    test_malformed();
    test_wide();
    return nl_check_done();
}
