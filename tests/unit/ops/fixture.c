#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/buf.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/plan.h"
#include "backend/ops/plan_util.h"
#include "backend/ops/scope.h"

static void sec(struct nl_security *s, enum nl_tri p, enum nl_tri f, enum nl_tri m)
{
    s->promiscuous = p;
    s->forged_transmits = f;
    s->mac_changes = m;
}

static struct nl_host *host(struct nl_lab *lab, const char *id, const char *name,
                            const char *cluster)
{
    struct nl_host *h = nl_lab_add_host(lab, id);
    xstrset(&h->name, name);
    xstrset(&h->cluster_id, cluster);
    xstrset(&h->datacenter_id, "dc-1");
    h->connection = NL_CONN_CONNECTED;
    return h;
}

static struct nl_vswitch *vswitch0(struct nl_host *h, enum nl_tri p)
{
    struct nl_vswitch *vs = nl_host_add_vswitch(h, "vSwitch0");
    vs->num_ports = 128;
    vs->mtu = 1500;
    nl_vswitch_add_uplink(vs, "vmnic0");
    sec(&vs->security, p, NL_TRI_TRUE, NL_TRI_TRUE);
    struct nl_portgroup *pg = nl_host_add_portgroup(h, "Management Network", "vSwitch0");
    pg->vlan = 0;
    return vs;
}

static struct nl_vm *vm(struct nl_lab *lab, const char *id, const char *name, const char *host_id,
                        int hw, enum nl_tri nested, enum nl_power power, const char *guest)
{
    struct nl_vm *v = nl_lab_add_vm(lab, id);
    xstrset(&v->name, name);
    xstrset(&v->host_id, host_id);
    v->hw_version = hw;
    v->nested_hv = nested;
    v->power = power;
    xstrset(&v->guest_id, guest);
    return v;
}

struct nl_lab *fx_lab_small(void)
{
    struct nl_lab *lab = nl_lab_new("vc-test");
    struct nl_datacenter *dc = nl_lab_add_datacenter(lab, "dc-1");
    xstrset(&dc->name, "Lab");
    struct nl_cluster *c = nl_lab_add_cluster(lab, "domain-c1");
    xstrset(&c->name, "Physical");
    xstrset(&c->datacenter_id, "dc-1");
    c = nl_lab_add_cluster(lab, "domain-c2");
    xstrset(&c->name, "Nested-A");
    xstrset(&c->datacenter_id, "dc-1");

    struct nl_host *h = host(lab, "host-1", "esx-p01.lab.invalid", "domain-c1");
    vswitch0(h, NL_TRI_FALSE);
    h = host(lab, "host-2", "esx-p02.lab.invalid", "domain-c1");
    vswitch0(h, NL_TRI_TRUE);
    struct nl_portgroup *pg = nl_host_add_portgroup(h, "Trunk", "vSwitch0");
    pg->vlan = 4095;
    h = host(lab, "host-3", "esx-p03.lab.invalid", "domain-c1");
    vswitch0(h, NL_TRI_FALSE);
    pg = nl_host_add_portgroup(h, "Trunk", "vSwitch0");
    pg->vlan = 100;
    pg->override.promiscuous = NL_TRI_FALSE;
    h = host(lab, "host-11", "esx-n01.lab.invalid", "domain-c2");
    xstrset(&h->bios_uuid, "4211aaaa-0000-0000-0000-000000000001");
    vswitch0(h, NL_TRI_FALSE);
    h = host(lab, "host-12", "esx-n02.lab.invalid", "domain-c2");
    xstrset(&h->bios_uuid, "4211aaaa-0000-0000-0000-000000000002");
    vswitch0(h, NL_TRI_FALSE);
    h->connection = NL_CONN_NOT_RESPONDING;

    struct nl_vm *v =
        vm(lab, "vm-1", "n-esx01", "host-1", 10, NL_TRI_FALSE, NL_POWER_OFF, "vmkernel65Guest");
    xstrset(&v->uuid, "4211aaaa-0000-0000-0000-000000000001");
    v = vm(lab, "vm-2", "n-esx02", "host-1", 10, NL_TRI_FALSE, NL_POWER_ON, "vmkernel65Guest");
    xstrset(&v->uuid, "4211aaaa-0000-0000-0000-000000000002");
    vm(lab, "vm-3", "n-esx03", "host-2", 8, NL_TRI_FALSE, NL_POWER_OFF, "vmkernel65Guest");
    vm(lab, "vm-4", "kvm01", "host-2", 13, NL_TRI_TRUE, NL_POWER_ON, "otherLinux64Guest");
    vm(lab, "vm-5", "web01", "host-11", 13, NL_TRI_UNSET, NL_POWER_ON, "otherLinux64Guest");
    nl_lab_link(lab);
    return lab;
}

struct nl_lab *fx_lab_many(size_t n)
{
    struct nl_lab *lab = nl_lab_new("vc-big");
    struct nl_cluster *c = nl_lab_add_cluster(lab, "domain-c1");
    xstrset(&c->name, "Big");
    for (size_t i = 0; i < n; i++) {
        char id[32], name[64];
        snprintf(id, sizeof(id), "host-%zu", i + 1);
        snprintf(name, sizeof(name), "esx-%03zu.lab.invalid", i + 1);
        vswitch0(host(lab, id, name, "domain-c1"), NL_TRI_FALSE);
    }
    nl_lab_link(lab);
    return lab;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *fx_lab_state(const struct nl_lab *lab)
{
    char **lines = NULL;
    size_t n = 0;
    for (size_t i = 0; i < lab->n_hosts; i++) {
        const struct nl_host *h = &lab->hosts[i];
        for (size_t v = 0; v < h->n_vswitches; v++) {
            const struct nl_vswitch *vs = &h->vswitches[v];
            lines = xrealloc(lines, (n + 1) * sizeof(*lines));
            lines[n++] = xasprintf("%s vs %s %s/%s/%s", h->name, vs->name,
                                   ops_flag_word(vs->security.promiscuous),
                                   ops_flag_word(vs->security.forged_transmits),
                                   ops_flag_word(vs->security.mac_changes));
        }
        for (size_t p = 0; p < h->n_portgroups; p++) {
            const struct nl_portgroup *pg = &h->portgroups[p];
            lines = xrealloc(lines, (n + 1) * sizeof(*lines));
            lines[n++] = xasprintf("%s pg %s on %s vlan %d %s/%s/%s", h->name, pg->name,
                                   pg->vswitch, pg->vlan, ops_flag_word(pg->override.promiscuous),
                                   ops_flag_word(pg->override.forged_transmits),
                                   ops_flag_word(pg->override.mac_changes));
        }
    }
    for (size_t i = 0; i < lab->n_vms; i++) {
        const struct nl_vm *v = &lab->vms[i];
        lines = xrealloc(lines, (n + 1) * sizeof(*lines));
        lines[n++] =
            xasprintf("vm %s power %s nested %s", v->name, nl_power_name(v->power),
                      ops_onoff_word(v->nested_hv == NL_TRI_TRUE ? NL_TRI_TRUE : NL_TRI_FALSE));
    }
    if (n > 1) /* qsort needs a non-null array, even of no element */
        qsort(lines, n, sizeof(*lines), cmp_str);
    struct nl_buf b;
    nl_buf_init(&b, 0);
    for (size_t i = 0; i < n; i++) {
        nl_buf_appendf(&b, NULL, "%s\n", lines[i]);
        free(lines[i]);
    }
    free(lines);
    return nl_buf_steal(&b);
}

/* ---- the fake executor ------------------------------------------------------------------ */

static bool should_fail(struct fake_exec *f, const char *call)
{
    for (size_t i = 0; i < f->n_fail; i++)
        if (strcmp(f->fail[i], call) == 0)
            return true;
    return false;
}

/* Records the call, tracks concurrency, sleeps the injected latency. Returns NL_OK or the
 * injected failure. The lock is NOT held on return. */
static enum nl_code enter(struct fake_exec *f, const struct nl_host *h, const char *method,
                          const char *name, struct nl_err *err)
{
    char *call = xasprintf("%s %s", method, name);
    pthread_mutex_lock(&f->lock);
    f->calls = xrealloc(f->calls, (f->n_calls + 1) * sizeof(*f->calls));
    f->calls[f->n_calls++] = call;
    f->in_flight++;
    if (f->in_flight > f->max_in_flight)
        f->max_in_flight = f->in_flight;
    size_t slot = 0;
    for (size_t i = 0; i < 256; i++)
        if (f->busy[i] && strcmp(f->busy[i], h->id) == 0)
            f->same_host_overlap = true;
    for (slot = 0; slot < 256 && f->busy[slot]; slot++)
        ;
    if (slot < 256)
        f->busy[slot] = xstrdup(h->id);
    bool fail = should_fail(f, call);
    pthread_mutex_unlock(&f->lock);
    if (f->delay_ms > 0) {
        struct timespec ts = {f->delay_ms / 1000, (long)(f->delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    pthread_mutex_lock(&f->lock);
    f->in_flight--;
    if (slot < 256) {
        free(f->busy[slot]);
        f->busy[slot] = NULL;
    }
    pthread_mutex_unlock(&f->lock);
    if (fail)
        return NL_ERR(err, NL_ERR_FAULT, "HostConfigFault",
                      "The server refused '%s' with HostConfigFault.", call);
    return NL_OK;
}

static struct nl_host *server_host(struct fake_exec *f, const struct nl_host *h)
{
    if (f->lie_host && strcmp(h->name, f->lie_host) == 0)
        return NULL;
    return nl_lab_find_host(f->lab, h->id);
}

static enum nl_code f_security(void *ctx, const struct nl_host *h, const char *vswitch,
                               const struct nl_security *want, struct nl_err *err)
{
    struct fake_exec *f = ctx;
    if (enter(f, h, "set_vswitch_security", h->name, err) != NL_OK)
        return err->code;
    enum nl_code rc = NL_OK;
    pthread_mutex_lock(&f->lock);
    struct nl_host *sh = server_host(f, h);
    struct nl_vswitch *vs = sh ? nl_host_find_vswitch(sh, vswitch) : NULL;
    if (sh && !vs) {
        rc = NL_ERR(err, NL_ERR_FAULT, "NotFound", "No vSwitch '%s'.", vswitch);
    } else if (vs) {
        if (want->promiscuous != NL_TRI_UNSET)
            vs->security.promiscuous = want->promiscuous;
        if (want->forged_transmits != NL_TRI_UNSET)
            vs->security.forged_transmits = want->forged_transmits;
        if (want->mac_changes != NL_TRI_UNSET)
            vs->security.mac_changes = want->mac_changes;
        nl_lab_link(f->lab);
    }
    pthread_mutex_unlock(&f->lock);
    return rc;
}

static enum nl_code f_add_pg(void *ctx, const struct nl_host *h, const char *vswitch,
                             const char *pg, int vlan, struct nl_err *err)
{
    struct fake_exec *f = ctx;
    if (enter(f, h, "add_portgroup", h->name, err) != NL_OK)
        return err->code;
    enum nl_code rc = NL_OK;
    pthread_mutex_lock(&f->lock);
    struct nl_host *sh = server_host(f, h);
    if (sh && nl_host_find_portgroup(sh, pg)) {
        rc = NL_ERR(err, NL_ERR_FAULT, "AlreadyExists", "Port group '%s' exists.", pg);
    } else if (sh) {
        struct nl_portgroup *p = nl_host_add_portgroup(sh, pg, vswitch);
        p->vlan = vlan;
        nl_lab_link(f->lab);
    }
    pthread_mutex_unlock(&f->lock);
    return rc;
}

static enum nl_code f_remove_pg(void *ctx, const struct nl_host *h, const char *vswitch,
                                const char *pg, struct nl_err *err)
{
    struct fake_exec *f = ctx;
    if (enter(f, h, "remove_portgroup", h->name, err) != NL_OK)
        return err->code;
    enum nl_code rc = NL_OK;
    pthread_mutex_lock(&f->lock);
    struct nl_host *sh = server_host(f, h);
    struct nl_portgroup *p = sh ? nl_host_find_portgroup(sh, pg) : NULL;
    if (sh && !p) {
        rc = NL_ERR(err, NL_ERR_FAULT, "NotFound", "No port group '%s'.", pg);
    } else if (p) {
        size_t i = (size_t)(p - sh->portgroups);
        free(p->name);
        free(p->vswitch);
        memmove(&sh->portgroups[i], &sh->portgroups[i + 1],
                (sh->n_portgroups - i - 1) * sizeof(*p));
        sh->n_portgroups--;
        nl_lab_link(f->lab);
    }
    pthread_mutex_unlock(&f->lock);
    return rc;
}

static enum nl_code f_set_pg(void *ctx, const struct nl_host *h, const char *pg, int vlan,
                             const struct nl_security *ov, struct nl_err *err)
{
    struct fake_exec *f = ctx;
    if (enter(f, h, "set_portgroup", h->name, err) != NL_OK)
        return err->code;
    enum nl_code rc = NL_OK;
    pthread_mutex_lock(&f->lock);
    struct nl_host *sh = server_host(f, h);
    struct nl_portgroup *p = sh ? nl_host_find_portgroup(sh, pg) : NULL;
    if (sh && !p) {
        rc = NL_ERR(err, NL_ERR_FAULT, "NotFound", "No port group '%s'.", pg);
    } else if (p) {
        p->vlan = vlan;
        p->override = *ov;
        nl_lab_link(f->lab);
    }
    pthread_mutex_unlock(&f->lock);
    return rc;
}

static enum nl_code f_nested(void *ctx, const struct nl_host *h, const struct nl_vm *vm, bool on,
                             struct nl_err *err)
{
    struct fake_exec *f = ctx;
    if (enter(f, h, "set_nested_hv", vm->name, err) != NL_OK)
        return err->code;
    enum nl_code rc = NL_OK;
    pthread_mutex_lock(&f->lock);
    struct nl_vm *sv = nl_lab_find_vm(f->lab, vm->id);
    if (!sv)
        rc = NL_ERR(err, NL_ERR_NOT_FOUND, NULL, "No VM '%s'.", vm->name);
    else if (sv->power != NL_POWER_OFF)
        rc =
            NL_ERR(err, NL_ERR_STATE, "InvalidPowerState", "VM '%s' is not powered off.", vm->name);
    else
        sv->nested_hv = on ? NL_TRI_TRUE : NL_TRI_FALSE;
    pthread_mutex_unlock(&f->lock);
    return rc;
}

static enum nl_code f_power(void *ctx, const struct nl_host *h, const struct nl_vm *vm, bool on,
                            struct nl_err *err)
{
    struct fake_exec *f = ctx;
    if (enter(f, h, on ? "power_on" : "power_off", vm->name, err) != NL_OK)
        return err->code;
    pthread_mutex_lock(&f->lock);
    struct nl_vm *sv = nl_lab_find_vm(f->lab, vm->id);
    if (sv)
        sv->power = on ? NL_POWER_ON : NL_POWER_OFF;
    pthread_mutex_unlock(&f->lock);
    return sv ? NL_OK : NL_ERR(err, NL_ERR_NOT_FOUND, NULL, "No VM '%s'.", vm->name);
}

static struct nl_lab *f_reread(void *ctx, const struct nl_lab *current, struct nl_err *err)
{
    struct fake_exec *f = ctx;
    (void)current;
    if (f->reread_fails) {
        NL_ERR(err, NL_ERR_CONNECT, NULL, "Could not connect to 'vc-test' to re-read the lab.");
        return NULL;
    }
    pthread_mutex_lock(&f->lock);
    struct nl_lab *copy = nl_lab_clone(f->lab);
    pthread_mutex_unlock(&f->lock);
    nl_lab_link(copy);
    return copy;
}

void fake_init(struct fake_exec *f, const struct nl_lab *lab)
{
    memset(f, 0, sizeof(*f));
    pthread_mutex_init(&f->lock, NULL);
    f->lab = nl_lab_clone(lab);
    nl_lab_link(f->lab);
    f->ex.transport = "fake";
    f->ex.ctx = f;
    f->ex.set_vswitch_security = f_security;
    f->ex.add_portgroup = f_add_pg;
    f->ex.remove_portgroup = f_remove_pg;
    f->ex.set_portgroup = f_set_pg;
    f->ex.set_nested_hv = f_nested;
    f->ex.set_power = f_power;
    f->ex.reread = f_reread;
}

void fake_free(struct fake_exec *f)
{
    nl_lab_free(&f->lab);
    for (size_t i = 0; i < f->n_calls; i++)
        free(f->calls[i]);
    free(f->calls);
    pthread_mutex_destroy(&f->lock);
}

size_t fake_count(struct fake_exec *f, const char *prefix)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n_calls; i++)
        n += strncmp(f->calls[i], prefix, strlen(prefix)) == 0;
    return n;
}

long fake_find(struct fake_exec *f, const char *s)
{
    for (size_t i = 0; i < f->n_calls; i++)
        if (strcmp(f->calls[i], s) == 0)
            return (long)i;
    return -1;
}

struct ops_scope *fx_scope(const struct nl_lab *lab, const char *cluster)
{
    struct ops_scope_req req;
    struct ops_scope *s = NULL;
    struct nl_err err = {0};
    ops_scope_req_init(&req);
    if (cluster)
        ops_scope_req_add_cluster(&req, cluster);
    else
        req.all = true;
    ops_scope_resolve(lab, &req, &s, &err);
    ops_scope_req_clear(&req);
    return s;
}

struct ops_plan *fx_security_plan(const struct nl_lab *lab, const char *cluster)
{
    struct ops_scope *sc = fx_scope(lab, cluster);
    struct ops_intent in;
    struct ops_plan *p = NULL;
    struct nl_err err = {0};
    ops_intent_init(&in, OPS_INTENT_SECURITY);
    in.security.vswitch = "vSwitch0";
    in.security.want.promiscuous = NL_TRI_TRUE;
    in.security.want.forged_transmits = NL_TRI_TRUE;
    in.security.want.mac_changes = NL_TRI_TRUE;
    if (ops_plan_new(lab, sc, &in, &p, &err) != NL_OK)
        fprintf(stderr, "plan: %s\n", err.message);
    ops_scope_free(&sc);
    return p;
}
