/* Private to backend/model: the id and name indexes behind nl_lab_find_*. Id maps are kept
 * current by every add and rebuilt after a remove (which shifts indexes); name maps are rebuilt
 * by nl_lab_link, because backends set names after adding an object. */
#ifndef NL_MODEL_LAB_INDEX_H
#define NL_MODEL_LAB_INDEX_H

#include "backend/model/lab.h"
#include "backend/model/lab_map.h"

struct nl_lab_index {
    struct nl_map dc_id, cluster_id, host_id, vm_id, net_id;
    struct nl_map cluster_name, host_name, vm_name;
    bool names_valid; /* false between an add/remove and the next nl_lab_link */
};

struct nl_lab_index *nl_lab_index_new(void);
void nl_lab_index_free(struct nl_lab_index **ix);
/* Rebuilds every id map from the arrays (after a remove, or for a clone). */
void nl_lab_index_rebuild_ids(struct nl_lab *lab);
/* Rebuilds the name maps; the first object with a name wins, so duplicates resolve the same way
 * every time. */
void nl_lab_index_rebuild_names(struct nl_lab *lab);

#endif
