#include "backend/ops/plan_util.h"

#include <stdio.h>
#include <string.h>

#include "backend/core/xmalloc.h"

/* Length of the UTF-8 sequence starting at s, or 0 when it is not a valid one (overlong forms,
 * surrogates and values above U+10FFFF are invalid). */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

size_t ops_utf8_decode(const char *s, uint32_t **out)
{
    size_t n = 0, len = strlen(s);
    uint32_t *cps = xcalloc(len + 1, sizeof(*cps));
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        size_t k = utf8_seq(p, &cp);
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

bool ops_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        size_t k = utf8_seq(p, &cp);
        if (k == 0)
            return false;
        p += k;
    }
    return true;
}

char *ops_text_name(const char *s)
{
    if (!s)
        return xstrdup("");
    size_t len = strlen(s);
    char *out = xmalloc(len * 4 + 1), *o = out;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        size_t k = utf8_seq(p, &cp);
        if (k == 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
            /* C1 controls are valid UTF-8 but terminals act on them; escape their bytes. */
            size_t n = k ? k : 1;
            for (size_t i = 0; i < n; i++)
                o += sprintf(o, "\\x%02X", p[i]);
            p += n;
        } else if (cp == '\\') {
            *o++ = '\\';
            *o++ = '\\';
            p++;
        } else {
            memcpy(o, p, k);
            o += k;
            p += k;
        }
    }
    *o = '\0';
    return out;
}

json_t *ops_json_str(const char *s)
{
    if (!s)
        return json_null();
    if (ops_utf8_valid(s))
        return json_string(s);
    size_t len = strlen(s);
    char *fixed = xmalloc(len * 3 + 1), *o = fixed;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        size_t k = utf8_seq(p, &cp);
        if (k == 0) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            p++;
        } else {
            memcpy(o, p, k);
            o += k;
            p += k;
        }
    }
    *o = '\0';
    json_t *j = json_string(fixed);
    free(fixed);
    return j;
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
