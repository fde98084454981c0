#include "backend/vsphere/vs_soap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"
#include "backend/vsphere/vs_xml.h"

/* Bytes handed to xmlParseChunk at a time. */
enum { VS_PARSE_PIECE = 64 * 1024 };

xmlDoc *vs_envelope_new(const char *method, const char *this_type, const char *this_id,
                        xmlNode **method_node)
{
    xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *env = xmlNewNode(NULL, (const xmlChar *)"Envelope");
    xmlNs *soapenv = xmlNewNs(env, (const xmlChar *)VS_NS_SOAPENV, (const xmlChar *)"soapenv");
    xmlSetNs(env, soapenv);
    xmlNewNs(env, (const xmlChar *)VS_NS_XSI, (const xmlChar *)"xsi");
    xmlNewNs(env, (const xmlChar *)VS_NS_XSD, (const xmlChar *)"xsd");
    xmlDocSetRootElement(doc, env);
    xmlNode *body = xmlNewChild(env, soapenv, (const xmlChar *)"Body", NULL);
    xmlNode *m = xmlNewChild(body, NULL, (const xmlChar *)method, NULL);
    xmlSetNs(m, xmlNewNs(m, (const xmlChar *)VS_NS_VIM, NULL));
    vs_xml_add_moref(m, "_this", this_type, this_id);
    *method_node = m;
    return doc;
}

char *vs_envelope_dump(xmlDoc *doc, size_t *len)
{
    xmlChar *mem = NULL;
    int n = 0;
    xmlDocDumpMemoryEnc(doc, &mem, &n, "UTF-8");
    *len = n > 0 ? (size_t)n : 0;
    return (char *)mem;
}

struct vs_parser {
    char *method;
    char *url;
    struct vs_stream_spec spec;
    bool has_spec;
    size_t max_bytes;
    size_t bytes;
    xmlParserCtxt *ctxt;
    bool failed;         /* a stream callback or the cap stopped the parse */
    struct nl_err err;   /* why */
    char xml_error[200]; /* first libxml2 complaint */
};

static void parser_error(struct vs_parser *p, const xmlError *e)
{
    if (p->xml_error[0] || !e || !e->message)
        return;
    snprintf(p->xml_error, sizeof p->xml_error, "line %d: %s", e->line, e->message);
    size_t n = strlen(p->xml_error);
    while (n && (p->xml_error[n - 1] == '\n' || p->xml_error[n - 1] == ' '))
        p->xml_error[--n] = '\0';
}

/* libxml2 2.9 declares the structured handler without const. */
static void parser_serror(void *user, xmlErrorPtr e)
{
    /* With SAX2 handlers, libxml2 passes the parser context as user data. */
    xmlParserCtxt *ctxt = user;
    if (ctxt && ctxt->_private)
        parser_error(ctxt->_private, e);
}

/* The parser is done with a streamed element (SAX2 popped it), so it can go: this is what keeps
 * memory flat however many objects the reply holds. The whitespace before it goes too (a parent
 * of streamed elements holds no text anyone reads; an indented reply would otherwise grow it
 * without end). libxml2 appends the next text of the parent to its last text child at the offset
 * it remembers in nodelen/nodemem, which described a text inside the freed subtree: cleared, it
 * starts a new text node instead of writing into a freed or foreign buffer. */
static void drop_streamed(xmlParserCtxt *ctxt, xmlNode *node)
{
    xmlNode *parent = node->parent;
    xmlUnlinkNode(node);
    xmlFreeNode(node);
    if (parent && parent->last && parent->last->type == XML_TEXT_NODE) {
        xmlNode *ws = parent->last;
        xmlUnlinkNode(ws);
        xmlFreeNode(ws);
    }
    ctxt->nodelen = 0;
    ctxt->nodemem = 0;
}

/* A SOAP reply never has a document type; an internal subset is how entity expansion turns a
 * small reply into gigabytes. */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
                           const xmlChar *system_id)
{
    (void)name, (void)external_id, (void)system_id;
    xmlParserCtxt *ctxt = ctx;
    struct vs_parser *p = ctxt->_private;
    if (p->failed)
        return;
    NL_ERR(&p->err, NL_ERR_PROTOCOL, NULL,
           "The reply of %s from \"%s\" carries a document type (<!DOCTYPE>), which no SOAP "
           "server sends; it was refused.",
           p->method, p->url);
    p->failed = true;
    xmlStopParser(ctxt);
}

static void stream_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                       const xmlChar *uri)
{
    xmlParserCtxt *ctxt = ctx;
    struct vs_parser *p = ctxt->_private;
    xmlNode *node = ctxt->node;
    int depth = ctxt->nodeNr;
    xmlSAX2EndElementNs(ctx, localname, prefix, uri);
    if (!p->has_spec || p->failed || !node || depth != p->spec.depth ||
        strcmp((const char *)localname, p->spec.element) != 0)
        return;
    enum nl_code rc = p->spec.fn(p->spec.arg, node, &p->err);
    drop_streamed(ctxt, node);
    if (rc != NL_OK) {
        if (!nl_err_is_set(&p->err))
            NL_ERR(&p->err, rc, NULL, "Reading the reply of %s failed.", p->method);
        p->failed = true;
        xmlStopParser(ctxt);
    }
}

struct vs_parser *vs_parser_new(const char *method, const char *url,
                                const struct vs_stream_spec *spec, size_t max_bytes)
{
    struct vs_parser *p = xcalloc(1, sizeof *p);
    p->method = xstrdup(method);
    p->url = xstrdup(url ? url : "");
    if (spec) {
        p->spec = *spec;
        p->has_spec = true;
    }
    p->max_bytes = max_bytes;
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    xmlSAXVersion(&sax, 2);
    sax.endElementNs = stream_end;
    sax.internalSubset = refuse_doctype;
    sax.serror = parser_serror;
    sax.error = NULL;
    sax.warning = NULL;
    /* libxml2 prints encoding errors to stderr past sax.serror (the handler is per thread, so it
     * is set on the thread that parses); the console owns stderr. */
    xmlSetGenericErrorFunc(NULL, nl_log_library);
    p->ctxt = xmlCreatePushParserCtxt(&sax, NULL, NULL, 0, NULL);
    if (!p->ctxt) {
        fprintf(stderr, "nestlab: cannot create an XML parser\n");
        abort();
    }
    p->ctxt->_private = p;
    /* No network access, no entity expansion: the reply is data, not a program. */
    xmlCtxtUseOptions(p->ctxt, XML_PARSE_NONET);
    return p;
}

enum nl_code vs_parser_feed(struct vs_parser *p, const char *data, size_t len, struct nl_err *err)
{
    if (p->failed)
        goto failed;
    if (p->max_bytes && len > p->max_bytes - p->bytes) {
        NL_ERR(&p->err, NL_ERR_LIMIT, NULL,
               "The reply of %s from \"%s\" is larger than the limit of %zu bytes.", p->method,
               p->url, p->max_bytes);
        p->failed = true;
        goto failed;
    }
    p->bytes += len;
    while (len > 0) {
        /* In pieces: libxml2 refuses to look ahead over more than 10 MB of unparsed input
         * ("Huge input lookup"), and a server that ignores maxObjects sends tens of them. */
        int n = len > VS_PARSE_PIECE ? VS_PARSE_PIECE : (int)len;
        xmlParseChunk(p->ctxt, data, n, 0);
        if (p->failed)
            goto failed;
        data += n;
        len -= (size_t)n;
    }
    return NL_OK;
failed:
    if (err && !nl_err_is_set(err))
        *err = p->err;
    return p->err.code;
}

size_t vs_parser_bytes(const struct vs_parser *p)
{
    return p->bytes;
}

static xmlNode *soap_body(xmlDoc *doc)
{
    xmlNode *env = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!vs_xml_is(env, "Envelope") || !env->ns ||
        strcmp((const char *)env->ns->href, VS_NS_SOAPENV) != 0)
        return NULL;
    return vs_xml_child(env, "Body");
}

enum nl_code vs_parser_finish(struct vs_parser *p, long status, struct vs_reply *reply,
                              struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    memset(reply, 0, sizeof *reply);
    if (p->failed) {
        if (err && !nl_err_is_set(err))
            *err = p->err;
        return p->err.code;
    }
    xmlParseChunk(p->ctxt, NULL, 0, 1);
    if (p->failed) {
        if (err && !nl_err_is_set(err))
            *err = p->err;
        return p->err.code;
    }
    xmlDoc *doc = p->ctxt->myDoc;
    p->ctxt->myDoc = NULL;
    bool well_formed = p->ctxt->wellFormed && doc;
    xmlNode *body = well_formed ? soap_body(doc) : NULL;

    if (status == 200) {
        if (!well_formed) {
            rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                        "The reply of %s from \"%s\" is not well-formed XML (%s).", p->method,
                        p->url, p->xml_error[0] ? p->xml_error : "empty or truncated body");
            goto cleanup;
        }
        char want[160];
        snprintf(want, sizeof want, "%sResponse", p->method);
        xmlNode *resp = vs_xml_child(body, want);
        if (!resp) {
            rc = NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                        "The reply of %s from \"%s\" is not a SOAP envelope holding %s.", p->method,
                        p->url, want);
            goto cleanup;
        }
        reply->doc = doc;
        reply->response = resp;
        reply->returnval = vs_xml_child(resp, "returnval");
        doc = NULL;
    } else if (status == 500) {
        xmlNode *fault = vs_xml_child(body, "Fault");
        if (!fault) {
            rc = NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                        "The server \"%s\" answered %s with HTTP status 500 but no readable SOAP "
                        "fault.",
                        p->url, p->method);
            goto cleanup;
        }
        rc = vs_fault_set(fault, p->method, err);
    } else {
        rc = NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                    "The server \"%s\" answered %s with HTTP status %ld instead of a SOAP reply.",
                    p->url, p->method, status);
    }
cleanup:
    xmlFreeDoc(doc);
    return rc;
}

void vs_parser_free(struct vs_parser **pp)
{
    struct vs_parser *p = *pp;
    if (!p)
        return;
    if (p->ctxt) {
        xmlFreeDoc(p->ctxt->myDoc);
        p->ctxt->myDoc = NULL;
        xmlFreeParserCtxt(p->ctxt);
    }
    free(p->method);
    free(p->url);
    free(p);
    *pp = NULL;
}

enum nl_code vs_reply_parse(const char *method, const char *url, long status, const char *body,
                            size_t len, size_t chunk, const struct vs_stream_spec *spec,
                            size_t max_bytes, struct vs_reply *reply, struct nl_err *err)
{
    struct vs_parser *p = vs_parser_new(method, url, spec, max_bytes);
    enum nl_code rc = NL_OK;
    memset(reply, 0, sizeof *reply);
    if (chunk == 0)
        chunk = len ? len : 1;
    for (size_t off = 0; off < len && rc == NL_OK; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        rc = vs_parser_feed(p, body + off, n, err);
    }
    if (rc == NL_OK)
        rc = vs_parser_finish(p, status, reply, err);
    vs_parser_free(&p);
    return rc;
}

void vs_reply_clear(struct vs_reply *r)
{
    if (!r)
        return;
    xmlFreeDoc(r->doc);
    memset(r, 0, sizeof *r);
}

enum nl_code vs_fault_code(const char *type)
{
    if (type && (strcmp(type, "InvalidLogin") == 0 || strcmp(type, "NotAuthenticated") == 0))
        return NL_ERR_AUTH;
    return NL_ERR_FAULT;
}

/* Fault type of a <detail> child: its xsi:type, else its element name without "Fault". */
static char *detail_type(const xmlNode *d)
{
    char *t = vs_xml_xsi_type(d);
    if (t && *t)
        return t;
    free(t);
    if (!d)
        return NULL;
    size_t n = strlen((const char *)d->name);
    if (n > 5 && strcmp((const char *)d->name + n - 5, "Fault") == 0)
        n -= 5;
    return xstrndup((const char *)d->name, n);
}

/* Keeps a server message printable on one line. */
static void one_line(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\r' || *s == '\t')
            *s = ' ';
}

enum nl_code vs_fault_set(const xmlNode *fault, const char *method, struct nl_err *err)
{
    char *msg = vs_xml_child_text(fault, "faultstring");
    char *type = detail_type(vs_xml_first_element(vs_xml_child(fault, "detail")));
    if (!type) {
        char *code = vs_xml_child_text(fault, "faultcode");
        const char *colon = code ? strrchr(code, ':') : NULL;
        type = xstrdup(colon ? colon + 1 : (code && *code ? code : "UnknownFault"));
        free(code);
    }
    if (!msg)
        msg = xstrdup("");
    one_line(msg);
    enum nl_code code = vs_fault_code(type);
    if (strcmp(type, "InvalidLogin") == 0)
        NL_ERR(err, code, type,
               "The server refused the user name or password: \"%s\". Check the user and the "
               "password.",
               msg);
    else if (strcmp(type, "NotAuthenticated") == 0)
        NL_ERR(err, code, type,
               "The server refused %s because the session is not authenticated: \"%s\".", method,
               msg);
    else
        NL_ERR(err, code, type, "The server answered %s with the fault %s: \"%s\".", method, type,
               msg);
    free(msg);
    free(type);
    return code;
}

char *vs_localized_fault_type(const xmlNode *lmf)
{
    xmlNode *f = vs_xml_child(lmf, "fault");
    return f ? vs_xml_xsi_type(f) : NULL;
}
