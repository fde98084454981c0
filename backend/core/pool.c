#include "backend/core/pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "backend/core/xmalloc.h"

struct pool_job {
    nl_job_fn fn;
    void *arg;
    struct pool_job *next;
};

struct nl_pool {
    pthread_mutex_t lock;
    pthread_cond_t work; /* a job arrived or the pool is stopping */
    pthread_cond_t idle; /* pending reached zero */
    struct pool_job *head, *tail;
    size_t pending; /* queued + running */
    int stopping;
    pthread_t *threads;
    size_t n_threads;
};

static void *pool_worker(void *arg)
{
    struct nl_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->head && !p->stopping)
            pthread_cond_wait(&p->work, &p->lock);
        if (!p->head)
            break; /* stopping and drained */
        struct pool_job *job = p->head;
        p->head = job->next;
        if (!p->head)
            p->tail = NULL;
        pthread_mutex_unlock(&p->lock);
        job->fn(job->arg);
        free(job);
        pthread_mutex_lock(&p->lock);
        if (--p->pending == 0)
            pthread_cond_broadcast(&p->idle);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

struct nl_pool *nl_pool_new(size_t threads)
{
    struct nl_pool *p = xcalloc(1, sizeof(*p));
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->idle, NULL);
    if (threads == 0)
        threads = 1;
    p->threads = xcalloc(threads, sizeof(*p->threads));
    for (size_t i = 0; i < threads; i++) {
        if (pthread_create(&p->threads[i], NULL, pool_worker, p) != 0)
            break;
        p->n_threads++;
    }
    if (p->n_threads == 0)
        abort(); /* no thread at all: the process is out of resources */
    return p;
}

int nl_pool_submit(struct nl_pool *p, nl_job_fn fn, void *arg)
{
    struct pool_job *job = xcalloc(1, sizeof(*job));
    job->fn = fn;
    job->arg = arg;
    pthread_mutex_lock(&p->lock);
    if (p->stopping) {
        pthread_mutex_unlock(&p->lock);
        free(job);
        return -1;
    }
    if (p->tail)
        p->tail->next = job;
    else
        p->head = job;
    p->tail = job;
    p->pending++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

void nl_pool_wait(struct nl_pool *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->pending > 0)
        pthread_cond_wait(&p->idle, &p->lock);
    pthread_mutex_unlock(&p->lock);
}

void nl_pool_free(struct nl_pool **pp)
{
    if (!pp || !*pp)
        return;
    struct nl_pool *p = *pp;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    free(p->threads);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->idle);
    pthread_mutex_destroy(&p->lock);
    free(p);
    *pp = NULL;
}
