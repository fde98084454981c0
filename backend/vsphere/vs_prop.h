/* The one place that maps a vSphere property (object type, property path, XML value) onto the
 * lab model. The inventory fetch and the live-update loop both go through it, and both ask for
 * the same property lists (vs_prop_specs), so what a full read and an update produce is the same
 * by construction. */
#ifndef VS_PROP_H
#define VS_PROP_H

#include <libxml/tree.h>

#include "backend/core/err.h"
#include "backend/model/lab.h"
#include "backend/vsphere/vs_tree.h"

struct vs_prop_spec {
    const char *type;
    const char *const *paths; /* NULL-terminated */
};

/* The managed-object types the inventory view holds, and what is read of each. */
extern const char *const vs_view_types[];
extern const struct vs_prop_spec vs_prop_specs[];

/* Appends <propSet>s for vs_prop_specs and an <objectSet> that walks container view `view`
 * (type ContainerView) to `spec` (a PropertyFilterSpec element). */
void vs_prop_build_filter(xmlNode *spec, const char *view);
/* vs_build_fn for CreateContainerView: a recursive view of vs_view_types under arg (a const
 * struct vs_moref *, the root folder). The inventory and the live-update filter use the same. */
enum nl_code vs_prop_build_view(xmlNode *m, void *arg, struct nl_err *err);

/* An object appeared: creates it in the model (for the types the model holds) and the tree. */
void vs_prop_enter(struct nl_lab *lab, struct vs_tree *tree, const char *type, const char *id);
/* The object left: removes it from both. */
void vs_prop_leave(struct nl_lab *lab, struct vs_tree *tree, const char *type, const char *id);
/* Sets property `name` of object (type, id) from `val` (NULL = unset/removed). Unknown
 * properties are ignored; malformed values leave the field unknown. tree may be NULL. */
void vs_prop_apply(struct nl_lab *lab, struct vs_tree *tree, const char *type, const char *id,
                   const char *name, const xmlNode *val);
/* After a batch: datacenter ids of clusters and hosts from the tree, and VM network ids turned
 * into network names. */
void vs_prop_resolve(struct nl_lab *lab, const struct vs_tree *tree);

#endif
