#include "backend/esxi/esx_vimcmd.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

/* Rune offset of byte offset off in s (UTF-8 continuation bytes do not count). */
static size_t rune_offset(const char *s, size_t off)
{
    size_t r = 0;
    for (size_t i = 0; i < off; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            r++;
    }
    return r;
}

static char *trimmed(const char *s, size_t len)
{
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    while (len > 0 && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    return xstrndup(s, len);
}

/* The fault name when [s, e) is "(vim.fault.X)" or "(vmodl.fault.X)" at its start; else NULL. */
static const char *fault_token(const char *s, const char *e, size_t *name_len)
{
    static const char *const prefixes[] = {"(vim.fault.", "(vmodl.fault."};
    for (size_t p = 0; p < 2; p++) {
        size_t pl = strlen(prefixes[p]);
        if ((size_t)(e - s) <= pl || strncmp(s, prefixes[p], pl) != 0)
            continue;
        const char *n = s + pl, *ne = n;
        while (ne < e && (isalnum((unsigned char)*ne) || *ne == '_'))
            ne++;
        if (ne == n || ne == e || *ne != ')')
            continue;
        *name_len = (size_t)(ne - n);
        return n;
    }
    return NULL;
}

/* Where the fault token of one line starts: at the line's start ("(vim.fault.NotFound) {"), or
 * after the "<Operation> failed: " prefix hostd's vim-cmd prints for a failed task ("Power on
 * failed: (vim.fault.GenericVmConfigFault) {"). Nothing else, so a VM name or annotation that
 * merely contains such text is not taken for a fault. */
static const char *fault_on_line(const char *line, const char *e, size_t *name_len)
{
    while (line < e && is_ws(*line))
        line++;
    const char *n = fault_token(line, e, name_len);
    if (n)
        return n;
    static const char sep[] = " failed: ";
    for (const char *f = line; (f = memmem(f, (size_t)(e - f), sep, sizeof(sep) - 1)); f++) {
        if (f == line)
            continue;
        n = fault_token(f + sizeof(sep) - 1, e, name_len);
        if (n)
            return n;
    }
    return NULL;
}

/* esx_vim_fault over the first len bytes of out. */
static bool vim_fault_n(const char *out, size_t len, char *name, size_t name_size, char *msg,
                        size_t msg_size)
{
    if (msg && msg_size)
        msg[0] = '\0';
    const char *end = out + len;
    for (const char *line = out; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *le = nl ? nl : end;
        size_t nlen;
        const char *n = fault_on_line(line, le, &nlen);
        if (n) {
            snprintf(name, name_size, "%.*s", (int)nlen, n);
            const char *m = msg ? memmem(n, (size_t)(end - n), "msg = \"", 7) : NULL;
            if (m && msg_size) {
                m += 7;
                const char *me = memchr(m, '\n', (size_t)(end - m));
                size_t ml = me ? (size_t)(me - m) : (size_t)(end - m);
                while (ml > 0 && (m[ml - 1] == '"' || isspace((unsigned char)m[ml - 1])))
                    ml--;
                snprintf(msg, msg_size, "%.*s", (int)ml, m);
            }
            return true;
        }
        line = nl ? nl + 1 : end;
    }
    return false;
}

bool esx_vim_fault(const char *out, char *name, size_t name_size, char *msg, size_t msg_size)
{
    return vim_fault_n(out ? out : "", out ? strlen(out) : 0, name, name_size, msg, msg_size);
}

enum nl_code esx_vim_fault_code(const char *name)
{
    return name && strcmp(name, "InvalidPowerState") == 0 ? NL_ERR_STATE : NL_ERR_FAULT;
}

/* The fault in the first len bytes of out as err (NL_OK when there is none). */
static enum nl_code fault_error(const char *out, size_t len, const char *what, struct nl_err *err)
{
    char name[64], msg[300];
    if (!vim_fault_n(out, len, name, sizeof(name), msg, sizeof(msg)))
        return NL_OK;
    return NL_ERR(err, esx_vim_fault_code(name), name, "vim-cmd %s failed with %s%s%s.", what, name,
                  msg[0] ? ": " : "", msg);
}

int esx_hw_version_parse(const char *s)
{
    if (!s || strncmp(s, "vmx-", 4) != 0 || !isdigit((unsigned char)s[4]))
        return 0;
    char *end;
    long v = strtol(s + 4, &end, 10);
    return (*end == '\0' && v > 0 && v < 1000) ? (int)v : 0;
}

/* Length of the "vmx-NN" token at s, or 0. */
static size_t version_token(const char *s, const char *end)
{
    if (end - s < 5 || strncmp(s, "vmx-", 4) != 0)
        return 0;
    const char *p = s + 4;
    while (p < end && isdigit((unsigned char)*p))
        p++;
    if (p == s + 4 || (p < end && !is_ws(*p)))
        return 0;
    return (size_t)(p - s);
}

/* Parses one row; returns false when the line is not a VM row. file_col is the header's rune
 * column of "File" or SIZE_MAX. */
static bool row_parse(const char *line, size_t len, size_t file_col, struct esx_vm_row *row)
{
    const char *end = line + len, *p = line;
    if (p == end || !isdigit((unsigned char)*p))
        return false;
    long vmid = 0;
    while (p < end && isdigit((unsigned char)*p)) {
        vmid = vmid * 10 + (*p - '0');
        if (vmid > 1000000000)
            return false;
        p++;
    }
    if (p == end || !is_ws(*p))
        return false;
    const char *name_start = p;
    /* Anchor: ".vmx" followed by whitespace, a guest token and a "vmx-NN" token. */
    const char *vmx_end = NULL, *guest = NULL, *guest_end = NULL, *ver = NULL, *ver_end = NULL;
    const char *fallback = NULL;
    for (const char *s = name_start; (s = memmem(s, (size_t)(end - s), ".vmx", 4)); s += 4) {
        const char *a = s + 4;
        if (a != end && !is_ws(*a))
            continue;
        if (!fallback)
            fallback = a;
        while (a < end && is_ws(*a))
            a++;
        const char *g = a;
        while (a < end && !is_ws(*a))
            a++;
        const char *ge = a;
        while (a < end && is_ws(*a))
            a++;
        size_t vl = version_token(a, end);
        if (g < ge && vl) {
            vmx_end = s + 4;
            guest = g;
            guest_end = ge;
            ver = a;
            ver_end = a + vl;
            break;
        }
    }
    if (!vmx_end) {
        if (!fallback)
            return false;
        vmx_end = fallback; /* guest and version columns missing: still a row */
    }
    /* The file token starts at a "[" after whitespace with "] " before the .vmx. Prefer the
     * header's File column, else the "[" after the widest gap (columns are padded). One pass:
     * rune columns are counted along the way, and a "[" qualifies when it lies before the last
     * "] " of the span, so a row full of "[" stays linear. */
    const char *last_close = NULL;
    for (const char *c = name_start; (c = memmem(c, (size_t)(vmx_end - c), "] ", 2)); c++)
        last_close = c;
    const char *best = NULL;
    size_t best_gap = 0, col = rune_offset(line, (size_t)(name_start + 1 - line));
    for (const char *b = name_start + 1; last_close && b < last_close; b++) {
        if (((unsigned char)b[-1] & 0xC0) != 0x80 && b - 1 > name_start)
            col++;
        if (*b != '[' || !is_ws(b[-1]))
            continue;
        if (file_col != (size_t)-1 && col == file_col) {
            best = b;
            break;
        }
        size_t gap = 0;
        for (const char *w = b - 1; w > name_start && is_ws(*w); w--)
            gap++;
        if (!best || gap > best_gap) {
            best = b;
            best_gap = gap;
        }
    }
    if (!best)
        return false;
    row->vmid = (int)vmid;
    row->name = trimmed(name_start, (size_t)(best - name_start));
    row->file = xstrndup(best, (size_t)(vmx_end - best));
    row->guest = guest ? xstrndup(guest, (size_t)(guest_end - guest)) : xstrdup("");
    row->version = ver ? xstrndup(ver, (size_t)(ver_end - ver)) : xstrdup("");
    const char *ann = ver_end ? ver_end : vmx_end;
    row->annotation = trimmed(ann, (size_t)(end - ann));
    return true;
}

enum nl_code esx_getallvms_parse(const char *out, struct esx_vm_list **plist, struct nl_err *err)
{
    *plist = NULL;
    /* A fault replaces the listing; after the header, fault-like text is a VM's name or note. */
    const char *hdr = out ? strstr(out, "Vmid") : NULL;
    while (hdr && hdr != out && hdr[-1] != '\n')
        hdr = strstr(hdr + 4, "Vmid");
    enum nl_code rc =
        fault_error(out ? out : "", out ? (size_t)((hdr ? hdr : out + strlen(out)) - out) : 0,
                    "vmsvc/getallvms", err);
    if (rc)
        return rc;
    struct esx_vm_list *list = xcalloc(1, sizeof(*list));
    size_t cap = 0, file_col = (size_t)-1, ann_len = 0, ann_cap = 0;
    bool header = false;
    for (const char *line = out; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len > 0 && line[len - 1] == '\r')
            len--;
        struct esx_vm_row row = {0};
        if (!header && len >= 4 && strncmp(line, "Vmid", 4) == 0) {
            header = true;
            const char *f = memmem(line, len, " File", 5);
            if (f)
                file_col = rune_offset(line, (size_t)(f + 1 - line));
        } else if (row_parse(line, len, file_col, &row)) {
            list->items = xgrow(list->items, &cap, list->n + 1, sizeof(*list->items));
            list->items[list->n++] = row;
            ann_len = strlen(row.annotation);
            ann_cap = ann_len + 1;
        } else if (list->n > 0) {
            /* A continuation of the previous row's annotation (annotations may hold newlines),
             * appended in place: a note of many lines costs its length, not its square. */
            char **ann = &list->items[list->n - 1].annotation;
            const char *t = line, *te = line + len;
            while (t < te && isspace((unsigned char)*t))
                t++;
            while (te > t && isspace((unsigned char)te[-1]))
                te--;
            if (t < te) {
                size_t sep = ann_len ? 1 : 0, tl = (size_t)(te - t);
                *ann = xgrow(*ann, &ann_cap, ann_len + sep + tl + 1, 1);
                if (sep)
                    (*ann)[ann_len] = '\n';
                memcpy(*ann + ann_len + sep, t, tl);
                ann_len += sep + tl;
                (*ann)[ann_len] = '\0';
            }
        } else {
            for (size_t i = 0; i < len; i++) {
                if (!isspace((unsigned char)line[i])) {
                    esx_vm_list_free(&list);
                    return NL_ERR(err, NL_ERR_PARSE, NULL,
                                  "The vim-cmd VM list holds an unreadable line before any VM.");
                }
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    if (!header && list->n == 0) {
        esx_vm_list_free(&list);
        return NL_ERR(err, NL_ERR_PARSE, NULL,
                      "The vim-cmd VM list is empty; even its header is missing.");
    }
    *plist = list;
    return NL_OK;
}

void esx_vm_list_free(struct esx_vm_list **plist)
{
    struct esx_vm_list *l = plist ? *plist : NULL;
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].name);
        free(l->items[i].file);
        free(l->items[i].guest);
        free(l->items[i].version);
        free(l->items[i].annotation);
    }
    free(l->items);
    free(l);
    *plist = NULL;
}

/* Does path hold a ".." component? */
static bool climbs(const char *path)
{
    for (const char *c = path; c;) {
        if (strncmp(c, "..", 2) == 0 && (c[2] == '/' || c[2] == '\0'))
            return true;
        c = strchr(c, '/');
        if (c)
            c++;
    }
    return false;
}

char *esx_datastore_path(const char *file)
{
    if (!file || file[0] != '[')
        return NULL;
    const char *close = strstr(file, "] ");
    if (!close)
        return NULL;
    const char *rel = close + 2;
    if (close == file + 1) {
        /* "[] /var/run/crx/infra/vCLS-x/vCLS-x.vmx": no datastore, the path is absolute on the
         * host (ESXi 8/9 vCLS VMs). */
        if (rel[0] != '/' || !rel[1] || climbs(rel))
            return NULL;
        return xstrdup(rel);
    }
    if (!*rel || *rel == '/' || memchr(file + 1, '/', (size_t)(close - file - 1)) || climbs(rel))
        return NULL;
    if (strncmp(file + 1, "..", 2) == 0 && close == file + 3)
        return NULL;
    return xasprintf("/vmfs/volumes/%.*s/%s", (int)(close - file - 1), file + 1, rel);
}

enum nl_code esx_power_parse(const char *out, enum nl_power *power, struct nl_err *err)
{
    static const struct {
        const char *text;
        enum nl_power p;
    } states[] = {{"Powered on", NL_POWER_ON},
                  {"Powered off", NL_POWER_OFF},
                  {"Suspended", NL_POWER_SUSPENDED}};
    *power = NL_POWER_UNKNOWN;
    enum nl_code rc =
        fault_error(out ? out : "", out ? strlen(out) : 0, "vmsvc/power.getstate", err);
    if (rc)
        return rc;
    for (const char *line = out; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        while (len > 0 && isspace((unsigned char)line[len - 1]))
            len--;
        for (size_t i = 0; i < 3; i++) {
            if (len == strlen(states[i].text) && strncmp(line, states[i].text, len) == 0) {
                *power = states[i].p;
                return NL_OK;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    return NL_ERR(err, NL_ERR_PARSE, NULL, "vim-cmd vmsvc/power.getstate printed no power state.");
}
