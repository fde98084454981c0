/* The headless command line: one table of verbs (name, usage, help, handler) that also feeds
 * `nestlab help` and `nestlab VERB --help`, in the style of tmux's command table. Options are
 * parsed once into struct cli_opts, accepted before or after the verb; each verb declares which
 * option groups it takes so a misplaced option is a usage error, not silently ignored. */
#ifndef NL_TUI_CLI_H
#define NL_TUI_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include "backend/core/config.h"
#include "backend/core/err.h"

/* Option groups a verb may accept (bit mask). Global options are always accepted. */
enum cli_group {
    CLI_G_SCOPE = 1 << 0,    /* --cluster --host --all-physical --all-nested --all, VM names */
    CLI_G_CHANGE = 1 << 1,   /* --dry-run --yes --parallel --wait */
    CLI_G_VSWITCH = 1 << 2,  /* --vswitch */
    CLI_G_TRUNK = 1 << 3,    /* --portgroup --vlan */
    CLI_G_SECURITY = 1 << 4, /* --promiscuous --forged-transmits --mac-changes --clear-overrides */
    CLI_G_NESTED = 1 << 5,   /* --power-cycle */
    CLI_G_MONITOR = 1 << 6,  /* --hosts --samples --interval */
    CLI_G_CHECK = 1 << 7,    /* --fix --min-memory-mb --warn-memory-mb */
    CLI_G_JOURNAL = 1 << 8,  /* --reconcile */
    CLI_G_CONNECT = 1 << 9,  /* --name --ssh-user --ssh-password-env */
};

#define CLI_N_GROUPS 10

struct cli_list {
    char **v;
    size_t n;
};

struct cli_opts {
    /* global */
    char *config_path;
    char *endpoint;
    char *server;
    char *user;
    char *thumbprint;
    bool insecure;
    bool direct;
    bool ssh_only;
    bool accept_new_host_keys;
    bool json;
    bool read_only;
    bool no_color;
    char *theme;
    char *log_level;
    bool help;
    bool version;
    /* scope */
    struct cli_list clusters, hosts;
    bool all_physical, all_nested, all;
    /* change */
    bool dry_run, yes;
    int parallel;
    int wait_s; /* --wait: seconds to wait for another nestlab changing the endpoint */
    char *vswitch;
    char *portgroup;
    int vlan;                                           /* -1 unset */
    char *promiscuous, *forged_transmits, *mac_changes; /* "accept" | "reject" | NULL */
    bool clear_overrides;
    bool power_cycle;
    /* monitor */
    struct cli_list monitor_hosts;
    int samples;
    int interval;
    /* check */
    bool fix;
    int min_memory_mb, warn_memory_mb;
    /* journal */
    bool reconcile;
    /* connect */
    char *name;
    char *ssh_user;
    char *ssh_password_env;
    /* the verb and its positional arguments */
    const char *verb;
    struct cli_list args;
    unsigned groups_used;                   /* which groups the command line touched */
    const char *group_option[CLI_N_GROUPS]; /* first option seen per group, for messages */
};

enum cli_opt_kind { CLI_OPT_FLAG, CLI_OPT_STRING, CLI_OPT_INT, CLI_OPT_LIST };

/* What completes an option's value when it is not a fixed word list: names read at completion
 * time (the config, the themes, the inventory cache; never the network). */
#define CLI_VALUES_ENDPOINTS "@endpoints"
#define CLI_VALUES_THEMES "@themes"
#define CLI_VALUES_CLUSTERS "@clusters"
#define CLI_VALUES_HOSTS "@hosts"
#define CLI_VALUES_VMS "@vms"

struct cli_option {
    const char *name;
    char short_name;
    enum cli_opt_kind kind;
    unsigned group;     /* 0 = global */
    size_t offset;      /* of its field in struct cli_opts */
    int min, max;       /* CLI_OPT_INT */
    const char *arg;    /* the value's placeholder in help ("NAME"), NULL for flags */
    const char *help;   /* what it does, and its default */
    const char *values; /* completion: space-separated words, one of CLI_VALUES_*, or NULL */
};

/* The option table (tui/cli_opts.c). */
const struct cli_option *cli_options(size_t *n);

struct cli_verb {
    const char *name;
    const char *usage;   /* "nestlab security --vswitch NAME [--promiscuous accept|reject] ..." */
    const char *summary; /* one line for `nestlab help` */
    const char *help;    /* the rest of `nestlab VERB --help` */
    unsigned groups;
    int (*run)(struct cli_opts *o); /* returns the process exit status */
};

/* Parses argv into o. Returns NL_OK or a usage error (message says which argument). */
enum nl_code cli_opts_parse(int argc, char **argv, struct cli_opts *o, struct nl_err *err);
void cli_opts_free(struct cli_opts *o);
/* NL_ERR_USAGE when o uses an option group the verb does not take. */
enum nl_code cli_opts_check_groups(const struct cli_opts *o, const struct cli_verb *v,
                                   struct nl_err *err);

const struct cli_verb *cli_verb_find(const char *name);
const struct cli_verb *cli_verbs(size_t *n);
/* The themes shipped with nestlab: $NESTLAB_THEMES_DIR, else PREFIX/share/nestlab/themes of an
 * installed binary, else the source tree's themes/ (cli_paths.c). */
const char *cli_themes_dir(void);

/* Generated from the verb and option tables (cli_doc.c). */
void cli_print_help(const struct cli_verb *v); /* NULL = the overview */
void cli_print_man(FILE *out);                 /* nestlab(1) in roff */
void cli_print_readme_verbs(FILE *out);        /* the README's verb table (markdown) */

/* `nestlab __complete WORD... CURRENT`: candidates for CURRENT, one per line (cli_complete.c). */
int cli_complete(int argc, char **argv, FILE *out);

/* Resolves the endpoint to use from -c/--config (or the XDG default), --endpoint, --server/--user
 * (--server alone defines an endpoint named after the URL), NESTLAB_URL and NESTLAB_USER. */
enum nl_code cli_config_resolve(const struct cli_opts *o, struct nl_config *cfg,
                                struct nl_endpoint_cfg **ep, struct nl_err *err);

/* Prints "nestlab: MESSAGE" on stderr and returns the exit status for err's code. An error
 * message is one sentence that may quote server texts and names: it is written as one line
 * through the terminal sanitiser, a newline in it escaped. */
int cli_fail(const struct nl_err *err);
/* Prints "nestlab: LABEL TEXT" on stderr the same way; LABEL is nestlab's own ("warning: "). */
void cli_note(const char *label, const char *text);

/* Asks "question [y/N]" on the terminal; false when stdin is not a terminal. */
bool cli_confirm(const char *question);

#endif
