/* The change verbs' shared pipeline, used by the headless CLI and by the console's ':' line:
 * options -> intent + scope -> plan -> preview -> confirm -> apply -> verify -> journal. */
#ifndef NL_TUI_CLI_CHANGE_H
#define NL_TUI_CLI_CHANGE_H

#include "backend/model/lab.h"
#include "backend/ops/plan.h"
#include "tui/cli.h"

/* Builds the plan that the change verb in o (security, trunk, nested-hv, undo) asks for on lab.
 * journal_path is needed for undo only. */
enum nl_code cli_change_plan(const struct cli_opts *o, const struct nl_lab *lab,
                             const char *journal_path, struct ops_plan **out, struct nl_err *err);

/* True for the verbs cli_change_plan understands. */
bool cli_is_change_verb(const char *verb);

#endif
