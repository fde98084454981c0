/* The readiness check on the default lab (tests/fixtures/model/default-lab.json, the lab of
 * shared/reference/default-lab.md) lists exactly its problems and nothing else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/buf.h"
#include "backend/core/xmalloc.h"
#include "backend/model/lab_json.h"
#include "backend/ops/check.h"
#include "check.h"

static struct nl_lab *load_default_lab(void)
{
    const char *dir = getenv("NL_FIXTURES");
    char *path = xasprintf("%s/model/default-lab.json", dir ? dir : "tests/fixtures");
    struct nl_err err = {0};
    struct nl_lab *lab = nl_lab_load_cache(path, &err);
    if (!lab)
        fprintf(stderr, "%s\n", err.message);
    free(path);
    return lab;
}

int main(void)
{
    struct nl_lab *lab = load_default_lab();
    CHECK(lab != NULL);
    if (!lab)
        return nl_check_done();
    struct ops_report *rep = ops_check_run(lab, NULL);

    /* severity, rule, subject: in report order. */
    static const char *const want[][3] = {
        {"error", "host.trunk-portgroup", "esx-p01.lab.invalid"},
        {"error", "host.security", "esx-p01.lab.invalid"},
        {"error", "host.trunk-portgroup", "esx-p02.lab.invalid"},
        {"error", "host.security", "esx-p02.lab.invalid"},
        {"error", "layout.nested-host-down", "esx-n04.lab.invalid"},
        {"error", "vm.nested-hv", "n-esx04"},
        {"error", "vm.hw-version", "n-esx04"},
        {"error", "vm.nested-hv", "kvm04"},
        {"warning", "vm.tools", "n-esx03"},
        {"warning", "vm.tools", "n-esx04"},
    };
    size_t n_want = sizeof(want) / sizeof(want[0]);
    for (size_t i = 0; i < rep->n_findings; i++) {
        const struct ops_finding *f = &rep->findings[i];
        printf("%s %s %s: %s\n", ops_severity_name(f->severity), f->rule,
               f->n_objects ? f->objects[0].name : "-", f->message);
    }
    CHECK_INT(rep->n_findings, n_want);
    for (size_t i = 0; i < n_want && i < rep->n_findings; i++) {
        const struct ops_finding *f = &rep->findings[i];
        CHECK_STR(ops_severity_name(f->severity), want[i][0]);
        CHECK_STR(f->rule, want[i][1]);
        CHECK(f->n_objects > 0);
        if (f->n_objects)
            CHECK_STR(f->objects[0].name, want[i][2]);
    }
    CHECK_INT(rep->n_errors, 8);
    CHECK_INT(rep->n_warnings, 2);
    CHECK_INT(ops_report_exit_status(rep), 1);

    /* The security findings name promiscuous mode only (forged and MAC changes are accepted). */
    CHECK(strstr(rep->findings[1].message, "rejects promiscuous mode.") != NULL);
    /* The down host is explained by its backing VM. */
    CHECK(strstr(rep->findings[4].message, "\"n-esx04\"") != NULL);
    CHECK(strstr(rep->findings[4].message, "powered off") != NULL);
    CHECK(strstr(rep->findings[4].message, "does not expose hardware virtualization") != NULL);
    /* kvm04 is explained as a hypervisor by its peers. */
    CHECK(strstr(rep->findings[7].message, "kvm01") != NULL);

    /* Fix intents: trunk + security on both hosts, nested HV on kvm04 (off: no power cycle).
     * n-esx04 needs a human (vmx-08), so it has no automatic fix. */
    struct ops_fix *fixes = NULL;
    size_t n = ops_report_fixes(rep, &fixes);
    CHECK_INT(n, 5);
    if (n == 5) {
        CHECK_STR(ops_fix_kind_name(fixes[0].kind), "trunk_portgroup");
        CHECK_STR(fixes[0].host_name, "esx-p01.lab.invalid");
        CHECK_STR(fixes[0].portgroup, "Nested-Trunk");
        CHECK_STR(fixes[0].vswitch, "vSwitch0");
        CHECK_INT(fixes[0].vlan, 4095);
        CHECK_STR(ops_fix_kind_name(fixes[1].kind), "trunk_portgroup");
        CHECK_STR(fixes[1].host_id, "host-22");
        CHECK_STR(ops_fix_kind_name(fixes[2].kind), "vswitch_security");
        CHECK_INT(fixes[2].want.promiscuous, NL_TRI_TRUE);
        CHECK_INT(fixes[2].want.forged_transmits, NL_TRI_TRUE);
        CHECK_INT(fixes[2].want.mac_changes, NL_TRI_TRUE);
        CHECK_STR(ops_fix_kind_name(fixes[3].kind), "vswitch_security");
        CHECK_STR(ops_fix_kind_name(fixes[4].kind), "nested_hv_on");
        CHECK_STR(fixes[4].vm_name, "kvm04");
        CHECK(!fixes[4].power_cycle);
    }
    ops_fixes_free(&fixes, n);

    struct nl_buf buf;
    struct nl_err err = {0};
    nl_buf_init(&buf, 0);
    CHECK_INT(ops_report_to_text(rep, &buf, &err), NL_OK);
    printf("%s", buf.data);
    CHECK(strstr(buf.data, "Readiness: 8 errors, 2 warnings, 0 notes") != NULL);
    CHECK(strstr(buf.data, "\nErrors\n  host esx-p01.lab.invalid\n    [host.trunk-portgroup]") !=
          NULL);
    nl_buf_free(&buf);

    json_t *js = ops_report_to_json(rep);
    CHECK_INT(json_integer_value(json_object_get(js, "errors")), 8);
    CHECK_INT(json_array_size(json_object_get(js, "findings")), 10);
    json_decref(js);
    ops_report_free(&rep);
    CHECK(rep == NULL);
    nl_lab_free(&lab);
    return nl_check_done();
}
