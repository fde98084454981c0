/* Apply through the fake executor: results, failures in the middle, dependency chains,
 * concurrency bound, verification, progress callbacks. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/core/xmalloc.h"
#include "backend/ops/apply.h"
#include "backend/ops/journal.h"
#include "check.h"
#include "fixture.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

struct progress_log {
    size_t started, finished, verifying, last_done, total;
    bool off_main;
    pthread_t main;
};

static void on_progress(const struct ops_progress *p, void *user)
{
    struct progress_log *log = user;
    if (p->event == OPS_PROGRESS_STARTED)
        log->started++;
    if (p->event == OPS_PROGRESS_FINISHED) {
        log->finished++;
        log->last_done = p->done;
    }
    if (p->event == OPS_PROGRESS_VERIFYING)
        log->verifying++;
    log->total = p->total;
    if (p->event != OPS_PROGRESS_VERIFYING && !pthread_equal(pthread_self(), log->main))
        log->off_main = true;
}

static void test_apply_ok(void)
{
    struct nl_lab *lab = fx_lab_small();
    struct fake_exec f;
    fake_init(&f, lab);
    struct ops_plan *p = fx_security_plan(lab, NULL);
    struct ops_apply_opts o;
    struct nl_err err = {0};
    struct progress_log log = {.main = pthread_self()};
    ops_apply_opts_init(&o);
    CHECK_INT(o.parallel, 16);
    o.progress = on_progress;
    o.progress_user = &log;
    CHECK_INT(ops_apply(p, &f.ex, &o, &err), NL_OK);
    struct ops_counts c;
    ops_plan_counts(p, &c);
    CHECK_INT(c.ok, 3);
    CHECK_INT(c.failed, 0);
    CHECK_INT(c.verified, 3);
    CHECK_INT(c.blocked, 1);
    CHECK_INT(log.started, 3);
    CHECK_INT(log.finished, 3);
    CHECK_INT(log.last_done, 3);
    CHECK_INT(log.total, 3);
    CHECK_INT(log.verifying, 1);
    CHECK(log.off_main);
    CHECK(!f.same_host_overlap);
    /* the executor got only the flags that change */
    CHECK_INT(fake_count(&f, "set_vswitch_security"), 3);
    const struct nl_host *h = nl_lab_find_host(f.lab, "host-1");
    CHECK(h->vswitches[0].security.promiscuous == NL_TRI_TRUE);
    char *sum = ops_plan_summary(p);
    CHECK_STR(sum, "3 changed, 1 already compliant, 0 failed, 1 cannot be done");
    free(sum);
    char *text = ops_plan_text(p);
    CHECK(strstr(text, "done     esx-p01.lab.invalid: vSwitch 'vSwitch0' security: promiscuous "
                       "reject -> accept, forged transmits accept, MAC changes accept "
                       "[verified]\n") != NULL);
    free(text);
    CHECK(ops_plan_verified_lab(p) != NULL);
    /* applying twice is refused; planning again finds only what is still wrong */
    nl_err_clear(&err);
    CHECK_INT(ops_apply(p, &f.ex, &o, &err), NL_ERR_USAGE);
    struct ops_plan *again = fx_security_plan(ops_plan_verified_lab(p), NULL);
    ops_plan_counts(again, &c);
    CHECK_INT(c.planned, 0);
    CHECK_INT(c.compliant, 4);
    ops_plan_free(&again);
    ops_plan_free(&p);
    fake_free(&f);
    nl_lab_free(&lab);
}

static void test_failure_in_middle(void)
{
    struct nl_lab *lab = fx_lab_many(8);
    struct fake_exec f;
    fake_init(&f, lab);
    f.fail[f.n_fail++] = "set_vswitch_security esx-004.lab.invalid";
    struct ops_plan *p = fx_security_plan(lab, "Big");
    struct ops_apply_opts o;
    struct nl_err err = {0};
    char path[] = "/tmp/test_ops_apply_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    ops_apply_opts_init(&o);
    o.journal_path = path;
    CHECK_INT(ops_apply(p, &f.ex, &o, &err), NL_OK);
    struct ops_counts c;
    ops_plan_counts(p, &c);
    CHECK_INT(c.ok, 7);
    CHECK_INT(c.failed, 1);
    CHECK_INT(c.verified, 7);
    CHECK_INT(fake_count(&f, "set_vswitch_security"), 8); /* every host was tried */
    char *sum = ops_plan_summary(p);
    CHECK_STR(sum, "7 changed, 0 already compliant, 1 failed (esx-004.lab.invalid: The server "
                   "refused 'set_vswitch_security esx-004.lab.invalid' with HostConfigFault.)");
    free(sum);
    CHECK_INT(ops_plan_exit_status(p), 4); /* a server fault */
    CHECK(p->journal_id != NULL);

    /* the journal says exactly what happened */
    struct ops_journal *jr = NULL;
    CHECK_INT(ops_journal_read(path, &jr, &err), NL_OK);
    CHECK_INT(jr->n_entries, 1);
    const struct ops_journal_entry *e = &jr->entries[0];
    CHECK_STR(e->id, p->journal_id);
    CHECK_STR(e->transport, "fake");
    CHECK_STR(e->endpoint, "vc-big");
    CHECK_INT(e->n_steps, 8);
    for (size_t i = 0; i < e->n_steps; i++) {
        const struct ops_step *s = &e->steps[i];
        if (strcmp(s->host_name, "esx-004.lab.invalid") == 0) {
            CHECK_INT(s->result, OPS_RESULT_FAILED);
            CHECK_STR(s->error.message,
                      "The server refused 'set_vswitch_security esx-004.lab.invalid' with "
                      "HostConfigFault.");
            CHECK_INT(s->error.code, NL_ERR_FAULT);
            CHECK_STR(s->error.detail, "HostConfigFault");
        } else {
            CHECK_INT(s->result, OPS_RESULT_OK);
            CHECK_INT(s->verify, OPS_VERIFY_OK);
        }
        CHECK(s->before.sec.promiscuous == NL_TRI_FALSE && s->after.sec.promiscuous == NL_TRI_TRUE);
    }
    ops_journal_free(&jr);
    unlink(path);
    ops_plan_free(&p);
    fake_free(&f);
    nl_lab_free(&lab);
}

static void test_concurrency(void)
{
    struct nl_lab *lab = fx_lab_many(40);
    for (unsigned parallel = 4; parallel <= 16; parallel += 12) {
        struct fake_exec f;
        fake_init(&f, lab);
        f.delay_ms = 20;
        struct ops_plan *p = fx_security_plan(lab, "Big");
        struct ops_apply_opts o;
        struct nl_err err = {0};
        ops_apply_opts_init(&o);
        o.parallel = parallel;
        double t0 = now_ms();
        CHECK_INT(ops_apply(p, &f.ex, &o, &err), NL_OK);
        double elapsed = now_ms() - t0;
        CHECK(f.max_in_flight <= (int)parallel);
        CHECK(f.max_in_flight >= 2); /* genuinely parallel */
        CHECK(!f.same_host_overlap);
        /* 40 calls of 20 ms: sequential would be 800 ms */
        double bound = 40.0 / parallel * 20.0 * 3 + 100;
        CHECK(elapsed < bound);
        if (elapsed >= bound)
            fprintf(stderr, "parallel %u took %.0f ms\n", parallel, elapsed);
        struct ops_counts c;
        ops_plan_counts(p, &c);
        CHECK_INT(c.verified, 40);
        ops_plan_free(&p);
        fake_free(&f);
    }
    /* parallel 1: strictly one at a time */
    struct fake_exec f;
    fake_init(&f, lab);
    struct ops_plan *p = fx_security_plan(lab, "Big");
    struct ops_apply_opts o;
    struct nl_err err = {0};
    ops_apply_opts_init(&o);
    o.parallel = 1;
    f.delay_ms = 1;
    CHECK_INT(ops_apply(p, &f.ex, &o, &err), NL_OK);
    CHECK_INT(f.max_in_flight, 1);
    ops_plan_free(&p);
    fake_free(&f);
    nl_lab_free(&lab);
}

/* Two VMs on one host: the contract says never two calls for one host at once. */
static void test_same_host_serialised(void)
{
    struct nl_lab *lab = fx_lab_small();
    struct nl_vm *v = nl_lab_find_vm(lab, "vm-2");
    v->power = NL_POWER_OFF; /* n-esx01 and n-esx02 both on p01, both off now */
    nl_lab_link(lab);
    struct fake_exec f;
    fake_init(&f, lab);
    f.delay_ms = 10;
    struct ops_scope *sc = fx_scope(lab, "Physical");
    struct ops_intent in;
    struct ops_plan *p = NULL;
    struct nl_err err = {0};
    ops_intent_init(&in, OPS_INTENT_NESTED_HV);
    in.nested_hv.on = true;
    CHECK_INT(ops_plan_new(lab, sc, &in, &p, &err), NL_OK);
    CHECK_INT(ops_apply(p, &f.ex, NULL, &err), NL_OK);
    CHECK(!f.same_host_overlap);
    CHECK_INT(fake_count(&f, "set_nested_hv"), 2);
    ops_plan_free(&p);
    ops_scope_free(&sc);
    fake_free(&f);
    nl_lab_free(&lab);
}

static struct ops_plan *power_cycle_plan(const struct nl_lab *lab)
{
    struct ops_scope_req req;
    struct ops_scope *sc = NULL;
    struct nl_err err = {0};
    ops_scope_req_init(&req);
    ops_scope_req_add_vm(&req, "n-esx02");
    ops_scope_resolve(lab, &req, &sc, &err);
    ops_scope_req_clear(&req);
    struct ops_intent in;
    struct ops_plan *p = NULL;
    ops_intent_init(&in, OPS_INTENT_NESTED_HV);
    in.nested_hv.on = true;
    in.nested_hv.power_cycle = true;
    ops_plan_new(lab, sc, &in, &p, &err);
    ops_scope_free(&sc);
    return p;
}

static void test_power_cycle(void)
{
    struct nl_lab *lab = fx_lab_small();
    struct nl_err err = {0};

    /* all good: off, set, on, in that order, and the final state verified */
    struct fake_exec f;
    fake_init(&f, lab);
    struct ops_plan *p = power_cycle_plan(lab);
    CHECK_INT(p->n_steps, 3);
    CHECK_INT(ops_apply(p, &f.ex, NULL, &err), NL_OK);
    CHECK_INT(fake_find(&f, "power_off n-esx02"), 0);
    CHECK_INT(fake_find(&f, "set_nested_hv n-esx02"), 1);
    CHECK_INT(fake_find(&f, "power_on n-esx02"), 2);
    const struct nl_vm *v = nl_lab_find_vm(f.lab, "vm-2");
    CHECK(v->power == NL_POWER_ON && v->nested_hv == NL_TRI_TRUE);
    CHECK_INT(p->steps[0].verify, OPS_VERIFY_NONE); /* superseded by the power-on */
    CHECK_INT(p->steps[1].verify, OPS_VERIFY_OK);
    CHECK_INT(p->steps[2].verify, OPS_VERIFY_OK);
    CHECK_INT(ops_plan_exit_status(p), 0);
    ops_plan_free(&p);
    fake_free(&f);

    /* the reconfigure fails: the VM is still powered back on, and the failure reported */
    fake_init(&f, lab);
    f.fail[f.n_fail++] = "set_nested_hv n-esx02";
    p = power_cycle_plan(lab);
    CHECK_INT(ops_apply(p, &f.ex, NULL, &err), NL_OK);
    CHECK_INT(f.n_calls, 3);
    CHECK_INT(p->steps[1].result, OPS_RESULT_FAILED);
    CHECK_INT(p->steps[2].result, OPS_RESULT_OK);
    v = nl_lab_find_vm(f.lab, "vm-2");
    CHECK(v->power == NL_POWER_ON && v->nested_hv == NL_TRI_FALSE);
    CHECK(ops_plan_exit_status(p) != 0);
    ops_plan_free(&p);
    fake_free(&f);

    /* the power-off fails: nothing else is attempted on that VM */
    fake_init(&f, lab);
    f.fail[f.n_fail++] = "power_off n-esx02";
    p = power_cycle_plan(lab);
    CHECK_INT(ops_apply(p, &f.ex, NULL, &err), NL_OK);
    CHECK_INT(f.n_calls, 1);
    CHECK_INT(p->steps[0].result, OPS_RESULT_FAILED);
    CHECK_INT(p->steps[1].result, OPS_RESULT_NOT_RUN);
    CHECK_INT(p->steps[2].result, OPS_RESULT_NOT_RUN);
    CHECK(strstr(p->steps[1].error.message, "Not run because an earlier step it needs did not "
                                            "succeed") != NULL);
    char *sum = ops_plan_summary(p);
    CHECK(strstr(sum, "0 changed, 0 already compliant, 1 failed (esx-p01.lab.invalid: ") == sum);
    CHECK(strstr(sum, ", 2 not run") != NULL);
    free(sum);
    ops_plan_free(&p);
    fake_free(&f);
    nl_lab_free(&lab);
}

static void test_verify(void)
{
    struct nl_lab *lab = fx_lab_many(3);
    struct nl_err err = {0};
    struct fake_exec f;

    /* a host that says yes and does nothing */
    fake_init(&f, lab);
    f.lie_host = "esx-002.lab.invalid";
    struct ops_plan *p = fx_security_plan(lab, "Big");
    CHECK_INT(ops_apply(p, &f.ex, NULL, &err), NL_OK);
    struct ops_counts c;
    ops_plan_counts(p, &c);
    CHECK_INT(c.ok, 3);
    CHECK_INT(c.verified, 2);
    CHECK_INT(c.mismatched, 1);
    CHECK_INT(p->steps[1].verify, OPS_VERIFY_MISMATCH);
    CHECK_STR(p->steps[1].verify_note, "promiscuous is reject, expected accept");
    CHECK_INT(ops_plan_exit_status(p), 4);
    char *sum = ops_plan_summary(p);
    CHECK_STR(sum, "3 changed, 0 already compliant, 0 failed, 1 did not verify");
    free(sum);
    char *text = ops_plan_text(p);
    CHECK(strstr(text, "[NOT VERIFIED: promiscuous is reject, expected accept]") != NULL);
    free(text);
    ops_plan_free(&p);
    fake_free(&f);

    /* the re-read fails */
    fake_init(&f, lab);
    f.reread_fails = true;
    p = fx_security_plan(lab, "Big");
    CHECK_INT(ops_apply(p, &f.ex, NULL, &err), NL_OK);
    ops_plan_counts(p, &c);
    CHECK_INT(c.unverified, 3);
    CHECK_STR(p->verify_error, "Could not connect to 'vc-test' to re-read the lab.");
    CHECK_INT(ops_plan_exit_status(p), 4);
    ops_plan_free(&p);
    fake_free(&f);

    /* no_verify: no re-read at all */
    fake_init(&f, lab);
    f.reread_fails = true;
    p = fx_security_plan(lab, "Big");
    struct ops_apply_opts o;
    ops_apply_opts_init(&o);
    o.no_verify = true;
    CHECK_INT(ops_apply(p, &f.ex, &o, &err), NL_OK);
    CHECK(p->verify_error == NULL);
    CHECK_INT(ops_plan_exit_status(p), 0);
    ops_plan_free(&p);
    fake_free(&f);

    /* a transport without an operation fails that step cleanly */
    fake_init(&f, lab);
    f.ex.set_vswitch_security = NULL;
    p = fx_security_plan(lab, "Big");
    CHECK_INT(ops_apply(p, &f.ex, NULL, &err), NL_OK);
    CHECK_INT(p->steps[0].result, OPS_RESULT_FAILED);
    CHECK_STR(p->steps[0].error.message, "The 'fake' transport cannot change vSwitch security.");
    ops_plan_free(&p);
    fake_free(&f);
    nl_lab_free(&lab);
}

/* Sets the cancel flag when the n-th step finishes (or, with at_start, starts). */
struct cancel_at {
    atomic_bool *cancel;
    size_t after;
    bool at_start;
    size_t started_after_cancel;
};

static void cancel_progress(const struct ops_progress *p, void *user)
{
    struct cancel_at *c = user;
    if (p->event == OPS_PROGRESS_STARTED && atomic_load(c->cancel))
        c->started_after_cancel++;
    if ((p->event == OPS_PROGRESS_FINISHED && !c->at_start && p->done == c->after) ||
        (p->event == OPS_PROGRESS_STARTED && c->at_start))
        atomic_store(c->cancel, true);
}

static void test_cancel(void)
{
    struct nl_lab *lab = fx_lab_many(8);
    struct nl_err err = {0};
    atomic_bool cancel;
    atomic_init(&cancel, false);

    /* one host at a time, cancelled after the second: six never start, and the journal and
     * the verification cover exactly what happened */
    struct fake_exec f;
    fake_init(&f, lab);
    struct ops_plan *p = fx_security_plan(lab, "Big");
    char path[] = "/tmp/test_ops_apply3_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    struct cancel_at at = {.cancel = &cancel, .after = 2};
    struct ops_apply_opts o;
    ops_apply_opts_init(&o);
    o.parallel = 1;
    o.cancel = &cancel;
    o.progress = cancel_progress;
    o.progress_user = &at;
    o.journal_path = path;
    CHECK_INT(ops_apply(p, &f.ex, &o, &err), NL_OK);
    CHECK_INT(f.n_calls, 2);
    CHECK_INT(at.started_after_cancel, 0);
    struct ops_counts c;
    ops_plan_counts(p, &c);
    CHECK_INT(c.ok, 2);
    CHECK_INT(c.not_run, 6);
    CHECK_INT(c.verified, 2);
    CHECK_INT(c.failed, 0);
    for (size_t i = 2; i < p->n_steps; i++) {
        CHECK_INT(p->steps[i].result, OPS_RESULT_NOT_RUN);
        CHECK_STR(p->steps[i].error.detail, "cancelled");
        CHECK(strstr(p->steps[i].error.message, "cancelled before it started") != NULL);
        CHECK_INT(p->steps[i].verify, OPS_VERIFY_NONE);
    }
    CHECK(ops_plan_exit_status(p) != 0);
    char *sum = ops_plan_summary(p);
    CHECK_STR(sum, "2 changed, 0 already compliant, 0 failed, 6 not run");
    free(sum);
    for (size_t i = 0; i < p->n_steps; i++) /* the "server" saw only the two that ran */
        CHECK(f.lab->hosts[p->steps[i].host].vswitches[0].security.promiscuous ==
              (i < 2 ? NL_TRI_TRUE : NL_TRI_FALSE));
    CHECK(p->journal_id != NULL);
    struct ops_journal *jr = NULL;
    CHECK_INT(ops_journal_read(path, &jr, &err), NL_OK);
    CHECK_INT(jr ? jr->n_entries : 0, 1);
    if (jr && jr->n_entries == 1) {
        size_t ok = 0, not_run = 0;
        for (size_t i = 0; i < jr->entries[0].n_steps; i++) {
            const struct ops_step *s = &jr->entries[0].steps[i];
            ok += s->result == OPS_RESULT_OK;
            if (s->result == OPS_RESULT_NOT_RUN) {
                not_run++;
                CHECK_STR(s->error.detail, "cancelled");
            }
        }
        CHECK_INT(ok, 2);
        CHECK_INT(not_run, 6);
    }
    ops_journal_free(&jr);
    unlink(path);
    ops_plan_free(&p);
    fake_free(&f);

    /* parallel: the steps already sent finish, nothing starts after the flag */
    atomic_store(&cancel, false);
    fake_init(&f, lab);
    f.delay_ms = 30;
    p = fx_security_plan(lab, "Big");
    at = (struct cancel_at){.cancel = &cancel, .at_start = true};
    o.parallel = 3;
    o.journal_path = NULL;
    CHECK_INT(ops_apply(p, &f.ex, &o, &err), NL_OK);
    ops_plan_counts(p, &c);
    CHECK_INT(at.started_after_cancel, 0);
    CHECK(c.ok >= 1 && c.ok <= 3);
    CHECK_INT(c.ok + c.not_run, 8);
    CHECK_INT(f.n_calls, c.ok);
    CHECK_INT(c.verified, c.ok);
    ops_plan_free(&p);
    fake_free(&f);

    /* a flag set before the apply: nothing runs, every step says why */
    atomic_store(&cancel, true);
    fake_init(&f, lab);
    p = fx_security_plan(lab, "Big");
    o.progress = NULL;
    CHECK_INT(ops_apply(p, &f.ex, &o, &err), NL_OK);
    ops_plan_counts(p, &c);
    CHECK_INT(f.n_calls, 0);
    CHECK_INT(c.not_run, 8);
    ops_plan_free(&p);
    fake_free(&f);
    nl_lab_free(&lab);

    /* a power cycle cancelled after its power-off: the VM is still set and powered back on */
    lab = fx_lab_small();
    atomic_store(&cancel, false);
    fake_init(&f, lab);
    p = power_cycle_plan(lab);
    at = (struct cancel_at){.cancel = &cancel, .after = 1};
    ops_apply_opts_init(&o);
    o.cancel = &cancel;
    o.progress = cancel_progress;
    o.progress_user = &at;
    CHECK_INT(ops_apply(p, &f.ex, &o, &err), NL_OK);
    CHECK_INT(f.n_calls, 3);
    CHECK_INT(p->steps[2].result, OPS_RESULT_OK);
    const struct nl_vm *v = nl_lab_find_vm(f.lab, "vm-2");
    CHECK(v->power == NL_POWER_ON);
    ops_plan_free(&p);
    fake_free(&f);
    nl_lab_free(&lab);
}

static void test_nothing_to_do(void)
{
    struct nl_lab *lab = fx_lab_many(2);
    struct fake_exec f;
    fake_init(&f, lab);
    struct ops_plan *p = fx_security_plan(lab, "Big");
    struct nl_err err = {0};
    CHECK_INT(ops_apply(p, &f.ex, NULL, &err), NL_OK);
    ops_plan_free(&p);
    /* now compliant: a second plan has nothing to run and writes no journal line */
    p = fx_security_plan(f.lab, "Big");
    char path[] = "/tmp/test_ops_apply2_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    struct ops_apply_opts o;
    ops_apply_opts_init(&o);
    o.journal_path = path;
    size_t calls = f.n_calls;
    CHECK_INT(ops_apply(p, &f.ex, &o, &err), NL_OK);
    CHECK_INT(f.n_calls, calls);
    CHECK(access(path, F_OK) != 0);
    CHECK(p->journal_id == NULL);
    char *sum = ops_plan_summary(p);
    CHECK_STR(sum, "0 changed, 2 already compliant, 0 failed");
    free(sum);
    ops_plan_free(&p);
    fake_free(&f);
    nl_lab_free(&lab);
}

int main(void)
{
    test_apply_ok();
    test_failure_in_middle();
    test_concurrency();
    test_same_host_serialised();
    test_power_cycle();
    test_verify();
    test_nothing_to_do();
    test_cancel();
    return nl_check_done();
}
