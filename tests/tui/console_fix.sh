#!/bin/bash
# The readiness view of the console against labsim (issue 9): R lists the default lab's findings,
# F turns every fixable one into one plan, y applies it, and labsim's state shows the fixes.
. "$(dirname "$0")/lib.sh"
: "${NL_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$NL_SOURCE_DIR/tests/lib/labsim.sh"
command -v python3 >/dev/null || tui_skip "python3 is needed to read labsim's state"

NESTLAB=${NL_BUILD_DIR:?}/tui/nestlab
[ -x "$NESTLAB" ] || tui_skip "nestlab is not built"
tui_init fix
trap 'tui_cleanup; labsim_stop' EXIT
labsim_start
trap 'tui_cleanup; labsim_stop' EXIT
state_py() { labsim_state | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

tui_start 120 40 "$NESTLAB" -c "$LABSIM_CONFIG"
tui_wait_for "connected (vcenter)" 20

tui_send R
tui_wait_for "8 errors, 2 warnings" 20
tui_assert_present "kvm04"
tui_send F
tui_wait_for "VM 'kvm04': nested HV off -> on" 20
tui_assert_present "add port group 'Nested-Trunk'"
tui_assert_absent "VM 'n-esx04': nested HV"
tui_send y
tui_wait_for "5 changed" 30

[ "$(state_py "[v['nested_hv'] for v in d['vms'] if v['name']=='kvm04'][0]")" = True ] ||
    tui_fail "labsim: kvm04 has no nested HV after F"
[ "$(state_py "all(any(p['vlan']==4095 for p in h['portgroups']) for h in d['hosts'] if h['name'].startswith('esx-p'))")" = True ] ||
    tui_fail "labsim: the physical hosts have no trunk port group after F"
tui_quit
echo "PASS: readiness fix from the console"
