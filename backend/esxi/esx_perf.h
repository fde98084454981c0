/* Performance data over SSH, for when vCenter is down or 2-second resolution is wanted:
 * `esxtop -b -d DELAY -n N` on one host, parsed by backend/perf into a batch of esxtop series
 * (CPU, per-port packet and Mbit rates, per-vSwitch ingress/delivered; perf_esxtop.h). */
#ifndef NL_ESXI_PERF_H
#define NL_ESXI_PERF_H

#include "backend/core/err.h"
#include "backend/esxi/esx_pool.h"
#include "backend/perf/perf_batch.h"

/* The argv, NULL-terminated, owned (free with esx_perf_argv_free). delay_s 1..3600,
 * iterations 1..1000, else NULL. */
char **esx_perf_esxtop_argv(int delay_s, int iterations);
void esx_perf_argv_free(char ***argv);

/* Runs esxtop on the host t through the pool (one exec channel; the session's command timeout
 * is raised to delay_s x iterations + 30 s when that is longer than a minute) and parses its
 * output for entity (the model's id of the host). A non-zero exit status is NL_ERR_PROTOCOL
 * quoting esxtop's stderr; unparsable output is NL_ERR_PARSE (perf_esxtop_parse). */
enum nl_code esx_perf_esxtop(struct esx_pool *p, const struct esx_target *t, const char *entity,
                             int delay_s, int iterations, struct perf_batch **out,
                             struct nl_err *err);

#endif
