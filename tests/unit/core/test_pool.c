#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "backend/core/pool.h"
#include "check.h"

static atomic_int done, running, max_running;

static void job(void *arg)
{
    int now = atomic_fetch_add(&running, 1) + 1;
    int seen = atomic_load(&max_running);
    while (now > seen && !atomic_compare_exchange_weak(&max_running, &seen, now))
        ;
    usleep(2000);
    atomic_fetch_sub(&running, 1);
    atomic_fetch_add(&done, 1);
    (void)arg;
}

int main(void)
{
    struct nl_pool *p = nl_pool_new(4);
    for (int i = 0; i < 64; i++)
        CHECK_INT(nl_pool_submit(p, job, NULL), 0);
    nl_pool_wait(p);
    CHECK_INT(atomic_load(&done), 64);
    /* The bound holds and the work really ran in parallel. */
    CHECK(atomic_load(&max_running) <= 4);
    CHECK(atomic_load(&max_running) >= 2);

    /* Jobs still queued at free time are run, not dropped. */
    for (int i = 0; i < 16; i++)
        nl_pool_submit(p, job, NULL);
    nl_pool_free(&p);
    CHECK(p == NULL);
    CHECK_INT(atomic_load(&done), 80);
    return nl_check_done();
}
