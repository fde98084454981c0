/* nl_pool: a fixed set of worker threads running jobs in submission order. This is how network
 * work leaves the UI thread and how operations bound their concurrency across hosts. */
#ifndef NL_CORE_POOL_H
#define NL_CORE_POOL_H

#include <stddef.h>

struct nl_pool;

typedef void (*nl_job_fn)(void *arg);

struct nl_pool *nl_pool_new(size_t threads);
/* Queues fn(arg) for a worker. Returns -1 after nl_pool_free began. */
int nl_pool_submit(struct nl_pool *p, nl_job_fn fn, void *arg);
/* Blocks until every job submitted so far has finished. */
void nl_pool_wait(struct nl_pool *p);
/* Runs the remaining jobs, joins the workers, frees the pool. */
void nl_pool_free(struct nl_pool **p);

#endif
