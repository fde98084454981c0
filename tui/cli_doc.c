/* Everything written about the command line comes from two tables: the verbs (main.c) and the
 * options (cli_opts.c). --help, the man page and the README's verb table are generated here, so
 * none of them is ever written twice or out of date. */
#include <stdio.h>
#include <string.h>

#include "tui/cli.h"

/* The option groups in the order help lists them, with a title each. */
static const struct {
    unsigned group;
    const char *title;
} groups[] = {
    {CLI_G_SCOPE, "Scope"},        {CLI_G_CHANGE, "Changes"},
    {CLI_G_VSWITCH, "vSwitch"},    {CLI_G_TRUNK, "Trunk port group"},
    {CLI_G_SECURITY, "Security"},  {CLI_G_NESTED, "Nested HV"},
    {CLI_G_MONITOR, "Monitoring"}, {CLI_G_CHECK, "Readiness check"},
    {CLI_G_JOURNAL, "Journal"},    {CLI_G_CONNECT, "First connection"},
};
#define N_GROUPS (sizeof groups / sizeof groups[0])

static const char scope_note[] =
    "SCOPE combines --cluster, --host, --all-physical, --all-nested, --all and VM names given as\n"
    "arguments. An empty scope is an error, never \"everything\".\n";

static const char passwords_note[] =
    "The vCenter password comes from NESTLAB_PASSWORD, the SSH password from\n"
    "NESTLAB_SSH_PASSWORD (or the variables the config names), else nestlab asks on the\n"
    "terminal; one is never used for the other, and nestlab never stores them.\n";

static const char exit_note[] =
    "Exit status: 0 ok, 1 failure, 2 usage, 3 connection, TLS or authentication, 4 server fault\n"
    "or a step that cannot be done.\n";

/* "-c, --config FILE" */
static void option_label(const struct cli_option *o, char *buf, size_t size)
{
    if (o->short_name)
        snprintf(buf, size, "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
    else
        snprintf(buf, size, "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

enum { HELP_COLUMN = 30, HELP_WIDTH = 100 };

/* Prints text from HELP_COLUMN on, wrapped at spaces to HELP_WIDTH. */
static void print_wrapped(const char *text)
{
    int col = HELP_COLUMN;
    while (*text) {
        const char *sp = strchr(text, ' ');
        int word = sp ? (int)(sp - text) : (int)strlen(text);
        if (col > HELP_COLUMN && col + 1 + word > HELP_WIDTH) {
            printf("\n%*s", HELP_COLUMN, "");
            col = HELP_COLUMN;
        } else if (col > HELP_COLUMN) {
            putchar(' ');
            col++;
        }
        printf("%.*s", word, text);
        col += word;
        text += word;
        while (*text == ' ')
            text++;
    }
    putchar('\n');
}

static void print_options(unsigned group)
{
    size_t n;
    const struct cli_option *opts = cli_options(&n);
    for (size_t i = 0; i < n; i++) {
        if (opts[i].group != group)
            continue;
        char label[80];
        option_label(&opts[i], label, sizeof label);
        if (strlen(label) > HELP_COLUMN - 3)
            printf("  %s\n%*s", label, HELP_COLUMN, "");
        else
            printf("  %-*s ", HELP_COLUMN - 3, label);
        print_wrapped(opts[i].help);
    }
}

void cli_print_help(const struct cli_verb *v)
{
    if (v) {
        printf("usage: %s\n\n%s", v->usage, v->help);
        for (size_t g = 0; g < N_GROUPS; g++) {
            if (!(v->groups & groups[g].group))
                continue;
            printf("\n%s options:\n", groups[g].title);
            print_options(groups[g].group);
        }
        if (v->groups & CLI_G_SCOPE)
            printf("\n%s", scope_note);
        printf("\nGlobal options (nestlab --help) apply too.\n");
        return;
    }
    printf("nestlab %s - one console for a nested virtualization lab on vSphere\n\n"
           "usage: nestlab [OPTIONS]            open the console\n"
           "       nestlab VERB [OPTIONS] ...   run one command and exit\n\nVerbs:\n",
           NESTLAB_VERSION);
    size_t nv;
    const struct cli_verb *verbs = cli_verbs(&nv);
    for (size_t i = 0; i < nv; i++)
        printf("  %-10s %s\n", verbs[i].name, verbs[i].summary);
    printf("\nGlobal options (before or after the verb):\n");
    print_options(0);
    printf("\n%s%s", passwords_note, exit_note);
}

/* ---- man page ------------------------------------------------------------------------------ */

/* Text for roff: backslashes and hyphens escaped, a leading dot or quote neutralised. */
static void roff(FILE *out, const char *s)
{
    bool line_start = true;
    for (; *s; s++) {
        if (line_start && (*s == '.' || *s == '\''))
            fputs("\\&", out);
        if (*s == '\\')
            fputs("\\e", out);
        else if (*s == '-')
            fputs("\\-", out);
        else
            fputc(*s, out);
        line_start = *s == '\n';
    }
}

static void man_options(FILE *out, unsigned group)
{
    size_t n;
    const struct cli_option *opts = cli_options(&n);
    for (size_t i = 0; i < n; i++) {
        const struct cli_option *o = &opts[i];
        if (o->group != group)
            continue;
        fputs(".TP\n", out);
        if (o->short_name)
            fprintf(out, "\\fB\\-%c\\fR, ", o->short_name);
        fputs("\\fB\\-\\-", out);
        roff(out, o->name);
        fputs("\\fR", out);
        if (o->arg) {
            fputs(" \\fI", out);
            roff(out, o->arg);
            fputs("\\fR", out);
        }
        fputc('\n', out);
        roff(out, o->help);
        fputs(".\n", out);
    }
}

/* Verbs that take a group, for the heading of its options. */
static void man_group_heading(FILE *out, unsigned group, const char *title)
{
    size_t nv;
    const struct cli_verb *verbs = cli_verbs(&nv);
    fprintf(out, ".SS \"%s (", title);
    bool first = true;
    for (size_t i = 0; i < nv; i++) {
        if (!(verbs[i].groups & group))
            continue;
        fprintf(out, "%s%s", first ? "" : ", ", verbs[i].name);
        first = false;
    }
    fputs(")\"\n", out);
}

void cli_print_man(FILE *out)
{
    fprintf(out, ".TH NESTLAB 1 \"\" \"nestlab %s\" \"User Commands\"\n", NESTLAB_VERSION);
    fputs(".SH NAME\nnestlab \\- one console for a nested virtualization lab on VMware vSphere\n"
          ".SH SYNOPSIS\n.B nestlab\n[\\fIOPTIONS\\fR]\n.br\n.B nestlab\n\\fIVERB\\fR "
          "[\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]\n"
          ".SH DESCRIPTION\n"
          "nestlab shows a nested virtualization lab (physical ESXi hosts in vCenter running ESXi "
          "and KVM as VMs, and the nested clusters those form) as one tree, checks what such a "
          "lab needs (nested hardware virtualization, a VLAN trunk port group, vSwitch security "
          "accepting promiscuous mode, forged transmits and MAC changes on every host), fixes it "
          "on every host at once with a preview and an undo, and measures what promiscuous mode "
          "costs. It talks to vCenter over the vSphere API, and directly to each ESXi host over "
          "SSH when vCenter is down.\n.PP\n"
          "With no verb nestlab opens the console; press \\fB?\\fR there for its keys. With a "
          "verb it runs one command and exits.\n.SH COMMANDS\n",
          out);
    size_t nv;
    const struct cli_verb *verbs = cli_verbs(&nv);
    for (size_t i = 0; i < nv; i++) {
        fputs(".TP\n.B ", out);
        roff(out, verbs[i].usage);
        fputc('\n', out);
        roff(out, verbs[i].summary);
        fputs(".\n", out);
        if (verbs[i].help[0]) {
            fputs(".br\n", out);
            roff(out, verbs[i].help);
        }
    }
    fputs(".SH OPTIONS\n.SS \"Global options\"\n", out);
    man_options(out, 0);
    for (size_t g = 0; g < N_GROUPS; g++) {
        man_group_heading(out, groups[g].group, groups[g].title);
        man_options(out, groups[g].group);
    }
    fputs(".PP\n", out);
    roff(out, scope_note);
    fputs(".SH ENVIRONMENT\n"
          ".TP\n.B NESTLAB_PASSWORD\nthe vCenter password (never written anywhere by nestlab)\n"
          ".TP\n.B NESTLAB_SSH_PASSWORD\nthe ESXi root password for SSH (never taken from "
          "NESTLAB_PASSWORD unless ssh.password_env names it)\n"
          ".TP\n.B NESTLAB_URL\\fR, \\fBNESTLAB_USER\nthe vCenter SDK URL and user, like govc's "
          "GOVC_URL\n"
          ".TP\n.B XDG_CONFIG_HOME\\fR, \\fBXDG_CACHE_HOME\\fR, \\fBXDG_STATE_HOME\\fR, "
          "\\fBXDG_DATA_HOME\nwhere the files below go (defaults ~/.config, ~/.cache, "
          "~/.local/state, ~/.local/share)\n"
          ".TP\n.B NO_COLOR\nno colours in the console\n"
          ".SH FILES\n"
          ".TP\n.I $XDG_CONFIG_HOME/nestlab/config.json\nendpoints: vCenter URL, user, "
          "certificate thumbprint, SSH fallback (mode 0600; never a password)\n"
          ".TP\n.I $XDG_CACHE_HOME/nestlab/\nthe last inventory of each endpoint\n"
          ".TP\n.I $XDG_STATE_HOME/nestlab/journal.jsonl\nevery change nestlab made, for "
          "\\fBnestlab journal\\fR and \\fBnestlab undo\\fR\n"
          ".TP\n.I $XDG_STATE_HOME/nestlab/known_hosts\nSSH host keys nestlab accepted\n"
          ".TP\n.I $XDG_STATE_HOME/nestlab/nestlab.log\nthe log\n"
          ".TP\n.I $XDG_DATA_HOME/nestlab/themes/\nyour own console themes (JSON)\n"
          ".SH \"EXIT STATUS\"\n.TP\n0\nsuccess\n.TP\n1\nfailure\n.TP\n2\nusage error\n.TP\n3\n"
          "connection, TLS or authentication error\n.TP\n4\na server fault, or a step that cannot "
          "be done\n"
          ".SH EXAMPLES\n"
          ".TP\nThe whole lab as JSON:\n.B nestlab inventory \\-\\-json\n"
          ".TP\nPromiscuous mode, forged transmits and MAC changes on every physical host, "
          "previewed first:\n"
          ".B nestlab security \\-\\-vswitch vSwitch0 \\-\\-promiscuous accept "
          "\\-\\-forged\\-transmits accept \\-\\-mac\\-changes accept \\-\\-all\\-physical\n"
          ".TP\nA trunk port group on every host of a cluster:\n"
          ".B nestlab trunk \\-\\-portgroup Nested\\-Trunk \\-\\-vswitch vSwitch0 \\-\\-cluster "
          "Physical\n"
          ".TP\nEverything the lab needs, fixed as one plan:\n.B nestlab check \\-\\-fix\n"
          ".TP\nUndo the last change:\n.B nestlab undo\n"
          ".TP\nWith vCenter down, over SSH:\n.B nestlab inventory \\-\\-direct\n"
          ".SH \"SEE ALSO\"\n.BR govc (1),\n.BR esxcli (1)\n",
          out);
}

/* ---- README -------------------------------------------------------------------------------- */

static void md(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else
            fputc(*s, out);
    }
}

void cli_print_readme_verbs(FILE *out)
{
    fputs("| verb | what it does |\n|---|---|\n", out);
    size_t nv;
    const struct cli_verb *verbs = cli_verbs(&nv);
    for (size_t i = 0; i < nv; i++) {
        fputs("| `", out);
        md(out, verbs[i].usage);
        fputs("` | ", out);
        md(out, verbs[i].summary);
        fputs(" |\n", out);
    }
}
