/* Direct inventory: every host of an endpoint read over SSH, in parallel (bounded by the pool's
 * parallelism), without vCenter. The host list is the cached lab's hosts (ids kept, so plans,
 * journal entries and nested links keep working) plus the hosts named in the SSH config. */
#ifndef NL_ESXI_LAB_H
#define NL_ESXI_LAB_H

#include <stddef.h>

#include "backend/core/err.h"
#include "backend/esxi/esx_pool.h"
#include "backend/model/lab.h"

/* How reading one host went. */
struct esx_host_status {
    char *id;
    char *name;
    enum nl_code code; /* NL_OK when read live */
    struct nl_err err; /* the reason otherwise */
    long long ms;      /* wall time of this host's read */
    size_t execs;      /* exec channels used */
};

struct esx_lab_result {
    struct esx_host_status *hosts;
    size_t n;
    size_t n_failed;
    long long ms; /* wall time of the whole read */
};

/* Reads every host. Hosts that fail stay as the cache had them, with connection
 * NL_CONN_NOT_RESPONDING and source NL_SOURCE_CACHE (NL_SOURCE_NONE when not cached), and their
 * error in res. The lab's source is NL_SOURCE_SSH. Returns NULL with err set only when there is
 * no host to read or every host failed (err then holds the first host's error). res may be NULL;
 * otherwise free it with esx_lab_result_clear. */
struct nl_lab *esx_lab_read(struct esx_pool *pool, const struct nl_lab *cached,
                            struct esx_lab_result *res, struct nl_err *err);
void esx_lab_result_clear(struct esx_lab_result *res);

#endif
