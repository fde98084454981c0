#!/bin/sh
# Build labsim and run its vCenter-side tests: Go tests (raw SOAP over HTTPS), the curl smoke
# test (default lab start < 3 s) and the scale smoke (500 hosts x 10,000 VMs).
# usage: tests/labsim/run_tests.sh [BUILD_DIR]      (CTest label: integration)
# LABSIM_SKIP_SCALE=1 skips the scale smoke.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bdir=${1:-${LABSIM_BUILD_DIR:-"$root/build-labsim"}}
mkdir -p "$bdir"
bdir=$(cd "$bdir" && pwd)
export LABSIM_BUILD_DIR="$bdir"
echo "== build"
"$here/build.sh" "$bdir/labsim"
export LABSIM="$bdir/labsim"
echo "== go tests (vCenter side)"
"$here/test_go.sh" -run 'TestVC' -v 2>&1 | grep -E '^(---|ok|FAIL|PASS|default lab)|_test.go' || true
"$here/test_go.sh" -run 'TestVC' >/dev/null 2>&1 || { "$here/test_go.sh" -run 'TestVC' 2>&1 | tail -40; echo "go tests FAILED"; exit 1; }
echo "== curl smoke"
"$here/test_curl.sh"
if [ "${LABSIM_SKIP_SCALE:-0}" != 1 ]; then
    echo "== scale smoke"
    "$here/test_scale.sh"
fi
echo "labsim: all tests passed"
