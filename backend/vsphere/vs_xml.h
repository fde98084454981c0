/* Small libxml2 helpers shared by the vSphere client: building request elements (every value goes
 * through libxml2, which escapes it) and reading response nodes namespace-aware. */
#ifndef VS_XML_H
#define VS_XML_H

#include <stdbool.h>

#include <libxml/tree.h>

#define VS_NS_VIM "urn:vim25"
#define VS_NS_SOAPENV "http://schemas.xmlsoap.org/soap/envelope/"
#define VS_NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define VS_NS_XSD "http://www.w3.org/2001/XMLSchema"

/* A managed object reference: <x type="HostSystem">host-21</x>. */
struct vs_moref {
    char *type;
    char *id;
};

/* Request building. Children are created in the namespace of `parent`. */
xmlNode *vs_xml_add(xmlNode *parent, const char *name, const char *text);
xmlNode *vs_xml_add_int(xmlNode *parent, const char *name, long long v);
xmlNode *vs_xml_add_bool(xmlNode *parent, const char *name, bool v);
xmlNode *vs_xml_add_moref(xmlNode *parent, const char *name, const char *type, const char *id);
/* An element carrying xsi:type (for polymorphic parameters such as selectSet). */
xmlNode *vs_xml_add_typed(xmlNode *parent, const char *name, const char *xsi_type);

/* Response reading. Element names are compared by local name only (vim25 puts everything in one
 * namespace; servers differ in prefixes). */
bool vs_xml_is(const xmlNode *n, const char *local);
xmlNode *vs_xml_child(const xmlNode *n, const char *local);
xmlNode *vs_xml_next(const xmlNode *n, const char *local); /* next sibling with that name */
xmlNode *vs_xml_first_element(const xmlNode *n);
/* Text of the node (owned by the caller, never NULL for a non-NULL node). */
char *vs_xml_text(const xmlNode *n);
/* Text of the named child, NULL when absent. */
char *vs_xml_child_text(const xmlNode *n, const char *local);
/* The xsi:type of n without any prefix ("xsd:int" -> "int"), owned; NULL when absent. Read
 * namespace-aware, so vcsim's XMLSchema-instance:type works as well as xsi:type. */
char *vs_xml_xsi_type(const xmlNode *n);
/* Parses a moref element (type attribute + text). Returns false when malformed. */
bool vs_xml_moref(const xmlNode *n, struct vs_moref *out);
void vs_moref_clear(struct vs_moref *m);

/* Value parsing: false when absent or malformed. */
bool vs_xml_parse_bool(const xmlNode *n, bool *out);
bool vs_xml_parse_long(const xmlNode *n, long long *out);

#endif
