#!/bin/bash
# The real console when vCenter is slow or gone from the start: the cached lab is on screen at
# once (source "cache", state "connecting") while vCenter's login waits; --read-only refuses
# changes; started with vCenter stopped it works over SSH (both with the passwords typed at the
# prompt, none in the environment); an unknown SSH host key is asked about
# with its fingerprint (y records exactly that key and the host is then read over SSH), a changed
# one is refused loudly and never offered.
. "$(dirname "$0")/lib.sh"
: "${NL_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$NL_SOURCE_DIR/tests/lib/labsim.sh"
command -v python3 >/dev/null || tui_skip "python3 is needed to edit the config"

NESTLAB=${NL_BUILD_DIR:?}/tui/nestlab
[ -x "$NESTLAB" ] || tui_skip "nestlab is not built"
tui_init fallback
labsim_start
trap 'tui_cleanup; labsim_stop' EXIT

# Starts the console with no password in the environment and types them at its prompts, before
# curses starts: the console hands them to the endpoint itself (no environment workaround).
start_typing_passwords() { # COLS ROWS ARGS...
    (unset NESTLAB_PASSWORD NESTLAB_SSH_PASSWORD && tui_start "$@")
    tui_wait_for "Password for $LABSIM_USER at" 10
    tui_type "$LABSIM_PASSWORD"
    tui_send Enter
    tui_wait_for "SSH password for root on the ESXi hosts" 10
    tui_send Enter # the same as vCenter's
}

# One headless inventory writes the cache the console starts from.
nestlab inventory >"$TUI_TMP/inv.out" 2>&1 || { cat "$TUI_TMP/inv.out" >&2; tui_fail "inventory"; }

# ---- a slow vCenter: the first frame shows the cache, keys work, then vCenter takes over ------
labsim_ctl POST /latency '{"ms":3000}' >/dev/null || tui_fail "labsim /latency"
start_typing_passwords 120 40 "$NESTLAB" -c "$LABSIM_CONFIG" --read-only
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
start_typing_passwords 120 40 "$NESTLAB" -c "$LABSIM_CONFIG"
tui_wait_for "vCenter down, SSH" 30
tui_wait_line 'esx-p01\.lab\.invalid.* no-trunk ssh' 10
tui_wait_line 'esx-n01\.lab\.invalid <- n-esx01.* no-trunk ssh' 10
tui_quit 4

# ---- host keys: an unknown one is asked about, y records exactly it; a changed one is refused ---
python3 - "$LABSIM_CONFIG" "$TUI_TMP/config-newkeys.json" "$TUI_TMP/empty_known_hosts" <<'EOF'
import json, sys
cfg = json.load(open(sys.argv[1]))
for ep in cfg["endpoints"]:
    ep["ssh"]["known_hosts"] = sys.argv[3]
json.dump(cfg, open(sys.argv[2], "w"))
EOF
chmod 600 "$TUI_TMP/config-newkeys.json"
KH_FILE=$TUI_TMP/empty_known_hosts
P01=esx-p01.lab.invalid
P02=esx-p02.lab.invalid
PORT01=$(labsim_ssh_port $P01)
PORT02=$(labsim_ssh_port $P02)
key_of() { grep "^\[127.0.0.1\]:$1 " "$LABSIM_KNOWN_HOSTS" | cut -d' ' -f2-; }
fp_of() { ssh-keygen -lf <(echo "[127.0.0.1]:$1 $(key_of "$1")") | awk '{print $2}'; }
# esx-p02's entry carries esx-p01's key: to nestlab, p02's key has CHANGED.
echo "[127.0.0.1]:$PORT02 $(key_of "$PORT01")" >"$KH_FILE"
cp "$KH_FILE" "$TUI_TMP/kh.orig"
tmux -L "$TUI_SOCKET" kill-server 2>/dev/null
tui_start 160 40 "$NESTLAB" -c "$TUI_TMP/config-newkeys.json" --direct
tui_wait_for "presents an unknown SSH key SHA256:" 30
tui_wait_for "Trust it? [y/N]" 2
tui_wait_line 'esx-p01\.lab\.invalid.* no-trunk cached' 10
cmp -s "$KH_FILE" "$TUI_TMP/kh.orig" || tui_fail "a host key was recorded before anyone answered"
# The changed key is a loud refusal in the status bar, and never a question.
tui_wait_line "error: WARNING: the host key of \"$P02\".*CHANGED" 10
# Keys that are not answers (navigation) leave the question alone.
tui_send j k
tui_wait_for "Trust it? [y/N]" 2
# Answer: y for esx-p01 (after checking the fingerprint shown is its real one), n for the others.
trusted=""
for _ in $(seq 1 20); do
    line=$(tui_capture | grep -oE 'Host [^ ]+ presents an unknown SSH key SHA256:[A-Za-z0-9+/]+' | tail -n1)
    [ -n "$line" ] || break
    host=$(echo "$line" | awk '{print $2}')
    fp=$(echo "$line" | awk '{print $NF}')
    [ "$host" = "$P02" ] && tui_fail "the console offered to accept a CHANGED key"
    if [ "$host" = "$P01" ]; then
        [ "$fp" = "$(fp_of "$PORT01")" ] || tui_fail "fingerprint shown for $P01 is $fp, not its key's"
        tui_send y
        trusted=$host
    else
        tui_send n
    fi
    # The next question (or none) replaces this one.
    for _ in $(seq 1 50); do
        tui_capture | grep -qF "Host $host presents an unknown SSH key" || break
        sleep 0.1
    done
done
[ "$trusted" = "$P01" ] || tui_fail "no question about $P01 was asked"
tui_wait_gone "Trust it? [y/N]" 10
for _ in $(seq 1 100); do
    grep -q "^\[127.0.0.1\]:$PORT01 " "$KH_FILE" && break
    sleep 0.1
done
grep -q "^\[127.0.0.1\]:$PORT01 " "$KH_FILE" || tui_fail "the accepted key of $P01 was not recorded"
[ "$(ssh-keygen -lf <(grep "^\[127.0.0.1\]:$PORT01 " "$KH_FILE") | awk '{print $2}')" = "$(fp_of "$PORT01")" ] ||
    tui_fail "the recorded key of $P01 is not the one shown"
[ "$(wc -l <"$KH_FILE")" = 2 ] || tui_fail "more than the accepted key was recorded: $(cat "$KH_FILE")"
head -n1 "$KH_FILE" | cmp -s - "$TUI_TMP/kh.orig" || tui_fail "the changed key's entry was touched"
# Read again over SSH: p01 live, p02 (refused) still from the cache; no question comes back.
tui_wait_line 'esx-p01\.lab\.invalid.* no-trunk ssh' 30
tui_wait_line 'esx-p02\.lab\.invalid.* no-trunk cached' 5
tui_send r
sleep 2
tui_assert_absent "Trust it? [y/N]"
tui_quit 4
if grep -q "ERROR: AddressSanitizer\|runtime error" "$TUI_TMP/stderr" 2>/dev/null; then
    cat "$TUI_TMP/stderr" >&2
    tui_fail "sanitizer report on stderr"
fi
echo "PASS: console fallback"
