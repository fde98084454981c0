/* The SOAP layer without any network: building a vim25 request envelope with libxml2, and turning
 * a reply (HTTP status + body bytes, fed in chunks as they arrive) into either the
 * <MethodResponse> element or a classified fault. Large replies are parsed as a stream: elements
 * named in a vs_stream_spec are handed to a callback as soon as they are complete and then freed,
 * so no DOM of a 20 MB inventory ever exists. The transport (vs_client.c) and the unit tests both
 * drive this same parser. */
#ifndef VS_SOAP_H
#define VS_SOAP_H

#include <stddef.h>

#include <libxml/tree.h>

#include "backend/core/err.h"

/* Hands over each complete element with local name `element` at `depth` (soapenv:Envelope is 1,
 * Body 2, <MethodResponse> 3, returnval 4). The node is freed after fn returns. */
struct vs_stream_spec {
    const char *element;
    int depth;
    enum nl_code (*fn)(void *arg, xmlNode *node, struct nl_err *err);
    void *arg;
};

struct vs_reply {
    xmlDoc *doc;
    xmlNode *response;  /* <MethodResponse> */
    xmlNode *returnval; /* its first <returnval>, NULL for void methods or empty replies */
};

/* A new request document; *method_node receives <METHOD xmlns="urn:vim25"> holding
 * <_this type=...>id</_this>, ready for the parameters in WSDL order. */
xmlDoc *vs_envelope_new(const char *method, const char *this_type, const char *this_id,
                        xmlNode **method_node);
/* Serialises to UTF-8; the caller frees with xmlFree. */
char *vs_envelope_dump(xmlDoc *doc, size_t *len);

struct vs_parser;

/* max_bytes caps the body (0 = no cap); spec may be NULL. */
struct vs_parser *vs_parser_new(const char *method, const char *url,
                                const struct vs_stream_spec *spec, size_t max_bytes);
enum nl_code vs_parser_feed(struct vs_parser *p, const char *data, size_t len, struct nl_err *err);
/* Ends the body and interprets it for this HTTP status: 200 -> reply filled, 500 -> the fault as
 * an error (NL_ERR_AUTH for InvalidLogin/NotAuthenticated, else NL_ERR_FAULT, detail = fault
 * type), anything else -> NL_ERR_PROTOCOL. */
enum nl_code vs_parser_finish(struct vs_parser *p, long status, struct vs_reply *reply,
                              struct nl_err *err);
size_t vs_parser_bytes(const struct vs_parser *p);
void vs_parser_free(struct vs_parser **p);

/* Feeds body in chunks of `chunk` bytes (0 = all at once) and finishes: the path the unit tests
 * use with recorded replies. */
enum nl_code vs_reply_parse(const char *method, const char *url, long status, const char *body,
                            size_t len, size_t chunk, const struct vs_stream_spec *spec,
                            size_t max_bytes, struct vs_reply *reply, struct nl_err *err);
void vs_reply_clear(struct vs_reply *r);

/* Sets err from a <soapenv:Fault> element. */
enum nl_code vs_fault_set(const xmlNode *fault, const char *method, struct nl_err *err);
/* The type of a LocalizedMethodFault (missingSet/fault, Task info.error): the xsi:type of its
 * <fault> child. Owned; NULL when absent. */
char *vs_localized_fault_type(const xmlNode *lmf);
/* Code for a fault type: NL_ERR_AUTH for InvalidLogin and NotAuthenticated, else NL_ERR_FAULT. */
enum nl_code vs_fault_code(const char *type);

#endif
