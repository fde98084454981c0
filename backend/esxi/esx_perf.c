#include "backend/esxi/esx_perf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/perf/perf_esxtop.h"

char **esx_perf_esxtop_argv(int delay_s, int iterations)
{
    if (delay_s < 1 || delay_s > 3600 || iterations < 1 || iterations > 1000)
        return NULL;
    char **argv = xcalloc(7, sizeof *argv);
    argv[0] = xstrdup("esxtop");
    argv[1] = xstrdup("-b");
    argv[2] = xstrdup("-d");
    argv[3] = xasprintf("%d", delay_s);
    argv[4] = xstrdup("-n");
    argv[5] = xasprintf("%d", iterations);
    return argv;
}

void esx_perf_argv_free(char ***argv)
{
    if (!argv || !*argv)
        return;
    for (char **a = *argv; *a; a++)
        free(*a);
    free(*argv);
    *argv = NULL;
}

/* The first line of esxtop's stderr, for the error message. */
static void first_line(const char *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s", s && *s ? s : "no message");
    buf[strcspn(buf, "\r\n")] = '\0';
}

enum nl_code esx_perf_esxtop(struct esx_pool *p, const struct esx_target *t, const char *entity,
                             int delay_s, int iterations, struct perf_batch **out,
                             struct nl_err *err)
{
    *out = NULL;
    char **argv = esx_perf_esxtop_argv(delay_s, iterations);
    if (!argv)
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "esxtop needs a delay of 1 to 3600 s and 1 to 1000 iterations (got %d s and "
                      "%d).",
                      delay_s, iterations);
    struct esx_session *s = NULL;
    struct esx_result res = {0};
    enum nl_code rc = esx_pool_acquire(p, t, &s, err);
    if (rc)
        goto cleanup;
    /* esxtop runs for delay x iterations; a one-minute command timeout would cut a long run. */
    long need_ms = ((long)delay_s * iterations + 30) * 1000L;
    if (need_ms > 60000)
        esx_session_set_command_timeout(s, (int)need_ms);
    rc = esx_session_run(s, (const char *const *)argv, &res, err);
    if (need_ms > 60000)
        esx_session_set_command_timeout(s, 0);
    esx_pool_release(p, s);
    if (rc)
        goto cleanup;
    if (res.exit_status != 0) {
        char msg[200];
        first_line(res.err, msg, sizeof msg);
        rc = NL_ERR(err, NL_ERR_PROTOCOL, NULL, "esxtop failed on \"%s\" (exit status %d): \"%s\".",
                    t->name, res.exit_status, msg);
        goto cleanup;
    }
    rc = perf_esxtop_parse(res.out, res.out_len, entity, delay_s, out, err);
cleanup:
    esx_result_clear(&res);
    esx_perf_argv_free(&argv);
    return rc;
}
