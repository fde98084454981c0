/* bench_tui: milliseconds per keypress on a large lab, drawn by the real renderer into a curses
 * screen on /dev/null (so terminal output is produced, just not shown).
 *   bench_tui [--cache FILE | --vms N] [--max-ms MS]
 * Prints one line per operation: mean and worst ms over its repetitions, for key handling plus a
 * full redraw and doupdate. With --max-ms, exits 1 if any operation's mean exceeds it. */
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/model/lab_json.h"
#include "tests/unit/tui/fake_backend.h"
#include "tests/unit/tui/fake_lab.h"
#include "tui/ui_app.h"
#include "tui/ui_screen.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct bench {
    struct ui_app *app;
    struct ui_screen *scr;
    double max_ms;
    int failed;
};

static void frame(struct bench *b)
{
    ui_screen_draw(b->app, b->scr);
    doupdate();
}

/* Runs keys[] (each key one timed op: key + redraw) `reps` times. */
static void op(struct bench *b, const char *name, const int *keys, size_t n, int reps)
{
    double total = 0, worst = 0;
    int count = 0;
    for (int r = 0; r < reps; r++)
        for (size_t i = 0; i < n; i++) {
            double t0 = now_ms();
            ui_app_key(b->app, keys[i]);
            frame(b);
            double dt = now_ms() - t0;
            total += dt;
            worst = dt > worst ? dt : worst;
            count++;
        }
    double mean = total / count;
    bool over = b->max_ms > 0 && mean > b->max_ms;
    printf("%-28s %8.3f ms/op mean  %8.3f ms worst  (%d ops)%s\n", name, mean, worst, count,
           over ? "  OVER BUDGET" : "");
    b->failed |= over;
}

int main(int argc, char **argv)
{
    const char *cache = NULL;
    long vms = 10000;
    double max_ms = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--cache") == 0)
            cache = argv[i + 1];
        else if (strcmp(argv[i], "--vms") == 0)
            vms = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--max-ms") == 0)
            max_ms = strtod(argv[i + 1], NULL);
    }
    setlocale(LC_ALL, "C.UTF-8");
    struct nl_err err;
    nl_err_clear(&err);
    double t0 = now_ms();
    struct nl_lab *lab = cache ? nl_lab_load_cache(cache, &err) : fake_lab_scale((size_t)vms);
    if (!lab) {
        fprintf(stderr, "bench_tui: %s\n", err.message);
        return 1;
    }
    printf("lab: %zu hosts, %zu VMs (%s in %.1f ms)\n", lab->n_hosts, lab->n_vms,
           cache ? "loaded from the cache" : "generated", now_ms() - t0);

    setenv("LINES", "40", 1);
    setenv("COLUMNS", "120", 1);
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *s = newterm("xterm-256color", out, in);
    if (!s) {
        fprintf(stderr, "bench_tui: no xterm-256color terminfo entry\n");
        return 1;
    }
    struct ui_backend be;
    struct fake_backend *fb = fake_backend_new(lab, 1, &be);
    struct ui_options opt = {0};
    struct ui_app app;
    ui_app_init(&app, &be, &opt);
    getmaxyx(stdscr, app.height, app.width);
    struct ui_screen scr;
    ui_screen_theme(&scr, &app);
    t0 = now_ms();
    ui_app_pump(&app); /* takes the snapshot: clone + tree build */
    frame(&(struct bench){&app, &scr, 0, 0});
    printf("first snapshot (clone, tree, draw): %.1f ms; screen %dx%d\n", now_ms() - t0, app.width,
           app.height);

    struct bench b = {&app, &scr, max_ms, 0};
    int down[] = {'j'}, up[] = {'k'}, pgdn[] = {UI_KEY_FN(KEY_NPAGE)};
    op(&b, "move down (j)", down, 1, 200);
    op(&b, "move up (k)", up, 1, 100);
    op(&b, "page down", pgdn, 1, 20);
    /* Expand/collapse a host with ~140 VMs. */
    ui_app_key(&app, UI_KEY_FN(KEY_HOME));
    while (app.tree.nodes[ui_tree_selected(&app.tree)].kind != UI_NODE_HOST)
        ui_app_key(&app, 'j');
    int toggle[] = {'\r'};
    op(&b, "expand/collapse host", toggle, 1, 100);
    /* Expand every host: the tree then has 10,000+ visible rows. */
    for (int i = 0; i < app.tree.n_nodes; i++)
        app.tree.nodes[i].expanded = true;
    ui_tree_flatten(&app.tree);
    printf("visible rows with everything expanded: %d\n", app.tree.n_rows);
    op(&b, "move down, all expanded", down, 1, 200);
    op(&b, "page down, all expanded", pgdn, 1, 50);
    ui_app_key(&app, UI_KEY_FN(KEY_HOME));
    int collapse_root[] = {'\r'};
    op(&b, "collapse/expand endpoint", collapse_root, 1, 20);
    /* Incremental filter: each typed character re-filters 10,000 names. */
    int filter[] = {'/', 'v', 'm', '-', '0', '9', '9', '9', UI_KEY_ESC};
    op(&b, "filter keystroke", filter, sizeof(filter) / sizeof(filter[0]), 10);
    int jump[] = {'b'};
    op(&b, "jump (miss)", jump, 1, 20);

    ui_app_free(&app);
    fake_backend_free(&fb);
    endwin();
    delscreen(s);
    fclose(out);
    fclose(in);
    printf("%s\n", b.failed ? "bench_tui: over budget" : "bench_tui: ok");
    return b.failed;
}
