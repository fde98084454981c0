#!/usr/bin/env bash
# Benchmark: read the network state (vSwitches, port groups, security, VMs) of N hosts over SSH
# against one host, and apply a security change to N hosts against one. Target: N=64 takes at
# most 3x one host. Prints the times and the ratios; exits 1 when a ratio misses the target
# (BENCH_SSH_NO_FAIL=1 only reports).
#   tests/bench/bench_ssh.sh [HOSTS] [VMS]      (default 64 hosts, 256 VMs)
set -u
. "${NL_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/labsim.sh"
N=${1:-64}
VMS=${2:-256}
REPEAT=${BENCH_REPEAT:-5}
PROBE=$NL_BUILD_DIR/tests/integration/esx_probe
[ -x "$PROBE" ] || nl_fail "esx_probe is not built ($PROBE); build target esx_probe first"
labsim_start --scale "${N}x${VMS}"

mapfile -t hosts < <(python3 -c "
import json; d=json.loads('''$LABSIM_READY''')
for name, port in sorted(d['ssh'].items()): print('%s=%d' % (name, port))")
[ ${#hosts[@]} -ge "$N" ] || nl_fail "labsim offers ${#hosts[@]} SSH hosts, wanted $N"
hosts=("${hosts[@]:0:$N}")

# best of REPEAT wall times in ms (a fresh process each time: connect + login + read)
best_read() {
    local best=999999 i ms
    for i in $(seq 1 "$REPEAT"); do
        "$PROBE" --known-hosts "$LABSIM_KNOWN_HOSTS" --parallel "$N" lab "$@" >"$LABSIM_DIR/bench.out" 2>&1 ||
            { cat "$LABSIM_DIR/bench.out" >&2; nl_fail "read failed"; }
        grep -q " failed=0 " "$LABSIM_DIR/bench.out" || { cat "$LABSIM_DIR/bench.out" >&2; nl_fail "a host failed"; }
        ms=$(sed -n 's/.* ms=\([0-9]*\).*/\1/p' "$LABSIM_DIR/bench.out")
        [ "$ms" -lt "$best" ] && best=$ms
    done
    echo "$best"
}

one=$(best_read "${hosts[0]}")
all=$(best_read "${hosts[@]}")
execs=$(sed -n 's/.* execs=\([0-9]*\).*/\1/p' "$LABSIM_DIR/bench.out")
ratio=$(python3 -c "print('%.2f' % ($all / max($one, 1)))")
echo "read network state: 1 host ${one} ms, $N hosts ${all} ms (${execs} exec channels), ratio ${ratio} (target <= 3)"

# Apply: vSwitch0 accept-all on every host through the SSH executor, in parallel (connect +
# login + one esxcli per host), vs one host.
best_apply() {
    local best=999999 i ms
    for i in $(seq 1 "$REPEAT"); do
        "$PROBE" --known-hosts "$LABSIM_KNOWN_HOSTS" --parallel "$N" lab-security "$@" \
            >"$LABSIM_DIR/bench.out" 2>&1 || { cat "$LABSIM_DIR/bench.out" >&2; nl_fail "apply failed"; }
        ms=$(sed -n 's/.* ms=\([0-9]*\).*/\1/p' "$LABSIM_DIR/bench.out")
        [ "$ms" -lt "$best" ] && best=$ms
    done
    echo "$best"
}
aone=$(best_apply "${hosts[0]}")
aall=$(best_apply "${hosts[@]}")
aratio=$(python3 -c "print('%.2f' % ($aall / max($aone, 1)))")
echo "apply security change: 1 host ${aone} ms, $N hosts ${aall} ms, ratio ${aratio} (target <= 3)"

if [ -z "${BENCH_SSH_NO_FAIL:-}" ]; then
    python3 -c "import sys; sys.exit(0 if $ratio <= 3 else 1)" || nl_fail "read ratio $ratio > 3"
    python3 -c "import sys; sys.exit(0 if $aratio <= 3 else 1)" || nl_fail "apply ratio $aratio > 3"
fi
exit 0
