/* nestlab monitor over SSH: one esxtop run per host, hosts in parallel, for when vCenter is
 * down (or --direct, for 2-second resolution). */
#include "tui/cli_monitor.h"

#include <stdio.h>
#include <stdlib.h>

#include "backend/core/term_text.h"
#include "backend/core/xmalloc.h"
#include "backend/esxi/esx_perf.h"
#include "backend/perf/perf_batch.h"
#include "backend/perf/perf_metric.h"
#include "tui/cli.h"

struct esxtop_job {
    struct esx_pool *pool;
    const struct nl_lab *lab;
    const size_t *hosts;
    int iterations;
    struct perf_batch **batches; /* one per host, NULL when it failed */
    struct nl_err *errs;         /* one per host */
};

static void esxtop_one(void *arg, size_t i)
{
    struct esxtop_job *job = arg;
    const struct nl_host *host = &job->lab->hosts[job->hosts[i]];
    struct esx_target t = esx_pool_target(job->pool, host);
    esx_perf_esxtop(job->pool, &t, host->id, PERF_ESXTOP_INTERVAL, job->iterations,
                    &job->batches[i], &job->errs[i]);
}

enum nl_code cli_monitor_esxtop(struct esx_pool *pool, const struct nl_lab *lab,
                                const size_t *hosts, size_t n, int iterations,
                                struct perf_store *store, size_t *failed, struct nl_err *err)
{
    *failed = 0;
    if (n == 0)
        return NL_OK;
    struct esxtop_job job = {
        .pool = pool,
        .lab = lab,
        .hosts = hosts,
        .iterations = iterations,
        .batches = xcalloc(n, sizeof(struct perf_batch *)),
        .errs = xcalloc(n, sizeof(struct nl_err)),
    };
    esx_pool_each(pool, n, esxtop_one, &job);
    enum nl_code first = NL_OK;
    for (size_t i = 0; i < n; i++) {
        if (job.batches[i]) {
            perf_store_merge(store, job.batches[i]);
            perf_batch_free(&job.batches[i]);
            continue;
        }
        if (job.errs[i].code == NL_OK) /* a failure must never read as "no error" */
            NL_ERR(&job.errs[i], NL_ERR_PROTOCOL, NULL, "esxtop on \"%s\" gave no samples.",
                   lab->hosts[hosts[i]].name);
        char text[700];
        nl_err_format(&job.errs[i], text, sizeof(text));
        char *name = nl_term_name(lab->hosts[hosts[i]].name);
        char *label = xasprintf("warning: no esxtop samples from \"%s\": ", name);
        cli_note(label, text);
        free(label);
        free(name);
        if (!*failed)
            first = job.errs[i].code;
        if (!*failed && err && err->code == NL_OK)
            *err = job.errs[i];
        (*failed)++;
    }
    free(job.batches);
    free(job.errs);
    return *failed == n ? first : NL_OK;
}
