/* The console's behaviour without a terminal: keys in, state out, against the fake backend. */
#include <curses.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "tests/unit/tui/fake_backend.h"
#include "tests/unit/tui/fake_lab.h"
#include "tui/ui_app.h"

static void keys(struct ui_app *app, const char *s)
{
    for (; *s; s++)
        ui_app_key(app, (unsigned char)*s);
}

static void pump_until(struct ui_app *app, struct fake_backend *fb, bool (*done)(struct ui_app *))
{
    for (int i = 0; i < 400 && !done(app); i++) {
        fake_backend_wait_idle(fb, 5);
        ui_app_pump(app);
        struct timespec ts = {0, 5000000L};
        nanosleep(&ts, NULL);
    }
}

static bool plan_previewed(struct ui_app *app)
{
    return app->plan.phase == UI_PLAN_PREVIEW;
}

static bool plan_done(struct ui_app *app)
{
    return app->plan.phase == UI_PLAN_DONE;
}

static const char *sel(const struct ui_app *app)
{
    return ui_node_name(&app->tree, ui_tree_selected(&app->tree));
}

static void select_name(struct ui_app *app, const char *name)
{
    ui_app_key(app, '/');
    keys(app, name);
    ui_app_key(app, '\r');
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    char tmp[] = "/tmp/nl_app_XXXXXX";
    CHECK(mkdtemp(tmp) != NULL);
    setenv("XDG_CONFIG_HOME", tmp, 1);
    struct ui_backend be;
    struct fake_backend *fb = fake_backend_new(fake_lab_default(), 1, &be);
    struct ui_options opt = {.themes_dir = getenv("NL_THEMES_DIR")};
    struct ui_app app;
    ui_app_init(&app, &be, &opt);
    app.width = 120;
    app.height = 40;
    CHECK(app.lab == NULL);
    CHECK(ui_app_pump(&app));
    CHECK(app.lab != NULL);
    CHECK_STR(app.status.endpoint, "vc-lab");
    CHECK_STR(sel(&app), "vc-lab");

    /* Navigation: down to the first cluster, expand a host with l, back with h. */
    keys(&app, "jj");
    CHECK_STR(sel(&app), "Physical");
    keys(&app, "jl");
    CHECK_STR(sel(&app), "esx-p01.lab.invalid");
    CHECK(app.tree.nodes[ui_tree_selected(&app.tree)].expanded);
    ui_app_key(&app, UI_KEY_FN(KEY_DOWN));
    CHECK_STR(sel(&app), "kvm01");
    keys(&app, "h");
    CHECK_STR(sel(&app), "esx-p01.lab.invalid");
    ui_app_key(&app, UI_KEY_FN(KEY_END));
    CHECK_INT(app.tree.cursor, app.tree.n_rows - 1);
    ui_app_key(&app, UI_KEY_FN(KEY_HOME));
    CHECK_INT(app.tree.cursor, 0);

    /* Filter as you type, Enter keeps it, Esc in the tree clears it. */
    ui_app_key(&app, '/');
    CHECK_INT(ui_app_ctx(&app), UI_CTX_INPUT);
    keys(&app, "nested-b");
    CHECK_STR(sel(&app), "Nested-B");
    keys(&app, "q"); /* typed, not quit */
    CHECK(!app.quit);
    ui_app_key(&app, 127);
    ui_app_key(&app, '\r');
    CHECK_INT(app.mode, UI_MODE_NORMAL);
    CHECK_STR(app.tree.filter, "nested-b");
    CHECK(strstr(app.message, "1 match") != NULL);
    ui_app_key(&app, UI_KEY_ESC);
    CHECK_STR(app.tree.filter, "");
    CHECK_STR(sel(&app), "Nested-B");
    /* A UTF-8 filter. */
    ui_app_key(&app, '/');
    ui_app_key(&app, 0x6570); /* code points, as get_wch delivers them */
    ui_app_key(&app, 0x636e);
    ui_app_key(&app, '\r');
    CHECK_STR(sel(&app), "db-\xe6\x95\xb0\xe6\x8d\xae\xe5\xba\x93-01");
    ui_app_key(&app, UI_KEY_ESC);

    /* Jump between a nested-ESXi VM and its host. */
    select_name(&app, "n-esx02"); /* the VM, and the nested host by its backing VM's name */
    CHECK_STR(sel(&app), "n-esx02");
    keys(&app, "b");
    CHECK_STR(sel(&app), "esx-n02.lab.invalid");
    keys(&app, "b");
    CHECK_STR(sel(&app), "n-esx02");
    ui_app_key(&app, UI_KEY_ESC);

    /* Enter on a VM opens its details; Esc goes back. */
    select_name(&app, "vcsa");
    ui_app_key(&app, UI_KEY_ESC); /* clear the filter, keep the selection */
    ui_app_key(&app, '\r');
    CHECK_INT(app.view, UI_VIEW_DETAIL);
    CHECK_STR(ui_node_name(&app.tree, app.detail_node), "vcsa");
    ui_app_key(&app, UI_KEY_FN(KEY_BACKSPACE));
    CHECK_INT(app.view, UI_VIEW_TREE);

    /* Help comes from the key table; Esc leaves it. */
    keys(&app, "?");
    CHECK_INT(app.view, UI_VIEW_HELP);
    CHECK(ui_lines_find(&app.text, "Filter the tree as you type") >= 0);
    ui_app_key(&app, UI_KEY_ESC);
    CHECK_INT(app.view, UI_VIEW_TREE);

    /* Nested HV on a powered-off VM through the plan view. */
    select_name(&app, "kvm04");
    keys(&app, "n");
    CHECK_INT(app.view, UI_VIEW_PLAN);
    CHECK_INT(app.plan.phase, UI_PLAN_BUILDING);
    pump_until(&app, fb, plan_previewed);
    CHECK_INT(app.plan.phase, UI_PLAN_PREVIEW);
    CHECK_INT(app.plan.changes, 1);
    CHECK(strstr(app.plan.steps[0].text, "off -> on") != NULL);
    keys(&app, "y");
    CHECK_INT(app.plan.phase, UI_PLAN_APPLYING);
    pump_until(&app, fb, plan_done);
    CHECK_INT(app.plan.phase, UI_PLAN_DONE);
    CHECK(app.plan.ok);
    CHECK_INT(app.plan.steps[0].state, UI_STEP_OK);
    ui_app_pump(&app);
    CHECK_INT(nl_lab_find_vm_by_name(app.lab, "kvm04")->nested_hv, NL_TRI_TRUE);
    ui_app_key(&app, UI_KEY_ESC);
    CHECK_INT(app.view, UI_VIEW_TREE);
    CHECK_STR(sel(&app), "kvm04"); /* the new snapshot kept the selection */

    /* A powered-on VM is skipped with its reason, and nothing can be applied. */
    ui_app_key(&app, UI_KEY_ESC);
    select_name(&app, "n-esx01");
    ui_app_key(&app, UI_KEY_ESC);
    keys(&app, "n"); /* already on -> the intent is "off", refused while powered on */
    pump_until(&app, fb, plan_previewed);
    CHECK_INT(app.plan.changes, 0);
    CHECK(strstr(app.plan.steps[0].text, "powered on") != NULL);
    keys(&app, "y");
    CHECK(app.message_error);
    ui_app_key(&app, UI_KEY_ESC);
    CHECK_INT(app.view, UI_VIEW_TREE);
    CHECK_INT(app.plan.phase, UI_PLAN_NONE);

    /* Promiscuous on the Physical cluster: every host's vSwitch changes. */
    select_name(&app, "Physical");
    ui_app_key(&app, UI_KEY_ESC);
    keys(&app, "p");
    pump_until(&app, fb, plan_previewed);
    CHECK_INT(app.plan.changes, 2);
    CHECK(strstr(app.plan.title, "accept on 2 hosts") != NULL);
    keys(&app, "y");
    pump_until(&app, fb, plan_done);
    ui_app_pump(&app);
    CHECK_INT(
        nl_lab_find_host_by_name(app.lab, "esx-p01.lab.invalid")->vswitches[0].security.promiscuous,
        NL_TRI_TRUE);
    CHECK_INT(
        nl_lab_find_host_by_name(app.lab, "esx-p02.lab.invalid")->vswitches[0].security.promiscuous,
        NL_TRI_TRUE);
    CHECK_INT(
        nl_lab_find_host_by_name(app.lab, "esx-n01.lab.invalid")->vswitches[0].security.promiscuous,
        NL_TRI_FALSE);
    ui_app_key(&app, UI_KEY_ESC);

    /* Marks: two VMs marked with space form the scope. */
    select_name(&app, "web01");
    ui_app_key(&app, ' ');
    ui_app_key(&app, UI_KEY_ESC); /* clears the filter ... */
    int marked = 0;
    for (int i = 0; i < app.tree.n_nodes; i++)
        marked += app.tree.nodes[i].marked;
    CHECK_INT(marked, 0); /* ... and the marks */
    select_name(&app, "web0");
    CHECK_STR(sel(&app), "web01");
    ui_app_key(&app, ' ');
    for (int i = 0; i < 5 && strcmp(sel(&app), "web02"); i++)
        keys(&app, "j");
    CHECK_STR(sel(&app), "web02");
    ui_app_key(&app, ' ');
    keys(&app, "n");
    CHECK(strstr(app.plan.title, "on 2 VMs") != NULL);
    pump_until(&app, fb, plan_previewed);
    CHECK_INT(app.plan.n_steps, 2);
    ui_app_key(&app, UI_KEY_ESC);
    ui_app_key(&app, UI_KEY_ESC);

    /* The command line: the CLI's verbs; errors stay on the message line. */
    keys(&app, ":security --vswitch vSwitch0 --promiscuous reject --cluster Physical\r");
    CHECK_INT(app.view, UI_VIEW_PLAN);
    pump_until(&app, fb, plan_previewed);
    CHECK_INT(app.plan.changes, 2);
    ui_app_key(&app, UI_KEY_ESC);
    keys(&app, ":frobnicate\r");
    CHECK_INT(app.view, UI_VIEW_TREE);
    CHECK(app.message_error);
    CHECK(strstr(app.message, "frobnicate") != NULL);
    keys(&app, ":inventory\r");
    for (int i = 0; i < 50 && app.view == UI_VIEW_PLAN; i++)
        ui_app_pump(&app);
    CHECK_INT(app.view, UI_VIEW_TREE);
    CHECK(strstr(app.message, "6 hosts") != NULL);

    /* Journal and undo. */
    keys(&app, "J");
    CHECK_INT(app.view, UI_VIEW_JOURNAL);
    CHECK_INT(app.journal.n, 2);
    CHECK(strstr(app.journal.v[0].summary, "promiscuous") != NULL);
    keys(&app, "u"); /* undo the selected (newest) entry */
    CHECK_INT(app.view, UI_VIEW_PLAN);
    pump_until(&app, fb, plan_previewed);
    CHECK_INT(app.plan.changes, 2);
    keys(&app, "y");
    pump_until(&app, fb, plan_done);
    ui_app_pump(&app);
    CHECK_INT(
        nl_lab_find_host_by_name(app.lab, "esx-p01.lab.invalid")->vswitches[0].security.promiscuous,
        NL_TRI_FALSE);
    ui_app_key(&app, UI_KEY_ESC); /* plan -> journal */
    CHECK_INT(app.view, UI_VIEW_JOURNAL);
    ui_app_key(&app, UI_KEY_ESC);
    CHECK_INT(app.view, UI_VIEW_TREE);

    /* Grid of the selected cluster. */
    select_name(&app, "esx-p02");
    keys(&app, "g");
    CHECK_INT(app.view, UI_VIEW_GRID);
    CHECK_INT(app.grid.n_rows, 2);
    ui_app_key(&app, '\r'); /* back to the tree on that host */
    CHECK_INT(app.view, UI_VIEW_TREE);

    /* Quitting while a change runs asks first. */
    select_name(&app, "Nested-A");
    ui_app_key(&app, UI_KEY_ESC);
    keys(&app, "t");
    pump_until(&app, fb, plan_previewed);
    keys(&app, "y");
    keys(&app, "q");
    CHECK(app.quit || app.mode == UI_MODE_CONFIRM_QUIT);
    if (app.mode == UI_MODE_CONFIRM_QUIT) {
        keys(&app, "n");
        CHECK(!app.quit);
        CHECK_INT(app.mode, UI_MODE_NORMAL);
    }
    pump_until(&app, fb, plan_done);
    ui_app_key(&app, UI_KEY_ESC);

    /* Theme cycling. */
    char before[64];
    snprintf(before, sizeof(before), "%s", app.theme.name);
    keys(&app, "T");
    CHECK(strcmp(before, app.theme.name) != 0);
    CHECK(app.theme_changed);

    /* Readiness. */
    keys(&app, "R");
    CHECK_INT(app.view, UI_VIEW_CHECKS);
    ui_app_pump(&app);
    CHECK(ui_lines_find(&app.checks, "FAIL n-esx04") >= 0);
    CHECK_INT(app.checks.v[0].role, UI_ROLE_ERROR);
    ui_app_key(&app, UI_KEY_ESC);

    keys(&app, "q");
    CHECK(app.quit);
    ui_app_free(&app);
    fake_backend_free(&fb);

    /* Read-only: change keys are refused with a message and no plan. */
    fb = fake_backend_new(fake_lab_default(), 1, &be);
    opt.read_only = true;
    ui_app_init(&app, &be, &opt);
    ui_app_pump(&app);
    select_name(&app, "kvm04");
    keys(&app, "n");
    CHECK_INT(app.view, UI_VIEW_TREE);
    CHECK(app.message_error);
    CHECK(strstr(app.message, "Read-only") != NULL);
    keys(&app, "tpu");
    CHECK_INT(app.view, UI_VIEW_TREE);
    ui_app_free(&app);
    fake_backend_free(&fb);

    /* A broken theme file: a clear message and the default theme. */
    char path[600];
    snprintf(path, sizeof(path), "%s/nestlab", tmp);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/nestlab/themes", tmp);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/nestlab/themes/oops.json", tmp);
    FILE *f = fopen(path, "w");
    fputs("{\"roles\": [", f);
    fclose(f);
    fb = fake_backend_new(fake_lab_default(), 1, &be);
    opt.read_only = false;
    opt.theme = "oops";
    ui_app_init(&app, &be, &opt);
    CHECK_STR(app.theme.name, "default");
    CHECK(app.message_error);
    CHECK(strstr(app.message, "oops.json") != NULL);
    CHECK(strstr(app.message, "default theme") != NULL);
    ui_app_free(&app);
    fake_backend_free(&fb);
    remove(path);
    snprintf(path, sizeof(path), "%s/nestlab/themes", tmp);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/nestlab", tmp);
    rmdir(path);
    rmdir(tmp);
    return nl_check_done();
}
