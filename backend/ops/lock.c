#include "backend/ops/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "backend/core/xmalloc.h"

struct ops_lock {
    int fd;
};

static void read_holder(int fd, char *out, size_t size)
{
    ssize_t n = pread(fd, out, size - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    char *nl = strchr(out, '\n');
    if (nl)
        *nl = '\0';
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = '?';
    if (!out[0])
        snprintf(out, size, "another nestlab");
}

static void write_holder(int fd, const char *what)
{
    char when[32], line[300];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    int n = snprintf(line, sizeof(line), "pid %ld: %s, since %s\n", (long)getpid(),
                     what ? what : "nestlab", when);
    if (ftruncate(fd, 0) == 0 && n > 0)
        (void)!pwrite(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1, 0);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum nl_code ops_lock_acquire(const char *path, const char *endpoint, const char *what, int wait_s,
                              ops_lock_wait_fn on_wait, void *user, struct ops_lock **out,
                              struct nl_err *err)
{
    *out = NULL;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return NL_ERR(err, NL_ERR_IO, NULL, "Could not open the lock file '%s': %s.", path,
                      strerror(errno));
    long long deadline = now_ms() + (long long)(wait_s > 0 ? wait_s : 0) * 1000;
    bool told = false;
    char holder[300];
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            break;
        if (errno == EINTR)
            continue;
        if (errno != EWOULDBLOCK) {
            NL_ERR(err, NL_ERR_IO, NULL, "Could not lock '%s': %s.", path, strerror(errno));
            close(fd);
            return NL_ERR_IO;
        }
        read_holder(fd, holder, sizeof(holder));
        if (now_ms() >= deadline) {
            if (wait_s > 0)
                NL_ERR(err, NL_ERR_STATE, "busy",
                       "Another nestlab is still changing \"%s\" after %d s (%s); nothing was "
                       "changed. Try again when it is done.",
                       endpoint, wait_s, holder);
            else
                NL_ERR(err, NL_ERR_STATE, "busy",
                       "Another nestlab is changing \"%s\" (%s); nothing was changed. Wait for "
                       "it with --wait SECONDS, or try again when it is done.",
                       endpoint, holder);
            close(fd);
            return NL_ERR_STATE;
        }
        if (!told && on_wait)
            on_wait(holder, wait_s, user);
        told = true;
        usleep(100 * 1000);
    }
    write_holder(fd, what);
    *out = xcalloc(1, sizeof(**out));
    (*out)->fd = fd;
    return NL_OK;
}

void ops_lock_release(struct ops_lock **lock)
{
    if (!lock || !*lock)
        return;
    /* The holder line stays: it is only read while the file is locked by someone. */
    close((*lock)->fd);
    free(*lock);
    *lock = NULL;
}
