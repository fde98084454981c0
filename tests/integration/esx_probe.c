/* esx_probe: drives backend/esxi against labsim for the integration tests and the benchmark.
 *
 *   esx_probe [options] login
 *   esx_probe [options] exec 'COMMAND LINE'        run a raw (already quoted) line
 *   esx_probe [options] run ARG...                 quote ARG... and run
 *   esx_probe [options] read                       read the host, print the model
 *   esx_probe [options] lab NAME=PORT...           read hosts in parallel, print a summary
 *   esx_probe [options] lab-security NAME=PORT...  vSwitch0 accept-all on every host, in parallel
 *   esx_probe [options] set-security VSWITCH P F M (each 1, 0 or -: unset)
 *   esx_probe [options] add-pg VSWITCH PG VLAN | rm-pg VSWITCH PG | set-pg PG VLAN P F M
 *   esx_probe [options] nested-hv VM on|off | power VM on|off
 * Options: --name N --address A --port P --user U --known-hosts F --accept-new
 *          --user-known-hosts (also ~/.ssh/known_hosts)
 *          --connect-timeout MS --command-timeout MS --parallel N --repeat N
 * The password comes from NESTLAB_SSH_PASSWORD (never from argv). Errors print
 * "ERROR <NL_CODE> <detail>: <message>" on stderr and exit 10 + code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/esxi/esx_exec.h"
#include "backend/esxi/esx_lab.h"
#include "backend/esxi/esx_pool.h"
#include "backend/esxi/esx_read.h"
#include "backend/esxi/esx_session.h"

static int fail(const struct nl_err *e)
{
    fprintf(stderr, "ERROR %s %s: %s\n", nl_code_name(e->code), e->detail[0] ? e->detail : "-",
            e->message);
    return 10 + (int)e->code;
}

static const char *tri(enum nl_tri t)
{
    return t == NL_TRI_TRUE ? "1" : t == NL_TRI_FALSE ? "0" : "-";
}

static enum nl_tri tri_arg(const char *s)
{
    return strcmp(s, "1") == 0 ? NL_TRI_TRUE : strcmp(s, "0") == 0 ? NL_TRI_FALSE : NL_TRI_UNSET;
}

static void print_host(const struct nl_lab *lab, const struct nl_host *h)
{
    printf("host %s id=%s source=%s conn=%s version=%s hv=%d cpu=%d/%d/%d ssh=%s:%d\n", h->name,
           h->id, nl_source_name(h->source), nl_conn_name(h->connection),
           h->version ? h->version : "-", h->hv_support, h->cpu_packages, h->cpu_cores,
           h->cpu_threads, h->ssh_address ? h->ssh_address : "-", h->ssh_port);
    for (size_t i = 0; i < h->n_vswitches; i++) {
        const struct nl_vswitch *v = &h->vswitches[i];
        printf("vswitch %s ports=%d mtu=%d uplinks=%zu sec=%s%s%s\n", v->name, v->num_ports, v->mtu,
               v->n_uplinks, tri(v->security.promiscuous), tri(v->security.forged_transmits),
               tri(v->security.mac_changes));
    }
    for (size_t i = 0; i < h->n_portgroups; i++) {
        const struct nl_portgroup *p = &h->portgroups[i];
        printf("portgroup [%s] vswitch=%s vlan=%d override=%s%s%s\n", p->name, p->vswitch, p->vlan,
               tri(p->override.promiscuous), tri(p->override.forged_transmits),
               tri(p->override.mac_changes));
    }
    for (size_t i = 0; i < lab->n_vms; i++) {
        const struct nl_vm *vm = &lab->vms[i];
        if (!vm->host_id || strcmp(vm->host_id, h->id) != 0)
            continue;
        printf("vm [%s] vmid=%d power=%s hw=%d nested_hv=%s guest=%s uuid=%s vmx=%s\n", vm->name,
               vm->vmid, nl_power_name(vm->power), vm->hw_version, tri(vm->nested_hv),
               vm->guest_id ? vm->guest_id : "-", vm->uuid ? vm->uuid : "-",
               vm->vmx_path ? vm->vmx_path : "-");
    }
}

static long long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct apply_ctx {
    struct ops_executor *ex;
    struct nl_host *hosts;
    struct nl_err *errs;
};

static void apply_one(void *arg, size_t i)
{
    struct apply_ctx *ac = arg;
    struct nl_security all = {NL_TRI_TRUE, NL_TRI_TRUE, NL_TRI_TRUE};
    ac->ex->set_vswitch_security(ac->ex->ctx, &ac->hosts[i], "vSwitch0", &all, &ac->errs[i]);
}

int main(int argc, char **argv)
{
    struct esx_pool_config cfg = {.user = "root"};
    const char *name = NULL, *address = "127.0.0.1";
    int port = 22, repeat = 1;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : "";
        if (strcmp(o, "--accept-new") == 0) {
            cfg.accept_new = true;
            continue;
        }
        if (strcmp(o, "--user-known-hosts") == 0) {
            cfg.user_known_hosts = true;
            continue;
        }
        i++;
        if (strcmp(o, "--name") == 0)
            name = v;
        else if (strcmp(o, "--address") == 0)
            address = v;
        else if (strcmp(o, "--port") == 0)
            port = atoi(v);
        else if (strcmp(o, "--user") == 0)
            cfg.user = v;
        else if (strcmp(o, "--known-hosts") == 0)
            cfg.known_hosts = v;
        else if (strcmp(o, "--connect-timeout") == 0)
            cfg.connect_timeout_ms = atoi(v);
        else if (strcmp(o, "--command-timeout") == 0)
            cfg.command_timeout_ms = atoi(v);
        else if (strcmp(o, "--parallel") == 0)
            cfg.parallel = (size_t)atoi(v);
        else if (strcmp(o, "--repeat") == 0)
            repeat = atoi(v);
        else {
            fprintf(stderr, "esx_probe: unknown option %s\n", o);
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "esx_probe: no command\n");
        return 2;
    }
    const char *cmd = argv[i++];
    cfg.password = getenv("NESTLAB_SSH_PASSWORD");
    if (!name)
        name = address;
    /* Hosts given as NAME=PORT become the pool's config (address 127.0.0.1). */
    static char localhost[] = "127.0.0.1";
    struct nl_ssh_host_cfg *hosts = NULL;
    bool own_hosts = strcmp(cmd, "lab") != 0 && strcmp(cmd, "lab-security") != 0;
    if (strcmp(cmd, "lab") == 0 || strcmp(cmd, "lab-security") == 0) {
        hosts = calloc((size_t)(argc - i) + 1, sizeof(*hosts));
        for (int k = i; k < argc; k++) {
            char *eq = strrchr(argv[k], '=');
            if (!eq) {
                free(hosts);
                return 2;
            }
            *eq = '\0';
            hosts[cfg.n_hosts].name = argv[k];
            hosts[cfg.n_hosts].address = localhost;
            hosts[cfg.n_hosts++].port = atoi(eq + 1);
        }
        cfg.hosts = hosts;
    } else {
        hosts = calloc(1, sizeof(*hosts));
        hosts[0] = (struct nl_ssh_host_cfg){strdup(name), strdup(address), port};
        cfg.hosts = hosts;
        cfg.n_hosts = 1;
    }
    struct esx_pool *pool = esx_pool_new(&cfg);
    struct esx_target t = esx_pool_target_name(pool, name);
    struct nl_err err = {0};
    int status = 0;
    struct nl_lab *lab = NULL;
    struct ops_executor *ex = esx_executor_new(pool);

    if (strcmp(cmd, "login") == 0) {
        struct esx_session *s = NULL;
        if (esx_pool_acquire(pool, &t, &s, &err) == NL_OK) {
            esx_pool_release(pool, s);
            printf("ok\n");
        }
    } else if (strcmp(cmd, "exec") == 0 || strcmp(cmd, "run") == 0) {
        struct esx_session *s = NULL;
        struct esx_result res;
        if (esx_pool_acquire(pool, &t, &s, &err) == NL_OK) {
            enum nl_code rc = strcmp(cmd, "exec") == 0
                                  ? esx_session_exec(s, i < argc ? argv[i] : "", &res, &err)
                                  : esx_session_run(s, (const char *const *)argv + i, &res, &err);
            esx_pool_release(pool, s);
            if (rc == NL_OK) {
                fwrite(res.out, 1, res.out_len, stdout);
                fwrite(res.err, 1, res.err_len, stderr);
                status = res.exit_status;
                esx_result_clear(&res);
            }
        }
    } else if (strcmp(cmd, "lab-security") == 0) {
        struct apply_ctx ac = {ex, calloc(cfg.n_hosts + 1, sizeof(struct nl_host)),
                               calloc(cfg.n_hosts + 1, sizeof(struct nl_err))};
        for (size_t k = 0; k < cfg.n_hosts; k++) {
            ac.hosts[k].name = hosts[k].name;
            ac.hosts[k].id = hosts[k].name;
        }
        long long t0 = ms_now();
        esx_pool_each(pool, cfg.n_hosts, apply_one, &ac);
        long long ms = ms_now() - t0;
        size_t failed = 0;
        for (size_t k = 0; k < cfg.n_hosts; k++) {
            if (nl_err_is_set(&ac.errs[k])) {
                failed++;
                if (!nl_err_is_set(&err))
                    err = ac.errs[k];
            }
        }
        printf("apply hosts=%zu failed=%zu ms=%lld\n", cfg.n_hosts, failed, ms);
        free(ac.hosts);
        free(ac.errs);
    } else if (strcmp(cmd, "read") == 0 || strcmp(cmd, "lab") == 0) {
        for (int r = 0; r < repeat && !nl_err_is_set(&err); r++) {
            struct esx_lab_result res;
            long long t0 = ms_now();
            nl_lab_free(&lab);
            lab = esx_lab_read(pool, NULL, &res, &err);
            long long ms = ms_now() - t0;
            size_t execs = 0;
            for (size_t k = 0; k < res.n; k++) {
                execs += res.hosts[k].execs;
                if (res.hosts[k].code)
                    printf("failed %s %s %s: %s\n", res.hosts[k].name,
                           nl_code_name(res.hosts[k].code), res.hosts[k].err.detail,
                           res.hosts[k].err.message);
            }
            printf("read hosts=%zu failed=%zu execs=%zu ms=%lld\n", res.n, res.n_failed, execs, ms);
            esx_lab_result_clear(&res);
        }
        for (size_t k = 0; lab && strcmp(cmd, "read") == 0 && k < lab->n_hosts; k++)
            print_host(lab, &lab->hosts[k]);
    } else {
        /* Changes: read the host first so the executor sees the model as the engine would. */
        lab = esx_lab_read(pool, NULL, NULL, &err);
        struct nl_host *h = lab ? nl_lab_find_host_by_name(lab, name) : NULL;
        int left = argc - i;
        if (!lab) {
        } else if (strcmp(cmd, "set-security") == 0 && left == 4) {
            struct nl_security s = {tri_arg(argv[i + 1]), tri_arg(argv[i + 2]),
                                    tri_arg(argv[i + 3])};
            ex->set_vswitch_security(ex->ctx, h, argv[i], &s, &err);
        } else if (strcmp(cmd, "add-pg") == 0 && left == 3) {
            ex->add_portgroup(ex->ctx, h, argv[i], argv[i + 1], atoi(argv[i + 2]), &err);
        } else if (strcmp(cmd, "rm-pg") == 0 && left == 2) {
            ex->remove_portgroup(ex->ctx, h, argv[i], argv[i + 1], &err);
        } else if (strcmp(cmd, "set-pg") == 0 && left == 5) {
            struct nl_security s = {tri_arg(argv[i + 2]), tri_arg(argv[i + 3]),
                                    tri_arg(argv[i + 4])};
            ex->set_portgroup(ex->ctx, h, argv[i], atoi(argv[i + 1]), &s, &err);
        } else if ((strcmp(cmd, "nested-hv") == 0 || strcmp(cmd, "power") == 0) && left == 2) {
            struct nl_vm *vm = nl_lab_find_vm_by_name(lab, argv[i]);
            bool on = strcmp(argv[i + 1], "on") == 0;
            if (!vm)
                NL_ERR(&err, NL_ERR_NOT_FOUND, NULL, "No VM \"%s\".", argv[i]);
            else if (cmd[0] == 'n')
                ex->set_nested_hv(ex->ctx, h, vm, on, &err);
            else
                ex->set_power(ex->ctx, h, vm, on, &err);
        } else {
            fprintf(stderr, "esx_probe: bad command or arguments\n");
            status = 2;
        }
        if (!nl_err_is_set(&err) && status == 0)
            printf("ok\n");
    }
    if (nl_err_is_set(&err))
        status = fail(&err);
    nl_lab_free(&lab);
    esx_executor_free(&ex);
    esx_pool_free(&pool);
    if (own_hosts) {
        free(hosts[0].name);
        free(hosts[0].address);
    }
    free(hosts);
    return status;
}
