/* Reconciliation: change sets from the journal compared with a lab read later (vCenter back after
 * an SSH-only spell): what still holds, what differs and says how, what was undone is left out. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/ops/apply.h"
#include "backend/ops/journal.h"
#include "backend/ops/reconcile.h"
#include "backend/ops/scope.h"
#include "check.h"
#include "fixture.h"

static void apply_security(struct fake_exec *f, const struct nl_lab *lab, const char *journal,
                           const char *transport)
{
    struct ops_scope_req req;
    ops_scope_req_init(&req);
    ops_scope_req_add_cluster(&req, "Physical");
    struct ops_scope *scope = NULL;
    struct nl_err err = {0};
    CHECK_INT(ops_scope_resolve(lab, &req, &scope, &err), NL_OK);
    struct ops_intent in;
    ops_intent_init(&in, OPS_INTENT_SECURITY);
    in.security.vswitch = "vSwitch0";
    in.security.want.promiscuous = NL_TRI_TRUE;
    struct ops_plan *plan = NULL;
    CHECK_INT(ops_plan_new(lab, scope, &in, &plan, &err), NL_OK);
    f->ex.transport = transport;
    struct ops_apply_opts ao;
    ops_apply_opts_init(&ao);
    ao.journal_path = journal;
    CHECK_INT(ops_apply(plan, &f->ex, &ao, &err), NL_OK);
    ops_plan_free(&plan);
    ops_scope_free(&scope);
    ops_scope_req_clear(&req);
}

int main(void)
{
    char journal[] = "/tmp/nl-reconcile-XXXXXX";
    int fd = mkstemp(journal);
    CHECK(fd >= 0);
    close(fd);
    unlink(journal);

    struct nl_lab *lab = fx_lab_small();
    struct fake_exec f;
    fake_init(&f, lab);
    apply_security(&f, lab, journal, "ssh"); /* p01 and p03 change; p02 already accepts */

    struct ops_journal *j = NULL;
    struct nl_err err = {0};
    CHECK_INT(ops_journal_read(journal, &j, &err), NL_OK);

    /* The "server" lab holds the change: everything as applied. */
    struct ops_reconcile *r = ops_reconcile_new(j, f.lab, NULL, "ssh", 0);
    CHECK_INT(r->n, 1);
    CHECK_INT(r->entries[0].applied, 2);
    CHECK_INT(r->entries[0].as_applied, 2);
    char *text = ops_reconcile_text(r, "vCenter");
    CHECK(strstr(text, "vCenter shows all 2 change(s) as applied.") != NULL);
    free(text);
    ops_reconcile_free(&r);

    /* Somebody set p03 back meanwhile: one difference, named, in words. */
    struct nl_lab *now = nl_lab_clone(f.lab);
    nl_host_find_vswitch(nl_lab_find_host_by_name(now, "esx-p03.lab.invalid"), "vSwitch0")
        ->security.promiscuous = NL_TRI_FALSE;
    r = ops_reconcile_new(j, now, NULL, NULL, 0);
    CHECK_INT(r->entries[0].as_applied, 1);
    CHECK_INT(r->entries[0].n_differences, 1);
    CHECK(strstr(r->entries[0].differences[0], "esx-p03.lab.invalid") != NULL);
    CHECK(strstr(r->entries[0].differences[0], "promiscuous is reject, expected accept") != NULL);
    json_t *js = ops_reconcile_to_json(r);
    CHECK_INT(json_integer_value(
                  json_object_get(json_array_get(json_object_get(js, "entries"), 0), "as_applied")),
              1);
    json_decref(js);
    ops_reconcile_free(&r);

    /* Filters: another transport or endpoint, or a time after the change, select nothing. */
    r = ops_reconcile_new(j, now, NULL, "vcenter", 0);
    CHECK_INT(r->n, 0);
    ops_reconcile_free(&r);
    r = ops_reconcile_new(j, now, "other-endpoint", NULL, 0);
    CHECK_INT(r->n, 0);
    ops_reconcile_free(&r);
    r = ops_reconcile_new(j, now, NULL, NULL, time(NULL) + 3600);
    CHECK_INT(r->n, 0);
    ops_reconcile_free(&r);

    /* Undone change sets are not expected to hold any more. */
    struct ops_plan *undo = NULL;
    CHECK_INT(ops_undo_plan_new(f.lab, &j->entries[0], &undo, &err), NL_OK);
    struct ops_apply_opts ao;
    ops_apply_opts_init(&ao);
    ao.journal_path = journal;
    CHECK_INT(ops_apply(undo, &f.ex, &ao, &err), NL_OK);
    ops_plan_free(&undo);
    ops_journal_free(&j);
    CHECK_INT(ops_journal_read(journal, &j, &err), NL_OK);
    r = ops_reconcile_new(j, f.lab, NULL, NULL, 0);
    CHECK_INT(r->n, 1); /* only the undo itself */
    CHECK(r->n == 1 && r->entries[0].entry->undo_of != NULL);
    ops_reconcile_free(&r);

    ops_journal_free(&j);
    nl_lab_free(&now);
    fake_free(&f);
    nl_lab_free(&lab);
    unlink(journal);
    return nl_check_done();
}
