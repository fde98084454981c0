/* The interactive console. main() builds a struct ui_backend (tui/ui_backend.h) and calls
 * ui_run(); everything curses lives behind this call. */
#ifndef NL_UI_H
#define NL_UI_H

#include <stdbool.h>

#include "tui/ui_backend.h"

struct ui_options {
    const char *theme;      /* theme name or path to a .json file; NULL = "default" */
    const char *themes_dir; /* the installed/source themes directory, searched after
                             * $XDG_CONFIG_HOME/nestlab/themes; may be NULL */
    bool no_color;          /* --no-color; NO_COLOR in the environment has the same effect */
    bool read_only;         /* --read-only (also honoured when be->read_only is set) */
    const char *filter;     /* initial tree filter, may be NULL */
};

/* Runs the console until the user quits. Needs a terminal on stdin/stdout. Returns 0 on a normal
 * quit, or 1 with a message on stderr when the terminal cannot be set up. */
int ui_run(struct ui_backend *be, const struct ui_options *opt);

#endif
