#!/usr/bin/env bash
# Cloned nested hosts (issue 13) against labsim:
#  1. the nested-HV edit removes every line the .vmx parser reads as vhv.enable (any case,
#     blanks around the key), through the real command and labsim's BusyBox-like sed;
#  2. a lab whose two nested ESXi VMs share a BIOS UUID and a vmk0 MAC (labs/clones.json).
set -u
. "${NL_SOURCE_DIR:?}/tests/lib/labsim.sh"

PROBE=$NL_BUILD_DIR/tests/integration/esx_probe
[ -x "$PROBE" ] || nl_fail "esx_probe is not built ($PROBE)"
failures=0
check() { # check DESCRIPTION COMMAND...: the command must succeed
    if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1" >&2; failures=$((failures + 1)); fi
}

# --- 1. vhv.enable in any spelling ----------------------------------------------------------
labsim_start
OUT=$LABSIM_DIR/out
ERR=$LABSIM_DIR/err
P02=esx-p02.lab.invalid
PORT02=$(labsim_ssh_port $P02)
probe() { "$PROBE" --name $P02 --port "$PORT02" --known-hosts "$LABSIM_KNOWN_HOSTS" "$@" >"$OUT" 2>"$ERR"; }
state() { labsim_state >"$LABSIM_DIR/state.json"; }
py() { python3 -c "import json,sys; d=json.load(open('$LABSIM_DIR/state.json')); sys.exit(0 if ($1) else 1)"; }
vm() { echo "[v for v in d['vms'] if v['name']=='$1'][0]"; }
VMX=/vmfs/volumes/datastore1/kvm04/kvm04.vmx
# Lines a hand edit or another tool leaves behind; sed's `a` drops leading blanks, so the
# indented ones get them from a second s/// pass.
probe run sed -i -e '$a VHV.enable = "FALSE"' -e '$a X  vhv.ENABLE="false"' \
    -e '$a X	VhV.EnAbLe	 =  "no"' -e '$a vhv.enablex = "keep"' "$VMX"
check "stray vhv.enable spellings written" test $? -eq 0
probe run sed -i -e 's/^X//' "$VMX"
probe run cat "$VMX"
check "the .vmx holds the stray lines" grep -q '^  vhv.ENABLE="false"$' "$OUT"
probe nested-hv kvm04 on
check "nested HV on kvm04 over SSH" grep -q '^ok$' "$OUT"
probe run cat "$VMX"
check "no line in another spelling survives the edit" test "$(grep -ci 'vhv\.enable[[:space:]]*=' "$OUT")" = 1
check "the one vhv.enable line says TRUE" grep -qx 'vhv.enable = "TRUE"' "$OUT"
check "other keys untouched" grep -qx 'vhv.enablex = "keep"' "$OUT"
state
check "state: kvm04 nested_hv true" py "$(vm kvm04)['nested_hv'] is True"
probe run sed -i -e '$a VHV.ENABLE = "TRUE"' -e '$a X vhv.enable="true"' "$VMX"
probe run sed -i -e 's/^X//' "$VMX"
probe nested-hv kvm04 off
probe run cat "$VMX"
check "off: no TRUE line in another spelling survives" test "$(grep -ci 'vhv\.enable[[:space:]]*=' "$OUT")" = 1
check "off: the one vhv.enable line says FALSE" grep -qx 'vhv.enable = "FALSE"' "$OUT"
state
check "state: kvm04 nested_hv false" py "$(vm kvm04)['nested_hv'] is False"
labsim_stop

# --- 2. three copies of one nested ESXi VM --------------------------------------------------
labsim_start --lab "$NL_SOURCE_DIR/tests/labsim/labs/clones.json"
OUT=$LABSIM_DIR/out
ERR=$LABSIM_DIR/err
J=$LABSIM_DIR/json
UUID=564d9b2a-3a7c-1f22-a51f-0a7e9644435c
MAC=00:50:56:a1:5c:01
# jq EXPR: a Python expression over the JSON document in $J (d) and the lab's state (s).
jq() {
    labsim_state >"$LABSIM_DIR/state.json"
    python3 -c "import json,sys; d=json.load(open('$J')); s=json.load(open('$LABSIM_DIR/state.json'))
E=d['endpoints'][0] if 'endpoints' in d else None
H={h['name']:h for h in E['hosts']} if E else {}
V={v['name']:v for v in E['vms']} if E else {}
S={h['name']:h for h in s['hosts']}; SV={v['name']:v for v in s['vms']}
sys.exit(0 if ($1) else 1)"
}
C1="n-esx01 clone 1"
C2="n-esx01 clone 2"
NESTED='("esx-n01.lab.invalid","esx-n05.lab.invalid")'

nestlab inventory --json >"$J" 2>"$ERR"
check "vCenter: inventory --json" test $? -eq 0
check "vCenter: three VMs, three ids" jq "len(V)==3 and len({v['id'] for v in E['vms']})==3"
check "vCenter: both nested hosts hold the shared UUID" jq "all(H[h]['bios_uuid'].lower()=='$UUID' for h in $NESTED)"
check "vCenter: their link is ambiguous, no backing VM" jq "all(H[h]['link']=='ambiguous' and H[h]['backing_vm'] is None for h in $NESTED)"
check "vCenter: their vmk0 MAC is the shared one" jq "all(H[h]['vmk0_mac']=='$MAC' for h in $NESTED)"
check "vCenter: each host's vmk0 MAC is the lab's" jq "all(H[n]['vmk0_mac']==S[n]['vmk0_mac'] for n in S)"
check "vCenter: the physical host's vmk0 MAC is its own" jq "H['esx-p01.lab.invalid']['vmk0_mac'] not in (None,'$MAC')"
python3 -c "import json; d=json.load(open('$J')); print(json.dumps({v['name']:v['id'] for v in d['endpoints'][0]['vms']}))" >"$LABSIM_DIR/ids.json"
id_of() { python3 -c "import json; print(json.load(open('$LABSIM_DIR/ids.json'))['$1'])"; }

nestlab check --json >"$J" 2>"$ERR"
check "check: exit 1 (an error finding)" test $? -eq 1
rule() { echo "[f for f in d['findings'] if f['rule']=='$1']"; }
objs() { echo "{o['name'] for o in $(rule "$1")[0]['objects']}"; }
check "check: shared BIOS UUID names both hosts and the three VMs" \
    jq "len($(rule nested.shared-bios-uuid))==1 and $(objs nested.shared-bios-uuid)=={'esx-n01.lab.invalid','esx-n05.lab.invalid','n-esx01','$C1','$C2'}"
check "check: shared vmk0 MAC names both nested hosts, error, with the fix" \
    jq "len($(rule nested.shared-vmk0-mac))==1 and $(objs nested.shared-vmk0-mac)=={'esx-n01.lab.invalid','esx-n05.lab.invalid'} and $(rule nested.shared-vmk0-mac)[0]['severity']=='error' and 'FollowHardwareMac' in $(rule nested.shared-vmk0-mac)[0]['fix']"

# Over SSH, with the cache vCenter left.
nestlab --direct inventory --json >"$J" 2>"$ERR"
check "SSH: inventory --json" test $? -eq 0
check "SSH: read over SSH" jq "E['source']=='ssh' and H['esx-p01.lab.invalid']['source']=='ssh'"
check "SSH: three VMs, each with its vCenter id" \
    jq "len(V)==3 and all(V[n]['id']==i for n,i in json.load(open('$LABSIM_DIR/ids.json')).items())"
check "SSH: each VM's own state (clone 2 off, nested HV off)" \
    jq "V['$C2']['power']=='off' and V['$C2']['nested_hv'] is False and V['n-esx01']['nested_hv'] is True and V['$C1']['power']=='on'"
check "SSH: the nested hosts' link is ambiguous" jq "all(H[h]['link']=='ambiguous' and H[h]['backing_vm'] is None for h in $NESTED)"
check "SSH: vmk0 MACs read over SSH" jq "all(H[n]['vmk0_mac']==S[n]['vmk0_mac'] for n in S) and H['esx-n05.lab.invalid']['vmk0_mac']=='$MAC'"
nestlab --direct security --vswitch vSwitch0 --promiscuous accept --all-physical --dry-run >"$OUT" 2>&1
check "SSH: --all-physical leaves the ambiguous nested hosts out" bash -c "grep -q esx-p01 '$OUT' && ! grep -q 'esx-n0[15]' '$OUT'"

# The change goes to the VM named, by its vmid and .vmx, not to whichever has the UUID first.
vmx_of() { labsim_state | python3 -c "import json,sys; print([v['vmx'] for v in json.load(sys.stdin)['vms'] if v['name']==sys.argv[1]][0])" "$1"; }
P01=esx-p01.lab.invalid
PORT01=$(labsim_ssh_port $P01)
cat_vmx() { "$PROBE" --name $P01 --port "$PORT01" --known-hosts "$LABSIM_KNOWN_HOSTS" run cat "$(vmx_of "$1")"; }
cat_vmx n-esx01 >"$LABSIM_DIR/before-0"
cat_vmx "$C1" >"$LABSIM_DIR/before-1"
nestlab --direct nested-hv on "$C2" --yes >"$OUT" 2>&1
check "SSH: nested HV on clone 2" test $? -eq 0
check "lab: clone 2 has nested HV now, the others as they were" \
    jq "SV['$C2']['nested_hv'] is True and SV['n-esx01']['nested_hv'] is True and SV['$C1']['nested_hv'] is True"
cat_vmx "$C2" >"$LABSIM_DIR/after-2"
check "clone 2's .vmx says vhv.enable TRUE" grep -qx 'vhv.enable = "TRUE"' "$LABSIM_DIR/after-2"
check "n-esx01's .vmx untouched" bash -c "diff -q '$LABSIM_DIR/before-0' <('$PROBE' --name $P01 --port $PORT01 --known-hosts '$LABSIM_KNOWN_HOSTS' run cat '$(vmx_of n-esx01)')"
check "clone 1's .vmx untouched" bash -c "diff -q '$LABSIM_DIR/before-1' <('$PROBE' --name $P01 --port $PORT01 --known-hosts '$LABSIM_KNOWN_HOSTS' run cat '$(vmx_of "$C1")')"
nestlab journal --json >"$J" 2>"$ERR"
ID2=$(id_of "$C2")
check "journal: the change names clone 2 by its own id ($ID2)" \
    jq "[(st['vm_id'],st['vm'],st['result'],st['verify']) for e in d['entries'] for st in e['steps']]==[('$ID2','$C2','ok','verified')]"

# Over SSH with no cache at all: the hosts from the config, the UUIDs from the hosts themselves.
export XDG_CACHE_HOME=$LABSIM_DIR/empty-cache XDG_STATE_HOME=$LABSIM_DIR/state2
nestlab --direct inventory --json >"$J" 2>"$ERR"
check "SSH, no cache: inventory --json" test $? -eq 0
check "SSH, no cache: three VMs with ssh ids" jq "len(V)==3 and all(v['id'].startswith('ssh:') for v in E['vms']) and len({v['id'] for v in E['vms']})==3"
check "SSH, no cache: UUIDs from hardware platform get, links ambiguous" \
    jq "all(H[h]['bios_uuid']=='$UUID' and H[h]['link']=='ambiguous' for h in $NESTED)"
check "SSH, no cache: vmk0 MACs" jq "all(H[h]['vmk0_mac']=='$MAC' for h in $NESTED)"
labsim_stop

[ "$failures" -eq 0 ] || nl_fail "$failures check(s) failed"
echo "all esx_clones checks passed"
