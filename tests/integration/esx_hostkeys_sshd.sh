#!/usr/bin/env bash
# Host key verification against a real OpenSSH sshd (Debian's openssh-server) on 127.0.0.1:
# the host is recorded with one key type (as OpenSSH records it: ssh-keyscan, plain, hashed, in
# nestlab's file or ~/.ssh/known_hosts) and restarted offering another type. nestlab must call that
# CHANGED — refused with and without --accept-new, both fingerprints named, nothing recorded — and
# never "not known yet". A host offering several keys, one of them recorded, still verifies.
set -u
. "${NL_SOURCE_DIR:?}/tests/lib/labsim.sh"
. "$NL_SOURCE_DIR/tests/lib/check.sh"

PROBE=$NL_BUILD_DIR/tests/integration/esx_probe
TRUST=$NL_BUILD_DIR/tests/integration/esx_trust_probe
SSHD=/usr/sbin/sshd
[ -x "$PROBE" ] && [ -x "$TRUST" ] || nl_fail "esx_probe / esx_trust_probe are not built"
[ -x "$SSHD" ] || nl_skip "no OpenSSH server ($SSHD; Debian package openssh-server)"
command -v ssh-keyscan >/dev/null || nl_skip "no ssh-keyscan (openssh-client)"

D=$(mktemp -d /tmp/nl-sshd.XXXXXX)
SSHD_PID=
stop_sshd() {
    if [ -n "$SSHD_PID" ]; then
        kill "$SSHD_PID" 2>/dev/null
        wait "$SSHD_PID" 2>/dev/null
        SSHD_PID=
    fi
}
trap 'stop_sshd; rm -rf "$D"' EXIT
export HOME=$D/home NESTLAB_SSH_PASSWORD=not-a-real-password
mkdir -p "$HOME/.ssh"

# sshd refuses to run as root without its privilege-separation directory; as root, run it as
# nobody instead (the same unprivileged sshd a normal user gets). Its files must be that user's.
RUN_AS=()
if [ "$(id -u)" = 0 ]; then
    command -v setpriv >/dev/null || nl_skip "running as root without setpriv to drop to nobody"
    RUN_AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
chmod 755 "$D"
for t in ecdsa ed25519; do
    ssh-keygen -q -t "$t" -N '' -C "nestlab-test-$t" -f "$D/host_$t"
done
[ ${#RUN_AS[@]} -gt 0 ] && chown 65534:65534 "$D"/host_*
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# start_sshd KEYTYPE...: sshd offering exactly those host keys.
start_sshd() {
    stop_sshd
    {
        echo "ListenAddress 127.0.0.1:$PORT"
        for t in "$@"; do echo "HostKey $D/host_$t"; done
        echo "PidFile none"
        echo "UsePAM no"
        echo "StrictModes no"
        echo "PasswordAuthentication no"
        echo "KbdInteractiveAuthentication no"
        echo "AuthorizedKeysFile none"
        echo "LogLevel ERROR"
    } >"$D/sshd_config"
    chmod 644 "$D/sshd_config"
    "${RUN_AS[@]}" "$SSHD" -D -e -f "$D/sshd_config" 2>>"$D/sshd.log" &
    SSHD_PID=$!
    local i
    for i in $(seq 1 100); do
        ssh-keyscan -p "$PORT" 127.0.0.1 >/dev/null 2>&1 && return 0
        kill -0 "$SSHD_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$D/sshd.log" >&2
    nl_fail "sshd did not start on port $PORT"
}
fp() { ssh-keygen -lf "$D/host_$1.pub" | awk '{print $2}'; }
FP_ECDSA=$(fp ecdsa)
FP_ED=$(fp ed25519)
probe() { "$PROBE" --name esx-real.lab.invalid --address 127.0.0.1 --port "$PORT" --connect-timeout 5000 "$@"; }
trust() { "$TRUST" --name esx-real.lab.invalid --address 127.0.0.1 --port "$PORT" "$@"; }

# --- the host is recorded as OpenSSH records it, with its ECDSA key --------------------------
start_sshd ecdsa
ssh-keyscan -p "$PORT" -t ecdsa 127.0.0.1 2>/dev/null >"$D/kh"
ok "ssh-keyscan recorded [127.0.0.1]:$PORT ecdsa-sha2-nistp256" grep -q "^\[127.0.0.1\]:$PORT ecdsa-sha2-nistp256 " "$D/kh"
expect_rc 17 "the recorded key verifies; the login itself is what fails (NL_ERR_AUTH)" \
    probe --known-hosts "$D/kh" login
expect_not_in "NL_ERR_HOSTKEY" "no host key complaint for the recorded key"

# --- the same host now offers only ed25519 ------------------------------------------------------
start_sshd ed25519
cp "$D/kh" "$D/kh.orig"
expect_rc 18 "ECDSA on record, ed25519 offered: refused (NL_ERR_HOSTKEY)" probe --known-hosts "$D/kh" login
expect_in "NL_ERR_HOSTKEY changed" "it is CHANGED, not 'not known yet'"
expect_in "$FP_ED" "the message names the offered key's fingerprint"
expect_in "$FP_ECDSA" "the message names the recorded key's fingerprint"
expect_rc 18 "with --accept-new too: refused" probe --known-hosts "$D/kh" --accept-new login
expect_in "NL_ERR_HOSTKEY changed" "still CHANGED with --accept-new"
expect_not_in "NL_ERR_AUTH" "no login was attempted (no password sent)"
ok "nothing was recorded" cmp -s "$D/kh" "$D/kh.orig"
expect_rc 18 "the console's accept path (esx_knownhost_accept) refuses it too" \
    trust --known-hosts "$D/kh" "$FP_ED"
expect_in "NL_ERR_HOSTKEY changed" "accepting a key of another type for a recorded host is 'changed'"
expect_in "$FP_ECDSA" "and names the recorded fingerprint"
ok "still nothing recorded" cmp -s "$D/kh" "$D/kh.orig"

# Hashed, in the user's ~/.ssh/known_hosts only (nestlab's own file empty).
cp "$D/kh" "$HOME/.ssh/known_hosts"
ssh-keygen -q -H -f "$HOME/.ssh/known_hosts" >/dev/null 2>&1
rm -f "$HOME/.ssh/known_hosts.old"
ok "the user's entry is hashed" grep -q '^|1|' "$HOME/.ssh/known_hosts"
: >"$D/kh-own"
expect_rc 18 "a hashed ECDSA entry in ~/.ssh/known_hosts: ed25519 refused" \
    probe --known-hosts "$D/kh-own" --user-known-hosts --accept-new login
expect_in "NL_ERR_HOSTKEY changed" "CHANGED through the hashed entry"
expect_in "$FP_ECDSA" "the hashed entry's fingerprint is shown"
ok "nothing written to nestlab's file" test ! -s "$D/kh-own"
expect_rc 18 "esx_knownhost_accept honours the hashed user entry" \
    trust --known-hosts "$D/kh-own" --user-known-hosts "$FP_ED"
expect_in "changed" "reported as changed"
# A line libssh2 cannot parse (a truncated entry, a key type it does not know) before the entry
# hides nothing: libssh2_knownhost_readfile would stop reading there.
{
    echo "esx-old.lab.invalid ecdsa-sha2-nistp256"
    echo "esx-other.lab.invalid,10.0.0.9 rsa-sha2-512 AAAA"
    cat "$HOME/.ssh/known_hosts"
} >"$D/user-kh" && mv "$D/user-kh" "$HOME/.ssh/known_hosts"
expect_rc 18 "entries after lines libssh2 cannot parse still count" \
    probe --known-hosts "$D/kh-own" --user-known-hosts --accept-new login
expect_in "NL_ERR_HOSTKEY changed" "CHANGED, not unknown"
ok "nothing written to nestlab's file" test ! -s "$D/kh-own"
rm -f "$HOME/.ssh/known_hosts"

# A plain "host" entry (no [host]:port) applies to every port of that host, as libssh2 reads it.
awk -v p="[127.0.0.1]:$PORT" '$1 == p { $1 = "127.0.0.1" } 1' "$D/kh.orig" >"$D/kh-plainhost"
expect_rc 18 "a port-less entry for the address: ed25519 on port $PORT refused" \
    probe --known-hosts "$D/kh-plainhost" --accept-new login
expect_in "NL_ERR_HOSTKEY changed" "CHANGED through the port-less entry"

# --- several keys offered, one of each kind recorded: no false alarm --------------------------
start_sshd ecdsa ed25519
ssh-keyscan -p "$PORT" -t ed25519 127.0.0.1 2>/dev/null >"$D/kh-ed"
expect_rc 17 "only ed25519 recorded, host offers ECDSA and ed25519: the recorded type is negotiated" \
    probe --known-hosts "$D/kh-ed" login
expect_not_in "NL_ERR_HOSTKEY" "no host key complaint"
cat "$D/kh.orig" "$D/kh-ed" >"$D/kh-both"
start_sshd ed25519
expect_rc 17 "both types recorded, host offers ed25519 only: it matches" probe --known-hosts "$D/kh-both" login
expect_not_in "NL_ERR_HOSTKEY" "no host key complaint"

# --- a host with nothing recorded is still 'not known yet' --------------------------------------
: >"$D/kh-none"
expect_rc 18 "nothing recorded: unknown" probe --known-hosts "$D/kh-none" login
expect_in "NL_ERR_HOSTKEY unknown" "reported as unknown"
expect_in "$FP_ED" "with the offered fingerprint"
expect_rc 0 "the console's accept path records it" trust --known-hosts "$D/kh-none" "$FP_ED"
ok "recorded as [127.0.0.1]:$PORT ssh-ed25519" grep -q "^\[127.0.0.1\]:$PORT ssh-ed25519 " "$D/kh-none"
ok "recorded key has the host's fingerprint" test "$(ssh-keygen -lf "$D/kh-none" | awk '{print $2}')" = "$FP_ED"
check_done
