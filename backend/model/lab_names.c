/* Short lower-case words for enums, shared by the text tree, the JSON and the console; the MAC
 * address spelling of the model. */
#include "backend/model/lab.h"

#include <ctype.h>

#include "backend/core/xmalloc.h"

const char *nl_tri_word(enum nl_tri t, const char *yes, const char *no)
{
    switch (t) {
    case NL_TRI_TRUE:
        return yes;
    case NL_TRI_FALSE:
        return no;
    case NL_TRI_UNSET:
        break;
    }
    return "-";
}

const char *nl_power_name(enum nl_power p)
{
    switch (p) {
    case NL_POWER_ON:
        return "on";
    case NL_POWER_OFF:
        return "off";
    case NL_POWER_SUSPENDED:
        return "suspended";
    case NL_POWER_UNKNOWN:
        break;
    }
    return "unknown";
}

const char *nl_conn_name(enum nl_conn c)
{
    switch (c) {
    case NL_CONN_CONNECTED:
        return "connected";
    case NL_CONN_DISCONNECTED:
        return "disconnected";
    case NL_CONN_NOT_RESPONDING:
        return "not-responding";
    case NL_CONN_UNKNOWN:
        break;
    }
    return "unknown";
}

const char *nl_cluster_kind_name(enum nl_cluster_kind k)
{
    switch (k) {
    case NL_CLUSTER_PHYSICAL:
        return "physical";
    case NL_CLUSTER_NESTED:
        return "nested";
    case NL_CLUSTER_MIXED:
        return "mixed";
    case NL_CLUSTER_EMPTY:
        break;
    }
    return "empty";
}

const char *nl_role_name(enum nl_vm_role r)
{
    switch (r) {
    case NL_ROLE_NESTED_ESXI:
        return "nested-esxi";
    case NL_ROLE_NESTED_OTHER:
        return "nested-other";
    case NL_ROLE_APPLIANCE:
        return "appliance";
    case NL_ROLE_GUEST:
        break;
    }
    return "guest";
}

const char *nl_source_name(enum nl_source s)
{
    switch (s) {
    case NL_SOURCE_VCENTER:
        return "vcenter";
    case NL_SOURCE_SSH:
        return "ssh";
    case NL_SOURCE_CACHE:
        return "cache";
    case NL_SOURCE_NONE:
        break;
    }
    return "none";
}

const char *nl_link_kind_name(enum nl_link_kind k)
{
    switch (k) {
    case NL_LINK_UUID:
        return "uuid";
    case NL_LINK_NAME:
        return "name";
    case NL_LINK_AMBIGUOUS:
        return "ambiguous";
    case NL_LINK_NONE:
        break;
    }
    return "none";
}

const char *nl_role_basis_name(enum nl_role_basis b)
{
    switch (b) {
    case NL_BASIS_GUEST_ID:
        return "guest-id";
    case NL_BASIS_BACKS_HOST:
        return "backs-host";
    case NL_BASIS_NESTED_HV:
        return "nested-hv";
    case NL_BASIS_NAME:
        return "name";
    case NL_BASIS_PEER:
        return "peer";
    case NL_BASIS_NONE:
        break;
    }
    return "none";
}

char *nl_mac_normalize(const char *s)
{
    char out[18];
    size_t n = 0, digits = 0;
    for (const char *p = s; p && *p; p++) {
        if (isxdigit((unsigned char)*p)) {
            if (n >= 17 || digits == 2)
                return NULL;
            out[n++] = (char)tolower((unsigned char)*p);
            digits++;
        } else if ((*p == ':' || *p == '-') && digits == 2 && n < 17) {
            out[n++] = ':';
            digits = 0;
        } else {
            return NULL;
        }
    }
    if (n != 17 || digits != 2)
        return NULL;
    out[n] = '\0';
    return xstrdup(out);
}
