/* A list of text lines, each with a colour role: what the detail, plan, journal, help and
 * readiness views show. Built by pure functions, drawn by one scrolling renderer. */
#ifndef NL_UI_LINES_H
#define NL_UI_LINES_H

#include <stddef.h>

#include "tui/ui_theme.h"

struct ui_line {
    char *text;
    enum ui_role role;
};

struct ui_lines {
    struct ui_line *v;
    size_t n, cap;
};

void ui_lines_add(struct ui_lines *l, enum ui_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ui_lines_clear(struct ui_lines *l);
void ui_lines_free(struct ui_lines *l);
/* Index of the first line containing needle, or -1 (tests and scripts). */
long ui_lines_find(const struct ui_lines *l, const char *needle);

#endif
