/* The one key table. Dispatch, the help screen and the key bar are all generated from it, so a
 * key cannot work without being documented, or be documented without working.
 * Keys are Unicode code points, or UI_KEY_FN(curses KEY_*) for function keys. */
#ifndef NL_UI_KEYS_H
#define NL_UI_KEYS_H

#include <stddef.h>

#include "tui/ui_lines.h"

#define UI_KEY_FN(k) (0x110000 + (k))
#define UI_KEY_ESC 27

/* X(ID, "name") */
#define UI_ACTIONS(X)               \
    X(UP, "up")                     \
    X(DOWN, "down")                 \
    X(PAGE_UP, "page-up")           \
    X(PAGE_DOWN, "page-down")       \
    X(TOP, "top")                   \
    X(BOTTOM, "bottom")             \
    X(COLLAPSE, "collapse")         \
    X(EXPAND, "expand")             \
    X(OPEN, "open")                 \
    X(DETAIL, "detail")             \
    X(BACK, "back")                 \
    X(FILTER, "filter")             \
    X(COMMAND, "command")           \
    X(MARK, "mark")                 \
    X(JUMP, "jump")                 \
    X(NESTED_HV, "nested-hv")       \
    X(TRUNK, "trunk")               \
    X(PROMISC, "promiscuous")       \
    X(GRID, "grid")                 \
    X(MONITOR, "monitor")           \
    X(JOURNAL, "journal")           \
    X(UNDO, "undo")                 \
    X(CHECKS, "readiness")          \
    X(FIX, "fix")                   \
    X(REFRESH, "refresh")           \
    X(THEME, "theme")               \
    X(HELP, "help")                 \
    X(QUIT, "quit")                 \
    X(CONFIRM, "confirm")           \
    X(INPUT_ACCEPT, "input-accept") \
    X(INPUT_CANCEL, "input-cancel") \
    X(INPUT_ERASE, "input-erase")   \
    X(INPUT_KILL, "input-kill")     \
    X(YES, "yes")                   \
    X(NO, "no")

enum ui_action {
    UI_ACT_NONE,
#define X(id, name) UI_ACT_##id,
    UI_ACTIONS(X)
#undef X
        UI_ACT_COUNT
};

/* Where a key applies: one bit per view, plus the input line and the quit question. */
enum ui_ctx {
    UI_CTX_TREE,
    UI_CTX_DETAIL,
    UI_CTX_GRID,
    UI_CTX_PLAN,
    UI_CTX_JOURNAL,
    UI_CTX_HELP,
    UI_CTX_CHECKS,
    UI_CTX_MONITOR,
    UI_CTX_INPUT,   /* typing a filter or a command */
    UI_CTX_CONFIRM, /* "quit while a change runs?" */
    UI_CTX_COUNT
};
#define UI_IN(c) (1u << (c))
#define UI_IN_VIEWS                                                                        \
    (UI_IN(UI_CTX_TREE) | UI_IN(UI_CTX_DETAIL) | UI_IN(UI_CTX_GRID) | UI_IN(UI_CTX_PLAN) | \
     UI_IN(UI_CTX_JOURNAL) | UI_IN(UI_CTX_HELP) | UI_IN(UI_CTX_CHECKS) | UI_IN(UI_CTX_MONITOR))

enum { UI_KF_BAR = 1, UI_KF_CHANGE = 2 /* refused in read-only mode */ };

struct ui_key {
    int key;
    const char *name; /* as shown: "Up", "k", "Enter", "/" */
    enum ui_action action;
    unsigned where;    /* UI_IN() bits */
    unsigned flags;    /* UI_KF_* */
    const char *label; /* short key-bar label, NULL when not on the bar */
    const char *help;  /* one line for the help screen */
};

extern const struct ui_key ui_keys[];
extern const size_t ui_n_keys;

const char *ui_action_name(enum ui_action a);
const char *ui_ctx_title(enum ui_ctx c);
/* The binding for key in ctx, or NULL. */
const struct ui_key *ui_key_lookup(enum ui_ctx ctx, int key);
/* The help screen: one section per context, one line per action with all its keys. */
void ui_keys_help(struct ui_lines *out);
/* "q Quit  ? Help ..." pairs for the key bar of ctx: fills keys[]/labels[] up to max. */
size_t ui_keys_bar(enum ui_ctx ctx, const char **keys, const char **labels, size_t max);

#endif
