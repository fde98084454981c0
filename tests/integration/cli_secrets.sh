#!/usr/bin/env bash
# Secrets (issue 13) against labsim, through the nestlab binary:
# - the SSH password comes only from the variable ssh.password_env names (or a prompt), never
#   from NESTLAB_PASSWORD (the vCenter SSO password) unless the config names it on purpose;
# - http:// URLs are refused before anything is sent, with or without a thumbprint, and a
#   thumbprint is never silently unused (not even with --insecure);
# - with a distinctive password, every verb (inventory, changes, undo, journal, check, drift,
#   monitor, cost, direct/SSH mode) leaves it in no file nestlab writes (config, cache, state,
#   log, journal, known_hosts), in none of its output, and nestlab starts no child process.
set -u
. "${NL_SOURCE_DIR:?}/tests/lib/labsim.sh"
. "$NL_SOURCE_DIR/tests/lib/check.sh"
NL=$NL_BUILD_DIR/tui/nestlab
[ -x "$NL" ] || nl_skip "nestlab is not built"
# Distinctive, with characters that XML, JSON and the shell would each escape.
SECRET_CORE=Zq9nestlabPW7Kx
PW="${SECRET_CORE}&<\"'\$(x)>é"
labsim_start --lab "$NL_SOURCE_DIR/tests/labsim/labs/default.json" --password "$PW"
py_json() { python3 -c "import json,sys; c=json.load(open(sys.argv[1])); $1; json.dump(c,open(sys.argv[2],'w'))" "$2" "$3" && chmod 600 "$3"; }

# --- the SSH password never falls back to NESTLAB_PASSWORD ------------------------------------
expect_rc 3 "--direct with only NESTLAB_PASSWORD set: no SSH password" \
    env -u NESTLAB_SSH_PASSWORD "$NL" -c "$LABSIM_CONFIG" --direct inventory </dev/null
expect_in "NESTLAB_SSH_PASSWORD" "the error names the variable to set"
expect_in "never used for the hosts" "and says the vCenter password is not used for the hosts"
py_json 'c["endpoints"][0]["ssh"]["password_env"]="NESTLAB_PASSWORD"' "$LABSIM_CONFIG" "$LABSIM_DIR/same.json"
expect_rc 0 "ssh.password_env naming NESTLAB_PASSWORD on purpose works" \
    env -u NESTLAB_SSH_PASSWORD "$NL" -c "$LABSIM_DIR/same.json" --direct inventory </dev/null
expect_in "[connected]" "the hosts were read over SSH"
py_json 'c["endpoints"][0]["ssh"]["password_env"]="NL_MY_ROOT_PW"' "$LABSIM_CONFIG" "$LABSIM_DIR/own.json"
expect_rc 3 "a config naming another variable does not fall back either" \
    env -u NESTLAB_SSH_PASSWORD "$NL" -c "$LABSIM_DIR/own.json" --direct inventory </dev/null
expect_in "NL_MY_ROOT_PW" "the error names the configured variable"
expect_rc 0 "... and works once that variable is set" \
    env -u NESTLAB_SSH_PASSWORD NL_MY_ROOT_PW="$PW" "$NL" -c "$LABSIM_DIR/own.json" --direct inventory </dev/null

# --- plain HTTP is refused before anything is sent ---------------------------------------------
LISTENER_LOG=$LABSIM_DIR/http-listener
python3 - "$LISTENER_LOG" >"$LABSIM_DIR/http-port" <<'EOF' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); c.settimeout(2)
    with open(sys.argv[1], "ab") as f:
        f.write(b"connection\n")
        try: f.write(c.recv(65536))
        except Exception: pass
    c.close()
EOF
LISTENER=$!
for _ in $(seq 1 50); do [ -s "$LABSIM_DIR/http-port" ] && break; sleep 0.1; done
HPORT=$(cat "$LABSIM_DIR/http-port")
EMPTY_CFG=$LABSIM_DIR/empty.json
echo '{}' >"$EMPTY_CFG"
chmod 600 "$EMPTY_CFG"
for tp in "" "$LABSIM_THUMBPRINT"; do
    args=(--server "http://127.0.0.1:$HPORT/sdk" --user "$LABSIM_USER")
    [ -n "$tp" ] && args+=(--thumbprint "$tp")
    expect_rc 2 "http:// is refused (usage)${tp:+ with a thumbprint}" "$NL" -c "$EMPTY_CFG" "${args[@]}" inventory
    expect_in "https://" "the refusal says to use https://"
    expect_in "plain HTTP" "and why"
done
cfg_http=$LABSIM_DIR/http.json
py_json "c['endpoints'][0]['url']='http://127.0.0.1:$HPORT/sdk'" "$LABSIM_CONFIG" "$cfg_http"
expect_rc 2 "an http:// URL in the config is refused too" "$NL" -c "$cfg_http" inventory
expect_in "plain HTTP" "with the same words"
kill "$LISTENER" 2>/dev/null
wait "$LISTENER" 2>/dev/null
ok "nothing reached the plain-HTTP listener" test ! -s "$LISTENER_LOG"
wrong=$(python3 -c "t='$LABSIM_THUMBPRINT'; print(('00' if t[:2] != '00' else '11') + t[2:])")
expect_rc 3 "--insecure does not switch off a pinned thumbprint" \
    "$NL" -c "$LABSIM_CONFIG" --thumbprint "$wrong" --insecure inventory
expect_in "not the pinned" "the pin was checked (thumbprint mismatch)"

# --- no verb leaves the password anywhere ----------------------------------------------------
# nestlab's own known_hosts (the state dir) is written too: start it empty and accept new keys.
py_json 'c["endpoints"][0]["ssh"].pop("known_hosts")' "$LABSIM_CONFIG" "$LABSIM_DIR/own-kh.json"
CFG=$LABSIM_DIR/own-kh.json
mkdir -p "$HOME/.config/nestlab"
cp "$CFG" "$HOME/.config/nestlab/config.json"
LOGS=$LABSIM_DIR/outputs
mkdir -p "$LOGS"
n=0
run() { # run WHAT ARGS...: any exit status; stdout+stderr kept for the grep
    n=$((n + 1))
    "$NL" --log-level debug --accept-new-host-keys "$@" >"$LOGS/$n.out" 2>&1 </dev/null
    echo "ran ($?): nestlab $*"
}
run inventory
run inventory --json
run security --vswitch vSwitch0 --promiscuous accept --forged-transmits accept --mac-changes accept --all-physical --yes
run trunk --portgroup Trunk-Secret --vswitch vSwitch0 --all-physical --yes
run nested-hv on kvm04 --yes
run drift
run check --json
run check --fix --yes
run journal
run journal --reconcile --json
run undo --yes
run --hosts esx-p01.lab.invalid,esx-p02.lab.invalid monitor --samples 2 --json
run cost
run --direct inventory
run --direct security --vswitch vSwitch0 --promiscuous reject --all-physical --yes
run --direct --hosts esx-p01.lab.invalid monitor --samples 1 --json
labsim_ctl POST /vcenter/stop >/dev/null
run inventory
run journal --json
labsim_ctl POST /vcenter/start >/dev/null
run journal --reconcile
ok "nestlab's known_hosts was written (the grep covers it)" test -s "$HOME/.local/state/nestlab/known_hosts"
ok "the journal was written" test -s "$HOME/.local/state/nestlab/journal.jsonl"
ok "the cache was written" bash -c "ls '$HOME/.cache/nestlab/'* >/dev/null"
ok "the log was written" bash -c "ls '$HOME/.local/state/nestlab/'*log* >/dev/null"
printf 'x%sx\n' "$SECRET_CORE" >"$LOGS/canary"
ok "the grep below finds the password where it is (a canary file)" grep -rq -a -F -e "$SECRET_CORE" "$LOGS"
rm -f "$LOGS/canary"
leaks=$(grep -rl -a -F -e "$SECRET_CORE" "$HOME" "$LOGS" 2>/dev/null)
OUT=$leaks
ok "the password is in no file nestlab wrote, nor in any output (XDG config/cache/state, log, journal, known_hosts)" test -z "$leaks"
files=$(find "$HOME" -type f | wc -l)
ok "the grep saw nestlab's files ($files)" test "$files" -ge 5

# Children: nestlab starts none (a monitor refreshing until stopped gives time to look); if it
# ever does, their environment must not carry the password.
"$NL" --hosts esx-p01.lab.invalid monitor --interval 1 >/dev/null 2>&1 </dev/null &
MON=$!
sleep 2
children=$(ps -o pid= --ppid "$MON" 2>/dev/null | tr -d ' ')
for c in $children; do
    OUT="child $c: $(tr '\0' '\n' </proc/"$c"/environ 2>/dev/null | grep -c -F "$SECRET_CORE")"
    ok "child $c of nestlab has no password in its environment" bash -c "! tr '\0' '\n' </proc/$c/environ | grep -q -F '$SECRET_CORE'"
done
OUT="children: ${children:-none}"
ok "nestlab runs no child process (none to inherit the password)" test -z "$children"
kill "$MON" 2>/dev/null
wait "$MON" 2>/dev/null
check_done
