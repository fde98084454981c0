/* Applying a plan from the command line: one change at a time per endpoint (lock.h), progress on
 * stderr, and the signals. From cli_apply_guard on, SIGINT, SIGTERM and SIGHUP are taken by one
 * thread: before the apply they end the process at once (nothing was changed); during it the
 * first stops new steps (the calls in flight finish or time out, everything is journaled) and
 * the second abandons the calls in flight (journaled as unknown) and ends the process. */
#ifndef NL_TUI_CLI_APPLY_H
#define NL_TUI_CLI_APPLY_H

#include "backend/ops/lock.h"
#include "backend/ops/plan.h"
#include "tui/cli_verbs.h"

/* Call first in a change verb, before any thread is created: blocks the three signals in the
 * process and starts the thread that takes them. */
void cli_apply_guard(void);

/* Takes the endpoint's change lock (waiting up to o->wait_s with a message on stderr). When it
 * had to wait, re-reads the lab into s->lab so the plan starts from what the other one left. */
enum nl_code cli_change_lock(const struct cli_opts *o, struct cli_session *s, const char *what,
                             struct ops_lock **lock, struct nl_err *err);

/* Applies plan through the session's executor with the journal. Prints progress unless json.
 * *signo receives the first signal that interrupted the apply (0: none). An apply abandoned by
 * a second signal prints what was and was not done and ends the process (exit 128+signal). */
enum nl_code cli_apply(const struct cli_opts *o, struct cli_session *s, struct ops_plan *plan,
                       const char *journal, int *signo, struct nl_err *err);

/* After an interrupted apply: every step with its outcome on stdout, and how to go on. */
void cli_apply_interrupted(const struct ops_plan *plan, int signo);

#endif
