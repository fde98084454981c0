#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/core/xdg.h"
#include "check.h"

static void check_dir(enum nl_xdg_kind kind, const char *want)
{
    struct nl_err err = {0};
    char *dir = nl_xdg_dir(kind, &err);
    CHECK_STR(dir, want);
    free(dir);
}

int main(void)
{
    struct nl_err err = {0};
    char tmpl[] = "/tmp/nl-xdg-XXXXXX";
    CHECK(mkdtemp(tmpl) != NULL);

    setenv("HOME", "/home/lab user", 1);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("XDG_CACHE_HOME");
    unsetenv("XDG_STATE_HOME");
    check_dir(NL_XDG_CONFIG, "/home/lab user/.config/nestlab");
    check_dir(NL_XDG_CACHE, "/home/lab user/.cache/nestlab");
    check_dir(NL_XDG_STATE, "/home/lab user/.local/state/nestlab");

    setenv("XDG_CONFIG_HOME", "/x/config", 1);
    setenv("XDG_CACHE_HOME", "/x/cache", 1);
    setenv("XDG_STATE_HOME", "/x/state", 1);
    check_dir(NL_XDG_CONFIG, "/x/config/nestlab");
    check_dir(NL_XDG_CACHE, "/x/cache/nestlab");
    check_dir(NL_XDG_STATE, "/x/state/nestlab");

    /* Relative values are invalid per the spec and ignored; empty too. */
    setenv("XDG_CONFIG_HOME", "relative/dir", 1);
    setenv("XDG_CACHE_HOME", "", 1);
    check_dir(NL_XDG_CONFIG, "/home/lab user/.config/nestlab");
    check_dir(NL_XDG_CACHE, "/home/lab user/.cache/nestlab");

    /* Neither usable: a clear error. */
    unsetenv("HOME");
    CHECK(nl_xdg_dir(NL_XDG_CONFIG, &err) == NULL);
    CHECK_INT(err.code, NL_ERR_USAGE);
    CHECK(strstr(err.message, "HOME") != NULL);

    /* nl_xdg_path creates the directory, private to the user. */
    nl_err_clear(&err);
    char base[256];
    snprintf(base, sizeof(base), "%s/state", tmpl);
    setenv("XDG_STATE_HOME", base, 1);
    char *path = nl_xdg_path(NL_XDG_STATE, "journal.jsonl", &err);
    char want[300];
    snprintf(want, sizeof(want), "%s/state/nestlab/journal.jsonl", tmpl);
    CHECK_STR(path, want);
    free(path);
    struct stat st;
    snprintf(want, sizeof(want), "%s/state/nestlab", tmpl);
    CHECK_INT(stat(want, &st), 0);
    CHECK_INT(st.st_mode & 0777, 0700);

    /* mkdir -p through a file fails clearly. */
    snprintf(want, sizeof(want), "%s/file", tmpl);
    FILE *f = fopen(want, "w");
    fclose(f);
    snprintf(want, sizeof(want), "%s/file/sub", tmpl);
    nl_err_clear(&err);
    CHECK_INT(nl_mkdir_p(want, 0700, &err), NL_ERR_IO);
    CHECK(strstr(err.message, "file") != NULL);
    return nl_check_done();
}
