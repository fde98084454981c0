/* Allocation that never returns NULL: out of memory aborts with a message on stderr. A console
 * that half-handles ENOMEM is worse than one that stops. */
#ifndef NL_CORE_XMALLOC_H
#define NL_CORE_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows an array to hold at least need elements (doubling); updates *cap. */
void *xgrow(void *p, size_t *cap, size_t need, size_t elem_size);
char *xstrdup(const char *s); /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Frees *dst and stores a copy of src (NULL allowed). */
void xstrset(char **dst, const char *src);

#endif
