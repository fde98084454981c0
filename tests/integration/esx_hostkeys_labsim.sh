#!/usr/bin/env bash
# Host keys against labsim: a host recorded with its ECDSA key is given a key of another type
# (POST /host/NAME/hostkey, like a reinstalled ESXi or an sshd now offering ed25519). nestlab --direct,
# even with --accept-new-host-keys, must refuse that host as CHANGED with both fingerprints, read the
# others, record nothing and change nothing there; the console's accept path (esx_trust_probe) and
# a bare session (esx_probe) refuse it too. A host with nothing recorded is still "not known yet".
set -u
. "${NL_SOURCE_DIR:?}/tests/lib/labsim.sh"
. "$NL_SOURCE_DIR/tests/lib/check.sh"

NL=$NL_BUILD_DIR/tui/nestlab
PROBE=$NL_BUILD_DIR/tests/integration/esx_probe
TRUST=$NL_BUILD_DIR/tests/integration/esx_trust_probe
[ -x "$NL" ] && [ -x "$PROBE" ] && [ -x "$TRUST" ] || nl_fail "nestlab / esx_probe / esx_trust_probe are not built"
P01=esx-p01.lab.invalid
P02=esx-p02.lab.invalid
labsim_start
KH=$LABSIM_KNOWN_HOSTS
PORT01=$(labsim_ssh_port $P01) PORT02=$(labsim_ssh_port $P02)
fp_line() { ssh-keygen -lf <(printf '%s\n' "$1") | awk '{print $2}'; }
rekey() { # rekey HOST TYPE: prints the new known_hosts line
    labsim_ctl POST "/host/$1/hostkey" "{\"type\":\"$2\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["known_hosts"])'
}
OLD01=$(fp_line "$(grep "^\[127.0.0.1\]:$PORT01 " "$KH")")
case "$OLD01" in SHA256:*) ;; *) nl_fail "no ECDSA key recorded for $P01 in $KH" ;; esac

expect_rc 0 "every host verifies with the keys labsim recorded" "$NL" -c "$LABSIM_CONFIG" --direct inventory
expect_not_in "CHANGED" "no host key complaint"

# --- esx-p01 now offers an ed25519 key ---------------------------------------------------------
LINE=$(rekey $P01 ed25519)
case "$LINE" in "[127.0.0.1]:$PORT01 ssh-ed25519 "*) ;; *) nl_fail "labsim did not rekey $P01: $LINE" ;; esac
NEW01=$(fp_line "$LINE")
cp "$KH" "$LABSIM_DIR/kh.orig"
labsim_state >"$LABSIM_DIR/state.before"
expect_rc 0 "--accept-new-host-keys: the changed host is refused, the others read" \
    "$NL" -c "$LABSIM_CONFIG" --direct --accept-new-host-keys inventory
expect_in "$P01: WARNING" "the refused host is named"
expect_in "CHANGED" "it is a changed key, not an unknown one"
expect_in "$NEW01" "the offered (ed25519) fingerprint is shown"
expect_in "$OLD01" "the recorded (ECDSA) fingerprint is shown"
expect_in "host $P02 [connected]" "the other hosts are read live"
ok "nothing was recorded" cmp -s "$KH" "$LABSIM_DIR/kh.orig"
expect_rc 4 "no change is made on the changed host, even with --accept-new-host-keys" \
    "$NL" -c "$LABSIM_CONFIG" --direct --accept-new-host-keys security --vswitch vSwitch0 \
    --promiscuous accept --forged-transmits accept --mac-changes accept --host $P01 --yes
ok "labsim: esx-p01's vSwitch0 is as it was" python3 -c "
import json,sys
b=json.load(open('$LABSIM_DIR/state.before')); a=json.loads(sys.stdin.read())
h=lambda d:[x for x in d['hosts'] if x['name']=='$P01'][0]['vswitches']
sys.exit(0 if h(a)==h(b) else 1)" <<<"$(labsim_state)"
ok "still nothing recorded" cmp -s "$KH" "$LABSIM_DIR/kh.orig"

expect_rc 18 "esx_probe --accept-new: CHANGED" \
    "$PROBE" --name $P01 --port "$PORT01" --known-hosts "$KH" --accept-new login
expect_in "NL_ERR_HOSTKEY changed" "reported as changed"
expect_rc 18 "the console's accept path refuses the ed25519 key" \
    "$TRUST" --name $P01 --port "$PORT01" --known-hosts "$KH" "$NEW01"
expect_in "NL_ERR_HOSTKEY changed" "reported as changed"
ok "and records nothing" cmp -s "$KH" "$LABSIM_DIR/kh.orig"

# --- and again as ECDSA P-384 (another ECDSA curve is another key type too) --------------------
LINE=$(rekey $P01 ecdsa-p384)
NEW01=$(fp_line "$LINE")
expect_rc 18 "ECDSA P-384 offered, P-256 recorded: CHANGED" \
    "$PROBE" --name $P01 --port "$PORT01" --known-hosts "$KH" --accept-new login
expect_in "$NEW01" "the P-384 fingerprint is shown"
expect_in "$OLD01" "with the recorded one"

# --- nothing recorded: still asked about, and then the new type verifies -----------------------
LINE=$(rekey $P02 rsa)
NEW02=$(fp_line "$LINE")
: >"$LABSIM_DIR/kh-empty"
expect_rc 18 "an unrecorded host is 'unknown'" "$PROBE" --name $P02 --port "$PORT02" --known-hosts "$LABSIM_DIR/kh-empty" login
expect_in "NL_ERR_HOSTKEY unknown" "reported as unknown"
expect_in "$NEW02" "with its (RSA) fingerprint"
expect_rc 0 "accepting it records it" "$TRUST" --name $P02 --port "$PORT02" --known-hosts "$LABSIM_DIR/kh-empty" "$NEW02"
ok "recorded as ssh-rsa" grep -q "^\[127.0.0.1\]:$PORT02 ssh-rsa " "$LABSIM_DIR/kh-empty"
expect_rc 0 "and the login verifies" "$PROBE" --name $P02 --port "$PORT02" --known-hosts "$LABSIM_DIR/kh-empty" login
labsim_ctl POST "/host/$P02/hostkey" '{"type":"dsa"}' >"$LABSIM_DIR/bad" 2>&1
ok "labsim refuses an unknown key type" grep -q "unknown host key type" "$LABSIM_DIR/bad"
check_done
