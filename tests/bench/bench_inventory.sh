#!/usr/bin/env bash
# Inventory benchmark (not a timed test): against a labsim scale lab (default 500 physical hosts /
# 10,000 VMs; labsim adds two nested hosts per physical one, so 1,500 hosts), the wall time and
# peak RSS of `nestlab inventory --json` next to the floor, in one run.
#
# The floor (bench_inventory_floor.c) sends the same SOAP requests as the client
# (RetrieveServiceContent, Login, CreateContainerView, RetrievePropertiesEx with maxObjects=1000,
# ContinueRetrievePropertiesEx while a token comes back, DestroyView, Logout) over the same
# libcurl, one kept-alive TLS connection with the certificate verified, and discards the bodies.
# Floor and client run alternately (one warm-up each, then $runs each); medians are reported.
# Targets: overhead (client - floor) <= 25 % of the floor, peak RSS <= 64 MB.
# Measured once per server personality: "paging" (labsim's default: maxObjects 1000 honoured, the
# 10,000-VM lab in 12 pages) and "no-paging" (maxObjects ignored, like stock vcsim: one ~22 MB
# reply), each against its own floor in the same run.
#
#   tests/bench/bench_inventory.sh [HOSTSxVMS] [runs] [personality...]
# NL_BENCH_NESTLAB: the nestlab binary to measure (default: built here, Release without
# sanitizers, in NL_BENCH_BUILD_DIR, default build/bench, together with the floor program).
set -euo pipefail
NL_SOURCE_DIR=${NL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
scale=${1:-500x10000}
runs=${2:-5}
shift $(($# < 2 ? $# : 2))
personalities=(paging no-paging)
[ $# -eq 0 ] || personalities=("$@")
bdir=${NL_BENCH_BUILD_DIR:-$NL_SOURCE_DIR/build/bench}
NL_BUILD_DIR=$bdir
# The scale lab takes ~11 s to start on an idle machine; a busy one needs longer.
: "${NL_LABSIM_START_S:=300}"
. "$NL_SOURCE_DIR/tests/lib/labsim.sh"
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null

targets=(bench_inventory_floor)
[ -n "${NL_BENCH_NESTLAB:-}" ] || targets+=(nestlab)
mkdir -p "$bdir"
{ cmake -S "$NL_SOURCE_DIR" -B "$bdir" -DCMAKE_BUILD_TYPE=Release -DNL_SANITIZE=OFF &&
    cmake --build "$bdir" -j"$(nproc)" --target "${targets[@]}"; } >"$bdir/bench-build.log" 2>&1 ||
    { tail -30 "$bdir/bench-build.log"; nl_fail "building ${targets[*]} failed"; }
nestlab=${NL_BENCH_NESTLAB:-$bdir/tui/nestlab}
floor=$bdir/tests/unit/vsphere/bench_inventory_floor

work=$(mktemp -d)

now() { date +%s%N; }
floor_once() { # -> ms on stdout
    local t0 t1
    t0=$(now)
    "$floor" "$LABSIM_URL" "$LABSIM_USER" "$LABSIM_DIR/vcenter.crt" >"$work/floor.out"
    t1=$(now)
    echo $(((t1 - t0) / 1000000))
}
client_once() { # -> "ms rss_kb" on stdout
    local t0 t1
    t0=$(now)
    /usr/bin/time -f '%M' -o "$work/time" "$nestlab" -c "$LABSIM_CONFIG" inventory --json \
        >"$work/out.json" 2>"$work/err" || { cat "$work/err" >&2; nl_fail "nestlab inventory failed"; }
    t1=$(now)
    echo "$(((t1 - t0) / 1000000)) $(tail -n1 "$work/time")"
}

measure() { # measure PERSONALITY: start labsim with it, alternate floor and client, print medians
    local personality=$1
    NL_LABSIM_PERSONALITY=
    [ "$personality" = paging ] || NL_LABSIM_PERSONALITY=$personality
    labsim_start --scale "$scale"
    trap 'rm -rf "$work"; labsim_stop' EXIT
    floor_once >/dev/null
    client_once >/dev/null
    local floors=() clients=() rss=() c r
    for _ in $(seq "$runs"); do
        floors+=("$(floor_once)")
        read -r c r <<<"$(client_once)"
        clients+=("$c")
        rss+=("$r")
    done

    counts=$(python3 - "$work/out.json" <<'EOF'
import json, sys
ep = json.load(open(sys.argv[1]))["endpoints"][0]
print(len(ep["hosts"]), len(ep["vms"]))
EOF
)
    read -r n_hosts n_vms <<<"$counts"
    [ "$n_vms" -gt 0 ] || nl_fail "the client printed no VMs"
    echo "== $personality: scale $scale -> $n_hosts hosts, $n_vms VMs; $(cat "$work/floor.out") per read"
    python3 - "${floors[*]}" "${clients[*]}" "${rss[*]}" <<'EOF'
import statistics, sys
f = [int(x) for x in sys.argv[1].split()]
c = [int(x) for x in sys.argv[2].split()]
r = [int(x) / 1024 for x in sys.argv[3].split()]
mf, mc = statistics.median(f), statistics.median(c)
print(f"floor:   median {mf:.0f} ms  (runs: {' '.join(map(str, f))})")
print(f"client:  median {mc:.0f} ms  (runs: {' '.join(map(str, c))})")
print(f"overhead: {mc - mf:+.0f} ms = {100 * (mc - mf) / mf:+.0f} % of the floor "
      f"(ratio {mc / mf:.2f}; target <= +25 %)")
print(f"peak RSS: {max(r):.1f} MB (median {statistics.median(r):.1f} MB; target <= 64 MB)")
EOF
    labsim_stop
}

for p in "${personalities[@]}"; do
    measure "$p"
done
