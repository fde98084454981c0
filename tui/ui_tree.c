/* Building and flattening the lab tree. Everything is O(objects) per call so that a keypress on a
 * 10,000-VM lab stays well under the 10 ms budget (see tests/bench/bench_tui.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/core/xmalloc.h"
#include "tui/ui_text.h"
#include "tui/ui_tree.h"

void ui_tree_init(struct ui_tree *t)
{
    memset(t, 0, sizeof(*t));
}

void ui_tree_free(struct ui_tree *t)
{
    free(t->nodes);
    free(t->rows);
    free(t->host_nested);
    memset(t, 0, sizeof(*t));
}

const char *ui_node_name(const struct ui_tree *t, int node)
{
    if (node < 0 || node >= t->n_nodes)
        return "";
    const struct ui_node *n = &t->nodes[node];
    const struct nl_lab *lab = t->lab;
    const char *s = NULL;
    switch (n->kind) {
    case UI_NODE_ENDPOINT:
        s = lab->endpoint;
        break;
    case UI_NODE_DATACENTER:
        s = lab->datacenters[n->obj].name ? lab->datacenters[n->obj].name
                                          : lab->datacenters[n->obj].id;
        break;
    case UI_NODE_CLUSTER:
        s = lab->clusters[n->obj].name ? lab->clusters[n->obj].name : lab->clusters[n->obj].id;
        break;
    case UI_NODE_HOST:
        s = lab->hosts[n->obj].name ? lab->hosts[n->obj].name : lab->hosts[n->obj].id;
        break;
    case UI_NODE_VM:
        s = lab->vms[n->obj].name ? lab->vms[n->obj].name : lab->vms[n->obj].id;
        break;
    case UI_NODE_GROUP:
        s = "VMs without a known host";
        break;
    }
    return s ? s : "";
}

const char *ui_node_id(const struct ui_tree *t, int node)
{
    if (node < 0 || node >= t->n_nodes)
        return "";
    const struct ui_node *n = &t->nodes[node];
    const char *s = NULL;
    switch (n->kind) {
    case UI_NODE_DATACENTER:
        s = t->lab->datacenters[n->obj].id;
        break;
    case UI_NODE_CLUSTER:
        s = t->lab->clusters[n->obj].id;
        break;
    case UI_NODE_HOST:
        s = t->lab->hosts[n->obj].id;
        break;
    case UI_NODE_VM:
        s = t->lab->vms[n->obj].id;
        break;
    default:
        break;
    }
    return s ? s : "";
}

/* ---- keeping state across rebuilds ---------------------------------------------------------- */

struct saved {
    char *key;
    bool expanded, marked;
};

static char *node_key(const struct ui_tree *t, int i)
{
    static const char kinds[] = "EDCHVG";
    return xasprintf("%c:%s", kinds[t->nodes[i].kind], ui_node_id(t, i));
}

static int cmp_saved(const void *a, const void *b)
{
    return strcmp(((const struct saved *)a)->key, ((const struct saved *)b)->key);
}

/* ---- building -----------------------------------------------------------------------------------
 */

static int add_node(struct ui_tree *t, enum ui_node_kind kind, ssize_t obj, int parent)
{
    if (t->n_nodes == t->cap_nodes) {
        t->cap_nodes = t->cap_nodes ? t->cap_nodes * 2 : 256;
        t->nodes = xrealloc(t->nodes, (size_t)t->cap_nodes * sizeof(*t->nodes));
    }
    struct ui_node *n = &t->nodes[t->n_nodes];
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->obj = obj;
    n->parent = parent;
    n->depth = parent >= 0 ? t->nodes[parent].depth + 1 : 0;
    /* Open down to the hosts: a lab's shape is visible at once, its VMs one key away. */
    n->expanded = kind == UI_NODE_ENDPOINT || kind == UI_NODE_DATACENTER || kind == UI_NODE_CLUSTER;
    n->end = t->n_nodes + 1;
    return t->n_nodes++;
}

static const char *safe(const char *s)
{
    return s ? s : "";
}

static int cmp_name(const char *a, const char *b)
{
    int c = strcasecmp(safe(a), safe(b));
    return c ? c : strcmp(safe(a), safe(b));
}

struct sort_ctx {
    const struct nl_lab *lab;
};

static int cmp_vm(const void *a, const void *b, void *ctx)
{
    const struct nl_lab *lab = ((const struct sort_ctx *)ctx)->lab;
    const struct nl_vm *x = &lab->vms[*(const size_t *)a], *y = &lab->vms[*(const size_t *)b];
    if (x->host != y->host)
        return x->host < y->host ? -1 : 1;
    return cmp_name(x->name, y->name);
}

static int cmp_host(const void *a, const void *b, void *ctx)
{
    const struct nl_lab *lab = ((const struct sort_ctx *)ctx)->lab;
    const struct nl_host *x = &lab->hosts[*(const size_t *)a], *y = &lab->hosts[*(const size_t *)b];
    if (x->cluster != y->cluster)
        return x->cluster < y->cluster ? -1 : 1;
    return cmp_name(x->name, y->name);
}

static int kind_rank(enum nl_cluster_kind k)
{
    return k == NL_CLUSTER_PHYSICAL ? 0
           : k == NL_CLUSTER_MIXED  ? 1
           : k == NL_CLUSTER_NESTED ? 2
                                    : 3;
}

static int cmp_cluster(const void *a, const void *b, void *ctx)
{
    const struct nl_lab *lab = ((const struct sort_ctx *)ctx)->lab;
    const struct nl_cluster *x = &lab->clusters[*(const size_t *)a],
                            *y = &lab->clusters[*(const size_t *)b];
    if (x->datacenter != y->datacenter)
        return x->datacenter < y->datacenter ? -1 : 1;
    if (kind_rank(x->kind) != kind_rank(y->kind))
        return kind_rank(x->kind) - kind_rank(y->kind);
    return cmp_name(x->name, y->name);
}

struct build {
    struct ui_tree *t;
    const struct nl_lab *lab;
    size_t *vm_order, *vm_start; /* VMs sorted by host; vm_start[h]..vm_start[h+1] */
    size_t *host_order;          /* hosts sorted by cluster, then name */
    size_t *cluster_order;
};

static void emit_host(struct build *b, size_t h, int parent)
{
    int n = add_node(b->t, UI_NODE_HOST, (ssize_t)h, parent);
    for (size_t k = b->vm_start[h]; k < b->vm_start[h + 1]; k++)
        add_node(b->t, UI_NODE_VM, (ssize_t)b->vm_order[k], n);
    b->t->nodes[n].end = b->t->n_nodes;
}

static void emit_cluster(struct build *b, size_t c, int parent)
{
    int n = add_node(b->t, UI_NODE_CLUSTER, (ssize_t)c, parent);
    for (size_t k = 0; k < b->lab->n_hosts; k++)
        if (b->lab->hosts[b->host_order[k]].cluster == (ssize_t)c)
            emit_host(b, b->host_order[k], n);
    b->t->nodes[n].end = b->t->n_nodes;
}

static bool host_in_dc(const struct nl_lab *lab, const struct nl_host *h, size_t d)
{
    return h->datacenter_id && lab->datacenters[d].id &&
           strcmp(h->datacenter_id, lab->datacenters[d].id) == 0;
}

static void emit_all(struct build *b)
{
    const struct nl_lab *lab = b->lab;
    struct ui_tree *t = b->t;
    int root = add_node(t, UI_NODE_ENDPOINT, -1, -1);
    for (size_t d = 0; d < lab->n_datacenters; d++) {
        int dn = add_node(t, UI_NODE_DATACENTER, (ssize_t)d, root);
        for (size_t k = 0; k < lab->n_clusters; k++)
            if (lab->clusters[b->cluster_order[k]].datacenter == (ssize_t)d)
                emit_cluster(b, b->cluster_order[k], dn);
        for (size_t k = 0; k < lab->n_hosts; k++) {
            const struct nl_host *h = &lab->hosts[b->host_order[k]];
            if (h->cluster < 0 && host_in_dc(lab, h, d))
                emit_host(b, b->host_order[k], dn);
        }
        t->nodes[dn].end = t->n_nodes;
    }
    for (size_t k = 0; k < lab->n_clusters; k++)
        if (lab->clusters[b->cluster_order[k]].datacenter < 0)
            emit_cluster(b, b->cluster_order[k], root);
    for (size_t k = 0; k < lab->n_hosts; k++) {
        const struct nl_host *h = &lab->hosts[b->host_order[k]];
        bool in_dc = false;
        for (size_t d = 0; d < lab->n_datacenters && !in_dc; d++)
            in_dc = host_in_dc(lab, h, d);
        if (h->cluster < 0 && !in_dc)
            emit_host(b, b->host_order[k], root);
    }
    size_t orphans = b->vm_start[0];
    if (orphans) {
        int g = add_node(t, UI_NODE_GROUP, -1, root);
        t->nodes[g].expanded = false;
        for (size_t k = 0; k < orphans; k++)
            add_node(t, UI_NODE_VM, (ssize_t)b->vm_order[k], g);
        t->nodes[g].end = t->n_nodes;
    }
    t->nodes[root].end = t->n_nodes;
}

void ui_tree_build(struct ui_tree *t, const struct nl_lab *lab)
{
    /* Remember the state of the old tree by object key. */
    struct saved *saved = NULL;
    size_t n_saved = 0;
    char *sel_key = NULL;
    if (t->lab && t->n_nodes) {
        saved = xcalloc((size_t)t->n_nodes, sizeof(*saved));
        for (int i = 0; i < t->n_nodes; i++) {
            saved[n_saved].key = node_key(t, i);
            saved[n_saved].expanded = t->nodes[i].expanded;
            saved[n_saved].marked = t->nodes[i].marked;
            n_saved++;
        }
        qsort(saved, n_saved, sizeof(*saved), cmp_saved);
        int sel = ui_tree_selected(t);
        if (sel >= 0)
            sel_key = node_key(t, sel);
    }

    t->lab = lab;
    t->n_nodes = 0;
    struct build b = {.t = t, .lab = lab};
    b.vm_order = xcalloc(lab->n_vms + 1, sizeof(size_t));
    b.vm_start = xcalloc(lab->n_hosts + 2, sizeof(size_t));
    b.host_order = xcalloc(lab->n_hosts + 1, sizeof(size_t));
    b.cluster_order = xcalloc(lab->n_clusters + 1, sizeof(size_t));
    for (size_t i = 0; i < lab->n_vms; i++)
        b.vm_order[i] = i;
    for (size_t i = 0; i < lab->n_hosts; i++)
        b.host_order[i] = i;
    for (size_t i = 0; i < lab->n_clusters; i++)
        b.cluster_order[i] = i;
    struct sort_ctx sc = {lab};
    qsort_r(b.vm_order, lab->n_vms, sizeof(size_t), cmp_vm, &sc);
    qsort_r(b.host_order, lab->n_hosts, sizeof(size_t), cmp_host, &sc);
    qsort_r(b.cluster_order, lab->n_clusters, sizeof(size_t), cmp_cluster, &sc);
    /* vm_start[h] = first position of host h's VMs; VMs without a host (-1) sort first and end
     * at vm_start[0]. */
    size_t k = 0;
    while (k < lab->n_vms && lab->vms[b.vm_order[k]].host < 0)
        k++;
    for (size_t h = 0; h <= lab->n_hosts; h++) {
        while (k < lab->n_vms && lab->vms[b.vm_order[k]].host < (ssize_t)h)
            k++;
        b.vm_start[h] = k;
    }
    emit_all(&b);
    free(b.vm_order);
    free(b.vm_start);
    free(b.host_order);
    free(b.cluster_order);

    free(t->host_nested);
    t->host_nested = xcalloc(lab->n_hosts + 1, 1);
    for (size_t i = 0; i < lab->n_vms; i++)
        if (lab->vms[i].host >= 0 &&
            (lab->vms[i].role == NL_ROLE_NESTED_ESXI || lab->vms[i].role == NL_ROLE_NESTED_OTHER))
            t->host_nested[lab->vms[i].host] = 1;

    for (int i = t->n_nodes - 1; i > 0; i--) {
        struct ui_node *n = &t->nodes[i], *p = &t->nodes[n->parent];
        p->n_hosts += n->n_hosts + (n->kind == UI_NODE_HOST);
        p->n_vms += n->n_vms + (n->kind == UI_NODE_VM);
    }

    int sel_node = 0;
    if (saved) {
        for (int i = 0; i < t->n_nodes; i++) {
            struct saved key = {.key = node_key(t, i)};
            struct saved *s = bsearch(&key, saved, n_saved, sizeof(*saved), cmp_saved);
            if (s) {
                t->nodes[i].expanded = s->expanded;
                t->nodes[i].marked = s->marked;
            }
            if (sel_key && strcmp(key.key, sel_key) == 0)
                sel_node = i;
            free(key.key);
        }
        for (size_t i = 0; i < n_saved; i++)
            free(saved[i].key);
        free(saved);
        free(sel_key);
    }
    /* Filter flags for the new nodes, then rows. */
    char filter[sizeof(t->filter)];
    snprintf(filter, sizeof(filter), "%s", t->filter);
    t->filter[0] = '\0';
    t->n_rows = 0;
    ui_tree_flatten(t);
    if (t->n_nodes)
        ui_tree_select(t, sel_node);
    if (filter[0]) {
        int keep = ui_tree_selected(t);
        ui_tree_set_filter(t, filter);
        if (keep >= 0 && t->nodes[keep].has_match)
            ui_tree_select(t, keep);
    }
}

/* ---- rows ------------------------------------------------------------------------------------ */

static int row_of(const struct ui_tree *t, int node)
{
    for (int r = 0; r < t->n_rows; r++)
        if (t->rows[r] == node)
            return r;
    return -1;
}

int ui_tree_selected(const struct ui_tree *t)
{
    if (t->cursor < 0 || t->cursor >= t->n_rows)
        return -1;
    return t->rows[t->cursor];
}

void ui_tree_flatten(struct ui_tree *t)
{
    int sel = ui_tree_selected(t);
    if (t->cap_rows < t->n_nodes + 1) {
        t->cap_rows = t->n_nodes + 1;
        t->rows = xrealloc(t->rows, (size_t)t->cap_rows * sizeof(*t->rows));
    }
    bool filtering = t->filter[0] != '\0';
    int n = 0;
    for (int i = 0; i < t->n_nodes;) {
        const struct ui_node *nd = &t->nodes[i];
        if (filtering && !nd->has_match && i != 0) {
            i = nd->end;
            continue;
        }
        t->rows[n++] = i;
        if (!filtering && !nd->expanded)
            i = nd->end;
        else
            i++;
    }
    t->n_rows = n;
    /* Keep the selection, or its closest visible ancestor. */
    int r = -1;
    while (sel >= 0 && (r = row_of(t, sel)) < 0)
        sel = t->nodes[sel].parent;
    t->cursor = r >= 0 ? r : 0;
}

void ui_tree_set_filter(struct ui_tree *t, const char *filter)
{
    snprintf(t->filter, sizeof(t->filter), "%s", filter ? filter : "");
    bool on = t->filter[0] != '\0';
    for (int i = 0; i < t->n_nodes; i++) {
        struct ui_node *n = &t->nodes[i];
        n->match = false;
        if (on) {
            n->match = ui_text_contains(ui_node_name(t, i), t->filter);
            if (!n->match && n->kind == UI_NODE_HOST && t->lab->hosts[n->obj].backing_vm >= 0) {
                const struct nl_vm *vm = &t->lab->vms[t->lab->hosts[n->obj].backing_vm];
                n->match = ui_text_contains(vm->name, t->filter);
            }
        }
        n->has_match = n->match;
    }
    for (int i = t->n_nodes - 1; i > 0; i--)
        if (t->nodes[i].has_match)
            t->nodes[t->nodes[i].parent].has_match = true;
    int sel = ui_tree_selected(t);
    ui_tree_flatten(t);
    if (!on) {
        /* Leaving a filter: open the way to what was selected instead of losing it. */
        if (sel >= 0)
            ui_tree_select(t, sel);
        return;
    }
    /* Land on the first match at or after the old selection (wrapping). */
    for (int pass = 0; pass < 2; pass++)
        for (int r = 0; r < t->n_rows; r++)
            if (t->nodes[t->rows[r]].match && (pass || t->rows[r] >= sel)) {
                t->cursor = r;
                return;
            }
}

void ui_tree_move(struct ui_tree *t, int delta)
{
    long c = (long)t->cursor + delta;
    if (c >= t->n_rows)
        c = t->n_rows - 1;
    if (c < 0)
        c = 0;
    t->cursor = (int)c;
}

void ui_tree_select(struct ui_tree *t, int node)
{
    if (node < 0 || node >= t->n_nodes)
        return;
    if (t->filter[0] && !t->nodes[node].has_match)
        ui_tree_set_filter(t, "");
    for (int p = t->nodes[node].parent; p >= 0; p = t->nodes[p].parent)
        t->nodes[p].expanded = true;
    ui_tree_flatten(t);
    int r = row_of(t, node);
    if (r >= 0)
        t->cursor = r;
}

static bool has_children(const struct ui_tree *t, int node)
{
    return t->nodes[node].end > node + 1;
}

bool ui_tree_expand(struct ui_tree *t)
{
    int n = ui_tree_selected(t);
    if (n < 0 || !has_children(t, n) || t->nodes[n].expanded || t->filter[0])
        return false;
    t->nodes[n].expanded = true;
    ui_tree_flatten(t);
    return true;
}

bool ui_tree_collapse(struct ui_tree *t)
{
    int n = ui_tree_selected(t);
    if (n < 0)
        return false;
    if (has_children(t, n) && t->nodes[n].expanded && !t->filter[0]) {
        t->nodes[n].expanded = false;
        ui_tree_flatten(t);
        return true;
    }
    int p = t->nodes[n].parent;
    if (p < 0)
        return false;
    int r = row_of(t, p);
    if (r >= 0)
        t->cursor = r;
    return true;
}

bool ui_tree_toggle(struct ui_tree *t)
{
    int n = ui_tree_selected(t);
    if (n < 0 || !has_children(t, n) || t->filter[0])
        return false;
    t->nodes[n].expanded = !t->nodes[n].expanded;
    ui_tree_flatten(t);
    return true;
}

int ui_tree_find(const struct ui_tree *t, enum ui_node_kind kind, ssize_t obj)
{
    for (int i = 0; i < t->n_nodes; i++)
        if (t->nodes[i].kind == kind && t->nodes[i].obj == obj)
            return i;
    return -1;
}

bool ui_tree_jump(struct ui_tree *t)
{
    int n = ui_tree_selected(t);
    if (n < 0)
        return false;
    const struct ui_node *nd = &t->nodes[n];
    int target = -1;
    if (nd->kind == UI_NODE_VM && t->lab->vms[nd->obj].nested_host >= 0)
        target = ui_tree_find(t, UI_NODE_HOST, t->lab->vms[nd->obj].nested_host);
    else if (nd->kind == UI_NODE_HOST && t->lab->hosts[nd->obj].backing_vm >= 0)
        target = ui_tree_find(t, UI_NODE_VM, t->lab->hosts[nd->obj].backing_vm);
    if (target < 0)
        return false;
    ui_tree_select(t, target);
    return true;
}

void ui_tree_scroll(struct ui_tree *t, int height)
{
    if (height < 1)
        height = 1;
    if (t->cursor < t->top)
        t->top = t->cursor;
    if (t->cursor >= t->top + height)
        t->top = t->cursor - height + 1;
    if (t->top > t->n_rows - height)
        t->top = t->n_rows - height;
    if (t->top < 0)
        t->top = 0;
}
