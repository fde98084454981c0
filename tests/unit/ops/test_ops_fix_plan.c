/* check --fix on the default lab fixture: one merged plan with exactly the automatic fixes,
 * network first, nothing for what needs a person. */
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/model/lab_json.h"
#include "backend/ops/fix_plan.h"
#include "check.h"

static struct nl_lab *load_default_lab(void)
{
    struct nl_err err = {0};
    const char *dir = getenv("NL_FIXTURES");
    char *path = xasprintf("%s/model/default-lab.json", dir ? dir : "tests/fixtures");
    struct nl_lab *lab = nl_lab_load_cache(path, &err);
    free(path);
    return lab;
}

static size_t count_kind(const struct ops_plan *p, enum ops_step_kind k, enum ops_step_status st)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_steps; i++)
        n += p->steps[i].kind == k && p->steps[i].status == st;
    return n;
}

int main(void)
{
    struct nl_lab *lab = load_default_lab();
    CHECK(lab != NULL);
    if (!lab)
        return nl_check_done();
    struct ops_check_options opt;
    ops_check_options_init(&opt);
    struct ops_report *rep = ops_check_run(lab, &opt);

    struct ops_plan *plan = NULL;
    char **notes = NULL;
    size_t n_notes = 0;
    struct nl_err err = {0};
    CHECK_INT(ops_fix_plan_new(lab, rep, false, &plan, &notes, &n_notes, &err), NL_OK);
    CHECK(plan != NULL);
    CHECK_INT(n_notes, 0);
    if (plan) {
        struct ops_counts c;
        ops_plan_counts(plan, &c);
        CHECK_INT(c.planned, 5);
        CHECK_INT(count_kind(plan, OPS_STEP_SET_VSWITCH_SECURITY, OPS_STEP_PLANNED), 2);
        CHECK_INT(count_kind(plan, OPS_STEP_ADD_PORTGROUP, OPS_STEP_PLANNED), 2);
        CHECK_INT(count_kind(plan, OPS_STEP_SET_NESTED_HV, OPS_STEP_PLANNED), 1);
        /* Network before nested HV; the nested-HV step is kvm04's, never n-esx04's (vmx-08). */
        CHECK(plan->steps[0].kind == OPS_STEP_SET_VSWITCH_SECURITY);
        CHECK(plan->steps[plan->n_steps - 1].kind == OPS_STEP_SET_NESTED_HV);
        CHECK_STR(plan->steps[plan->n_steps - 1].vm_name, "kvm04");
        /* One group per host across the merged intents: both network steps of a host share it. */
        int g01 = -1, bad = 0;
        for (size_t i = 0; i < plan->n_steps; i++)
            if (plan->steps[i].host_name &&
                strcmp(plan->steps[i].host_name, "esx-p01.lab.invalid") == 0 &&
                plan->steps[i].kind != OPS_STEP_SET_NESTED_HV) {
                if (g01 < 0)
                    g01 = plan->steps[i].group;
                bad += plan->steps[i].group != g01;
            }
        CHECK_INT(bad, 0);
        CHECK(strstr(plan->intent_text, "; ") != NULL);
    }
    ops_plan_free(&plan);

    /* After the network and kvm04 are fixed there is nothing automatic left: no plan. */
    ops_report_free(&rep);
    for (size_t h = 0; h < lab->n_hosts; h++) {
        struct nl_host *host = &lab->hosts[h];
        for (size_t v = 0; v < host->n_vswitches; v++) {
            host->vswitches[v].security.promiscuous = NL_TRI_TRUE;
            host->vswitches[v].security.forged_transmits = NL_TRI_TRUE;
            host->vswitches[v].security.mac_changes = NL_TRI_TRUE;
        }
        struct nl_portgroup *pg = nl_host_add_portgroup(host, "Nested-Trunk", "vSwitch0");
        pg->vlan = 4095;
        nl_security_init(&pg->override);
    }
    nl_lab_find_vm_by_name(lab, "kvm04")->nested_hv = NL_TRI_TRUE;
    nl_lab_link(lab);
    rep = ops_check_run(lab, &opt);
    CHECK_INT(ops_fix_plan_new(lab, rep, false, &plan, &notes, &n_notes, &err), NL_OK);
    CHECK(plan == NULL);
    ops_report_free(&rep);
    nl_lab_free(&lab);
    return nl_check_done();
}
