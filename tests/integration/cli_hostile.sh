#!/usr/bin/env bash
# Names that reach a terminal (issue 13): a lab whose cluster, VM and port-group names carry ESC
# sequences (CSI 2J, OSC 0 and OSC 52), CSI as the C1 control U+009B, BEL, CR and U+202E, plus a
# vCenter fault, a journal entry and command-line names carrying the same. Every human output
# (stdout and stderr of inventory, drift, check, change previews, a failed apply, the journal,
# error messages, over vCenter and over SSH) must hold none of those characters raw and must show
# them as visible escapes; --json must hold the exact names.
#
# Over SOAP, XML cannot carry C0 controls (the simulator sends U+FFFD for them, as a real server
# could not send them at all), so vCenter names test C1, bidi and CR; ESC and BEL arrive over
# SSH (vim-cmd), from the journal and from the command line.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/labsim.sh"
. "$here/../lib/check.sh"
[ -x "$NL_BUILD_DIR/tui/nestlab" ] || nl_skip "nestlab is not built"
labsim_start --lab "$NL_SOURCE_DIR/tests/labsim/labs/hostile.json"
T=$LABSIM_DIR/out
mkdir -p "$T"

# run NAME ARGS...: nestlab's stdout in $T/NAME.out, stderr in $T/NAME.err, exit status in RC.
run() {
    local name=$1
    shift
    nestlab "$@" >"$T/$name.out" 2>"$T/$name.err"
    RC=$?
}

# clean NAME: neither stream holds a byte a terminal acts on: C0 but newline, DEL, C1 (as
# UTF-8 or as raw bytes), bidi controls; and both are valid UTF-8 (invalid bytes are escaped).
clean() {
    local f
    for f in "$T/$1.out" "$T/$1.err"; do
        if ! python3 - "$f" <<'PY'; then
import sys
b = open(sys.argv[1], 'rb').read()
bidi = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | {0x200E, 0x200F, 0x061C}
try:
    s = b.decode('utf-8')
except UnicodeDecodeError as e:
    print('not UTF-8 at byte', e.start, b[max(0, e.start - 20):e.start + 20])
    sys.exit(1)
for i, ch in enumerate(s):
    o = ord(ch)
    if (o < 0x20 and ch != '\n') or o == 0x7F or 0x80 <= o <= 0x9F or o in bidi:
        print('raw U+%04X at %d: %r' % (o, i, s[max(0, i - 30):i + 30]))
        sys.exit(1)
PY
            _nl_report 1 "$1: no raw control, C1 or bidi character in $(basename "$f")"
            return
        fi
    done
    _nl_report 0 "$1: no raw control, C1 or bidi character on stdout or stderr"
}

# shows NAME NEEDLE WHAT: stdout or stderr of NAME contains NEEDLE (fixed string).
shows() {
    if grep -qF -- "$2" "$T/$1.out" "$T/$1.err"; then _nl_report 0 "$1: $3"; else
        OUT=$(cat "$T/$1.out" "$T/$1.err")
        _nl_report 1 "$1: $3 (missing: $2)"
    fi
}

# json NAME 'python expression over d': the JSON on NAME's stdout.
json() {
    if python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$T/$1.out"; then
        _nl_report 0 "$1: $3"
    else
        OUT=$(head -c 3000 "$T/$1.out")
        _nl_report 1 "$1: $3"
    fi
}

rc_is() { if [ "$RC" = "$1" ]; then _nl_report 0 "$2"; else OUT="exit $RC, wanted $1"; _nl_report 1 "$2"; fi; }

# ---- through vCenter ----------------------------------------------------------------------
run inventory inventory
rc_is 0 "inventory through vCenter"
clean inventory
shows inventory 'cluster Phys' "the cluster is listed"
shows inventory '\u009B31m\u202Eical' "C1 CSI and U+202E in a cluster name shown escaped"
shows inventory '\x0D [physical]' "CR in a cluster name shown escaped"
shows inventory '\x0D\u009B2J\u202Egpj.exe [off]' "CR, C1 and U+202E in a VM name shown escaped"
shows inventory "trunk:Trunk\\u009B31m\\x0D\\u202E<b>&\"'" "a hostile port-group name shown escaped"

run inventory_json inventory --json
rc_is 0 "inventory --json"
json inventory_json "any('\u009b31m\u202eical' in c['name'] and c['name'].endswith('\r') for c in d['endpoints'][0]['clusters'])" \
  "JSON holds the exact cluster name (C1, U+202E, CR)"
json inventory_json "any(v['name'].startswith('kvm') and v['name'].endswith(']52;c;cHduZWQ=\ufffd\r\u009b2J\u202egpj.exe') for v in d['endpoints'][0]['vms'])" \
  "JSON holds the exact VM name"
json inventory_json "any(p['name']=='Trunk\u009b31m\r\u202e<b>&\"\'' for h in d['endpoints'][0]['hosts'] for p in h.get('portgroups', []))" \
  "JSON holds the exact port-group name"
CLUSTER=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.stdout.write([c['name'] for c in d['endpoints'][0]['clusters'] if 'ical' in c['name']][0])" "$T/inventory_json.out")
VM=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.stdout.write([v['name'] for v in d['endpoints'][0]['vms'] if 'gpj' in v['name']][0])" "$T/inventory_json.out")

run drift drift
rc_is 0 "drift"
clean drift
shows drift '\u009B31m\u202Eical' "the cluster heading shows C1 and U+202E escaped"
shows drift "trunk port group 'Trunk\\u009B31m\\x0D\\u202E<b>&\"'" "the port-group name shown escaped"

run check check
clean check
shows check '\u009B2J\u202Egpj.exe' "findings name the VM escaped"

# Change previews: the names come from the lab (a VM) and from the command line (raw ESC).
run preview_vm nested-hv on "$VM" --dry-run
rc_is 0 "nested-hv preview of the hostile VM"
clean preview_vm
shows preview_vm '\x0D\u009B2J\u202Egpj.exe' "the preview names the VM escaped"
run preview_cluster security --vswitch vSwitch0 --promiscuous accept --cluster "$CLUSTER" --dry-run
rc_is 0 "security preview on the hostile cluster"
clean preview_cluster
osc=$'Trunk\e]52;c;cHduZWQ=\a\e[2J\r\xc2\x9b31m\xe2\x80\xaeX'
run preview_trunk trunk --portgroup "$osc" --vswitch vSwitch0 --all-physical --dry-run
rc_is 0 "trunk preview with an OSC 52 port-group name"
clean preview_trunk
shows preview_trunk '\x1B]52;c;cHduZWQ=\x07\x1B[2J\x0D\u009B31m\u202EX' "the preview shows OSC 52, CSI, BEL, CR, C1 and U+202E escaped"
run preview_trunk_json trunk --portgroup "$osc" --vswitch vSwitch0 --all-physical --dry-run --json
json preview_trunk_json "any(s.get('portgroup')=='Trunk\x1b]52;c;cHduZWQ=\x07\x1b[2J\r\u009b31m\u202eX' for s in d['steps'])" \
  "the JSON plan holds the exact port-group name"

# Errors that quote a name given on the command line.
run unknown_host monitor --hosts "$osc"
rc_is 4 "an unknown hostile host name"
clean unknown_host
shows unknown_host '\x1B]52;c;cHduZWQ=\x07' "the error quotes the name escaped"
run unknown_cluster security --vswitch vSwitch0 --promiscuous accept --cluster "$osc" --dry-run
clean unknown_cluster
shows unknown_cluster '\x1B]52;c;' "the scope error quotes the name escaped"

# A vCenter fault whose text carries C1 CSI, U+202E, CR and LF.
labsim_ctl POST /fault '{"method":"UpdateVirtualSwitch","fault":"HostConfigFault","count":1,"message":"refused \u009b2J \u202eevil\r\nline two"}' >/dev/null
run fault security --vswitch vSwitch0 --promiscuous reject --forged-transmits reject --all-physical --yes
rc_is 4 "an apply with a hostile fault fails on one host"
clean fault
shows fault 'refused \u009B2J \u202Eevil' "the fault text is shown escaped"

run journal journal
rc_is 0 "journal"
clean journal
shows journal 'refused \u009B2J \u202Eevil' "the journal shows the fault escaped"
run journal_json journal --json
json journal_json "any('refused \u009b2J \u202eevil' in (s.get('error') or '') for e in d['entries'] for s in e['steps'])" \
  "journal --json holds the exact fault text"

# A journal entry written by anything (the file is plain JSON lines): ESC, OSC 52, BEL, CR in it.
JOURNAL=$HOME/.local/state/nestlab/journal.jsonl
python3 - "$JOURNAL" <<'PY'
import json, sys
path = sys.argv[1]
e = json.loads(open(path).readline())
e['id'] = 'forged\x1b[2J'
e['intent'] = 'intent \x1b]52;c;cHduZWQ=\x07\r\u009b31m\u202eX'
e['steps'][0]['host'] = 'esx\x1b]0;pwned\x07.lab.invalid'
e['steps'][0]['error'] = 'error \x1b[31m\x07\r\n\u009b1m'
with open(path, 'a') as f:
    f.write(json.dumps(e) + '\n')
PY
run journal_forged journal
clean journal_forged
shows journal_forged 'forged\x1B[2J' "a journal id shown escaped"
shows journal_forged 'intent \x1B]52;c;cHduZWQ=\x07\x0D\u009B31m\u202EX' "a journal intent shown escaped"
shows journal_forged 'esx\x1B]0;pwned\x07.lab.invalid' "a journal host shown escaped"
shows journal_forged 'error \x1B[31m\x07\x0D\x0A\u009B1m' "a journal error shown escaped, its newline too"

# ---- over SSH (vCenter down): raw ESC and BEL in a VM name ---------------------------------
labsim_ctl POST /vcenter/stop >/dev/null
run direct inventory
clean direct
shows direct 'vm kvm\x1B]52;c;cHduZWQ=\x07\x0D\u009B2J\u202Egpj.exe [off]' "a VM name read over SSH with OSC 52 shown escaped"
run direct_json inventory --json
json direct_json "any(v['name']=='kvm\x1b]52;c;cHduZWQ=\x07\r\u009b2J\u202egpj.exe' for v in d['endpoints'][0]['vms'])" \
  "JSON over SSH holds the exact VM name, ESC and BEL included"
run direct_check check
clean direct_check
shows direct_check 'kvm\x1B]52;c;cHduZWQ=\x07' "findings over SSH name the VM escaped"

check_done
