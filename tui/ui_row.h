/* One tree row: what it says (name, link to the nested peer, counts, badges) and where each part
 * goes for a given width. Pure: the renderer only copies spans to the screen. */
#ifndef NL_UI_ROW_H
#define NL_UI_ROW_H

#include <stdbool.h>

#include "tui/ui_theme.h"
#include "tui/ui_tree.h"

#define UI_ROW_MAX_BADGES 6
#define UI_ROW_MAX_SPANS (UI_ROW_MAX_BADGES + 6)

struct ui_badge {
    char text[24];
    enum ui_role role;
};

struct ui_row {
    const char *name;
    enum ui_role name_role;
    char link[160]; /* "-> esx-n01.lab.invalid" / "<- n-esx01" (nested peer), or "" */
    char count[48]; /* "(2 hosts, 9 VMs)" on collapsed rows, or "" */
    struct ui_badge badges[UI_ROW_MAX_BADGES]; /* in priority order: the last ones drop first */
    int n_badges;
    bool has_children, expanded, marked;
    int depth;
};

struct ui_span {
    int x, width;
    char text[512];
    enum ui_role role;
};

struct ui_row_layout {
    struct ui_span spans[UI_ROW_MAX_SPANS];
    int n_spans;
    int badges_shown;
};

void ui_row_describe(const struct ui_tree *t, int node, struct ui_row *row);

/* Lays row out in width columns: mark, indent (2 per level), expander, name, link, count, and
 * the badges right-aligned. Badges drop (last first) before the name gets shorter than 12
 * columns; the name is cut with an ellipsis last. No span crosses width. */
void ui_row_layout(const struct ui_row *row, int width, bool utf8, struct ui_row_layout *out);

#endif
