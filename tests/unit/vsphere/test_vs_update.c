/* Live-update replies: the initial enter set rebuilds the same lab as the inventory, a modify
 * changes one field through the shared property decoder, an empty reply keeps the version, and a
 * task error names its fault. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vs_fixture.h"

#include "backend/vsphere/vs_exec.h"
#include "backend/vsphere/vs_update.h"
#include "backend/vsphere/vs_xml.h"

static enum nl_code parse(const char *file, size_t chunk, struct vs_tree *tree,
                          struct vs_update **u, char **version, bool *truncated)
{
    size_t len;
    char *body = vs_fixture(file, &len);
    struct nl_err err = {0};
    enum nl_code rc = vs_update_parse(body, len, chunk, tree, u, version, truncated, &err);
    free(body);
    return rc;
}

int main(void)
{
    struct vs_tree *tree = vs_tree_new();
    struct vs_update *u = NULL;
    char *version = NULL;
    bool truncated = true;
    CHECK_INT(parse("updates_initial.xml", 64, tree, &u, &version, &truncated), NL_OK);
    CHECK(u != NULL);
    CHECK_STR(version, "-");
    CHECK(!truncated);
    struct nl_lab *lab = nl_lab_new("vc-lab");
    if (u) {
        size_t enters = 0;
        for (size_t i = 0; i < u->n_objs; i++)
            enters += u->objs[i].kind == VS_UPDATE_ENTER;
        CHECK_INT(enters, u->n_objs);
        vs_update_apply(lab, u);
        vs_update_free(&u);
    }
    nl_lab_link(lab);
    CHECK_INT(lab->n_datacenters, 1);
    CHECK_INT(lab->n_clusters, 3);
    CHECK_INT(lab->n_hosts, 6);
    CHECK_INT(lab->n_vms, 13);
    struct nl_host *n01 = nl_lab_find_host_by_name(lab, "esx-n01.lab.invalid");
    CHECK(n01 && n01->datacenter_id && strcmp(n01->datacenter_id, lab->datacenters[0].id) == 0);
    CHECK(n01 && n01->backing_vm >= 0);
    struct nl_cluster *cb = nl_lab_find_cluster_by_name(lab, "Nested-B");
    CHECK(cb && cb->datacenter_id != NULL);

    /* A power change arrives as modify and goes through the same decoder. */
    const char *hostile = "db01 <x> & \"q\" 'é ü";
    struct nl_vm *vm = nl_lab_find_vm_by_name(lab, hostile);
    CHECK(vm && vm->power == NL_POWER_ON);
    CHECK_INT(parse("updates_modify.xml", 0, tree, &u, &version, &truncated), NL_OK);
    CHECK(u && u->n_objs == 1);
    if (u) {
        CHECK_INT(u->objs[0].kind, VS_UPDATE_MODIFY);
        CHECK_STR(u->objs[0].type, "VirtualMachine");
        vs_update_apply(lab, u);
        vs_update_free(&u);
    }
    nl_lab_link(lab);
    vm = nl_lab_find_vm_by_name(lab, hostile);
    CHECK(vm && vm->power == NL_POWER_OFF);
    CHECK_INT(lab->n_vms, 13);

    /* The wait timed out: nothing to apply, the version stays. */
    free(version);
    version = strdup("7");
    CHECK_INT(parse("updates_empty.xml", 0, tree, &u, &version, &truncated), NL_OK);
    CHECK(u == NULL);
    CHECK_STR(version, "7");
    free(version);

    /* A leave removes the object. */
    struct vs_update leave = {0};
    char type_vm[] = "VirtualMachine";
    char *gone = strdup(vm ? vm->id : "none");
    struct vs_object_update o = {VS_UPDATE_LEAVE, type_vm, gone, NULL, NULL};
    leave.objs = &o;
    leave.n_objs = 1;
    vs_update_apply(lab, &leave);
    nl_lab_link(lab);
    CHECK_INT(lab->n_vms, 12);
    CHECK(nl_lab_find_vm(lab, gone) == NULL);
    free(gone);

    /* A failed task: the fault type comes from info.error. */
    size_t len;
    char *body = vs_fixture("task_error.xml", &len);
    struct vs_reply r;
    struct nl_err err = {0};
    CHECK_INT(vs_reply_parse("RetrievePropertiesEx", "u", 200, body, len, 0, NULL, 0, &r, &err),
              NL_OK);
    xmlNode *obj = vs_xml_child(r.returnval, "objects");
    char *state = vs_xml_text(vs_object_prop(obj, "info.state"));
    CHECK_STR(state, "error");
    char *type = vs_localized_fault_type(vs_object_prop(obj, "info.error"));
    CHECK_STR(type, "InvalidPowerState");
    free(state);
    free(type);
    vs_reply_clear(&r);
    free(body);

    nl_lab_free(&lab);
    vs_tree_free(&tree);
    return nl_check_done();
}
