/* `nestlab` with no verb: the console on the real backend. Resolves the config, asks for missing
 * passwords while the terminal is still a terminal, shows the cached lab at once, connects on a
 * worker, runs ui_run(), and shuts down within about two seconds even while vCenter is slow. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/core/log.h"
#include "backend/core/term_text.h"
#include "backend/core/xmalloc.h"
#include "backend/model/lab_json.h"
#include "backend/vsphere/vs_update.h"
#include "tui/app_backend.h"
#include "tui/app_perf.h"
#include "tui/cli_verbs.h"
#include "tui/ui.h"

#define APP_WORKERS 4
#define APP_QUIT_WAIT_MS 1800

/* A context whose workers did not finish in time at quit: kept reachable until exit. */
static struct app_ctx *abandoned;

/* ---- passwords, before curses ---------------------------------------------------------------- */

static bool env_set(const char *name)
{
    const char *v = name ? getenv(name) : NULL;
    return v && v[0];
}

static bool cache_exists(const char *path)
{
    return path && access(path, R_OK) == 0;
}

/* Asks for the passwords the environment does not have while the terminal is still a terminal:
 * the endpoint is opened on a worker later, when curses owns it and nothing may prompt. They stay
 * in ctx only (never in the environment, argv, files or logs) and are lent to the endpoint. */
static enum nl_code ask_passwords(const struct cli_opts *o, struct app_ctx *ctx, struct nl_err *err)
{
    const struct nl_endpoint_cfg *c = ctx->ep_cfg;
    if (!isatty(STDIN_FILENO))
        return NL_OK; /* the endpoint reports the missing password as an error */
    const char *vc_env = c->password_env ? c->password_env : "NESTLAB_PASSWORD";
    const char *ssh_env = c->ssh.password_env ? c->ssh.password_env : "NESTLAB_SSH_PASSWORD";
    bool want_vc = c->url && !c->ssh_only && !o->direct;
    bool want_ssh =
        !c->ssh.key_file && (!want_vc || c->ssh.n_hosts > 0 || cache_exists(ctx->cache_path));
    bool have_vc = env_set(vc_env);
    bool have_ssh = env_set(ssh_env); /* never NESTLAB_PASSWORD unless ssh_env names it */
    char *vc_pw = NULL, *ssh_pw = NULL;
    char prompt[400];
    if (want_vc && !have_vc) {
        snprintf(prompt, sizeof(prompt), "Password for %s at %s: ", c->user ? c->user : "?",
                 c->url);
        vc_pw = nl_password_get(NULL, prompt, true, err);
        if (!vc_pw)
            return err->code;
    }
    if (want_ssh && !have_ssh) {
        snprintf(prompt, sizeof(prompt), "SSH password for %s on the ESXi hosts of %s%s: ",
                 c->ssh.user ? c->ssh.user : "root", c->name,
                 vc_pw ? " (Enter: the same as vCenter's)" : "");
        ssh_pw = nl_password_get(NULL, prompt, true, err);
        if (!ssh_pw) {
            nl_secret_free(&vc_pw);
            return err->code;
        }
        if (!ssh_pw[0] && vc_pw) {
            nl_secret_free(&ssh_pw);
            ssh_pw = xstrdup(vc_pw);
        }
    }
    ctx->vc_password = vc_pw;
    ctx->ssh_password = ssh_pw;
    return NL_OK;
}

/* ---- the context ---------------------------------------------------------------------------- */

static void show_cache(struct app_ctx *ctx)
{
    if (!cache_exists(ctx->cache_path))
        return;
    struct nl_err err = {0};
    struct nl_lab *lab = nl_lab_load_cache(ctx->cache_path, &err);
    if (!lab) {
        NL_WARN("The inventory cache is unusable: %s", err.message);
        return;
    }
    /* Until a live read replaces it, every object is what the cache says. */
    lab->source = NL_SOURCE_CACHE;
    for (size_t i = 0; i < lab->n_hosts; i++)
        lab->hosts[i].source = NL_SOURCE_CACHE;
    nl_lab_link(lab);
    ctx->lab = lab;
    ctx->lab_new = true;
    ctx->status.source = NL_SOURCE_CACHE;
    ctx->status.last_update = lab->fetched_at;
}

static void ctx_free_local(struct app_ctx *ctx)
{
    nl_lab_free(&ctx->lab);
    ui_events_free(&ctx->events);
    app_plans_free(ctx);
    ui_journal_free(&ctx->journal);
    app_strv_free(&ctx->notes, &ctx->n_notes);
    app_perf_free(ctx);
    app_hostkeys_free(&ctx->hostkeys, &ctx->n_hostkeys);
    app_strv_free(&ctx->declined, &ctx->n_declined);
    nl_secret_free(&ctx->vc_password); /* explicit_bzero, then free */
    nl_secret_free(&ctx->ssh_password);
    free(ctx->journal_path);
    free(ctx->cache_path);
    nl_config_free(&ctx->cfg);
    free(ctx);
}

/* ---- shutdown ------------------------------------------------------------------------------- */

struct reaper {
    struct app_ctx *ctx;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
};

/* Stops everything that may talk to the network: the watcher (its teardown calls vCenter), the
 * workers (a refresh may sit in a slow call), then the endpoints. */
static void *reaper_run(void *arg)
{
    struct reaper *r = arg;
    struct app_ctx *ctx = r->ctx;
    nl_queue_close(ctx->q); /* results of late jobs are freed, not delivered */
    vs_watch_stop(&ctx->watch);
    nl_pool_free(&ctx->pool);
    for (size_t i = 0; i < ctx->n_retired; i++)
        nl_endpoint_free(&ctx->retired[i]);
    free(ctx->retired);
    ctx->retired = NULL;
    nl_endpoint_free(&ctx->ep);
    nl_queue_free(&ctx->q);
    pthread_mutex_lock(&r->mu);
    r->done = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* Returns true when everything was released; false when some worker is still stuck in a
 * network call after APP_QUIT_WAIT_MS (the process is about to exit: it is left behind). */
static bool shutdown_ctx(struct app_ctx *ctx)
{
    /* A change being applied is never abandoned half-way: no new steps start, and the running
     * ones finish, are verified and journaled before anything is torn down. (An apply job that
     * had not started yet sees `stopping` and changes nothing.) */
    atomic_store(&ctx->stopping, true);
    app_plans_cancel_all(ctx);
    if (atomic_load(&ctx->applying) > 0) {
        nl_term_printf(stderr,
                       "nestlab: cancelled the steps not started yet; waiting for the running "
                       "ones to finish...\n");
        while (atomic_load(&ctx->applying) > 0) {
            struct timespec ts = {0, 50 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    struct reaper *r = xcalloc(1, sizeof(*r));
    r->ctx = ctx;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    pthread_t t;
    if (pthread_create(&t, NULL, reaper_run, r) != 0) {
        reaper_run(r);
        t = pthread_self();
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += APP_QUIT_WAIT_MS / 1000;
    until.tv_nsec += (long)(APP_QUIT_WAIT_MS % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&r->mu);
    while (!r->done)
        if (pthread_cond_timedwait(&r->cv, &r->mu, &until) == ETIMEDOUT)
            break;
    bool done = r->done;
    pthread_mutex_unlock(&r->mu);
    if (!done) {
        NL_WARN("A network call was still running at quit; leaving it behind.");
        pthread_detach(t);
        abandoned = ctx; /* the reaper still uses ctx and r */
        return false;
    }
    if (!pthread_equal(t, pthread_self()))
        pthread_join(t, NULL);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
    return true;
}

/* ---- entry ---------------------------------------------------------------------------------- */

int cli_run_console(struct cli_opts *o)
{
    struct nl_err err = {0};
    struct app_ctx *ctx = xcalloc(1, sizeof(*ctx));
    atomic_init(&ctx->stopping, false);
    atomic_init(&ctx->applying, 0);
    if (cli_config_resolve(o, &ctx->cfg, &ctx->ep_cfg, &err) != NL_OK) {
        int rc = cli_fail(&err);
        ctx_free_local(ctx);
        return rc;
    }
    if (ctx->ep_cfg->insecure)
        nl_term_printf(stderr,
                       "nestlab: warning: TLS verification is off for \"%s\" (--insecure); "
                       "pin the certificate with --thumbprint instead.\n",
                       ctx->ep_cfg->name);
    ctx->journal_path = nl_endpoint_journal_path(&err);
    ctx->cache_path = nl_endpoint_cache_path(ctx->ep_cfg->name, &err);
    if (!ctx->journal_path || !ctx->cache_path || ask_passwords(o, ctx, &err) != NL_OK) {
        int rc = cli_fail(&err);
        ctx_free_local(ctx);
        return rc;
    }
    ctx->ep_opts = (struct nl_endpoint_opts){
        .direct = o->direct,
        .accept_new_host_keys = o->accept_new_host_keys,
        .allow_prompt = false, /* curses owns the terminal while the endpoint opens */
        .password = ctx->vc_password,
        .ssh_password = ctx->ssh_password,
    };
    ctx->may_reconnect = ctx->ep_cfg->url && !ctx->ep_cfg->ssh_only && !o->direct;
    ctx->read_only = o->read_only;
    snprintf(ctx->status.endpoint, sizeof(ctx->status.endpoint), "%s", ctx->ep_cfg->name);
    ctx->status.state = UI_CONN_CONNECTING;
    show_cache(ctx);
    ctx->pool = nl_pool_new(APP_WORKERS);
    ctx->q = nl_queue_new();
    NL_INFO("console started for \"%s\"", ctx->ep_cfg->name);

    struct ui_backend be = {
        .ctx = ctx,
        .wake_fd = nl_queue_fd(ctx->q),
        .read_only = o->read_only,
        .refresh = app_refresh,
        .take_lab = app_take_lab,
        .poll = app_poll,
        .status = app_status,
        .plan_request = app_plan_request,
        .plan_apply = app_plan_apply,
        .plan_cancel = app_plan_cancel,
        .journal_list = app_journal_list,
        .checks_run = app_checks_run,
        .hostkey_answer = app_hostkey_answer,
    };
    app_perf_attach(ctx, &be);
    app_refresh(ctx); /* opens the endpoint on a worker; the cache shows meanwhile */
    app_journal_reload(ctx);
    struct ui_options uo = {
        .theme = o->theme ? o->theme : ctx->cfg.theme,
        .themes_dir = cli_themes_dir(),
        .no_color = o->no_color,
        .read_only = o->read_only,
    };
    int rc = ui_run(&be, &uo);
    if (shutdown_ctx(ctx))
        ctx_free_local(ctx);
    else if (ctx->vc_password || ctx->ssh_password) {
        /* Left behind with a stuck worker: the process exits now; the secrets go first. That
         * worker sits in a network call; the endpoint copied the passwords before making it. */
        if (ctx->vc_password)
            explicit_bzero(ctx->vc_password, strlen(ctx->vc_password));
        if (ctx->ssh_password)
            explicit_bzero(ctx->ssh_password, strlen(ctx->ssh_password));
    }
    return rc;
}
