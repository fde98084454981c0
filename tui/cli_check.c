/* nestlab check [--fix]: the readiness report, and every fixable finding turned into one plan for
 * the change engine (ops_fix_plan_new), previewed, confirmed, applied, verified and journaled;
 * then the checks run again on the lab as it now is. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/core/buf.h"
#include "backend/core/term_text.h"
#include "backend/ops/apply.h"
#include "backend/ops/check.h"
#include "backend/ops/fix_plan.h"
#include "backend/ops/plan.h"
#include "tui/cli_apply.h"
#include "tui/cli_verbs.h"

static void print_report(const struct ops_report *rep, bool json)
{
    if (json) {
        cli_print_json(ops_report_to_json(rep));
        return;
    }
    struct nl_buf out;
    struct nl_err err = {0};
    nl_buf_init(&out, 0);
    if (ops_report_to_text(rep, &out, &err) == NL_OK)
        nl_term_fputs(out.data, stdout);
    nl_buf_free(&out);
}

static void check_options(const struct cli_opts *o, struct ops_check_options *opt)
{
    ops_check_options_init(opt);
    if (o->min_memory_mb)
        opt->esxi_min_memory_mb = o->min_memory_mb;
    if (o->warn_memory_mb)
        opt->esxi_warn_memory_mb = o->warn_memory_mb;
}

/* How many errors of a report remain, and how many of them --fix could still do. */
static void count_remaining(const struct ops_report *rep, size_t *errors, size_t *automatic)
{
    *errors = rep->n_errors;
    *automatic = 0;
    for (size_t i = 0; i < rep->n_findings; i++)
        if (rep->findings[i].severity == OPS_SEV_ERROR &&
            ops_fix_is_automatic(rep->findings[i].fix.kind))
            (*automatic)++;
}

static int run_fix(struct cli_opts *o, struct cli_session *s, const struct ops_report *rep)
{
    struct nl_err err = {0};
    struct ops_plan *plan = NULL;
    char **notes = NULL;
    size_t n_notes = 0;
    ops_fix_plan_new(s->lab, rep, o->power_cycle, &plan, &notes, &n_notes, &err);
    for (size_t i = 0; i < n_notes; i++)
        cli_note("", notes[i]);
    struct ops_counts counts = {0};
    if (plan)
        ops_plan_counts(plan, &counts);
    int rc = ops_report_exit_status(rep);
    struct ops_report *after = NULL;
    json_t *doc = o->json ? json_pack("{s:o}", "before", ops_report_to_json(rep)) : NULL;
    if (!doc) {
        print_report(rep, false);
        nl_term_printf(stdout, "\nFix plan (%zu change(s)):\n", counts.planned);
        if (plan) {
            char *text = ops_plan_text(plan);
            nl_term_fputs(text, stdout);
            free(text);
        }
    }
    if (counts.planned == 0 || o->dry_run)
        goto report;
    if (!o->yes && (!isatty(STDIN_FILENO) || !cli_confirm("Apply the fix plan?"))) {
        NL_ERR(&err, NL_ERR_USAGE, NULL,
               "Nothing changed: the fix plan needs confirmation on a terminal, or --yes.");
        rc = cli_fail(&err);
        goto cleanup;
    }
    char *journal = nl_endpoint_journal_path(&err);
    struct nl_err aerr = {0};
    int signo = 0;
    if (journal && cli_apply(o, s, plan, journal, &signo, &aerr) != NL_OK)
        cli_note("", aerr.message);
    free(journal);
    if (signo) {
        cli_apply_interrupted(plan, signo);
        rc = 128 + signo;
        goto cleanup;
    }
    if (!doc) {
        char *summary = ops_plan_summary(plan);
        nl_term_printf(stdout, "%s\n", summary);
        free(summary);
        if (plan->journal_id)
            nl_term_printf(stdout, "Journal: %s (undo with: nestlab undo %s)\n", plan->journal_id,
                           plan->journal_id);
    }
    /* Check again on the lab as it now is. */
    struct nl_lab *now = nl_endpoint_inventory(s->ep, &err);
    if (!now) {
        rc = cli_fail(&err);
        goto cleanup;
    }
    nl_lab_free(&s->lab);
    s->lab = now;
    struct ops_check_options opt;
    check_options(o, &opt);
    after = ops_check_run(s->lab, &opt);
    rc = ops_report_exit_status(after);
    if (!doc) {
        nl_term_printf(stdout, "\nAfter the fix:\n");
        print_report(after, false);
    }
report:;
    size_t errors, automatic;
    count_remaining(after ? after : rep, &errors, &automatic);
    if (doc) {
        json_object_set_new(doc, "plan", plan ? ops_plan_to_json(plan) : json_null());
        json_object_set_new(doc, "after", after ? ops_report_to_json(after) : json_null());
        json_object_set_new(doc, "remaining",
                            json_pack("{s:I, s:I, s:I}", "errors", (json_int_t)errors, "fixable",
                                      (json_int_t)automatic, "need_a_person",
                                      (json_int_t)(errors - automatic)));
        cli_print_json(doc);
        doc = NULL;
    } else if (errors == 0) {
        nl_term_printf(stdout, "\nNo error remains.\n");
    } else if (automatic == 0) {
        nl_term_printf(
            stdout,
            "\n%zu error(s) remain, and each needs a person: its \"fix:\" line says what to "
            "do.\n",
            errors);
    } else {
        nl_term_printf(stdout,
                       "\n%zu error(s) remain; %zu of them nestlab can fix%s, the other %zu need a "
                       "person.\n",
                       errors, automatic, after ? " on another run" : " (run without --dry-run)",
                       errors - automatic);
    }
cleanup:
    json_decref(doc);
    ops_report_free(&after);
    ops_plan_free(&plan);
    for (size_t i = 0; i < n_notes; i++)
        free(notes[i]);
    free(notes);
    return rc;
}

int cli_run_check(struct cli_opts *o)
{
    struct nl_err err = {0};
    struct cli_session s;
    if (o->args.n)
        return NL_ERR(&err, NL_ERR_USAGE, NULL, "check takes no arguments (got \"%s\").",
                      o->args.v[0]),
               cli_fail(&err);
    if (o->fix && o->read_only)
        return NL_ERR(&err, NL_ERR_USAGE, NULL, "--read-only refuses check --fix."), cli_fail(&err);
    if (o->power_cycle && !o->fix)
        return NL_ERR(&err, NL_ERR_USAGE, NULL, "--power-cycle only applies with --fix."),
               cli_fail(&err);
    if (o->fix)
        cli_apply_guard();
    if (cli_session_open(o, &s, &err) != NL_OK)
        return cli_fail(&err);
    struct ops_lock *lock = NULL;
    if (o->fix && !o->dry_run &&
        cli_change_lock(o, &s, "nestlab check --fix", &lock, &err) != NL_OK) {
        cli_session_close(&s);
        return cli_fail(&err);
    }
    struct ops_check_options opt;
    check_options(o, &opt);
    struct ops_report *rep = ops_check_run(s.lab, &opt);
    int rc;
    if (o->fix) {
        rc = run_fix(o, &s, rep);
    } else {
        print_report(rep, o->json);
        rc = ops_report_exit_status(rep);
    }
    ops_report_free(&rep);
    ops_lock_release(&lock);
    cli_session_close(&s);
    return rc;
}
