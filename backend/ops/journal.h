/* The journal: a write-ahead log of change sets, one JSON record per line, in a file the caller
 * names (the CLI uses nl_xdg_path(NL_XDG_STATE, "journal.jsonl")). Never a secret: only names,
 * ids, values and the servers' error sentences.
 *
 * Format 2 (every record has "v":2 and "rec"). An apply writes, in this order:
 *   begin   the whole change set before the first call: id, time, endpoint, transport, intent,
 *           intent_kind, undo_of, summary, and every step with target, host, kind, before and
 *           after (fsync'd: the before values are on disk before anything changes)
 *           {"v":2,"rec":"begin","id":"20250301T101500.123456Z-4242","time":"2025-03-01T10:15:00Z",
 *            "endpoint":"vc-lab","transport":"vcenter","intent":"...","intent_kind":"security",
 *            "undo_of":null,"summary":{...},"steps":[<ops_step_to_json>...]}
 *   start   a step's call is about to be sent            {"v":2,"rec":"start","id":..,"step":N}
 *   step    its outcome (fdatasync'd)                    {"v":2,"rec":"step","id":..,"step":N,
 *                                                         "result":"ok","error":..,"error_code":..}
 *   end     the final record: the same object as begin with every result and verification
 *           (fsync'd); the time is when the set ended.
 *   settle  `journal --reconcile` settled an unknown step from the live lab (a "step" record
 *           with "note"), possibly after the end record.
 * A set without its end record was interrupted (killed, crashed, power lost): its steps read
 * as applied (ok), failed, unknown (started, no outcome) or not applied (never started).
 * Format 1 lines (no "v": one whole change set per line, as "end" has it) are still read.
 *
 * Every record is one write() with O_APPEND under an exclusive flock (and a mutex within the
 * process), so lines of two processes or threads never interleave; a record after a torn line
 * starts on a fresh line. The file is created with mode 0600. Reading skips lines that are not
 * valid records (a torn last line after a crash) with a warning and keeps everything else. */
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
    size_t line;      /* 1-based line in the file where it began */
    bool interrupted; /* begun, never ended: see the format above */
};

struct ops_journal {
    struct ops_journal_entry *entries; /* oldest first */
    size_t n_entries;
    char **warnings; /* whole sentences, e.g. about a skipped torn line */
    size_t n_warnings;
};

#define OPS_JOURNAL_VERSION 2

/* The write-ahead journal of one apply (ops_apply drives it when given a journal path).
 * Thread-safe: workers record their steps concurrently. NL_ERR_IO on any file error. */
struct ops_wal;
/* Opens the journal and writes the begin record (fsync'd). Nothing has been sent yet when it
 * fails, and nothing must be. */
enum nl_code ops_wal_begin(const char *path, const struct ops_plan *plan, const char *transport,
                           struct ops_wal **out, struct nl_err *err);
const char *ops_wal_id(const struct ops_wal *w);
/* Before the step's call is sent; a failure means the call must not be sent. */
enum nl_code ops_wal_step_started(struct ops_wal *w, size_t index, struct nl_err *err);
/* The step's result and error, as it finished. */
enum nl_code ops_wal_step_done(struct ops_wal *w, size_t index, const struct ops_step *s,
                               struct nl_err *err);
/* The final record (fsync'd); later records are refused. NL_ERR_IO also when an earlier step
 * record could not be written (the final record has them all). */
enum nl_code ops_wal_end(struct ops_wal *w, const struct ops_plan *plan, const char *transport,
                         struct nl_err *err);
void ops_wal_free(struct ops_wal **w);

/* Appends plan (after ops_apply) as one complete record (an "end" with no begin); *id_out (may
 * be NULL) receives the new id. For tools and tests: ops_apply journals itself. */
enum nl_code ops_journal_append(const char *path, const struct ops_plan *plan,
                                const char *transport, char **id_out, struct nl_err *err);

/* Records that `journal --reconcile` settled step `index` of change set `id` as s->result
 * (ok: applied; not_run: not applied), with a note saying how it was found. */
enum nl_code ops_journal_settle(const char *path, const char *id, size_t index,
                                const struct ops_step *s, const char *note, struct nl_err *err);

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

/* Was a call sent for step s of e (ok, failed, unknown; every planned step of an interrupted
 * set), so that undo must look at it? */
bool ops_journal_step_sent(const struct ops_journal_entry *e, const struct ops_step *s);
/* "applied", "failed", "unknown", "not applied" or "skipped". */
const char *ops_journal_step_state(const struct ops_journal_entry *e, const struct ops_step *s);

/* `nestlab journal`: one line per entry "ID  TIME  ENDPOINT  TRANSPORT  INTENT: N changed, K
 * failed [undo of X] [undone by Y]", then the warnings. With steps, every step under its entry. */
char *ops_journal_text(const struct ops_journal *journal, bool steps);
/* {"entries":[<the entries as objects, with "interrupted", "unknown", and each step's "state">],
 * "warnings":[...]}. New reference. */
json_t *ops_journal_to_json(const struct ops_journal *journal);

/* Undo: a restore plan putting back the "before" values of every step of entry that was sent
 * (ops_journal_step_sent: succeeded, failed -- many failures are partial -- or unknown, and
 * every planned step of an interrupted set), once per target, the earliest before wins; newest
 * change undone first; power cycles are repeated as power cycles. Planned against lab as it is
 * now, so targets still or again at the old value are "already compliant". NL_ERR_USAGE when no
 * step was sent. Apply it with
 * ops_apply like any plan; its journal line carries "undo_of". */
enum nl_code ops_undo_plan_new(const struct nl_lab *lab, const struct ops_journal_entry *entry,
                               struct ops_plan **out, struct nl_err *err);

#endif
