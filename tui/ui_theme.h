/* Colour roles and themes. The console never names a colour: it draws with semantic roles, and a
 * theme file (themes/<name>.json) maps each role to {fg, bg, attrs}. Roles are defined once, in
 * UI_ROLES, with the built-in default colours and the attributes used on a terminal without
 * colour. Parsing and resolving are pure (unit-tested); only ui_screen.c touches curses. */
#ifndef NL_UI_THEME_H
#define NL_UI_THEME_H

#include <stddef.h>

#include "backend/core/err.h"

enum {
    UI_A_BOLD = 1 << 0,
    UI_A_DIM = 1 << 1,
    UI_A_UNDERLINE = 1 << 2,
    UI_A_REVERSE = 1 << 3,
    UI_A_ITALIC = 1 << 4,
    UI_A_STANDOUT = 1 << 5,
};

/* Colour numbers: -1 terminal default, 0..7 the ANSI colours, 8..15 bright, 16..255 xterm. */
enum {
    UI_C_DEFAULT = -1,
    UI_C_BLACK = 0,
    UI_C_RED,
    UI_C_GREEN,
    UI_C_YELLOW,
    UI_C_BLUE,
    UI_C_MAGENTA,
    UI_C_CYAN,
    UI_C_WHITE,
    UI_C_GREY = 8
};

#define D UI_C_DEFAULT
/* X(ID, "json name", fg, bg, attrs, mono attrs, what it is for) */
#define UI_ROLES(X)                                                                               \
    X(NORMAL, "normal", D, D, 0, 0, "ordinary text")                                              \
    X(TITLE, "title", UI_C_CYAN, D, UI_A_BOLD, UI_A_BOLD, "view titles and section headings")     \
    X(HEADER, "header", UI_C_BLACK, UI_C_CYAN, 0, UI_A_REVERSE, "top line")                       \
    X(STATUS, "status", UI_C_BLACK, UI_C_WHITE, 0, UI_A_REVERSE, "status bar")                    \
    X(STATUS_ERROR, "status_error", UI_C_WHITE, UI_C_RED, UI_A_BOLD, UI_A_REVERSE | UI_A_BOLD,    \
      "last error in the status bar")                                                             \
    X(KEYBAR, "keybar", D, D, 0, 0, "key bar labels")                                             \
    X(KEYBAR_KEY, "keybar_key", UI_C_BLACK, UI_C_CYAN, 0, UI_A_REVERSE, "key bar keys")           \
    X(SELECTED, "selected", UI_C_BLACK, UI_C_CYAN, 0, UI_A_REVERSE, "the cursor row")             \
    X(MARKED, "marked", UI_C_YELLOW, D, UI_A_BOLD, UI_A_BOLD | UI_A_UNDERLINE, "marked rows")     \
    X(MATCH, "match", UI_C_YELLOW, D, UI_A_UNDERLINE, UI_A_UNDERLINE, "rows matching the filter") \
    X(ENDPOINT, "endpoint", UI_C_MAGENTA, D, UI_A_BOLD, UI_A_BOLD, "endpoint rows")               \
    X(DATACENTER, "datacenter", UI_C_BLUE, D, UI_A_BOLD, UI_A_BOLD, "datacenter rows")            \
    X(CLUSTER, "cluster", UI_C_CYAN, D, UI_A_BOLD, UI_A_BOLD, "physical cluster rows")            \
    X(CLUSTER_NESTED, "cluster_nested", UI_C_MAGENTA, D, UI_A_BOLD, UI_A_BOLD,                    \
      "nested cluster rows")                                                                      \
    X(HOST, "host", D, D, 0, 0, "physical host rows")                                             \
    X(HOST_NESTED, "host_nested", UI_C_MAGENTA, D, 0, 0, "nested host rows")                      \
    X(VM, "vm", D, D, 0, 0, "VM rows")                                                            \
    X(VM_NESTED, "vm_nested", UI_C_MAGENTA, D, 0, 0, "nested hypervisor VM rows")                 \
    X(COUNTS, "count", UI_C_GREY, D, 0, UI_A_DIM, "counts on collapsed rows")                     \
    X(BADGE_ON, "badge_on", UI_C_GREEN, D, 0, UI_A_BOLD, "a setting that is on / as wanted")      \
    X(BADGE_OFF, "badge_off", UI_C_GREY, D, 0, UI_A_DIM, "a setting that is off")                 \
    X(BADGE_WARN, "badge_warn", UI_C_YELLOW, D, UI_A_BOLD, UI_A_BOLD, "a setting to look at")     \
    X(SOURCE, "source", UI_C_BLUE, D, 0, UI_A_DIM, "data source badges")                          \
    X(DRIFT, "drift", UI_C_BLACK, UI_C_YELLOW, 0, UI_A_REVERSE, "grid cells that drift")          \
    X(OK, "ok", UI_C_GREEN, D, 0, 0, "success")                                                   \
    X(WARN, "warn", UI_C_YELLOW, D, UI_A_BOLD, UI_A_BOLD, "warnings")                             \
    X(ERROR, "error", UI_C_RED, D, UI_A_BOLD, UI_A_BOLD | UI_A_UNDERLINE, "errors and failures")  \
    X(DIM, "dim", UI_C_GREY, D, 0, UI_A_DIM, "secondary text")                                    \
    X(INPUT, "input", D, D, UI_A_BOLD, UI_A_BOLD, "the filter and command line")                  \
    X(SPINNER, "spinner", UI_C_CYAN, D, UI_A_BOLD, UI_A_BOLD, "activity spinner")                 \
    X(SPARK, "spark", UI_C_GREEN, D, 0, 0, "sparklines")

enum ui_role {
#define X(id, name, fg, bg, a, m, doc) UI_ROLE_##id,
    UI_ROLES(X)
#undef X
        UI_ROLE_COUNT
};
#undef D

struct ui_style {
    int fg, bg; /* colour numbers, UI_C_DEFAULT for the terminal's own */
    int attrs;  /* UI_A_* */
};

struct ui_theme {
    char name[64];
    struct ui_style role[UI_ROLE_COUNT];
};

const char *ui_role_name(enum ui_role r);
/* -1 when unknown. */
int ui_role_find(const char *name);

/* The built-in default theme (the UI_ROLES colours). */
void ui_theme_builtin(struct ui_theme *t);

/* Parses a theme file's text. Roles the file leaves out keep the built-in defaults; in a role
 * it names, a missing fg/bg is the terminal default and missing attrs are none. On error
 * (malformed JSON, unknown role, colour or attribute) returns NL_ERR_PARSE with a message that
 * names origin (the file) and the bad entry, and leaves t as the built-in default. */
enum nl_code ui_theme_parse(const char *text, const char *origin, struct ui_theme *t,
                            struct nl_err *err);

/* Loads theme `name` (or a path to a .json file) from the first of dirs that has <name>.json.
 * "default" without a file is the built-in theme. On error t is the built-in default. */
enum nl_code ui_theme_load(const char *name, const char *const *dirs, size_t n_dirs,
                           struct ui_theme *t, struct nl_err *err);

/* Theme names found in dirs (plus "default"), in cycling order: default, dark, light,
 * high-contrast, mono, then the others sorted. Returns the count; *names is owned by the
 * caller (free each, then the array). */
size_t ui_theme_list(const char *const *dirs, size_t n_dirs, char ***names);

/* Adapts a theme to what the terminal can show: ncolors 0 (or no_color) drops colours and adds
 * each role's monochrome attributes; 8 or 16 map brighter/xterm colours down. */
void ui_theme_resolve(const struct ui_theme *t, int ncolors, int no_color,
                      struct ui_style out[UI_ROLE_COUNT]);

/* The search path, a user's own themes first: $XDG_CONFIG_HOME/nestlab/themes and
 * $XDG_DATA_HOME/nestlab/themes (where resolvable), then extra (the installed themes, if not
 * NULL). Fills dirs (strings owned by the caller) and returns the count. */
#define UI_THEME_DIRS_MAX 3
size_t ui_theme_dirs(const char *extra, char *dirs[UI_THEME_DIRS_MAX]);

#endif
