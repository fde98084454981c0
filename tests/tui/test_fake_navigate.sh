#!/bin/bash
# The console on the fake backend: open, walk down to a nested cluster, expand a nested host, jump
# to the VM that backs it, open its details, come back, quit.
. "$(dirname "$0")/lib.sh"
tui_init navigate
UI=${NL_BUILD_DIR:?}/tests/tui/ui_fake
[ -x "$UI" ] || tui_fail "$UI is not built"

tui_start 120 40 "$UI"
tui_wait_for "esx-p01.lab.invalid"
tui_assert_present "nestlab | vc-lab | Lab tree"
tui_assert_present "connected (vcenter)"
tui_assert_present "esx-n01.lab.invalid <- n-esx01"
tui_assert_present "(5 VMs)"          # collapsed hosts show counts

tui_send Down Down Down Down Down     # vc-lab, Lab, Physical, p01, p02 -> Nested-A
tui_wait_for "Cluster Nested-A"       # the detail pane follows the selection
tui_assert_present "Kind        nested"
tui_send j l                          # esx-n01, expand
tui_wait_for "contrail-ctl"
tui_assert_present "Backed by   VM n-esx01 (BIOS UUID match)"
tui_send b                            # jump to the VM that runs esx-n01
tui_wait_for "VM n-esx01"
tui_assert_present "Runs host   esx-n01.lab.invalid"
tui_send Enter                        # a VM opens its full-screen details
tui_wait_for "| Details"
tui_assert_present "Nested HV   on"
tui_send Escape
tui_wait_for "| Lab tree"
tui_send b                            # and back to the nested host
tui_wait_for "Host esx-n01.lab.invalid"
# The network grid of the selected host's cluster, then back to the host with Enter.
tui_send g
tui_wait_for "Network grid: cluster Nested-A  (0 rows drift"
tui_wait_line 'esx-n02\.lab\.invalid +vSwitch0 +reject +accept +accept +no +1500'
tui_send j Enter
tui_wait_for "Host esx-n02.lab.invalid"
# Hostile and UTF-8 names: shown, never interpreted.
tui_send Home
tui_type "/web"
tui_wait_for 'web "01" <&> $(reboot); \x1B[2J'
tui_send Escape
tui_quit
echo "navigate: ok"
