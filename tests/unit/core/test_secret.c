/* backend/core/secret: the process protection reads back, and the wiping allocation functions
 * behave like malloc's (contents kept on growth, NULL and size 0 handled). */
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "backend/core/secret.h"
#include "check.h"

int main(void)
{
    CHECK_INT(nl_secret_protect_process(), 0);
    CHECK_INT(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
    struct rlimit core = {1, 1};
    CHECK_INT(getrlimit(RLIMIT_CORE, &core), 0);
    CHECK(core.rlim_cur == 0 && core.rlim_max == 0);
    CHECK_INT(nl_secret_protect_process(), 0); /* idempotent */

    char *p = nl_wipe_realloc(NULL, 8);
    CHECK(p != NULL);
    memcpy(p, "secret!", 8);
    p = nl_wipe_realloc(p, 4); /* shrinking keeps the block */
    CHECK(p && memcmp(p, "secr", 4) == 0);
    p = nl_wipe_realloc(p, 1 << 20); /* growing moves it, contents kept */
    CHECK(p && memcmp(p, "secr", 4) == 0);
    p[(1 << 20) - 1] = 'x';
    CHECK(nl_wipe_realloc(p, 0) == NULL); /* frees */
    char *d = nl_wipe_strdup("pa$$w<>rd");
    CHECK_STR(d, "pa$$w<>rd");
    nl_wipe_free(d);
    nl_wipe_free(NULL);
    return nl_check_done();
}
