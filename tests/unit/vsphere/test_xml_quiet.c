/* The terminal belongs to curses: a reply in a broken encoding must not make libxml2 print its own
 * diagnostics to stderr from any of nestlab's XML readers (the SOAP stream, esxcli XML, the perf
 * parsers), on any thread. Found by the fuzzers (tests/fuzz). */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#include "backend/esxi/esx_xml.h"
#include "backend/perf/perf_counter.h"
#include "backend/perf/perf_query.h"
#include "backend/vsphere/vs_soap.h"

/* Declares ISO-2022-JP, then bytes that are not ISO-2022-JP. */
static const char bad[] = "<?xml version=\"1.0\" encoding=\"ISO-2022-JP\"?><a>\x1b$B\xff\xff</a>";

static void *parse_all(void *arg)
{
    (void)arg;
    struct vs_reply r = {0};
    struct nl_err e1 = {0}, e2 = {0}, e3 = {0}, e4 = {0};
    CHECK(vs_reply_parse("RetrievePropertiesEx", "test", 500, bad, sizeof(bad) - 1, 0, NULL, 0, &r,
                         &e1) != NL_OK);
    vs_reply_clear(&r);
    struct esx_records *recs = NULL;
    CHECK(esx_xml_parse(bad, sizeof(bad) - 1, &recs, &e2) != NL_OK);
    struct perf_counter_map *m = NULL;
    CHECK(perf_counter_map_parse(bad, sizeof(bad) - 1, &m, &e3) != NL_OK);
    struct perf_batch *b = NULL;
    m = perf_counter_map_new();
    CHECK(perf_query_parse(bad, sizeof(bad) - 1, m, &b, &e4) != NL_OK);
    perf_counter_map_free(&m);
    return NULL;
}

int main(void)
{
    char path[] = "/tmp/nl-xml-quiet-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    parse_all(NULL);
    pthread_t t;
    pthread_create(&t, NULL, parse_all, NULL);
    pthread_join(t, NULL);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    if (st.st_size != 0) {
        char buf[512] = "";
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        buf[n > 0 ? n : 0] = '\0';
        fprintf(stderr, "stderr got %lld bytes: %s\n", (long long)st.st_size, buf);
    }
    CHECK_INT(st.st_size, 0);
    close(fd);
    unlink(path);
    return nl_check_done();
}
