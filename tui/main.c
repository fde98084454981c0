/* nestlab: the console with no verb, a headless verb otherwise. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/log.h"
#include "backend/core/xdg.h"
#include "tui/cli.h"
#include "tui/cli_apply.h"
#include "tui/cli_change.h"
#include "tui/cli_verbs.h"

#define NESTLAB_VERSION "0.1.0"

static const char scope_help[] =
    "Scope (repeatable, combined): --cluster NAME, --host NAME, --all-physical, --all-nested,\n"
    "--all, and VM names as arguments. An empty scope is an error, never \"everything\".\n";
static const char change_help[] =
    "Changes: --dry-run shows the plan only; --yes applies without asking (otherwise nestlab asks\n"
    "on the terminal, and refuses when stdin is not one); --parallel N hosts at once (16);\n"
    "--json prints the plan and the result as JSON. One change at a time per endpoint: while\n"
    "another nestlab changes it, nestlab refuses, or waits up to --wait SECONDS.\n"
    "Every step is journaled as it goes. Ctrl-C (SIGINT, SIGTERM, SIGHUP) during apply starts\n"
    "no new step, lets the calls in flight finish or time out, and reports what was and was\n"
    "not done (exit 128+signal); a second Ctrl-C abandons the calls in flight, journaled as\n"
    "unknown (nestlab journal --reconcile settles them, nestlab undo restores them).\n";

static const struct cli_verb verbs[] = {
    {"inventory", "nestlab inventory [--json]",
     "show the whole lab: physical and nested clusters, hosts, VMs",
     "Prints the tree: physical clusters, hosts and their VMs; nested clusters with each nested\n"
     "host next to the VM that backs it, and the guests inside. Badges: nested HV, hardware\n"
     "version, power, trunk port group (VLAN 4095), promiscuous mode, data source.\n"
     "--json prints the documented inventory JSON (backend/model/README.md).\n"
     "With vCenter unreachable, the last cached inventory is used with live SSH reads.\n",
     0, cli_run_inventory},
    {"security",
     "nestlab security --vswitch NAME [--promiscuous accept|reject] [--forged-transmits "
     "accept|reject] [--mac-changes accept|reject] [--clear-overrides] SCOPE",
     "set vSwitch security on every host in scope",
     "Sets the standard vSwitch security policy host by host, keeping the rest of each vSwitch\n"
     "(uplinks, ports, MTU) as it is. --clear-overrides also removes port-group overrides that\n"
     "would defeat the new policy.\n",
     CLI_G_SCOPE | CLI_G_CHANGE | CLI_G_VSWITCH | CLI_G_SECURITY, cli_run_security},
    {"trunk", "nestlab trunk --portgroup NAME --vswitch NAME [--vlan 4095] SCOPE",
     "ensure a VLAN-trunk port group on every host in scope",
     "Adds the port group where it is missing and sets its VLAN where it differs (4095 = trunk,\n"
     "the nested hypervisors tag their own VLANs); compliant hosts are left alone.\n",
     CLI_G_SCOPE | CLI_G_CHANGE | CLI_G_VSWITCH | CLI_G_TRUNK, cli_run_trunk},
    {"nested-hv", "nestlab nested-hv on|off [--power-cycle] VM... | SCOPE",
     "expose hardware virtualization to nested-hypervisor VMs",
     "Turns \"Expose hardware assisted virtualization\" (nestedHVEnabled, vhv.enable) on or off.\n"
     "The VM must be powered off and at hardware version vmx-09 or later; --power-cycle powers\n"
     "a running VM off, changes it and powers it on again (after confirmation). With --cluster,\n"
     "every nested-hypervisor VM backing a host of that cluster is meant.\n",
     CLI_G_SCOPE | CLI_G_CHANGE | CLI_G_NESTED, cli_run_nested_hv},
    {"drift", "nestlab drift [--json] [SCOPE]",
     "hosts x network settings, inconsistent cells marked",
     "Shows, for the hosts in scope (default: all), the vSwitch security flags, the trunk port\n"
     "group and its VLAN and effective policy, and marks the cells that differ from the rest.\n",
     CLI_G_SCOPE | CLI_G_VSWITCH | CLI_G_TRUNK, cli_run_drift},
    {"journal", "nestlab journal [--reconcile] [--json]", "list the changes nestlab made",
     "Lists the journal (XDG state dir, journal.jsonl): every change set with its time,\n"
     "endpoint, transport (vcenter/ssh), steps and results. No secrets are ever written there.\n"
     "--reconcile connects and compares each change set with the lab as it is now: with vCenter\n"
     "back after an outage, the changes made over SSH meanwhile, as vCenter now reports them.\n",
     CLI_G_JOURNAL, cli_run_journal},
    {"undo", "nestlab undo [ID] [--dry-run] [--yes]", "undo a change set from the journal",
     "Builds the inverse plan of journal entry ID (default: the newest change set), shows it,\n"
     "and applies it like any change.\n",
     CLI_G_CHANGE, cli_run_undo},
    {"check", "nestlab check [--json] [--fix [--power-cycle] [--yes]]",
     "lab readiness: everything a nested lab needs, and the fix",
     "Checks nested-hypervisor VMs (nested HV, hardware version, vCPU, memory, Tools, trunk\n"
     "port group and security), physical hosts (same vSwitch security and trunk port group on\n"
     "every host, HV support) and layout. Exit status 0 when no error remains. --fix turns every\n"
     "fixable finding into one plan (preview, confirm, apply, verify, journal), then checks "
     "again.\n",
     CLI_G_CHANGE | CLI_G_CHECK | CLI_G_NESTED, cli_run_check},
    {"monitor", "nestlab monitor [--hosts A,B | --cluster C] [--samples N] [--interval S] [--json]",
     "host CPU and network samples",
     "Prints CPU %, CPU MHz, packets/s and broadcast packets/s per host from vCenter's real-time\n"
     "counters (one QueryPerf call per refresh for all hosts), or from esxtop over SSH when\n"
     "vCenter is down.\n",
     CLI_G_SCOPE | CLI_G_MONITOR, cli_run_monitor},
    {"cost", "nestlab cost [--json]", "measured cost of each recent security change",
     "For every recent vSwitch security change in the journal: CPU and packets/s on that host in\n"
     "a window before and after it, the difference, and the flooding amplification where the\n"
     "data allows. Says plainly when there is not enough data. It reads vCenter's real-time\n"
     "history (the last hour); over SSH there is no history, so with vCenter down it says so:\n"
     "watch the cost live with nestlab monitor --direct --interval 2.\n",
     0, cli_run_cost},
    {"help", "nestlab help [VERB]", "this overview, or one verb's help", "", 0, NULL},
};

const struct cli_verb *cli_verbs(size_t *n)
{
    *n = sizeof(verbs) / sizeof(verbs[0]);
    return verbs;
}

const struct cli_verb *cli_verb_find(const char *name)
{
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (strcmp(verbs[i].name, name) == 0)
            return &verbs[i];
    return NULL;
}

void cli_print_help(const struct cli_verb *v)
{
    if (v) {
        printf("usage: %s\n\n%s", v->usage, v->help);
        if (v->groups & CLI_G_SCOPE)
            printf("\n%s", scope_help);
        if (v->groups & CLI_G_CHANGE)
            printf("\n%s", change_help);
        printf("\nGlobal options: see nestlab --help.\n");
        return;
    }
    printf("nestlab %s - one console for a nested virtualization lab on vSphere\n\n"
           "usage: nestlab [OPTIONS]            open the console\n"
           "       nestlab VERB [OPTIONS] ...   run one command and exit\n\nVerbs:\n",
           NESTLAB_VERSION);
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        printf("  %-10s %s\n", verbs[i].name, verbs[i].summary);
    printf(
        "\nGlobal options (before or after the verb):\n"
        "  -c, --config FILE        config file (default $XDG_CONFIG_HOME/nestlab/config.json)\n"
        "  -e, --endpoint NAME      which endpoint of the config to use\n"
        "      --server URL         vCenter SDK URL, e.g. https://vc.example/sdk (or NESTLAB_URL)\n"
        "  -u, --user NAME          vCenter user (or NESTLAB_USER)\n"
        "      --thumbprint HEX     pin the server certificate (SHA-256, AB:CD:...)\n"
        "  -k, --insecure           do not verify the server certificate (not recommended)\n"
        "      --direct             skip vCenter: reach the ESXi hosts over SSH\n"
        "      --ssh-only           the endpoint has no vCenter at all\n"
        "      --accept-new-host-keys  trust SSH host keys not yet known (never changed ones)\n"
        "      --json               machine-readable output\n"
        "      --read-only          refuse every change\n"
        "      --theme NAME         console theme (default, dark, light, high-contrast, mono)\n"
        "      --no-color           no colours (NO_COLOR is honoured too)\n"
        "      --log-level LEVEL    debug, info, warn, error (log in $XDG_STATE_HOME/nestlab)\n"
        "  -h, --help               help; nestlab VERB --help for one verb\n"
        "  -V, --version            the version\n\n"
        "Passwords come from NESTLAB_PASSWORD (SSH: NESTLAB_SSH_PASSWORD) or the variable the\n"
        "config names, or are asked for on the terminal; nestlab never stores them.\n"
        "Exit status: 0 ok, 1 failure, 2 usage, 3 connection/TLS/authentication, 4 server "
        "fault.\n");
}

static void open_log(const struct cli_opts *o)
{
    struct nl_err err = {0};
    int level = NL_LOG_INFO;
    if (o->log_level) {
        level = nl_log_level_parse(o->log_level);
        if (level < 0)
            level = NL_LOG_INFO;
    }
    char *path = nl_xdg_path(NL_XDG_STATE, "nestlab.log", &err);
    if (path)
        nl_log_open(path, (enum nl_log_level)level,
                    &err); /* a log we cannot open is no reason to stop */
    free(path);
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    struct cli_opts o;
    struct nl_err err = {0};
    if (cli_opts_parse(argc, argv, &o, &err) != NL_OK) {
        int rc = cli_fail(&err);
        cli_opts_free(&o);
        return rc;
    }
    int rc = 0;
    if (o.version) {
        printf("nestlab %s\n", NESTLAB_VERSION);
        goto cleanup;
    }
    const struct cli_verb *v = NULL;
    if (o.verb) {
        v = cli_verb_find(o.verb);
        if (!v) {
            NL_ERR(&err, NL_ERR_USAGE, NULL, "Unknown command \"%s\"; nestlab help lists them.",
                   o.verb);
            rc = cli_fail(&err);
            goto cleanup;
        }
    }
    if (v && !v->run) { /* help [VERB] */
        const struct cli_verb *about = o.args.n ? cli_verb_find(o.args.v[0]) : NULL;
        if (o.args.n && !about) {
            NL_ERR(&err, NL_ERR_USAGE, NULL, "Unknown command \"%s\".", o.args.v[0]);
            rc = cli_fail(&err);
            goto cleanup;
        }
        cli_print_help(about);
        goto cleanup;
    }
    if (o.help) {
        cli_print_help(v);
        goto cleanup;
    }
    if (v && cli_opts_check_groups(&o, v, &err) != NL_OK) {
        rc = cli_fail(&err);
        goto cleanup;
    }
    /* The signals of a change are taken from here on (cli_apply.h): the sooner, the smaller
     * the moment in which Ctrl-C still has its default action. */
    if (v && (cli_is_change_verb(v->name) || (strcmp(v->name, "check") == 0 && o.fix)))
        cli_apply_guard();
    open_log(&o);
    rc = v ? v->run(&o) : cli_run_console(&o);
cleanup:
    nl_log_close();
    cli_opts_free(&o);
    return rc;
}
