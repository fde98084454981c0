/* Lab readiness checks (issue 9): pure rules over a linked nl_lab that say what keeps a nested lab
 * from working, why, and how to fix it, with a machine-readable fix intent for `check --fix`.
 *
 *     struct ops_check_options opt;
 *     ops_check_options_init(&opt);
 *     struct ops_report *rep = ops_check_run(lab, &opt);
 *     ops_report_to_text(rep, &buf, &err);       // or ops_report_to_json(rep)
 *     struct ops_fix *fixes; size_t n = ops_report_fixes(rep, &fixes);  // plan these
 *     int status = ops_report_exit_status(rep);  // 0 when no error
 *     ops_fixes_free(&fixes, n); ops_report_free(&rep);
 *
 * Rules (ids are stable; the rules themselves are documented in check_*.c):
 *   vm.nested-hv          error  a nested-hypervisor VM without nested HV exposed
 *   vm.hw-version         error  ... with hardware version below vmx-09
 *   vm.cpus               error  ... with fewer than 2 vCPUs
 *   vm.memory             error  nested ESXi below 4 GB; warn below 6 GB (configurable)
 *   vm.tools              warn   nested ESXi whose VMware Tools are not running
 *   vm.trunk-nic          error  nested hypervisor with no NIC on its host's trunk port group
 *   host.trunk-portgroup  error  a host carrying nested hypervisors without a VLAN 4095 port group
 *   host.security         error  ... whose trunk (or vSwitch) policy rejects promiscuous mode,
 *                                forged transmits or MAC changes
 *   host.hv-support       error  a physical host carrying nested hypervisors whose CPU cannot
 *                                (HV Support known and below 3)
 *   host.vswitch          info   no vSwitch to check: not opt->vswitch and more than one other
 *   cluster.drift         error  hosts of one physical/mixed cluster differ in vSwitch security
 *                                or trunk port groups
 *   layout.mixed-cluster  error  nested and physical hosts in one cluster
 *   layout.nested-host-down error a nested host not connected, explained by its backing VM
 *   nested.shared-bios-uuid warn  hosts, or nested-hypervisor VMs, sharing one BIOS UUID (clones):
 *                                links ambiguous
 *   nested.shared-vmk0-mac error  hosts whose vmk0 has the same MAC address (cloned nested ESXi)
 *   cost.flooding         warn   promiscuous mode with a measured flooding cost over the threshold
 */
#ifndef NL_OPS_CHECK_H
#define NL_OPS_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "backend/core/buf.h"
#include "backend/core/err.h"
#include "backend/model/lab.h"

enum ops_severity { OPS_SEV_ERROR, OPS_SEV_WARN, OPS_SEV_INFO };

/* What `check --fix` should ask the change engine for. Plain data: the lead maps these to
 * ops_intent (plan.h): NESTED_HV_ON → OPS_INTENT_NESTED_HV (power_cycle), TRUNK_PORTGROUP →
 * OPS_INTENT_TRUNK, VSWITCH_SECURITY → OPS_INTENT_SECURITY, POWER_ON → OPS_INTENT_POWER. */
enum ops_fix_kind {
    OPS_FIX_NONE,             /* needs a human; the finding's fix text says what to do */
    OPS_FIX_NESTED_HV_ON,     /* vm: expose hardware virtualization */
    OPS_FIX_TRUNK_PORTGROUP,  /* host: add port group `portgroup` with `vlan` on `vswitch` */
    OPS_FIX_VSWITCH_SECURITY, /* host: set `vswitch` security to `want` */
    OPS_FIX_POWER_ON,         /* vm: power on (a nested host is down only because it is off) */
    OPS_FIX_HW_UPGRADE,       /* vm: upgrade compatibility to vmx-09+; no engine step: manual */
};

struct ops_fix {
    enum ops_fix_kind kind;
    char *host_id, *host_name; /* network kinds: the host; VM kinds: the VM's host (may be NULL) */
    char *vm_id, *vm_name;     /* VM kinds */
    char *vswitch;             /* TRUNK_PORTGROUP, VSWITCH_SECURITY */
    char *portgroup;           /* TRUNK_PORTGROUP */
    int vlan;                  /* TRUNK_PORTGROUP: 4095; else -1 */
    struct nl_security want;   /* VSWITCH_SECURITY: all TRUE; else all UNSET */
    bool clear_pg_overrides;   /* VSWITCH_SECURITY: a port-group override defeats the vSwitch */
    bool power_cycle;          /* NESTED_HV_ON on a powered-on VM: needs --power-cycle */
};

struct ops_object {
    const char *kind; /* "vm", "host", "cluster", "portgroup" (static) */
    char *id;         /* portgroup: NULL */
    char *name;
};

struct ops_finding {
    enum ops_severity severity;
    const char *rule;           /* static, e.g. "vm.nested-hv" */
    struct ops_object *objects; /* objects[0] is the subject; the rest are affected or related */
    size_t n_objects;
    char *message; /* a whole sentence naming the objects */
    char *why;     /* one sentence */
    char *fix_text;
    struct ops_fix fix;
};

struct ops_report {
    struct ops_finding *findings; /* sorted: severity, then subject (clusters, hosts, VMs) */
    size_t n_findings, cap_findings;
    size_t n_errors, n_warnings, n_infos;
};

/* Host CPU share spent on flooding, from the monitoring issue (perf). Optional input. */
struct ops_cost_sample {
    const char *host_id;
    double cost_pct; /* percent of the host's CPU */
};

struct ops_check_options {
    int esxi_min_memory_mb;      /* error below; default 4096 */
    int esxi_warn_memory_mb;     /* warn below; default 6144 */
    int min_cpus;                /* default 2 */
    int min_hw_version;          /* default 9 (vmx-09) */
    const char *trunk_portgroup; /* name used when a fix creates one; default "Nested-Trunk" */
    const char *vswitch;         /* default "vSwitch0" */
    const struct ops_cost_sample *costs; /* NULL: no cost data, the cost rule says nothing */
    size_t n_costs;
    double cost_threshold_pct; /* default 10 */
};

void ops_check_options_init(struct ops_check_options *opt);

/* Runs every rule; opt NULL means defaults. The lab must be linked. Never NULL. */
struct ops_report *ops_check_run(const struct nl_lab *lab, const struct ops_check_options *opt);
void ops_report_free(struct ops_report **rep);

/* Grouped by severity, then by object; names escaped for the terminal. */
enum nl_code ops_report_to_text(const struct ops_report *rep, struct nl_buf *out,
                                struct nl_err *err);
/* {"errors": N, "warnings": N, "infos": N, "findings": [{"severity", "rule", "objects":
 *  [{"kind", "id", "name"}], "message", "why", "fix", "fix_intent": {"kind", "host_id",
 *  "host_name", "vm_id", "vm_name", "vswitch", "portgroup", "vlan", "want", "power_cycle",
 *  "clear_pg_overrides", "automatic"} | null}]} */
json_t *ops_report_to_json(const struct ops_report *rep);
/* 0 when the report holds no error, 1 otherwise. */
int ops_report_exit_status(const struct ops_report *rep);

/* The fix intents the change engine can carry out (ops_fix_is_automatic), one per distinct
 * target, network fixes first, then VM fixes; a nested-HV fix for a VM whose hardware version is
 * too old is left out (the engine would block it; the report already says to upgrade first).
 * Returns the count; *out is owned by the caller (ops_fixes_free). */
size_t ops_report_fixes(const struct ops_report *rep, struct ops_fix **out);
void ops_fixes_free(struct ops_fix **fixes, size_t n);
bool ops_fix_is_automatic(enum ops_fix_kind kind);

const char *ops_severity_name(enum ops_severity s); /* "error", "warning", "info" */
const char *ops_fix_kind_name(enum ops_fix_kind k); /* "nested_hv_on", "trunk_portgroup", ... */

#endif
