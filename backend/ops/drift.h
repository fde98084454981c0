/* Drift: the matrix hosts x settings for one vSwitch and its trunk port group, with the cells
 * that disagree marked. Pure (reads the lab only).
 *
 * Columns, in order: vSwitch "promiscuous", "forged transmits", "MAC changes"; "trunk" (the trunk
 * port group: "VLAN 4095", "VLAN 12", "absent", or "on vSwitch1"); and the trunk port group's
 * EFFECTIVE policy "trunk promiscuous", "trunk forged transmits", "trunk MAC changes" (the
 * override if any, else the vSwitch's). Cell values: "accept", "reject", "?" (not reported),
 * "no vSwitch", "-" (not applicable: no trunk port group on that host).
 *
 * Inconsistent cells: each column has an expected value, which is opts.expected when given,
 * otherwise the value most hosts have (a strict plurality among the applicable cells). A cell
 * differing from the expected value is inconsistent. When the most common value is tied (say one
 * host accepts and one rejects) there is no expected value and every applicable cell of that
 * column is inconsistent: nothing says which host is right. "-" cells are never inconsistent
 * (the "trunk" column already flags the missing port group). */
#ifndef NL_OPS_DRIFT_H
#define NL_OPS_DRIFT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "backend/core/err.h"
#include "backend/model/lab.h"
#include "backend/ops/scope.h"

enum {
    OPS_DRIFT_PROMISCUOUS,
    OPS_DRIFT_FORGED,
    OPS_DRIFT_MAC,
    OPS_DRIFT_TRUNK,
    OPS_DRIFT_TRUNK_PROMISCUOUS,
    OPS_DRIFT_TRUNK_FORGED,
    OPS_DRIFT_TRUNK_MAC,
    OPS_DRIFT_N_COLUMNS
};

struct ops_drift_opts {
    const char *vswitch;  /* NULL: "vSwitch0" */
    const char *trunk_pg; /* NULL: the VLAN-4095 port group name most hosts have on vswitch */
    /* Expected security (vSwitch and trunk effective columns); NULL or UNSET flags: majority. */
    const struct nl_security *expected;
    bool expect_trunk; /* the trunk column expects "VLAN 4095" instead of the majority */
};

struct ops_drift_cell {
    char *value;
    bool inconsistent;
};

struct ops_drift {
    char *endpoint;
    char *vswitch;
    char *trunk_pg; /* NULL when no host in scope has a trunk port group on vswitch */
    const char *columns[OPS_DRIFT_N_COLUMNS];
    char *expected[OPS_DRIFT_N_COLUMNS]; /* NULL: tie, no expected value */
    size_t n_hosts;
    char **host_ids;
    char **host_names;
    struct ops_drift_cell *cells; /* row-major: cells[host * OPS_DRIFT_N_COLUMNS + column] */
    size_t n_inconsistent;
};

/* scope NULL: every host of the lab. NL_ERR_USAGE when the scope has no hosts. */
enum nl_code ops_drift_new(const struct nl_lab *lab, const struct ops_scope *scope,
                           const struct ops_drift_opts *opts, struct ops_drift **out,
                           struct nl_err *err);
void ops_drift_free(struct ops_drift **drift);
const struct ops_drift_cell *ops_drift_cell(const struct ops_drift *d, size_t host, size_t col);

/* A table with a header row, "*" after every inconsistent value, and a closing line
 * "N inconsistent cells (marked *)." or "No inconsistent cell.". Owned. */
char *ops_drift_text(const struct ops_drift *d);
/* {"endpoint","vswitch","trunk_portgroup","columns":[{"name","expected"}],
 *  "hosts":[{"id","name","cells":[{"value","inconsistent"}]}],"inconsistent":N}. */
json_t *ops_drift_to_json(const struct ops_drift *d);

#endif
