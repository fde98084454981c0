/* Reads a file under $NL_FIXTURES/perf for the perf unit tests. */
#ifndef PERF_FIXTURE_H
#define PERF_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

static char *perf_fixture(const char *name, size_t *len)
{
    const char *dir = getenv("NL_FIXTURES");
    char path[4096];
    snprintf(path, sizeof path, "%s/perf/%s", dir ? dir : "tests/fixtures", name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open fixture %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read fixture %s\n", path);
        exit(1);
    }
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

#endif
