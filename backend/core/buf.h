/* nl_buf: a growable byte buffer with a hard cap. Every network read goes through one, so a
 * hostile or broken peer cannot make us allocate without bound. The data is always
 * NUL-terminated (the terminator is not counted in len). */
#ifndef NL_CORE_BUF_H
#define NL_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

struct nl_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* hard cap on len; 0 means SIZE_MAX */
};

void nl_buf_init(struct nl_buf *b, size_t max);
/* Appends n bytes; on exceeding the cap leaves the buffer unchanged and sets NL_ERR_LIMIT. */
enum nl_code nl_buf_append(struct nl_buf *b, const void *data, size_t n, struct nl_err *err);
enum nl_code nl_buf_append_str(struct nl_buf *b, const char *s, struct nl_err *err);
enum nl_code nl_buf_appendf(struct nl_buf *b, struct nl_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void nl_buf_reset(struct nl_buf *b); /* len = 0, keeps memory */
/* Hands the data to the caller (never NULL) and reinitialises the buffer with the same cap. */
char *nl_buf_steal(struct nl_buf *b);
void nl_buf_free(struct nl_buf *b);

#endif
