/* The network grid: hosts x vSwitch settings, with drift (a value that differs from the most
 * common one for the same vSwitch name) and nested-lab problems flagged per cell. Pure. */
#ifndef NL_UI_GRID_H
#define NL_UI_GRID_H

#include <stdbool.h>
#include <sys/types.h>

#include "backend/model/lab.h"

enum ui_grid_col {
    UI_GRID_PROMISC,
    UI_GRID_FORGED,
    UI_GRID_MAC,
    UI_GRID_TRUNK,
    UI_GRID_MTU,
    UI_GRID_NCOLS,
};

struct ui_grid_row {
    size_t host;
    ssize_t vswitch; /* -1: the host has no known vSwitch */
    char value[UI_GRID_NCOLS][16];
    bool drift[UI_GRID_NCOLS];
    bool bad[UI_GRID_NCOLS]; /* not what a nested lab needs */
    bool marked;
};

struct ui_grid {
    char title[160];
    struct ui_grid_row *rows;
    int n_rows;
    int cursor, top;
    int n_drift; /* rows with at least one drifting cell */
};

const char *ui_grid_col_name(enum ui_grid_col c);

/* Builds the grid for the hosts of cluster (index), or of every host when cluster < 0. */
void ui_grid_build(struct ui_grid *g, const struct nl_lab *lab, ssize_t cluster);
void ui_grid_free(struct ui_grid *g);

#endif
