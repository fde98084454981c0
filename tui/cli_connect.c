/* nestlab connect URL and nestlab config show|test|remove: a first connection without a
 * hand-written file. connect shows the server's certificate before anything is sent and pins it
 * on first use when no CA vouches for it (as OpenSSH does with host keys), logs in to prove the
 * user and password, reads the host list, and writes the endpoint into the config (0600; never a
 * password). Headless: --yes with an explicit --thumbprint (or a CA-trusted certificate). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "backend/core/config_write.h"
#include "backend/core/term_text.h"
#include "backend/core/xdg.h"
#include "backend/core/xmalloc.h"
#include "backend/vsphere/vs_cert.h"
#include "backend/vsphere/vs_client.h"
#include "backend/vsphere/vs_inventory.h"
#include "tui/cli.h"
#include "tui/cli_verbs.h"

/* "vc.example" -> "https://vc.example/sdk"; a URL without a path gets /sdk. */
static char *sdk_url(const char *in)
{
    const char *scheme = strstr(in, "://") ? "" : "https://";
    const char *rest = strstr(in, "://") ? strstr(in, "://") + 3 : in;
    bool has_path = strchr(rest, '/') != NULL;
    return xasprintf("%s%s%s", scheme, in, has_path ? "" : "/sdk");
}

/* The host part of a URL, for the default endpoint name. */
static char *url_host(const char *url)
{
    const char *rest = strstr(url, "://") ? strstr(url, "://") + 3 : url;
    size_t n = strcspn(rest, ":/");
    return xstrndup(rest, n);
}

/* A line from the terminal; def when the answer is empty or there is no terminal. */
static char *ask(const char *question, const char *def)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return def ? xstrdup(def) : NULL;
    fprintf(tty, "%s%s%s%s: ", question, def ? " [" : "", def ? def : "", def ? "]" : "");
    fflush(tty);
    char line[512];
    char *answer = NULL;
    if (fgets(line, sizeof line, tty)) {
        line[strcspn(line, "\r\n")] = '\0';
        answer = line[0] ? xstrdup(line) : NULL;
    }
    fclose(tty);
    return answer ? answer : (def ? xstrdup(def) : NULL);
}

static char *config_path(const struct cli_opts *o, struct nl_err *err)
{
    return o->config_path ? xstrdup(o->config_path)
                          : nl_xdg_path(NL_XDG_CONFIG, "config.json", err);
}

static void print_cert(const struct vs_cert_info *c, const char *url)
{
    nl_term_printf(stdout,
                   "Server %s\n  subject     %s\n  issuer      %s\n  valid       %s to %s\n"
                   "  SHA-256     %s\n  trusted     %s%s%s\n",
                   url, c->subject, c->issuer, c->not_before, c->not_after, c->thumbprint,
                   c->ca_trusted ? "yes, by the system's certificate authorities" : "no (",
                   c->ca_trusted ? "" : c->why, c->ca_trusted ? "" : ")");
}

/* Decides what to pin: nothing for a CA-trusted certificate, the given --thumbprint (which must
 * match), or the shown one when the user says yes. NULL *pin with NL_OK means "use the CAs". */
static enum nl_code choose_pin(const struct cli_opts *o, const struct vs_cert_info *c, char **pin,
                               struct nl_err *err)
{
    *pin = NULL;
    if (o->thumbprint) {
        char want[65], seen[65];
        if (vs_thumbprint_normalize(o->thumbprint, want, err) != NL_OK)
            return err->code;
        vs_thumbprint_normalize(c->thumbprint, seen, NULL);
        if (strcmp(want, seen) != 0)
            return NL_ERR(err, NL_ERR_TLS, NULL,
                          "The server's certificate has the thumbprint %s, not the %s given; "
                          "nothing was sent to it.",
                          c->thumbprint, o->thumbprint);
        *pin = xstrdup(c->thumbprint);
        return NL_OK;
    }
    if (c->ca_trusted)
        return NL_OK;
    if (o->yes || !isatty(STDIN_FILENO))
        return NL_ERR(err, NL_ERR_TLS, NULL,
                      "No certificate authority this machine trusts vouches for the server (%s). "
                      "Check the thumbprint %s with the server's administrator and pass it with "
                      "--thumbprint to pin it.",
                      c->why, c->thumbprint);
    if (!cli_confirm("No certificate authority vouches for this server. Is the thumbprint above "
                     "the one your vCenter shows, and do you want nestlab to pin it?"))
        return NL_ERR(err, NL_ERR_TLS, NULL, "Not pinned; nothing was sent to the server.");
    *pin = xstrdup(c->thumbprint);
    return NL_OK;
}

/* Logs in and reads the host list; prints what it found. */
static enum nl_code prove(const char *url, const char *user, const char *pin,
                          const char *password_env, struct nl_err *err)
{
    char *password =
        nl_password_get(password_env ? password_env : "NESTLAB_PASSWORD", "Password", true, err);
    if (!password)
        return err->code;
    struct vs_config vc = {.url = url, .user = user, .password = password, .thumbprint = pin};
    struct vs_client *c = vs_client_new(&vc, err);
    nl_secret_free(&password);
    if (!c)
        return err->code;
    enum nl_code rc = vs_client_connect(c, err);
    if (rc == NL_OK) {
        const struct vs_service_content *sc = vs_client_service(c);
        nl_term_printf(stdout, "Logged in as %s: %s (API %s).\n", user,
                       sc->full_name ? sc->full_name : "", sc->api_version);
        struct nl_lab *lab = vs_inventory_fetch(c, "connect", err);
        if (!lab) {
            rc = err->code;
        } else {
            nl_term_printf(stdout, "%zu host(s), %zu cluster(s), %zu VM(s):", lab->n_hosts,
                           lab->n_clusters, lab->n_vms);
            for (size_t i = 0; i < lab->n_hosts && i < 8; i++)
                nl_term_printf(stdout, " %s",
                               lab->hosts[i].name ? lab->hosts[i].name : lab->hosts[i].id);
            nl_term_printf(stdout, "%s\n", lab->n_hosts > 8 ? " ..." : "");
            nl_lab_free(&lab);
        }
    }
    vs_client_free(&c);
    return rc;
}

int cli_run_connect(struct cli_opts *o)
{
    struct nl_err err = {0};
    if (o->args.n != 1)
        return NL_ERR(&err, NL_ERR_USAGE, NULL,
                      "connect takes one argument, the vCenter's address (e.g. vc.example or "
                      "https://vc.example/sdk)."),
               cli_fail(&err);
    if (o->parallel)
        return NL_ERR(&err, NL_ERR_USAGE, NULL, "--parallel does not apply to nestlab connect."),
               cli_fail(&err);
    char *url = sdk_url(o->args.v[0]);
    char *name = o->name ? xstrdup(o->name) : url_host(url);
    char *user = NULL, *pin = NULL, *path = NULL;
    struct vs_cert_info cert;
    int rc = 0;
    if (vs_cert_probe(url, 10, &cert, &err) != NL_OK)
        goto fail;
    print_cert(&cert, url);
    if (choose_pin(o, &cert, &pin, &err) != NL_OK)
        goto fail;
    user = o->user ? xstrdup(o->user) : ask("User", o->yes ? NULL : "administrator@vsphere.local");
    if (!user) {
        NL_ERR(&err, NL_ERR_USAGE, NULL, "No user name: give --user NAME.");
        goto fail;
    }
    if (prove(url, user, pin, NULL, &err) != NL_OK)
        goto fail;

    json_t *ep = json_pack("{s:s, s:s, s:s}", "name", name, "url", url, "user", user);
    if (pin)
        json_object_set_new(ep, "thumbprint", json_string(pin));
    char *ssh_user = o->ssh_user ? xstrdup(o->ssh_user) : NULL;
    if (!ssh_user && !o->yes && isatty(STDIN_FILENO) &&
        cli_confirm("Set up SSH to the ESXi hosts, for when vCenter is down?"))
        ssh_user = ask("SSH user on the hosts", "root");
    if (ssh_user) {
        char *env = o->ssh_password_env ? xstrdup(o->ssh_password_env)
                    : o->yes            ? xstrdup("NESTLAB_SSH_PASSWORD")
                                        : ask("Environment variable that will hold their password",
                                              "NESTLAB_SSH_PASSWORD");
        json_object_set_new(ep, "ssh",
                            json_pack("{s:s, s:s}", "user", ssh_user, "password_env", env));
        free(env);
        free(ssh_user);
    }
    path = config_path(o, &err);
    char *text = json_dumps(ep, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    bool replaced = false;
    if (!path || o->dry_run) {
        json_decref(ep);
    } else if (nl_config_put_endpoint(path, ep, &replaced, &err) != NL_OK) {
        free(text);
        goto fail;
    }
    if (o->dry_run)
        nl_term_printf(stdout,
                       "Would write this endpoint to %s (--dry-run: nothing written):\n%s\n",
                       path ? path : "the config", text);
    else
        nl_term_printf(stdout,
                       "%s endpoint \"%s\" in %s (mode 0600; no password is ever stored):\n%s\n",
                       replaced ? "Updated" : "Added", name, path, text);
    free(text);
    if (!path)
        goto fail;
    goto cleanup;
fail:
    rc = cli_fail(&err);
cleanup:
    free(url);
    free(name);
    free(user);
    free(pin);
    free(path);
    return rc;
}

/* ---- nestlab config show|test|remove ENDPOINT --------------------------------------------- */

int cli_run_config(struct cli_opts *o)
{
    struct nl_err err = {0};
    const char *what = o->args.n ? o->args.v[0] : "show";
    const char *name = o->args.n > 1 ? o->args.v[1] : o->endpoint;
    if (o->args.n > 2 ||
        (strcmp(what, "show") != 0 && strcmp(what, "test") != 0 && strcmp(what, "remove") != 0))
        return NL_ERR(&err, NL_ERR_USAGE, NULL,
                      "usage: nestlab config show|test|remove [ENDPOINT]; see nestlab config "
                      "--help."),
               cli_fail(&err);
    char *path = config_path(o, &err);
    if (!path)
        return cli_fail(&err);
    int rc = 0;
    struct nl_config cfg = {0};
    if (strcmp(what, "remove") == 0) {
        if (!name)
            NL_ERR(&err, NL_ERR_USAGE, NULL, "Which endpoint? nestlab config remove ENDPOINT.");
        else if (nl_config_remove_endpoint(path, name, &err) == NL_OK)
            nl_term_printf(stdout, "Removed endpoint \"%s\" from %s.\n", name, path);
        rc = nl_err_is_set(&err) ? cli_fail(&err) : 0;
        goto cleanup;
    }
    if (nl_config_load(path, false, &cfg, &err) != NL_OK) {
        rc = cli_fail(&err);
        goto cleanup;
    }
    for (size_t i = 0; i < cfg.n_endpoints; i++) {
        struct nl_endpoint_cfg *e = &cfg.endpoints[i];
        if (name && strcmp(e->name, name) != 0)
            continue;
        nl_term_printf(
            stdout,
            "%s\n  url         %s\n  user        %s\n  thumbprint  %s\n  ssh         %s%s%s\n",
            e->name, e->url ? e->url : "(none: SSH only)", e->user ? e->user : "",
            e->thumbprint ? e->thumbprint : "(none: the system CAs are trusted)",
            e->ssh.user ? e->ssh.user : "", e->ssh.password_env ? ", password in $" : "",
            e->ssh.password_env ? e->ssh.password_env : "");
        if (strcmp(what, "test") == 0 && e->url) {
            if (prove(e->url, e->user, e->thumbprint, e->password_env, &err) != NL_OK) {
                rc = cli_fail(&err);
                goto cleanup;
            }
        }
        if (name)
            goto cleanup;
    }
    if (name) {
        NL_ERR(&err, NL_ERR_NOT_FOUND, NULL, "There is no endpoint \"%s\" in %s.", name, path);
        rc = cli_fail(&err);
    }
cleanup:
    nl_config_free(&cfg);
    free(path);
    return rc;
}
