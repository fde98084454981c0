/* Connection, inventory and live updates for the console backend: the refresh job (open or
 * re-open the endpoint, read the lab, start vCenter's watcher, reconcile SSH changes), draining
 * the result queue on the UI thread, and the status bar. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"
#include "backend/vsphere/vs_client.h"
#include "backend/vsphere/vs_update.h"
#include "tui/app_backend.h"

/* ---- posting from any thread ---------------------------------------------------------------- */

static void events_free_payload(void *p)
{
    ui_events_free(p);
    free(p);
}

void app_post_events(struct app_ctx *ctx, struct ui_events *ev)
{
    if (!ev->n)
        return;
    struct ui_events *moved = xcalloc(1, sizeof(*moved));
    *moved = *ev;
    memset(ev, 0, sizeof(*ev));
    nl_queue_push(ctx->q, nl_msg_new(APP_MSG_EVENTS, moved, events_free_payload));
}

void app_post_simple(struct app_ctx *ctx, enum ui_event_kind kind, int plan_id, const char *text)
{
    struct ui_events ev = {0};
    ui_events_add(&ev, kind, plan_id, text);
    app_post_events(ctx, &ev);
}

bool app_submit(struct app_ctx *ctx, void (*fn)(void *), void *arg)
{
    if (nl_pool_submit(ctx->pool, fn, arg) != 0)
        return false;
    ctx->jobs++;
    return true;
}

/* ---- the refresh job ------------------------------------------------------------------------ */

struct refresh_job {
    struct app_ctx *ctx;    /* only ctx->q, ctx->ep_cfg and ctx->journal_path are read */
    struct nl_endpoint *ep; /* the current endpoint, or NULL: open one */
    bool reopen;            /* try vCenter again (we are in fallback) */
    bool start_watch;
    time_t reconcile_since; /* > 0: compare SSH changes since then once vCenter is back */
    struct nl_endpoint_opts opts;
};

void app_refresh_result_free(void *p)
{
    struct app_refresh_result *r = p;
    if (!r)
        return;
    vs_watch_stop(&r->watch);
    nl_endpoint_free(&r->new_ep);
    nl_lab_free(&r->lab);
    free(r->fallback_reason);
    free(r->watch_error);
    app_strv_free(&r->host_errors, &r->n_host_errors);
    app_strv_free(&r->reconcile, &r->n_reconcile);
    app_strv_free(&r->notes, &r->n_notes);
    app_hostkeys_free(&r->host_keys, &r->n_host_keys);
    free(r);
}

static bool unreachable(enum nl_code c)
{
    return c == NL_ERR_CONNECT || c == NL_ERR_TIMEOUT || c == NL_ERR_TLS || c == NL_ERR_PROTOCOL;
}

static struct nl_endpoint *open_endpoint(struct refresh_job *j, struct app_refresh_result *r)
{
    struct nl_endpoint *ep = NULL;
    if (nl_endpoint_open(j->ctx->ep_cfg, &j->opts, &ep, &r->err) != NL_OK)
        return NULL;
    r->new_ep = ep;
    const char *reason = nl_endpoint_fallback_reason(ep);
    free(r->fallback_reason);
    r->fallback_reason = reason ? xstrdup(reason) : NULL;
    return ep;
}

static void refresh_job_run(void *arg)
{
    struct refresh_job *j = arg;
    struct app_ctx *ctx = j->ctx;
    struct app_refresh_result *r = xcalloc(1, sizeof(*r));
    r->ctx = ctx;
    struct nl_endpoint *ep = j->ep;
    if (atomic_load(&ctx->stopping)) {
        NL_ERR(&r->err, NL_ERR_STATE, NULL, "The console is quitting.");
        goto post;
    }
    if (!ep || j->reopen) {
        struct nl_endpoint *fresh = open_endpoint(j, r);
        if (fresh)
            ep = fresh;
        else if (!ep)
            goto post;
        else /* still unreachable: keep working over the endpoint we have */
            nl_err_clear(&r->err);
    }
    r->lab = nl_endpoint_inventory(ep, &r->err);
    if (!r->lab && nl_endpoint_mode(ep) == NL_MODE_VCENTER && unreachable(r->err.code) &&
        !r->new_ep) {
        /* vCenter went away since we connected: open again, which falls back to SSH. */
        NL_WARN("vCenter stopped answering (%s); reconnecting.", r->err.message);
        nl_err_clear(&r->err);
        ep = open_endpoint(j, r);
        if (ep)
            r->lab = nl_endpoint_inventory(ep, &r->err);
    }
    if (!r->lab)
        goto post;
    size_t n = 0;
    const char *const *errs = nl_endpoint_host_errors(ep, &n);
    for (size_t i = 0; i < n; i++)
        app_strv_push(&r->host_errors, &r->n_host_errors, xstrdup(errs[i]));
    app_hostkeys_collect(ep, r);
    if (nl_endpoint_mode(ep) == NL_MODE_VCENTER) {
        if (j->start_watch || r->new_ep) {
            struct nl_err werr = {0};
            r->watch = vs_watch_start(nl_endpoint_vcenter(ep), ctx->q, &werr);
            if (!r->watch)
                r->watch_error = xasprintf("Live updates are off: %s", werr.message);
        }
        if (j->reconcile_since > 0)
            app_reconcile(ctx->journal_path, j->reconcile_since, r->lab, r);
    }
post:
    nl_queue_push(ctx->q, nl_msg_new(APP_MSG_REFRESHED, r, app_refresh_result_free));
    free(j);
}

static void watch_stop_job(void *arg)
{
    struct vs_watch *w = arg;
    vs_watch_stop(&w);
}

/* Stops the watcher off the UI thread: tearing it down talks to vCenter, which may be slow. The
 * endpoint it uses is retired, never freed before the pool is joined. */
static void watch_stop_async(struct app_ctx *ctx)
{
    if (!ctx->watch)
        return;
    if (nl_pool_submit(ctx->pool, watch_stop_job, ctx->watch) != 0)
        vs_watch_stop(&ctx->watch);
    ctx->watch = NULL;
}

void app_refresh(void *vctx)
{
    struct app_ctx *ctx = vctx;
    if (ctx->refreshing) {
        ctx->refresh_again = true;
        return;
    }
    struct refresh_job *j = xcalloc(1, sizeof(*j));
    j->ctx = ctx;
    j->ep = ctx->ep;
    j->opts = ctx->ep_opts;
    bool direct = ctx->ep && nl_endpoint_mode(ctx->ep) == NL_MODE_DIRECT;
    j->reopen = direct && ctx->may_reconnect;
    if (j->reopen)
        j->opts.vcenter_timeout_s = 5; /* a dead vCenter must not hold a refresh long */
    j->start_watch = ctx->ep && !direct && !ctx->watch && !ctx->watch_starting;
    j->reconcile_since = ctx->fallback_since;
    if (!app_submit(ctx, refresh_job_run, j)) {
        free(j);
        return;
    }
    ctx->watch_starting |= j->start_watch || !ctx->ep || j->reopen;
    ctx->refreshing = true;
    if (!ctx->ep)
        ctx->status.state = UI_CONN_CONNECTING;
}

/* ---- results on the UI thread --------------------------------------------------------------- */

/* Copies text into the status line, cut at a UTF-8 character boundary when too long. */
static void set_error(struct app_ctx *ctx, const char *text)
{
    char *dst = ctx->status.last_error;
    size_t size = sizeof(ctx->status.last_error);
    size_t n = text ? strlen(text) : 0;
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, text, n);
    dst[n] = '\0';
}

static void event(struct app_ctx *ctx, enum ui_event_kind kind, const char *text)
{
    ui_events_add(&ctx->events, kind, 0, text);
}

static void retire(struct app_ctx *ctx)
{
    if (!ctx->ep)
        return;
    watch_stop_async(ctx);
    ctx->retired = xrealloc(ctx->retired, (ctx->n_retired + 1) * sizeof(*ctx->retired));
    ctx->retired[ctx->n_retired++] = ctx->ep;
    ctx->ep = NULL;
}

static void set_lab(struct app_ctx *ctx, struct nl_lab *lab)
{
    nl_lab_free(&ctx->lab);
    ctx->lab = lab;
    ctx->lab_new = true;
    ctx->status.source = lab->source;
    ctx->status.last_update = lab->fetched_at ? lab->fetched_at : time(NULL);
}

static void refreshed(struct app_ctx *ctx, struct app_refresh_result *r)
{
    ctx->refreshing = false;
    ctx->watch_starting = false;
    bool was_fallback = ctx->fallback_since > 0;
    if (r->new_ep) {
        retire(ctx);
        ctx->ep = r->new_ep;
        r->new_ep = NULL;
    }
    if (r->watch) {
        if (ctx->watch) /* one is running already: keep it */
            watch_stop_async(ctx);
        ctx->watch = r->watch;
        r->watch = NULL;
    }
    if (!ctx->ep) {
        char text[700];
        nl_err_format(&r->err, text, sizeof(text));
        ctx->status.state = UI_CONN_OFFLINE;
        set_error(ctx, text);
        event(ctx, UI_EV_ERROR, text);
        goto done;
    }
    bool vcenter = nl_endpoint_mode(ctx->ep) == NL_MODE_VCENTER;
    if (r->fallback_reason && !vcenter) {
        if (!ctx->fallback_since)
            ctx->fallback_since = time(NULL);
        event(ctx, UI_EV_MESSAGE, r->fallback_reason);
    }
    if (!r->lab) {
        char text[700];
        nl_err_format(&r->err, text, sizeof(text));
        set_error(ctx, text);
        event(ctx, UI_EV_ERROR, text);
        if (!ctx->lab || ctx->status.state == UI_CONN_CONNECTING)
            ctx->status.state = UI_CONN_OFFLINE;
        goto done;
    }
    size_t n_hosts = r->lab->n_hosts;
    set_lab(ctx, r->lab);
    r->lab = NULL;
    ctx->status.state = vcenter ? UI_CONN_CONNECTED : UI_CONN_DEGRADED;
    if (!vcenter && n_hosts > 0 && r->n_host_errors >= n_hosts)
        ctx->status.state = UI_CONN_OFFLINE;
    set_error(ctx, "");
    bool first = true;
    for (size_t i = 0; i < r->n_host_errors; i++) {
        char text[900];
        snprintf(text, sizeof(text), "Not read over SSH, shown from the cache: %s",
                 r->host_errors[i]);
        if (first)
            set_error(ctx, text);
        first = false;
        /* Host keys get their own question or loud refusal (app_trust.c). */
        if (r->n_host_keys && strstr(r->host_errors[i], "host key"))
            continue;
        event(ctx, UI_EV_ERROR, text);
    }
    app_hostkeys_report(ctx, r);
    if (r->watch_error) {
        event(ctx, UI_EV_MESSAGE, r->watch_error);
        set_error(ctx, r->watch_error);
    }
    if (vcenter && was_fallback) {
        ctx->fallback_since = 0;
        event(ctx, UI_EV_MESSAGE, "vCenter answers again: reconnected and reloaded.");
        for (size_t i = 0; i < r->n_reconcile; i++)
            event(ctx, UI_EV_MESSAGE, r->reconcile[i]);
        app_strv_free(&ctx->notes, &ctx->n_notes);
        ctx->notes = r->notes;
        ctx->n_notes = r->n_notes;
        r->notes = NULL;
        r->n_notes = 0;
        app_journal_reload(ctx);
    }
done:
    event(ctx, UI_EV_STATUS, NULL);
    if (ctx->refresh_again) {
        ctx->refresh_again = false;
        app_refresh(ctx);
    }
}

static void live_update(struct app_ctx *ctx, const struct vs_update *u)
{
    if (!ctx->lab || !ctx->watch || !u)
        return;
    /* Applied to a copy: the console owns the snapshots it took, never ctx->lab itself. */
    vs_update_apply(ctx->lab, u);
    nl_lab_link(ctx->lab);
    ctx->lab->source = NL_SOURCE_VCENTER;
    ctx->lab_new = true;
    ctx->status.last_update = time(NULL);
}

static void watch_error(struct app_ctx *ctx, const struct nl_err *e)
{
    char text[700], line[720];
    nl_err_format(e, text, sizeof(text));
    snprintf(line, sizeof(line), "Live updates: %s", text);
    set_error(ctx, line);
    /* vCenter went away under the watcher: fall back on our own, at most every 30 s. */
    time_t now = time(NULL);
    if (unreachable(e->code) && ctx->ep && nl_endpoint_mode(ctx->ep) == NL_MODE_VCENTER &&
        !ctx->refreshing && now - ctx->last_watch_error >= 30) {
        ctx->last_watch_error = now;
        app_refresh(ctx);
    }
}

void app_drain(struct app_ctx *ctx)
{
    struct nl_msg *m;
    while ((m = nl_queue_pop(ctx->q)) != NULL) {
        switch (m->kind) {
        case APP_MSG_EVENTS: {
            struct ui_events *ev = m->payload;
            for (size_t i = 0; i < ev->n; i++) {
                ctx->events.v = xgrow(ctx->events.v, &ctx->events.cap, ctx->events.n + 1,
                                      sizeof(*ctx->events.v));
                ctx->events.v[ctx->events.n++] = ev->v[i]; /* moved */
            }
            ev->n = 0;
            break;
        }
        case APP_MSG_REFRESHED:
            ctx->jobs--;
            refreshed(ctx, m->payload);
            break;
        case APP_MSG_PLANNED:
            ctx->jobs--;
            app_plan_planned(ctx, m->payload);
            break;
        case APP_MSG_APPLIED:
            ctx->jobs--;
            app_plan_applied(ctx, m->payload);
            break;
        case APP_MSG_JOURNAL:
            ctx->jobs--;
            app_journal_loaded(ctx, m->payload);
            break;
        case APP_MSG_JOB_DONE:
            ctx->jobs--;
            break;
        case APP_MSG_TRUSTED:
            ctx->jobs--;
            app_trust_done(ctx, m->payload);
            break;
        case VS_MSG_UPDATE:
            live_update(ctx, m->payload);
            break;
        case VS_MSG_ERROR:
            watch_error(ctx, m->payload);
            break;
        default:
            break;
        }
        nl_msg_free(&m);
    }
}

/* ---- the ui_backend callbacks --------------------------------------------------------------- */

struct nl_lab *app_take_lab(void *vctx)
{
    struct app_ctx *ctx = vctx;
    app_drain(ctx);
    if (!ctx->lab_new || !ctx->lab)
        return NULL;
    ctx->lab_new = false;
    struct nl_lab *copy = nl_lab_clone(ctx->lab);
    nl_lab_link(copy);
    return copy;
}

void app_poll(void *vctx, struct ui_events *ev)
{
    struct app_ctx *ctx = vctx;
    app_drain(ctx);
    for (size_t i = 0; i < ctx->events.n; i++) {
        ev->v = xgrow(ev->v, &ev->cap, ev->n + 1, sizeof(*ev->v));
        ev->v[ev->n++] = ctx->events.v[i]; /* moved */
    }
    ctx->events.n = 0;
}

void app_status(void *vctx, struct ui_status *st)
{
    struct app_ctx *ctx = vctx;
    *st = ctx->status;
    st->jobs = ctx->jobs;
}
