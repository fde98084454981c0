#!/bin/bash
# The real console (nestlab with no verb) against the lab simulator, under tmux: the default lab,
# navigation, filter, help, nested HV and promiscuous changes through the plan view (checked in
# labsim's state), a change made by another process showing up live (WaitForUpdatesEx), keys
# staying live while vCenter is slow, resize, the SSH fallback and its reconciliation when
# vCenter returns, and a quick quit while a slow vCenter call runs.
. "$(dirname "$0")/lib.sh"
: "${NL_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$NL_SOURCE_DIR/tests/lib/labsim.sh"
command -v python3 >/dev/null || tui_skip "python3 is needed to read labsim's state"

NESTLAB=${NL_BUILD_DIR:?}/tui/nestlab
[ -x "$NESTLAB" ] || tui_skip "nestlab is not built"
tui_init console
trap 'tui_cleanup; labsim_stop' EXIT # labsim_start replaces the trap; keep both
labsim_start
trap 'tui_cleanup; labsim_stop' EXIT

# state_py EXPR: evaluates a Python expression over labsim's /state as `d`.
state_py() {
    labsim_state | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}
vm_field() { state_py "[v['$2'] for v in d['vms'] if v['name']=='$1'][0]"; }
host_promisc() {
    state_py "[[s['security']['promiscuous'] for s in h['vswitches'] if s['name']=='vSwitch0'][0] for h in d['hosts'] if h['name']=='$1'][0]"
}
expect_eq() { # expect_eq WHAT GOT WANT
    [ "$2" = "$3" ] || tui_fail "$1: labsim says '$2', expected '$3'"
}

tui_start 120 40 "$NESTLAB" -c "$LABSIM_CONFIG"

# ---- the default lab, connected to vCenter -------------------------------------------------
tui_wait_for "esx-p01.lab.invalid" 20
tui_wait_for "connected (vcenter)" 20
tui_assert_present "esx-n01.lab.invalid <- n-esx01"
tui_assert_present "Nested-B"

# ---- navigate to the nested cluster Nested-A -------------------------------------------------
tui_send Home
for _ in 1 2 3 4 5; do tui_send j; done
tui_wait_for "Cluster Nested-A"

# ---- filter ----------------------------------------------------------------------------------
tui_send /
tui_type "kvm04"
tui_wait_for "filter: kvm04"
tui_wait_line '^ +kvm04 '
tui_assert_absent "esx-n01.lab.invalid"
tui_send Enter Escape
tui_wait_for "VM kvm04"

# ---- help ------------------------------------------------------------------------------------
tui_send '?'
tui_wait_for "nestlab keys"
tui_assert_present "Everywhere"
tui_send Escape
tui_wait_gone "nestlab keys"

# ---- nested HV on kvm04 (powered off) through the plan view ----------------------------------
expect_eq "kvm04 nested HV before" "$(vm_field kvm04 nested_hv)" "False"
tui_send n
tui_wait_for "Preview: 1 change"
tui_assert_present "nested HV off -> on"
tui_send y
tui_wait_for "Done: 1 changed" 20
tui_assert_present "[verified]"
tui_send Escape
tui_wait_line 'kvm04 +off HV vmx-13'
expect_eq "kvm04 nested HV after" "$(vm_field kvm04 nested_hv)" "True"

# ---- promiscuous accept on every physical host with p on cluster Physical --------------------
tui_send Escape # clear the filter
tui_wait_gone "filter:"
tui_send Home j j
tui_wait_for "Cluster Physical"
tui_send p
tui_wait_for "Preview: 2 changes"
tui_send y
tui_wait_for "Done: 2 changed" 20
tui_send Escape
tui_wait_line 'esx-p01\.lab\.invalid.* promisc no-trunk vc'
tui_wait_line 'esx-p02\.lab\.invalid.* promisc no-trunk vc'
tui_wait_line 'esx-n01\.lab\.invalid <- n-esx01.* no-promisc'
expect_eq "esx-p01 promiscuous" "$(host_promisc esx-p01.lab.invalid)" "True"
expect_eq "esx-p02 promiscuous" "$(host_promisc esx-p02.lab.invalid)" "True"

# ---- a change by another process shows up live, without r ------------------------------------
nestlab security --vswitch vSwitch0 --promiscuous reject --cluster Physical --yes \
    >"$TUI_TMP/other.out" 2>&1 || { cat "$TUI_TMP/other.out" >&2; tui_fail "the second nestlab failed"; }
tui_wait_line 'esx-p01\.lab\.invalid.* no-promisc no-trunk vc' 10
tui_wait_line 'esx-p02\.lab\.invalid.* no-promisc no-trunk vc' 10

# ---- the ':' command line takes the CLI's verbs ----------------------------------------------
tui_type ":security --vswitch vSwitch0 --promiscuous accept --cluster 'Physical'"
tui_send Enter
tui_wait_for "Preview: 2 changes"
tui_send Escape
tui_wait_for "Plan dropped; nothing was changed."
tui_type ":frobnicate"
tui_send Enter
tui_wait_for 'Unknown command "frobnicate"'
tui_type ":security --vswitch 'vSwitch0"
tui_send Enter
tui_wait_for "unterminated single quote"
expect_eq "esx-p01 promiscuous untouched" "$(host_promisc esx-p01.lab.invalid)" "False"

# ---- slow vCenter: keys answer while a refresh waits ----------------------------------------
labsim_ctl POST /latency '{"ms":2000}' >/dev/null || tui_fail "labsim /latency"
tui_send r
tui_wait_line 'jobs [1-9]' 2
tui_send '?'
tui_wait_for "nestlab keys" 1
tui_send Escape
tui_wait_gone "nestlab keys" 1
tui_wait_line 'jobs 0' 30
labsim_ctl POST /latency '{"ms":0}' >/dev/null || tui_fail "labsim /latency"

# ---- resize ----------------------------------------------------------------------------------
tui_resize 80 24
tui_wait_line '^ vc-lab \| connected'
tui_wait_for "esx-p01.lab.inv"
tui_resize 120 40
tui_wait_for "esx-p01.lab.invalid"

# ---- vCenter down: r falls back to SSH, the hosts stay listed ---------------------------------
labsim_ctl POST /vcenter/stop >/dev/null || tui_fail "labsim /vcenter/stop"
tui_send r
tui_wait_for "vCenter down, SSH" 30
tui_wait_line 'esx-p01\.lab\.invalid.* ssh'
tui_wait_line 'esx-p02\.lab\.invalid.* ssh'
tui_assert_present "Nested-A"

# A change over SSH while vCenter is away.
tui_send Home j j
tui_wait_for "Cluster Physical"
tui_send p
tui_wait_for "Applied through SSH"
tui_wait_for "Preview: 2 changes"
tui_send y
tui_wait_for "Done: 2 changed" 30
tui_send Escape
tui_wait_line 'esx-p01\.lab\.invalid.* promisc no-trunk ssh' 20
expect_eq "esx-p01 promiscuous over SSH" "$(host_promisc esx-p01.lab.invalid)" "True"

# vCenter back: r reconnects, reloads, and reports the SSH change as vCenter sees it.
labsim_ctl POST /vcenter/start >/dev/null || tui_fail "labsim /vcenter/start"
tui_send r
tui_wait_for "connected (vcenter)" 30
tui_wait_for "Made over SSH while vCenter was away" 10
tui_wait_line 'esx-p01\.lab\.invalid.* promisc no-trunk vc'
tui_send J
tui_wait_line "\\[vCenter: all 2 as applied\\] security on vSwitch .vSwitch0.: promiscuous accept" 10
tui_send Escape

# ---- quit while a slow vCenter call runs: the console is gone within ~2 s --------------------
labsim_ctl POST /latency '{"ms":8000}' >/dev/null || tui_fail "labsim /latency"
tui_send r
tui_wait_line 'jobs [1-9]' 2
start=$(date +%s%N)
tui_send q
tui_wait_exit 4
elapsed=$((($(date +%s%N) - start) / 1000000))
[ "$elapsed" -le 3000 ] || tui_fail "quit took ${elapsed} ms with a slow vCenter call running"
if grep -q "ERROR: AddressSanitizer\|runtime error" "$TUI_TMP/stderr" 2>/dev/null; then
    cat "$TUI_TMP/stderr" >&2
    tui_fail "sanitizer report on stderr"
fi
echo "PASS: console against labsim (quit in ${elapsed} ms)"
