/* The inventory's parent links (folders, compute resources, clusters, hosts, datacenters) and the
 * names of Network objects, keyed by moref id. The model keeps no folders, so this map is what
 * turns "host -> cluster -> folder -> folder -> datacenter" into a datacenter id. Internal. */
#ifndef VS_TREE_H
#define VS_TREE_H

#include <stddef.h>

struct vs_tree;

struct vs_tree *vs_tree_new(void);
void vs_tree_free(struct vs_tree **t);
/* Records an object (type copied); returns silently when it exists. */
void vs_tree_add(struct vs_tree *t, const char *id, const char *type);
void vs_tree_set_parent(struct vs_tree *t, const char *id, const char *parent);
void vs_tree_set_name(struct vs_tree *t, const char *id, const char *name);
void vs_tree_remove(struct vs_tree *t, const char *id);
const char *vs_tree_type(const struct vs_tree *t, const char *id);
const char *vs_tree_name(const struct vs_tree *t, const char *id);
const char *vs_tree_parent(const struct vs_tree *t, const char *id);
/* The nearest ancestor of type Datacenter, NULL when unknown. */
const char *vs_tree_datacenter(const struct vs_tree *t, const char *id);

#endif
