/* The key table is the single source of dispatch, help and key bar: check they agree. */
#include <curses.h>
#include <string.h>

#include "check.h"
#include "tui/ui_keys.h"

int main(void)
{
    struct ui_lines help = {0};
    ui_keys_help(&help);
    for (size_t i = 0; i < ui_n_keys; i++) {
        const struct ui_key *k = &ui_keys[i];
        CHECK(k->name && *k->name);
        CHECK(k->help && *k->help);
        CHECK(k->where != 0);
        CHECK(k->action > UI_ACT_NONE && k->action < UI_ACT_COUNT);
        /* Every binding dispatches to itself in every context it names (no shadowing). */
        for (int c = 0; c < UI_CTX_COUNT; c++)
            if (k->where & UI_IN(c)) {
                const struct ui_key *got = ui_key_lookup((enum ui_ctx)c, k->key);
                CHECK(got == k);
                if (got != k)
                    fprintf(stderr, "key %s in %s is shadowed\n", k->name,
                            ui_ctx_title((enum ui_ctx)c));
            }
        /* Every binding is on the help screen with its help text and key name. */
        bool found = false;
        for (size_t l = 0; l < help.n && !found; l++)
            found = strstr(help.v[l].text, k->help) && strstr(help.v[l].text, k->name);
        CHECK(found);
        if (!found)
            fprintf(stderr, "key %s (%s) missing from help\n", k->name, k->help);
    }
    /* Every action has a key. */
    for (int a = UI_ACT_NONE + 1; a < UI_ACT_COUNT; a++) {
        bool bound = false;
        for (size_t i = 0; i < ui_n_keys; i++)
            bound |= ui_keys[i].action == (enum ui_action)a;
        CHECK(bound);
        if (!bound)
            fprintf(stderr, "action %s has no key\n", ui_action_name((enum ui_action)a));
    }
    /* Every help line comes from the table (titles and blanks aside). */
    for (size_t l = 0; l < help.n; l++) {
        const char *line = help.v[l].text;
        if (help.v[l].role == UI_ROLE_TITLE || !*line)
            continue;
        bool from_table = false;
        for (size_t i = 0; i < ui_n_keys && !from_table; i++)
            from_table = strstr(line, ui_keys[i].help) != NULL;
        CHECK(from_table);
    }
    /* The keys the issue names, where it names them. */
    CHECK(ui_key_lookup(UI_CTX_TREE, '/')->action == UI_ACT_FILTER);
    CHECK(ui_key_lookup(UI_CTX_TREE, ':')->action == UI_ACT_COMMAND);
    CHECK(ui_key_lookup(UI_CTX_TREE, ' ')->action == UI_ACT_MARK);
    CHECK(ui_key_lookup(UI_CTX_TREE, 'n')->action == UI_ACT_NESTED_HV);
    CHECK(ui_key_lookup(UI_CTX_TREE, 't')->action == UI_ACT_TRUNK);
    CHECK(ui_key_lookup(UI_CTX_TREE, 'p')->action == UI_ACT_PROMISC);
    CHECK(ui_key_lookup(UI_CTX_TREE, 'g')->action == UI_ACT_GRID);
    CHECK(ui_key_lookup(UI_CTX_TREE, 'J')->action == UI_ACT_JOURNAL);
    CHECK(ui_key_lookup(UI_CTX_TREE, 'u')->action == UI_ACT_UNDO);
    CHECK(ui_key_lookup(UI_CTX_TREE, 'r')->action == UI_ACT_REFRESH);
    CHECK(ui_key_lookup(UI_CTX_TREE, 'T')->action == UI_ACT_THEME);
    CHECK(ui_key_lookup(UI_CTX_TREE, 'q')->action == UI_ACT_QUIT);
    CHECK(ui_key_lookup(UI_CTX_TREE, '?')->action == UI_ACT_HELP);
    CHECK(ui_key_lookup(UI_CTX_TREE, 'h')->action == UI_ACT_COLLAPSE);
    CHECK(ui_key_lookup(UI_CTX_TREE, 'l')->action == UI_ACT_EXPAND);
    CHECK(ui_key_lookup(UI_CTX_TREE, UI_KEY_FN(KEY_DOWN))->action == UI_ACT_DOWN);
    CHECK(ui_key_lookup(UI_CTX_TREE, UI_KEY_ESC)->action == UI_ACT_BACK);
    CHECK(ui_key_lookup(UI_CTX_PLAN, 'y')->action == UI_ACT_CONFIRM);
    CHECK(ui_key_lookup(UI_CTX_TREE, 'y') == NULL);  /* confirming exists only in the plan */
    CHECK(ui_key_lookup(UI_CTX_PLAN, 'n') == NULL);  /* no change keys inside a plan */
    CHECK(ui_key_lookup(UI_CTX_INPUT, 'q') == NULL); /* typing q in a filter types q */
    CHECK(ui_key_lookup(UI_CTX_CONFIRM, 'y')->action == UI_ACT_YES);
    /* Change keys are flagged so read-only mode can refuse them. */
    CHECK(ui_key_lookup(UI_CTX_TREE, 'n')->flags & UI_KF_CHANGE);
    CHECK(ui_key_lookup(UI_CTX_PLAN, 'y')->flags & UI_KF_CHANGE);
    CHECK(!(ui_key_lookup(UI_CTX_TREE, '/')->flags & UI_KF_CHANGE));

    /* Key bar: labels from the table, view keys before global ones. */
    const char *keys[32], *labels[32];
    size_t n = ui_keys_bar(UI_CTX_TREE, keys, labels, 32);
    CHECK(n >= 8);
    CHECK_STR(keys[0], "/");
    CHECK_STR(keys[n - 1], "q");
    n = ui_keys_bar(UI_CTX_PLAN, keys, labels, 32);
    CHECK(n >= 1);
    CHECK_STR(keys[0], "y");
    ui_lines_free(&help);
    return nl_check_done();
}
