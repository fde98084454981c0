#include "tui/cli_change.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/core/term_text.h"
#include "backend/ops/apply.h"
#include "backend/ops/journal.h"
#include "backend/ops/scope.h"
#include "tui/cli_apply.h"
#include "tui/cli_verbs.h"

static enum nl_tri word_tri(const char *word)
{
    if (!word)
        return NL_TRI_UNSET;
    return strcmp(word, "accept") == 0 ? NL_TRI_TRUE : NL_TRI_FALSE;
}

bool cli_is_change_verb(const char *verb)
{
    return verb && (strcmp(verb, "security") == 0 || strcmp(verb, "trunk") == 0 ||
                    strcmp(verb, "nested-hv") == 0 || strcmp(verb, "undo") == 0);
}

static enum nl_code undo_plan(const struct cli_opts *o, const struct nl_lab *lab,
                              const char *journal_path, struct ops_plan **out, struct nl_err *err)
{
    if (o->args.n > 1)
        return NL_ERR(err, NL_ERR_USAGE, NULL, "undo takes at most one journal id.");
    struct ops_journal *j = NULL;
    enum nl_code rc = ops_journal_read(journal_path, &j, err);
    if (rc != NL_OK)
        return rc;
    const struct ops_journal_entry *e = ops_journal_find(j, o->args.n ? o->args.v[0] : NULL, err);
    /* Never NL_OK without a plan: ops_journal_find sets err when it finds nothing. */
    rc = err->code != NL_OK ? err->code : NL_ERR_NOT_FOUND;
    if (e) {
        const char *by = ops_journal_undone_by(j, e);
        if (by && o->args.n) {
            char *id = nl_term_name(e->id), *by_id = nl_term_name(by);
            nl_term_printf(stderr,
                           "nestlab: note: %s was already undone by %s; undoing it again.\n", id,
                           by_id);
            free(id);
            free(by_id);
        }
        rc = ops_undo_plan_new(lab, e, out, err);
    }
    ops_journal_free(&j);
    return rc;
}

enum nl_code cli_change_plan(const struct cli_opts *o, const struct nl_lab *lab,
                             const char *journal_path, struct ops_plan **out, struct nl_err *err)
{
    *out = NULL;
    if (strcmp(o->verb, "undo") == 0)
        return undo_plan(o, lab, journal_path, out, err);

    struct ops_intent in;
    const struct cli_list *vm_names = NULL;
    struct cli_list rest = {0};
    if (strcmp(o->verb, "security") == 0) {
        ops_intent_init(&in, OPS_INTENT_SECURITY);
        if (!o->vswitch)
            return NL_ERR(err, NL_ERR_USAGE, NULL, "security needs --vswitch NAME.");
        if (!o->promiscuous && !o->forged_transmits && !o->mac_changes)
            return NL_ERR(err, NL_ERR_USAGE, NULL,
                          "security needs at least one of --promiscuous, --forged-transmits, "
                          "--mac-changes (accept or reject).");
        if (o->args.n)
            return NL_ERR(err, NL_ERR_USAGE, NULL,
                          "security takes hosts through --host/--cluster, not \"%s\".",
                          o->args.v[0]);
        in.security.vswitch = o->vswitch;
        in.security.want.promiscuous = word_tri(o->promiscuous);
        in.security.want.forged_transmits = word_tri(o->forged_transmits);
        in.security.want.mac_changes = word_tri(o->mac_changes);
        in.security.clear_pg_overrides = o->clear_overrides;
    } else if (strcmp(o->verb, "trunk") == 0) {
        ops_intent_init(&in, OPS_INTENT_TRUNK);
        if (!o->portgroup || !o->vswitch)
            return NL_ERR(err, NL_ERR_USAGE, NULL,
                          "trunk needs --portgroup NAME and --vswitch NAME.");
        if (o->args.n)
            return NL_ERR(err, NL_ERR_USAGE, NULL,
                          "trunk takes hosts through --host/--cluster, not \"%s\".", o->args.v[0]);
        in.trunk.portgroup = o->portgroup;
        in.trunk.vswitch = o->vswitch;
        if (o->vlan >= 0)
            in.trunk.vlan = o->vlan;
    } else if (strcmp(o->verb, "nested-hv") == 0) {
        ops_intent_init(&in, OPS_INTENT_NESTED_HV);
        if (o->args.n == 0 || (strcmp(o->args.v[0], "on") != 0 && strcmp(o->args.v[0], "off") != 0))
            return NL_ERR(
                err, NL_ERR_USAGE, NULL,
                "nested-hv needs on or off first: nestlab nested-hv on VM... | --cluster C");
        in.nested_hv.on = strcmp(o->args.v[0], "on") == 0;
        in.nested_hv.power_cycle = o->power_cycle;
        rest.v = o->args.v + 1;
        rest.n = o->args.n - 1;
        vm_names = &rest;
    } else {
        return NL_ERR(err, NL_ERR_USAGE, NULL, "\"%s\" is not a change.", o->verb);
    }

    struct ops_scope_req req;
    cli_scope_req(o, vm_names, &req);
    struct ops_scope *scope = NULL;
    enum nl_code rc = ops_scope_resolve(lab, &req, &scope, err);
    if (rc == NL_OK)
        rc = ops_plan_new(lab, scope, &in, out, err);
    ops_scope_free(&scope);
    ops_scope_req_clear(&req);
    return rc;
}

/* The shared body of security, trunk, nested-hv and undo. */
static int run_change(struct cli_opts *o)
{
    struct nl_err err = {0};
    struct cli_session s;
    if (o->read_only && !o->dry_run)
        return NL_ERR(&err, NL_ERR_USAGE, NULL,
                      "--read-only refuses every change; use --dry-run to see the plan."),
               cli_fail(&err);
    cli_apply_guard();
    if (cli_session_open(o, &s, &err) != NL_OK)
        return cli_fail(&err);
    char *journal = nl_endpoint_journal_path(&err);
    struct ops_plan *plan = NULL;
    struct ops_lock *lock = NULL;
    int rc = 0, signo = 0;
    char what[64];
    snprintf(what, sizeof(what), "nestlab %s", o->verb);
    /* Locked before the plan is made, so it starts from what another nestlab left. */
    if (!journal || (!o->dry_run && cli_change_lock(o, &s, what, &lock, &err) != NL_OK) ||
        cli_change_plan(o, s.lab, journal, &plan, &err) != NL_OK) {
        rc = cli_fail(&err);
        goto cleanup;
    }
    struct ops_counts counts;
    ops_plan_counts(plan, &counts);
    if (!o->json || counts.planned == 0 || o->dry_run) {
        if (o->json) {
            cli_print_json(ops_plan_to_json(plan));
        } else {
            char *text = ops_plan_text(plan);
            nl_term_fputs(text, stdout);
            free(text);
        }
    }
    if (o->dry_run || counts.planned == 0) {
        rc = ops_plan_exit_status(plan);
        goto cleanup;
    }
    if (!o->yes) {
        if (!isatty(STDIN_FILENO)) {
            NL_ERR(&err, NL_ERR_USAGE, NULL,
                   "Refusing to change %zu object(s) without confirmation: stdin is not a "
                   "terminal. Add --yes to apply, or --dry-run to only look.",
                   counts.planned);
            rc = cli_fail(&err);
            goto cleanup;
        }
        char question[200];
        snprintf(question, sizeof(question), "Apply %zu change(s) through %s?", counts.planned,
                 nl_endpoint_executor(s.ep)->transport);
        if (!cli_confirm(question)) {
            nl_term_printf(stderr, "nestlab: nothing changed.\n");
            rc = 1;
            goto cleanup;
        }
    }
    if (cli_apply(o, &s, plan, journal, &signo, &err) != NL_OK)
        rc = cli_fail(&err);
    if (o->json) {
        cli_print_json(ops_plan_to_json(plan));
    } else if (signo) {
        cli_apply_interrupted(plan, signo);
    } else {
        char *summary = ops_plan_summary(plan);
        nl_term_printf(stdout, "%s\n", summary);
        free(summary);
        if (plan->journal_id)
            nl_term_printf(stdout, "Journal: %s (undo with: nestlab undo %s)\n", plan->journal_id,
                           plan->journal_id);
    }
    if (signo)
        rc = 128 + signo;
    else if (rc == 0)
        rc = ops_plan_exit_status(plan);
cleanup:
    ops_lock_release(&lock);
    ops_plan_free(&plan);
    free(journal);
    cli_session_close(&s);
    return rc;
}

int cli_run_security(struct cli_opts *o)
{
    return run_change(o);
}

int cli_run_trunk(struct cli_opts *o)
{
    return run_change(o);
}

int cli_run_nested_hv(struct cli_opts *o)
{
    return run_change(o);
}

int cli_run_undo(struct cli_opts *o)
{
    return run_change(o);
}
