#include "backend/esxi/esx_xml.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

/* libxml2 must be initialised once before threads use it concurrently. */
static void xml_init(void)
{
    xmlInitParser();
}

static bool node_is(const xmlNode *n, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0;
}

static const xmlNode *first_child(const xmlNode *n, const char *local)
{
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next) {
        if (node_is(c, local))
            return c;
    }
    return NULL;
}

/* Trimmed text content. Entity references cannot appear: documents with a DTD are refused. */
static char *node_text(const xmlNode *n)
{
    xmlChar *raw = xmlNodeGetContent(n);
    const char *s = raw ? (const char *)raw : "";
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    size_t start = 0;
    while (start < len && isspace((unsigned char)s[start]))
        start++;
    char *out = xstrndup(s + start, len - start);
    xmlFree(raw);
    return out;
}

static void field_fill(struct esx_field *f, const xmlNode *fn)
{
    const xmlNode *v = NULL;
    for (const xmlNode *c = fn->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            v = c;
            break;
        }
    }
    f->type = ESX_V_OTHER;
    if (!v) {
        /* <field name="X"/> or text directly in the field: keep the text as a string. */
        f->type = ESX_V_STRING;
        f->text = node_text(fn);
        return;
    }
    if (node_is(v, "string")) {
        f->type = ESX_V_STRING;
    } else if (node_is(v, "integer")) {
        f->type = ESX_V_INTEGER;
    } else if (node_is(v, "boolean")) {
        f->type = ESX_V_BOOLEAN;
    } else if (node_is(v, "list")) {
        f->type = ESX_V_LIST;
        f->text = xstrdup("");
        size_t cap = 0;
        for (const xmlNode *e = v->children; e; e = e->next) {
            if (e->type != XML_ELEMENT_NODE)
                continue;
            f->list = xgrow(f->list, &cap, f->n_list + 1, sizeof(*f->list));
            f->list[f->n_list++] = node_text(e);
        }
        return;
    }
    f->text = f->type == ESX_V_OTHER ? xstrdup("") : node_text(v);
}

static void record_fill(struct esx_record *r, const xmlNode *sn)
{
    xmlChar *tn = xmlGetProp(sn, (const xmlChar *)"typeName");
    r->type_name = xstrdup(tn ? (const char *)tn : "");
    xmlFree(tn);
    size_t cap = 0;
    for (const xmlNode *c = sn->children; c; c = c->next) {
        if (!node_is(c, "field"))
            continue;
        xmlChar *name = xmlGetProp(c, (const xmlChar *)"name");
        if (!name)
            continue; /* a field without a name cannot be looked up; skip it */
        r->fields = xgrow(r->fields, &cap, r->n_fields + 1, sizeof(*r->fields));
        struct esx_field *f = &r->fields[r->n_fields++];
        memset(f, 0, sizeof(*f));
        f->name = xstrdup((const char *)name);
        xmlFree(name);
        field_fill(f, c);
    }
}

enum nl_code esx_xml_parse(const char *data, size_t len, struct esx_records **out,
                           struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    xmlDoc *doc = NULL;
    struct esx_records *res = NULL;
    *out = NULL;
    pthread_once(&xml_once, xml_init);
    if (!data || len == 0) {
        return NL_ERR(err, NL_ERR_PARSE, NULL,
                      "The host sent no esxcli output where XML was expected.");
    }
    if (len > INT_MAX) {
        return NL_ERR(err, NL_ERR_LIMIT, NULL, "The esxcli output is too large to parse.");
    }
    /* libxml2 prints encoding errors to stderr whatever the options say; the console owns it. */
    xmlSetGenericErrorFunc(NULL, nl_log_library);
    doc = xmlReadMemory(data, (int)len, "esxcli.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *xe = xmlGetLastError();
        char why[200];
        snprintf(why, sizeof(why), "%s", xe && xe->message ? xe->message : "unknown error");
        why[strcspn(why, "\n")] = '\0';
        rc = NL_ERR(err, NL_ERR_PARSE, NULL, "The esxcli output is not well-formed XML (%s).", why);
        goto cleanup;
    }
    if (doc->intSubset || doc->extSubset) {
        /* esxcli never sends a DTD; refusing one rules out entity expansion attacks. */
        rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                    "The esxcli output carries a DTD, which esxcli never sends.");
        goto cleanup;
    }
    const xmlNode *top = xmlDocGetRootElement(doc);
    if (!node_is(top, "output")) {
        rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                    "The esxcli output has root element \"%s\" instead of \"output\".",
                    top ? (const char *)top->name : "");
        goto cleanup;
    }
    const xmlNode *root = first_child(top, "root");
    if (!root) {
        rc = NL_ERR(err, NL_ERR_PARSE, NULL, "The esxcli output has no \"root\" element.");
        goto cleanup;
    }
    res = xcalloc(1, sizeof(*res));
    size_t cap = 0;
    const xmlNode *list = first_child(root, "list");
    const xmlNode *single = first_child(root, "structure");
    if (list) {
        for (const xmlNode *c = list->children; c; c = c->next) {
            if (!node_is(c, "structure"))
                continue;
            res->items = xgrow(res->items, &cap, res->n + 1, sizeof(*res->items));
            memset(&res->items[res->n], 0, sizeof(res->items[0]));
            record_fill(&res->items[res->n++], c);
        }
    } else if (single) {
        res->items = xgrow(res->items, &cap, 1, sizeof(*res->items));
        memset(&res->items[0], 0, sizeof(res->items[0]));
        record_fill(&res->items[res->n++], single);
    } else {
        /* Commands without output send an empty root; a scalar root value is not a record. */
        for (const xmlNode *c = root->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE) {
                rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                            "The esxcli output holds a \"%s\" where records were expected.",
                            (const char *)c->name);
                goto cleanup;
            }
        }
    }
    *out = res;
    res = NULL;
cleanup:
    esx_records_free(&res);
    xmlFreeDoc(doc);
    return rc;
}

void esx_records_free(struct esx_records **pr)
{
    struct esx_records *r = pr ? *pr : NULL;
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        struct esx_record *rec = &r->items[i];
        for (size_t j = 0; j < rec->n_fields; j++) {
            struct esx_field *f = &rec->fields[j];
            free(f->name);
            free(f->text);
            for (size_t k = 0; k < f->n_list; k++)
                free(f->list[k]);
            free(f->list);
        }
        free(rec->fields);
        free(rec->type_name);
    }
    free(r->items);
    free(r);
    *pr = NULL;
}

/* Compares two names on letters and digits only, case-insensitively. */
static bool name_eq(const char *a, const char *b)
{
    for (;;) {
        while (*a && !isalnum((unsigned char)*a))
            a++;
        while (*b && !isalnum((unsigned char)*b))
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        a++;
        b++;
    }
}

const struct esx_field *esx_record_field(const struct esx_record *r, const char *name)
{
    for (size_t i = 0; r && i < r->n_fields; i++) {
        if (name_eq(r->fields[i].name, name))
            return &r->fields[i];
    }
    return NULL;
}

const char *esx_record_str(const struct esx_record *r, const char *name)
{
    const struct esx_field *f = esx_record_field(r, name);
    return f && f->type != ESX_V_LIST ? f->text : NULL;
}

bool esx_record_int(const struct esx_record *r, const char *name, long long *out)
{
    const char *s = esx_record_str(r, name);
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

enum nl_tri esx_bool_word(const char *s)
{
    static const char *const yes[] = {"true", "1", "yes", "on"};
    static const char *const no[] = {"false", "0", "no", "off"};
    for (size_t i = 0; s && i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return NL_TRI_TRUE;
        if (strcasecmp(s, no[i]) == 0)
            return NL_TRI_FALSE;
    }
    return NL_TRI_UNSET;
}

enum nl_tri esx_record_bool(const struct esx_record *r, const char *name)
{
    return esx_bool_word(esx_record_str(r, name));
}
