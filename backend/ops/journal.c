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

/* ---- records ---------------------------------------------------------------------------- */

static enum nl_code write_all(int fd, const char *p, size_t n, const char *path, struct nl_err *err)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return NL_ERR(err, NL_ERR_IO, NULL, "Could not write the journal '%s': %s.", path,
                          errno ? strerror(errno) : "short write");
        p += w;
        n -= (size_t)w;
    }
    return NL_OK;
}

static enum nl_code open_journal(const char *path, int *fd, struct nl_err *err)
{
    struct stat st;
    *fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (*fd < 0)
        return NL_ERR(err, NL_ERR_IO, NULL, "Could not open the journal '%s': %s.", path,
                      strerror(errno));
    if (fstat(*fd, &st) == 0 && (st.st_mode & 077))
        (void)fchmod(*fd, 0600);
    return NL_OK;
}

/* Appends rec as one line: one write() under an exclusive flock, so another nestlab appending
 * at the same moment never interleaves with it. When the file ends in a torn line (a crash
 * mid-write), the write starts with a newline so that line cannot swallow this one. fsync when
 * sync. */
static enum nl_code append_record(int fd, const char *path, json_t *rec, bool sync,
                                  struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    char *text = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text)
        return NL_ERR(err, NL_ERR_INTERNAL, NULL, "Could not encode a journal record.");
    size_t len = strlen(text);
    char *line = xmalloc(len + 3);
    while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
        ;
    struct stat st;
    char last = '\n';
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        int rfd = open(path, O_RDONLY | O_CLOEXEC);
        if (rfd >= 0) {
            if (pread(rfd, &last, 1, st.st_size - 1) != 1)
                last = '\n';
            close(rfd);
        }
    }
    size_t n = 0;
    if (last != '\n')
        line[n++] = '\n';
    /* a record line: its end is n, not a NUL */
    memcpy(line + n, text, len); /* NOLINT(bugprone-not-null-terminated-result) */
    n += len;
    line[n++] = '\n';
    rc = write_all(fd, line, n, path, err);
    (void)flock(fd, LOCK_UN);
    if (rc == NL_OK && sync && fsync(fd) != 0)
        rc = NL_ERR(err, NL_ERR_IO, NULL, "Could not flush the journal '%s' to disk: %s.", path,
                    strerror(errno));
    free(line);
    free(text);
    return rc;
}

/* The whole change set as one object: the "begin" and "end" records (and format 1's lines). */
static json_t *entry_record(const char *rec, const char *id, const char *when,
                            const struct ops_plan *plan, const char *transport)
{
    json_t *j = ops_plan_to_json(plan);
    json_t *entry = json_object();
    json_object_set_new(entry, "v", json_integer(OPS_JOURNAL_VERSION));
    json_object_set_new(entry, "rec", json_string(rec));
    json_object_set_new(entry, "id", json_string(id));
    json_object_set_new(entry, "time", json_string(when));
    json_object_set_new(entry, "endpoint", json_incref(json_object_get(j, "endpoint")));
    json_object_set_new(entry, "transport", ops_json_str(transport ? transport : "unknown"));
    json_object_set_new(entry, "intent", json_incref(json_object_get(j, "intent")));
    json_object_set_new(entry, "intent_kind", json_incref(json_object_get(j, "intent_kind")));
    json_object_set_new(entry, "undo_of", json_incref(json_object_get(j, "undo_of")));
    json_object_set_new(entry, "summary", json_incref(json_object_get(j, "summary")));
    if (plan->verify_error)
        json_object_set_new(entry, "verify_error", ops_json_str(plan->verify_error));
    json_object_set_new(entry, "steps", json_incref(json_object_get(j, "steps")));
    json_decref(j);
    return entry;
}

/* A step's outcome: {"v":2,"rec":"step","id":..,"step":N,"result":..,"error":..}. */
static json_t *step_record(const char *id, size_t index, const struct ops_step *s,
                           const char *settled)
{
    json_t *rec = json_object();
    json_object_set_new(rec, "v", json_integer(OPS_JOURNAL_VERSION));
    json_object_set_new(rec, "rec", json_string(settled ? "settle" : "step"));
    json_object_set_new(rec, "id", json_string(id));
    json_object_set_new(rec, "step", json_integer((json_int_t)index));
    json_object_set_new(rec, "result", json_string(ops_result_name(s->result)));
    ops_error_to_json(rec, &s->error);
    if (settled)
        json_object_set_new(rec, "note", ops_json_str(settled));
    return rec;
}

/* ---- the write-ahead journal of one apply --------------------------------------------------- */

struct ops_wal {
    pthread_mutex_t lock; /* one record at a time from this process (flock is per open file) */
    int fd;
    char *path;
    char id[64];
    bool ended;
    struct nl_err first_err; /* the first record that could not be written */
};

enum nl_code ops_wal_begin(const char *path, const struct ops_plan *plan, const char *transport,
                           struct ops_wal **out, struct nl_err *err)
{
    char when[32];
    *out = NULL;
    if (!path || !plan)
        return NL_ERR(err, NL_ERR_USAGE, NULL, "A journal path and a plan are needed.");
    struct ops_wal *w = xcalloc(1, sizeof(*w));
    pthread_mutex_init(&w->lock, NULL);
    w->path = xstrdup(path);
    new_id(w->id, sizeof(w->id), when, sizeof(when));
    enum nl_code rc = open_journal(path, &w->fd, err);
    if (rc == NL_OK) {
        json_t *rec = entry_record("begin", w->id, when, plan, transport);
        rc = append_record(w->fd, path, rec, true, err);
        json_decref(rec);
    } else {
        w->fd = -1;
    }
    if (rc != NL_OK) {
        ops_wal_free(&w);
        return rc;
    }
    *out = w;
    return NL_OK;
}

const char *ops_wal_id(const struct ops_wal *w)
{
    return w ? w->id : NULL;
}

static enum nl_code wal_write(struct ops_wal *w, json_t *rec, bool sync, bool ending,
                              struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    struct nl_err e = {0};
    pthread_mutex_lock(&w->lock);
    if (w->ended) {
        rc = NL_ERR(&e, NL_ERR_STATE, NULL, "The change set %s is closed in the journal.", w->id);
    } else {
        rc = append_record(w->fd, w->path, rec, false, &e);
        w->ended = ending;
        if (rc != NL_OK && !nl_err_is_set(&w->first_err))
            w->first_err = e;
    }
    pthread_mutex_unlock(&w->lock);
    /* Outside the lock: concurrent workers' flushes share the file system's commits. */
    if (rc == NL_OK && sync && fdatasync(w->fd) != 0)
        rc = NL_ERR(&e, NL_ERR_IO, NULL, "Could not flush the journal '%s' to disk: %s.", w->path,
                    strerror(errno));
    json_decref(rec);
    if (rc != NL_OK && err)
        *err = e;
    return rc;
}

enum nl_code ops_wal_step_started(struct ops_wal *w, size_t index, struct nl_err *err)
{
    json_t *rec = json_object();
    json_object_set_new(rec, "v", json_integer(OPS_JOURNAL_VERSION));
    json_object_set_new(rec, "rec", json_string("start"));
    json_object_set_new(rec, "id", json_string(w->id));
    json_object_set_new(rec, "step", json_integer((json_int_t)index));
    return wal_write(w, rec, false, false, err);
}

enum nl_code ops_wal_step_done(struct ops_wal *w, size_t index, const struct ops_step *s,
                               struct nl_err *err)
{
    return wal_write(w, step_record(w->id, index, s, NULL), true, false, err);
}

enum nl_code ops_wal_end(struct ops_wal *w, const struct ops_plan *plan, const char *transport,
                         struct nl_err *err)
{
    char id[64], when[32];
    new_id(id, sizeof(id), when, sizeof(when)); /* the time the change set ended */
    json_t *rec = entry_record("end", w->id, when, plan, transport);
    enum nl_code rc = wal_write(w, rec, true, true, err);
    if (rc == NL_OK && nl_err_is_set(&w->first_err)) {
        /* Every outcome is in the final record; say that some came late. */
        NL_ERR(err, NL_ERR_IO, NULL, "%s (the final record was written)", w->first_err.message);
        rc = NL_ERR_IO;
    }
    return rc;
}

void ops_wal_free(struct ops_wal **pw)
{
    if (!pw || !*pw)
        return;
    struct ops_wal *w = *pw;
    if (w->fd >= 0)
        close(w->fd);
    pthread_mutex_destroy(&w->lock);
    free(w->path);
    free(w);
    *pw = NULL;
}

enum nl_code ops_journal_append(const char *path, const struct ops_plan *plan,
                                const char *transport, char **id_out, struct nl_err *err)
{
    char id[64], when[32];
    int fd = -1;
    if (id_out)
        *id_out = NULL;
    if (!path || !plan)
        return NL_ERR(err, NL_ERR_USAGE, NULL, "A journal path and a plan are needed.");
    new_id(id, sizeof(id), when, sizeof(when));
    enum nl_code rc = open_journal(path, &fd, err);
    if (rc != NL_OK)
        return rc;
    json_t *rec = entry_record("end", id, when, plan, transport);
    rc = append_record(fd, path, rec, true, err);
    json_decref(rec);
    close(fd);
    if (rc == NL_OK && id_out)
        *id_out = xstrdup(id);
    return rc;
}

enum nl_code ops_journal_settle(const char *path, const char *id, size_t index,
                                const struct ops_step *s, const char *note, struct nl_err *err)
{
    int fd = -1;
    enum nl_code rc = open_journal(path, &fd, err);
    if (rc != NL_OK)
        return rc;
    json_t *rec = step_record(id, index, s, note ? note : "settled");
    rc = append_record(fd, path, rec, true, err);
    json_decref(rec);
    close(fd);
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

static struct ops_journal_entry *find_entry(struct ops_journal *jr, const char *id)
{
    for (size_t i = jr->n_entries; id && i-- > 0;)
        if (jr->entries[i].id && strcmp(jr->entries[i].id, id) == 0)
            return &jr->entries[i];
    return NULL;
}

static void add_entry(struct ops_journal *jr, struct ops_journal_entry *e)
{
    jr->entries = xrealloc(jr->entries, (jr->n_entries + 1) * sizeof(*jr->entries));
    jr->entries[jr->n_entries++] = *e;
}

/* "start" and "step"/"settle" records patch one step of an entry begun earlier. */
static bool patch_step(struct ops_journal *jr, const json_t *j, const char *rec)
{
    struct ops_journal_entry *e = find_entry(jr, json_string_value(json_object_get(j, "id")));
    const json_t *idx = json_object_get(j, "step");
    if (!e || !json_is_integer(idx) || json_integer_value(idx) < 0 ||
        (size_t)json_integer_value(idx) >= e->n_steps)
        return false;
    struct ops_step *s = &e->steps[json_integer_value(idx)];
    if (strcmp(rec, "start") == 0) {
        if (s->result == OPS_RESULT_NONE) {
            s->result = OPS_RESULT_UNKNOWN;
            NL_ERR(&s->error, NL_ERR_STATE, "interrupted",
                   "The call was sent and no outcome was recorded: nestlab was interrupted.");
        }
        return true;
    }
    struct ops_step patch;
    json_t *as_step = json_deep_copy(j);
    /* ops_step_from_json wants a whole step: borrow the recorded one's kind and values. */
    json_t *whole = ops_step_to_json(s);
    json_object_del(whole, "error");
    json_object_del(whole, "error_code");
    json_object_del(whole, "error_detail");
    json_object_update(whole, as_step);
    json_decref(as_step);
    struct nl_err pe = {0};
    bool ok = ops_step_from_json(whole, &patch, &pe) == NL_OK;
    json_decref(whole);
    if (ok) {
        s->result = patch.result;
        s->error = json_object_get(j, "error") ? patch.error : (struct nl_err){0};
        if (strcmp(rec, "settle") == 0)
            xstrset(&s->verify_note, json_string_value(json_object_get(j, "note")));
    }
    ops_step_clear(&patch);
    return ok;
}

static bool apply_record(struct ops_journal *jr, const json_t *j, size_t lineno)
{
    const char *rec = json_string_value(json_object_get(j, "rec"));
    if (rec &&
        (strcmp(rec, "start") == 0 || strcmp(rec, "step") == 0 || strcmp(rec, "settle") == 0))
        return patch_step(jr, j, rec);
    if (rec && strcmp(rec, "begin") != 0 && strcmp(rec, "end") != 0)
        return false;
    struct ops_journal_entry e;
    if (!entry_from_json(j, &e))
        return false;
    e.line = lineno;
    e.interrupted = rec && strcmp(rec, "begin") == 0;
    struct ops_journal_entry *old = find_entry(jr, e.id);
    if (old && rec && strcmp(rec, "end") == 0) {
        e.line = old->line; /* listed where it began */
        entry_clear(old);
        *old = e;
    } else {
        add_entry(jr, &e);
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
    if (!json_is_object(j) || !apply_record(jr, j, lineno))
        warn(jr, xasprintf("Line %zu of the journal '%s' is not a journal entry and was skipped.",
                           lineno, path));
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
