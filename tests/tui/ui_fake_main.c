/* ui_fake: the real console on the fake backend, for end-to-end tests under tmux and for trying
 * the console before the real backend is wired.
 *   ui_fake [--cache FILE | --generate N] [--write-cache FILE] [--theme NAME] [--themes-dir DIR]
 *           [--no-color] [--read-only] [--filter TEXT] [--step-ms N]
 * Without --cache or --generate it shows the built-in default lab. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/model/lab_json.h"
#include "tests/unit/tui/fake_backend.h"
#include "tests/unit/tui/fake_lab.h"
#include "tui/ui.h"

static int usage(void)
{
    fprintf(stderr, "usage: ui_fake [--cache FILE | --generate N] [--write-cache FILE] "
                    "[--theme NAME] [--themes-dir DIR] [--no-color] [--read-only] "
                    "[--filter TEXT] [--step-ms N]\n");
    return 2;
}

int main(int argc, char **argv)
{
    struct ui_options opt = {0};
    const char *cache = NULL, *write_cache = NULL;
    long generate = -1, step_ms = 300;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--no-color") == 0) {
            opt.no_color = true;
            continue;
        }
        if (strcmp(a, "--read-only") == 0) {
            opt.read_only = true;
            continue;
        }
        if (!v)
            return usage();
        i++;
        if (strcmp(a, "--cache") == 0)
            cache = v;
        else if (strcmp(a, "--write-cache") == 0)
            write_cache = v;
        else if (strcmp(a, "--generate") == 0)
            generate = strtol(v, NULL, 10);
        else if (strcmp(a, "--theme") == 0)
            opt.theme = v;
        else if (strcmp(a, "--themes-dir") == 0)
            opt.themes_dir = v;
        else if (strcmp(a, "--filter") == 0)
            opt.filter = v;
        else if (strcmp(a, "--step-ms") == 0)
            step_ms = strtol(v, NULL, 10);
        else
            return usage();
    }
    struct nl_err err;
    nl_err_clear(&err);
    struct nl_lab *lab;
    if (cache) {
        lab = nl_lab_load_cache(cache, &err);
        if (!lab) {
            fprintf(stderr, "ui_fake: %s\n", err.message);
            return 1;
        }
    } else if (generate >= 0) {
        lab = fake_lab_scale((size_t)generate);
    } else {
        lab = fake_lab_default();
    }
    if (write_cache) {
        enum nl_code rc = nl_lab_save_cache(lab, write_cache, &err);
        if (rc != NL_OK)
            fprintf(stderr, "ui_fake: %s\n", err.message);
        nl_lab_free(&lab);
        return rc == NL_OK ? 0 : 1;
    }
    if (!opt.themes_dir)
        opt.themes_dir = NL_SOURCE_THEMES_DIR;
    struct ui_backend be;
    struct fake_backend *fb = fake_backend_new(lab, (int)step_ms, &be);
    int rc = ui_run(&be, &opt);
    fake_backend_free(&fb);
    return rc;
}
