#!/usr/bin/env bash
# Lab readiness (issue 9) on the default lab: the check lists exactly the lab's problems and
# nothing false; --fix applies every fixable finding in one confirmed plan, and afterwards only
# findings that need a person remain, and the report says so.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/labsim.sh"
. "$here/../lib/check.sh"
[ -x "$NL_BUILD_DIR/tui/nestlab" ] || nl_skip "nestlab is not built"
labsim_start
state_py() { labsim_state | python3 -c "import json,sys; d=json.load(sys.stdin); H={h['name']:h for h in d['hosts']}; V={v['name']:v for v in d['vms']}; sys.exit(0 if ($1) else 1)"; }
findings='sorted((f["severity"],f["rule"],f["objects"][0]["name"]) for f in R["findings"])'

expect_rc 1 "check on the default lab: errors, exit 1" nestlab check
expect_in "Readiness: 8 errors, 2 warnings" "the summary counts"
OUT=$(nestlab check --json 2>/dev/null)
py_check "exactly the default lab's problems, nothing false" "(lambda R: $findings == sorted([
  ('error','host.trunk-portgroup','esx-p01.lab.invalid'), ('error','host.trunk-portgroup','esx-p02.lab.invalid'),
  ('error','host.security','esx-p01.lab.invalid'), ('error','host.security','esx-p02.lab.invalid'),
  ('error','layout.nested-host-down','esx-n04.lab.invalid'),
  ('error','vm.nested-hv','n-esx04'), ('error','vm.hw-version','n-esx04'), ('error','vm.nested-hv','kvm04'),
  ('warning','vm.tools','n-esx03'), ('warning','vm.tools','n-esx04')]))(d)"
py_check "every finding has a why and a fix" 'all(f["why"] and f["fix"] for f in d["findings"])'

before=$(labsim_state | md5sum)
expect_rc 1 "--fix --dry-run shows the plan (errors remain: exit 1)" nestlab check --fix --dry-run
expect_in "Fix plan (5 change(s))" "five changes planned"
expect_in "VM 'kvm04': nested HV off -> on" "nested HV on kvm04 is in the plan"
expect_not_in "VM 'n-esx04'" "n-esx04 (vmx-08) is not in the plan"
expect_rc 2 "--fix without --yes and without a terminal changes nothing" nestlab check --fix </dev/null
ok "labsim unchanged" test "$(labsim_state | md5sum)" = "$before"

OUT=$(nestlab check --fix --yes --json 2>/dev/null)
py_check "--fix: one plan, five changes applied and verified" \
  'sum(1 for s in d["plan"]["steps"] if s["result"]=="ok" and s["verify"]=="verified")==5'
py_check "--fix: every remaining error needs a person" \
  'd["remaining"]["errors"]>0 and d["remaining"]["fixable"]==0 and d["remaining"]["need_a_person"]==d["remaining"]["errors"]'
py_check "--fix: the fixed findings are gone" \
  'not any(f["rule"] in ("host.trunk-portgroup","host.security") or (f["rule"]=="vm.nested-hv" and f["objects"][0]["name"]=="kvm04") for f in d["after"]["findings"])'
py_check "--fix: n-esx04 still needs its hardware upgraded by a person" \
  'any(f["rule"]=="vm.hw-version" and f["objects"][0]["name"]=="n-esx04" and not f["fix_intent"]["automatic"] for f in d["after"]["findings"])'
ok "labsim: physical hosts accept all three and have the trunk" state_py \
  'all(H[h]["vswitches"][0]["security"]=={"promiscuous":True,"forged_transmits":True,"mac_changes":True} and any(p["vlan"]==4095 for p in H[h]["portgroups"]) for h in ("esx-p01.lab.invalid","esx-p02.lab.invalid"))'
ok "labsim: kvm04 nested HV on" state_py 'V["kvm04"]["nested_hv"]==True'
expect_rc 1 "check after the fix: errors that need a person remain" nestlab check --fix --dry-run
expect_in "each needs a person" "the report says the rest needs a person"
OUT=$(nestlab journal --json 2>/dev/null)
py_check "the fix is ONE journaled change set of five steps" \
  'len(d["entries"])==1 and len([s for s in d["entries"][0]["steps"] if s["result"]=="ok"])==5'
expect_rc 0 "the whole fix undoes in one go" nestlab undo --yes
ok "labsim: kvm04 back to no nested HV, no trunk on esx-p01" state_py \
  'V["kvm04"]["nested_hv"]==False and not any(p["vlan"]==4095 for p in H["esx-p01.lab.invalid"]["portgroups"])'

check_done
