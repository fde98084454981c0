#include "backend/esxi/esx_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/pool.h"
#include "backend/core/xmalloc.h"
#include "backend/esxi/esx_quote.h"

struct pool_slot {
    char *key; /* "address:port" */
    char *name;
    pthread_mutex_t lock; /* held by the thread using the session */
    struct esx_session *session;
    /* The session lent out by esx_pool_acquire, guarded by the pool's lock (not the slot's):
     * esx_pool_release finds its slot by it while other threads open and close theirs. */
    const struct esx_session *lent;
    struct pool_slot *next;
};

struct esx_pool {
    char *user, *password, *key_file, *known_hosts;
    bool use_agent, user_known_hosts, accept_new;
    int connect_timeout_ms, command_timeout_ms;
    size_t output_cap, parallel;
    struct nl_ssh_host_cfg *hosts;
    size_t n_hosts;
    pthread_mutex_t lock; /* guards slots and accept_new */
    struct pool_slot *slots;
};

struct esx_pool *esx_pool_new(const struct esx_pool_config *cfg)
{
    struct esx_pool *p = xcalloc(1, sizeof(*p));
    p->user = xstrdup(cfg->user ? cfg->user : "root");
    p->password = xstrdup(cfg->password);
    p->key_file = xstrdup(cfg->key_file);
    p->known_hosts = xstrdup(cfg->known_hosts);
    p->use_agent = cfg->use_agent;
    p->user_known_hosts = cfg->user_known_hosts;
    p->accept_new = cfg->accept_new;
    p->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 10000;
    p->command_timeout_ms = cfg->command_timeout_ms > 0 ? cfg->command_timeout_ms : 60000;
    p->output_cap = cfg->output_cap ? cfg->output_cap : 16u << 20;
    p->parallel = cfg->parallel ? cfg->parallel : 16;
    if (cfg->n_hosts) {
        p->hosts = xcalloc(cfg->n_hosts, sizeof(*p->hosts));
        for (size_t i = 0; i < cfg->n_hosts; i++) {
            p->hosts[i].name = xstrdup(cfg->hosts[i].name);
            p->hosts[i].address = xstrdup(cfg->hosts[i].address);
            p->hosts[i].port = cfg->hosts[i].port;
        }
        p->n_hosts = cfg->n_hosts;
    }
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

struct esx_pool *esx_pool_new_from_cfg(const struct nl_ssh_cfg *cfg, const char *password,
                                       const char *known_hosts, bool accept_new)
{
    struct esx_pool_config c = {
        .user = cfg->user,
        .password = password,
        .key_file = cfg->key_file,
        .use_agent = cfg->key_file == NULL && getenv("SSH_AUTH_SOCK") != NULL,
        .known_hosts = cfg->known_hosts ? cfg->known_hosts : known_hosts,
        .user_known_hosts = true,
        .accept_new = accept_new,
        .connect_timeout_ms = cfg->timeout_s > 0 ? cfg->timeout_s * 1000 : 0,
        .command_timeout_ms = cfg->command_timeout_s > 0 ? cfg->command_timeout_s * 1000 : 0,
        .parallel = cfg->parallel > 0 ? (size_t)cfg->parallel : 0,
        .hosts = cfg->hosts,
        .n_hosts = cfg->n_hosts,
    };
    return esx_pool_new(&c);
}

void esx_pool_free(struct esx_pool **pp)
{
    struct esx_pool *p = pp ? *pp : NULL;
    if (!p)
        return;
    for (struct pool_slot *s = p->slots, *next; s; s = next) {
        next = s->next;
        esx_session_free(&s->session);
        pthread_mutex_destroy(&s->lock);
        free(s->key);
        free(s->name);
        free(s);
    }
    if (p->password) {
        explicit_bzero(p->password, strlen(p->password));
        free(p->password);
    }
    for (size_t i = 0; i < p->n_hosts; i++) {
        free(p->hosts[i].name);
        free(p->hosts[i].address);
    }
    free(p->hosts);
    free(p->user);
    free(p->key_file);
    free(p->known_hosts);
    pthread_mutex_destroy(&p->lock);
    free(p);
    *pp = NULL;
}

void esx_pool_set_accept_new(struct esx_pool *p, bool accept_new)
{
    pthread_mutex_lock(&p->lock);
    p->accept_new = accept_new;
    pthread_mutex_unlock(&p->lock);
}

size_t esx_pool_parallel(const struct esx_pool *p)
{
    return p->parallel;
}

const struct nl_ssh_host_cfg *esx_pool_hosts(const struct esx_pool *p, size_t *n)
{
    *n = p->n_hosts;
    return p->hosts;
}

struct esx_target esx_pool_target_name(const struct esx_pool *p, const char *name)
{
    struct esx_target t = {.name = name, .address = name, .port = 22};
    for (size_t i = 0; i < p->n_hosts; i++) {
        if (p->hosts[i].name && name && strcmp(p->hosts[i].name, name) == 0) {
            if (p->hosts[i].address)
                t.address = p->hosts[i].address;
            if (p->hosts[i].port > 0)
                t.port = p->hosts[i].port;
        }
    }
    return t;
}

struct esx_target esx_pool_target(const struct esx_pool *p, const struct nl_host *host)
{
    for (size_t i = 0; i < p->n_hosts; i++) {
        if (p->hosts[i].name && host->name && strcmp(p->hosts[i].name, host->name) == 0)
            return esx_pool_target_name(p, host->name);
    }
    struct esx_target t = {.name = host->name ? host->name : host->id,
                           .address = host->ssh_address ? host->ssh_address
                                                        : (host->name ? host->name : host->id),
                           .port = host->ssh_port > 0 ? host->ssh_port : 22};
    return t;
}

static struct pool_slot *slot_get(struct esx_pool *p, const struct esx_target *t)
{
    char *key = xasprintf("%s:%d", t->address ? t->address : t->name, t->port > 0 ? t->port : 22);
    pthread_mutex_lock(&p->lock);
    struct pool_slot *s;
    for (s = p->slots; s; s = s->next) {
        if (strcmp(s->key, key) == 0)
            break;
    }
    if (!s) {
        s = xcalloc(1, sizeof(*s));
        s->key = key;
        key = NULL;
        s->name = xstrdup(t->name);
        pthread_mutex_init(&s->lock, NULL);
        s->next = p->slots;
        p->slots = s;
    }
    pthread_mutex_unlock(&p->lock);
    free(key);
    return s;
}

static void slot_lend(struct esx_pool *p, struct pool_slot *s)
{
    pthread_mutex_lock(&p->lock);
    s->lent = s->session;
    pthread_mutex_unlock(&p->lock);
}

/* The slot that lent out session, which the caller still holds locked; it is no longer lent. */
static struct pool_slot *slot_return(struct esx_pool *p, const struct esx_session *session)
{
    pthread_mutex_lock(&p->lock);
    struct pool_slot *s;
    for (s = p->slots; s; s = s->next) {
        if (s->lent == session)
            break;
    }
    if (s)
        s->lent = NULL;
    pthread_mutex_unlock(&p->lock);
    return s;
}

enum nl_code esx_pool_acquire(struct esx_pool *p, const struct esx_target *t,
                              struct esx_session **out, struct nl_err *err)
{
    *out = NULL;
    struct pool_slot *s = slot_get(p, t);
    pthread_mutex_lock(&s->lock);
    if (s->session && esx_session_broken(s->session))
        esx_session_free(&s->session);
    if (!s->session) {
        pthread_mutex_lock(&p->lock);
        bool accept_new = p->accept_new;
        pthread_mutex_unlock(&p->lock);
        struct esx_session_opts o = {
            .name = t->name,
            .address = t->address,
            .port = t->port,
            .user = p->user,
            .password = p->password,
            .key_file = p->key_file,
            .use_agent = p->use_agent,
            .known_hosts = p->known_hosts,
            .user_known_hosts = p->user_known_hosts,
            .accept_new = accept_new,
            .connect_timeout_ms = p->connect_timeout_ms,
            .command_timeout_ms = p->command_timeout_ms,
            .output_cap = p->output_cap,
        };
        enum nl_code rc = esx_session_open(&o, &s->session, err);
        if (rc) {
            pthread_mutex_unlock(&s->lock);
            return rc;
        }
    }
    slot_lend(p, s);
    *out = s->session;
    return NL_OK;
}

void esx_pool_release(struct esx_pool *p, struct esx_session *session)
{
    struct pool_slot *s = session ? slot_return(p, session) : NULL;
    if (!s)
        return;
    if (esx_session_broken(s->session))
        esx_session_free(&s->session);
    pthread_mutex_unlock(&s->lock);
}

enum nl_code esx_pool_run(struct esx_pool *p, const struct esx_target *t, const char *const *argv,
                          struct esx_result *res, struct nl_err *err)
{
    memset(res, 0, sizeof(*res));
    char *cmd = esx_cmd_buildv(argv, err);
    if (!cmd)
        return NL_ERR_USAGE;
    enum nl_code rc = NL_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        struct esx_session *s = NULL;
        struct nl_err e = {0};
        rc = esx_pool_acquire(p, t, &s, &e);
        if (rc == NL_OK) {
            rc = esx_session_exec(s, cmd, res, &e);
            esx_pool_release(p, s);
        }
        /* Only a channel that never opened is safe to retry: the command did not start. */
        if (rc == NL_OK || attempt == 1 || strcmp(e.detail, "channel") != 0) {
            if (rc && err && !nl_err_is_set(err))
                *err = e;
            break;
        }
    }
    free(cmd);
    return rc;
}

void esx_pool_forget(struct esx_pool *p, const struct esx_target *t)
{
    struct pool_slot *s = slot_get(p, t);
    pthread_mutex_lock(&s->lock);
    esx_session_free(&s->session);
    pthread_mutex_unlock(&s->lock);
}

struct each_job {
    void (*fn)(void *arg, size_t i);
    void *arg;
    size_t i;
};

static void each_run(void *a)
{
    struct each_job *j = a;
    j->fn(j->arg, j->i);
}

void esx_pool_each(struct esx_pool *p, size_t n, void (*fn)(void *arg, size_t i), void *arg)
{
    if (n == 0)
        return;
    if (n == 1) {
        fn(arg, 0);
        return;
    }
    size_t threads = p->parallel < n ? p->parallel : n;
    struct nl_pool *workers = nl_pool_new(threads);
    struct each_job *jobs = xcalloc(n, sizeof(*jobs));
    for (size_t i = 0; i < n; i++) {
        jobs[i] = (struct each_job){fn, arg, i};
        nl_pool_submit(workers, each_run, &jobs[i]);
    }
    nl_pool_wait(workers);
    nl_pool_free(&workers);
    free(jobs);
}
