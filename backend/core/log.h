/* Logging to a file, never to the terminal (curses owns it). Thread-safe. Never log secrets:
 * callers pass passwords to nobody, and nl_log itself does not know what a secret is. */
#ifndef NL_CORE_LOG_H
#define NL_CORE_LOG_H

enum nl_log_level { NL_LOG_DEBUG, NL_LOG_INFO, NL_LOG_WARN, NL_LOG_ERROR };

#include "err.h"

/* Opens (appends to) path, mode 0600. Until opened, messages are dropped. */
enum nl_code nl_log_open(const char *path, enum nl_log_level min_level, struct nl_err *err);
void nl_log_close(void);
/* Parses "debug|info|warn|error"; returns -1 when unknown. */
int nl_log_level_parse(const char *name);
void nl_log(enum nl_log_level level, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* For a library that prints its own diagnostics to stderr (libxml2's generic error handler, which
 * is per thread: install it with xmlSetGenericErrorFunc(NULL, nl_log_library) on the thread that
 * parses): the text goes to the log at debug level instead of over the console. */
void nl_log_library(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define NL_DEBUG(...) nl_log(NL_LOG_DEBUG, __func__, __VA_ARGS__)
#define NL_INFO(...) nl_log(NL_LOG_INFO, __func__, __VA_ARGS__)
#define NL_WARN(...) nl_log(NL_LOG_WARN, __func__, __VA_ARGS__)
#define NL_ERROR(...) nl_log(NL_LOG_ERROR, __func__, __VA_ARGS__)

#endif
