#!/usr/bin/env bash
# The paged inventory read against a labsim scale lab large enough for several pages
# (maxObjects 1000): every object arrives once while the next page is fetched ahead of the
# parse, the same lab as a read whose read-ahead cannot start, NotAuthenticated on a later page
# (log in again, read again from the start), and other faults or a dropped vCenter on a later
# page (a clear error, no hang). Under labsim's no-paging personality the server ignores
# maxObjects: the same lab in one reply, no continuation, and the faults hit that one page.
set -uo pipefail
. "${NL_SOURCE_DIR:?}/tests/lib/labsim.sh"
probe=${NL_BUILD_DIR:?}/tests/unit/vsphere/vs_probe
[ -x "$probe" ] || nl_fail "vs_probe is not built ($probe)"
# labsim's 20x2500 scale lab: 270 hosts, 2,500 VMs, three pages.
labsim_start --scale 20x2500
export NESTLAB_PASSWORD=$LABSIM_PASSWORD
failures=0
passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { failures=$((failures + 1)); echo "FAIL: $*" >&2; }
expect() { # expect NAME STATUS PATTERN -- cmd...
    local name=$1 want=$2 pat=$3
    shift 4
    local out st
    out=$("$@" 2>&1)
    st=$?
    if [ "$want" != any ] && [ "$st" -ne "$want" ]; then
        bad "$name: exit $st, wanted $want: $(head -c 600 <<<"$out")"
    elif ! grep -qE -- "$pat" <<<"$out"; then
        bad "$name: output does not match /$pat/: $(grep -v "^connected" <<<"$out" | head -c 600)"
    else
        ok "$name"
    fi
}
calls() { curl -s "$LABSIM_CONTROL/calls"; }
method_calls() { calls | python3 -c "import json,sys; print(json.load(sys.stdin)['methods'].get('$1', 0))"; }
fault() { curl -s -X POST -d "{\"method\":\"$1\",\"fault\":\"$2\",\"count\":$3}" "$LABSIM_CONTROL/fault" >/dev/null; }
P=("$probe" -c "$LABSIM_CONFIG" --quiet)
# The call that fetches a later page; the only page when the server does not page.
later=ContinueRetrievePropertiesEx pages=2
labsim_personality no-paging && later=RetrievePropertiesEx pages=0
want='hosts=270 vms=2500'
work=$(mktemp -d)
trap 'rm -rf "$work"; labsim_stop' EXIT

curl -s -X POST "$LABSIM_CONTROL/calls/reset" >/dev/null
expect "paged inventory" 0 "$want" -- "${P[@]}"
n=$(method_calls ContinueRetrievePropertiesEx)
[ "$n" -eq "$pages" ] && ok "$pages continuation pages" || bad "ContinueRetrievePropertiesEx called $n times, wanted $pages"

# Every VM once; the listing is compared with the re-read below.
"${P[@]}" --list >"$work/a" 2>&1 || bad "listing failed: $(head -c 300 "$work/a")"
sort "$work/a" >"$work/a.sorted"
[ "$(grep -c '^vm ' "$work/a")" -eq 2500 ] && ok "2500 VMs listed once each" ||
    bad "VM lines: $(grep -c '^vm ' "$work/a")"
[ "$(grep '^vm ' "$work/a" | sort -u | wc -l)" -eq 2500 ] && ok "no VM twice" || bad "duplicate VM lines"

# NotAuthenticated on a later page: the read starts again after a new login.
curl -s -X POST "$LABSIM_CONTROL/calls/reset" >/dev/null
fault "$later" NotAuthenticated 1
"${P[@]}" --list >"$work/b" 2>&1
st=$?
[ "$st" -eq 0 ] && ok "NotAuthenticated on page 2: read again" || bad "exit $st: $(head -c 300 "$work/b")"
sort "$work/b" | cmp -s - "$work/a.sorted" && ok "same lab after the re-read" || bad "lab differs after the re-read"
logins=$(method_calls Login)
[ "$logins" -eq 2 ] && ok "logged in again once" || bad "Login called $logins times"

# Another fault on a later page: an error naming it, exit 4, no hang.
fault "$later" InvalidArgument 1
expect "fault on page 2" 4 "NL_ERR_FAULT: .*$later with the fault InvalidArgument" -- \
    timeout 60 "${P[@]}"
# Later pages slow: still the whole lab.
curl -s -X POST -d '{"ms":150}' "$LABSIM_CONTROL/latency" >/dev/null
expect "slow pages" 0 "$want" -- timeout 60 "${P[@]}"
curl -s -X POST -d '{"ms":0}' "$LABSIM_CONTROL/latency" >/dev/null
expect "after the faults" 0 "$want" -- "${P[@]}"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
