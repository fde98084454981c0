/* Theme files: parsing, the search path and adapting colours to the terminal. No curses here. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xdg.h"
#include "backend/core/xmalloc.h"
#include "tui/ui_theme.h"

static const char *const role_names[UI_ROLE_COUNT] = {
#define X(id, name, fg, bg, a, m, doc) name,
    UI_ROLES(X)
#undef X
};

#define D UI_C_DEFAULT
static const struct ui_style role_defaults[UI_ROLE_COUNT] = {
#define X(id, name, fg, bg, a, m, doc) {fg, bg, a},
    UI_ROLES(X)
#undef X
};
static const int role_mono[UI_ROLE_COUNT] = {
#define X(id, name, fg, bg, a, m, doc) m,
    UI_ROLES(X)
#undef X
};
#undef D

static const char *const colour_names[16] = {
    "black",        "red",           "green",       "yellow",         "blue",
    "magenta",      "cyan",          "white",       "bright-black",   "bright-red",
    "bright-green", "bright-yellow", "bright-blue", "bright-magenta", "bright-cyan",
    "bright-white",
};

static const struct {
    const char *name;
    int bit;
} attr_names[] = {
    {"bold", UI_A_BOLD},       {"dim", UI_A_DIM},       {"underline", UI_A_UNDERLINE},
    {"reverse", UI_A_REVERSE}, {"italic", UI_A_ITALIC}, {"standout", UI_A_STANDOUT},
};

/* The cycling order of the shipped themes; others follow sorted by name. */
static const char *const shipped[] = {"default", "dark", "light", "high-contrast", "mono"};

const char *ui_role_name(enum ui_role r)
{
    return (unsigned)r < UI_ROLE_COUNT ? role_names[r] : "?";
}

int ui_role_find(const char *name)
{
    for (int i = 0; i < UI_ROLE_COUNT; i++)
        if (strcmp(role_names[i], name) == 0)
            return i;
    return -1;
}

void ui_theme_builtin(struct ui_theme *t)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->name, sizeof(t->name), "default");
    memcpy(t->role, role_defaults, sizeof(t->role));
}

/* Returns the colour number, or -2 when the value is not a colour. */
static int colour_parse(const json_t *v)
{
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        return n >= 0 && n <= 255 ? (int)n : -2;
    }
    if (!json_is_string(v))
        return -2;
    const char *s = json_string_value(v);
    if (strcmp(s, "default") == 0)
        return UI_C_DEFAULT;
    if (strcmp(s, "grey") == 0 || strcmp(s, "gray") == 0)
        return UI_C_GREY;
    for (int i = 0; i < 16; i++)
        if (strcmp(s, colour_names[i]) == 0)
            return i;
    return -2;
}

static enum nl_code style_parse(json_t *obj, const char *origin, const char *role,
                                struct ui_style *st, struct nl_err *err)
{
    if (!json_is_object(obj))
        return NL_ERR(err, NL_ERR_PARSE, "theme",
                      "Theme file '%s': role '%s' must be an object like {\"fg\": \"red\"}.",
                      origin, role);
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (strcmp(key, "fg") == 0 || strcmp(key, "bg") == 0) {
            int c = colour_parse(v);
            if (c == -2)
                return NL_ERR(err, NL_ERR_PARSE, "theme",
                              "Theme file '%s': role '%s' has an unknown %s colour (use a name "
                              "such as \"red\", \"bright-blue\", \"default\" or 0-255).",
                              origin, role, key);
            if (key[0] == 'f')
                st->fg = c;
            else
                st->bg = c;
        } else if (strcmp(key, "attrs") == 0) {
            if (!json_is_array(v))
                return NL_ERR(err, NL_ERR_PARSE, "theme",
                              "Theme file '%s': role '%s' attrs must be a list such as "
                              "[\"bold\"].",
                              origin, role);
            st->attrs = 0;
            size_t i;
            json_t *a;
            json_array_foreach(v, i, a)
            {
                const char *an = json_is_string(a) ? json_string_value(a) : "";
                size_t k;
                for (k = 0; k < sizeof(attr_names) / sizeof(attr_names[0]); k++)
                    if (strcmp(an, attr_names[k].name) == 0)
                        break;
                if (k == sizeof(attr_names) / sizeof(attr_names[0]))
                    return NL_ERR(err, NL_ERR_PARSE, "theme",
                                  "Theme file '%s': role '%s' has an unknown attribute '%s' "
                                  "(bold, dim, underline, reverse, italic, standout).",
                                  origin, role, an);
                st->attrs |= attr_names[k].bit;
            }
        } else {
            return NL_ERR(err, NL_ERR_PARSE, "theme",
                          "Theme file '%s': role '%s' has an unknown key '%s' (fg, bg, attrs).",
                          origin, role, key);
        }
    }
    return NL_OK;
}

enum nl_code ui_theme_parse(const char *text, const char *origin, struct ui_theme *t,
                            struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    json_error_t jerr;
    struct ui_theme tmp;
    ui_theme_builtin(&tmp);
    ui_theme_builtin(t);
    json_t *root = json_loads(text ? text : "", 0, &jerr);
    if (!root) {
        rc = NL_ERR(err, NL_ERR_PARSE, "json", "Theme file '%s' is not valid JSON (line %d: %s).",
                    origin, jerr.line, jerr.text);
        goto cleanup;
    }
    if (!json_is_object(root)) {
        rc = NL_ERR(err, NL_ERR_PARSE, "theme", "Theme file '%s' must hold a JSON object.", origin);
        goto cleanup;
    }
    json_t *name = json_object_get(root, "name");
    if (json_is_string(name))
        snprintf(tmp.name, sizeof(tmp.name), "%s", json_string_value(name));
    json_t *roles = json_object_get(root, "roles");
    if (!json_is_object(roles)) {
        rc = NL_ERR(err, NL_ERR_PARSE, "theme",
                    "Theme file '%s' has no \"roles\" object mapping roles to colours.", origin);
        goto cleanup;
    }
    const char *key;
    json_t *v;
    json_object_foreach(roles, key, v)
    {
        int r = ui_role_find(key);
        if (r < 0) {
            rc = NL_ERR(err, NL_ERR_PARSE, "theme", "Theme file '%s' names an unknown role '%s'.",
                        origin, key);
            goto cleanup;
        }
        /* A role the file names is wholly the file's: what it leaves out is the terminal's
         * default, not the built-in colour. */
        tmp.role[r] = (struct ui_style){UI_C_DEFAULT, UI_C_DEFAULT, 0};
        rc = style_parse(v, origin, key, &tmp.role[r], err);
        if (rc != NL_OK)
            goto cleanup;
    }
    *t = tmp;
cleanup:
    json_decref(root);
    return rc;
}

static char *read_file_text(const char *path, struct nl_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        NL_ERR(err, NL_ERR_IO, NULL, "Cannot open theme file '%s': %s.", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = xmalloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len > 1024 * 1024) { /* a theme is a few kB; refuse anything absurd */
            NL_ERR(err, NL_ERR_LIMIT, NULL, "Theme file '%s' is larger than 1 MiB.", path);
            free(buf);
            fclose(f);
            return NULL;
        }
        if (cap - len < 2)
            buf = xrealloc(buf, cap *= 2);
    }
    buf[len] = '\0';
    fclose(f);
    return buf;
}

static int is_path(const char *name)
{
    size_t n = strlen(name);
    return strchr(name, '/') || (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

/* A theme name is a file name without directories: refuse anything that could escape the dir. */
static int name_is_plain(const char *name)
{
    if (!*name || name[0] == '.')
        return 0;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20)
            return 0;
    return 1;
}

enum nl_code ui_theme_load(const char *name, const char *const *dirs, size_t n_dirs,
                           struct ui_theme *t, struct nl_err *err)
{
    ui_theme_builtin(t);
    if (!name || !*name)
        name = "default";
    char *path = NULL;
    if (is_path(name)) {
        path = xstrdup(name);
    } else {
        if (!name_is_plain(name))
            return NL_ERR(err, NL_ERR_USAGE, NULL, "Theme name '%s' is not valid.", name);
        for (size_t i = 0; i < n_dirs && !path; i++) {
            if (!dirs[i])
                continue;
            char *p = xasprintf("%s/%s.json", dirs[i], name);
            FILE *f = fopen(p, "rb");
            if (f) {
                fclose(f);
                path = p;
            } else {
                free(p);
            }
        }
        if (!path) {
            if (strcmp(name, "default") == 0)
                return NL_OK;
            return NL_ERR(err, NL_ERR_NOT_FOUND, NULL,
                          "Theme '%s' was not found in the theme directories.", name);
        }
    }
    enum nl_code rc;
    char *text = read_file_text(path, err);
    if (!text) {
        rc = err ? err->code : NL_ERR_IO;
        goto cleanup;
    }
    rc = ui_theme_parse(text, path, t, err);
    if (rc == NL_OK && !is_path(name))
        snprintf(t->name, sizeof(t->name), "%s", name);
cleanup:
    free(text);
    free(path);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int shipped_rank(const char *n)
{
    for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++)
        if (strcmp(n, shipped[i]) == 0)
            return (int)i;
    return 100;
}

static int cmp_theme(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    int rx = shipped_rank(x), ry = shipped_rank(y);
    return rx != ry ? rx - ry : strcmp(x, y);
}

size_t ui_theme_list(const char *const *dirs, size_t n_dirs, char ***names)
{
    size_t n = 0, cap = 0;
    char **v = NULL;
    v = xgrow(v, &cap, n + 1, sizeof(*v));
    v[n++] = xstrdup("default");
    for (size_t i = 0; i < n_dirs; i++) {
        DIR *d = dirs[i] ? opendir(dirs[i]) : NULL;
        if (!d)
            continue;
        struct dirent *de;
        while ((de = readdir(d))) {
            size_t len = strlen(de->d_name);
            if (len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0 || de->d_name[0] == '.')
                continue;
            char *nm = xstrndup(de->d_name, len - 5);
            v = xgrow(v, &cap, n + 1, sizeof(*v));
            v[n++] = nm;
        }
        closedir(d);
    }
    qsort(v, n, sizeof(*v), cmp_str);
    size_t u = 0; /* drop duplicates (same name in two dirs) */
    for (size_t i = 0; i < n; i++) {
        if (u && strcmp(v[u - 1], v[i]) == 0)
            free(v[i]);
        else
            v[u++] = v[i];
    }
    qsort(v, u, sizeof(*v), cmp_theme);
    *names = v;
    return u;
}

/* xterm 256-colour index -> the nearest of the 16 ANSI colours. */
static int to16(int c)
{
    if (c < 16)
        return c;
    if (c >= 232) {
        int g = c - 232; /* 0..23 grey ramp */
        return g < 6 ? UI_C_BLACK : g < 16 ? UI_C_GREY : g < 21 ? UI_C_WHITE : 15;
    }
    int i = c - 16, r = i / 36, g = (i / 6) % 6, b = i % 6;
    int max = r > g ? (r > b ? r : b) : (g > b ? g : b);
    int ansi = (r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0);
    if (!ansi && max >= 2)
        ansi = (r == max ? 1 : 0) | (g == max ? 2 : 0) | (b == max ? 4 : 0);
    return ansi + (max >= 5 ? 8 : 0);
}

void ui_theme_resolve(const struct ui_theme *t, int ncolors, int no_color,
                      struct ui_style out[UI_ROLE_COUNT])
{
    for (int r = 0; r < UI_ROLE_COUNT; r++) {
        struct ui_style s = t->role[r];
        if (no_color || ncolors < 8) {
            /* Without colour every distinction rests on attributes: keep the theme's and add the
             * role's monochrome ones so the cursor, errors and drift stay visible. */
            s.fg = s.bg = UI_C_DEFAULT;
            s.attrs |= role_mono[r];
        } else if (ncolors < 256) {
            if (s.fg >= 16)
                s.fg = to16(s.fg);
            if (s.bg >= 16)
                s.bg = to16(s.bg);
            if (ncolors < 16) {
                if (s.fg >= 8) {
                    s.attrs |= s.fg == UI_C_GREY ? UI_A_DIM : UI_A_BOLD;
                    s.fg = s.fg == UI_C_GREY ? UI_C_WHITE : s.fg - 8;
                }
                if (s.bg >= 8)
                    s.bg = s.bg == UI_C_GREY ? UI_C_BLACK : s.bg - 8;
            }
        }
        out[r] = s;
    }
}

size_t ui_theme_dirs(const char *extra, char *dirs[UI_THEME_DIRS_MAX])
{
    size_t n = 0;
    static const enum nl_xdg_kind user_kinds[] = {NL_XDG_CONFIG, NL_XDG_DATA};
    for (size_t i = 0; i < sizeof user_kinds / sizeof user_kinds[0]; i++) {
        struct nl_err err;
        nl_err_clear(&err);
        char *base = nl_xdg_dir(user_kinds[i], &err);
        if (base)
            dirs[n++] = xasprintf("%s/themes", base);
        free(base);
    }
    if (extra)
        dirs[n++] = xstrdup(extra);
    return n;
}
