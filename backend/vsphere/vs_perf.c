#include "backend/vsphere/vs_perf.h"

#include <stdlib.h>
#include <string.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"
#include "backend/vsphere/vs_soap.h"
#include "backend/vsphere/vs_xml.h"

static enum nl_code build_counters(xmlNode *m, void *arg, struct nl_err *err)
{
    (void)err;
    const struct vs_moref *pm = arg;
    xmlNode *spec = vs_xml_add(m, "specSet", NULL);
    xmlNode *ps = vs_xml_add(spec, "propSet", NULL);
    vs_xml_add(ps, "type", "PerformanceManager");
    vs_xml_add(ps, "pathSet", "perfCounter");
    xmlNode *os = vs_xml_add(spec, "objectSet", NULL);
    vs_xml_add_moref(os, "obj", pm->type, pm->id);
    vs_xml_add(m, "options", NULL);
    return NL_OK;
}

/* The fault type of the first missingSet for perfCounter, owned; NULL when none. */
static char *missing_fault(const xmlNode *response)
{
    for (xmlNode *rv = vs_xml_child(response, "returnval"); rv; rv = vs_xml_next(rv, "returnval"))
        for (xmlNode *o = vs_xml_child(rv, "objects"); o; o = vs_xml_next(o, "objects")) {
            xmlNode *ms = vs_xml_child(o, "missingSet");
            if (ms) {
                char *t = vs_localized_fault_type(vs_xml_child(ms, "fault"));
                return t ? t : xstrdup("unknown fault");
            }
        }
    return NULL;
}

/* A shallow copy of ServiceContent.perfManager (the strings stay the client's). */
static enum nl_code perf_manager(struct vs_client *c, struct vs_moref *pm, struct nl_err *err)
{
    const struct vs_service_content *sc = vs_client_service(c);
    if (!sc || !sc->perf_manager.id || !*sc->perf_manager.id)
        return NL_ERR(err, NL_ERR_NOT_FOUND, NULL, "The server \"%s\" has no PerformanceManager.",
                      vs_client_url(c));
    *pm = sc->perf_manager;
    static char default_type[] = "PerformanceManager";
    if (!pm->type || !*pm->type)
        pm->type = default_type;
    return NL_OK;
}

enum nl_code vs_perf_counter_map_fetch(struct vs_client *c, struct perf_counter_map **out,
                                       struct nl_err *err)
{
    *out = NULL;
    struct vs_moref pm = {0};
    enum nl_code prc = perf_manager(c, &pm, err);
    if (prc)
        return prc;
    const struct vs_service_content *sc = vs_client_service(c);
    for (int attempt = 0;; attempt++) {
        unsigned gen = vs_client_session_gen(c);
        struct vs_reply r = {0};
        enum nl_code rc = vs_call(c, "RetrievePropertiesEx", sc->property_collector.type,
                                  sc->property_collector.id, build_counters, &pm, &r, err);
        if (rc)
            return rc;
        /* A property the server withheld shows up in missingSet, not as a fault. An expired
         * session does that (NotAuthenticated): log in again once and retry. */
        char *missing = missing_fault(r.response);
        if (missing && strcmp(missing, "NotAuthenticated") == 0 && attempt == 0) {
            free(missing);
            vs_reply_clear(&r);
            rc = vs_client_relogin(c, gen, err);
            if (rc)
                return rc;
            continue;
        }
        if (missing) {
            rc = NL_ERR(err, strcmp(missing, "NotAuthenticated") == 0 ? NL_ERR_AUTH : NL_ERR_FAULT,
                        missing, "The server \"%s\" withheld PerformanceManager.perfCounter (%s).",
                        vs_client_url(c), missing);
            free(missing);
            vs_reply_clear(&r);
            return rc;
        }
        rc = perf_counter_map_from_node(r.response, out, err);
        vs_reply_clear(&r);
        if (rc == NL_OK)
            NL_DEBUG("Read %zu performance counters from \"%s\".", perf_counter_map_count(*out),
                     vs_client_url(c));
        return rc;
    }
}

struct query_args {
    const struct perf_counter_map *map;
    const struct perf_entity *entities;
    size_t n;
    struct perf_query_opts opts;
};

static enum nl_code build_query(xmlNode *m, void *arg, struct nl_err *err)
{
    const struct query_args *q = arg;
    return perf_query_add_specs(m, q->map, q->entities, q->n, perf_default_metrics,
                                perf_default_metrics_count, &q->opts, err);
}

enum nl_code vs_perf_fetch(struct vs_client *c, const struct perf_counter_map *map,
                           const struct perf_entity *entities, size_t n, int max_sample,
                           struct perf_batch **out, struct nl_err *err)
{
    *out = NULL;
    if (n == 0) {
        /* Nothing in view: no call at all, an empty batch. */
        *out = perf_batch_new();
        return NL_OK;
    }
    struct vs_moref pm = {0};
    enum nl_code rc = perf_manager(c, &pm, err);
    if (rc)
        return rc;
    struct query_args q = {map, entities, n, {max_sample, 20, "csv"}};
    struct vs_reply r = {0};
    rc = vs_call(c, "QueryPerf", pm.type, pm.id, build_query, &q, &r, err);
    if (rc == NL_OK)
        rc = perf_query_parse_node(r.response, map, out, err);
    vs_reply_clear(&r);
    return rc;
}

enum nl_code vs_perf_refresh(struct vs_client *c, const struct perf_counter_map *map,
                             const struct perf_entity *entities, size_t n, int max_sample,
                             struct perf_store *store, struct nl_err *err)
{
    struct perf_batch *b = NULL;
    enum nl_code rc = vs_perf_fetch(c, map, entities, n, max_sample, &b, err);
    if (rc == NL_OK)
        perf_store_merge(store, b);
    perf_batch_free(&b);
    return rc;
}
