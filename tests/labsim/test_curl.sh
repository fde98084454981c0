#!/bin/sh
# Raw-SOAP smoke test of labsim with curl (default lab): startup time, login + cookie jar,
# UpdateVirtualSwitch on both copies, VLAN fault, vCenter stop/start on the same port, /reset.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/test_lib.sh"
[ -x "$LABSIM" ] || fail "set LABSIM to the labsim binary"
tmp=${TMPDIR:-/tmp}/labsim-curl.$$
JAR=$tmp.jar
trap 'stop_lab; rm -rf "$tmp" "$tmp".*' EXIT
t0=$(date +%s%N)
start_lab "$tmp" --lab "$here/labs/default.json"
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
echo "default lab ready in ${ms} ms (labsim reports $(jget "$READY" "['startup_ms']") ms internally)"
[ $ms -lt 3000 ] || fail "default lab start took ${ms} ms (limit 3000)"
VC_URL=$(jget "$READY" "['vcenter']['url']")
CTL=$(jget "$READY" "['control']")
CFG=$(jget "$READY" "['config']")
[ "$(stat -c %a "$CFG")" = 600 ] || fail "config.json mode is not 0600"
grep -q 'VMware1!' "$CFG" && fail "config.json contains the password"
python3 - "$CFG" "$VC_URL" <<'PY' || fail "config.json schema"
import json, sys
c = json.load(open(sys.argv[1]))
e = c["endpoints"][0]
assert e["name"] == "vc-lab" and e["url"] == sys.argv[2] and e["user"] == "administrator@vsphere.local"
assert e["password_env"] == "NESTLAB_PASSWORD" and len(e["thumbprint"]) == 95
s = e["ssh"]
assert s["user"] == "root" and s["password_env"] == "NESTLAB_SSH_PASSWORD"
for h in s["hosts"].values():
    assert h["address"] == "127.0.0.1"
PY
ok "config.json"
# thumbprint matches the served certificate
hp=${VC_URL#https://}; hp=${hp%/sdk}
if command -v openssl >/dev/null; then
    served=$(printf '' | openssl s_client -connect "$hp" 2>/dev/null | sed -n '/BEGIN CERT/,/END CERT/p' | openssl x509 -noout -fingerprint -sha256 | cut -d= -f2)
    [ "$served" = "$(jget "$READY" "['vcenter']['thumbprint']")" ] || fail "thumbprint mismatch: $served"
fi
ok "thumbprint"

login wrong | grep -q 'HTTP 500' || fail "wrong password accepted"
login | grep -q 'HTTP 200' || fail "login"
ok "login with cookie jar (wrong password refused)"
state=$(curl -s "$CTL/state")
hns=$(printf '%s' "$state" | python3 -c "
import json,sys; d=json.load(sys.stdin)
print([h['moref'] for h in d['hosts'] if h['name']=='esx-p01.lab.invalid'][0])")
# find the HostNetworkSystem moref through the SDK itself
out=$(soap "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this><specSet><propSet><type>HostSystem</type><pathSet>configManager.networkSystem</pathSet></propSet><objectSet><obj type=\"HostSystem\">$hns</obj></objectSet></specSet><options/></RetrievePropertiesEx>")
ns=$(printf "%s" "$out" | sed -n "s/.*type=\"HostNetworkSystem\">\([^<]*\)<.*/\1/p")
[ -n "$ns" ] || fail "no networkSystem: $out"
spec='<spec><numPorts>128</numPorts><bridge xsi:type="HostVirtualSwitchBondBridge"><nicDevice>vmnic0</nicDevice></bridge><policy><security><allowPromiscuous>true</allowPromiscuous><macChanges>true</macChanges><forgedTransmits>true</forgedTransmits></security></policy><mtu>1500</mtu></spec>'
soap "<UpdateVirtualSwitch xmlns=\"urn:vim25\"><_this type=\"HostNetworkSystem\">$ns</_this><vswitchName>vSwitch0</vswitchName>$spec</UpdateVirtualSwitch>" | grep -q 'HTTP 200' || fail "UpdateVirtualSwitch"
a=$(soap "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this><specSet><propSet><type>HostSystem</type><pathSet>config.network.vswitch</pathSet></propSet><objectSet><obj type=\"HostSystem\">$hns</obj></objectSet></specSet><options/></RetrievePropertiesEx>")
b=$(soap "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this><specSet><propSet><type>HostNetworkSystem</type><pathSet>networkInfo.vswitch</pathSet></propSet><objectSet><obj type=\"HostNetworkSystem\">$ns</obj></objectSet></specSet><options/></RetrievePropertiesEx>")
echo "$a" | grep -q '<allowPromiscuous>true</allowPromiscuous>' || fail "config.network.vswitch not updated"
echo "$b" | grep -q '<allowPromiscuous>true</allowPromiscuous>' || fail "networkInfo.vswitch not updated"
ok "UpdateVirtualSwitch changes both copies"
out=$(soap "<UpdatePortGroup xmlns=\"urn:vim25\"><_this type=\"HostNetworkSystem\">$ns</_this><pgName>VM Network</pgName><portgrp><name>VM Network</name><vlanId>5000</vlanId><vswitchName>vSwitch0</vswitchName><policy/></portgrp></UpdatePortGroup>")
echo "$out" | grep -q 'HTTP 500' && echo "$out" | grep -q 'xsi:type="InvalidArgument"' || fail "VLAN 5000: $out"
ok "UpdatePortGroup VLAN 5000 -> InvalidArgument"
out=$(soap "<UpdatePortGroup xmlns=\"urn:vim25\"><_this type=\"HostNetworkSystem\">$ns</_this><pgName>Nope</pgName><portgrp><name>Nope</name><vlanId>1</vlanId><vswitchName>vSwitch0</vswitchName><policy/></portgrp></UpdatePortGroup>")
echo "$out" | grep -q 'xsi:type="NotFound"' || fail "unknown pg: $out"
ok "UpdatePortGroup unknown -> NotFound"
add="<AddPortGroup xmlns=\"urn:vim25\"><_this type=\"HostNetworkSystem\">$ns</_this><portgrp><name>Nested-Trunk</name><vlanId>4095</vlanId><vswitchName>vSwitch0</vswitchName><policy/></portgrp></AddPortGroup>"
soap "$add" | grep -q 'HTTP 200' || fail "AddPortGroup"
soap "$add" | grep -q 'xsi:type="AlreadyExists"' || fail "duplicate AddPortGroup"
ok "AddPortGroup duplicate -> AlreadyExists"

port=${VC_URL#https://127.0.0.1:}; port=${port%/sdk}
curl -s -X POST "$CTL/vcenter/stop" >/dev/null
if curl -sk -o /dev/null --max-time 3 "$VC_URL" 2>/dev/null; then fail "SDK still answers while stopped"; fi
rc=0; curl -sk -o /dev/null --max-time 3 "$VC_URL" || rc=$?
[ $rc -eq 7 ] || fail "want connection refused (curl 7), got $rc"
curl -s -X POST "$CTL/vcenter/start" >/dev/null
soap "<CurrentTime xmlns=\"urn:vim25\"><_this type=\"ServiceInstance\">ServiceInstance</_this></CurrentTime>" | grep -q 'NotAuthenticated' || fail "session should be gone after restart"
login | grep -q 'HTTP 200' || fail "login after restart on port $port"
ok "vcenter stop (connection refused) / start (same port $port, sessions dropped)"
curl -s -X POST "$CTL/reset" >/dev/null
a=$(soap "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this><specSet><propSet><type>HostSystem</type><pathSet>config.network</pathSet></propSet><objectSet><obj type=\"HostSystem\">$hns</obj></objectSet></specSet><options/></RetrievePropertiesEx>")
echo "$a" | grep -q '<allowPromiscuous>true</allowPromiscuous>' && fail "reset did not restore the vSwitch"
echo "$a" | grep -q 'Nested-Trunk' && fail "reset did not remove the added port group"
ok "reset"
echo "test_curl: all passed"
