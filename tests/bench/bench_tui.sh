#!/bin/bash
# Console redraw benchmark on a generated 10,000-VM lab: the fixture is generated as a real cache
# file (ui_fake --generate N --write-cache) and loaded the way the console loads a cache, then
# bench_tui times key handling + full redraw per operation. Budget: 10 ms per keypress (issue 6);
# sanitizer builds are several times slower, so the budget applies only to optimized builds
# unless BENCH_MAX_MS is set.
set -eu
BUILD=${NL_BUILD_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/build}
VMS=${BENCH_VMS:-10000}
for b in "$BUILD/tests/tui/ui_fake" "$BUILD/tests/tui/bench_tui"; do
    [ -x "$b" ] || { echo "bench_tui.sh: $b is not built (cmake --build $BUILD --target ui_fake bench_tui)" >&2; exit 1; }
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench_tui.XXXXXX")
trap 'rm -rf -- "$TMP"' EXIT
"$BUILD/tests/tui/ui_fake" --generate "$VMS" --write-cache "$TMP/scale-lab.json"
echo "fixture: $(du -h "$TMP/scale-lab.json" | cut -f1) cache file with $VMS generated VMs"
MAX=${BENCH_MAX_MS:-}
if [ -z "$MAX" ] && ! grep -q 'fsanitize' "$BUILD/CMakeCache.txt" 2>/dev/null; then
    MAX=10
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
exec "$BUILD/tests/tui/bench_tui" --cache "$TMP/scale-lab.json" ${MAX:+--max-ms "$MAX"}
