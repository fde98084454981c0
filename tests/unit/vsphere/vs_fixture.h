/* Reads a recorded reply from $NL_FIXTURES/vsphere/. */
#ifndef VS_FIXTURE_H
#define VS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline char *vs_fixture(const char *name, size_t *len)
{
    const char *dir = getenv("NL_FIXTURES");
    char path[1024];
    snprintf(path, sizeof path, "%s/vsphere/%s", dir ? dir : "tests/fixtures", name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open fixture %s\n", path);
        exit(1);
    }
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        size_t got = fread(buf + n, 1, 4096, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The same reply indented, as many real servers and proxies send it: whitespace text between
 * every pair of elements. */
static inline char *vs_fixture_indent(const char *xml, size_t len, size_t *out_len)
{
    char *out = malloc(len * 9 + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        out[n++] = xml[i];
        if (xml[i] == '>' && i + 1 < len && xml[i + 1] == '<') {
            memcpy(out + n, "\n       ", 8);
            n += 8;
        }
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}

#endif
