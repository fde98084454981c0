#!/usr/bin/env bash
# Benchmark (issue 5, and issue 7's SSH variant): apply a vSwitch security change through the
# real CLI to N physical hosts of a labsim scale lab against the same change on one host.
#
#   tests/bench/bench_apply.sh [HOSTSxVMS] [N]     (default 64x256, N = 64)
#
# SOAP: labsim delays every SOAP call by 50 ms (POST /latency). Each case runs
#   nestlab security --vswitch vSwitch0 --promiscuous accept --host H ... --yes
# (a fresh process: login + inventory + plan + apply + verify re-read + logout), at the default
# parallelism and with --parallel N. The lab is reset before every run so every host changes.
#
# What is measured, per case (best of BENCH_REPEAT runs by whole-command time; failed runs are
# listed and fail the benchmark, and when every run failed up to BENCH_RETRY more are made):
#   total   wall time of the whole command
#   setup   start of the process -> the plan printed (login + inventory + plan)
#   apply   the plan printed -> "verifying:" on stderr (the parallel apply phase alone)
#   verify  "verifying:" -> exit (re-read of the lab, journal, logout)
# The phases come from the CLI's own output, time-stamped as it arrives (stdout line-buffered
# with stdbuf). SOAP calls of the apply phase = calls of the run - calls of a --dry-run of the
# same command (login + inventory) - the verification re-read (the dry run's inventory calls,
# i.e. without RetrieveServiceContent/Login/Logout); labsim counts them (GET /calls).
#
# SSH: the same command with --direct (no injected latency: labsim's latency is for SOAP only);
# the direct-mode inventory reads every host of the lab over SSH, so "setup" is the same for 1
# and N hosts and the apply phase is the figure to compare.
#
# Target (the issues' wall time): total(N)/total(1) <= 3 at the default parallelism, over SOAP
# and over SSH. The apply-phase ratios are printed for information; over SSH the phase takes a
# few milliseconds (sessions are already open from the inventory read), so its ratio says little.
# Exits 1 when a target is missed or a run failed (BENCH_APPLY_NO_FAIL=1 only reports). Prints "FIGURE name value"
# lines that scripts/bench collects into its summary.
set -u
: "${NL_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$NL_SOURCE_DIR/tests/lib/labsim.sh"
SCALE=${1:-64x256}
N=${2:-64}
REPEAT=${BENCH_REPEAT:-3}
RETRY=${BENCH_RETRY:-4}
LATENCY_MS=${BENCH_LATENCY_MS:-50}
NESTLAB=$NL_BUILD_DIR/tui/nestlab
[ -x "$NESTLAB" ] || nl_fail "nestlab is not built ($NESTLAB)"
command -v stdbuf >/dev/null || nl_fail "stdbuf (coreutils) is needed to time the phases"
if grep -q 'NL_SANITIZE:BOOL=ON' "$NL_BUILD_DIR/CMakeCache.txt" 2>/dev/null; then
    echo "note: $NL_BUILD_DIR is a sanitizer build; its times are not representative"
fi
labsim_start --scale "$SCALE"

mapfile -t HOSTS < <(labsim_state | python3 -c '
import json, sys
for h in json.load(sys.stdin)["hosts"]:
    if h["name"].startswith("esx-p"):
        print(h["name"])')
[ ${#HOSTS[@]} -ge "$N" ] || nl_fail "the $SCALE lab has ${#HOSTS[@]} physical hosts, wanted $N"
HOSTS=("${HOSTS[@]:0:$N}")

# Runs the CLI once with its output time-stamped; prints "total setup apply verify" in ms
# (apply/verify "-" when the output has no such phase, e.g. a dry run). Fails on a non-zero exit.
TIMER=$LABSIM_DIR/phase_timer.py
cat >"$TIMER" <<'EOF'
import re, subprocess, sys, time
t0 = time.monotonic()
p = subprocess.Popen(["stdbuf", "-oL", "-eL"] + sys.argv[2:], stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT)
plan_done = verifying = None
with open(sys.argv[1], "wb") as log:
    for line in p.stdout:
        now = time.monotonic()
        log.write(b"%9.3f " % (now - t0) + line)
        text = line.decode("utf-8", "replace")
        # The plan's last line ("N to change, M already compliant, K cannot be done"), printed
        # just before the apply starts.
        if re.match(r"\d+ to change, \d+ already compliant", text):
            plan_done = now
        elif text.startswith("verifying:"):
            verifying = now
rc = p.wait()
end = time.monotonic()
if rc != 0:
    sys.exit(rc)
ms = lambda a, b: "%d" % round((b - a) * 1000) if a is not None and b is not None else "-"
print(ms(t0, end), ms(t0, plan_done), ms(plan_done, verifying), ms(verifying, end))
EOF

CALLS_DIR=$LABSIM_DIR/calls
mkdir -p "$CALLS_DIR"

# run_case NAME LATENCY CHANGES CLI-ARGS... : best of REPEAT; sets BEST (the 4 figures) and
# saves the calls of the best run in $CALLS_DIR/NAME.json. CHANGES: how many hosts the run must
# report changed ("-" for a dry run).
run_case() {
    local name=$1 latency=$2 changes=$3
    shift 3
    local i=0 fig best_total=999999999
    BEST=
    # REPEAT runs; when all of them failed, up to RETRY more until one succeeds.
    while [ "$i" -lt "$REPEAT" ] || { [ -z "$BEST" ] && [ "$i" -lt $((REPEAT + RETRY)) ]; }; do
        i=$((i + 1))
        labsim_ctl POST /reset >/dev/null || nl_fail "POST /reset failed"
        labsim_ctl POST /latency "{\"ms\":$latency}" >/dev/null || nl_fail "POST /latency failed"
        labsim_ctl POST /calls/reset >/dev/null || nl_fail "POST /calls/reset failed"
        # A failed run is counted and shown, never hidden: the script fails at the end.
        if ! fig=$(python3 "$TIMER" "$LABSIM_DIR/$name.$i.log" "$NESTLAB" -c "$LABSIM_CONFIG" "$@") ||
            { [ "$changes" != - ] &&
                ! grep -q " $changes changed, 0 already compliant, 0 failed" "$LABSIM_DIR/$name.$i.log"; }; then
            echo "run $i of $name failed (exit status or summary below):" >&2
            grep -v '\] done \|^ *[0-9.]*   change ' "$LABSIM_DIR/$name.$i.log" | tail -6 >&2
            FAILED_RUNS+=("$name#$i")
            continue
        fi
        local total=${fig%% *}
        if [ "$total" -gt "$SLOW_MS" ]; then
            echo "note: run $i of $name took $total ms (a stall; see the log lines below)" >&2
            grep -v '\] done \|^ *[0-9.]*   change ' "$LABSIM_DIR/$name.$i.log" | tail -4 >&2
            STALLED_RUNS+=("$name#$i")
        fi
        if [ "$total" -lt "$best_total" ]; then
            best_total=$total
            BEST=$fig
            labsim_ctl GET /calls >"$CALLS_DIR/$name.json"
        fi
    done
    [ -n "$BEST" ] || nl_fail "$name: every run failed"
}
FAILED_RUNS=()
STALLED_RUNS=()
SLOW_MS=${BENCH_SLOW_MS:-20000}

host_args() {
    local h
    for h in "$@"; do printf -- '--host\n%s\n' "$h"; done
}
mapfile -t ONE < <(host_args "${HOSTS[0]}")
mapfile -t ALL < <(host_args "${HOSTS[@]}")
SEC=(security --vswitch vSwitch0 --promiscuous accept)

# Apply-phase SOAP calls per host: run - dry run - verification re-read.
apply_calls() { # RUN DRY HOSTS
    python3 - "$CALLS_DIR/$1.json" "$CALLS_DIR/$2.json" "$3" <<'EOF'
import json, sys
run = json.load(open(sys.argv[1]))["methods"]
dry = json.load(open(sys.argv[2]))["methods"]
session = {"RetrieveServiceContent", "Login", "Logout"}
apply = {}
for m in set(run) | set(dry):
    verify = 0 if m in session else dry.get(m, 0)
    n = run.get(m, 0) - dry.get(m, 0) - verify
    if n:
        apply[m] = n
total = sum(apply.values())
hosts = int(sys.argv[3])
print("%.2f %s" % (total / hosts, ",".join("%s=%d" % kv for kv in sorted(apply.items()))))
EOF
}

ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.2f' % (a / max(b, 1)))" "$1" "$2"; }
field() { echo "$1" | cut -d' ' -f"$2"; }

echo "lab: labsim --scale $SCALE, $N physical hosts, ${LATENCY_MS} ms per SOAP call, best of $REPEAT"

# --- SOAP ------------------------------------------------------------------------------------
"$NESTLAB" -c "$LABSIM_CONFIG" inventory >/dev/null 2>&1 || nl_fail "nestlab inventory failed"
run_case dry1 "$LATENCY_MS" - "${SEC[@]}" "${ONE[@]}" --dry-run
DRY1=$BEST
run_case dryN "$LATENCY_MS" - "${SEC[@]}" "${ALL[@]}" --dry-run
DRYN=$BEST
run_case soap1 "$LATENCY_MS" 1 "${SEC[@]}" "${ONE[@]}" --yes
S1=$BEST
run_case soapN "$LATENCY_MS" "$N" "${SEC[@]}" "${ALL[@]}" --yes
SN=$BEST
run_case soapNp "$LATENCY_MS" "$N" "${SEC[@]}" "${ALL[@]}" --yes --parallel "$N"
SNP=$BEST
C1=$(apply_calls soap1 dry1 1)
CN=$(apply_calls soapN dryN "$N")
CNP=$(apply_calls soapNp dryN "$N")

printf '\nSOAP (%d ms/call)          total   setup   apply  verify   (ms)   apply calls/host\n' "$LATENCY_MS"
row() { printf '  %-22s %7s %7s %7s %7s          %s\n' "$1" "$(field "$2" 1)" "$(field "$2" 2)" "$(field "$2" 3)" "$(field "$2" 4)" "$3"; }
row "dry run, 1 host" "$DRY1" ""
row "dry run, $N hosts" "$DRYN" ""
row "apply, 1 host" "$S1" "$C1"
row "apply, $N hosts" "$SN" "$CN"
row "apply, $N, --parallel $N" "$SNP" "$CNP"
R_TOTAL=$(ratio "$(field "$SN" 1)" "$(field "$S1" 1)")
R_APPLY=$(ratio "$(field "$SN" 3)" "$(field "$S1" 3)")
R_TOTAL_P=$(ratio "$(field "$SNP" 1)" "$(field "$S1" 1)")
R_APPLY_P=$(ratio "$(field "$SNP" 3)" "$(field "$S1" 3)")
echo "  ratio $N:1 whole command ${R_TOTAL} (default parallelism), ${R_TOTAL_P} (--parallel $N); target <= 3"
echo "  ratio $N:1 apply phase   ${R_APPLY} (default parallelism), ${R_APPLY_P} (--parallel $N)"

# --- SSH (--direct) --------------------------------------------------------------------------
run_case ssh1 0 1 --direct "${SEC[@]}" "${ONE[@]}" --yes
H1=$BEST
run_case sshN 0 "$N" --direct "${SEC[@]}" "${ALL[@]}" --yes
HN=$BEST
run_case sshNp 0 "$N" --direct "${SEC[@]}" "${ALL[@]}" --yes --parallel "$N"
HNP=$BEST
printf '\nSSH (--direct)            total   setup   apply  verify   (ms)\n'
row "apply, 1 host" "$H1" ""
row "apply, $N hosts" "$HN" ""
row "apply, $N, --parallel $N" "$HNP" ""
R_SSH_TOTAL=$(ratio "$(field "$HN" 1)" "$(field "$H1" 1)")
R_SSH_APPLY=$(ratio "$(field "$HN" 3)" "$(field "$H1" 3)")
R_SSH_APPLY_P=$(ratio "$(field "$HNP" 3)" "$(field "$H1" 3)")
echo "  ratio $N:1 whole command ${R_SSH_TOTAL}; apply phase ${R_SSH_APPLY} (default parallelism), ${R_SSH_APPLY_P} (--parallel $N); target <= 3"

echo
echo "FIGURE soap_apply_1_host_total_ms $(field "$S1" 1)"
echo "FIGURE soap_apply_${N}_hosts_total_ms $(field "$SN" 1)"
echo "FIGURE soap_apply_ratio_total $R_TOTAL"
echo "FIGURE soap_apply_phase_1_host_ms $(field "$S1" 3)"
echo "FIGURE soap_apply_phase_${N}_hosts_ms $(field "$SN" 3)"
echo "FIGURE soap_apply_ratio_phase $R_APPLY"
echo "FIGURE soap_apply_ratio_total_parallel_$N $R_TOTAL_P"
echo "FIGURE soap_calls_per_host_apply ${CN%% *}"
echo "FIGURE ssh_apply_1_host_total_ms $(field "$H1" 1)"
echo "FIGURE ssh_apply_${N}_hosts_total_ms $(field "$HN" 1)"
echo "FIGURE ssh_apply_ratio_total $R_SSH_TOTAL"
echo "FIGURE ssh_apply_phase_1_host_ms $(field "$H1" 3)"
echo "FIGURE ssh_apply_phase_${N}_hosts_ms $(field "$HN" 3)"
echo "FIGURE ssh_apply_ratio_phase $R_SSH_APPLY"

echo "FIGURE failed_runs ${#FAILED_RUNS[@]}"
echo "FIGURE stalled_runs ${#STALLED_RUNS[@]}"
[ ${#STALLED_RUNS[@]} -eq 0 ] || echo "stalled runs (> $SLOW_MS ms): ${STALLED_RUNS[*]}"
[ ${#FAILED_RUNS[@]} -eq 0 ] || echo "failed runs: ${FAILED_RUNS[*]}"
if [ -z "${BENCH_APPLY_NO_FAIL:-}" ]; then
    [ ${#FAILED_RUNS[@]} -eq 0 ] || nl_fail "${#FAILED_RUNS[@]} run(s) failed: ${FAILED_RUNS[*]}"
    python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= 3 else 1)" "$R_TOTAL" ||
        nl_fail "SOAP: $N hosts took ${R_TOTAL}x one host (target <= 3)"
    python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= 3 else 1)" "$R_SSH_TOTAL" ||
        nl_fail "SSH: $N hosts took ${R_SSH_TOTAL}x one host (target <= 3)"
fi
exit 0
