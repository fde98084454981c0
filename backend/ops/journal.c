/* Journal file I/O: append one line, read them all back tolerating torn lines. */
#include "backend/ops/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend/core/xmalloc.h"
#include "backend/ops/plan_util.h"

#define JOURNAL_MAX_BYTES (64u * 1024 * 1024)

/* ---- ids -------------------------------------------------------------------------------- */

/* Ids are the UTC time to the microsecond plus the pid: they sort by time, and within one
 * process they strictly increase even when two change sets land in the same microsecond. */
static void new_id(char *id, size_t idsz, char *when, size_t whensz)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static long long last_us;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long us = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    pthread_mutex_lock(&lock);
    if (us <= last_us)
        us = last_us + 1;
    last_us = us;
    pthread_mutex_unlock(&lock);
    time_t sec = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
    snprintf(id, idsz, "%s.%06lldZ-%ld", stamp, us % 1000000, (long)getpid());
    strftime(when, whensz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- append ----------------------------------------------------------------------------- */

static enum nl_code write_all(int fd, const char *p, size_t n, const char *path, struct nl_err *err)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return NL_ERR(err, NL_ERR_IO, NULL, "Could not write the journal '%s': %s.", path,
                          strerror(errno));
        p += w;
        n -= (size_t)w;
    }
    return NL_OK;
}

enum nl_code ops_journal_append(const char *path, const struct ops_plan *plan,
                                const char *transport, char **id_out, struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    char id[64], when[32];
    char *line = NULL;
    int fd = -1;
    struct stat st;
    if (id_out)
        *id_out = NULL;
    if (!path || !plan)
        return NL_ERR(err, NL_ERR_USAGE, NULL, "A journal path and a plan are needed.");

    new_id(id, sizeof(id), when, sizeof(when));
    json_t *j = ops_plan_to_json(plan);
    json_t *entry = json_object();
    json_object_set_new(entry, "id", json_string(id));
    json_object_set_new(entry, "time", json_string(when));
    json_object_set_new(entry, "endpoint", json_incref(json_object_get(j, "endpoint")));
    json_object_set_new(entry, "transport", ops_json_str(transport ? transport : "unknown"));
    json_object_set_new(entry, "intent", json_incref(json_object_get(j, "intent")));
    json_object_set_new(entry, "intent_kind", json_incref(json_object_get(j, "intent_kind")));
    json_object_set_new(entry, "undo_of", json_incref(json_object_get(j, "undo_of")));
    json_object_set_new(entry, "summary", json_incref(json_object_get(j, "summary")));
    json_object_set_new(entry, "steps", json_incref(json_object_get(j, "steps")));
    json_decref(j);
    line = json_dumps(entry, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(entry);
    if (!line) {
        rc = NL_ERR(err, NL_ERR_INTERNAL, NULL, "Could not encode the journal entry.");
        goto cleanup;
    }

    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = NL_ERR(err, NL_ERR_IO, NULL, "Could not open the journal '%s': %s.", path,
                    strerror(errno));
        goto cleanup;
    }
    /* Another nestlab appending at the same moment must not interleave with us. */
    while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
        ;
    if (fstat(fd, &st) == 0 && (st.st_mode & 077))
        (void)fchmod(fd, 0600);
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        /* A torn last line (crash mid-write) must not swallow ours: start on a fresh line. */
        int rfd = open(path, O_RDONLY | O_CLOEXEC);
        char last = '\n';
        if (rfd >= 0) {
            if (pread(rfd, &last, 1, st.st_size - 1) != 1)
                last = '\n';
            close(rfd);
        }
        if (last != '\n' && (rc = write_all(fd, "\n", 1, path, err)) != NL_OK)
            goto cleanup;
    }
    size_t len = strlen(line);
    line[len] = '\n'; /* json_dumps gives no newline; overwrite the NUL, length known */
    if ((rc = write_all(fd, line, len + 1, path, err)) != NL_OK)
        goto cleanup;
    if (fsync(fd) != 0) {
        rc = NL_ERR(err, NL_ERR_IO, NULL, "Could not flush the journal '%s' to disk: %s.", path,
                    strerror(errno));
        goto cleanup;
    }
    if (id_out)
        *id_out = xstrdup(id);

cleanup:
    if (fd >= 0)
        close(fd); /* releases the lock */
    free(line);
    return rc;
}

/* ---- read ------------------------------------------------------------------------------- */

/* Takes ownership of msg. */
static void warn(struct ops_journal *jr, char *msg)
{
    jr->warnings = xrealloc(jr->warnings, (jr->n_warnings + 1) * sizeof(*jr->warnings));
    jr->warnings[jr->n_warnings++] = msg;
}

static void entry_clear(struct ops_journal_entry *e)
{
    free(e->id);
    free(e->time);
    free(e->endpoint);
    free(e->transport);
    free(e->intent);
    free(e->intent_kind);
    free(e->undo_of);
    for (size_t i = 0; i < e->n_steps; i++)
        ops_step_clear(&e->steps[i]);
    free(e->steps);
    memset(e, 0, sizeof(*e));
}

static char *get_str(const json_t *j, const char *key)
{
    return xstrdup(json_string_value(json_object_get(j, key)));
}

static bool entry_from_json(const json_t *j, struct ops_journal_entry *e)
{
    memset(e, 0, sizeof(*e));
    const json_t *steps = json_object_get(j, "steps");
    if (!json_is_object(j) || !json_is_string(json_object_get(j, "id")) || !json_is_array(steps))
        return false;
    e->id = get_str(j, "id");
    e->time = get_str(j, "time");
    e->endpoint = get_str(j, "endpoint");
    e->transport = get_str(j, "transport");
    e->intent = get_str(j, "intent");
    e->intent_kind = get_str(j, "intent_kind");
    e->undo_of = get_str(j, "undo_of");
    e->steps = xcalloc(json_array_size(steps) + 1, sizeof(*e->steps));
    for (size_t i = 0; i < json_array_size(steps); i++) {
        struct nl_err se = {0};
        if (ops_step_from_json(json_array_get(steps, i), &e->steps[i], &se) != NL_OK) {
            ops_step_clear(&e->steps[i]);
            entry_clear(e);
            return false;
        }
        e->n_steps++;
    }
    return true;
}

static void parse_line(struct ops_journal *jr, const char *text, size_t len, size_t lineno,
                       const char *path)
{
    json_error_t jerr;
    json_t *j = json_loadb(text, len, 0, &jerr);
    if (!j) {
        warn(jr, xasprintf("Line %zu of the journal '%s' is not valid JSON (a write cut short?) "
                           "and was skipped.",
                           lineno, path));
        return;
    }
    struct ops_journal_entry e;
    if (!entry_from_json(j, &e)) {
        warn(jr, xasprintf("Line %zu of the journal '%s' is not a journal entry and was skipped.",
                           lineno, path));
    } else {
        e.line = lineno;
        jr->entries = xrealloc(jr->entries, (jr->n_entries + 1) * sizeof(*jr->entries));
        jr->entries[jr->n_entries++] = e;
    }
    json_decref(j);
}

static void parse_lines(struct ops_journal *jr, const char *data, size_t len, const char *origin)
{
    size_t start = 0, lineno = 0;
    while (start < len) {
        const char *nl = memchr(data + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - data) : len;
        lineno++;
        size_t k = start;
        while (k < end && (data[k] == ' ' || data[k] == '\t' || data[k] == '\r'))
            k++;
        if (k < end)
            parse_line(jr, data + start, end - start, lineno, origin);
        start = end + 1;
    }
}

struct ops_journal *ops_journal_parse(const char *data, size_t len, const char *origin)
{
    struct ops_journal *jr = xcalloc(1, sizeof(*jr));
    parse_lines(jr, data, len, origin);
    return jr;
}

enum nl_code ops_journal_read(const char *path, struct ops_journal **out, struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    struct ops_journal *jr = xcalloc(1, sizeof(*jr));
    char *data = NULL;
    size_t len = 0, cap = 0;
    int fd = -1;
    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            goto done;
        rc = NL_ERR(err, NL_ERR_IO, NULL, "Could not open the journal '%s': %s.", path,
                    strerror(errno));
        goto cleanup;
    }
    for (;;) {
        if (len + 65536 > cap) {
            cap = cap ? cap * 2 : 65536 * 2;
            data = xrealloc(data, cap + 1);
        }
        ssize_t r = read(fd, data + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = NL_ERR(err, NL_ERR_IO, NULL, "Could not read the journal '%s': %s.", path,
                        strerror(errno));
            goto cleanup;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > JOURNAL_MAX_BYTES) {
            rc = NL_ERR(err, NL_ERR_LIMIT, NULL,
                        "The journal '%s' is larger than 64 MiB; move it aside to start a new "
                        "one.",
                        path);
            goto cleanup;
        }
    }
    parse_lines(jr, data, len, path);
done:
    *out = jr;
    jr = NULL;
cleanup:
    if (fd >= 0)
        close(fd);
    free(data);
    ops_journal_free(&jr);
    return rc;
}

void ops_journal_free(struct ops_journal **journal)
{
    if (!journal || !*journal)
        return;
    struct ops_journal *jr = *journal;
    for (size_t i = 0; i < jr->n_entries; i++)
        entry_clear(&jr->entries[i]);
    free(jr->entries);
    for (size_t i = 0; i < jr->n_warnings; i++)
        free(jr->warnings[i]);
    free(jr->warnings);
    free(jr);
    *journal = NULL;
}
