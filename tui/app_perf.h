/* Performance data for the console's real backend: the ui_backend perf_* callbacks.
 *
 * Collection runs on the pool's workers, one job at a time, every NESTLAB_PERF_INTERVAL seconds
 * (default 20, vCenter's real-time interval) and on demand. With vCenter: the counter map is
 * read once per connection, then one QueryPerf call covers every host of the lab plus the
 * powered-on nested-hypervisor VMs (the newest 15 samples the first time, then just enough to
 * cover the interval). Without vCenter (direct mode): `esxtop -b -d 2 -n 1` on every reachable
 * host over SSH, in the SSH pool's bounded parallelism. A job moves its perf_batch to the UI
 * thread through this module's own queue (and wakes the console through ctx->q with
 * APP_MSG_PERF_WAKE); the UI thread merges it into the store, which only it touches.
 *
 * Security changes become events on the timeline: from the journal (read on a worker at start
 * and after every change the console applies) and from live updates that flip a vSwitch's
 * promiscuous flag (seen by comparing lab snapshots). The same change seen both ways is kept
 * once, with the journal's time. */
#ifndef NL_TUI_APP_PERF_H
#define NL_TUI_APP_PERF_H

#include "tui/app_backend.h"
#include "tui/ui_backend.h"

/* The default seconds between collections; NESTLAB_PERF_INTERVAL (1..3600) overrides it. */
#define APP_PERF_INTERVAL 20

/* Creates ctx->perf, reads the journal's recent security changes, and fills be's perf_*
 * callbacks and perf_samples. It wraps be->poll (set it before): the wrapper drains results,
 * notices changes and starts collections when they are due. Call on the UI thread. */
void app_perf_attach(struct app_ctx *ctx, struct ui_backend *be);
/* Frees ctx->perf; only after the pool has been joined (jobs use it). */
void app_perf_free(struct app_ctx *ctx);

#endif
