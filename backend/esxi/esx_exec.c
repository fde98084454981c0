#include "backend/esxi/esx_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"
#include "backend/esxi/esx_lab.h"
#include "backend/esxi/esx_vimcmd.h"
#include "backend/esxi/esx_vmx.h"

struct argv_b {
    char **v;
    size_t n, cap;
};

static void argv_push(struct argv_b *a, char *owned)
{
    a->v = xgrow(a->v, &a->cap, a->n + 2, sizeof(*a->v));
    a->v[a->n++] = owned;
    a->v[a->n] = NULL;
}

static void argv_base(struct argv_b *a, const char *const *words)
{
    for (; *words; words++)
        argv_push(a, xstrdup(*words));
}

void esx_argv_free(char ***pargv)
{
    char **v = pargv ? *pargv : NULL;
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
    *pargv = NULL;
}

static const char *tf(enum nl_tri t)
{
    return t == NL_TRI_TRUE ? "true" : "false";
}

static int push_security(struct argv_b *a, const struct nl_security *s)
{
    int set = 0;
    if (s && s->promiscuous != NL_TRI_UNSET) {
        argv_push(a, xasprintf("--allow-promiscuous=%s", tf(s->promiscuous)));
        set++;
    }
    if (s && s->forged_transmits != NL_TRI_UNSET) {
        argv_push(a, xasprintf("--allow-forged-transmits=%s", tf(s->forged_transmits)));
        set++;
    }
    if (s && s->mac_changes != NL_TRI_UNSET) {
        argv_push(a, xasprintf("--allow-mac-change=%s", tf(s->mac_changes)));
        set++;
    }
    return set;
}

char **esx_argv_vswitch_security(const char *vswitch, const struct nl_security *want)
{
    struct argv_b a = {0};
    argv_base(&a, (const char *[]){"esxcli", "network", "vswitch", "standard", "policy", "security",
                                   "set", NULL});
    argv_push(&a, xasprintf("--vswitch-name=%s", vswitch));
    if (push_security(&a, want) == 0)
        esx_argv_free(&a.v);
    return a.v;
}

char **esx_argv_portgroup_security(const char *pg, const struct nl_security *override,
                                   bool use_vswitch)
{
    struct argv_b a = {0};
    argv_base(&a, (const char *[]){"esxcli", "network", "vswitch", "standard", "portgroup",
                                   "policy", "security", "set", NULL});
    argv_push(&a, xasprintf("--portgroup-name=%s", pg));
    if (use_vswitch)
        argv_push(&a, xstrdup("--use-vswitch"));
    else if (push_security(&a, override) == 0)
        esx_argv_free(&a.v);
    return a.v;
}

/* Runs argv on the host and turns a non-zero exit status into an error quoting the host's own
 * words (esxcli prints "Error: ..." on stderr, vim-cmd prints faults on stdout). */
static enum nl_code run_checked(struct esx_pool *pool, const struct nl_host *host,
                                const char *const *argv, const char *what, struct esx_result *keep,
                                struct nl_err *err)
{
    struct esx_target t = esx_pool_target(pool, host);
    struct esx_result res;
    enum nl_code rc = esx_pool_run(pool, &t, argv, &res, err);
    if (rc)
        return rc;
    char fault[64], msg[256];
    if (res.exit_status != 0 || esx_vim_fault(res.out, fault, sizeof(fault), msg, sizeof(msg))) {
        const char *text = res.err_len ? res.err : res.out;
        size_t l = strcspn(text, "\n");
        if (esx_vim_fault(res.out, fault, sizeof(fault), msg, sizeof(msg))) {
            rc = NL_ERR(err, esx_vim_fault_code(fault), fault,
                        "%s on host \"%s\" failed with %s: %s", what, t.name, fault, msg);
        } else if (strstr(text, "not found") && strncmp(text, "sh:", 3) == 0) {
            rc = NL_ERR(err, NL_ERR_NOT_FOUND, "command", "%s on host \"%s\" failed: %.*s", what,
                        t.name, (int)(l > 300 ? 300 : l), text);
        } else if (strstr(text, "Unable to find") || strstr(text, "not found")) {
            rc = NL_ERR(err, NL_ERR_NOT_FOUND, NULL, "%s on host \"%s\" failed: %.*s", what, t.name,
                        (int)(l > 300 ? 300 : l), text);
        } else {
            rc = NL_ERR(err, NL_ERR_FAULT, "command",
                        "%s on host \"%s\" failed (exit status %d): %.*s", what, t.name,
                        res.exit_status, (int)(l > 300 ? 300 : l), l ? text : "no error text");
        }
    }
    if (keep && rc == NL_OK)
        *keep = res;
    else
        esx_result_clear(&res);
    return rc;
}

static enum nl_code x_set_vswitch_security(void *ctx, const struct nl_host *host,
                                           const char *vswitch, const struct nl_security *want,
                                           struct nl_err *err)
{
    char **argv = esx_argv_vswitch_security(vswitch, want);
    if (!argv)
        return NL_OK; /* nothing to change */
    char *what = xasprintf("Setting the security policy of vSwitch \"%s\"", vswitch);
    enum nl_code rc = run_checked(ctx, host, (const char *const *)argv, what, NULL, err);
    free(what);
    esx_argv_free(&argv);
    return rc;
}

static enum nl_code set_vlan(struct esx_pool *pool, const struct nl_host *host, const char *pg,
                             int vlan, struct nl_err *err)
{
    if (vlan < 0 || vlan > 4095)
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "VLAN %d for port group \"%s\" is outside 0 to 4095.", vlan, pg);
    char *name = xasprintf("--portgroup-name=%s", pg);
    char *id = xasprintf("--vlan-id=%d", vlan);
    char *what = xasprintf("Setting VLAN %d on port group \"%s\"", vlan, pg);
    enum nl_code rc = run_checked(pool, host,
                                  (const char *[]){"esxcli", "network", "vswitch", "standard",
                                                   "portgroup", "set", name, id, NULL},
                                  what, NULL, err);
    free(name);
    free(id);
    free(what);
    return rc;
}

static enum nl_code x_add_portgroup(void *ctx, const struct nl_host *host, const char *vswitch,
                                    const char *pg, int vlan, struct nl_err *err)
{
    if (vlan < -1 || vlan > 4095)
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "VLAN %d for port group \"%s\" is outside 0 to 4095.", vlan, pg);
    char *name = xasprintf("--portgroup-name=%s", pg);
    char *vs = xasprintf("--vswitch-name=%s", vswitch);
    char *what = xasprintf("Adding port group \"%s\" to vSwitch \"%s\"", pg, vswitch);
    enum nl_code rc = run_checked(ctx, host,
                                  (const char *[]){"esxcli", "network", "vswitch", "standard",
                                                   "portgroup", "add", name, vs, NULL},
                                  what, NULL, err);
    free(name);
    free(vs);
    free(what);
    if (rc == NL_OK && vlan > 0)
        rc = set_vlan(ctx, host, pg, vlan, err);
    return rc;
}

static enum nl_code x_remove_portgroup(void *ctx, const struct nl_host *host, const char *vswitch,
                                       const char *pg, struct nl_err *err)
{
    char *name = xasprintf("--portgroup-name=%s", pg);
    char *vs = xasprintf("--vswitch-name=%s", vswitch);
    char *what = xasprintf("Removing port group \"%s\" from vSwitch \"%s\"", pg, vswitch);
    enum nl_code rc = run_checked(ctx, host,
                                  (const char *[]){"esxcli", "network", "vswitch", "standard",
                                                   "portgroup", "remove", name, vs, NULL},
                                  what, NULL, err);
    free(name);
    free(vs);
    free(what);
    return rc;
}

static enum nl_code x_set_portgroup(void *ctx, const struct nl_host *host, const char *pg, int vlan,
                                    const struct nl_security *override, struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    if (vlan >= 0)
        rc = set_vlan(ctx, host, pg, vlan, err);
    char *what = xasprintf("Setting the security overrides of port group \"%s\"", pg);
    /* Clear every override first, then set the wanted ones: the result is exactly `override`. */
    char **argv = rc ? NULL : esx_argv_portgroup_security(pg, NULL, true);
    if (argv)
        rc = run_checked(ctx, host, (const char *const *)argv, what, NULL, err);
    esx_argv_free(&argv);
    argv = rc ? NULL : esx_argv_portgroup_security(pg, override, false);
    if (argv)
        rc = run_checked(ctx, host, (const char *const *)argv, what, NULL, err);
    esx_argv_free(&argv);
    free(what);
    return rc;
}

/* The VM's vim-cmd id and .vmx path: from the model when it was read over SSH, else looked up by
 * name in getallvms (a VM known only from vCenter). */
static enum nl_code vm_locate(struct esx_pool *pool, const struct nl_host *host,
                              const struct nl_vm *vm, int *vmid, char **vmx_path,
                              struct nl_err *err)
{
    *vmid = vm->vmid;
    *vmx_path = xstrdup(vm->vmx_path);
    if (*vmid > 0 && *vmx_path)
        return NL_OK;
    struct esx_result res;
    enum nl_code rc = run_checked(pool, host, (const char *[]){"vim-cmd", "vmsvc/getallvms", NULL},
                                  "Listing the VMs", &res, err);
    if (rc)
        return rc;
    struct esx_vm_list *list = NULL;
    rc = esx_getallvms_parse(res.out, &list, err);
    esx_result_clear(&res);
    if (rc)
        return rc;
    const struct esx_vm_row *found = NULL;
    size_t matches = 0;
    for (size_t i = 0; i < list->n; i++) {
        if (vm->name && strcmp(list->items[i].name, vm->name) == 0) {
            found = &list->items[i];
            matches++;
        }
    }
    if (matches != 1) {
        rc = NL_ERR(
            err, NL_ERR_NOT_FOUND, NULL,
            matches
                ? "Host \"%s\" has %zu VMs named \"%s\"; nestlab cannot tell which one to change."
                : "Host \"%s\" has %zu VMs named \"%s\".",
            host->name, matches, vm->name ? vm->name : "");
    } else {
        *vmid = found->vmid;
        free(*vmx_path);
        *vmx_path = esx_datastore_path(found->file);
        if (!*vmx_path)
            rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                        "The .vmx location \"%s\" of VM \"%s\" is not usable.", found->file,
                        vm->name);
    }
    esx_vm_list_free(&list);
    return rc;
}

static enum nl_code x_set_nested_hv(void *ctx, const struct nl_host *host, const struct nl_vm *vm,
                                    bool on, struct nl_err *err)
{
    struct esx_pool *pool = ctx;
    int vmid = 0;
    char *path = NULL, *cmd = NULL, *id = NULL;
    struct esx_result res = {0};
    enum nl_code rc = vm_locate(pool, host, vm, &vmid, &path, err);
    if (rc)
        goto cleanup;
    if (on && vm->hw_version > 0 && vm->hw_version < 9) {
        rc = NL_ERR(err, NL_ERR_STATE, "HardwareVersion",
                    "VM \"%s\" has hardware version vmx-%02d; nested HV needs vmx-09 or later.",
                    vm->name, vm->hw_version);
        goto cleanup;
    }
    /* The .vmx may only change while the VM is off: hostd rewrites it while it runs. */
    id = xasprintf("%d", vmid);
    rc = run_checked(pool, host, (const char *[]){"vim-cmd", "vmsvc/power.getstate", id, NULL},
                     "Reading the power state", &res, err);
    if (rc)
        goto cleanup;
    enum nl_power power;
    rc = esx_power_parse(res.out, &power, err);
    if (rc)
        goto cleanup;
    if (power != NL_POWER_OFF) {
        rc = NL_ERR(err, NL_ERR_STATE, "InvalidPowerState",
                    "VM \"%s\" on host \"%s\" is %s; nested HV can only be changed while it is "
                    "powered off.",
                    vm->name, host->name, nl_power_name(power));
        goto cleanup;
    }
    struct esx_target t = esx_pool_target(pool, host);
    cmd = esx_vmx_nested_hv_cmd(path, on, err);
    if (!cmd) {
        rc = err ? err->code : NL_ERR_USAGE;
        goto cleanup;
    }
    esx_result_clear(&res);
    struct esx_session *s = NULL;
    rc = esx_pool_acquire(pool, &t, &s, err);
    if (rc)
        goto cleanup;
    rc = esx_session_exec(s, cmd, &res, err);
    esx_pool_release(pool, s);
    if (rc)
        goto cleanup;
    if (res.exit_status != 0) {
        size_t l = strcspn(res.err, "\n");
        rc = NL_ERR(err, NL_ERR_FAULT, "command", "Editing \"%s\" on host \"%s\" failed: %.*s",
                    path, host->name, (int)(l > 300 ? 300 : l), res.err);
        goto cleanup;
    }
    rc = run_checked(pool, host, (const char *[]){"vim-cmd", "vmsvc/reload", id, NULL},
                     "Reloading the VM's configuration", NULL, err);
    if (rc == NL_OK)
        NL_INFO("nested HV %s for VM %s on %s via %s", on ? "on" : "off", vm->name, host->name,
                path);
cleanup:
    esx_result_clear(&res);
    free(path);
    free(cmd);
    free(id);
    return rc;
}

static enum nl_code x_set_power(void *ctx, const struct nl_host *host, const struct nl_vm *vm,
                                bool on, struct nl_err *err)
{
    int vmid = 0;
    char *path = NULL;
    enum nl_code rc = vm_locate(ctx, host, vm, &vmid, &path, err);
    free(path);
    if (rc)
        return rc;
    char id[16];
    snprintf(id, sizeof(id), "%d", vmid);
    char *what = xasprintf("Powering %s VM \"%s\"", on ? "on" : "off", vm->name);
    rc = run_checked(
        ctx, host, (const char *[]){"vim-cmd", on ? "vmsvc/power.on" : "vmsvc/power.off", id, NULL},
        what, NULL, err);
    free(what);
    return rc;
}

static struct nl_lab *x_reread(void *ctx, const struct nl_lab *current, struct nl_err *err)
{
    return esx_lab_read(ctx, current, NULL, err);
}

struct ops_executor *esx_executor_new(struct esx_pool *pool)
{
    struct ops_executor *ex = xcalloc(1, sizeof(*ex));
    ex->transport = "ssh";
    ex->ctx = pool;
    ex->set_vswitch_security = x_set_vswitch_security;
    ex->add_portgroup = x_add_portgroup;
    ex->remove_portgroup = x_remove_portgroup;
    ex->set_portgroup = x_set_portgroup;
    ex->set_nested_hv = x_set_nested_hv;
    ex->set_power = x_set_power;
    ex->reread = x_reread;
    return ex;
}

void esx_executor_free(struct ops_executor **ex)
{
    if (!ex || !*ex)
        return;
    free(*ex);
    *ex = NULL;
}
