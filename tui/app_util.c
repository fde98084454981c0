/* Small pure helpers of the console backend: command-line words, scopes from lab ids, merging
 * plans, step text, journal times. No threads, no I/O. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/buf.h"
#include "backend/core/xmalloc.h"
#include "tui/app_backend.h"

void app_strv_push(char ***v, size_t *n, char *s)
{
    *v = xrealloc(*v, (*n + 1) * sizeof(**v));
    (*v)[(*n)++] = s;
}

void app_strv_free(char ***v, size_t *n)
{
    for (size_t i = 0; *v && i < *n; i++)
        free((*v)[i]);
    free(*v);
    *v = NULL;
    *n = 0;
}

void app_words_free(char **argv, int argc)
{
    for (int i = 0; argv && i < argc; i++)
        free(argv[i]);
    free(argv);
}

int app_split_words(const char *line, char ***argv_out, struct nl_err *err)
{
    char **argv = NULL;
    size_t argc = 0;
    app_strv_push(&argv, &argc, xstrdup("nestlab"));
    const char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        struct nl_buf w;
        nl_buf_init(&w, 0);
        char quote = 0;
        for (; *p && (quote || (*p != ' ' && *p != '\t')); p++) {
            if (quote == '\'') {
                if (*p == '\'')
                    quote = 0;
                else
                    nl_buf_append(&w, p, 1, NULL);
            } else if (quote == '"') {
                if (*p == '"')
                    quote = 0;
                else if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) {
                    p++;
                    nl_buf_append(&w, p, 1, NULL);
                } else
                    nl_buf_append(&w, p, 1, NULL);
            } else if (*p == '\'' || *p == '"') {
                quote = *p;
            } else if (*p == '\\' && p[1]) {
                p++;
                nl_buf_append(&w, p, 1, NULL);
            } else {
                nl_buf_append(&w, p, 1, NULL);
            }
        }
        if (quote) {
            nl_buf_free(&w);
            app_words_free(argv, (int)argc);
            *argv_out = NULL;
            NL_ERR(err, NL_ERR_USAGE, "quote", "The command line has an unterminated %s quote.",
                   quote == '"' ? "double" : "single");
            return -1;
        }
        app_strv_push(&argv, &argc, nl_buf_steal(&w));
    }
    *argv_out = argv;
    return (int)argc;
}

/* ---- scope ---------------------------------------------------------------------------------- */

struct scope_build {
    const struct nl_lab *lab;
    struct ops_scope *s;
    char *host_seen, *vm_seen;
};

static void add_host(struct scope_build *b, ssize_t h)
{
    if (h < 0 || (size_t)h >= b->lab->n_hosts || b->host_seen[h])
        return;
    b->host_seen[h] = 1;
    struct ops_scope *s = b->s;
    s->hosts = xrealloc(s->hosts, (s->n_hosts + 1) * sizeof(*s->hosts));
    s->host_ids = xrealloc(s->host_ids, (s->n_hosts + 1) * sizeof(*s->host_ids));
    s->hosts[s->n_hosts] = (size_t)h;
    s->host_ids[s->n_hosts++] = xstrdup(b->lab->hosts[h].id);
}

static void add_vm(struct scope_build *b, ssize_t v)
{
    if (v < 0 || (size_t)v >= b->lab->n_vms || b->vm_seen[v])
        return;
    b->vm_seen[v] = 1;
    struct ops_scope *s = b->s;
    s->vms = xrealloc(s->vms, (s->n_vms + 1) * sizeof(*s->vms));
    s->vm_ids = xrealloc(s->vm_ids, (s->n_vms + 1) * sizeof(*s->vm_ids));
    s->vms[s->n_vms] = (size_t)v;
    s->vm_ids[s->n_vms++] = xstrdup(b->lab->vms[v].id);
    s->n_named_vms = s->n_vms;
}

/* A host in a VM intent: the VM backing it and the hypervisor VMs running on it. */
static void add_host_vms(struct scope_build *b, size_t h)
{
    add_vm(b, b->lab->hosts[h].backing_vm);
    for (size_t v = 0; v < b->lab->n_vms; v++)
        if (b->lab->vms[v].host == (ssize_t)h && nl_vm_is_hypervisor(&b->lab->vms[v]))
            add_vm(b, (ssize_t)v);
}

static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

struct ops_scope *app_scope_from_ids(const struct nl_lab *lab, const char *const *ids, size_t n,
                                     bool vm_intent)
{
    struct scope_build b = {.lab = lab, .s = xcalloc(1, sizeof(struct ops_scope))};
    b.host_seen = xcalloc(lab->n_hosts + 1, 1);
    b.vm_seen = xcalloc(lab->n_vms + 1, 1);
    for (size_t i = 0; i < n; i++) {
        const char *id = ids[i];
        if (!id)
            continue;
        const struct nl_vm *vm = nl_lab_find_vm(lab, id);
        if (vm) {
            if (vm_intent)
                add_vm(&b, nl_lab_vm_index(lab, vm));
            else
                add_host(&b, vm->host);
            continue;
        }
        const struct nl_host *h = nl_lab_find_host(lab, id);
        if (h) {
            if (vm_intent)
                add_host_vms(&b, (size_t)nl_lab_host_index(lab, h));
            else
                add_host(&b, nl_lab_host_index(lab, h));
            continue;
        }
        const struct nl_cluster *cl = nl_lab_find_cluster(lab, id);
        for (size_t k = 0; k < lab->n_hosts; k++) {
            const struct nl_host *hk = &lab->hosts[k];
            bool in = cl ? same(hk->cluster_id, cl->id) : same(hk->datacenter_id, id);
            if (!in)
                continue;
            if (vm_intent)
                add_host_vms(&b, k);
            else
                add_host(&b, (ssize_t)k);
        }
    }
    free(b.host_seen);
    free(b.vm_seen);
    return b.s;
}

/* ---- plans ---------------------------------------------------------------------------------- */

char *app_step_what(const struct ops_plan *plan, const struct ops_step *step)
{
    char *line = ops_step_text(plan, step);
    line[strcspn(line, "\n")] = '\0';
    /* "%-8s HOST: WHAT": skip the status word and the host. */
    const char *p = line;
    while (*p && *p != ' ')
        p++;
    while (*p == ' ')
        p++;
    const char *colon = strstr(p, ": ");
    char *what = xstrdup(colon ? colon + 2 : p);
    free(line);
    return what;
}

time_t app_parse_time(const char *iso)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (!iso)
        return 0;
    const char *end = strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end)
        return 0;
    return timegm(&tm);
}
