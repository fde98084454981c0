/* Changing the config file in place: one endpoint added, replaced or removed, everything else in
 * the file (other endpoints, settings nestlab does not know) kept as it was. The file is written
 * whole to a temporary file with mode 0600 and renamed over the old one, so a crash leaves either
 * the old or the new file, never half of one. The result is validated with nl_config_parse before
 * it replaces anything. */
#ifndef NL_CORE_CONFIG_WRITE_H
#define NL_CORE_CONFIG_WRITE_H

#include <stdbool.h>

#include <jansson.h>

#include "backend/core/err.h"

/* Puts `endpoint` (a JSON object with at least "name"; stolen) into the file at path, replacing
 * the endpoint of the same name. A missing file (and its directory) is created. *replaced says
 * whether one was replaced. Refuses an object with a "password" member. */
enum nl_code nl_config_put_endpoint(const char *path, json_t *endpoint, bool *replaced,
                                    struct nl_err *err);
/* Removes the endpoint called name; NL_ERR_NOT_FOUND when there is none. */
enum nl_code nl_config_remove_endpoint(const char *path, const char *name, struct nl_err *err);

#endif
