/* The measured cost of a change: for each security change (an event on the timeline) and each
 * host, the mean host CPU and packet rate in a window before and after the change, their
 * difference, and the amplification figure (perf_metric.h) where esxtop per-port data exists.
 *
 * Windows. A sample stamped t covers (t - interval, t]. "Before" holds the samples that lie
 * wholly in [event - before_s, event): t in [event - before_s + interval, event - 1]; "after"
 * those wholly in (event, event + after_s]: t in [event + interval + 1, event + after_s]. Times
 * are whole seconds, so the extra second keeps a sample from the event's own second (which may
 * have ended after the change) out of "before"; a sample that straddles the event is in neither.
 * A side with fewer than min_samples samples is insufficient, and then no mean, delta or ratio
 * is given: the row says so in a sentence.
 *
 * Sources. vCenter series (cpu.usage.average, net.packetsRx.summation) or esxtop series
 * (esxtop.cpu.util, esxtop.net.delivered). AUTO takes vCenter when its CPU data suffices on both
 * sides, else esxtop when that does, else whichever has more samples (to explain what is
 * missing). Amplification needs esxtop's per-port counters (vCenter has no per-port data): the
 * event's vSwitch on the event host when that series exists, otherwise all vSwitches. */
#ifndef PERF_COST_H
#define PERF_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "backend/perf/perf_store.h"

struct perf_event {
    int64_t t;           /* when the change was applied, UTC seconds */
    const char *host_id; /* the host the change was made on (store entity id) */
    const char *vswitch; /* the vSwitch it touched; NULL when unknown */
    const char *what;    /* "promiscuous reject→accept on vSwitch0" */
};

struct perf_cost_host {
    const char *id;   /* store entity id */
    const char *name; /* shown in the table; NULL shows the id */
};

enum perf_source { PERF_SOURCE_AUTO, PERF_SOURCE_VCENTER, PERF_SOURCE_ESXTOP };

struct perf_cost_opts {
    int before_s, after_s; /* window each side, seconds */
    size_t min_samples;    /* per side */
    enum perf_source source;
};

/* 120 s each side, 3 samples, AUTO. */
void perf_cost_opts_init(struct perf_cost_opts *o);

struct perf_measure {
    bool ok;                     /* both sides sufficient */
    size_t n_before, n_after;    /* samples found on each side */
    double before, after, delta; /* NAN unless the side (or, for delta, both) is sufficient */
    char why[256];               /* when !ok: a whole sentence saying what is missing */
};

struct perf_cost_row {
    int64_t t;
    char *what;
    char *host_id;
    char *host_name;
    bool event_host;         /* this row is the host the change was made on */
    const char *source;      /* "vcenter", "esxtop" or "none" (static) */
    struct perf_measure cpu; /* host CPU, percent */
    struct perf_measure pps; /* packets/s: vCenter packetsRx, or esxtop frames delivered */
    struct perf_measure amp; /* delivered / ingress (esxtop only) */
};

struct perf_cost_table {
    struct perf_cost_opts opts;
    struct perf_cost_row *rows;
    size_t n;
};

/* One row per event and host: the event's host first, then every other host in hosts (NULL or
 * nhosts 0: the event's host only). opts NULL means the defaults. */
struct perf_cost_table *perf_cost_compute(const struct perf_store *s,
                                          const struct perf_event *events, size_t nevents,
                                          const struct perf_cost_host *hosts, size_t nhosts,
                                          const struct perf_cost_opts *opts);
void perf_cost_table_free(struct perf_cost_table **t);

/* A fixed-width text table followed by one line per insufficient figure. Owned string. */
char *perf_cost_format_text(const struct perf_cost_table *t);
/* {"window":{...},"rows":[{"time":"…Z","host":…,"cpu_percent":{"before":…,"after":…,"delta":…,
 *  "samples_before":…,"samples_after":…,"insufficient":null|"sentence"},"packets_per_sec":…,
 *  "amplification":…}]}; numbers that cannot be given are null. New reference. */
json_t *perf_cost_to_json(const struct perf_cost_table *t);
/* The same, serialised (indented). Owned string. */
char *perf_cost_format_json(const struct perf_cost_table *t);

#endif
