/* Row content (badges, links, counts) and column layout at several widths. */
#include <locale.h>
#include <string.h>

#include "check.h"
#include "tests/unit/tui/fake_lab.h"
#include "tui/ui_row.h"
#include "tui/ui_text.h"

static int node_named(const struct ui_tree *t, const char *name)
{
    for (int i = 0; i < t->n_nodes; i++)
        if (strcmp(ui_node_name(t, i), name) == 0)
            return i;
    return -1;
}

static bool has_badge(const struct ui_row *r, const char *text)
{
    for (int i = 0; i < r->n_badges; i++)
        if (strcmp(r->badges[i].text, text) == 0)
            return true;
    return false;
}

/* The row as one line of text, as the screen would show it. */
static void render(const struct ui_row_layout *l, int width, char *line)
{
    memset(line, ' ', (size_t)width);
    line[width] = '\0';
    for (int i = 0; i < l->n_spans; i++) {
        const struct ui_span *s = &l->spans[i];
        CHECK(s->x + s->width <= width); /* no span crosses the edge */
        if (!strchr(s->text, 0xe2))      /* ASCII only for easy splicing in this test */
            memcpy(line + s->x, s->text, strlen(s->text));
    }
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    struct nl_lab *lab = fake_lab_default();
    struct ui_tree t;
    ui_tree_init(&t);
    ui_tree_build(&t, lab);
    struct ui_row row;
    struct ui_row_layout lay;
    char line[256];

    /* A nested-ESXi VM: power, nested HV, vmx version, link to its nested host. */
    ui_row_describe(&t, node_named(&t, "n-esx01"), &row);
    CHECK_STR(row.link, "-> esx-n01.lab.invalid");
    CHECK(has_badge(&row, "on"));
    CHECK(has_badge(&row, "HV"));
    CHECK(has_badge(&row, "vmx-10"));
    CHECK_INT(row.name_role, UI_ROLE_VM_NESTED);
    /* n-esx04: off, no HV (a warning on a nested hypervisor), vmx-08 (too old: warning). */
    ui_row_describe(&t, node_named(&t, "n-esx04"), &row);
    CHECK(has_badge(&row, "off"));
    CHECK(has_badge(&row, "noHV"));
    CHECK_INT(row.badges[1].role, UI_ROLE_BADGE_WARN);
    CHECK_INT(row.badges[2].role, UI_ROLE_BADGE_WARN);
    /* A plain guest with nested HV off shows it without alarm. */
    ui_row_describe(&t, node_named(&t, "web01"), &row);
    CHECK(has_badge(&row, "noHV"));
    CHECK_INT(row.badges[1].role, UI_ROLE_BADGE_OFF);

    /* Hosts: nested link, trunk/promiscuous, source, connection. */
    int n04 = node_named(&t, "esx-n04.lab.invalid");
    ui_row_describe(&t, n04, &row);
    CHECK_STR(row.link, "<- n-esx04");
    CHECK(has_badge(&row, "not-responding"));
    CHECK(has_badge(&row, "no-promisc"));
    CHECK(has_badge(&row, "no-trunk"));
    CHECK(has_badge(&row, "vc"));
    int p01 = node_named(&t, "esx-p01.lab.invalid");
    ui_row_describe(&t, p01, &row);
    CHECK_STR(row.count, "(5 VMs)"); /* collapsed host */
    CHECK(row.has_children && !row.expanded);
    CHECK_INT(row.badges[0].role, UI_ROLE_BADGE_WARN); /* runs nested VMs: promiscuous matters */
    struct ui_row before = row;
    (void)before;
    /* After promiscuous accept and a trunk port group the badges change. */
    struct nl_host *h = nl_lab_find_host(lab, "host-21");
    h->vswitches[0].security.promiscuous = NL_TRI_TRUE;
    struct nl_portgroup *pg = nl_host_add_portgroup(h, "Trunk", "vSwitch0");
    pg->vlan = 4095;
    ui_row_describe(&t, p01, &row);
    CHECK(has_badge(&row, "promisc"));
    CHECK(has_badge(&row, "trunk"));
    /* Clusters show their kind; a collapsed cluster counts hosts and VMs. */
    int na = node_named(&t, "Nested-A");
    t.nodes[na].expanded = false;
    ui_row_describe(&t, na, &row);
    CHECK(has_badge(&row, "nested"));
    CHECK_STR(row.count, "(2 hosts, 4 VMs)");
    CHECK_INT(row.name_role, UI_ROLE_CLUSTER_NESTED);

    /* Layout at 80 columns: everything fits, badges right-aligned to the edge. */
    ui_row_describe(&t, node_named(&t, "n-esx01"), &row);
    ui_row_layout(&row, 80, false, &lay);
    CHECK_INT(lay.badges_shown, row.n_badges);
    render(&lay, 80, line);
    CHECK(strstr(line, "n-esx01 -> esx-n01.lab.invalid") != NULL);
    CHECK(strncmp(line + 80 - 12, "on HV vmx-10", 12) == 0);
    CHECK_INT(strncmp(line + 11, "n-esx01", 7), 0); /* mark, 2 per level (4), expander, gap */
    /* At 30 columns badges drop (last first) before the name gets short. */
    ui_row_layout(&row, 30, false, &lay);
    CHECK(lay.badges_shown < row.n_badges);
    render(&lay, 30, line);
    CHECK(strstr(line, "n-esx01") != NULL);
    /* At 14 columns the name itself is cut with an ellipsis and nothing crosses the edge. */
    ui_row_layout(&row, 14, true, &lay);
    CHECK_INT(lay.badges_shown, 0);
    int total = 0;
    for (int i = 0; i < lay.n_spans; i++)
        total = lay.spans[i].x + lay.spans[i].width > total ? lay.spans[i].x + lay.spans[i].width
                                                            : total;
    CHECK(total <= 14);
    /* Wide UTF-8 names keep their column count. */
    ui_row_describe(&t, node_named(&t, "db-\xe6\x95\xb0\xe6\x8d\xae\xe5\xba\x93-01"), &row);
    ui_row_layout(&row, 40, true, &lay);
    CHECK_INT(lay.spans[2].width, ui_text_width(row.name));
    /* The hostile name is sanitised in its span. */
    ui_row_describe(&t, node_named(&t, "web \"01\" <&> $(reboot); \x1b[2J"), &row);
    ui_row_layout(&row, 100, true, &lay);
    CHECK(strchr(lay.spans[2].text, 0x1b) == NULL);
    CHECK(strstr(lay.spans[2].text, "$(reboot);") != NULL);
    /* Degenerate widths do not crash. */
    ui_row_layout(&row, 0, true, &lay);
    CHECK_INT(lay.n_spans, 0);
    ui_row_layout(&row, 3, true, &lay);
    CHECK(lay.n_spans <= 2);

    ui_tree_free(&t);
    nl_lab_free(&lab);
    return nl_check_done();
}
