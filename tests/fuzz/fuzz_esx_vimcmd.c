/* vim-cmd output: vmsvc/getallvms (and the datastore paths and versions read from its rows),
 * vmsvc/power.getstate, and the faults either can print. */
#include "fuzz.h"

#include "backend/esxi/esx_vimcmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out = fuzz_cstr(data, size);
    struct esx_vm_list *list = NULL;
    struct nl_err err = {0};
    if (esx_getallvms_parse(out, &list, &err) == NL_OK) {
        for (size_t i = 0; i < list->n; i++) {
            free(esx_datastore_path(list->items[i].file));
            esx_hw_version_parse(list->items[i].version);
        }
        esx_vm_list_free(&list);
    }
    enum nl_power power;
    struct nl_err perr = {0};
    esx_power_parse(out, &power, &perr);
    char name[64], msg[256];
    esx_vim_fault(out, name, sizeof(name), msg, sizeof(msg));
    esx_vim_fault(out, name, sizeof(name), NULL, 0);
    free(out);
    return 0;
}
