/* Verification after apply (internal to backend/ops). */
#ifndef NL_OPS_APPLY_VERIFY_H
#define NL_OPS_APPLY_VERIFY_H

#include <stdbool.h>

#include "backend/ops/executor.h"
#include "backend/ops/plan.h"

/* Re-reads through ex and sets verify/verify_note on every step that was sent (ok, failed,
 * unknown): a success is verified against its after value; a failed or unknown one gets
 * OPS_VERIFY_OK when the change is in place anyway, MISMATCH with "as before" or what differs
 * otherwise. On a failed re-read sets plan->verify_error and marks them OPS_VERIFY_UNKNOWN.
 * Keeps the re-read lab in plan->verified_lab. */
void ops_apply_verify(struct ops_plan *plan, const struct ops_executor *ex);
/* The two halves, so the slow re-read can run on a thread that may be abandoned: */
bool ops_apply_needs_reread(const struct ops_plan *plan);
/* Reads only plan->lab (which does not change). NULL with e set on failure. */
struct nl_lab *ops_apply_reread(const struct ops_plan *plan, const struct ops_executor *ex,
                                struct nl_err *e);
/* Takes now (may be NULL: e says why). */
void ops_apply_verify_with(struct ops_plan *plan, struct nl_lab *now, const struct nl_err *e);

/* Where a step's target stands in `now`: at its after value, its before value, elsewhere, or
 * gone. *note (owned, may be NULL) says what differs from after. */
enum ops_step_where { OPS_WHERE_AFTER, OPS_WHERE_BEFORE, OPS_WHERE_ELSE, OPS_WHERE_GONE };
enum ops_step_where ops_step_where(const struct nl_lab *now, const struct ops_step *s, char **note);
/* Does `now` show step s's `after` value? The target is found by id, else by name (a lab read
 * through another transport). OPS_VERIFY_OK, MISMATCH, or UNKNOWN (target gone); for the last
 * two *note receives what differs (owned), else NULL. */
enum ops_verify ops_step_check(const struct nl_lab *now, const struct ops_step *s, char **note);
/* Do two steps change the same value (same vSwitch, port group, or VM setting)? */
bool ops_steps_same_target(const struct ops_step *a, const struct ops_step *b);

#endif
