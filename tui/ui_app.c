/* Console behaviour: key actions, scope of changes, the plan flow and backend events. */
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "tui/ui_app.h"

void ui_app_message(struct ui_app *app, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    /* clang 14's analyser reports this va_list, started on the line above, as uninitialised. */
    // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
    vsnprintf(app->message, sizeof(app->message), fmt, ap);
    va_end(ap);
    app->message_error = error;
}

void ui_app_theme_select(struct ui_app *app, size_t idx)
{
    if (!app->n_themes)
        return;
    app->theme_idx = idx % app->n_themes;
    struct nl_err err;
    nl_err_clear(&err);
    if (ui_theme_load(app->theme_names[app->theme_idx], (const char *const *)app->theme_dirs,
                      app->n_theme_dirs, &app->theme, &err) != NL_OK)
        ui_app_message(app, true, "%s Using the default theme.", err.message);
    else
        ui_app_message(app, false, "Theme: %s", app->theme.name);
    app->theme_changed = true;
}

void ui_app_init(struct ui_app *app, struct ui_backend *be, const struct ui_options *opt)
{
    memset(app, 0, sizeof(*app));
    app->be = be;
    if (opt)
        app->opt = *opt;
    app->read_only = app->opt.read_only || be->read_only;
    app->width = 80;
    app->height = 24;
    app->detail_node = -1;
    const char *cs = nl_langinfo(CODESET);
    app->utf8 = cs && strcmp(cs, "UTF-8") == 0;
    ui_tree_init(&app->tree);
    app->n_theme_dirs = ui_theme_dirs(app->opt.themes_dir, app->theme_dirs);
    app->n_themes =
        ui_theme_list((const char *const *)app->theme_dirs, app->n_theme_dirs, &app->theme_names);
    ui_theme_builtin(&app->theme);
    const char *want = app->opt.theme && *app->opt.theme ? app->opt.theme : "default";
    struct nl_err err;
    nl_err_clear(&err);
    if (ui_theme_load(want, (const char *const *)app->theme_dirs, app->n_theme_dirs, &app->theme,
                      &err) != NL_OK)
        ui_app_message(app, true, "%s Using the default theme.", err.message);
    for (size_t i = 0; i < app->n_themes; i++)
        if (strcmp(app->theme_names[i], app->theme.name) == 0)
            app->theme_idx = i;
    app->theme_changed = true;
    if (app->opt.filter && *app->opt.filter)
        snprintf(app->tree.filter, sizeof(app->tree.filter), "%s", app->opt.filter);
    if (be->status)
        be->status(be->ctx, &app->status);
}

static void plan_reset(struct ui_plan *p)
{
    ui_lines_free(&p->preview);
    for (size_t i = 0; i < p->n_steps; i++) {
        free(p->steps[i].target);
        free(p->steps[i].text);
    }
    free(p->steps);
    memset(p, 0, sizeof(*p));
}

static void hostkey_pop(struct ui_app *app)
{
    if (!app->n_hostkeys)
        return;
    free(app->hostkeys[0].host);
    free(app->hostkeys[0].fingerprint);
    free(app->hostkeys[0].text);
    memmove(&app->hostkeys[0], &app->hostkeys[1], (app->n_hostkeys - 1) * sizeof(*app->hostkeys));
    app->n_hostkeys--;
}

void ui_app_free(struct ui_app *app)
{
    while (app->n_hostkeys)
        hostkey_pop(app);
    free(app->hostkeys);
    plan_reset(&app->plan);
    ui_tree_free(&app->tree);
    nl_lab_free(&app->lab);
    ui_journal_free(&app->journal);
    ui_lines_free(&app->checks);
    ui_lines_free(&app->text);
    ui_grid_free(&app->grid);
    for (size_t i = 0; i < app->n_themes; i++)
        free(app->theme_names[i]);
    free(app->theme_names);
    for (size_t i = 0; i < app->n_theme_dirs; i++)
        free(app->theme_dirs[i]);
}

void ui_app_set_lab(struct ui_app *app, struct nl_lab *lab)
{
    if (!lab)
        return;
    /* Detail and grid refer to nodes/objects by index: remember what they showed by id. */
    char *detail_id = NULL;
    if (app->detail_node >= 0)
        detail_id = xstrdup(ui_node_id(&app->tree, app->detail_node));
    ui_tree_build(&app->tree, lab); /* reads the old lab for the saved state: free it after */
    nl_lab_free(&app->lab);
    app->lab = lab;
    app->detail_node = -1;
    if (detail_id) {
        for (int i = 0; i < app->tree.n_nodes; i++)
            if (strcmp(ui_node_id(&app->tree, i), detail_id) == 0 && *detail_id)
                app->detail_node = i;
        free(detail_id);
    }
    if (app->view == UI_VIEW_DETAIL && app->detail_node < 0)
        app->detail_node = ui_tree_selected(&app->tree);
    if (app->grid.title[0]) { /* the grid was opened: rebuild it for the same cluster */
        ssize_t cl = -1;
        for (size_t i = 0; i < lab->n_clusters && app->grid_cluster[0]; i++)
            if (lab->clusters[i].id && strcmp(lab->clusters[i].id, app->grid_cluster) == 0)
                cl = (ssize_t)i;
        int cur = app->grid.cursor;
        ui_grid_build(&app->grid, lab, cl);
        app->grid.cursor = cur < app->grid.n_rows ? cur : 0;
    }
}

int ui_app_body_height(const struct ui_app *app)
{
    int h = app->height - 3; /* header, status bar, key bar / input line */
    return h < 1 ? 1 : h;
}

bool ui_app_busy(const struct ui_app *app)
{
    return app->status.jobs > 0 || app->plan.phase == UI_PLAN_BUILDING ||
           app->plan.phase == UI_PLAN_APPLYING;
}

enum ui_ctx ui_app_ctx(const struct ui_app *app)
{
    if (app->mode == UI_MODE_FILTER || app->mode == UI_MODE_COMMAND)
        return UI_CTX_INPUT;
    /* A host-key question waits while a plan is on screen, where y means "apply": a key meant
     * for the plan must never trust a host. */
    if (app->mode == UI_MODE_CONFIRM_QUIT || (app->n_hostkeys && app->view != UI_VIEW_PLAN))
        return UI_CTX_CONFIRM;
    return (enum ui_ctx)app->view;
}

/* ---- views ---------------------------------------------------------------------------------- */

static void view_open(struct ui_app *app, enum ui_view v)
{
    if (app->view == v)
        return;
    if (app->depth < UI_VIEW_STACK)
        app->stack[app->depth++] = app->view;
    app->view = v;
    app->text_top = 0;
}

static void view_back(struct ui_app *app)
{
    app->view = app->depth ? app->stack[--app->depth] : UI_VIEW_TREE;
    app->text_top = 0;
}

/* Leaves the plan view wherever it sits in the stack. */
static void view_close_plan(struct ui_app *app)
{
    if (app->view == UI_VIEW_PLAN)
        view_back(app);
}

static void journal_reload(struct ui_app *app)
{
    ui_journal_clear(&app->journal);
    if (app->be->journal_list)
        app->be->journal_list(app->be->ctx, &app->journal);
    if (app->journal_cursor >= (int)app->journal.n)
        app->journal_cursor = app->journal.n ? (int)app->journal.n - 1 : 0;
}

static int text_len(const struct ui_app *app)
{
    switch (app->view) {
    case UI_VIEW_CHECKS:
        return (int)app->checks.n;
    case UI_VIEW_PLAN:
        return (int)(app->plan.preview.n + app->plan.n_steps + 6);
    default:
        return (int)app->text.n;
    }
}

static void move(struct ui_app *app, int delta, bool absolute)
{
    int page = ui_app_body_height(app);
    switch (app->view) {
    case UI_VIEW_TREE:
        if (absolute)
            app->tree.cursor = delta < 0 ? 0 : app->tree.n_rows - 1;
        else
            ui_tree_move(&app->tree, delta);
        ui_tree_scroll(&app->tree, page);
        break;
    case UI_VIEW_GRID: {
        int n = app->grid.n_rows;
        int c = absolute ? (delta < 0 ? 0 : n - 1) : app->grid.cursor + delta;
        app->grid.cursor = c >= n ? n - 1 : c < 0 ? 0 : c;
        break;
    }
    case UI_VIEW_MONITOR:
        ui_monitor_move(app, delta, absolute);
        break;
    case UI_VIEW_JOURNAL: {
        int n = (int)app->journal.n;
        int c = absolute ? (delta < 0 ? 0 : n - 1) : app->journal_cursor + delta;
        app->journal_cursor = c >= n ? n - 1 : c < 0 ? 0 : c;
        break;
    }
    default: {
        int max = text_len(app) - page;
        int t = absolute ? (delta < 0 ? 0 : max) : app->text_top + delta;
        app->text_top = t > max ? max : t;
        if (app->text_top < 0)
            app->text_top = 0;
        break;
    }
    }
}

/* ---- scope of a change ---------------------------------------------------------------------- */

struct scope {
    char *vm_seen, *host_seen;
    const char **ids;
    size_t n;
    int want_on; /* how many would turn on */
};

static void scope_add_vm(struct ui_app *app, struct scope *s, ssize_t vm)
{
    if (vm < 0 || s->vm_seen[vm])
        return;
    s->vm_seen[vm] = 1;
    s->ids[s->n++] = app->lab->vms[vm].id;
    s->want_on += app->lab->vms[vm].nested_hv != NL_TRI_TRUE;
}

static bool host_promisc(const struct nl_host *h)
{
    if (!h->n_vswitches)
        return false;
    for (size_t i = 0; i < h->n_vswitches; i++)
        if (h->vswitches[i].security.promiscuous != NL_TRI_TRUE)
            return false;
    return true;
}

static void scope_add_host(struct ui_app *app, struct scope *s, ssize_t h)
{
    if (h < 0 || s->host_seen[h])
        return;
    s->host_seen[h] = 1;
    s->ids[s->n++] = app->lab->hosts[h].id;
    s->want_on += !host_promisc(&app->lab->hosts[h]);
}

static bool vm_is_nested(const struct nl_vm *vm)
{
    return vm->role == NL_ROLE_NESTED_ESXI || vm->role == NL_ROLE_NESTED_OTHER;
}

static void scope_node(struct ui_app *app, struct scope *s, enum ui_intent_kind kind, int node)
{
    const struct ui_tree *t = &app->tree;
    const struct ui_node *n = &t->nodes[node];
    if (kind == UI_INTENT_NESTED_HV) {
        if (n->kind == UI_NODE_VM) {
            scope_add_vm(app, s, n->obj);
        } else if (n->kind == UI_NODE_HOST && app->lab->hosts[n->obj].backing_vm >= 0) {
            scope_add_vm(app, s, app->lab->hosts[n->obj].backing_vm);
        } else {
            for (int i = node + 1; i < n->end; i++)
                if (t->nodes[i].kind == UI_NODE_VM && vm_is_nested(&app->lab->vms[t->nodes[i].obj]))
                    scope_add_vm(app, s, t->nodes[i].obj);
        }
        return;
    }
    if (n->kind == UI_NODE_HOST)
        scope_add_host(app, s, n->obj);
    else if (n->kind == UI_NODE_VM)
        scope_add_host(app, s, app->lab->vms[n->obj].host);
    else
        for (int i = node + 1; i < n->end; i++)
            if (t->nodes[i].kind == UI_NODE_HOST)
                scope_add_host(app, s, t->nodes[i].obj);
}

static void scope_collect(struct ui_app *app, struct scope *s, enum ui_intent_kind kind)
{
    const struct nl_lab *lab = app->lab;
    s->vm_seen = xcalloc(lab->n_vms + 1, 1);
    s->host_seen = xcalloc(lab->n_hosts + 1, 1);
    s->ids = xcalloc(lab->n_vms + lab->n_hosts + 1, sizeof(*s->ids));
    if (app->view == UI_VIEW_GRID) {
        bool any = false;
        for (int r = 0; r < app->grid.n_rows; r++)
            if (app->grid.rows[r].marked) {
                scope_add_host(app, s, (ssize_t)app->grid.rows[r].host);
                any = true;
            }
        if (!any && app->grid.n_rows)
            scope_add_host(app, s, (ssize_t)app->grid.rows[app->grid.cursor].host);
        return;
    }
    bool any = false;
    for (int i = 0; i < app->tree.n_nodes; i++)
        if (app->tree.nodes[i].marked) {
            scope_node(app, s, kind, i);
            any = true;
        }
    int sel = app->view == UI_VIEW_DETAIL && app->detail_node >= 0 ? app->detail_node
                                                                   : ui_tree_selected(&app->tree);
    if (!any && sel >= 0)
        scope_node(app, s, kind, sel);
}

static void scope_free(struct scope *s)
{
    free(s->vm_seen);
    free(s->host_seen);
    free(s->ids);
}

static void request_plan(struct ui_app *app, const struct ui_intent *in, const char *title)
{
    struct nl_err err;
    nl_err_clear(&err);
    if (!app->be->plan_request) {
        ui_app_message(app, true, "This console has no change engine attached.");
        return;
    }
    int id = app->be->plan_request(app->be->ctx, in, &err);
    if (id <= 0) {
        ui_app_message(app, true, "%s", err.message[0] ? err.message : "The request was refused.");
        return;
    }
    plan_reset(&app->plan);
    app->plan.id = id;
    app->plan.phase = UI_PLAN_BUILDING;
    snprintf(app->plan.title, sizeof(app->plan.title), "%s", title);
    view_open(app, UI_VIEW_PLAN);
}

static void change(struct ui_app *app, enum ui_intent_kind kind)
{
    if (!app->lab) {
        ui_app_message(app, true, "No lab is loaded yet.");
        return;
    }
    struct scope s = {0};
    scope_collect(app, &s, kind);
    if (!s.n) {
        ui_app_message(app, true, "%s",
                       kind == UI_INTENT_NESTED_HV
                           ? "Select a nested-hypervisor VM, a nested host, or a cluster holding "
                             "some, to change nested HV."
                           : "Select a host, a cluster or a datacenter first.");
        scope_free(&s);
        return;
    }
    struct ui_intent in = {.kind = kind, .ids = s.ids, .n_ids = s.n};
    char title[256];
    switch (kind) {
    case UI_INTENT_NESTED_HV:
        in.value = s.want_on > 0;
        snprintf(title, sizeof(title), "Nested HV %s on %zu VM%s", in.value ? "on" : "off", s.n,
                 s.n == 1 ? "" : "s");
        break;
    case UI_INTENT_TRUNK:
        in.value = 1;
        snprintf(title, sizeof(title), "Trunk port group (VLAN 4095) on %zu host%s", s.n,
                 s.n == 1 ? "" : "s");
        break;
    default:
        in.value = s.want_on > 0;
        snprintf(title, sizeof(title), "Promiscuous mode %s on %zu host%s",
                 in.value ? "accept" : "reject", s.n, s.n == 1 ? "" : "s");
        break;
    }
    request_plan(app, &in, title);
    scope_free(&s);
}

/* ---- actions ----------------------------------------------------------------------------------
 */

static void open_selected(struct ui_app *app)
{
    if (app->view == UI_VIEW_MONITOR) {
        ui_monitor_enter(app);
        return;
    }
    if (app->view == UI_VIEW_GRID) {
        if (!app->grid.n_rows)
            return;
        int n =
            ui_tree_find(&app->tree, UI_NODE_HOST, (ssize_t)app->grid.rows[app->grid.cursor].host);
        app->depth = 0;
        app->view = UI_VIEW_TREE;
        ui_tree_select(&app->tree, n);
        ui_tree_scroll(&app->tree, ui_app_body_height(app));
        return;
    }
    int n = ui_tree_selected(&app->tree);
    if (n < 0)
        return;
    if (!ui_tree_toggle(&app->tree)) {
        app->detail_node = n;
        view_open(app, UI_VIEW_DETAIL);
    }
}

static ssize_t selected_cluster(const struct ui_app *app)
{
    for (int n = ui_tree_selected(&app->tree); n >= 0; n = app->tree.nodes[n].parent)
        if (app->tree.nodes[n].kind == UI_NODE_CLUSTER)
            return app->tree.nodes[n].obj;
    return -1;
}

static void do_back(struct ui_app *app)
{
    if (app->view == UI_VIEW_PLAN) {
        if (app->plan.phase == UI_PLAN_BUILDING || app->plan.phase == UI_PLAN_PREVIEW) {
            if (app->be->plan_cancel)
                app->be->plan_cancel(app->be->ctx, app->plan.id);
            ui_app_message(app, false, "Plan dropped; nothing was changed.");
            plan_reset(&app->plan);
        } else if (app->plan.phase == UI_PLAN_APPLYING) {
            ui_app_message(app, false, "The change goes on in the background.");
        } else {
            plan_reset(&app->plan);
        }
        view_back(app);
        return;
    }
    if (app->view == UI_VIEW_MONITOR && ui_monitor_back(app))
        return; /* from the chart to the host list */
    if (app->view != UI_VIEW_TREE) {
        view_back(app);
        return;
    }
    bool marks = false;
    for (int i = 0; i < app->tree.n_nodes; i++) {
        marks |= app->tree.nodes[i].marked;
        app->tree.nodes[i].marked = false;
    }
    if (app->tree.filter[0])
        ui_tree_set_filter(&app->tree, "");
    else if (marks)
        ui_app_message(app, false, "Marks cleared.");
    ui_tree_scroll(&app->tree, ui_app_body_height(app));
}

static void do_mark(struct ui_app *app)
{
    if (app->view == UI_VIEW_GRID) {
        if (app->grid.n_rows) {
            app->grid.rows[app->grid.cursor].marked ^= 1;
            move(app, 1, false);
        }
        return;
    }
    int n = ui_tree_selected(&app->tree);
    if (n < 0)
        return;
    app->tree.nodes[n].marked = !app->tree.nodes[n].marked;
    move(app, 1, false);
}

static void do_undo(struct ui_app *app)
{
    struct ui_intent in = {.kind = UI_INTENT_UNDO};
    if (app->view == UI_VIEW_JOURNAL) {
        if (!app->journal.n) {
            ui_app_message(app, true, "The journal is empty.");
            return;
        }
        const struct ui_journal_entry *e = &app->journal.v[app->journal_cursor];
        if (!e->undoable || e->undone) {
            ui_app_message(app, true, "Journal entry '%s' cannot be undone%s.", e->summary,
                           e->undone ? " (it already was)" : "");
            return;
        }
        in.journal_id = e->id;
    }
    request_plan(app, &in, "Undo");
}

static void do_quit(struct ui_app *app)
{
    if (app->plan.phase == UI_PLAN_APPLYING)
        app->mode = UI_MODE_CONFIRM_QUIT;
    else
        app->quit = true;
}

static void utf8_append(char *buf, size_t size, int cp)
{
    char enc[4];
    size_t n;
    if (cp < 0x80) {
        enc[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        enc[0] = (char)(0xc0 | (cp >> 6));
        enc[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        enc[0] = (char)(0xe0 | (cp >> 12));
        enc[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        enc[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        enc[0] = (char)(0xf0 | (cp >> 18));
        enc[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        enc[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        enc[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    size_t len = strlen(buf);
    if (len + n + 1 > size)
        return;
    memcpy(buf + len, enc, n);
    buf[len + n] = '\0';
}

static void utf8_erase(char *buf)
{
    size_t len = strlen(buf);
    while (len && ((unsigned char)buf[len - 1] & 0xc0) == 0x80)
        len--;
    if (len)
        len--;
    buf[len] = '\0';
}

static void input_key(struct ui_app *app, const struct ui_key *k, int key)
{
    bool filter = app->mode == UI_MODE_FILTER;
    if (!k) {
        if (key < 0x20 || key == 127 || key >= 0x110000)
            return; /* an unbound control or function key */
        utf8_append(app->input, sizeof(app->input), key);
    } else {
        switch (k->action) {
        case UI_ACT_INPUT_ERASE:
            utf8_erase(app->input);
            break;
        case UI_ACT_INPUT_KILL:
            app->input[0] = '\0';
            break;
        case UI_ACT_INPUT_CANCEL:
            app->mode = UI_MODE_NORMAL;
            if (filter)
                ui_tree_set_filter(&app->tree, "");
            app->input[0] = '\0';
            ui_tree_scroll(&app->tree, ui_app_body_height(app));
            return;
        case UI_ACT_INPUT_ACCEPT:
            app->mode = UI_MODE_NORMAL;
            if (!filter && app->input[0]) {
                struct ui_intent in = {.kind = UI_INTENT_COMMAND, .command = app->input};
                char title[600];
                snprintf(title, sizeof(title), ":%s", app->input);
                request_plan(app, &in, title);
            } else if (filter && app->tree.filter[0]) {
                int matches = 0;
                for (int i = 0; i < app->tree.n_nodes; i++)
                    matches += app->tree.nodes[i].match;
                ui_app_message(app, false, "%d match%s for \"%s\"; Esc clears the filter.", matches,
                               matches == 1 ? "" : "es", app->tree.filter);
            }
            app->input[0] = '\0';
            return;
        default:
            return;
        }
    }
    if (filter) {
        ui_tree_set_filter(&app->tree, app->input);
        ui_tree_scroll(&app->tree, ui_app_body_height(app));
    }
}

/* y trusts the host key on screen, n / Esc / Enter do not; other keys wait for an answer, so
 * a key meant for the tree can never answer the question. */
static void hostkey_key(struct ui_app *app, const struct ui_key *k)
{
    if (!k || (k->action != UI_ACT_YES && k->action != UI_ACT_NO) || !app->n_hostkeys)
        return;
    const struct ui_hostkey_ask *a = &app->hostkeys[0];
    bool accept = k->action == UI_ACT_YES;
    if (app->be->hostkey_answer)
        app->be->hostkey_answer(app->be->ctx, a->host, a->fingerprint, accept);
    if (accept)
        ui_app_message(app, false, "Recording the key %s of %s, then reading the host again...",
                       a->fingerprint, a->host);
    else
        ui_app_message(app, false,
                       "Not trusted: %s stays unread over SSH (shown from the cache) until its "
                       "key is accepted.",
                       a->host);
    hostkey_pop(app);
}

static void hostkey_event(struct ui_app *app, const struct ui_event *e)
{
    if (!app->be->hostkey_answer || e->n_lines < 2 || !e->lines[0] || !e->lines[1]) {
        ui_app_message(app, true, "%s", e->text ? e->text : "");
        return;
    }
    for (size_t i = 0; i < app->n_hostkeys; i++) /* one question per host and key */
        if (strcmp(app->hostkeys[i].host, e->lines[0]) == 0 &&
            strcmp(app->hostkeys[i].fingerprint, e->lines[1]) == 0)
            return;
    app->hostkeys = xrealloc(app->hostkeys, (app->n_hostkeys + 1) * sizeof(*app->hostkeys));
    app->hostkeys[app->n_hostkeys++] = (struct ui_hostkey_ask){
        .host = xstrdup(e->lines[0]),
        .fingerprint = xstrdup(e->lines[1]),
        .text = xstrdup(e->text ? e->text : ""),
    };
    if (app->view == UI_VIEW_PLAN)
        ui_app_message(app, false,
                       "Host %s presents an unknown SSH key: asked when you leave "
                       "the plan view (Esc).",
                       e->lines[0]);
}

void ui_app_key(struct ui_app *app, int key)
{
    enum ui_ctx ctx = ui_app_ctx(app);
    const struct ui_key *k = ui_key_lookup(ctx, key);
    if (ctx == UI_CTX_INPUT) {
        input_key(app, k, key);
        return;
    }
    if (ctx == UI_CTX_CONFIRM && app->mode != UI_MODE_CONFIRM_QUIT) {
        hostkey_key(app, k);
        return;
    }
    if (ctx == UI_CTX_CONFIRM) {
        if (k && k->action == UI_ACT_YES) {
            /* No new steps start; the backend waits for the running ones before it exits. */
            if (app->plan.phase == UI_PLAN_APPLYING && app->be->plan_cancel)
                app->be->plan_cancel(app->be->ctx, app->plan.id);
            app->quit = true;
        } else if (k) {
            app->mode = UI_MODE_NORMAL;
        }
        return;
    }
    if (!k)
        return;
    app->message[0] = '\0';
    if ((k->flags & UI_KF_CHANGE) && app->read_only) {
        ui_app_message(app, true,
                       "Read-only mode: changes are disabled (the console was started with "
                       "--read-only).");
        return;
    }
    int page = ui_app_body_height(app);
    switch (k->action) {
    case UI_ACT_UP:
        move(app, -1, false);
        break;
    case UI_ACT_DOWN:
        move(app, 1, false);
        break;
    case UI_ACT_PAGE_UP:
        move(app, -page, false);
        break;
    case UI_ACT_PAGE_DOWN:
        move(app, page, false);
        break;
    case UI_ACT_TOP:
        move(app, -1, true);
        break;
    case UI_ACT_BOTTOM:
        move(app, 1, true);
        break;
    case UI_ACT_COLLAPSE:
        ui_tree_collapse(&app->tree);
        ui_tree_scroll(&app->tree, page);
        break;
    case UI_ACT_EXPAND:
        ui_tree_expand(&app->tree);
        ui_tree_scroll(&app->tree, page);
        break;
    case UI_ACT_OPEN:
        open_selected(app);
        ui_tree_scroll(&app->tree, page);
        break;
    case UI_ACT_DETAIL:
        app->detail_node = ui_tree_selected(&app->tree);
        if (app->detail_node >= 0)
            view_open(app, UI_VIEW_DETAIL);
        break;
    case UI_ACT_BACK:
        do_back(app);
        break;
    case UI_ACT_FILTER:
        app->mode = UI_MODE_FILTER;
        snprintf(app->input, sizeof(app->input), "%s", app->tree.filter);
        break;
    case UI_ACT_COMMAND:
        app->mode = UI_MODE_COMMAND;
        app->input[0] = '\0';
        break;
    case UI_ACT_MARK:
        do_mark(app);
        break;
    case UI_ACT_JUMP:
        if (!ui_tree_jump(&app->tree))
            ui_app_message(
                app, true,
                "Only a nested-ESXi VM and its nested host have a counterpart to jump to.");
        else if (app->view == UI_VIEW_DETAIL)
            app->detail_node = ui_tree_selected(&app->tree);
        ui_tree_scroll(&app->tree, page);
        break;
    case UI_ACT_NESTED_HV:
        change(app, UI_INTENT_NESTED_HV);
        break;
    case UI_ACT_TRUNK:
        change(app, UI_INTENT_TRUNK);
        break;
    case UI_ACT_PROMISC:
        change(app, UI_INTENT_PROMISCUOUS);
        break;
    case UI_ACT_GRID: {
        if (!app->lab) {
            ui_app_message(app, true, "No lab is loaded yet.");
            break;
        }
        ssize_t cl = selected_cluster(app);
        snprintf(app->grid_cluster, sizeof(app->grid_cluster), "%s",
                 cl >= 0 && app->lab->clusters[cl].id ? app->lab->clusters[cl].id : "");
        ui_grid_build(&app->grid, app->lab, cl);
        view_open(app, UI_VIEW_GRID);
        break;
    }
    case UI_ACT_MONITOR:
        if (!app->lab) {
            ui_app_message(app, true, "No lab is loaded yet.");
            break;
        }
        ui_monitor_open(app);
        view_open(app, UI_VIEW_MONITOR);
        break;
    case UI_ACT_JOURNAL:
        journal_reload(app);
        if (!app->be->journal_list)
            ui_app_message(app, true, "This console has no journal attached.");
        view_open(app, UI_VIEW_JOURNAL);
        break;
    case UI_ACT_UNDO:
        do_undo(app);
        break;
    case UI_ACT_FIX: {
        struct ui_intent in = {.kind = UI_INTENT_FIX};
        request_plan(app, &in, "Fix the readiness findings");
        break;
    }
    case UI_ACT_CHECKS:
        if (app->be->checks_run) {
            app->be->checks_run(app->be->ctx);
            ui_app_message(app, false, "Running the readiness checks...");
        } else {
            ui_app_message(app, true, "Readiness checks are not available in this console.");
        }
        view_open(app, UI_VIEW_CHECKS);
        break;
    case UI_ACT_REFRESH:
        if (app->be->refresh) {
            app->be->refresh(app->be->ctx);
            ui_app_message(app, false, "Reloading the inventory...");
        }
        if (app->view == UI_VIEW_MONITOR && app->be->perf_refresh)
            app->be->perf_refresh(app->be->ctx);
        break;
    case UI_ACT_THEME:
        ui_app_theme_select(app, app->theme_idx + 1);
        break;
    case UI_ACT_HELP:
        ui_lines_clear(&app->text);
        ui_keys_help(&app->text);
        view_open(app, UI_VIEW_HELP);
        app->text_top = 0;
        break;
    case UI_ACT_QUIT:
        do_quit(app);
        break;
    case UI_ACT_CONFIRM: {
        if (app->plan.phase != UI_PLAN_PREVIEW) {
            ui_app_message(app, true, "There is no previewed plan to apply.");
            break;
        }
        if (!app->plan.changes) {
            ui_app_message(app, true, "Nothing to apply: every step is skipped.");
            break;
        }
        struct nl_err err;
        nl_err_clear(&err);
        if (app->be->plan_apply(app->be->ctx, app->plan.id, &err) != NL_OK) {
            ui_app_message(app, true, "%s", err.message);
            break;
        }
        app->plan.phase = UI_PLAN_APPLYING;
        break;
    }
    default:
        break;
    }
}

/* ---- backend events
 * ------------------------------------------------------------------------------ */

static enum ui_role check_role(const char *line)
{
    if (strncmp(line, "FAIL", 4) == 0 || strncmp(line, "ERROR", 5) == 0)
        return UI_ROLE_ERROR;
    if (strncmp(line, "WARN", 4) == 0)
        return UI_ROLE_WARN;
    if (strncmp(line, "OK", 2) == 0 || strncmp(line, "PASS", 4) == 0)
        return UI_ROLE_OK;
    return UI_ROLE_NORMAL;
}

static void event(struct ui_app *app, struct ui_event *e)
{
    struct ui_plan *p = &app->plan;
    bool mine = e->plan_id > 0 && e->plan_id == p->id;
    switch (e->kind) {
    case UI_EV_MESSAGE:
        ui_app_message(app, false, "%s", e->text ? e->text : "");
        break;
    case UI_EV_ERROR:
        ui_app_message(app, true, "%s", e->text ? e->text : "");
        if (mine && p->phase == UI_PLAN_BUILDING) {
            plan_reset(p);
            view_close_plan(app);
        }
        break;
    case UI_EV_PLAN:
        if (!mine || p->phase != UI_PLAN_BUILDING)
            break;
        if (e->text)
            snprintf(p->title, sizeof(p->title), "%s", e->text);
        for (size_t i = 0; i < e->n_lines; i++)
            ui_lines_add(&p->preview, UI_ROLE_NORMAL, "%s", e->lines[i]);
        p->steps = e->steps; /* moved */
        p->n_steps = e->n_steps;
        e->steps = NULL;
        e->n_steps = 0;
        p->changes = 0;
        for (size_t i = 0; i < p->n_steps; i++)
            p->changes += p->steps[i].state != UI_STEP_SKIPPED;
        p->phase = UI_PLAN_PREVIEW;
        break;
    case UI_EV_STEP:
        if (!mine || e->step < 0 || (size_t)e->step >= p->n_steps)
            break;
        p->steps[e->step].state = e->state;
        if (e->text)
            xstrset(&p->steps[e->step].text, e->text);
        break;
    case UI_EV_PLAN_DONE:
        if (!mine)
            break;
        if (p->phase == UI_PLAN_BUILDING) { /* a command that was not a change */
            if (e->text && *e->text)
                ui_app_message(app, !e->ok, "%s", e->text);
            plan_reset(p);
            view_close_plan(app);
            break;
        }
        p->phase = UI_PLAN_DONE;
        p->ok = e->ok;
        snprintf(p->summary, sizeof(p->summary), "%s", e->text ? e->text : "");
        if (app->view != UI_VIEW_PLAN)
            ui_app_message(app, !e->ok, "Change finished: %s", p->summary);
        break;
    case UI_EV_JOURNAL:
        journal_reload(app);
        break;
    case UI_EV_CHECKS:
        ui_lines_clear(&app->checks);
        for (size_t i = 0; i < e->n_lines; i++)
            ui_lines_add(&app->checks, check_role(e->lines[i]), "%s", e->lines[i]);
        break;
    case UI_EV_STATUS:
        break; /* status is re-read on every pump */
    case UI_EV_HOSTKEY:
        hostkey_event(app, e);
        break;
    }
}

/* Member by member: memcmp would also compare padding and the bytes after each string's end. */
static bool status_equal(const struct ui_status *a, const struct ui_status *b)
{
    return strcmp(a->endpoint, b->endpoint) == 0 && a->state == b->state &&
           a->source == b->source && a->last_update == b->last_update && a->jobs == b->jobs &&
           strcmp(a->last_error, b->last_error) == 0;
}

bool ui_app_pump(struct ui_app *app)
{
    bool changed = false;
    struct ui_backend *be = app->be;
    if (be->take_lab) {
        struct nl_lab *lab = be->take_lab(be->ctx);
        if (lab) {
            ui_app_set_lab(app, lab);
            ui_tree_scroll(&app->tree, ui_app_body_height(app));
            changed = true;
        }
    }
    if (be->poll) {
        struct ui_events ev = {0};
        be->poll(be->ctx, &ev);
        for (size_t i = 0; i < ev.n; i++)
            event(app, &ev.v[i]);
        changed |= ev.n > 0;
        ui_events_free(&ev);
    }
    if (be->status) {
        struct ui_status st;
        memset(&st, 0, sizeof(st));
        be->status(be->ctx, &st);
        changed |= !status_equal(&st, &app->status);
        app->status = st;
    }
    return changed;
}
