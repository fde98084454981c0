/* The lab as JSON (jansson): the cache file that keeps the last inventory, and the documented
 * inventory document printed by `nestlab inventory --json`. Both schemas are described in
 * lab_json.c and backend/model/README.md. */
#ifndef NL_MODEL_LAB_JSON_H
#define NL_MODEL_LAB_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "backend/core/err.h"
#include "backend/model/lab.h"

#define NL_LAB_CACHE_VERSION 1
#define NL_LAB_CACHE_MAX_BYTES (256u * 1024 * 1024) /* a cache larger than this is refused */

/* Every raw field of the lab (derived fields are recomputed on load). Never NULL. */
json_t *nl_lab_to_cache_json(const struct nl_lab *lab);
/* Validates and builds a linked lab; NULL with err set (NL_ERR_PARSE) on anything malformed.
 * origin names the document in messages (a path). */
struct nl_lab *nl_lab_from_cache_json(const json_t *doc, const char *origin, struct nl_err *err);

/* Writes the cache atomically (temporary file in the same directory, fsync, rename), mode 0600. */
enum nl_code nl_lab_save_cache(const struct nl_lab *lab, const char *path, struct nl_err *err);
/* Reads a cache file. Its labs' source stays what was saved; callers that show it should say
 * it came from the cache (nl_lab_source is not changed so the original origin is not lost). */
struct nl_lab *nl_lab_load_cache(const char *path, struct nl_err *err);

/* The inventory document of one endpoint (schema in lab_json.c); the lab must be linked. */
json_t *nl_lab_to_inventory_json(const struct nl_lab *lab);
/* {"version": 1, "endpoints": [ nl_lab_to_inventory_json(labs[i]) ... ]} */
json_t *nl_labs_to_inventory_json(const struct nl_lab *const *labs, size_t n);
/* The same document written straight to out, without the tree: byte for byte what
 * json_dumpf(nl_labs_to_inventory_json(labs, n), out, indent ? JSON_INDENT(2) : JSON_COMPACT)
 * writes (UTF-8 passes through; no newline at the end). Flushes out; NL_ERR_IO when a write
 * fails (full disk, closed pipe). */
enum nl_code nl_labs_write_inventory_json(const struct nl_lab *const *labs, size_t n, FILE *out,
                                          bool indent, struct nl_err *err);

/* A JSON string for s: null for NULL; invalid UTF-8 bytes are replaced by U+FFFD so the output is
 * always valid JSON. */
json_t *nl_json_string(const char *s);

#endif
