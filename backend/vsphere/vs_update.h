/* Live inventory updates: a private PropertyCollector with one filter over the same container
 * view and property lists as the inventory, and a WaitForUpdatesEx long poll on its own thread.
 * Each reply becomes one or more struct vs_update messages on an nl_queue (kind VS_MSG_UPDATE);
 * the owner of the lab applies them with vs_update_apply, which decodes properties with the
 * same code as the inventory (vs_prop). The loop survives timeouts, server restarts and an
 * expired session (it logs in again and starts over with a full "enter" set), and reports
 * trouble as VS_MSG_ERROR messages (payload: struct nl_err) without stopping. */
#ifndef VS_UPDATE_H
#define VS_UPDATE_H

#include <stdio.h>

#include <libxml/tree.h>

#include "backend/core/err.h"
#include "backend/core/queue.h"
#include "backend/model/lab.h"
#include "backend/vsphere/vs_client.h"
#include "backend/vsphere/vs_tree.h"

enum {
    VS_MSG_UPDATE = 0x7653, /* payload: struct vs_update (free_payload set) */
    VS_MSG_ERROR,           /* payload: struct nl_err (plain free) */
};

enum vs_update_kind { VS_UPDATE_ENTER, VS_UPDATE_MODIFY, VS_UPDATE_LEAVE };

struct vs_object_update {
    enum vs_update_kind kind;
    char *type;
    char *id;
    char *datacenter_id; /* resolved by the watcher for hosts and clusters, else NULL */
    xmlNode *object;     /* the <objectSet> (ObjectUpdate) element, in the update's doc */
};

struct vs_update {
    xmlDoc *doc;
    struct vs_object_update *objs;
    size_t n_objs, cap_objs;
    bool initial; /* part of the full state sent after (re)creating the filter */
};

void vs_update_free(struct vs_update **u);
void vs_update_free_payload(void *u);
/* Applies every object change to lab (enter -> add, leave -> remove, changeSet -> vs_prop).
 * Call nl_lab_link afterwards. */
void vs_update_apply(struct nl_lab *lab, const struct vs_update *u);
/* One line per object: "modify HostSystem host-21 config.network.portgroup ...". */
void vs_update_print(const struct vs_update *u, FILE *out);

/* Parses one WaitForUpdatesEx reply body (network-free entry point for tests). *out is NULL for
 * an empty reply (the wait timed out); *version keeps its old value then. tree (may be NULL)
 * tracks parents across calls. */
enum nl_code vs_update_parse(const char *body, size_t len, size_t chunk, struct vs_tree *tree,
                             struct vs_update **out, char **version, bool *truncated,
                             struct nl_err *err);

struct vs_watch;

struct vs_watch_opts {
    int max_wait_s;         /* per WaitForUpdatesEx; 0 = 30 */
    int max_object_updates; /* per reply; 0 = 500 */
};

/* Sets up the collector and filter (errors here are returned) and starts the thread. */
struct vs_watch *vs_watch_start(struct vs_client *c, struct nl_queue *q, struct nl_err *err);
struct vs_watch *vs_watch_start_opts(struct vs_client *c, struct nl_queue *q,
                                     const struct vs_watch_opts *opts, struct nl_err *err);
/* Stops the thread (aborts a pending wait within about a second), destroys the collector. */
void vs_watch_stop(struct vs_watch **w);

#endif
