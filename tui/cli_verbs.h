/* The handlers of the verb table in main.c; each returns the process exit status. */
#ifndef NL_TUI_CLI_VERBS_H
#define NL_TUI_CLI_VERBS_H

#include "backend/core/config.h"
#include "backend/model/lab.h"
#include "backend/ops/endpoint.h"
#include "backend/ops/scope.h"
#include "tui/cli.h"

int cli_run_inventory(struct cli_opts *o);
int cli_run_security(struct cli_opts *o);
int cli_run_trunk(struct cli_opts *o);
int cli_run_nested_hv(struct cli_opts *o);
int cli_run_drift(struct cli_opts *o);
int cli_run_journal(struct cli_opts *o);
int cli_run_undo(struct cli_opts *o);
int cli_run_check(struct cli_opts *o);
int cli_run_monitor(struct cli_opts *o);
int cli_run_cost(struct cli_opts *o);
int cli_run_connect(struct cli_opts *o);
int cli_run_config(struct cli_opts *o);
int cli_run_console(struct cli_opts *o);

/* What every network verb starts from: the config, the connected endpoint and its lab. */
struct cli_session {
    struct nl_config cfg;
    struct nl_endpoint_cfg *ep_cfg; /* points into cfg */
    struct nl_endpoint *ep;
    struct nl_lab *lab;
};

/* Resolves the config, connects (falling back to SSH when vCenter is unreachable, said on
 * stderr), and reads the lab. On failure err is set and s is cleaned. */
enum nl_code cli_session_open(const struct cli_opts *o, struct cli_session *s, struct nl_err *err);
void cli_session_close(struct cli_session *s);

/* Builds a scope request from --cluster/--host/--all*, plus `vm_names` (may be NULL). */
void cli_scope_req(const struct cli_opts *o, const struct cli_list *vm_names,
                   struct ops_scope_req *req);

/* Prints a JSON value (jansson json_t *, stolen) on stdout, indented. */
void cli_print_json(void *json);

#endif
