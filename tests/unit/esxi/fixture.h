/* Reads tests/fixtures/esxi/<name> (NL_FIXTURES) into memory for the esxi unit tests. */
#ifndef NL_TEST_ESXI_FIXTURE_H
#define NL_TEST_ESXI_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

static char *fixture_read(const char *name, size_t *len)
{
    const char *dir = getenv("NL_FIXTURES");
    char path[1024];
    snprintf(path, sizeof(path), "%s/esxi/%s", dir ? dir : "tests/fixtures", name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open fixture %s\n", path);
        exit(1);
    }
    size_t cap = 4096, n = 0;
    char *data = malloc(cap);
    size_t got;
    while (data && (got = fread(data + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) {
            cap *= 2;
            data = realloc(data, cap);
        }
    }
    fclose(f);
    if (!data)
        exit(1);
    data[n] = '\0';
    *len = n;
    return data;
}

#endif
