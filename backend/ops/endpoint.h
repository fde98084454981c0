/* One endpoint of the config, connected: a vCenter session when vCenter answers, or direct SSH to
 * every ESXi host when it does not (or when asked). This is the only place that decides which
 * transport serves the lab, so the CLI verbs and the console behave the same:
 *
 *   vCenter reachable     inventory over SOAP (saved to the cache), changes through SOAP
 *   vCenter unreachable   (refused, timeout, TLS or HTTP failure) the cached host list plus the
 *   or --direct           config's SSH addresses, every host read live over SSH, changes over SSH
 *   ssh_only endpoint     the same, with no vCenter at all
 *
 * A wrong vCenter password is not "unreachable": it is reported, never papered over by SSH.
 * Blocking calls: run them on a worker when a UI must stay live. */
#ifndef NL_OPS_ENDPOINT_H
#define NL_OPS_ENDPOINT_H

#include <stdbool.h>

#include "backend/core/config.h"
#include "backend/core/err.h"
#include "backend/model/lab.h"
#include "backend/ops/executor.h"

struct nl_endpoint_opts {
    bool direct;               /* skip vCenter even if it answers */
    bool accept_new_host_keys; /* SSH: record unknown host keys (never changed ones) */
    bool allow_prompt;         /* ask for missing passwords on the terminal */
    int vcenter_timeout_s;     /* connect timeout for vCenter; 0 = 10 */
    /* Passwords the caller already has (e.g. typed before a UI took the terminal), used instead
     * of the environment and the prompt when set and not empty. Borrowed for the duration of
     * nl_endpoint_open only: the endpoint copies them into its vCenter client and SSH pool
     * (which wipe their copies when freed) and keeps no pointer to them. */
    const char *password;     /* vCenter */
    const char *ssh_password; /* the ESXi hosts over SSH */
};

enum nl_endpoint_mode { NL_MODE_VCENTER, NL_MODE_DIRECT };

struct nl_endpoint;

/* Connects. In direct mode the SSH password is read here too, so a later step never prompts.
 * Fails only when neither transport can be used; a fallback is not a failure (see
 * nl_endpoint_fallback_reason). */
enum nl_code nl_endpoint_open(const struct nl_endpoint_cfg *cfg,
                              const struct nl_endpoint_opts *opts, struct nl_endpoint **out,
                              struct nl_err *err);
void nl_endpoint_free(struct nl_endpoint **ep);

enum nl_endpoint_mode nl_endpoint_mode(const struct nl_endpoint *ep);
const char *nl_endpoint_name(const struct nl_endpoint *ep);
/* Why the endpoint is in direct mode although it has a vCenter ("vCenter ... is unreachable:
 * ..."), or NULL. */
const char *nl_endpoint_fallback_reason(const struct nl_endpoint *ep);

/* The whole lab, linked, owned by the caller. vCenter: the inventory, also saved to the cache.
 * Direct: the cached lab (or the config's host list) refreshed by reading every host over SSH in
 * parallel; hosts that cannot be read keep their cached data, marked NOT_RESPONDING and
 * source "cache", and their errors are listed by nl_endpoint_host_errors. */
struct nl_lab *nl_endpoint_inventory(struct nl_endpoint *ep, struct nl_err *err);
/* After nl_endpoint_inventory in direct mode: one line per host that could not be read. */
const char *const *nl_endpoint_host_errors(const struct nl_endpoint *ep, size_t *n);

/* A host whose SSH key was not accepted during the last nl_endpoint_inventory (direct mode). */
struct nl_endpoint_hostkey {
    char *host;    /* the host's name */
    char *address; /* where it was reached */
    int port;
    char *fingerprint; /* "SHA256:..." the host presented; "" when the error named none */
    bool changed;      /* another key is on record: refused, never to be accepted from a prompt */
    char *message;     /* the whole-sentence error */
};
/* The hosts refused for their key in the last inventory (owned by ep, valid until the next
 * nl_endpoint_inventory on the same thread). */
const struct nl_endpoint_hostkey *nl_endpoint_host_keys(const struct nl_endpoint *ep, size_t *n);
/* Records key->fingerprint as the key of key->host (address, port) in the endpoint's
 * known_hosts, after checking that the host still presents exactly that key and that no other
 * key is on record (esx_knownhost_accept). Refuses a changed key. Blocking; reads only ep's
 * config, so it may run on a worker while another uses ep. */
enum nl_code nl_endpoint_trust_host_key(struct nl_endpoint *ep,
                                        const struct nl_endpoint_hostkey *key, struct nl_err *err);

/* The executor of the endpoint's transport (owned by the endpoint). */
const struct ops_executor *nl_endpoint_executor(struct nl_endpoint *ep);

/* The vCenter client (struct vs_client *) in vCenter mode, else NULL: for live updates and
 * performance queries, which only vCenter offers. */
void *nl_endpoint_vcenter(struct nl_endpoint *ep);
/* The SSH pool (struct esx_pool *), opened on first use; NULL with err when no password. */
void *nl_endpoint_ssh(struct nl_endpoint *ep, struct nl_err *err);

/* Files of this endpoint under the XDG dirs (owned strings). */
char *nl_endpoint_cache_path(const char *endpoint_name, struct nl_err *err);
char *nl_endpoint_journal_path(struct nl_err *err);
/* The lock that one change at a time takes on the endpoint (lock.h). */
char *nl_endpoint_lock_path(const char *endpoint_name, struct nl_err *err);
char *nl_endpoint_known_hosts_path(struct nl_err *err);

#endif
