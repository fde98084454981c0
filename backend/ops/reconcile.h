/* Reconciliation: the journal's change sets compared with a lab as it is now, e.g. the changes
 * made over SSH while vCenter was away, checked against what vCenter reports once it is back.
 * Pure: the journal and the lab are read, nothing is changed. */
#ifndef NL_OPS_RECONCILE_H
#define NL_OPS_RECONCILE_H

#include <jansson.h>
#include <time.h>

#include "backend/model/lab.h"
#include "backend/ops/apply_verify.h"
#include "backend/ops/journal.h"

/* An unknown step (its call was in flight when nestlab stopped) located in the live lab. */
struct ops_settlement {
    size_t index;              /* in entry->steps */
    enum ops_step_where where; /* AFTER: applied; BEFORE: not applied; else still unknown */
    char *text;                /* "host: applied" / "host: not applied" / "host: neither: ..." */
};

struct ops_reconcile_entry {
    const struct ops_journal_entry *entry; /* borrowed from the journal */
    struct ops_settlement *settled;        /* its unknown steps, located */
    size_t n_settled;
    size_t applied;     /* steps that succeeded when they were made */
    size_t as_applied;  /* of those, how many the lab still shows */
    char **differences; /* one sentence per step that differs */
    size_t n_differences;
};

struct ops_reconcile {
    struct ops_reconcile_entry *entries;
    size_t n;
};

/* Every entry made through `transport` (NULL = any) at or after `since` (0 = all) for endpoint
 * (NULL = any) that changed something and was not undone later, compared with lab; and every
 * entry of endpoint with unknown steps (any transport, any time), those steps located unless a
 * later change set touched the same target. */
struct ops_reconcile *ops_reconcile_new(const struct ops_journal *journal, const struct nl_lab *lab,
                                        const char *endpoint, const char *transport, time_t since);
void ops_reconcile_free(struct ops_reconcile **r);

/* "ID (ssh, TIME) INTENT: vCenter shows all 2 changes as applied" / "...1 of 2 ...; host: ..." */
char *ops_reconcile_text(const struct ops_reconcile *r, const char *source_name);
/* {"entries":[{"id","time","transport","intent","applied","as_applied","differences":[...]}]} */
json_t *ops_reconcile_to_json(const struct ops_reconcile *r);

#endif
