/* Private to backend/model: a small open-addressing hash map from borrowed C strings to array
 * indexes. Keys are not copied: they point at strings owned by lab objects, so a map must be
 * rebuilt whenever the objects it indexes are freed or moved to other indexes. */
#ifndef NL_MODEL_LAB_MAP_H
#define NL_MODEL_LAB_MAP_H

#include <stdbool.h>
#include <stddef.h>

#define NL_MAP_NONE ((size_t)-1) /* "absent" */
#define NL_MAP_DUP ((size_t)-2)  /* the key was put more than once (see nl_map_put_dup) */

struct nl_map {
    const char **keys;
    size_t *vals;
    size_t cap; /* power of two, or 0 */
    size_t n;
    bool nocase; /* ASCII case-insensitive keys */
};

void nl_map_init(struct nl_map *m, bool nocase);
void nl_map_free(struct nl_map *m);
void nl_map_clear(struct nl_map *m); /* keeps memory */
/* Inserts key -> val unless the key exists; returns the value now stored for key. */
size_t nl_map_put_first(struct nl_map *m, const char *key, size_t val);
/* Inserts key -> val; a key put twice maps to NL_MAP_DUP from then on. */
void nl_map_put_dup(struct nl_map *m, const char *key, size_t val);
/* Removes key (no-op when absent); returns the value it had, or NL_MAP_NONE. */
size_t nl_map_del(struct nl_map *m, const char *key);
/* NL_MAP_NONE when absent (NL_MAP_DUP for duplicates in a put_dup map). */
size_t nl_map_get(const struct nl_map *m, const char *key);
/* Like nl_map_get for the first len bytes of key (key need not be NUL-terminated there). */
size_t nl_map_get_n(const struct nl_map *m, const char *key, size_t len);

#endif
