/* Open addressing with linear probing; FNV-1a hash. The load factor stays at or below 1/2, so a
 * lookup touches one or two slots on average, which is what keeps nl_lab_link linear. */
#include "backend/model/lab_map.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/core/xmalloc.h"

static unsigned char map_fold(const struct nl_map *m, unsigned char c)
{
    if (m->nocase && c >= 'A' && c <= 'Z')
        return (unsigned char)(c - 'A' + 'a');
    return c;
}

static size_t map_hash(const struct nl_map *m, const char *key, size_t len)
{
    size_t h = (size_t)14695981039346656037ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= map_fold(m, (unsigned char)key[i]);
        h *= (size_t)1099511628211ULL;
    }
    return h;
}

/* Does the stored NUL-terminated key equal the first len bytes of probe? */
static bool map_equal(const struct nl_map *m, const char *stored, const char *probe, size_t len)
{
    if (strlen(stored) != len)
        return false;
    return m->nocase ? strncasecmp(stored, probe, len) == 0 : memcmp(stored, probe, len) == 0;
}

void nl_map_init(struct nl_map *m, bool nocase)
{
    memset(m, 0, sizeof(*m));
    m->nocase = nocase;
}

void nl_map_free(struct nl_map *m)
{
    free(m->keys);
    free(m->vals);
    bool nocase = m->nocase;
    nl_map_init(m, nocase);
}

void nl_map_clear(struct nl_map *m)
{
    if (m->cap)
        memset(m->keys, 0, m->cap * sizeof(*m->keys));
    m->n = 0;
}

/* Returns the slot holding key, or the empty slot where it would go. Requires cap > 0. */
static size_t map_slot(const struct nl_map *m, const char *key, size_t len)
{
    size_t mask = m->cap - 1;
    size_t i = map_hash(m, key, len) & mask;
    while (m->keys[i] && !map_equal(m, m->keys[i], key, len))
        i = (i + 1) & mask;
    return i;
}

static void map_grow(struct nl_map *m)
{
    size_t old_cap = m->cap;
    const char **old_keys = m->keys;
    size_t *old_vals = m->vals;
    m->cap = old_cap ? old_cap * 2 : 16;
    m->keys = xcalloc(m->cap, sizeof(*m->keys));
    m->vals = xcalloc(m->cap, sizeof(*m->vals));
    for (size_t i = 0; i < old_cap; i++) {
        if (!old_keys[i])
            continue;
        size_t s = map_slot(m, old_keys[i], strlen(old_keys[i]));
        m->keys[s] = old_keys[i];
        m->vals[s] = old_vals[i];
    }
    free(old_keys);
    free(old_vals);
}

static size_t map_put(struct nl_map *m, const char *key, size_t val, bool mark_dup)
{
    if (!key)
        return NL_MAP_NONE;
    if ((m->n + 1) * 2 > m->cap)
        map_grow(m);
    size_t s = map_slot(m, key, strlen(key));
    if (m->keys[s]) {
        if (mark_dup)
            m->vals[s] = NL_MAP_DUP;
        return m->vals[s];
    }
    m->keys[s] = key;
    m->vals[s] = val;
    m->n++;
    return val;
}

size_t nl_map_put_first(struct nl_map *m, const char *key, size_t val)
{
    return map_put(m, key, val, false);
}

void nl_map_put_dup(struct nl_map *m, const char *key, size_t val)
{
    map_put(m, key, val, true);
}

size_t nl_map_get_n(const struct nl_map *m, const char *key, size_t len)
{
    if (!key || m->cap == 0)
        return NL_MAP_NONE;
    size_t s = map_slot(m, key, len);
    return m->keys[s] ? m->vals[s] : NL_MAP_NONE;
}

size_t nl_map_get(const struct nl_map *m, const char *key)
{
    return key ? nl_map_get_n(m, key, strlen(key)) : NL_MAP_NONE;
}

size_t nl_map_del(struct nl_map *m, const char *key)
{
    if (!key || m->cap == 0)
        return NL_MAP_NONE;
    size_t mask = m->cap - 1;
    size_t hole = map_slot(m, key, strlen(key));
    if (!m->keys[hole])
        return NL_MAP_NONE;
    size_t val = m->vals[hole];
    /* Backward-shift deletion: move up every later key of the probe run whose home slot does
     * not lie cyclically in (hole, j], so no lookup meets an empty slot before its key. */
    for (size_t j = (hole + 1) & mask; m->keys[j]; j = (j + 1) & mask) {
        size_t home = map_hash(m, m->keys[j], strlen(m->keys[j])) & mask;
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (stays)
            continue;
        m->keys[hole] = m->keys[j];
        m->vals[hole] = m->vals[j];
        hole = j;
    }
    m->keys[hole] = NULL;
    m->n--;
    return val;
}
