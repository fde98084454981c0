/* The journal: one JSON line per applied change set, appended to a file the caller names (the
 * CLI uses nl_xdg_path(NL_XDG_STATE, "journal.jsonl")). A line holds the id, time, endpoint,
 * transport, the intent and every step with target, host, kind, before, after, result and error
 * message. Never a secret: only names, ids, values and the servers' error sentences.
 *
 * Line format (one object, no newlines inside):
 *   {"id":"20250301T101500.123456Z-4242","time":"2025-03-01T10:15:00Z","endpoint":"vc-lab",
 *    "transport":"vcenter","intent":"security on vSwitch 'vSwitch0': promiscuous accept",
 *    "intent_kind":"security","undo_of":null,"summary":{...},"steps":[<ops_step_to_json>...]}
 *
 * Appends are single write()s with O_APPEND under an advisory lock, then fsync; the file is
 * created with mode 0600. Reading skips lines that are not valid entries (a torn last line after
 * a crash) with a warning and keeps every other entry. */
#ifndef NL_OPS_JOURNAL_H
#define NL_OPS_JOURNAL_H

#include <jansson.h>
#include <stddef.h>

#include "backend/core/err.h"
#include "backend/model/lab.h"
#include "backend/ops/plan.h"

struct ops_journal_entry {
    char *id;
    char *time; /* ISO 8601 UTC */
    char *endpoint;
    char *transport;
    char *intent;
    char *intent_kind;
    char *undo_of; /* the id this change set undid, or NULL */
    struct ops_step *steps;
    size_t n_steps;
    size_t line; /* 1-based line in the file */
};

struct ops_journal {
    struct ops_journal_entry *entries; /* oldest first */
    size_t n_entries;
    char **warnings; /* whole sentences, e.g. about a skipped torn line */
    size_t n_warnings;
};

/* Appends plan (after ops_apply) as one line; *id_out (may be NULL) receives the new id. ops_apply
 * calls this itself when given a journal path. NL_ERR_IO on any file error. */
enum nl_code ops_journal_append(const char *path, const struct ops_plan *plan,
                                const char *transport, char **id_out, struct nl_err *err);

/* Reads the whole journal. A missing file is an empty journal, not an error. NL_ERR_IO when the
 * file cannot be read, NL_ERR_LIMIT above 64 MiB. */
enum nl_code ops_journal_read(const char *path, struct ops_journal **out, struct nl_err *err);
/* The same from the file's contents (len bytes, no NUL needed); origin names it in the warnings.
 * Never fails: lines that are not entries become warnings. */
struct ops_journal *ops_journal_parse(const char *data, size_t len, const char *origin);
void ops_journal_free(struct ops_journal **journal);

/* The entry with this id, or the unique entry whose id starts with it; NULL id means the last
 * change set that changed something, is not itself an undo, and has not been undone. NULL with
 * err set (NL_ERR_NOT_FOUND, or NL_ERR_USAGE for an ambiguous prefix) when there is none. */
const struct ops_journal_entry *ops_journal_find(const struct ops_journal *journal, const char *id,
                                                 struct nl_err *err);
/* Has a later entry undone this one? Returns that entry's id or NULL. */
const char *ops_journal_undone_by(const struct ops_journal *journal,
                                  const struct ops_journal_entry *entry);

/* `nestlab journal`: one line per entry "ID  TIME  ENDPOINT  TRANSPORT  INTENT: N changed, K
 * failed [undo of X] [undone by Y]", then the warnings. With steps, every step under its entry. */
char *ops_journal_text(const struct ops_journal *journal, bool steps);
/* {"entries":[<the lines as objects>], "warnings":[...]}. New reference. */
json_t *ops_journal_to_json(const struct ops_journal *journal);

/* Undo: a restore plan putting back the "before" values of every step of entry that succeeded
 * (once per target, the earliest before wins; newest change undone first; power cycles are
 * repeated as power cycles), planned against lab as it is now, so targets already back to the
 * old value are "already compliant". NL_ERR_USAGE when the entry changed nothing. Apply it with
 * ops_apply like any plan; its journal line carries "undo_of". */
enum nl_code ops_undo_plan_new(const struct nl_lab *lab, const struct ops_journal_entry *entry,
                               struct ops_plan **out, struct nl_err *err);

#endif
