#!/bin/sh
# Scale smoke: labsim --scale 500x10000 starts and RetrievePropertiesEx returns every VM.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/test_lib.sh"
[ -x "$LABSIM" ] || fail "set LABSIM to the labsim binary"
SCALE=${SCALE:-500x10000}
tmp=${TMPDIR:-/tmp}/labsim-scale.$$
JAR=$tmp.jar
trap 'stop_lab; rm -rf "$tmp" "$tmp".*' EXIT
t0=$(date +%s%N)
start_lab "$tmp" --scale "$SCALE"
t1=$(date +%s%N)
echo "scale lab $SCALE ($(jget "$READY" "['hosts']") hosts, $(jget "$READY" "['vms']") VMs) ready in $(( (t1 - t0) / 1000000 )) ms (inventory build $(jget "$READY" "['build_ms']") ms)"
VC_URL=$(jget "$READY" "['vcenter']['url']")
login | grep -q 'HTTP 200' || fail login
out=$(soap '<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager</_this><container type="Folder">group-d1</container><type>VirtualMachine</type><recursive>true</recursive></CreateContainerView>')
view=$(printf '%s' "$out" | sed -n 's/.*<returnval type="ContainerView">\([^<]*\)<.*/\1/p')
t0=$(date +%s%N)
soap "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet><pathSet>runtime.powerState</pathSet><pathSet>config.nestedHVEnabled</pathSet></propSet><objectSet><obj type=\"ContainerView\">$view</obj><skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><name>v</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet><options/></RetrievePropertiesEx>" >"$tmp.inv"
t1=$(date +%s%N)
n=$(grep -o '<objects>' "$tmp.inv" | wc -l)
want=${SCALE#*x}
echo "RetrievePropertiesEx: $n VMs, $(wc -c <"$tmp.inv") bytes in $(( (t1 - t0) / 1000000 )) ms"
[ "$n" -eq "$want" ] || fail "want $want VMs, got $n"
ok "scale inventory"
