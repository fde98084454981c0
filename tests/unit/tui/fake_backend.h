/* A backend for the console's own tests and demo: an in-memory lab, plans built and applied on a
 * worker thread with a delay per step, a journal with undo, readiness lines and CPU samples. It
 * implements tui/ui_backend.h exactly as the real one must (wake fd, moved snapshots, events). */
#ifndef NL_TESTS_FAKE_BACKEND_H
#define NL_TESTS_FAKE_BACKEND_H

#include "tui/ui_backend.h"

struct fake_backend;

/* Takes ownership of lab. step_ms: how long each applied step takes. */
struct fake_backend *fake_backend_new(struct nl_lab *lab, int step_ms, struct ui_backend *be);
void fake_backend_free(struct fake_backend **fb);
/* Waits (up to timeout_ms) until no plan is being applied; for tests. */
int fake_backend_wait_idle(struct fake_backend *fb, int timeout_ms);

#endif
