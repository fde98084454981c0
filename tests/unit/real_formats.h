/* Outputs captured from real vCenter and ESXi (../shared/real-formats beside the project,
 * $NL_REAL_FORMATS in the tests): read in place, never copied into the project. A missing folder
 * is a failure, not a skip: these files are the ground truth every parser must take. */
#ifndef NL_TESTS_REAL_FORMATS_H
#define NL_TESTS_REAL_FORMATS_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline const char *rf_dir(void)
{
    const char *d = getenv("NL_REAL_FORMATS");
    if (!d || !*d) {
        fprintf(stderr, "NL_REAL_FORMATS is not set (the real-formats folder)\n");
        exit(1);
    }
    return d;
}

/* The bytes of KIND/NAME, NUL-terminated; exits when the file cannot be read. */
static inline char *rf_read(const char *kind, const char *name, size_t *len)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s/%s", rf_dir(), kind, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open real-format file %s\n", path);
        exit(1);
    }
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n + 65536 + 1 > cap) {
            cap = cap ? cap * 2 : 131072;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        got = fread(buf + n, 1, 65536, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Calls fn for every data file of KIND (the .source provenance files left out), in name order;
 * returns how many there were. */
static inline int rf_each(const char *kind, void (*fn)(const char *name, void *arg), void *arg)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", rf_dir(), kind);
    struct dirent **list = NULL;
    int n = scandir(path, &list, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "cannot list real-format folder %s\n", path);
        exit(1);
    }
    int count = 0;
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        size_t len = strlen(name);
        if (name[0] != '.' && !(len > 7 && strcmp(name + len - 7, ".source") == 0)) {
            fn(name, arg);
            count++;
        }
        free(list[i]);
    }
    free(list);
    return count;
}

#endif
