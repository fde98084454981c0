#include "backend/perf/perf_xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"

bool perf_xml_is(const xmlNode *n, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0;
}

xmlNode *perf_xml_child(const xmlNode *n, const char *local)
{
    if (!n)
        return NULL;
    for (xmlNode *c = n->children; c; c = c->next)
        if (perf_xml_is(c, local))
            return c;
    return NULL;
}

xmlNode *perf_xml_next(const xmlNode *n, const char *local)
{
    if (!n)
        return NULL;
    for (xmlNode *c = n->next; c; c = c->next)
        if (perf_xml_is(c, local))
            return c;
    return NULL;
}

char *perf_xml_text(const xmlNode *n)
{
    if (!n)
        return NULL;
    xmlChar *s = xmlNodeGetContent(n);
    char *copy = xstrdup(s ? (const char *)s : "");
    xmlFree(s);
    return copy;
}

char *perf_xml_child_text(const xmlNode *n, const char *local)
{
    return perf_xml_text(perf_xml_child(n, local));
}

char *perf_xml_xsi_type(const xmlNode *n)
{
    if (!n)
        return NULL;
    xmlChar *v = xmlGetNsProp(n, (const xmlChar *)"type", (const xmlChar *)PERF_NS_XSI);
    if (!v)
        return NULL;
    const char *s = (const char *)v;
    const char *colon = strrchr(s, ':');
    char *out = xstrdup(colon ? colon + 1 : s);
    xmlFree(v);
    return out;
}

enum nl_code perf_xml_read(const char *buf, size_t len, const char *what, xmlDoc **out,
                           struct nl_err *err)
{
    *out = NULL;
    if (!buf || len == 0)
        return NL_ERR(err, NL_ERR_PARSE, NULL, "%s is empty.", what);
    if (len > (size_t)0x7fffffff)
        return NL_ERR(err, NL_ERR_LIMIT, NULL, "%s is too large to parse.", what);
    /* libxml2 prints encoding errors to stderr whatever the options say; the console owns it. */
    xmlSetGenericErrorFunc(NULL, nl_log_library);
    /* No NOENT (entity expansion) and no network: a hostile server gets plain text only. */
    xmlDoc *doc = xmlReadMemory(buf, (int)len, "noname.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc || !xmlDocGetRootElement(doc)) {
        const xmlError *xe = xmlGetLastError();
        char why[160] = "no root element";
        if (xe && xe->message) {
            snprintf(why, sizeof why, "line %d: %s", xe->line, xe->message);
            why[strcspn(why, "\r\n")] = '\0';
        }
        enum nl_code c =
            NL_ERR(err, NL_ERR_PARSE, NULL, "%s is not well-formed XML (%s).", what, why);
        xmlFreeDoc(doc);
        return c;
    }
    *out = doc;
    return NL_OK;
}

static const xmlNode *find_fault(const xmlNode *n, int depth)
{
    /* A fault sits at Envelope/Body/Fault; three levels is enough and keeps this cheap. */
    for (; n && depth < 3; n = n->next) {
        if (perf_xml_is(n, "Fault"))
            return n;
        if (n->type == XML_ELEMENT_NODE) {
            const xmlNode *f = find_fault(n->children, depth + 1);
            if (f)
                return f;
        }
    }
    return NULL;
}

enum nl_code perf_xml_check_fault(const xmlNode *root, const char *what, struct nl_err *err)
{
    const xmlNode *f = find_fault(root, 0);
    if (!f)
        return NL_OK;
    char *msg = perf_xml_child_text(f, "faultstring");
    char *type = NULL;
    const xmlNode *detail = perf_xml_child(f, "detail");
    for (const xmlNode *c = detail ? detail->children : NULL; c && !type; c = c->next)
        if (c->type == XML_ELEMENT_NODE) {
            type = perf_xml_xsi_type(c);
            if (!type)
                type = xstrdup((const char *)c->name);
        }
    enum nl_code code = NL_ERR(err, NL_ERR_FAULT, type, "%s is a server fault: \"%s\".", what,
                               msg && *msg ? msg : "no fault string");
    free(msg);
    free(type);
    return code;
}
