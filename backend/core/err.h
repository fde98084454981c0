/* nl_err: the one error type. A code for programs, a detail (e.g. the vSphere fault type), the
 * function that failed, and a whole-sentence message for people. The first error set wins, so a
 * low-level cause is never overwritten by a vaguer message from a caller. */
#ifndef NL_CORE_ERR_H
#define NL_CORE_ERR_H

#include <stddef.h>

enum nl_code {
    NL_OK = 0,
    NL_ERR_USAGE,     /* the caller (user or program) asked for something malformed */
    NL_ERR_IO,        /* local file system */
    NL_ERR_PARSE,     /* malformed input: XML, JSON, CSV, command output */
    NL_ERR_LIMIT,     /* a size cap was exceeded */
    NL_ERR_CONNECT,   /* refused, unreachable, DNS, timeout while connecting */
    NL_ERR_TLS,       /* certificate or handshake */
    NL_ERR_AUTH,      /* wrong user or password, key refused */
    NL_ERR_HOSTKEY,   /* SSH host key unknown or changed */
    NL_ERR_TIMEOUT,   /* no answer in time after connecting */
    NL_ERR_PROTOCOL,  /* the peer answered something we cannot use (HTTP 404, EOF mid-reply) */
    NL_ERR_FAULT,     /* the server answered with a fault; detail holds its type */
    NL_ERR_NOT_FOUND, /* a named object does not exist */
    NL_ERR_STATE,     /* the object is in the wrong state (powered on, disconnected) */
    NL_ERR_INTERNAL,
};

struct nl_err {
    enum nl_code code;
    char detail[64];   /* machine-readable refinement, e.g. "InvalidPowerState" */
    char where[64];    /* the function that set it */
    char message[512]; /* a whole sentence for the user */
};

/* Sets err unless err is NULL or already holds an error. Returns code, so callers can write
 * `return nl_err_set(err, NL_ERR_IO, NULL, __func__, "...")`. detail may be NULL. */
enum nl_code nl_err_set(struct nl_err *err, enum nl_code code, const char *detail,
                        const char *where, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The value is code itself, evaluated once before the error is set (code may read errno), not
 * only what nl_err_set returns: a static analyser following a caller then sees that an error path
 * never yields NL_OK. */
#define NL_ERR(err, code, detail, ...)                                    \
    __extension__({                                                       \
        enum nl_code nl_err_code_ = (code);                               \
        nl_err_set((err), nl_err_code_, (detail), __func__, __VA_ARGS__); \
        nl_err_code_;                                                     \
    })

void nl_err_clear(struct nl_err *err);
int nl_err_is_set(const struct nl_err *err);

/* "NL_ERR_FAULT" style name of a code. */
const char *nl_code_name(enum nl_code code);

/* The message, followed by " (detail)" when there is one. Always NUL-terminates; returns the length
 * the full text would need, like snprintf. */
size_t nl_err_format(const struct nl_err *err, char *buf, size_t size);

/* Process exit status for a headless verb: 0 ok, 2 usage, 3 connection/TLS/auth/host key/protocol,
 * 4 server fault or state, 1 anything else. */
int nl_code_exit_status(enum nl_code code);

#endif
