/* The one seam between the console (tui/ui_*) and everything that talks to the network.
 *
 * The console runs on the main thread and never blocks: it poll()s stdin and be->wake_fd, and
 * whenever wake_fd is readable it calls be->poll() to drain results, and be->take_lab() to pick up
 * a newer lab snapshot. Everything else the backend does (inventory reloads, building plans,
 * applying them, undo) happens on its own worker threads; the callbacks below only start work or
 * hand over results, and must return quickly.
 *
 * Data crossing this seam is plain: the lab graph (backend/model/lab.h), strings and the small
 * structs below. Ownership of a returned lab moves to the console; events are filled by the
 * backend with the ui_event_* helpers and freed by the console. The console never frees ctx.
 *
 * Optional callbacks may be NULL; the console then hides or disables the matching feature. */
#ifndef NL_UI_BACKEND_H
#define NL_UI_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "backend/core/err.h"
#include "backend/model/lab.h"

/* ---- status bar ---------------------------------------------------------------------------- */

enum ui_conn_state {
    UI_CONN_UNKNOWN,
    UI_CONN_CONNECTING,
    UI_CONN_CONNECTED,
    UI_CONN_DEGRADED, /* vCenter down, hosts reached over SSH */
    UI_CONN_OFFLINE,  /* nothing reachable: showing the cache */
};

struct ui_status {
    char endpoint[128]; /* config name of the endpoint, e.g. "vc-lab" */
    enum ui_conn_state state;
    enum nl_source source; /* where the current lab came from */
    time_t last_update;    /* 0 = never */
    int jobs;              /* running background jobs (spinner while > 0) */
    char last_error[512];  /* "" when none; a whole sentence */
};

/* ---- plans ----------------------------------------------------------------------------------- */

enum ui_intent_kind {
    UI_INTENT_NESTED_HV,   /* value 1 expose / 0 hide hardware virtualization on the scope's VMs */
    UI_INTENT_TRUNK,       /* value 1: ensure a VLAN 4095 port group on the scope's hosts */
    UI_INTENT_PROMISCUOUS, /* value 1 accept / 0 reject on the scope's hosts (vswitch or all) */
    UI_INTENT_COMMAND,     /* command: a CLI verb line typed after ':' (scope may be empty) */
    UI_INTENT_UNDO,        /* journal_id: the entry to undo (NULL = the newest undoable one) */
    UI_INTENT_FIX,         /* every finding of the readiness checks that nestlab can fix */
};

/* What the user asked for. Every string and array is borrowed for the duration of the call. */
struct ui_intent {
    enum ui_intent_kind kind;
    int value;
    const char *vswitch;    /* PROMISCUOUS: NULL = every standard vSwitch of the host */
    const char *command;    /* COMMAND */
    const char *journal_id; /* UNDO */
    const char *const *ids; /* scope: ids of VMs, hosts, clusters, datacenters (lab ids) */
    size_t n_ids;
};

enum ui_step_state {
    UI_STEP_PENDING,
    UI_STEP_SKIPPED, /* nothing to do, or cannot be done: text says why */
    UI_STEP_RUNNING,
    UI_STEP_OK,
    UI_STEP_FAILED,
};

struct ui_plan_step {
    char *target; /* "esx-p01.lab.invalid" or "n-esx04" */
    char *text;   /* "vSwitch0 promiscuous reject -> accept", or the reason for a skip */
    enum ui_step_state state;
};

/* ---- events (backend -> console, drained by poll) ------------------------------------------- */

enum ui_event_kind {
    UI_EV_MESSAGE, /* text: information for the message line */
    UI_EV_ERROR,   /* text: a whole-sentence error (a plan_id > 0 ties it to that plan) */
    UI_EV_PLAN,    /* plan_id, text = title, lines = preview, steps = the steps (pending/skipped) */
    UI_EV_STEP,    /* plan_id, step (index), state, text = new step text or NULL to keep it */
    UI_EV_PLAN_DONE, /* plan_id, ok, text = summary ("3 changed, 1 skipped, 0 failed") */
    UI_EV_JOURNAL,   /* the journal changed: the console calls journal_list again */
    UI_EV_CHECKS,    /* lines = readiness check results (one finding per line) */
    UI_EV_STATUS,    /* the status changed: the console calls status again */
    /* An SSH host presented a key that is not on record: text = the whole sentence, lines[0] =
     * the host's name, lines[1] = the key's "SHA256:..." fingerprint. The console asks whether to
     * trust it and answers through hostkey_answer. (A CHANGED key is never asked about: it
     * arrives as UI_EV_ERROR.) */
    UI_EV_HOSTKEY,
};

struct ui_event {
    enum ui_event_kind kind;
    int plan_id;
    int step;
    enum ui_step_state state;
    bool ok;
    char *text;
    char **lines;
    size_t n_lines;
    struct ui_plan_step *steps;
    size_t n_steps;
};

struct ui_events {
    struct ui_event *v;
    size_t n, cap;
};

/* Helpers for the backend (they copy their string arguments). */
struct ui_event *ui_events_add(struct ui_events *ev, enum ui_event_kind kind, int plan_id,
                               const char *text);
void ui_event_add_line(struct ui_event *e, const char *line);
void ui_event_add_step(struct ui_event *e, const char *target, const char *text,
                       enum ui_step_state state);
/* Frees every event and empties the list (the list itself is reusable). */
void ui_events_clear(struct ui_events *ev);
/* ui_events_clear and release the list's memory. */
void ui_events_free(struct ui_events *ev);

/* ---- journal -----------------------------------------------------------------------------------
 */

struct ui_journal_entry {
    char *id;
    time_t when;
    char *summary;   /* "promiscuous accept on 2 hosts (Physical)" */
    char *transport; /* "vcenter" / "ssh" */
    bool undoable;
    bool undone;
};

struct ui_journal {
    struct ui_journal_entry *v;
    size_t n, cap;
};

void ui_journal_add(struct ui_journal *j, const char *id, time_t when, const char *summary,
                    const char *transport, bool undoable, bool undone);
void ui_journal_clear(struct ui_journal *j);
void ui_journal_free(struct ui_journal *j);

struct perf_store; /* backend/perf/perf_store.h */
struct perf_event; /* backend/perf/perf_cost.h */

/* ---- the interface ------------------------------------------------------------------------------
 */

struct ui_backend {
    void *ctx;
    int wake_fd;    /* readable while results are pending; -1 = poll on a timer only */
    bool read_only; /* changes disabled (--read-only): the console refuses every change key */

    /* Starts an inventory reload on a worker; the new lab arrives through take_lab. */
    void (*refresh)(void *ctx);
    /* The newest lab snapshot, or NULL when none is newer than the last one taken. The console
     * owns (and nl_lab_free()s) what it takes; the snapshot must already be nl_lab_link()ed. */
    struct nl_lab *(*take_lab)(void *ctx);
    /* Moves pending events into ev (append). */
    void (*poll)(void *ctx, struct ui_events *ev);
    /* Fills st; cheap, called after UI_EV_STATUS and about once a second. */
    void (*status)(void *ctx, struct ui_status *st);

    /* Starts building a plan for intent. Returns its plan id (> 0); the preview arrives as
     * UI_EV_PLAN (or UI_EV_ERROR with the same id). Returns -1 with err set when the request is
     * refused at once (a malformed command line, read-only mode). A COMMAND that is not a change
     * (e.g. ":inventory") may answer with UI_EV_MESSAGE and UI_EV_PLAN_DONE instead. */
    int (*plan_request)(void *ctx, const struct ui_intent *intent, struct nl_err *err);
    /* Applies a previewed plan; progress arrives as UI_EV_STEP, the end as UI_EV_PLAN_DONE. */
    enum nl_code (*plan_apply)(void *ctx, int plan_id, struct nl_err *err);
    /* Drops a plan that was not applied, or stops starting new steps of a running one. */
    void (*plan_cancel)(void *ctx, int plan_id);

    /* Optional. Fills j with the journal, newest first. */
    void (*journal_list)(void *ctx, struct ui_journal *j);
    /* Optional. Starts the readiness checks; results arrive as UI_EV_CHECKS. */
    void (*checks_run)(void *ctx);
    /* Optional. Copies up to max recent samples (oldest first) of the host's CPU usage in % for
     * the detail pane's sparkline; returns how many. */
    size_t (*perf_samples)(void *ctx, const char *host_id, double *out, size_t max);
    /* Optional. The user's answer to a UI_EV_HOSTKEY: accept records exactly that key (only if
     * the host still presents it) and reads the host again; a refusal is remembered for the
     * session. Either way the outcome arrives as UI_EV_MESSAGE / UI_EV_ERROR. */
    void (*hostkey_answer)(void *ctx, const char *host, const char *fingerprint, bool accept);

    /* Optional, for the monitor view and the tree's sparklines (NULL: they say there is no data).
     * What they return is owned by the backend, used on the UI thread only, and valid until the
     * next poll or take_lab call. */
    /* The sample store (backend/perf/perf_store.h); NULL before anything was collected. */
    const struct perf_store *(*perf_store)(void *ctx);
    /* The vSwitch security changes of the last hour, oldest first (backend/perf/perf_cost.h),
     * with host_id the lab's host id; returns how many. */
    size_t (*perf_events)(void *ctx, const struct perf_event **events);
    /* Collects now instead of at the next interval (the monitor opened, or r in it). */
    void (*perf_refresh)(void *ctx);
    /* One sentence: where the samples come from and when they were last read, or why there are
     * none. */
    void (*perf_status)(void *ctx, char *buf, size_t size);
};

#endif
