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
    char *password = nl_password_get(cfg->password_env, NULL, prompt, ep->opts.allow_prompt, err);
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
    char *password = nl_password_get(ssh->password_env, "NESTLAB_SSH_PASSWORD", prompt,
                                     ep->opts.allow_prompt, err);
    if (!password && !ssh->key_file)
        return NULL;
    nl_err_clear(err);
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

enum nl_code nl_endpoint_open(const struct nl_endpoint_cfg *cfg,
                              const struct nl_endpoint_opts *opts, struct nl_endpoint **out,
                              struct nl_err *err)
{
    struct nl_endpoint *ep = xcalloc(1, sizeof(*ep));
    ep->cfg = cfg;
    if (opts)
        ep->opts = *opts;
    *out = NULL;
    bool want_vcenter = cfg->url && !cfg->ssh_only && !ep->opts.direct;
    if (want_vcenter) {
        struct nl_err vc_err = {0};
        if (open_vcenter(ep, &vc_err) == NL_OK) {
            ep->mode = NL_MODE_VCENTER;
            *out = ep;
            return NL_OK;
        }
        if (!vcenter_unreachable(&vc_err) || !has_ssh_hosts(cfg)) {
            *err = vc_err;
            nl_endpoint_free(&ep);
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
    if (!nl_endpoint_ssh(ep, err)) {
        nl_endpoint_free(&ep);
        return err->code ? err->code : NL_ERR_AUTH;
    }
    /* Created here, once, so nl_endpoint_executor is a plain read from any thread. */
    ep->ssh_exec = esx_executor_new(ep->ssh);
    *out = ep;
    return NL_OK;
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

/* Cache files are named after the endpoint; anything but [A-Za-z0-9._-] becomes '_' so a hostile
 * endpoint name cannot escape the cache directory. */
char *nl_endpoint_cache_path(const char *endpoint_name, struct nl_err *err)
{
    char *safe = xstrdup(endpoint_name);
    for (char *p = safe; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_')
            *p = '_';
    if (safe[0] == '.')
        safe[0] = '_';
    char *name = xasprintf("inventory-%s.json", safe);
    free(safe);
    char *path = nl_xdg_path(NL_XDG_CACHE, name, err);
    free(name);
    return path;
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

static struct nl_lab *inventory_direct(struct nl_endpoint *ep, struct nl_err *err)
{
    struct nl_lab *cached = direct_start_lab(ep, err);
    if (!cached)
        return NULL;
    struct esx_lab_result res = {0};
    struct nl_err read_err = {0};
    struct nl_lab *lab = esx_lab_read(ep->ssh, cached, &res, &read_err);
    for (size_t i = 0; i < res.n; i++)
        if (res.hosts[i].code != NL_OK)
            note_host_error(ep, res.hosts[i].name, &res.hosts[i].err);
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
    return ep->mode == NL_MODE_VCENTER ? inventory_vcenter(ep, err) : inventory_direct(ep, err);
}
