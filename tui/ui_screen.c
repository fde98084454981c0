/* Painting. Each pass erases and redraws everything from the app state; curses sends only the
 * difference to the terminal, and a pass costs well under a millisecond even on a 10,000-VM lab
 * because only the visible rows are laid out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/ui_detail.h"
#include "tui/ui_row.h"
#include "tui/ui_screen.h"
#include "tui/ui_text.h"

static attr_t attrs_of(int a)
{
    attr_t r = A_NORMAL;
    if (a & UI_A_BOLD)
        r |= A_BOLD;
    if (a & UI_A_DIM)
        r |= A_DIM;
    if (a & UI_A_UNDERLINE)
        r |= A_UNDERLINE;
    if (a & UI_A_REVERSE)
        r |= A_REVERSE;
    if (a & UI_A_ITALIC)
        r |= A_ITALIC;
    if (a & UI_A_STANDOUT)
        r |= A_STANDOUT;
    return r;
}

void ui_screen_theme(struct ui_screen *s, struct ui_app *app)
{
    const char *nc = getenv("NO_COLOR");
    bool no_color = app->opt.no_color || (nc && *nc) || !has_colors();
    s->ncolors = 0;
    if (!no_color) {
        start_color();
        use_default_colors();
        s->ncolors = COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : COLORS >= 8 ? 8 : 0;
    }
    struct ui_style st[UI_ROLE_COUNT];
    ui_theme_resolve(&app->theme, s->ncolors, s->ncolors == 0, st);
    short next = 1;
    for (int r = 0; r < UI_ROLE_COUNT; r++) {
        attr_t a = attrs_of(st[r].attrs);
        if (s->ncolors && (st[r].fg != UI_C_DEFAULT || st[r].bg != UI_C_DEFAULT) &&
            next < COLOR_PAIRS) {
            /* One pair per role keeps it simple; there are far fewer roles than pairs. */
            init_pair(next, (short)st[r].fg, (short)st[r].bg);
            a |= COLOR_PAIR(next);
            next++;
        }
        s->attr[r] = a;
    }
    app->theme_changed = false;
}

/* Writes text at (y, x) cut to width columns; with pad, fills the width with the attribute. */
static int put(int y, int x, int width, const char *text, attr_t a, bool pad)
{
    if (width <= 0)
        return 0;
    char buf[2048];
    int w = ui_text_fit(text, width, pad, buf, sizeof(buf));
    attrset(a);
    mvaddstr(y, x, buf);
    attrset(A_NORMAL);
    return w;
}

static const char *spinner(const struct ui_app *app)
{
    static const char *const ascii[] = {"|", "/", "-", "\\"};
    static const char *const braille[] = {"\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9",
                                          "\xe2\xa0\xb8", "\xe2\xa0\xbc", "\xe2\xa0\xb4",
                                          "\xe2\xa0\xa6", "\xe2\xa0\xa7"};
    return app->utf8 ? braille[app->spin % 8] : ascii[app->spin % 4];
}

static const char *view_title(const struct ui_app *app)
{
    return ui_ctx_title((enum ui_ctx)app->view);
}

static void draw_header(struct ui_app *app, const struct ui_screen *s)
{
    char line[1024];
    int n = snprintf(line, sizeof(line), " nestlab | %s | %s",
                     app->status.endpoint[0]
                         ? app->status.endpoint
                         : (app->lab && app->lab->endpoint ? app->lab->endpoint : "-"),
                     view_title(app));
    if (app->tree.filter[0] && n > 0 && (size_t)n < sizeof(line))
        n += snprintf(line + n, sizeof(line) - (size_t)n, " | filter: %s", app->tree.filter);
    if (app->read_only && n > 0 && (size_t)n < sizeof(line))
        n += snprintf(line + n, sizeof(line) - (size_t)n, " | READ-ONLY");
    if (n > 0 && (size_t)n < sizeof(line))
        snprintf(line + n, sizeof(line) - (size_t)n, " | theme %s", app->theme.name);
    put(0, 0, app->width, line, s->attr[UI_ROLE_HEADER], true);
}

static const char *conn_word(enum ui_conn_state c)
{
    switch (c) {
    case UI_CONN_CONNECTING:
        return "connecting";
    case UI_CONN_CONNECTED:
        return "connected";
    case UI_CONN_DEGRADED:
        return "vCenter down, SSH";
    case UI_CONN_OFFLINE:
        return "offline";
    default:
        return "unknown";
    }
}

static void draw_status(struct ui_app *app, const struct ui_screen *s, int y)
{
    const struct ui_status *st = &app->status;
    char when[32] = "never";
    if (st->last_update) {
        struct tm tm;
        localtime_r(&st->last_update, &tm);
        strftime(when, sizeof(when), "%H:%M:%S", &tm);
    }
    char line[1024];
    snprintf(line, sizeof(line), " %s | %s (%s) | updated %s | jobs %d %s",
             st->endpoint[0] ? st->endpoint : "-", conn_word(st->state), nl_source_name(st->source),
             when, st->jobs, ui_app_busy(app) ? spinner(app) : "");
    int w = put(y, 0, app->width, line, s->attr[UI_ROLE_STATUS], !st->last_error[0]);
    if (st->last_error[0] && w < app->width) {
        char err[600];
        snprintf(err, sizeof(err), " | error: %s", st->last_error);
        put(y, w, app->width - w, err, s->attr[UI_ROLE_STATUS_ERROR], true);
    }
}

static void draw_bottom(struct ui_app *app, const struct ui_screen *s, int y)
{
    char line[1024];
    if (app->mode == UI_MODE_FILTER || app->mode == UI_MODE_COMMAND) {
        snprintf(line, sizeof(line), "%s%s_", app->mode == UI_MODE_FILTER ? "/" : ":", app->input);
        /* Keep the end of a long input visible. */
        int w = ui_text_width(line);
        const char *p = line;
        while (w > app->width - 1 && *p) {
            p++;
            while (((unsigned char)*p & 0xc0) == 0x80)
                p++;
            w = ui_text_width(p);
        }
        put(y, 0, app->width, p, s->attr[UI_ROLE_INPUT], true);
        return;
    }
    if (app->mode == UI_MODE_CONFIRM_QUIT) {
        put(y, 0, app->width,
            "A change is being applied. Quit anyway? (y/n)  Steps not started are cancelled; "
            "running ones finish first.",
            s->attr[UI_ROLE_WARN], true);
        return;
    }
    if (app->n_hostkeys && ui_app_ctx(app) == UI_CTX_CONFIRM) {
        snprintf(line, sizeof(line), "Host %s presents an unknown SSH key %s Trust it? [y/N]",
                 app->hostkeys[0].host, app->hostkeys[0].fingerprint);
        put(y, 0, app->width, line, s->attr[UI_ROLE_WARN], true);
        return;
    }
    if (app->message[0]) {
        put(y, 0, app->width, app->message,
            s->attr[app->message_error ? UI_ROLE_ERROR : UI_ROLE_NORMAL], true);
        return;
    }
    const char *keys[24], *labels[24];
    size_t n = ui_keys_bar(ui_app_ctx(app), keys, labels, 24);
    int x = 0;
    for (size_t i = 0; i < n && x < app->width; i++) {
        int kw = ui_text_width(keys[i]) + ui_text_width(labels[i]) + 3;
        if (x + kw > app->width)
            break;
        x += put(y, x, app->width - x, keys[i], s->attr[UI_ROLE_KEYBAR_KEY], false);
        x += put(y, x, app->width - x, " ", s->attr[UI_ROLE_KEYBAR], false);
        x += put(y, x, app->width - x, labels[i], s->attr[UI_ROLE_KEYBAR], false);
        x += put(y, x, app->width - x, "  ", s->attr[UI_ROLE_KEYBAR], false);
    }
}

static void draw_lines(const struct ui_lines *l, int top, int y0, int x, int width, int height,
                       const struct ui_screen *s)
{
    for (int r = 0; r < height && top + r < (int)l->n; r++) {
        if (top + r < 0)
            continue;
        put(y0 + r, x, width, l->v[top + r].text, s->attr[l->v[top + r].role], false);
    }
}

static void draw_tree(struct ui_app *app, const struct ui_screen *s, int y0, int width, int height)
{
    struct ui_tree *t = &app->tree;
    ui_tree_scroll(t, height);
    if (!app->lab) {
        put(y0, 1, width - 1, "Loading the lab...", s->attr[UI_ROLE_DIM], false);
        return;
    }
    if (t->filter[0] && t->n_rows <= 1)
        put(y0 + 1, 2, width - 2, "No match for the filter (Esc clears it).", s->attr[UI_ROLE_DIM],
            false);
    for (int r = 0; r < height && t->top + r < t->n_rows; r++) {
        int row = t->top + r, node = t->rows[row];
        bool sel = row == t->cursor;
        struct ui_row desc;
        struct ui_row_layout lay;
        ui_row_describe(t, node, &desc);
        ui_monitor_tree_badge(app, node, &desc);
        if (t->filter[0] && t->nodes[node].match)
            desc.name_role = UI_ROLE_MATCH;
        if (t->nodes[node].marked)
            desc.name_role = UI_ROLE_MARKED;
        ui_row_layout(&desc, width, app->utf8, &lay);
        if (sel)
            put(y0 + r, 0, width, "", s->attr[UI_ROLE_SELECTED], true);
        for (int i = 0; i < lay.n_spans; i++) {
            const struct ui_span *sp = &lay.spans[i];
            attr_t a = sel ? s->attr[UI_ROLE_SELECTED] : s->attr[sp->role];
            put(y0 + r, sp->x, sp->width, sp->text, a, false);
        }
    }
}

static void plan_lines(struct ui_app *app, struct ui_lines *o)
{
    const struct ui_plan *p = &app->plan;
    ui_lines_add(o, UI_ROLE_TITLE, "%s", p->title);
    switch (p->phase) {
    case UI_PLAN_BUILDING:
        ui_lines_add(o, UI_ROLE_SPINNER, "%s Building the plan...", spinner(app));
        break;
    case UI_PLAN_PREVIEW:
        if (app->read_only)
            ui_lines_add(o, UI_ROLE_WARN, "Read-only mode: this plan cannot be applied. Esc back.");
        else if (p->changes)
            ui_lines_add(o, UI_ROLE_WARN,
                         "Preview: %d change%s, %zu skipped.  y apply,  Esc cancel", p->changes,
                         p->changes == 1 ? "" : "s", p->n_steps - (size_t)p->changes);
        else
            ui_lines_add(o, UI_ROLE_OK, "Nothing to change (%zu skipped).  Esc back", p->n_steps);
        break;
    case UI_PLAN_APPLYING:
        ui_lines_add(o, UI_ROLE_SPINNER, "%s Applying...  (Esc leaves it running)", spinner(app));
        break;
    case UI_PLAN_DONE:
        ui_lines_add(o, p->ok ? UI_ROLE_OK : UI_ROLE_ERROR, "Done: %s  (Esc back)", p->summary);
        break;
    default:
        break;
    }
    ui_lines_add(o, UI_ROLE_NORMAL, "%s", "");
    for (size_t i = 0; i < p->preview.n; i++)
        ui_lines_add(o, UI_ROLE_NORMAL, "%s", p->preview.v[i].text);
    if (p->n_steps) {
        ui_lines_add(o, UI_ROLE_NORMAL, "%s", "");
        ui_lines_add(o, UI_ROLE_TITLE, "Steps");
    }
    static const char *const word[] = {"pending", "skipped", "running", "ok", "FAILED"};
    static const enum ui_role role[] = {UI_ROLE_DIM, UI_ROLE_DIM, UI_ROLE_SPINNER, UI_ROLE_OK,
                                        UI_ROLE_ERROR};
    for (size_t i = 0; i < p->n_steps; i++) {
        const struct ui_plan_step *st = &p->steps[i];
        unsigned k = (unsigned)st->state < 5 ? (unsigned)st->state : 0;
        ui_lines_add(o, role[k], "  [%-7s] %s: %s", word[k], st->target, st->text);
    }
}

static void draw_grid(struct ui_app *app, const struct ui_screen *s, int y0, int height)
{
    struct ui_grid *g = &app->grid;
    const struct nl_lab *lab = app->lab;
    char title[256];
    snprintf(title, sizeof(title), "%s  (%d row%s drift; space marks, p/t fix, Enter shows host)",
             g->title, g->n_drift, g->n_drift == 1 ? "" : "s");
    put(y0, 1, app->width - 1, title, s->attr[UI_ROLE_TITLE], false);
    int cw = 9, vw = 10;
    int hw = app->width - 3 - vw - UI_GRID_NCOLS * cw;
    if (hw < 12)
        hw = 12;
    int x = 2;
    put(y0 + 1, x, hw, "Host", s->attr[UI_ROLE_DIM], false);
    put(y0 + 1, x + hw, vw, "vSwitch", s->attr[UI_ROLE_DIM], false);
    for (int c = 0; c < UI_GRID_NCOLS; c++)
        put(y0 + 1, x + hw + vw + c * cw, cw, ui_grid_col_name((enum ui_grid_col)c),
            s->attr[UI_ROLE_DIM], false);
    int h = height - 2;
    if (g->cursor < g->top)
        g->top = g->cursor;
    if (g->cursor >= g->top + h)
        g->top = g->cursor - h + 1;
    if (!g->n_rows)
        put(y0 + 2, 2, app->width - 2, "No hosts.", s->attr[UI_ROLE_DIM], false);
    for (int r = 0; r < h && g->top + r < g->n_rows; r++) {
        const struct ui_grid_row *row = &g->rows[g->top + r];
        bool sel = g->top + r == g->cursor;
        int y = y0 + 2 + r;
        attr_t base = sel ? s->attr[UI_ROLE_SELECTED] : s->attr[UI_ROLE_NORMAL];
        if (sel)
            put(y, 0, app->width, "", base, true);
        put(y, 0, 1, row->marked ? "*" : " ", s->attr[UI_ROLE_MARKED], false);
        put(y, x, hw - 1, lab->hosts[row->host].name, base, false);
        put(y, x + hw, vw - 1,
            row->vswitch >= 0 ? lab->hosts[row->host].vswitches[row->vswitch].name : "-", base,
            false);
        for (int c = 0; c < UI_GRID_NCOLS; c++) {
            attr_t a = row->drift[c] ? s->attr[UI_ROLE_DRIFT]
                       : row->bad[c] ? s->attr[UI_ROLE_WARN]
                                     : base;
            if (sel && !row->drift[c])
                a = base;
            put(y, x + hw + vw + c * cw, cw - 1, row->value[c], a, false);
        }
    }
}

static void draw_journal(struct ui_app *app, const struct ui_screen *s, int y0, int height)
{
    put(y0, 1, app->width - 1, "Journal (newest first; u undoes the selected entry)",
        s->attr[UI_ROLE_TITLE], false);
    if (!app->journal.n)
        put(y0 + 2, 2, app->width - 2, "No changes have been applied yet.", s->attr[UI_ROLE_DIM],
            false);
    int h = height - 2, top = app->journal_cursor >= h ? app->journal_cursor - h + 1 : 0;
    for (int r = 0; r < h && top + r < (int)app->journal.n; r++) {
        const struct ui_journal_entry *e = &app->journal.v[top + r];
        char when[32] = "";
        struct tm tm;
        localtime_r(&e->when, &tm);
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
        char line[1024];
        snprintf(line, sizeof(line), " %s  %-7s %s%s", when, e->transport, e->summary,
                 e->undone      ? "  [undone]"
                 : !e->undoable ? "  [no undo]"
                                : "");
        bool sel = top + r == app->journal_cursor;
        put(y0 + 2 + r, 0, app->width, line,
            sel ? s->attr[UI_ROLE_SELECTED] : s->attr[e->undone ? UI_ROLE_DIM : UI_ROLE_NORMAL],
            sel);
    }
}

static void draw_body(struct ui_app *app, const struct ui_screen *s, int y0, int height)
{
    struct ui_lines tmp = {0};
    switch (app->view) {
    case UI_VIEW_TREE: {
        bool split = app->width >= 110;
        int tw = split ? app->width * 55 / 100 : app->width;
        draw_tree(app, s, y0, split ? tw - 1 : tw, height);
        if (split) {
            for (int r = 0; r < height; r++)
                put(y0 + r, tw, 1, app->utf8 ? "\xe2\x94\x82" : "|", s->attr[UI_ROLE_DIM], false);
            int node = ui_tree_selected(&app->tree);
            double samples[60];
            size_t ns = 0;
            if (node >= 0 && app->tree.nodes[node].kind == UI_NODE_HOST && app->be->perf_samples)
                ns = app->be->perf_samples(app->be->ctx, ui_node_id(&app->tree, node), samples, 60);
            if (app->lab)
                ui_detail_lines(&app->tree, node, samples, ns, app->utf8, &tmp);
            draw_lines(&tmp, 0, y0, tw + 2, app->width - tw - 2, height, s);
        }
        break;
    }
    case UI_VIEW_DETAIL: {
        int node = app->detail_node;
        double samples[60];
        size_t ns = 0;
        if (node >= 0 && app->tree.nodes[node].kind == UI_NODE_HOST && app->be->perf_samples)
            ns = app->be->perf_samples(app->be->ctx, ui_node_id(&app->tree, node), samples, 60);
        if (app->lab)
            ui_detail_lines(&app->tree, node, samples, ns, app->utf8, &tmp);
        draw_lines(&tmp, app->text_top, y0, 1, app->width - 1, height, s);
        break;
    }
    case UI_VIEW_HELP:
        draw_lines(&app->text, app->text_top, y0, 1, app->width - 1, height, s);
        break;
    case UI_VIEW_CHECKS:
        ui_lines_add(&tmp, UI_ROLE_TITLE, "Readiness checks  (R runs them again)");
        if (!app->checks.n)
            ui_lines_add(&tmp, UI_ROLE_DIM, "No results yet.");
        for (size_t i = 0; i < app->checks.n; i++)
            ui_lines_add(&tmp, app->checks.v[i].role, "%s", app->checks.v[i].text);
        draw_lines(&tmp, app->text_top, y0, 1, app->width - 1, height, s);
        break;
    case UI_VIEW_PLAN:
        plan_lines(app, &tmp);
        draw_lines(&tmp, app->text_top, y0, 1, app->width - 1, height, s);
        break;
    case UI_VIEW_GRID:
        draw_grid(app, s, y0, height);
        break;
    case UI_VIEW_JOURNAL:
        draw_journal(app, s, y0, height);
        break;
    case UI_VIEW_MONITOR:
        ui_monitor_lines(app, app->width - 1, height, &tmp);
        draw_lines(&tmp, 0, y0, 1, app->width - 1, height, s);
        break;
    }
    ui_lines_free(&tmp);
}

/* Greedy word wrap of text into lines of at most width columns (a longer word is cut). */
static void wrap_lines(struct ui_lines *out, enum ui_role role, const char *text, int width)
{
    char line[1024] = "";
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (!n)
            break;
        char cand[1024];
        /* A candidate longer than the buffer is cut; ui_text_width then decides the wrap. */
        if (snprintf(cand, sizeof(cand), "%s%s%.*s", line, line[0] ? " " : "", (int)n, p) < 0)
            break;
        if (line[0] && ui_text_width(cand) > width) {
            ui_lines_add(out, role, "%s", line);
            snprintf(line, sizeof(line), "%.*s", (int)n, p);
        } else {
            snprintf(line, sizeof(line), "%s", cand);
        }
        p += n;
    }
    if (line[0])
        ui_lines_add(out, role, "%s", line);
}

/* The oldest unknown host key as a box over the body: what to compare, and the question. */
static void draw_hostkey(struct ui_app *app, const struct ui_screen *s, int y0, int height)
{
    const struct ui_hostkey_ask *a = &app->hostkeys[0];
    int bw = app->width - 4 < 78 ? app->width - 4 : 78;
    if (bw < 20)
        return;
    struct ui_lines l = {0};
    char head[256];
    snprintf(head, sizeof(head), "Unknown SSH host key (%zu waiting)", app->n_hostkeys);
    ui_lines_add(&l, UI_ROLE_TITLE, "%s", app->n_hostkeys > 1 ? head : "Unknown SSH host key");
    char q[512];
    snprintf(q, sizeof(q), "Host %s presents an unknown SSH key", a->host);
    wrap_lines(&l, UI_ROLE_NORMAL, q, bw - 2);
    ui_lines_add(&l, UI_ROLE_WARN, "  %s", a->fingerprint);
    ui_lines_add(&l, UI_ROLE_NORMAL, "%s", "");
    wrap_lines(&l, UI_ROLE_DIM, a->text, bw - 2);
    wrap_lines(&l, UI_ROLE_DIM,
               "Compare it with the host's own: ssh-keygen -lf /etc/ssh/ssh_host_ecdsa_key.pub "
               "on its console. y records exactly this key; n leaves the host unread.",
               bw - 2);
    ui_lines_add(&l, UI_ROLE_NORMAL, "%s", "");
    ui_lines_add(&l, UI_ROLE_WARN, "%s", "Trust it? [y/N]");
    int rows = (int)l.n + 2 > height ? height : (int)l.n + 2;
    int top = y0 + (height - rows) / 2, x = (app->width - bw) / 2;
    attr_t frame = s->attr[UI_ROLE_WARN];
    for (int r = 0; r < rows; r++) {
        put(top + r, x, bw, "", frame, true);
        bool edge = r == 0 || r == rows - 1;
        put(top + r, x, 1, edge ? "+" : "|", frame, false);
        put(top + r, x + bw - 1, 1, edge ? "+" : "|", frame, false);
        for (int c = 1; edge && c < bw - 1; c++)
            put(top + r, x + c, 1, "-", frame, false);
        if (!edge && (size_t)(r - 1) < l.n)
            put(top + r, x + 1, bw - 2, l.v[r - 1].text, s->attr[l.v[r - 1].role], true);
    }
    ui_lines_free(&l);
}

void ui_screen_draw(struct ui_app *app, const struct ui_screen *s)
{
    erase();
    if (app->width < 20 || app->height < 5) {
        put(0, 0, app->width, "Terminal too small", s->attr[UI_ROLE_ERROR], false);
        wnoutrefresh(stdscr);
        return;
    }
    draw_header(app, s);
    draw_body(app, s, 1, ui_app_body_height(app));
    if (app->n_hostkeys && ui_app_ctx(app) == UI_CTX_CONFIRM && app->mode != UI_MODE_CONFIRM_QUIT)
        draw_hostkey(app, s, 1, ui_app_body_height(app));
    draw_status(app, s, app->height - 2);
    draw_bottom(app, s, app->height - 1);
    wnoutrefresh(stdscr);
}
