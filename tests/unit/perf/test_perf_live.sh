#!/usr/bin/env bash
# Integration (label "integration"): live QueryPerf against labsim's flooding model.
#  - one QueryPerf call per refresh for all hosts (labsim GET /calls);
#  - promiscuous mode enabled on esx-p01's vSwitch0 through nestlab's vCenter executor raises
#    esx-p01's measured CPU by cost_per_frame x (delivered frames after - before), the formula in
#    tests/labsim/README.md, within the model's noise; esx-p02 (unchanged) stays flat;
#  - the same change measured over SSH with esxtop (backend/esxi/esx_perf) through the
#    flooding-cost computation: CPU delta by the formula, amplification (frames delivered /
#    frames entering vSwitch0, perf_metric.h) from 1.0 to the model's value.
set -u
: "${NL_SOURCE_DIR:?}" "${NL_BUILD_DIR:?}"
. "$NL_SOURCE_DIR/tests/lib/labsim.sh"
LIVE=$NL_BUILD_DIR/tests/unit/perf/perf_live
[ -x "$LIVE" ] || nl_fail "perf_live was not built ($LIVE)"
labsim_start

# More traffic from one nested ESXi VM on esx-p01 (exercises POST /traffic).
labsim_ctl POST /traffic '{"vm":"n-esx01","pps":3000}' >/dev/null || nl_fail "POST /traffic failed"
labsim_ctl GET /state >"$LABSIM_DIR/state_before.json" || nl_fail "GET /state failed"
labsim_ctl POST /calls/reset >/dev/null || nl_fail "POST /calls/reset failed"

REFRESHES=3
P1=$(labsim_ssh_port esx-p01.lab.invalid) P2=$(labsim_ssh_port esx-p02.lab.invalid)
"$LIVE" --url "$LABSIM_URL" --user "$LABSIM_USER" --thumbprint "$LABSIM_THUMBPRINT" \
    --samples 6 --refreshes "$REFRESHES" --promisc esx-p01.lab.invalid vSwitch0 \
    --known-hosts "$LABSIM_KNOWN_HOSTS" --ssh "esx-p01.lab.invalid=$P1" \
    --ssh "esx-p02.lab.invalid=$P2" --esxtop-rows 4 --settle 3 \
    >"$LABSIM_DIR/live.json" || nl_fail "perf_live failed"
labsim_ctl GET /calls >"$LABSIM_DIR/calls.json" || nl_fail "GET /calls failed"
labsim_ctl GET /state >"$LABSIM_DIR/state_after.json" || nl_fail "GET /state failed"

python3 - "$LABSIM_DIR" "$REFRESHES" <<'PY' || nl_fail "measured values do not match the model"
import json, sys
d, refreshes = sys.argv[1], int(sys.argv[2])
live = json.load(open(d + "/live.json"))
calls = json.load(open(d + "/calls.json"))
sb = json.load(open(d + "/state_before.json"))
sa = json.load(open(d + "/state_after.json"))

def hosts(state):
    h = state["hosts"]
    return {x["name"]: x for x in h} if isinstance(h, list) else h

def model(state, name):
    return hosts(state)[name]["model"]

ok = True
def check(cond, msg):
    global ok
    print(("ok   " if cond else "FAIL ") + msg)
    ok = ok and cond

q = calls["methods"].get("QueryPerf", 0)
check(q == refreshes + 1, "QueryPerf calls: %d for %d refreshes of %d hosts (one per refresh)"
      % (q, refreshes + 1, len(live["hosts"])))
check(live["counters"] > 100, "counter map read (%d counters)" % live["counters"])
noise = sb["model_params"]["noise"] if "model_params" in sb else 0.5
cost = (sb.get("model_params") or sb.get("model") or {}).get("cost_per_frame", 0.001)
for name in ("esx-p01.lab.invalid", "esx-p02.lab.invalid"):
    m0, m1 = model(sb, name), model(sa, name)
    h = live["hosts"][name]
    b, a = h["before"], h["after"]
    check(b["n"] == 6 and a["n"] == 6, "%s: 6 samples before and after" % name)
    # Each sample is the model value +- noise, so a mean is within noise of it.
    check(abs(b["cpu"] - m0["cpu_percent"]) <= noise + 0.01,
          "%s: CPU before %.2f%% vs model %.2f%%" % (name, b["cpu"], m0["cpu_percent"]))
    check(abs(a["cpu"] - m1["cpu_percent"]) <= noise + 0.01,
          "%s: CPU after %.2f%% vs model %.2f%%" % (name, a["cpu"], m1["cpu_percent"]))
    want = cost * (m1["delivered_per_sec"] - m0["delivered_per_sec"])
    got = a["cpu"] - b["cpu"]
    check(abs(got - want) <= 2 * noise + 0.02,
          "%s: CPU delta %+.2f vs formula cost_per_frame x delta delivered = %+.2f"
          % (name, got, want))
    check(abs(a["pps"] - m1["delivered_per_sec"]) <= 0.011 * m1["delivered_per_sec"] + 1,
          "%s: packets/s after %.0f vs model delivered %.0f" % (name, a["pps"], m1["delivered_per_sec"]))
    if name == "esx-p01.lab.invalid":
        check(want > 10, "esx-p01: the change is worth measuring (%+.2f pp)" % want)
    else:
        check(abs(got) <= 2 * noise + 0.02, "esx-p02: stays flat (%+.2f pp)" % got)

# esxtop over SSH through the cost table.
rows = {r["host_name"]: r for r in live["cost"]["rows"]}
check(len(rows) == 2 and rows["esx-p01.lab.invalid"]["event_host"], "cost table: 2 hosts, esx-p01 changed")
def amp(m, vs="vSwitch0"):
    s = [x for x in m["vswitches"] if x["name"] == vs][0]
    up = s["uplink_pps"] * len(s["uplinks"])
    return (s["delivered_per_sec"] + up) / (s["frames_per_sec"] + up)
for name in ("esx-p01.lab.invalid", "esx-p02.lab.invalid"):
    r, m0, m1 = rows[name], model(sb, name), model(sa, name)
    c, a = r["cpu_percent"], r["amplification"]
    check(r["source"] == "esxtop" and c["insufficient"] is None and a["insufficient"] is None,
          "%s: esxtop data on both sides (%d/%d CPU samples)" % (name, c["samples_before"], c["samples_after"]))
    if c["insufficient"] is not None or a["insufficient"] is not None:
        print("     " + str(c["insufficient"]) + " / " + str(a["insufficient"]))
        continue
    check(abs(c["before"] - m0["cpu_percent"]) <= noise + 0.01 and abs(c["after"] - m1["cpu_percent"]) <= noise + 0.01,
          "%s: esxtop CPU %.2f%% -> %.2f%% vs model %.2f%% -> %.2f%%" % (name, c["before"], c["after"], m0["cpu_percent"], m1["cpu_percent"]))
    want = cost * (m1["delivered_per_sec"] - m0["delivered_per_sec"])
    check(abs(c["delta"] - want) <= 2 * noise + 0.02, "%s: esxtop CPU delta %+.2f vs formula %+.2f" % (name, c["delta"], want))
    check(abs(a["before"] - amp(m0)) <= 0.03 * amp(m0) and abs(a["after"] - amp(m1)) <= 0.03 * amp(m1),
          "%s: amplification %.2f -> %.2f vs model %.2f -> %.2f" % (name, a["before"], a["after"], amp(m0), amp(m1)))
check(abs(rows["esx-p01.lab.invalid"]["amplification"]["before"] - 1.0) <= 0.03,
      "esx-p01: no flooding before the change (amplification 1.0)")
sys.exit(0 if ok else 1)
PY
echo "test_perf_live: ok"
