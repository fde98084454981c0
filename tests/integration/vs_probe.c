/* vs_probe: logs in to a vCenter the way nestlab does and prints what the vSphere backend read.
 * A development and test driver for backend/vsphere before (and besides) the CLI.
 *
 *   vs_probe [-c CONFIG] [--endpoint NAME] [--url URL --user USER] [--thumbprint TP] [--insecure]
 *            [--list] [--watch SECONDS] [--do ACTION ARGS...]
 *
 * ACTION runs one executor step after the inventory (names, not ids):
 *   security HOST VSWITCH PROMISC FORGED MAC     each accept|reject|keep
 *   add-pg HOST VSWITCH PG VLAN | rm-pg HOST VSWITCH PG
 *   set-pg HOST PG VLAN PROMISC FORGED MAC       each accept|reject|inherit
 *   nested-hv VM on|off | power VM on|off
 *
 * Without -c, the server comes from --url/--user or NESTLAB_URL/NESTLAB_USER; the password always
 * comes from the environment (the config's password_env, else NESTLAB_PASSWORD). Prints one line
 * "inventory: datacenters=N clusters=N hosts=N vms=N networks=N" (and with --list one line per
 * object); on failure prints the error and exits with nestlab's exit status for its code. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/config.h"
#include "backend/core/err.h"
#include "backend/core/queue.h"
#include "backend/core/xmalloc.h"
#include "backend/model/lab.h"
#include "backend/vsphere/vs_client.h"
#include "backend/vsphere/vs_exec.h"
#include "backend/vsphere/vs_inventory.h"
#include "backend/vsphere/vs_update.h"

static int fail(const struct nl_err *err)
{
    char msg[700];
    nl_err_format(err, msg, sizeof msg);
    printf("error: %s: %s\n", nl_code_name(err->code), msg);
    return nl_code_exit_status(err->code);
}

static void print_lab(const struct nl_lab *lab)
{
    for (size_t i = 0; i < lab->n_datacenters; i++)
        printf("datacenter %s name=%s\n", lab->datacenters[i].id, lab->datacenters[i].name);
    for (size_t i = 0; i < lab->n_clusters; i++)
        printf("cluster %s name=%s dc=%s kind=%s\n", lab->clusters[i].id, lab->clusters[i].name,
               lab->clusters[i].datacenter_id ? lab->clusters[i].datacenter_id : "-",
               nl_cluster_kind_name(lab->clusters[i].kind));
    for (size_t i = 0; i < lab->n_hosts; i++) {
        const struct nl_host *h = &lab->hosts[i];
        printf("host %s name=%s cluster=%s dc=%s conn=%s uuid=%s netsys=%s backing=%s\n", h->id,
               h->name, h->cluster_id ? h->cluster_id : "-",
               h->datacenter_id ? h->datacenter_id : "-", nl_conn_name(h->connection),
               h->bios_uuid ? h->bios_uuid : "-", h->network_system ? h->network_system : "-",
               h->backing_vm >= 0 ? lab->vms[h->backing_vm].name : "-");
        for (size_t v = 0; v < h->n_vswitches; v++) {
            const struct nl_vswitch *s = &h->vswitches[v];
            printf("  vswitch %s ports=%d mtu=%d uplinks=%zu promisc=%s forged=%s mac=%s\n",
                   s->name, s->num_ports, s->mtu, s->n_uplinks,
                   nl_tri_word(s->security.promiscuous, "accept", "reject"),
                   nl_tri_word(s->security.forged_transmits, "accept", "reject"),
                   nl_tri_word(s->security.mac_changes, "accept", "reject"));
        }
        for (size_t p = 0; p < h->n_portgroups; p++) {
            const struct nl_portgroup *g = &h->portgroups[p];
            printf("  portgroup %s vswitch=%s vlan=%d promisc=%s/%s\n", g->name, g->vswitch,
                   g->vlan, nl_tri_word(g->override.promiscuous, "accept", "reject"),
                   nl_tri_word(g->effective.promiscuous, "accept", "reject"));
        }
    }
    for (size_t i = 0; i < lab->n_vms; i++) {
        const struct nl_vm *vm = &lab->vms[i];
        printf("vm %s name=%s host=%s power=%s hw=%d nested_hv=%s guest=%s cpus=%d mem=%d "
               "tools=%s role=%s networks=%zu\n",
               vm->id, vm->name, vm->host_id ? vm->host_id : "-", nl_power_name(vm->power),
               vm->hw_version, nl_tri_word(vm->nested_hv, "on", "off"),
               vm->guest_id ? vm->guest_id : "-", vm->cpus, vm->memory_mb,
               vm->tools ? vm->tools : "-", nl_role_name(vm->role), vm->n_networks);
    }
}

static void print_counts(const struct nl_lab *lab)
{
    size_t linked = 0;
    for (size_t i = 0; i < lab->n_hosts; i++)
        linked += lab->hosts[i].backing_vm >= 0;
    printf("inventory: datacenters=%zu clusters=%zu hosts=%zu vms=%zu networks=%zu nested=%zu\n",
           lab->n_datacenters, lab->n_clusters, lab->n_hosts, lab->n_vms, lab->n_networks, linked);
    fflush(stdout);
}

static enum nl_tri tri_arg(const char *s)
{
    if (strcmp(s, "accept") == 0 || strcmp(s, "on") == 0)
        return NL_TRI_TRUE;
    if (strcmp(s, "reject") == 0 || strcmp(s, "off") == 0)
        return NL_TRI_FALSE;
    return NL_TRI_UNSET;
}

static int do_action(struct vs_client *c, struct nl_lab *lab, char **a, int n)
{
    const struct ops_executor *x = vs_executor(c);
    struct nl_err err = {0};
    enum nl_code rc = NL_ERR_USAGE;
    struct nl_host *h = n >= 2 ? nl_lab_find_host_by_name(lab, a[1]) : NULL;
    struct nl_vm *vm = n >= 2 ? nl_lab_find_vm_by_name(lab, a[1]) : NULL;
    if (n == 6 && strcmp(a[0], "security") == 0 && h) {
        struct nl_security s = {tri_arg(a[3]), tri_arg(a[4]), tri_arg(a[5])};
        rc = x->set_vswitch_security(x->ctx, h, a[2], &s, &err);
    } else if (n == 5 && strcmp(a[0], "add-pg") == 0 && h) {
        rc = x->add_portgroup(x->ctx, h, a[2], a[3], atoi(a[4]), &err);
    } else if (n == 4 && strcmp(a[0], "rm-pg") == 0 && h) {
        rc = x->remove_portgroup(x->ctx, h, a[2], a[3], &err);
    } else if (n == 7 && strcmp(a[0], "set-pg") == 0 && h) {
        struct nl_security s = {tri_arg(a[4]), tri_arg(a[5]), tri_arg(a[6])};
        rc = x->set_portgroup(x->ctx, h, a[2], atoi(a[3]), &s, &err);
    } else if (n == 3 && strcmp(a[0], "nested-hv") == 0 && vm) {
        rc = x->set_nested_hv(x->ctx, NULL, vm, strcmp(a[2], "on") == 0, &err);
    } else if (n == 3 && strcmp(a[0], "power") == 0 && vm) {
        rc = x->set_power(x->ctx, NULL, vm, strcmp(a[2], "on") == 0, &err);
    } else {
        printf("error: unknown action or object\n");
        return 2;
    }
    if (rc != NL_OK)
        return fail(&err);
    printf("done: %s\n", a[0]);
    return 0;
}

int main(int argc, char **argv)
{
    const char *config_path = NULL, *endpoint = NULL, *url = getenv("NESTLAB_URL");
    const char *user = getenv("NESTLAB_USER"), *thumbprint = getenv("NESTLAB_THUMBPRINT");
    bool insecure = false, list = false, quiet = false;
    int watch = 0;
    char **action = NULL;
    int n_action = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const bool v = i + 1 < argc; /* the option has its value */
        if (strcmp(a, "-c") == 0 && v)
            config_path = argv[++i];
        else if (strcmp(a, "--endpoint") == 0 && v)
            endpoint = argv[++i];
        else if (strcmp(a, "--url") == 0 && v)
            url = argv[++i];
        else if (strcmp(a, "--user") == 0 && v)
            user = argv[++i];
        else if (strcmp(a, "--thumbprint") == 0 && v)
            thumbprint = argv[++i];
        else if (strcmp(a, "--insecure") == 0)
            insecure = true;
        else if (strcmp(a, "--list") == 0)
            list = true;
        else if (strcmp(a, "--quiet") == 0)
            quiet = true;
        else if (strcmp(a, "--watch") == 0 && v)
            watch = atoi(argv[++i]);
        else if (strcmp(a, "--do") == 0 && v) {
            action = argv + i + 1;
            n_action = argc - i - 1;
            break;
        } else {
            fprintf(stderr, "usage: vs_probe [-c CONFIG] [--endpoint NAME] [--url URL] [--user "
                            "USER] [--thumbprint TP] [--insecure] [--list] [--quiet] "
                            "[--watch SECONDS]\n");
            return 2;
        }
    }
    struct nl_err err = {0};
    struct nl_config cfg = {0};
    const char *password_env = "NESTLAB_PASSWORD";
    if (config_path) {
        if (nl_config_load(config_path, false, &cfg, &err) != NL_OK)
            return fail(&err);
        struct nl_endpoint_cfg *ep = nl_config_endpoint(&cfg, endpoint);
        if (!ep) {
            printf("error: no endpoint in %s\n", config_path);
            return 2;
        }
        url = ep->url;
        user = ep->user;
        thumbprint = thumbprint ? thumbprint : ep->thumbprint;
        insecure = insecure || ep->insecure;
        if (ep->password_env)
            password_env = ep->password_env;
        endpoint = ep->name;
    }
    const char *password = getenv(password_env);
    if (!password)
        password = getenv("NESTLAB_PASSWORD");
    struct vs_config vc = {.url = url,
                           .user = user,
                           .password = password,
                           .thumbprint = thumbprint,
                           .insecure = insecure};
    int status = 0;
    struct nl_lab *lab = NULL;
    struct vs_watch *w = NULL;
    struct nl_queue *q = NULL;
    struct vs_client *c = vs_client_new(&vc, &err);
    if (!c || vs_client_connect(c, &err) != NL_OK) {
        status = fail(&err);
        goto cleanup;
    }
    printf("connected: api=%s version=%s\n", vs_client_service(c)->api_type,
           vs_client_service(c)->api_version);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    lab = vs_inventory_fetch(c, endpoint ? endpoint : "probe", &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!lab) {
        status = fail(&err);
        goto cleanup;
    }
    if (!quiet)
        fprintf(stderr, "inventory took %.3f s\n",
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    print_counts(lab);
    if (list)
        print_lab(lab);
    if (action) {
        status = do_action(c, lab, action, n_action);
        goto cleanup;
    }
    if (watch > 0) {
        /* Live updates: apply every delta to the lab and print a line per changed object. */
        q = nl_queue_new();
        w = vs_watch_start(c, q, &err);
        if (!w) {
            status = fail(&err);
            goto cleanup;
        }
        printf("watching\n");
        fflush(stdout);
        time_t end = time(NULL) + watch;
        while (time(NULL) < end) {
            struct nl_msg *m = nl_queue_pop_wait(q, 200);
            if (!m)
                continue;
            if (m->kind == VS_MSG_UPDATE) {
                const struct vs_update *u = m->payload;
                vs_update_apply(lab, u);
                nl_lab_link(lab);
                vs_update_print(u, stdout);
                fflush(stdout);
            } else if (m->kind == VS_MSG_ERROR) {
                const struct nl_err *e = m->payload;
                char msg[700];
                nl_err_format(e, msg, sizeof msg);
                printf("watch error: %s\n", msg);
                fflush(stdout);
            }
            nl_msg_free(&m);
        }
        if (list)
            print_lab(lab);
    }
cleanup:
    vs_watch_stop(&w);
    nl_queue_free(&q);
    nl_lab_free(&lab);
    vs_client_free(&c);
    nl_config_free(&cfg);
    return status;
}
