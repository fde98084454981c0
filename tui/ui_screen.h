/* The curses side of the console: colour pairs from the resolved theme, and painting the app
 * state. Only ui_screen.c and ui_run.c include curses for drawing. */
#ifndef NL_UI_SCREEN_H
#define NL_UI_SCREEN_H

#include <curses.h>
#include <stdbool.h>

#include "tui/ui_app.h"

struct ui_screen {
    attr_t attr[UI_ROLE_COUNT];
    int ncolors; /* 0 when colours are off */
};

/* Decides the colour depth (NO_COLOR, --no-color, has_colors, COLORS) and sets up pairs for the
 * app's theme. Call once after newterm and again whenever app->theme_changed. */
void ui_screen_theme(struct ui_screen *s, struct ui_app *app);
/* Paints the whole screen into stdscr (wnoutrefresh; the caller does doupdate). */
void ui_screen_draw(struct ui_app *app, const struct ui_screen *s);

#endif
