#include "backend/ops/plan_util.h"

#include <stdio.h>
#include <string.h>

#include "backend/core/term_text.h"
#include "backend/core/xmalloc.h"
#include "backend/model/lab_json.h"

size_t ops_utf8_decode(const char *s, uint32_t **out)
{
    size_t n = 0, len = strlen(s);
    uint32_t *cps = xcalloc(len + 1, sizeof(*cps));
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        size_t k = nl_utf8_next((const char *)p, &cp);
        if (k == 0) {
            cps[n++] = 0xDC00u + *p;
            p++;
        } else {
            cps[n++] = cp;
            p += k;
        }
    }
    *out = cps;
    return n;
}

json_t *ops_json_str(const char *s)
{
    return nl_json_string(s);
}

const char *ops_flag_word(enum nl_tri t)
{
    return t == NL_TRI_TRUE ? "accept" : t == NL_TRI_FALSE ? "reject" : "unset";
}

bool ops_flag_parse(const char *word, enum nl_tri *out)
{
    if (!word)
        return false;
    if (strcmp(word, "accept") == 0)
        *out = NL_TRI_TRUE;
    else if (strcmp(word, "reject") == 0)
        *out = NL_TRI_FALSE;
    else if (strcmp(word, "unset") == 0)
        *out = NL_TRI_UNSET;
    else
        return false;
    return true;
}

const char *ops_onoff_word(enum nl_tri t)
{
    return t == NL_TRI_TRUE ? "on" : t == NL_TRI_FALSE ? "off" : "unset";
}

bool ops_onoff_parse(const char *word, enum nl_tri *out)
{
    if (!word)
        return false;
    if (strcmp(word, "on") == 0)
        *out = NL_TRI_TRUE;
    else if (strcmp(word, "off") == 0)
        *out = NL_TRI_FALSE;
    else if (strcmp(word, "unset") == 0)
        *out = NL_TRI_UNSET;
    else
        return false;
    return true;
}

bool ops_power_parse(const char *word, enum nl_power *out)
{
    static const enum nl_power all[] = {NL_POWER_ON, NL_POWER_OFF, NL_POWER_SUSPENDED,
                                        NL_POWER_UNKNOWN};
    for (size_t i = 0; word && i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcmp(word, nl_power_name(all[i])) == 0) {
            *out = all[i];
            return true;
        }
    }
    return false;
}

bool ops_security_matches(const struct nl_security *have, const struct nl_security *want)
{
    return (want->promiscuous == NL_TRI_UNSET || have->promiscuous == want->promiscuous) &&
           (want->forged_transmits == NL_TRI_UNSET ||
            have->forged_transmits == want->forged_transmits) &&
           (want->mac_changes == NL_TRI_UNSET || have->mac_changes == want->mac_changes);
}

bool ops_security_equal(const struct nl_security *a, const struct nl_security *b)
{
    return a->promiscuous == b->promiscuous && a->forged_transmits == b->forged_transmits &&
           a->mac_changes == b->mac_changes;
}

bool ops_security_is_unset(const struct nl_security *s)
{
    return s->promiscuous == NL_TRI_UNSET && s->forged_transmits == NL_TRI_UNSET &&
           s->mac_changes == NL_TRI_UNSET;
}
