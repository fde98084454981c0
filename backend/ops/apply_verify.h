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
/* Do two steps change the same value (same vSwitch, port group, or VM setting)? */
bool ops_steps_same_target(const struct ops_step *a, const struct ops_step *b);

#endif
