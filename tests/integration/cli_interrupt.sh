#!/usr/bin/env bash
# Changes that survive interruption (issue 14), on the 64-physical-host scale lab with SOAP
# latency: `security` + `trunk` on every physical host, interrupted at a random moment by
# SIGKILL, by SIGINT, by two SIGINTs, and by vCenter stopping; and two nestlab processes started
# together. After every run: the journal parses; every host is either as before or as after
# (never something else); every host that changed has a journal step that says so (applied,
# failed or unknown -- never "not applied"); and undo of every change set brings labsim's state
# back to exactly the original.
#
# NL_CHAOS_RUNS (default 6) SIGKILL runs; the other modes run 2 times each.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/labsim.sh"
. "$here/../lib/check.sh"
[ -x "$NL_BUILD_DIR/tui/nestlab" ] || nl_skip "nestlab is not built"
labsim_start --scale 64x256
LATENCY_MS=${NL_CHAOS_LATENCY_MS:-40}
RUNS=${NL_CHAOS_RUNS:-6}
NESTLAB=$NL_BUILD_DIR/tui/nestlab
SEC=(security --vswitch vSwitch0 --promiscuous accept --forged-transmits accept --all-physical --yes)
TRUNK=(trunk --portgroup Nested-Trunk --vswitch vSwitch0 --all-physical --yes)

# The network state of the physical hosts, canonical, for exact comparisons.
net_state() {
    labsim_state | python3 -c '
import json,sys
d=json.load(sys.stdin)
out={h["name"]:{"vs":sorted([(v["name"],json.dumps(v["security"],sort_keys=True),tuple(v["uplinks"])) for v in h["vswitches"]]),
                "pg":sorted([(p["name"],p["vswitch"],p["vlan"],json.dumps(p["override"],sort_keys=True)) for p in h["portgroups"]])}
     for h in d["hosts"] if h["name"].startswith("esx-p")}
print(json.dumps(out,sort_keys=True))'
}

# Every host before or after; every changed host journaled as sent; prints "ok" or why not.
CHECKER=$LABSIM_DIR/check_hosts.py
cat >"$CHECKER" <<'PY'
import json, sys
orig = json.loads(open(sys.argv[1]).read())
now = json.loads(sys.argv[2])
journal = json.loads(sys.argv[3])
problems = []
sent = {}  # (host, kind) -> states
for e in journal["entries"]:
    for s in e["steps"]:
        if s.get("status") == "planned":
            kind = "sec" if s["kind"] == "set_vswitch_security" else "pg"
            sent.setdefault((s["host"], kind), set()).add(s["state"])
for h, o in orig.items():
    n = now[h]
    vs_o = dict((v[0], json.loads(v[1])) for v in o["vs"])["vSwitch0"]
    vs_n = dict((v[0], json.loads(v[1])) for v in n["vs"])["vSwitch0"]
    after = dict(vs_o, promiscuous=True, forged_transmits=True)
    if vs_n not in (vs_o, after):
        problems.append("%s: vSwitch0 security is neither before nor after: %s" % (h, vs_n))
    if vs_n != vs_o and not (sent.get((h, "sec"), set()) & {"applied", "failed", "unknown"}):
        problems.append("%s: security changed but the journal says %s" % (h, sent.get((h, "sec"))))
    extra = [p for p in n["pg"] if p not in o["pg"]]
    missing = [p for p in o["pg"] if p not in n["pg"]]
    trunk_ok = all(p[0] == "Nested-Trunk" and p[2] == 4095 for p in extra) and len(extra) <= 1
    if missing or not trunk_ok:
        problems.append("%s: port groups neither before nor after: +%s -%s" % (h, extra, missing))
    if extra and not (sent.get((h, "pg"), set()) & {"applied", "failed", "unknown"}):
        problems.append("%s: trunk added but the journal says %s" % (h, sent.get((h, "pg"))))
print("ok" if not problems else "; ".join(problems[:5]))
PY

# Undoes every change set that is not an undo and not undone, newest first.
undo_all() {
    local ids id
    ids=$(nestlab journal --json 2>/dev/null | python3 -c '
import json,sys
d=json.load(sys.stdin)
for e in reversed(d["entries"]):
    if not e["undo_of"] and not e["undone_by"]:
        print(e["id"])')
    for id in $ids; do
        "$NESTLAB" -c "$LABSIM_CONFIG" undo "$id" --yes >>"$RUN_DIR/undo.log" 2>&1
        case $? in 0 | 2) ;; *) echo "undo $id exited $?" >>"$RUN_DIR/undo.log" ;; esac
    done
}

# One run: fresh lab and state dir; the two changes in sequence in the background; the
# interruption (MODE) after DELAY seconds; then the checks. Sets RUN_RC (nestlab's exit).
run_one() {
    local mode=$1 delay=$2 label="$1 after ${2}s"
    labsim_ctl POST /vcenter/start >/dev/null 2>&1
    labsim_ctl POST /reset >/dev/null || nl_fail "reset"
    labsim_ctl POST /latency "{\"ms\":$LATENCY_MS}" >/dev/null
    RUN_DIR=$(mktemp -d "$LABSIM_DIR/run.XXXXXX")
    export XDG_STATE_HOME=$RUN_DIR/state
    local orig=$RUN_DIR/orig.json
    net_state >"$orig"
    (
        for cmd in SEC TRUNK; do
            [ -e "$RUN_DIR/stop" ] && exit 0
            if [ $cmd = SEC ]; then args=("${SEC[@]}"); else args=("${TRUNK[@]}"); fi
            # A non-interactive shell starts background commands with SIGINT ignored; a user's
            # terminal does not.
            env --default-signal=INT,TERM,HUP "$NESTLAB" -c "$LABSIM_CONFIG" "${args[@]}" \
                >>"$RUN_DIR/out.log" 2>&1 &
            echo $! >"$RUN_DIR/pid"
            wait $!
            echo $? >>"$RUN_DIR/rcs"
        done
    ) &
    local seq=$!
    SEQ_T0=$(date +%s%N)
    sleep "$delay"
    [ "$mode" = none ] || touch "$RUN_DIR/stop"
    local pid signalled=
    pid=$(cat "$RUN_DIR/pid" 2>/dev/null)
    case $mode in
    kill) [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null ;;
    int) [ -n "$pid" ] && kill -INT "$pid" 2>/dev/null && signalled=1 ;;
    int2) [ -n "$pid" ] && kill -INT "$pid" 2>/dev/null && signalled=1 && { sleep 0.3; kill -INT "$pid" 2>/dev/null; } ;;
    vcstop) labsim_ctl POST /vcenter/stop >/dev/null ;;
    esac
    local t0=$SECONDS
    wait "$seq"
    local waited=$((SECONDS - t0))
    SEQ_MS=$((($(date +%s%N) - SEQ_T0) / 1000000))
    labsim_ctl POST /vcenter/start >/dev/null 2>&1
    labsim_ctl POST /latency '{"ms":0}' >/dev/null
    [ "$waited" -le 150 ]
    _nl_report $? "$label: nestlab ended in ${waited}s (bounded by the call timeouts)"
    # (Between the two commands there is no nestlab to signal: nothing to check then.)
    [ -n "$signalled" ] && case $mode in int | int2)
        OUT="$(cat "$RUN_DIR/out.log" "$RUN_DIR/rcs")"
        # 130, or 0 when the signal came after that command had journaled its final record.
        grep -q '^130$' "$RUN_DIR/rcs" 2>/dev/null || ! grep -qv '^0$' "$RUN_DIR/rcs"
        _nl_report $? "$label: nestlab took the signal (exit 130) or had finished (0)"
        # Reported, or it came while the process was still starting (the default action then:
        # nothing was journaled or changed by that command).
        local done_ok entries
        done_ok=$(grep -c '^0$' "$RUN_DIR/rcs")
        entries=$("$NESTLAB" journal --json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')
        grep -q SIGINT "$RUN_DIR/out.log" || [ "$entries" = "$done_ok" ]
        _nl_report $? "$label: the interruption is reported, or came before nestlab started anything"
        ;;
    esac
    # The journal parses, and after a handled signal no set is left interrupted.
    OUT=$("$NESTLAB" journal --json 2>&1)
    py_check "$label: the journal parses" '"entries" in d'
    if [ "$mode" != kill ]; then
        py_check "$label: every change set has its final record" 'not any(e["interrupted"] for e in d["entries"])'
    fi
    local journal=$OUT
    OUT=$(python3 "$CHECKER" "$orig" "$(net_state)" "$journal")
    [ "$OUT" = ok ]
    _nl_report $? "$label: every host before or after, every change journaled"
    [ "$mode" = int2 ] && "$NESTLAB" -c "$LABSIM_CONFIG" journal --reconcile >>"$RUN_DIR/undo.log" 2>&1
    undo_all
    OUT="$(cat "$RUN_DIR/undo.log")"
    [ "$(net_state)" = "$(cat "$orig")" ]
    _nl_report $? "$label: undo restored labsim's state exactly"
}

# Calibration: how long the two changes take, to pick the random moments inside them.
run_one none 0
T_MS=$SEQ_MS
echo "# the two changes take ${T_MS} ms"
rnd() { python3 -c "import random; print('%.2f' % random.uniform(0.2, $1 / 1000.0 * 0.9))"; }

for _ in $(seq 1 "$RUNS"); do run_one kill "$(rnd $T_MS)"; done
for _ in 1 2; do run_one int "$(rnd $T_MS)"; done
for _ in 1 2; do run_one int2 "$(rnd $T_MS)"; done
for _ in 1 2; do run_one vcstop "$(rnd $T_MS)"; done

# Two processes at once on the same endpoint.
two_at_once() {
    local wait_arg=("$@")
    labsim_ctl POST /reset >/dev/null
    labsim_ctl POST /latency "{\"ms\":$LATENCY_MS}" >/dev/null
    RUN_DIR=$(mktemp -d "$LABSIM_DIR/run.XXXXXX")
    export XDG_STATE_HOME=$RUN_DIR/state
    net_state >"$RUN_DIR/orig.json"
    "$NESTLAB" -c "$LABSIM_CONFIG" "${SEC[@]}" "${wait_arg[@]}" >"$RUN_DIR/a.log" 2>&1 &
    local a=$!
    "$NESTLAB" -c "$LABSIM_CONFIG" "${TRUNK[@]}" "${wait_arg[@]}" >"$RUN_DIR/b.log" 2>&1 &
    local b=$!
    wait $a
    RC_A=$?
    wait $b
    RC_B=$?
    labsim_ctl POST /latency '{"ms":0}' >/dev/null
}
two_at_once
OUT="$(cat "$RUN_DIR/a.log" "$RUN_DIR/b.log")"
[ "$RC_A$RC_B" = 04 ] || [ "$RC_A$RC_B" = 40 ]
_nl_report $? "two at once without --wait: one changes, the other refuses (exits $RC_A $RC_B)"
expect_in "Another nestlab is changing \"" "the refusal names the endpoint"
expect_in "(pid " "the refusal names the holder"
expect_in "--wait" "the refusal says how to wait"
expect_in "nothing was changed" "the refusal says nothing was changed"
OUT=$("$NESTLAB" journal --json 2>&1)
py_check "only one change set was journaled, with no warning" 'len(d["entries"])==1 and not d["warnings"]'
undo_all
[ "$(net_state)" = "$(cat "$RUN_DIR/orig.json")" ]
_nl_report $? "undo after the refusal restores the state exactly"

two_at_once --wait 120
OUT="$(cat "$RUN_DIR/a.log" "$RUN_DIR/b.log")"
[ "$RC_A$RC_B" = 00 ]
_nl_report $? "two at once with --wait: both change (exits $RC_A $RC_B)"
expect_in "waiting up to 120 s" "the second one says it waits"
OUT=$("$NESTLAB" journal --json 2>&1)
py_check "two complete change sets, no warning" 'len(d["entries"])==2 and not d["warnings"] and not any(e["interrupted"] for e in d["entries"])'
ok "every journal line is one whole JSON record" python3 -c '
import json,sys
for line in open(sys.argv[1]):
    json.loads(line)' "$RUN_DIR/state/nestlab/journal.jsonl"
OUT=$(python3 "$CHECKER" "$RUN_DIR/orig.json" "$(net_state)" "$("$NESTLAB" journal --json 2>/dev/null)")
[ "$OUT" = ok ]
_nl_report $? "both changes are in place and journaled"
undo_all
[ "$(net_state)" = "$(cat "$RUN_DIR/orig.json")" ]
_nl_report $? "undo of both restores the state exactly"
check_done
