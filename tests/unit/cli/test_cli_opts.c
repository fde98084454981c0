#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tui/cli.h"

/* argv as main() gets it: mutable strings that outlive the parse (o->verb points into it). */
static char *kept[512];
static size_t n_kept;

static enum nl_code parse(struct cli_opts *o, struct nl_err *err, int argc,
                          const char *const *literal)
{
    char **argv = calloc((size_t)argc + 1, sizeof(*argv));
    for (int i = 0; i < argc; i++)
        argv[i] = kept[n_kept++] = strdup(literal[i]);
    kept[n_kept++] = (char *)argv;
    nl_err_clear(err);
    return cli_opts_parse(argc, argv, o, err);
}

/* clang-format off */
#define ARGV(...) \
    (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *)), (const char *[]){__VA_ARGS__}
/* clang-format on */

int main(void)
{
    struct cli_opts o;
    struct nl_err err = {0};

    /* Options before and after the verb; repeatable scope; --opt=value and --opt value. */
    CHECK_INT(parse(&o, &err,
                    ARGV("nestlab", "-c", "/tmp/c.json", "security", "--vswitch=vSwitch0",
                         "--promiscuous", "accept", "--cluster", "Physical", "--cluster",
                         "Nested A", "--yes", "--json")),
              NL_OK);
    CHECK_STR(o.verb, "security");
    CHECK_STR(o.config_path, "/tmp/c.json");
    CHECK_STR(o.vswitch, "vSwitch0");
    CHECK_STR(o.promiscuous, "accept");
    CHECK_INT(o.clusters.n, 2);
    CHECK_STR(o.clusters.v[1], "Nested A");
    CHECK(o.yes && o.json && !o.dry_run);
    CHECK_INT(o.vlan, -1);
    CHECK(o.groups_used & CLI_G_SCOPE);
    cli_opts_free(&o);

    /* Positional arguments keep hostile names intact; "--" ends options. */
    CHECK_INT(parse(&o, &err,
                    ARGV("nestlab", "nested-hv", "on", "vm '$(x)'; <&>", "--", "--not-an-option")),
              NL_OK);
    CHECK_STR(o.verb, "nested-hv");
    CHECK_INT(o.args.n, 3);
    CHECK_STR(o.args.v[1], "vm '$(x)'; <&>");
    CHECK_STR(o.args.v[2], "--not-an-option");
    cli_opts_free(&o);

    /* --hosts splits on commas; --vlan range; accept|reject only. */
    CHECK_INT(parse(&o, &err, ARGV("nestlab", "monitor", "--hosts", "a,b", "--hosts", "c")), NL_OK);
    CHECK_INT(o.monitor_hosts.n, 3);
    cli_opts_free(&o);
    CHECK_INT(parse(&o, &err, ARGV("nestlab", "trunk", "--vlan", "4096")), NL_ERR_USAGE);
    CHECK(strstr(err.message, "0 to 4095") != NULL);
    cli_opts_free(&o);
    CHECK_INT(parse(&o, &err, ARGV("nestlab", "trunk", "--vlan", "12x")), NL_ERR_USAGE);
    cli_opts_free(&o);
    CHECK_INT(parse(&o, &err, ARGV("nestlab", "security", "--promiscuous", "yes")), NL_ERR_USAGE);
    CHECK(strstr(err.message, "accept or reject") != NULL);
    cli_opts_free(&o);

    /* Unknown or malformed options say which. */
    CHECK_INT(parse(&o, &err, ARGV("nestlab", "--frob")), NL_ERR_USAGE);
    CHECK(strstr(err.message, "--frob") != NULL);
    cli_opts_free(&o);
    CHECK_INT(parse(&o, &err, ARGV("nestlab", "inventory", "--vswitch")), NL_ERR_USAGE);
    CHECK(strstr(err.message, "needs a value") != NULL);
    cli_opts_free(&o);
    CHECK_INT(parse(&o, &err, ARGV("nestlab", "--json=1")), NL_ERR_USAGE);
    cli_opts_free(&o);
    CHECK_INT(parse(&o, &err, ARGV("nestlab", "-xy")), NL_ERR_USAGE);
    cli_opts_free(&o);

    /* A verb refuses option groups it does not take, naming the option. */
    struct cli_verb inventory = {.name = "inventory", .groups = 0};
    struct cli_verb drift = {.name = "drift", .groups = CLI_G_SCOPE | CLI_G_VSWITCH};
    CHECK_INT(parse(&o, &err, ARGV("nestlab", "inventory", "--promiscuous", "accept")), NL_OK);
    CHECK_INT(cli_opts_check_groups(&o, &inventory, &err), NL_ERR_USAGE);
    CHECK(strstr(err.message, "--promiscuous") != NULL);
    cli_opts_free(&o);
    CHECK_INT(parse(&o, &err, ARGV("nestlab", "drift", "--cluster", "X", "--vswitch", "v")), NL_OK);
    CHECK_INT(cli_opts_check_groups(&o, &drift, &err), NL_OK);
    cli_opts_free(&o);

    /* Config resolution: --server alone defines an endpoint; no user is a usage error. */
    struct nl_config cfg;
    struct nl_endpoint_cfg *ep;
    setenv("HOME", "/nonexistent-home", 1);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("NESTLAB_URL");
    unsetenv("NESTLAB_USER");
    CHECK_INT(parse(&o, &err, ARGV("nestlab", "--server", "https://vc/sdk", "inventory")), NL_OK);
    CHECK_INT(cli_config_resolve(&o, &cfg, &ep, &err), NL_ERR_USAGE);
    CHECK(strstr(err.message, "--user") != NULL);
    nl_config_free(&cfg);
    cli_opts_free(&o);
    setenv("NESTLAB_URL", "https://env-vc/sdk", 1);
    setenv("NESTLAB_USER", "admin", 1);
    CHECK_INT(parse(&o, &err, ARGV("nestlab", "inventory", "--thumbprint", "AB:CD")), NL_OK);
    CHECK_INT(cli_config_resolve(&o, &cfg, &ep, &err), NL_OK);
    CHECK_STR(ep ? ep->url : NULL, "https://env-vc/sdk");
    CHECK_STR(ep ? ep->user : NULL, "admin");
    CHECK_STR(ep ? ep->thumbprint : NULL, "AB:CD");
    nl_config_free(&cfg);
    cli_opts_free(&o);
    for (size_t i = 0; i < n_kept; i++)
        free(kept[i]);
    return nl_check_done();
}
