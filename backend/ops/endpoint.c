#include "backend/ops/endpoint.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/log.h"
#include "backend/core/xdg.h"
#include "backend/core/xmalloc.h"
#include "backend/esxi/esx_exec.h"
#include "backend/esxi/esx_pool.h"
#include "backend/esxi/esx_lab.h"
#include "backend/esxi/esx_trust.h"
#include "backend/model/lab_json.h"
#include "backend/vsphere/vs_client.h"
#include "backend/vsphere/vs_exec.h"
#include "backend/vsphere/vs_inventory.h"

struct nl_endpoint {
    const struct nl_endpoint_cfg *cfg; /* borrowed from the config, which outlives us */
    struct nl_endpoint_opts opts;
    enum nl_endpoint_mode mode;
    char *fallback_reason;
    struct vs_client *vc;
    struct esx_pool *ssh;
    struct ops_executor *ssh_exec;
    char **host_errors;
    size_t n_host_errors;
    struct nl_endpoint_hostkey *host_keys;
    size_t n_host_keys;
};

enum nl_endpoint_mode nl_endpoint_mode(const struct nl_endpoint *ep)
{
    return ep->mode;
}

const char *nl_endpoint_name(const struct nl_endpoint *ep)
{
    return ep->cfg->name;
}

const char *nl_endpoint_fallback_reason(const struct nl_endpoint *ep)
{
    return ep->fallback_reason;
}

void *nl_endpoint_vcenter(struct nl_endpoint *ep)
{
    return ep->mode == NL_MODE_VCENTER ? ep->vc : NULL;
}

/* Only these mean "vCenter is not there": refused, timed out, a broken TLS handshake or HTTP
 * exchange. Anything the user must decide or fix is reported instead of hidden behind SSH: a wrong
 * password, a bad URL, and above all a certificate that is not trusted or does not match the pin
 * (silently switching transport would teach people to ignore a possible impostor). */
static bool vcenter_unreachable(const struct nl_err *e)
{
    if (e->code == NL_ERR_TLS)
        return strcmp(e->detail, "UntrustedCertificate") != 0 &&
               strcmp(e->detail, "ThumbprintMismatch") != 0;
    return e->code == NL_ERR_CONNECT || e->code == NL_ERR_TIMEOUT || e->code == NL_ERR_PROTOCOL;
}

static bool has_ssh_hosts(const struct nl_endpoint_cfg *cfg)
{
    if (cfg->ssh.n_hosts > 0)
        return true;
    struct nl_err ignored = {0};
    char *cache = nl_endpoint_cache_path(cfg->name, &ignored);
    FILE *f = cache ? fopen(cache, "r") : NULL;
    free(cache);
    if (f)
        fclose(f);
    return f != NULL;
}

static enum nl_code open_vcenter(struct nl_endpoint *ep, struct nl_err *err)
{
    const struct nl_endpoint_cfg *cfg = ep->cfg;
    char prompt[300];
    snprintf(prompt, sizeof(prompt), "Password for %s at %s: ", cfg->user ? cfg->user : "?",
             cfg->url);
    char *password = ep->opts.password && ep->opts.password[0]
                         ? xstrdup(ep->opts.password)
                         : nl_password_get(cfg->password_env, prompt, ep->opts.allow_prompt, err);
    if (!password)
        return err->code;
    struct vs_config vc = {
        .url = cfg->url,
        .user = cfg->user,
        .password = password,
        .thumbprint = cfg->thumbprint,
        .insecure = cfg->insecure,
        .connect_timeout_s = ep->opts.vcenter_timeout_s ? ep->opts.vcenter_timeout_s : 10,
    };
    ep->vc = vs_client_new(&vc, err);
    nl_secret_free(&password);
    if (!ep->vc)
        return err->code;
    if (vs_client_connect(ep->vc, err) != NL_OK) {
        vs_client_free(&ep->vc);
        return err->code;
    }
    return NL_OK;
}

void *nl_endpoint_ssh(struct nl_endpoint *ep, struct nl_err *err)
{
    if (ep->ssh)
        return ep->ssh;
    const struct nl_ssh_cfg *ssh = &ep->cfg->ssh;
    char prompt[300];
    snprintf(prompt, sizeof(prompt),
             "SSH password for %s on the ESXi hosts of %s: ", ssh->user ? ssh->user : "root",
             ep->cfg->name);
    struct nl_err pw_err = {0};
    char *password =
        ep->opts.ssh_password && ep->opts.ssh_password[0]
            ? xstrdup(ep->opts.ssh_password)
            : nl_password_get(ssh->password_env, prompt, ep->opts.allow_prompt, &pw_err);
    if (!password && !ssh->key_file) {
        if (strcmp(pw_err.detail, "no-password") != 0) {
            if (err && !nl_err_is_set(err))
                *err = pw_err;
            return NULL;
        }
        NL_ERR(err, NL_ERR_AUTH, "no-password",
               "No SSH password for the hosts of \"%s\": set the environment variable %s, or run "
               "nestlab on a terminal to be asked. The vCenter password is never used for the "
               "hosts unless the config says so (\"ssh\": {\"password_env\": "
               "\"NESTLAB_PASSWORD\"}).",
               ep->cfg->name, ssh->password_env ? ssh->password_env : "NESTLAB_SSH_PASSWORD");
        return NULL;
    }
    char *known_hosts = ssh->known_hosts ? NULL : nl_endpoint_known_hosts_path(err);
    if (!ssh->known_hosts && !known_hosts) {
        nl_secret_free(&password);
        return NULL;
    }
    ep->ssh =
        esx_pool_new_from_cfg(ssh, password, ssh->known_hosts ? ssh->known_hosts : known_hosts,
                              ep->opts.accept_new_host_keys);
    nl_secret_free(&password);
    free(known_hosts);
    return ep->ssh;
}

/* The transport decision of nl_endpoint_open (see endpoint.h). */
static enum nl_code endpoint_connect(struct nl_endpoint *ep, struct nl_err *err)
{
    const struct nl_endpoint_cfg *cfg = ep->cfg;
    bool want_vcenter = cfg->url && !cfg->ssh_only && !ep->opts.direct;
    if (want_vcenter) {
        struct nl_err vc_err = {0};
        if (open_vcenter(ep, &vc_err) == NL_OK) {
            ep->mode = NL_MODE_VCENTER;
            return NL_OK;
        }
        if (!vcenter_unreachable(&vc_err) || !has_ssh_hosts(cfg)) {
            *err = vc_err;
            return err->code;
        }
        char text[600];
        nl_err_format(&vc_err, text, sizeof(text));
        ep->fallback_reason = xasprintf("vCenter of \"%s\" is unreachable (%s); working directly "
                                        "with the ESXi hosts over SSH.",
                                        cfg->name, text);
        NL_WARN("%s", ep->fallback_reason);
    } else if (!cfg->url || cfg->ssh_only) {
        /* Nothing to fall back from. */
    } else {
        ep->fallback_reason =
            xasprintf("Direct mode was asked for: \"%s\" is reached over SSH only.", cfg->name);
    }
    ep->mode = NL_MODE_DIRECT;
    if (!nl_endpoint_ssh(ep, err))
        return err->code ? err->code : NL_ERR_AUTH;
    /* Created here, once, so nl_endpoint_executor is a plain read from any thread. */
    ep->ssh_exec = esx_executor_new(ep->ssh);
    return NL_OK;
}

enum nl_code nl_endpoint_open(const struct nl_endpoint_cfg *cfg,
                              const struct nl_endpoint_opts *opts, struct nl_endpoint **out,
                              struct nl_err *err)
{
    struct nl_endpoint *ep = xcalloc(1, sizeof(*ep));
    ep->cfg = cfg;
    if (opts)
        ep->opts = *opts;
    *out = NULL;
    enum nl_code rc = endpoint_connect(ep, err);
    /* The borrowed passwords live on only in the client and the pool: an SSH password given
     * with a vCenter that answered makes the pool now (it connects nothing until used). */
    if (rc == NL_OK && !ep->ssh && ep->opts.ssh_password && ep->opts.ssh_password[0]) {
        struct nl_err ignored = {0};
        nl_endpoint_ssh(ep, &ignored);
    }
    ep->opts.password = NULL;
    ep->opts.ssh_password = NULL;
    if (rc != NL_OK) {
        nl_endpoint_free(&ep);
        return rc;
    }
    *out = ep;
    return NL_OK;
}

static void clear_host_keys(struct nl_endpoint *ep)
{
    for (size_t i = 0; i < ep->n_host_keys; i++) {
        struct nl_endpoint_hostkey *k = &ep->host_keys[i];
        free(k->host);
        free(k->address);
        free(k->fingerprint);
        free(k->message);
    }
    free(ep->host_keys);
    ep->host_keys = NULL;
    ep->n_host_keys = 0;
}

void nl_endpoint_free(struct nl_endpoint **pep)
{
    if (!pep || !*pep)
        return;
    struct nl_endpoint *ep = *pep;
    vs_client_free(&ep->vc);
    esx_executor_free(&ep->ssh_exec);
    esx_pool_free(&ep->ssh);
    for (size_t i = 0; i < ep->n_host_errors; i++)
        free(ep->host_errors[i]);
    free(ep->host_errors);
    clear_host_keys(ep);
    free(ep->fallback_reason);
    free(ep);
    *pep = NULL;
}

const struct ops_executor *nl_endpoint_executor(struct nl_endpoint *ep)
{
    if (ep->mode == NL_MODE_VCENTER)
        return vs_executor(ep->vc);
    return ep->ssh_exec;
}

const char *const *nl_endpoint_host_errors(const struct nl_endpoint *ep, size_t *n)
{
    *n = ep->n_host_errors;
    return (const char *const *)ep->host_errors;
}

/* Files named after the endpoint: anything but [A-Za-z0-9._-] becomes '_' so a hostile endpoint
 * name cannot escape the directory. */
static char *endpoint_file(enum nl_xdg_kind kind, const char *prefix, const char *endpoint_name,
                           const char *suffix, struct nl_err *err)
{
    char *safe = xstrdup(endpoint_name);
    for (char *p = safe; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_')
            *p = '_';
    if (safe[0] == '.')
        safe[0] = '_';
    char *name = xasprintf("%s%s%s", prefix, safe, suffix);
    free(safe);
    char *path = nl_xdg_path(kind, name, err);
    free(name);
    return path;
}

char *nl_endpoint_cache_path(const char *endpoint_name, struct nl_err *err)
{
    return endpoint_file(NL_XDG_CACHE, "inventory-", endpoint_name, ".json", err);
}

char *nl_endpoint_lock_path(const char *endpoint_name, struct nl_err *err)
{
    return endpoint_file(NL_XDG_STATE, "changes-", endpoint_name, ".lock", err);
}

char *nl_endpoint_journal_path(struct nl_err *err)
{
    return nl_xdg_path(NL_XDG_STATE, "journal.jsonl", err);
}

char *nl_endpoint_known_hosts_path(struct nl_err *err)
{
    return nl_xdg_path(NL_XDG_STATE, "known_hosts", err);
}

/* Copies the config's SSH addresses onto the hosts, so the cached inventory knows how to reach
 * every host directly when vCenter is gone. */
static void apply_ssh_addresses(const struct nl_endpoint_cfg *cfg, struct nl_lab *lab)
{
    for (size_t i = 0; i < lab->n_hosts; i++) {
        struct nl_host *h = &lab->hosts[i];
        const struct nl_ssh_host_cfg *hc = h->name ? nl_ssh_cfg_host(&cfg->ssh, h->name) : NULL;
        if (!hc)
            continue;
        if (hc->address)
            xstrset(&h->ssh_address, hc->address);
        h->ssh_port = hc->port;
    }
}

static void save_cache(const struct nl_endpoint *ep, const struct nl_lab *lab)
{
    struct nl_err cache_err = {0};
    char *path = nl_endpoint_cache_path(ep->cfg->name, &cache_err);
    if (!path || nl_lab_save_cache(lab, path, &cache_err) != NL_OK)
        NL_WARN("The inventory cache could not be written: %s", cache_err.message);
    free(path);
}

static struct nl_lab *inventory_vcenter(struct nl_endpoint *ep, struct nl_err *err)
{
    struct nl_lab *lab = vs_inventory_fetch(ep->vc, ep->cfg->name, err);
    if (!lab)
        return NULL;
    apply_ssh_addresses(ep->cfg, lab);
    lab->fetched_at = time(NULL);
    save_cache(ep, lab);
    return lab;
}

/* The lab to refresh over SSH: the cache, or else the hosts the config lists. */
static struct nl_lab *direct_start_lab(struct nl_endpoint *ep, struct nl_err *err)
{
    struct nl_err cache_err = {0};
    char *path = nl_endpoint_cache_path(ep->cfg->name, &cache_err);
    struct nl_lab *lab = NULL;
    FILE *f = path ? fopen(path, "r") : NULL;
    if (f) {
        fclose(f);
        lab = nl_lab_load_cache(path, &cache_err);
        if (!lab)
            NL_WARN("The inventory cache is unusable: %s", cache_err.message);
    }
    free(path);
    if (!lab) {
        if (ep->cfg->ssh.n_hosts == 0) {
            NL_ERR(err, NL_ERR_USAGE, "no-hosts",
                   "nestlab does not know the ESXi hosts of \"%s\": there is no cached inventory "
                   "(connect to vCenter once) and the config lists no ssh.hosts.",
                   ep->cfg->name);
            return NULL;
        }
        lab = nl_lab_new(ep->cfg->name);
        for (size_t i = 0; i < ep->cfg->ssh.n_hosts; i++) {
            char *id = xasprintf("ssh:%s", ep->cfg->ssh.hosts[i].name);
            struct nl_host *h = nl_lab_add_host(lab, id);
            xstrset(&h->name, ep->cfg->ssh.hosts[i].name);
            free(id);
        }
    }
    apply_ssh_addresses(ep->cfg, lab);
    nl_lab_link(lab);
    return lab;
}

static void note_host_error(struct nl_endpoint *ep, const char *name, const struct nl_err *e)
{
    ep->host_errors = xrealloc(ep->host_errors, (ep->n_host_errors + 1) * sizeof(*ep->host_errors));
    ep->host_errors[ep->n_host_errors++] = xasprintf("%s: %s", name ? name : "?", e->message);
}

/* The "SHA256:..." an esx_session host key error names (esx_session.h), or "". */
static char *message_fingerprint(const char *msg)
{
    const char *p = msg ? strstr(msg, "SHA256:") : NULL;
    if (!p)
        return xstrdup("");
    size_t n = 7;
    while (isalnum((unsigned char)p[n]) || p[n] == '+' || p[n] == '/')
        n++;
    return xstrndup(p, n);
}

static void note_host_key(struct nl_endpoint *ep, const struct nl_lab *cached,
                          const struct esx_host_status *st)
{
    const struct nl_host *h = st->id ? nl_lab_find_host(cached, st->id) : NULL;
    struct esx_target t =
        h ? esx_pool_target(ep->ssh, h) : esx_pool_target_name(ep->ssh, st->name ? st->name : "");
    ep->host_keys = xrealloc(ep->host_keys, (ep->n_host_keys + 1) * sizeof(*ep->host_keys));
    ep->host_keys[ep->n_host_keys++] = (struct nl_endpoint_hostkey){
        .host = xstrdup(t.name     ? t.name
                        : st->name ? st->name
                                   : "?"),
        .address = xstrdup(t.address ? t.address
                           : t.name  ? t.name
                                     : ""),
        .port = t.port > 0 ? t.port : 22,
        .fingerprint = message_fingerprint(st->err.message),
        .changed = strcmp(st->err.detail, "unknown") != 0,
        .message = xstrdup(st->err.message),
    };
}

static struct nl_lab *inventory_direct(struct nl_endpoint *ep, struct nl_err *err)
{
    struct nl_lab *cached = direct_start_lab(ep, err);
    if (!cached)
        return NULL;
    struct esx_lab_result res = {0};
    struct nl_err read_err = {0};
    struct nl_lab *lab = esx_lab_read(ep->ssh, cached, &res, &read_err);
    for (size_t i = 0; i < res.n; i++) {
        if (res.hosts[i].code == NL_OK)
            continue;
        note_host_error(ep, res.hosts[i].name, &res.hosts[i].err);
        if (res.hosts[i].code == NL_ERR_HOSTKEY)
            note_host_key(ep, cached, &res.hosts[i]);
    }
    esx_lab_result_clear(&res);
    if (!lab) {
        /* Not one host answered: the cache is all there is, and it says so on every host. */
        if (ep->n_host_errors == 0)
            note_host_error(ep, "all hosts", &read_err);
        for (size_t i = 0; i < cached->n_hosts; i++) {
            cached->hosts[i].connection = NL_CONN_NOT_RESPONDING;
            cached->hosts[i].source = NL_SOURCE_CACHE;
        }
        cached->source = NL_SOURCE_CACHE;
        return cached;
    }
    nl_lab_free(&cached);
    lab->fetched_at = time(NULL);
    save_cache(ep, lab); /* what the hosts said is the newest truth there is */
    return lab;
}

struct nl_lab *nl_endpoint_inventory(struct nl_endpoint *ep, struct nl_err *err)
{
    for (size_t i = 0; i < ep->n_host_errors; i++)
        free(ep->host_errors[i]);
    ep->n_host_errors = 0;
    clear_host_keys(ep);
    return ep->mode == NL_MODE_VCENTER ? inventory_vcenter(ep, err) : inventory_direct(ep, err);
}

const struct nl_endpoint_hostkey *nl_endpoint_host_keys(const struct nl_endpoint *ep, size_t *n)
{
    *n = ep->n_host_keys;
    return ep->host_keys;
}

enum nl_code nl_endpoint_trust_host_key(struct nl_endpoint *ep,
                                        const struct nl_endpoint_hostkey *key, struct nl_err *err)
{
    if (!key || !key->host)
        return NL_ERR(err, NL_ERR_USAGE, NULL, "No host key to trust was named.");
    if (key->changed)
        return NL_ERR(err, NL_ERR_HOSTKEY, "changed",
                      "The host key of \"%s\" has CHANGED; nestlab never replaces a recorded "
                      "key. Remove the old one from the known_hosts file only if you know why it "
                      "changed.",
                      key->host);
    const struct nl_ssh_cfg *ssh = &ep->cfg->ssh;
    char *own = ssh->known_hosts ? NULL : nl_endpoint_known_hosts_path(err);
    if (!ssh->known_hosts && !own)
        return err->code;
    struct esx_trust_opts o = {
        .known_hosts = ssh->known_hosts ? ssh->known_hosts : own,
        .user_known_hosts = true, /* as the pool's sessions do (esx_pool_new_from_cfg) */
        .timeout_ms = ssh->timeout_s > 0 ? ssh->timeout_s * 1000 : 0,
    };
    struct esx_target t = {.name = key->host, .address = key->address, .port = key->port};
    enum nl_code rc = esx_knownhost_accept(&t, key->fingerprint, &o, err);
    free(own);
    return rc;
}
