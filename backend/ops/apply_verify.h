/* Verification after apply (internal to backend/ops). */
#ifndef NL_OPS_APPLY_VERIFY_H
#define NL_OPS_APPLY_VERIFY_H

#include <stdbool.h>

#include "backend/ops/executor.h"
#include "backend/ops/plan.h"

/* Re-reads through ex and sets verify/verify_note on every step that succeeded; on a failed
 * re-read sets plan->verify_error and marks them OPS_VERIFY_UNKNOWN. Keeps the re-read lab in
 * plan->verified_lab. */
void ops_apply_verify(struct ops_plan *plan, const struct ops_executor *ex);
/* Does `now` show step s's `after` value? The target is found by id, else by name (a lab read
 * through another transport). OPS_VERIFY_OK, MISMATCH, or UNKNOWN (target gone); for the last
 * two *note receives what differs (owned), else NULL. */
enum ops_verify ops_step_check(const struct nl_lab *now, const struct ops_step *s, char **note);
/* Do two steps change the same value (same vSwitch, port group, or VM setting)? */
bool ops_steps_same_target(const struct ops_step *a, const struct ops_step *b);

#endif
