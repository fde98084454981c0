/* The lab tree: the lab graph flattened into rows the console can show, with expand/collapse,
 * marks and an incremental filter. Pure (no curses), so it is unit-tested and benchmarked.
 *
 * Shape: endpoint -> datacenters -> clusters (physical first, then nested) -> hosts -> VMs;
 * standalone hosts sit under their datacenter, and VMs whose host is unknown under a group at the
 * end. A nested host is an ordinary host row that also names its backing VM; ui_tree_jump() goes
 * between the two. Nodes are stored in preorder, so a subtree is the index range [i, end). */
#ifndef NL_UI_TREE_H
#define NL_UI_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "backend/model/lab.h"

enum ui_node_kind {
    UI_NODE_ENDPOINT,
    UI_NODE_DATACENTER,
    UI_NODE_CLUSTER,
    UI_NODE_HOST,
    UI_NODE_VM,
    UI_NODE_GROUP, /* "VMs without a host" */
};

struct ui_node {
    enum ui_node_kind kind;
    ssize_t obj; /* index into the lab's array of that kind; -1 for endpoint and group */
    int parent;  /* node index, -1 for the root */
    int end;     /* one past the last node of this subtree */
    int depth;
    int n_hosts; /* hosts below (for counts on collapsed rows) */
    int n_vms;   /* VMs below */
    bool expanded;
    bool marked;
    bool match;     /* the name matches the filter */
    bool has_match; /* this node or one below matches */
};

struct ui_tree {
    const struct nl_lab *lab; /* borrowed */
    struct ui_node *nodes;
    int n_nodes, cap_nodes;
    int *rows; /* visible node indices, top to bottom */
    int n_rows, cap_rows;
    int cursor; /* row index of the selection */
    int top;    /* first row on screen */
    char filter[256];
    unsigned char *host_nested; /* per lab host: runs a nested-hypervisor VM (for badges) */
};

void ui_tree_init(struct ui_tree *t);
void ui_tree_free(struct ui_tree *t);

/* Builds the tree for lab (borrowed: keep it alive while the tree uses it). Expansion, marks and
 * the selection of the previous lab are kept for objects with the same id; a first build expands
 * down to the hosts. */
void ui_tree_build(struct ui_tree *t, const struct nl_lab *lab);

/* Recomputes the visible rows after a change to expansion or the filter. */
void ui_tree_flatten(struct ui_tree *t);

/* Sets the filter ("" clears it). While a filter is set, exactly the matching nodes and their
 * ancestors are shown, and the cursor moves to the first match at or after the selection. */
void ui_tree_set_filter(struct ui_tree *t, const char *filter);

/* The selected node, or -1 when the tree is empty. */
int ui_tree_selected(const struct ui_tree *t);
/* Moves the cursor by delta rows (clamped). */
void ui_tree_move(struct ui_tree *t, int delta);
/* Selects node (expanding its ancestors so it is visible). */
void ui_tree_select(struct ui_tree *t, int node);
/* Expand / collapse the selected node; collapse on a leaf or collapsed node selects the parent.
 * Return whether anything changed. */
bool ui_tree_expand(struct ui_tree *t);
bool ui_tree_collapse(struct ui_tree *t);
bool ui_tree_toggle(struct ui_tree *t);
/* Nested-ESXi VM <-> the host it runs; returns false (and leaves the selection) otherwise. */
bool ui_tree_jump(struct ui_tree *t);
/* Keeps the cursor on screen for a view of `height` rows. */
void ui_tree_scroll(struct ui_tree *t, int height);

/* Node of a lab object, or -1. */
int ui_tree_find(const struct ui_tree *t, enum ui_node_kind kind, ssize_t obj);
const char *ui_node_name(const struct ui_tree *t, int node);
const char *ui_node_id(const struct ui_tree *t, int node); /* lab id; "" for endpoint/group */

#endif
