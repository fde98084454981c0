/* Step builders shared by plan.c and plan_restore.c (internal to backend/ops). Each appends the
 * steps for one host or VM of plan->lab to plan, planned or skipped with a reason. */
#ifndef NL_OPS_PLAN_BUILD_H
#define NL_OPS_PLAN_BUILD_H

#include "backend/ops/plan.h"

struct ops_step *ops_plan_add_step(struct ops_plan *plan, enum ops_step_kind kind,
                                   const struct nl_host *host, ssize_t host_index);
void ops_step_skip(struct ops_step *s, enum ops_step_status status, const char *reason);
/* "host 'X' is disconnected" / "... is not responding", or NULL. Owned. */
char *ops_host_blocked_reason(const struct nl_host *h);
/* have with every flag that want sets replaced. */
struct nl_security ops_security_merge(const struct nl_security *have,
                                      const struct nl_security *want);

void ops_plan_vm_power(struct ops_plan *plan, size_t vm_index, bool on);
void ops_plan_vm_nested_hv(struct ops_plan *plan, size_t vm_index, bool on, bool power_cycle);
void ops_plan_host_security(struct ops_plan *plan, size_t host_index, const char *vswitch,
                            const struct nl_security *want, bool clear_overrides);
/* Ensures port group name on vswitch with vlan. keep_override: leave its overrides as they are
 * (trunk intent); otherwise make them equal to *override (restore; a missing port group is
 * added, then its overrides set by a second step that depends on the add). */
void ops_plan_host_portgroup(struct ops_plan *plan, size_t host_index, const char *vswitch,
                             const char *name, int vlan, const struct nl_security *override,
                             bool keep_override);
void ops_plan_host_remove_portgroup(struct ops_plan *plan, size_t host_index, const char *vswitch,
                                    const char *name);
/* The restore intent (plan_restore.c). */
void ops_plan_restore(struct ops_plan *plan, const struct ops_restore_item *items, size_t n);

#endif
