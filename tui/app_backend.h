/* The console's real backend (struct ui_backend, tui/ui_backend.h) on top of the endpoint facade
 * (backend/ops/endpoint.h), the change engine (backend/ops) and vCenter's live updates.
 *
 * Threads: the UI thread owns struct app_ctx and everything in it. Network and file work runs as
 * jobs on ctx->pool; a job gets its inputs as owned copies and hands its result back as one
 * message on ctx->q (whose fd is the console's wake_fd). The UI thread drains the queue in
 * poll()/take_lab() and only there changes the context. vCenter's WaitForUpdatesEx watcher pushes
 * its VS_MSG_UPDATE messages onto the same queue; they are applied to ctx->lab on the UI thread.
 *
 * Endpoints are never freed while the console runs: a replaced one moves to ctx->retired, and
 * every endpoint is freed after the pool has been joined at shutdown. A job may therefore use the
 * endpoint it was given without reference counting. */
#ifndef NL_TUI_APP_BACKEND_H
#define NL_TUI_APP_BACKEND_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "backend/core/config.h"
#include "backend/core/pool.h"
#include "backend/core/queue.h"
#include "backend/ops/endpoint.h"
#include "backend/ops/journal.h"
#include "backend/ops/plan.h"
#include "backend/ops/scope.h"
#include "tui/ui_backend.h"

struct vs_watch;
struct app_perf; /* tui/app_perf.h */

/* Message kinds on ctx->q besides VS_MSG_UPDATE / VS_MSG_ERROR (vs_update.h). */
enum app_msg_kind {
    APP_MSG_EVENTS = 1, /* payload: struct ui_events, passed through to the console */
    APP_MSG_REFRESHED,  /* payload: struct app_refresh_result */
    APP_MSG_PLANNED,    /* payload: struct app_plan_result */
    APP_MSG_APPLIED,    /* payload: struct app_plan_result */
    APP_MSG_JOURNAL,    /* payload: struct app_journal_result */
    APP_MSG_JOB_DONE,   /* no payload: a job without a result of its own finished */
    APP_MSG_TRUSTED,    /* payload: struct app_trust_result */
    APP_MSG_PERF_WAKE,  /* no payload: app_perf.c's own queue has results (the poll drains it) */
};

enum app_plan_state { APP_PLAN_BUILDING, APP_PLAN_READY, APP_PLAN_APPLYING, APP_PLAN_DONE };

struct app_plan {
    int id;
    enum app_plan_state state;
    bool cancelled;         /* dropped while being built: free it when it arrives */
    struct ops_plan *plan;  /* READY; owned by the applying job while APPLYING */
    struct nl_endpoint *ep; /* the endpoint the plan was made for (its transport and ids) */
    atomic_bool *cancel;    /* APPLYING: shared with the applying job (ops_apply_opts.cancel) */
};

struct app_ctx {
    /* configuration (owned) */
    struct nl_config cfg;
    struct nl_endpoint_cfg *ep_cfg; /* points into cfg */
    struct nl_endpoint_opts ep_opts;
    bool may_reconnect; /* the endpoint has a vCenter that a fallback can return to */
    bool read_only;     /* --read-only: every change is refused here too */
    /* Passwords typed at the prompt before curses started (NULL: the environment has them).
     * ep_opts borrows them for every nl_endpoint_open; wiped with explicit_bzero at exit. */
    char *vc_password;
    char *ssh_password;
    char *journal_path;
    char *cache_path;

    struct nl_pool *pool;
    struct nl_queue *q;
    atomic_bool stopping; /* quitting: jobs not yet started do nothing */
    atomic_int applying;  /* apply jobs running: quitting waits for them */

    /* connection */
    struct nl_endpoint *ep; /* NULL until the first open succeeds */
    struct nl_endpoint **retired;
    size_t n_retired;
    struct vs_watch *watch;
    bool watch_starting;     /* a refresh job was asked to start one */
    time_t fallback_since;   /* when vCenter was last found unreachable (0 = not in fallback) */
    time_t last_watch_error; /* rate limit for automatic reconnects from watcher errors */

    /* the model */
    struct nl_lab *lab; /* the newest snapshot, linked; NULL before anything was loaded */
    bool lab_new;       /* newer than what the console took */

    /* status */
    struct ui_status status;
    bool refreshing;
    bool refresh_again;
    int jobs;

    /* console events waiting for poll() */
    struct ui_events events;

    /* plans */
    struct app_plan *plans;
    size_t n_plans, cap_plans;
    int next_plan_id;

    /* SSH host keys refused in the last refresh (unknown ones await the user's answer), and
     * the unknown keys the user declined this session ("host\nfingerprint"), not asked again */
    struct nl_endpoint_hostkey *hostkeys;
    size_t n_hostkeys;
    char **declined;
    size_t n_declined;

    /* the journal as last read (newest first), plus notes from the reconciliation */
    struct ui_journal journal;
    char **notes; /* pairs: journal id, note */
    size_t n_notes;

    struct app_perf *perf; /* performance samples and the security-change timeline */
};

/* Results crossing from a job to the UI thread. */
struct app_refresh_result {
    struct app_ctx *ctx;
    struct nl_endpoint *new_ep; /* opened by the job (the old one, if any, is to be retired) */
    struct nl_lab *lab;         /* NULL with err set */
    struct nl_err err;
    char *fallback_reason;
    char **host_errors;
    size_t n_host_errors;
    struct vs_watch *watch; /* started by the job */
    char *watch_error;
    char **reconcile; /* lines about SSH changes as vCenter reports them now */
    size_t n_reconcile;
    char **notes; /* pairs: journal id, note */
    size_t n_notes;
    struct nl_endpoint_hostkey *host_keys; /* copies of nl_endpoint_host_keys */
    size_t n_host_keys;
};

struct app_trust_result {
    bool ok;
    char *text; /* whole sentence for the message line */
};

struct app_plan_result {
    int id;
    struct ops_plan *plan; /* NULL with err set */
    struct nl_err err;
    struct ui_events events; /* extra events (non-change commands) */
    bool not_a_change;       /* a command that answered with events only */
};

struct app_journal_result {
    struct ui_journal journal;
};

/* ---- app_conn.c ---- */
void app_refresh(void *ctx);
struct nl_lab *app_take_lab(void *ctx);
void app_poll(void *ctx, struct ui_events *ev);
void app_status(void *ctx, struct ui_status *st);
/* Drains the queue into the context (UI thread). */
void app_drain(struct app_ctx *ctx);
/* Posts events to the console from any thread (moves ev's events). */
void app_post_events(struct app_ctx *ctx, struct ui_events *ev);
void app_post_simple(struct app_ctx *ctx, enum ui_event_kind kind, int plan_id, const char *text);
/* Submits fn(arg) and counts it as a running job; arg must post APP_MSG_JOB_DONE or a result. */
bool app_submit(struct app_ctx *ctx, void (*fn)(void *), void *arg);
void app_refresh_result_free(void *p);

/* ---- app_plan.c ---- */
int app_plan_request(void *ctx, const struct ui_intent *intent, struct nl_err *err);
enum nl_code app_plan_apply(void *ctx, int plan_id, struct nl_err *err);
void app_plan_cancel(void *ctx, int plan_id);
void app_plan_planned(struct app_ctx *ctx, struct app_plan_result *r);
void app_plan_applied(struct app_ctx *ctx, struct app_plan_result *r);
void app_plan_result_free(void *p);
void app_plans_free(struct app_ctx *ctx);
/* Stops starting new steps in every plan being applied (quitting). */
void app_plans_cancel_all(struct app_ctx *ctx);

/* ---- app_journal.c ---- */
void app_journal_list(void *ctx, struct ui_journal *j);
void app_journal_reload(struct app_ctx *ctx);
void app_journal_loaded(struct app_ctx *ctx, struct app_journal_result *r);
void app_journal_result_free(void *p);
void app_checks_run(void *ctx);
/* Fills r->reconcile/r->notes: every journal entry made over SSH since `since`, compared with
 * lab (fresh from vCenter). Runs on a worker. */
void app_reconcile(const char *journal_path, time_t since, const struct nl_lab *lab,
                   struct app_refresh_result *r);
/* The undo plan of journal entry id (NULL = newest undoable). */
enum nl_code app_undo_plan(const char *journal_path, const char *id, const struct nl_lab *lab,
                           struct ops_plan **out, struct nl_err *err);

/* ---- app_trust.c ---- */
/* Copies the endpoint's host-key refusals into r (worker). */
void app_hostkeys_collect(struct nl_endpoint *ep, struct app_refresh_result *r);
/* Takes r's host keys into ctx and tells the console: a question per unknown key (unless
 * declined), a loud error per changed one (UI thread). */
void app_hostkeys_report(struct app_ctx *ctx, struct app_refresh_result *r);
void app_hostkey_answer(void *ctx, const char *host, const char *fingerprint, bool accept);
void app_trust_done(struct app_ctx *ctx, struct app_trust_result *r);
void app_trust_result_free(void *p);
void app_hostkeys_free(struct nl_endpoint_hostkey **v, size_t *n);

/* ---- app_util.c ---- */
/* Splits a command line into words like a POSIX shell does for quoting ('..', "..", \x), without
 * expansions. Returns the word count (argv[0] is "nestlab"), or -1 with err on an open quote. */
int app_split_words(const char *line, char ***argv_out, struct nl_err *err);
void app_words_free(char **argv, int argc);
/* A scope built from lab ids: clusters and datacenters become their hosts; for VM intents hosts
 * become their backing VM and the hypervisor VMs on them, for host intents VMs become their host.
 */
struct ops_scope *app_scope_from_ids(const struct nl_lab *lab, const char *const *ids, size_t n,
                                     bool vm_intent);
/* "HOST: WHAT" of ops_step_text without the status word and the host: just WHAT. Owned. */
char *app_step_what(const struct ops_plan *plan, const struct ops_step *step);
/* Parses "2025-03-01T10:15:00Z"; 0 when malformed. */
time_t app_parse_time(const char *iso);
void app_strv_push(char ***v, size_t *n, char *s);
void app_strv_free(char ***v, size_t *n);

#endif
