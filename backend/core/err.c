#include "backend/core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void copy_field(char *dst, size_t size, const char *src)
{
    if (!src) {
        dst[0] = '\0';
        return;
    }
    snprintf(dst, size, "%s", src);
}

enum nl_code nl_err_set(struct nl_err *err, enum nl_code code, const char *detail,
                        const char *where, const char *fmt, ...)
{
    if (!err || err->code != NL_OK)
        return code;
    err->code = code;
    copy_field(err->detail, sizeof(err->detail), detail);
    copy_field(err->where, sizeof(err->where), where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return code;
}

void nl_err_clear(struct nl_err *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

int nl_err_is_set(const struct nl_err *err)
{
    return err && err->code != NL_OK;
}

const char *nl_code_name(enum nl_code code)
{
    switch (code) {
    case NL_OK:
        return "NL_OK";
    case NL_ERR_USAGE:
        return "NL_ERR_USAGE";
    case NL_ERR_IO:
        return "NL_ERR_IO";
    case NL_ERR_PARSE:
        return "NL_ERR_PARSE";
    case NL_ERR_LIMIT:
        return "NL_ERR_LIMIT";
    case NL_ERR_CONNECT:
        return "NL_ERR_CONNECT";
    case NL_ERR_TLS:
        return "NL_ERR_TLS";
    case NL_ERR_AUTH:
        return "NL_ERR_AUTH";
    case NL_ERR_HOSTKEY:
        return "NL_ERR_HOSTKEY";
    case NL_ERR_TIMEOUT:
        return "NL_ERR_TIMEOUT";
    case NL_ERR_PROTOCOL:
        return "NL_ERR_PROTOCOL";
    case NL_ERR_FAULT:
        return "NL_ERR_FAULT";
    case NL_ERR_NOT_FOUND:
        return "NL_ERR_NOT_FOUND";
    case NL_ERR_STATE:
        return "NL_ERR_STATE";
    case NL_ERR_INTERNAL:
        return "NL_ERR_INTERNAL";
    }
    return "NL_ERR_UNKNOWN";
}

size_t nl_err_format(const struct nl_err *err, char *buf, size_t size)
{
    int n;
    if (!err || err->code == NL_OK)
        n = snprintf(buf, size, "No error.");
    else if (err->detail[0])
        n = snprintf(buf, size, "%s (%s)", err->message, err->detail);
    else
        n = snprintf(buf, size, "%s", err->message);
    return n < 0 ? 0 : (size_t)n;
}

int nl_code_exit_status(enum nl_code code)
{
    switch (code) {
    case NL_OK:
        return 0;
    case NL_ERR_USAGE:
        return 2;
    case NL_ERR_CONNECT:
    case NL_ERR_TLS:
    case NL_ERR_AUTH:
    case NL_ERR_HOSTKEY:
    case NL_ERR_TIMEOUT:
    case NL_ERR_PROTOCOL: /* the peer does not speak what we expect: a wrong URL or port */
        return 3;
    case NL_ERR_FAULT:
    case NL_ERR_STATE:
    case NL_ERR_NOT_FOUND:
        return 4;
    default:
        return 1;
    }
}
