#include "backend/core/queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "backend/core/xmalloc.h"

/* The wake-up fd is an eventfd that is readable exactly while the queue is non-empty: the first
 * push after empty writes to it, the pop that empties the queue drains it. A poll() loop therefore
 * never spins on a stale wake-up and never misses one. */
struct nl_queue {
    pthread_mutex_t lock;
    pthread_cond_t nonempty;
    struct nl_msg *head, *tail;
    size_t len;
    int efd;
    int closed;
};

struct nl_queue *nl_queue_new(void)
{
    struct nl_queue *q = xcalloc(1, sizeof(*q));
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->nonempty, NULL);
    q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (q->efd < 0)
        abort(); /* only fails when the process is out of file descriptors or memory */
    return q;
}

struct nl_msg *nl_msg_new(int kind, void *payload, void (*free_payload)(void *p))
{
    struct nl_msg *m = xcalloc(1, sizeof(*m));
    m->kind = kind;
    m->payload = payload;
    m->free_payload = free_payload;
    return m;
}

void nl_msg_free(struct nl_msg **m)
{
    if (!m || !*m)
        return;
    if ((*m)->payload) {
        if ((*m)->free_payload)
            (*m)->free_payload((*m)->payload);
        else
            free((*m)->payload);
    }
    free(*m);
    *m = NULL;
}

static void wake_signal(struct nl_queue *q)
{
    uint64_t one = 1;
    ssize_t n;
    do {
        n = write(q->efd, &one, sizeof(one));
    } while (n < 0 && errno == EINTR);
}

static void wake_drain(struct nl_queue *q)
{
    uint64_t v;
    ssize_t n;
    do {
        n = read(q->efd, &v, sizeof(v));
    } while (n < 0 && errno == EINTR);
}

int nl_queue_push(struct nl_queue *q, struct nl_msg *m)
{
    pthread_mutex_lock(&q->lock);
    if (q->closed) {
        pthread_mutex_unlock(&q->lock);
        nl_msg_free(&m);
        return -1;
    }
    m->next = NULL;
    if (q->tail)
        q->tail->next = m;
    else
        q->head = m;
    q->tail = m;
    if (q->len++ == 0)
        wake_signal(q);
    pthread_cond_signal(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
    return 0;
}

/* Caller holds the lock. */
static struct nl_msg *take_head(struct nl_queue *q)
{
    struct nl_msg *m = q->head;
    if (!m)
        return NULL;
    q->head = m->next;
    if (!q->head)
        q->tail = NULL;
    m->next = NULL;
    if (--q->len == 0)
        wake_drain(q);
    return m;
}

struct nl_msg *nl_queue_pop(struct nl_queue *q)
{
    pthread_mutex_lock(&q->lock);
    struct nl_msg *m = take_head(q);
    pthread_mutex_unlock(&q->lock);
    return m;
}

struct nl_msg *nl_queue_pop_wait(struct nl_queue *q, int timeout_ms)
{
    struct timespec deadline;
    if (timeout_ms >= 0) {
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&q->lock);
    while (!q->head && !q->closed) {
        if (timeout_ms < 0) {
            pthread_cond_wait(&q->nonempty, &q->lock);
        } else if (pthread_cond_timedwait(&q->nonempty, &q->lock, &deadline) == ETIMEDOUT) {
            break;
        }
    }
    struct nl_msg *m = take_head(q);
    pthread_mutex_unlock(&q->lock);
    return m;
}

int nl_queue_fd(const struct nl_queue *q)
{
    return q->efd;
}

size_t nl_queue_len(struct nl_queue *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->len;
    pthread_mutex_unlock(&q->lock);
    return n;
}

void nl_queue_close(struct nl_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    pthread_cond_broadcast(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
}

void nl_queue_free(struct nl_queue **qp)
{
    if (!qp || !*qp)
        return;
    struct nl_queue *q = *qp;
    struct nl_msg *m;
    while ((m = take_head(q)) != NULL)
        nl_msg_free(&m);
    close(q->efd);
    pthread_cond_destroy(&q->nonempty);
    pthread_mutex_destroy(&q->lock);
    free(q);
    *qp = NULL;
}
