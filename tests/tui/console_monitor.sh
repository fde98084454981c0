#!/bin/bash
# The console's monitor view against the lab simulator, under tmux: m opens the hosts of cluster
# Physical with CPU and packet-rate numbers from vCenter's counters; promiscuous mode enabled
# through the ':' command line raises esx-p01's CPU at the next refresh (labsim's flooding model:
# ~30 % -> ~59 %); the cost table has a row for the change and says plainly that the data after
# it is insufficient (labsim computes every sample, old ones too, from the current model state,
# and no 20 s sample lies wholly after the change yet); Enter shows the chart with the change
# marked; the tree's host rows carry sparklines at 140 columns but not at 120; the mono theme
# draws ASCII; a change made by another process shows up as an event seen live; with vCenter down the samples come from esxtop over SSH. One QueryPerf call per
# refresh at most (labsim counts them). NESTLAB_PERF_INTERVAL=2 keeps it under 90 s.
. "$(dirname "$0")/lib.sh"
: "${NL_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$NL_SOURCE_DIR/tests/lib/labsim.sh"
command -v python3 >/dev/null || tui_skip "python3 is needed to read labsim's answers"

NESTLAB=${NL_BUILD_DIR:?}/tui/nestlab
[ -x "$NESTLAB" ] || tui_skip "nestlab is not built"
tui_init monitor
trap 'tui_cleanup; labsim_stop' EXIT # labsim_start replaces the trap; keep both
labsim_start
trap 'tui_cleanup; labsim_stop' EXIT

# cpu_of HOST: the CPU % the monitor shows for HOST now (the number before the first '%').
cpu_of() {
    tui_capture | python3 -c '
import re, sys
for line in sys.stdin:
    if sys.argv[1] in line:
        m = re.search(r" ([0-9]+\.[0-9])%", line)
        if m:
            print(m.group(1)); break' "$1"
}
# wait_cpu_above HOST VALUE SECONDS
wait_cpu_above() {
    local i=0 v
    while [ "$i" -lt $(($3 * 10)) ]; do
        v=$(cpu_of "$1")
        if [ -n "$v" ] && python3 -c "import sys; sys.exit(0 if float('$v') > float('$2') else 1)"; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    tui_fail "$1: CPU stayed at '${v:-none}', expected above $2"
}
query_perf_calls() {
    labsim_ctl GET /calls | python3 -c "import json,sys; print(json.load(sys.stdin)['methods'].get('QueryPerf', 0))"
}

labsim_ctl POST /traffic '{"vm":"n-esx01","pps":5000}' >/dev/null || tui_fail "labsim /traffic"
labsim_ctl POST /calls/reset >/dev/null || tui_fail "labsim /calls/reset"
started=$(date +%s)
TUI_ENV="NESTLAB_PERF_INTERVAL=2"
tui_start 150 45 "$NESTLAB" -c "$LABSIM_CONFIG"

# ---- the tree's host rows carry "CPU% sparkline" when the terminal is wide --------------------
tui_wait_for "connected (vcenter)" 20
tui_wait_line 'esx-p01\.lab\.invalid .* vc [0-9]+% [▁▂▃▄▅▆▇█]{6}' 15
tui_wait_line 'esx-p02\.lab\.invalid .* vc [0-9]+% [▁▂▃▄▅▆▇█]{6}'

# ---- m on cluster Physical: both physical hosts with numbers, nothing else ---------------------
tui_send Home j j
tui_wait_for "Cluster Physical"
tui_send m
tui_wait_for "Monitor: cluster Physical (2 hosts"
tui_wait_for "From vCenter's real-time counters for"
tui_wait_line '^ +esx-p01\.lab\.invalid +[▁▂▃▄▅▆▇█ ]+ +[0-9]+\.[0-9]% +[▁▂▃▄▅▆▇█ ]+ +[0-9.]+k$'
tui_wait_line '^ +esx-p02\.lab\.invalid +[▁▂▃▄▅▆▇█ ]+ +[0-9]+\.[0-9]% +[▁▂▃▄▅▆▇█ ]+ +[0-9.]+k$'
tui_assert_absent "esx-n01.lab.invalid"
tui_assert_present "No vSwitch security change in the last hour: nothing to measure."
before=$(cpu_of esx-p01.lab.invalid)
[ -n "$before" ] || tui_fail "no CPU value for esx-p01"
python3 -c "import sys; sys.exit(0 if 20 < float('$before') < 45 else 1)" ||
    tui_fail "esx-p01 CPU before the change is $before %, labsim's model says about 30-40 %"

# ---- promiscuous accept on Physical through the command line ----------------------------------
tui_type ":security --vswitch vSwitch0 --promiscuous accept --cluster Physical"
tui_send Enter
tui_wait_for "Preview: 2 changes" 20
tui_send y
tui_wait_for "Done: 2 changed" 20
tui_send Escape
tui_wait_for "Monitor: cluster Physical (2 hosts"

# After the next refresh (2 s here) esx-p01's CPU is well above what it was.
wait_cpu_above esx-p01.lab.invalid "$(python3 -c "print(float('$before') + 15)")" 15
after=$(cpu_of esx-p01.lab.invalid)
echo "esx-p01 CPU: $before % before, $after % after"

# The cost table: a row for the change on esx-p01, and the honest answer for labsim.
tui_wait_line '^ +[0-9:]{8} esx-p01\.lab\.invalid \* +promiscuous reject->accept on vSwitch0 +insufficient data +insufficient data' 15
tui_wait_line '^ +[0-9:]{8} esx-p02\.lab\.invalid  +promiscuous reject->accept on vSwitch0 +insufficient data'
tui_assert_present "Why a figure is missing:"
tui_wait_line 'esx-p01\.lab\.invalid [0-9:]{8} CPU: Insufficient data: [0-9]+ CPU samples from vCenter before the change and 0 after it'

# ---- Enter: the chart of esx-p01 with the change marked -----------------------------------------
tui_send Up Up
tui_send Enter
tui_wait_for "CPU % of esx-p01.lab.invalid"
tui_wait_line '^ +100%'
tui_wait_line '^ +0% +.*█'
tui_wait_line 'promiscuous reject->accept on vSwitch0'
# Once a 20 s sample lies after the change it is inside the window: '|' and "1" mark it.
tui_wait_line '^ +1  [0-9:]{8}  promiscuous reject->accept on vSwitch0$' 25
tui_wait_line '─1'
tui_send Escape
tui_wait_for "Monitor: cluster Physical (2 hosts"
tui_send Escape
tui_wait_gone "Monitor: cluster"

# ---- a change made by another process, seen live: an event of its own ---------------------------
tui_send m
tui_wait_for "Monitor: cluster Physical (2 hosts"
nestlab security --vswitch vSwitch0 --promiscuous reject --cluster Physical --yes \
    >"$TUI_TMP/other.out" 2>&1 || { cat "$TUI_TMP/other.out" >&2; tui_fail "the second nestlab failed"; }
tui_wait_line '^ +[0-9:]{8} esx-p01\.lab\.invalid \* +promiscuous accept->reject on vSwitch0 \(seen live\)' 15
# The console's own change is in the journal and was seen live too: listed once, from the journal.
if tui_capture | grep -qF "reject->accept on vSwitch0 (seen live)"; then
    tui_fail "the console's own change is listed twice"
fi
tui_send Escape

# ---- not more than one QueryPerf per refresh ----------------------------------------------------
elapsed=$(($(date +%s) - started))
calls=$(query_perf_calls)
[ "$calls" -ge 3 ] || tui_fail "only $calls QueryPerf calls in ${elapsed}s with a 2 s interval"
# A refresh every 2 s, plus the first one and one each time the monitor opens (twice).
[ "$calls" -le $((elapsed / 2 + 4)) ] ||
    tui_fail "$calls QueryPerf calls in ${elapsed}s: more than one per 2 s refresh"

# ---- narrower terminal: no sparklines in the tree ----------------------------------------------
tui_resize 120 45
tui_wait_line 'esx-p01\.lab\.invalid .* no-promisc no-trunk vc *│'
if tui_capture | grep -qE '[0-9]+% [▁▂▃▄▅▆▇█]{6}'; then
    tui_fail "sparklines in the tree at 120 columns"
fi
tui_resize 150 45

# ---- the mono theme draws ASCII sparklines ----------------------------------------------------
for _ in 1 2 3 4 5 6; do
    tui_capture | grep -qF "theme mono" && break
    tui_send T
    sleep 0.3
done
tui_wait_for "theme mono"
tui_send m
tui_wait_line '^ +esx-p01\.lab\.invalid +[-_.:=+*# ]*[-_.:=+*#]{3,} +[0-9]+\.[0-9]%'
if tui_capture | grep -E '^ +esx-p0' | grep -q '[▁▂▃▄▅▆▇█]'; then
    tui_fail "block characters in the mono theme"
fi
tui_send Escape

# ---- vCenter down: esxtop over SSH -------------------------------------------------------------
labsim_ctl POST /vcenter/stop >/dev/null || tui_fail "labsim /vcenter/stop"
tui_send r
tui_wait_for "vCenter down, SSH" 30
tui_send m
tui_wait_for "From esxtop over SSH for" 30
tui_wait_line '^ +esx-p01\.lab\.invalid +[-_.:=+*# ]+ +[0-9]+\.[0-9]%'
tui_send Escape

tui_quit 10
echo "console_monitor: ok in $(($(date +%s) - started)) s"
