#!/bin/bash
# Names that reach a terminal, in the console (issue 13): a VM whose name carries OSC 52
# (clipboard write), BEL, CR, CSI as the C1 control U+009B and U+202E, read over SSH where
# nothing filters them, and a cluster name with C1 and U+202E read from vCenter. The screen must
# show them as visible escapes, and none of them may take effect: no tmux paste buffer from
# OSC 52 (set-clipboard on), no U+202E or C1 on the screen, the rest of the screen intact.
. "$(dirname "$0")/lib.sh"
: "${NL_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$NL_SOURCE_DIR/tests/lib/labsim.sh"

NESTLAB=${NL_BUILD_DIR:?}/tui/nestlab
[ -x "$NESTLAB" ] || tui_skip "nestlab is not built"
tui_init hostile
trap 'tui_cleanup; labsim_stop' EXIT # labsim_start replaces the trap; keep both
labsim_start --lab "$NL_SOURCE_DIR/tests/labsim/labs/hostile.json"
trap 'tui_cleanup; labsim_stop' EXIT

# The screen holds no C1 control and no bidi control (tmux keeps what the program wrote).
screen_clean() {
    tui_capture | python3 -c '
import sys
s = sys.stdin.buffer.read().decode("utf-8", "replace")
bad = [c for c in s if 0x80 <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 or ord(c) in (0x200E, 0x200F, 0x061C)]
sys.exit(1 if bad else 0)' || tui_fail "a C1 or bidi control reached the screen ($1)"
}
no_clipboard() {
    if tmux -L "$TUI_SOCKET" list-buffers 2>/dev/null | grep -q .; then
        tui_fail "OSC 52 in a name wrote the clipboard: $(tmux -L "$TUI_SOCKET" list-buffers)"
    fi
}

# ---- through vCenter: C1 CSI and U+202E in a cluster name -------------------------------
tui_start 160 40 "$NESTLAB" -c "$LABSIM_CONFIG"
tmux -L "$TUI_SOCKET" set-option -s set-clipboard on
tui_wait_for "esx-p01.lab.invalid" 20
tui_wait_for 'Phys' 20
tui_assert_present '\u009B31m\u202Eical'
screen_clean "vCenter"
tui_quit 20
tmux -L "$TUI_SOCKET" kill-session -t tui

# ---- over SSH: OSC 52, BEL, CR, C1 and U+202E in a VM name --------------------------------
tui_start 160 40 "$NESTLAB" -c "$LABSIM_CONFIG" --direct
tmux -L "$TUI_SOCKET" set-option -s set-clipboard on
tui_wait_for "esx-p01.lab.invalid" 30
tui_send /
tui_type "gpj"
tui_wait_for "filter: gpj"
tui_wait_for 'kvm\x1B]52;c;cHduZWQ=\x07\x0D\u009B2J\u202Egpj.exe' 20
tui_send Enter Escape
tui_wait_for 'VM kvm\x1B]52;c;cHduZWQ=\x07' 10
tui_assert_present "nestlab |" # the header is still there: nothing cleared or moved it
screen_clean "SSH"
no_clipboard
tui_quit 20
no_clipboard
echo "ok - hostile names are shown escaped in the console and take no effect"
