/* Any SOAP reply through the streamed reader (chunk size from the input, fuzz.h), above all faults:
 * the HTTP 500 path that classifies <soapenv:Fault>, and LocalizedMethodFault types inside a
 * reply (Task info.error, missingSet). Flags: bits 0-1 the HTTP status (500, 200, 404, 500);
 * bit 2 streams every returnval to a callback; bit 3 makes that callback fail, as a consumer does
 * on a bad object; bit 4 caps the body at 1 KiB. */
#include "fuzz.h"

#include "backend/vsphere/vs_soap.h"

static void fault_types(const xmlNode *n, int depth)
{
    for (; n && depth < 64; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        free(vs_localized_fault_type(n));
        fault_types(n->children, depth + 1);
    }
}

static enum nl_code each_returnval(void *arg, xmlNode *node, struct nl_err *err)
{
    fault_types(node, 0);
    if (*(const unsigned *)arg & 8)
        return NL_ERR(err, NL_ERR_PARSE, NULL, "The consumer refused this object.");
    return NL_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_stream s;
    if (!fuzz_stream_split(data, size, &s))
        return 0;
    static const long statuses[4] = {500, 200, 404, 500};
    struct vs_stream_spec spec = {"returnval", 4, each_returnval, &s.flags};
    struct vs_reply r = {0};
    struct nl_err err = {0};
    if (vs_reply_parse("RetrievePropertiesEx", "https://vc.lab.invalid/sdk", statuses[s.flags & 3],
                       s.body, s.len, s.chunk, s.flags & 4 ? &spec : NULL, s.flags & 16 ? 1024 : 0,
                       &r, &err) == NL_OK) {
        fault_types(r.returnval, 0);
        vs_fault_code(err.detail);
    }
    vs_reply_clear(&r);
    return 0;
}
