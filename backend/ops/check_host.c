/* Rules on hosts and clusters. "Carrier" hosts are those a nested hypervisor runs on, or may be
 * moved to: every host of a cluster in which one runs (DRS and vMotion do not ask). The network
 * rules look at one vSwitch per host: opt->vswitch ("vSwitch0"), or the only vSwitch the host has.
 * Hosts without network data (e.g. disconnected before it was read) are skipped, never guessed.
 *
 *   host.trunk-portgroup  error  a carrier host with no VLAN 4095 port group on that vSwitch.
 *                                Fix: trunk_portgroup (opt->trunk_portgroup, VLAN 4095).
 *   host.security         error  on a carrier host, the policy nested traffic passes through
 *                                rejects promiscuous mode, forged transmits or MAC changes: the
 *                                effective policy of each trunk port group when there is one,
 *                                else the vSwitch's (a trunk created later inherits it). Only a
 *                                known "reject" counts. Fix: vswitch_security (all accept), with
 *                                clear_pg_overrides when a port-group override rejects.
 *   host.hv-support       error  a physical carrier host whose esxcli "HV Support" is known and
 *                                below 3 (0 none, 1 unsupported, 2 disabled in the BIOS).
 *   cluster.drift         error  hosts of a physical or mixed cluster differ in the vSwitch's
 *                                security or in the names of their trunk port groups (vMotion
 *                                needs the same port group everywhere). A difference that a
 *                                host.* finding in the same cluster already reports is not
 *                                repeated: fixing that finding removes the drift.
 *   cost.flooding         warn   promiscuous mode is accepted on a host whose measured flooding
 *                                cost (perf input) is at or above the threshold. Without perf
 *                                data this rule says nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/ops/check_rules.h"

static bool sec_accepts_all(const struct nl_security *s)
{
    return s->promiscuous != NL_TRI_FALSE && s->forged_transmits != NL_TRI_FALSE &&
           s->mac_changes != NL_TRI_FALSE;
}

/* "promiscuous mode", "promiscuous mode and forged transmits", ... for the settings rejected. */
static char *rejected_list(const struct nl_security *s)
{
    const char *names[3] = {"", "", ""};
    size_t n = 0;
    if (s->promiscuous == NL_TRI_FALSE)
        names[n++] = "promiscuous mode";
    if (s->forged_transmits == NL_TRI_FALSE)
        names[n++] = "forged transmits";
    if (s->mac_changes == NL_TRI_FALSE)
        names[n++] = "MAC address changes";
    if (n == 1)
        return xstrdup(names[0]);
    if (n == 2)
        return xasprintf("%s and %s", names[0], names[1]);
    return xasprintf("%s, %s and %s", names[0], names[1], names[2]);
}

/* The nested hypervisors running on host index h, added as related objects. */
static void add_hypervisors(const struct nl_lab *lab, size_t h, struct ops_finding *f)
{
    for (size_t i = 0; i < lab->n_vms; i++) {
        const struct nl_vm *vm = &lab->vms[i];
        if (vm->host == (ssize_t)h && nl_vm_is_hypervisor(vm))
            ops_check_object(f, "vm", vm->id, ops_vm_name(vm));
    }
}

static struct ops_finding *host_finding(struct ops_report *rep, const struct nl_lab *lab, size_t h,
                                        const char *rule, char *message, char *why, char *fix)
{
    struct ops_finding *f = ops_check_add(rep, OPS_SEV_ERROR, rule, message, why, fix);
    ops_check_object(f, "host", lab->hosts[h].id, ops_host_name(&lab->hosts[h]));
    add_hypervisors(lab, h, f);
    return f;
}

static void security_fix(struct ops_finding *f, const struct nl_host *h, const char *vswitch,
                         bool clear_overrides)
{
    ops_fix_set_host(&f->fix, OPS_FIX_VSWITCH_SECURITY, h);
    xstrset(&f->fix.vswitch, vswitch);
    f->fix.want.promiscuous = NL_TRI_TRUE;
    f->fix.want.forged_transmits = NL_TRI_TRUE;
    f->fix.want.mac_changes = NL_TRI_TRUE;
    f->fix.clear_pg_overrides = clear_overrides;
}

static const char *security_why =
    "A nested hypervisor sends frames from MAC addresses the outer vSwitch does not know, which "
    "it drops unless promiscuous mode, forged transmits and MAC address changes are accepted.";

/* Returns whether the host got a trunk or security finding (flags for drift suppression). */
static void check_host_network(const struct nl_lab *lab, const struct ops_check_options *opt,
                               size_t hi, struct ops_report *rep, bool *trunk_found,
                               bool *security_found)
{
    const struct nl_host *h = &lab->hosts[hi];
    const struct nl_vswitch *vs = ops_check_vswitch(h, opt);
    if (!vs) {
        struct ops_finding *f = ops_check_add(
            rep, OPS_SEV_INFO, "host.vswitch",
            xasprintf("Host \"%s\" has no vSwitch named \"%s\" and more than one other, so its "
                      "network was not checked.",
                      ops_host_name(h), opt->vswitch),
            xstrdup("nestlab checks one standard vSwitch per host for nested traffic."),
            xasprintf("Run the check with --vswitch NAME naming the vSwitch of host \"%s\" "
                      "that carries the nested hypervisors.",
                      ops_host_name(h)));
        ops_check_object(f, "host", h->id, ops_host_name(h));
        return;
    }
    bool has_trunk = false;
    for (size_t p = 0; p < h->n_portgroups; p++) {
        const struct nl_portgroup *pg = &h->portgroups[p];
        if (pg->vlan != NL_VLAN_TRUNK || !pg->vswitch || strcmp(pg->vswitch, vs->name) != 0)
            continue;
        has_trunk = true;
        if (sec_accepts_all(&pg->effective))
            continue;
        char *list = rejected_list(&pg->effective);
        bool by_override = !sec_accepts_all(&pg->override);
        struct ops_finding *f = host_finding(
            rep, lab, hi, "host.security",
            xasprintf("The trunk port group \"%s\" on host \"%s\" rejects %s%s.", pg->name,
                      ops_host_name(h), list,
                      by_override ? " (set on the port group itself)" : " (from its vSwitch)"),
            xstrdup(security_why),
            xasprintf("Set %s to Accept on vSwitch \"%s\" of host \"%s\"%s.", list, vs->name,
                      ops_host_name(h),
                      by_override ? " and remove the port group's override" : ""));
        ops_check_object(f, "portgroup", NULL, pg->name);
        security_fix(f, h, vs->name, by_override);
        free(list);
        *security_found = true;
    }
    if (!has_trunk) {
        struct ops_finding *f = host_finding(
            rep, lab, hi, "host.trunk-portgroup",
            xasprintf("Host \"%s\" has no trunk port group (VLAN 4095) on vSwitch \"%s\".",
                      ops_host_name(h), vs->name),
            xstrdup("Nested hypervisors tag their own VLANs, which only pass through a port "
                    "group with VLAN ID 4095."),
            xasprintf("Add a port group \"%s\" with VLAN 4095 to vSwitch \"%s\" on host \"%s\", "
                      "and connect the nested hypervisors to it.",
                      opt->trunk_portgroup, vs->name, ops_host_name(h)));
        ops_fix_set_host(&f->fix, OPS_FIX_TRUNK_PORTGROUP, h);
        xstrset(&f->fix.vswitch, vs->name);
        xstrset(&f->fix.portgroup, opt->trunk_portgroup);
        f->fix.vlan = NL_VLAN_TRUNK;
        *trunk_found = true;
        if (!sec_accepts_all(&vs->security)) {
            char *list = rejected_list(&vs->security);
            f = host_finding(rep, lab, hi, "host.security",
                             xasprintf("vSwitch \"%s\" on host \"%s\" rejects %s.", vs->name,
                                       ops_host_name(h), list),
                             xstrdup(security_why),
                             xasprintf("Set %s to Accept on vSwitch \"%s\" of host \"%s\".", list,
                                       vs->name, ops_host_name(h)));
            security_fix(f, h, vs->name, false);
            free(list);
            *security_found = true;
        }
    }
}

static void check_hv_support(const struct nl_lab *lab, size_t hi, struct ops_report *rep)
{
    const struct nl_host *h = &lab->hosts[hi];
    if (nl_host_is_nested(h) || h->hv_support < 0 || h->hv_support >= 3)
        return;
    static const char *const meaning[] = {
        "has no hardware virtualization",
        "has hardware virtualization that ESXi does not support",
        "has hardware virtualization disabled in the BIOS",
    };
    host_finding(
        rep, lab, hi, "host.hv-support",
        xasprintf("The CPU of host \"%s\" %s (HV Support %d).", ops_host_name(h),
                  meaning[h->hv_support], h->hv_support),
        xstrdup("Nested hypervisors need VT-x/AMD-V with EPT/RVI on the physical CPU."),
        h->hv_support == 2
            ? xasprintf("Enable Intel VT-x or AMD-V in the BIOS of host \"%s\" and "
                        "reboot it.",
                        ops_host_name(h))
            : xasprintf("Run nested hypervisors on hosts other than \"%s\".", ops_host_name(h)));
}

/* A host's trunk port group names on vswitch, sorted, joined by ", " ("" for none). */
static char *trunk_names(const struct nl_host *h, const char *vswitch)
{
    size_t n = 0;
    const char **names = xcalloc(h->n_portgroups + 1, sizeof(*names));
    for (size_t p = 0; p < h->n_portgroups; p++) {
        const struct nl_portgroup *pg = &h->portgroups[p];
        if (pg->vlan == NL_VLAN_TRUNK && pg->vswitch && strcmp(pg->vswitch, vswitch) == 0)
            names[n++] = pg->name;
    }
    for (size_t i = 1; i < n; i++) /* insertion sort: a handful of names */
        for (size_t k = i; k > 0 && strcmp(names[k - 1], names[k]) > 0; k--) {
            const char *t = names[k];
            names[k] = names[k - 1];
            names[k - 1] = t;
        }
    char *out = xstrdup("");
    for (size_t i = 0; i < n; i++) {
        char *next = xasprintf("%s%s\"%s\"", out, i ? ", " : "", names[i]);
        free(out);
        out = next;
    }
    free(names);
    return out;
}

static bool sec_equal(const struct nl_security *a, const struct nl_security *b)
{
    return a->promiscuous == b->promiscuous && a->forged_transmits == b->forged_transmits &&
           a->mac_changes == b->mac_changes;
}

static void check_drift(const struct nl_lab *lab, const struct ops_check_options *opt, size_t ci,
                        bool trunk_reported, bool security_reported, struct ops_report *rep)
{
    const struct nl_cluster *c = &lab->clusters[ci];
    if (c->kind != NL_CLUSTER_PHYSICAL && c->kind != NL_CLUSTER_MIXED)
        return;
    const struct nl_host *first = NULL;
    const struct nl_vswitch *first_vs = NULL;
    char *first_trunks = NULL;
    bool sec_drift = false, trunk_drift = false;
    const struct nl_host *sec_other = NULL, *trunk_other = NULL;
    for (size_t h = 0; h < lab->n_hosts; h++) {
        const struct nl_host *host = &lab->hosts[h];
        if (host->cluster != (ssize_t)ci || !ops_host_has_network(host))
            continue;
        const struct nl_vswitch *vs = ops_check_vswitch(host, opt);
        if (!vs)
            continue;
        char *trunks = trunk_names(host, vs->name);
        if (!first) {
            first = host;
            first_vs = vs;
            first_trunks = trunks;
            continue;
        }
        if (!sec_drift && !sec_equal(&vs->security, &first_vs->security)) {
            sec_drift = true;
            sec_other = host;
        }
        if (!trunk_drift && strcmp(trunks, first_trunks) != 0) {
            trunk_drift = true;
            trunk_other = host;
        }
        free(trunks);
    }
    free(first_trunks);
    if (sec_drift && !security_reported) {
        struct ops_finding *f = ops_check_add(
            rep, OPS_SEV_ERROR, "cluster.drift",
            xasprintf("Hosts of cluster \"%s\" differ in vSwitch security: \"%s\" and \"%s\" are "
                      "set differently.",
                      c->name ? c->name : c->id, ops_host_name(first), ops_host_name(sec_other)),
            xstrdup("A VM that DRS or vMotion moves to a host with another policy loses its "
                    "network."),
            xasprintf("Set the same security policy on every host of cluster \"%s\".",
                      c->name ? c->name : c->id));
        ops_check_object(f, "cluster", c->id, c->name);
        ops_check_object(f, "host", first->id, ops_host_name(first));
        ops_check_object(f, "host", sec_other->id, ops_host_name(sec_other));
    }
    if (trunk_drift && !trunk_reported) {
        struct ops_finding *f = ops_check_add(
            rep, OPS_SEV_ERROR, "cluster.drift",
            xasprintf("Hosts of cluster \"%s\" have different trunk port groups: \"%s\" and "
                      "\"%s\" differ.",
                      c->name ? c->name : c->id, ops_host_name(first), ops_host_name(trunk_other)),
            xstrdup("vMotion needs a port group of the same name on every host; a nested "
                    "hypervisor moved to a host without it loses its network."),
            xasprintf("Give every host of cluster \"%s\" the same trunk port group \"%s\".",
                      c->name ? c->name : c->id, opt->trunk_portgroup));
        ops_check_object(f, "cluster", c->id, c->name);
        ops_check_object(f, "host", first->id, ops_host_name(first));
        ops_check_object(f, "host", trunk_other->id, ops_host_name(trunk_other));
    }
}

static void check_cost(const struct nl_lab *lab, const struct ops_check_options *opt,
                       struct ops_report *rep)
{
    for (size_t i = 0; i < opt->n_costs; i++) {
        const struct ops_cost_sample *s = &opt->costs[i];
        const struct nl_host *h = s->host_id ? nl_lab_find_host(lab, s->host_id) : NULL;
        if (!h || s->cost_pct < opt->cost_threshold_pct || !nl_host_promiscuous_any(h))
            continue;
        struct ops_finding *f = ops_check_add(
            rep, OPS_SEV_WARN, "cost.flooding",
            xasprintf("Promiscuous mode costs host \"%s\" about %.1f%% of its CPU in flooded "
                      "frames.",
                      ops_host_name(h), s->cost_pct),
            xstrdup("A standard vSwitch has no MAC learning, so in promiscuous mode every frame "
                    "is copied to every promiscuous port."),
            xasprintf("Use MAC learning instead of promiscuous mode for the nested hypervisors on "
                      "\"%s\" (a distributed switch with MAC learning, ESXi 6.7 or later).",
                      ops_host_name(h)));
        ops_check_object(f, "host", h->id, ops_host_name(h));
    }
}

void ops_check_hosts(const struct nl_lab *lab, const struct ops_check_options *opt,
                     const bool *carriers, struct ops_report *rep)
{
    size_t nc = lab->n_clusters ? lab->n_clusters : 1;
    bool *trunk_reported = xcalloc(nc, sizeof(bool));
    bool *security_reported = xcalloc(nc, sizeof(bool));
    for (size_t h = 0; h < lab->n_hosts; h++) {
        if (!carriers[h])
            continue;
        check_hv_support(lab, h, rep);
        if (!ops_host_has_network(&lab->hosts[h]))
            continue;
        bool trunk = false, security = false;
        check_host_network(lab, opt, h, rep, &trunk, &security);
        ssize_t c = lab->hosts[h].cluster;
        if (c >= 0) {
            trunk_reported[c] |= trunk;
            security_reported[c] |= security;
        }
    }
    for (size_t c = 0; c < lab->n_clusters; c++)
        check_drift(lab, opt, c, trunk_reported[c], security_reported[c], rep);
    check_cost(lab, opt, rep);
    free(trunk_reported);
    free(security_reported);
}
