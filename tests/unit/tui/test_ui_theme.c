/* Theme files: the shipped ones parse, broken ones give clear messages and the default theme,
 * colours degrade to 16/8/none, the search path and the cycling order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "tui/ui_theme.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void expect_error(const char *text, const char *needle)
{
    struct ui_theme t, def;
    struct nl_err err;
    nl_err_clear(&err);
    ui_theme_builtin(&def);
    CHECK_INT(ui_theme_parse(text, "bad.json", &t, &err), NL_ERR_PARSE);
    CHECK(strstr(err.message, "bad.json") != NULL);
    CHECK(strstr(err.message, needle) != NULL);
    if (!strstr(err.message, needle))
        fprintf(stderr, "message: %s\n", err.message);
    CHECK(memcmp(&t, &def, sizeof(t)) == 0); /* the default theme, whole */
}

int main(void)
{
    const char *dir = getenv("NL_THEMES_DIR");
    CHECK(dir != NULL);
    const char *dirs[] = {dir};
    struct ui_theme t;
    struct nl_err err;

    /* Every shipped theme parses and names every role. */
    const char *shipped[] = {"default", "dark", "light", "high-contrast", "mono"};
    for (size_t i = 0; i < 5; i++) {
        nl_err_clear(&err);
        CHECK_INT(ui_theme_load(shipped[i], dirs, 1, &t, &err), NL_OK);
        CHECK_STR(t.name, shipped[i]);
        char path[512];
        snprintf(path, sizeof(path), "%s/%s.json", dir, shipped[i]);
        FILE *f = fopen(path, "r");
        char buf[16384];
        size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
        buf[n] = '\0';
        if (f)
            fclose(f);
        for (int r = 0; r < UI_ROLE_COUNT; r++) {
            char key[64];
            snprintf(key, sizeof(key), "\"%s\"", ui_role_name((enum ui_role)r));
            CHECK(strstr(buf, key) != NULL);
        }
    }
    /* Mono has no colours, only attributes. */
    ui_theme_load("mono", dirs, 1, &t, &err);
    for (int r = 0; r < UI_ROLE_COUNT; r++) {
        CHECK_INT(t.role[r].fg, UI_C_DEFAULT);
        CHECK_INT(t.role[r].bg, UI_C_DEFAULT);
    }
    CHECK(t.role[UI_ROLE_SELECTED].attrs & UI_A_REVERSE);

    /* Parsing details. */
    nl_err_clear(&err);
    CHECK_INT(ui_theme_parse("{\"name\":\"x\",\"roles\":{\"error\":{\"fg\":\"bright-red\","
                             "\"bg\":17,\"attrs\":[\"bold\",\"underline\"]}}}",
                             "x.json", &t, &err),
              NL_OK);
    CHECK_STR(t.name, "x");
    CHECK_INT(t.role[UI_ROLE_ERROR].fg, 9);
    CHECK_INT(t.role[UI_ROLE_ERROR].bg, 17);
    CHECK_INT(t.role[UI_ROLE_ERROR].attrs, UI_A_BOLD | UI_A_UNDERLINE);
    struct ui_theme def;
    ui_theme_builtin(&def);
    CHECK(memcmp(&t.role[UI_ROLE_OK], &def.role[UI_ROLE_OK], sizeof(def.role[0])) == 0);

    /* Broken files: each names the file and what is wrong. */
    expect_error("{\"roles\": {", "not valid JSON");
    expect_error("", "not valid JSON");
    expect_error("[1,2]", "must hold a JSON object");
    expect_error("{\"name\":\"x\"}", "\"roles\"");
    expect_error("{\"roles\":{\"selcted\":{}}}", "unknown role 'selcted'");
    expect_error("{\"roles\":{\"ok\":{\"fg\":\"chartreuse\"}}}", "unknown fg colour");
    expect_error("{\"roles\":{\"ok\":{\"bg\":300}}}", "unknown bg colour");
    expect_error("{\"roles\":{\"ok\":{\"attrs\":[\"blink\"]}}}", "unknown attribute 'blink'");
    expect_error("{\"roles\":{\"ok\":{\"attrs\":\"bold\"}}}", "must be a list");
    expect_error("{\"roles\":{\"ok\":{\"colour\":1}}}", "unknown key 'colour'");
    expect_error("{\"roles\":{\"ok\":\"red\"}}", "must be an object");

    /* Loading: missing theme, broken file on disk, path, names that try to escape. */
    char tmp[] = "/tmp/nl_theme_XXXXXX";
    CHECK(mkdtemp(tmp) != NULL);
    char path[512];
    snprintf(path, sizeof(path), "%s/broken.json", tmp);
    write_file(path, "{\"roles\": {\"ok\": {\"fg\": }}}");
    snprintf(path, sizeof(path), "%s/mine.json", tmp);
    write_file(path, "{\"name\":\"mine\",\"roles\":{\"ok\":{\"fg\":\"blue\"}}}");
    snprintf(path, sizeof(path), "%s/dark.json", tmp); /* the user's dark shadows the shipped */
    write_file(path, "{\"roles\":{\"ok\":{\"fg\":\"red\"}}}");
    const char *both[] = {tmp, dir};
    nl_err_clear(&err);
    CHECK_INT(ui_theme_load("broken", both, 2, &t, &err), NL_ERR_PARSE);
    CHECK(strstr(err.message, "broken.json") != NULL);
    CHECK_STR(t.name, "default");
    nl_err_clear(&err);
    CHECK_INT(ui_theme_load("nope", both, 2, &t, &err), NL_ERR_NOT_FOUND);
    CHECK(strstr(err.message, "'nope'") != NULL);
    nl_err_clear(&err);
    CHECK_INT(ui_theme_load("dark", both, 2, &t, &err), NL_OK);
    CHECK_INT(t.role[UI_ROLE_OK].fg, UI_C_RED);
    nl_err_clear(&err);
    CHECK_INT(ui_theme_load(path, NULL, 0, &t, &err), NL_OK); /* a path works too */
    nl_err_clear(&err);
    CHECK_INT(ui_theme_load("..", both, 2, &t, &err), NL_ERR_USAGE);
    nl_err_clear(&err);
    CHECK_INT(ui_theme_load("default", NULL, 0, &t, &err), NL_OK); /* built in */
    nl_err_clear(&err);
    CHECK_INT(ui_theme_load("/nonexistent/x.json", NULL, 0, &t, &err), NL_ERR_IO);

    /* The list: shipped order first, then the rest sorted, no duplicates. */
    char **names;
    size_t n = ui_theme_list(both, 2, &names);
    CHECK_INT(n, 7);
    CHECK_STR(names[0], "default");
    CHECK_STR(names[1], "dark");
    CHECK_STR(names[4], "mono");
    CHECK_STR(names[5], "broken");
    CHECK_STR(names[6], "mine");
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);

    /* The search path puts $XDG_CONFIG_HOME/nestlab/themes first, then
     * $XDG_DATA_HOME/nestlab/themes, then the installed themes. */
    setenv("XDG_CONFIG_HOME", tmp, 1);
    setenv("XDG_DATA_HOME", dir, 1);
    char *d[UI_THEME_DIRS_MAX];
    size_t nd = ui_theme_dirs(dir, d);
    CHECK_INT(nd, 3);
    snprintf(path, sizeof(path), "%s/nestlab/themes", tmp);
    CHECK_STR(d[0], path);
    snprintf(path, sizeof(path), "%s/nestlab/themes", dir);
    CHECK_STR(d[1], path);
    CHECK_STR(d[2], dir);
    for (size_t i = 0; i < nd; i++)
        free(d[i]);

    /* Resolving for the terminal. */
    struct ui_style out[UI_ROLE_COUNT];
    ui_theme_load("dark", dirs, 1, &t, &err);
    ui_theme_resolve(&t, 256, 0, out);
    CHECK_INT(out[UI_ROLE_NORMAL].bg, 235);
    ui_theme_resolve(&t, 16, 0, out);
    for (int r = 0; r < UI_ROLE_COUNT; r++)
        CHECK(out[r].fg < 16 && out[r].bg < 16);
    ui_theme_resolve(&t, 8, 0, out);
    for (int r = 0; r < UI_ROLE_COUNT; r++)
        CHECK(out[r].fg < 8 && out[r].bg < 8);
    ui_theme_load("high-contrast", dirs, 1, &t, &err);
    ui_theme_resolve(&t, 8, 0, out);
    CHECK_INT(out[UI_ROLE_ERROR].fg, UI_C_RED); /* bright-red -> red + bold */
    CHECK(out[UI_ROLE_ERROR].attrs & UI_A_BOLD);
    /* No colour (NO_COLOR, --no-color, mono terminal): attributes carry the meaning. */
    ui_theme_resolve(&t, 256, 1, out);
    for (int r = 0; r < UI_ROLE_COUNT; r++)
        CHECK(out[r].fg == UI_C_DEFAULT && out[r].bg == UI_C_DEFAULT);
    CHECK(out[UI_ROLE_SELECTED].attrs & UI_A_REVERSE);
    CHECK(out[UI_ROLE_DRIFT].attrs & UI_A_REVERSE);
    ui_theme_resolve(&t, 0, 0, out);
    CHECK(out[UI_ROLE_STATUS].attrs & UI_A_REVERSE);

    const char *files[] = {"broken.json", "mine.json", "dark.json"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", tmp, files[i]);
        remove(path);
    }
    rmdir(tmp);

    CHECK_INT(ui_role_find("drift"), UI_ROLE_DRIFT);
    CHECK_INT(ui_role_find("nope"), -1);
    return nl_check_done();
}
