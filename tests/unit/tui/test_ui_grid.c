/* Network grid: rows per host and vSwitch, drift against the majority, nested-lab problems. */
#include <string.h>

#include "check.h"
#include "tests/unit/tui/fake_lab.h"
#include "tui/ui_grid.h"

int main(void)
{
    struct nl_lab *lab = fake_lab_default();
    struct ui_grid g = {0};
    ui_grid_build(&g, lab, -1);
    CHECK_INT(g.n_rows, 6);
    CHECK_INT(g.n_drift, 0);
    CHECK_STR(g.title, "Network grid: all hosts");
    CHECK_STR(g.rows[0].value[UI_GRID_PROMISC], "reject");
    CHECK(g.rows[0].bad[UI_GRID_PROMISC]);
    CHECK(!g.rows[0].bad[UI_GRID_FORGED]);
    CHECK(g.rows[0].bad[UI_GRID_TRUNK]);
    CHECK_STR(g.rows[0].value[UI_GRID_MTU], "1500");

    /* One host drifts: promiscuous accept where the others reject. */
    struct nl_host *h = nl_lab_find_host(lab, "host-22");
    h->vswitches[0].security.promiscuous = NL_TRI_TRUE;
    h->vswitches[0].mtu = 9000;
    ui_grid_build(&g, lab, -1);
    CHECK_INT(g.n_drift, 1);
    for (int r = 0; r < g.n_rows; r++) {
        bool is22 = g.rows[r].host == (size_t)(h - lab->hosts);
        CHECK(g.rows[r].drift[UI_GRID_PROMISC] == is22);
        CHECK(g.rows[r].drift[UI_GRID_MTU] == is22);
        CHECK(!g.rows[r].drift[UI_GRID_FORGED]);
    }

    /* A cluster's grid has only its hosts; 1 vs 1 is no majority, so no drift. */
    struct nl_cluster *c = nl_lab_find_cluster_by_name(lab, "Physical");
    ui_grid_build(&g, lab, c - lab->clusters);
    CHECK_INT(g.n_rows, 2);
    CHECK_INT(g.n_drift, 0);
    CHECK(strstr(g.title, "Physical") != NULL);

    /* A host with no known vSwitch still gets a row. */
    nl_host_clear_network(h);
    ui_grid_build(&g, lab, -1);
    CHECK_INT(g.n_rows, 6);
    ui_grid_free(&g);
    nl_lab_free(&lab);
    return nl_check_done();
}
