#include "backend/esxi/esx_vmx.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/core/xmalloc.h"
#include "backend/esxi/esx_quote.h"
#include "backend/esxi/esx_xml.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Decodes |XX escapes; a "|" not followed by two hex digits stays literal. */
static char *vmx_decode(const char *s, size_t len)
{
    char *out = xmalloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (s[i] == '|' && i + 2 < len && (hi = hexval(s[i + 1])) >= 0 &&
            (lo = hexval(s[i + 2])) >= 0 && (hi || lo)) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

static size_t trim_len(const char *s, size_t len)
{
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    return len;
}

struct key_pos {
    const char *key;
    size_t pos;
};

static int by_key(const void *a, const void *b)
{
    const struct key_pos *x = a, *y = b;
    int c = strcasecmp(x->key, y->key);
    return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* The entry indexes ordered by key (case-insensitively), ties by position. O(n log n). */
static size_t *sorted_order(const struct esx_vmx *vmx)
{
    struct key_pos *kp = xcalloc(vmx->n + 1, sizeof(*kp));
    for (size_t i = 0; i < vmx->n; i++)
        kp[i] = (struct key_pos){vmx->keys[i], i};
    qsort(kp, vmx->n, sizeof(*kp), by_key);
    size_t *ix = xcalloc(vmx->n + 1, sizeof(*ix));
    for (size_t i = 0; i < vmx->n; i++)
        ix[i] = kp[i].pos;
    free(kp);
    return ix;
}

/* Keys repeated in the file: the first spelling keeps its place, the last value wins. Sorting
 * finds them in O(n log n) (a hostile .vmx may hold hundreds of thousands of lines), and the
 * result keeps a sorted index for esx_vmx_get. */
static void merge_duplicates(struct esx_vmx *vmx)
{
    size_t *ix = sorted_order(vmx);
    bool *drop = xcalloc(vmx->n + 1, sizeof(*drop));
    for (size_t g = 0; g < vmx->n;) {
        size_t e = g + 1;
        while (e < vmx->n && strcasecmp(vmx->keys[ix[g]], vmx->keys[ix[e]]) == 0)
            e++;
        if (e - g > 1) {
            size_t first = ix[g], last = ix[e - 1];
            free(vmx->values[first]);
            vmx->values[first] = vmx->values[last];
            vmx->values[last] = NULL;
            for (size_t k = g + 1; k < e; k++)
                drop[ix[k]] = true;
        }
        g = e;
    }
    size_t w = 0;
    for (size_t i = 0; i < vmx->n; i++) {
        if (drop[i]) {
            free(vmx->keys[i]);
            free(vmx->values[i]);
            continue;
        }
        vmx->keys[w] = vmx->keys[i];
        vmx->values[w++] = vmx->values[i];
    }
    vmx->n = w;
    free(drop);
    free(ix);
    vmx->sorted = sorted_order(vmx);
}

enum nl_code esx_vmx_parse(const char *data, size_t len, struct esx_vmx **out, struct nl_err *err)
{
    *out = NULL;
    if (memchr(data, '\0', len))
        return NL_ERR(err, NL_ERR_PARSE, NULL,
                      "The .vmx file holds a NUL byte; it is not a text file.");
    struct esx_vmx *vmx = xcalloc(1, sizeof(*vmx));
    size_t cap = 0, lineno = 0;
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        lineno++;
        const char *s = p;
        while (s < le && isspace((unsigned char)*s))
            s++;
        size_t l = trim_len(s, (size_t)(le - s));
        p = nl ? nl + 1 : end;
        if (l == 0 || *s == '#')
            continue;
        const char *eq = memchr(s, '=', l);
        if (!eq || eq == s) {
            esx_vmx_free(&vmx);
            return NL_ERR(err, NL_ERR_PARSE, NULL,
                          "Line %zu of the .vmx file is not a \"key = value\" line.", lineno);
        }
        size_t kl = trim_len(s, (size_t)(eq - s));
        const char *v = eq + 1;
        const char *ve = s + l;
        while (v < ve && isspace((unsigned char)*v))
            v++;
        size_t vl = (size_t)(ve - v);
        if (vl > 0 && *v == '"') {
            if (vl < 2 || v[vl - 1] != '"') {
                esx_vmx_free(&vmx);
                return NL_ERR(err, NL_ERR_PARSE, NULL,
                              "Line %zu of the .vmx file has an unterminated quote.", lineno);
            }
            v++;
            vl -= 2;
        }
        size_t c2 = cap;
        vmx->keys = xgrow(vmx->keys, &c2, vmx->n + 1, sizeof(*vmx->keys));
        vmx->values = xgrow(vmx->values, &cap, vmx->n + 1, sizeof(*vmx->values));
        vmx->keys[vmx->n] = xstrndup(s, kl);
        vmx->values[vmx->n++] = vmx_decode(v, vl);
    }
    merge_duplicates(vmx);
    *out = vmx;
    return NL_OK;
}

void esx_vmx_free(struct esx_vmx **pvmx)
{
    struct esx_vmx *v = pvmx ? *pvmx : NULL;
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        free(v->keys[i]);
        free(v->values[i]);
    }
    free(v->keys);
    free(v->values);
    free(v->sorted);
    free(v);
    *pvmx = NULL;
}

const char *esx_vmx_get(const struct esx_vmx *vmx, const char *key)
{
    size_t lo = 0, hi = vmx && key ? vmx->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcasecmp(vmx->keys[vmx->sorted[mid]], key);
        if (c == 0)
            return vmx->values[vmx->sorted[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

enum nl_tri esx_vmx_bool(const struct esx_vmx *vmx, const char *key)
{
    return esx_bool_word(esx_vmx_get(vmx, key));
}

int esx_vmx_hw_version(const struct esx_vmx *vmx)
{
    const char *s = esx_vmx_get(vmx, "virtualHW.version");
    if (!s || !*s)
        return 0;
    char *end;
    long v = strtol(s, &end, 10);
    return (*end == '\0' && v > 0 && v < 1000) ? (int)v : 0;
}

char *esx_uuid_normalize(const char *s)
{
    char hex[33];
    size_t n = 0;
    if (!s)
        return NULL;
    for (const char *p = s; *p; p++) {
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
            p++;
            continue;
        }
        if (isspace((unsigned char)*p) || *p == '-')
            continue;
        if (hexval(*p) < 0 || n == 32)
            return NULL;
        hex[n++] = (char)tolower((unsigned char)*p);
    }
    if (n != 32)
        return NULL;
    hex[32] = '\0';
    return xasprintf("%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

char *esx_vmx_key_bre(const char *key, struct nl_err *err)
{
    size_t n = key ? strlen(key) : 0;
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)key[i]) && !strchr("._:-", key[i]))
            n = 0;
    }
    if (n == 0) {
        NL_ERR(err, NL_ERR_USAGE, NULL, "\"%s\" is not a .vmx key nestlab can match.",
               key ? key : "");
        return NULL;
    }
    /* [[:space:]] is the C locale's isspace set, the blanks esx_vmx_parse trims. */
    char *out = xmalloc(4 * n + 32);
    size_t o = (size_t)sprintf(out, "^[[:space:]]*");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)key[i];
        if (isalpha(c))
            o += (size_t)sprintf(out + o, "[%c%c]", tolower(c), toupper(c));
        else if (c == '.')
            o += (size_t)sprintf(out + o, "\\.");
        else
            out[o++] = (char)c;
    }
    static const char tail[] = "[[:space:]]*=";
    memcpy(out + o, tail, sizeof tail); /* with its NUL */
    return out;
}

char *esx_vmx_nested_hv_cmd(const char *vmx_path, bool on, struct nl_err *err)
{
    if (!vmx_path || vmx_path[0] != '/') {
        NL_ERR(err, NL_ERR_USAGE, NULL, "The .vmx path \"%s\" is not an absolute path.",
               vmx_path ? vmx_path : "");
        return NULL;
    }
    char *bre = esx_vmx_key_bre("vhv.enable", err);
    if (!bre)
        return NULL;
    char *del = xasprintf("/%s/d", bre);
    /* The append comes first: when the last line is itself a vhv.enable line, `d` ends sed's
     * cycle, and an `$a` placed after it would never run — the setting would vanish. An append
     * queued before the `d` is still written at the end of the cycle. */
    const char *argv[] = {
        "sed", "-i", "-e",     on ? "$a vhv.enable = \"TRUE\"" : "$a vhv.enable = \"FALSE\"",
        "-e",  del,  vmx_path, NULL};
    char *cmd = esx_cmd_buildv(argv, err);
    free(del);
    free(bre);
    return cmd;
}
