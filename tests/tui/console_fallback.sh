#!/bin/bash
# The real console when vCenter is slow or gone from the start: the cached lab is on screen at
# once (source "cache", state "connecting") while vCenter's login waits; --read-only refuses
# changes; started with vCenter stopped it works over SSH; an unknown SSH host key is reported
# with its fingerprint, never accepted silently.
. "$(dirname "$0")/lib.sh"
: "${NL_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$NL_SOURCE_DIR/tests/lib/labsim.sh"
command -v python3 >/dev/null || tui_skip "python3 is needed to edit the config"

NESTLAB=${NL_BUILD_DIR:?}/tui/nestlab
[ -x "$NESTLAB" ] || tui_skip "nestlab is not built"
tui_init fallback
labsim_start
trap 'tui_cleanup; labsim_stop' EXIT

# One headless inventory writes the cache the console starts from.
nestlab inventory >"$TUI_TMP/inv.out" 2>&1 || { cat "$TUI_TMP/inv.out" >&2; tui_fail "inventory"; }

# ---- a slow vCenter: the first frame shows the cache, keys work, then vCenter takes over ------
labsim_ctl POST /latency '{"ms":3000}' >/dev/null || tui_fail "labsim /latency"
tui_start 120 40 "$NESTLAB" -c "$LABSIM_CONFIG" --read-only
tui_wait_for "esx-p01.lab.invalid" 2
tui_wait_for "connecting" 2
tui_wait_line 'esx-p01\.lab\.invalid.* no-trunk cached' 2
tui_send '?'
tui_wait_for "nestlab keys" 1
tui_send Escape
labsim_ctl POST /latency '{"ms":0}' >/dev/null || tui_fail "labsim /latency"
tui_wait_for "connected (vcenter)" 30
tui_wait_line 'esx-p01\.lab\.invalid.* no-trunk vc' 10
# --read-only: a change key is refused, the ':' line too.
tui_send Home j j
tui_wait_for "Cluster Physical"
tui_send p
tui_wait_line '[Rr]ead-only' 3
tui_type ":security --vswitch vSwitch0 --promiscuous accept --cluster Physical"
tui_send Enter
tui_wait_line '[Rr]ead-only' 3
tui_assert_absent "Preview:"
tui_quit 4

# ---- vCenter stopped from the start: SSH with the cached host list ----------------------------
labsim_ctl POST /vcenter/stop >/dev/null || tui_fail "labsim /vcenter/stop"
tmux -L "$TUI_SOCKET" kill-server 2>/dev/null
tui_start 120 40 "$NESTLAB" -c "$LABSIM_CONFIG"
tui_wait_for "vCenter down, SSH" 30
tui_wait_line 'esx-p01\.lab\.invalid.* no-trunk ssh' 10
tui_wait_line 'esx-n01\.lab\.invalid <- n-esx01.* no-trunk ssh' 10
tui_quit 4

# ---- unknown host keys: reported with the fingerprint ----------------------------------------
python3 - "$LABSIM_CONFIG" "$TUI_TMP/config-newkeys.json" "$TUI_TMP/empty_known_hosts" <<'EOF'
import json, sys
cfg = json.load(open(sys.argv[1]))
for ep in cfg["endpoints"]:
    ep["ssh"]["known_hosts"] = sys.argv[3]
json.dump(cfg, open(sys.argv[2], "w"))
EOF
chmod 600 "$TUI_TMP/config-newkeys.json"
: >"$TUI_TMP/empty_known_hosts"
tmux -L "$TUI_SOCKET" kill-server 2>/dev/null
tui_start 160 40 "$NESTLAB" -c "$TUI_TMP/config-newkeys.json" --direct
tui_wait_for "is not known yet; its fingerprint is SHA256:" 30
tui_wait_line 'esx-p01\.lab\.invalid.* no-trunk cached' 10
[ -s "$TUI_TMP/empty_known_hosts" ] && tui_fail "a host key was accepted without being asked for"
tui_quit 4
if grep -q "ERROR: AddressSanitizer\|runtime error" "$TUI_TMP/stderr" 2>/dev/null; then
    cat "$TUI_TMP/stderr" >&2
    tui_fail "sanitizer report on stderr"
fi
echo "PASS: console fallback"
