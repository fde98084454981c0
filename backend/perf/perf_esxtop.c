#include "backend/perf/perf_esxtop.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/perf/perf_metric.h"
#include "backend/perf/perf_num.h"
#include "backend/perf/perf_time.h"

/* One CSV record: cells unescaped into text, each NUL-terminated. */
struct record {
    char *text;
    size_t text_len, text_cap;
    size_t *off; /* start of each cell in text */
    size_t n, cap;
};

static void record_clear(struct record *r)
{
    free(r->text);
    free(r->off);
    memset(r, 0, sizeof *r);
}

static void record_putc(struct record *r, char c)
{
    r->text = xgrow(r->text, &r->text_cap, r->text_len + 1, 1);
    r->text[r->text_len++] = c;
}

static void record_cell_start(struct record *r)
{
    r->off = xgrow(r->off, &r->cap, r->n + 1, sizeof *r->off);
    r->off[r->n++] = r->text_len;
}

static const char *cell(const struct record *r, size_t i)
{
    return r->text + r->off[i];
}

static size_t cell_len(const struct record *r, size_t i)
{
    size_t end = i + 1 < r->n ? r->off[i + 1] - 1 : r->text_len - 1;
    return end - r->off[i];
}

enum read_result { READ_EOF, READ_OK, READ_BAD };

/* Reads one record starting at *pos. Quoted cells may hold commas, doubled quotes and newlines;
 * an unterminated quote is READ_BAD (a run cut off mid-row). */
static enum read_result read_record(const char *s, size_t len, size_t *pos, struct record *r,
                                    const char **why)
{
    size_t i = *pos;
    r->text_len = 0;
    r->n = 0;
    if (i >= len)
        return READ_EOF;
    record_cell_start(r);
    bool quoted = false, was_quoted = false;
    for (; i < len; i++) {
        char c = s[i];
        if (c == '\0') {
            *why = "a NUL byte";
            return READ_BAD;
        }
        if (quoted) {
            if (c == '"') {
                if (i + 1 < len && s[i + 1] == '"') {
                    record_putc(r, '"');
                    i++;
                } else {
                    quoted = false;
                }
            } else {
                record_putc(r, c);
            }
            continue;
        }
        if (c == '"') {
            if (was_quoted || r->text_len != r->off[r->n - 1]) {
                *why = "a quote in the middle of a cell";
                return READ_BAD;
            }
            quoted = was_quoted = true;
        } else if (c == ',') {
            record_putc(r, '\0');
            record_cell_start(r);
            was_quoted = false;
        } else if (c == '\n') {
            break;
        } else if (c == '\r' && i + 1 < len && s[i + 1] == '\n') {
            continue;
        } else {
            record_putc(r, c);
        }
    }
    if (quoted) {
        *why = "an unterminated quoted cell";
        return READ_BAD;
    }
    record_putc(r, '\0');
    *pos = i < len ? i + 1 : len;
    return READ_OK;
}

static bool blank_record(const struct record *r)
{
    return r->n == 1 && cell_len(r, 0) == 0;
}

struct port {
    char *instance; /* "vSwitch0:134217729:Management" */
    char *vswitch;
    bool uplink;
    long col[4]; /* pktsRx, pktsTx, mbitsRx, mbitsTx; -1 when absent */
    struct perf_bseries *series[4];
};

static const char *const port_counters[4] = {"Packets Received/sec", "Packets Transmitted/sec",
                                             "MBits Received/sec", "MBits Transmitted/sec"};
static const char *const port_metrics[4] = {PERF_ESXTOP_PORT_PKTS_RX, PERF_ESXTOP_PORT_PKTS_TX,
                                            PERF_ESXTOP_PORT_MBITS_RX, PERF_ESXTOP_PORT_MBITS_TX};

/* esxtop names an uplink port after its physical NIC: "vmnic0". */
static bool is_uplink_client(const char *client)
{
    if (strncmp(client, "vmnic", 5) != 0 || !client[5])
        return false;
    for (const char *p = client + 5; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

struct layout {
    long cpu_util, cpu_proc;
    struct port *ports;
    size_t nports, cap;
    char **vswitches;
    size_t nvs, vcap;
};

static void layout_clear(struct layout *l)
{
    for (size_t i = 0; i < l->nports; i++) {
        free(l->ports[i].instance);
        free(l->ports[i].vswitch);
    }
    free(l->ports);
    for (size_t i = 0; i < l->nvs; i++)
        free(l->vswitches[i]);
    free(l->vswitches);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

/* "\\HOST\Network Port(vSwitch0:134217729:my:vm)\Packets Received/sec". The client may contain
 * ':' and ')' so the instance ends at the last ")\". */
static void add_port_column(struct layout *l, const char *name, long col)
{
    const char *open = strstr(name, "\\Network Port(");
    if (!open)
        return;
    open += strlen("\\Network Port(");
    const char *close = NULL;
    for (const char *p = strstr(open, ")\\"); p; p = strstr(p + 1, ")\\"))
        close = p;
    if (!close)
        return;
    const char *counter = close + 2;
    int which = -1;
    for (int k = 0; k < 4; k++)
        if (strcmp(counter, port_counters[k]) == 0)
            which = k;
    if (which < 0)
        return;
    size_t ilen = (size_t)(close - open);
    const char *c1 = memchr(open, ':', ilen);
    const char *c2 = c1 ? memchr(c1 + 1, ':', ilen - (size_t)(c1 + 1 - open)) : NULL;
    if (!c1 || !c2 || c1 == open || c2 == c1 + 1)
        return; /* not vSwitch:portid:client; nothing we can attribute */
    for (const char *p = c1 + 1; p < c2; p++)
        if (*p < '0' || *p > '9')
            return;
    struct port *pt = NULL;
    /* The columns of one port are adjacent, so the last port is nearly always the one. */
    for (size_t i = l->nports; i-- > 0;)
        if (strlen(l->ports[i].instance) == ilen && memcmp(l->ports[i].instance, open, ilen) == 0) {
            pt = &l->ports[i];
            break;
        }
    if (!pt) {
        l->ports = xgrow(l->ports, &l->cap, l->nports + 1, sizeof *l->ports);
        pt = &l->ports[l->nports++];
        memset(pt, 0, sizeof *pt);
        pt->instance = xstrndup(open, ilen);
        pt->vswitch = xstrndup(open, (size_t)(c1 - open));
        char *client = xstrndup(c2 + 1, ilen - (size_t)(c2 + 1 - open));
        pt->uplink = is_uplink_client(client);
        free(client);
        for (int k = 0; k < 4; k++)
            pt->col[k] = -1;
        bool known = false;
        for (size_t i = 0; i < l->nvs; i++)
            known = known || strcmp(l->vswitches[i], pt->vswitch) == 0;
        if (!known) {
            l->vswitches = xgrow(l->vswitches, &l->vcap, l->nvs + 1, sizeof *l->vswitches);
            l->vswitches[l->nvs++] = xstrdup(pt->vswitch);
        }
    }
    pt->col[which] = col;
}

static void scan_header(struct layout *l, const struct record *h)
{
    l->cpu_util = l->cpu_proc = -1;
    for (size_t i = 1; i < h->n; i++) {
        const char *name = cell(h, i);
        if (ends_with(name, "\\Physical Cpu(_Total)\\% Util Time"))
            l->cpu_util = (long)i;
        else if (ends_with(name, "\\Physical Cpu(_Total)\\% Processor Time"))
            l->cpu_proc = (long)i;
        else if (strstr(name, "\\Network Port("))
            add_port_column(l, name, (long)i);
    }
}

struct flows {
    struct perf_bseries *ingress, *delivered;
    double in, out;
};

enum nl_code perf_esxtop_parse(const char *text, size_t len, const char *entity, int interval,
                               struct perf_batch **out, struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    struct record hdr = {0}, row = {0};
    struct layout l = {0};
    struct flows *fl = NULL; /* [0] = all vSwitches, [1 + i] = vswitches[i] */
    struct perf_batch *b = NULL;
    const char *why = NULL;
    size_t pos = 0, rows = 0;
    *out = NULL;
    if (interval <= 0)
        interval = PERF_ESXTOP_INTERVAL;
    if (!entity || !*entity)
        return NL_ERR(err, NL_ERR_USAGE, NULL, "esxtop output needs the id of its host.");
    if (!text || len == 0)
        return NL_ERR(err, NL_ERR_PARSE, NULL, "The esxtop output for \"%s\" is empty.", entity);
    enum read_result rr = read_record(text, len, &pos, &hdr, &why);
    if (rr != READ_OK || hdr.n < 2 || strncmp(cell(&hdr, 0), "(PDH-CSV", 8) != 0) {
        rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                    "The esxtop output for \"%s\" does not start with a PDH-CSV header%s%s.",
                    entity, why ? ": it has " : "", why ? why : "");
        goto cleanup;
    }
    scan_header(&l, &hdr);
    long cpu_col = l.cpu_util >= 0 ? l.cpu_util : l.cpu_proc;
    if (cpu_col < 0) {
        rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                    "The esxtop header for \"%s\" has no \"Physical Cpu(_Total)\\%% Util Time\" "
                    "column.",
                    entity);
        goto cleanup;
    }
    b = perf_batch_new();
    /* Reserve so the series pointers stay valid while rows are added. */
    size_t nseries = 1 + 4 * l.nports + 2 * (1 + l.nvs);
    b->series = xgrow(b->series, &b->cap, nseries, sizeof *b->series);
    struct perf_bseries *cpu = perf_batch_add(b, entity, PERF_ESXTOP_CPU, "", interval);
    for (size_t i = 0; i < l.nports; i++)
        for (int k = 0; k < 4; k++)
            if (l.ports[i].col[k] >= 0)
                l.ports[i].series[k] =
                    perf_batch_add(b, entity, port_metrics[k], l.ports[i].instance, interval);
    bool any_flow = false;
    for (size_t i = 0; i < l.nports; i++)
        any_flow = any_flow || (l.ports[i].col[0] >= 0 && l.ports[i].col[1] >= 0);
    if (any_flow) {
        fl = xcalloc(1 + l.nvs, sizeof *fl);
        for (size_t v = 0; v <= l.nvs; v++) {
            const char *inst = v == 0 ? "" : l.vswitches[v - 1];
            fl[v].ingress = perf_batch_add(b, entity, PERF_ESXTOP_INGRESS, inst, interval);
            fl[v].delivered = perf_batch_add(b, entity, PERF_ESXTOP_DELIVERED, inst, interval);
        }
    }
    for (;;) {
        rr = read_record(text, len, &pos, &row, &why);
        if (rr == READ_EOF)
            break;
        if (rr == READ_BAD) {
            rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                        "The esxtop output for \"%s\" is malformed in row %zu: it has %s.", entity,
                        rows + 1, why);
            goto cleanup;
        }
        if (blank_record(&row))
            continue;
        if (row.n != hdr.n) {
            rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                        "The esxtop output for \"%s\" has %zu cells in row %zu but %zu header "
                        "columns (truncated output?).",
                        entity, row.n, rows + 1, hdr.n);
            goto cleanup;
        }
        int64_t t;
        if (!perf_time_parse_esxtop(cell(&row, 0), &t)) {
            rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                        "The esxtop output for \"%s\" has a bad timestamp \"%.40s\" in row %zu.",
                        entity, cell(&row, 0), rows + 1);
            goto cleanup;
        }
        double v;
        long bad_col = -1;
        if (!perf_num_parse(cell(&row, (size_t)cpu_col), cell_len(&row, (size_t)cpu_col), &v))
            bad_col = cpu_col;
        else
            perf_bseries_push(cpu, t, v);
        for (size_t v2 = 0; fl && v2 <= l.nvs; v2++)
            fl[v2].in = fl[v2].out = 0;
        for (size_t i = 0; i < l.nports && bad_col < 0; i++) {
            struct port *pt = &l.ports[i];
            double val[4] = {0, 0, 0, 0};
            for (int k = 0; k < 4 && bad_col < 0; k++) {
                if (pt->col[k] < 0)
                    continue;
                size_t c = (size_t)pt->col[k];
                if (!perf_num_parse(cell(&row, c), cell_len(&row, c), &val[k]))
                    bad_col = pt->col[k];
                else
                    perf_bseries_push(pt->series[k], t, val[k]);
            }
            if (!fl || pt->col[0] < 0 || pt->col[1] < 0)
                continue;
            /* Uplinks bring frames in on rx and hand them out on tx; every other port the
             * other way round (perf_metric.h). */
            double in = pt->uplink ? val[0] : val[1];
            double outv = pt->uplink ? val[1] : val[0];
            size_t vi = 0;
            while (strcmp(l.vswitches[vi], pt->vswitch) != 0)
                vi++;
            fl[0].in += in;
            fl[0].out += outv;
            fl[1 + vi].in += in;
            fl[1 + vi].out += outv;
        }
        if (bad_col >= 0) {
            rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                        "The esxtop output for \"%s\" has a non-numeric value \"%.40s\" in row %zu "
                        "for column \"%.200s\".",
                        entity, cell(&row, (size_t)bad_col), rows + 1, cell(&hdr, (size_t)bad_col));
            goto cleanup;
        }
        for (size_t v2 = 0; fl && v2 <= l.nvs; v2++) {
            perf_bseries_push(fl[v2].ingress, t, fl[v2].in);
            perf_bseries_push(fl[v2].delivered, t, fl[v2].out);
        }
        rows++;
    }
    if (rows == 0) {
        rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                    "The esxtop output for \"%s\" has a header but no data rows.", entity);
        goto cleanup;
    }
    perf_batch_sort(b);
    *out = b;
    b = NULL;
cleanup:
    perf_batch_free(&b);
    free(fl);
    layout_clear(&l);
    record_clear(&hdr);
    record_clear(&row);
    return rc;
}
