/* Keeping secrets out of crash output and freed memory (secret.h). */
#include "backend/core/secret.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

int nl_secret_protect_process(void)
{
    int rc = 0;
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        rc = -1;
    struct rlimit none = {0, 0};
    if (setrlimit(RLIMIT_CORE, &none) != 0)
        rc = -1;
    return rc;
}

void nl_wipe_free(void *p)
{
    if (!p)
        return;
    explicit_bzero(p, malloc_usable_size(p));
    free(p);
}

void *nl_wipe_realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    if (n == 0) {
        nl_wipe_free(p);
        return NULL;
    }
    size_t old = malloc_usable_size(p);
    if (n <= old)
        return p; /* stays in its block: nothing is left behind */
    /* realloc would free (or leave) the old block unwiped; copy, then wipe it ourselves. */
    void *q = malloc(n);
    if (!q)
        return NULL;
    memcpy(q, p, old);
    nl_wipe_free(p);
    return q;
}

char *nl_wipe_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}
