/* Keeping secrets out of crash output and freed memory.
 *
 * nestlab holds root passwords of every ESXi host and an SSO administrator password. A core dump
 * would carry them to disk (or to whatever core_pattern pipes to), and a freed buffer keeps its
 * bytes until reused. So the process is made non-dumpable with no core size before any password
 * is read, and the libraries that copy a password while sending it (libcurl: the request with
 * the Login body; libssh2: keyboard-interactive answers and password packets; libxml2: the
 * serialised Login envelope) allocate through functions that wipe every block they free or
 * move. */
#ifndef NL_CORE_SECRET_H
#define NL_CORE_SECRET_H

#include <stddef.h>

/* prctl(PR_SET_DUMPABLE, 0) and RLIMIT_CORE 0 (soft and hard): no core file, no ptrace attach
 * by other processes of the user. Idempotent; returns 0, or -1 when either failed (errno). */
int nl_secret_protect_process(void);

/* malloc-compatible allocation functions whose free and realloc wipe the old block first
 * (explicit_bzero over its usable size). Blocks from plain malloc may be passed to them and the
 * other way round. */
void nl_wipe_free(void *p);
void *nl_wipe_realloc(void *p, size_t n);
char *nl_wipe_strdup(const char *s);

#endif
