#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/core/log.h"
#include "check.h"

int main(void)
{
    struct nl_err err = {0};
    char path[] = "/tmp/nl-log-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    unlink(path);

    NL_INFO("dropped: no log open yet");
    CHECK_INT(nl_log_open(path, NL_LOG_INFO, &err), NL_OK);
    NL_DEBUG("below the level");
    NL_INFO("inventory of \"%s\" took %d ms", "vc-lab", 42);
    NL_ERROR("boom");
    nl_log_close();

    FILE *f = fopen(path, "r");
    char text[4096] = {0};
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    CHECK(n > 0);
    CHECK(strstr(text, "dropped") == NULL);
    CHECK(strstr(text, "below the level") == NULL);
    CHECK(strstr(text, "info  main: inventory of \"vc-lab\" took 42 ms") != NULL);
    CHECK(strstr(text, "error main: boom") != NULL);

    struct stat st;
    CHECK_INT(stat(path, &st), 0);
    CHECK_INT(st.st_mode & 0777, 0600);

    CHECK_INT(nl_log_level_parse("WARN"), NL_LOG_WARN);
    CHECK_INT(nl_log_level_parse("loud"), -1);
    CHECK_INT(nl_log_open("/nonexistent-dir/x.log", NL_LOG_INFO, &err), NL_ERR_IO);
    CHECK(strstr(err.message, "/nonexistent-dir/x.log") != NULL);
    unlink(path);
    return nl_check_done();
}
