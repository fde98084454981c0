/* The configuration file ($XDG_CONFIG_HOME/nestlab/config.json, or -c FILE):
 *
 * {
 *   "endpoints": [{
 *     "name": "vc-lab",                       // how the lab is called in nestlab
 *     "url": "https://vc.example/sdk",        // vCenter (or ESXi) SDK URL; optional with ssh_only
 *     "user": "administrator@vsphere.local",
 *     "thumbprint": "AB:CD:...",              // SHA-256 of the server certificate (pins it)
 *     "insecure": false,                      // skip TLS verification (never the default)
 *     "password_env": "NESTLAB_PASSWORD",     // the environment variable holding the password
 *     "ssh_only": false,                      // no vCenter: reach the hosts below directly
 *     "ssh": {
 *       "user": "root", "password_env": "NESTLAB_SSH_PASSWORD", "key_file": "~/.ssh/id_ed25519",
 *       "known_hosts": "/path/known_hosts",   // default: $XDG_STATE_HOME/nestlab/known_hosts
 *       "timeout_s": 10, "command_timeout_s": 60, "parallel": 16,
 *       "hosts": {"esx01.example": {"address": "192.0.2.10", "port": 22}}
 *     }
 *   }],
 *   "theme": "default",
 *   "log_level": "info"
 * }
 *
 * Passwords are never stored in the file: only the NAME of an environment variable. A file that
 * others can read is refused, because it names hosts, users and certificate pins. */
#ifndef NL_CORE_CONFIG_H
#define NL_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct nl_ssh_host_cfg {
    char *name;    /* the host's name as vCenter knows it */
    char *address; /* where to connect; NULL = the name */
    int port;      /* 0 = 22 */
};

struct nl_ssh_cfg {
    char *user;         /* default "root" */
    char *password_env; /* default NESTLAB_SSH_PASSWORD */
    char *key_file;
    char *known_hosts;     /* NULL = nestlab's own file in the state dir */
    int timeout_s;         /* connect + login, default 10 */
    int command_timeout_s; /* one command on a host, default 60 */
    int parallel;          /* default 16 */
    struct nl_ssh_host_cfg *hosts;
    size_t n_hosts;
};

struct nl_endpoint_cfg {
    char *name;
    char *url;
    char *user;
    char *thumbprint;
    bool insecure;
    bool ssh_only;
    char *password_env; /* default NESTLAB_PASSWORD */
    struct nl_ssh_cfg ssh;
};

struct nl_config {
    char *path; /* where it was read from; NULL when built from the command line only */
    struct nl_endpoint_cfg *endpoints;
    size_t n_endpoints;
    char *theme;
    char *log_level;
};

/* Reads and validates a config file. A missing file with allow_missing gives an empty config.
 * Refuses files readable or writable by group/others (NL_ERR_USAGE, says the chmod to run). */
enum nl_code nl_config_load(const char *path, bool allow_missing, struct nl_config *cfg,
                            struct nl_err *err);
/* Parses config text (no permission check); `origin` names it in messages. */
enum nl_code nl_config_parse(const char *text, const char *origin, struct nl_config *cfg,
                             struct nl_err *err);
void nl_config_free(struct nl_config *cfg);

/* The endpoint with that name, or the only/first one when name is NULL. */
struct nl_endpoint_cfg *nl_config_endpoint(struct nl_config *cfg, const char *name);
/* Appends an endpoint (name copied) with defaults filled in and returns it. */
struct nl_endpoint_cfg *nl_config_add_endpoint(struct nl_config *cfg, const char *name);
const struct nl_ssh_host_cfg *nl_ssh_cfg_host(const struct nl_ssh_cfg *ssh, const char *name);

/* A password: from the environment variable env_name (the config's password_env: by default
 * NESTLAB_PASSWORD for vCenter, NESTLAB_SSH_PASSWORD for the hosts) and no other, else prompted on
 * the terminal without echo when allow_prompt and stdin is a terminal. There is no fallback from
 * one variable to another: the SSH password is the vCenter password only when ssh.password_env
 * names NESTLAB_PASSWORD on purpose. The result is owned by the caller, who must wipe it with
 * nl_secret_free. */
char *nl_password_get(const char *env_name, const char *prompt, bool allow_prompt,
                      struct nl_err *err);
void nl_secret_free(char **secret);

#endif
