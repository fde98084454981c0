/* The key table and what is generated from it. */
#include <curses.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tui/ui_keys.h"

#define T UI_IN(UI_CTX_TREE)
#define D UI_IN(UI_CTX_DETAIL)
#define G UI_IN(UI_CTX_GRID)
#define P UI_IN(UI_CTX_PLAN)
#define JN UI_IN(UI_CTX_JOURNAL)
#define C UI_IN(UI_CTX_CHECKS)
#define M UI_IN(UI_CTX_MONITOR)
#define IN UI_IN(UI_CTX_INPUT)
#define CF UI_IN(UI_CTX_CONFIRM)
#define ALL UI_IN_VIEWS
#define CH UI_KF_CHANGE
#define FN UI_KEY_FN

const struct ui_key ui_keys[] = {
    {FN(KEY_UP), "Up", UI_ACT_UP, ALL, 0, NULL, "Move up / scroll up"},
    {'k', "k", UI_ACT_UP, ALL, 0, NULL, "Move up / scroll up"},
    {FN(KEY_DOWN), "Down", UI_ACT_DOWN, ALL, 0, NULL, "Move down / scroll down"},
    {'j', "j", UI_ACT_DOWN, ALL, 0, NULL, "Move down / scroll down"},
    {FN(KEY_PPAGE), "PgUp", UI_ACT_PAGE_UP, ALL, 0, NULL, "One page up"},
    {FN(KEY_NPAGE), "PgDn", UI_ACT_PAGE_DOWN, ALL, 0, NULL, "One page down"},
    {FN(KEY_HOME), "Home", UI_ACT_TOP, ALL, 0, NULL, "First line"},
    {FN(KEY_END), "End", UI_ACT_BOTTOM, ALL, 0, NULL, "Last line"},
    {UI_KEY_ESC, "Esc", UI_ACT_BACK, ALL, 0, NULL,
     "Back to the previous view (in the tree: clear the filter and the marks)"},
    {FN(KEY_BACKSPACE), "Backspace", UI_ACT_BACK, ALL, 0, NULL,
     "Back to the previous view (in the tree: clear the filter and the marks)"},
    {127, "Del", UI_ACT_BACK, ALL, 0, NULL,
     "Back to the previous view (in the tree: clear the filter and the marks)"},
    {'?', "?", UI_ACT_HELP, ALL, 0, "Help", "This help, generated from the key table"},
    {'r', "r", UI_ACT_REFRESH, ALL, 0, NULL,
     "Reload the inventory in the background (in the monitor: the samples too)"},
    {'T', "T", UI_ACT_THEME, ALL, 0, NULL, "Switch to the next theme"},
    {'J', "J", UI_ACT_JOURNAL, ALL, 0, "Journal", "The journal of applied changes"},
    {':', ":", UI_ACT_COMMAND, ALL, 0, "Cmd",
     "Command line with the CLI's verbs, e.g. :security --vswitch vSwitch0 --promiscuous accept"},
    {'q', "q", UI_ACT_QUIT, ALL, 0, "Quit", "Quit (asks first while a change is being applied)"},

    {FN(KEY_LEFT), "Left", UI_ACT_COLLAPSE, T, 0, NULL, "Collapse, or go to the parent"},
    {'h', "h", UI_ACT_COLLAPSE, T, 0, NULL, "Collapse, or go to the parent"},
    {FN(KEY_RIGHT), "Right", UI_ACT_EXPAND, T, 0, NULL, "Expand"},
    {'l', "l", UI_ACT_EXPAND, T, 0, NULL, "Expand"},
    {'\n', "Enter", UI_ACT_OPEN, T | G, 0, NULL,
     "Expand or collapse; on a VM open its details (in the grid: show the host in the tree)"},
    {'\r', "Enter", UI_ACT_OPEN, T | G, 0, NULL,
     "Expand or collapse; on a VM open its details (in the grid: show the host in the tree)"},
    {FN(KEY_ENTER), "Enter", UI_ACT_OPEN, T | G, 0, NULL,
     "Expand or collapse; on a VM open its details (in the grid: show the host in the tree)"},
    {'d', "d", UI_ACT_DETAIL, T, 0, NULL, "Details of the selection, full screen"},
    {'/', "/", UI_ACT_FILTER, T, 0, "Filter", "Filter the tree as you type (Esc clears it)"},
    {' ', "Space", UI_ACT_MARK, T | G, 0, NULL,
     "Mark or unmark; changes then apply to every marked item"},
    {'b', "b", UI_ACT_JUMP, T | D, 0, NULL,
     "Jump between a nested-ESXi VM and the nested host it runs"},
    {'n', "n", UI_ACT_NESTED_HV, T | D, CH, "NestedHV",
     "Nested HV on/off for the selected VMs (or the nested VMs below the selection)"},
    {'t', "t", UI_ACT_TRUNK, T | D | G, CH, "Trunk",
     "Ensure a VLAN 4095 trunk port group on the selected hosts"},
    {'p', "p", UI_ACT_PROMISC, T | D | G, CH, "Promisc",
     "Promiscuous mode accept/reject on the selected hosts' vSwitches"},
    {'g', "g", UI_ACT_GRID, T | D, 0, "Grid", "Network grid: hosts x vSwitch settings, drift"},
    {'m', "m", UI_ACT_MONITOR, T | D | G, 0, "Monitor",
     "Monitor: CPU and packets/s per host of the cluster, and what security changes cost"},
    {'\n', "Enter", UI_ACT_OPEN, M, 0, "Chart",
     "Large CPU chart of the selected host, security changes marked (Esc: back to the list)"},
    {'\r', "Enter", UI_ACT_OPEN, M, 0, NULL,
     "Large CPU chart of the selected host, security changes marked (Esc: back to the list)"},
    {FN(KEY_ENTER), "Enter", UI_ACT_OPEN, M, 0, NULL,
     "Large CPU chart of the selected host, security changes marked (Esc: back to the list)"},
    {'R', "R", UI_ACT_CHECKS, T | D | G | C, 0, NULL, "Readiness checks of the lab"},
    {'F', "F", UI_ACT_FIX, C, CH, "Fix",
     "Fix every finding nestlab can fix, as one plan to preview and confirm (check --fix)"},
    {'u', "u", UI_ACT_UNDO, T | JN, CH, "Undo",
     "Undo the newest change (in the journal: the selected one)"},

    {'y', "y", UI_ACT_CONFIRM, P, CH, "Apply", "Apply the previewed plan"},

    {'\n', "Enter", UI_ACT_INPUT_ACCEPT, IN, 0, "Accept", "Accept the filter or run the command"},
    {'\r', "Enter", UI_ACT_INPUT_ACCEPT, IN, 0, NULL, "Accept the filter or run the command"},
    {FN(KEY_ENTER), "Enter", UI_ACT_INPUT_ACCEPT, IN, 0, NULL,
     "Accept the filter or run the command"},
    {UI_KEY_ESC, "Esc", UI_ACT_INPUT_CANCEL, IN, 0, "Cancel", "Cancel (clears the filter)"},
    {FN(KEY_BACKSPACE), "Backspace", UI_ACT_INPUT_ERASE, IN, 0, NULL, "Erase a character"},
    {127, "Del", UI_ACT_INPUT_ERASE, IN, 0, NULL, "Erase a character"},
    {8, "Ctrl-H", UI_ACT_INPUT_ERASE, IN, 0, NULL, "Erase a character"},
    {21, "Ctrl-U", UI_ACT_INPUT_KILL, IN, 0, NULL, "Erase the whole line"},

    {'y', "y", UI_ACT_YES, CF, 0, "Yes",
     "Yes: quit (running steps finish, the rest is cancelled) / trust the SSH host key shown"},
    {'n', "n", UI_ACT_NO, CF, 0, "No", "No: keep running / do not trust the key"},
    {UI_KEY_ESC, "Esc", UI_ACT_NO, CF, 0, NULL, "No: keep running / do not trust the key"},
    {'\n', "Enter", UI_ACT_NO, CF, 0, NULL, "No (the default answer)"},
    {'\r', "Enter", UI_ACT_NO, CF, 0, NULL, "No (the default answer)"},
};
const size_t ui_n_keys = sizeof(ui_keys) / sizeof(ui_keys[0]);

static const char *const action_names[UI_ACT_COUNT] = {"none",
#define X(id, name) name,
                                                       UI_ACTIONS(X)
#undef X
};

static const char *const ctx_titles[UI_CTX_COUNT] = {
    "Lab tree",
    "Details",
    "Network grid",
    "Plan",
    "Journal",
    "Help",
    "Readiness",
    "Monitor",
    "Filter and command line",
    "Questions (quit, SSH host key)",
};

const char *ui_action_name(enum ui_action a)
{
    return (unsigned)a < UI_ACT_COUNT ? action_names[a] : "?";
}

const char *ui_ctx_title(enum ui_ctx c)
{
    return (unsigned)c < UI_CTX_COUNT ? ctx_titles[c] : "?";
}

const struct ui_key *ui_key_lookup(enum ui_ctx ctx, int key)
{
    for (size_t i = 0; i < ui_n_keys; i++)
        if (ui_keys[i].key == key && (ui_keys[i].where & UI_IN(ctx)))
            return &ui_keys[i];
    return NULL;
}

/* Whether name is one of the ", "-separated items of list. */
static bool has_item(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; (p = strstr(p, name)); p++)
        if ((p == list || p[-1] == ' ') && (p[len] == '\0' || p[len] == ','))
            return true;
    return false;
}

/* Adds the lines of entries whose `where` satisfies pick(), merging the keys of entries that
 * share an action and a help text ("Up, k"). */
static void help_section(struct ui_lines *out, const char *title, unsigned want, bool exact)
{
    bool titled = false;
    for (size_t i = 0; i < ui_n_keys; i++) {
        const struct ui_key *k = &ui_keys[i];
        bool pick = exact ? k->where == want : (k->where & want) && k->where != UI_IN_VIEWS;
        if (!pick)
            continue;
        bool seen = false; /* already listed with an earlier entry of the same action+help */
        for (size_t j = 0; j < i && !seen; j++) {
            const struct ui_key *e = &ui_keys[j];
            bool epick = exact ? e->where == want : (e->where & want) && e->where != UI_IN_VIEWS;
            seen = epick && e->action == k->action && strcmp(e->help, k->help) == 0;
        }
        if (seen)
            continue;
        char keys[96] = "";
        size_t n = 0;
        for (size_t j = i; j < ui_n_keys; j++) {
            const struct ui_key *e = &ui_keys[j];
            bool epick = exact ? e->where == want : (e->where & want) && e->where != UI_IN_VIEWS;
            if (!epick || e->action != k->action || strcmp(e->help, k->help) != 0)
                continue;
            if (has_item(keys, e->name))
                continue; /* '\n', '\r' and KEY_ENTER are one key to the user */
            n += (size_t)snprintf(keys + n, sizeof(keys) - n, "%s%s", n ? ", " : "", e->name);
            if (n >= sizeof(keys))
                n = sizeof(keys) - 1;
        }
        if (!titled) {
            ui_lines_add(out, UI_ROLE_TITLE, "%s", title);
            titled = true;
        }
        ui_lines_add(out, (k->flags & UI_KF_CHANGE) ? UI_ROLE_WARN : UI_ROLE_NORMAL, "  %-16s %s%s",
                     keys, k->help, (k->flags & UI_KF_CHANGE) ? " [change]" : "");
    }
    if (titled)
        ui_lines_add(out, UI_ROLE_NORMAL, "%s", "");
}

void ui_keys_help(struct ui_lines *out)
{
    ui_lines_add(out, UI_ROLE_TITLE,
                 "nestlab keys  (Esc to go back; [change] keys open a plan "
                 "that needs 'y' to apply)");
    ui_lines_add(out, UI_ROLE_NORMAL, "%s", "");
    help_section(out, "Everywhere", UI_IN_VIEWS, true);
    for (int c = 0; c < UI_CTX_COUNT; c++)
        help_section(out, ui_ctx_title((enum ui_ctx)c), UI_IN(c), false);
}

size_t ui_keys_bar(enum ui_ctx ctx, const char **keys, const char **labels, size_t max)
{
    size_t n = 0;
    /* View-specific keys first, the global ones after, so narrow screens keep what matters. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < ui_n_keys && n < max; i++) {
            const struct ui_key *k = &ui_keys[i];
            if (!k->label || !(k->where & UI_IN(ctx)))
                continue;
            if ((k->where == UI_IN_VIEWS) != (pass == 1))
                continue;
            keys[n] = k->name;
            labels[n] = k->label;
            n++;
        }
    return n;
}
