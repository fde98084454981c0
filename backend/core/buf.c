#include "backend/core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"

void nl_buf_init(struct nl_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : SIZE_MAX - 1;
}

enum nl_code nl_buf_append(struct nl_buf *b, const void *data, size_t n, struct nl_err *err)
{
    if (n > b->max - b->len)
        return NL_ERR(err, NL_ERR_LIMIT, "size-cap",
                      "The data is larger than the limit of %zu bytes and was not read further.",
                      b->max);
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 256;
        while (ncap < b->len + n + 1)
            ncap = ncap > SIZE_MAX / 2 ? SIZE_MAX : ncap * 2;
        b->data = xrealloc(b->data, ncap);
        b->cap = ncap;
    }
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return NL_OK;
}

enum nl_code nl_buf_append_str(struct nl_buf *b, const char *s, struct nl_err *err)
{
    return nl_buf_append(b, s, strlen(s), err);
}

enum nl_code nl_buf_appendf(struct nl_buf *b, struct nl_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NL_ERR(err, NL_ERR_INTERNAL, NULL, "Formatting text failed.");
    enum nl_code rc = nl_buf_append(b, s, (size_t)n, err);
    free(s);
    return rc;
}

void nl_buf_reset(struct nl_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *nl_buf_steal(struct nl_buf *b)
{
    char *p = b->data ? b->data : xstrdup("");
    size_t max = b->max;
    nl_buf_init(b, max);
    return p;
}

void nl_buf_free(struct nl_buf *b)
{
    free(b->data);
    nl_buf_init(b, b->max);
}
