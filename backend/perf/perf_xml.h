/* Private libxml2 helpers for backend/perf. The perf parsers take a buffer or an xmlNode, so they
 * neither depend on the SOAP client nor need a network to be tested. Names are compared by local
 * name only (servers differ in prefixes) and xsi:type is read namespace-aware. */
#ifndef PERF_XML_H
#define PERF_XML_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "backend/core/err.h"

#define PERF_NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define PERF_NS_VIM "urn:vim25"

bool perf_xml_is(const xmlNode *n, const char *local);
xmlNode *perf_xml_child(const xmlNode *n, const char *local);
xmlNode *perf_xml_next(const xmlNode *n, const char *local);
/* Text content, owned by the caller; never NULL for a non-NULL node. */
char *perf_xml_text(const xmlNode *n);
char *perf_xml_child_text(const xmlNode *n, const char *local);
/* xsi:type without its prefix, owned; NULL when absent. */
char *perf_xml_xsi_type(const xmlNode *n);
/* Parses a document without network access or entity expansion. what names the payload in the
 * error message ("The perfCounter response"). */
enum nl_code perf_xml_read(const char *buf, size_t len, const char *what, xmlDoc **out,
                           struct nl_err *err);
/* When the document (or subtree) is a SOAP fault, sets err (NL_ERR_FAULT, detail = fault type)
 * and returns it; NL_OK otherwise. */
enum nl_code perf_xml_check_fault(const xmlNode *root, const char *what, struct nl_err *err);

#endif
