#include "backend/perf/perf_query.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/perf/perf_metric.h"
#include "backend/perf/perf_time.h"
#include "backend/perf/perf_xml.h"

const struct perf_metric_req perf_default_metrics[] = {
    {PERF_CPU_USAGE, ""},    {PERF_CPU_MHZ, ""},      {PERF_NET_PKTS_RX, ""},
    {PERF_NET_PKTS_RX, "*"}, {PERF_NET_BCAST_RX, ""}, {PERF_NET_RX_KBPS, ""},
};
const size_t perf_default_metrics_count =
    sizeof perf_default_metrics / sizeof perf_default_metrics[0];

/* ---- request ---- */

static xmlNode *add_text(xmlNode *parent, const char *name, const char *text)
{
    /* xmlNewTextChild escapes the content (xmlNewChild would not). */
    return xmlNewTextChild(parent, parent->ns, (const xmlChar *)name,
                           (const xmlChar *)(text ? text : ""));
}

static xmlNode *add_int(xmlNode *parent, const char *name, long long v)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", v);
    return add_text(parent, name, num);
}

enum nl_code perf_query_add_specs(xmlNode *parent, const struct perf_counter_map *map,
                                  const struct perf_entity *entities, size_t n,
                                  const struct perf_metric_req *metrics, size_t nmetrics,
                                  const struct perf_query_opts *opts, struct nl_err *err)
{
    if (n == 0)
        return NL_ERR(err, NL_ERR_USAGE, NULL, "A performance query needs at least one entity.");
    size_t known = 0;
    for (size_t m = 0; m < nmetrics; m++)
        if (perf_counter_map_id(map, metrics[m].counter) >= 0)
            known++;
    if (known == 0)
        return NL_ERR(err, NL_ERR_NOT_FOUND, NULL,
                      "The server has none of the %zu requested performance counters (first: "
                      "\"%s\").",
                      nmetrics, nmetrics ? metrics[0].counter : "none");
    int interval = opts && opts->interval_id > 0 ? opts->interval_id : PERF_REALTIME_INTERVAL;
    const char *format = opts && opts->format ? opts->format : "csv";
    for (size_t i = 0; i < n; i++) {
        if (!entities[i].id || !*entities[i].id || !entities[i].type || !*entities[i].type)
            return NL_ERR(err, NL_ERR_USAGE, NULL,
                          "Performance query entity %zu has no type or id.", i + 1);
        xmlNode *spec = xmlNewChild(parent, parent->ns, (const xmlChar *)"querySpec", NULL);
        xmlNode *ent = add_text(spec, "entity", entities[i].id);
        xmlNewProp(ent, (const xmlChar *)"type", (const xmlChar *)entities[i].type);
        if (opts && opts->max_sample > 0)
            add_int(spec, "maxSample", opts->max_sample);
        for (size_t m = 0; m < nmetrics; m++) {
            int32_t id = perf_counter_map_id(map, metrics[m].counter);
            if (id < 0)
                continue; /* the server lacks it (checked above that some exist) */
            xmlNode *mid = xmlNewChild(spec, spec->ns, (const xmlChar *)"metricId", NULL);
            add_int(mid, "counterId", id);
            add_text(mid, "instance", metrics[m].instance ? metrics[m].instance : "");
        }
        add_int(spec, "intervalId", interval);
        add_text(spec, "format", format);
    }
    return NL_OK;
}

enum nl_code perf_query_build(const char *perf_manager, const struct perf_counter_map *map,
                              const struct perf_entity *entities, size_t n,
                              const struct perf_metric_req *metrics, size_t nmetrics,
                              const struct perf_query_opts *opts, char **out, struct nl_err *err)
{
    *out = NULL;
    if (!perf_manager || !*perf_manager)
        return NL_ERR(err, NL_ERR_USAGE, NULL, "The PerformanceManager reference is empty.");
    xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *)"QueryPerf");
    xmlNs *ns = xmlNewNs(root, (const xmlChar *)PERF_NS_VIM, NULL);
    xmlSetNs(root, ns);
    xmlDocSetRootElement(doc, root);
    xmlNode *self = add_text(root, "_this", perf_manager);
    xmlNewProp(self, (const xmlChar *)"type", (const xmlChar *)"PerformanceManager");
    enum nl_code rc = perf_query_add_specs(root, map, entities, n, metrics, nmetrics, opts, err);
    if (rc == NL_OK) {
        xmlBuffer *xb = xmlBufferCreate();
        xmlNodeDump(xb, doc, root, 0, 0);
        *out = xstrdup((const char *)xmlBufferContent(xb));
        xmlBufferFree(xb);
    }
    xmlFreeDoc(doc);
    return rc;
}

/* ---- response ---- */

struct sample_info {
    int64_t t;
    int interval;
    size_t arrival;
};

struct entity_ctx {
    char *entity;
    struct sample_info *info; /* sorted by time, duplicates removed */
    size_t n_info;            /* samples the server sent */
    size_t *order;            /* order[i] = arrival index of the i-th kept sample */
    size_t n_order;
};

static void entity_ctx_clear(struct entity_ctx *e)
{
    free(e->entity);
    free(e->info);
    free(e->order);
    memset(e, 0, sizeof *e);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t len = strlen(s);
    while (len &&
           (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
        s[--len] = '\0';
    return s;
}

static bool parse_ll(const char *s, long long *out)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (!*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
        end++;
    if (errno || *end || end == s)
        return false;
    *out = v;
    return true;
}

/* Splits s in place at commas; returns the number of fields (s must be non-empty). */
static size_t split_csv(char *s, char ***fields)
{
    size_t n = 1;
    for (const char *p = s; *p; p++)
        n += *p == ',';
    char **f = xmalloc(n * sizeof *f);
    size_t i = 0;
    f[i++] = s;
    for (char *p = s; *p; p++)
        if (*p == ',') {
            *p = '\0';
            f[i++] = p + 1;
        }
    *fields = f;
    return n;
}

static int info_cmp(const void *a, const void *b)
{
    const struct sample_info *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->arrival < y->arrival ? -1 : x->arrival > y->arrival;
}

/* Sorts by time and keeps, of equal timestamps, the one that arrived last. */
static void order_samples(struct entity_ctx *e)
{
    if (e->n_info > 1)
        qsort(e->info, e->n_info, sizeof *e->info, info_cmp);
    e->order = xmalloc((e->n_info ? e->n_info : 1) * sizeof *e->order);
    size_t w = 0;
    for (size_t i = 0; i < e->n_info; i++) {
        if (w > 0 && e->info[w - 1].t == e->info[i].t)
            e->info[w - 1] = e->info[i];
        else
            e->info[w++] = e->info[i];
    }
    for (size_t i = 0; i < w; i++)
        e->order[i] = e->info[i].arrival;
    e->n_order = w;
}

static bool valid_interval(long long v)
{
    return v > 0 && v <= 86400 * 366;
}

static enum nl_code read_info_csv(struct entity_ctx *e, const xmlNode *rv, struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    char *raw = perf_xml_child_text(rv, "sampleInfoCSV");
    char **f = NULL;
    char *s = raw ? trim(raw) : NULL;
    if (!s || !*s)
        goto cleanup; /* no samples yet (host just connected) */
    size_t nf = split_csv(s, &f);
    if (nf % 2) {
        rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                    "The QueryPerf answer for \"%s\" has an odd number of fields (%zu) in "
                    "sampleInfoCSV; expected interval,timestamp pairs.",
                    e->entity, nf);
        goto cleanup;
    }
    e->n_info = nf / 2;
    e->info = xcalloc(e->n_info, sizeof *e->info);
    for (size_t i = 0; i < e->n_info; i++) {
        long long iv;
        if (!parse_ll(f[2 * i], &iv) || !valid_interval(iv)) {
            rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                        "The QueryPerf answer for \"%s\" has a bad interval \"%s\" in sample %zu "
                        "of sampleInfoCSV.",
                        e->entity, f[2 * i], i + 1);
            goto cleanup;
        }
        if (!perf_time_parse_iso(f[2 * i + 1], &e->info[i].t)) {
            rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                        "The QueryPerf answer for \"%s\" has a bad timestamp \"%s\" in sample "
                        "%zu of sampleInfoCSV.",
                        e->entity, f[2 * i + 1], i + 1);
            goto cleanup;
        }
        e->info[i].interval = (int)iv;
        e->info[i].arrival = i;
    }
cleanup:
    free(f);
    free(raw);
    return rc;
}

static enum nl_code read_info_normal(struct entity_ctx *e, const xmlNode *rv, struct nl_err *err)
{
    size_t n = 0;
    for (const xmlNode *c = perf_xml_child(rv, "sampleInfo"); c; c = perf_xml_next(c, "sampleInfo"))
        n++;
    e->n_info = n;
    e->info = xcalloc(n ? n : 1, sizeof *e->info);
    size_t i = 0;
    for (const xmlNode *c = perf_xml_child(rv, "sampleInfo"); c;
         c = perf_xml_next(c, "sampleInfo"), i++) {
        char *ts = perf_xml_child_text(c, "timestamp");
        char *iv = perf_xml_child_text(c, "interval");
        long long v = 0;
        enum nl_code rc = NL_OK;
        if (!ts || !perf_time_parse_iso(ts, &e->info[i].t))
            rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                        "The QueryPerf answer for \"%s\" has a bad timestamp \"%s\" in sample "
                        "%zu.",
                        e->entity, ts ? ts : "(missing)", i + 1);
        else if (!iv || !parse_ll(iv, &v) || !valid_interval(v))
            rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                        "The QueryPerf answer for \"%s\" has a bad interval \"%s\" in sample %zu.",
                        e->entity, iv ? iv : "(missing)", i + 1);
        free(ts);
        free(iv);
        if (rc)
            return rc;
        e->info[i].interval = (int)v;
        e->info[i].arrival = i;
    }
    return NL_OK;
}

/* Values in arrival order, as integers. */
static enum nl_code read_values(const struct entity_ctx *e, const xmlNode *val, bool csv,
                                int32_t counter, const char *instance, long long **out,
                                struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    long long *v = xcalloc(e->n_info ? e->n_info : 1, sizeof *v);
    char *raw = NULL;
    char **f = NULL;
    size_t got = 0;
    if (csv) {
        raw = perf_xml_child_text(val, "value");
        char *s = raw ? trim(raw) : NULL;
        if (s && *s) {
            got = split_csv(s, &f);
            for (size_t i = 0; i < got && i < e->n_info; i++)
                if (!parse_ll(f[i], &v[i])) {
                    rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                                "The QueryPerf answer for \"%s\" has a non-numeric value \"%s\" "
                                "for counter %d (instance \"%s\").",
                                e->entity, f[i], (int)counter, instance);
                    goto cleanup;
                }
        }
    } else {
        for (const xmlNode *c = perf_xml_child(val, "value"); c; c = perf_xml_next(c, "value")) {
            if (got < e->n_info) {
                char *t = perf_xml_text(c);
                bool ok = parse_ll(t, &v[got]);
                if (!ok)
                    rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                                "The QueryPerf answer for \"%s\" has a non-numeric value \"%s\" "
                                "for counter %d (instance \"%s\").",
                                e->entity, t, (int)counter, instance);
                free(t);
                if (!ok)
                    goto cleanup;
            }
            got++;
        }
    }
    if (got != e->n_info)
        rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                    "The QueryPerf answer for \"%s\" has %zu values for counter %d (instance "
                    "\"%s\") but %zu samples.",
                    e->entity, got, (int)counter, instance, e->n_info);
cleanup:
    free(f);
    free(raw);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    return NL_OK;
}

static enum nl_code parse_series(struct perf_batch *b, const struct entity_ctx *e,
                                 const xmlNode *val, bool csv, const struct perf_counter_map *map,
                                 struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    const xmlNode *id = perf_xml_child(val, "id");
    char *cid = perf_xml_child_text(id, "counterId");
    char *inst = perf_xml_child_text(id, "instance");
    long long *raw = NULL;
    long long counter;
    if (!id || !cid || !parse_ll(cid, &counter) || counter < INT32_MIN || counter > INT32_MAX) {
        rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                    "The QueryPerf answer for \"%s\" has a value without a valid counter id.",
                    e->entity);
        goto cleanup;
    }
    const char *instance = inst ? trim(inst) : "";
    const struct perf_counter_info *ci = perf_counter_map_get(map, (int32_t)counter);
    /* Values are checked even for counters we skip, so a broken answer never passes. */
    rc = read_values(e, val, csv, (int32_t)counter, instance, &raw, err);
    if (rc || !ci)
        goto cleanup;
    bool percent = strcmp(ci->unit, "percent") == 0;
    bool delta = strcmp(ci->stats_type, "delta") == 0;
    struct perf_bseries *s =
        perf_batch_add(b, e->entity, ci->name, instance,
                       e->n_order ? e->info[0].interval : PERF_REALTIME_INTERVAL);
    for (size_t i = 0; i < e->n_order; i++) {
        long long r = raw[e->order[i]];
        if (r == -1)
            continue; /* vSphere's "no value for this interval" */
        double v = (double)r;
        if (percent)
            v /= 100.0;
        if (delta)
            v /= e->info[i].interval;
        perf_bseries_push(s, e->info[i].t, v);
    }
cleanup:
    free(raw);
    free(cid);
    free(inst);
    return rc;
}

static enum nl_code parse_returnval(struct perf_batch *b, const xmlNode *rv,
                                    const struct perf_counter_map *map, struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    struct entity_ctx e = {0};
    char *type = perf_xml_xsi_type(rv);
    char *ent = perf_xml_child_text(rv, "entity");
    if (!ent || !*trim(ent)) {
        rc =
            NL_ERR(err, NL_ERR_PARSE, NULL, "The QueryPerf answer has a result without an entity.");
        goto cleanup;
    }
    e.entity = xstrdup(trim(ent));
    bool csv;
    if (type && strcmp(type, "PerfEntityMetricCSV") == 0)
        csv = true;
    else if (type && strcmp(type, "PerfEntityMetric") == 0)
        csv = false;
    else if (!type)
        csv = perf_xml_child(rv, "sampleInfoCSV") != NULL;
    else {
        rc = NL_ERR(err, NL_ERR_PARSE, type,
                    "The QueryPerf answer for \"%s\" has the unknown result type \"%s\".", e.entity,
                    type);
        goto cleanup;
    }
    rc = csv ? read_info_csv(&e, rv, err) : read_info_normal(&e, rv, err);
    if (rc)
        goto cleanup;
    order_samples(&e);
    for (const xmlNode *v = perf_xml_child(rv, "value"); v && !rc; v = perf_xml_next(v, "value"))
        rc = parse_series(b, &e, v, csv, map, err);
cleanup:
    entity_ctx_clear(&e);
    free(type);
    free(ent);
    return rc;
}

static enum nl_code walk(struct perf_batch *b, const xmlNode *n, const struct perf_counter_map *map,
                         struct nl_err *err)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        enum nl_code rc = perf_xml_is(n, "returnval") ? parse_returnval(b, n, map, err)
                                                      : walk(b, n->children, map, err);
        if (rc)
            return rc;
    }
    return NL_OK;
}

enum nl_code perf_query_parse_node(const xmlNode *root, const struct perf_counter_map *map,
                                   struct perf_batch **out, struct nl_err *err)
{
    *out = NULL;
    if (!root)
        return NL_ERR(err, NL_ERR_PARSE, NULL, "The QueryPerf answer is empty.");
    enum nl_code rc = perf_xml_check_fault(root, "The QueryPerf answer", err);
    if (rc)
        return rc;
    struct perf_batch *b = perf_batch_new();
    rc = perf_xml_is(root, "returnval") ? parse_returnval(b, root, map, err)
                                        : walk(b, root->children, map, err);
    if (rc) {
        perf_batch_free(&b);
        return rc;
    }
    *out = b;
    return NL_OK;
}

enum nl_code perf_query_parse(const char *xml, size_t len, const struct perf_counter_map *map,
                              struct perf_batch **out, struct nl_err *err)
{
    xmlDoc *doc = NULL;
    *out = NULL;
    enum nl_code rc = perf_xml_read(xml, len, "The QueryPerf answer", &doc, err);
    if (rc)
        return rc;
    rc = perf_query_parse_node(xmlDocGetRootElement(doc), map, out, err);
    xmlFreeDoc(doc);
    return rc;
}
