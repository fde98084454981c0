#include "backend/vsphere/vs_exec.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"
#include "backend/vsphere/vs_inventory.h"
#include "backend/vsphere/vs_xml.h"

/* ---- reading one object ------------------------------------------------------------------ */

struct retrieve_args {
    const char *type;
    const char *id;
    const char *const *paths;
};

static enum nl_code build_retrieve(xmlNode *m, void *arg, struct nl_err *err)
{
    (void)err;
    struct retrieve_args *a = arg;
    xmlNode *spec = vs_xml_add(m, "specSet", NULL);
    xmlNode *ps = vs_xml_add(spec, "propSet", NULL);
    vs_xml_add(ps, "type", a->type);
    for (const char *const *p = a->paths; *p; p++)
        vs_xml_add(ps, "pathSet", *p);
    xmlNode *os = vs_xml_add(spec, "objectSet", NULL);
    vs_xml_add_moref(os, "obj", a->type, a->id);
    vs_xml_add(m, "options", NULL);
    return NL_OK;
}

enum nl_code vs_retrieve_object(struct vs_client *c, const char *type, const char *id,
                                const char *const *paths, struct vs_reply *reply, xmlNode **props,
                                struct nl_err *err)
{
    const struct vs_service_content *sc = vs_client_service(c);
    struct retrieve_args a = {type, id, paths};
    *props = NULL;
    enum nl_code rc = vs_call(c, "RetrievePropertiesEx", sc->property_collector.type,
                              sc->property_collector.id, build_retrieve, &a, reply, err);
    if (rc != NL_OK)
        return rc;
    *props = vs_xml_child(reply->returnval, "objects");
    /* An expired session shows up inside missingSet rather than as a fault. */
    for (xmlNode *ms = vs_xml_child(*props, "missingSet"); ms; ms = vs_xml_next(ms, "missingSet")) {
        char *ft = vs_localized_fault_type(vs_xml_child(ms, "fault"));
        bool auth = ft && strcmp(ft, "NotAuthenticated") == 0;
        free(ft);
        if (auth) {
            vs_reply_clear(reply);
            *props = NULL;
            return NL_ERR(err, NL_ERR_AUTH, "NotAuthenticated",
                          "The server withheld the properties of \"%s\" because the session is "
                          "not authenticated.",
                          id);
        }
    }
    return NL_OK;
}

/* vs_retrieve_object with one re-login when the session expired. */
static enum nl_code retrieve(struct vs_client *c, const char *type, const char *id,
                             const char *const *paths, struct vs_reply *reply, xmlNode **props,
                             struct nl_err *err)
{
    unsigned gen = vs_client_session_gen(c);
    struct nl_err e = {0};
    enum nl_code rc = vs_retrieve_object(c, type, id, paths, reply, props, &e);
    if (rc == NL_ERR_AUTH && strcmp(e.detail, "NotAuthenticated") == 0) {
        if (vs_client_relogin(c, gen, err) != NL_OK)
            return NL_ERR_AUTH;
        return vs_retrieve_object(c, type, id, paths, reply, props, err);
    }
    if (rc != NL_OK && err && !nl_err_is_set(err))
        *err = e;
    return rc;
}

xmlNode *vs_object_prop(const xmlNode *objects, const char *name)
{
    for (xmlNode *ps = vs_xml_child(objects, "propSet"); ps; ps = vs_xml_next(ps, "propSet")) {
        char *n = vs_xml_child_text(ps, "name");
        bool eq = n && strcmp(n, name) == 0;
        free(n);
        if (eq)
            return vs_xml_child(ps, "val");
    }
    return NULL;
}

/* ---- tasks ------------------------------------------------------------------------------- */

enum nl_code vs_task_wait(struct vs_client *c, const char *task_id, const char *what, int timeout_s,
                          struct nl_err *err)
{
    static const char *const paths[] = {"info.state", "info.error", NULL};
    time_t end = time(NULL) + (timeout_s > 0 ? timeout_s : 600);
    long delay_ms = 100;
    for (;;) {
        struct vs_reply r;
        xmlNode *obj = NULL;
        enum nl_code rc = retrieve(c, "Task", task_id, paths, &r, &obj, err);
        if (rc != NL_OK)
            return rc;
        char *state = vs_xml_text(vs_object_prop(obj, "info.state"));
        if (state && strcmp(state, "success") == 0) {
            free(state);
            vs_reply_clear(&r);
            return NL_OK;
        }
        if (state && strcmp(state, "error") == 0) {
            xmlNode *lmf = vs_object_prop(obj, "info.error");
            char *type = vs_localized_fault_type(lmf);
            char *msg = vs_xml_child_text(lmf, "localizedMessage");
            rc = NL_ERR(err, NL_ERR_FAULT, type ? type : "TaskError",
                        "%s failed on the server with %s: \"%s\".", what,
                        type ? type : "an unnamed fault", msg ? msg : "");
            free(type);
            free(msg);
            free(state);
            vs_reply_clear(&r);
            return rc;
        }
        free(state);
        vs_reply_clear(&r);
        if (time(NULL) >= end)
            return NL_ERR(err, NL_ERR_TIMEOUT, NULL,
                          "%s did not finish in time (task \"%s\" is still running).", what,
                          task_id);
        struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
        delay_ms = delay_ms < 1000 ? delay_ms * 2 : 1000;
    }
}

/* ---- host network ------------------------------------------------------------------------ */

/* The host's HostNetworkSystem moref id (owned). */
static char *network_system(struct vs_client *c, const struct nl_host *host, struct nl_err *err)
{
    if (host->network_system)
        return xstrdup(host->network_system);
    static const char *const paths[] = {"configManager.networkSystem", NULL};
    struct vs_reply r;
    xmlNode *obj = NULL;
    if (retrieve(c, "HostSystem", host->id, paths, &r, &obj, err) != NL_OK)
        return NULL;
    struct vs_moref m;
    char *id = NULL;
    if (vs_xml_moref(vs_object_prop(obj, "configManager.networkSystem"), &m)) {
        id = xstrdup(m.id);
        vs_moref_clear(&m);
    } else {
        NL_ERR(err, NL_ERR_NOT_FOUND, NULL, "The host \"%s\" has no network system.",
               host->name ? host->name : host->id);
    }
    vs_reply_clear(&r);
    return id;
}

/* The element of a HostVirtualSwitch / HostPortGroup array whose `key_path` names `name`. */
static xmlNode *find_named(const xmlNode *array, const char *elem, const char *spec_child,
                           const char *name)
{
    for (xmlNode *n = vs_xml_child(array, elem); n; n = vs_xml_next(n, elem)) {
        const xmlNode *holder = spec_child ? vs_xml_child(n, spec_child) : n;
        char *t = vs_xml_child_text(holder, "name");
        bool eq = t && strcmp(t, name) == 0;
        free(t);
        if (eq)
            return n;
    }
    return NULL;
}

static enum nl_tri tri_child(const xmlNode *sec, const char *name)
{
    bool b;
    if (!vs_xml_parse_bool(vs_xml_child(sec, name), &b))
        return NL_TRI_UNSET;
    return b ? NL_TRI_TRUE : NL_TRI_FALSE;
}

/* Replaces the children of <security> with the three booleans in WSDL order. */
static void security_fill(xmlNode *sec, const struct nl_security *s)
{
    xmlNode *c = sec->children;
    while (c) {
        xmlNode *next = c->next;
        xmlUnlinkNode(c);
        xmlFreeNode(c);
        c = next;
    }
    if (s->promiscuous != NL_TRI_UNSET)
        vs_xml_add_bool(sec, "allowPromiscuous", s->promiscuous == NL_TRI_TRUE);
    if (s->mac_changes != NL_TRI_UNSET)
        vs_xml_add_bool(sec, "macChanges", s->mac_changes == NL_TRI_TRUE);
    if (s->forged_transmits != NL_TRI_UNSET)
        vs_xml_add_bool(sec, "forgedTransmits", s->forged_transmits == NL_TRI_TRUE);
}

/* A new child `name` of parent placed before the first of `before` present (WSDL order). */
static xmlNode *insert_before(xmlNode *parent, const char *name, const char *const *before)
{
    xmlNode *n = xmlNewNode(parent->ns, (const xmlChar *)name);
    for (const char *const *b = before; *b; b++) {
        xmlNode *at = vs_xml_child(parent, *b);
        if (at)
            return xmlAddPrevSibling(at, n);
    }
    return xmlAddChild(parent, n);
}

enum nl_code vs_vswitch_spec_build(xmlNode *parent, const xmlNode *hvs,
                                   const struct nl_security *want, struct nl_err *err)
{
    xmlNode *cur = vs_xml_child(hvs, "spec");
    if (!cur)
        return NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                      "The server did not send the current specification of the vSwitch.");
    /* Copy the whole spec: dropping bridge would strip the uplinks off the switch. */
    xmlNode *spec = xmlDocCopyNode(cur, parent->doc, 1);
    xmlAddChild(parent, spec);
    xmlSetNs(spec, parent->ns);
    xmlReconciliateNs(parent->doc, spec);
    static const char *const after_policy[] = {"mtu", NULL};
    static const char *const after_security[] = {"nicTeaming", "offloadPolicy", "shapingPolicy",
                                                 NULL};
    xmlNode *policy = vs_xml_child(spec, "policy");
    if (!policy)
        policy = insert_before(spec, "policy", after_policy);
    xmlNode *sec = vs_xml_child(policy, "security");
    if (!sec)
        sec = insert_before(policy, "security", after_security);
    struct nl_security s = {
        .promiscuous = want->promiscuous != NL_TRI_UNSET ? want->promiscuous
                                                         : tri_child(sec, "allowPromiscuous"),
        .forged_transmits = want->forged_transmits != NL_TRI_UNSET
                                ? want->forged_transmits
                                : tri_child(sec, "forgedTransmits"),
        .mac_changes =
            want->mac_changes != NL_TRI_UNSET ? want->mac_changes : tri_child(sec, "macChanges"),
    };
    security_fill(sec, &s);
    return NL_OK;
}

void vs_portgroup_spec_build(xmlNode *parent, const char *name, int vlan, const char *vswitch,
                             const xmlNode *current_pg, const struct nl_security *override)
{
    xmlNode *pg = vs_xml_add(parent, "portgrp", NULL);
    vs_xml_add(pg, "name", name);
    vs_xml_add_int(pg, "vlanId", vlan);
    vs_xml_add(pg, "vswitchName", vswitch);
    xmlNode *cur_policy = vs_xml_child(vs_xml_child(current_pg, "spec"), "policy");
    xmlNode *policy;
    if (cur_policy) {
        /* Keep the other overrides (teaming, shaping); only security is ours to replace. */
        policy = xmlDocCopyNode(cur_policy, parent->doc, 1);
        xmlAddChild(pg, policy);
        xmlSetNs(policy, pg->ns);
        xmlReconciliateNs(parent->doc, policy);
    } else {
        policy = vs_xml_add(pg, "policy", NULL);
    }
    static const char *const after_security[] = {"nicTeaming", "offloadPolicy", "shapingPolicy",
                                                 NULL};
    xmlNode *sec = vs_xml_child(policy, "security");
    bool any = override->promiscuous != NL_TRI_UNSET ||
               override->forged_transmits != NL_TRI_UNSET || override->mac_changes != NL_TRI_UNSET;
    if (!any) {
        if (sec) {
            xmlUnlinkNode(sec);
            xmlFreeNode(sec);
        }
        return;
    }
    if (!sec)
        sec = insert_before(policy, "security", after_security);
    security_fill(sec, override);
}

struct ctx {
    struct vs_client *c;
};

static const char *host_label(const struct nl_host *h)
{
    return h->name ? h->name : h->id;
}

struct vswitch_args {
    const char *name;
    const xmlNode *hvs;
    const struct nl_security *want;
};

static enum nl_code build_update_vswitch(xmlNode *m, void *arg, struct nl_err *err)
{
    struct vswitch_args *a = arg;
    vs_xml_add(m, "vswitchName", a->name);
    return vs_vswitch_spec_build(m, a->hvs, a->want, err);
}

static enum nl_code exec_set_vswitch_security(void *ctx, const struct nl_host *host,
                                              const char *vswitch, const struct nl_security *want,
                                              struct nl_err *err)
{
    struct vs_client *c = ctx;
    static const char *const paths[] = {"config.network.vswitch", NULL};
    struct vs_reply r = {0};
    xmlNode *obj = NULL;
    char *ns = network_system(c, host, err);
    if (!ns)
        return err ? err->code : NL_ERR_NOT_FOUND;
    enum nl_code rc = retrieve(c, "HostSystem", host->id, paths, &r, &obj, err);
    if (rc != NL_OK)
        goto cleanup;
    xmlNode *hvs = find_named(vs_object_prop(obj, "config.network.vswitch"), "HostVirtualSwitch",
                              NULL, vswitch);
    if (!hvs) {
        rc = NL_ERR(err, NL_ERR_NOT_FOUND, NULL, "The host \"%s\" has no vSwitch \"%s\".",
                    host_label(host), vswitch);
        goto cleanup;
    }
    struct vswitch_args a = {vswitch, hvs, want};
    rc = vs_call(c, "UpdateVirtualSwitch", "HostNetworkSystem", ns, build_update_vswitch, &a, NULL,
                 err);
cleanup:
    vs_reply_clear(&r);
    free(ns);
    return rc;
}

struct pg_args {
    const char *name;
    int vlan;
    const char *vswitch;
    const xmlNode *current;
    const struct nl_security *override;
};

static enum nl_code build_add_pg(xmlNode *m, void *arg, struct nl_err *err)
{
    (void)err;
    struct pg_args *a = arg;
    xmlNode *pg = vs_xml_add(m, "portgrp", NULL);
    vs_xml_add(pg, "name", a->name);
    vs_xml_add_int(pg, "vlanId", a->vlan);
    vs_xml_add(pg, "vswitchName", a->vswitch);
    vs_xml_add(pg, "policy", NULL); /* no overrides: inherit the vSwitch's policy */
    return NL_OK;
}

static enum nl_code check_vlan(int vlan, const char *pg, struct nl_err *err)
{
    if (vlan < 0 || vlan > 4095)
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "The VLAN %d for port group \"%s\" is outside 0..4095.", vlan, pg);
    return NL_OK;
}

static enum nl_code exec_add_portgroup(void *ctx, const struct nl_host *host, const char *vswitch,
                                       const char *pg, int vlan, struct nl_err *err)
{
    struct vs_client *c = ctx;
    if (check_vlan(vlan, pg, err) != NL_OK)
        return NL_ERR_USAGE;
    char *ns = network_system(c, host, err);
    if (!ns)
        return err ? err->code : NL_ERR_NOT_FOUND;
    struct pg_args a = {.name = pg, .vlan = vlan, .vswitch = vswitch};
    enum nl_code rc =
        vs_call(c, "AddPortGroup", "HostNetworkSystem", ns, build_add_pg, &a, NULL, err);
    free(ns);
    return rc;
}

static enum nl_code build_remove_pg(xmlNode *m, void *arg, struct nl_err *err)
{
    (void)err;
    const struct pg_args *a = arg;
    vs_xml_add(m, "pgName", a->name);
    return NL_OK;
}

static enum nl_code exec_remove_portgroup(void *ctx, const struct nl_host *host,
                                          const char *vswitch, const char *pg, struct nl_err *err)
{
    (void)vswitch;
    struct vs_client *c = ctx;
    char *ns = network_system(c, host, err);
    if (!ns)
        return err ? err->code : NL_ERR_NOT_FOUND;
    struct pg_args a = {.name = pg};
    enum nl_code rc =
        vs_call(c, "RemovePortGroup", "HostNetworkSystem", ns, build_remove_pg, &a, NULL, err);
    free(ns);
    return rc;
}

static enum nl_code build_update_pg(xmlNode *m, void *arg, struct nl_err *err)
{
    (void)err;
    struct pg_args *a = arg;
    vs_xml_add(m, "pgName", a->name);
    vs_portgroup_spec_build(m, a->name, a->vlan, a->vswitch, a->current, a->override);
    return NL_OK;
}

static enum nl_code exec_set_portgroup(void *ctx, const struct nl_host *host, const char *pg,
                                       int vlan, const struct nl_security *override,
                                       struct nl_err *err)
{
    struct vs_client *c = ctx;
    static const char *const paths[] = {"config.network.portgroup", NULL};
    struct vs_reply r = {0};
    xmlNode *obj = NULL;
    char *vswitch = NULL;
    if (check_vlan(vlan, pg, err) != NL_OK)
        return NL_ERR_USAGE;
    char *ns = network_system(c, host, err);
    if (!ns)
        return err ? err->code : NL_ERR_NOT_FOUND;
    enum nl_code rc = retrieve(c, "HostSystem", host->id, paths, &r, &obj, err);
    if (rc != NL_OK)
        goto cleanup;
    xmlNode *cur =
        find_named(vs_object_prop(obj, "config.network.portgroup"), "HostPortGroup", "spec", pg);
    if (!cur) {
        rc = NL_ERR(err, NL_ERR_NOT_FOUND, NULL, "The host \"%s\" has no port group \"%s\".",
                    host_label(host), pg);
        goto cleanup;
    }
    vswitch = vs_xml_child_text(vs_xml_child(cur, "spec"), "vswitchName");
    struct pg_args a = {pg, vlan, vswitch ? vswitch : "", cur, override};
    rc = vs_call(c, "UpdatePortGroup", "HostNetworkSystem", ns, build_update_pg, &a, NULL, err);
cleanup:
    free(vswitch);
    vs_reply_clear(&r);
    free(ns);
    return rc;
}

/* ---- VMs --------------------------------------------------------------------------------- */

static enum nl_code build_reconfig_hv(xmlNode *m, void *arg, struct nl_err *err)
{
    (void)err;
    xmlNode *spec = vs_xml_add(m, "spec", NULL);
    vs_xml_add_bool(spec, "nestedHVEnabled", *(const bool *)arg);
    return NL_OK;
}

static enum nl_code run_task(struct vs_client *c, const char *method, const struct nl_vm *vm,
                             vs_build_fn build, void *arg, const char *what, struct nl_err *err)
{
    struct vs_reply r;
    struct vs_moref task;
    enum nl_code rc = vs_call(c, method, "VirtualMachine", vm->id, build, arg, &r, err);
    if (rc != NL_OK)
        return rc;
    if (!vs_xml_moref(r.returnval, &task)) {
        vs_reply_clear(&r);
        return NL_ERR(err, NL_ERR_PROTOCOL, NULL, "The server answered %s without a task.", method);
    }
    vs_reply_clear(&r);
    rc = vs_task_wait(c, task.id, what, 0, err);
    vs_moref_clear(&task);
    return rc;
}

static enum nl_code exec_set_nested_hv(void *ctx, const struct nl_host *host,
                                       const struct nl_vm *vm, bool on, struct nl_err *err)
{
    (void)host;
    char what[300];
    snprintf(what, sizeof what, "Turning nested hardware virtualization %s for VM \"%.200s\"",
             on ? "on" : "off", vm->name ? vm->name : vm->id);
    return run_task(ctx, "ReconfigVM_Task", vm, build_reconfig_hv, &on, what, err);
}

static enum nl_code exec_set_power(void *ctx, const struct nl_host *host, const struct nl_vm *vm,
                                   bool on, struct nl_err *err)
{
    (void)host;
    char what[300];
    snprintf(what, sizeof what, "Powering %s VM \"%.200s\"", on ? "on" : "off",
             vm->name ? vm->name : vm->id);
    return run_task(ctx, on ? "PowerOnVM_Task" : "PowerOffVM_Task", vm, NULL, NULL, what, err);
}

static struct nl_lab *exec_reread(void *ctx, const struct nl_lab *current, struct nl_err *err)
{
    return vs_inventory_fetch(ctx, current && current->endpoint ? current->endpoint : "vcenter",
                              err);
}

void vs_exec_bind(struct ops_executor *e, struct vs_client *c)
{
    memset(e, 0, sizeof *e);
    e->transport = "vcenter";
    e->ctx = c;
    e->set_vswitch_security = exec_set_vswitch_security;
    e->add_portgroup = exec_add_portgroup;
    e->remove_portgroup = exec_remove_portgroup;
    e->set_portgroup = exec_set_portgroup;
    e->set_nested_hv = exec_set_nested_hv;
    e->set_power = exec_set_power;
    e->reread = exec_reread;
}
