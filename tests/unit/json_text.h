/* Test helpers for the JSON nestlab writes itself (the cache file, the inventory document):
 * the text, and whether it is exactly what jansson would write for the same document. */
#ifndef NL_TESTS_JSON_TEXT_H
#define NL_TESTS_JSON_TEXT_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/model/lab_json.h"

/* The whole file, NUL-terminated; NULL when unreadable. */
static inline char *jt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, got, m);
    fclose(f);
    fclose(m);
    if (len)
        *len = n;
    return buf;
}

/* The cache file nl_lab_save_cache writes for lab (through a temporary file). */
static inline char *jt_cache_text(const struct nl_lab *lab)
{
    char dir[] = "/tmp/nl-jt-XXXXXX";
    if (!mkdtemp(dir))
        return NULL;
    char path[64];
    snprintf(path, sizeof path, "%s/cache.json", dir);
    struct nl_err err = {0};
    char *text = nl_lab_save_cache(lab, path, &err) == NL_OK ? jt_read_file(path, NULL) : NULL;
    unlink(path);
    rmdir(dir);
    return text;
}

/* The inventory document nl_labs_write_inventory_json writes. */
static inline char *jt_inventory_text(const struct nl_lab *const *labs, size_t n, int indent,
                                      size_t *len)
{
    char *text = NULL;
    size_t l = 0;
    FILE *m = open_memstream(&text, &l);
    struct nl_err err = {0};
    enum nl_code rc = nl_labs_write_inventory_json(labs, n, m, indent != 0, &err);
    fclose(m);
    if (rc != NL_OK) {
        free(text);
        return NULL;
    }
    if (len)
        *len = l;
    return text;
}

/* Is text valid JSON that jansson, reading it and writing it again with flags, writes byte for
 * byte the same? That pins the writer's layout, escaping and number format to jansson's. */
static inline int jt_same_as_jansson(const char *text, size_t len, size_t flags)
{
    json_t *doc = json_loadb(text, len, 0, NULL);
    if (!doc)
        return 0;
    char *again = json_dumps(doc, flags);
    int same = again && strlen(again) == len && memcmp(again, text, len) == 0;
    if (!same && again) {
        size_t i = 0;
        while (i < len && again[i] == text[i])
            i++;
        fprintf(stderr, "differs from jansson at byte %zu:\n  ours:    %.80s\n  jansson: %.80s\n",
                i, text + (i > 20 ? i - 20 : 0), again + (i > 20 ? i - 20 : 0));
    }
    free(again);
    json_decref(doc);
    return same;
}

/* The cache nl_lab_save_cache writes for lab is jansson's text for the same document and loads
 * back to a lab that saves the same text. Uses CHECK (include check.h first). */
static inline void jt_check_cache(const struct nl_lab *lab, const char *what)
{
    char *got = jt_cache_text(lab);
    CHECK(got != NULL);
    if (!got)
        return;
    if (!jt_same_as_jansson(got, strlen(got), JSON_COMPACT | JSON_ENSURE_ASCII)) {
        fprintf(stderr, "%s: the cache file is not jansson's text\n", what);
        CHECK(!"cache text differs from jansson");
    }
    json_t *doc = json_loads(got, 0, NULL);
    struct nl_err err = {0};
    struct nl_lab *back = doc ? nl_lab_from_cache_json(doc, what, &err) : NULL;
    CHECK(back != NULL);
    if (!back)
        fprintf(stderr, "%s: %s\n", what, err.message);
    char *again = back ? jt_cache_text(back) : NULL;
    CHECK(again && strcmp(again, got) == 0);
    free(again);
    nl_lab_free(&back);
    json_decref(doc);
    free(got);
}

#endif
