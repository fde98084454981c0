/* Shell completion: `nestlab __complete WORD... CURRENT` prints the candidates for CURRENT, one
 * per line, given the words before it. The bash and zsh scripts (tui/completion/) only call this,
 * so what completes is decided here, from the same verb and option tables as --help. Names come
 * from what is on disk (the config, the themes, the inventory caches), never the network. */
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/config.h"
#include "backend/core/term_text.h"
#include "backend/core/xdg.h"
#include "backend/core/xmalloc.h"
#include "backend/model/lab_json.h"
#include "tui/cli.h"
#include "tui/ui_theme.h"

/* A candidate goes to the shell, which shows it on the terminal: a name holding a character the
 * terminal would act on (a newline, ESC, C1, bidi controls) is not offered, since its escaped
 * form would complete to a different name. */
static void emit(FILE *out, const char *word, const char *prefix)
{
    if (!word || !*word || strncmp(word, prefix, strlen(prefix)) != 0)
        return;
    char *shown = nl_term_escape(word, 0);
    if (strcmp(shown, word) == 0)
        fprintf(out, "%s\n", word);
    free(shown);
}

static const struct cli_option *option_named(const char *word)
{
    size_t n;
    const struct cli_option *opts = cli_options(&n);
    for (size_t i = 0; i < n; i++) {
        if (word[0] == '-' && word[1] == '-' && strcmp(word + 2, opts[i].name) == 0)
            return &opts[i];
        if (word[0] == '-' && word[1] == opts[i].short_name && word[2] == '\0' && word[1])
            return &opts[i];
    }
    return NULL;
}

enum name_kind { NAMES_CLUSTERS, NAMES_HOSTS, NAMES_VMS };

/* Cluster, host or VM names of every cached inventory. */
static void cached_names(FILE *out, enum name_kind kind, const char *prefix)
{
    struct nl_err err = {0};
    char *dir = nl_xdg_dir(NL_XDG_CACHE, &err);
    if (!dir)
        return;
    char *pattern = xasprintf("%s/inventory-*.json", dir);
    free(dir);
    glob_t g;
    if (glob(pattern, 0, NULL, &g) == 0) {
        for (size_t f = 0; f < g.gl_pathc; f++) {
            nl_err_clear(&err);
            struct nl_lab *lab = nl_lab_load_cache(g.gl_pathv[f], &err);
            if (!lab)
                continue;
            if (kind == NAMES_CLUSTERS)
                for (size_t i = 0; i < lab->n_clusters; i++)
                    emit(out, lab->clusters[i].name, prefix);
            if (kind == NAMES_HOSTS)
                for (size_t i = 0; i < lab->n_hosts; i++)
                    emit(out, lab->hosts[i].name, prefix);
            if (kind == NAMES_VMS)
                for (size_t i = 0; i < lab->n_vms; i++)
                    emit(out, lab->vms[i].name, prefix);
            nl_lab_free(&lab);
        }
        globfree(&g);
    }
    free(pattern);
}

static void endpoint_names(FILE *out, const char *config_path, const char *prefix)
{
    struct nl_err err = {0};
    char *path =
        config_path ? xstrdup(config_path) : nl_xdg_path(NL_XDG_CONFIG, "config.json", &err);
    struct nl_config cfg = {0};
    if (path && nl_config_load(path, true, &cfg, &err) == NL_OK)
        for (size_t i = 0; i < cfg.n_endpoints; i++)
            emit(out, cfg.endpoints[i].name, prefix);
    nl_config_free(&cfg);
    free(path);
}

static void theme_names(FILE *out, const char *prefix)
{
    char *dirs[UI_THEME_DIRS_MAX];
    size_t n = ui_theme_dirs(cli_themes_dir(), dirs);
    char **names = NULL;
    size_t count = ui_theme_list((const char *const *)dirs, n, &names);
    for (size_t i = 0; i < count; i++) {
        emit(out, names[i], prefix);
        free(names[i]);
    }
    free(names);
    for (size_t i = 0; i < n; i++)
        free(dirs[i]);
}

static void option_values(FILE *out, const struct cli_option *o, const char *config_path,
                          const char *prefix)
{
    const char *v = o->values;
    if (!v)
        return;
    if (strcmp(v, CLI_VALUES_ENDPOINTS) == 0)
        endpoint_names(out, config_path, prefix);
    else if (strcmp(v, CLI_VALUES_THEMES) == 0)
        theme_names(out, prefix);
    else if (strcmp(v, CLI_VALUES_CLUSTERS) == 0)
        cached_names(out, NAMES_CLUSTERS, prefix);
    else if (strcmp(v, CLI_VALUES_HOSTS) == 0)
        cached_names(out, NAMES_HOSTS, prefix);
    else if (strcmp(v, CLI_VALUES_VMS) == 0)
        cached_names(out, NAMES_VMS, prefix);
    else {
        char *copy = xstrdup(v), *save = NULL;
        for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
            emit(out, w, prefix);
        free(copy);
    }
}

static void options_for(FILE *out, const struct cli_verb *verb, const char *prefix)
{
    size_t n;
    const struct cli_option *opts = cli_options(&n);
    for (size_t i = 0; i < n; i++) {
        if (opts[i].group && !(verb && (verb->groups & opts[i].group)))
            continue;
        char word[64];
        snprintf(word, sizeof word, "--%s", opts[i].name);
        emit(out, word, prefix);
    }
}

int cli_complete(int argc, char **argv, FILE *out)
{
    if (argc < 1)
        return 2;
    const char *cur = argv[argc - 1];
    const struct cli_verb *verb = NULL;
    const char *config_path = NULL;
    size_t positional = 0; /* arguments after the verb */
    for (int i = 0; i < argc - 1; i++) {
        const struct cli_option *o = option_named(argv[i]);
        if (o) {
            if (o->kind != CLI_OPT_FLAG && i + 1 < argc - 1) {
                if (strcmp(o->name, "config") == 0)
                    config_path = argv[i + 1];
                i++;
            }
            continue;
        }
        if (argv[i][0] == '-')
            continue;
        if (!verb) {
            verb = cli_verb_find(argv[i]);
        } else {
            positional++;
        }
    }
    const struct cli_option *prev = argc >= 2 ? option_named(argv[argc - 2]) : NULL;
    if (prev && prev->kind != CLI_OPT_FLAG) {
        option_values(out, prev, config_path, cur);
        return 0;
    }
    if (cur[0] == '-') {
        options_for(out, verb, cur);
        return 0;
    }
    size_t nv;
    const struct cli_verb *verbs = cli_verbs(&nv);
    if (!verb || !verb->run) {
        if (!verb || positional == 0)
            for (size_t i = 0; i < nv; i++)
                emit(out, verbs[i].name, cur);
        return 0;
    }
    if (strcmp(verb->name, "nested-hv") == 0 && positional == 0) {
        emit(out, "on", cur);
        emit(out, "off", cur);
        return 0;
    }
    /* VM names are the positional arguments of every verb that takes a scope. */
    if (verb->groups & CLI_G_SCOPE)
        cached_names(out, NAMES_VMS, cur);
    return 0;
}
