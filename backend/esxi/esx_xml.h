/* esxcli --formatter=xml output as a generic list of records. esxcli writes
 *   <output xmlns="http://www.vmware.com/Products/ESX/5.0/esxcli"><root>
 *     <list type="structure"><structure typeName="T"><field name="K"><string>v</string></field>
 *     ...</structure></list>
 *   </root></output>
 * or a single <structure> under <root>. Elements are matched by LOCAL NAME only: plugin authors
 * spell the namespace differently (trailing "/", other versions), so the URI is not checked.
 * Scalars (<string>, <integer>, <boolean>) keep their text; <list> fields keep their string
 * elements. Pure: no I/O. */
#ifndef NL_ESXI_XML_H
#define NL_ESXI_XML_H

#include <stdbool.h>
#include <stddef.h>

#include "backend/core/err.h"
#include "backend/model/lab.h"

enum esx_vtype { ESX_V_STRING, ESX_V_INTEGER, ESX_V_BOOLEAN, ESX_V_LIST, ESX_V_OTHER };

struct esx_field {
    char *name; /* the field's name attribute, e.g. "VLANID" */
    enum esx_vtype type;
    char *text;  /* scalar text (trimmed); "" for lists and other values */
    char **list; /* ESX_V_LIST: the elements' text */
    size_t n_list;
};

struct esx_record {
    char *type_name; /* structure typeName, may be "" */
    struct esx_field *fields;
    size_t n_fields;
};

struct esx_records {
    struct esx_record *items;
    size_t n;
};

/* Parses esxcli XML. Garbage, truncation, a DTD, or a document without output/root → NL_ERR_PARSE
 * with a message naming what was wrong. On success *out is owned by the caller (may hold 0
 * records: an empty list). */
enum nl_code esx_xml_parse(const char *data, size_t len, struct esx_records **out,
                           struct nl_err *err);
void esx_records_free(struct esx_records **r);

/* Field lookup. Names compare case-insensitively ignoring everything but letters and digits, so
 * "VLANID", "VLAN ID" and "VlanId" are the same field. NULL when absent. */
const struct esx_field *esx_record_field(const struct esx_record *r, const char *name);
/* The scalar text of a field, or NULL when absent or a list. */
const char *esx_record_str(const struct esx_record *r, const char *name);
/* Integer field → true and *out; false when absent or not an integer. */
bool esx_record_int(const struct esx_record *r, const char *name, long long *out);
/* Boolean field (true/false, 1/0, yes/no) → NL_TRI_*; UNSET when absent or unreadable. */
enum nl_tri esx_record_bool(const struct esx_record *r, const char *name);

/* Parses a boolean word as esxcli prints or accepts it. Returns NL_TRI_UNSET if not one. */
enum nl_tri esx_bool_word(const char *s);

#endif
