#!/usr/bin/env bash
# Inventory benchmark (not a timed test): a labsim scale lab (default 500 hosts / 10,000 VMs),
# time and peak RSS of the client's whole inventory read next to the floor, the same SOAP requests
# (RetrieveServiceContent, Login, CreateContainerView, RetrievePropertiesEx paged with
# maxObjects=1000 + ContinueRetrievePropertiesEx, DestroyView, Logout) sent raw with curl and
# the bodies discarded. Prints the ratio; targets: overhead <= 25 %, peak RSS <= 64 MB.
#
#   tests/bench/bench_inventory.sh [HOSTSxVMS] [runs]
# The client is `nestlab inventory --json` when NL_BENCH_NESTLAB points at the binary, else
# vs_probe from an optimised, unsanitised build made here (build/bench).
set -euo pipefail
NL_SOURCE_DIR=${NL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
scale=${1:-500x10000}
runs=${2:-3}
bdir=${NL_BENCH_BUILD_DIR:-$NL_SOURCE_DIR/build/bench}
NL_BUILD_DIR=$bdir
. "$NL_SOURCE_DIR/tests/lib/labsim.sh"
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null
if [ -z "${NL_BENCH_NESTLAB:-}" ]; then
    mkdir -p "$bdir"
    { cmake -S "$NL_SOURCE_DIR" -B "$bdir" -DCMAKE_BUILD_TYPE=Release -DNL_SANITIZE=OFF &&
        cmake --build "$bdir" -j"$(nproc)" --target vs_probe; } >"$bdir/bench-build.log" 2>&1 ||
        { tail -30 "$bdir/bench-build.log"; nl_fail "building vs_probe failed"; }
    client=("$bdir/tests/unit/vsphere/vs_probe" --quiet)
else
    client=("$NL_BENCH_NESTLAB" inventory --json)
fi
labsim_start --scale "$scale"
export NESTLAB_PASSWORD=$LABSIM_PASSWORD
client+=(--url "$LABSIM_URL" --user "$LABSIM_USER" --thumbprint "$LABSIM_THUMBPRINT")
[ -n "${NL_BENCH_NESTLAB:-}" ] && client=("$NL_BENCH_NESTLAB" -c "$LABSIM_CONFIG" inventory --json)

work=$(mktemp -d)
trap 'rm -rf "$work"; labsim_stop' EXIT
env_xml() { printf '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>%s</soapenv:Body></soapenv:Envelope>' "$1"; }
post() { # post BODY OUTFILE
    env_xml "$1" | curl -sk -b "$work/jar" -c "$work/jar" -H 'Content-Type: text/xml; charset="utf-8"' \
        -H 'SOAPAction: urn:vim25/6.5' -H 'Expect:' -o "$2" --data-binary @- "$LABSIM_URL"
}
props='<propSet><type>Datacenter</type><pathSet>name</pathSet></propSet><propSet><type>Folder</type><pathSet>parent</pathSet></propSet><propSet><type>ComputeResource</type><pathSet>parent</pathSet></propSet><propSet><type>ClusterComputeResource</type><pathSet>name</pathSet><pathSet>parent</pathSet></propSet><propSet><type>HostSystem</type><pathSet>name</pathSet><pathSet>parent</pathSet><pathSet>runtime.connectionState</pathSet><pathSet>hardware.systemInfo.uuid</pathSet><pathSet>hardware.cpuInfo</pathSet><pathSet>summary.hardware.cpuModel</pathSet><pathSet>summary.quickStats.overallCpuUsage</pathSet><pathSet>config.network.vswitch</pathSet><pathSet>config.network.portgroup</pathSet><pathSet>configManager.networkSystem</pathSet><pathSet>config.product.version</pathSet></propSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet><pathSet>runtime.powerState</pathSet><pathSet>runtime.host</pathSet><pathSet>config.version</pathSet><pathSet>config.nestedHVEnabled</pathSet><pathSet>config.guestId</pathSet><pathSet>config.hardware.numCPU</pathSet><pathSet>config.hardware.memoryMB</pathSet><pathSet>config.uuid</pathSet><pathSet>guest.toolsRunningStatus</pathSet><pathSet>network</pathSet></propSet><propSet><type>Network</type><pathSet>name</pathSet></propSet>'
pc='<_this type="PropertyCollector">propertyCollector</_this>'
floor_once() {
    rm -f "$work/jar"
    post '<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>' /dev/null
    post "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this><userName>$LABSIM_USER</userName><password>$LABSIM_PASSWORD</password></Login>" /dev/null
    post '<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager</_this><container type="Folder">group-d1</container><type>Datacenter</type><type>Folder</type><type>ComputeResource</type><type>ClusterComputeResource</type><type>HostSystem</type><type>VirtualMachine</type><type>Network</type><recursive>true</recursive></CreateContainerView>' "$work/view"
    local view token
    view=$(sed -n 's/.*<returnval type="ContainerView">\([^<]*\)<.*/\1/p' "$work/view")
    post "<RetrievePropertiesEx xmlns=\"urn:vim25\">$pc<specSet>$props<objectSet><obj type=\"ContainerView\">$view</obj><skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><name>traverseView</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet><options><maxObjects>1000</maxObjects></options></RetrievePropertiesEx>" "$work/page"
    # Only the token is read back (from the tail); the body is otherwise discarded.
    token=$(tail -c 400 "$work/page" | sed -n 's/.*<token>\([^<]*\)<.*/\1/p')
    while [ -n "$token" ]; do
        post "<ContinueRetrievePropertiesEx xmlns=\"urn:vim25\">$pc<token>$token</token></ContinueRetrievePropertiesEx>" "$work/page"
        token=$(tail -c 400 "$work/page" | sed -n 's/.*<token>\([^<]*\)<.*/\1/p')
    done
    post "<DestroyView xmlns=\"urn:vim25\"><_this type=\"ContainerView\">$view</_this></DestroyView>" /dev/null
    post '<Logout xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this></Logout>' /dev/null
}
now() { date +%s%N; }
# One warm-up of each, then the best of $runs (the machine is shared; best is the stable number).
floor_once
"${client[@]}" >/dev/null
best_floor=0 best_client=0 rss=0 pages=0
for _ in $(seq "$runs"); do
    t0=$(now); floor_once; t1=$(now)
    f=$(( (t1 - t0) / 1000000 ))
    [ "$best_floor" -eq 0 ] || [ "$f" -lt "$best_floor" ] && best_floor=$f
    t0=$(now)
    /usr/bin/time -v "${client[@]}" >"$work/out" 2>"$work/time"
    t1=$(now)
    c=$(( (t1 - t0) / 1000000 ))
    [ "$best_client" -eq 0 ] || [ "$c" -lt "$best_client" ] && best_client=$c
    r=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
    [ "$r" -gt "$rss" ] && rss=$r
done
grep -q 'hosts=\|"hosts"' "$work/out" || { cat "$work/out" "$work/time"; nl_fail "the client did not print an inventory"; }
bytes=$(curl -s "$LABSIM_CONTROL/calls" >/dev/null; stat -c %s "$work/page")
echo "scale:   $scale ($(grep -o 'hosts=[0-9]* vms=[0-9]*' "$work/out" || echo json))"
echo "floor:   ${best_floor} ms (raw curl, same requests, best of $runs)"
echo "client:  ${best_client} ms, peak RSS $((rss / 1024)) MB (${client[0]##*/}, best of $runs; RSS max)"
python3 -c "f=$best_floor; c=$best_client; r=$rss/1024; print(f'ratio:   {c/f:.2f} (overhead {100*(c-f)/f:+.0f} %; target <= +25 %), peak RSS {r:.1f} MB (target <= 64 MB)')"
