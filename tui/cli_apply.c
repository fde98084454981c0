#include "tui/cli_apply.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/core/term_text.h"
#include "backend/ops/apply.h"

enum phase { PHASE_BEFORE, PHASE_APPLYING, PHASE_AFTER };

static atomic_int phase = PHASE_BEFORE;
static atomic_bool cancel_flag, abandon_flag;
static atomic_int first_signal;
static atomic_long in_flight;

static const char *signal_name(int sig)
{
    return sig == SIGINT    ? "SIGINT"
           : sig == SIGTERM ? "SIGTERM"
           : sig == SIGHUP  ? "SIGHUP"
                            : "a signal";
}

static void signal_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
}

static void *signal_thread(void *arg)
{
    (void)arg;
    sigset_t set;
    signal_set(&set);
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            continue;
        int expected = 0;
        atomic_compare_exchange_strong(&first_signal, &expected, sig);
        switch (atomic_load(&phase)) {
        case PHASE_BEFORE:
            fprintf(stderr, "\nnestlab: %s: stopped; nothing was changed.\n", signal_name(sig));
            _exit(128 + sig);
        case PHASE_AFTER:
            break; /* the change set is journaled; the exit status tells */
        case PHASE_APPLYING:
            if (!atomic_exchange(&cancel_flag, true)) {
                long n = atomic_load(&in_flight);
                if (n > 0)
                    fprintf(stderr,
                            "\nnestlab: %s: stopping. No new step starts; the %ld call(s) in "
                            "flight finish or time out, then everything is journaled. Press "
                            "Ctrl-C again to abandon them (journaled as unknown).\n",
                            signal_name(sig), n);
                else
                    fprintf(stderr,
                            "\nnestlab: %s: stopping. No new step starts; what is being sent "
                            "or re-read finishes or times out, then everything is journaled. "
                            "Press Ctrl-C again to stop waiting.\n",
                            signal_name(sig));
            } else if (!atomic_exchange(&abandon_flag, true)) {
                fprintf(stderr,
                        "\nnestlab: %s: abandoning what is in flight; it is journaled as "
                        "unknown.\n",
                        signal_name(sig));
            }
            break;
        }
    }
    return NULL;
}

void cli_apply_guard(void)
{
    static bool started;
    if (started)
        return;
    started = true;
    sigset_t set;
    signal_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    /* A closed terminal or pipe must not kill nestlab before the journal is complete. */
    signal(SIGPIPE, SIG_IGN);
    pthread_t t;
    if (pthread_create(&t, NULL, signal_thread, NULL) == 0)
        pthread_detach(t);
    else
        pthread_sigmask(SIG_UNBLOCK, &set, NULL); /* no thread: the default actions stay */
}

struct waiter {
    const char *endpoint;
    bool waited;
};

static void on_wait(const char *holder, int wait_s, void *user)
{
    struct waiter *w = user;
    w->waited = true;
    nl_term_printf(stderr,
                   "nestlab: another nestlab is changing \"%s\" (%s); waiting up to %d s...\n",
                   w->endpoint, holder, wait_s);
}

enum nl_code cli_change_lock(const struct cli_opts *o, struct cli_session *s, const char *what,
                             struct ops_lock **lock, struct nl_err *err)
{
    const char *name = nl_endpoint_name(s->ep);
    char *path = nl_endpoint_lock_path(name, err);
    if (!path)
        return err->code;
    struct waiter w = {.endpoint = name};
    enum nl_code rc = ops_lock_acquire(path, name, what, o->wait_s, on_wait, &w, lock, err);
    free(path);
    if (rc != NL_OK || !w.waited)
        return rc;
    fprintf(stderr, "nestlab: the other nestlab is done; reading the lab again.\n");
    /* Waited: the other nestlab may have changed what the plan is made from. */
    struct nl_lab *now = nl_endpoint_inventory(s->ep, err);
    if (!now) {
        ops_lock_release(lock);
        return err->code;
    }
    nl_lab_free(&s->lab);
    s->lab = now;
    return NL_OK;
}

static void print_progress(const struct ops_progress *p, void *user)
{
    bool quiet = *(const bool *)user;
    if (p->event == OPS_PROGRESS_STARTED) {
        atomic_fetch_add(&in_flight, 1);
        return;
    }
    if (p->event == OPS_PROGRESS_VERIFYING) {
        if (!quiet)
            fprintf(stderr, "verifying: reading the lab again...\n");
        return;
    }
    if (p->step->result == OPS_RESULT_OK || p->step->result == OPS_RESULT_FAILED)
        atomic_fetch_sub(&in_flight, 1);
    if (quiet)
        return;
    char *line = ops_step_text(p->plan, p->step);
    nl_term_printf(stderr, "[%zu/%zu] %s", p->done, p->total, line);
    if (!strchr(line, '\n'))
        fputc('\n', stderr);
    free(line);
}

void cli_apply_interrupted(const struct ops_plan *plan, int signo)
{
    char *text = ops_plan_text(plan);
    nl_term_printf(stdout, "Interrupted by %s. What was and was not done:\n%s", signal_name(signo),
                   text);
    free(text);
    if (plan->journal_id)
        printf("Journal: %s (nestlab journal shows it; nestlab undo %s restores every step that "
               "changed, unknown ones included)\n",
               plan->journal_id, plan->journal_id);
}

enum nl_code cli_apply(const struct cli_opts *o, struct cli_session *s, struct ops_plan *plan,
                       const char *journal, int *signo, struct nl_err *err)
{
    static bool quiet;
    quiet = o->json;
    struct ops_apply_opts ao;
    ops_apply_opts_init(&ao);
    if (o->parallel)
        ao.parallel = (unsigned)o->parallel;
    ao.journal_path = journal;
    ao.progress = print_progress;
    ao.progress_user = &quiet;
    ao.cancel = &cancel_flag;
    ao.abandon = &abandon_flag;
    atomic_store(&phase, PHASE_APPLYING);
    enum nl_code rc = ops_apply(plan, nl_endpoint_executor(s->ep), &ao, err);
    atomic_store(&phase, PHASE_AFTER);
    *signo = atomic_load(&first_signal);
    if (plan->abandoned) {
        /* Workers may still be inside their calls, using the plan and the connection: nothing
         * is freed; the journal is complete, so the process ends here. */
        cli_apply_interrupted(plan, *signo);
        if (rc != NL_OK)
            cli_note("", err->message);
        fflush(stdout);
        fflush(stderr);
        _exit(128 + *signo);
    }
    return rc;
}
