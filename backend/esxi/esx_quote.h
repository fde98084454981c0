/* Shell quoting for the ESXi shell (BusyBox ash). Every argument nestlab sends to a host goes
 * through here, whatever it holds: each one is wrapped in single quotes, inside which ash
 * performs no expansion at all, and a single quote inside the argument becomes '\'' (close the
 * quote, an escaped quote, reopen). That is the only character single quotes cannot hold. */
#ifndef NL_ESXI_QUOTE_H
#define NL_ESXI_QUOTE_H

#include <stddef.h>

#include "backend/core/buf.h"
#include "backend/core/err.h"

/* Appends the quoted form of arg to b. Fails only when b's cap is exceeded. */
enum nl_code esx_quote_append(struct nl_buf *b, const char *arg, struct nl_err *err);

/* Returns the quoted form of arg (owned by the caller). */
char *esx_quote(const char *arg);

/* Builds one command line from argv[0..n-1], every word quoted and separated by one space.
 * Returns NULL with NL_ERR_USAGE when n is 0 or an element is NULL. Owned by the caller. */
char *esx_cmd_build(const char *const *argv, size_t n, struct nl_err *err);

/* Like esx_cmd_build for a NULL-terminated list. */
char *esx_cmd_buildv(const char *const *argv, struct nl_err *err);

#endif
