/* The direct (SSH) executor for the change engine (backend/ops/executor.h), transport "ssh".
 * Every change is one or more esxcli / vim-cmd / sed commands, each on its own exec channel with
 * its exit status checked, every argument quoted, always with long options (-v means
 * --vswitch-name for "portgroup add" but --vlan-id for "portgroup set"). Thread-safe across
 * hosts through the pool. */
#ifndef NL_ESXI_EXEC_H
#define NL_ESXI_EXEC_H

#include "backend/esxi/esx_pool.h"
#include "backend/ops/executor.h"

/* The executor borrows pool, which must outlive it. */
struct ops_executor *esx_executor_new(struct esx_pool *pool);
void esx_executor_free(struct ops_executor **ex);

/* The argv of "esxcli network vswitch standard policy security set" for want (only the set
 * fields); NULL-terminated, owned (free with esx_argv_free). NULL when want sets nothing. For
 * tests and previews. */
char **esx_argv_vswitch_security(const char *vswitch, const struct nl_security *want);
/* "portgroup policy security set --portgroup-name=P" with the set fields of override, or with
 * --use-vswitch when use_vswitch. */
char **esx_argv_portgroup_security(const char *pg, const struct nl_security *override,
                                   bool use_vswitch);
void esx_argv_free(char ***argv);

#endif
