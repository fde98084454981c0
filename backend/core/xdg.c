#include "backend/core/xdg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backend/core/xmalloc.h"

struct xdg_rule {
    const char *env;      /* XDG_CONFIG_HOME ... */
    const char *home_rel; /* fallback below $HOME */
};

static const struct xdg_rule rules[] = {
    [NL_XDG_CONFIG] = {"XDG_CONFIG_HOME", ".config"},
    [NL_XDG_CACHE] = {"XDG_CACHE_HOME", ".cache"},
    [NL_XDG_STATE] = {"XDG_STATE_HOME", ".local/state"},
    [NL_XDG_DATA] = {"XDG_DATA_HOME", ".local/share"},
};

char *nl_xdg_dir(enum nl_xdg_kind kind, struct nl_err *err)
{
    const struct xdg_rule *r = &rules[kind];
    const char *base = getenv(r->env);
    /* The spec says relative paths are invalid and must be ignored. */
    if (base && base[0] == '/')
        return xasprintf("%s/nestlab", base);
    const char *home = getenv("HOME");
    if (home && home[0] == '/')
        return xasprintf("%s/%s/nestlab", home, r->home_rel);
    NL_ERR(err, NL_ERR_USAGE, NULL,
           "Neither %s nor HOME is set to an absolute path, so nestlab does not know where to keep "
           "its files; set HOME.",
           r->env);
    return NULL;
}

enum nl_code nl_mkdir_p(const char *path, mode_t mode, struct nl_err *err)
{
    char *p = xstrdup(path);
    enum nl_code rc = NL_OK;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char saved = *s;
        *s = '\0';
        if (mkdir(p, mode) != 0 && errno != EEXIST) {
            rc = NL_ERR(err, NL_ERR_IO, NULL, "Cannot create the directory \"%s\": %s.", p,
                        strerror(errno));
            break;
        }
        *s = saved;
        if (saved == '\0')
            break;
    }
    if (rc == NL_OK) {
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            rc = NL_ERR(err, NL_ERR_IO, NULL, "\"%s\" exists but is not a directory.", path);
    }
    free(p);
    return rc;
}

char *nl_xdg_path(enum nl_xdg_kind kind, const char *name, struct nl_err *err)
{
    char *dir = nl_xdg_dir(kind, err);
    if (!dir)
        return NULL;
    if (nl_mkdir_p(dir, 0700, err) != NL_OK) {
        free(dir);
        return NULL;
    }
    char *path = xasprintf("%s/%s", dir, name);
    free(dir);
    return path;
}
