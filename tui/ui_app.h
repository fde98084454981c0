/* The console's state and behaviour, apart from the terminal: views, the key dispatch, the plan
 * flow and the backend events. ui_run() wraps it in a poll() loop and ui_draw() paints it; tests
 * and the benchmark drive it directly with ui_app_key(). */
#ifndef NL_UI_APP_H
#define NL_UI_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/ui.h"
#include "tui/ui_backend.h"
#include "tui/ui_grid.h"
#include "tui/ui_keys.h"
#include "tui/ui_lines.h"
#include "tui/ui_monitor.h"
#include "tui/ui_theme.h"
#include "tui/ui_tree.h"

enum ui_view {
    UI_VIEW_TREE = UI_CTX_TREE,
    UI_VIEW_DETAIL = UI_CTX_DETAIL,
    UI_VIEW_GRID = UI_CTX_GRID,
    UI_VIEW_PLAN = UI_CTX_PLAN,
    UI_VIEW_JOURNAL = UI_CTX_JOURNAL,
    UI_VIEW_HELP = UI_CTX_HELP,
    UI_VIEW_CHECKS = UI_CTX_CHECKS,
    UI_VIEW_MONITOR = UI_CTX_MONITOR,
};

enum ui_mode { UI_MODE_NORMAL, UI_MODE_FILTER, UI_MODE_COMMAND, UI_MODE_CONFIRM_QUIT };

enum ui_plan_phase {
    UI_PLAN_NONE,
    UI_PLAN_BUILDING,
    UI_PLAN_PREVIEW,
    UI_PLAN_APPLYING,
    UI_PLAN_DONE,
};

struct ui_plan {
    int id;
    enum ui_plan_phase phase;
    char title[256];
    char summary[512];
    bool ok;
    struct ui_lines preview;
    struct ui_plan_step *steps;
    size_t n_steps;
    int changes; /* steps that are not skipped */
};

#define UI_VIEW_STACK 8

/* An unknown SSH host key waiting for the user's y/N (UI_EV_HOSTKEY). */
struct ui_hostkey_ask {
    char *host;
    char *fingerprint;
    char *text; /* the backend's whole sentence */
};

struct ui_app {
    struct ui_backend *be;
    struct ui_options opt;
    bool read_only;
    struct nl_lab *lab;
    struct ui_tree tree;

    enum ui_view view;
    enum ui_view stack[UI_VIEW_STACK];
    int depth;
    enum ui_mode mode;
    char input[512]; /* the filter or command being typed (UTF-8) */
    char message[512];
    bool message_error;
    bool quit;

    struct ui_status status;
    struct ui_plan plan;
    struct ui_journal journal;
    int journal_cursor;
    struct ui_lines checks;
    struct ui_lines text; /* what the detail / help view shows */
    int text_top;         /* first line shown in a text view */
    int detail_node;      /* node the detail view shows */
    struct ui_grid grid;
    char grid_cluster[128]; /* id of the grid's cluster, "" = all hosts */
    struct ui_monitor mon;  /* the monitor view (tui/ui_monitor.h) */

    struct ui_theme theme;
    char **theme_names;
    size_t n_themes, theme_idx;
    char *theme_dirs[UI_THEME_DIRS_MAX];
    size_t n_theme_dirs;
    bool theme_changed; /* the screen must re-resolve colours */

    /* Unknown host keys to ask about, oldest first; the first one is on screen and takes the
     * keys (UI_CTX_CONFIRM) until answered. */
    struct ui_hostkey_ask *hostkeys;
    size_t n_hostkeys;

    int width, height; /* terminal size, set by the screen */
    unsigned spin;     /* spinner phase */
    bool utf8;
};

/* Copies opt; does not take ownership of be. Loads the theme (a broken theme file leaves the
 * default theme and a message). */
void ui_app_init(struct ui_app *app, struct ui_backend *be, const struct ui_options *opt);
void ui_app_free(struct ui_app *app);

/* One key (code point or UI_KEY_FN(KEY_*)). */
void ui_app_key(struct ui_app *app, int key);
/* Takes a new lab and drains events from the backend. Returns true if anything changed. */
bool ui_app_pump(struct ui_app *app);
/* Replaces the lab (ownership moves to app). */
void ui_app_set_lab(struct ui_app *app, struct nl_lab *lab);
/* Visible rows of the main area for the current size. */
int ui_app_body_height(const struct ui_app *app);
bool ui_app_busy(const struct ui_app *app);
/* The context keys are looked up in right now. */
enum ui_ctx ui_app_ctx(const struct ui_app *app);
/* Switches to theme names[idx] (message on error). */
void ui_app_theme_select(struct ui_app *app, size_t idx);
void ui_app_message(struct ui_app *app, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
