/* WaitForUpdatesEx replies through the streamed SOAP reader (chunk size from the input, fuzz.h),
 * each applied to one lab and linked, as the console does with live updates. The body may hold
 * several replies separated by form feeds (never valid in XML), parsed in turn with one tree that
 * tracks parents across them, like the watcher's. */
#include <stdio.h>

#include "fuzz.h"

#include "backend/vsphere/vs_update.h"

#define MAX_REPLIES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_stream s;
    if (!fuzz_stream_split(data, size, &s))
        return 0;
    struct nl_lab *lab = nl_lab_new("fuzz");
    struct vs_tree *tree = vs_tree_new();
    char *version = NULL;
    FILE *out = fopen("/dev/null", "w");
    if (!out)
        abort();
    size_t start = 0;
    for (int n = 0; n < MAX_REPLIES && start <= s.len; n++) {
        const char *ff = memchr(s.body + start, '\f', s.len - start);
        size_t end = ff ? (size_t)(ff - s.body) : s.len;
        struct vs_update *u = NULL;
        bool truncated = false;
        struct nl_err err = {0};
        if (vs_update_parse(s.body + start, end - start, s.chunk, tree, &u, &version, &truncated,
                            &err) == NL_OK &&
            u) {
            vs_update_print(u, out);
            vs_update_apply(lab, u);
            nl_lab_link(lab);
            vs_update_free(&u);
        }
        start = end + 1;
    }
    fclose(out);
    free(version);
    vs_tree_free(&tree);
    nl_lab_free(&lab);
    return 0;
}
