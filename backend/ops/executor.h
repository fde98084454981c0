/* The one seam between the change engine and the transports. A plan is applied step by step
 * through an executor: the vCenter one (backend/vsphere/vs_exec.c, SOAP), the direct one
 * (backend/esxi/esx_exec.c, SSH), or a fake in unit tests. The engine calls the functions for
 * DIFFERENT hosts concurrently from its worker threads, never two for the same host at once, so an
 * executor must be thread-safe across hosts. Every function returns NL_OK or sets err.
 *
 * What the engine (backend/ops/apply.c) guarantees to an executor:
 * - host is never NULL; it and vm point into the plan's own copy of the lab (struct ops_plan.lab),
 *   which does not change while the plan is applied. For VM calls host is the VM's host.
 * - set_vswitch_security gets only the flags that the step changes; the others are UNSET.
 * - Two VM calls for VMs on the same host are serialised too (the engine groups by host).
 * - A NULL function pointer is allowed: the steps that need it fail with a clear message.
 * - reread is called once, after every step finished, from the thread that called ops_apply.
 * - err->message should be a whole sentence naming the object (it lands in the journal and the
 *   summary "K failed (host: why)"); err->detail the fault type ("InvalidPowerState"). */
#ifndef NL_OPS_EXECUTOR_H
#define NL_OPS_EXECUTOR_H

#include <stdbool.h>

#include "backend/core/err.h"
#include "backend/model/lab.h"

struct ops_executor {
    const char *transport; /* "vcenter" or "ssh": recorded in the journal */
    void *ctx;

    /* Sets the vSwitch security flags that are not UNSET in want; leaves everything else of the
     * vSwitch (uplinks, ports, MTU, other policies) as the host has it now. */
    enum nl_code (*set_vswitch_security)(void *ctx, const struct nl_host *host, const char *vswitch,
                                         const struct nl_security *want, struct nl_err *err);
    /* Adds port group pg with this VLAN and no overrides on vswitch. */
    enum nl_code (*add_portgroup)(void *ctx, const struct nl_host *host, const char *vswitch,
                                  const char *pg, int vlan, struct nl_err *err);
    enum nl_code (*remove_portgroup)(void *ctx, const struct nl_host *host, const char *vswitch,
                                     const char *pg, struct nl_err *err);
    /* Sets the port group's VLAN and replaces its security overrides with `override` (all UNSET =
     * inherit everything from the vSwitch). */
    enum nl_code (*set_portgroup)(void *ctx, const struct nl_host *host, const char *pg, int vlan,
                                  const struct nl_security *override, struct nl_err *err);
    /* Exposes (or hides) hardware virtualization to the VM; the VM must be powered off. */
    enum nl_code (*set_nested_hv)(void *ctx, const struct nl_host *host, const struct nl_vm *vm,
                                  bool on, struct nl_err *err);
    enum nl_code (*set_power)(void *ctx, const struct nl_host *host, const struct nl_vm *vm,
                              bool on, struct nl_err *err);
    /* Reads the current state again for verification; returns a new lab (owned by the caller)
     * covering at least the hosts and VMs of `current`, or NULL with err set. */
    struct nl_lab *(*reread)(void *ctx, const struct nl_lab *current, struct nl_err *err);
};

#endif
