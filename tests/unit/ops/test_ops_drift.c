/* The drift matrix: majority, ties, expected values, effective trunk policy, output. */
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/ops/apply.h"
#include "backend/ops/drift.h"
#include "check.h"
#include "fixture.h"

static struct ops_scope *cluster(const struct nl_lab *lab, const char *name)
{
    struct ops_scope_req req;
    struct ops_scope *s = NULL;
    struct nl_err err = {0};
    ops_scope_req_init(&req);
    ops_scope_req_add_cluster(&req, name);
    ops_scope_resolve(lab, &req, &s, &err);
    ops_scope_req_clear(&req);
    return s;
}

static const char *cell(const struct ops_drift *d, size_t r, size_t c, bool *bad)
{
    const struct ops_drift_cell *x = ops_drift_cell(d, r, c);
    *bad = x->inconsistent;
    return x->value;
}

static void test_small(void)
{
    struct nl_lab *lab = fx_lab_small();
    struct ops_scope *sc = cluster(lab, "Physical");
    struct ops_drift *d = NULL;
    struct nl_err err = {0};
    bool bad;
    CHECK_INT(ops_drift_new(lab, sc, NULL, &d, &err), NL_OK);
    CHECK_INT(d->n_hosts, 3);
    CHECK_STR(d->vswitch, "vSwitch0");
    CHECK_STR(d->trunk_pg, "Trunk"); /* the VLAN-4095 port group found on p02 */
    /* promiscuous: p01 reject, p02 accept, p03 reject -> majority reject */
    CHECK_STR(d->expected[OPS_DRIFT_PROMISCUOUS], "reject");
    CHECK_STR(cell(d, 0, OPS_DRIFT_PROMISCUOUS, &bad), "reject");
    CHECK(!bad);
    CHECK_STR(cell(d, 1, OPS_DRIFT_PROMISCUOUS, &bad), "accept");
    CHECK(bad);
    CHECK_STR(cell(d, 0, OPS_DRIFT_FORGED, &bad), "accept");
    CHECK(!bad);
    /* trunk: absent / VLAN 4095 / VLAN 100 -> three-way tie, all inconsistent */
    CHECK(d->expected[OPS_DRIFT_TRUNK] == NULL);
    CHECK_STR(cell(d, 0, OPS_DRIFT_TRUNK, &bad), "absent");
    CHECK(bad);
    CHECK_STR(cell(d, 2, OPS_DRIFT_TRUNK, &bad), "VLAN 100");
    CHECK(bad);
    /* effective trunk policy: p02 inherits accept, p03 overrides reject; p01 has none */
    CHECK_STR(cell(d, 0, OPS_DRIFT_TRUNK_PROMISCUOUS, &bad), "-");
    CHECK(!bad);
    CHECK_STR(cell(d, 1, OPS_DRIFT_TRUNK_PROMISCUOUS, &bad), "accept");
    CHECK(bad); /* 1:1 tie */
    CHECK_STR(cell(d, 2, OPS_DRIFT_TRUNK_PROMISCUOUS, &bad), "reject");
    CHECK(bad);
    CHECK_STR(cell(d, 2, OPS_DRIFT_TRUNK_MAC, &bad), "accept");
    CHECK(!bad);
    CHECK_INT(d->n_inconsistent, 6);

    char *text = ops_drift_text(d);
    CHECK(strstr(text, "Drift on 'vc-test': vSwitch 'vSwitch0', trunk port group 'Trunk'\n") ==
          text);
    CHECK(strstr(text, "host                 promiscuous  forged transmits  MAC changes  trunk") !=
          NULL);
    CHECK(strstr(text, "esx-p02.lab.invalid  accept*      accept            accept       VLAN "
                       "4095*") != NULL);
    CHECK(strstr(text, "6 inconsistent cells (marked *") != NULL);
    free(text);
    json_t *j = ops_drift_to_json(d);
    CHECK_INT(json_integer_value(json_object_get(j, "inconsistent")), 6);
    json_t *h1 = json_array_get(json_object_get(j, "hosts"), 1);
    CHECK_STR(json_string_value(json_object_get(h1, "name")), "esx-p02.lab.invalid");
    json_t *c0 = json_array_get(json_object_get(h1, "cells"), 0);
    CHECK_STR(json_string_value(json_object_get(c0, "value")), "accept");
    CHECK(json_is_true(json_object_get(c0, "inconsistent")));
    CHECK(json_is_null(json_object_get(
        json_array_get(json_object_get(j, "columns"), OPS_DRIFT_TRUNK), "expected")));
    json_decref(j);
    ops_drift_free(&d);

    /* an expected policy overrides the majority */
    struct nl_security want = {NL_TRI_TRUE, NL_TRI_TRUE, NL_TRI_TRUE};
    struct ops_drift_opts o = {.expected = &want, .expect_trunk = true};
    CHECK_INT(ops_drift_new(lab, sc, &o, &d, &err), NL_OK);
    CHECK_STR(d->expected[OPS_DRIFT_PROMISCUOUS], "accept");
    CHECK_STR(cell(d, 1, OPS_DRIFT_PROMISCUOUS, &bad), "accept");
    CHECK(!bad);
    CHECK_STR(cell(d, 0, OPS_DRIFT_PROMISCUOUS, &bad), "reject");
    CHECK(bad);
    CHECK_STR(cell(d, 1, OPS_DRIFT_TRUNK, &bad), "VLAN 4095");
    CHECK(!bad);
    ops_drift_free(&d);

    /* a vSwitch the host does not have */
    o = (struct ops_drift_opts){.vswitch = "vSwitch9", .trunk_pg = "Nope"};
    CHECK_INT(ops_drift_new(lab, sc, &o, &d, &err), NL_OK);
    CHECK_STR(cell(d, 0, OPS_DRIFT_PROMISCUOUS, &bad), "no vSwitch");
    CHECK(!bad); /* all hosts agree */
    CHECK_STR(cell(d, 0, OPS_DRIFT_TRUNK, &bad), "absent");
    CHECK_INT(d->n_inconsistent, 0);
    text = ops_drift_text(d);
    CHECK(strstr(text, "No inconsistent cell.\n") != NULL);
    free(text);
    ops_drift_free(&d);

    /* whole lab with scope NULL */
    CHECK_INT(ops_drift_new(lab, NULL, NULL, &d, &err), NL_OK);
    CHECK_INT(d->n_hosts, 5);
    ops_drift_free(&d);
    ops_scope_free(&sc);
    nl_lab_free(&lab);
}

/* After security + trunk on every host, drift shows no inconsistent cell. */
static void test_after_apply(void)
{
    struct nl_lab *lab = fx_lab_small();
    struct ops_scope *sc = cluster(lab, "Physical");
    struct fake_exec f;
    struct nl_err err = {0};
    struct ops_intent in;
    struct ops_plan *p = NULL;
    fake_init(&f, lab);
    ops_intent_init(&in, OPS_INTENT_SECURITY);
    in.security.vswitch = "vSwitch0";
    in.security.want = (struct nl_security){NL_TRI_TRUE, NL_TRI_TRUE, NL_TRI_TRUE};
    in.security.clear_pg_overrides = true;
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_OK);
    CHECK_INT(ops_apply(p, &f.ex, NULL, &err), NL_OK);
    ops_plan_free(&p);
    ops_intent_init(&in, OPS_INTENT_TRUNK);
    in.trunk.vswitch = "vSwitch0";
    in.trunk.portgroup = "Trunk";
    CHECK_INT(ops_plan_new(f.lab, sc, &in, &p, &err), NL_OK);
    CHECK_INT(ops_apply(p, &f.ex, NULL, &err), NL_OK);
    struct ops_drift *d = NULL;
    CHECK_INT(ops_drift_new(ops_plan_verified_lab(p), sc, NULL, &d, &err), NL_OK);
    CHECK_INT(d->n_inconsistent, 0);
    if (d->n_inconsistent) {
        char *t = ops_drift_text(d);
        fprintf(stderr, "%s", t);
        free(t);
    }
    ops_drift_free(&d);
    ops_plan_free(&p);
    fake_free(&f);
    ops_scope_free(&sc);
    nl_lab_free(&lab);
}

static void test_hostile_and_empty(void)
{
    struct nl_lab *lab = fx_lab_many(2);
    xstrset(&lab->hosts[0].name, "esx\x1b]0;pwned\x07.lab");
    nl_lab_link(lab);
    struct ops_drift *d = NULL;
    struct nl_err err = {0};
    CHECK_INT(ops_drift_new(lab, NULL, NULL, &d, &err), NL_OK);
    char *text = ops_drift_text(d);
    CHECK(strchr(text, 0x1b) == NULL && strchr(text, 0x07) == NULL);
    CHECK(strstr(text, "esx\\x1B]0;pwned\\x07.lab") != NULL);
    free(text);
    ops_drift_free(&d);

    struct ops_scope empty = {0};
    CHECK_INT(ops_drift_new(lab, &empty, NULL, &d, &err), NL_ERR_USAGE);
    CHECK(d == NULL);
    nl_lab_free(&lab);
}

int main(void)
{
    test_small();
    test_after_apply();
    test_hostile_and_empty();
    return nl_check_done();
}
