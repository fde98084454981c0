/* The .vmx file: `key = "value"` lines. Keys compare case-insensitively (VMware treats them so);
 * values are decoded from the file's |XX hex escapes ("|22" is a double quote). Also builds the
 * command that switches nested HV by editing the file. Pure: no I/O. */
#ifndef NL_ESXI_VMX_H
#define NL_ESXI_VMX_H

#include <stdbool.h>
#include <stddef.h>

#include "backend/core/err.h"
#include "backend/model/lab.h"

struct esx_vmx {
    char **keys; /* in file order; each key once (the first spelling) */
    char **values;
    size_t n;
    size_t *sorted; /* private: entry indexes by key, for esx_vmx_get */
};

/* Blank lines and # comments are skipped; a line without "=", a NUL byte or an unterminated
 * quote → NL_ERR_PARSE naming the line. Later duplicates win. *out is owned by the caller. */
enum nl_code esx_vmx_parse(const char *data, size_t len, struct esx_vmx **out, struct nl_err *err);
void esx_vmx_free(struct esx_vmx **vmx);

const char *esx_vmx_get(const struct esx_vmx *vmx, const char *key);
/* "TRUE"/"true"/"1"/"yes" etc. → NL_TRI_*; UNSET when absent or not a boolean. */
enum nl_tri esx_vmx_bool(const struct esx_vmx *vmx, const char *key);
/* virtualHW.version → 10; 0 when absent or malformed. */
int esx_vmx_hw_version(const struct esx_vmx *vmx);

/* A BIOS UUID in any of the spellings hosts use ("56 4d 12 ... 34-56 ...", "0x56 0x4d ...",
 * "564d1234-...") → vCenter's config.uuid form "564d1234-5678-9abc-def0-123456789abc" (owned).
 * NULL unless it holds exactly 32 hex digits. */
char *esx_uuid_normalize(const char *s);

/* The POSIX basic regular expression that matches exactly the lines esx_vmx_parse reads as
 * setting `key`: blanks (isspace) before and after the key, the key in any ASCII case, then "=".
 * The parser and every edit of the file share this one rule, so an edit removes every line the
 * parser would read. key: letters, digits and "._:-" only (else NL_ERR_USAGE, NULL). Owned. */
char *esx_vmx_key_bre(const char *key, struct nl_err *err);

/* The command line that sets vhv.enable in the .vmx at path: deletes every line that sets
 * vhv.enable (esx_vmx_key_bre) and appends `vhv.enable = "TRUE"` (or "FALSE"), with sed -i
 * (BusyBox). Owned by the caller. */
char *esx_vmx_nested_hv_cmd(const char *vmx_path, bool on, struct nl_err *err);

#endif
