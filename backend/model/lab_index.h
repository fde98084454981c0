/* Private to backend/model: the id and name indexes behind nl_lab_find_*. Id indexes are kept
 * current by every add and remove (nl_ids); name maps are rebuilt by nl_lab_link, because
 * backends set names after adding an object. */
#ifndef NL_MODEL_LAB_INDEX_H
#define NL_MODEL_LAB_INDEX_H

#include "backend/model/lab.h"
#include "backend/model/lab_map.h"

/* Id -> array index for one kind of object, kept right through removals without touching the
 * other entries. A removal shifts every later object down by one; instead of rewriting their
 * entries, the map holds "virtual" indexes (the index the object had when it was put, counting
 * every object ever put since the last rebuild) and `gone` counts the virtual indexes removed
 * since. An object's index is its virtual index minus the removed ones below it. */
struct nl_ids {
    struct nl_map map;
    size_t *gone;    /* Fenwick tree, gone[1..cap_gone] */
    size_t cap_gone; /* 0 or a power of two */
    size_t n_gone;
};

/* The array index of id, or NL_MAP_NONE. */
size_t nl_ids_get(const struct nl_ids *ids, const char *id);
/* Records id (a string owned by the object) at array index `index`, which must be the end of
 * the array (objects are only appended). */
void nl_ids_put(struct nl_ids *ids, const char *id, size_t index);
/* Forgets id; returns the array index it had, or NL_MAP_NONE. */
size_t nl_ids_remove(struct nl_ids *ids, const char *id);

struct nl_lab_index {
    struct nl_ids dc_id, cluster_id, host_id, vm_id, net_id;
    struct nl_map cluster_name, host_name, vm_name;
    bool names_valid; /* false between an add/remove and the next nl_lab_link */
};

struct nl_lab_index *nl_lab_index_new(void);
void nl_lab_index_free(struct nl_lab_index **ix);
/* Rebuilds every id index from the arrays (when removals have piled up). */
void nl_lab_index_rebuild_ids(struct nl_lab *lab);
/* Rebuilds the name maps; the first object with a name wins, so duplicates resolve the same way
 * every time. */
void nl_lab_index_rebuild_names(struct nl_lab *lab);

#endif
