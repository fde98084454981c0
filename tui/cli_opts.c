#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/term_text.h"
#include "backend/core/xdg.h"
#include "backend/core/xmalloc.h"
#include "tui/cli.h"

#define F(field) offsetof(struct cli_opts, field)

/* Every option: where it goes, its group (0 = global), and its help line, which --help, the man
 * page and shell completion all read from here. */
static const struct cli_option opt_table[] = {
    {"config", 'c', CLI_OPT_STRING, 0, F(config_path), 0, 0, "FILE",
     "config file (default $XDG_CONFIG_HOME/nestlab/config.json)", NULL},
    {"endpoint", 'e', CLI_OPT_STRING, 0, F(endpoint), 0, 0, "NAME",
     "which endpoint of the config to use (default: the first)", CLI_VALUES_ENDPOINTS},
    {"server", 0, CLI_OPT_STRING, 0, F(server), 0, 0, "URL",
     "vCenter SDK URL, e.g. https://vc.example/sdk (default $NESTLAB_URL)", NULL},
    {"user", 'u', CLI_OPT_STRING, 0, F(user), 0, 0, "NAME", "vCenter user (default $NESTLAB_USER)",
     NULL},
    {"thumbprint", 0, CLI_OPT_STRING, 0, F(thumbprint), 0, 0, "HEX",
     "pin the server certificate by its SHA-256 thumbprint (AB:CD:...)", NULL},
    {"insecure", 'k', CLI_OPT_FLAG, 0, F(insecure), 0, 0, NULL,
     "do not verify the server certificate (not recommended; warns)", NULL},
    {"direct", 0, CLI_OPT_FLAG, 0, F(direct), 0, 0, NULL,
     "skip vCenter and reach the ESXi hosts over SSH", NULL},
    {"ssh-only", 0, CLI_OPT_FLAG, 0, F(ssh_only), 0, 0, NULL,
     "the endpoint has no vCenter at all (SSH to its hosts only)", NULL},
    {"accept-new-host-keys", 0, CLI_OPT_FLAG, 0, F(accept_new_host_keys), 0, 0, NULL,
     "trust SSH host keys not yet known (a changed key is always refused)", NULL},
    {"json", 0, CLI_OPT_FLAG, 0, F(json), 0, 0, NULL, "machine-readable output on stdout", NULL},
    {"read-only", 0, CLI_OPT_FLAG, 0, F(read_only), 0, 0, NULL, "refuse every change", NULL},
    {"no-color", 0, CLI_OPT_FLAG, 0, F(no_color), 0, 0, NULL,
     "no colours in the console (NO_COLOR is honoured too)", NULL},
    {"theme", 0, CLI_OPT_STRING, 0, F(theme), 0, 0, "NAME", "console theme (default: default)",
     CLI_VALUES_THEMES},
    {"log-level", 0, CLI_OPT_STRING, 0, F(log_level), 0, 0, "LEVEL",
     "log detail in $XDG_STATE_HOME/nestlab/nestlab.log (default info)", "debug info warn error"},
    {"help", 'h', CLI_OPT_FLAG, 0, F(help), 0, 0, NULL,
     "this help; nestlab VERB --help for one verb", NULL},
    {"version", 'V', CLI_OPT_FLAG, 0, F(version), 0, 0, NULL, "print the version and exit", NULL},
    {"cluster", 0, CLI_OPT_LIST, CLI_G_SCOPE, F(clusters), 0, 0, "NAME",
     "every host of this cluster (repeatable)", CLI_VALUES_CLUSTERS},
    {"host", 0, CLI_OPT_LIST, CLI_G_SCOPE, F(hosts), 0, 0, "NAME", "this host (repeatable)",
     CLI_VALUES_HOSTS},
    {"all-physical", 0, CLI_OPT_FLAG, CLI_G_SCOPE, F(all_physical), 0, 0, NULL,
     "every physical host", NULL},
    {"all-nested", 0, CLI_OPT_FLAG, CLI_G_SCOPE, F(all_nested), 0, 0, NULL, "every nested host",
     NULL},
    {"all", 0, CLI_OPT_FLAG, CLI_G_SCOPE, F(all), 0, 0, NULL, "every host of the lab", NULL},
    {"dry-run", 'n', CLI_OPT_FLAG, CLI_G_CHANGE, F(dry_run), 0, 0, NULL, "show the plan and stop",
     NULL},
    {"yes", 'y', CLI_OPT_FLAG, CLI_G_CHANGE, F(yes), 0, 0, NULL,
     "apply without asking (needed when stdin is not a terminal)", NULL},
    {"parallel", 0, CLI_OPT_INT, CLI_G_CHANGE, F(parallel), 1, 256, "N",
     "hosts changed at once (default 16)", NULL},
    {"wait", 0, CLI_OPT_INT, CLI_G_CHANGE, F(wait_s), 0, 86400, "SECONDS",
     "wait this long for another nestlab changing the endpoint (default: refuse at once)", NULL},
    {"vswitch", 0, CLI_OPT_STRING, CLI_G_VSWITCH, F(vswitch), 0, 0, "NAME",
     "the standard vSwitch, e.g. vSwitch0", NULL},
    {"portgroup", 0, CLI_OPT_STRING, CLI_G_TRUNK, F(portgroup), 0, 0, "NAME",
     "the trunk port group's name", NULL},
    {"vlan", 0, CLI_OPT_INT, CLI_G_TRUNK, F(vlan), 0, 4095, "ID",
     "its VLAN ID, 0-4095 (default 4095 = trunk: all VLANs)", NULL},
    {"promiscuous", 0, CLI_OPT_STRING, CLI_G_SECURITY, F(promiscuous), 0, 0, "accept|reject",
     "promiscuous mode (default: left as it is)", "accept reject"},
    {"forged-transmits", 0, CLI_OPT_STRING, CLI_G_SECURITY, F(forged_transmits), 0, 0,
     "accept|reject", "forged transmits (default: left as it is)", "accept reject"},
    {"mac-changes", 0, CLI_OPT_STRING, CLI_G_SECURITY, F(mac_changes), 0, 0, "accept|reject",
     "MAC address changes (default: left as it is)", "accept reject"},
    {"clear-overrides", 0, CLI_OPT_FLAG, CLI_G_SECURITY, F(clear_overrides), 0, 0, NULL,
     "also remove port-group overrides that would defeat the new policy", NULL},
    {"power-cycle", 0, CLI_OPT_FLAG, CLI_G_NESTED, F(power_cycle), 0, 0, NULL,
     "power a running VM off, change it, and power it on again", NULL},
    {"hosts", 0, CLI_OPT_LIST, CLI_G_MONITOR, F(monitor_hosts), 0, 0, "A,B",
     "these hosts only (comma-separated; default: every host)", CLI_VALUES_HOSTS},
    {"samples", 0, CLI_OPT_INT, CLI_G_MONITOR, F(samples), 1, 100000, "N",
     "newest samples per host on each refresh (default 3)", NULL},
    {"interval", 0, CLI_OPT_INT, CLI_G_MONITOR, F(interval), 1, 3600, "S",
     "refresh every S seconds and keep going until Ctrl-C (default: one refresh, then exit)", NULL},
    {"fix", 0, CLI_OPT_FLAG, CLI_G_CHECK, F(fix), 0, 0, NULL,
     "turn every fixable finding into one plan, apply it, and check again", NULL},
    {"min-memory-mb", 0, CLI_OPT_INT, CLI_G_CHECK, F(min_memory_mb), 1, 1 << 30, "MB",
     "memory below which a nested ESXi VM is an error (default 4096)", NULL},
    {"warn-memory-mb", 0, CLI_OPT_INT, CLI_G_CHECK, F(warn_memory_mb), 1, 1 << 30, "MB",
     "memory below which it is a warning (default 6144)", NULL},
    {"reconcile", 0, CLI_OPT_FLAG, CLI_G_JOURNAL, F(reconcile), 0, 0, NULL,
     "compare every change set with the lab as it is now (connects)", NULL},
    {"name", 0, CLI_OPT_STRING, CLI_G_CONNECT, F(name), 0, 0, "ENDPOINT",
     "the endpoint's name in the config (default: the server's host name)", NULL},
    {"ssh-user", 0, CLI_OPT_STRING, CLI_G_CONNECT, F(ssh_user), 0, 0, "NAME",
     "set up SSH to the hosts as this user (default: asked; none with --yes)", NULL},
    {"ssh-password-env", 0, CLI_OPT_STRING, CLI_G_CONNECT, F(ssh_password_env), 0, 0, "VAR",
     "the environment variable that will hold the SSH password (default NESTLAB_SSH_PASSWORD)",
     NULL},
};

const struct cli_option *cli_options(size_t *n)
{
    *n = sizeof(opt_table) / sizeof(opt_table[0]);
    return opt_table;
}

static void list_add(struct cli_list *l, const char *s)
{
    l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
    l->v[l->n++] = xstrdup(s);
}

static void list_free(struct cli_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static const struct cli_option *find_long(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(opt_table) / sizeof(opt_table[0]); i++)
        if (strlen(opt_table[i].name) == len && strncmp(opt_table[i].name, name, len) == 0)
            return &opt_table[i];
    return NULL;
}

static const struct cli_option *find_short(char c)
{
    for (size_t i = 0; i < sizeof(opt_table) / sizeof(opt_table[0]); i++)
        if (opt_table[i].short_name == c)
            return &opt_table[i];
    return NULL;
}

static int group_index(unsigned group)
{
    for (int i = 0; i < CLI_N_GROUPS; i++)
        if (group == (1u << i))
            return i;
    return -1;
}

static enum nl_code store(struct cli_opts *o, const struct cli_option *s, const char *value,
                          struct nl_err *err)
{
    const enum cli_opt_kind kind = s->kind; /* the writes to o below cannot change it */
    if (kind != CLI_OPT_FLAG && !value)
        return NL_ERR(err, NL_ERR_USAGE, NULL, "--%s needs a value.", s->name);
    void *field = (char *)o + s->offset;
    if (s->group) {
        int gi = group_index(s->group);
        if (gi >= 0 && !o->group_option[gi])
            o->group_option[gi] = s->name;
        o->groups_used |= s->group;
    }
    switch (kind) {
    case CLI_OPT_FLAG:
        *(bool *)field = true;
        break;
    case CLI_OPT_STRING:
        xstrset((char **)field, value);
        break;
    case CLI_OPT_LIST: {
        /* "--hosts a,b" and repeated "--host a --host b" both work; names with commas can be
         * given with the repeatable form only for --hosts. */
        if (strcmp(s->name, "hosts") == 0) {
            char *copy = xstrdup(value), *save = NULL;
            for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                list_add(field, t);
            free(copy);
        } else {
            list_add(field, value);
        }
        break;
    }
    case CLI_OPT_INT: {
        char *end = NULL;
        long v = strtol(value, &end, 10);
        if (!value[0] || *end || v < s->min || v > s->max)
            return NL_ERR(err, NL_ERR_USAGE, NULL,
                          "--%s takes a whole number from %d to %d, not \"%s\".", s->name, s->min,
                          s->max, value);
        *(int *)field = (int)v;
        break;
    }
    }
    return NL_OK;
}

enum nl_code cli_opts_parse(int argc, char **argv, struct cli_opts *o, struct nl_err *err)
{
    memset(o, 0, sizeof(*o));
    o->vlan = -1;
    bool only_args = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const struct cli_option *s = NULL;
        const char *value = NULL;
        if (!only_args && strcmp(a, "--") == 0) {
            only_args = true;
            continue;
        }
        if (!only_args && a[0] == '-' && a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
            s = find_long(a + 2, len);
            if (!s)
                return NL_ERR(err, NL_ERR_USAGE, NULL, "Unknown option \"%s\"; see nestlab --help.",
                              a);
            if (eq) {
                if (s->kind == CLI_OPT_FLAG)
                    return NL_ERR(err, NL_ERR_USAGE, NULL, "--%s takes no value.", s->name);
                value = eq + 1;
            }
        } else if (!only_args && a[0] == '-' && a[1] && a[1] != '-') {
            s = find_short(a[1]);
            if (!s || a[2])
                return NL_ERR(err, NL_ERR_USAGE, NULL, "Unknown option \"%s\"; see nestlab --help.",
                              a);
        } else {
            if (!o->verb)
                o->verb = a;
            else
                list_add(&o->args, a);
            continue;
        }
        if (s->kind != CLI_OPT_FLAG && !value) {
            if (i + 1 >= argc)
                return NL_ERR(err, NL_ERR_USAGE, NULL, "--%s needs a value.", s->name);
            value = argv[++i];
        }
        if (store(o, s, value, err) != NL_OK)
            return err->code;
    }
    const char *words[] = {o->promiscuous, o->forged_transmits, o->mac_changes};
    const char *names[] = {"--promiscuous", "--forged-transmits", "--mac-changes"};
    for (size_t i = 0; i < 3; i++)
        if (words[i] && strcmp(words[i], "accept") != 0 && strcmp(words[i], "reject") != 0)
            return NL_ERR(err, NL_ERR_USAGE, NULL, "%s takes accept or reject, not \"%s\".",
                          names[i], words[i]);
    return NL_OK;
}

void cli_opts_free(struct cli_opts *o)
{
    for (size_t i = 0; i < sizeof(opt_table) / sizeof(opt_table[0]); i++) {
        void *field = (char *)o + opt_table[i].offset;
        if (opt_table[i].kind == CLI_OPT_STRING)
            free(*(char **)field);
        else if (opt_table[i].kind == CLI_OPT_LIST)
            list_free(field);
    }
    list_free(&o->args);
    memset(o, 0, sizeof(*o));
}

enum nl_code cli_opts_check_groups(const struct cli_opts *o, const struct cli_verb *v,
                                   struct nl_err *err)
{
    unsigned extra = o->groups_used & ~v->groups;
    for (int i = 0; i < CLI_N_GROUPS && extra; i++)
        if (extra & (1u << i))
            return NL_ERR(err, NL_ERR_USAGE, NULL,
                          "--%s does not apply to \"nestlab %s\"; see nestlab %s --help.",
                          o->group_option[i], v->name, v->name);
    return NL_OK;
}

enum nl_code cli_config_resolve(const struct cli_opts *o, struct nl_config *cfg,
                                struct nl_endpoint_cfg **ep, struct nl_err *err)
{
    *ep = NULL;
    char *path =
        o->config_path ? xstrdup(o->config_path) : nl_xdg_path(NL_XDG_CONFIG, "config.json", err);
    if (!path)
        return err->code;
    /* The default file may be absent when the command line says where to go. */
    enum nl_code rc = nl_config_load(path, o->config_path == NULL, cfg, err);
    free(path);
    if (rc != NL_OK)
        return rc;
    const char *server = o->server ? o->server : getenv("NESTLAB_URL");
    if (server && server[0]) {
        *ep = nl_config_endpoint(cfg, o->endpoint ? o->endpoint : server);
        if (!*ep)
            *ep = nl_config_add_endpoint(cfg, o->endpoint ? o->endpoint : server);
        xstrset(&(*ep)->url, server);
    } else {
        *ep = nl_config_endpoint(cfg, o->endpoint);
        if (!*ep && o->endpoint)
            return NL_ERR(err, NL_ERR_USAGE, NULL, "There is no endpoint \"%s\" in %s.",
                          o->endpoint, cfg->path ? cfg->path : "the config");
        if (!*ep)
            return NL_ERR(err, NL_ERR_USAGE, NULL,
                          "No vCenter to talk to: give --server https://VCENTER/sdk --user NAME "
                          "(or set NESTLAB_URL), or add an endpoint to %s.",
                          cfg->path ? cfg->path : "the config file");
    }
    const char *user = o->user ? o->user : getenv("NESTLAB_USER");
    if (user && user[0])
        xstrset(&(*ep)->user, user);
    if (o->thumbprint)
        xstrset(&(*ep)->thumbprint, o->thumbprint);
    if (o->insecure)
        (*ep)->insecure = true;
    if (o->ssh_only)
        (*ep)->ssh_only = true;
    if (!(*ep)->ssh_only && !(*ep)->user)
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "No user name for \"%s\": give --user NAME or set NESTLAB_USER.",
                      (*ep)->name);
    return NL_OK;
}

void cli_note(const char *label, const char *text)
{
    char *line = nl_term_escape(text, 0);
    fprintf(stderr, "nestlab: %s%s\n", label, line);
    free(line);
}

int cli_fail(const struct nl_err *err)
{
    char text[700];
    nl_err_format(err, text, sizeof(text));
    cli_note("", text);
    return nl_code_exit_status(err->code);
}

bool cli_confirm(const char *question)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return false;
    nl_term_printf(tty, "%s [y/N] ", question);
    fflush(tty);
    char line[16];
    bool yes = fgets(line, sizeof(line), tty) && (line[0] == 'y' || line[0] == 'Y');
    fclose(tty);
    return yes;
}
