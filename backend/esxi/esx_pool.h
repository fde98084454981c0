/* esx_pool: the SSH side of one endpoint. It holds the credentials and options (the password in
 * memory only, wiped with explicit_bzero on free), the per-host addresses from the config, and a
 * cache of open sessions, one per host, each guarded by its own mutex so that a session is used
 * by one thread at a time while different hosts run concurrently. Thread-safe. */
#ifndef NL_ESXI_POOL_H
#define NL_ESXI_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "backend/core/config.h"
#include "backend/core/err.h"
#include "backend/esxi/esx_session.h"
#include "backend/model/lab.h"

struct esx_pool_config {
    const char *user;     /* NULL = "root" */
    const char *password; /* copied; NULL = no password methods */
    const char *key_file; /* NULL = none */
    bool use_agent;
    const char *known_hosts; /* nestlab's known_hosts file (required for verification) */
    bool user_known_hosts;   /* also read ~/.ssh/known_hosts */
    bool accept_new;         /* record unknown host keys (headless --accept-new-host-keys) */
    int connect_timeout_ms;  /* 0 = 10 s */
    int command_timeout_ms;  /* 0 = 60 s */
    size_t output_cap;       /* per stream; 0 = 16 MiB */
    size_t parallel;         /* hosts at once; 0 = 16 */
    const struct nl_ssh_host_cfg *hosts; /* name → address/port overrides (copied) */
    size_t n_hosts;
};

/* Where a host is reached. */
struct esx_target {
    const char *name;    /* for messages and the session cache */
    const char *address; /* NULL = name */
    int port;            /* 0 = 22 */
};

struct esx_pool;

struct esx_pool *esx_pool_new(const struct esx_pool_config *cfg);
/* Builds a pool from an endpoint's "ssh" section (known_hosts default is the caller's job:
 * pass known_hosts when cfg->known_hosts is NULL). */
struct esx_pool *esx_pool_new_from_cfg(const struct nl_ssh_cfg *cfg, const char *password,
                                       const char *known_hosts, bool accept_new);
/* Closes every session, wipes the password, frees. */
void esx_pool_free(struct esx_pool **p);

void esx_pool_set_accept_new(struct esx_pool *p, bool accept_new);
size_t esx_pool_parallel(const struct esx_pool *p);
/* The config's host entries (name, address, port). */
const struct nl_ssh_host_cfg *esx_pool_hosts(const struct esx_pool *p, size_t *n);

/* The target for a model host: the config's address for its name, else host->ssh_address /
 * ssh_port, else its name on port 22. Pointers borrow from p and host. */
struct esx_target esx_pool_target(const struct esx_pool *p, const struct nl_host *host);
/* Same for a bare host name. */
struct esx_target esx_pool_target_name(const struct esx_pool *p, const char *name);

/* Locks the host's slot and returns a connected session (opening or replacing a broken one).
 * Every successful acquire must be paired with esx_pool_release. */
enum nl_code esx_pool_acquire(struct esx_pool *p, const struct esx_target *t,
                              struct esx_session **out, struct nl_err *err);
void esx_pool_release(struct esx_pool *p, struct esx_session *s);

/* Acquire, run argv (quoted here), release. A cached session the host has dropped while idle is
 * replaced and the command retried once, but only when the command cannot have started. */
enum nl_code esx_pool_run(struct esx_pool *p, const struct esx_target *t, const char *const *argv,
                          struct esx_result *res, struct nl_err *err);

/* Drops the cached session of a host (e.g. after it was marked down). */
void esx_pool_forget(struct esx_pool *p, const struct esx_target *t);

/* Runs fn(arg, i) for i in [0, n) on up to esx_pool_parallel() threads and waits. */
void esx_pool_each(struct esx_pool *p, size_t n, void (*fn)(void *arg, size_t i), void *arg);

#endif
