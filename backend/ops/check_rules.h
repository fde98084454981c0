/* Private to the readiness checks: the rule families and the helpers they share. */
#ifndef NL_OPS_CHECK_RULES_H
#define NL_OPS_CHECK_RULES_H

#include "backend/ops/check.h"

/* A new finding (strings are taken over: pass xasprintf results). */
struct ops_finding *ops_check_add(struct ops_report *rep, enum ops_severity sev, const char *rule,
                                  char *message, char *why, char *fix_text);
void ops_check_object(struct ops_finding *f, const char *kind, const char *id, const char *name);
void ops_fix_set_host(struct ops_fix *fix, enum ops_fix_kind kind, const struct nl_host *h);
void ops_fix_set_vm(struct ops_fix *fix, enum ops_fix_kind kind, const struct nl_lab *lab,
                    const struct nl_vm *vm);

/* The display name of an object (its name, else its id). */
const char *ops_vm_name(const struct nl_vm *vm);
const char *ops_host_name(const struct nl_host *h);

/* Does the host carry nested hypervisors: one runs on it, or on a host of its cluster (DRS and
 * vMotion may move it here)? carriers[i] for every host, computed once per run. */
bool *ops_check_carriers(const struct nl_lab *lab);
/* Does the host have network data at all (a disconnected host may have none)? */
bool ops_host_has_network(const struct nl_host *h);
/* The vSwitch the rules look at on this host: opt->vswitch when present, else the only one. */
const struct nl_vswitch *ops_check_vswitch(const struct nl_host *h,
                                           const struct ops_check_options *opt);

void ops_check_vms(const struct nl_lab *lab, const struct ops_check_options *opt,
                   const bool *carriers, struct ops_report *rep);
void ops_check_hosts(const struct nl_lab *lab, const struct ops_check_options *opt,
                     const bool *carriers, struct ops_report *rep);
void ops_check_layout(const struct nl_lab *lab, const struct ops_check_options *opt,
                      struct ops_report *rep);
void ops_check_clones(const struct nl_lab *lab, struct ops_report *rep);

#endif
