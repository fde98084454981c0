/* The verbs that only read: drift, journal, check (and check --fix, which plans through the same
 * engine as the change verbs). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/core/buf.h"
#include "backend/core/term_text.h"
#include "backend/ops/apply.h"
#include "backend/ops/check.h"
#include "backend/ops/drift.h"
#include "backend/ops/journal.h"
#include "backend/ops/plan.h"
#include "backend/ops/reconcile.h"
#include "tui/cli_verbs.h"

/* One matrix for the given scope; without a scope, one per cluster (and one for the hosts in no
 * cluster), because a standard vSwitch setting is only expected to agree within a cluster:
 * physical and nested hosts legitimately differ. */
static enum nl_code drift_one(const struct cli_opts *o, const struct nl_lab *lab,
                              const struct ops_scope *scope, json_t *all, struct nl_err *err)
{
    struct ops_drift_opts dopts = {.vswitch = o->vswitch, .trunk_pg = o->portgroup};
    struct ops_drift *d = NULL;
    if (ops_drift_new(lab, scope, &dopts, &d, err) != NL_OK)
        return err->code;
    if (all) {
        json_array_append_new(all, ops_drift_to_json(d));
    } else {
        char *text = ops_drift_text(d);
        nl_term_fputs(text, stdout);
        free(text);
    }
    ops_drift_free(&d);
    return NL_OK;
}

static enum nl_code drift_per_cluster(const struct cli_opts *o, const struct nl_lab *lab,
                                      json_t *all, struct nl_err *err)
{
    size_t n_shown = 0;
    for (size_t c = 0; c <= lab->n_clusters; c++) {
        struct ops_scope_req req;
        ops_scope_req_init(&req);
        if (c < lab->n_clusters) {
            ops_scope_req_add_cluster(&req, lab->clusters[c].name);
        } else {
            for (size_t h = 0; h < lab->n_hosts; h++)
                if (lab->hosts[h].cluster < 0)
                    ops_scope_req_add_host(&req, lab->hosts[h].name);
        }
        struct ops_scope *scope = NULL;
        struct nl_err serr = {0};
        enum nl_code rc = NL_OK;
        if (!ops_scope_req_is_empty(&req) && ops_scope_resolve(lab, &req, &scope, &serr) == NL_OK &&
            scope->n_hosts > 0) {
            if (!all && n_shown++)
                putchar('\n');
            if (!all && c < lab->n_clusters) {
                char *name = nl_term_name(lab->clusters[c].name);
                nl_term_printf(stdout, "Cluster %s:\n", name);
                free(name);
            }
            rc = drift_one(o, lab, scope, all, err);
        }
        ops_scope_free(&scope);
        ops_scope_req_clear(&req);
        if (rc != NL_OK)
            return rc;
    }
    if (n_shown == 0 && !all)
        nl_term_printf(stdout, "No hosts.\n");
    return NL_OK;
}

int cli_run_drift(struct cli_opts *o)
{
    struct nl_err err = {0};
    struct cli_session s;
    if (o->args.n)
        return NL_ERR(&err, NL_ERR_USAGE, NULL, "drift takes no arguments (got \"%s\").",
                      o->args.v[0]),
               cli_fail(&err);
    if (cli_session_open(o, &s, &err) != NL_OK)
        return cli_fail(&err);
    int rc = 0;
    struct ops_scope_req req;
    struct ops_scope *scope = NULL;
    json_t *all = o->json ? json_array() : NULL;
    cli_scope_req(o, NULL, &req);
    enum nl_code code;
    if (ops_scope_req_is_empty(&req))
        code = drift_per_cluster(o, s.lab, all, &err);
    else if ((code = ops_scope_resolve(s.lab, &req, &scope, &err)) == NL_OK)
        code = drift_one(o, s.lab, scope, all, &err);
    if (code != NL_OK)
        rc = cli_fail(&err);
    else if (all)
        cli_print_json(json_pack("{s:O}", "matrices", all));
    json_decref(all);
    ops_scope_free(&scope);
    ops_scope_req_clear(&req);
    cli_session_close(&s);
    return rc;
}

/* journal --reconcile: with vCenter, the change sets made over SSH (which vCenter did not see
 * being made); in direct mode, every change set of this endpoint. */
/* Records, for every unknown step the live lab settles, whether it was applied. */
static void record_settlements(const struct ops_reconcile *r, const char *path)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct ops_reconcile_entry *re = &r->entries[i];
        for (size_t k = 0; k < re->n_settled; k++) {
            const struct ops_settlement *st = &re->settled[k];
            if (st->where != OPS_WHERE_AFTER && st->where != OPS_WHERE_BEFORE)
                continue;
            struct ops_step s = {0};
            s.result = st->where == OPS_WHERE_AFTER ? OPS_RESULT_OK : OPS_RESULT_NOT_RUN;
            if (st->where == OPS_WHERE_BEFORE)
                NL_ERR(&s.error, NL_ERR_STATE, "settled",
                       "Not applied: journal --reconcile found the target as before.");
            struct nl_err err = {0};
            if (ops_journal_settle(path, re->entry->id, st->index, &s,
                                   "settled from the live lab by journal --reconcile",
                                   &err) != NL_OK)
                fprintf(stderr, "nestlab: warning: %s\n", err.message);
        }
    }
}

static int reconcile_journal(struct cli_opts *o, const struct ops_journal *j, const char *path)
{
    struct nl_err err = {0};
    struct cli_session s;
    if (cli_session_open(o, &s, &err) != NL_OK)
        return cli_fail(&err);
    bool vcenter = nl_endpoint_mode(s.ep) == NL_MODE_VCENTER;
    struct ops_reconcile *r =
        ops_reconcile_new(j, s.lab, nl_endpoint_name(s.ep), vcenter ? "ssh" : NULL, 0);
    record_settlements(r, path);
    if (o->json) {
        cli_print_json(ops_reconcile_to_json(r));
    } else if (r->n == 0) {
        nl_term_printf(stdout, "Nothing to reconcile: no change set %s.\n",
                       vcenter ? "was made over SSH" : "changed anything");
    } else {
        char *text = ops_reconcile_text(r, vcenter ? "vCenter" : "the hosts (SSH)");
        nl_term_fputs(text, stdout);
        free(text);
    }
    ops_reconcile_free(&r);
    cli_session_close(&s);
    return 0;
}

int cli_run_journal(struct cli_opts *o)
{
    struct nl_err err = {0};
    if (o->args.n)
        return NL_ERR(&err, NL_ERR_USAGE, NULL, "journal takes no arguments (got \"%s\").",
                      o->args.v[0]),
               cli_fail(&err);
    char *path = nl_endpoint_journal_path(&err);
    struct ops_journal *j = NULL;
    if (!path || ops_journal_read(path, &j, &err) != NL_OK) {
        free(path);
        return cli_fail(&err);
    }
    int rc = 0;
    if (o->reconcile) {
        for (size_t i = 0; i < j->n_warnings; i++) /* the listings below carry them themselves */
            cli_note("warning: ", j->warnings[i]);
        rc = reconcile_journal(o, j, path);
    } else if (o->json) {
        cli_print_json(ops_journal_to_json(j));
    } else if (j->n_entries == 0) {
        nl_term_printf(stdout, "The journal is empty: nestlab has changed nothing yet (%s).\n",
                       path);
    } else {
        char *text = ops_journal_text(j, true);
        nl_term_fputs(text, stdout);
        free(text);
    }
    ops_journal_free(&j);
    free(path);
    return rc;
}
