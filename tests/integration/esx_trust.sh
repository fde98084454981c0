#!/usr/bin/env bash
# esx_knownhost_accept against labsim's SSH hosts, through esx_trust_probe: an unknown key with
# the right fingerprint is recorded exactly once and then verifies a login; a key the host no
# longer presents, a changed key (nestlab's file or the user's), a malformed fingerprint and a
# host that is down all leave known_hosts untouched.
set -u
. "${NL_SOURCE_DIR:?}/tests/lib/labsim.sh"
. "$NL_SOURCE_DIR/tests/lib/check.sh"

TRUST=$NL_BUILD_DIR/tests/integration/esx_trust_probe
PROBE=$NL_BUILD_DIR/tests/integration/esx_probe
[ -x "$TRUST" ] || nl_fail "esx_trust_probe is not built ($TRUST)"
labsim_start
KH=$LABSIM_KNOWN_HOSTS
P01=esx-p01.lab.invalid
P02=esx-p02.lab.invalid
PORT01=$(labsim_ssh_port $P01)
PORT02=$(labsim_ssh_port $P02)
D=$LABSIM_DIR
fp_of() { ssh-keygen -lf <(grep "^\[127.0.0.1\]:$1 " "$KH") | awk '{print $2}'; }
FP01=$(fp_of "$PORT01")
FP02=$(fp_of "$PORT02")
case "$FP01" in SHA256:*) ;; *) nl_fail "no fingerprint for $P01 in $KH" ;; esac
[ "$FP01" != "$FP02" ] || nl_fail "labsim gave both hosts the same key"
trust() { "$TRUST" --name "$P01" --port "$PORT01" "$@"; }

# --- the user accepted what the host presents --------------------------------------------
KHN=$D/kh-new
expect_rc 0 "the key with the expected fingerprint is accepted" trust --known-hosts "$KHN" "$FP01"
expect_in "ok" "the driver reports ok"
ok "exactly one line was recorded" test "$(wc -l <"$KHN")" = 1
ok "recorded as [127.0.0.1]:port (the spelling sessions look up)" \
    grep -q "^\[127.0.0.1\]:$PORT01 ecdsa-sha2-nistp256 " "$KHN"
ok "the recorded key has the accepted fingerprint" \
    test "$(ssh-keygen -lf "$KHN" | awk '{print $2}')" = "$FP01"
ok "the file is private (0600)" test "$(stat -c %a "$KHN")" = 600
if [ -x "$PROBE" ]; then
    expect_rc 0 "a login now verifies against the recorded key" \
        "$PROBE" --name "$P01" --port "$PORT01" --known-hosts "$KHN" login
fi
cp "$KHN" "$KHN.before"
expect_rc 0 "accepting again succeeds" trust --known-hosts "$KHN" "$FP01"
ok "accepting again writes nothing (no duplicate line)" cmp -s "$KHN" "$KHN.before"

# A file without a final newline still gets a line of its own.
printf '# hand-edited, no newline' >"$D/kh-nonl"
expect_rc 0 "accepted into a file lacking its final newline" trust --known-hosts "$D/kh-nonl" "$FP01"
ok "the comment line stays intact and the key is on its own line" \
    bash -c "head -n1 '$D/kh-nonl' | grep -qx '# hand-edited, no newline' && sed -n 2p '$D/kh-nonl' | grep -q '^\[127.0.0.1\]:$PORT01 '"

# --- the host now presents another key than the one shown --------------------------------
: >"$D/kh-mismatch"
expect_rc 18 "a different key than the accepted fingerprint is refused (NL_ERR_HOSTKEY)" \
    trust --known-hosts "$D/kh-mismatch" "$FP02"
expect_in "ERROR NL_ERR_HOSTKEY mismatch" "the refusal is the 'mismatch' kind"
expect_in "$FP01" "the message names the key the host presents now"
expect_in "nothing was recorded" "the message says nothing was recorded"
ok "nothing was written" test ! -s "$D/kh-mismatch"

# --- a changed key is never replaced -------------------------------------------------------
key02=$(grep "^\[127.0.0.1\]:$PORT02 " "$KH" | cut -d' ' -f2-)
echo "[127.0.0.1]:$PORT01 $key02" >"$D/kh-changed"
cp "$D/kh-changed" "$D/kh-changed.orig"
expect_rc 18 "a host with another key on record is refused" trust --known-hosts "$D/kh-changed" "$FP01"
expect_in "ERROR NL_ERR_HOSTKEY changed" "the refusal is the 'changed' kind"
expect_in "WARNING" "the refusal is loud"
ok "the recorded key is left alone" cmp -s "$D/kh-changed" "$D/kh-changed.orig"

mkdir -p "$HOME/.ssh"
cp "$D/kh-changed" "$HOME/.ssh/known_hosts"
: >"$D/kh-user"
expect_rc 18 "another key in ~/.ssh/known_hosts refuses too (user file honoured)" \
    trust --known-hosts "$D/kh-user" --user-known-hosts "$FP01"
expect_in "changed" "reported as changed"
ok "nothing was written to nestlab's file" test ! -s "$D/kh-user"
expect_rc 0 "without the user file the same host is accepted" trust --known-hosts "$D/kh-user" "$FP01"
rm -f "$HOME/.ssh/known_hosts"

# --- bad input and a host that is not there -------------------------------------------------
: >"$D/kh-bad"
for bad in "" "MD5:aa:bb" "SHA256:short" "SHA256:${FP01#SHA256:}x" "SHA256:\$(touch $D/pwned);${FP01:8:35}"; do
    expect_rc 11 "malformed fingerprint '$bad' is a usage error" trust --known-hosts "$D/kh-bad" "$bad"
done
ok "no malformed fingerprint wrote anything" test ! -s "$D/kh-bad"
ok "nothing in a fingerprint was ever run" test ! -e "$D/pwned"

freeport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
expect_rc 15 "a host that refuses the connection is a connect error" \
    "$TRUST" --name 'odd "host" $(x);' --port "$freeport" --known-hosts "$D/kh-bad" "$FP01"
expect_in 'odd "host" $(x);' "the message quotes the hostile name as given"
ok "still nothing written" test ! -s "$D/kh-bad"

labsim_ctl POST "/host/$P02/down" >/dev/null
sleep 0.5 # labsim closes the listener on its next poll of the host's state (100 ms)
expect_rc 15 "a host that is down is a connect error" \
    "$TRUST" --name "$P02" --port "$PORT02" --timeout 3000 --known-hosts "$D/kh-bad" "$FP02"
labsim_ctl POST "/host/$P02/up" >/dev/null
check_done
