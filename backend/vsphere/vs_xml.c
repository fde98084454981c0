#include "backend/vsphere/vs_xml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"

xmlNode *vs_xml_add(xmlNode *parent, const char *name, const char *text)
{
    if (!text) /* a container element */
        return xmlNewChild(parent, parent->ns, (const xmlChar *)name, NULL);
    /* xmlNewTextChild escapes the content; xmlNewChild would not. */
    return xmlNewTextChild(parent, parent->ns, (const xmlChar *)name, (const xmlChar *)text);
}

xmlNode *vs_xml_add_int(xmlNode *parent, const char *name, long long v)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", v);
    return vs_xml_add(parent, name, num);
}

xmlNode *vs_xml_add_bool(xmlNode *parent, const char *name, bool v)
{
    return vs_xml_add(parent, name, v ? "true" : "false");
}

xmlNode *vs_xml_add_moref(xmlNode *parent, const char *name, const char *type, const char *id)
{
    xmlNode *n = vs_xml_add(parent, name, id);
    xmlNewProp(n, (const xmlChar *)"type", (const xmlChar *)type);
    return n;
}

xmlNode *vs_xml_add_typed(xmlNode *parent, const char *name, const char *xsi_type)
{
    xmlNode *n = xmlNewChild(parent, parent->ns, (const xmlChar *)name, NULL);
    xmlNs *xsi = xmlSearchNsByHref(parent->doc, parent, (const xmlChar *)VS_NS_XSI);
    if (!xsi)
        xsi = xmlNewNs(n, (const xmlChar *)VS_NS_XSI, (const xmlChar *)"xsi");
    xmlNewNsProp(n, xsi, (const xmlChar *)"type", (const xmlChar *)xsi_type);
    return n;
}

bool vs_xml_is(const xmlNode *n, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0;
}

xmlNode *vs_xml_child(const xmlNode *n, const char *local)
{
    if (!n)
        return NULL;
    for (xmlNode *c = n->children; c; c = c->next)
        if (vs_xml_is(c, local))
            return c;
    return NULL;
}

xmlNode *vs_xml_next(const xmlNode *n, const char *local)
{
    if (!n)
        return NULL;
    for (xmlNode *c = n->next; c; c = c->next)
        if (vs_xml_is(c, local))
            return c;
    return NULL;
}

xmlNode *vs_xml_first_element(const xmlNode *n)
{
    if (!n)
        return NULL;
    for (xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return NULL;
}

char *vs_xml_text(const xmlNode *n)
{
    if (!n)
        return NULL;
    xmlChar *t = xmlNodeGetContent(n);
    char *s = xstrdup(t ? (const char *)t : "");
    xmlFree(t);
    return s;
}

char *vs_xml_child_text(const xmlNode *n, const char *local)
{
    xmlNode *c = vs_xml_child(n, local);
    return c ? vs_xml_text(c) : NULL;
}

char *vs_xml_xsi_type(const xmlNode *n)
{
    if (!n || n->type != XML_ELEMENT_NODE)
        return NULL;
    xmlChar *t = xmlGetNsProp(n, (const xmlChar *)"type", (const xmlChar *)VS_NS_XSI);
    if (!t)
        return NULL;
    const char *colon = strrchr((const char *)t, ':');
    char *s = xstrdup(colon ? colon + 1 : (const char *)t);
    xmlFree(t);
    return s;
}

bool vs_xml_moref(const xmlNode *n, struct vs_moref *out)
{
    out->type = out->id = NULL;
    if (!n || n->type != XML_ELEMENT_NODE)
        return false;
    /* xmlGetProp would also match xsi:type, which servers put on the same element. */
    xmlChar *t = xmlGetNoNsProp(n, (const xmlChar *)"type");
    char *id = vs_xml_text(n);
    if (!t || !id || !*id) {
        xmlFree(t);
        free(id);
        return false;
    }
    out->type = xstrdup((const char *)t);
    out->id = id;
    xmlFree(t);
    return true;
}

void vs_moref_clear(struct vs_moref *m)
{
    free(m->type);
    free(m->id);
    m->type = m->id = NULL;
}

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return s;
}

bool vs_xml_parse_bool(const xmlNode *n, bool *out)
{
    if (!n)
        return false;
    char *t = vs_xml_text(n);
    const char *s = skip_space(t);
    bool ok = true;
    if (strncmp(s, "true", 4) == 0 || strncmp(s, "1", 1) == 0)
        *out = true;
    else if (strncmp(s, "false", 5) == 0 || strncmp(s, "0", 1) == 0)
        *out = false;
    else
        ok = false;
    free(t);
    return ok;
}

bool vs_xml_parse_long(const xmlNode *n, long long *out)
{
    if (!n)
        return false;
    char *t = vs_xml_text(n);
    const char *s = skip_space(t);
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    bool ok = end != s && errno == 0 && *skip_space(end) == '\0';
    if (ok)
        *out = v;
    free(t);
    return ok;
}
