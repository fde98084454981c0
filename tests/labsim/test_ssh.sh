#!/usr/bin/env bash
# Over-the-wire test of labsim's simulated ESXi hosts with the real OpenSSH client.
#
#   tests/labsim/test_ssh.sh                 # starts its own default lab (tests/lib/labsim.sh)
#   tests/labsim/test_ssh.sh READY.json      # uses a running labsim: the file holding its JSON line
#   LABSIM_READY='{"...":...}' tests/labsim/test_ssh.sh
#
# Proves: keyboard-interactive works and "password" is refused by default; a wrong password fails;
# host keys verify against labsim's known_hosts (and an empty known_hosts is refused); hostile
# port-group names round-trip byte-exact through portgroup add/list (xml) and reach vCenter's
# view (GET /state); stdout/stderr/exit status; "sh: foo: not found" exit 127; a vSwitch security
# change and a .vmx edit + reload made over SSH show in GET /state; a host that is down refuses
# connections and comes back. On a lab it did not start, it undoes its changes.
# Exit 0 = pass, 1 = fail, 77 = skipped (no ssh client / labsim could not be built).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NL_SOURCE_DIR=${NL_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
command -v ssh >/dev/null || { echo "SKIP: no ssh client" >&2; [ -n "${NESTLAB_NO_SKIP:-}" ] && exit 1; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3" >&2; [ -n "${NESTLAB_NO_SKIP:-}" ] && exit 1; exit 77; }

own_lab=
if [ $# -ge 1 ]; then
    LABSIM_READY=$(head -n1 "$1")
fi
if [ -z "${LABSIM_READY:-}" ]; then
    # shellcheck source=../lib/labsim.sh
    . "$NL_SOURCE_DIR/tests/lib/labsim.sh"
    labsim_start
    own_lab=1
fi
js() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print($2)" "$LABSIM_READY"; }
CONTROL=$(js "" 'd["control"]')
KNOWN_HOSTS=$(js "" 'd["known_hosts"]')
PASSWORD=$(js "" 'd["vcenter"]["password"]')
port_of() { js "" "d['ssh']['$1']"; }

work=$(mktemp -d /tmp/nl-test-ssh.XXXXXX)
cleanup_steps=()
finish() {
    local s
    for s in "${cleanup_steps[@]}"; do eval "$s" >/dev/null 2>&1; done
    rm -rf "$work"
    [ -n "$own_lab" ] && labsim_stop
}
trap finish EXIT

# The password reaches ssh only through SSH_ASKPASS (never on a command line).
cat >"$work/askpass" <<'EOF'
#!/bin/sh
printf '%s\n' "$NL_ASKPASS_PW"
EOF
chmod 700 "$work/askpass"

fails=0
pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }

# rssh PORT [ssh options...] -- REMOTE-COMMAND ; sets OUT, ERR, RC.
rssh_pw() {
    local pw=$1 port=$2; shift 2
    local opts=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
    shift
    NL_ASKPASS_PW=$pw SSH_ASKPASS="$work/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=${DISPLAY:-:0} \
        timeout 30 ssh "${opts[@]}" -F /dev/null \
        -o UserKnownHostsFile="$KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null \
        -o StrictHostKeyChecking=yes -o PreferredAuthentications=keyboard-interactive \
        -o NumberOfPasswordPrompts=1 -o ConnectTimeout=5 -o LogLevel=ERROR \
        -p "$port" root@127.0.0.1 "$*" </dev/null >"$work/out" 2>"$work/err"
    RC=$?
    OUT=$(cat "$work/out"; printf x); OUT=${OUT%x}
    ERR=$(cat "$work/err"; printf x); ERR=${ERR%x}
}
rssh() { local port=$1; shift; rssh_pw "$PASSWORD" "$port" "$@"; }
# q STRING: single-quote for the remote ash, ' as '\''.
q() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }
state() { curl -sS --max-time 10 "$CONTROL/state"; }
ctl() { curl -sS --max-time 10 -X POST "$CONTROL$1" >/dev/null; }

H1=esx-p01.lab.invalid
H2=esx-p02.lab.invalid
P1=$(port_of $H1)
P2=$(port_of $H2)
[ -n "$P1" ] && [ -n "$P2" ] || { echo "FAIL - no SSH ports in the ready line: $LABSIM_READY"; exit 1; }

# 1. keyboard-interactive, host key verified against the written known_hosts.
rssh "$P1" -- esxcli system version get
if [ $RC -eq 0 ] && [[ $OUT == *"   Product: VMware ESXi"* ]]; then pass "keyboard-interactive login + host key check"; else fail "ki login: rc=$RC out=$OUT err=$ERR"; fi

# 2. the password method is not offered by default.
rssh "$P1" -o PreferredAuthentications=password -- true
if [ $RC -eq 255 ] && [[ $ERR == *"Permission denied (publickey,keyboard-interactive)"* ]]; then pass "password method refused, methods publickey,keyboard-interactive"; else fail "password method: rc=$RC err=$ERR"; fi

# 3. a wrong password fails.
rssh_pw "not-the-password" "$P1" -- true
if [ $RC -eq 255 ] && [[ $ERR == *"Permission denied"* ]]; then pass "wrong password refused"; else fail "wrong password: rc=$RC err=$ERR"; fi

# 4. an unknown host key is refused under StrictHostKeyChecking=yes.
: >"$work/empty_known_hosts"
NL_ASKPASS_PW=$PASSWORD SSH_ASKPASS="$work/askpass" SSH_ASKPASS_REQUIRE=force timeout 30 ssh -F /dev/null \
    -o UserKnownHostsFile="$work/empty_known_hosts" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes \
    -o PreferredAuthentications=keyboard-interactive -o ConnectTimeout=5 -p "$P1" root@127.0.0.1 true \
    </dev/null >/dev/null 2>"$work/err"
RC=$?
if [ $RC -eq 255 ] && grep -q "Host key verification failed" "$work/err"; then pass "unknown host key refused"; else fail "unknown host key: rc=$RC $(cat "$work/err")"; fi

# 5. unknown command; stderr vs stdout; esxcli error exit status.
rssh "$P1" -- foo
if [ $RC -eq 127 ] && [ "$ERR" = $'sh: foo: not found\n' ] && [ -z "$OUT" ]; then pass "sh: foo: not found, exit 127"; else fail "foo: rc=$RC out=$OUT err=$ERR"; fi
rssh "$P1" -- esxcli network vswitch standard policy security get -v vSwitch9
if [ $RC -eq 1 ] && [ -z "$OUT" ] && [[ $ERR == Error:* ]]; then pass "esxcli error on stderr, exit 1"; else fail "esxcli error: rc=$RC out=$OUT err=$ERR"; fi
rssh "$P1" -- 'echo $(id); echo never'
if [ $RC -eq 2 ] && [ -z "$OUT" ] && [[ $ERR == sh:* ]]; then pass "command substitution refused, nothing run"; else fail "\$(id): rc=$RC out=$OUT err=$ERR"; fi

# 6. hostile port-group names round-trip byte-exact (add, list --formatter=xml, GET /state).
names=("a'b \"c\" \$(rm -rf /); d" "é, <>&" "back\\slash \`x\` \$HOME")
for name in "${names[@]}"; do
    cleanup_steps+=("rssh \"$P1\" -- esxcli network vswitch standard portgroup remove -p $(q "$(q "$name")") -v vSwitch0")
    rssh "$P1" -- esxcli network vswitch standard portgroup add --portgroup-name="$(q "$name")" --vswitch-name=vSwitch0
    if [ $RC -ne 0 ]; then fail "add $name: rc=$RC err=$ERR"; continue; fi
    rssh "$P1" -- esxcli --formatter=xml network vswitch standard portgroup list
    printf '%s' "$OUT" >"$work/pg.xml"
    printf '%s' "$name" >"$work/name"
    if python3 - "$work/pg.xml" "$work/name" <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
want = open(sys.argv[2], encoding="utf-8").read()
names = [f.find("{*}string").text for f in root.iter() if f.tag.endswith("field") and f.get("name") == "Name"]
sys.exit(0 if want in names else 1)
EOF
    then pass "hostile name round-trips over SSH: $name"; else fail "hostile name $name not in: $OUT"; fi
    if state | python3 -c '
import json, sys
d = json.load(sys.stdin); want = open(sys.argv[1], encoding="utf-8").read()
h = [h for h in d["hosts"] if h["name"] == sys.argv[2]][0]
sys.exit(0 if any(p["name"] == want for p in h["portgroups"]) else 1)' "$work/name" "$H1"
    then pass "hostile name visible in GET /state: $name"; else fail "hostile name $name not in /state"; fi
    rssh "$P1" -- esxcli network vswitch standard portgroup remove -p "$(q "$name")" -v vSwitch0
    [ $RC -eq 0 ] || fail "remove $name: rc=$RC err=$ERR"
done

# 7. a vSwitch security change over SSH is what the lab (and vCenter) reports.
cleanup_steps+=("rssh \"$P2\" -- esxcli network vswitch standard policy security set -v vSwitch0 --allow-promiscuous=false")
rssh "$P2" -- esxcli network vswitch standard policy security set --vswitch-name=vSwitch0 --allow-promiscuous=true
prom=$(state | python3 -c '
import json, sys
d = json.load(sys.stdin)
h = [h for h in d["hosts"] if h["name"] == sys.argv[1]][0]
print([v for v in h["vswitches"] if v["name"] == "vSwitch0"][0]["security"]["promiscuous"])' "$H2")
if [ $RC -eq 0 ] && [ "$prom" = True ]; then pass "security set over SSH visible in GET /state"; else fail "security set: rc=$RC err=$ERR state promiscuous=$prom"; fi
rssh "$P2" -- esxcli network vswitch standard policy security set -v vSwitch0 --allow-promiscuous=false

# 8. nested HV without vCenter: edit the .vmx of a powered-off VM, reload, read GET /state.
vm=$(state | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = [v for v in d["vms"] if v["host"] == sys.argv[1] and v["power"] == "poweredOff" and not v["nested_hv"] and v.get("vmx")]
print("%d %s" % (c[0]["vmid"], c[0]["vmx"]) if c else "")' "$H2")
if [ -n "$vm" ]; then
    vmid=${vm%% *}; vmx=${vm#* }
    revert="rssh \"$P2\" -- \"sed -i -e '\\\$a vhv.enable = \\\"FALSE\\\"' -e '/^vhv\\\\.enable *=/d' $(q "$vmx") && vim-cmd vmsvc/reload $vmid\""
    cleanup_steps+=("$revert")
    rssh "$P2" -- "vim-cmd vmsvc/power.getstate $vmid && sed -i -e '\$a vhv.enable = \"TRUE\"' -e '/^vhv\\.enable *=/d' $(q "$vmx") && vim-cmd vmsvc/reload $vmid && grep -c '^vhv' $(q "$vmx")"
    nhv=$(state | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([v for v in d["vms"] if v["vmid"] == int(sys.argv[2]) and v["host"] == sys.argv[1]][0]["nested_hv"])' "$H2" "$vmid")
    if [ $RC -eq 0 ] && [[ $OUT == *"Powered off"* ]] && [[ $OUT == *$'\n1\n' ]] && [ "$nhv" = True ]; then
        pass "vhv.enable via sed + vim-cmd reload visible in GET /state"
    else fail "vmx edit: rc=$RC out=$OUT err=$ERR nested_hv=$nhv"; fi
else
    fail "no powered-off VM without nested HV on $H2 to edit"
fi

# 9. esxtop batch output over the wire.
rssh "$P1" -- esxtop -b -d 1 -n 2
if [ $RC -eq 0 ] && [ "$(printf '%s' "$OUT" | wc -l)" -eq 3 ] && [[ $OUT == '"(PDH-CSV 4.0) (UTC)(0)",'* ]] && [[ $OUT == *'\Network Port(vSwitch0:'* ]]; then
    pass "esxtop -b -d 1 -n 2"
else fail "esxtop: rc=$RC out=${OUT:0:300} err=$ERR"; fi

# 10. a host that is down refuses connections, and comes back.
cleanup_steps+=("ctl /host/$H2/up")
ctl "/host/$H2/down"
sleep 0.5
if ! timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$P2" 2>/dev/null; then pass "down host refuses TCP connections"; else fail "down host still accepts connections"; fi
ctl "/host/$H2/up"
ok=
for _ in 1 2 3 4 5 6 7 8 9 10; do
    sleep 0.2
    rssh "$P2" -- hostname
    [ $RC -eq 0 ] && { ok=1; break; }
done
if [ -n "$ok" ]; then pass "host back up, same port and host key"; else fail "host up again: rc=$RC err=$ERR"; fi

if [ $fails -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "all SSH checks passed"
