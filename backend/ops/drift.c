#include "backend/ops/drift.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/buf.h"
#include "backend/core/term_text.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/plan_util.h"

static const char *const column_names[OPS_DRIFT_N_COLUMNS] = {
    "promiscuous",       "forged transmits",       "MAC changes",       "trunk",
    "trunk promiscuous", "trunk forged transmits", "trunk MAC changes",
};

static const char *flag_cell(enum nl_tri t)
{
    return t == NL_TRI_UNSET ? "?" : ops_flag_word(t);
}

static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* The trunk port-group name most hosts in scope have on vswitch (first seen wins a tie). */
static char *common_trunk(const struct nl_lab *lab, const size_t *hosts, size_t n,
                          const char *vswitch)
{
    const char *best = NULL;
    size_t best_count = 0;
    for (size_t i = 0; i < n; i++) {
        const struct nl_host *h = &lab->hosts[hosts[i]];
        for (size_t p = 0; p < h->n_portgroups; p++) {
            const struct nl_portgroup *pg = &h->portgroups[p];
            if (pg->vlan != 4095 || !same(pg->vswitch, vswitch))
                continue;
            size_t count = 0;
            for (size_t k = 0; k < n; k++) {
                const struct nl_portgroup *o =
                    nl_host_find_portgroup(&lab->hosts[hosts[k]], pg->name);
                count += o && o->vlan == 4095 && same(o->vswitch, vswitch);
            }
            if (count > best_count) {
                best = pg->name;
                best_count = count;
            }
        }
    }
    return xstrdup(best);
}

static void fill_row(struct ops_drift *d, size_t row, const struct nl_host *h)
{
    struct ops_drift_cell *c = &d->cells[row * OPS_DRIFT_N_COLUMNS];
    const struct nl_vswitch *vs = nl_host_find_vswitch(h, d->vswitch);
    const struct nl_portgroup *pg = d->trunk_pg ? nl_host_find_portgroup(h, d->trunk_pg) : NULL;
    if (vs) {
        c[OPS_DRIFT_PROMISCUOUS].value = xstrdup(flag_cell(vs->security.promiscuous));
        c[OPS_DRIFT_FORGED].value = xstrdup(flag_cell(vs->security.forged_transmits));
        c[OPS_DRIFT_MAC].value = xstrdup(flag_cell(vs->security.mac_changes));
    } else {
        for (int k = OPS_DRIFT_PROMISCUOUS; k <= OPS_DRIFT_MAC; k++)
            c[k].value = xstrdup("no vSwitch");
    }
    if (!pg) {
        c[OPS_DRIFT_TRUNK].value = xstrdup("absent");
    } else if (!same(pg->vswitch, d->vswitch)) {
        char *v = nl_term_name(pg->vswitch);
        c[OPS_DRIFT_TRUNK].value = xasprintf("on %s", v);
        free(v);
    } else if (pg->vlan < 0) {
        c[OPS_DRIFT_TRUNK].value = xstrdup("VLAN ?");
    } else {
        c[OPS_DRIFT_TRUNK].value = xasprintf("VLAN %d", pg->vlan);
    }
    if (pg) {
        c[OPS_DRIFT_TRUNK_PROMISCUOUS].value = xstrdup(flag_cell(pg->effective.promiscuous));
        c[OPS_DRIFT_TRUNK_FORGED].value = xstrdup(flag_cell(pg->effective.forged_transmits));
        c[OPS_DRIFT_TRUNK_MAC].value = xstrdup(flag_cell(pg->effective.mac_changes));
    } else {
        for (int k = OPS_DRIFT_TRUNK_PROMISCUOUS; k <= OPS_DRIFT_TRUNK_MAC; k++)
            c[k].value = xstrdup("-");
    }
}

/* The strict plurality value of a column among applicable cells, or NULL on a tie/no cells. */
static char *majority(const struct ops_drift *d, size_t col)
{
    const char *best = NULL;
    size_t best_count = 0;
    bool tie = false;
    for (size_t r = 0; r < d->n_hosts; r++) {
        const char *v = d->cells[r * OPS_DRIFT_N_COLUMNS + col].value;
        if (same(v, "-"))
            continue;
        size_t count = 0;
        for (size_t k = 0; k < d->n_hosts; k++)
            count += same(d->cells[k * OPS_DRIFT_N_COLUMNS + col].value, v);
        if (count > best_count) {
            best = v;
            best_count = count;
            tie = false;
        } else if (count == best_count && !same(v, best)) {
            tie = true;
        }
    }
    return tie ? NULL : xstrdup(best);
}

static enum nl_tri expected_flag(const struct nl_security *s, size_t col)
{
    if (!s)
        return NL_TRI_UNSET;
    switch (col) {
    case OPS_DRIFT_PROMISCUOUS:
    case OPS_DRIFT_TRUNK_PROMISCUOUS:
        return s->promiscuous;
    case OPS_DRIFT_FORGED:
    case OPS_DRIFT_TRUNK_FORGED:
        return s->forged_transmits;
    case OPS_DRIFT_MAC:
    case OPS_DRIFT_TRUNK_MAC:
        return s->mac_changes;
    }
    return NL_TRI_UNSET;
}

enum nl_code ops_drift_new(const struct nl_lab *lab, const struct ops_scope *scope,
                           const struct ops_drift_opts *opts, struct ops_drift **out,
                           struct nl_err *err)
{
    struct ops_drift_opts defaults = {0};
    size_t *hosts = NULL, n = 0;
    *out = NULL;
    if (!opts)
        opts = &defaults;
    if (scope) {
        hosts = xcalloc(scope->n_hosts + 1, sizeof(*hosts));
        for (size_t i = 0; i < scope->n_hosts; i++) {
            const struct nl_host *h = nl_lab_find_host(lab, scope->host_ids[i]);
            if (h)
                hosts[n++] = (size_t)(h - lab->hosts);
        }
    } else {
        hosts = xcalloc(lab->n_hosts + 1, sizeof(*hosts));
        for (size_t i = 0; i < lab->n_hosts; i++)
            hosts[n++] = i;
    }
    if (n == 0) {
        free(hosts);
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "There are no hosts to compare; select a cluster or hosts that the lab "
                      "has.");
    }
    struct ops_drift *d = xcalloc(1, sizeof(*d));
    d->endpoint = xstrdup(lab->endpoint);
    d->vswitch = xstrdup(opts->vswitch ? opts->vswitch : "vSwitch0");
    d->trunk_pg =
        opts->trunk_pg ? xstrdup(opts->trunk_pg) : common_trunk(lab, hosts, n, d->vswitch);
    for (size_t k = 0; k < OPS_DRIFT_N_COLUMNS; k++)
        d->columns[k] = column_names[k];
    d->n_hosts = n;
    d->host_ids = xcalloc(n, sizeof(*d->host_ids));
    d->host_names = xcalloc(n, sizeof(*d->host_names));
    d->cells = xcalloc(n * OPS_DRIFT_N_COLUMNS, sizeof(*d->cells));
    for (size_t r = 0; r < n; r++) {
        const struct nl_host *h = &lab->hosts[hosts[r]];
        d->host_ids[r] = xstrdup(h->id);
        d->host_names[r] = xstrdup(h->name);
        fill_row(d, r, h);
    }
    for (size_t col = 0; col < OPS_DRIFT_N_COLUMNS; col++) {
        enum nl_tri want = expected_flag(opts->expected, col);
        if (col == OPS_DRIFT_TRUNK && opts->expect_trunk)
            d->expected[col] = xstrdup("VLAN 4095");
        else if (col != OPS_DRIFT_TRUNK && want != NL_TRI_UNSET)
            d->expected[col] = xstrdup(ops_flag_word(want));
        else
            d->expected[col] = majority(d, col);
        for (size_t r = 0; r < n; r++) {
            struct ops_drift_cell *c = &d->cells[r * OPS_DRIFT_N_COLUMNS + col];
            if (same(c->value, "-"))
                continue;
            c->inconsistent = !d->expected[col] || !same(c->value, d->expected[col]);
            d->n_inconsistent += c->inconsistent;
        }
    }
    free(hosts);
    *out = d;
    return NL_OK;
}

void ops_drift_free(struct ops_drift **drift)
{
    if (!drift || !*drift)
        return;
    struct ops_drift *d = *drift;
    for (size_t r = 0; r < d->n_hosts; r++) {
        free(d->host_ids[r]);
        free(d->host_names[r]);
        for (size_t k = 0; k < OPS_DRIFT_N_COLUMNS; k++)
            free(d->cells[r * OPS_DRIFT_N_COLUMNS + k].value);
    }
    for (size_t k = 0; k < OPS_DRIFT_N_COLUMNS; k++)
        free(d->expected[k]);
    free(d->host_ids);
    free(d->host_names);
    free(d->cells);
    free(d->endpoint);
    free(d->vswitch);
    free(d->trunk_pg);
    free(d);
    *drift = NULL;
}

const struct ops_drift_cell *ops_drift_cell(const struct ops_drift *d, size_t host, size_t col)
{
    if (!d || host >= d->n_hosts || col >= OPS_DRIFT_N_COLUMNS)
        return NULL;
    return &d->cells[host * OPS_DRIFT_N_COLUMNS + col];
}

/* Display width approximated by code points (names are mostly ASCII; wide CJK is rare). */
static size_t width(const char *s)
{
    uint32_t *cps;
    size_t n = ops_utf8_decode(s, &cps);
    free(cps);
    return n;
}

static void pad(struct nl_buf *b, const char *s, size_t w)
{
    nl_buf_append_str(b, s, NULL);
    for (size_t k = width(s); k < w; k++)
        nl_buf_append_str(b, " ", NULL);
}

char *ops_drift_text(const struct ops_drift *d)
{
    struct nl_buf b;
    nl_buf_init(&b, 0);
    size_t n = d->n_hosts;
    char **names = xcalloc(n + 1, sizeof(*names));
    char **cells = xcalloc(n * OPS_DRIFT_N_COLUMNS + 1, sizeof(*cells));
    size_t w[OPS_DRIFT_N_COLUMNS + 1];
    w[0] = width("host");
    for (size_t r = 0; r < n; r++) {
        names[r] = nl_term_name(d->host_names[r]);
        if (width(names[r]) > w[0])
            w[0] = width(names[r]);
    }
    for (size_t k = 0; k < OPS_DRIFT_N_COLUMNS; k++) {
        w[k + 1] = width(d->columns[k]);
        for (size_t r = 0; r < n; r++) {
            const struct ops_drift_cell *c = &d->cells[r * OPS_DRIFT_N_COLUMNS + k];
            char *v = nl_term_name(c->value);
            cells[r * OPS_DRIFT_N_COLUMNS + k] = xasprintf("%s%s", v, c->inconsistent ? "*" : "");
            free(v);
            size_t cw = width(cells[r * OPS_DRIFT_N_COLUMNS + k]);
            if (cw > w[k + 1])
                w[k + 1] = cw;
        }
    }
    char *vs = nl_term_name(d->vswitch), *pg = nl_term_name(d->trunk_pg);
    char *ep = nl_term_name(d->endpoint);
    if (d->trunk_pg)
        nl_buf_appendf(&b, NULL, "Drift on '%s': vSwitch '%s', trunk port group '%s'\n", ep, vs,
                       pg);
    else
        nl_buf_appendf(&b, NULL, "Drift on '%s': vSwitch '%s', no trunk port group found\n", ep,
                       vs);
    pad(&b, "host", w[0]);
    for (size_t k = 0; k < OPS_DRIFT_N_COLUMNS; k++) {
        nl_buf_append_str(&b, "  ", NULL);
        pad(&b, d->columns[k], k + 1 == OPS_DRIFT_N_COLUMNS ? 0 : w[k + 1]);
    }
    nl_buf_append_str(&b, "\n", NULL);
    for (size_t r = 0; r < n; r++) {
        pad(&b, names[r], w[0]);
        for (size_t k = 0; k < OPS_DRIFT_N_COLUMNS; k++) {
            nl_buf_append_str(&b, "  ", NULL);
            pad(&b, cells[r * OPS_DRIFT_N_COLUMNS + k],
                k + 1 == OPS_DRIFT_N_COLUMNS ? 0 : w[k + 1]);
        }
        nl_buf_append_str(&b, "\n", NULL);
    }
    if (d->n_inconsistent)
        nl_buf_appendf(&b, NULL,
                       "%zu inconsistent cell%s (marked *: differs from the value most hosts "
                       "have, or no value is most common).\n",
                       d->n_inconsistent, d->n_inconsistent == 1 ? "" : "s");
    else
        nl_buf_append_str(&b, "No inconsistent cell.\n", NULL);
    for (size_t i = 0; i < n * OPS_DRIFT_N_COLUMNS; i++)
        free(cells[i]);
    for (size_t r = 0; r < n; r++)
        free(names[r]);
    free(cells);
    free(names);
    free(vs);
    free(pg);
    free(ep);
    return nl_buf_steal(&b);
}

json_t *ops_drift_to_json(const struct ops_drift *d)
{
    json_t *cols = json_array();
    for (size_t k = 0; k < OPS_DRIFT_N_COLUMNS; k++)
        json_array_append_new(cols, json_pack("{s:s, s:o}", "name", d->columns[k], "expected",
                                              ops_json_str(d->expected[k])));
    json_t *hosts = json_array();
    for (size_t r = 0; r < d->n_hosts; r++) {
        json_t *cells = json_array();
        for (size_t k = 0; k < OPS_DRIFT_N_COLUMNS; k++) {
            const struct ops_drift_cell *c = &d->cells[r * OPS_DRIFT_N_COLUMNS + k];
            json_array_append_new(cells, json_pack("{s:o, s:b}", "value", ops_json_str(c->value),
                                                   "inconsistent", c->inconsistent));
        }
        json_array_append_new(hosts,
                              json_pack("{s:o, s:o, s:o}", "id", ops_json_str(d->host_ids[r]),
                                        "name", ops_json_str(d->host_names[r]), "cells", cells));
    }
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:i}", "endpoint", ops_json_str(d->endpoint),
                     "vswitch", ops_json_str(d->vswitch), "trunk_portgroup",
                     ops_json_str(d->trunk_pg), "columns", cols, "hosts", hosts, "inconsistent",
                     (int)d->n_inconsistent);
}
