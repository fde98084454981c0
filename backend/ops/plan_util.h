/* Small helpers shared by the ops module's files: code points, safe names in JSON, tri-state
 * words. Internal to backend/ops (and its unit tests). */
#ifndef NL_OPS_PLAN_UTIL_H
#define NL_OPS_PLAN_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/model/lab.h"

/* Decodes s into code points (owned array in *out); an invalid byte becomes one unit of its own
 * (0xDC00 + byte), so any byte string decodes. Returns the number of units. */
size_t ops_utf8_decode(const char *s, uint32_t **out);

/* A JSON string for s: NULL gives json null; invalid UTF-8 bytes become U+FFFD so jansson never
 * refuses a name (names from the lab are valid UTF-8; this protects against the rest). */
json_t *ops_json_str(const char *s);

/* "accept" / "reject" / "unset" for a security flag; the reverse returns false when unknown. */
const char *ops_flag_word(enum nl_tri t);
bool ops_flag_parse(const char *word, enum nl_tri *out);
/* "on" / "off" / "unset". */
const char *ops_onoff_word(enum nl_tri t);
bool ops_onoff_parse(const char *word, enum nl_tri *out);
bool ops_power_parse(const char *word, enum nl_power *out);

/* Are two security policies equal on every flag that want sets? */
bool ops_security_matches(const struct nl_security *have, const struct nl_security *want);
bool ops_security_equal(const struct nl_security *a, const struct nl_security *b);
bool ops_security_is_unset(const struct nl_security *s);

#endif
