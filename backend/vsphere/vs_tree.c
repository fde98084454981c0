#include "backend/vsphere/vs_tree.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"

struct vs_tree_entry {
    char *id; /* NULL = empty slot; a removed entry keeps its id with type NULL (tombstone) */
    char *type;
    char *parent;
    char *name;
};

struct vs_tree {
    struct vs_tree_entry *slots;
    size_t cap;  /* power of two */
    size_t used; /* slots with an id, tombstones included */
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

struct vs_tree *vs_tree_new(void)
{
    struct vs_tree *t = xcalloc(1, sizeof *t);
    t->cap = 256;
    t->slots = xcalloc(t->cap, sizeof *t->slots);
    return t;
}

static void entry_clear(struct vs_tree_entry *e)
{
    free(e->id);
    free(e->type);
    free(e->parent);
    free(e->name);
    memset(e, 0, sizeof *e);
}

void vs_tree_free(struct vs_tree **pt)
{
    struct vs_tree *t = *pt;
    if (!t)
        return;
    for (size_t i = 0; i < t->cap; i++)
        entry_clear(&t->slots[i]);
    free(t->slots);
    free(t);
    *pt = NULL;
}

static struct vs_tree_entry *find(const struct vs_tree *t, const char *id)
{
    if (!id)
        return NULL;
    for (size_t i = hash(id) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        struct vs_tree_entry *e = &t->slots[i];
        if (!e->id)
            return NULL;
        if (strcmp(e->id, id) == 0)
            return e->type ? e : NULL;
    }
}

static void grow(struct vs_tree *t)
{
    struct vs_tree_entry *old = t->slots;
    size_t old_cap = t->cap;
    t->cap *= 2;
    t->slots = xcalloc(t->cap, sizeof *t->slots);
    t->used = 0;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].id)
            continue;
        if (!old[i].type) {
            free(old[i].id);
            continue;
        }
        size_t j = hash(old[i].id) & (t->cap - 1);
        while (t->slots[j].id)
            j = (j + 1) & (t->cap - 1);
        t->slots[j] = old[i];
        t->used++;
    }
    free(old);
}

void vs_tree_add(struct vs_tree *t, const char *id, const char *type)
{
    if (find(t, id))
        return;
    if ((t->used + 1) * 2 > t->cap)
        grow(t);
    size_t i = hash(id) & (t->cap - 1);
    while (t->slots[i].id && !(t->slots[i].type == NULL && strcmp(t->slots[i].id, id) == 0))
        i = (i + 1) & (t->cap - 1);
    struct vs_tree_entry *e = &t->slots[i];
    if (!e->id) {
        e->id = xstrdup(id);
        t->used++;
    }
    e->type = xstrdup(type);
}

void vs_tree_set_parent(struct vs_tree *t, const char *id, const char *parent)
{
    struct vs_tree_entry *e = find(t, id);
    if (e)
        xstrset(&e->parent, parent);
}

void vs_tree_set_name(struct vs_tree *t, const char *id, const char *name)
{
    struct vs_tree_entry *e = find(t, id);
    if (e)
        xstrset(&e->name, name);
}

void vs_tree_remove(struct vs_tree *t, const char *id)
{
    struct vs_tree_entry *e = find(t, id);
    if (!e)
        return;
    /* Keep the id as a tombstone so probing past this slot still works. */
    free(e->type);
    free(e->parent);
    free(e->name);
    e->type = e->parent = e->name = NULL;
}

const char *vs_tree_type(const struct vs_tree *t, const char *id)
{
    struct vs_tree_entry *e = find(t, id);
    return e ? e->type : NULL;
}

const char *vs_tree_name(const struct vs_tree *t, const char *id)
{
    struct vs_tree_entry *e = find(t, id);
    return e ? e->name : NULL;
}

const char *vs_tree_parent(const struct vs_tree *t, const char *id)
{
    struct vs_tree_entry *e = find(t, id);
    return e ? e->parent : NULL;
}

const char *vs_tree_datacenter(const struct vs_tree *t, const char *id)
{
    const char *cur = vs_tree_parent(t, id);
    /* Bounded: a corrupt reply with a parent cycle must not hang us. */
    for (int depth = 0; cur && depth < 64; depth++) {
        const char *type = vs_tree_type(t, cur);
        if (!type)
            return NULL;
        if (strcmp(type, "Datacenter") == 0)
            return cur;
        cur = vs_tree_parent(t, cur);
    }
    return NULL;
}
