#!/bin/bash
# Incremental filter across collapsed nodes, and the help screen generated from the key table.
. "$(dirname "$0")/lib.sh"
tui_init filter
UI=${NL_BUILD_DIR:?}/tests/tui/ui_fake

tui_start 120 40 "$UI"
tui_wait_for "esx-p01.lab.invalid"
tui_send /
tui_wait_for "/_"
tui_type "web0"                      # VMs inside collapsed hosts
tui_wait_for "web02"
tui_assert_present "web01"
tui_assert_present "filter: web0"
tui_assert_absent "Physical"
tui_assert_absent "db01"
tui_send BSpace BSpace BSpace BSpace
tui_type "数据"                      # UTF-8 in the filter
tui_wait_for "db-数据库-01"
tui_send Enter
tui_wait_for "1 match for"
tui_send Escape                      # clears the filter, keeps the selection
tui_wait_gone "filter:"
tui_assert_present "Physical"
tui_assert_present "db-数据库-01"
tui_send /
tui_type "no-such-vm"
tui_wait_for "No match for the filter"
tui_send Escape
tui_wait_gone "No match"

tui_send '?'
tui_wait_for "nestlab keys"
tui_assert_present "Everywhere"
tui_assert_present "Filter the tree as you type"
tui_assert_present "Nested HV on/off for the selected VMs"
tui_send PageDown
tui_wait_for "Apply the previewed plan"
tui_send Escape
tui_wait_for "| Lab tree"
tui_quit
echo "filter_help: ok"
