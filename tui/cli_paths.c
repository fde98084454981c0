/* Where the files nestlab ships with are: installed under the binary's prefix
 * (PREFIX/bin/nestlab -> PREFIX/share/nestlab/themes), or in the source tree for a build that
 * was never installed. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/core/xmalloc.h"
#include "tui/cli.h"

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* PREFIX/share/nestlab/themes for the running binary, or NULL. */
static char *installed_themes(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0'; /* PREFIX/bin */
    char *dir = xasprintf("%s/../share/nestlab/themes", exe);
    if (is_dir(dir))
        return dir;
    free(dir);
    return NULL;
}

const char *cli_themes_dir(void)
{
    static char *found;
    const char *env = getenv("NESTLAB_THEMES_DIR");
    if (env && *env)
        return env;
    if (!found)
        found = installed_themes();
    if (found)
        return found;
#ifdef NESTLAB_SOURCE_THEMES_DIR
    return NESTLAB_SOURCE_THEMES_DIR;
#else
    return NULL;
#endif
}
