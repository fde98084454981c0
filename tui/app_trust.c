/* SSH host keys in the console backend: an unknown key becomes a question (UI_EV_HOSTKEY), the
 * answer "yes" records exactly that key on a worker (nl_endpoint_trust_host_key, which checks the
 * host still presents it) and reads the hosts again; a changed key is only ever a loud error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"
#include "tui/app_backend.h"

static void hostkey_copy(struct nl_endpoint_hostkey *dst, const struct nl_endpoint_hostkey *src)
{
    dst->host = xstrdup(src->host ? src->host : "");
    dst->address = xstrdup(src->address ? src->address : "");
    dst->port = src->port;
    dst->fingerprint = xstrdup(src->fingerprint ? src->fingerprint : "");
    dst->changed = src->changed;
    dst->message = xstrdup(src->message ? src->message : "");
}

static void hostkey_clear(struct nl_endpoint_hostkey *k)
{
    free(k->host);
    free(k->address);
    free(k->fingerprint);
    free(k->message);
    memset(k, 0, sizeof(*k));
}

void app_hostkeys_free(struct nl_endpoint_hostkey **v, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        hostkey_clear(&(*v)[i]);
    free(*v);
    *v = NULL;
    *n = 0;
}

void app_hostkeys_collect(struct nl_endpoint *ep, struct app_refresh_result *r)
{
    size_t n = 0;
    const struct nl_endpoint_hostkey *keys = nl_endpoint_host_keys(ep, &n);
    if (!n)
        return;
    r->host_keys = xcalloc(n, sizeof(*r->host_keys));
    for (size_t i = 0; i < n; i++)
        hostkey_copy(&r->host_keys[i], &keys[i]);
    r->n_host_keys = n;
}

static char *declined_key(const char *host, const char *fingerprint)
{
    return xasprintf("%s\n%s", host, fingerprint);
}

static bool declined(const struct app_ctx *ctx, const char *host, const char *fingerprint)
{
    char *k = declined_key(host, fingerprint);
    bool found = false;
    for (size_t i = 0; i < ctx->n_declined && !found; i++)
        found = strcmp(ctx->declined[i], k) == 0;
    free(k);
    return found;
}

void app_hostkeys_report(struct app_ctx *ctx, struct app_refresh_result *r)
{
    app_hostkeys_free(&ctx->hostkeys, &ctx->n_hostkeys);
    ctx->hostkeys = r->host_keys;
    ctx->n_hostkeys = r->n_host_keys;
    r->host_keys = NULL;
    r->n_host_keys = 0;
    const char *loudest = NULL;
    for (size_t i = 0; i < ctx->n_hostkeys; i++) {
        const struct nl_endpoint_hostkey *k = &ctx->hostkeys[i];
        bool askable = !k->changed && k->fingerprint[0];
        if (askable && !declined(ctx, k->host, k->fingerprint)) {
            struct ui_event *e = ui_events_add(&ctx->events, UI_EV_HOSTKEY, 0, k->message);
            ui_event_add_line(e, k->host);
            ui_event_add_line(e, k->fingerprint);
            continue;
        }
        if (askable) { /* declined earlier this session: say so, do not ask again */
            char text[900];
            snprintf(text, sizeof(text),
                     "Host %s is not read over SSH: you did not trust its key %s (restart the "
                     "console to be asked again).",
                     k->host, k->fingerprint);
            ui_events_add(&ctx->events, UI_EV_ERROR, 0, text);
            continue;
        }
        loudest = k->message;
    }
    /* Changed keys last, so the message line and the status bar end on them. */
    for (size_t i = 0; i < ctx->n_hostkeys; i++) {
        const struct nl_endpoint_hostkey *k = &ctx->hostkeys[i];
        if (!k->changed && k->fingerprint[0])
            continue;
        char text[1200];
        snprintf(text, sizeof(text),
                 "REFUSED %s over SSH: %s Check the keys on the host's console (ssh-keygen -lf "
                 "/etc/ssh/ssh_host_*_key.pub); nestlab will not offer to accept it.",
                 k->host, k->message);
        ui_events_add(&ctx->events, UI_EV_ERROR, 0, text);
    }
    if (loudest) {
        snprintf(ctx->status.last_error, sizeof(ctx->status.last_error), "%s", loudest);
    }
}

/* ---- the answer ----------------------------------------------------------------------------- */

struct trust_job {
    struct app_ctx *ctx;
    struct nl_endpoint *ep; /* never freed while the console runs (app_backend.h) */
    struct nl_endpoint_hostkey key;
};

void app_trust_result_free(void *p)
{
    struct app_trust_result *r = p;
    if (!r)
        return;
    free(r->text);
    free(r);
}

static void trust_job_run(void *arg)
{
    struct trust_job *j = arg;
    struct app_trust_result *r = xcalloc(1, sizeof(*r));
    struct nl_err err = {0};
    if (atomic_load(&j->ctx->stopping)) {
        r->text = xstrdup("The console is quitting; the host key was not recorded.");
    } else if (nl_endpoint_trust_host_key(j->ep, &j->key, &err) == NL_OK) {
        r->ok = true;
        r->text = xasprintf("Trusted the SSH key %s of %s (recorded in nestlab's known_hosts); "
                            "reading the hosts again.",
                            j->key.fingerprint, j->key.host);
    } else {
        char msg[700];
        nl_err_format(&err, msg, sizeof(msg));
        r->text = xasprintf("The key of %s was not recorded: %s", j->key.host, msg);
    }
    nl_queue_push(j->ctx->q, nl_msg_new(APP_MSG_TRUSTED, r, app_trust_result_free));
    hostkey_clear(&j->key);
    free(j);
}

void app_hostkey_answer(void *vctx, const char *host, const char *fingerprint, bool accept)
{
    struct app_ctx *ctx = vctx;
    if (!host || !fingerprint)
        return;
    const struct nl_endpoint_hostkey *k = NULL;
    for (size_t i = 0; i < ctx->n_hostkeys && !k; i++)
        if (strcmp(ctx->hostkeys[i].host, host) == 0 &&
            strcmp(ctx->hostkeys[i].fingerprint, fingerprint) == 0)
            k = &ctx->hostkeys[i];
    if (!accept) {
        if (!declined(ctx, host, fingerprint))
            app_strv_push(&ctx->declined, &ctx->n_declined, declined_key(host, fingerprint));
        NL_INFO("the user did not trust the SSH key %s of %s", fingerprint, host);
        return;
    }
    if (!k || k->changed || !ctx->ep) {
        char text[600];
        snprintf(text, sizeof(text),
                 "The key %s of %s is no longer waiting to be trusted (the hosts were read again "
                 "meanwhile); nothing was recorded.",
                 fingerprint, host);
        ui_events_add(&ctx->events, UI_EV_ERROR, 0, text);
        return;
    }
    struct trust_job *j = xcalloc(1, sizeof(*j));
    j->ctx = ctx;
    j->ep = ctx->ep;
    hostkey_copy(&j->key, k);
    NL_INFO("the user trusts the SSH key %s of %s", fingerprint, host);
    if (!app_submit(ctx, trust_job_run, j)) {
        hostkey_clear(&j->key);
        free(j);
        ui_events_add(&ctx->events, UI_EV_ERROR, 0,
                      "The console is shutting down; the host key was not recorded.");
    }
}

void app_trust_done(struct app_ctx *ctx, struct app_trust_result *r)
{
    ui_events_add(&ctx->events, r->ok ? UI_EV_MESSAGE : UI_EV_ERROR, 0, r->text);
    if (r->ok)
        app_refresh(ctx);
}
