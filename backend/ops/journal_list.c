/* Looking entries up and listing them for `nestlab journal`. */
#include <stdlib.h>
#include <string.h>

#include "backend/core/buf.h"
#include "backend/core/term_text.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/journal.h"
#include "backend/ops/plan_util.h"

/* Was a call sent for this step (so the lab may differ from its before value)? */
bool ops_journal_step_sent(const struct ops_journal_entry *e, const struct ops_step *s)
{
    if (s->status != OPS_STEP_PLANNED)
        return false;
    /* An interrupted set may have lost a start record with the page cache (power loss): every
     * planned step of it counts, and the live lab tells which ones differ. */
    return e->interrupted || s->result == OPS_RESULT_OK || s->result == OPS_RESULT_FAILED ||
           s->result == OPS_RESULT_UNKNOWN;
}

static bool changed_something(const struct ops_journal_entry *e)
{
    for (size_t i = 0; i < e->n_steps; i++)
        if (ops_journal_step_sent(e, &e->steps[i]))
            return true;
    return false;
}

const char *ops_journal_step_state(const struct ops_journal_entry *e, const struct ops_step *s)
{
    (void)e;
    if (s->status != OPS_STEP_PLANNED)
        return "skipped";
    switch (s->result) {
    case OPS_RESULT_OK:
        return "applied";
    case OPS_RESULT_FAILED:
        return "failed";
    case OPS_RESULT_UNKNOWN:
        return "unknown";
    case OPS_RESULT_NOT_RUN:
    case OPS_RESULT_NONE:
        break;
    }
    return "not applied";
}

const char *ops_journal_undone_by(const struct ops_journal *jr,
                                  const struct ops_journal_entry *entry)
{
    const char *by = NULL;
    for (size_t i = 0; i < jr->n_entries; i++) {
        const struct ops_journal_entry *e = &jr->entries[i];
        if (e != entry && e->undo_of && entry->id && strcmp(e->undo_of, entry->id) == 0 &&
            changed_something(e))
            by = e->id;
    }
    return by;
}

const struct ops_journal_entry *ops_journal_find(const struct ops_journal *jr, const char *id,
                                                 struct nl_err *err)
{
    if (!id) {
        for (size_t i = jr->n_entries; i-- > 0;) {
            const struct ops_journal_entry *e = &jr->entries[i];
            if (!e->undo_of && changed_something(e) && !ops_journal_undone_by(jr, e))
                return e;
        }
        NL_ERR(err, NL_ERR_NOT_FOUND, NULL,
               "The journal holds no change set that could still be undone.");
        return NULL;
    }
    const struct ops_journal_entry *found = NULL;
    size_t n_prefix = 0, len = strlen(id);
    for (size_t i = 0; i < jr->n_entries; i++) {
        const struct ops_journal_entry *e = &jr->entries[i];
        if (strcmp(e->id, id) == 0)
            return e;
        if (len > 0 && strncmp(e->id, id, len) == 0) {
            found = e;
            n_prefix++;
        }
    }
    char *safe = nl_term_name(id);
    if (n_prefix == 1) {
        free(safe);
        return found;
    }
    if (n_prefix > 1)
        NL_ERR(err, NL_ERR_USAGE, NULL, "The id '%s' matches %zu journal entries; give more of it.",
               safe, n_prefix);
    else
        NL_ERR(err, NL_ERR_NOT_FOUND, NULL,
               "The journal has no change set with the id '%s'; 'nestlab journal' lists them.",
               safe);
    free(safe);
    return NULL;
}

static void entry_counts(const struct ops_journal_entry *e, struct ops_counts *c)
{
    struct ops_plan tmp;
    memset(&tmp, 0, sizeof(tmp));
    tmp.steps = e->steps;
    tmp.n_steps = e->n_steps;
    ops_plan_counts(&tmp, c);
}

char *ops_journal_text(const struct ops_journal *jr, bool steps)
{
    struct nl_buf b;
    nl_buf_init(&b, 0);
    if (jr->n_entries == 0)
        nl_buf_append_str(&b, "The journal is empty.\n", NULL);
    for (size_t i = 0; i < jr->n_entries; i++) {
        const struct ops_journal_entry *e = &jr->entries[i];
        struct ops_counts c;
        entry_counts(e, &c);
        char *id = nl_term_name(e->id), *time = nl_term_name(e->time);
        char *ep = nl_term_name(e->endpoint), *tr = nl_term_name(e->transport);
        char *in = nl_term_line(e->intent);
        if (e->interrupted)
            nl_buf_appendf(&b, NULL,
                           "%s  %s  %s  %s  %s: INTERRUPTED (no final record): %zu applied, "
                           "%zu failed, %zu unknown, %zu not applied",
                           id, time, ep, tr, in, c.ok, c.failed, c.unknown,
                           c.planned - c.ok - c.failed - c.unknown);
        else
            nl_buf_appendf(&b, NULL, "%s  %s  %s  %s  %s: %zu changed, %zu failed", id, time, ep,
                           tr, in, c.ok, c.failed);
        if (c.unknown && !e->interrupted)
            nl_buf_appendf(&b, NULL, ", %zu unknown", c.unknown);
        if (c.not_run && !e->interrupted)
            nl_buf_appendf(&b, NULL, ", %zu not run", c.not_run);
        if (c.mismatched)
            nl_buf_appendf(&b, NULL, ", %zu did not verify", c.mismatched);
        if (e->undo_of) {
            char *u = nl_term_name(e->undo_of);
            nl_buf_appendf(&b, NULL, " [undo of %s]", u);
            free(u);
        }
        const char *by = ops_journal_undone_by(jr, e);
        if (by) {
            char *u = nl_term_name(by);
            nl_buf_appendf(&b, NULL, " [undone by %s]", u);
            free(u);
        }
        nl_buf_append_str(&b, "\n", NULL);
        free(id);
        free(time);
        free(ep);
        free(tr);
        free(in);
        if (!steps)
            continue;
        struct ops_plan tmp;
        memset(&tmp, 0, sizeof(tmp));
        tmp.applied = true;
        for (size_t k = 0; k < e->n_steps; k++) {
            char *line = ops_step_text(&tmp, &e->steps[k]);
            if (e->interrupted && e->steps[k].status == OPS_STEP_PLANNED)
                nl_buf_appendf(&b, NULL, "    [%s] %s\n", ops_journal_step_state(e, &e->steps[k]),
                               line);
            else
                nl_buf_appendf(&b, NULL, "    %s\n", line);
            free(line);
        }
    }
    for (size_t i = 0; i < jr->n_warnings; i++) {
        char *w = nl_term_line(jr->warnings[i]);
        nl_buf_appendf(&b, NULL, "warning: %s\n", w);
        free(w);
    }
    return nl_buf_steal(&b);
}

json_t *ops_journal_to_json(const struct ops_journal *jr)
{
    json_t *entries = json_array();
    for (size_t i = 0; i < jr->n_entries; i++) {
        const struct ops_journal_entry *e = &jr->entries[i];
        struct ops_counts c;
        entry_counts(e, &c);
        json_t *steps = json_array();
        for (size_t k = 0; k < e->n_steps; k++) {
            json_t *sj = ops_step_to_json(&e->steps[k]);
            json_object_set_new(sj, "state", json_string(ops_journal_step_state(e, &e->steps[k])));
            json_array_append_new(steps, sj);
        }
        json_t *j = json_object();
        json_object_set_new(j, "id", ops_json_str(e->id));
        json_object_set_new(j, "time", ops_json_str(e->time));
        json_object_set_new(j, "endpoint", ops_json_str(e->endpoint));
        json_object_set_new(j, "transport", ops_json_str(e->transport));
        json_object_set_new(j, "intent", ops_json_str(e->intent));
        json_object_set_new(j, "intent_kind", ops_json_str(e->intent_kind));
        json_object_set_new(j, "undo_of", ops_json_str(e->undo_of));
        json_object_set_new(j, "undone_by", ops_json_str(ops_journal_undone_by(jr, e)));
        json_object_set_new(j, "changed", json_integer((json_int_t)c.ok));
        json_object_set_new(j, "failed", json_integer((json_int_t)c.failed));
        json_object_set_new(j, "unknown", json_integer((json_int_t)c.unknown));
        json_object_set_new(j, "interrupted", json_boolean(e->interrupted));
        json_object_set_new(j, "steps", steps);
        json_array_append_new(entries, j);
    }
    json_t *warnings = json_array();
    for (size_t i = 0; i < jr->n_warnings; i++)
        json_array_append_new(warnings, ops_json_str(jr->warnings[i]));
    return json_pack("{s:o, s:o}", "entries", entries, "warnings", warnings);
}
