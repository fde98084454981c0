/* The vCenter executor: applies ops steps over SOAP. Thread-safe across hosts (every call goes
 * through the client's handle pool). */
#ifndef VS_EXEC_H
#define VS_EXEC_H

#include <libxml/tree.h>

#include "backend/core/err.h"
#include "backend/ops/executor.h"
#include "backend/vsphere/vs_client.h"

/* The executor bound to c (owned by c, valid until vs_client_free). */
const struct ops_executor *vs_executor(struct vs_client *c);

/* Reads properties `paths` (NULL-terminated) of one object into reply; *props receives the
 * <objects> element (NULL when the server returned nothing). */
enum nl_code vs_retrieve_object(struct vs_client *c, const char *type, const char *id,
                                const char *const *paths, struct vs_reply *reply, xmlNode **props,
                                struct nl_err *err);
/* The <val> of property `name` in an <objects> element, NULL when absent. */
xmlNode *vs_object_prop(const xmlNode *objects, const char *name);
/* Follows a Task until success or error (timeout_s, 0 = 600). A task error becomes NL_ERR_FAULT
 * with the fault type as detail; `what` names the action in messages. */
enum nl_code vs_task_wait(struct vs_client *c, const char *task_id, const char *what, int timeout_s,
                          struct nl_err *err);

/* Builds the UpdateVirtualSwitch spec from the host's current HostVirtualSwitch element: a copy
 * of its <spec> under `parent` with only policy/security changed to `want` (UNSET keeps the
 * current value). Network-free, so the unit tests check that bridge and uplinks survive. */
enum nl_code vs_vswitch_spec_build(xmlNode *parent, const xmlNode *hvs,
                                   const struct nl_security *want, struct nl_err *err);
/* Builds <portgrp> for UpdatePortGroup: name, vlanId, vswitchName, and the current policy (from
 * the host's HostPortGroup element, may be NULL) with its security replaced by `override`. */
void vs_portgroup_spec_build(xmlNode *parent, const char *name, int vlan, const char *vswitch,
                             const xmlNode *current_pg, const struct nl_security *override);

/* Internal: fills e with the SOAP functions bound to c (called by vs_client_new). */
void vs_exec_bind(struct ops_executor *e, struct vs_client *c);

#endif
