/* vim-cmd output, parsed defensively: vmsvc/getallvms (names and paths hold spaces, so rows are
 * anchored on the "[datastore] dir/name.vmx" token and the "vmx-NN" version after it),
 * vmsvc/power.getstate, and "(vim.fault.X) {...}" faults. Pure: no I/O. */
#ifndef NL_ESXI_VIMCMD_H
#define NL_ESXI_VIMCMD_H

#include <stdbool.h>
#include <stddef.h>

#include "backend/core/err.h"
#include "backend/model/lab.h"

struct esx_vm_row {
    int vmid;
    char *name;       /* as printed; the .vmx displayName is authoritative when readable */
    char *file;       /* "[datastore1] dir/name.vmx", or "[] /abs/name.vmx" (vCLS) */
    char *guest;      /* "vmkernel65Guest", may be "" */
    char *version;    /* "vmx-10", may be "" */
    char *annotation; /* may be "", continuation lines joined with "\n" */
};

struct esx_vm_list {
    struct esx_vm_row *items;
    size_t n;
};

/* Parses getallvms output. A fault before the header → esx_vim_fault_code (detail = fault name);
 * no header and no row → NL_ERR_PARSE. A header without rows is an empty list. *out is owned by the
 * caller. */
enum nl_code esx_getallvms_parse(const char *out, struct esx_vm_list **list, struct nl_err *err);
void esx_vm_list_free(struct esx_vm_list **list);

/* "[ds] dir/x.vmx" → "/vmfs/volumes/ds/dir/x.vmx" (owned); "[] /abs/x.vmx" (no datastore, as
 * ESXi 8/9 list vCLS VMs) → "/abs/x.vmx". NULL when the token is malformed, holds a ".."
 * component, or names a datastore with an absolute path. */
char *esx_datastore_path(const char *file);

/* Parses power.getstate output ("Retrieved runtime info\nPowered off"). A fault →
 * esx_vim_fault_code (detail = fault name), anything else unknown → NL_ERR_PARSE. */
enum nl_code esx_power_parse(const char *out, enum nl_power *power, struct nl_err *err);

/* Finds a fault line, "(vim.fault.X) {" or "(vmodl.fault.X) {" at a line's start or after an
 * "<Operation> failed: " prefix ("Power on failed: (vim.fault.GenericVmConfigFault) {"); copies X
 * to name (and the msg = "..." text after it, if any, to msg). False when the output holds none. */
bool esx_vim_fault(const char *out, char *name, size_t name_size, char *msg, size_t msg_size);
/* The nl_code for a vim fault name: NL_ERR_STATE for InvalidPowerState (the VM is in the wrong
 * power state), NL_ERR_FAULT for the rest. */
enum nl_code esx_vim_fault_code(const char *name);

/* "vmx-10" → 10; 0 when malformed. */
int esx_hw_version_parse(const char *s);

#endif
