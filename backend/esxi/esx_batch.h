/* Several read-only commands in one exec channel, to keep round trips per host low (reading a
 * host takes two channels instead of dozens). Each command is followed by an echo of a random
 * marker carrying its index and whether it succeeded:
 *     'cmd' 'arg' && echo '@@NL-<nonce>@@ 3 0' || echo '@@NL-<nonce>@@ 3 1' ; ...
 * The nonce is 128 random bits, so no command output can forge a marker. Outputs are split at
 * the markers; stderr is shared by the whole batch. Only for commands that change nothing: a
 * mutating command always gets its own channel and exit status. */
#ifndef NL_ESXI_BATCH_H
#define NL_ESXI_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "backend/core/err.h"
#include "backend/esxi/esx_session.h"

struct esx_batch_item {
    char *cmd; /* the quoted command line */
    bool ran;  /* its marker was seen */
    bool ok;   /* exit status 0 */
    char *out; /* its stdout (NUL-terminated), NULL until run */
    size_t out_len;
};

struct esx_batch {
    struct esx_batch_item *items;
    size_t n, cap;
    char *err_text; /* the stderr of every chunk, concatenated */
    size_t execs;   /* channels used */
};

/* Appends a command (argv NULL-terminated, quoted here); returns its index. */
size_t esx_batch_add(struct esx_batch *b, const char *const *argv);
/* Runs every command not yet run, in chunks of at most ~16 KiB of command text. Fails when the
 * session fails or the shell output has no marker for a command (the shell refused the line). */
enum nl_code esx_batch_run(struct esx_session *s, struct esx_batch *b, struct nl_err *err);
/* Builds the text of one chunk (items [from, to)) with the given nonce; for tests. */
char *esx_batch_script(const struct esx_batch *b, size_t from, size_t to, const char *nonce);
/* Splits a chunk's stdout into the items; for tests. Returns NL_ERR_PROTOCOL when a marker is
 * missing or out of order. */
enum nl_code esx_batch_split(struct esx_batch *b, size_t from, size_t to, const char *nonce,
                             const char *out, size_t len, struct nl_err *err);
/* The stderr text, trimmed and shortened for a message ("" when none). Owned by the caller. */
char *esx_batch_err_summary(const struct esx_batch *b);
void esx_batch_clear(struct esx_batch *b);

#endif
