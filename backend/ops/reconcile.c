#include "backend/ops/reconcile.h"

#include <stdlib.h>
#include <string.h>

#include "backend/core/buf.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/apply_verify.h"
#include "backend/ops/plan.h"

/* Journal times are ISO 8601 UTC ("2026-11-25T21:08:19Z"). */
static time_t parse_time(const char *iso)
{
    struct tm tm = {0};
    if (!iso || !strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return 0;
    return timegm(&tm);
}

static const char *step_owner(const struct ops_step *s)
{
    return s->vm_name ? s->vm_name : s->host_name ? s->host_name : "?";
}

/* Did a change set after entry i send a step to the same target as s? Then the lab shows its
 * doing, not s's. */
static bool touched_later(const struct ops_journal *journal, size_t i, const struct ops_step *s)
{
    for (size_t n = i + 1; n < journal->n_entries; n++) {
        const struct ops_journal_entry *later = &journal->entries[n];
        for (size_t k = 0; k < later->n_steps; k++)
            if (ops_journal_step_sent(later, &later->steps[k]) &&
                ops_steps_same_target(s, &later->steps[k]))
                return true;
    }
    return false;
}

/* Locates the unknown steps of entry i in the live lab; a step whose target a later change set
 * (an undo, a re-run) touched cannot be settled from the lab and is left as it is. */
static void settle(struct ops_reconcile_entry *re, const struct ops_journal *journal, size_t i,
                   const struct nl_lab *lab)
{
    const struct ops_journal_entry *e = re->entry;
    for (size_t k = 0; k < e->n_steps; k++) {
        const struct ops_step *s = &e->steps[k];
        if (s->result != OPS_RESULT_UNKNOWN || touched_later(journal, i, s))
            continue;
        char *note = NULL;
        enum ops_step_where w = ops_step_where(lab, s, &note);
        re->settled = xrealloc(re->settled, (re->n_settled + 1) * sizeof(*re->settled));
        char *what = ops_step_what(s);
        re->settled[re->n_settled++] = (struct ops_settlement){
            .index = k,
            .where = w,
            .text = w == OPS_WHERE_AFTER ? xasprintf("applied: %s", what)
                    : w == OPS_WHERE_BEFORE
                        ? xasprintf("not applied: %s", what)
                        : xasprintf("still unknown (%s): %s", note ? note : "target gone", what),
        };
        free(what);
        free(note);
    }
}

struct ops_reconcile *ops_reconcile_new(const struct ops_journal *journal, const struct nl_lab *lab,
                                        const char *endpoint, const char *transport, time_t since)
{
    struct ops_reconcile *r = xcalloc(1, sizeof(*r));
    for (size_t i = 0; i < journal->n_entries; i++) {
        const struct ops_journal_entry *e = &journal->entries[i];
        if (endpoint && (!e->endpoint || strcmp(e->endpoint, endpoint) != 0))
            continue;
        struct ops_reconcile_entry re = {.entry = e};
        settle(&re, journal, i, lab);
        bool compare = !(transport && (!e->transport || strcmp(e->transport, transport) != 0)) &&
                       !(since && parse_time(e->time) < since) &&
                       /* undone later: its values are not meant to hold any more */
                       !ops_journal_undone_by(journal, e);
        for (size_t k = 0; compare && k < e->n_steps; k++) {
            const struct ops_step *s = &e->steps[k];
            if (s->result != OPS_RESULT_OK)
                continue;
            re.applied++;
            char *note = NULL;
            if (ops_step_check(lab, s, &note) == OPS_VERIFY_OK) {
                re.as_applied++;
            } else {
                re.differences =
                    xrealloc(re.differences, (re.n_differences + 1) * sizeof(*re.differences));
                re.differences[re.n_differences++] =
                    xasprintf("%s: %s", step_owner(s), note ? note : "not found");
            }
            free(note);
        }
        if (re.applied == 0 && re.n_settled == 0)
            continue;
        r->entries = xrealloc(r->entries, (r->n + 1) * sizeof(*r->entries));
        r->entries[r->n++] = re;
    }
    return r;
}

void ops_reconcile_free(struct ops_reconcile **pr)
{
    if (!pr || !*pr)
        return;
    struct ops_reconcile *r = *pr;
    for (size_t i = 0; i < r->n; i++) {
        for (size_t k = 0; k < r->entries[i].n_differences; k++)
            free(r->entries[i].differences[k]);
        free(r->entries[i].differences);
        for (size_t k = 0; k < r->entries[i].n_settled; k++)
            free(r->entries[i].settled[k].text);
        free(r->entries[i].settled);
    }
    free(r->entries);
    free(r);
    *pr = NULL;
}

char *ops_reconcile_text(const struct ops_reconcile *r, const char *source_name)
{
    struct nl_buf b;
    nl_buf_init(&b, 0);
    for (size_t i = 0; i < r->n; i++) {
        const struct ops_reconcile_entry *re = &r->entries[i];
        const struct ops_journal_entry *e = re->entry;
        for (size_t k = 0; k < re->n_settled; k++)
            nl_buf_appendf(&b, NULL, "%s (%s) unknown step %zu, from the lab now: %s\n", e->id,
                           e->intent ? e->intent : "?", re->settled[k].index + 1,
                           re->settled[k].text);
        if (re->applied == 0)
            continue;
        if (re->as_applied == re->applied)
            nl_buf_appendf(&b, NULL, "%s (%s, %s) %s: %s shows all %zu change(s) as applied.\n",
                           e->id, e->transport ? e->transport : "?", e->time ? e->time : "?",
                           e->intent ? e->intent : "?", source_name, re->applied);
        else
            nl_buf_appendf(&b, NULL, "%s (%s, %s) %s: %s shows %zu of %zu change(s) as applied.\n",
                           e->id, e->transport ? e->transport : "?", e->time ? e->time : "?",
                           e->intent ? e->intent : "?", source_name, re->as_applied, re->applied);
        for (size_t k = 0; k < re->n_differences; k++)
            nl_buf_appendf(&b, NULL, "    differs: %s\n", re->differences[k]);
    }
    return nl_buf_steal(&b);
}

json_t *ops_reconcile_to_json(const struct ops_reconcile *r)
{
    json_t *entries = json_array();
    for (size_t i = 0; i < r->n; i++) {
        const struct ops_reconcile_entry *re = &r->entries[i];
        json_t *diffs = json_array();
        for (size_t k = 0; k < re->n_differences; k++)
            json_array_append_new(diffs, json_string(re->differences[k]));
        json_t *settled = json_array();
        for (size_t k = 0; k < re->n_settled; k++) {
            const struct ops_settlement *st = &re->settled[k];
            const char *state = st->where == OPS_WHERE_AFTER    ? "applied"
                                : st->where == OPS_WHERE_BEFORE ? "not applied"
                                                                : "unknown";
            json_array_append_new(settled,
                                  json_pack("{s:I, s:s, s:s}", "step", (json_int_t)st->index,
                                            "state", state, "text", st->text));
        }
        json_array_append_new(
            entries,
            json_pack("{s:s?, s:s?, s:s?, s:s?, s:b, s:I, s:I, s:o, s:o}", "id", re->entry->id,
                      "time", re->entry->time, "transport", re->entry->transport, "intent",
                      re->entry->intent, "interrupted", re->entry->interrupted, "applied",
                      (json_int_t)re->applied, "as_applied", (json_int_t)re->as_applied,
                      "differences", diffs, "settled", settled));
    }
    return json_pack("{s:o}", "entries", entries);
}
