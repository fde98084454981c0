#!/usr/bin/env bash
# backend/esxi against labsim's SSH hosts, through the esx_probe driver: keyboard-interactive
# login, host key verification (unknown / accept-new / changed), wrong password, host down,
# reading the lab, changes over SSH checked in labsim's GET /state, a hostile port-group name
# byte-exact, nested HV through the .vmx, command timeout, missing command.
set -u
. "${NL_SOURCE_DIR:?}/tests/lib/labsim.sh"

PROBE=$NL_BUILD_DIR/tests/integration/esx_probe
[ -x "$PROBE" ] || nl_fail "esx_probe is not built ($PROBE)"
labsim_start
KH=$LABSIM_KNOWN_HOSTS
P01=esx-p01.lab.invalid
P02=esx-p02.lab.invalid
PORT01=$(labsim_ssh_port $P01)
PORT02=$(labsim_ssh_port $P02)
OUT=$LABSIM_DIR/out
ERR=$LABSIM_DIR/err
failures=0

check() { # check DESCRIPTION COMMAND...: the command must succeed
    if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1" >&2; failures=$((failures + 1)); fi
}
probe() { # probe HOSTNAME PORT [options] COMMAND ARGS...
    local name=$1 port=$2
    shift 2
    "$PROBE" --name "$name" --port "$port" --known-hosts "${PROBE_KH:-$KH}" "$@" >"$OUT" 2>"$ERR"
}
state() { labsim_state >"$LABSIM_DIR/state.json"; }
# py EXPR: evaluate a Python expression over the state (d) and exit 0 when it is true.
py() { python3 -c "import json,sys; d=json.load(open('$LABSIM_DIR/state.json')); sys.exit(0 if ($1) else 1)"; }
err_has() { grep -q -- "$1" "$ERR"; }
out_has() { grep -q -- "$1" "$OUT"; }

# --- login and host keys ------------------------------------------------------------------
probe $P01 $PORT01 login
check "keyboard-interactive login with the labsim known_hosts" out_has '^ok$'

: >"$LABSIM_DIR/kh-empty"
PROBE_KH=$LABSIM_DIR/kh-empty probe $P01 $PORT01 login
rc=$?
want_fp=$(ssh-keygen -lf <(grep "^\[127.0.0.1\]:$PORT01 " "$KH") | awk '{print $2}')
check "unknown host key refused (exit)" test $rc -ne 0
check "unknown host key refused as NL_ERR_HOSTKEY unknown" err_has 'NL_ERR_HOSTKEY unknown'
check "unknown host key message carries the SHA256 fingerprint ($want_fp)" err_has "$want_fp"
check "nothing written to known_hosts without accept-new" test ! -s "$LABSIM_DIR/kh-empty"

PROBE_KH=$LABSIM_DIR/kh-empty probe $P01 $PORT01 --accept-new login
check "unknown host key accepted with accept-new" out_has '^ok$'
check "accepted key recorded as [127.0.0.1]:port" grep -q "^\[127.0.0.1\]:$PORT01 ecdsa-sha2-nistp256 " "$LABSIM_DIR/kh-empty"
check "recorded key is the host's key" test "$(ssh-keygen -lf "$LABSIM_DIR/kh-empty" | awk '{print $2}')" = "$want_fp"
PROBE_KH=$LABSIM_DIR/kh-empty probe $P01 $PORT01 login
check "recorded key verifies on the next login" out_has '^ok$'

# A doctored file: p01's entry carries p02's key.
key02=$(grep "^\[127.0.0.1\]:$PORT02 " "$KH" | cut -d' ' -f2-)
echo "[127.0.0.1]:$PORT01 $key02" >"$LABSIM_DIR/kh-changed"
cp "$LABSIM_DIR/kh-changed" "$LABSIM_DIR/kh-changed.orig"
PROBE_KH=$LABSIM_DIR/kh-changed probe $P01 $PORT01 --accept-new login
rc=$?
check "changed host key refused even with accept-new" test $rc -ne 0
check "changed host key is NL_ERR_HOSTKEY changed" err_has 'NL_ERR_HOSTKEY changed'
check "changed host key message is loud" err_has 'CHANGED'
check "changed host key leaves known_hosts alone" cmp -s "$LABSIM_DIR/kh-changed" "$LABSIM_DIR/kh-changed.orig"

NESTLAB_SSH_PASSWORD=wrong-password probe $P01 $PORT01 login
check "wrong password is NL_ERR_AUTH" err_has 'NL_ERR_AUTH'
check "wrong password is not echoed" bash -c "! grep -q wrong-password '$ERR' '$OUT'"

# --- host down ----------------------------------------------------------------------------
labsim_ctl POST "/host/$P02/down" >/dev/null
sleep 0.5
t0=$(date +%s%N)
probe $P02 $PORT02 --connect-timeout 5000 login
t1=$(date +%s%N)
check "host down is NL_ERR_CONNECT" err_has 'NL_ERR_CONNECT'
check "host down fails fast ($(((t1 - t0) / 1000000)) ms)" test $(((t1 - t0) / 1000000)) -lt 2000
labsim_ctl POST "/host/$P02/up" >/dev/null
sleep 0.5

# --- reading ------------------------------------------------------------------------------
hosts=()
for h in $(python3 -c "import json; print(' '.join(sorted(json.loads('''$LABSIM_READY''')['ssh'])))"); do
    hosts+=("$h=$(labsim_ssh_port "$h")")
done
"$PROBE" --known-hosts "$KH" --connect-timeout 3000 lab "${hosts[@]}" >"$OUT" 2>"$ERR"
check "lab read: every host but the down n04 answers" grep -q "^read hosts=6 failed=1 " "$OUT"
check "lab read: n04 (ssh off) is a connect failure" grep -q "^failed esx-n04.lab.invalid NL_ERR_CONNECT" "$OUT"
check "lab read: two channels per host" grep -q " execs=10 " "$OUT"

probe $P01 $PORT01 read
cp "$OUT" "$LABSIM_DIR/read-p01"
state
check "read: source ssh, connected, version and HV support" out_has "^host $P01 .*source=ssh conn=connected version=8.0.3 hv=3"
check "read: vSwitch0 security as in the state" bash -c "grep -q \"^vswitch vSwitch0 .* sec=$(python3 -c "
import json; d=json.load(open('$LABSIM_DIR/state.json'))
s=[h for h in d['hosts'] if h['name']=='$P01'][0]['vswitches'][0]['security']
print(''.join('1' if s[k] else '0' for k in ('promiscuous','forged_transmits','mac_changes')))")\" '$OUT'"
for vm in $(python3 -c "
import json; d=json.load(open('$LABSIM_DIR/state.json'))
for v in d['vms']:
    if v['host']=='$P01': print('%s|%d|%s|%s|%s' % (v['name'], v['vmid'], 'on' if v['power']=='poweredOn' else 'off', '1' if v['nested_hv'] else '0', v['uuid']))"); do
    IFS='|' read -r name vmid power hv uuid <<<"$vm"
    check "read: VM $name power/nested HV/BIOS UUID as vCenter reports" \
        grep -q "^vm \[$name\] vmid=$vmid power=$power .*nested_hv=$hv .*uuid=$uuid " "$OUT"
done
# ESXi 8/9 list their vCLS agent as "[] /var/run/crx/infra/vCLS-x/vCLS-x.vmx" (the default lab
# runs one on p01): its .vmx is read from that absolute path (the BIOS UUID comes from it).
check "read: the vCLS VM's .vmx read from its absolute path" \
    grep -Eq '^vm \[vCLS-[^]]*\] vmid=[0-9]+ power=on .*guest=crxSys1Guest uuid=[0-9a-f-]{36} vmx=/var/run/crx/infra/vCLS-' "$OUT"

# --- changes ------------------------------------------------------------------------------
probe $P02 $PORT02 set-security vSwitch0 1 1 1
state
check "set-security over SSH" out_has '^ok$'
check "state: vSwitch0 on p02 accepts all three" py "[h for h in d['hosts'] if h['name']=='$P02'][0]['vswitches'][0]['security']=={'promiscuous':True,'forged_transmits':True,'mac_changes':True}"
probe $P02 $PORT02 set-security vSwitch0 0 - -
state
check "state: only promiscuous changed back" py "[h for h in d['hosts'] if h['name']=='$P02'][0]['vswitches'][0]['security']=={'promiscuous':False,'forged_transmits':True,'mac_changes':True}"

probe $P02 $PORT02 add-pg vSwitch0 Nested-Trunk 4095
state
check "add trunk port group" out_has '^ok$'
pg() { echo "[p for p in [h for h in d['hosts'] if h['name']=='$P02'][0]['portgroups'] if p['name']==$1]"; }
check "state: Nested-Trunk has VLAN 4095" py "$(pg "'Nested-Trunk'")[0]['vlan']==4095"
probe $P02 $PORT02 set-pg Nested-Trunk 4095 1 - 0
state
check "state: overrides set exactly" py "$(pg "'Nested-Trunk'")[0]['override']=={'promiscuous':True,'forged_transmits':None,'mac_changes':False}"
probe $P02 $PORT02 read
check "read back: overrides 1-0" out_has '^portgroup \[Nested-Trunk\] vswitch=vSwitch0 vlan=4095 override=1-0$'
probe $P02 $PORT02 set-pg Nested-Trunk 100 - - -
state
check "state: overrides cleared, VLAN 100" py "$(pg "'Nested-Trunk'")[0]['override']=={'promiscuous':None,'forged_transmits':None,'mac_changes':None} and $(pg "'Nested-Trunk'")[0]['vlan']==100"
probe $P02 $PORT02 add-pg vSwitch0 Nested-Trunk 4095
check "adding an existing port group fails with the host's words" err_has 'already exists'

HOSTILE=$'Trunk \'q\' "dq" $(id) ; `uname` & | > \\ ü 中 🚀'
probe $P02 $PORT02 add-pg vSwitch0 "$HOSTILE" 4095
state
check "hostile port-group name added" out_has '^ok$'
export HOSTILE
check "state: hostile name arrived byte-exact with VLAN 4095" py "[p for p in [h for h in d['hosts'] if h['name']=='$P02'][0]['portgroups'] if p['name'].encode()==__import__('os').environb[b'HOSTILE']][0]['vlan']==4095"
probe $P02 $PORT02 read
check "read back: hostile name byte-exact" grep -qF "portgroup [$HOSTILE] vswitch=vSwitch0 vlan=4095" "$OUT"
probe $P02 $PORT02 rm-pg vSwitch0 "$HOSTILE"
state
check "state: hostile port group removed" py "not $(pg "__import__('os').environ['HOSTILE']")"

# --- nested HV through the .vmx -----------------------------------------------------------
vm() { echo "[v for v in d['vms'] if v['name']=='$1'][0]"; }
probe $P02 $PORT02 nested-hv kvm04 on
state
check "nested HV on powered-off kvm04" out_has '^ok$'
check "state: kvm04 nested_hv true after vim-cmd reload" py "$(vm kvm04)['nested_hv'] is True"
probe $P02 $PORT02 nested-hv kvm04 off
state
check "state: kvm04 nested_hv false again" py "$(vm kvm04)['nested_hv'] is False"
probe $P02 $PORT02 nested-hv n-esx02 on
check "nested HV on powered-on n-esx02 refused: InvalidPowerState" err_has 'NL_ERR_STATE InvalidPowerState'
# vim-cmd prints a failed power task as "Power on failed: (vim.fault.InvalidPowerState) {".
probe $P02 $PORT02 power n-esx02 on
check "power on of powered-on n-esx02 refused: InvalidPowerState" err_has 'NL_ERR_STATE InvalidPowerState'
probe $P02 $PORT02 nested-hv n-esx04 on
state
check "nested HV on vmx-08 n-esx04 refused: HardwareVersion" err_has 'NL_ERR_STATE HardwareVersion'
check "state: n-esx04 unchanged" py "$(vm n-esx04)['nested_hv'] is False"
probe $P02 $PORT02 run cat /vmfs/volumes/datastore1/n-esx04/n-esx04.vmx
check "n-esx04 .vmx untouched" bash -c "! grep -qi vhv '$OUT'"

# --- faults -------------------------------------------------------------------------------
probe $P01 $PORT01 run echo "\$(id)" '`id`' "a;b" "it's"
check "arguments arrive literally" out_has "^\$(id) \`id\` a;b it's\$"
probe $P01 $PORT01 run no-such-command
check "missing command: exit 127" test $? -eq 127
check "missing command: sh says not found" err_has 'not found'
t0=$(date +%s%N)
probe $P01 $PORT01 --command-timeout 1000 run esxtop -b -n 4 -d 1
t1=$(date +%s%N)
check "hanging command is NL_ERR_TIMEOUT" err_has 'NL_ERR_TIMEOUT'
check "hanging command stops at the timeout ($(((t1 - t0) / 1000000)) ms)" test $(((t1 - t0) / 1000000)) -lt 2500

[ $failures -eq 0 ] || nl_fail "$failures check(s) failed"
echo "PASS"
