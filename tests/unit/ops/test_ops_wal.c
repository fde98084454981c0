/* The write-ahead journal (issue 14): what an apply killed at any point leaves on disk, how the
 * reader shows an interrupted set, undo of interrupted and partly failed sets, an abandoned
 * apply, a journal that cannot be written, and two writers on one file. */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/core/xmalloc.h"
#include "backend/ops/apply.h"
#include "backend/ops/journal.h"
#include "backend/ops/reconcile.h"
#include "check.h"
#include "fixture.h"

static void temp_path(char *path, size_t size)
{
    snprintf(path, size, "/tmp/test_ops_wal_XXXXXX");
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* What a kill leaves: the begin record, step 0 done, step 1 sent (and applied by the server),
 * nothing for step 2, no end record. */
static void test_interrupted_set(void)
{
    struct nl_lab *lab = fx_lab_many(3);
    struct fake_exec f;
    struct nl_err err = {0};
    char path[64];
    temp_path(path, sizeof(path));
    fake_init(&f, lab);
    char *s0 = fx_lab_state(f.lab);
    struct ops_plan *p = fx_security_plan(lab, NULL);
    CHECK(p && p->n_steps == 3);
    struct ops_wal *w = NULL;
    CHECK_INT(ops_wal_begin(path, p, "fake", &w, &err), NL_OK);
    char *id = xstrdup(ops_wal_id(w));
    struct nl_security on;
    nl_security_init(&on);
    on.promiscuous = on.forged_transmits = on.mac_changes = NL_TRI_TRUE;
    for (size_t i = 0; i < 2; i++) {
        CHECK_INT(ops_wal_step_started(w, i, &err), NL_OK);
        CHECK_INT(f.ex.set_vswitch_security(f.ex.ctx, &p->lab->hosts[p->steps[i].host], "vSwitch0",
                                            &on, &err),
                  NL_OK);
    }
    p->steps[0].result = OPS_RESULT_OK;
    CHECK_INT(ops_wal_step_done(w, 0, &p->steps[0], &err), NL_OK);
    ops_wal_free(&w); /* killed: no outcome for step 1, no end record */

    struct ops_journal *jr = NULL;
    CHECK_INT(ops_journal_read(path, &jr, &err), NL_OK);
    CHECK_INT(jr->n_entries, 1);
    CHECK_INT(jr->n_warnings, 0);
    const struct ops_journal_entry *e = jr->n_entries ? &jr->entries[0] : NULL;
    CHECK(e && e->interrupted && strcmp(e->id, id) == 0);
    if (e) {
        CHECK_STR(ops_journal_step_state(e, &e->steps[0]), "applied");
        CHECK_STR(ops_journal_step_state(e, &e->steps[1]), "unknown");
        CHECK_STR(ops_journal_step_state(e, &e->steps[2]), "not applied");
        CHECK_INT(e->steps[0].before.sec.promiscuous, NL_TRI_FALSE); /* before is on disk */
    }
    char *text = ops_journal_text(jr, true);
    CHECK(strstr(text, "INTERRUPTED (no final record): 1 applied, 0 failed, 1 unknown, 1 not "
                       "applied") != NULL);
    CHECK(strstr(text, "[unknown] UNKNOWN") != NULL);
    CHECK(strstr(text, "[not applied] change") != NULL);
    free(text);
    json_t *j = ops_journal_to_json(jr);
    json_t *je = json_array_get(json_object_get(j, "entries"), 0);
    CHECK(json_is_true(json_object_get(je, "interrupted")));
    CHECK_STR(json_string_value(
                  json_object_get(json_array_get(json_object_get(je, "steps"), 1), "state")),
              "unknown");
    json_decref(j);

    /* reconcile settles the unknown step from the live lab: applied */
    struct ops_reconcile *rc = ops_reconcile_new(jr, f.lab, NULL, NULL, 0);
    CHECK(rc->n == 1 && rc->entries[0].n_settled == 1 &&
          rc->entries[0].settled[0].where == OPS_WHERE_AFTER);
    if (rc->n == 1 && rc->entries[0].n_settled == 1) {
        struct ops_step st = {0};
        st.result = OPS_RESULT_OK;
        CHECK_INT(
            ops_journal_settle(path, id, rc->entries[0].settled[0].index, &st, "settled", &err),
            NL_OK);
    }
    ops_reconcile_free(&rc);

    /* undo of the interrupted set restores every step that differs from its before */
    struct nl_lab *now = nl_lab_clone(f.lab);
    nl_lab_link(now);
    struct ops_plan *u = NULL;
    CHECK_INT(ops_undo_plan_new(now, e, &u, &err), NL_OK);
    struct ops_counts c;
    ops_plan_counts(u, &c);
    CHECK_INT(c.planned, 2);
    CHECK_INT(c.compliant, 1);
    CHECK_INT(ops_apply(u, &f.ex, NULL, &err), NL_OK);
    ops_plan_counts(u, &c);
    CHECK_INT(c.verified, 2);
    char *s1 = fx_lab_state(f.lab);
    CHECK_STR(s1, s0);
    free(s1);
    ops_plan_free(&u);
    nl_lab_free(&now);
    ops_journal_free(&jr);

    /* the settle record made step 1 applied; the set stays interrupted */
    CHECK_INT(ops_journal_read(path, &jr, &err), NL_OK);
    CHECK(jr->n_entries == 1 && jr->entries[0].interrupted &&
          jr->entries[0].steps[1].result == OPS_RESULT_OK);
    CHECK_INT(jr->n_warnings, 0);
    ops_journal_free(&jr);

    free(id);
    free(s0);
    ops_plan_free(&p);
    fake_free(&f);
    nl_lab_free(&lab);
    unlink(path);
}

/* A complete apply writes begin, start/step per step and end; the reader sees one whole entry.
 * A journal that cannot be opened stops the apply before the first call. */
static void test_records_and_unwritable(void)
{
    struct nl_lab *lab = fx_lab_many(4);
    struct fake_exec f;
    struct nl_err err = {0};
    char path[64];
    temp_path(path, sizeof(path));
    fake_init(&f, lab);
    f.fail[f.n_fail++] = "set_vswitch_security esx-002.lab.invalid";
    struct ops_plan *p = fx_security_plan(lab, NULL);
    struct ops_apply_opts o;
    ops_apply_opts_init(&o);
    o.journal_path = path;
    CHECK_INT(ops_apply(p, &f.ex, &o, &err), NL_OK);
    FILE *fp = fopen(path, "r");
    char line[65536];
    size_t begins = 0, starts = 0, steps = 0, ends = 0, n = 0;
    while (fp && fgets(line, sizeof(line), fp)) {
        n++;
        begins += strstr(line, "\"rec\":\"begin\"") != NULL;
        starts += strstr(line, "\"rec\":\"start\"") != NULL;
        steps += strstr(line, "\"rec\":\"step\"") != NULL;
        ends += strstr(line, "\"rec\":\"end\"") != NULL;
        CHECK(strncmp(line, "{\"v\":2,", 7) == 0);
    }
    if (fp)
        fclose(fp);
    CHECK_INT(begins, 1);
    CHECK_INT(starts, 4);
    CHECK_INT(steps, 4);
    CHECK_INT(ends, 1);
    CHECK_INT(n, 10);
    struct ops_journal *jr = NULL;
    CHECK_INT(ops_journal_read(path, &jr, &err), NL_OK);
    CHECK(jr->n_entries == 1 && !jr->entries[0].interrupted &&
          strcmp(jr->entries[0].id, p->journal_id) == 0);
    /* the failed step was re-read too: the fake left it as before */
    CHECK(jr->n_entries == 1 && jr->entries[0].steps[1].result == OPS_RESULT_FAILED &&
          jr->entries[0].steps[1].verify_note &&
          strstr(jr->entries[0].steps[1].verify_note, "as before") != NULL);
    ops_journal_free(&jr);
    ops_plan_free(&p);

    size_t calls = f.n_calls;
    p = fx_security_plan(f.lab, NULL);
    o.journal_path = "/nonexistent-dir-nestlab/journal.jsonl";
    nl_err_clear(&err);
    CHECK_INT(ops_apply(p, &f.ex, &o, &err), NL_ERR_IO);
    CHECK(strstr(err.message, "Nothing was changed") != NULL);
    CHECK_INT(f.n_calls, calls);
    CHECK(!p->applied);
    ops_plan_free(&p);
    fake_free(&f);
    nl_lab_free(&lab);
    unlink(path);
}

/* An unknown step whose target a later change set touched is not settled from the lab: the lab
 * shows the later set's doing. */
static void test_settle_skips_later_changes(void)
{
    struct nl_lab *lab = fx_lab_many(2);
    struct fake_exec f;
    struct nl_err err = {0};
    char path[64];
    temp_path(path, sizeof(path));
    fake_init(&f, lab);
    struct ops_plan *p = fx_security_plan(lab, NULL);
    struct ops_wal *w = NULL;
    CHECK_INT(ops_wal_begin(path, p, "fake", &w, &err), NL_OK);
    CHECK_INT(ops_wal_step_started(w, 0, &err), NL_OK);
    ops_wal_free(&w); /* killed with step 0 in flight */
    struct ops_plan *again = fx_security_plan(lab, NULL);
    struct ops_apply_opts o;
    ops_apply_opts_init(&o);
    o.journal_path = path;
    CHECK_INT(ops_apply(again, &f.ex, &o, &err), NL_OK); /* the re-run that finished the job */
    struct ops_journal *jr = NULL;
    CHECK_INT(ops_journal_read(path, &jr, &err), NL_OK);
    CHECK(jr->n_entries == 2 && jr->entries[0].interrupted &&
          jr->entries[0].steps[0].result == OPS_RESULT_UNKNOWN);
    struct ops_reconcile *rc = ops_reconcile_new(jr, f.lab, NULL, NULL, 0);
    for (size_t i = 0; i < rc->n; i++)
        CHECK_INT(rc->entries[i].n_settled, 0);
    ops_reconcile_free(&rc);
    ops_journal_free(&jr);
    ops_plan_free(&again);
    ops_plan_free(&p);
    fake_free(&f);
    nl_lab_free(&lab);
    unlink(path);
}

struct abandoner {
    atomic_bool *cancel, *abandon;
    int after_ms;
};

static void *abandon_later(void *arg)
{
    struct abandoner *a = arg;
    usleep((useconds_t)a->after_ms * 1000);
    atomic_store(a->cancel, true);
    usleep(20 * 1000);
    atomic_store(a->abandon, true);
    return NULL;
}

/* A second interrupt: the calls in flight become unknown, ops_apply returns at once, and the
 * journal's end record says so. */
static void test_abandon(void)
{
    struct nl_lab *lab = fx_lab_many(6);
    struct fake_exec f;
    struct nl_err err = {0};
    char path[64];
    temp_path(path, sizeof(path));
    fake_init(&f, lab);
    f.delay_ms = 600;
    struct ops_plan *p = fx_security_plan(lab, NULL);
    atomic_bool cancel, abandon;
    atomic_init(&cancel, false);
    atomic_init(&abandon, false);
    struct ops_apply_opts o;
    ops_apply_opts_init(&o);
    o.parallel = 2;
    o.journal_path = path;
    o.cancel = &cancel;
    o.abandon = &abandon;
    struct abandoner a = {.cancel = &cancel, .abandon = &abandon, .after_ms = 100};
    pthread_t t;
    pthread_create(&t, NULL, abandon_later, &a);
    double t0 = now_ms();
    CHECK_INT(ops_apply(p, &f.ex, &o, &err), NL_OK);
    double took = now_ms() - t0;
    pthread_join(t, NULL);
    CHECK(took < 450); /* not the 600 ms of the calls in flight */
    CHECK(p->abandoned);
    struct ops_counts c;
    ops_plan_counts(p, &c);
    CHECK_INT(c.unknown, 2);
    CHECK_INT(c.not_run, 4);
    CHECK(ops_plan_exit_status(p) != 0);
    struct ops_journal *jr = NULL;
    CHECK_INT(ops_journal_read(path, &jr, &err), NL_OK);
    CHECK(jr->n_entries == 1 && !jr->entries[0].interrupted);
    if (jr->n_entries == 1) {
        size_t unknown = 0;
        for (size_t i = 0; i < jr->entries[0].n_steps; i++)
            unknown += jr->entries[0].steps[i].result == OPS_RESULT_UNKNOWN;
        CHECK_INT(unknown, 2);
    }
    ops_journal_free(&jr);
    /* The abandoned workers are still inside their calls: the plan and the executor must outlive
     * them (apply.h). Wait for the calls to come back, and take the executor's lock so that what
     * they did happens before the frees. */
    usleep(800 * 1000);
    pthread_mutex_lock(&f.lock);
    pthread_mutex_unlock(&f.lock);
    ops_plan_free(&p);
    fake_free(&f);
    nl_lab_free(&lab);
    unlink(path);
}

struct writer {
    const char *path;
    int rounds;
};

static void *write_sets(void *arg)
{
    struct writer *w = arg;
    struct nl_lab *lab = fx_lab_many(8);
    for (int r = 0; r < w->rounds; r++) {
        struct fake_exec f;
        fake_init(&f, lab);
        struct ops_plan *p = fx_security_plan(lab, NULL);
        struct ops_apply_opts o;
        ops_apply_opts_init(&o);
        o.journal_path = w->path;
        struct nl_err err = {0};
        ops_apply(p, &f.ex, &o, &err);
        ops_plan_free(&p);
        fake_free(&f);
    }
    nl_lab_free(&lab);
    return NULL;
}

/* Two writers (threads here; flock covers processes) on one journal never tear a line. */
static void test_concurrent_writers(void)
{
    char path[64];
    temp_path(path, sizeof(path));
    struct writer w = {.path = path, .rounds = 5};
    pthread_t a, b;
    pthread_create(&a, NULL, write_sets, &w);
    pthread_create(&b, NULL, write_sets, &w);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    struct ops_journal *jr = NULL;
    struct nl_err err = {0};
    CHECK_INT(ops_journal_read(path, &jr, &err), NL_OK);
    CHECK_INT(jr->n_entries, 10);
    CHECK_INT(jr->n_warnings, 0);
    for (size_t i = 0; i < jr->n_entries; i++)
        CHECK(!jr->entries[i].interrupted && jr->entries[i].n_steps == 8);
    ops_journal_free(&jr);
    unlink(path);
}

int main(void)
{
    test_interrupted_set();
    test_settle_skips_later_changes();
    test_records_and_unwritable();
    test_abandon();
    test_concurrent_writers();
    return nl_check_done();
}
