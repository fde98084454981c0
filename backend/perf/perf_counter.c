#include "backend/perf/perf_counter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/perf/perf_xml.h"

struct perf_counter_map {
    struct perf_counter_info **by_id;   /* sorted by id */
    struct perf_counter_info **by_name; /* sorted by name, first of each name only */
    size_t n, n_names, cap_id, cap_name;
};

struct perf_counter_map *perf_counter_map_new(void)
{
    return xcalloc(1, sizeof(struct perf_counter_map));
}

static void info_free(struct perf_counter_info *c)
{
    if (!c)
        return;
    free(c->name);
    free(c->unit);
    free(c->stats_type);
    free(c->rollup);
    free(c);
}

void perf_counter_map_free(struct perf_counter_map **m)
{
    if (!m || !*m)
        return;
    for (size_t i = 0; i < (*m)->n; i++)
        info_free((*m)->by_id[i]);
    free((*m)->by_id);
    free((*m)->by_name);
    free(*m);
    *m = NULL;
}

/* First index whose id is >= id. */
static size_t lower_id(const struct perf_counter_map *m, int32_t id)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->by_id[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static size_t lower_name(const struct perf_counter_map *m, const char *name)
{
    size_t lo = 0, hi = m->n_names;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->by_name[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool blank(const char *s)
{
    return !s || !*s;
}

enum nl_code perf_counter_map_add(struct perf_counter_map *m, int32_t id, const char *group,
                                  const char *counter, const char *rollup, const char *unit,
                                  const char *stats_type, struct nl_err *err)
{
    if (blank(group) || blank(counter) || blank(rollup))
        return NL_ERR(err, NL_ERR_PARSE, NULL,
                      "Performance counter %d has no group, name or rollup type.", (int)id);
    /* vSphere's counter keys are positive; -1 is perf_counter_map_id's "no such counter". */
    if (id < 0)
        return NL_ERR(err, NL_ERR_PARSE, NULL, "Performance counter id %d is negative.", (int)id);
    size_t at = lower_id(m, id);
    if (at < m->n && m->by_id[at]->id == id)
        return NL_ERR(err, NL_ERR_PARSE, NULL, "Performance counter id %d is listed twice.",
                      (int)id);
    struct perf_counter_info *c = xcalloc(1, sizeof *c);
    c->id = id;
    c->name = xasprintf("%s.%s.%s", group, counter, rollup);
    c->unit = xstrdup(unit ? unit : "");
    c->stats_type = xstrdup(stats_type ? stats_type : "");
    c->rollup = xstrdup(rollup);

    m->by_id = xgrow(m->by_id, &m->cap_id, m->n + 1, sizeof *m->by_id);
    memmove(m->by_id + at + 1, m->by_id + at, (m->n - at) * sizeof *m->by_id);
    m->by_id[at] = c;
    m->n++;

    size_t nat = lower_name(m, c->name);
    if (nat < m->n_names && strcmp(m->by_name[nat]->name, c->name) == 0)
        return NL_OK; /* duplicate name: the first one seen keeps the name */
    m->by_name = xgrow(m->by_name, &m->cap_name, m->n_names + 1, sizeof *m->by_name);
    memmove(m->by_name + nat + 1, m->by_name + nat, (m->n_names - nat) * sizeof *m->by_name);
    m->by_name[nat] = c;
    m->n_names++;
    return NL_OK;
}

size_t perf_counter_map_count(const struct perf_counter_map *m)
{
    return m ? m->n : 0;
}

const struct perf_counter_info *perf_counter_map_find(const struct perf_counter_map *m,
                                                      const char *name)
{
    if (!m || !name)
        return NULL;
    size_t at = lower_name(m, name);
    if (at < m->n_names && strcmp(m->by_name[at]->name, name) == 0)
        return m->by_name[at];
    return NULL;
}

int32_t perf_counter_map_id(const struct perf_counter_map *m, const char *name)
{
    const struct perf_counter_info *c = perf_counter_map_find(m, name);
    return c ? c->id : -1;
}

const struct perf_counter_info *perf_counter_map_get(const struct perf_counter_map *m, int32_t id)
{
    if (!m)
        return NULL;
    size_t at = lower_id(m, id);
    return at < m->n && m->by_id[at]->id == id ? m->by_id[at] : NULL;
}

static bool parse_id(const char *s, int32_t *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    while (*end == ' ' || *end == '\n' || *end == '\t' || *end == '\r')
        end++;
    if (errno || *end || v < INT32_MIN || v > INT32_MAX)
        return false;
    *out = (int32_t)v;
    return true;
}

static enum nl_code add_entry(struct perf_counter_map *m, const xmlNode *e, size_t index,
                              struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    char *key = perf_xml_child_text(e, "key");
    char *group = perf_xml_child_text(perf_xml_child(e, "groupInfo"), "key");
    char *name = perf_xml_child_text(perf_xml_child(e, "nameInfo"), "key");
    char *unit = perf_xml_child_text(perf_xml_child(e, "unitInfo"), "key");
    char *rollup = perf_xml_child_text(e, "rollupType");
    char *stats = perf_xml_child_text(e, "statsType");
    int32_t id;
    if (!parse_id(key, &id)) {
        rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                    "PerfCounterInfo entry %zu has no numeric key (got \"%s\").", index + 1,
                    key ? key : "nothing");
        goto cleanup;
    }
    rc = perf_counter_map_add(m, id, group, name, rollup, unit, stats, err);
cleanup:
    free(key);
    free(group);
    free(name);
    free(unit);
    free(rollup);
    free(stats);
    return rc;
}

/* Walks the subtree without recursion depth tied to the document's nesting of entries: entries
 * are collected wherever they are, but not looked for inside an entry. */
static enum nl_code walk(struct perf_counter_map *m, const xmlNode *n, size_t *count,
                         struct nl_err *err)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        /* QueryPerfCounter answers with <returnval> entries of the same shape. */
        bool entry = perf_xml_is(n, "PerfCounterInfo") ||
                     (perf_xml_is(n, "returnval") && perf_xml_child(n, "nameInfo"));
        if (entry) {
            enum nl_code rc = add_entry(m, n, *count, err);
            if (rc)
                return rc;
            (*count)++;
        } else {
            enum nl_code rc = walk(m, n->children, count, err);
            if (rc)
                return rc;
        }
    }
    return NL_OK;
}

enum nl_code perf_counter_map_from_node(const xmlNode *root, struct perf_counter_map **out,
                                        struct nl_err *err)
{
    *out = NULL;
    if (!root)
        return NL_ERR(err, NL_ERR_PARSE, NULL, "The perfCounter response is empty.");
    enum nl_code rc = perf_xml_check_fault(root, "The perfCounter response", err);
    if (rc)
        return rc;
    struct perf_counter_map *m = perf_counter_map_new();
    size_t count = 0;
    /* Look at root itself too, so a caller can hand us a single entry or the propSet value. */
    xmlNode *first = root->children;
    if (perf_xml_is(root, "PerfCounterInfo") ||
        (perf_xml_is(root, "returnval") && perf_xml_child(root, "nameInfo"))) {
        rc = add_entry(m, root, 0, err);
        count = 1;
        first = NULL;
    }
    if (!rc)
        rc = walk(m, first, &count, err);
    if (!rc && count == 0)
        rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                    "The perfCounter response holds no PerfCounterInfo entries.");
    if (rc) {
        perf_counter_map_free(&m);
        return rc;
    }
    *out = m;
    return NL_OK;
}

enum nl_code perf_counter_map_parse(const char *xml, size_t len, struct perf_counter_map **out,
                                    struct nl_err *err)
{
    xmlDoc *doc = NULL;
    *out = NULL;
    enum nl_code rc = perf_xml_read(xml, len, "The perfCounter response", &doc, err);
    if (rc)
        return rc;
    rc = perf_counter_map_from_node(xmlDocGetRootElement(doc), out, err);
    xmlFreeDoc(doc);
    return rc;
}
