#include <stdlib.h>
#include <string.h>

#include "backend/esxi/esx_vimcmd.h"
#include "check.h"
#include "fixture.h"

static void test_getallvms(void)
{
    size_t len;
    char *data = fixture_read("getallvms.txt", &len);
    struct esx_vm_list *l = NULL;
    struct nl_err err = {0};
    CHECK_INT(esx_getallvms_parse(data, &l, &err), NL_OK);
    CHECK(l && l->n == 4);
    if (l && l->n == 4) {
        CHECK_INT(l->items[0].vmid, 1);
        CHECK_STR(l->items[0].name, "vcsa");
        CHECK_STR(l->items[0].file, "[datastore1] vcsa/vcsa.vmx");
        CHECK_STR(l->items[0].guest, "vmwarePhoton64Guest");
        CHECK_STR(l->items[0].version, "vmx-10");
        CHECK_STR(l->items[0].annotation, "vCenter Server Appliance");
        CHECK_INT(l->items[2].vmid, 12);
        CHECK_STR(l->items[2].name, "my vm [test] x.vmx y");
        CHECK_STR(l->items[2].file,
                  "[datastore 1 (2)] my vm [test] x.vmx y/my vm [test] x.vmx y.vmx");
        CHECK_STR(l->items[2].guest, "otherGuest64");
        CHECK_STR(l->items[2].version, "vmx-19");
        CHECK_STR(l->items[2].annotation, "first line\nsecond line of the note");
        CHECK_STR(l->items[3].name, "Grüße “VM”");
        CHECK_STR(l->items[3].file, "[ds2] g/Grüße.vmx");
        CHECK_STR(l->items[3].annotation, "");
    }
    esx_vm_list_free(&l);
    free(data);

    data = fixture_read("getallvms_empty.txt", &len);
    CHECK_INT(esx_getallvms_parse(data, &l, &err), NL_OK);
    CHECK(l && l->n == 0);
    esx_vm_list_free(&l);
    free(data);

    data = fixture_read("vim_fault.txt", &len);
    CHECK_INT(esx_getallvms_parse(data, &l, &err), NL_ERR_FAULT);
    CHECK_STR(err.detail, "NotFound");
    free(data);

    nl_err_clear(&err);
    CHECK_INT(esx_getallvms_parse("", &l, &err), NL_ERR_PARSE);
    nl_err_clear(&err);
    CHECK_INT(esx_getallvms_parse("sh: vim-cmd: not found\n", &l, &err), NL_ERR_PARSE);
    CHECK(l == NULL);
}

static void test_power(void)
{
    enum nl_power p;
    struct nl_err err = {0};
    CHECK_INT(esx_power_parse("Retrieved runtime info\nPowered off\n", &p, &err), NL_OK);
    CHECK_INT(p, NL_POWER_OFF);
    CHECK_INT(esx_power_parse("Retrieved runtime info\r\nPowered on\r\n", &p, &err), NL_OK);
    CHECK_INT(p, NL_POWER_ON);
    CHECK_INT(esx_power_parse("Retrieved runtime info\nSuspended", &p, &err), NL_OK);
    CHECK_INT(p, NL_POWER_SUSPENDED);
    CHECK_INT(esx_power_parse("Retrieved runtime info\nPowered onward\n", &p, &err), NL_ERR_PARSE);
    nl_err_clear(&err);
    size_t len;
    char *data = fixture_read("vim_fault.txt", &len);
    CHECK_INT(esx_power_parse(data, &p, &err), NL_ERR_FAULT);
    CHECK_STR(err.detail, "NotFound");
    CHECK(strstr(err.message, "Unable to find a VM") != NULL);
    free(data);
}

static void test_fault_and_paths(void)
{
    char name[64], msg[128];
    CHECK(esx_vim_fault("Powering on VM:\n(vim.fault.InvalidPowerState) {\n msg = \"bad\"\n}\n",
                        name, sizeof(name), msg, sizeof(msg)));
    CHECK_STR(name, "InvalidPowerState");
    CHECK_STR(msg, "bad");
    CHECK(esx_vim_fault("(vmodl.fault.SystemError) {", name, sizeof(name), NULL, 0));
    CHECK_STR(name, "SystemError");
    CHECK(!esx_vim_fault("(vim.fault.) {", name, sizeof(name), NULL, 0));
    CHECK(!esx_vim_fault("all fine", name, sizeof(name), NULL, 0));

    char *p = esx_datastore_path("[datastore 1] dir x/my vm.vmx");
    CHECK_STR(p, "/vmfs/volumes/datastore 1/dir x/my vm.vmx");
    free(p);
    CHECK(esx_datastore_path("[ds] ../../etc/passwd") == NULL);
    CHECK(esx_datastore_path("[ds] a/../../x.vmx") == NULL);
    CHECK(esx_datastore_path("[..] x.vmx") == NULL);
    CHECK(esx_datastore_path("[a/b] x.vmx") == NULL);
    CHECK(esx_datastore_path("[ds] /abs.vmx") == NULL);
    CHECK(esx_datastore_path("ds x.vmx") == NULL);
    CHECK(esx_datastore_path("[] x.vmx") == NULL);
    CHECK_INT(esx_hw_version_parse("vmx-19"), 19);
    CHECK_INT(esx_hw_version_parse("vmx-"), 0);
    CHECK_INT(esx_hw_version_parse("vmx-1x"), 0);
    CHECK_INT(esx_hw_version_parse(NULL), 0);
}

int main(void)
{
    test_getallvms();
    test_power();
    test_fault_and_paths();
    return nl_check_done();
}
