/* The human inventory tree printed by `nestlab inventory`. */
#ifndef NL_MODEL_LAB_TEXT_H
#define NL_MODEL_LAB_TEXT_H

#include "backend/core/buf.h"
#include "backend/core/err.h"
#include "backend/model/lab.h"

/* Appends the tree of one linked lab:
 *   vc-lab (vcenter, fetched 2024-05-01 12:00:00 UTC)
 *     datacenter Lab
 *       cluster Physical [physical]
 *         host esx-p01.lab.invalid [connected] vSwitch0 promiscuous:reject forged:accept mac:accept
 *           vm n-esx01 [on] vmx-10 nested-esxi nested-hv backs esx-n01.lab.invalid
 *       cluster Nested-A [nested]
 *         host esx-n01.lab.invalid ⇐ n-esx01 [connected] ...
 *           vm web01 [on] vmx-13 guest
 * Physical, mixed and empty clusters come first, then nested clusters, then standalone hosts;
 * VMs whose host is unknown are listed last. Every object appears once. */
enum nl_code nl_lab_to_text(const struct nl_lab *lab, struct nl_buf *out, struct nl_err *err);

#endif
