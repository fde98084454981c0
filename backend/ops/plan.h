/* Plans: every change is a plan first. ops_plan_new is a pure function of (lab, scope, intent):
 * it copies the lab, compares each host or VM in scope with what the intent wants, and returns
 * one step per host (network intents) or per VM (nested HV, power) with the value before and
 * after, or the reason it is skipped. Nothing is changed until ops_apply (apply.h) runs it.
 *
 * Typical use (what the CLI verbs do):
 *
 *     struct ops_intent in;
 *     ops_intent_init(&in, OPS_INTENT_SECURITY);
 *     in.security.vswitch = "vSwitch0";
 *     in.security.want.promiscuous = NL_TRI_TRUE;
 *     ops_plan_new(lab, scope, &in, &plan, &err);
 *     char *text = ops_plan_text(plan);          // preview; --dry-run stops here
 *     ops_apply(plan, executor, &opts, &err);     // apply.h
 *     ops_plan_free(&plan);
 */
#ifndef NL_OPS_PLAN_H
#define NL_OPS_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "backend/core/err.h"
#include "backend/model/lab.h"
#include "backend/ops/scope.h"

#define OPS_VLAN_TRUNK 4095

enum ops_intent_kind {
    OPS_INTENT_NESTED_HV, /* expose (or hide) hardware virtualization on VMs */
    OPS_INTENT_TRUNK,     /* ensure a port group with a VLAN on a vSwitch of every host */
    OPS_INTENT_SECURITY,  /* set vSwitch security flags on every host */
    OPS_INTENT_POWER,     /* power VMs on or off */
    OPS_INTENT_RESTORE,   /* put recorded previous values back (undo, journal.h) */
};

/* What a restore wants one object to be again. Built by ops_undo_plan_new from a journal entry;
 * targets are found by id first and by name when the id is unknown (another transport). */
enum ops_restore_kind {
    OPS_RESTORE_VSWITCH_SECURITY, /* want.sec on host/vswitch (UNSET flags are left alone) */
    OPS_RESTORE_PORTGROUP,        /* want.present, want.vlan, want.sec = overrides */
    OPS_RESTORE_NESTED_HV,        /* want.nested_hv on the VM */
    OPS_RESTORE_POWER,            /* want.power on the VM */
};

/* A before/after value. Which fields mean something depends on the step kind:
 *   set_vswitch_security          sec (the vSwitch policy)
 *   add/set/remove_portgroup      present, vlan, sec (the port group's overrides; UNSET = inherit)
 *   set_nested_hv                 nested_hv
 *   power_off/power_on            power
 * Unused fields hold present=false, vlan=-1, sec all UNSET, nested_hv UNSET, power UNKNOWN. */
struct ops_value {
    bool present;
    int vlan;
    struct nl_security sec;
    enum nl_tri nested_hv;
    enum nl_power power;
};

void ops_value_init(struct ops_value *v);

struct ops_restore_item {
    enum ops_restore_kind kind;
    char *host_id, *host_name; /* the host (network) or the VM's host (may be NULL for VMs) */
    char *vm_id, *vm_name;     /* VM kinds */
    char *vswitch;             /* network kinds */
    char *portgroup;           /* OPS_RESTORE_PORTGROUP */
    struct ops_value want;
    bool power_cycle; /* nested HV: the change being undone power-cycled the VM */
};

struct ops_intent {
    enum ops_intent_kind kind;
    struct {
        bool on;
        bool power_cycle; /* a powered-on VM is powered off, changed and powered on again */
    } nested_hv;
    struct {
        const char *portgroup;
        const char *vswitch;
        int vlan; /* 0..4095, default OPS_VLAN_TRUNK */
    } trunk;
    struct {
        const char *vswitch;
        struct nl_security want; /* UNSET flags are left as they are */
        bool clear_pg_overrides; /* also reset port-group overrides that defeat want */
    } security;
    struct {
        bool on;
    } power;
    struct {
        const struct ops_restore_item *items; /* borrowed for the call */
        size_t n_items;
        const char *undo_of; /* the journal id being undone, copied into the plan */
    } restore;
};

/* Zeroes in and sets defaults: trunk VLAN 4095, security flags UNSET. */
void ops_intent_init(struct ops_intent *in, enum ops_intent_kind kind);

enum ops_step_kind {
    OPS_STEP_SET_VSWITCH_SECURITY,
    OPS_STEP_ADD_PORTGROUP,
    OPS_STEP_SET_PORTGROUP,
    OPS_STEP_REMOVE_PORTGROUP,
    OPS_STEP_SET_NESTED_HV,
    OPS_STEP_POWER_OFF,
    OPS_STEP_POWER_ON,
};

enum ops_step_status {
    OPS_STEP_PLANNED,   /* will be applied */
    OPS_STEP_COMPLIANT, /* skipped: already as wanted */
    OPS_STEP_BLOCKED,   /* skipped: cannot be done (reason says why) */
};

enum ops_result {
    OPS_RESULT_NONE, /* not applied (plan not run, or the step was skipped) */
    OPS_RESULT_OK,
    OPS_RESULT_FAILED,  /* error holds the executor's message */
    OPS_RESULT_NOT_RUN, /* a step it depends on failed, or the apply stopped first; error says */
    /* The call was sent and its outcome is not known: the apply was abandoned while it was in
     * flight, or the journal shows it started and nothing after (journal.h). */
    OPS_RESULT_UNKNOWN,
};

enum ops_verify {
    OPS_VERIFY_NONE,     /* not checked: not applied, or a later step changes the same value */
    OPS_VERIFY_OK,       /* the re-read value equals after */
    OPS_VERIFY_MISMATCH, /* the re-read value differs; verify_note says how */
    OPS_VERIFY_UNKNOWN,  /* the re-read failed or no longer shows the target */
};

struct ops_step {
    enum ops_step_kind kind;
    char *target_id;   /* VM id for VM steps; host id for network steps */
    char *target_name; /* VM name, port-group name, or vSwitch name */
    char *host_id, *host_name;
    char *vm_id, *vm_name; /* VM steps */
    char *vswitch;         /* network steps */
    char *portgroup;       /* port-group steps */
    ssize_t host;          /* index into plan->lab->hosts, -1 when unknown */
    ssize_t vm;            /* index into plan->lab->vms, -1 for network steps */
    struct ops_value before, after;
    enum ops_step_status status;
    char *reason; /* COMPLIANT/BLOCKED: why ("already compliant", "vmx-08 < vmx-09", ...) */
    /* Steps with the same group run one after another in plan order (one group per host: the
     * executor contract never has two calls for one host at once); groups run in parallel. */
    int group;
    /* Index of an earlier step this one needs to have succeeded, or -1 (e.g. a reconfigure
     * needs its power-off). */
    ssize_t depends;
    /* Power-cycle chains (power off, set, power on) share a chain id > 0; 0 otherwise. The
     * power-on of a chain runs whenever the power-off succeeded, even if the set failed. */
    int chain;
    /* Filled by ops_apply. */
    enum ops_result result;
    struct nl_err error;
    enum ops_verify verify;
    char *verify_note;
};

struct ops_plan {
    struct nl_lab *lab; /* the snapshot the plan was computed on (owned; executors get pointers
                           into it, so the caller's lab may change while a plan is applied) */
    enum ops_intent_kind kind;
    char *intent_text; /* one line: "security on vSwitch 'vSwitch0': promiscuous accept" */
    char *undo_of;     /* journal id this plan undoes, or NULL */
    struct ops_step *steps;
    size_t n_steps;
    int n_groups;
    int n_chains;
    /* Filled by ops_apply. */
    bool applied;
    bool abandoned;     /* see ops_apply_opts.abandon */
    char *journal_id;   /* the id the change set was journaled under, NULL if not journaled */
    char *verify_error; /* why verification could not run, or NULL */
    struct nl_lab *verified_lab; /* the re-read lab (owned), see ops_plan_verified_lab */
};

/* Builds the plan. scope may be NULL only for OPS_INTENT_RESTORE. Errors:
 *   NL_ERR_USAGE      VLAN outside 0..4095, empty or non-UTF-8 names, nothing asked for, a
 *                     network intent with no hosts in scope, a VM intent with no VMs in scope;
 *   NL_ERR_NOT_FOUND  no host in scope has the vSwitch (with suggestions).
 * A plan where every step is skipped is not an error. */
enum nl_code ops_plan_new(const struct nl_lab *lab, const struct ops_scope *scope,
                          const struct ops_intent *intent, struct ops_plan **out,
                          struct nl_err *err);
void ops_plan_free(struct ops_plan **plan);
/* Appends the steps of *b to a and frees *b (set to NULL; NULL is allowed). Both plans must have
 * been computed on the same lab (host indexes are shared); steps keep their order, chains and
 * dependencies, and get one group per host across both, as ops_plan_new numbers them. The
 * intent texts are joined with "; ". */
void ops_plan_merge(struct ops_plan *a, struct ops_plan **b);

struct ops_counts {
    size_t planned, compliant, blocked;  /* from the plan */
    size_t ok, failed, not_run, unknown; /* after apply */
    size_t verified, mismatched, unverified;
};
void ops_plan_counts(const struct ops_plan *plan, struct ops_counts *c);

/* Words used in text and JSON: "set_vswitch_security", "planned", "ok", "verified", ... */
const char *ops_step_kind_name(enum ops_step_kind k);
bool ops_step_kind_parse(const char *name, enum ops_step_kind *out);
const char *ops_step_status_name(enum ops_step_status s);
const char *ops_result_name(enum ops_result r);
const char *ops_verify_name(enum ops_verify v);
const char *ops_intent_kind_name(enum ops_intent_kind k);

/* Preview (plan_text.c). Owned strings, lines end in '\n'. Before apply each step reads
 * "change|skip|blocked HOST: WHAT before -> after"; after apply "ok|FAILED|not run ..." with
 * the error and the verification. The last line is ops_plan_summary. */
char *ops_plan_text(const struct ops_plan *plan);
/* One line per step without the header and summary, for a TUI list. */
char *ops_step_text(const struct ops_plan *plan, const struct ops_step *step);
/* "HOST: WHAT before -> after" alone, no status or result. */
char *ops_step_what(const struct ops_step *step);
/* Before apply: "N to change, M already compliant, K cannot be done".
 * After:  "N changed, M already compliant, K failed (host: why; ...)" plus blocked and
 * verification counts when not zero. No trailing newline. */
char *ops_plan_summary(const struct ops_plan *plan);

/* JSON (plan_json.c): {"intent":..., "intent_kind":..., "endpoint":..., "undo_of":...,
 * "steps":[...], "summary":{...}}; each step as in the journal. New reference. */
json_t *ops_plan_to_json(const struct ops_plan *plan);
json_t *ops_step_to_json(const struct ops_step *step);
/* Adds "error", "error_code" and "error_detail" of e to object j when e is set. */
void ops_error_to_json(json_t *j, const struct nl_err *e);
/* Reads a step written by ops_step_to_json into *step (zeroed first; free with
 * ops_step_clear). Indexes (host, vm, group) are -1: a step read back belongs to no lab. */
enum nl_code ops_step_from_json(const json_t *j, struct ops_step *step, struct nl_err *err);
void ops_step_clear(struct ops_step *step);
json_t *ops_value_to_json(enum ops_step_kind kind, const struct ops_value *v);
/* Reads a value written by ops_value_to_json; NL_ERR_PARSE when malformed. */
enum nl_code ops_value_from_json(enum ops_step_kind kind, const json_t *j, struct ops_value *v,
                                 struct nl_err *err);

/* Process exit status after apply: 0 when every planned step succeeded and verified; for a
 * failed step nl_code_exit_status of its error (the first one); 4 (state) when a step could
 * not be done (blocked) or verification found a mismatch. Before apply: 0, or 4 if blocked. */
int ops_plan_exit_status(const struct ops_plan *plan);

#endif
