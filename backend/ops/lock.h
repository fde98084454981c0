/* One change at a time per endpoint: an advisory lock (flock) on a file in the state directory,
 * taken by every process that changes the endpoint (two terminals, the console and a script),
 * from before the plan is made until the change set is journaled. The lock file holds who has
 * it ("pid 4242: nestlab security, since 2026-12-03T10:15:00Z") for the message the next one
 * prints. flock is released by the kernel when the process dies, so a killed nestlab never
 * leaves the endpoint locked. */
#ifndef NL_OPS_LOCK_H
#define NL_OPS_LOCK_H

#include "backend/core/err.h"

struct ops_lock;

/* Called once, when the lock is busy and the caller waits: who holds it (whole sentence). */
typedef void (*ops_lock_wait_fn)(const char *holder, int wait_s, void *user);

/* Takes the lock at path for `what` ("nestlab security"). Busy: waits up to wait_s seconds
 * (0: not at all), calling on_wait (may be NULL) first; then NL_ERR_STATE (detail "busy") with
 * a sentence naming the holder and --wait. NL_ERR_IO when the file cannot be opened. */
enum nl_code ops_lock_acquire(const char *path, const char *endpoint, const char *what, int wait_s,
                              ops_lock_wait_fn on_wait, void *user, struct ops_lock **out,
                              struct nl_err *err);
void ops_lock_release(struct ops_lock **lock);

#endif
