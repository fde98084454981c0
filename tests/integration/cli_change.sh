#!/usr/bin/env bash
# Changes on every host through vCenter (issue 5): security + trunk on all physical hosts in one
# command each, drift clean afterwards, re-running changes nothing, undo restores the previous
# state exactly (labsim's ground truth), nested HV rules, hostile names byte-exact, faults
# mid-apply, and the refusals (no terminal, read-only, bad VLAN, unknown names).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/labsim.sh"
. "$here/../lib/check.sh"
[ -x "$NL_BUILD_DIR/tui/nestlab" ] || nl_skip "nestlab is not built"
labsim_start

# The network part of the ground truth, for exact before/after comparisons.
net_state() {
    labsim_state | python3 -c '
import json,sys
d=json.load(sys.stdin)
out={h["name"]:{"vswitches":sorted([(v["name"],json.dumps(v["security"],sort_keys=True),tuple(v["uplinks"]),v["mtu"],v["num_ports"]) for v in h["vswitches"]]),
                "portgroups":sorted([(p["name"],p["vswitch"],p["vlan"],json.dumps(p["override"],sort_keys=True)) for p in h["portgroups"]])}
     for h in d["hosts"]}
out["vms"]=sorted((v["name"],v["power"],v["nested_hv"]) for v in d["vms"])
print(json.dumps(out,sort_keys=True))'
}

# The physical hosts this SDK shows. Under labsim's esx-host personality the SDK is esx-p01's own
# hostd: that host alone (standalone, no cluster), its VMs all powered on (kvm03 is powered off
# here for the nested-HV change), the VMs of esx-p02 (kvm04, n-esx04) unknown to it.
export PHYS="esx-p01.lab.invalid esx-p02.lab.invalid"
N=2 DRIFT=(--cluster Physical) OFFVM=kvm04 HV=on results='["failed","ok"]'
if labsim_personality esx-host; then
    PHYS=esx-p01.lab.invalid N=1 DRIFT=(--all-physical) OFFVM=kvm03 HV=off results='["failed"]'
    "$NL_BUILD_DIR/tests/unit/vsphere/vs_probe" -c "$LABSIM_CONFIG" --quiet --do power kvm03 off >/dev/null ||
        nl_fail "powering kvm03 off for the nested-HV step"
fi
state_py() { labsim_state | python3 -c "import json,os,sys; d=json.load(sys.stdin); H={h['name']:h for h in d['hosts']}; V={v['name']:v for v in d['vms']}; PHYS=os.environ['PHYS'].split(); sys.exit(0 if ($1) else 1)"; }

before=$(net_state)

# Without a terminal and without --yes nothing changes.
expect_rc 2 "no terminal, no --yes: refused" nestlab security --vswitch vSwitch0 --promiscuous accept --all-physical </dev/null
expect_in "--yes" "the refusal says how to proceed"
ok "nothing changed after the refusal" test "$(net_state)" = "$before"
expect_rc 2 "--read-only refuses a change" nestlab security --vswitch vSwitch0 --promiscuous accept --all-physical --yes --read-only

# The article's two steps, each one command over every physical host.
expect_rc 0 "security accept on every physical host" \
  nestlab security --vswitch vSwitch0 --promiscuous accept --forged-transmits accept --mac-changes accept --all-physical --yes
expect_in "$N changed, 0 already compliant, 0 failed" "every physical host changed"
ok "labsim: both physical vSwitch0 accept all three" state_py \
  'all(H[h]["vswitches"][0]["security"]=={"promiscuous":True,"forged_transmits":True,"mac_changes":True} for h in PHYS)'
ok "labsim: uplinks kept" state_py 'all(H[h]["vswitches"][0]["uplinks"]==["vmnic0"] for h in H if h.startswith("esx-p"))'
ok "labsim: nested hosts untouched" state_py 'H["esx-n01.lab.invalid"]["vswitches"][0]["security"]["promiscuous"]==False'
expect_rc 0 "trunk port group on every physical host" nestlab trunk --portgroup Nested-Trunk --vswitch vSwitch0 --all-physical --yes
ok "labsim: Nested-Trunk VLAN 4095 on both" state_py \
  'all(any(p["name"]=="Nested-Trunk" and p["vlan"]==4095 for p in H[h]["portgroups"]) for h in PHYS)'
expect_rc 0 "drift of the physical hosts" nestlab drift "${DRIFT[@]}"
expect_in "No inconsistent cell." "drift shows no inconsistent cell"
OUT=$(nestlab drift "${DRIFT[@]}" --json 2>/dev/null)
py_check "drift JSON: zero inconsistent" 'd["matrices"][0]["inconsistent"]==0'
expect_rc 0 "re-running the security change" \
  nestlab security --vswitch vSwitch0 --promiscuous accept --forged-transmits accept --mac-changes accept --all-physical --yes
expect_in "0 to change, $N already compliant" "re-running changes nothing"

# Undo twice (trunk, then security) restores the state exactly.
expect_rc 0 "journal lists the change sets" nestlab journal
expect_in "vcenter" "journal records the transport"
OUT=$(nestlab journal --json 2>/dev/null)
py_check "journal JSON has two change sets with verified steps" \
  'len(d["entries"])==2 and all(s["verify"]=="verified" for e in d["entries"] for s in e["steps"] if s["result"]=="ok")'
expect_rc 0 "undo the trunk" nestlab undo --yes
expect_rc 0 "undo the security change" nestlab undo --yes
after=$(nestlab journal >/dev/null; net_state)
ok "undo restored labsim's state exactly" test "$after" = "$before"
[ "$after" = "$before" ] || { echo "before: $before"; echo "after:  $after"; }

# Nested HV: the powered-off VM changes; the powered-on one is refused with the reason.
expect_rc 0 "nested HV $HV on powered-off $OFFVM" nestlab nested-hv "$HV" "$OFFVM" --yes
ok "labsim: $OFFVM nested HV $HV" state_py "V['$OFFVM']['nested_hv']==('$HV'=='on')"
expect_rc 4 "nested HV off on powered-on n-esx01 is refused" nestlab nested-hv off n-esx01 --yes
expect_in "powered on" "the refusal gives the reason"
ok "labsim: n-esx01 unchanged" state_py 'V["n-esx01"]["nested_hv"]==True'
if labsim_personality esx-host; then
    expect_rc 4 "another host's VM is unknown to this host's SDK" nestlab nested-hv on n-esx04 --yes
    expect_in "n-esx04" "the error names it"
    expect_rc 4 "a hostd has no cluster" nestlab nested-hv on --cluster Nested-A --dry-run
else
    expect_rc 4 "nested HV on vmx-08 n-esx04 is refused" nestlab nested-hv on n-esx04 --yes
    expect_in "vmx-08" "the refusal names the hardware version"
    expect_rc 0 "nested-hv --cluster plans every nested hypervisor backing that cluster" nestlab nested-hv on --cluster Nested-A --dry-run
    expect_in "n-esx01" "n-esx01 in the plan for Nested-A"
fi

# Bad input.
expect_rc 2 "VLAN outside 0-4095" nestlab trunk --portgroup X --vswitch vSwitch0 --vlan 5000 --all-physical --yes
expect_rc 4 "unknown cluster" nestlab security --vswitch vSwitch0 --promiscuous accept --cluster Physcal --yes
labsim_personality esx-host || expect_in "Physical" "suggests the close match"
expect_rc 4 "unknown vSwitch" nestlab security --vswitch vSwitch9 --promiscuous accept --all-physical --yes
expect_in "vSwitch9" "names the unknown vSwitch"
expect_rc 2 "an empty scope is an error" nestlab security --vswitch vSwitch0 --promiscuous accept --yes
expect_rc 2 "accept or reject only" nestlab security --vswitch vSwitch0 --promiscuous maybe --all --yes

# A hostile port-group name reaches vCenter byte-exact (XML escaping).
hostile="Trunk a'b \"c\" \$(touch /tmp/pwned); <x>&amp; é"
expect_rc 0 "trunk with a hostile name" nestlab trunk --portgroup "$hostile" --vswitch vSwitch0 --host esx-p01.lab.invalid --yes
ok "labsim: the hostile name arrived byte-exact" state_py \
  "any(p['name']==$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$hostile") and p['vlan']==4095 for p in H['esx-p01.lab.invalid']['portgroups'])"
ok "nothing was executed" test ! -e /tmp/pwned
expect_rc 0 "undo of the hostile name" nestlab undo --yes

# A fault in the middle of an apply: that host fails with the server's message, the other
# finishes, the exit status says so, and the journal records exactly that.
labsim_ctl POST /fault '{"method":"UpdateVirtualSwitch","fault":"HostConfigFault","count":1,"message":"injected failure"}' >/dev/null
expect_rc 4 "one host fails mid-apply" nestlab security --vswitch vSwitch0 --promiscuous accept --all-physical --yes
expect_in "$((N - 1)) changed, 0 already compliant, 1 failed" "summary counts one failure"
expect_in "injected failure" "the server's message is shown"
OUT=$(nestlab journal --json 2>/dev/null)
py_check "journal: one ok and one failed step with the message" \
  'sorted(s["result"] for s in d["entries"][-1]["steps"])=='"$results"' and any("injected failure" in (s.get("error") or "") for s in d["entries"][-1]["steps"])'
expect_rc 0 "re-running fixes only what is still wrong" nestlab security --vswitch vSwitch0 --promiscuous accept --all-physical --yes
expect_in "1 changed, $((N - 1)) already compliant, 0 failed" "only the failed host is changed"

# vCenter stopped in the middle of the apply: one host at a time, vCenter goes away as soon as
# the first host's change has been answered (labsim's deterministic stop); the second host fails
# with a clear connection error, nothing hangs, and the journal records exactly that.
labsim_ctl POST /vcenter/stop '{"after":"UpdateVirtualSwitch"}' >/dev/null
# (With one host, as under esx-host, vCenter goes away after the only step, during the verify.)
if [ "$N" -gt 1 ]; then
    expect_rc 3 "vCenter stops mid-apply: a clear connection error" \
      timeout 120 "$NL_BUILD_DIR/tui/nestlab" -c "$LABSIM_CONFIG" security --vswitch vSwitch0 --promiscuous reject --all-physical --parallel 1 --yes
    expect_in "Cannot connect" "the failure names the connection problem"
else
    timeout 120 "$NL_BUILD_DIR/tui/nestlab" -c "$LABSIM_CONFIG" security --vswitch vSwitch0 --promiscuous reject --all-physical --parallel 1 --yes
fi
labsim_ctl POST /vcenter/start >/dev/null
# The journal says exactly what happened: every step it calls ok is applied. A failed one may
# have been applied by the server all the same (its reply was lost when vCenter stopped): the
# journal keeps it as failed with its before value, and undo looks at it (issue 14).
journal=$(nestlab journal --json 2>/dev/null)
truth=$(labsim_state)
OUT=$(python3 -c '
import json,sys
j=json.loads(sys.argv[1]); t=json.loads(sys.argv[2])
prom={h["name"]:h["vswitches"][0]["security"]["promiscuous"] for h in t["hosts"]}
steps=j["entries"][-1]["steps"]
print(json.dumps({"steps":len(steps),"failed":sum(s["result"]=="failed" for s in steps),
  "agree":all(prom[s["host"]]==False for s in steps if s["result"]=="ok")}))' "$journal" "$truth")
py_check "journal agrees with labsim after vCenter stopped mid-apply" 'd["steps"]=='"$N"' and d["failed"]>='"$((N - 1))"' and d["agree"]'
check_done
