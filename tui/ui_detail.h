/* The detail pane: everything known about the selected tree node, as role-tagged lines. */
#ifndef NL_UI_DETAIL_H
#define NL_UI_DETAIL_H

#include <stddef.h>

#include "tui/ui_lines.h"
#include "tui/ui_tree.h"

/* samples (may be NULL/0): recent CPU % of a host for a sparkline. */
void ui_detail_lines(const struct ui_tree *t, int node, const double *samples, size_t n_samples,
                     int utf8, struct ui_lines *out);

/* A sparkline of n values scaled 0..100 into out (n cells; UTF-8 blocks or ASCII ramp). */
void ui_sparkline(const double *v, size_t n, int utf8, char *out, size_t outsz);

#endif
