/* Internal to nestlab monitor: the SSH side of a refresh (esxtop on every host in view). */
#ifndef NL_TUI_CLI_MONITOR_H
#define NL_TUI_CLI_MONITOR_H

#include <stddef.h>

#include "backend/core/err.h"
#include "backend/esxi/esx_pool.h"
#include "backend/model/lab.h"
#include "backend/perf/perf_store.h"

/* Runs `esxtop -b -d PERF_ESXTOP_INTERVAL -n iterations` on hosts[0..n) (indexes into
 * lab->hosts) in parallel through the pool (at most esx_pool_parallel() at once) and files every
 * parsed batch in store under the model's host id. A host that fails does not stop the others:
 * its error is printed on stderr ("nestlab: warning: ...") and counted in *failed, and the first
 * such error is kept in err. Returns NL_OK when at least one host answered (or n == 0), else
 * the first host's error code. */
enum nl_code cli_monitor_esxtop(struct esx_pool *pool, const struct nl_lab *lab,
                                const size_t *hosts, size_t n, int iterations,
                                struct perf_store *store, size_t *failed, struct nl_err *err);

#endif
