/* Tree row content and layout. Badges are words, not just colours, so they survive a terminal
 * without colour and can be asserted on in end-to-end tests. */
#include <stdio.h>
#include <string.h>

#include "tui/ui_row.h"
#include "tui/ui_text.h"

static void badge(struct ui_row *r, enum ui_role role, const char *text)
{
    if (r->n_badges >= UI_ROW_MAX_BADGES)
        return;
    snprintf(r->badges[r->n_badges].text, sizeof(r->badges[0].text), "%s", text);
    r->badges[r->n_badges].role = role;
    r->n_badges++;
}

static const char *source_word(enum nl_source s)
{
    switch (s) {
    case NL_SOURCE_VCENTER:
        return "vc";
    case NL_SOURCE_SSH:
        return "ssh";
    case NL_SOURCE_CACHE:
        return "cached";
    default:
        return NULL;
    }
}

static bool has_trunk(const struct nl_host *h)
{
    for (size_t i = 0; i < h->n_portgroups; i++)
        if (h->portgroups[i].vlan == 4095)
            return true;
    return false;
}

/* 1 every vSwitch accepts, 0 none does, -1 mixed or unknown, -2 no vSwitch known. */
static int promisc_state(const struct nl_host *h)
{
    if (!h->n_vswitches)
        return -2;
    int yes = 0, no = 0;
    for (size_t i = 0; i < h->n_vswitches; i++) {
        if (h->vswitches[i].security.promiscuous == NL_TRI_TRUE)
            yes++;
        else if (h->vswitches[i].security.promiscuous == NL_TRI_FALSE)
            no++;
    }
    return yes == (int)h->n_vswitches ? 1 : no == (int)h->n_vswitches ? 0 : -1;
}

static void describe_vm(const struct nl_lab *lab, const struct nl_vm *vm, struct ui_row *r)
{
    bool nested = vm->role == NL_ROLE_NESTED_ESXI || vm->role == NL_ROLE_NESTED_OTHER;
    r->name_role = nested ? UI_ROLE_VM_NESTED : UI_ROLE_VM;
    if (vm->nested_host >= 0)
        snprintf(r->link, sizeof(r->link), "-> %s", lab->hosts[vm->nested_host].name);
    switch (vm->power) {
    case NL_POWER_ON:
        badge(r, UI_ROLE_BADGE_ON, "on");
        break;
    case NL_POWER_OFF:
        badge(r, UI_ROLE_BADGE_OFF, "off");
        break;
    case NL_POWER_SUSPENDED:
        badge(r, UI_ROLE_BADGE_WARN, "susp");
        break;
    default:
        badge(r, UI_ROLE_BADGE_OFF, "?");
        break;
    }
    if (vm->nested_hv == NL_TRI_TRUE)
        badge(r, UI_ROLE_BADGE_ON, "HV");
    else if (nested || vm->nested_hv == NL_TRI_FALSE)
        badge(r, nested ? UI_ROLE_BADGE_WARN : UI_ROLE_BADGE_OFF, "noHV");
    if (vm->hw_version > 0) {
        char v[24];
        snprintf(v, sizeof(v), "vmx-%02d", vm->hw_version);
        badge(r, nested && vm->hw_version < 9 ? UI_ROLE_BADGE_WARN : UI_ROLE_DIM, v);
    }
}

static void describe_host(const struct ui_tree *t, size_t hi, struct ui_row *r)
{
    const struct nl_lab *lab = t->lab;
    const struct nl_host *h = &lab->hosts[hi];
    bool nested = nl_host_is_nested(h);
    r->name_role = nested ? UI_ROLE_HOST_NESTED : UI_ROLE_HOST;
    if (h->backing_vm >= 0)
        snprintf(r->link, sizeof(r->link), "<- %s", lab->vms[h->backing_vm].name);
    if (h->connection == NL_CONN_DISCONNECTED)
        badge(r, UI_ROLE_ERROR, "disconnected");
    else if (h->connection == NL_CONN_NOT_RESPONDING)
        badge(r, UI_ROLE_ERROR, "not-responding");
    bool wants = t->host_nested && t->host_nested[hi];
    int p = promisc_state(h);
    if (p == 1)
        badge(r, UI_ROLE_BADGE_ON, "promisc");
    else if (p == 0)
        badge(r, wants ? UI_ROLE_BADGE_WARN : UI_ROLE_BADGE_OFF, "no-promisc");
    else if (p == -1)
        badge(r, UI_ROLE_BADGE_WARN, "promisc-mixed");
    if (h->n_portgroups || h->n_vswitches)
        badge(r,
              has_trunk(h) ? UI_ROLE_BADGE_ON
              : wants      ? UI_ROLE_BADGE_WARN
                           : UI_ROLE_BADGE_OFF,
              has_trunk(h) ? "trunk" : "no-trunk");
    const char *src = source_word(h->source);
    if (src)
        badge(r, UI_ROLE_SOURCE, src);
}

void ui_row_describe(const struct ui_tree *t, int node, struct ui_row *row)
{
    memset(row, 0, sizeof(*row));
    const struct ui_node *n = &t->nodes[node];
    const struct nl_lab *lab = t->lab;
    row->name = ui_node_name(t, node);
    row->depth = n->depth;
    row->has_children = n->end > node + 1;
    row->expanded = row->has_children && (n->expanded || t->filter[0]);
    row->marked = n->marked;
    row->name_role = UI_ROLE_NORMAL;
    if (row->has_children && !row->expanded) {
        if (n->n_hosts && n->n_vms)
            snprintf(row->count, sizeof(row->count), "(%d host%s, %d VM%s)", n->n_hosts,
                     n->n_hosts == 1 ? "" : "s", n->n_vms, n->n_vms == 1 ? "" : "s");
        else if (n->n_hosts)
            snprintf(row->count, sizeof(row->count), "(%d host%s)", n->n_hosts,
                     n->n_hosts == 1 ? "" : "s");
        else
            snprintf(row->count, sizeof(row->count), "(%d VM%s)", n->n_vms,
                     n->n_vms == 1 ? "" : "s");
    }
    switch (n->kind) {
    case UI_NODE_ENDPOINT: {
        row->name_role = UI_ROLE_ENDPOINT;
        const char *src = source_word(lab->source);
        if (src)
            badge(row, UI_ROLE_SOURCE, src);
        break;
    }
    case UI_NODE_DATACENTER:
        row->name_role = UI_ROLE_DATACENTER;
        break;
    case UI_NODE_CLUSTER: {
        const struct nl_cluster *c = &lab->clusters[n->obj];
        bool nested = c->kind == NL_CLUSTER_NESTED || c->kind == NL_CLUSTER_MIXED;
        row->name_role = nested ? UI_ROLE_CLUSTER_NESTED : UI_ROLE_CLUSTER;
        badge(row, UI_ROLE_DIM, nl_cluster_kind_name(c->kind));
        break;
    }
    case UI_NODE_HOST:
        describe_host(t, (size_t)n->obj, row);
        break;
    case UI_NODE_VM:
        describe_vm(lab, &lab->vms[n->obj], row);
        break;
    case UI_NODE_GROUP:
        row->name_role = UI_ROLE_DIM;
        break;
    }
}

static struct ui_span *span(struct ui_row_layout *o, int x, int width, const char *text,
                            enum ui_role role)
{
    struct ui_span *s = &o->spans[o->n_spans++];
    s->x = x;
    s->role = role;
    s->width = ui_text_fit(text, width, 0, s->text, sizeof(s->text));
    return s;
}

void ui_row_layout(const struct ui_row *row, int width, bool utf8, struct ui_row_layout *out)
{
    memset(out, 0, sizeof(*out));
    if (width <= 0)
        return;
    const char *exp = !row->has_children ? " "
                      : row->expanded    ? (utf8 ? "\xe2\x96\xbe" : "-")
                                         : (utf8 ? "\xe2\x96\xb8" : "+");
    int indent = 1 + 2 * row->depth;
    int x = 0;
    span(out, 0, 1, row->marked ? "*" : " ", UI_ROLE_MARKED);
    x = indent < width ? indent : width;
    if (x + 2 > width)
        return;
    span(out, x, 1, exp, UI_ROLE_DIM);
    x += 2;

    /* Badges, right-aligned, as many as leave the name at least 12 columns and the nested link
     * ("<- n-esx04", "-> esx-n01") at least 12: which VM runs a nested host matters more in a
     * nested lab than the last badges. */
    int name_w = ui_text_width(row->name);
    int min_name = name_w < 12 ? name_w : 12;
    int link_w = row->link[0] ? ui_text_width(row->link) : 0;
    int min_link = link_w ? 1 + (link_w < 12 ? link_w : 12) : 0;
    int shown = row->n_badges, bw = 0;
    for (;;) {
        bw = 0;
        for (int i = 0; i < shown; i++)
            bw += ui_text_width(row->badges[i].text) + 1;
        if (shown == 0 || x + min_name + min_link + bw <= width)
            break;
        shown--;
    }
    int avail = width - x - bw;
    if (avail < 1)
        return;
    struct ui_span *ns = span(out, x, avail, row->name, row->name_role);
    x += ns->width;
    const char *extras[2] = {row->link, row->count};
    for (int i = 0; i < 2; i++) {
        if (!extras[i][0] || width - bw - x < 5)
            continue;
        struct ui_span *es =
            span(out, x + 1, width - bw - x - 1, extras[i], i == 0 ? UI_ROLE_DIM : UI_ROLE_COUNTS);
        x += 1 + es->width;
    }
    int bx = width - bw;
    for (int i = 0; i < shown; i++) {
        int w = ui_text_width(row->badges[i].text);
        span(out, bx + 1, w, row->badges[i].text, row->badges[i].role);
        bx += w + 1;
    }
    out->badges_shown = shown;
}
