/* nestlab check [--fix]: the readiness report, and every fixable finding turned into plans for
 * the change engine, previewed together, confirmed once, applied, verified and journaled; then
 * the checks run again on the lab as it now is. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/core/buf.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/apply.h"
#include "backend/ops/check.h"
#include "backend/ops/plan.h"
#include "backend/ops/scope.h"
#include "tui/cli_verbs.h"

/* One intent and the scope it covers, collected from fixes that want the same thing. */
struct fix_group {
    struct ops_intent in;
    struct ops_scope_req req;
};

struct fix_groups {
    struct fix_group *v;
    size_t n;
};

static bool same_security(const struct nl_security *a, const struct nl_security *b)
{
    return a->promiscuous == b->promiscuous && a->forged_transmits == b->forged_transmits &&
           a->mac_changes == b->mac_changes;
}

/* The group an equivalent fix already opened, or a new one. Strings in intents are borrowed
 * from the fixes, which outlive the groups. */
static struct fix_group *group_for(struct fix_groups *g, const struct ops_fix *f, bool power_cycle)
{
    for (size_t i = 0; i < g->n; i++) {
        struct ops_intent *in = &g->v[i].in;
        switch (f->kind) {
        case OPS_FIX_NESTED_HV_ON:
            if (in->kind == OPS_INTENT_NESTED_HV)
                return &g->v[i];
            break;
        case OPS_FIX_POWER_ON:
            if (in->kind == OPS_INTENT_POWER)
                return &g->v[i];
            break;
        case OPS_FIX_TRUNK_PORTGROUP:
            if (in->kind == OPS_INTENT_TRUNK && strcmp(in->trunk.vswitch, f->vswitch) == 0 &&
                strcmp(in->trunk.portgroup, f->portgroup) == 0 && in->trunk.vlan == f->vlan)
                return &g->v[i];
            break;
        case OPS_FIX_VSWITCH_SECURITY:
            if (in->kind == OPS_INTENT_SECURITY && strcmp(in->security.vswitch, f->vswitch) == 0 &&
                same_security(&in->security.want, &f->want) &&
                in->security.clear_pg_overrides == f->clear_pg_overrides)
                return &g->v[i];
            break;
        default:
            return NULL;
        }
    }
    g->v = xrealloc(g->v, (g->n + 1) * sizeof(*g->v));
    struct fix_group *ng = &g->v[g->n++];
    ops_scope_req_init(&ng->req);
    switch (f->kind) {
    case OPS_FIX_NESTED_HV_ON:
        ops_intent_init(&ng->in, OPS_INTENT_NESTED_HV);
        ng->in.nested_hv.on = true;
        ng->in.nested_hv.power_cycle = power_cycle;
        break;
    case OPS_FIX_POWER_ON:
        ops_intent_init(&ng->in, OPS_INTENT_POWER);
        ng->in.power.on = true;
        break;
    case OPS_FIX_TRUNK_PORTGROUP:
        ops_intent_init(&ng->in, OPS_INTENT_TRUNK);
        ng->in.trunk.vswitch = f->vswitch;
        ng->in.trunk.portgroup = f->portgroup;
        ng->in.trunk.vlan = f->vlan;
        break;
    default:
        ops_intent_init(&ng->in, OPS_INTENT_SECURITY);
        ng->in.security.vswitch = f->vswitch;
        ng->in.security.want = f->want;
        ng->in.security.clear_pg_overrides = f->clear_pg_overrides;
        break;
    }
    return ng;
}

/* Network fixes first (the nested hosts' uplinks), then nested HV, then power-ons that need it. */
static int group_rank(const struct fix_group *g)
{
    switch (g->in.kind) {
    case OPS_INTENT_SECURITY:
        return 0;
    case OPS_INTENT_TRUNK:
        return 1;
    case OPS_INTENT_NESTED_HV:
        return 2;
    default:
        return 3;
    }
}

static int by_rank(const void *a, const void *b)
{
    return group_rank(a) - group_rank(b);
}

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
        fwrite(out.data, 1, out.len, stdout);
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

/* Plans every group on lab; returns how many steps would change something. */
static size_t plan_groups(const struct nl_lab *lab, struct fix_groups *g, struct ops_plan **plans,
                          struct nl_err *err)
{
    size_t planned = 0;
    for (size_t i = 0; i < g->n; i++) {
        struct ops_scope *scope = NULL;
        struct nl_err gerr = {0};
        if (ops_scope_resolve(lab, &g->v[i].req, &scope, &gerr) == NL_OK &&
            ops_plan_new(lab, scope, &g->v[i].in, &plans[i], &gerr) == NL_OK) {
            struct ops_counts c;
            ops_plan_counts(plans[i], &c);
            planned += c.planned;
        } else {
            fprintf(stderr, "nestlab: a fix could not be planned: %s\n", gerr.message);
            if (!nl_err_is_set(err))
                *err = gerr;
        }
        ops_scope_free(&scope);
    }
    return planned;
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
    struct ops_fix *fixes = NULL;
    size_t n_fixes = ops_report_fixes(rep, &fixes);
    struct fix_groups g = {0};
    for (size_t i = 0; i < n_fixes; i++) {
        const struct ops_fix *f = &fixes[i];
        if (!ops_fix_is_automatic(f->kind))
            continue;
        struct fix_group *grp = group_for(&g, f, o->power_cycle);
        if (!grp)
            continue;
        if (f->vm_name)
            ops_scope_req_add_vm(&grp->req, f->vm_name);
        else if (f->host_name)
            ops_scope_req_add_host(&grp->req, f->host_name);
    }
    if (g.n > 1)
        qsort(g.v, g.n, sizeof(*g.v), by_rank);
    struct ops_plan **plans = xcalloc(g.n ? g.n : 1, sizeof(*plans));
    size_t planned = plan_groups(s->lab, &g, plans, &err);
    int rc = ops_report_exit_status(rep);
    struct ops_report *after = NULL;
    json_t *doc = o->json ? json_pack("{s:o}", "before", ops_report_to_json(rep)) : NULL;
    if (!doc) {
        print_report(rep, false);
        printf("\nFix plan (%zu change(s)):\n", planned);
        for (size_t i = 0; i < g.n; i++) {
            if (!plans[i])
                continue;
            char *text = ops_plan_text(plans[i]);
            fputs(text, stdout);
            free(text);
        }
    }
    if (planned == 0 || o->dry_run)
        goto report;
    if (!o->yes && (!isatty(STDIN_FILENO) || !cli_confirm("Apply the fix plan?"))) {
        NL_ERR(&err, NL_ERR_USAGE, NULL,
               "Nothing changed: the fix plan needs confirmation on a terminal, or --yes.");
        rc = cli_fail(&err);
        goto cleanup;
    }
    char *journal = nl_endpoint_journal_path(&err);
    for (size_t i = 0; i < g.n; i++) {
        if (!plans[i])
            continue;
        struct ops_apply_opts ao;
        ops_apply_opts_init(&ao);
        ao.journal_path = journal;
        struct nl_err aerr = {0};
        if (ops_apply(plans[i], nl_endpoint_executor(s->ep), &ao, &aerr) != NL_OK)
            fprintf(stderr, "nestlab: %s\n", aerr.message);
        if (!doc) {
            char *summary = ops_plan_summary(plans[i]);
            printf("%s: %s\n", plans[i]->intent_text, summary);
            free(summary);
        }
    }
    free(journal);
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
        printf("\nAfter the fix:\n");
        print_report(after, false);
    }
report:;
    size_t errors, automatic;
    count_remaining(after ? after : rep, &errors, &automatic);
    if (doc) {
        json_t *pj = json_array();
        for (size_t i = 0; i < g.n; i++)
            if (plans[i])
                json_array_append_new(pj, ops_plan_to_json(plans[i]));
        json_object_set_new(doc, "plans", pj);
        json_object_set_new(doc, "after", after ? ops_report_to_json(after) : json_null());
        json_object_set_new(doc, "remaining",
                            json_pack("{s:I, s:I, s:I}", "errors", (json_int_t)errors, "fixable",
                                      (json_int_t)automatic, "need_a_person",
                                      (json_int_t)(errors - automatic)));
        cli_print_json(doc);
        doc = NULL;
    } else if (errors == 0) {
        printf("\nNo error remains.\n");
    } else if (automatic == 0) {
        printf("\n%zu error(s) remain, and each needs a person: its \"fix:\" line says what to "
               "do.\n",
               errors);
    } else {
        printf("\n%zu error(s) remain; %zu of them nestlab can fix%s, the other %zu need a "
               "person.\n",
               errors, automatic, after ? " on another run" : " (run without --dry-run)",
               errors - automatic);
    }
cleanup:
    json_decref(doc);
    ops_report_free(&after);
    for (size_t i = 0; i < g.n; i++) {
        ops_plan_free(&plans[i]);
        ops_scope_req_clear(&g.v[i].req);
    }
    free(plans);
    free(g.v);
    ops_fixes_free(&fixes, n_fixes);
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
    if (cli_session_open(o, &s, &err) != NL_OK)
        return cli_fail(&err);
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
    cli_session_close(&s);
    return rc;
}
