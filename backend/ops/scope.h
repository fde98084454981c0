/* Scope: which hosts and VMs a change applies to, as the user names them on the command line
 * (`--cluster NAME`, `--host NAME`, `--all-physical`, `--all-nested`, `--all`, VM names) resolved
 * against a lab. An empty request is an error, never "everything"; unknown names are reported in
 * one sentence that names them all and suggests close matches. */
#ifndef NL_OPS_SCOPE_H
#define NL_OPS_SCOPE_H

#include <stdbool.h>
#include <stddef.h>

#include "backend/core/err.h"
#include "backend/model/lab.h"

/* What the user asked for. Strings are owned copies; fill with the add functions. */
struct ops_scope_req {
    char **clusters;
    size_t n_clusters;
    char **hosts;
    size_t n_hosts;
    char **vms;
    size_t n_vms;
    bool all_physical; /* every host not backed by a VM of this lab */
    bool all_nested;   /* every host backed by a VM of this lab */
    bool all;          /* every host */
};

void ops_scope_req_init(struct ops_scope_req *req);
void ops_scope_req_add_cluster(struct ops_scope_req *req, const char *name);
void ops_scope_req_add_host(struct ops_scope_req *req, const char *name);
void ops_scope_req_add_vm(struct ops_scope_req *req, const char *name);
/* Frees the strings and reinitialises. */
void ops_scope_req_clear(struct ops_scope_req *req);
bool ops_scope_req_is_empty(const struct ops_scope_req *req);

/* The resolved scope. Indexes point into the lab it was resolved against and are valid until
 * that lab changes; ids stay valid across a re-read, which is what ops_plan_new uses.
 *
 * hosts: every host of the named clusters, the named hosts, and the --all* sets, in lab order.
 * vms:   the named VMs, then (for the nested-HV and power intents) every nested-hypervisor VM
 *        (role nested-esxi or nested-other) that runs on a host in scope or backs one, in lab
 *        order, without duplicates. n_named_vms counts the first group. */
struct ops_scope {
    size_t *hosts;
    char **host_ids;
    size_t n_hosts;
    size_t *vms;
    char **vm_ids;
    size_t n_vms;
    size_t n_named_vms;
};

/* Resolves req. NL_ERR_USAGE when req names nothing; NL_ERR_NOT_FOUND with a sentence naming
 * every unknown cluster, host and VM with suggestions ("did you mean 'Nested-A'?"). A host name
 * that is unknown but is the unique short form of one ("esx-p01" for "esx-p01.lab.invalid") is
 * accepted. Names are otherwise compared byte-exact. */
enum nl_code ops_scope_resolve(const struct nl_lab *lab, const struct ops_scope_req *req,
                               struct ops_scope **out, struct nl_err *err);
void ops_scope_free(struct ops_scope **scope);

/* Close matches for an unknown name among candidates: equal ignoring case, a prefix of one
 * another (ignoring case), or within a small edit distance counted in UTF-8 code points. Returns
 * an owned phrase like "'Nested-A' or 'Nested-B'" (best first, at most 3), or NULL when none. */
char *ops_suggest(const char *name, const char *const *candidates, size_t n_candidates);

#endif
