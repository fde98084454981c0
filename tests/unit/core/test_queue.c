#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "backend/core/queue.h"
#include "backend/core/xmalloc.h"
#include "check.h"

enum { PRODUCERS = 8, PER_PRODUCER = 5000 };

struct producer {
    struct nl_queue *q;
    int id;
};

static void *produce(void *arg)
{
    struct producer *p = arg;
    for (int i = 0; i < PER_PRODUCER; i++) {
        int *v = xmalloc(sizeof(*v));
        *v = i;
        nl_queue_push(p->q, nl_msg_new(p->id, v, NULL));
    }
    return NULL;
}

static int frees;
static void count_free(void *p)
{
    free(p);
    frees++;
}

static int waiter_got_null;
static void *wait_forever(void *arg)
{
    waiter_got_null = nl_queue_pop_wait(arg, -1) == NULL;
    return NULL;
}

static int fd_readable(int fd, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, timeout_ms) == 1 && (pfd.revents & POLLIN);
}

int main(void)
{
    struct nl_queue *q = nl_queue_new();

    /* Empty: not readable, pop gives NULL, a timed wait times out. */
    CHECK(!fd_readable(nl_queue_fd(q), 0));
    CHECK(nl_queue_pop(q) == NULL);
    CHECK(nl_queue_pop_wait(q, 20) == NULL);

    /* Concurrent producers, one consumer driven by poll() like the UI loop. Every message arrives
     * exactly once and each producer's messages arrive in order. */
    pthread_t threads[PRODUCERS];
    struct producer prods[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) {
        prods[i] = (struct producer){q, i};
        pthread_create(&threads[i], NULL, produce, &prods[i]);
    }
    int next[PRODUCERS] = {0};
    int received = 0, out_of_order = 0, bad_kind = 0;
    while (received < PRODUCERS * PER_PRODUCER) {
        if (!fd_readable(nl_queue_fd(q), 5000))
            break; /* a lost wake-up would end here */
        struct nl_msg *m;
        while ((m = nl_queue_pop(q)) != NULL) {
            if (m->kind < 0 || m->kind >= PRODUCERS) {
                bad_kind++;
            } else {
                if (*(int *)m->payload != next[m->kind])
                    out_of_order++;
                next[m->kind] = *(int *)m->payload + 1;
            }
            received++;
            nl_msg_free(&m);
            CHECK(m == NULL);
        }
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(threads[i], NULL);
    CHECK_INT(received, PRODUCERS * PER_PRODUCER);
    CHECK_INT(out_of_order, 0);
    CHECK_INT(bad_kind, 0);
    CHECK_INT(nl_queue_len(q), 0);
    /* Drained: the wake fd is quiet again, so poll() does not spin. */
    CHECK(!fd_readable(nl_queue_fd(q), 0));

    /* Custom payload destructor runs for messages left in the queue at free time. */
    nl_queue_push(q, nl_msg_new(1, xmalloc(4), count_free));
    nl_queue_push(q, nl_msg_new(2, xmalloc(4), count_free));
    CHECK(fd_readable(nl_queue_fd(q), 0));

    /* After close: a waiter wakes, pushes are refused (and the message freed). */
    nl_queue_close(q);
    CHECK_INT(nl_queue_push(q, nl_msg_new(3, xmalloc(4), count_free)), -1);
    CHECK_INT(frees, 1);
    nl_queue_free(&q);
    CHECK(q == NULL);
    CHECK_INT(frees, 3);

    /* A blocked waiter is released by close. */
    q = nl_queue_new();
    pthread_t waiter;
    pthread_create(&waiter, NULL, wait_forever, q);
    nl_queue_close(q);
    pthread_join(waiter, NULL);
    CHECK_INT(waiter_got_null, 1);
    nl_queue_free(&q);
    return nl_check_done();
}
