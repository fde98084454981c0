/* A .vmx file, and every lookup esx_read.c makes on it. */
#include <stdio.h>

#include "fuzz.h"

#include "backend/esxi/esx_vmx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct esx_vmx *vmx = NULL;
    struct nl_err err = {0};
    if (esx_vmx_parse((const char *)data, size, &vmx, &err) != NL_OK)
        return 0;
    static const char *const keys[] = {"displayName", "guestOS",   "numvcpus",
                                       "memsize",     "uuid.bios", "vhv.enable"};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        esx_vmx_get(vmx, keys[k]);
        esx_vmx_bool(vmx, keys[k]);
    }
    free(esx_uuid_normalize(esx_vmx_get(vmx, "uuid.bios")));
    esx_vmx_hw_version(vmx);
    for (int n = 0; n < 10; n++) {
        char key[64];
        snprintf(key, sizeof(key), "ethernet%d.present", n);
        esx_vmx_bool(vmx, key);
        snprintf(key, sizeof(key), "ethernet%d.networkName", n);
        esx_vmx_get(vmx, key);
    }
    for (size_t i = 0; i < vmx->n; i++)
        esx_vmx_get(vmx, vmx->keys[i]);
    esx_vmx_free(&vmx);
    return 0;
}
