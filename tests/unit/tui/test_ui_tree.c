/* Tree flattening: shape, expand/collapse, counts, filter, nested jump, state across rebuilds. */
#include <locale.h>
#include <string.h>

#include "check.h"
#include "tests/unit/tui/fake_lab.h"
#include "tui/ui_tree.h"

static int row_named(const struct ui_tree *t, const char *name)
{
    for (int r = 0; r < t->n_rows; r++)
        if (strcmp(ui_node_name(t, t->rows[r]), name) == 0)
            return r;
    return -1;
}

static const char *selected_name(const struct ui_tree *t)
{
    return ui_node_name(t, ui_tree_selected(t));
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    struct nl_lab *lab = fake_lab_default();
    struct ui_tree t;
    ui_tree_init(&t);
    ui_tree_build(&t, lab);

    /* Expanded down to the hosts: endpoint, Lab, 3 clusters, 6 hosts. */
    CHECK_INT(t.n_rows, 11);
    CHECK_STR(ui_node_name(&t, t.rows[0]), "vc-lab");
    CHECK_STR(ui_node_name(&t, t.rows[1]), "Lab");
    CHECK_STR(ui_node_name(&t, t.rows[2]), "Physical"); /* physical clusters first */
    CHECK_INT(t.nodes[t.rows[2]].kind, UI_NODE_CLUSTER);
    CHECK_STR(ui_node_name(&t, t.rows[5]), "Nested-A");
    CHECK_INT(t.nodes[0].n_hosts, 6);
    CHECK_INT(t.nodes[0].n_vms, 15);
    int p01 = row_named(&t, "esx-p01.lab.invalid");
    CHECK_INT(p01, 3);
    CHECK_INT(t.nodes[t.rows[p01]].n_vms, 5);
    CHECK_INT(t.nodes[t.rows[p01]].depth, 3);

    /* Expand esx-p01: its 5 VMs appear, sorted by name. */
    t.cursor = p01;
    CHECK(ui_tree_expand(&t));
    CHECK_INT(t.n_rows, 16);
    CHECK_STR(ui_node_name(&t, t.rows[p01 + 1]), "kvm01");
    CHECK_STR(ui_node_name(&t, t.rows[p01 + 5]), "vcsa");
    CHECK(!ui_tree_expand(&t)); /* already open */
    /* Collapse on a VM goes to its host; collapse on the host closes it. */
    ui_tree_move(&t, 3);
    CHECK_STR(selected_name(&t), "n-esx01");
    CHECK(ui_tree_collapse(&t));
    CHECK_STR(selected_name(&t), "esx-p01.lab.invalid");
    CHECK(ui_tree_collapse(&t));
    CHECK_INT(t.n_rows, 11);
    CHECK(ui_tree_toggle(&t));
    CHECK_INT(t.n_rows, 16);

    /* Jump: nested-ESXi VM -> its nested host (in Nested-A), and back. */
    t.cursor = row_named(&t, "n-esx01");
    CHECK(ui_tree_jump(&t));
    CHECK_STR(selected_name(&t), "esx-n01.lab.invalid");
    CHECK(ui_tree_jump(&t));
    CHECK_STR(selected_name(&t), "n-esx01");
    t.cursor = row_named(&t, "kvm01");
    CHECK(!ui_tree_jump(&t)); /* a KVM VM backs no ESXi host */
    CHECK_STR(selected_name(&t), "kvm01");
    /* Jumping into a collapsed host expands what is needed. */
    t.cursor = row_named(&t, "esx-n04.lab.invalid");
    CHECK(ui_tree_jump(&t));
    CHECK_STR(selected_name(&t), "n-esx04");

    /* Filter: only matches and their ancestors, across collapsed nodes. */
    ui_tree_set_filter(&t, "WEB");
    CHECK_STR(selected_name(&t), "web01");
    int web02 = row_named(&t, "web02");
    CHECK(web02 > 0);
    CHECK(row_named(&t, "Nested-A") >= 0);
    CHECK(row_named(&t, "Physical") < 0);
    CHECK(row_named(&t, "db01") < 0);
    int matches = 0;
    for (int r = 0; r < t.n_rows; r++)
        matches += t.nodes[t.rows[r]].match;
    CHECK_INT(matches, 3); /* web01, web02 and the hostile 'web "01" ...' */
    /* A nested host matches by its backing VM's name too. */
    ui_tree_set_filter(&t, "n-esx03");
    CHECK(row_named(&t, "esx-n03.lab.invalid") >= 0);
    ui_tree_set_filter(&t, "no such thing");
    CHECK_INT(t.n_rows, 1); /* just the endpoint */
    /* Clearing the filter keeps the selection visible. */
    ui_tree_set_filter(&t, "db01");
    CHECK_STR(selected_name(&t), "db01");
    ui_tree_set_filter(&t, "");
    CHECK_STR(selected_name(&t), "db01");

    /* Rebuild from a new snapshot: expansion, marks and selection survive by id. */
    int n = ui_tree_selected(&t);
    t.nodes[n].marked = true;
    struct nl_lab *lab2 = fake_lab_default();
    ui_tree_build(&t, lab2);
    nl_lab_free(&lab);
    CHECK_STR(selected_name(&t), "db01");
    CHECK(t.nodes[ui_tree_selected(&t)].marked);
    CHECK(row_named(&t, "kvm01") >= 0); /* esx-p01 stayed open */

    /* Scrolling keeps the cursor on screen. */
    t.cursor = t.n_rows - 1;
    ui_tree_scroll(&t, 5);
    CHECK_INT(t.top, t.n_rows - 5);
    t.cursor = 0;
    ui_tree_scroll(&t, 5);
    CHECK_INT(t.top, 0);
    ui_tree_free(&t);
    nl_lab_free(&lab2);

    /* Scale: 10,000 VMs; every VM is reachable and counted. */
    struct nl_lab *big = fake_lab_scale(10000);
    ui_tree_init(&t);
    ui_tree_build(&t, big);
    CHECK_INT(t.nodes[0].n_vms, 10020);
    CHECK_INT(t.nodes[0].n_hosts, 70);
    ui_tree_set_filter(&t, "vm-09999");
    CHECK_STR(selected_name(&t), "vm-09999");
    ui_tree_free(&t);
    nl_lab_free(&big);

    /* An empty lab has just its endpoint. */
    struct nl_lab *empty = nl_lab_new("empty");
    nl_lab_link(empty);
    ui_tree_init(&t);
    ui_tree_build(&t, empty);
    CHECK_INT(t.n_rows, 1);
    CHECK(!ui_tree_collapse(&t));
    ui_tree_free(&t);
    nl_lab_free(&empty);
    return nl_check_done();
}
