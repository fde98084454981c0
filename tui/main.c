/* nestlab: the console with no verb, a headless verb otherwise. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/log.h"
#include "backend/core/secret.h"
#include "backend/core/xdg.h"
#include "tui/cli.h"
#include "tui/cli_apply.h"
#include "tui/cli_change.h"
#include "tui/cli_verbs.h"

static const struct cli_verb verbs[] = {
    {"inventory", "nestlab inventory [--json]",
     "the whole lab: clusters, hosts, VMs, nested hosts beside their VMs, badges",
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
     "hosts x vSwitch settings per cluster, the cells that disagree marked",
     "Shows, for the hosts in scope (default: all), the vSwitch security flags, the trunk port\n"
     "group and its VLAN and effective policy, and marks the cells that differ from the rest.\n",
     CLI_G_SCOPE | CLI_G_VSWITCH | CLI_G_TRUNK, cli_run_drift},
    {"journal", "nestlab journal [--reconcile] [--json]",
     "every change nestlab made; --reconcile compares them with the lab now",
     "Lists the journal (XDG state dir, journal.jsonl): every change set with its time,\n"
     "endpoint, transport (vcenter/ssh), steps and results. No secrets are ever written there.\n"
     "--reconcile connects and compares each change set with the lab as it is now: with vCenter\n"
     "back after an outage, the changes made over SSH meanwhile, as vCenter now reports them.\n",
     CLI_G_JOURNAL, cli_run_journal},
    {"undo", "nestlab undo [ID] [--dry-run] [--yes]",
     "the inverse of a change set (default: the newest), applied like any change",
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
     "host CPU and network from vCenter, or esxtop over SSH when it is down",
     "Prints CPU %, CPU MHz, packets/s and broadcast packets/s per host from vCenter's real-time\n"
     "counters (one QueryPerf call per refresh for all hosts), or from esxtop over SSH when\n"
     "vCenter is down.\n",
     CLI_G_SCOPE | CLI_G_MONITOR, cli_run_monitor},
    {"cost", "nestlab cost [--json]",
     "CPU and packets/s before and after each recent security change",
     "For every recent vSwitch security change in the journal: CPU and packets/s on that host in\n"
     "a window before and after it, the difference, and the flooding amplification where the\n"
     "data allows. Says plainly when there is not enough data. It reads vCenter's real-time\n"
     "history (the last hour); over SSH there is no history, so with vCenter down it says so:\n"
     "watch the cost live with nestlab monitor --direct --interval 2.\n",
     0, cli_run_cost},
    {"connect", "nestlab connect URL [--user NAME] [--name ENDPOINT] [--thumbprint HEX] [--yes]",
     "first connection: check the certificate, log in, write the config",
     "Shows the server's certificate (subject, issuer, validity, SHA-256 thumbprint) before\n"
     "anything is sent; when no certificate authority vouches for it, asks whether to pin it\n"
     "(trust on first use). Then asks for the password (never stored), logs in to prove it,\n"
     "reads the host list, offers to set up SSH to the hosts for when vCenter is down, and adds\n"
     "or updates the endpoint in the config file (mode 0600). Headless: --yes with --user and,\n"
     "for a certificate no CA vouches for, --thumbprint; the password from NESTLAB_PASSWORD.\n"
     "--dry-run shows the endpoint it would write and writes nothing.\n",
     CLI_G_CHANGE | CLI_G_CONNECT, cli_run_connect},
    {"config", "nestlab config [show|test|remove] [ENDPOINT]",
     "show, test (log in) or remove the endpoints of the config",
     "show lists every endpoint (or one) of the config file; test logs in to it and reads its\n"
     "host list; remove deletes it from the file, keeping everything else.\n",
     0, cli_run_config},
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

/* Internal verbs for the build and the shell, not listed in help: the man page and README verb
 * table generated from the tables, and shell completion (like kubectl's __complete). */
static bool run_internal(int argc, char **argv, int *rc)
{
    if (argc < 2 || strncmp(argv[1], "__", 2) != 0)
        return false;
    *rc = 0;
    if (strcmp(argv[1], "__man") == 0)
        cli_print_man(stdout);
    else if (strcmp(argv[1], "__readme-verbs") == 0)
        cli_print_readme_verbs(stdout);
    else if (strcmp(argv[1], "__complete") == 0)
        *rc = cli_complete(argc - 2, argv + 2, stdout);
    else
        return false;
    return true;
}

int main(int argc, char **argv)
{
    /* Passwords may be in the environment already: no core dump from here on (secret.h). */
    nl_secret_protect_process();
    setlocale(LC_ALL, "");
    int internal_rc;
    if (run_internal(argc, argv, &internal_rc))
        return internal_rc;
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
