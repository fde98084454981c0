/* bench_perf: client CPU time of one monitoring refresh for many hosts.
 *
 *   bench_perf offline [--hosts N] [--samples S] [--iterations I]
 *       builds the QueryPerf request for N hosts, parses a CSV answer shaped like vCenter's (and
 *       labsim's) for them, and files it into the ring store: everything the client does per
 *       refresh except the network.
 *   bench_perf live --url URL --user USER [--thumbprint TP] [--hosts N] [--samples S]
 *             [--iterations I]
 *       the same through backend/vsphere against a server (labsim --scale 500x10000): one
 *       QueryPerf per refresh for the first N hosts of the inventory (TLS, HTTP and the SOAP
 *       layer included).
 *
 * Prints "refresh: hosts=N samples=S iterations=I cpu_ms_per_refresh=X wall_ms_per_refresh=Y"
 * and exits 1 when cpu_ms_per_refresh exceeds --max-ms (default 50). The password comes from
 * NESTLAB_PASSWORD. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/buf.h"
#include "backend/core/err.h"
#include "backend/model/lab.h"
#include "backend/perf/perf_metric.h"
#include "backend/perf/perf_query.h"
#include "backend/perf/perf_store.h"
#include "backend/perf/perf_time.h"
#include "backend/vsphere/vs_inventory.h"
#include "backend/vsphere/vs_perf.h"

static double now_ms(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int fail(const struct nl_err *err)
{
    char msg[700];
    nl_err_format(err, msg, sizeof msg);
    fprintf(stderr, "error: %s: %s\n", nl_code_name(err->code), msg);
    return 1;
}

/* The vCenter (vcsim VPX) ids; the map is what a real server would give. */
static struct perf_counter_map *bench_map(void)
{
    struct perf_counter_map *m = perf_counter_map_new();
    struct nl_err err = {0};
    perf_counter_map_add(m, 2, "cpu", "usage", "average", "percent", "rate", &err);
    perf_counter_map_add(m, 6, "cpu", "usagemhz", "average", "megaHertz", "rate", &err);
    perf_counter_map_add(m, 146, "net", "packetsRx", "summation", "number", "delta", &err);
    perf_counter_map_add(m, 148, "net", "received", "average", "kiloBytesPerSecond", "rate", &err);
    perf_counter_map_add(m, 464, "net", "broadcastRx", "summation", "number", "delta", &err);
    return m;
}

/* A QueryPerf CSV answer for hosts host-1..N: per host the aggregate of every default counter
 * plus net.packetsRx per uplink (vmnic0, vmnic1), samples newest at t_end. */
static char *answer(size_t hosts, int samples, int64_t t_end)
{
    struct nl_buf b;
    struct nl_err err = {0};
    nl_buf_init(&b, 0);
    nl_buf_append_str(&b,
                      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "
                      "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>"
                      "<QueryPerfResponse xmlns=\"urn:vim25\">",
                      &err);
    static const struct {
        int id;
        const char *inst;
    } series[] = {{2, ""},         {6, ""},   {146, ""}, {146, "vmnic0"},
                  {146, "vmnic1"}, {148, ""}, {464, ""}};
    for (size_t h = 1; h <= hosts; h++) {
        nl_buf_appendf(&b, &err,
                       "<returnval xsi:type=\"PerfEntityMetricCSV\"><entity "
                       "type=\"HostSystem\">host-%zu</entity><sampleInfoCSV>",
                       h);
        for (int s = 0; s < samples; s++) {
            char ts[32];
            perf_time_format_iso(t_end - 20 * (samples - 1 - s), ts, sizeof ts);
            nl_buf_appendf(&b, &err, "%s20,%s", s ? "," : "", ts);
        }
        nl_buf_append_str(&b, "</sampleInfoCSV>", &err);
        for (size_t k = 0; k < sizeof series / sizeof series[0]; k++) {
            nl_buf_appendf(&b, &err,
                           "<value><id><counterId>%d</counterId><instance>%s</instance></id>"
                           "<value>",
                           series[k].id, series[k].inst);
            for (int s = 0; s < samples; s++)
                nl_buf_appendf(&b, &err, "%s%zu", s ? "," : "", (h * 37 + (size_t)s * 11) % 9000);
            nl_buf_append_str(&b, "</value></value>", &err);
        }
        nl_buf_append_str(&b, "</returnval>", &err);
    }
    nl_buf_append_str(&b, "</QueryPerfResponse></soapenv:Body></soapenv:Envelope>", &err);
    return nl_buf_steal(&b);
}

static int offline(size_t hosts, int samples, int iterations, double max_ms)
{
    struct perf_counter_map *map = bench_map();
    struct perf_store *store = perf_store_new();
    struct perf_entity *ents = calloc(hosts, sizeof *ents);
    char **ids = calloc(hosts, sizeof *ids);
    for (size_t i = 0; i < hosts; i++) {
        ids[i] = malloc(32);
        snprintf(ids[i], 32, "host-%zu", i + 1);
        ents[i] = (struct perf_entity){"HostSystem", ids[i]};
    }
    /* Answers prepared beforehand: the server's work is not the client's CPU. */
    char **answers = calloc((size_t)iterations, sizeof *answers);
    int64_t t0 = 1795640000;
    for (int it = 0; it < iterations; it++)
        answers[it] = answer(hosts, samples, t0 + 20 * it);
    struct perf_query_opts opts = {samples, 20, "csv"};
    struct nl_err err = {0};
    int status = 0;
    size_t stored = 0;
    double c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID), w0 = now_ms(CLOCK_MONOTONIC);
    for (int it = 0; it < iterations && !status; it++) {
        char *req = NULL;
        struct perf_batch *b = NULL;
        if (perf_query_build("PerfMgr", map, ents, hosts, perf_default_metrics,
                             perf_default_metrics_count, &opts, &req, &err) != NL_OK ||
            perf_query_parse(answers[it], strlen(answers[it]), map, &b, &err) != NL_OK)
            status = fail(&err);
        else
            stored += perf_store_merge(store, b);
        free(req);
        perf_batch_free(&b);
    }
    double cpu = (now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0) / iterations;
    double wall = (now_ms(CLOCK_MONOTONIC) - w0) / iterations;
    if (!status) {
        printf("refresh (offline): hosts=%zu samples=%d iterations=%d series=%zu stored=%zu "
               "cpu_ms_per_refresh=%.2f wall_ms_per_refresh=%.2f target_ms=%.0f\n",
               hosts, samples, iterations, perf_store_count(store), stored, cpu, wall, max_ms);
        if (stored != hosts * 7 * (size_t)samples * (size_t)iterations) {
            fprintf(stderr, "error: stored %zu samples, expected %zu\n", stored,
                    hosts * 7 * (size_t)samples * (size_t)iterations);
            status = 1;
        } else if (cpu > max_ms) {
            fprintf(stderr, "error: %.2f ms of CPU per refresh exceeds the %.0f ms target\n", cpu,
                    max_ms);
            status = 1;
        }
    }
    for (int it = 0; it < iterations; it++)
        free(answers[it]);
    for (size_t i = 0; i < hosts; i++)
        free(ids[i]);
    free(answers);
    free(ids);
    free(ents);
    perf_store_free(&store);
    perf_counter_map_free(&map);
    return status;
}

static int live(const char *url, const char *user, const char *tp, size_t hosts, int samples,
                int iterations, double max_ms)
{
    struct nl_err err = {0};
    struct vs_config cfg = {
        .url = url, .user = user, .password = getenv("NESTLAB_PASSWORD"), .thumbprint = tp};
    struct vs_client *c = vs_client_new(&cfg, &err);
    struct nl_lab *lab = NULL;
    struct perf_counter_map *map = NULL;
    struct perf_store *store = perf_store_new();
    struct perf_entity *ents = NULL;
    int status = 0;
    if (!c || vs_client_connect(c, &err) != NL_OK ||
        !(lab = vs_inventory_fetch(c, "bench", &err)) ||
        vs_perf_counter_map_fetch(c, &map, &err) != NL_OK) {
        status = fail(&err);
        goto cleanup;
    }
    /* The first `hosts` hosts of the inventory (a scaled lab also holds nested hosts). */
    size_t n = hosts < lab->n_hosts ? hosts : lab->n_hosts;
    ents = calloc(n ? n : 1, sizeof *ents);
    for (size_t i = 0; i < n; i++)
        ents[i] = (struct perf_entity){"HostSystem", lab->hosts[i].id};
    double c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID), w0 = now_ms(CLOCK_MONOTONIC);
    for (int it = 0; it < iterations; it++)
        if (vs_perf_refresh(c, map, ents, n, samples, store, &err) != NL_OK) {
            status = fail(&err);
            goto cleanup;
        }
    double cpu = (now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0) / iterations;
    double wall = (now_ms(CLOCK_MONOTONIC) - w0) / iterations;
    printf("refresh (live): hosts=%zu samples=%d iterations=%d series=%zu "
           "cpu_ms_per_refresh=%.2f wall_ms_per_refresh=%.2f target_ms=%.0f\n",
           n, samples, iterations, perf_store_count(store), cpu, wall, max_ms);
    if (cpu > max_ms) {
        fprintf(stderr, "error: %.2f ms of CPU per refresh exceeds the %.0f ms target\n", cpu,
                max_ms);
        status = 1;
    }
cleanup:
    free(ents);
    perf_store_free(&store);
    perf_counter_map_free(&map);
    nl_lab_free(&lab);
    vs_client_free(&c);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_perf offline|live [options]\n");
        return 2;
    }
    const char *url = NULL, *user = NULL, *tp = NULL;
    size_t hosts = 500;
    int samples = 3, iterations = 20;
    double max_ms = 50;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "bench_perf: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (!strcmp(a, "--hosts"))
            hosts = (size_t)atol(v);
        else if (!strcmp(a, "--samples"))
            samples = atoi(v);
        else if (!strcmp(a, "--iterations"))
            iterations = atoi(v);
        else if (!strcmp(a, "--max-ms"))
            max_ms = atof(v);
        else if (!strcmp(a, "--url"))
            url = v;
        else if (!strcmp(a, "--user"))
            user = v;
        else if (!strcmp(a, "--thumbprint"))
            tp = v;
        else {
            fprintf(stderr, "bench_perf: unknown option %s\n", a);
            return 2;
        }
    }
    if (hosts == 0 || samples < 1 || iterations < 1) {
        fprintf(stderr, "bench_perf: hosts, samples and iterations must be positive\n");
        return 2;
    }
    if (!strcmp(argv[1], "offline"))
        return offline(hosts, samples, iterations, max_ms);
    if (!strcmp(argv[1], "live") && url && user)
        return live(url, user, tp, hosts, samples, iterations, max_ms);
    fprintf(stderr, "usage: bench_perf offline|live --url URL --user USER [options]\n");
    return 2;
}
