/* The inventory cache (lab.cache.json) read as nl_lab_load_cache reads it, and the lab it gives
 * written out again as the inventory document, which must be valid JSON whatever the cache held. */
#include <stdio.h>

#include "fuzz.h"

#include "backend/model/lab_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return 0;
    struct nl_err err = {0};
    struct nl_lab *lab = nl_lab_from_cache_json(doc, "fuzz.cache.json", &err);
    json_decref(doc);
    if (!lab)
        return 0;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    const struct nl_lab *labs[1] = {lab};
    if (!out || nl_labs_write_inventory_json(labs, 1, out, false, &err) != NL_OK)
        abort();
    fclose(out);
    json_t *back = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!back) {
        fprintf(stderr, "the inventory written from a cache is not JSON: %s\n", jerr.text);
        abort();
    }
    json_decref(back);
    free(text);
    nl_lab_free(&lab);
    return 0;
}
