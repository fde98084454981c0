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

[ "$failures" -eq 0 ] || nl_fail "$failures check(s) failed"
echo "all esx_clones checks passed"
