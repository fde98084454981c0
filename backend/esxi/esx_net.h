/* TCP with deadlines for the SSH side: a monotonic clock, a poll() that stops at a deadline, and a
 * non-blocking connect that tries every address of a name until one answers or time runs out.
 * Shared by the sessions (esx_session.c) and the host-key check (esx_trust.c). */
#ifndef NL_ESXI_NET_H
#define NL_ESXI_NET_H

#include "backend/core/err.h"

/* Milliseconds on the monotonic clock. */
long long esx_now_ms(void);

/* poll() on one fd until it is ready for events or the deadline passes (EINTR retried).
 * Returns poll's result: > 0 ready, 0 deadline passed, < 0 error (errno set). */
int esx_wait_fd(int fd, short events, long long deadline_ms);

/* Connects to address:port (name is for messages), non-blocking, until deadline_ms. Returns the
 * connected non-blocking socket, or -1 with NL_ERR_CONNECT (detail "resolve", "timeout" or
 * "refused") and a sentence naming the host; `why` ("to check its key") may be NULL. */
int esx_tcp_connect(const char *name, const char *address, int port, long long deadline_ms,
                    const char *why, struct nl_err *err);

#endif
