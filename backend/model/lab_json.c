/* The inventory cache: every raw field of a lab as JSON, so that the SSH fallback knows the hosts
 * exactly when vCenter cannot say. Derived fields are not stored; loading relinks.
 *
 * {
 *   "version": 1,                      required, must be 1
 *   "endpoint": "vc-lab", "source": "vcenter" | "ssh" | "cache" | "none",
 *   "fetched_at": 1700000000,          seconds since the epoch (UTC), 0 unknown
 *   "api_version": "8.0.3.0" | null,
 *   "datacenters": [{"id", "name"}],
 *   "clusters":    [{"id", "name", "datacenter_id"}],
 *   "hosts": [{"id", "name", "cluster_id", "datacenter_id",
 *              "connection": "connected" | "disconnected" | "not-responding" | "unknown",
 *              "bios_uuid", "vmk0_mac", "network_system", "version", "cpu_model",
 *              "cpu_packages", "cpu_cores", "cpu_threads", "cpu_mhz", "hv_support",
 *              "cpu_usage_mhz", "source", "ssh_address", "ssh_port",
 *              "vswitches":  [{"name", "num_ports", "mtu", "uplinks": ["vmnic0"],
 *                              "security": {"promiscuous", "forged_transmits", "mac_changes"}}],
 *              "portgroups": [{"name", "vswitch", "vlan", "override": {...same three...},
 *                              "active_clients"}]}],
 *   "vms": [{"id", "name", "host_id", "power": "on" | "off" | "suspended" | "unknown",
 *            "hw_version", "nested_hv", "guest_id", "cpus", "memory_mb", "tools", "uuid",
 *            "networks": ["VM Network"], "vmid", "vmx_path"}],
 *   "networks": [{"id", "name"}]
 * }
 * Only "id" is required in an object; a missing or null member means unknown (strings NULL,
 * numbers -1 or 0 as in lab.h, security members UNSET; true/false/null for them). A member of the
 * wrong type, an integer out of range, an unknown enum word or a duplicate id rejects the whole
 * file with a message naming the member: a cache is ours, so anything odd means corruption. */
#include "backend/model/lab_json.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/core/term_text.h"
#include "backend/core/xmalloc.h"
#include "backend/model/lab_index.h"
#include "backend/model/lab_json_write.h"

/* ---- strings ---------------------------------------------------------------------------- */

json_t *nl_json_string(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    /* Not UTF-8 (a name read over SSH from an odd locale): keep what we can read. */
    size_t len = strlen(s);
    char *clean = xmalloc(len * 3 + 1);
    size_t o = 0;
    uint32_t cp;
    for (const char *p = s; *p;) {
        size_t n = nl_utf8_next(p, &cp);
        if (n) {
            memcpy(clean + o, p, n);
            o += n;
            p += n;
        } else {
            memcpy(clean + o, "\xEF\xBF\xBD", 3);
            o += 3;
            p++;
        }
    }
    clean[o] = '\0';
    j = json_string(clean);
    free(clean);
    return j ? j : json_null();
}

/* ---- loading ---------------------------------------------------------------------------- */

struct rd {
    const char *origin;
    struct nl_err *err;
};

static bool rd_fail(struct rd *r, const char *where, const char *key, const char *what)
{
    NL_ERR(
        r->err, NL_ERR_PARSE, "cache",
        "The inventory cache \"%s\" is malformed: %s%s%s %s; delete it and refresh from vCenter.",
        r->origin, where, key ? "." : "", key ? key : "", what);
    return false;
}

/* Missing or null leaves *dst alone. */
static bool rd_str(struct rd *r, const json_t *o, const char *where, const char *key, char **dst)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v))
        return rd_fail(r, where, key, "must be a string or null");
    if (strlen(json_string_value(v)) != json_string_length(v))
        return rd_fail(r, where, key, "contains a NUL character");
    xstrset(dst, json_string_value(v));
    return true;
}

static bool rd_int(struct rd *r, const json_t *o, const char *where, const char *key, int *dst,
                   long long min, long long max)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return true;
    if (!json_is_integer(v))
        return rd_fail(r, where, key, "must be an integer or null");
    json_int_t x = json_integer_value(v);
    if (x < min || x > max)
        return rd_fail(r, where, key, "is out of range");
    *dst = (int)x;
    return true;
}

static bool rd_tri(struct rd *r, const json_t *o, const char *where, const char *key,
                   enum nl_tri *dst)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return true;
    if (!json_is_boolean(v))
        return rd_fail(r, where, key, "must be true, false or null");
    *dst = json_is_true(v) ? NL_TRI_TRUE : NL_TRI_FALSE;
    return true;
}

/* An enum stored as its nl_*_name word; name(i) for i in [0, n). */
static bool rd_enum(struct rd *r, const json_t *o, const char *where, const char *key, int *dst,
                    const char *(*name)(int), int n)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v))
        return rd_fail(r, where, key, "must be a string or null");
    for (int i = 0; i < n; i++) {
        if (strcmp(json_string_value(v), name(i)) == 0) {
            *dst = i;
            return true;
        }
    }
    return rd_fail(r, where, key, "has an unknown value");
}

static const char *source_word(int i)
{
    return nl_source_name((enum nl_source)i);
}

static const char *conn_word(int i)
{
    return nl_conn_name((enum nl_conn)i);
}

static const char *power_word(int i)
{
    return nl_power_name((enum nl_power)i);
}

static bool rd_source(struct rd *r, const json_t *o, const char *where, enum nl_source *dst)
{
    int v = (int)*dst;
    bool ok = rd_enum(r, o, where, "source", &v, source_word, NL_SOURCE_CACHE + 1);
    *dst = (enum nl_source)v;
    return ok;
}

/* An optional array member: NULL (and true) when missing or null. */
static bool rd_array(struct rd *r, const json_t *o, const char *where, const char *key,
                     const json_t **out)
{
    const json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_array(v))
        return rd_fail(r, where, key, "must be an array");
    *out = v;
    return true;
}

static bool rd_security(struct rd *r, const json_t *o, const char *where, const char *key,
                        struct nl_security *s)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return true;
    if (!json_is_object(v))
        return rd_fail(r, where, key, "must be an object");
    char sub[160];
    snprintf(sub, sizeof(sub), "%s.%s", where, key);
    return rd_tri(r, v, sub, "promiscuous", &s->promiscuous) &&
           rd_tri(r, v, sub, "forged_transmits", &s->forged_transmits) &&
           rd_tri(r, v, sub, "mac_changes", &s->mac_changes);
}

/* Each element of a string array, passed to add(target, s). */
static bool rd_strings(struct rd *r, const json_t *o, const char *where, const char *key,
                       void (*add)(void *, const char *), void *target)
{
    const json_t *a;
    if (!rd_array(r, o, where, key, &a))
        return false;
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
            char sub[160];
            snprintf(sub, sizeof(sub), "%s.%s[%zu]", where, key, i);
            return rd_fail(r, sub, NULL, "must be a string");
        }
        add(target, json_string_value(v));
    }
    return true;
}

static void add_uplink(void *vs, const char *s)
{
    nl_vswitch_add_uplink(vs, s);
}

static void add_vm_network(void *vm, const char *s)
{
    nl_vm_add_network(vm, s);
}

/* The object at a[i] with its required, unique "id". */
static const char *rd_object_id(struct rd *r, const json_t *o, const char *where)
{
    if (!json_is_object(o)) {
        rd_fail(r, where, NULL, "must be an object");
        return NULL;
    }
    const json_t *id = json_object_get(o, "id");
    if (!json_is_string(id) || json_string_length(id) == 0 ||
        strlen(json_string_value(id)) != json_string_length(id)) {
        rd_fail(r, where, "id", "must be a non-empty string");
        return NULL;
    }
    return json_string_value(id);
}

/* Ids are unique across object types (nl_lab_remove takes any id), so a repeat is corruption. */
static bool rd_unique(struct rd *r, struct nl_lab *lab, const char *id, const char *where)
{
    const struct nl_lab_index *ix = lab->index;
    if (nl_ids_get(&ix->dc_id, id) != NL_MAP_NONE ||
        nl_ids_get(&ix->cluster_id, id) != NL_MAP_NONE ||
        nl_ids_get(&ix->host_id, id) != NL_MAP_NONE || nl_ids_get(&ix->vm_id, id) != NL_MAP_NONE ||
        nl_ids_get(&ix->net_id, id) != NL_MAP_NONE)
        return rd_fail(r, where, "id", "repeats an id used before");
    return true;
}

static bool rd_host(struct rd *r, struct nl_lab *lab, const json_t *o, const char *where)
{
    const char *id = rd_object_id(r, o, where);
    if (!id || !rd_unique(r, lab, id, where))
        return false;
    struct nl_host *h = nl_lab_add_host(lab, id);
    int conn = (int)h->connection;
    if (!rd_str(r, o, where, "name", &h->name) ||
        !rd_str(r, o, where, "cluster_id", &h->cluster_id) ||
        !rd_str(r, o, where, "datacenter_id", &h->datacenter_id) ||
        !rd_enum(r, o, where, "connection", &conn, conn_word, NL_CONN_NOT_RESPONDING + 1) ||
        !rd_str(r, o, where, "bios_uuid", &h->bios_uuid) ||
        !rd_str(r, o, where, "vmk0_mac", &h->vmk0_mac) ||
        !rd_str(r, o, where, "network_system", &h->network_system) ||
        !rd_str(r, o, where, "version", &h->version) ||
        !rd_str(r, o, where, "cpu_model", &h->cpu_model) ||
        !rd_int(r, o, where, "cpu_packages", &h->cpu_packages, -1, INT_MAX) ||
        !rd_int(r, o, where, "cpu_cores", &h->cpu_cores, -1, INT_MAX) ||
        !rd_int(r, o, where, "cpu_threads", &h->cpu_threads, -1, INT_MAX) ||
        !rd_int(r, o, where, "cpu_mhz", &h->cpu_mhz, -1, INT_MAX) ||
        !rd_int(r, o, where, "hv_support", &h->hv_support, -1, 3) ||
        !rd_int(r, o, where, "cpu_usage_mhz", &h->cpu_usage_mhz, -1, INT_MAX) ||
        !rd_source(r, o, where, &h->source) ||
        !rd_str(r, o, where, "ssh_address", &h->ssh_address) ||
        !rd_int(r, o, where, "ssh_port", &h->ssh_port, 0, 65535))
        return false;
    h->connection = (enum nl_conn)conn;

    const json_t *a, *v;
    size_t i;
    char sub[160];
    if (!rd_array(r, o, where, "vswitches", &a))
        return false;
    json_array_foreach(a, i, v)
    {
        snprintf(sub, sizeof(sub), "%s.vswitches[%zu]", where, i);
        const json_t *name = json_is_object(v) ? json_object_get(v, "name") : NULL;
        if (!json_is_string(name) || json_string_length(name) == 0)
            return rd_fail(r, sub, "name", "must be a non-empty string");
        if (nl_host_find_vswitch(h, json_string_value(name)))
            return rd_fail(r, sub, "name", "repeats a vSwitch name");
        struct nl_vswitch *vs = nl_host_add_vswitch(h, json_string_value(name));
        if (!rd_int(r, v, sub, "num_ports", &vs->num_ports, -1, INT_MAX) ||
            !rd_int(r, v, sub, "mtu", &vs->mtu, -1, INT_MAX) ||
            !rd_strings(r, v, sub, "uplinks", add_uplink, vs) ||
            !rd_security(r, v, sub, "security", &vs->security))
            return false;
    }
    if (!rd_array(r, o, where, "portgroups", &a))
        return false;
    json_array_foreach(a, i, v)
    {
        snprintf(sub, sizeof(sub), "%s.portgroups[%zu]", where, i);
        const json_t *name = json_is_object(v) ? json_object_get(v, "name") : NULL;
        if (!json_is_string(name) || json_string_length(name) == 0)
            return rd_fail(r, sub, "name", "must be a non-empty string");
        if (nl_host_find_portgroup(h, json_string_value(name)))
            return rd_fail(r, sub, "name", "repeats a port group name");
        struct nl_portgroup *pg = nl_host_add_portgroup(h, json_string_value(name), NULL);
        if (!rd_str(r, v, sub, "vswitch", &pg->vswitch) ||
            !rd_int(r, v, sub, "vlan", &pg->vlan, -1, 4095) ||
            !rd_security(r, v, sub, "override", &pg->override) ||
            !rd_int(r, v, sub, "active_clients", &pg->active_clients, -1, INT_MAX))
            return false;
    }
    return true;
}

static bool rd_vm(struct rd *r, struct nl_lab *lab, const json_t *o, const char *where)
{
    const char *id = rd_object_id(r, o, where);
    if (!id || !rd_unique(r, lab, id, where))
        return false;
    struct nl_vm *vm = nl_lab_add_vm(lab, id);
    int power = (int)vm->power;
    if (!rd_str(r, o, where, "name", &vm->name) || !rd_str(r, o, where, "host_id", &vm->host_id) ||
        !rd_enum(r, o, where, "power", &power, power_word, NL_POWER_SUSPENDED + 1) ||
        !rd_int(r, o, where, "hw_version", &vm->hw_version, 0, 1000) ||
        !rd_tri(r, o, where, "nested_hv", &vm->nested_hv) ||
        !rd_str(r, o, where, "guest_id", &vm->guest_id) ||
        !rd_int(r, o, where, "cpus", &vm->cpus, -1, INT_MAX) ||
        !rd_int(r, o, where, "memory_mb", &vm->memory_mb, -1, INT_MAX) ||
        !rd_str(r, o, where, "tools", &vm->tools) || !rd_str(r, o, where, "uuid", &vm->uuid) ||
        !rd_strings(r, o, where, "networks", add_vm_network, vm) ||
        !rd_int(r, o, where, "vmid", &vm->vmid, 0, INT_MAX) ||
        !rd_str(r, o, where, "vmx_path", &vm->vmx_path))
        return false;
    vm->power = (enum nl_power)power;
    return true;
}

/* Datacenters, clusters and networks: id, name and (clusters) datacenter_id. */
static bool rd_simple(struct rd *r, struct nl_lab *lab, const json_t *o, const char *where,
                      char kind)
{
    const char *id = rd_object_id(r, o, where);
    if (!id || !rd_unique(r, lab, id, where))
        return false;
    if (kind == 'd')
        return rd_str(r, o, where, "name", &nl_lab_add_datacenter(lab, id)->name);
    if (kind == 'n')
        return rd_str(r, o, where, "name", &nl_lab_add_network(lab, id)->name);
    struct nl_cluster *c = nl_lab_add_cluster(lab, id);
    return rd_str(r, o, where, "name", &c->name) &&
           rd_str(r, o, where, "datacenter_id", &c->datacenter_id);
}

struct nl_lab *nl_lab_from_cache_json(const json_t *doc, const char *origin, struct nl_err *err)
{
    struct rd r = {origin ? origin : "(cache)", err};
    struct nl_lab *lab = NULL;
    if (!json_is_object(doc)) {
        rd_fail(&r, "the document", NULL, "must be an object");
        goto fail;
    }
    const json_t *version = json_object_get(doc, "version");
    if (!json_is_integer(version) || json_integer_value(version) != NL_LAB_CACHE_VERSION) {
        rd_fail(&r, "the document", "version", "must be 1");
        goto fail;
    }
    lab = nl_lab_new(NULL);
    const json_t *fa = json_object_get(doc, "fetched_at");
    if (fa && !json_is_null(fa)) {
        if (!json_is_integer(fa) || json_integer_value(fa) < 0 ||
            (sizeof(time_t) < 8 && json_integer_value(fa) > INT32_MAX)) {
            rd_fail(&r, "the document", "fetched_at", "must be a non-negative integer");
            goto fail;
        }
        lab->fetched_at = (time_t)json_integer_value(fa);
    }
    if (!rd_str(&r, doc, "the document", "endpoint", &lab->endpoint) ||
        !rd_source(&r, doc, "the document", &lab->source) ||
        !rd_str(&r, doc, "the document", "api_version", &lab->api_version))
        goto fail;

    static const struct {
        const char *key;
        char kind;
    } lists[] = {
        {"datacenters", 'd'}, {"clusters", 'c'}, {"hosts", 'h'}, {"vms", 'v'}, {"networks", 'n'}};
    for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
        const json_t *a, *o;
        size_t i;
        if (!rd_array(&r, doc, "the document", lists[l].key, &a))
            goto fail;
        json_array_foreach(a, i, o)
        {
            char where[64];
            snprintf(where, sizeof(where), "%s[%zu]", lists[l].key, i);
            bool ok;
            if (lists[l].kind == 'h')
                ok = rd_host(&r, lab, o, where);
            else if (lists[l].kind == 'v')
                ok = rd_vm(&r, lab, o, where);
            else
                ok = rd_simple(&r, lab, o, where, lists[l].kind);
            if (!ok)
                goto fail;
        }
    }
    nl_lab_link(lab);
    return lab;
fail:
    nl_lab_free(&lab);
    return NULL;
}

/* ---- writing JSON straight from the lab (lab_json_write.h) -------------------------------- */

struct nl_jw *nl_jw_new(int fd, FILE *fp, bool indent, bool ascii)
{
    struct nl_jw *w = xmalloc(sizeof *w);
    *w = (struct nl_jw){.fd = fp ? -1 : fd, .fp = fp, .indent = indent, .ascii = ascii};
    return w;
}

bool nl_jw_flush(struct nl_jw *w)
{
    size_t off = 0;
    while (!w->failed && off < w->len) {
        ssize_t n;
        if (w->fp) {
            n = (ssize_t)fwrite(w->buf + off, 1, w->len - off, w->fp);
            if (n == 0 && ferror(w->fp))
                n = -1;
        } else {
            n = write(w->fd, w->buf + off, w->len - off);
            if (n < 0 && errno == EINTR)
                continue;
        }
        if (n <= 0) {
            w->failed = true;
            w->error = n < 0 && errno ? errno : ENOSPC;
        } else {
            off += (size_t)n;
        }
    }
    w->len = 0;
    return !w->failed;
}

static void jw_raw(struct nl_jw *w, const char *s, size_t n)
{
    if (n > sizeof w->buf - w->len) {
        nl_jw_flush(w);
        /* Longer than the whole buffer (a huge name): in buffer-sized pieces. */
        while (n > sizeof w->buf) {
            memcpy(w->buf, s, sizeof w->buf);
            w->len = sizeof w->buf;
            nl_jw_flush(w);
            s += sizeof w->buf;
            n -= sizeof w->buf;
        }
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void jw_lit(struct nl_jw *w, const char *s)
{
    jw_raw(w, s, strlen(s));
}

/* A new line indented to the current level (JSON_INDENT(2)). */
static void jw_newline(struct nl_jw *w, int level)
{
    static const char spaces[] = "\n"
                                 "                                                                "
                                 "                                                                ";
    _Static_assert(sizeof spaces - 2 >= 2 * NL_JW_MAX_LEVEL, "spaces for every level");
    jw_raw(w, spaces, 2 * (size_t)level + 1);
}

/* What comes before a value or a key: nothing after a key, else the separator from the previous
 * member of the open container and, indented, a new line. */
static void jw_before(struct nl_jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->level == 0)
        return;
    unsigned long long bit = 1ull << w->level;
    if (w->has_items & bit)
        jw_raw(w, ",", 1);
    w->has_items |= bit;
    if (w->indent)
        jw_newline(w, w->level);
}

void nl_jw_open(struct nl_jw *w, char c)
{
    jw_before(w);
    jw_raw(w, &c, 1);
    if (w->level < NL_JW_MAX_LEVEL)
        w->level++;
    w->has_items &= ~(1ull << w->level);
}

void nl_jw_close(struct nl_jw *w, char c)
{
    /* jansson: "[]" and "{}" when empty, else the closing bracket on a line of its own. */
    if (w->indent && (w->has_items & (1ull << w->level)))
        jw_newline(w, w->level - 1);
    if (w->level > 0)
        w->level--;
    jw_raw(w, &c, 1);
}

void nl_jw_key(struct nl_jw *w, const char *key)
{
    jw_before(w);
    jw_raw(w, "\"", 1);
    jw_lit(w, key);
    if (w->indent)
        jw_raw(w, "\": ", 3);
    else
        jw_raw(w, "\":", 2);
    w->after_key = true;
}

/* One escaped code point, as jansson writes it. */
static void jw_escape_cp(struct nl_jw *w, unsigned cp)
{
    char seq[16];
    int n;
    switch (cp) {
    case '\\':
        n = snprintf(seq, sizeof seq, "\\\\");
        break;
    case '"':
        n = snprintf(seq, sizeof seq, "\\\"");
        break;
    case '\b':
        n = snprintf(seq, sizeof seq, "\\b");
        break;
    case '\f':
        n = snprintf(seq, sizeof seq, "\\f");
        break;
    case '\n':
        n = snprintf(seq, sizeof seq, "\\n");
        break;
    case '\r':
        n = snprintf(seq, sizeof seq, "\\r");
        break;
    case '\t':
        n = snprintf(seq, sizeof seq, "\\t");
        break;
    default:
        if (cp < 0x10000) {
            n = snprintf(seq, sizeof seq, "\\u%04X", cp);
        } else { /* outside the BMP: a UTF-16 surrogate pair */
            cp -= 0x10000;
            n = snprintf(seq, sizeof seq, "\\u%04X\\u%04X", 0xD800 | (cp >> 10),
                         0xDC00 | (cp & 0x3FF));
        }
        break;
    }
    jw_raw(w, seq, (size_t)n);
}

void nl_jw_str(struct nl_jw *w, const char *s)
{
    jw_before(w);
    if (!s) {
        jw_raw(w, "null", 4);
        return;
    }
    jw_raw(w, "\"", 1);
    const unsigned char *p = (const unsigned char *)s, *run = p;
    while (*p) {
        if (*p >= 0x20 && *p != '"' && *p != '\\' && (*p < 0x80 || !w->ascii)) {
            if (*p < 0x80) {
                p++;
                continue;
            }
            uint32_t cp;
            size_t n = nl_utf8_next((const char *)p, &cp);
            if (n) { /* valid UTF-8 passes through as it is */
                p += n;
                continue;
            }
        }
        jw_raw(w, (const char *)run, (size_t)(p - run));
        uint32_t cp;
        size_t n = nl_utf8_next((const char *)p, &cp);
        if (n == 0) {
            cp = 0xFFFD;
            n = 1;
        }
        if (cp == 0xFFFD && !w->ascii)
            jw_raw(w, "\xEF\xBF\xBD", 3);
        else
            jw_escape_cp(w, cp);
        p += n;
        run = p;
    }
    jw_raw(w, (const char *)run, (size_t)(p - run));
    jw_raw(w, "\"", 1);
}

void nl_jw_int(struct nl_jw *w, long long v)
{
    char num[32];
    int n = snprintf(num, sizeof num, "%lld", v);
    jw_before(w);
    jw_raw(w, num, (size_t)n);
}

void nl_jw_lit(struct nl_jw *w, const char *lit)
{
    jw_before(w);
    jw_lit(w, lit);
}

void nl_jw_tri(struct nl_jw *w, enum nl_tri t)
{
    nl_jw_lit(w, t == NL_TRI_UNSET ? "null" : t == NL_TRI_TRUE ? "true" : "false");
}

void nl_jw_kstr(struct nl_jw *w, const char *key, const char *s)
{
    nl_jw_key(w, key);
    nl_jw_str(w, s);
}

void nl_jw_kint(struct nl_jw *w, const char *key, long long v)
{
    nl_jw_key(w, key);
    nl_jw_int(w, v);
}

void nl_jw_ktri(struct nl_jw *w, const char *key, enum nl_tri t)
{
    nl_jw_key(w, key);
    nl_jw_tri(w, t);
}

void nl_jw_ksec(struct nl_jw *w, const char *key, const struct nl_security *s)
{
    nl_jw_key(w, key);
    nl_jw_open(w, '{');
    nl_jw_ktri(w, "promiscuous", s->promiscuous);
    nl_jw_ktri(w, "forged_transmits", s->forged_transmits);
    nl_jw_ktri(w, "mac_changes", s->mac_changes);
    nl_jw_close(w, '}');
}

void nl_jw_kstrv(struct nl_jw *w, const char *key, char *const *v, size_t n)
{
    nl_jw_key(w, key);
    nl_jw_open(w, '[');
    for (size_t i = 0; i < n; i++)
        nl_jw_str(w, v[i]);
    nl_jw_close(w, ']');
}

bool nl_json_utc_time(time_t t, char out[32])
{
    struct tm tm;
    out[0] = '\0';
    if (t <= 0 || !gmtime_r(&t, &tm))
        return false;
    return strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0;
}

/* ---- files ------------------------------------------------------------------------------ */

/* The cache file is written with nl_jw straight from the lab, byte for byte what jansson writes
 * for the same document with JSON_COMPACT | JSON_ENSURE_ASCII (test_lab_inventory_write and
 * test_vs_output read it back with jansson and compare; the default lab also with its golden
 * file). Every member the reader (nl_lab_from_cache_json) expects is written here. */
static void cw_host(struct nl_jw *w, const struct nl_host *h)
{
    nl_jw_open(w, '{');
    nl_jw_kstr(w, "id", h->id);
    nl_jw_kstr(w, "name", h->name);
    nl_jw_kstr(w, "cluster_id", h->cluster_id);
    nl_jw_kstr(w, "datacenter_id", h->datacenter_id);
    nl_jw_kstr(w, "connection", nl_conn_name(h->connection));
    nl_jw_kstr(w, "bios_uuid", h->bios_uuid);
    nl_jw_kstr(w, "vmk0_mac", h->vmk0_mac);
    nl_jw_kstr(w, "network_system", h->network_system);
    nl_jw_kstr(w, "version", h->version);
    nl_jw_kstr(w, "cpu_model", h->cpu_model);
    nl_jw_kint(w, "cpu_packages", h->cpu_packages);
    nl_jw_kint(w, "cpu_cores", h->cpu_cores);
    nl_jw_kint(w, "cpu_threads", h->cpu_threads);
    nl_jw_kint(w, "cpu_mhz", h->cpu_mhz);
    nl_jw_kint(w, "hv_support", h->hv_support);
    nl_jw_kint(w, "cpu_usage_mhz", h->cpu_usage_mhz);
    nl_jw_kstr(w, "source", nl_source_name(h->source));
    nl_jw_kstr(w, "ssh_address", h->ssh_address);
    nl_jw_kint(w, "ssh_port", h->ssh_port);
    nl_jw_key(w, "vswitches");
    nl_jw_open(w, '[');
    for (size_t i = 0; i < h->n_vswitches; i++) {
        const struct nl_vswitch *vs = &h->vswitches[i];
        nl_jw_open(w, '{');
        nl_jw_kstr(w, "name", vs->name);
        nl_jw_kint(w, "num_ports", vs->num_ports);
        nl_jw_kint(w, "mtu", vs->mtu);
        nl_jw_kstrv(w, "uplinks", vs->uplinks, vs->n_uplinks);
        nl_jw_ksec(w, "security", &vs->security);
        nl_jw_close(w, '}');
    }
    nl_jw_close(w, ']');
    nl_jw_key(w, "portgroups");
    nl_jw_open(w, '[');
    for (size_t i = 0; i < h->n_portgroups; i++) {
        const struct nl_portgroup *pg = &h->portgroups[i];
        nl_jw_open(w, '{');
        nl_jw_kstr(w, "name", pg->name);
        nl_jw_kstr(w, "vswitch", pg->vswitch);
        nl_jw_kint(w, "vlan", pg->vlan);
        nl_jw_ksec(w, "override", &pg->override);
        nl_jw_kint(w, "active_clients", pg->active_clients);
        nl_jw_close(w, '}');
    }
    nl_jw_close(w, ']');
    nl_jw_close(w, '}');
}

static void cw_vm(struct nl_jw *w, const struct nl_vm *vm)
{
    nl_jw_open(w, '{');
    nl_jw_kstr(w, "id", vm->id);
    nl_jw_kstr(w, "name", vm->name);
    nl_jw_kstr(w, "host_id", vm->host_id);
    nl_jw_kstr(w, "power", nl_power_name(vm->power));
    nl_jw_kint(w, "hw_version", vm->hw_version);
    nl_jw_ktri(w, "nested_hv", vm->nested_hv);
    nl_jw_kstr(w, "guest_id", vm->guest_id);
    nl_jw_kint(w, "cpus", vm->cpus);
    nl_jw_kint(w, "memory_mb", vm->memory_mb);
    nl_jw_kstr(w, "tools", vm->tools);
    nl_jw_kstr(w, "uuid", vm->uuid);
    nl_jw_kstrv(w, "networks", vm->networks, vm->n_networks);
    nl_jw_kint(w, "vmid", vm->vmid);
    nl_jw_kstr(w, "vmx_path", vm->vmx_path);
    nl_jw_close(w, '}');
}

static void cw_pair(struct nl_jw *w, const char *id, const char *name)
{
    nl_jw_open(w, '{');
    nl_jw_kstr(w, "id", id);
    nl_jw_kstr(w, "name", name);
    nl_jw_close(w, '}');
}

/* The whole cache document: version, the lab's own fields, then its objects. */
static void cw_lab(struct nl_jw *w, const struct nl_lab *lab)
{
    nl_jw_open(w, '{');
    nl_jw_kint(w, "version", NL_LAB_CACHE_VERSION);
    nl_jw_kstr(w, "endpoint", lab->endpoint);
    nl_jw_kstr(w, "source", nl_source_name(lab->source));
    nl_jw_kint(w, "fetched_at", (long long)lab->fetched_at);
    nl_jw_kstr(w, "api_version", lab->api_version);
    nl_jw_key(w, "datacenters");
    nl_jw_open(w, '[');
    for (size_t i = 0; i < lab->n_datacenters; i++)
        cw_pair(w, lab->datacenters[i].id, lab->datacenters[i].name);
    nl_jw_close(w, ']');
    nl_jw_key(w, "clusters");
    nl_jw_open(w, '[');
    for (size_t i = 0; i < lab->n_clusters; i++) {
        nl_jw_open(w, '{');
        nl_jw_kstr(w, "id", lab->clusters[i].id);
        nl_jw_kstr(w, "name", lab->clusters[i].name);
        nl_jw_kstr(w, "datacenter_id", lab->clusters[i].datacenter_id);
        nl_jw_close(w, '}');
    }
    nl_jw_close(w, ']');
    nl_jw_key(w, "hosts");
    nl_jw_open(w, '[');
    for (size_t i = 0; i < lab->n_hosts; i++)
        cw_host(w, &lab->hosts[i]);
    nl_jw_close(w, ']');
    nl_jw_key(w, "vms");
    nl_jw_open(w, '[');
    for (size_t i = 0; i < lab->n_vms; i++)
        cw_vm(w, &lab->vms[i]);
    nl_jw_close(w, ']');
    nl_jw_key(w, "networks");
    nl_jw_open(w, '[');
    for (size_t i = 0; i < lab->n_networks; i++)
        cw_pair(w, lab->networks[i].id, lab->networks[i].name);
    nl_jw_close(w, ']');
    nl_jw_close(w, '}');
}

enum nl_code nl_lab_save_cache(const struct nl_lab *lab, const char *path, struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    char *tmp = xasprintf("%s.tmpXXXXXX", path);
    struct nl_jw *w = NULL;
    int fd = mkstemp(tmp); /* created 0600 */
    if (fd < 0) {
        rc = NL_ERR(err, NL_ERR_IO, NULL, "Cannot create a file next to the cache \"%s\": %s.",
                    path, strerror(errno));
        goto cleanup;
    }
    w = nl_jw_new(fd, NULL, false, true);
    cw_lab(w, lab);
    if (!nl_jw_flush(w)) {
        rc = NL_ERR(err, NL_ERR_IO, NULL, "Cannot write the cache file \"%s\": %s.", tmp,
                    strerror(w->error));
        goto cleanup;
    }
    if (fchmod(fd, 0600) != 0 || fsync(fd) != 0) {
        rc = NL_ERR(err, NL_ERR_IO, NULL, "Cannot write the cache file \"%s\": %s.", tmp,
                    strerror(errno));
        goto cleanup;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = NL_ERR(err, NL_ERR_IO, NULL, "Cannot write the cache file \"%s\": %s.", tmp,
                    strerror(errno));
        goto cleanup;
    }
    fd = -1;
    /* rename() replaces the old cache in one step: a reader sees the old file or the new one. */
    if (rename(tmp, path) != 0) {
        rc = NL_ERR(err, NL_ERR_IO, NULL, "Cannot replace the cache file \"%s\": %s.", path,
                    strerror(errno));
        goto cleanup;
    }
cleanup:
    if (fd >= 0)
        close(fd);
    if (rc != NL_OK)
        unlink(tmp);
    free(tmp);
    free(w);
    return rc;
}

struct nl_lab *nl_lab_load_cache(const char *path, struct nl_err *err)
{
    struct nl_lab *lab = NULL;
    json_t *doc = NULL;
    FILE *f = fopen(path, "re");
    if (!f) {
        NL_ERR(err, errno == ENOENT ? NL_ERR_NOT_FOUND : NL_ERR_IO, NULL,
               "Cannot read the inventory cache \"%s\": %s.", path, strerror(errno));
        goto cleanup;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        NL_ERR(err, NL_ERR_IO, NULL, "The inventory cache \"%s\" is not a regular file.", path);
        goto cleanup;
    }
    if ((unsigned long long)st.st_size > NL_LAB_CACHE_MAX_BYTES) {
        NL_ERR(err, NL_ERR_LIMIT, NULL,
               "The inventory cache \"%s\" is larger than %u MB; delete it and refresh.", path,
               NL_LAB_CACHE_MAX_BYTES / (1024 * 1024));
        goto cleanup;
    }
    json_error_t jerr;
    doc = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        NL_ERR(err, NL_ERR_PARSE, "json",
               "The inventory cache \"%s\" is not valid JSON (line %d: %s); delete it and refresh.",
               path, jerr.line, jerr.text);
        goto cleanup;
    }
    lab = nl_lab_from_cache_json(doc, path, err);
cleanup:
    if (f)
        fclose(f);
    json_decref(doc);
    return lab;
}
