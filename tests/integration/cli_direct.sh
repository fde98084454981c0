#!/usr/bin/env bash
# vCenter down (issue 7): the inventory from the cache plus live SSH reads, the same change
# commands over SSH, host keys (unknown refused unless accepted, changed always refused), wrong
# password, a host that is down, --direct and ssh_only endpoints, and after vCenter is back the
# changes visible through vCenter and the journal reconciled.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/labsim.sh"
. "$here/../lib/check.sh"
[ -x "$NL_BUILD_DIR/tui/nestlab" ] || nl_skip "nestlab is not built"
labsim_start
NL=$NL_BUILD_DIR/tui/nestlab
state_py() { labsim_state | python3 -c "import json,sys; d=json.load(sys.stdin); H={h['name']:h for h in d['hosts']}; V={v['name']:v for v in d['vms']}; sys.exit(0 if ($1) else 1)"; }

expect_rc 0 "inventory through vCenter fills the cache" nestlab inventory
labsim_ctl POST /vcenter/stop >/dev/null

expect_rc 0 "inventory with vCenter stopped" nestlab inventory
expect_in "is unreachable" "says vCenter is unreachable"
expect_in "over SSH" "says it works over SSH"
expect_in "vc-lab (ssh," "the lab's source is SSH"
expect_in "host esx-n01.lab.invalid ⇐ n-esx01 [connected]" "nested links kept (BIOS UUID read from the .vmx)"
expect_in "esx-n04.lab.invalid: Cannot connect" "the host with SSH down is named"
expect_in "[not-responding] via cache" "that host is shown from the cache"
OUT=$(nestlab inventory --json 2>/dev/null)
py_check "JSON: hosts read live carry source ssh, the unreachable one cache" \
  '{h["name"]:h["source"] for h in d["endpoints"][0]["hosts"]}["esx-p01.lab.invalid"]=="ssh" and {h["name"]:h["source"] for h in d["endpoints"][0]["hosts"]}["esx-n04.lab.invalid"]=="cache"'

# The same commands, over SSH.
expect_rc 0 "security over SSH on every physical host" \
  nestlab security --vswitch vSwitch0 --promiscuous accept --forged-transmits accept --mac-changes accept --all-physical --yes
expect_in "2 changed" "two hosts changed over SSH"
ok "labsim: both physical hosts accept" state_py \
  'all(H[h]["vswitches"][0]["security"]["promiscuous"] for h in ("esx-p01.lab.invalid","esx-p02.lab.invalid"))'
hostile="Trunk 'q' \"dq\" \$(id) ; \`uname\` & é"
expect_rc 0 "trunk with a hostile name over SSH" nestlab trunk --portgroup "$hostile" --vswitch vSwitch0 --all-physical --yes
ok "labsim: the hostile name arrived byte-exact over SSH" state_py \
  "all(any(p['name']==$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$hostile") and p['vlan']==4095 for p in H[h]['portgroups']) for h in ('esx-p01.lab.invalid','esx-p02.lab.invalid'))"
expect_rc 0 "nested HV on powered-off kvm04 over SSH (.vmx + reload)" nestlab nested-hv on kvm04 --yes
ok "labsim: kvm04 nested HV on" state_py 'V["kvm04"]["nested_hv"]==True'
expect_rc 4 "nested HV off on powered-on kvm01 refused over SSH" nestlab nested-hv off kvm01 --yes
expect_in "powered on" "the refusal says why"
OUT=$(nestlab journal --json 2>/dev/null)
py_check "journal marks the changes as made over SSH" 'len(d["entries"])==3 and all(e["transport"]=="ssh" for e in d["entries"])'

# A host that goes down: the others are still changed, the plan says why that one is not.
labsim_ctl POST /host/esx-p02.lab.invalid/down >/dev/null
expect_rc 4 "security over SSH with one physical host down: exit 4 (one step cannot be done)" \
  nestlab security --vswitch vSwitch0 --mac-changes reject --all-physical --yes
expect_in "host 'esx-p02.lab.invalid' is not responding" "the plan says why the down host is skipped"
expect_in "1 changed" "the reachable host is changed"
labsim_ctl POST /host/esx-p02.lab.invalid/up >/dev/null
expect_rc 0 "put MAC changes back" nestlab undo --yes

# vCenter back: the SSH changes are what vCenter reports, and the journal says so.
labsim_ctl POST /vcenter/start >/dev/null
expect_rc 0 "inventory through vCenter again" nestlab inventory
expect_in "vc-lab (vcenter," "source is vCenter again"
expect_in "host esx-p01.lab.invalid [connected] vSwitch0 promiscuous:accept" "vCenter shows the SSH change"
expect_rc 0 "journal --reconcile" nestlab journal --reconcile
expect_in "vCenter shows all 2 change(s) as applied" "the SSH security change reconciles"
expect_in "vCenter shows all 1 change(s) as applied" "the SSH nested-HV change reconciles"
OUT=$(nestlab journal --reconcile --json 2>/dev/null)
py_check "reconcile JSON: every SSH change as applied" \
  'len(d["entries"])>=3 and all(e["as_applied"]==e["applied"] for e in d["entries"])'

# --direct with vCenter up, and an endpoint that has no vCenter at all.
expect_rc 0 "--direct skips a live vCenter" nestlab --direct inventory
expect_in "vc-lab (ssh," "direct mode reads over SSH"
python3 - "$LABSIM_CONFIG" "$LABSIM_DIR/sshonly.json" <<'PY'
import json,sys
c=json.load(open(sys.argv[1])); e=c["endpoints"][0]
e["name"]="hosts-only"; e["ssh_only"]=True; e.pop("url",None)
json.dump(c,open(sys.argv[2],"w"))
PY
chmod 600 "$LABSIM_DIR/sshonly.json"
expect_rc 0 "an ssh_only endpoint with no cache reads the configured hosts" "$NL" -c "$LABSIM_DIR/sshonly.json" inventory
expect_in "esx-p01.lab.invalid" "hosts listed from the config"

# A host that hangs mid-command: its read times out, the others are read meanwhile.
python3 - "$LABSIM_DIR/sshonly.json" "$LABSIM_DIR/short.json" <<'PY'
import json,sys
c=json.load(open(sys.argv[1])); c["endpoints"][0]["ssh"]["command_timeout_s"]=3
json.dump(c,open(sys.argv[2],"w"))
PY
chmod 600 "$LABSIM_DIR/short.json"
labsim_ctl POST /host/esx-p02.lab.invalid/hang >/dev/null
start=$(date +%s)
expect_rc 0 "a hung host does not stop the others" "$NL" -c "$LABSIM_DIR/short.json" inventory
took=$(( $(date +%s) - start ))
expect_in "esx-p02.lab.invalid: " "the hung host is named"
expect_in "in time" "its error says it timed out"
expect_in "host esx-p01.lab.invalid [connected]" "the other hosts were read live"
ok "the hung host cost about its timeout, not more (${took}s)" test "$took" -lt 20
labsim_ctl POST /host/esx-p02.lab.invalid/unhang >/dev/null

# Host keys: unknown refused without --accept-new-host-keys, accepted with it; changed refused.
python3 - "$LABSIM_DIR/sshonly.json" "$LABSIM_DIR/newkeys.json" "$LABSIM_DIR/kh-empty" <<'PY'
import json,sys
c=json.load(open(sys.argv[1])); c["endpoints"][0]["ssh"]["known_hosts"]=sys.argv[3]
json.dump(c,open(sys.argv[2],"w"))
PY
chmod 600 "$LABSIM_DIR/newkeys.json"; : > "$LABSIM_DIR/kh-empty"
expect_rc 3 "unknown host keys are refused headless" "$NL" -c "$LABSIM_DIR/newkeys.json" inventory
expect_in "SHA256:" "the refusal shows the fingerprint"
ok "nothing was written to known_hosts" test ! -s "$LABSIM_DIR/kh-empty"
expect_rc 0 "--accept-new-host-keys records them" "$NL" -c "$LABSIM_DIR/newkeys.json" --accept-new-host-keys inventory
ok "known_hosts now holds the keys" grep -q ecdsa-sha2 "$LABSIM_DIR/kh-empty"
# Give esx-p01's entry the key of esx-p02: a changed key.
p1=$(labsim_ssh_port esx-p01.lab.invalid); p2=$(labsim_ssh_port esx-p02.lab.invalid)
key2=$(grep "^\[127.0.0.1\]:$p2 " "$LABSIM_DIR/kh-empty" | cut -d' ' -f2-)
grep -v "^\[127.0.0.1\]:$p1 " "$LABSIM_DIR/kh-empty" > "$LABSIM_DIR/kh-changed"
echo "[127.0.0.1]:$p1 $key2" >> "$LABSIM_DIR/kh-changed"
sed "s|$LABSIM_DIR/kh-empty|$LABSIM_DIR/kh-changed|" "$LABSIM_DIR/newkeys.json" > "$LABSIM_DIR/changed.json"; chmod 600 "$LABSIM_DIR/changed.json"
expect_rc 0 "a changed key: that host is refused, the rest are read" "$NL" -c "$LABSIM_DIR/changed.json" --accept-new-host-keys inventory
expect_in "esx-p01.lab.invalid: " "the changed host is named"
expect_in "CHANGED" "the refusal is loud about the changed key"
expect_rc 4 "no change goes to a host whose key changed" "$NL" -c "$LABSIM_DIR/changed.json" security --vswitch vSwitch0 --promiscuous reject --host esx-p01.lab.invalid --yes

# Wrong SSH password: nothing readable, the cache is shown and the exit status says so.
expect_rc 3 "wrong SSH password" env NESTLAB_SSH_PASSWORD=wrong NESTLAB_PASSWORD=wrong "$NL" -c "$LABSIM_DIR/sshonly.json" inventory
expect_not_in "password: wrong" "the password is not echoed"
check_done
