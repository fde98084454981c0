/* check --fix: every finding the engine can fix by itself (ops_fix_is_automatic) turned into ONE
 * plan — preview, confirm, apply, verify and journal once — for the CLI and the console alike. */
#ifndef NL_OPS_FIX_PLAN_H
#define NL_OPS_FIX_PLAN_H

#include <stdbool.h>

#include "backend/core/err.h"
#include "backend/model/lab.h"
#include "backend/ops/check.h"
#include "backend/ops/plan.h"

/* Fixes that ask for the same thing (the same vSwitch security, the same trunk port group, nested
 * HV on, power on) become one intent over all their hosts or VMs; the intents are planned on lab
 * and merged: network first (the nested hosts' uplinks), then nested HV, then power-ons. With
 * power_cycle a powered-on VM is powered off, changed and powered on again; without it such a
 * step is blocked and says why. *out is NULL when nothing is fixable. A fix that cannot be
 * planned is not fatal: its reason is appended to *notes (owned sentences; may be NULL). */
enum nl_code ops_fix_plan_new(const struct nl_lab *lab, const struct ops_report *rep,
                              bool power_cycle, struct ops_plan **out, char ***notes,
                              size_t *n_notes, struct nl_err *err);

#endif
