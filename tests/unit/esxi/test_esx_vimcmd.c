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

/* Faults as ESXi 9 prints them for a failed task: after the "Power on failed: " prefix, with a
 * nested faultMessage whose own "message = " lines must not be taken for msg. */
static const char real_power_on_fault[] =
    "Powering on VM:\n"
    "Power on failed: (vim.fault.GenericVmConfigFault) {\n"
    "   faultCause = (vmodl.MethodFault) null, \n"
    "   faultMessage = (vmodl.LocalizableMessage) [\n"
    "      (vmodl.LocalizableMessage) {\n"
    "         key = \"msg.hvuser.NoSVM\", \n"
    "         arg = <unset>, \n"
    "         message = \"This host does not support AMD-V.\"\n"
    "      }, \n"
    "      (vmodl.LocalizableMessage) {\n"
    "         key = \"msg.moduletable.powerOnFailed\", \n"
    "         message = \"Module 'MonitorMode' power on failed.\n"
    "\"\n"
    "      }\n"
    "   ], \n"
    "   reason = \"This host does not support AMD-V.\"\n"
    "   msg = \"This host does not support AMD-V.\"\n"
    "}\n";
static const char real_reset_fault[] =
    "Reset VM:\n"
    "Reset failed: (vim.fault.InvalidPowerState) {\n"
    "   faultCause = (vmodl.MethodFault) null, \n"
    "   faultMessage = <unset>, \n"
    "   requestedState = \"poweredOn\", \n"
    "   existingState = \"poweredOff\"\n"
    "   msg = \"The attempted operation cannot be performed in the current state (Powered "
    "off).\"\n"
    "}\n";

static void test_prefixed_faults(void)
{
    char name[64] = "", msg[128] = "";
    CHECK(esx_vim_fault(real_power_on_fault, name, sizeof(name), msg, sizeof(msg)));
    CHECK_STR(name, "GenericVmConfigFault");
    CHECK_STR(msg, "This host does not support AMD-V.");
    CHECK(esx_vim_fault(real_reset_fault, name, sizeof(name), msg, sizeof(msg)));
    CHECK_STR(name, "InvalidPowerState");
    CHECK_STR(msg,
              "The attempted operation cannot be performed in the current state (Powered off).");

    /* A wrong power state is a state error wherever the fault is printed. */
    enum nl_power p;
    struct nl_err err = {0};
    CHECK_INT(esx_power_parse(real_reset_fault, &p, &err), NL_ERR_STATE);
    CHECK_STR(err.detail, "InvalidPowerState");
    nl_err_clear(&err);
    CHECK_INT(esx_power_parse("(vim.fault.InvalidPowerState) {\n   msg = \"x\"\n}\n", &p, &err),
              NL_ERR_STATE);
    nl_err_clear(&err);
    CHECK_INT(esx_power_parse(real_power_on_fault, &p, &err), NL_ERR_FAULT);
    CHECK_STR(err.detail, "GenericVmConfigFault");

    /* Only the documented shapes: text that merely holds a fault name is not a fault. */
    CHECK(!esx_vim_fault("note (vim.fault.NotFound) {\n", name, sizeof(name), NULL, 0));
    CHECK(!esx_vim_fault("failed: (vim.fault.NotFound) {\n", name, sizeof(name), NULL, 0));
    CHECK(!esx_vim_fault("Power on failed: (vim.fault.) {\n", name, sizeof(name), NULL, 0));
    CHECK(!esx_vim_fault("Power on failed: (vim.faultX) {\n", name, sizeof(name), NULL, 0));

    /* After the header, fault-looking text is a VM's name or annotation, not a fault. */
    struct esx_vm_list *l = NULL;
    nl_err_clear(&err);
    CHECK_INT(esx_getallvms_parse("Vmid   Name   File   Guest OS   Version   Annotation\n"
                                  "7   Op failed: (vim.fault.NotFound) {   [ds] a/a.vmx   "
                                  "otherGuest   vmx-19   x\n"
                                  "(vim.fault.NotFound) {\n",
                                  &l, &err),
              NL_OK);
    CHECK(l && l->n == 1);
    if (l && l->n == 1) {
        CHECK_STR(l->items[0].name, "Op failed: (vim.fault.NotFound) {");
        CHECK_STR(l->items[0].annotation, "x\n(vim.fault.NotFound) {");
    }
    esx_vm_list_free(&l);
    nl_err_clear(&err);
    CHECK_INT(esx_getallvms_parse("Listing failed: (vmodl.fault.SystemError) {\n}\n", &l, &err),
              NL_ERR_FAULT);
    CHECK_STR(err.detail, "SystemError");
}

/* ESXi 8/9 list vCLS VMs with an empty datastore and an absolute path (the row as an ESXi 9.0
 * host printed it, header centred, row padded with trailing spaces). */
static void test_vcls_row(void)
{
    static const char out[] =
        "Vmid                     Name                                                            "
        "              File                                                          Guest OS    "
        " Version   Annotation\n"
        "1698   vCLS-6b723342-8292-1962-f970-0422f48bc6ea   [] "
        "/var/run/crx/infra/vCLS-6b723342-8292-1962-f970-0422f48bc6ea/"
        "vCLS-6b723342-8292-1962-f970-0422f48bc6ea.vmx   crxSys1Guest   vmx-21              \n";
    struct esx_vm_list *l = NULL;
    struct nl_err err = {0};
    CHECK_INT(esx_getallvms_parse(out, &l, &err), NL_OK);
    CHECK(l && l->n == 1);
    if (l && l->n == 1) {
        CHECK_INT(l->items[0].vmid, 1698);
        CHECK_STR(l->items[0].name, "vCLS-6b723342-8292-1962-f970-0422f48bc6ea");
        CHECK_STR(l->items[0].guest, "crxSys1Guest");
        CHECK_STR(l->items[0].version, "vmx-21");
        CHECK_STR(l->items[0].annotation, "");
        char *p = esx_datastore_path(l->items[0].file);
        CHECK_STR(p, "/var/run/crx/infra/vCLS-6b723342-8292-1962-f970-0422f48bc6ea/"
                     "vCLS-6b723342-8292-1962-f970-0422f48bc6ea.vmx");
        free(p);
    }
    esx_vm_list_free(&l);
    /* The absolute form is only for the empty datastore, and may not climb out with "..". */
    char *p = esx_datastore_path("[] /vmfs/volumes/ds 1/a b/x.vmx");
    CHECK_STR(p, "/vmfs/volumes/ds 1/a b/x.vmx");
    free(p);
    CHECK(esx_datastore_path("[] /var/run/../../etc/shadow") == NULL);
    CHECK(esx_datastore_path("[] /var/run/crx/..") == NULL);
    CHECK(esx_datastore_path("[] relative/x.vmx") == NULL);
    CHECK(esx_datastore_path("[] /") == NULL);
    CHECK(esx_datastore_path("[]") == NULL);
    CHECK(esx_datastore_path("[] ") == NULL);
}

int main(void)
{
    test_getallvms();
    test_power();
    test_fault_and_paths();
    test_prefixed_faults();
    test_vcls_row();
    return nl_check_done();
}
