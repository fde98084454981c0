/* The journal for the console (read on a worker, listed from memory), undo plans, readiness
 * checks, and the reconciliation of changes made over SSH while vCenter was away. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/buf.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/check.h"
#include "backend/ops/reconcile.h"
#include "tui/app_backend.h"

/* ---- journal -------------------------------------------------------------------------------- */

struct journal_job {
    struct app_ctx *ctx;
};

void app_journal_result_free(void *p)
{
    struct app_journal_result *r = p;
    if (!r)
        return;
    ui_journal_free(&r->journal);
    free(r);
}

static void entry_summary(const struct ops_journal *jn, const struct ops_journal_entry *e,
                          char *out, size_t size, bool *undoable)
{
    size_t ok = 0, failed = 0, unknown = 0;
    *undoable = false;
    for (size_t i = 0; i < e->n_steps; i++) {
        ok += e->steps[i].result == OPS_RESULT_OK;
        failed += e->steps[i].result == OPS_RESULT_FAILED;
        unknown += e->steps[i].result == OPS_RESULT_UNKNOWN;
        *undoable = *undoable || ops_journal_step_sent(e, &e->steps[i]);
    }
    size_t len = (size_t)snprintf(out, size, "%s%s: %zu changed, %zu failed",
                                  e->interrupted ? "INTERRUPTED " : "", e->intent ? e->intent : "?",
                                  ok, failed);
    if (unknown && len < size)
        len += (size_t)snprintf(out + len, size - len, ", %zu unknown", unknown);
    if (e->undo_of && len < size)
        len += (size_t)snprintf(out + len, size - len, " (undo of %s)", e->undo_of);
    const char *by = ops_journal_undone_by(jn, e);
    if (by && len < size)
        snprintf(out + len, size - len, " (undone by %s)", by);
}

static void journal_job_run(void *arg)
{
    struct journal_job *j = arg;
    struct app_journal_result *r = xcalloc(1, sizeof(*r));
    struct ops_journal *jn = NULL;
    struct nl_err err = {0};
    if (ops_journal_read(j->ctx->journal_path, &jn, &err) == NL_OK) {
        for (size_t i = jn->n_entries; i-- > 0;) {
            const struct ops_journal_entry *e = &jn->entries[i];
            char summary[700];
            bool undoable;
            entry_summary(jn, e, summary, sizeof(summary), &undoable);
            ui_journal_add(&r->journal, e->id, app_parse_time(e->time), summary, e->transport,
                           undoable, ops_journal_undone_by(jn, e) != NULL);
        }
        ops_journal_free(&jn);
    } else {
        struct ui_events ev = {0};
        ui_events_add(&ev, UI_EV_ERROR, 0, err.message);
        app_post_events(j->ctx, &ev);
    }
    nl_queue_push(j->ctx->q, nl_msg_new(APP_MSG_JOURNAL, r, app_journal_result_free));
    free(j);
}

void app_journal_reload(struct app_ctx *ctx)
{
    struct journal_job *j = xcalloc(1, sizeof(*j));
    j->ctx = ctx;
    if (!app_submit(ctx, journal_job_run, j))
        free(j);
}

static const char *note_for(const struct app_ctx *ctx, const char *id)
{
    for (size_t i = 0; i + 1 < ctx->n_notes; i += 2)
        if (strcmp(ctx->notes[i], id) == 0)
            return ctx->notes[i + 1];
    return NULL;
}

void app_journal_loaded(struct app_ctx *ctx, struct app_journal_result *r)
{
    ui_journal_free(&ctx->journal);
    ctx->journal = r->journal;
    memset(&r->journal, 0, sizeof(r->journal));
    ui_events_add(&ctx->events, UI_EV_JOURNAL, 0, NULL);
}

void app_journal_list(void *vctx, struct ui_journal *j)
{
    struct app_ctx *ctx = vctx;
    for (size_t i = 0; i < ctx->journal.n; i++) {
        const struct ui_journal_entry *e = &ctx->journal.v[i];
        const char *note = note_for(ctx, e->id);
        char *summary = note ? xasprintf("[%s] %s", note, e->summary) : NULL;
        ui_journal_add(j, e->id, e->when, summary ? summary : e->summary, e->transport, e->undoable,
                       e->undone);
        free(summary);
    }
}

enum nl_code app_undo_plan(const char *journal_path, const char *id, const struct nl_lab *lab,
                           struct ops_plan **out, struct nl_err *err)
{
    struct ops_journal *jn = NULL;
    if (ops_journal_read(journal_path, &jn, err) != NL_OK)
        return err->code;
    enum nl_code rc;
    const struct ops_journal_entry *e = ops_journal_find(jn, id, err);
    if (!e)
        rc = err->code ? err->code : NL_ERR_NOT_FOUND;
    else
        rc = ops_undo_plan_new(lab, e, out, err);
    ops_journal_free(&jn);
    return rc;
}

/* ---- reconciliation ------------------------------------------------------------------------- */

void app_reconcile(const char *journal_path, time_t since, const struct nl_lab *lab,
                   struct app_refresh_result *r)
{
    struct ops_journal *jn = NULL;
    struct nl_err err = {0};
    if (ops_journal_read(journal_path, &jn, &err) != NL_OK) {
        app_strv_push(
            &r->reconcile, &r->n_reconcile,
            xasprintf("The journal could not be read to compare the SSH changes: %s", err.message));
        return;
    }
    struct ops_reconcile *rc = ops_reconcile_new(jn, lab, NULL, "ssh", since);
    for (size_t i = 0; i < rc->n; i++) {
        const struct ops_reconcile_entry *re = &rc->entries[i];
        char *note = re->n_differences ? xasprintf("vCenter: %zu of %zu as applied; %s",
                                                   re->as_applied, re->applied, re->differences[0])
                                       : xasprintf("vCenter: all %zu as applied", re->applied);
        app_strv_push(&r->reconcile, &r->n_reconcile,
                      xasprintf("Made over SSH while vCenter was away: %s (%s). %s.",
                                re->entry->intent ? re->entry->intent : "?", re->entry->id, note));
        app_strv_push(&r->notes, &r->n_notes, xstrdup(re->entry->id));
        app_strv_push(&r->notes, &r->n_notes, note);
    }
    ops_reconcile_free(&rc);
    ops_journal_free(&jn);
}

/* ---- readiness checks ----------------------------------------------------------------------- */

struct checks_job {
    struct app_ctx *ctx;
    struct nl_lab *lab;
};

static void checks_job_run(void *arg)
{
    struct checks_job *j = arg;
    struct ops_report *rep = ops_check_run(j->lab, NULL);
    struct ui_events ev = {0};
    struct ui_event *e = ui_events_add(&ev, UI_EV_CHECKS, 0, NULL);
    char line[1200];
    snprintf(line, sizeof(line), "%s %zu errors, %zu warnings, %zu notes on \"%s\"",
             rep->n_errors ? "ERROR" : "OK   ", rep->n_errors, rep->n_warnings, rep->n_infos,
             j->lab->endpoint ? j->lab->endpoint : "?");
    ui_event_add_line(e, line);
    for (size_t i = 0; i < rep->n_findings; i++) {
        const struct ops_finding *f = &rep->findings[i];
        const char *word = f->severity == OPS_SEV_ERROR  ? "ERROR"
                           : f->severity == OPS_SEV_WARN ? "WARN "
                                                         : "INFO ";
        snprintf(line, sizeof(line), "%s %s: %s", word, f->rule, f->message ? f->message : "");
        ui_event_add_line(e, line);
        if (f->fix_text) {
            snprintf(line, sizeof(line), "      fix: %s", f->fix_text);
            ui_event_add_line(e, line);
        }
    }
    ops_report_free(&rep);
    app_post_events(j->ctx, &ev);
    nl_queue_push(j->ctx->q, nl_msg_new(APP_MSG_JOB_DONE, NULL, NULL));
    nl_lab_free(&j->lab);
    free(j);
}

void app_checks_run(void *vctx)
{
    struct app_ctx *ctx = vctx;
    if (!ctx->lab) {
        ui_events_add(&ctx->events, UI_EV_ERROR, 0,
                      "No lab is loaded yet; wait for the inventory.");
        return;
    }
    struct checks_job *j = xcalloc(1, sizeof(*j));
    j->ctx = ctx;
    j->lab = nl_lab_clone(ctx->lab);
    nl_lab_link(j->lab);
    if (!app_submit(ctx, checks_job_run, j)) {
        nl_lab_free(&j->lab);
        free(j);
    }
}
