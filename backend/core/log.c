#include "backend/core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;
static enum nl_log_level log_min = NL_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

enum nl_code nl_log_open(const char *path, enum nl_log_level min_level, struct nl_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return NL_ERR(err, NL_ERR_IO, NULL, "Cannot open the log file \"%s\": %s.", path,
                      strerror(errno));
    FILE *f = fdopen(fd, "a");
    if (!f) {
        close(fd);
        return NL_ERR(err, NL_ERR_IO, NULL, "Cannot open the log file \"%s\".", path);
    }
    setvbuf(f, NULL, _IOLBF, 0);
    pthread_mutex_lock(&log_lock);
    if (log_file)
        fclose(log_file);
    log_file = f;
    log_min = min_level;
    pthread_mutex_unlock(&log_lock);
    return NL_OK;
}

void nl_log_close(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_file)
        fclose(log_file);
    log_file = NULL;
    pthread_mutex_unlock(&log_lock);
}

int nl_log_level_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
        if (strcasecmp(name, level_names[i]) == 0)
            return (int)i;
    return -1;
}

void nl_log(enum nl_log_level level, const char *where, const char *fmt, ...)
{
    pthread_mutex_lock(&log_lock);
    if (log_file && level >= log_min) {
        struct timespec ts;
        struct tm tm;
        char stamp[32];
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
        fprintf(log_file, "%s.%03ldZ %-5s %s: ", stamp, ts.tv_nsec / 1000000L, level_names[level],
                where ? where : "-");
        va_list ap;
        va_start(ap, fmt);
        vfprintf(log_file, fmt, ap);
        va_end(ap);
        fputc('\n', log_file);
    }
    pthread_mutex_unlock(&log_lock);
}

void nl_log_library(void *ctx, const char *fmt, ...)
{
    (void)ctx;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    /* libxml2 sends one message in several pieces, each possibly ending in a newline. */
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
        text[--n] = '\0';
    if (n > 0)
        nl_log(NL_LOG_DEBUG, "library", "%s", text);
}
