#include "backend/core/config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "backend/core/secret.h"
#include "backend/core/xmalloc.h"

static void ssh_defaults(struct nl_ssh_cfg *ssh)
{
    memset(ssh, 0, sizeof(*ssh));
    ssh->user = xstrdup("root");
    ssh->password_env = xstrdup("NESTLAB_SSH_PASSWORD");
    ssh->timeout_s = 10;
    ssh->command_timeout_s = 60;
    ssh->parallel = 16;
}

struct nl_endpoint_cfg *nl_config_add_endpoint(struct nl_config *cfg, const char *name)
{
    cfg->endpoints = xrealloc(cfg->endpoints, (cfg->n_endpoints + 1) * sizeof(*cfg->endpoints));
    struct nl_endpoint_cfg *ep = &cfg->endpoints[cfg->n_endpoints++];
    memset(ep, 0, sizeof(*ep));
    ep->name = xstrdup(name);
    ep->password_env = xstrdup("NESTLAB_PASSWORD");
    ssh_defaults(&ep->ssh);
    return ep;
}

/* Reads an optional string member; a present member of another type is an error. */
static enum nl_code get_string(json_t *obj, const char *key, char **dst, const char *origin,
                               const char *ctx, struct nl_err *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NL_OK;
    if (!json_is_string(v))
        return NL_ERR(err, NL_ERR_USAGE, NULL, "In %s, \"%s\" of %s must be a string.", origin, key,
                      ctx);
    xstrset(dst, json_string_value(v));
    return NL_OK;
}

static enum nl_code get_bool(json_t *obj, const char *key, bool *dst, const char *origin,
                             const char *ctx, struct nl_err *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NL_OK;
    if (!json_is_boolean(v))
        return NL_ERR(err, NL_ERR_USAGE, NULL, "In %s, \"%s\" of %s must be true or false.", origin,
                      key, ctx);
    *dst = json_is_true(v);
    return NL_OK;
}

static enum nl_code get_int(json_t *obj, const char *key, int *dst, int min, int max,
                            const char *origin, const char *ctx, struct nl_err *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NL_OK;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "In %s, \"%s\" of %s must be a whole number from %d to %d.", origin, key, ctx,
                      min, max);
    *dst = (int)json_integer_value(v);
    return NL_OK;
}

static enum nl_code parse_ssh(json_t *js, struct nl_ssh_cfg *ssh, const char *origin,
                              const char *ctx, struct nl_err *err)
{
    if (!json_is_object(js))
        return NL_ERR(err, NL_ERR_USAGE, NULL, "In %s, \"ssh\" of %s must be an object.", origin,
                      ctx);
    if (get_string(js, "user", &ssh->user, origin, ctx, err) ||
        get_string(js, "password_env", &ssh->password_env, origin, ctx, err) ||
        get_string(js, "key_file", &ssh->key_file, origin, ctx, err) ||
        get_string(js, "known_hosts", &ssh->known_hosts, origin, ctx, err) ||
        get_int(js, "timeout_s", &ssh->timeout_s, 1, 3600, origin, ctx, err) ||
        get_int(js, "command_timeout_s", &ssh->command_timeout_s, 1, 86400, origin, ctx, err) ||
        get_int(js, "parallel", &ssh->parallel, 1, 1024, origin, ctx, err))
        return err->code;
    json_t *hosts = json_object_get(js, "hosts");
    if (!hosts || json_is_null(hosts))
        return NL_OK;
    if (!json_is_object(hosts))
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "In %s, \"ssh.hosts\" of %s must be an object of host name to address.",
                      origin, ctx);
    const char *name;
    json_t *h;
    json_object_foreach(hosts, name, h)
    {
        char hctx[300];
        snprintf(hctx, sizeof(hctx), "host \"%s\"", name);
        if (!json_is_object(h))
            return NL_ERR(err, NL_ERR_USAGE, NULL, "In %s, %s must be an object.", origin, hctx);
        ssh->hosts = xrealloc(ssh->hosts, (ssh->n_hosts + 1) * sizeof(*ssh->hosts));
        struct nl_ssh_host_cfg *hc = &ssh->hosts[ssh->n_hosts++];
        memset(hc, 0, sizeof(*hc));
        hc->name = xstrdup(name);
        if (get_string(h, "address", &hc->address, origin, hctx, err) ||
            get_int(h, "port", &hc->port, 0, 65535, origin, hctx, err))
            return err->code;
    }
    return NL_OK;
}

static enum nl_code parse_endpoint(json_t *js, size_t i, struct nl_config *cfg, const char *origin,
                                   struct nl_err *err)
{
    char ctx[64];
    snprintf(ctx, sizeof(ctx), "endpoint %zu", i + 1);
    if (!json_is_object(js))
        return NL_ERR(err, NL_ERR_USAGE, NULL, "In %s, %s must be an object.", origin, ctx);
    json_t *name = json_object_get(js, "name");
    if (!json_is_string(name) || !json_string_value(name)[0])
        return NL_ERR(err, NL_ERR_USAGE, NULL, "In %s, %s needs a \"name\".", origin, ctx);
    struct nl_endpoint_cfg *ep = nl_config_add_endpoint(cfg, json_string_value(name));
    if (get_string(js, "url", &ep->url, origin, ctx, err) ||
        get_string(js, "user", &ep->user, origin, ctx, err) ||
        get_string(js, "thumbprint", &ep->thumbprint, origin, ctx, err) ||
        get_string(js, "password_env", &ep->password_env, origin, ctx, err) ||
        get_bool(js, "insecure", &ep->insecure, origin, ctx, err) ||
        get_bool(js, "ssh_only", &ep->ssh_only, origin, ctx, err))
        return err->code;
    if (json_object_get(js, "password"))
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "In %s, %s has a \"password\": nestlab never reads passwords from files. "
                      "Remove it and put the password in the environment variable named by "
                      "\"password_env\" (default NESTLAB_PASSWORD).",
                      origin, ctx);
    json_t *ssh = json_object_get(js, "ssh");
    if (ssh && parse_ssh(ssh, &ep->ssh, origin, ctx, err) != NL_OK)
        return err->code;
    if (!ep->url && !ep->ssh_only)
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "In %s, endpoint \"%s\" has no \"url\" (set it, or set \"ssh_only\": true).",
                      origin, ep->name);
    return NL_OK;
}

enum nl_code nl_config_parse(const char *text, const char *origin, struct nl_config *cfg,
                             struct nl_err *err)
{
    memset(cfg, 0, sizeof(*cfg));
    json_error_t jerr;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return NL_ERR(err, NL_ERR_USAGE, NULL, "%s is not valid JSON (line %d: %s).", origin,
                      jerr.line, jerr.text);
    enum nl_code rc = NL_OK;
    if (!json_is_object(root)) {
        rc = NL_ERR(err, NL_ERR_USAGE, NULL, "%s must hold a JSON object.", origin);
        goto cleanup;
    }
    if (get_string(root, "theme", &cfg->theme, origin, "the file", err) ||
        get_string(root, "log_level", &cfg->log_level, origin, "the file", err)) {
        rc = err->code;
        goto cleanup;
    }
    json_t *eps = json_object_get(root, "endpoints");
    if (eps && !json_is_array(eps)) {
        rc = NL_ERR(err, NL_ERR_USAGE, NULL, "In %s, \"endpoints\" must be a list.", origin);
        goto cleanup;
    }
    size_t i;
    json_t *ep;
    json_array_foreach(eps, i, ep)
    {
        if ((rc = parse_endpoint(ep, i, cfg, origin, err)) != NL_OK)
            goto cleanup;
    }
cleanup:
    json_decref(root);
    if (rc != NL_OK)
        nl_config_free(cfg);
    return rc;
}

enum nl_code nl_config_load(const char *path, bool allow_missing, struct nl_config *cfg,
                            struct nl_err *err)
{
    memset(cfg, 0, sizeof(*cfg));
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT && allow_missing) {
            cfg->path = xstrdup(path);
            return NL_OK;
        }
        return NL_ERR(err, NL_ERR_USAGE, NULL, "Cannot read the config file \"%s\": %s.", path,
                      strerror(errno));
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
        fclose(f);
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "The config file \"%s\" can be read or changed by other users (mode %03o); "
                      "nestlab refuses it. Run: chmod 600 '%s'",
                      path, (unsigned)(st.st_mode & 0777), path);
    }
    char *text = NULL;
    size_t len = 0;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (len + n > 4 * 1024 * 1024) {
            free(text);
            fclose(f);
            return NL_ERR(err, NL_ERR_LIMIT, "config",
                          "The config file \"%s\" is larger than 4 MiB.", path);
        }
        text = xrealloc(text, len + n + 1);
        memcpy(text + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!text)
        text = xstrdup("");
    text[len] = '\0';
    enum nl_code rc = nl_config_parse(text, path, cfg, err);
    free(text);
    if (rc == NL_OK)
        cfg->path = xstrdup(path);
    return rc;
}

static void ssh_free(struct nl_ssh_cfg *ssh)
{
    free(ssh->user);
    free(ssh->password_env);
    free(ssh->key_file);
    free(ssh->known_hosts);
    for (size_t i = 0; i < ssh->n_hosts; i++) {
        free(ssh->hosts[i].name);
        free(ssh->hosts[i].address);
    }
    free(ssh->hosts);
}

void nl_config_free(struct nl_config *cfg)
{
    for (size_t i = 0; i < cfg->n_endpoints; i++) {
        struct nl_endpoint_cfg *ep = &cfg->endpoints[i];
        free(ep->name);
        free(ep->url);
        free(ep->user);
        free(ep->thumbprint);
        free(ep->password_env);
        ssh_free(&ep->ssh);
    }
    free(cfg->endpoints);
    free(cfg->theme);
    free(cfg->log_level);
    free(cfg->path);
    memset(cfg, 0, sizeof(*cfg));
}

struct nl_endpoint_cfg *nl_config_endpoint(struct nl_config *cfg, const char *name)
{
    if (!name)
        return cfg->n_endpoints ? &cfg->endpoints[0] : NULL;
    for (size_t i = 0; i < cfg->n_endpoints; i++)
        if (strcmp(cfg->endpoints[i].name, name) == 0)
            return &cfg->endpoints[i];
    return NULL;
}

const struct nl_ssh_host_cfg *nl_ssh_cfg_host(const struct nl_ssh_cfg *ssh, const char *name)
{
    for (size_t i = 0; i < ssh->n_hosts; i++)
        if (strcmp(ssh->hosts[i].name, name) == 0)
            return &ssh->hosts[i];
    return NULL;
}

/* Reads a line from the terminal without echo, straight into one buffer with read(2): stdio
 * would keep a copy of the password in its own buffer, freed unwiped. */
static char *prompt_secret(const char *prompt, struct nl_err *err)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        NL_ERR(err, NL_ERR_AUTH, "no-password",
               "No password given and no terminal to ask on; set the environment variable the "
               "config names.");
        return NULL;
    }
    struct termios old, quiet;
    bool restore = tcgetattr(fd, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    ssize_t shown = write(fd, prompt, strlen(prompt));
    (void)shown; /* a prompt that cannot be shown still lets the user type */
    char line[1024];
    size_t n = 0;
    bool got = false;
    for (;;) {
        char ch;
        ssize_t r = read(fd, &ch, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got = true;
        if (ch == '\n' || ch == '\r')
            break;
        if (n + 1 < sizeof(line))
            line[n++] = ch;
        ch = 0;
    }
    line[n] = '\0';
    if (restore)
        tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0) {
        /* the newline is cosmetic: a terminal that takes none still took the line */
    }
    close(fd);
    char *secret = got ? xstrdup(line) : NULL;
    explicit_bzero(line, sizeof(line));
    if (!secret)
        NL_ERR(err, NL_ERR_AUTH, "no-password", "No password was entered.");
    return secret;
}

char *nl_password_get(const char *env_name, const char *prompt, bool allow_prompt,
                      struct nl_err *err)
{
    nl_secret_protect_process(); /* before a password is held; main did it already */
    /* Only the variable named: another one (NESTLAB_PASSWORD holds the vCenter SSO password)
     * would send a secret to servers it was never meant for. */
    const char *v = env_name ? getenv(env_name) : NULL;
    if (v && v[0])
        return xstrdup(v);
    if (allow_prompt && isatty(STDIN_FILENO))
        return prompt_secret(prompt, err);
    NL_ERR(err, NL_ERR_AUTH, "no-password",
           "No password: set the environment variable %s, or run nestlab on a terminal to be "
           "asked.",
           env_name ? env_name : "NESTLAB_PASSWORD");
    return NULL;
}

void nl_secret_free(char **secret)
{
    if (!secret || !*secret)
        return;
    explicit_bzero(*secret, strlen(*secret));
    free(*secret);
    *secret = NULL;
}
