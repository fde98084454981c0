/* An inventory page (RetrievePropertiesEx / ContinueRetrievePropertiesEx reply) through the
 * streamed SOAP reader with the inventory's stream spec, fed in chunks whose size the input
 * chooses (fuzz.h), into the lab model; then resolved, linked and written out as the inventory
 * document, as `nestlab inventory` would. Flags: bit 0 ContinueRetrievePropertiesEx, bit 1 HTTP
 * status 500. */
#include <stdio.h>

#include "fuzz.h"

#include "backend/model/lab_json.h"
#include "backend/vsphere/vs_inventory.h"
#include "backend/vsphere/vs_prop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_stream s;
    if (!fuzz_stream_split(data, size, &s))
        return 0;
    const char *method = s.flags & 1 ? "ContinueRetrievePropertiesEx" : "RetrievePropertiesEx";
    long status = s.flags & 2 ? 500 : 200;
    struct nl_lab *lab = nl_lab_new("fuzz");
    struct vs_tree *tree = vs_tree_new();
    char *token = NULL;
    struct nl_err err = {0};
    if (vs_inventory_parse(method, status, s.body, s.len, s.chunk, lab, tree, &token, &err) ==
        NL_OK) {
        vs_prop_resolve(lab, tree);
        nl_lab_link(lab);
        FILE *out = fopen("/dev/null", "w");
        const struct nl_lab *labs[1] = {lab};
        if (!out || nl_labs_write_inventory_json(labs, 1, out, true, &err) != NL_OK)
            abort();
        fclose(out);
    }
    free(token);
    vs_tree_free(&tree);
    nl_lab_free(&lab);
    return 0;
}
