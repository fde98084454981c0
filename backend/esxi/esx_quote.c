#include "backend/esxi/esx_quote.h"

#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"

enum nl_code esx_quote_append(struct nl_buf *b, const char *arg, struct nl_err *err)
{
    /* Build into a scratch buffer first so a cap overflow leaves b untouched. */
    size_t n = strlen(arg), quotes = 0;
    for (size_t i = 0; i < n; i++) {
        if (arg[i] == '\'')
            quotes++;
    }
    char *q = xmalloc(n + 3 * quotes + 3);
    size_t o = 0;
    q[o++] = '\'';
    for (size_t i = 0; i < n; i++) {
        if (arg[i] == '\'') {
            /* Four bytes of a string built piecewise and terminated below. */
            memcpy(q + o, "'\\''", 4); // NOLINT(bugprone-not-null-terminated-result)
            o += 4;
        } else {
            q[o++] = arg[i];
        }
    }
    q[o++] = '\'';
    enum nl_code rc = nl_buf_append(b, q, o, err);
    free(q);
    return rc;
}

char *esx_quote(const char *arg)
{
    struct nl_buf b;
    nl_buf_init(&b, 0);
    /* Without a cap the append cannot fail. */
    esx_quote_append(&b, arg ? arg : "", NULL);
    return nl_buf_steal(&b);
}

char *esx_cmd_build(const char *const *argv, size_t n, struct nl_err *err)
{
    if (n == 0) {
        NL_ERR(err, NL_ERR_USAGE, NULL, "An empty command cannot be sent to a host.");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!argv[i]) {
            NL_ERR(err, NL_ERR_USAGE, NULL, "Argument %zu of a host command is missing.", i);
            return NULL;
        }
    }
    struct nl_buf b;
    nl_buf_init(&b, 0);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            nl_buf_append(&b, " ", 1, NULL);
        esx_quote_append(&b, argv[i], NULL);
    }
    return nl_buf_steal(&b);
}

char *esx_cmd_buildv(const char *const *argv, struct nl_err *err)
{
    size_t n = 0;
    while (argv && argv[n])
        n++;
    return esx_cmd_build(argv, n, err);
}
