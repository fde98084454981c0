/* perf_live: the integration driver for backend/vsphere/vs_perf. Logs in as nestlab does, reads
 * the inventory and the counter map, then runs R refreshes (one QueryPerf each, all hosts) and,
 * when asked, sets promiscuous mode on one host's vSwitch through nestlab's vCenter executor and
 * refreshes once more. Prints one JSON object: per host the mean CPU % and packets/s of the last
 * refresh before the change and of the refresh after it.
 *
 *   perf_live --url URL --user USER [--thumbprint TP] [--samples N] [--refreshes R]
 *             [--promisc HOSTNAME VSWITCH]
 *             [--known-hosts FILE --ssh HOSTNAME=PORT ... [--esxtop-rows N] [--settle S]]
 *
 * With --ssh, esxtop runs over SSH (backend/esxi/esx_perf) on each of those hosts before and
 * after the change; the rows go into one store and the flooding-cost table for the change (an
 * event at the time the executor returned, 60 s windows, 2 samples a side) is printed as "cost".
 * --settle waits S seconds after the change before the second esxtop run, as a monitor running
 * on would (labsim's esxtop compresses its rows into at most 3 s, so without the pause the rows
 * after the change would all fall in the seconds the cost windows leave out).
 * The passwords come from NESTLAB_PASSWORD / NESTLAB_SSH_PASSWORD, never from argv. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "backend/core/config.h"
#include "backend/core/err.h"
#include "backend/esxi/esx_perf.h"
#include "backend/model/lab.h"
#include "backend/perf/perf_cost.h"
#include "backend/perf/perf_metric.h"
#include "backend/vsphere/vs_exec.h"
#include "backend/vsphere/vs_inventory.h"
#include "backend/vsphere/vs_perf.h"

static int fail(const struct nl_err *err)
{
    char msg[700];
    nl_err_format(err, msg, sizeof msg);
    fprintf(stderr, "error: %s: %s\n", nl_code_name(err->code), msg);
    return nl_code_exit_status(err->code) ? nl_code_exit_status(err->code) : 1;
}

#define MAX_SSH 8

struct ssh_host {
    const char *name;
    int port;
    const char *id;
};

/* esxtop on every SSH host, filed into store. */
static enum nl_code esxtop_all(struct esx_pool *pool, struct ssh_host *hosts, size_t n, int rows,
                               struct perf_store *store, struct nl_err *err)
{
    for (size_t i = 0; i < n; i++) {
        struct esx_target t = esx_pool_target_name(pool, hosts[i].name);
        struct perf_batch *b = NULL;
        enum nl_code rc = esx_perf_esxtop(pool, &t, hosts[i].id, 2, rows, &b, err);
        if (rc)
            return rc;
        perf_store_merge(store, b);
        perf_batch_free(&b);
    }
    return NL_OK;
}

static json_t *means(const struct perf_batch *b, const char *host)
{
    json_t *o = json_object();
    const char *metrics[2] = {PERF_CPU_USAGE, PERF_NET_PKTS_RX};
    const char *keys[2] = {"cpu", "pps"};
    for (int k = 0; k < 2; k++) {
        const struct perf_bseries *s = perf_batch_find(b, host, metrics[k], "");
        double sum = 0;
        size_t n = s ? s->n : 0;
        for (size_t i = 0; i < n; i++)
            sum += s->samples[i].v;
        json_object_set_new(o, keys[k], n ? json_real(sum / (double)n) : json_null());
        if (k == 0)
            json_object_set_new(o, "n", json_integer((json_int_t)n));
    }
    return o;
}

int main(int argc, char **argv)
{
    static char localhost[] = "127.0.0.1";
    const char *url = NULL, *user = NULL, *tp = NULL, *ph = NULL, *pvs = NULL;
    int samples = 6, refreshes = 1, rows = 4, settle = 0;
    const char *known_hosts = NULL;
    struct ssh_host ssh[MAX_SSH];
    struct nl_ssh_host_cfg ssh_cfg[MAX_SSH];
    size_t n_ssh = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--url") && i + 1 < argc)
            url = argv[++i];
        else if (!strcmp(argv[i], "--user") && i + 1 < argc)
            user = argv[++i];
        else if (!strcmp(argv[i], "--thumbprint") && i + 1 < argc)
            tp = argv[++i];
        else if (!strcmp(argv[i], "--samples") && i + 1 < argc)
            samples = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--refreshes") && i + 1 < argc)
            refreshes = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--promisc") && i + 2 < argc) {
            ph = argv[++i];
            pvs = argv[++i];
        } else if (!strcmp(argv[i], "--known-hosts") && i + 1 < argc) {
            known_hosts = argv[++i];
        } else if (!strcmp(argv[i], "--settle") && i + 1 < argc) {
            settle = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--esxtop-rows") && i + 1 < argc) {
            rows = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--ssh") && i + 1 < argc && n_ssh < MAX_SSH &&
                   strchr(argv[i + 1], '=')) {
            char *spec = argv[++i];
            char *eq = strchr(spec, '=');
            *eq = '\0';
            ssh[n_ssh] = (struct ssh_host){spec, atoi(eq + 1), NULL};
            ssh_cfg[n_ssh] = (struct nl_ssh_host_cfg){spec, localhost, ssh[n_ssh].port};
            n_ssh++;
        } else {
            fprintf(stderr, "usage: perf_live --url URL --user USER [--thumbprint TP] "
                            "[--samples N] [--refreshes R] [--promisc HOST VSWITCH]\n");
            return 2;
        }
    }
    struct nl_err err = {0};
    struct vs_config cfg = {
        .url = url, .user = user, .password = getenv("NESTLAB_PASSWORD"), .thumbprint = tp};
    struct vs_client *c = vs_client_new(&cfg, &err);
    struct nl_lab *lab = NULL;
    struct perf_counter_map *map = NULL;
    struct perf_batch *before = NULL, *after = NULL;
    struct perf_entity *ents = NULL;
    struct esx_pool *pool = NULL;
    struct perf_store *esx_store = perf_store_new();
    struct perf_cost_table *cost = NULL;
    time_t event_t = 0;
    int status = 0;
    if (!c || vs_client_connect(c, &err) != NL_OK)
        goto failed;
    lab = vs_inventory_fetch(c, "lab", &err);
    if (!lab || vs_perf_counter_map_fetch(c, &map, &err) != NL_OK)
        goto failed;
    ents = calloc(lab->n_hosts ? lab->n_hosts : 1, sizeof *ents);
    for (size_t i = 0; i < lab->n_hosts; i++)
        ents[i] = (struct perf_entity){"HostSystem", lab->hosts[i].id};
    for (int r = 0; r < refreshes; r++) {
        perf_batch_free(&before);
        if (vs_perf_fetch(c, map, ents, lab->n_hosts, samples, &before, &err) != NL_OK)
            goto failed;
    }
    if (n_ssh) {
        struct esx_pool_config pc = {.password = getenv("NESTLAB_SSH_PASSWORD"),
                                     .known_hosts = known_hosts,
                                     .hosts = ssh_cfg,
                                     .n_hosts = n_ssh};
        pool = esx_pool_new(&pc);
        for (size_t i = 0; i < n_ssh; i++) {
            struct nl_host *h = nl_lab_find_host_by_name(lab, ssh[i].name);
            ssh[i].id = h ? h->id : ssh[i].name;
        }
        if (esxtop_all(pool, ssh, n_ssh, rows, esx_store, &err) != NL_OK)
            goto failed;
    }
    if (ph) {
        struct nl_host *h = nl_lab_find_host_by_name(lab, ph);
        if (!h) {
            fprintf(stderr, "error: no host named \"%s\"\n", ph);
            status = 1;
            goto cleanup;
        }
        const struct ops_executor *ex = vs_executor(c);
        struct nl_security want = {NL_TRI_TRUE, NL_TRI_UNSET, NL_TRI_UNSET};
        if (ex->set_vswitch_security(ex->ctx, h, pvs, &want, &err) != NL_OK)
            goto failed;
        event_t = time(NULL);
        if (n_ssh && settle > 0)
            sleep((unsigned)settle);
        if (n_ssh && esxtop_all(pool, ssh, n_ssh, rows, esx_store, &err) != NL_OK)
            goto failed;
        if (n_ssh) {
            char what[128];
            snprintf(what, sizeof what,
                     "promiscuous reject\xe2\x86\x92"
                     "accept on %s",
                     pvs);
            struct perf_event ev = {event_t, h->id, pvs, what};
            struct perf_cost_host ch[MAX_SSH];
            for (size_t i = 0; i < n_ssh; i++)
                ch[i] = (struct perf_cost_host){ssh[i].id, ssh[i].name};
            struct perf_cost_opts o = {60, 60, 2, PERF_SOURCE_ESXTOP};
            cost = perf_cost_compute(esx_store, &ev, 1, ch, n_ssh, &o);
            char *text = perf_cost_format_text(cost);
            fputs(text, stderr);
            free(text);
        }
        if (vs_perf_fetch(c, map, ents, lab->n_hosts, samples, &after, &err) != NL_OK)
            goto failed;
    }
    json_t *out = json_object();
    json_object_set_new(out, "counters", json_integer((json_int_t)perf_counter_map_count(map)));
    json_object_set_new(out, "refreshes", json_integer(refreshes + (ph ? 1 : 0)));
    json_t *hosts = json_object();
    for (size_t i = 0; i < lab->n_hosts; i++) {
        json_t *h = json_object();
        json_object_set_new(h, "id", json_string(lab->hosts[i].id));
        json_object_set_new(h, "before", means(before, lab->hosts[i].id));
        if (after)
            json_object_set_new(h, "after", means(after, lab->hosts[i].id));
        json_object_set_new(hosts, lab->hosts[i].name ? lab->hosts[i].name : lab->hosts[i].id, h);
    }
    json_object_set_new(out, "hosts", hosts);
    if (cost)
        json_object_set_new(out, "cost", perf_cost_to_json(cost));
    json_dumpf(out, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
    putchar('\n');
    json_decref(out);
    goto cleanup;
failed:
    status = fail(&err);
cleanup:
    perf_cost_table_free(&cost);
    perf_store_free(&esx_store);
    esx_pool_free(&pool);
    free(ents);
    perf_batch_free(&before);
    perf_batch_free(&after);
    perf_counter_map_free(&map);
    nl_lab_free(&lab);
    vs_client_free(&c);
    return status;
}
