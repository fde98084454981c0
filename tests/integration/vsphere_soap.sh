#!/usr/bin/env bash
# backend/vsphere against labsim's vCenter, end to end through vs_probe: TLS pinning (a wrong pin
# fails before Login is sent), wrong password, wrong scheme/port, the default lab's inventory with
# its nested links, every executor change checked in labsim's /state (hostile port-group name
# byte for byte), a task fault, injected faults, latency, live updates across a vCenter restart
# (which drops the session: the watcher logs in again), and re-login on NotAuthenticated.
set -uo pipefail
. "${NL_SOURCE_DIR:?}/tests/lib/labsim.sh"
probe=${NL_BUILD_DIR:?}/tests/unit/vsphere/vs_probe
[ -x "$probe" ] || nl_fail "vs_probe is not built ($probe)"
labsim_start
export NESTLAB_PASSWORD=$LABSIM_PASSWORD
failures=0
passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { failures=$((failures + 1)); echo "FAIL: $*" >&2; }
expect() { # expect NAME STATUS PATTERN -- cmd...
    local name=$1 want=$2 pat=$3
    shift 4
    local out st
    out=$("$@" 2>&1)
    st=$?
    if [ "$want" != any ] && [ "$st" -ne "$want" ]; then
        bad "$name: exit $st, wanted $want: $out"
    elif ! grep -qE -- "$pat" <<<"$out"; then
        bad "$name: output does not match /$pat/: $out"
    else
        ok "$name"
    fi
}
state() { curl -s "$LABSIM_CONTROL/state"; }
calls() { curl -s "$LABSIM_CONTROL/calls"; }
py() { python3 -c "$1"; }
P=("$probe" -c "$LABSIM_CONFIG" --quiet)
hostile=$'Trunk <x> & "q" \'é $(id);'
# The lab as this SDK shows it. Under labsim's esx-host personality the SDK is esx-p01's own
# (hostd): that host alone, standalone (no cluster), with its VMs (vcsa, n-esx01, n-esx03,
# kvm01, kvm03, all powered on); the nested hosts it backs are other hosts, not in this SDK.
H2=esx-p02.lab.invalid OFFVM=kvm04 counts='hosts=6 vms=13'
if labsim_personality esx-host; then
    H2=esx-p01.lab.invalid OFFVM=kvm03 counts='hosts=1 vms=5'
    expect "hostd answers" 0 'connected: api=HostAgent' -- "$probe" -c "$LABSIM_CONFIG"
    expect "hostd inventory" 0 'datacenters=1 clusters=0 hosts=1 vms=5 networks=2 nested=0' -- "${P[@]}"
    expect "hostd morefs" 0 'host ha-host name=esx-p01.lab.invalid cluster=- dc=ha-datacenter .*netsys=networkSystem' -- "${P[@]}" --list
    expect "a VM is its vmid" 0 'vm [0-9]+ name=kvm03 host=ha-host' -- "${P[@]}" --list
    expect "powered-off VM for the nested-HV steps" 0 'done: power' -- "${P[@]}" --do power kvm03 off
else
    expect "inventory with pin" 0 'datacenters=1 clusters=3 hosts=6 vms=13 networks=2 nested=4' -- "${P[@]}"
    expect "nested link by uuid" 0 'name=esx-n03.lab.invalid .* backing=n-esx03' -- "${P[@]}" --list
    expect "cluster kinds" 0 'name=Nested-B dc=datacenter-[0-9]+ kind=nested' -- "${P[@]}" --list
fi

# A wrong pin: TLS error naming the real thumbprint, and Login never reached the server.
curl -s -X POST "$LABSIM_CONTROL/calls/reset" >/dev/null
wrong=$(py "t='$LABSIM_THUMBPRINT'; print(('00' if t[:2] != '00' else '11') + t[2:])")
expect "wrong thumbprint" 3 "NL_ERR_TLS: .*thumbprint $LABSIM_THUMBPRINT, not the pinned" -- \
    "$probe" --url "$LABSIM_URL" --user "$LABSIM_USER" --thumbprint "$wrong"
if calls | py "import json,sys; d=json.load(sys.stdin); sys.exit(1 if d['methods'].get('Login') or d['total'] else 0)"; then
    ok "no call reached the server with a wrong pin"
else
    bad "calls after a wrong pin: $(calls)"
fi
expect "lower-case pin without colons" 0 "${counts% *}" -- "$probe" --url "$LABSIM_URL" \
    --user "$LABSIM_USER" --thumbprint "$(tr -d : <<<"$LABSIM_THUMBPRINT" | tr A-F a-f)"
expect "untrusted certificate without pin" 3 "NL_ERR_TLS: .*not trusted.*$LABSIM_THUMBPRINT" -- \
    "$probe" --url "$LABSIM_URL" --user "$LABSIM_USER"
expect "wrong password" 3 "NL_ERR_AUTH: .*refused the login of \"$LABSIM_USER\".*InvalidLogin" -- \
    env NESTLAB_PASSWORD='wrong<&>' "${P[@]}"
port=$(py "from urllib.parse import urlparse; print(urlparse('$LABSIM_URL').port)")
# Plain HTTP is refused before anything is sent (the probe exits 2 on a usage error).
expect "http:// is refused" any 'NL_ERR_USAGE: .*plain HTTP.*https://127.0.0.1' -- \
    "$probe" --url "http://127.0.0.1:$port/sdk" --user "$LABSIM_USER"
closed=$(py "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1]); s.close()")
expect "closed port" 3 'NL_ERR_CONNECT: Cannot connect to "https://127.0.0.1:'"$closed"'/sdk"' -- \
    "$probe" --url "https://127.0.0.1:$closed/sdk" --user "$LABSIM_USER" --thumbprint "$LABSIM_THUMBPRINT"

# Changes, each checked in labsim's own state.
expect "vswitch security" 0 'done: security' -- "${P[@]}" --do security esx-p01.lab.invalid vSwitch0 accept keep keep
if state | py "import json,sys; d=json.load(sys.stdin); h=[h for h in d['hosts'] if h['name']=='esx-p01.lab.invalid'][0]; v=h['vswitches'][0]; sys.exit(0 if v['security']=={'promiscuous':True,'forged_transmits':True,'mac_changes':True} and v['uplinks']==['vmnic0'] and v['num_ports']==128 else 1)"; then
    ok "security applied, uplinks and ports kept"
else
    bad "vswitch after the security change: $(state | head -c 600)"
fi
expect "add trunk with a hostile name" 0 'done: add-pg' -- "${P[@]}" --do add-pg esx-p01.lab.invalid vSwitch0 "$hostile" 4095
expect "set port group override" 0 'done: set-pg' -- "${P[@]}" --do set-pg esx-p01.lab.invalid "$hostile" 4095 accept inherit reject
if state | HOSTILE=$hostile py "import json,sys,os; d=json.load(sys.stdin); h=[h for h in d['hosts'] if h['name']=='esx-p01.lab.invalid'][0]; p=[p for p in h['portgroups'] if p['name']==os.environ['HOSTILE']]; sys.exit(0 if p and p[0]['vlan']==4095 and p[0]['vswitch']=='vSwitch0' and p[0]['override']=={'promiscuous':True,'forged_transmits':None,'mac_changes':False} else 1)"; then
    ok "hostile port group name byte-exact with VLAN 4095 and its override"
else
    bad "port groups: $(state | head -c 1200)"
fi
expect "inventory reads the hostile name back" 0 "portgroup Trunk <x> & \"q\" 'é \\\$\\(id\\); vswitch=vSwitch0 vlan=4095 promisc=accept/accept" -- "${P[@]}" --list
expect "remove port group" 0 'done: rm-pg' -- "${P[@]}" --do rm-pg esx-p01.lab.invalid vSwitch0 "$hostile"
expect "remove missing port group" 4 'NL_ERR_FAULT: .*RemovePortGroup.*NotFound' -- "${P[@]}" --do rm-pg esx-p01.lab.invalid vSwitch0 "$hostile"
expect "nested HV on a powered-on VM" 4 'NL_ERR_FAULT: Turning nested hardware virtualization off for VM "n-esx01" failed.*\(InvalidPowerState\)' -- \
    "${P[@]}" --do nested-hv n-esx01 off
expect "nested HV on a powered-off VM" 0 'done: nested-hv' -- "${P[@]}" --do nested-hv "$OFFVM" on
expect "power on" 0 'done: power' -- "${P[@]}" --do power "$OFFVM" on
expect "nested HV state read back" 0 "name=$OFFVM .*power=on .*nested_hv=on" -- "${P[@]}" --list

# An injected fault mid-apply, then the same step succeeds.
curl -s -X POST -d '{"method":"UpdateVirtualSwitch","fault":"HostConfigFault","count":1}' "$LABSIM_CONTROL/fault" >/dev/null
expect "injected fault" 4 'NL_ERR_FAULT: .*UpdateVirtualSwitch with the fault HostConfigFault' -- \
    "${P[@]}" --do security "$H2" vSwitch0 accept accept accept
expect "after the injected fault" 0 'done: security' -- "${P[@]}" --do security "$H2" vSwitch0 accept accept accept

# An expired session in the middle of the inventory: logged in again once, transparently.
curl -s -X POST "$LABSIM_CONTROL/calls/reset" >/dev/null
curl -s -X POST -d '{"method":"RetrievePropertiesEx","fault":"NotAuthenticated","count":1}' "$LABSIM_CONTROL/fault" >/dev/null
expect "re-login on NotAuthenticated" 0 "$counts" -- "${P[@]}"
if calls | py "import json,sys; d=json.load(sys.stdin); sys.exit(0 if d['methods'].get('Login')==2 else 1)"; then
    ok "logged in twice"
else
    bad "calls after NotAuthenticated: $(calls)"
fi

# Latency: slower, still correct.
curl -s -X POST -d '{"ms":300}' "$LABSIM_CONTROL/latency" >/dev/null
start=$(date +%s%N)
expect "inventory under latency" 0 "$counts" -- "${P[@]}"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -ge 900 ] && ok "latency was applied (${ms} ms)" || bad "latency not visible (${ms} ms)"
curl -s -X POST -d '{"ms":0}' "$LABSIM_CONTROL/latency" >/dev/null

# Live updates: a change by a second client shows up; so does one after a vCenter restart.
out=$LABSIM_DIR/watch.out
"${P[@]}" --watch 25 >"$out" 2>&1 &
watcher=$!
for _ in $(seq 100); do grep -q '^watching' "$out" && break; sleep 0.1; done
sleep 1
"${P[@]}" --do add-pg "$H2" vSwitch0 Nested-Trunk 4095 >/dev/null
for _ in $(seq 50); do grep -qE '^modify HostSystem [^ ]+ .*config.network.portgroup' "$out" && break; sleep 0.2; done
grep -qE '^modify HostSystem [^ ]+ .*config.network.portgroup' "$out" && ok "update after a port group change" || bad "no update: $(tail -5 "$out")"
curl -s -X POST "$LABSIM_CONTROL/vcenter/stop" >/dev/null
sleep 2
curl -s -X POST "$LABSIM_CONTROL/vcenter/start" >/dev/null
sleep 3
"${P[@]}" --do power "$OFFVM" off >/dev/null
for _ in $(seq 100); do grep -qE '^modify VirtualMachine [^ ]+ runtime.powerState' "$out" && break; sleep 0.2; done
grep -qE '^modify VirtualMachine [^ ]+ runtime.powerState' "$out" && ok "update after a vCenter restart" || bad "no update after restart: $(tail -5 "$out")"
kill "$watcher" 2>/dev/null
wait "$watcher" 2>/dev/null

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
