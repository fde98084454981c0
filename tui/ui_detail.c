/* Detail lines for VMs, hosts, clusters and the endpoint. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tui/ui_detail.h"

static const char *tri(enum nl_tri t, const char *yes, const char *no)
{
    return t == NL_TRI_TRUE ? yes : t == NL_TRI_FALSE ? no : "unknown";
}

static enum ui_role tri_role(enum nl_tri t, enum nl_tri want)
{
    return t == NL_TRI_UNSET ? UI_ROLE_DIM : t == want ? UI_ROLE_OK : UI_ROLE_WARN;
}

static const char *sec_word(enum nl_tri t)
{
    return tri(t, "accept", "reject");
}

static const char *src_name(enum nl_source s)
{
    return s == NL_SOURCE_VCENTER ? "vCenter"
           : s == NL_SOURCE_SSH   ? "SSH (direct to host)"
           : s == NL_SOURCE_CACHE ? "cache"
                                  : "unknown";
}

void ui_sparkline(const double *v, size_t n, int utf8, char *out, size_t outsz)
{
    static const char *const blocks[8] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
                                          "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
                                          "\xe2\x96\x87", "\xe2\x96\x88"};
    static const char ramp[] = " .:-=+*#";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i] < 0 ? 0 : v[i] > 100 ? 100 : v[i];
        int lvl = (int)(x / 100.0 * 7.0 + 0.5);
        const char *c = utf8 ? blocks[lvl] : (const char[]){ramp[lvl], 0};
        size_t len = strlen(c);
        if (o + len + 1 > outsz)
            break;
        memcpy(out + o, c, len);
        o += len;
    }
    if (outsz)
        out[o < outsz ? o : outsz - 1] = '\0';
}

static void vm_lines(const struct nl_lab *lab, const struct nl_vm *vm, struct ui_lines *o)
{
    ui_lines_add(o, UI_ROLE_TITLE, "VM %s", vm->name ? vm->name : vm->id);
    ui_lines_add(o, UI_ROLE_NORMAL, "  Role        %s", nl_role_name(vm->role));
    ui_lines_add(o, vm->power == NL_POWER_ON ? UI_ROLE_OK : UI_ROLE_NORMAL, "  Power       %s",
                 nl_power_name(vm->power));
    bool nested = vm->role == NL_ROLE_NESTED_ESXI || vm->role == NL_ROLE_NESTED_OTHER;
    if (vm->hw_version > 0)
        ui_lines_add(o, nested && vm->hw_version < 9 ? UI_ROLE_WARN : UI_ROLE_NORMAL,
                     "  Hardware    vmx-%02d%s", vm->hw_version,
                     nested && vm->hw_version < 9 ? " (nested HV needs vmx-09 or later)" : "");
    else
        ui_lines_add(o, UI_ROLE_DIM, "  Hardware    unknown");
    ui_lines_add(o, nested ? tri_role(vm->nested_hv, NL_TRI_TRUE) : UI_ROLE_NORMAL,
                 "  Nested HV   %s", tri(vm->nested_hv, "on", "off"));
    if (vm->cpus >= 0)
        ui_lines_add(o, UI_ROLE_NORMAL, "  vCPU        %d", vm->cpus);
    if (vm->memory_mb >= 0)
        ui_lines_add(o, UI_ROLE_NORMAL, "  Memory      %d MB", vm->memory_mb);
    ui_lines_add(o, UI_ROLE_NORMAL, "  Tools       %s", vm->tools ? vm->tools : "unknown");
    if (vm->guest_id)
        ui_lines_add(o, UI_ROLE_DIM, "  Guest       %s", vm->guest_id);
    ui_lines_add(o, UI_ROLE_NORMAL, "  Host        %s",
                 vm->host >= 0 ? lab->hosts[vm->host].name : "unknown");
    if (vm->nested_host >= 0)
        ui_lines_add(o, UI_ROLE_VM_NESTED, "  Runs host   %s", lab->hosts[vm->nested_host].name);
    ui_lines_add(o, UI_ROLE_NORMAL, "  Networks    %s", vm->n_networks ? "" : "none");
    for (size_t i = 0; i < vm->n_networks; i++) {
        const char *nm = nl_lab_network_name(lab, vm->networks[i]);
        ui_lines_add(o, UI_ROLE_NORMAL, "    %s", nm ? nm : vm->networks[i]);
    }
}

static void host_lines(const struct nl_lab *lab, const struct nl_host *h, const double *samples,
                       size_t n_samples, int utf8, struct ui_lines *o)
{
    ui_lines_add(o, UI_ROLE_TITLE, "Host %s", h->name ? h->name : h->id);
    ui_lines_add(o, h->connection == NL_CONN_CONNECTED ? UI_ROLE_OK : UI_ROLE_ERROR,
                 "  Connection  %s", nl_conn_name(h->connection));
    ui_lines_add(o, UI_ROLE_DIM, "  Source      %s", src_name(h->source));
    if (h->version)
        ui_lines_add(o, UI_ROLE_NORMAL, "  ESXi        %s", h->version);
    if (h->backing_vm >= 0)
        ui_lines_add(o, UI_ROLE_HOST_NESTED, "  Backed by   VM %s (%s match)",
                     lab->vms[h->backing_vm].name, h->link == NL_LINK_UUID ? "BIOS UUID" : "name");
    else if (h->link == NL_LINK_AMBIGUOUS)
        ui_lines_add(o, UI_ROLE_WARN, "  Backed by   ? (BIOS UUID shared by several VMs or hosts)");
    if (h->cpu_model)
        ui_lines_add(o, UI_ROLE_NORMAL, "  CPU         %s", h->cpu_model);
    if (h->cpu_packages >= 0)
        ui_lines_add(o, UI_ROLE_NORMAL, "  CPU layout  %d sockets, %d cores, %d threads, %d MHz",
                     h->cpu_packages, h->cpu_cores, h->cpu_threads, h->cpu_mhz);
    if (h->cpu_usage_mhz >= 0)
        ui_lines_add(o, UI_ROLE_NORMAL, "  CPU usage   %d MHz", h->cpu_usage_mhz);
    if (n_samples) {
        char spark[256];
        ui_sparkline(samples, n_samples, utf8, spark, sizeof(spark));
        ui_lines_add(o, UI_ROLE_SPARK, "  CPU %%      %s %.0f%%", spark, samples[n_samples - 1]);
    }
    ui_lines_add(o, UI_ROLE_TITLE, "  vSwitches");
    if (!h->n_vswitches)
        ui_lines_add(o, UI_ROLE_DIM, "    none known");
    for (size_t i = 0; i < h->n_vswitches; i++) {
        const struct nl_vswitch *vs = &h->vswitches[i];
        char uplinks[256] = "";
        size_t u = 0;
        for (size_t k = 0; k < vs->n_uplinks && u < sizeof(uplinks); k++)
            u += (size_t)snprintf(uplinks + u, sizeof(uplinks) - u, "%s%s", k ? "," : "",
                                  vs->uplinks[k]);
        ui_lines_add(o, UI_ROLE_NORMAL, "    %s  mtu %d  uplinks %s", vs->name, vs->mtu,
                     uplinks[0] ? uplinks : "none");
        ui_lines_add(o, tri_role(vs->security.promiscuous, NL_TRI_TRUE),
                     "      promiscuous %s, forged transmits %s, MAC changes %s",
                     sec_word(vs->security.promiscuous), sec_word(vs->security.forged_transmits),
                     sec_word(vs->security.mac_changes));
    }
    ui_lines_add(o, UI_ROLE_TITLE, "  Port groups (VLAN, effective policy P/F/M)");
    if (!h->n_portgroups)
        ui_lines_add(o, UI_ROLE_DIM, "    none known");
    for (size_t i = 0; i < h->n_portgroups; i++) {
        const struct nl_portgroup *pg = &h->portgroups[i];
        char vlan[24];
        if (pg->vlan == 4095)
            snprintf(vlan, sizeof(vlan), "4095 trunk");
        else if (pg->vlan < 0)
            snprintf(vlan, sizeof(vlan), "unknown");
        else
            snprintf(vlan, sizeof(vlan), "%d", pg->vlan);
        bool ovr = pg->override.promiscuous != NL_TRI_UNSET ||
                   pg->override.forged_transmits != NL_TRI_UNSET ||
                   pg->override.mac_changes != NL_TRI_UNSET;
        ui_lines_add(o, pg->vlan == 4095 ? UI_ROLE_OK : UI_ROLE_NORMAL,
                     "    %s on %s  VLAN %s  %s/%s/%s%s", pg->name, pg->vswitch ? pg->vswitch : "?",
                     vlan, sec_word(pg->effective.promiscuous),
                     sec_word(pg->effective.forged_transmits), sec_word(pg->effective.mac_changes),
                     ovr ? "  (overridden)" : "");
    }
}

void ui_detail_lines(const struct ui_tree *t, int node, const double *samples, size_t n_samples,
                     int utf8, struct ui_lines *out)
{
    ui_lines_clear(out);
    if (node < 0 || node >= t->n_nodes)
        return;
    const struct ui_node *n = &t->nodes[node];
    const struct nl_lab *lab = t->lab;
    switch (n->kind) {
    case UI_NODE_VM:
        vm_lines(lab, &lab->vms[n->obj], out);
        break;
    case UI_NODE_HOST:
        host_lines(lab, &lab->hosts[n->obj], samples, n_samples, utf8, out);
        break;
    case UI_NODE_CLUSTER: {
        const struct nl_cluster *c = &lab->clusters[n->obj];
        ui_lines_add(out, UI_ROLE_TITLE, "Cluster %s", c->name ? c->name : c->id);
        ui_lines_add(out, UI_ROLE_NORMAL, "  Kind        %s", nl_cluster_kind_name(c->kind));
        ui_lines_add(out, UI_ROLE_NORMAL, "  Hosts       %d", n->n_hosts);
        ui_lines_add(out, UI_ROLE_NORMAL, "  VMs         %d", n->n_vms);
        break;
    }
    case UI_NODE_DATACENTER:
    case UI_NODE_GROUP:
        ui_lines_add(out, UI_ROLE_TITLE, "%s", ui_node_name(t, node));
        ui_lines_add(out, UI_ROLE_NORMAL, "  Hosts       %d", n->n_hosts);
        ui_lines_add(out, UI_ROLE_NORMAL, "  VMs         %d", n->n_vms);
        break;
    case UI_NODE_ENDPOINT: {
        ui_lines_add(out, UI_ROLE_TITLE, "Endpoint %s", lab->endpoint ? lab->endpoint : "");
        ui_lines_add(out, UI_ROLE_NORMAL, "  Source      %s", src_name(lab->source));
        if (lab->api_version)
            ui_lines_add(out, UI_ROLE_NORMAL, "  API         %s", lab->api_version);
        if (lab->fetched_at) {
            char when[64];
            struct tm tm;
            localtime_r(&lab->fetched_at, &tm);
            strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
            ui_lines_add(out, UI_ROLE_NORMAL, "  Fetched     %s", when);
        }
        ui_lines_add(out, UI_ROLE_NORMAL, "  Datacenters %zu, clusters %zu", lab->n_datacenters,
                     lab->n_clusters);
        ui_lines_add(out, UI_ROLE_NORMAL, "  Hosts       %d", n->n_hosts);
        ui_lines_add(out, UI_ROLE_NORMAL, "  VMs         %d", n->n_vms);
        if (lab->name_links_used)
            ui_lines_add(out, UI_ROLE_WARN,
                         "  Some nested hosts were matched to their VMs by name, not BIOS UUID.");
        break;
    }
    }
}
