/* Applying a plan through an executor (executor.h): the steps of one host run in plan order on
 * one worker, hosts run in parallel (at most opts.parallel at once), a failed step never stops
 * the others (only the steps that depend on it), then the lab is re-read and every value that was
 * sent verified. With a journal path every step is journaled as it goes (journal.h): the change
 * set with every before value is on disk before the first call, each outcome as it finishes,
 * the final record at the end, so an apply killed at any point leaves a record of what it did.
 * Results land in the plan's steps; ops_plan_text/ops_plan_summary/ops_plan_exit_status then report
 * them. */
#ifndef NL_OPS_APPLY_H
#define NL_OPS_APPLY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "backend/core/err.h"
#include "backend/ops/executor.h"
#include "backend/ops/plan.h"

#define OPS_APPLY_DEFAULT_PARALLEL 16

enum ops_progress_event {
    OPS_PROGRESS_STARTED,   /* a step is about to be sent */
    OPS_PROGRESS_FINISHED,  /* a step has its result (ok, failed, not run) */
    OPS_PROGRESS_VERIFYING, /* every step finished; re-reading the lab (step is NULL) */
};

struct ops_progress {
    enum ops_progress_event event;
    const struct ops_plan *plan;
    const struct ops_step *step; /* NULL for OPS_PROGRESS_VERIFYING */
    size_t index;                /* the step's index in plan->steps */
    size_t done;                 /* steps finished so far, this one included */
    size_t total;                /* planned steps */
};

/* Called from the engine's WORKER THREADS, never from the caller's thread, but one call at a
 * time (the engine serialises them with a mutex), so the callback needs no locking of its own.
 * It must return quickly, must not call curses (post a message to an nl_queue instead) and must
 * not touch other steps of the plan, which workers may be writing. */
typedef void (*ops_progress_fn)(const struct ops_progress *p, void *user);

struct ops_apply_opts {
    unsigned parallel;        /* hosts at once; 0 means OPS_APPLY_DEFAULT_PARALLEL */
    ops_progress_fn progress; /* may be NULL */
    void *progress_user;
    const char *journal_path; /* append the change set here; NULL: do not journal */
    bool no_verify;           /* skip the re-read (tests, or a transport without reread) */
    /* May be NULL. Set (from any thread) to stop starting new steps: steps being sent finish,
     * the remaining planned steps end as OPS_RESULT_NOT_RUN (error detail "cancelled", "...
     * cancelled before it started."), what did change is still verified and the whole change
     * set, cancelled steps included, is journaled. A power-cycle chain whose power-off already
     * ran is finished (set and power-on) so that no VM is left powered off by a cancel. */
    atomic_bool *cancel;
    /* May be NULL. Set (from any thread, after cancel) to stop waiting: the calls still in
     * flight are recorded as OPS_RESULT_UNKNOWN (error detail "abandoned"), the steps not
     * started as not run, the verification is skipped (or its re-read abandoned), the final
     * record is written and ops_apply returns within about 0.1 s with plan->abandoned set.
     * Worker threads may then still be inside the executor: the caller must keep the plan and
     * the executor alive and should end the process (the CLI's second Ctrl-C). */
    atomic_bool *abandon;
};

void ops_apply_opts_init(struct ops_apply_opts *opts);

/* Runs every planned step of plan through ex. Returns NL_OK when every step was attempted,
 * whatever the steps' results (see ops_plan_exit_status). Errors: NL_ERR_USAGE when the plan was
 * already applied or ex is NULL; NL_ERR_IO when the journal could not be written: before the
 * first call nothing is sent (plan->applied stays false); later no new call is sent, and the
 * plan holds the results of the ones made. A plan with nothing to change runs nothing and
 * writes no journal line. Blocks until done; call it from a worker when the UI must stay live. */
enum nl_code ops_apply(struct ops_plan *plan, const struct ops_executor *ex,
                       const struct ops_apply_opts *opts, struct nl_err *err);

/* The lab the verification re-read returned (owned by the plan), or NULL. Lets a front end
 * refresh its model without another round trip. */
const struct nl_lab *ops_plan_verified_lab(const struct ops_plan *plan);

#endif
