/* Plans for every intent and skip reason, validation, preview text and JSON. */
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/ops/plan.h"
#include "check.h"
#include "fixture.h"

static struct ops_scope *scope_of(const struct nl_lab *lab, const char *cluster, const char *vm,
                                  bool all)
{
    struct ops_scope_req req;
    struct ops_scope *s = NULL;
    struct nl_err err = {0};
    ops_scope_req_init(&req);
    if (cluster)
        ops_scope_req_add_cluster(&req, cluster);
    if (vm)
        ops_scope_req_add_vm(&req, vm);
    req.all = all;
    if (ops_scope_resolve(lab, &req, &s, &err) != NL_OK)
        fprintf(stderr, "scope: %s\n", err.message);
    ops_scope_req_clear(&req);
    return s;
}

static const struct ops_step *step_for(const struct ops_plan *p, const char *host,
                                       enum ops_step_kind kind, const char *target)
{
    for (size_t i = 0; i < p->n_steps; i++) {
        const struct ops_step *s = &p->steps[i];
        if (s->kind == kind && (!host || (s->host_name && strcmp(s->host_name, host) == 0)) &&
            (!target || strcmp(s->target_name, target) == 0))
            return s;
    }
    return NULL;
}

static void test_security(struct nl_lab *lab)
{
    struct ops_scope *sc = scope_of(lab, NULL, NULL, true);
    struct ops_intent in;
    struct ops_plan *p = NULL;
    struct nl_err err = {0};
    char *before_state = fx_lab_state(lab);
    ops_intent_init(&in, OPS_INTENT_SECURITY);
    in.security.vswitch = "vSwitch0";
    in.security.want.promiscuous = NL_TRI_TRUE;
    in.security.want.forged_transmits = NL_TRI_TRUE;
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_OK);
    CHECK_INT(p->n_steps, 5);
    const struct ops_step *s =
        step_for(p, "esx-p01.lab.invalid", OPS_STEP_SET_VSWITCH_SECURITY, "vSwitch0");
    CHECK(s && s->status == OPS_STEP_PLANNED);
    CHECK(s && s->before.sec.promiscuous == NL_TRI_FALSE &&
          s->after.sec.promiscuous == NL_TRI_TRUE);
    CHECK(s && s->after.sec.mac_changes == NL_TRI_TRUE); /* untouched flag keeps its value */
    CHECK(s && strcmp(s->target_id, "host-1") == 0 && strcmp(s->host_id, "host-1") == 0);
    s = step_for(p, "esx-p02.lab.invalid", OPS_STEP_SET_VSWITCH_SECURITY, NULL);
    CHECK(s && s->status == OPS_STEP_COMPLIANT && strcmp(s->reason, "already compliant") == 0);
    s = step_for(p, "esx-n02.lab.invalid", OPS_STEP_SET_VSWITCH_SECURITY, NULL);
    CHECK(s && s->status == OPS_STEP_BLOCKED &&
          strcmp(s->reason, "host 'esx-n02.lab.invalid' is not responding") == 0);
    /* without clear_pg_overrides the port-group override is left alone */
    CHECK(step_for(p, NULL, OPS_STEP_SET_PORTGROUP, NULL) == NULL);
    /* one group per host that has work */
    CHECK_INT(p->n_groups, 3);

    char *sum = ops_plan_summary(p);
    CHECK_STR(sum, "3 to change, 1 already compliant, 1 cannot be done");
    free(sum);
    char *text = ops_plan_text(p);
    CHECK(strstr(text, "security on vSwitch 'vSwitch0': promiscuous accept, forged transmits "
                       "accept on 'vc-test' (5 steps):\n") == text);
    CHECK(strstr(text, "  change   esx-p01.lab.invalid: vSwitch 'vSwitch0' security: promiscuous "
                       "reject -> accept, forged transmits accept, MAC changes accept\n") != NULL);
    CHECK(strstr(text, "  skip     esx-p02.lab.invalid: vSwitch 'vSwitch0' security: promiscuous "
                       "accept, forged transmits accept, MAC changes accept (already "
                       "compliant)\n") != NULL);
    CHECK(strstr(text, "  blocked  esx-n02.lab.invalid: ") != NULL);
    CHECK(strstr(text, "(host 'esx-n02.lab.invalid' is not responding)\n") != NULL);
    CHECK(strstr(text, "\n3 to change, 1 already compliant, 1 cannot be done\n") != NULL);
    free(text);
    CHECK_INT(ops_plan_exit_status(p), 4); /* something cannot be done */

    json_t *j = ops_plan_to_json(p);
    CHECK_STR(json_string_value(json_object_get(j, "intent_kind")), "security");
    json_t *st = json_array_get(json_object_get(j, "steps"), 0);
    CHECK_STR(json_string_value(json_object_get(st, "kind")), "set_vswitch_security");
    CHECK_STR(json_string_value(json_object_get(json_object_get(st, "before"), "promiscuous")),
              "reject");
    CHECK_STR(json_string_value(json_object_get(json_object_get(st, "after"), "promiscuous")),
              "accept");
    CHECK_INT(json_integer_value(json_object_get(json_object_get(j, "summary"), "to_change")), 3);
    json_decref(j);
    ops_plan_free(&p);

    /* the plan is pure: the lab is untouched */
    char *after_state = fx_lab_state(lab);
    CHECK_STR(after_state, before_state);
    free(after_state);
    free(before_state);

    /* clearing overrides that defeat the change: p03's Trunk has promiscuous=reject */
    in.security.clear_pg_overrides = true;
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_OK);
    s = step_for(p, "esx-p03.lab.invalid", OPS_STEP_SET_PORTGROUP, "Trunk");
    CHECK(s && s->status == OPS_STEP_PLANNED);
    CHECK(s && s->before.sec.promiscuous == NL_TRI_FALSE &&
          s->after.sec.promiscuous == NL_TRI_UNSET && s->after.vlan == 100);
    const struct ops_step *vs =
        step_for(p, "esx-p03.lab.invalid", OPS_STEP_SET_VSWITCH_SECURITY, NULL);
    CHECK(s && vs && s->group == vs->group);
    text = ops_plan_text(p);
    CHECK(strstr(text, "port group 'Trunk' on vSwitch 'vSwitch0': VLAN 100, override promiscuous "
                       "reject -> inherit") != NULL);
    free(text);
    ops_plan_free(&p);

    /* an override that agrees with the change is not touched */
    in.security.want.promiscuous = NL_TRI_FALSE;
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_OK);
    CHECK(step_for(p, NULL, OPS_STEP_SET_PORTGROUP, NULL) == NULL);
    ops_plan_free(&p);

    /* errors */
    ops_intent_init(&in, OPS_INTENT_SECURITY);
    in.security.vswitch = "vSwitch0";
    nl_err_clear(&err);
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_ERR_USAGE);
    CHECK(strstr(err.message, "No security flag") != NULL);
    in.security.want.mac_changes = NL_TRI_TRUE;
    in.security.vswitch = "vswitch0";
    nl_err_clear(&err);
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_ERR_NOT_FOUND);
    CHECK_STR(err.message,
              "No host in the selection has a vSwitch named 'vswitch0'; did you mean 'vSwitch0'?");
    CHECK(p == NULL);
    ops_scope_free(&sc);
}

static void test_vswitch_missing_on_one_host(void)
{
    struct nl_lab *lab = fx_lab_small();
    struct nl_vswitch *vs = nl_host_add_vswitch(nl_lab_find_host(lab, "host-1"), "vSwitch1");
    vs->security.promiscuous = NL_TRI_FALSE;
    nl_lab_link(lab);
    struct ops_scope *sc = scope_of(lab, "Physical", NULL, false);
    struct ops_intent in;
    struct ops_plan *p = NULL;
    struct nl_err err = {0};
    ops_intent_init(&in, OPS_INTENT_SECURITY);
    in.security.vswitch = "vSwitch1";
    in.security.want.promiscuous = NL_TRI_TRUE;
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_OK);
    const struct ops_step *s =
        step_for(p, "esx-p02.lab.invalid", OPS_STEP_SET_VSWITCH_SECURITY, NULL);
    CHECK(s && s->status == OPS_STEP_BLOCKED &&
          strcmp(s->reason, "vSwitch 'vSwitch1' not found on host") == 0);
    s = step_for(p, "esx-p01.lab.invalid", OPS_STEP_SET_VSWITCH_SECURITY, NULL);
    CHECK(s && s->status == OPS_STEP_PLANNED);
    ops_plan_free(&p);
    ops_scope_free(&sc);
    nl_lab_free(&lab);
}

static void test_trunk(struct nl_lab *lab)
{
    struct ops_scope *sc = scope_of(lab, "Physical", NULL, false);
    struct ops_intent in;
    struct ops_plan *p = NULL;
    struct nl_err err = {0};
    ops_intent_init(&in, OPS_INTENT_TRUNK);
    CHECK_INT(in.trunk.vlan, 4095);
    in.trunk.portgroup = "Trunk";
    in.trunk.vswitch = "vSwitch0";
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_OK);
    CHECK_INT(p->n_steps, 3);
    const struct ops_step *s = step_for(p, "esx-p01.lab.invalid", OPS_STEP_ADD_PORTGROUP, "Trunk");
    CHECK(s && s->status == OPS_STEP_PLANNED && !s->before.present && s->after.present &&
          s->after.vlan == 4095);
    s = step_for(p, "esx-p02.lab.invalid", OPS_STEP_SET_PORTGROUP, "Trunk");
    CHECK(s && s->status == OPS_STEP_COMPLIANT);
    s = step_for(p, "esx-p03.lab.invalid", OPS_STEP_SET_PORTGROUP, "Trunk");
    CHECK(s && s->status == OPS_STEP_PLANNED && s->before.vlan == 100 && s->after.vlan == 4095);
    /* keeps the port group's overrides */
    CHECK(s && s->after.sec.promiscuous == NL_TRI_FALSE);
    char *text = ops_plan_text(p);
    CHECK(strstr(text, "change   esx-p01.lab.invalid: add port group 'Trunk' on vSwitch "
                       "'vSwitch0' with VLAN 4095\n") != NULL);
    CHECK(strstr(text, "change   esx-p03.lab.invalid: port group 'Trunk' on vSwitch 'vSwitch0': "
                       "VLAN 100 -> 4095\n") != NULL);
    CHECK(strstr(text, "2 to change, 1 already compliant, 0 cannot be done") != NULL);
    free(text);
    CHECK_INT(ops_plan_exit_status(p), 0);
    ops_plan_free(&p);

    /* VLAN range */
    in.trunk.vlan = 4096;
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_ERR_USAGE);
    CHECK_STR(err.message, "VLAN 4096 is outside the valid range 0-4095 (4095 is a trunk).");
    nl_err_clear(&err);
    in.trunk.vlan = -1;
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_ERR_USAGE);
    in.trunk.vlan = 0; /* untagged is valid */
    nl_err_clear(&err);
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_OK);
    ops_plan_free(&p);

    /* hostile names reach the step byte-exact */
    static const char *hostile[] = {"Trunk \"A\" <x&y>", "$(reboot); `id` 'q'", "Tränk ☃ 4095",
                                    "  spaced  "};
    for (size_t i = 0; i < 4; i++) {
        in.trunk.vlan = 4095;
        in.trunk.portgroup = hostile[i];
        CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_OK);
        s = step_for(p, "esx-p01.lab.invalid", OPS_STEP_ADD_PORTGROUP, NULL);
        CHECK(s && strcmp(s->portgroup, hostile[i]) == 0);
        json_t *j = ops_plan_to_json(p);
        char *dump = json_dumps(j, 0);
        json_t *back = json_loads(dump, 0, NULL);
        CHECK_STR(json_string_value(json_object_get(
                      json_array_get(json_object_get(back, "steps"), 0), "portgroup")),
                  hostile[i]);
        json_decref(back);
        free(dump);
        json_decref(j);
        ops_plan_free(&p);
    }
    /* names that cannot be sent */
    in.trunk.portgroup = "";
    nl_err_clear(&err);
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_ERR_USAGE);
    in.trunk.portgroup = "bad\xc3(";
    nl_err_clear(&err);
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_ERR_USAGE);
    CHECK(strstr(err.message, "not valid UTF-8") != NULL);
    /* a trunk needs hosts: a VM-only scope is refused */
    struct ops_scope *vm_only = scope_of(lab, NULL, "web01", false);
    in.trunk.portgroup = "Trunk";
    nl_err_clear(&err);
    CHECK_INT(ops_plan_new(lab, vm_only, &in, &p, &err), NL_ERR_USAGE);
    CHECK(strstr(err.message, "The selection has no hosts") != NULL);
    ops_scope_free(&vm_only);
    ops_scope_free(&sc);
}

static void test_trunk_elsewhere(void)
{
    struct nl_lab *lab = fx_lab_small();
    struct nl_host *h = nl_lab_find_host(lab, "host-1");
    nl_host_add_vswitch(h, "vSwitch1");
    struct nl_portgroup *pg = nl_host_add_portgroup(h, "Trunk", "vSwitch1");
    pg->vlan = 4095;
    nl_lab_link(lab);
    struct ops_scope *sc = scope_of(lab, "Physical", NULL, false);
    struct ops_intent in;
    struct ops_plan *p = NULL;
    struct nl_err err = {0};
    ops_intent_init(&in, OPS_INTENT_TRUNK);
    in.trunk.portgroup = "Trunk";
    in.trunk.vswitch = "vSwitch0";
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_OK);
    const struct ops_step *s = step_for(p, "esx-p01.lab.invalid", OPS_STEP_SET_PORTGROUP, NULL);
    CHECK(s && s->status == OPS_STEP_BLOCKED &&
          strcmp(s->reason, "port group 'Trunk' is on vSwitch 'vSwitch1', not 'vSwitch0'") == 0);
    ops_plan_free(&p);
    ops_scope_free(&sc);
    nl_lab_free(&lab);
}

static void test_nested_hv(struct nl_lab *lab)
{
    struct ops_scope *sc = scope_of(lab, "Physical", NULL, false);
    struct ops_intent in;
    struct ops_plan *p = NULL;
    struct nl_err err = {0};
    ops_intent_init(&in, OPS_INTENT_NESTED_HV);
    in.nested_hv.on = true;
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_OK);
    CHECK_INT(p->n_steps, 4);
    const struct ops_step *s = step_for(p, NULL, OPS_STEP_SET_NESTED_HV, "n-esx01");
    CHECK(s && s->status == OPS_STEP_PLANNED && s->before.nested_hv == NL_TRI_FALSE &&
          s->after.nested_hv == NL_TRI_TRUE && strcmp(s->host_name, "esx-p01.lab.invalid") == 0);
    CHECK(s && strcmp(s->vm_id, "vm-1") == 0 && strcmp(s->target_id, "vm-1") == 0);
    s = step_for(p, NULL, OPS_STEP_SET_NESTED_HV, "n-esx02");
    CHECK(s && s->status == OPS_STEP_BLOCKED &&
          strcmp(s->reason, "powered on — use --power-cycle") == 0);
    s = step_for(p, NULL, OPS_STEP_SET_NESTED_HV, "n-esx03");
    CHECK(s && s->status == OPS_STEP_BLOCKED && strcmp(s->reason, "vmx-08 < vmx-09") == 0);
    s = step_for(p, NULL, OPS_STEP_SET_NESTED_HV, "kvm01");
    CHECK(s && s->status == OPS_STEP_COMPLIANT);
    char *text = ops_plan_text(p);
    CHECK(strstr(text, "change   esx-p01.lab.invalid: VM 'n-esx01': nested HV off -> on\n") !=
          NULL);
    CHECK(strstr(text, "blocked  esx-p02.lab.invalid: VM 'n-esx03': nested HV off -> on "
                       "(vmx-08 < vmx-09)\n") != NULL);
    free(text);
    ops_plan_free(&p);

    /* power cycle: off, set, on, in that order, chained */
    in.nested_hv.power_cycle = true;
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_OK);
    ssize_t off = -1, set = -1, on = -1;
    for (size_t i = 0; i < p->n_steps; i++) {
        const struct ops_step *t = &p->steps[i];
        if (strcmp(t->target_name, "n-esx02") != 0)
            continue;
        if (t->kind == OPS_STEP_POWER_OFF)
            off = (ssize_t)i;
        if (t->kind == OPS_STEP_SET_NESTED_HV)
            set = (ssize_t)i;
        if (t->kind == OPS_STEP_POWER_ON)
            on = (ssize_t)i;
    }
    CHECK(off >= 0 && set == off + 1 && on == set + 1);
    if (off >= 0 && set > 0 && on > 0) {
        CHECK(p->steps[off].chain > 0 && p->steps[set].chain == p->steps[off].chain &&
              p->steps[on].chain == p->steps[off].chain);
        CHECK_INT(p->steps[set].depends, off);
        CHECK_INT(p->steps[on].depends, off);
        CHECK(p->steps[off].status == OPS_STEP_PLANNED && p->steps[on].status == OPS_STEP_PLANNED);
        CHECK_INT(p->steps[on].group, p->steps[off].group);
    }
    /* vmx-08 is still refused even with a power cycle: nothing is powered off for nothing */
    s = step_for(p, NULL, OPS_STEP_POWER_OFF, "n-esx03");
    CHECK(s == NULL);
    ops_plan_free(&p);

    /* the nested host that is not responding blocks the VMs on it */
    struct nl_lab *l2 = fx_lab_small();
    struct nl_vm *v = nl_lab_add_vm(l2, "vm-9");
    xstrset(&v->name, "inner-kvm");
    xstrset(&v->host_id, "host-12");
    v->power = NL_POWER_OFF;
    v->nested_hv = NL_TRI_FALSE;
    nl_lab_link(l2);
    struct ops_scope *s2 = scope_of(l2, NULL, "inner-kvm", false);
    CHECK_INT(ops_plan_new(l2, s2, &in, &p, &err), NL_OK);
    CHECK(p->n_steps == 1 && p->steps[0].status == OPS_STEP_BLOCKED &&
          strcmp(p->steps[0].reason, "host 'esx-n02.lab.invalid' is not responding") == 0);
    ops_plan_free(&p);
    ops_scope_free(&s2);
    nl_lab_free(&l2);

    /* off: kvm01 is on and powered on -> blocked; the others are compliant */
    ops_intent_init(&in, OPS_INTENT_NESTED_HV);
    in.nested_hv.on = false;
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_OK);
    s = step_for(p, NULL, OPS_STEP_SET_NESTED_HV, "kvm01");
    CHECK(s && s->status == OPS_STEP_BLOCKED);
    s = step_for(p, NULL, OPS_STEP_SET_NESTED_HV, "n-esx03"); /* vmx-08 only matters for on */
    CHECK(s && s->status == OPS_STEP_COMPLIANT);
    ops_plan_free(&p);

    /* no VMs in scope */
    struct ops_scope *none = scope_of(lab, "Nested-A", NULL, false);
    ops_scope_free(&none);
    ops_scope_free(&sc);
}

static void test_power(struct nl_lab *lab)
{
    struct ops_scope *sc = scope_of(lab, "Physical", NULL, false);
    struct ops_intent in;
    struct ops_plan *p = NULL;
    struct nl_err err = {0};
    ops_intent_init(&in, OPS_INTENT_POWER);
    in.power.on = true;
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_OK);
    const struct ops_step *s = step_for(p, NULL, OPS_STEP_POWER_ON, "n-esx01");
    CHECK(s && s->status == OPS_STEP_PLANNED && s->before.power == NL_POWER_OFF);
    s = step_for(p, NULL, OPS_STEP_POWER_ON, "kvm01");
    CHECK(s && s->status == OPS_STEP_COMPLIANT);
    ops_plan_free(&p);
    ops_scope_free(&sc);
}

static void test_value_json(void)
{
    struct ops_value v, back;
    struct nl_err err = {0};
    ops_value_init(&v);
    v.present = true;
    v.vlan = 4095;
    v.sec.promiscuous = NL_TRI_TRUE;
    json_t *j = ops_value_to_json(OPS_STEP_SET_PORTGROUP, &v);
    CHECK_INT(ops_value_from_json(OPS_STEP_SET_PORTGROUP, j, &back, &err), NL_OK);
    CHECK(back.present && back.vlan == 4095 && back.sec.promiscuous == NL_TRI_TRUE &&
          back.sec.mac_changes == NL_TRI_UNSET);
    json_decref(j);
    j = json_pack("{s:s}", "nested_hv", "maybe");
    CHECK_INT(ops_value_from_json(OPS_STEP_SET_NESTED_HV, j, &back, &err), NL_ERR_PARSE);
    json_decref(j);
}

int main(void)
{
    struct nl_lab *lab = fx_lab_small();
    test_security(lab);
    test_vswitch_missing_on_one_host();
    test_trunk(lab);
    test_trunk_elsewhere();
    test_nested_hv(lab);
    test_power(lab);
    test_value_json();
    nl_lab_free(&lab);
    return nl_check_done();
}
