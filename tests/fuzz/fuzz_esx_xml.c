/* esxcli --formatter=xml output, and every lookup its consumers (esx_read.c) make on the records.
 */
#include "fuzz.h"

#include "backend/esxi/esx_vmx.h"
#include "backend/esxi/esx_xml.h"

static const char *const fields[] = {
    "Name",
    "ConfiguredPorts",
    "NumPorts",
    "MTU",
    "Uplinks",
    "VirtualSwitch",
    "VLANID",
    "ActiveClients",
    "AllowPromiscuous",
    "AllowForgedTransmits",
    "AllowMACAddressChange",
    "OverrideVswitchAllowPromiscuous",
    "CPUPackages",
    "CPUCores",
    "CPUThreads",
    "HVSupport",
    "Version",
    "Build",
    "UUID",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct esx_records *r = NULL;
    struct nl_err err = {0};
    if (esx_xml_parse((const char *)data, size, &r, &err) != NL_OK)
        return 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct esx_record *rec = &r->items[i];
        for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
            long long v;
            const struct esx_field *f = esx_record_field(rec, fields[k]);
            for (size_t e = 0; f && f->type == ESX_V_LIST && e < f->n_list; e++)
                (void)strlen(f->list[e]);
            esx_record_int(rec, fields[k], &v);
            esx_record_bool(rec, fields[k]);
            free(esx_uuid_normalize(esx_record_str(rec, fields[k])));
        }
        for (size_t k = 0; k < rec->n_fields; k++)
            esx_bool_word(rec->fields[k].text);
    }
    esx_records_free(&r);
    return 0;
}
