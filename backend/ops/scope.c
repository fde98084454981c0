#include "backend/ops/scope.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/buf.h"
#include "backend/core/term_text.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/plan_util.h"

/* ---- the request ------------------------------------------------------------------------ */

void ops_scope_req_init(struct ops_scope_req *req)
{
    memset(req, 0, sizeof(*req));
}

static void strv_add(char ***v, size_t *n, const char *s)
{
    *v = xrealloc(*v, (*n + 1) * sizeof(**v));
    (*v)[(*n)++] = xstrdup(s ? s : "");
}

static void strv_free(char ***v, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free((*v)[i]);
    free(*v);
    *v = NULL;
    *n = 0;
}

void ops_scope_req_add_cluster(struct ops_scope_req *req, const char *name)
{
    strv_add(&req->clusters, &req->n_clusters, name);
}

void ops_scope_req_add_host(struct ops_scope_req *req, const char *name)
{
    strv_add(&req->hosts, &req->n_hosts, name);
}

void ops_scope_req_add_vm(struct ops_scope_req *req, const char *name)
{
    strv_add(&req->vms, &req->n_vms, name);
}

void ops_scope_req_clear(struct ops_scope_req *req)
{
    strv_free(&req->clusters, &req->n_clusters);
    strv_free(&req->hosts, &req->n_hosts);
    strv_free(&req->vms, &req->n_vms);
    ops_scope_req_init(req);
}

bool ops_scope_req_is_empty(const struct ops_scope_req *req)
{
    return !req->n_clusters && !req->n_hosts && !req->n_vms && !req->all_physical &&
           !req->all_nested && !req->all;
}

/* ---- suggestions ------------------------------------------------------------------------ */

static uint32_t fold(uint32_t c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Levenshtein distance over code points, ASCII case folded. */
static size_t edit_distance(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t *row = xcalloc(nb + 1, sizeof(*row));
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t cost = fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[nb];
    free(row);
    return d;
}

static bool is_prefix_folded(const uint32_t *p, size_t np, const uint32_t *s, size_t ns)
{
    if (np > ns)
        return false;
    for (size_t i = 0; i < np; i++)
        if (fold(p[i]) != fold(s[i]))
            return false;
    return true;
}

/* Lower is closer; SIZE_MAX means not close at all. */
static size_t closeness(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t d = edit_distance(a, na, b, nb);
    if (d == 0)
        return 0; /* equal ignoring case */
    if (na >= 2 && nb >= 2 && (is_prefix_folded(a, na, b, nb) || is_prefix_folded(b, nb, a, na)))
        return 1;
    size_t shorter = na < nb ? na : nb;
    size_t limit = shorter <= 4 ? 1 : shorter <= 8 ? 2 : 3;
    return d <= limit ? d + 1 : SIZE_MAX;
}

char *ops_suggest(const char *name, const char *const *candidates, size_t n_candidates)
{
    enum { MAX_SUGGEST = 3 };
    size_t best_i[MAX_SUGGEST], best_s[MAX_SUGGEST], n_best = 0;
    uint32_t *a;
    size_t na = ops_utf8_decode(name ? name : "", &a);
    for (size_t i = 0; i < n_candidates; i++) {
        if (!candidates[i])
            continue;
        bool dup = false;
        for (size_t k = 0; k < n_best; k++)
            dup = dup || strcmp(candidates[best_i[k]], candidates[i]) == 0;
        if (dup)
            continue;
        uint32_t *b;
        size_t nb = ops_utf8_decode(candidates[i], &b);
        size_t s = closeness(a, na, b, nb);
        free(b);
        if (s == SIZE_MAX)
            continue;
        /* insertion into a short sorted list; ties keep candidate order */
        size_t pos = n_best;
        while (pos > 0 && best_s[pos - 1] > s)
            pos--;
        if (pos >= MAX_SUGGEST)
            continue;
        size_t last = n_best < MAX_SUGGEST ? n_best : MAX_SUGGEST - 1;
        for (size_t k = last; k > pos; k--) {
            best_i[k] = best_i[k - 1];
            best_s[k] = best_s[k - 1];
        }
        best_i[pos] = i;
        best_s[pos] = s;
        if (n_best < MAX_SUGGEST)
            n_best++;
    }
    free(a);
    if (n_best == 0)
        return NULL;
    struct nl_buf b;
    nl_buf_init(&b, 0);
    for (size_t k = 0; k < n_best; k++) {
        char *safe = nl_term_name(candidates[best_i[k]]);
        const char *sep = k == 0 ? "" : k + 1 == n_best ? " or " : ", ";
        nl_buf_appendf(&b, NULL, "%s'%s'", sep, safe);
        free(safe);
    }
    return nl_buf_steal(&b);
}

/* ---- resolution ------------------------------------------------------------------------- */

struct idx_set {
    bool *in;
    size_t n;
};

static void report_unknown(struct nl_buf *msg, size_t *n_unknown, const char *what,
                           const char *name, const char *const *cands, size_t n_cands)
{
    char *safe = nl_term_name(name);
    char *sugg = ops_suggest(name, cands, n_cands);
    nl_buf_appendf(msg, NULL, "%s%s '%s' (%s%s%s)", *n_unknown ? "; " : "", what, safe,
                   sugg ? "did you mean " : "no close match", sugg ? sugg : "", sugg ? "?" : "");
    free(safe);
    free(sugg);
    (*n_unknown)++;
}

/* Exact name first, then the unique host whose name starts with "name." (short host names). */
static ssize_t find_host(const struct nl_lab *lab, const char *name)
{
    ssize_t found = -1;
    size_t len = strlen(name);
    for (size_t i = 0; i < lab->n_hosts; i++)
        if (lab->hosts[i].name && strcmp(lab->hosts[i].name, name) == 0)
            return (ssize_t)i;
    if (len == 0)
        return -1;
    for (size_t i = 0; i < lab->n_hosts; i++) {
        const char *h = lab->hosts[i].name;
        if (h && strncmp(h, name, len) == 0 && h[len] == '.') {
            if (found >= 0)
                return -1; /* ambiguous short name: let the suggestions list them */
            found = (ssize_t)i;
        }
    }
    return found;
}

static bool vm_is_hypervisor(const struct nl_vm *vm)
{
    return vm->role == NL_ROLE_NESTED_ESXI || vm->role == NL_ROLE_NESTED_OTHER;
}

enum nl_code ops_scope_resolve(const struct nl_lab *lab, const struct ops_scope_req *req,
                               struct ops_scope **out, struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    struct nl_buf msg;
    size_t n_unknown = 0;
    bool *host_in = NULL, *vm_in = NULL, *vm_named = NULL;
    const char **cl_names = NULL, **host_names = NULL, **vm_names = NULL;
    struct ops_scope *s = NULL;
    nl_buf_init(&msg, 0);
    *out = NULL;

    if (!req || ops_scope_req_is_empty(req)) {
        rc = NL_ERR(err, NL_ERR_USAGE, NULL,
                    "No hosts or VMs were selected; name them with --cluster, --host, "
                    "--all-physical, --all-nested, --all or VM names (an empty selection never "
                    "means everything).");
        goto cleanup;
    }
    host_in = xcalloc(lab->n_hosts + 1, sizeof(*host_in));
    vm_in = xcalloc(lab->n_vms + 1, sizeof(*vm_in));
    vm_named = xcalloc(lab->n_vms + 1, sizeof(*vm_named));
    cl_names = xcalloc(lab->n_clusters + 1, sizeof(*cl_names));
    host_names = xcalloc(lab->n_hosts + 1, sizeof(*host_names));
    vm_names = xcalloc(lab->n_vms + 1, sizeof(*vm_names));
    for (size_t i = 0; i < lab->n_clusters; i++)
        cl_names[i] = lab->clusters[i].name;
    for (size_t i = 0; i < lab->n_hosts; i++)
        host_names[i] = lab->hosts[i].name;
    for (size_t i = 0; i < lab->n_vms; i++)
        vm_names[i] = lab->vms[i].name;

    for (size_t r = 0; r < req->n_clusters; r++) {
        const char *name = req->clusters[r];
        bool found = false;
        for (size_t c = 0; c < lab->n_clusters; c++) {
            if (!lab->clusters[c].name || strcmp(lab->clusters[c].name, name) != 0)
                continue;
            found = true;
            for (size_t h = 0; h < lab->n_hosts; h++)
                if (lab->hosts[h].cluster == (ssize_t)c)
                    host_in[h] = true;
        }
        if (!found)
            report_unknown(&msg, &n_unknown, "cluster", name, cl_names, lab->n_clusters);
    }
    for (size_t r = 0; r < req->n_hosts; r++) {
        ssize_t h = find_host(lab, req->hosts[r]);
        if (h >= 0)
            host_in[h] = true;
        else
            report_unknown(&msg, &n_unknown, "host", req->hosts[r], host_names, lab->n_hosts);
    }
    for (size_t r = 0; r < req->n_vms; r++) {
        bool found = false;
        for (size_t v = 0; v < lab->n_vms; v++) {
            if (lab->vms[v].name && strcmp(lab->vms[v].name, req->vms[r]) == 0) {
                vm_named[v] = true;
                found = true;
            }
        }
        if (!found)
            report_unknown(&msg, &n_unknown, "VM", req->vms[r], vm_names, lab->n_vms);
    }
    if (n_unknown) {
        rc = NL_ERR(err, NL_ERR_NOT_FOUND, NULL, "%s not found in '%s': %s.",
                    n_unknown == 1 ? "A name was" : "Some names were",
                    lab->endpoint ? lab->endpoint : "the lab", msg.data);
        goto cleanup;
    }
    for (size_t h = 0; h < lab->n_hosts; h++) {
        bool nested = nl_host_is_nested(&lab->hosts[h]);
        if (req->all || (req->all_physical && !nested) || (req->all_nested && nested))
            host_in[h] = true;
    }
    /* The nested-hypervisor VMs that belong to the hosts in scope: the ones running on them and
     * the ones backing them. */
    for (size_t v = 0; v < lab->n_vms; v++) {
        const struct nl_vm *vm = &lab->vms[v];
        if (!vm_is_hypervisor(vm))
            continue;
        if ((vm->host >= 0 && host_in[vm->host]) ||
            (vm->nested_host >= 0 && host_in[vm->nested_host]))
            vm_in[v] = true;
    }

    s = xcalloc(1, sizeof(*s));
    s->hosts = xcalloc(lab->n_hosts + 1, sizeof(*s->hosts));
    s->host_ids = xcalloc(lab->n_hosts + 1, sizeof(*s->host_ids));
    s->vms = xcalloc(lab->n_vms + 1, sizeof(*s->vms));
    s->vm_ids = xcalloc(lab->n_vms + 1, sizeof(*s->vm_ids));
    for (size_t h = 0; h < lab->n_hosts; h++) {
        if (host_in[h]) {
            s->host_ids[s->n_hosts] = xstrdup(lab->hosts[h].id);
            s->hosts[s->n_hosts++] = h;
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t v = 0; v < lab->n_vms; v++) {
            bool take = pass == 0 ? vm_named[v] : (vm_in[v] && !vm_named[v]);
            if (take) {
                s->vm_ids[s->n_vms] = xstrdup(lab->vms[v].id);
                s->vms[s->n_vms++] = v;
            }
        }
        if (pass == 0)
            s->n_named_vms = s->n_vms;
    }
    *out = s;
    s = NULL;

cleanup:
    ops_scope_free(&s);
    free(host_in);
    free(vm_in);
    free(vm_named);
    free(cl_names);
    free(host_names);
    free(vm_names);
    nl_buf_free(&msg);
    return rc;
}

void ops_scope_free(struct ops_scope **scope)
{
    if (!scope || !*scope)
        return;
    struct ops_scope *s = *scope;
    for (size_t i = 0; i < s->n_hosts; i++)
        free(s->host_ids[i]);
    for (size_t i = 0; i < s->n_vms; i++)
        free(s->vm_ids[i]);
    free(s->hosts);
    free(s->host_ids);
    free(s->vms);
    free(s->vm_ids);
    free(s);
    *scope = NULL;
}
