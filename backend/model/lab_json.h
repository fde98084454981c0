/* The lab as JSON: the cache file that keeps the last inventory (read with jansson, written
 * straight from the lab), and the documented inventory document printed by
 * `nestlab inventory --json`. Schemas: lab_json.c, lab_inventory_write.c, backend/model/README.md.
 */
#ifndef NL_MODEL_LAB_JSON_H
#define NL_MODEL_LAB_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "backend/core/err.h"
#include "backend/model/lab.h"

#define NL_LAB_CACHE_VERSION 1
#define NL_LAB_CACHE_MAX_BYTES (256u * 1024 * 1024) /* a cache larger than this is refused */

/* Validates and builds a linked lab; NULL with err set (NL_ERR_PARSE) on anything malformed.
 * origin names the document in messages (a path). */
struct nl_lab *nl_lab_from_cache_json(const json_t *doc, const char *origin, struct nl_err *err);

/* Writes the cache atomically (temporary file in the same directory, fsync, rename), mode 0600. */
enum nl_code nl_lab_save_cache(const struct nl_lab *lab, const char *path, struct nl_err *err);
/* Reads a cache file. Its labs' source stays what was saved; callers that show it should say
 * it came from the cache (nl_lab_source is not changed so the original origin is not lost). */
struct nl_lab *nl_lab_load_cache(const char *path, struct nl_err *err);

/* The inventory document of `nestlab inventory --json` (schema at the top of
 * lab_inventory_write.c) for these linked labs, written to out exactly as jansson would write it
 * with JSON_INDENT(2) (indent) or JSON_COMPACT (UTF-8 passes through; no newline at the end).
 * Flushes out; NL_ERR_IO when a write fails (full disk, closed pipe). */
enum nl_code nl_labs_write_inventory_json(const struct nl_lab *const *labs, size_t n, FILE *out,
                                          bool indent, struct nl_err *err);

/* A jansson string for s, for modules that build JSON with jansson: null for NULL; invalid UTF-8
 * bytes are replaced by U+FFFD so the output is always valid JSON. */
json_t *nl_json_string(const char *s);

#endif
