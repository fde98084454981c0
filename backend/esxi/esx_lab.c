#include "backend/esxi/esx_lab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"
#include "backend/esxi/esx_read.h"

struct lab_job {
    char *id;
    char *name;
    char *address; /* copies: the job outlives nothing, but the targets must not borrow the lab */
    int port;
    bool cached;
    struct esx_host_data *data;
    enum nl_code code;
    struct nl_err err;
    long long ms;
};

struct lab_ctx {
    struct esx_pool *pool;
    struct lab_job *jobs;
};

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void lab_job_run(void *arg, size_t i)
{
    struct lab_ctx *c = arg;
    struct lab_job *j = &c->jobs[i];
    long long t0 = mono_ms();
    struct esx_target t = {.name = j->name, .address = j->address, .port = j->port};
    struct esx_session *s = NULL;
    j->code = esx_pool_acquire(c->pool, &t, &s, &j->err);
    if (j->code == NL_OK) {
        j->code = esx_host_fetch(s, &j->data, &j->err);
        esx_pool_release(c->pool, s);
    }
    j->ms = mono_ms() - t0;
    if (j->code)
        NL_WARN("reading %s over SSH failed: %s", j->name, j->err.message);
}

static bool job_known(const struct lab_job *jobs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(jobs[i].name, name) == 0)
            return true;
    }
    return false;
}

struct nl_lab *esx_lab_read(struct esx_pool *pool, const struct nl_lab *cached,
                            struct esx_lab_result *res, struct nl_err *err)
{
    long long t0 = mono_ms();
    size_t n_cfg = 0;
    const struct nl_ssh_host_cfg *cfg = esx_pool_hosts(pool, &n_cfg);
    size_t n_cached = cached ? cached->n_hosts : 0;
    struct lab_job *jobs = xcalloc(n_cached + n_cfg + 1, sizeof(*jobs));
    size_t n = 0;
    for (size_t i = 0; i < n_cached; i++) {
        const struct nl_host *h = &cached->hosts[i];
        const char *name = h->name ? h->name : h->id;
        if (job_known(jobs, n, name))
            continue;
        struct esx_target t = esx_pool_target(pool, h);
        jobs[n] = (struct lab_job){.id = xstrdup(h->id),
                                   .name = xstrdup(name),
                                   .address = xstrdup(t.address),
                                   .port = t.port,
                                   .cached = true};
        n++;
    }
    for (size_t i = 0; i < n_cfg; i++) {
        if (!cfg[i].name || job_known(jobs, n, cfg[i].name))
            continue;
        struct esx_target t = esx_pool_target_name(pool, cfg[i].name);
        jobs[n] = (struct lab_job){.id = xasprintf("ssh:%s", cfg[i].name),
                                   .name = xstrdup(cfg[i].name),
                                   .address = xstrdup(t.address),
                                   .port = t.port};
        n++;
    }
    struct nl_lab *lab = NULL;
    if (n == 0) {
        NL_ERR(err, NL_ERR_USAGE, NULL,
               "No ESXi host is known to read over SSH: neither the cache nor the SSH section of "
               "the configuration names one.");
        goto cleanup;
    }
    struct lab_ctx ctx = {pool, jobs};
    esx_pool_each(pool, n, lab_job_run, &ctx);

    lab = cached ? nl_lab_clone(cached) : nl_lab_new("ssh");
    lab->source = NL_SOURCE_SSH;
    lab->fetched_at = time(NULL);
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        struct lab_job *j = &jobs[i];
        struct nl_host *h;
        if (j->code == NL_OK) {
            h = esx_host_apply(lab, j->id, j->name, j->data);
        } else {
            failed++;
            h = nl_lab_add_host(lab, j->id);
            if (!h->name)
                xstrset(&h->name, j->name);
            h->connection = NL_CONN_NOT_RESPONDING;
            h->source = j->cached ? NL_SOURCE_CACHE : NL_SOURCE_NONE;
        }
        /* Remember where the host answers, for the executor and the next read. */
        xstrset(&h->ssh_address, j->address);
        h->ssh_port = j->port;
    }
    nl_lab_link(lab);
    if (failed == n) {
        NL_ERR(err, jobs[0].code, jobs[0].err.detail[0] ? jobs[0].err.detail : NULL,
               "No host answered over SSH; the first failure: %s", jobs[0].err.message);
        nl_lab_free(&lab);
    }
    if (res) {
        memset(res, 0, sizeof(*res));
        res->hosts = xcalloc(n, sizeof(*res->hosts));
        res->n = n;
        res->n_failed = failed;
        for (size_t i = 0; i < n; i++) {
            res->hosts[i].id = xstrdup(jobs[i].id);
            res->hosts[i].name = xstrdup(jobs[i].name);
            res->hosts[i].code = jobs[i].code;
            res->hosts[i].err = jobs[i].err;
            res->hosts[i].ms = jobs[i].ms;
            res->hosts[i].execs = jobs[i].data ? jobs[i].data->execs : 0;
        }
        res->ms = mono_ms() - t0;
    }
cleanup:
    for (size_t i = 0; i < n; i++) {
        free(jobs[i].id);
        free(jobs[i].name);
        free(jobs[i].address);
        esx_host_data_free(&jobs[i].data);
    }
    free(jobs);
    return lab;
}

void esx_lab_result_clear(struct esx_lab_result *res)
{
    for (size_t i = 0; res && i < res->n; i++) {
        free(res->hosts[i].id);
        free(res->hosts[i].name);
    }
    if (res) {
        free(res->hosts);
        memset(res, 0, sizeof(*res));
    }
}
