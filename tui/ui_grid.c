/* Network grid model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "tui/ui_grid.h"

static const char *const col_names[UI_GRID_NCOLS] = {"Promisc", "Forged", "MAC chg", "Trunk",
                                                     "MTU"};

const char *ui_grid_col_name(enum ui_grid_col c)
{
    return (unsigned)c < UI_GRID_NCOLS ? col_names[c] : "?";
}

static const char *sec(enum nl_tri t)
{
    return t == NL_TRI_TRUE ? "accept" : t == NL_TRI_FALSE ? "reject" : "-";
}

static bool vswitch_has_trunk(const struct nl_host *h, const char *vs)
{
    for (size_t i = 0; i < h->n_portgroups; i++)
        if (h->portgroups[i].vlan == 4095 &&
            (!vs || !h->portgroups[i].vswitch || strcmp(h->portgroups[i].vswitch, vs) == 0))
            return true;
    return false;
}

void ui_grid_free(struct ui_grid *g)
{
    free(g->rows);
    memset(g, 0, sizeof(*g));
}

static const char *vs_name(const struct nl_lab *lab, const struct ui_grid_row *r)
{
    return r->vswitch >= 0 ? lab->hosts[r->host].vswitches[r->vswitch].name : "";
}

void ui_grid_build(struct ui_grid *g, const struct nl_lab *lab, ssize_t cluster)
{
    ui_grid_free(g);
    if (cluster >= 0)
        snprintf(g->title, sizeof(g->title), "Network grid: cluster %s",
                 lab->clusters[cluster].name ? lab->clusters[cluster].name : "?");
    else
        snprintf(g->title, sizeof(g->title), "Network grid: all hosts");
    size_t cap = 0;
    for (size_t h = 0; h < lab->n_hosts; h++) {
        const struct nl_host *host = &lab->hosts[h];
        if (cluster >= 0 && host->cluster != cluster)
            continue;
        size_t nvs = host->n_vswitches ? host->n_vswitches : 1;
        for (size_t v = 0; v < nvs; v++) {
            g->rows = xgrow(g->rows, &cap, (size_t)g->n_rows + 1, sizeof(*g->rows));
            struct ui_grid_row *r = &g->rows[g->n_rows++];
            memset(r, 0, sizeof(*r));
            r->host = h;
            r->vswitch = host->n_vswitches ? (ssize_t)v : -1;
            if (r->vswitch < 0) {
                for (int c = 0; c < UI_GRID_NCOLS; c++)
                    snprintf(r->value[c], sizeof(r->value[c]), "-");
                continue;
            }
            const struct nl_vswitch *vs = &host->vswitches[v];
            snprintf(r->value[UI_GRID_PROMISC], 16, "%s", sec(vs->security.promiscuous));
            snprintf(r->value[UI_GRID_FORGED], 16, "%s", sec(vs->security.forged_transmits));
            snprintf(r->value[UI_GRID_MAC], 16, "%s", sec(vs->security.mac_changes));
            snprintf(r->value[UI_GRID_TRUNK], 16, "%s",
                     vswitch_has_trunk(host, vs->name) ? "yes" : "no");
            if (vs->mtu > 0)
                snprintf(r->value[UI_GRID_MTU], 16, "%d", vs->mtu);
            else
                snprintf(r->value[UI_GRID_MTU], 16, "-");
            /* A nested lab needs all three accepted and a trunk. */
            r->bad[UI_GRID_PROMISC] = vs->security.promiscuous == NL_TRI_FALSE;
            r->bad[UI_GRID_FORGED] = vs->security.forged_transmits == NL_TRI_FALSE;
            r->bad[UI_GRID_MAC] = vs->security.mac_changes == NL_TRI_FALSE;
            r->bad[UI_GRID_TRUNK] = !vswitch_has_trunk(host, vs->name);
        }
    }
    /* Drift: per vSwitch name and column, the most common value is the norm; a cell that
     * differs from it drifts. Quadratic in the grid's rows (a few hundred at most). */
    int *same = xcalloc((size_t)g->n_rows * UI_GRID_NCOLS + 1, sizeof(int));
    for (int i = 0; i < g->n_rows; i++)
        for (int j = 0; j < g->n_rows; j++) {
            struct ui_grid_row *r = &g->rows[i], *q = &g->rows[j];
            if (r->vswitch < 0 || q->vswitch < 0 || strcmp(vs_name(lab, q), vs_name(lab, r)))
                continue;
            for (int c = 0; c < UI_GRID_NCOLS; c++)
                same[i * UI_GRID_NCOLS + c] += strcmp(q->value[c], r->value[c]) == 0;
        }
    for (int i = 0; i < g->n_rows; i++) {
        struct ui_grid_row *r = &g->rows[i];
        if (r->vswitch < 0)
            continue;
        bool any = false;
        for (int c = 0; c < UI_GRID_NCOLS; c++) {
            int best = 0;
            for (int j = 0; j < g->n_rows; j++)
                if (g->rows[j].vswitch >= 0 &&
                    strcmp(vs_name(lab, &g->rows[j]), vs_name(lab, r)) == 0 &&
                    same[j * UI_GRID_NCOLS + c] > best)
                    best = same[j * UI_GRID_NCOLS + c];
            r->drift[c] = same[i * UI_GRID_NCOLS + c] < best;
            any |= r->drift[c];
        }
        g->n_drift += any;
    }
    free(same);
}
